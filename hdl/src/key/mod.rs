//! The key unit: the key-instruction sequencer (this file) over the key
//! registers (`regs.rs`), the block store (`block_store.rs`), the node store
//! (`node_store.rs`) and the two allocators (`alloc.rs`). Cycle by cycle as
//! docs/isa.md §8.3 and the simulator's `key_unit.rs`:
//!
//! - one-cycle ops act at the end of their cycle;
//! - `b@ bc@ nb@ nn@ nb@i nn@i`: cycle 1 addresses the store (registered read),
//!   cycle 2 changes T / the register / pops;
//! - `b! bc!`: write and the first pop in cycle 1, the second pop in cycle 2;
//! - `bxchg bxadd`: read in cycle 1; write, T := old and the pop in cycle 2;
//! - `balloc nalloc`: cycle 1 takes the index (or, when full, puts the null
//!   key and pushes 0), cycles 2.. zero one word / slot pair each, the last
//!   one also sets the register and pushes true.
//!
//! The core holds its pc while `hold` is set and applies `push` / `pop` /
//! `tload` to its data stack and T.

pub mod alloc;
pub mod block_store;
pub mod node_store;
pub mod regs;

use crate::util::k;
use alloc::Allocator;
use block_store::BlockStore;
use j1k_isa::{KeyConfig, ROOT_NODE};
use node_store::NodeStore;
use regs::KeyRegs;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct KeyUnit {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The core's pc (zero-extended): bit 12 set is a fetch cycle, not an instruction.
    pub pc: Signal<In, Bits<16>>,
    pub insn: Signal<In, Bits<16>>,
    pub t: Signal<In, Bits<16>>,
    pub n: Signal<In, Bits<16>>,
    pub hold: Signal<Out, Bit>,
    pub push: Signal<Out, Bit>,
    pub pop: Signal<Out, Bit>,
    pub tload: Signal<Out, Bit>,
    pub tval: Signal<Out, Bits<16>>,
    pub cur_b: Signal<Out, Bits<3>>,
    pub cur_n: Signal<Out, Bits<2>>,
    pub breg0: Signal<Out, Bits<16>>,
    pub breg1: Signal<Out, Bits<16>>,
    pub breg2: Signal<Out, Bits<16>>,
    pub breg3: Signal<Out, Bits<16>>,
    pub breg4: Signal<Out, Bits<16>>,
    pub breg5: Signal<Out, Bits<16>>,
    pub breg6: Signal<Out, Bits<16>>,
    pub breg7: Signal<Out, Bits<16>>,
    pub nreg0: Signal<Out, Bits<16>>,
    pub nreg1: Signal<Out, Bits<16>>,
    pub nreg2: Signal<Out, Bits<16>>,
    pub nreg3: Signal<Out, Bits<16>>,
    pub faults: Signal<Out, Bits<16>>,
    /// A multi-cycle key instruction is in progress (this is not its first cycle).
    pub busy: Signal<Out, Bit>,
    pub blk_we: Signal<Out, Bit>,
    pub blk_wmask: Signal<Out, Bits<2>>,
    pub blk_waddr: Signal<Out, Bits<16>>,
    pub blk_wdata: Signal<Out, Bits<16>>,

    regs: KeyRegs,
    blocks: BlockStore,
    nodes: NodeStore,
    balloc: Allocator,
    nalloc: Allocator,
    busy_r: DFF<Bit>,
    cnt: DFF<Bits<16>>,
    lat_addr: DFF<Bits<16>>,
    lat_hi: DFF<Bit>,
    lat_null: DFF<Bit>,
    lat_weak: DFF<Bit>,
    lat_idx: DFF<Bits<16>>,

    // build parameters
    lw: Constant<Bits<16>>,
    ls: Constant<Bits<16>>,
    wmask: Constant<Bits<16>>,
    smask: Constant<Bits<16>>,
    wlast: Constant<Bits<16>>,
    slast: Constant<Bits<16>>,
    // values
    z16: Constant<Bits<16>>,
    one16: Constant<Bits<16>>,
    two16: Constant<Bits<16>>,
    three16: Constant<Bits<16>>,
    eight16: Constant<Bits<16>>,
    ones: Constant<Bits<16>>,
    idxm: Constant<Bits<16>>,
    rwbit: Constant<Bits<16>>,
    lowb: Constant<Bits<16>>,
    imm_m: Constant<Bits<16>>,
    m1: Constant<Bits<2>>,
    m2: Constant<Bits<2>>,
    m3: Constant<Bits<2>>,
    // opcodes
    o_bsel: Constant<Bits<5>>,
    o_nsel: Constant<Bits<5>>,
    o_bcopy: Constant<Bits<5>>,
    o_ncopy: Constant<Bits<5>>,
    o_bkeyeq: Constant<Bits<5>>,
    o_nkeyeq: Constant<Bits<5>>,
    o_bweaken: Constant<Bits<5>>,
    o_nweaken: Constant<Bits<5>>,
    o_bq: Constant<Bits<5>>,
    o_nq: Constant<Bits<5>>,
    o_faults: Constant<Bits<5>>,
    o_bfetch: Constant<Bits<5>>,
    o_bstore: Constant<Bits<5>>,
    o_bcfetch: Constant<Bits<5>>,
    o_bcstore: Constant<Bits<5>>,
    o_bxchg: Constant<Bits<5>>,
    o_bxadd: Constant<Bits<5>>,
    o_nbload: Constant<Bits<5>>,
    o_nbstore: Constant<Bits<5>>,
    o_nnload: Constant<Bits<5>>,
    o_nnstore: Constant<Bits<5>>,
    o_nbloadi: Constant<Bits<5>>,
    o_nbstorei: Constant<Bits<5>>,
    o_nnloadi: Constant<Bits<5>>,
    o_nnstorei: Constant<Bits<5>>,
    o_balloc: Constant<Bits<5>>,
    o_nalloc: Constant<Bits<5>>,

    cb: Signal<Local, Bits<16>>,
    cn: Signal<Local, Bits<16>>,
    rb: Signal<Local, Bits<16>>,
    rna: Signal<Local, Bits<16>>,
    rnb: Signal<Local, Bits<16>>,
    s1: Constant<Bits<3>>,
    s2: Constant<Bits<3>>,
    s3: Constant<Bits<3>>,
    s4: Constant<Bits<3>>,
    s5: Constant<Bits<3>>,
    s6: Constant<Bits<3>>,
    s7: Constant<Bits<3>>,
    t1: Constant<Bits<2>>,
    t2: Constant<Bits<2>>,
    t3: Constant<Bits<2>>,
    on: Constant<Bit>,
    kmask: Constant<Bits<16>>,
    kpat: Constant<Bits<16>>,
    /// A key instruction executes this cycle (insn is 0 in the reboot cycle).
    exec: Signal<Local, Bit>,
    opc: Signal<Local, Bits<5>>,
    first: Signal<Local, Bit>,
    cb_idx: Signal<Local, Bits<16>>,
    cn_idx: Signal<Local, Bits<16>>,
    cb_ok: Signal<Local, Bit>,
    cn_ok: Signal<Local, Bit>,
    blk_base: Signal<Local, Bits<16>>,
    node_base: Signal<Local, Bits<16>>,
    word: Signal<Local, Bits<16>>,
    bword: Signal<Local, Bits<16>>,
    slot: Signal<Local, Bits<16>>,
    rd: Signal<Local, Bits<16>>,
    old: Signal<Local, Bits<16>>,
    slot_key: Signal<Local, Bits<16>>,
    rights_b: Signal<Local, Bits<16>>,
    rights_n: Signal<Local, Bits<16>>,
    hold_l: Signal<Local, Bit>,
    bk_we: Signal<Local, Bit>,
    /// balloc's zeroing: written, but not reported on `blk_we` (as the simulator's `block_write`).
    bk_zero: Signal<Local, Bit>,
    bk_mask: Signal<Local, Bits<2>>,
    bk_addr: Signal<Local, Bits<16>>,
    bk_data: Signal<Local, Bits<16>>,
}

fn log2(v: u16) -> u64 {
    v.trailing_zeros() as u64
}

impl KeyUnit {
    /// `None`: no key unit (outputs null, nothing built that yosys keeps).
    pub fn new(cfg: Option<&KeyConfig>) -> Self {
        let on = cfg.is_some();
        let c = cfg.copied().unwrap_or(KeyConfig {
            block_words: 2,
            node_slots: 2,
            blocks: 2,
            nodes: 2,
        });
        c.validate().expect("key configuration");
        let words = c.blocks as usize * c.block_words as usize;
        let slots = c.nodes as usize * c.node_slots as usize;
        assert!(
            words <= 65536 && slots <= 65536,
            "the hardware addresses at most 65536 block words and 65536 node slots"
        );
        Self {
            clock: Default::default(),
            reset: Default::default(),
            pc: Default::default(),
            exec: Default::default(),
            on: Constant::new(on),
            kmask: k(0xf000),
            kpat: k(0x7000),
            insn: Default::default(),
            t: Default::default(),
            n: Default::default(),
            hold: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            tload: Default::default(),
            tval: Default::default(),
            cur_b: Default::default(),
            cur_n: Default::default(),
            breg0: Default::default(),
            breg1: Default::default(),
            breg2: Default::default(),
            breg3: Default::default(),
            breg4: Default::default(),
            breg5: Default::default(),
            breg6: Default::default(),
            breg7: Default::default(),
            nreg0: Default::default(),
            nreg1: Default::default(),
            nreg2: Default::default(),
            nreg3: Default::default(),
            faults: Default::default(),
            busy: Default::default(),
            blk_we: Default::default(),
            blk_wmask: Default::default(),
            blk_waddr: Default::default(),
            blk_wdata: Default::default(),
            regs: KeyRegs::new(on, c.blocks, c.nodes),
            blocks: BlockStore::new(words),
            nodes: NodeStore::new(slots),
            balloc: Allocator::new(1, c.blocks),
            nalloc: Allocator::new(ROOT_NODE + 1, c.nodes),
            busy_r: Default::default(),
            cnt: Default::default(),
            lat_addr: Default::default(),
            lat_hi: Default::default(),
            lat_null: Default::default(),
            lat_weak: Default::default(),
            lat_idx: Default::default(),
            lw: k(log2(c.block_words)),
            ls: k(log2(c.node_slots)),
            wmask: k(c.block_words as u64 - 1),
            smask: k(c.node_slots as u64 - 1),
            wlast: k(c.block_words as u64),
            slast: k(c.node_slots as u64),
            z16: k(0),
            one16: k(1),
            two16: k(2),
            three16: k(3),
            eight16: k(8),
            ones: k(0xffff),
            idxm: k(0x7fff),
            rwbit: k(0x8000),
            lowb: k(0xff),
            imm_m: k(0x1f),
            m1: k(1),
            m2: k(2),
            m3: k(3),
            o_bsel: k(0),
            o_nsel: k(1),
            o_bcopy: k(2),
            o_ncopy: k(3),
            o_bkeyeq: k(4),
            o_nkeyeq: k(5),
            o_bweaken: k(6),
            o_nweaken: k(7),
            o_bq: k(8),
            o_nq: k(9),
            o_faults: k(10),
            o_bfetch: k(11),
            o_bstore: k(12),
            o_bcfetch: k(13),
            o_bcstore: k(14),
            o_bxchg: k(15),
            o_bxadd: k(16),
            o_nbload: k(17),
            o_nbstore: k(18),
            o_nnload: k(19),
            o_nnstore: k(20),
            o_nbloadi: k(21),
            o_nbstorei: k(22),
            o_nnloadi: k(23),
            o_nnstorei: k(24),
            o_balloc: k(25),
            o_nalloc: k(26),
            cb: Default::default(),
            cn: Default::default(),
            rb: Default::default(),
            rna: Default::default(),
            rnb: Default::default(),
            s1: k(1),
            s2: k(2),
            s3: k(3),
            s4: k(4),
            s5: k(5),
            s6: k(6),
            s7: k(7),
            t1: k(1),
            t2: k(2),
            t3: k(3),
            opc: Default::default(),
            first: Default::default(),
            cb_idx: Default::default(),
            cn_idx: Default::default(),
            cb_ok: Default::default(),
            cn_ok: Default::default(),
            blk_base: Default::default(),
            node_base: Default::default(),
            word: Default::default(),
            bword: Default::default(),
            slot: Default::default(),
            rd: Default::default(),
            old: Default::default(),
            slot_key: Default::default(),
            rights_b: Default::default(),
            rights_n: Default::default(),
            hold_l: Default::default(),
            bk_we: Default::default(),
            bk_zero: Default::default(),
            bk_mask: Default::default(),
            bk_addr: Default::default(),
            bk_data: Default::default(),
        }
    }
}

impl Logic for KeyUnit {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, busy_r, cnt, lat_addr, lat_hi, lat_null, lat_weak, lat_idx);
        self.regs.clock.next = self.clock.val();
        self.blocks.clock.next = self.clock.val();
        self.nodes.clock.next = self.clock.val();
        self.balloc.clock.next = self.clock.val();
        self.nalloc.clock.next = self.clock.val();
        self.regs.reset.next = self.reset.val();
        self.balloc.reset.next = self.reset.val();
        self.nalloc.reset.next = self.reset.val();

        // ---- decode and the current keys ----
        self.exec.next = self.on.val()
            && !self.pc.val().get_bit(12)
            && ((self.insn.val() & self.kmask.val()) == self.kpat.val());
        self.opc.next = self.insn.val().get_bits::<5>(7);
        self.first.next = !self.busy_r.q.val();
        self.regs.sel_b.next = self.insn.val().get_bits::<3>(0);
        self.regs.sel_na.next = self.insn.val().get_bits::<2>(0);
        self.regs.sel_nb.next = self.insn.val().get_bits::<2>(5);
        // the register read muxes
        self.cb.next = self.regs.b0.val();
        if self.regs.cur_b.val() == self.s1.val() {
            self.cb.next = self.regs.b1.val();
        }
        if self.regs.cur_b.val() == self.s2.val() {
            self.cb.next = self.regs.b2.val();
        }
        if self.regs.cur_b.val() == self.s3.val() {
            self.cb.next = self.regs.b3.val();
        }
        if self.regs.cur_b.val() == self.s4.val() {
            self.cb.next = self.regs.b4.val();
        }
        if self.regs.cur_b.val() == self.s5.val() {
            self.cb.next = self.regs.b5.val();
        }
        if self.regs.cur_b.val() == self.s6.val() {
            self.cb.next = self.regs.b6.val();
        }
        if self.regs.cur_b.val() == self.s7.val() {
            self.cb.next = self.regs.b7.val();
        }
        self.rb.next = self.regs.b0.val();
        if self.insn.val().get_bits::<3>(0) == self.s1.val() {
            self.rb.next = self.regs.b1.val();
        }
        if self.insn.val().get_bits::<3>(0) == self.s2.val() {
            self.rb.next = self.regs.b2.val();
        }
        if self.insn.val().get_bits::<3>(0) == self.s3.val() {
            self.rb.next = self.regs.b3.val();
        }
        if self.insn.val().get_bits::<3>(0) == self.s4.val() {
            self.rb.next = self.regs.b4.val();
        }
        if self.insn.val().get_bits::<3>(0) == self.s5.val() {
            self.rb.next = self.regs.b5.val();
        }
        if self.insn.val().get_bits::<3>(0) == self.s6.val() {
            self.rb.next = self.regs.b6.val();
        }
        if self.insn.val().get_bits::<3>(0) == self.s7.val() {
            self.rb.next = self.regs.b7.val();
        }
        self.cn.next = self.regs.n0.val();
        if self.regs.cur_n.val() == self.t1.val() {
            self.cn.next = self.regs.n1.val();
        }
        if self.regs.cur_n.val() == self.t2.val() {
            self.cn.next = self.regs.n2.val();
        }
        if self.regs.cur_n.val() == self.t3.val() {
            self.cn.next = self.regs.n3.val();
        }
        self.rna.next = self.regs.n0.val();
        if self.insn.val().get_bits::<2>(0) == self.t1.val() {
            self.rna.next = self.regs.n1.val();
        }
        if self.insn.val().get_bits::<2>(0) == self.t2.val() {
            self.rna.next = self.regs.n2.val();
        }
        if self.insn.val().get_bits::<2>(0) == self.t3.val() {
            self.rna.next = self.regs.n3.val();
        }
        self.rnb.next = self.regs.n0.val();
        if self.insn.val().get_bits::<2>(5) == self.t1.val() {
            self.rnb.next = self.regs.n1.val();
        }
        if self.insn.val().get_bits::<2>(5) == self.t2.val() {
            self.rnb.next = self.regs.n2.val();
        }
        if self.insn.val().get_bits::<2>(5) == self.t3.val() {
            self.rnb.next = self.regs.n3.val();
        }
        self.cb_idx.next = self.cb.val() & self.idxm.val();
        self.cn_idx.next = self.cn.val() & self.idxm.val();
        self.cb_ok.next = self.cb.val().get_bit(15) && (self.cb_idx.val() != self.z16.val());
        self.cn_ok.next = self.cn.val().get_bit(15) && (self.cn_idx.val() != self.z16.val());
        self.blk_base.next = self.cb_idx.val() << self.lw.val();
        self.node_base.next = self.cn_idx.val() << self.ls.val();
        self.word.next = self.t.val() & self.wmask.val();
        self.bword.next = (self.t.val() >> self.one16.val()) & self.wmask.val();
        self.slot.next = (self.insn.val() & self.imm_m.val()) & self.smask.val();
        if (self.opc.val() == self.o_nbloadi.val())
            || (self.opc.val() == self.o_nbstorei.val())
            || (self.opc.val() == self.o_nnloadi.val())
            || (self.opc.val() == self.o_nnstorei.val())
        {
            self.slot.next = self.t.val() & self.smask.val();
        }
        self.rights_b.next = self.z16.val();
        if self.cb_idx.val() != self.z16.val() {
            self.rights_b.next = self.two16.val();
            if self.cb.val().get_bit(15) {
                self.rights_b.next = self.three16.val();
            }
        }
        self.rights_n.next = self.z16.val();
        if self.cn_idx.val() != self.z16.val() {
            self.rights_n.next = self.two16.val();
            if self.cn.val().get_bit(15) {
                self.rights_n.next = self.three16.val();
            }
        }
        self.rd.next = self.blocks.rdata.val();
        self.old.next = self.blocks.rdata.val();
        if self.lat_null.q.val() {
            self.old.next = self.z16.val();
        }
        self.slot_key.next = self.nodes.rdata_n.val();
        if (self.opc.val() == self.o_nbload.val()) || (self.opc.val() == self.o_nbloadi.val()) {
            self.slot_key.next = self.nodes.rdata_b.val();
        }
        if self.lat_weak.q.val() {
            self.slot_key.next = self.slot_key.val() & self.idxm.val();
        }
        if self.lat_null.q.val() {
            self.slot_key.next = self.z16.val();
        }

        // ---- defaults: nothing happens ----
        self.hold_l.next = false;
        self.push.next = false;
        self.pop.next = false;
        self.tload.next = false;
        self.tval.next = self.z16.val();
        self.regs.set_cur_b.next = false;
        self.regs.set_cur_n.next = false;
        self.regs.bwe.next = false;
        self.regs.bwd.next = self.z16.val();
        self.regs.nwe.next = false;
        self.regs.nw_cur.next = true;
        self.regs.nwd.next = self.z16.val();
        self.regs.fault.next = false;
        self.blocks.raddr.next = self.z16.val();
        self.bk_we.next = false;
        self.bk_zero.next = false;
        self.bk_mask.next = self.m3.val();
        self.bk_addr.next = self.z16.val();
        self.bk_data.next = self.z16.val();
        self.nodes.raddr.next = self.z16.val();
        self.nodes.we_b.next = false;
        self.nodes.we_n.next = false;
        self.nodes.waddr.next = self.node_base.val() | self.slot.val();
        self.nodes.wdata_b.next = self.cb.val();
        self.nodes.wdata_n.next = self.rnb.val();
        self.balloc.take.next = false;
        self.nalloc.take.next = false;

        if self.exec.val() {
            if self.opc.val() == self.o_bsel.val() {
                self.regs.set_cur_b.next = true;
            }
            if self.opc.val() == self.o_nsel.val() {
                self.regs.set_cur_n.next = true;
            }
            if self.opc.val() == self.o_bcopy.val() {
                self.regs.bwe.next = true;
                self.regs.bwd.next = self.rb.val();
            }
            if self.opc.val() == self.o_ncopy.val() {
                self.regs.nwe.next = true;
                self.regs.nwd.next = self.rna.val();
            }
            if self.opc.val() == self.o_bkeyeq.val() {
                self.push.next = true;
                self.tload.next = true;
                if (self.rb.val() & self.idxm.val()) == self.cb_idx.val() {
                    self.tval.next = self.ones.val();
                }
            }
            if self.opc.val() == self.o_nkeyeq.val() {
                self.push.next = true;
                self.tload.next = true;
                if (self.rna.val() & self.idxm.val()) == self.cn_idx.val() {
                    self.tval.next = self.ones.val();
                }
            }
            if self.opc.val() == self.o_bweaken.val() {
                self.regs.bwe.next = true;
                self.regs.bwd.next = self.cb.val() & self.idxm.val();
            }
            if self.opc.val() == self.o_nweaken.val() {
                self.regs.nwe.next = true;
                self.regs.nwd.next = self.cn.val() & self.idxm.val();
            }
            if self.opc.val() == self.o_bq.val() {
                self.push.next = true;
                self.tload.next = true;
                self.tval.next = self.rights_b.val();
            }
            if self.opc.val() == self.o_nq.val() {
                self.push.next = true;
                self.tload.next = true;
                self.tval.next = self.rights_n.val();
            }
            if self.opc.val() == self.o_faults.val() {
                self.push.next = true;
                self.tload.next = true;
                self.tval.next = self.regs.faults.val();
            }
            // b@ bc@
            if (self.opc.val() == self.o_bfetch.val()) || (self.opc.val() == self.o_bcfetch.val()) {
                if self.first.val() {
                    self.hold_l.next = true;
                    self.lat_hi.d.next = self.t.val().get_bit(0);
                    self.lat_null.d.next = self.cb_idx.val() == self.z16.val();
                    if self.opc.val() == self.o_bfetch.val() {
                        self.blocks.raddr.next = self.blk_base.val() | self.word.val();
                    } else {
                        self.blocks.raddr.next = self.blk_base.val() | self.bword.val();
                    }
                } else {
                    self.tload.next = true;
                    self.tval.next = self.rd.val();
                    if self.opc.val() == self.o_bcfetch.val() {
                        self.tval.next = self.rd.val() & self.lowb.val();
                        if self.lat_hi.q.val() {
                            self.tval.next = self.rd.val() >> self.eight16.val();
                        }
                    }
                    if self.lat_null.q.val() {
                        self.tval.next = self.z16.val();
                    }
                }
            }
            // b! bc!
            if (self.opc.val() == self.o_bstore.val()) || (self.opc.val() == self.o_bcstore.val()) {
                self.pop.next = true;
                if self.first.val() {
                    self.hold_l.next = true;
                    if self.cb_ok.val() {
                        self.bk_we.next = true;
                        if self.opc.val() == self.o_bstore.val() {
                            self.bk_addr.next = self.blk_base.val() | self.word.val();
                            self.bk_data.next = self.n.val();
                        } else {
                            self.bk_addr.next = self.blk_base.val() | self.bword.val();
                            self.bk_data.next = ((self.n.val() & self.lowb.val())
                                << self.eight16.val())
                                | (self.n.val() & self.lowb.val());
                            self.bk_mask.next = self.m1.val();
                            if self.t.val().get_bit(0) {
                                self.bk_mask.next = self.m2.val();
                            }
                        }
                    } else {
                        self.regs.fault.next = true;
                    }
                }
            }
            // bxchg bxadd
            if (self.opc.val() == self.o_bxchg.val()) || (self.opc.val() == self.o_bxadd.val()) {
                if self.first.val() {
                    self.hold_l.next = true;
                    self.blocks.raddr.next = self.blk_base.val() | self.word.val();
                    self.lat_addr.d.next = self.blk_base.val() | self.word.val();
                    self.lat_null.d.next = self.cb_idx.val() == self.z16.val();
                } else {
                    self.pop.next = true;
                    self.tload.next = true;
                    self.tval.next = self.old.val();
                    if self.cb_ok.val() {
                        self.bk_we.next = true;
                        self.bk_addr.next = self.lat_addr.q.val();
                        self.bk_data.next = self.n.val();
                        if self.opc.val() == self.o_bxadd.val() {
                            self.bk_data.next = self.old.val() + self.n.val();
                        }
                    } else {
                        self.regs.fault.next = true;
                    }
                }
            }
            // nb@ nn@ nb@i nn@i
            if (self.opc.val() == self.o_nbload.val())
                || (self.opc.val() == self.o_nnload.val())
                || (self.opc.val() == self.o_nbloadi.val())
                || (self.opc.val() == self.o_nnloadi.val())
            {
                if self.first.val() {
                    self.hold_l.next = true;
                    self.nodes.raddr.next = self.node_base.val() | self.slot.val();
                    self.lat_null.d.next = self.cn_idx.val() == self.z16.val();
                    self.lat_weak.d.next = !self.cn.val().get_bit(15);
                } else {
                    if (self.opc.val() == self.o_nbload.val())
                        || (self.opc.val() == self.o_nbloadi.val())
                    {
                        self.regs.bwe.next = true;
                        self.regs.bwd.next = self.slot_key.val();
                    } else {
                        self.regs.nwe.next = true;
                        self.regs.nw_cur.next = false;
                        self.regs.nwd.next = self.slot_key.val();
                    }
                    if (self.opc.val() == self.o_nbloadi.val())
                        || (self.opc.val() == self.o_nnloadi.val())
                    {
                        self.pop.next = true;
                    }
                }
            }
            // nb! nn! nb!i nn!i
            if (self.opc.val() == self.o_nbstore.val())
                || (self.opc.val() == self.o_nnstore.val())
                || (self.opc.val() == self.o_nbstorei.val())
                || (self.opc.val() == self.o_nnstorei.val())
            {
                if self.cn_ok.val() {
                    if (self.opc.val() == self.o_nbstore.val())
                        || (self.opc.val() == self.o_nbstorei.val())
                    {
                        self.nodes.we_b.next = true;
                    } else {
                        self.nodes.we_n.next = true;
                    }
                } else {
                    self.regs.fault.next = true;
                }
                if (self.opc.val() == self.o_nbstorei.val())
                    || (self.opc.val() == self.o_nnstorei.val())
                {
                    self.pop.next = true;
                }
            }
            // balloc
            if self.opc.val() == self.o_balloc.val() {
                if self.first.val() {
                    if self.balloc.avail.val() {
                        self.hold_l.next = true;
                        self.balloc.take.next = true;
                        self.lat_idx.d.next = self.balloc.idx.val();
                    } else {
                        self.regs.bwe.next = true;
                        self.push.next = true;
                        self.tload.next = true;
                    }
                } else {
                    self.bk_we.next = true;
                    self.bk_zero.next = true;
                    self.bk_addr.next = (self.lat_idx.q.val() << self.lw.val())
                        | ((self.cnt.q.val() - self.one16.val()) & self.wmask.val());
                    if self.cnt.q.val() == self.wlast.val() {
                        self.regs.bwe.next = true;
                        self.regs.bwd.next = self.lat_idx.q.val() | self.rwbit.val();
                        self.push.next = true;
                        self.tload.next = true;
                        self.tval.next = self.ones.val();
                    } else {
                        self.hold_l.next = true;
                    }
                }
            }
            // nalloc
            if self.opc.val() == self.o_nalloc.val() {
                if self.first.val() {
                    if self.nalloc.avail.val() {
                        self.hold_l.next = true;
                        self.nalloc.take.next = true;
                        self.lat_idx.d.next = self.nalloc.idx.val();
                    } else {
                        self.regs.nwe.next = true;
                        self.push.next = true;
                        self.tload.next = true;
                    }
                } else {
                    self.nodes.we_b.next = true;
                    self.nodes.we_n.next = true;
                    self.nodes.waddr.next = (self.lat_idx.q.val() << self.ls.val())
                        | ((self.cnt.q.val() - self.one16.val()) & self.smask.val());
                    self.nodes.wdata_b.next = self.z16.val();
                    self.nodes.wdata_n.next = self.z16.val();
                    if self.cnt.q.val() == self.slast.val() {
                        self.regs.nwe.next = true;
                        self.regs.nwd.next = self.lat_idx.q.val() | self.rwbit.val();
                        self.push.next = true;
                        self.tload.next = true;
                        self.tval.next = self.ones.val();
                    } else {
                        self.hold_l.next = true;
                    }
                }
            }
            // reserved opcodes 27..31
            if self.opc.val() > self.o_nalloc.val() {
                self.regs.fault.next = true;
            }
        }

        // ---- sequencing ----
        self.busy_r.d.next = false;
        self.cnt.d.next = self.z16.val();
        if self.hold_l.val() {
            self.busy_r.d.next = true;
            self.cnt.d.next = self.cnt.q.val() + self.one16.val();
        }
        if self.reset.val() {
            self.busy_r.d.next = false;
            self.cnt.d.next = self.z16.val();
        }

        // ---- outputs ----
        self.hold.next = self.hold_l.val();
        self.blocks.we.next = self.bk_we.val();
        self.blocks.wmask.next = self.bk_mask.val();
        self.blocks.waddr.next = self.bk_addr.val();
        self.blocks.wdata.next = self.bk_data.val();
        self.blk_we.next = self.bk_we.val() && !self.bk_zero.val();
        self.blk_wmask.next = self.bk_mask.val();
        self.blk_waddr.next = self.bk_addr.val();
        self.blk_wdata.next = self.bk_data.val();
        self.busy.next = self.busy_r.q.val();
        self.cur_b.next = self.regs.cur_b.val();
        self.cur_n.next = self.regs.cur_n.val();
        self.faults.next = self.regs.faults.val();
        self.breg0.next = self.regs.b0.val();
        self.breg1.next = self.regs.b1.val();
        self.breg2.next = self.regs.b2.val();
        self.breg3.next = self.regs.b3.val();
        self.breg4.next = self.regs.b4.val();
        self.breg5.next = self.regs.b5.val();
        self.breg6.next = self.regs.b6.val();
        self.breg7.next = self.regs.b7.val();
        self.nreg0.next = self.regs.n0.val();
        self.nreg1.next = self.regs.n1.val();
        self.nreg2.next = self.regs.n2.val();
        self.nreg3.next = self.regs.n3.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    fn small() -> KeyConfig {
        KeyConfig {
            block_words: 8,
            node_slots: 4,
            blocks: 4,
            nodes: 4,
        }
    }

    /// `balloc` on its own: held for 1 + W cycles, then b0 = rw block 1 and a true flag.
    /// (Every opcode is checked cycle by cycle against the simulator in tests/lockstep_key.rs.)
    #[test]
    fn key_unit_balloc_simulates() {
        let mut uut = KeyUnit::new(Some(&small()));
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<KeyUnit>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<KeyUnit>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            x.insn.next = bits::<16>(0x7000 | (25 << 7)); // balloc
            let mut cycles = 1;
            loop {
                x = sim.wait(1, x)?;
                if !x.hold.val() {
                    break;
                }
                wait_clock_cycle!(sim, clock, x);
                cycles += 1;
            }
            sim_assert_eq!(sim, cycles, 9, x);
            sim_assert!(sim, x.push.val() && x.tload.val(), x);
            sim_assert_eq!(sim, x.tval.val(), bits::<16>(0xffff), x);
            wait_clock_cycle!(sim, clock, x);
            x.insn.next = bits::<16>(0x6000); // not a key instruction
            sim_assert_eq!(sim, x.breg0.val(), bits::<16>(0x8001), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn key_unit_yosys_validate() {
        let mut uut = KeyUnit::new(Some(&small()));
        uut.connect_all();
        validate("j1k_key_unit", &crate::util::verilog(&uut));
    }
}
