//! A waveform of a run (VCD, for GTKWave or Surfer), one timestep per cycle.
//!
//! Timestep `c` shows cycle `c`: the pc and instruction register it ran, the
//! registers as they were when it began (as a waveform of the RTL shows them),
//! and the strobes that fired in it. [`VcdWriter::finish`] adds one last step
//! with the state the run ended in. Per core (scope `coreN`): `pc`, `insn`,
//! `fetch`, `stall`, `T`, `N`, `dsp`, `rdepth`, `cur_block`, `cur_node`, the
//! current keys `bkey`/`nkey` (index) with `bkey_rw`/`nkey_rw`, `faults`, `leds`,
//! `wait` (a wait for the coherence unit) and `running`; at the top: `uart_tx`,
//! `uart_tx_data`, `uart_rx`, `uart_rx_data`.

use crate::core::Core;
use crate::step::{CycleKind, Step};
use crate::{Machine, Observer};
use std::io::{self, Write};
use vcd::{IdCode, TimescaleUnit, Value};

/// Registers sampled at a cycle boundary.
#[derive(Clone, Copy)]
struct Snap {
    t: u16,
    n: u16,
    dsp: u8,
    rdepth: u8,
    cur_b: u8,
    cur_n: u8,
    bkey: u16,
    bkey_rw: bool,
    nkey: u16,
    nkey_rw: bool,
    faults: u16,
    leds: u8,
    running: bool,
    pc: u16,
    insn: u16,
}

impl Snap {
    fn of(c: &Core) -> Snap {
        let b = c.block_reg(c.cur_block());
        let n = c.node_reg(c.cur_node());
        Snap {
            t: c.t(),
            n: c.n(),
            dsp: c.dsp(),
            rdepth: c.rdepth(),
            cur_b: c.cur_block() as u8,
            cur_n: c.cur_node() as u8,
            bkey: b.index,
            bkey_rw: b.writable,
            nkey: n.index,
            nkey_rw: n.writable,
            faults: c.faults(),
            leds: c.leds(),
            running: c.running(),
            pc: c.pc(),
            insn: c.insn(),
        }
    }
}

/// Signals of one core, in declaration order.
const CORE_SIGNALS: [(&str, u32); 18] = [
    ("pc", 13),
    ("insn", 16),
    ("fetch", 1),
    ("stall", 1),
    ("T", 16),
    ("N", 16),
    ("dsp", 4),
    ("rdepth", 5),
    ("cur_block", 3),
    ("cur_node", 2),
    ("bkey", 16),
    ("bkey_rw", 1),
    ("nkey", 16),
    ("nkey_rw", 1),
    ("faults", 16),
    ("leds", 5),
    ("wait", 1),
    ("running", 1),
];
const TOP_SIGNALS: [(&str, u32); 4] = [
    ("uart_tx", 1),
    ("uart_tx_data", 8),
    ("uart_rx", 1),
    ("uart_rx_data", 8),
];

pub struct VcdWriter<W: Write> {
    w: vcd::Writer<W>,
    /// (id, width, last value written) for every signal: the top's, then each core's.
    sig: Vec<(IdCode, u32, Option<u64>)>,
    prev: Vec<Snap>,
    next_time: u64,
    error: Option<io::Error>,
}

impl<W: Write> VcdWriter<W> {
    /// Writes the header for `m`'s cores and samples its current state.
    pub fn new(out: W, m: &Machine) -> io::Result<VcdWriter<W>> {
        let mut w = vcd::Writer::new(out);
        w.timescale(1, TimescaleUnit::NS)?;
        w.add_module("j1k")?;
        let mut sig = Vec::new();
        for (name, width) in TOP_SIGNALS {
            sig.push((w.add_wire(width, name)?, width, None));
        }
        for i in 0..m.cores() {
            w.add_module(&format!("core{i}"))?;
            for (name, width) in CORE_SIGNALS {
                sig.push((w.add_wire(width, name)?, width, None));
            }
            w.upscope()?;
        }
        w.upscope()?;
        w.enddefinitions()?;
        Ok(VcdWriter {
            w,
            sig,
            prev: (0..m.cores()).map(|i| Snap::of(m.core(i))).collect(),
            next_time: m.cycles(),
            error: None,
        })
    }

    fn set(&mut self, i: usize, v: u64) -> io::Result<()> {
        let (id, width, last) = &mut self.sig[i];
        if *last == Some(v) {
            return Ok(());
        }
        *last = Some(v);
        if *width == 1 {
            self.w.change_scalar(*id, v != 0)
        } else {
            let w = *width;
            self.w
                .change_vector(*id, (0..w).rev().map(|b| Value::from((v >> b) & 1 == 1)))
        }
    }

    fn core_values(&mut self, i: usize, s: &Snap, kind: CycleKind) -> io::Result<()> {
        let base = TOP_SIGNALS.len() + i * CORE_SIGNALS.len();
        let vals: [u64; 18] = [
            s.pc as u64,
            s.insn as u64,
            (kind == CycleKind::Fetch) as u64,
            (kind == CycleKind::Stall) as u64,
            s.t as u64,
            s.n as u64,
            s.dsp as u64,
            s.rdepth as u64,
            s.cur_b as u64,
            s.cur_n as u64,
            s.bkey as u64,
            s.bkey_rw as u64,
            s.nkey as u64,
            s.nkey_rw as u64,
            s.faults as u64,
            s.leds as u64,
            (kind == CycleKind::Wait) as u64,
            s.running as u64,
        ];
        for (k, v) in vals.into_iter().enumerate() {
            self.set(base + k, v)?;
        }
        Ok(())
    }

    fn cycle(&mut self, m: &Machine, step: &Step) -> io::Result<()> {
        self.w.timestamp(step.cycle)?;
        self.set(0, step.uart_tx.is_some() as u64)?;
        if let Some(b) = step.uart_tx {
            self.set(1, b as u64)?;
        }
        self.set(2, step.uart_rx.is_some() as u64)?;
        if let Some(b) = step.uart_rx {
            self.set(3, b as u64)?;
        }
        for (i, cs) in step.cores.iter().enumerate() {
            let mut s = self.prev[i];
            s.pc = cs.pc;
            s.insn = cs.insn;
            self.core_values(i, &s, cs.kind)?;
            self.prev[i] = Snap::of(m.core(i));
        }
        self.next_time = step.cycle + 1;
        Ok(())
    }

    /// Writes the final state as one more timestep and flushes; reports the
    /// first write error of the run, if any.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.w.timestamp(self.next_time)?;
        self.set(0, 0)?;
        self.set(2, 0)?;
        for i in 0..self.prev.len() {
            let s = self.prev[i];
            let kind = if s.pc & 0x1000 != 0 {
                CycleKind::Fetch
            } else {
                CycleKind::Execute
            };
            self.core_values(i, &s, kind)?;
        }
        self.w.flush()
    }

    /// The output (to flush or inspect it).
    pub fn writer(&mut self) -> &mut W {
        self.w.writer()
    }
}

impl<W: Write> Observer for VcdWriter<W> {
    fn after_cycle(&mut self, m: &Machine, step: &Step) {
        if self.error.is_none() {
            if let Err(e) = self.cycle(m, step) {
                self.error = Some(e);
            }
        }
    }
}
