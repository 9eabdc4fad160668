//! Lockstep: the Rust model and the RTL side by side, cycle by cycle, until
//! they differ or the run ends. Compared every cycle: what the cycle did (pc,
//! instruction, halt, RAM write, block write, node-slot write, UART bytes) and
//! the state after it (pc, instruction register, T, N, R, stack depths, LEDs,
//! key registers, current selectors, fault count).
//!
//! The RTL runs ahead in batches of cycles that need nothing from the console
//! ([`Rtl::run_until_event`]), recording what each showed; the Rust model then
//! steps through the same cycles and each is compared in turn, so a difference
//! is reported at its own cycle, with the same fields, wherever it falls in a
//! batch. A cycle that moves a UART byte or asks for input is run on both sides
//! one at a time ([`Rtl::step`]), the Rust model first, as the console needs.

use crate::{Obs, Rtl};
use j1k_sim::{Limits, Machine, Outcome, Step, Uart};
use std::collections::VecDeque;
use std::fmt;

/// The first difference: the cycle, what differed, and both sides' values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    pub cycle: u64,
    /// `(field, Rust model, RTL)` for every field that differs.
    pub fields: Vec<(&'static str, String, String)>,
    /// Both states in full, one line each.
    pub rust_state: String,
    pub rtl_state: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the Rust model and the RTL differ at cycle {}:",
            self.cycle
        )?;
        writeln!(f, "  {:<14} {:>14} {:>14}", "field", "rust", "rtl")?;
        for (name, a, b) in &self.fields {
            writeln!(f, "  {name:<14} {a:>14} {b:>14}")?;
        }
        writeln!(f, "  rust: {}", self.rust_state)?;
        write!(f, "  rtl:  {}", self.rtl_state)
    }
}

impl std::error::Error for Divergence {}

/// Feeds both sides the same input: the Rust model reads the real console, and
/// the RTL replays what it got. Output is compared, and written once.
struct Tee<'a> {
    console: &'a mut dyn Uart,
    replay: VecDeque<u8>,
    console_done: bool,
}

struct RustSide<'t, 'a>(&'t mut Tee<'a>);
struct RtlSide<'t, 'a> {
    tee: &'t mut Tee<'a>,
    tx: Vec<u8>,
    /// The RTL looked at RX where the Rust model had not.
    early_look: bool,
}

impl Uart for RustSide<'_, '_> {
    fn rx(&mut self) -> Option<u8> {
        let b = self.0.console.rx();
        match b {
            Some(b) => self.0.replay.push_back(b),
            None => self.0.console_done = true,
        }
        b
    }
    fn tx(&mut self, byte: u8) {
        self.0.console.tx(byte);
    }
}

impl Uart for RtlSide<'_, '_> {
    fn rx(&mut self) -> Option<u8> {
        match self.tee.replay.pop_front() {
            Some(b) => Some(b),
            None => {
                if !self.tee.console_done {
                    self.early_look = true;
                }
                None
            }
        }
    }
    fn tx(&mut self, byte: u8) {
        self.tx.push(byte);
    }
}

fn key_word(k: j1k_sim::Key) -> u16 {
    if k.index == 0 {
        0
    } else {
        k.index | (k.writable as u16) << 15
    }
}

fn norm_key(w: u16) -> u16 {
    if w & 0x7fff == 0 {
        0
    } else {
        w
    }
}

fn rust_state(m: &Machine) -> String {
    let c = m.core(0);
    format!(
        "pc={:04x} insn={:04x} T={:04x} N={:04x} R={:04x} dsp={} rdepth={} b{}={:?} n{}={:?} faults={}",
        c.pc(),
        c.insn(),
        c.t(),
        c.n(),
        c.r(),
        c.dsp(),
        c.rdepth(),
        c.cur_block(),
        c.block_reg(c.cur_block()),
        c.cur_node(),
        c.node_reg(c.cur_node()),
        c.faults()
    )
}

fn rtl_state(o: &Obs) -> String {
    format!(
        "pc={:04x} insn={:04x} T={:04x} N={:04x} R={:04x} dsp={} rdepth={} b{}={:04x} n{}={:04x} faults={}",
        o.pc,
        o.insn,
        o.t,
        o.n,
        o.r,
        o.dsp,
        o.rdepth,
        o.cur_b,
        o.breg[o.cur_b as usize & 7],
        o.cur_n,
        o.nreg[o.cur_n as usize & 3],
        o.faults
    )
}

/// How many cycles the RTL runs ahead of the comparison at most in [`lockstep`].
pub const LOCKSTEP_BATCH: u64 = 1024;

/// Runs `m` and `rtl` (both freshly loaded with the same image) side by side.
pub fn lockstep(
    m: &mut Machine,
    rtl: &mut Rtl,
    console: &mut dyn Uart,
    limits: &Limits,
) -> Result<Outcome, Box<Divergence>> {
    lockstep_batched(m, rtl, console, limits, LOCKSTEP_BATCH)
}

/// [`lockstep`] with the RTL at most `batch` cycles ahead of the comparison; 0
/// runs every cycle of both through [`Rtl::step`] and [`Machine::step_into`], the
/// reference the batches must equal. Which cycle differs first, and how, does not
/// depend on `batch`; after a difference the RTL may have run up to `batch` - 1
/// cycles further than the cycle reported.
pub fn lockstep_batched(
    m: &mut Machine,
    rtl: &mut Rtl,
    console: &mut dyn Uart,
    limits: &Limits,
    batch: u64,
) -> Result<Outcome, Box<Divergence>> {
    let cmp = Comparator {
        block_words: m.config().key.block_words as u32,
        node_slots: m.config().key.node_slots as u32,
    };
    let mut tee = Tee {
        console,
        replay: VecDeque::new(),
        console_done: false,
    };
    let mut trace: Vec<Obs> = Vec::new();
    let mut step = Step::default();
    loop {
        // The same end rules as Machine::run (the RTL side keeps the same
        // counters, and any difference in UART traffic has already stopped us).
        if let Some(o) = rtl.ended(limits) {
            return Ok(o);
        }
        if batch > 0 {
            trace.clear();
            let ran = rtl.run_until_event(rtl.cycles_left(limits).min(batch), Some(&mut trace));
            if ran.cycles > 0 {
                let now = rtl.observe();
                for (i, during) in trace.iter().enumerate() {
                    let cycle = m.cycles();
                    m.step_into(&mut RustSide(&mut tee), &mut step);
                    let rtl_cycle = RtlCycle {
                        during,
                        after: trace.get(i + 1).unwrap_or(&now),
                        tx: None,
                        early_look: false,
                    };
                    cmp.check(cycle, m, &step, 0, &rtl_cycle)?;
                    // (the RTL's halt stops a batch, so a halt here differs above)
                    if step.halted {
                        return Ok(Outcome::Halted);
                    }
                }
            }
            if !ran.event {
                continue;
            }
        }
        // A cycle that needs the console: the Rust model first (it reads the
        // real console), then the RTL (it replays what the Rust model got).
        let cycle = m.cycles();
        m.step_into(&mut RustSide(&mut tee), &mut step);
        let mut side = RtlSide {
            tee: &mut tee,
            tx: Vec::new(),
            early_look: false,
        };
        let during = rtl.step(&mut side);
        let rtl_cycle = RtlCycle {
            during: &during,
            after: &rtl.observe(),
            tx: side.tx.first().copied(),
            early_look: side.early_look,
        };
        cmp.check(cycle, m, &step, 0, &rtl_cycle)?;
        if step.halted {
            return Ok(Outcome::Halted);
        }
    }
}

/// One cycle of one RTL core as lockstep saw it: its outputs during the cycle,
/// its state after it, and on UART 0 (core 0's) the byte it sent and whether it
/// looked at RX where the Rust model had not. (A top with several cores would
/// give one per core and cycle: the trace holds the cores' `Obs` in turn.)
struct RtlCycle<'a> {
    during: &'a Obs,
    after: &'a Obs,
    tx: Option<u8>,
    early_look: bool,
}

/// Compares a cycle of the Rust model with the same cycle of the RTL, core by
/// core: the one comparison every lockstep run goes through.
struct Comparator {
    block_words: u32,
    node_slots: u32,
}

/// Where a comparison goes: a flag (the common case, no text made), or the
/// fields that differ with both values as text (a divergence). Both see the
/// same comparisons of the same values, so they agree; values are compared and
/// then shown, each in a one-to-one way, so two differ exactly when their texts do.
trait Sink {
    fn differ(&mut self, name: &'static str, rust: String, rtl: String);
    fn check<T: PartialEq>(
        &mut self,
        name: &'static str,
        rust: T,
        rtl: T,
        show: impl Fn(&T) -> String,
    );
}

struct Same(bool);

impl Sink for Same {
    fn differ(&mut self, _: &'static str, _: String, _: String) {
        self.0 = false;
    }
    fn check<T: PartialEq>(&mut self, _: &'static str, rust: T, rtl: T, _: impl Fn(&T) -> String) {
        if rust != rtl {
            self.0 = false;
        }
    }
}

struct Fields(Vec<(&'static str, String, String)>);

impl Sink for Fields {
    fn differ(&mut self, name: &'static str, rust: String, rtl: String) {
        self.0.push((name, rust, rtl));
    }
    fn check<T: PartialEq>(
        &mut self,
        name: &'static str,
        rust: T,
        rtl: T,
        show: impl Fn(&T) -> String,
    ) {
        if rust != rtl {
            self.0.push((name, show(&rust), show(&rtl)));
        }
    }
}

fn hex(v: &u16) -> String {
    format!("{v:04x}")
}

fn dec(v: &u64) -> String {
    v.to_string()
}

impl Comparator {
    /// `m` has just run `cycle` (`step`); an error names every field of `core`
    /// that differs.
    fn check(
        &self,
        cycle: u64,
        m: &Machine,
        step: &Step,
        core: usize,
        rtl: &RtlCycle,
    ) -> Result<(), Box<Divergence>> {
        let mut same = Same(true);
        self.compare(&mut same, m, step, core, rtl);
        if same.0 {
            return Ok(());
        }
        let mut fields = Fields(Vec::new());
        self.compare(&mut fields, m, step, core, rtl);
        Err(Box::new(Divergence {
            cycle,
            fields: fields.0,
            rust_state: rust_state(m),
            rtl_state: rtl_state(rtl.after),
        }))
    }

    fn compare(&self, s: &mut impl Sink, m: &Machine, step: &Step, core: usize, rtl: &RtlCycle) {
        let (o, after) = (rtl.during, rtl.after);
        let cs = &step.cores[core];
        // What the cycle did.
        s.check("cycle pc", cs.pc, o.pc, hex);
        s.check("cycle insn", cs.insn, o.insn, hex);
        s.check("halt", cs.halt, o.halt != 0, |v| v.to_string());
        s.check(
            "ram write",
            cs.ram_write,
            (o.ram_we != 0).then_some((o.ram_waddr, o.ram_wdata)),
            |v| format!("{v:?}"),
        );
        // A byte write (`bc!`) drives only its lane: compare the lanes written.
        let rust_bw = cs
            .block_write
            .map(|(b, i, v)| ((b as u32 * self.block_words + i as u32) as u16, v));
        let rtl_bw = (o.blk_we != 0).then_some((o.blk_waddr, o.blk_wdata));
        let lanes = (if o.blk_wmask & 1 != 0 { 0x00ff } else { 0 })
            | (if o.blk_wmask & 2 != 0 { 0xff00 } else { 0 });
        let same_bw = match (rust_bw, rtl_bw) {
            (None, None) => true,
            (Some((a, v)), Some((b, d))) => a == b && v & lanes == d & lanes && lanes != 0,
            _ => false,
        };
        if !same_bw {
            s.differ(
                "block write",
                format!("{rust_bw:x?}"),
                format!("{rtl_bw:x?} lanes {:02b}", o.blk_wmask),
            );
        }
        // A node-store write: the entry (node × S + slot), the slots, the key.
        let rust_sw = cs.slot_write.map(|(n, i, which, k)| {
            (
                (n as u32 * self.node_slots + i as u32) as u16,
                which,
                key_word(k),
            )
        });
        let rtl_sw = (o.slot_we != 0).then_some((o.slot_waddr, o.slot_we, norm_key(o.slot_wdata)));
        s.check("node slot write", rust_sw, rtl_sw, |v| format!("{v:x?}"));
        if core == 0 {
            s.check("uart tx", step.uart_tx, rtl.tx, |v| format!("{v:?}"));
            s.check(
                "uart rx",
                step.uart_rx.is_some(),
                o.uart_rx_strobe != 0,
                |v| format!("{v:?}"),
            );
            if rtl.early_look {
                s.differ("uart rx look", "no".into(), "yes".into());
            }
        }
        // The state after it.
        let c = m.core(core);
        s.check("pc", c.pc(), after.pc, hex);
        s.check("insn", c.insn(), after.insn, hex);
        s.check("T", c.t(), after.t, hex);
        s.check("N", c.n(), after.n, hex);
        s.check("R", c.r(), after.r, hex);
        s.check("dsp", c.dsp() as u64, after.dsp as u64, dec);
        s.check("rdepth", c.rdepth() as u64, after.rdepth as u64, dec);
        s.check("leds", c.leds() as u64, after.leds as u64, dec);
        s.check("faults", c.faults() as u64, after.faults as u64, dec);
        s.check("cur block", c.cur_block() as u64, after.cur_b as u64, dec);
        s.check("cur node", c.cur_node() as u64, after.cur_n as u64, dec);
        const BREGS: [&str; 8] = ["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"];
        for (i, name) in BREGS.into_iter().enumerate() {
            s.check(name, key_word(c.block_reg(i)), norm_key(after.breg[i]), hex);
        }
        const NREGS: [&str; 4] = ["n0", "n1", "n2", "n3"];
        for (i, name) in NREGS.into_iter().enumerate() {
            s.check(name, key_word(c.node_reg(i)), norm_key(after.nreg[i]), hex);
        }
    }
}
