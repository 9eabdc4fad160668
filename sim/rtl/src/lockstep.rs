//! Lockstep: the Rust model and the RTL side by side, cycle by cycle, until
//! they differ or the run ends. Compared every cycle: what the cycle did (pc,
//! instruction, halt, RAM write, block write, node-slot write, UART bytes) and
//! the state after it (pc, instruction register, T, N, R, stack depths, LEDs,
//! key registers, current selectors, fault count).

use crate::{Obs, Rtl};
use j1k_sim::{Limits, Machine, Outcome, Uart};
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

/// Runs `m` and `rtl` (both freshly loaded with the same image) side by side.
pub fn lockstep(
    m: &mut Machine,
    rtl: &mut Rtl,
    console: &mut dyn Uart,
    limits: &Limits,
) -> Result<Outcome, Box<Divergence>> {
    let block_words = m.config().key.block_words as u32;
    let node_slots = m.config().key.node_slots as u32;
    let mut tee = Tee {
        console,
        replay: VecDeque::new(),
        console_done: false,
    };
    let mut diffs: Vec<(&'static str, String, String)> = Vec::new();
    loop {
        // The same end rules as Machine::run (the RTL side keeps the same
        // counters, and any difference in UART traffic has already stopped us).
        if let Some(o) = rtl.ended(limits) {
            return Ok(o);
        }
        let cycle = m.cycles();
        let step = m.step(&mut RustSide(&mut tee));
        let mut side = RtlSide {
            tee: &mut tee,
            tx: Vec::new(),
            early_look: false,
        };
        let o = rtl.step(&mut side);
        let (rtl_tx, early) = (side.tx, side.early_look);
        let cs = &step.cores[0];
        diffs.clear();
        let mut check = |name: &'static str, a: String, b: String| {
            if a != b {
                diffs.push((name, a, b));
            }
        };
        // What the cycle did.
        check(
            "cycle pc",
            format!("{:04x}", cs.pc),
            format!("{:04x}", o.pc),
        );
        check(
            "cycle insn",
            format!("{:04x}", cs.insn),
            format!("{:04x}", o.insn),
        );
        check("halt", cs.halt.to_string(), (o.halt != 0).to_string());
        check(
            "ram write",
            format!("{:?}", cs.ram_write),
            format!(
                "{:?}",
                (o.ram_we != 0).then_some((o.ram_waddr, o.ram_wdata))
            ),
        );
        // A byte write (`bc!`) drives only its lane: compare the lanes written.
        let rust_bw = cs
            .block_write
            .map(|(b, i, v)| ((b as u32 * block_words + i as u32) as u16, v));
        let rtl_bw = (o.blk_we != 0).then_some((o.blk_waddr, o.blk_wdata));
        let lanes = (if o.blk_wmask & 1 != 0 { 0x00ff } else { 0 })
            | (if o.blk_wmask & 2 != 0 { 0xff00 } else { 0 });
        let same_bw = match (rust_bw, rtl_bw) {
            (None, None) => true,
            (Some((a, v)), Some((b, d))) => a == b && v & lanes == d & lanes && lanes != 0,
            _ => false,
        };
        if !same_bw {
            check(
                "block write",
                format!("{rust_bw:x?}"),
                format!("{rtl_bw:x?} lanes {:02b}", o.blk_wmask),
            );
        }
        // A node-store write: the entry (node × S + slot), the slots, the key.
        let rust_sw = cs.slot_write.map(|(n, i, which, k)| {
            (
                (n as u32 * node_slots + i as u32) as u16,
                which,
                key_word(k),
            )
        });
        let rtl_sw = (o.slot_we != 0).then_some((o.slot_waddr, o.slot_we, norm_key(o.slot_wdata)));
        check(
            "node slot write",
            format!("{rust_sw:x?}"),
            format!("{rtl_sw:x?}"),
        );
        check(
            "uart tx",
            format!("{:?}", step.uart_tx),
            format!("{:?}", rtl_tx.first()),
        );
        check(
            "uart rx",
            format!("{:?}", step.uart_rx.is_some()),
            format!("{:?}", o.uart_rx_strobe != 0),
        );
        if early {
            check("uart rx look", "no".into(), "yes".into());
        }
        // The state after it.
        let after = rtl.observe();
        let c = m.core(0);
        check("pc", format!("{:04x}", c.pc()), format!("{:04x}", after.pc));
        check(
            "insn",
            format!("{:04x}", c.insn()),
            format!("{:04x}", after.insn),
        );
        check("T", format!("{:04x}", c.t()), format!("{:04x}", after.t));
        check("N", format!("{:04x}", c.n()), format!("{:04x}", after.n));
        check("R", format!("{:04x}", c.r()), format!("{:04x}", after.r));
        check("dsp", c.dsp().to_string(), after.dsp.to_string());
        check("rdepth", c.rdepth().to_string(), after.rdepth.to_string());
        check("leds", c.leds().to_string(), after.leds.to_string());
        check("faults", c.faults().to_string(), after.faults.to_string());
        check(
            "cur block",
            c.cur_block().to_string(),
            after.cur_b.to_string(),
        );
        check(
            "cur node",
            c.cur_node().to_string(),
            after.cur_n.to_string(),
        );
        const BREGS: [&str; 8] = ["b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7"];
        for (i, name) in BREGS.into_iter().enumerate() {
            check(
                name,
                format!("{:04x}", key_word(c.block_reg(i))),
                format!("{:04x}", norm_key(after.breg[i])),
            );
        }
        const NREGS: [&str; 4] = ["n0", "n1", "n2", "n3"];
        for (i, name) in NREGS.into_iter().enumerate() {
            check(
                name,
                format!("{:04x}", key_word(c.node_reg(i))),
                format!("{:04x}", norm_key(after.nreg[i])),
            );
        }
        if !diffs.is_empty() {
            return Err(Box::new(Divergence {
                cycle,
                fields: std::mem::take(&mut diffs),
                rust_state: rust_state(m),
                rtl_state: rtl_state(&after),
            }));
        }
        if step.halted {
            return Ok(Outcome::Halted);
        }
    }
}
