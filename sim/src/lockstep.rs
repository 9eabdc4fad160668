//! The one comparison of a hardware model with the simulator, cycle by cycle and core by
//! core, that every lockstep harness goes through: the Verilated RTL (j1k-rtl), and the
//! rust-hdl simulation tops (hdl's tests). A harness observes each core of its model
//! during a cycle and after it ([`Obs`]), steps the simulator through the same cycle, and
//! asks [`Comparator::check`]: what the cycle did (pc, instruction, halt, RAM write,
//! block write, node-slot write, UART bytes) and the state after it (running, pc,
//! instruction register, reboot flag, T, N, R, stack depths, LEDs, key registers,
//! current selectors, fault count, key unit busy). With several cores it observes the
//! coherence unit after every cycle too ([`UnitObs`]) and asks
//! [`Comparator::check_unit`]: every tile's lines (tag, state, snoop flag), request, node
//! lock and allocation, and the transaction granted.

use crate::mem::unit::{Coherence, Need};
use crate::{Key, KeyConfig, Machine, Step};
use std::fmt;

/// What a hardware model shows of one core in one cycle (during it: its actions; after
/// it: its state). `#[repr(C)]`: j1k-rtl's C shim fills it (`struct j1k_rtl_obs`, field
/// for field).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Obs {
    pub pc: u16,
    pub insn: u16,
    pub t: u16,
    pub n: u16,
    pub r: u16,
    pub ram_waddr: u16,
    pub ram_wdata: u16,
    pub faults: u16,
    pub blk_waddr: u16,
    pub blk_wdata: u16,
    pub slot_waddr: u16,
    pub slot_wdata: u16,
    pub breg: [u16; 8],
    pub nreg: [u16; 4],
    pub dsp: u8,
    pub rdepth: u8,
    pub reboot: u8,
    pub ram_we: u8,
    pub uart_tx_strobe: u8,
    pub uart_tx_data: u8,
    pub uart_rx_strobe: u8,
    pub uart_rx_look: u8,
    pub leds: u8,
    pub halt: u8,
    pub cur_b: u8,
    pub cur_n: u8,
    pub key_busy: u8,
    pub blk_we: u8,
    /// Byte lanes written: bit 0 the low byte, bit 1 the high byte.
    pub blk_wmask: u8,
    /// Node-store slots written: bit 0 the block-key slot, bit 1 the node-key slot.
    pub slot_we: u8,
}

/// The first difference: the cycle, the core, what differed, and both sides' values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    pub cycle: u64,
    /// The core, or `None` for the coherence unit.
    pub core: Option<usize>,
    /// `(field, Rust model, RTL)` for every field that differs.
    pub fields: Vec<(String, String, String)>,
    /// Both states in full, one line each.
    pub rust_state: String,
    pub rtl_state: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.core {
            Some(k) => writeln!(
                f,
                "the Rust model and the RTL differ at cycle {}, core {k}:",
                self.cycle
            )?,
            None => writeln!(
                f,
                "the Rust model and the RTL differ at cycle {}, in the coherence unit:",
                self.cycle
            )?,
        }
        let w = self
            .fields
            .iter()
            .map(|f| f.0.len())
            .max()
            .unwrap_or(0)
            .max(14);
        writeln!(f, "  {:<w$} {:>14} {:>14}", "field", "rust", "rtl")?;
        for (name, a, b) in &self.fields {
            writeln!(f, "  {name:<w$} {a:>14} {b:>14}")?;
        }
        writeln!(f, "  rust: {}", self.rust_state)?;
        write!(f, "  rtl:  {}", self.rtl_state)
    }
}

impl std::error::Error for Divergence {}

fn key_word(k: Key) -> u16 {
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

fn rust_state(m: &Machine, core: usize) -> String {
    let c = m.core(core);
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

/// One cycle of one hardware core as a harness saw it: its outputs during the cycle,
/// its state after it, on UART 0 (core 0's) the byte it sent and whether it looked at
/// RX where the Rust model had not, and with several cores whether it ran in the cycle
/// after (its control unit's flag).
pub struct HwCycle<'a> {
    pub during: &'a Obs,
    pub after: &'a Obs,
    pub tx: Option<u8>,
    pub early_look: bool,
    pub running: Option<bool>,
}

/// Compares a cycle of the Rust model with the same cycle of a hardware model, core by
/// core: the one comparison every lockstep run goes through.
pub struct Comparator {
    block_words: u32,
    node_slots: u32,
    /// The hardware has a key unit (a J1a alone shows none of its state).
    keys: bool,
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

struct Fields(Vec<(String, String, String)>);

impl Sink for Fields {
    fn differ(&mut self, name: &'static str, rust: String, rtl: String) {
        self.0.push((name.into(), rust, rtl));
    }
    fn check<T: PartialEq>(
        &mut self,
        name: &'static str,
        rust: T,
        rtl: T,
        show: impl Fn(&T) -> String,
    ) {
        if rust != rtl {
            self.0.push((name.into(), show(&rust), show(&rtl)));
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
    /// `key`: the key unit's configuration, `None` for hardware built without one.
    pub fn new(key: Option<&KeyConfig>) -> Comparator {
        Comparator {
            block_words: key.map_or(1, |k| k.block_words as u32),
            node_slots: key.map_or(1, |k| k.node_slots as u32),
            keys: key.is_some(),
        }
    }

    /// `m` has just run `cycle` (`step`); an error names every field of `core`
    /// that differs.
    pub fn check(
        &self,
        cycle: u64,
        m: &Machine,
        step: &Step,
        core: usize,
        rtl: &HwCycle,
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
            core: Some(core),
            fields: fields.0,
            rust_state: rust_state(m, core),
            rtl_state: rtl_state(rtl.after),
        }))
    }

    fn compare(&self, s: &mut impl Sink, m: &Machine, step: &Step, core: usize, rtl: &HwCycle) {
        let (o, after) = (rtl.during, rtl.after);
        let cs = &step.cores[core];
        let c = m.core(core);
        // A stopped core's instruction register is not defined (docs/architecture.md §6):
        // its RAM serves core 0's remote pointer.
        let ran = cs.kind != crate::CycleKind::Idle;
        // What the cycle did.
        s.check("cycle pc", cs.pc, o.pc, hex);
        if ran {
            s.check("cycle insn", cs.insn, o.insn, hex);
        }
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
        if let Some(r) = rtl.running {
            s.check("running", c.running(), r, |v| v.to_string());
        }
        s.check("pc", c.pc(), after.pc, hex);
        if c.running() {
            s.check("insn", c.insn(), after.insn, hex);
            s.check("reboot", c.rebooting(), after.reboot != 0, |v| {
                v.to_string()
            });
        }
        s.check("T", c.t(), after.t, hex);
        s.check("N", c.n(), after.n, hex);
        s.check("R", c.r(), after.r, hex);
        s.check("dsp", c.dsp() as u64, after.dsp as u64, dec);
        s.check("rdepth", c.rdepth() as u64, after.rdepth as u64, dec);
        s.check("leds", c.leds() as u64, after.leds as u64, dec);
        if !self.keys {
            return;
        }
        s.check("key busy", c.stalled(), after.key_busy != 0, |v| {
            v.to_string()
        });
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

/// The most tiles, and lines a tile, a [`UnitObs`] holds.
pub const UNIT_TILES: usize = 8;
pub const UNIT_LINES: usize = 4;

/// A tile's side of the coherence unit as the hardware shows it after a cycle: its lines'
/// tags, states (`LineState::code`) and snoop flags, its victim pointer, its request
/// register (`Need::code`), node lock and allocation result. `#[repr(C)]`: j1k-rtl's shim
/// fills it (`struct j1k_rtl_tile_unit`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TileUnitObs {
    pub tags: [u16; UNIT_LINES],
    pub req_blk: u16,
    pub alloc_idx: u16,
    pub states: [u8; UNIT_LINES],
    pub snoops: [u8; UNIT_LINES],
    pub vptr: u8,
    pub req_v: u8,
    pub req_need: u8,
    pub locked: u8,
    pub alloc_v: u8,
    pub alloc_ok: u8,
}

/// The coherence unit as the hardware shows it after a cycle: every tile's side and the
/// transaction registers (the grant: kind `Kind::code`, tile, block, line, write-back,
/// source; its cycles left and age) and the round-robin pointer. `#[repr(C)]`: j1k-rtl's
/// shim fills it (`struct j1k_rtl_unit`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitObs {
    pub tiles: [TileUnitObs; UNIT_TILES],
    pub x_block: u16,
    pub x_left: u16,
    pub active: u8,
    pub x_kind: u8,
    pub x_tile: u8,
    pub x_line: u8,
    pub x_writeback: u8,
    pub x_source_v: u8,
    pub x_source: u8,
    pub x_age: u8,
    pub last: u8,
}

impl Comparator {
    /// The coherence unit `u` of the Rust model after `cycle` against the hardware's: every
    /// line's tag, state and snoop flag, every request, lock and allocation, and the
    /// transaction the unit granted. An error names every field that differs.
    pub fn check_unit(
        &self,
        cycle: u64,
        u: &Coherence,
        hw: &UnitObs,
    ) -> Result<(), Box<Divergence>> {
        let mut same = true;
        unit_fields(cycle, u, hw, &mut |_, rust, rtl| same &= rust == rtl);
        if same {
            return Ok(());
        }
        let mut fields = Vec::new();
        unit_fields(cycle, u, hw, &mut |name, rust, rtl| {
            if rust != rtl {
                let name = name();
                let show = |v: u64| match name.ends_with(" state") {
                    true => state_letter(v).to_string(),
                    false => v.to_string(),
                };
                fields.push((name.clone(), show(rust), show(rtl)));
            }
        });
        // Both sides in one shape: each tile's lines, then the transaction.
        let tiles = |line: &dyn Fn(usize, usize) -> String| {
            (0..u.tiles.len())
                .map(|t| {
                    (0..u.tiles[t].cache.lines.len())
                        .map(|i| line(t, i))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let txn = |t: Option<(u8, usize, u16, usize, u32)>| match t {
            Some((kind, tile, block, line, left)) => {
                format!("kind {kind} tile {tile} block {block} line {line} left {left}")
            }
            None => "none".into(),
        };
        let rust_state = tiles(&|t, i| {
            let l = &u.tiles[t].cache.lines[i];
            line_text(l.state.code() as u64, l.tag, l.snoop)
        });
        let rtl_state = tiles(&|t, i| {
            let h = &hw.tiles[t];
            line_text(h.states[i] as u64, h.tags[i], h.snoops[i] != 0)
        });
        let rust_txn = u
            .active
            .map(|a| (a.kind.code(), a.tile, a.block, a.line, a.left));
        let rtl_txn = (hw.active != 0).then_some((
            hw.x_kind,
            hw.x_tile as usize,
            hw.x_block,
            hw.x_line as usize,
            hw.x_left as u32,
        ));
        Err(Box::new(Divergence {
            cycle,
            core: None,
            fields,
            rust_state: format!("{rust_state} txn {}", txn(rust_txn)),
            rtl_state: format!("{rtl_state} txn {}", txn(rtl_txn)),
        }))
    }
}

/// A line state's letter from its code (`j1k_isa::coherence::STATE_*`).
fn state_letter(code: u64) -> &'static str {
    ["I", "S", "E", "M"]
        .get(code as usize)
        .copied()
        .unwrap_or("?")
}

/// A cache line as a divergence shows it: state letter, block, `*` when snooped.
fn line_text(state: u64, tag: u16, snoop: bool) -> String {
    format!(
        "{}{tag}{}",
        state_letter(state),
        if snoop { "*" } else { "" }
    )
}

/// Where [`unit_fields`] sends each field: its name (made only when asked), the Rust
/// model's value, the hardware's.
type FieldSink<'a> = dyn FnMut(&dyn Fn() -> String, u64, u64) + 'a;

/// Every compared field of the unit, in order, as (name, Rust model, hardware); a field
/// the model leaves undefined (a request's block for a node lock, a transaction's fields
/// while none runs) is not compared.
fn unit_fields(now: u64, u: &Coherence, hw: &UnitObs, eq: &mut FieldSink) {
    for (t, (sw, h)) in u.tiles.iter().zip(&hw.tiles).enumerate() {
        for (i, l) in sw.cache.lines.iter().enumerate() {
            eq(
                &|| format!("tile {t} line {i} tag"),
                l.tag as u64,
                h.tags[i] as u64,
            );
            eq(
                &|| format!("tile {t} line {i} state"),
                l.state.code() as u64,
                h.states[i] as u64,
            );
            eq(
                &|| format!("tile {t} line {i} snoop"),
                l.snoop as u64,
                h.snoops[i] as u64,
            );
        }
        eq(
            &|| format!("tile {t} victim pointer"),
            sw.cache.victim as u64,
            h.vptr as u64,
        );
        eq(
            &|| format!("tile {t} request"),
            sw.request.is_some() as u64,
            h.req_v as u64,
        );
        if let Some(r) = sw.request {
            eq(
                &|| format!("tile {t} request need"),
                r.need.code() as u64,
                h.req_need as u64,
            );
            // (a node-lock or allocation request has no block: the key unit presents its
            // current block with every need, and the unit ignores it)
            if let Need::Read(b) | Need::Write(b) = r.need {
                eq(
                    &|| format!("tile {t} request block"),
                    b as u64,
                    h.req_blk as u64,
                );
            }
        }
        eq(
            &|| format!("tile {t} node lock"),
            sw.lock as u64,
            h.locked as u64,
        );
        eq(
            &|| format!("tile {t} allocation"),
            sw.alloc.is_some() as u64,
            h.alloc_v as u64,
        );
        if let Some(a) = sw.alloc {
            eq(
                &|| format!("tile {t} allocation ok"),
                a.is_some() as u64,
                h.alloc_ok as u64,
            );
            if let Some(i) = a {
                eq(
                    &|| format!("tile {t} allocation index"),
                    i as u64,
                    h.alloc_idx as u64,
                );
            }
        }
    }
    eq(
        &|| "unit active".into(),
        u.active.is_some() as u64,
        hw.active as u64,
    );
    eq(&|| "unit last".into(), u.last as u64, hw.last as u64);
    if let Some(a) = u.active {
        eq(
            &|| "txn kind".into(),
            a.kind.code() as u64,
            hw.x_kind as u64,
        );
        eq(&|| "txn tile".into(), a.tile as u64, hw.x_tile as u64);
        eq(&|| "txn block".into(), a.block as u64, hw.x_block as u64);
        eq(&|| "txn line".into(), a.line as u64, hw.x_line as u64);
        eq(
            &|| "txn writeback".into(),
            a.writeback as u64,
            hw.x_writeback as u64,
        );
        eq(
            &|| "txn source".into(),
            a.source.is_some() as u64,
            hw.x_source_v as u64,
        );
        if let Some(s) = a.source {
            eq(&|| "txn source tile".into(), s as u64, hw.x_source as u64);
        }
        eq(&|| "txn left".into(), a.left as u64, hw.x_left as u64);
        eq(
            &|| "txn age".into(),
            (now + 1 - a.granted_at).min(3),
            hw.x_age as u64,
        );
    }
}
