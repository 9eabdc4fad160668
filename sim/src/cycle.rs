//! One clock cycle of a core, every case: the J1a's `j1.v` and the io top,
//! plus the key unit. The fast path (`fast.rs`) does the common cases of the
//! same thing; the reference-model tests hold both to the Verilog.

use crate::core::Core;
use crate::mem::Memory;
use crate::stack::Delta;
use crate::stats::Counters;
use crate::step::{CoreStep, CycleKind};
use crate::uart::{RxPort, TxPort, Uart};
use j1k_isa::{decode, AluOp, Func, Insn};

/// What a core's cycle can reach outside itself.
pub(crate) struct Ctx<'a, 'u> {
    pub mem: &'a mut Memory,
    /// This core's tile number (its id).
    pub tile: usize,
    /// The core-control ports exist (several cores): bit k of `running` is core k
    /// running at the start of the cycle; `cores` is N.
    pub control: Option<(u16, u16)>,
    /// Start and stop writes made in this cycle: (target, what).
    pub ctl: &'a mut Vec<(usize, Ctl)>,
    /// What `$0800` reads: the word at core 0's remote pointer if its target core can be
    /// read (docs/architecture.md §6); else, and on every other core, 0.
    pub remote_word: u16,
    /// Remote RAM writes made in this cycle (by core 0): (target core, word address, value).
    pub remote_writes: &'a mut Vec<(usize, u16, u16)>,
    pub counters: &'a mut Counters,
    pub rx: &'a mut RxPort,
    pub tx: &'a mut TxPort,
    /// This cycle's number since reset (for the transmitter's busy time).
    pub now: u64,
    /// UART 0: only core 0 has it.
    pub uart: Option<&'a mut (dyn Uart + 'u)>,
    pub uart_tx: &'a mut Option<u8>,
    pub uart_rx: &'a mut Option<u8>,
}

/// A core-control write (docs/architecture.md §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ctl {
    /// Start at this word address.
    Start(u16),
    Stop,
}

/// The remote pointer's next word (the core field kept, the address wrapping in 12 bits).
fn step_remote(r: u16) -> u16 {
    (r & 0xe000) | (r.wrapping_add(1) & 0x0fff)
}

/// A J1a flag: all ones or zero.
#[inline]
pub(crate) fn flag(b: bool) -> u16 {
    if b {
        0xffff
    } else {
        0
    }
}

impl Core {
    /// The io read bus as addressed by `io_addr_` (docs/isa.md §5). Reading the
    /// UART's data or status counts as observing RX.
    fn io_din(&self, x: &mut Ctx) -> u16 {
        let a = self.io.addr;
        let mut v = 0;
        if let Some(u) = x.uart.as_deref_mut() {
            if a & 0x3000 != 0 {
                x.rx.look(u, x.now);
            }
            if a & 0x1000 != 0 {
                v |= x.rx.data as u16;
            }
            if a & 0x2000 != 0 {
                v |= x.tx.ready(x.now) as u16 | (x.rx.pending as u16) << 1;
            }
        }
        if a & 0x4000 != 0 {
            v |= self.id;
        }
        if let Some((running, cores)) = x.control {
            if a & 0x0100 != 0 {
                v |= running;
            }
            if a & 0x0200 != 0 {
                v |= cores;
            }
            if a & 0x0800 != 0 && self.id == 0 {
                v |= x.remote_word;
            }
        }
        v
    }

    /// Executes one clock cycle and records it in `cs`.
    pub(crate) fn cycle(&mut self, x: &mut Ctx, cs: &mut CoreStep) {
        let pc = self.pc;
        let insn = self.insn;
        let reboot = self.reboot;
        let st0 = self.t;
        let st1 = self.ds.head();
        let rst0 = self.rs.head();
        let pc1 = (pc + 1) & 0x1fff;
        *cs = CoreStep {
            pc,
            insn,
            kind: CycleKind::Execute,
            ..CoreStep::default()
        };
        let (mut io_rd, mut io_wr, mut mem_wr) = (false, false, false);
        let pc_n;

        if pc & 0x1000 != 0 {
            // The fetch path: the word is a literal, with an implicit return.
            cs.kind = CycleKind::Fetch;
            self.t = insn;
            self.ds.apply(true, Delta::Push, st0);
            self.dsp = (self.dsp + 1) & 15;
            self.rs.apply(false, Delta::Pop, 0);
            self.rdepth = self.rdepth.wrapping_add(Delta::Pop.motion()) & 31;
            // (reboot with pc bit 12 set cannot happen: reset clears the pc.)
            pc_n = if reboot { pc1 } else { (rst0 >> 1) & 0x1fff };
        } else {
            match decode(insn) {
                Insn::Lit(v) => {
                    self.t = v;
                    self.ds.apply(true, Delta::Push, st0);
                    self.dsp = (self.dsp + 1) & 15;
                    pc_n = pc1;
                }
                Insn::Jump(a) => {
                    cs.halt = a == pc && !reboot;
                    pc_n = a;
                }
                Insn::CondJump(a) => {
                    self.t = st1;
                    self.ds.apply(false, Delta::Pop, 0);
                    self.dsp = (self.dsp + 15) & 15;
                    pc_n = if st0 == 0 { a } else { pc1 };
                }
                Insn::Call(a) => {
                    self.rs.apply(true, Delta::Push, pc1 << 1);
                    self.rdepth = (self.rdepth + 1) & 31;
                    pc_n = a;
                }
                Insn::Alu(a) => {
                    let tn = match a.op {
                        AluOp::T => st0,
                        AluOp::N => st1,
                        AluOp::TplusN => st0.wrapping_add(st1),
                        AluOp::TandN => st0 & st1,
                        AluOp::TorN => st0 | st1,
                        AluOp::TxorN => st0 ^ st1,
                        AluOp::NotT => !st0,
                        AluOp::NeqT => flag(st1 == st0),
                        AluOp::NltT => flag((st1 as i16) < (st0 as i16)),
                        AluOp::Tsra => ((st0 as i16) >> 1) as u16,
                        AluOp::Tshl => st0 << 1,
                        AluOp::R => rst0,
                        AluOp::NminusT => st1.wrapping_sub(st0),
                        AluOp::Io => {
                            let v = self.io_din(x);
                            cs.io_read = Some(v);
                            v
                        }
                        AluOp::Depth => self.dsp as u16,
                        AluOp::NultT => flag(st1 < st0),
                    };
                    let dd = Delta::from_alu(a.ddelta);
                    let rd = Delta::from_alu(a.rdelta);
                    self.ds.apply(a.func == Func::TtoN, dd, st0);
                    self.dsp = self.dsp.wrapping_add(dd.pointer_add()) & 15;
                    self.rs.apply(a.func == Func::TtoR, rd, st0);
                    self.rdepth = self.rdepth.wrapping_add(rd.motion()) & 31;
                    self.t = tn;
                    mem_wr = a.func == Func::Store;
                    io_wr = a.func == Func::IoWrite;
                    io_rd = a.func == Func::IoRead;
                    pc_n = if a.ret { (rst0 >> 1) & 0x1fff } else { pc1 };
                }
                Insn::Key(k) => {
                    if reboot {
                        pc_n = pc1; // replaced by 0 below; the key unit is not started
                    } else if self.key_cycle(k, x, cs) {
                        pc_n = pc1;
                    } else {
                        if cs.kind != CycleKind::Wait {
                            cs.kind = CycleKind::Stall;
                        }
                        pc_n = pc;
                    }
                }
            }
        }
        let pc_n = if reboot && pc & 0x1000 == 0 { 0 } else { pc_n };
        if reboot {
            cs.kind = CycleKind::Reboot;
            (io_rd, io_wr, mem_wr) = (false, false, false);
        }

        // The io top acts on the strobes registered at the previous edge.
        let unlocked = self.io.unlocked;
        if self.io.wr {
            cs.io_write = Some((self.io.addr, self.io.dout));
            if self.io.addr & 0x1000 != 0 {
                if let Some(u) = x.uart.as_deref_mut() {
                    let b = self.io.dout as u8;
                    if x.tx.send(x.now) {
                        u.tx_at(b, x.now);
                        *x.uart_tx = Some(b);
                        x.counters.uart_tx += 1;
                    }
                }
            }
            if self.io.addr & 0x0004 != 0 {
                self.io.leds = (self.io.dout & 31) as u8;
            }
            if x.control.is_some() {
                let target = (self.io.dout >> 13) as usize;
                if self.io.addr & 0x0100 != 0 {
                    x.ctl
                        .push((target, Ctl::Start((self.io.dout >> 1) & 0xfff)));
                }
                if self.io.addr & 0x0200 != 0 {
                    x.ctl.push((target, Ctl::Stop));
                }
                // The remote pointer is core 0's only: other cores' writes are dropped.
                if self.io.addr & 0x0400 != 0 && self.id == 0 {
                    self.io.remote = self.io.dout;
                }
                if self.io.addr & 0x0800 != 0 && self.id == 0 {
                    let r = self.io.remote;
                    x.remote_writes
                        .push(((r >> 13) as usize, r & 0xfff, self.io.dout));
                    self.io.remote = step_remote(r);
                }
            }
        }
        if self.io.rd && self.io.addr & 0x0800 != 0 && x.control.is_some() && self.id == 0 {
            // The read strobe moves the remote pointer on, after this cycle's read.
            self.io.remote = step_remote(self.io.remote);
        }
        if self.io.rd && self.io.addr & 0x1000 != 0 {
            if let Some(u) = x.uart.as_deref_mut() {
                x.rx.look(u, x.now);
                if x.rx.pending {
                    x.rx.pending = false;
                    *x.uart_rx = Some(x.rx.data);
                    x.counters.uart_rx += 1;
                }
            }
        }

        // The edge.
        self.io.unlocked |= self.io.wr;
        self.io.rd = io_rd;
        self.io.wr = io_wr;
        self.io.dout = st1;
        if io_rd || io_wr {
            self.io.addr = st0;
        }
        // Read-old-data on a same-edge write. A key instruction is fetched once: while it
        // holds the pc the code RAM's read is disabled, so a store into its word on the
        // edge that fetched it does not change it (docs/isa.md §6).
        let next = if matches!(cs.kind, CycleKind::Stall | CycleKind::Wait) {
            insn
        } else {
            self.ram[(pc_n & 0xfff) as usize]
        };
        if mem_wr {
            let a = (st0 >> 1) & 0xfff;
            if unlocked {
                self.write_ram(a as usize, st1);
                cs.ram_write = Some((a, st1));
                self.counts.ram_writes += 1;
            } else {
                cs.ram_write_dropped = Some((a, st1));
                self.counts.ram_writes_dropped += 1;
            }
        }
        self.insn = next;
        self.pc = pc_n;
        self.reboot = false;
        self.halted = cs.halt;
        self.counts.count(cs.kind);
    }
}
