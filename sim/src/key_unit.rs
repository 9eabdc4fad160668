//! The key unit of a core: 8 block and 4 node key registers, the two current
//! selectors and `faults`, and the execution of key instructions cycle by cycle
//! exactly as docs/isa.md §8.3 lays it out, so that the RTL can match it.
//!
//! Keys move only between these registers and node slots; nothing here turns
//! data into a key or a key into data (the only values pushed are rights,
//! comparison flags, allocation flags and `faults`).

use crate::core::{Core, KeyBusy};
use crate::cycle::{flag, Ctx};
use crate::mem::store::Key;
use crate::mem::unit::Need;
use crate::stack::Delta;
use crate::step::CoreStep;
use crate::step::CycleKind;
use j1k_isa::{
    decode, Insn, KeyInsn, KeyOp, BLOCK_REGS, NODE_REGS, RESERVED_KEY_CYCLES, ROOT_NODE,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyRegs {
    pub block: [Key; BLOCK_REGS],
    pub node: [Key; NODE_REGS],
    pub cur_b: u8,
    pub cur_n: u8,
    pub faults: u16,
    pub busy: Option<KeyBusy>,
}

impl Default for KeyRegs {
    /// The reset state: every register null except `n0`, a read-write key to
    /// the root node; `b0` and `n0` current.
    fn default() -> Self {
        let mut node = [Key::NULL; NODE_REGS];
        node[0] = Key::rw(ROOT_NODE);
        KeyRegs {
            block: [Key::NULL; BLOCK_REGS],
            node,
            cur_b: 0,
            cur_n: 0,
            faults: 0,
            busy: None,
        }
    }
}

impl Core {
    fn fault(&mut self, cs: &mut CoreStep) {
        self.keys.faults = self.keys.faults.wrapping_add(1);
        self.counts.faults += 1;
        cs.fault = true;
    }

    /// ( -- v ): d+1, T→N, T' = v.
    fn push_t(&mut self, v: u16) {
        self.ds.apply(true, Delta::Push, self.t);
        self.dsp = (self.dsp + 1) & 15;
        self.t = v;
    }

    /// ( x -- ): d−1, T' = N.
    fn pop_t(&mut self) {
        let n = self.ds.head();
        self.pop_replace(n);
    }

    /// ( x y -- v ): d−1, T' = v.
    fn pop_replace(&mut self, v: u16) {
        self.ds.apply(false, Delta::Pop, 0);
        self.dsp = (self.dsp + 15) & 15;
        self.t = v;
    }

    /// One cycle of key instruction `k`. Returns true in its last cycle (the pc
    /// then advances); otherwise the pc is held and the state is kept in `busy`.
    pub(crate) fn key_cycle(&mut self, k: KeyInsn, x: &mut Ctx, cs: &mut CoreStep) -> bool {
        let cfg = *x.mem.store.config();
        if self.keys.busy.is_none() {
            if let (Some(need), Some(coh)) = (self.need(k), x.mem.coh.as_mut()) {
                if !coh.ready(x.tile, need, x.now) {
                    cs.kind = CycleKind::Wait;
                    return false;
                }
            }
        }
        let mut b = self.keys.busy.unwrap_or(KeyBusy {
            insn: k,
            done: 0,
            total: 1,
            addr: 0,
            value: 0,
            key: Key::NULL,
        });
        let n = b.done + 1; // this cycle, 1-based
        cs.key = Some((k, n));
        if n == 1 {
            b.total = match k.op {
                Some(op) => op.cycles(&cfg, true),
                None => RESERVED_KEY_CYCLES,
            };
        }
        match k.op {
            // Reserved opcode: a fault in its execute cycle, nothing else.
            None => {
                if n == 2 {
                    self.fault(cs);
                }
            }
            // The read instructions read in their decode cycle (n = 1).
            Some(op) if op.reads_in_decode() => self.key_read(op, k, n, &mut b, x, cs),
            // Every other instruction: the decode cycle does nothing; `e` counts the
            // cycles from the execute cycle (1) on.
            Some(op) if n >= 2 => self.key_exec(op, k, n - 1, &mut b, x, cs),
            Some(_) => {}
        }
        if n >= b.total {
            self.keys.busy = None;
            if let Some(coh) = x.mem.coh.as_mut() {
                coh.release(x.tile);
            }
            self.counts.key_ops[k.opcode as usize & 31] += 1;
            true
        } else {
            b.done = n;
            self.keys.busy = Some(b);
            false
        }
    }

    /// The next instruction is a key instruction that needs nothing from the memory
    /// system (its cycles touch only this core): the multi-core run loop runs it in
    /// the core's own lane.
    pub(crate) fn next_key_is_local(&self) -> bool {
        self.pc & 0x1000 == 0 && matches!(decode(self.insn), Insn::Key(k) if self.need(k).is_none())
    }

    /// What key instruction `k` needs from the memory system before its decode
    /// cycle, with several cores (docs/architecture.md §2); `None`: nothing.
    fn need(&self, k: KeyInsn) -> Option<Need> {
        use KeyOp::*;
        let cb = self.keys.block[self.keys.cur_b as usize];
        let cn = self.keys.node[self.keys.cur_n as usize];
        match k.op? {
            Bfetch | Bcfetch if !cb.is_null() => Some(Need::Read(cb.index)),
            Bstore | Bcstore | Bxchg | Bxadd if cb.can_write() => Some(Need::Write(cb.index)),
            // bxchg and bxadd through a read-only key read the old value, then fault.
            Bxchg | Bxadd if !cb.is_null() => Some(Need::Read(cb.index)),
            NbLoad | NnLoad | NbLoadI | NnLoadI if !cn.is_null() => Some(Need::NodeLock),
            NbStore | NnStore | NbStoreI | NnStoreI if cn.can_write() => Some(Need::NodeLock),
            Balloc => Some(Need::Alloc),
            Nalloc => Some(Need::NodeLock),
            _ => None,
        }
    }

    /// What every cycle of `k` reads: the masks, the register numbers (modulo the
    /// build's register counts), the current keys, T and N.
    fn key_operands(&self, k: KeyInsn, x: &Ctx) -> Ops {
        let cfg = *x.mem.store.config();
        let cur_b = self.keys.cur_b as usize;
        let cur_n = self.keys.cur_n as usize;
        Ops {
            wmask: cfg.block_words as usize - 1,
            smask: cfg.node_slots as usize - 1,
            cur_b,
            cur_n,
            breg: k.breg() & (cfg.block_regs as usize - 1),
            nreg_imm: k.nreg_imm() & (cfg.node_regs as usize - 1),
            nreg: k.nreg as usize & (cfg.node_regs as usize - 1),
            cb: self.keys.block[cur_b],
            cn: self.keys.node[cur_n],
            t: self.t,
            nos: self.ds.head(),
        }
    }

    /// Cycle `n` of a read instruction: cycle 1 (the decode cycle) reads the store.
    fn key_read(
        &mut self,
        op: KeyOp,
        k: KeyInsn,
        n: u32,
        b: &mut KeyBusy,
        x: &mut Ctx,
        cs: &mut CoreStep,
    ) {
        let o = self.key_operands(k, x);
        use KeyOp::*;
        match op {
            Bfetch | Bcfetch => {
                if n == 1 {
                    let i = o.t as usize;
                    let w = if op == Bfetch {
                        i & o.wmask
                    } else {
                        (i >> 1) & o.wmask
                    };
                    let v = x.mem.read_word(x.tile, o.cb.index, w);
                    cs.block_read = Some((o.cb.index, w as u16, v));
                    self.counts.block_reads += 1;
                    b.value = match op {
                        Bfetch => v,
                        _ if i & 1 == 0 => v & 0xff,
                        _ => v >> 8,
                    };
                } else {
                    self.t = b.value;
                }
            }
            Bxchg | Bxadd => {
                // bxchg writes, T := old and pops in cycle 2. bxadd changes nothing the
                // program sees in cycle 2 (the hardware latches the sum: its adder is not
                // between the store's read and write) and writes the sum, T := old and
                // pops in cycle 3 (T, the index, addresses the write as it did the read).
                if n == 1 {
                    b.addr = o.t as usize & o.wmask;
                    b.value = x.mem.read_word(x.tile, o.cb.index, b.addr);
                    cs.block_read = Some((o.cb.index, b.addr as u16, b.value));
                    self.counts.block_reads += 1;
                } else if op == Bxchg {
                    let old = b.value;
                    self.block_write(o.cb, b.addr, o.nos, x, cs);
                    self.pop_replace(old);
                } else if n == 3 {
                    let old = b.value;
                    self.block_write(o.cb, b.addr, old.wrapping_add(o.nos), x, cs);
                    self.pop_replace(old);
                }
            }
            NbLoad | NbLoadI | NnLoad | NnLoadI => {
                let indirect = matches!(op, NbLoadI | NnLoadI);
                if n == 1 {
                    let slot = if indirect {
                        o.t as usize
                    } else {
                        k.imm as usize
                    } & o.smask;
                    let key = if matches!(op, NbLoad | NbLoadI) {
                        x.mem.store.read_block_slot(o.cn.index, slot)
                    } else {
                        x.mem.store.read_node_slot(o.cn.index, slot)
                    };
                    b.key = key.weakened_unless(o.cn.writable);
                } else {
                    if matches!(op, NbLoad | NbLoadI) {
                        self.keys.block[o.cur_b] = b.key;
                    } else {
                        self.keys.node[o.nreg] = b.key;
                    }
                    if indirect {
                        self.pop_t();
                    }
                }
            }
            _ => unreachable!("{op:?} does not read in its decode cycle"),
        }
    }

    /// Word `w` of the block `cb` designates := `v`, or a fault through a null or
    /// read-only key.
    fn block_write(&mut self, cb: Key, w: usize, v: u16, x: &mut Ctx, cs: &mut CoreStep) {
        if cb.can_write() {
            x.mem.write_word(x.tile, cb.index, w, v);
            self.counts.block_writes += 1;
            cs.block_write = Some((cb.index, w as u16, v));
        } else {
            self.fault(cs);
        }
    }

    /// Cycle `e` (1 = the execute cycle, the instruction's second) of an
    /// instruction that does not read in its decode cycle.
    fn key_exec(
        &mut self,
        op: KeyOp,
        k: KeyInsn,
        e: u32,
        b: &mut KeyBusy,
        x: &mut Ctx,
        cs: &mut CoreStep,
    ) {
        let o = self.key_operands(k, x);
        let (cur_b, cur_n, cb, cn) = (o.cur_b, o.cur_n, o.cb, o.cn);
        use KeyOp::*;
        match op {
            Bsel => self.keys.cur_b = o.breg as u8,
            Nsel => self.keys.cur_n = o.nreg_imm as u8,
            Bcopy => self.keys.block[cur_b] = self.keys.block[o.breg],
            Ncopy => self.keys.node[cur_n] = self.keys.node[o.nreg_imm],
            Bkeyeq => self.push_t(flag(self.keys.block[o.breg].index == cb.index)),
            Nkeyeq => self.push_t(flag(self.keys.node[o.nreg_imm].index == cn.index)),
            Bweaken => self.keys.block[cur_b].writable = false,
            Nweaken => self.keys.node[cur_n].writable = false,
            Bquery => self.push_t(cb.rights()),
            Nquery => self.push_t(cn.rights()),
            Faults => self.push_t(self.keys.faults),
            Bstore | Bcstore => {
                // The execute cycle writes the value (N) at the index (T) and pops; the
                // next pops the value.
                if e == 1 {
                    let i = o.t as usize;
                    let (w, v) = if op == Bstore {
                        (i & o.wmask, o.nos)
                    } else {
                        let w = (i >> 1) & o.wmask;
                        // (the hardware writes one byte lane; the model merges, and reads
                        // only through a key that may write: only then is the line held)
                        let old = if cb.can_write() {
                            x.mem.read_word(x.tile, cb.index, w)
                        } else {
                            0
                        };
                        let v = if i & 1 == 0 {
                            (old & 0xff00) | (o.nos & 0xff)
                        } else {
                            (old & 0x00ff) | (o.nos & 0xff) << 8
                        };
                        (w, v)
                    };
                    self.block_write(cb, w, v, x, cs);
                }
                self.pop_t();
            }
            NbStore | NbStoreI | NnStore | NnStoreI => {
                let indirect = matches!(op, NbStoreI | NnStoreI);
                let slot = if indirect {
                    o.t as usize
                } else {
                    k.imm as usize
                } & o.smask;
                if !cn.can_write() {
                    self.fault(cs);
                } else {
                    // (which slot: 1 the block-key slot, 2 the node-key slot, as CoreStep)
                    let (which, key) = if matches!(op, NbStore | NbStoreI) {
                        x.mem.store.write_block_slot(cn.index, slot, cb);
                        (1, cb)
                    } else {
                        let key = self.keys.node[o.nreg];
                        x.mem.store.write_node_slot(cn.index, slot, key);
                        (2, key)
                    };
                    self.counts.slot_writes += 1;
                    cs.slot_write = Some((cn.index, slot as u16, which, key));
                }
                if indirect {
                    self.pop_t();
                }
            }
            Balloc | Nalloc => {
                let blk = op == Balloc;
                if e == 1 {
                    let got = match x.mem.coh.as_mut() {
                        // With several cores the unit allocated before the decode cycle.
                        Some(coh) if blk => coh.tiles[x.tile].alloc.take().flatten(),
                        _ if blk => x.mem.store.take_block(),
                        _ => x.mem.store.take_node(),
                    };
                    // The register changes now (the new key, or null when full); the
                    // program sees it only after the zeroing, as the pc is held.
                    match got {
                        Some(i) => {
                            b.value = i;
                            if blk {
                                self.keys.block[cur_b] = Key::rw(i);
                            } else {
                                self.keys.node[cur_n] = Key::rw(i);
                            }
                        }
                        None => {
                            b.total = op.cycles(x.mem.store.config(), false);
                            if blk {
                                self.keys.block[cur_b] = Key::NULL;
                            } else {
                                self.keys.node[cur_n] = Key::NULL;
                            }
                            self.push_t(0);
                        }
                    }
                } else {
                    // Cycle e zeroes word (slot pair) e-2; the last one pushes the flag.
                    let i = (e - 2) as usize;
                    if blk {
                        x.mem.write_word(x.tile, b.value, i, 0);
                    } else {
                        x.mem.store.write_block_slot(b.value, i, Key::NULL);
                        x.mem.store.write_node_slot(b.value, i, Key::NULL);
                        cs.slot_write = Some((b.value, i as u16, 3, Key::NULL));
                    }
                    if e + 1 == b.total {
                        self.push_t(flag(true));
                    }
                }
            }
            _ => unreachable!("{op:?} reads in its decode cycle"),
        }
    }
}

/// See [`Core::key_operands`].
struct Ops {
    wmask: usize,
    smask: usize,
    cur_b: usize,
    cur_n: usize,
    breg: usize,
    nreg_imm: usize,
    nreg: usize,
    cb: Key,
    cn: Key,
    t: u16,
    nos: u16,
}
