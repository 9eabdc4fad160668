//! The key unit of a core: 8 block and 4 node key registers, the two current
//! selectors and `faults`, and the execution of key instructions cycle by cycle
//! exactly as docs/isa.md §8.3 lays it out, so that the RTL can match it.
//!
//! Keys move only between these registers and node slots; nothing here turns
//! data into a key or a key into data (the only values pushed are rights,
//! comparison flags, allocation flags and `faults`).

use crate::core::{Core, KeyBusy};
use crate::cycle::{flag, Ctx};
use crate::stack::Delta;
use crate::step::CoreStep;
use crate::store::Key;
use j1k_isa::{KeyInsn, KeyOp, BLOCK_REGS, NODE_REGS, ROOT_NODE};

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
    fn fault(&mut self, x: &mut Ctx, cs: &mut CoreStep) {
        self.keys.faults = self.keys.faults.wrapping_add(1);
        x.counters.faults += 1;
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
        let cfg = *x.store.config();
        let wmask = cfg.block_words as usize - 1;
        let smask = cfg.node_slots as usize - 1;
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
        let cur_b = self.keys.cur_b as usize;
        let cur_n = self.keys.cur_n as usize;
        // Register numbers are taken modulo the build's register counts.
        let breg = k.breg() & (cfg.block_regs as usize - 1);
        let nreg_imm = k.nreg_imm() & (cfg.node_regs as usize - 1);
        let nreg = k.nreg as usize & (cfg.node_regs as usize - 1);
        let cb = self.keys.block[cur_b];
        let cn = self.keys.node[cur_n];
        let (t, nos) = (self.t, self.ds.head());

        let Some(op) = k.op else {
            // Reserved opcode: one cycle, a fault, nothing else.
            self.fault(x, cs);
            x.counters.key_ops[k.opcode as usize & 31] += 1;
            return true;
        };
        if n == 1 {
            b.total = op.cycles(&cfg, true);
        }
        use KeyOp::*;
        match op {
            Bsel => self.keys.cur_b = breg as u8,
            Nsel => self.keys.cur_n = nreg_imm as u8,
            Bcopy => self.keys.block[cur_b] = self.keys.block[breg],
            Ncopy => self.keys.node[cur_n] = self.keys.node[nreg_imm],
            Bkeyeq => self.push_t(flag(self.keys.block[breg].index == cb.index)),
            Nkeyeq => self.push_t(flag(self.keys.node[nreg_imm].index == cn.index)),
            Bweaken => self.keys.block[cur_b].writable = false,
            Nweaken => self.keys.node[cur_n].writable = false,
            Bquery => self.push_t(cb.rights()),
            Nquery => self.push_t(cn.rights()),
            Faults => self.push_t(self.keys.faults),
            Bfetch | Bcfetch => {
                if n == 1 {
                    let i = t as usize;
                    let w = if op == Bfetch {
                        i & wmask
                    } else {
                        (i >> 1) & wmask
                    };
                    let v = x.store.read_word(cb.index, w);
                    x.counters.block_reads += 1;
                    b.value = match op {
                        Bfetch => v,
                        _ if i & 1 == 0 => v & 0xff,
                        _ => v >> 8,
                    };
                } else {
                    self.t = b.value;
                }
            }
            Bstore | Bcstore => {
                // Cycle 1 pops the index; cycle 2 writes the value (T now) and pops it.
                if n == 1 {
                    b.addr = t as usize;
                } else if cb.can_write() {
                    let i = b.addr;
                    let (w, v) = if op == Bstore {
                        (i & wmask, t)
                    } else {
                        let w = (i >> 1) & wmask;
                        let old = x.store.read_word(cb.index, w);
                        let v = if i & 1 == 0 {
                            (old & 0xff00) | (t & 0xff)
                        } else {
                            (old & 0x00ff) | (t & 0xff) << 8
                        };
                        (w, v)
                    };
                    x.store.write_word(cb.index, w, v);
                    x.counters.block_writes += 1;
                    cs.block_write = Some((cb.index, w as u16, v));
                } else {
                    self.fault(x, cs);
                }
                self.pop_t();
            }
            Bxchg | Bxadd => {
                if n == 1 {
                    b.addr = t as usize & wmask;
                    b.value = x.store.read_word(cb.index, b.addr);
                    x.counters.block_reads += 1;
                } else {
                    let old = b.value;
                    let v = if op == Bxchg {
                        nos
                    } else {
                        old.wrapping_add(nos)
                    };
                    if cb.can_write() {
                        x.store.write_word(cb.index, b.addr, v);
                        x.counters.block_writes += 1;
                        cs.block_write = Some((cb.index, b.addr as u16, v));
                    } else {
                        self.fault(x, cs);
                    }
                    self.pop_replace(old);
                }
            }
            NbLoad | NbLoadI | NnLoad | NnLoadI => {
                let indirect = matches!(op, NbLoadI | NnLoadI);
                if n == 1 {
                    let slot = if indirect { t as usize } else { k.imm as usize } & smask;
                    let key = if matches!(op, NbLoad | NbLoadI) {
                        x.store.read_block_slot(cn.index, slot)
                    } else {
                        x.store.read_node_slot(cn.index, slot)
                    };
                    b.key = key.weakened_unless(cn.writable);
                } else {
                    if matches!(op, NbLoad | NbLoadI) {
                        self.keys.block[cur_b] = b.key;
                    } else {
                        self.keys.node[nreg] = b.key;
                    }
                    if indirect {
                        self.pop_t();
                    }
                }
            }
            NbStore | NbStoreI | NnStore | NnStoreI => {
                let indirect = matches!(op, NbStoreI | NnStoreI);
                let slot = if indirect { t as usize } else { k.imm as usize } & smask;
                if !cn.can_write() {
                    self.fault(x, cs);
                } else if matches!(op, NbStore | NbStoreI) {
                    x.store.write_block_slot(cn.index, slot, cb);
                } else {
                    let key = self.keys.node[nreg];
                    x.store.write_node_slot(cn.index, slot, key);
                }
                if indirect {
                    self.pop_t();
                }
            }
            Balloc | Nalloc => {
                let blk = op == Balloc;
                if n == 1 {
                    let got = if blk {
                        x.store.take_block()
                    } else {
                        x.store.take_node()
                    };
                    match got {
                        Some(i) => b.value = i,
                        None => {
                            b.total = op.cycles(&cfg, false);
                            if blk {
                                self.keys.block[cur_b] = Key::NULL;
                            } else {
                                self.keys.node[cur_n] = Key::NULL;
                            }
                            self.push_t(0);
                        }
                    }
                } else {
                    // Cycle n zeroes word (slot pair) n-2; the last one hands over the key.
                    let i = (n - 2) as usize;
                    if blk {
                        x.store.write_word(b.value, i, 0);
                    } else {
                        x.store.write_block_slot(b.value, i, Key::NULL);
                        x.store.write_node_slot(b.value, i, Key::NULL);
                    }
                    if n == b.total {
                        if blk {
                            self.keys.block[cur_b] = Key::rw(b.value);
                        } else {
                            self.keys.node[cur_n] = Key::rw(b.value);
                        }
                        self.push_t(flag(true));
                    }
                }
            }
        }
        if n >= b.total {
            self.keys.busy = None;
            x.counters.key_ops[k.opcode as usize & 31] += 1;
            true
        } else {
            b.done = n;
            self.keys.busy = Some(b);
            false
        }
    }
}
