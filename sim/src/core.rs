//! One j1k core's state: the J1a registers and stacks, its RAM, the io
//! registers of its top, and its key registers. The per-cycle behaviour is in
//! `cycle.rs` (every case) and `fast.rs` (the common cases, fast).

use crate::decoded::{self, Dec};
use crate::key_unit::KeyRegs;
use crate::mem::store::Key;
use crate::stack::Stack;
use crate::step::CycleKind;
use j1k_isa::{KeyInsn, DSTACK_DEPTH, RAM_WORDS, RSTACK_DEPTH};

/// The io registers of the top (docs/isa.md §5): the J1a's strobes and address,
/// registered one cycle, the write gate, and the LEDs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct IoRegs {
    /// `io_rd_`
    pub rd: bool,
    /// `io_wr_`
    pub wr: bool,
    /// `dout_`: N of the previous cycle. Only meaningful when `wr` is set: the
    /// fast path does not keep it up to date in other cycles.
    pub dout: u16,
    /// `io_addr_`
    pub addr: u16,
    /// The RAM write gate.
    pub unlocked: bool,
    /// LED port (5 bits).
    pub leds: u8,
    /// The remote RAM pointer (core in bits 15:13, word address in 11:0): core 0's, with
    /// several cores (on the other cores it stays 0).
    pub remote: u16,
}

/// A multi-cycle key instruction in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyBusy {
    pub insn: KeyInsn,
    /// Cycles of it completed so far (at least 1).
    pub done: u32,
    /// Cycles it takes in all.
    pub total: u32,
    /// Values latched in earlier cycles: a store address, a value read, an allocated index.
    pub(crate) addr: usize,
    pub(crate) value: u16,
    pub(crate) key: Key,
}

/// Per-core counts (the machine's [`crate::Stats`] has the sums).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CoreCounts {
    pub instructions: u64,
    pub fetch_cycles: u64,
    pub stall_cycles: u64,
    pub wait_cycles: u64,
    pub idle_cycles: u64,
    pub ram_writes: u64,
    pub ram_writes_dropped: u64,
    /// Key instructions retired, by opcode.
    pub key_ops: [u64; 32],
    pub faults: u64,
    pub block_reads: u64,
    pub block_writes: u64,
    pub slot_writes: u64,
}

impl CoreCounts {
    #[inline]
    pub fn count(&mut self, k: CycleKind) {
        match k {
            CycleKind::Execute => self.instructions += 1,
            CycleKind::Fetch => self.fetch_cycles += 1,
            CycleKind::Stall => self.stall_cycles += 1,
            CycleKind::Wait => self.wait_cycles += 1,
            CycleKind::Idle => self.idle_cycles += 1,
            CycleKind::Reboot => {}
        }
    }
}

/// A core's registers and counts without its RAM: what the multi-core run loop keeps to
/// take a core back to an earlier cycle (with an undo log of its RAM writes).
#[derive(Clone)]
pub(crate) struct Saved {
    pc: u16,
    t: u16,
    dsp: u8,
    rdepth: u8,
    insn: u16,
    reboot: bool,
    ds: Stack<DSTACK_DEPTH>,
    rs: Stack<RSTACK_DEPTH>,
    io: IoRegs,
    keys: KeyRegs,
    halted: bool,
    running: bool,
    counts: CoreCounts,
}

/// One core. Read it through [`crate::Machine::core`].
#[derive(Clone)]
pub struct Core {
    pub(crate) id: u16,
    pub(crate) pc: u16,
    pub(crate) t: u16,
    pub(crate) dsp: u8,
    /// Model-only return depth (5 bits).
    pub(crate) rdepth: u8,
    pub(crate) insn: u16,
    pub(crate) reboot: bool,
    pub(crate) ds: Stack<DSTACK_DEPTH>,
    pub(crate) rs: Stack<RSTACK_DEPTH>,
    /// All 4096 addresses: a RAM of S < 4096 words keeps each word at its 4096/S aliases
    /// (a, a + S, ...), so that fetch and store index it as the J1a does.
    pub(crate) ram: Box<[u16; RAM_WORDS]>,
    pub(crate) code: Box<[Dec; 8192]>,
    /// Words of RAM, S (a power of two).
    pub(crate) ram_words: usize,
    pub(crate) io: IoRegs,
    pub(crate) keys: KeyRegs,
    pub(crate) halted: bool,
    /// Running (after reset only core 0 runs; docs/architecture.md §6).
    pub(crate) running: bool,
    pub(crate) counts: CoreCounts,
}

impl Core {
    pub(crate) fn new(id: u16, ram_words: usize) -> Core {
        let ram = Box::new([0u16; RAM_WORDS]);
        let code = decoded::build(&ram);
        let mut c = Core {
            id,
            pc: 0,
            t: 0,
            dsp: 0,
            rdepth: 0,
            insn: 0,
            reboot: true,
            ds: Stack::default(),
            rs: Stack::default(),
            ram,
            code,
            ram_words,
            io: IoRegs::default(),
            keys: KeyRegs::default(),
            halted: false,
            running: id == 0,
            counts: CoreCounts::default(),
        };
        c.reset();
        c
    }

    /// Reset: registers, stacks (all entries 0), io registers and key registers; RAM is kept.
    pub(crate) fn reset(&mut self) {
        self.clear_registers();
        self.pc = 0;
        self.insn = 0;
        self.reboot = true;
        self.ds = Stack::default();
        self.rs = Stack::default();
        self.io = IoRegs::default();
        self.running = self.id == 0;
        self.counts = CoreCounts::default();
    }

    /// What both a reset and a start clear: T, the depths, the key registers, the halt.
    fn clear_registers(&mut self) {
        self.t = 0;
        self.dsp = 0;
        self.rdepth = 0;
        self.keys = KeyRegs::default();
        self.halted = false;
    }

    /// Another core (or this one) starts this core at word `a` (docs/architecture.md §6):
    /// registers as at reset but the stacks' contents, the RAM write gate open.
    pub(crate) fn start(&mut self, a: u16) {
        self.clear_registers();
        self.io = IoRegs {
            unlocked: true,
            leds: self.io.leds,
            ..IoRegs::default()
        };
        self.reboot = false;
        self.pc = a & 0xfff;
        self.insn = self.ram[self.pc as usize];
        self.running = true;
    }

    /// `words` from word 0, the rest zero (at most S words).
    pub(crate) fn load(&mut self, words: &[u16]) {
        let s = self.ram_words;
        self.ram.fill(0);
        self.ram[..words.len()].copy_from_slice(words);
        for a in (s..RAM_WORDS).step_by(s) {
            self.ram.copy_within(..s, a);
        }
        self.code = decoded::build(&self.ram);
    }

    pub(crate) fn save(&self) -> Saved {
        Saved {
            pc: self.pc,
            t: self.t,
            dsp: self.dsp,
            rdepth: self.rdepth,
            insn: self.insn,
            reboot: self.reboot,
            ds: self.ds.clone(),
            rs: self.rs.clone(),
            io: self.io.clone(),
            keys: self.keys.clone(),
            halted: self.halted,
            running: self.running,
            counts: self.counts,
        }
    }

    /// Back to `s`, undoing the RAM writes logged since (newest first).
    pub(crate) fn restore(&mut self, s: &Saved, undo: &[(u16, u16)]) {
        for &(a, v) in undo.iter().rev() {
            self.write_ram(a as usize, v);
        }
        self.pc = s.pc;
        self.t = s.t;
        self.dsp = s.dsp;
        self.rdepth = s.rdepth;
        self.insn = s.insn;
        self.reboot = s.reboot;
        self.ds = s.ds.clone();
        self.rs = s.rs.clone();
        self.io = s.io.clone();
        self.keys = s.keys.clone();
        self.halted = s.halted;
        self.running = s.running;
        self.counts = s.counts;
    }

    /// Writes RAM word `a` (< 4096; every alias of it) and keeps the decoded copy in step.
    #[inline]
    pub(crate) fn write_ram(&mut self, a: usize, v: u16) {
        write_aliases(&mut self.ram, &mut self.code, self.ram_words, a, v);
    }

    /// The decoded form of the instruction register as this cycle will use it.
    pub(crate) fn current_dec(&self) -> Dec {
        if self.pc & 0x1000 != 0 {
            Dec::fetch(self.insn)
        } else {
            Dec::word(self.insn)
        }
    }

    // ---- the read-only view ----

    /// Core number (what io port `$4000` reads).
    pub fn id(&self) -> usize {
        self.id as usize
    }
    /// Program counter (13 bits; bit 12 is the fetch flag).
    pub fn pc(&self) -> u16 {
        self.pc
    }
    /// The instruction register: the word executed in the next cycle.
    pub fn insn(&self) -> u16 {
        self.insn
    }
    /// True until the reboot cycle has run.
    pub fn rebooting(&self) -> bool {
        self.reboot
    }
    /// T, the top of the data stack.
    pub fn t(&self) -> u16 {
        self.t
    }
    /// N, the data stack's head register.
    pub fn n(&self) -> u16 {
        self.ds.head()
    }
    /// R, the return stack's head register.
    pub fn r(&self) -> u16 {
        self.rs.head()
    }
    /// The J1a's 4-bit data-stack pointer (what `depth` reads).
    pub fn dsp(&self) -> u8 {
        self.dsp
    }
    /// Return-stack depth: a counter that exists only in the model (the J1a has
    /// no return-stack pointer). It follows the stack's motion — +1 on a push,
    /// −1 on a pop, unchanged on delta `10` — and wraps modulo 32.
    pub fn rdepth(&self) -> u8 {
        self.rdepth
    }
    /// The data stack below T: N first, then the 15 tail entries, shallowest first.
    pub fn dstack(&self) -> Vec<u16> {
        self.ds.entries()
    }
    /// The return stack: R first, then the 17 tail entries, shallowest first.
    pub fn rstack(&self) -> Vec<u16> {
        self.rs.entries()
    }
    /// The core's RAM (4096 words on core 0, [`Config::worker_ram`](crate::Config) on the others).
    pub fn ram(&self) -> &[u16] {
        &self.ram[..self.ram_words]
    }
    /// Words of RAM.
    pub fn ram_words(&self) -> usize {
        self.ram_words
    }
    /// The LED port (low 5 bits of the last write to `$0004`).
    pub fn leds(&self) -> u8 {
        self.io.leds
    }
    /// The registered io address (`io_addr_`).
    pub fn io_addr(&self) -> u16 {
        self.io.addr
    }
    /// The registered io strobes (`io_rd_`, `io_wr_`): acting in the next cycle.
    pub fn io_strobes(&self) -> (bool, bool) {
        (self.io.rd, self.io.wr)
    }
    /// The RAM write gate is open.
    pub fn unlocked(&self) -> bool {
        self.io.unlocked
    }
    /// Refused key writes so far (16 bits, wraps), as `faults` reads it.
    pub fn faults(&self) -> u16 {
        self.keys.faults
    }
    /// The current block register's number (0..8).
    pub fn cur_block(&self) -> usize {
        self.keys.cur_b as usize
    }
    /// The current node register's number (0..4).
    pub fn cur_node(&self) -> usize {
        self.keys.cur_n as usize
    }
    /// Block register `i` (0..8).
    pub fn block_reg(&self, i: usize) -> Key {
        self.keys.block[i]
    }
    /// Node register `i` (0..4).
    pub fn node_reg(&self, i: usize) -> Key {
        self.keys.node[i]
    }
    /// The multi-cycle key instruction in progress, if any.
    pub fn busy(&self) -> Option<KeyBusy> {
        self.keys.busy
    }
    /// The pc is being held by a multi-cycle key instruction.
    pub fn stalled(&self) -> bool {
        self.keys.busy.is_some()
    }
    /// The last cycle executed a jump to its own address.
    pub fn halted(&self) -> bool {
        self.halted
    }
    /// The core runs (it is not stopped).
    pub fn running(&self) -> bool {
        self.running
    }
}

/// Word `a` of a RAM of `s` words (a power of two) is `v`: every address equal to `a` in
/// its low log2 `s` bits, in the RAM and in the decoded copy.
#[inline]
pub(crate) fn write_aliases(
    ram: &mut [u16; RAM_WORDS],
    code: &mut [Dec; 8192],
    s: usize,
    a: usize,
    v: u16,
) {
    let (w, f) = (Dec::word(v), Dec::fetch(v));
    if s == RAM_WORDS {
        // the common case, without the loop (the fast path's stores run through here)
        ram[a] = v;
        code[a] = w;
        code[a | 0x1000] = f;
        return;
    }
    let mut b = a & (s - 1);
    while b < RAM_WORDS {
        ram[b] = v;
        code[b] = w;
        code[b | 0x1000] = f;
        b += s;
    }
}
