//! One tile's side of the coherence unit (docs/architecture.md §2, §3, §9): the tags, MESI
//! states and snoop flags of its `L` cache lines, its victim pointer, its request register,
//! its node lock and its allocation result — `TileMem` of `sim/src/mem/unit.rs` in gates.
//!
//! Phase 1 (the tile's key instruction, its first cycle): `ask` with `need` and `blk` gives
//! `met` and `line` at once; a write hit turns E into M and a miss raises the request.
//! Phase 2 (the unit, the same cycle): the unit probes `u_blk` in the states as phase 1 leaves
//! them and orders the changes of a grant or a completion; everything lands at the clock edge.

use crate::step_reg::StepReg;
use crate::util::k;
use j1k_isa::coherence;
use rust_hdl::prelude::*;

/// Line states (2 bits), as the simulator encodes them.
pub const ST_I: u64 = coherence::STATE_I as u64;
pub const ST_S: u64 = coherence::STATE_S as u64;
pub const ST_E: u64 = coherence::STATE_E as u64;
pub const ST_M: u64 = coherence::STATE_M as u64;
/// A key instruction's need (2 bits).
pub const NEED_READ: u64 = coherence::NEED_READ as u64;
pub const NEED_WRITE: u64 = coherence::NEED_WRITE as u64;
pub const NEED_LOCK: u64 = coherence::NEED_LOCK as u64;
pub const NEED_ALLOC: u64 = coherence::NEED_ALLOC as u64;

/// What the unit tells every tile in phase 2: a grant or a completion, its kind, and for a
/// completion the requester's line and block. One copy goes to every tile.
#[derive(LogicInterface, Default)]
pub struct UnitOrder {
    /// The block: the requester's (a grant), the transaction's (a completion), the new
    /// index (an allocation's completion).
    pub blk: Signal<In, Bits<16>>,
    pub grant: Signal<In, Bit>,
    pub complete: Signal<In, Bit>,
    /// This tile is the requester.
    pub mine: Signal<In, Bit>,
    pub fill: Signal<In, Bit>,
    pub upgrade: Signal<In, Bit>,
    pub alloc: Signal<In, Bit>,
    pub lock: Signal<In, Bit>,
    /// A write fill or an upgrade: the other copies go invalid (else at most S).
    pub write: Signal<In, Bit>,
    /// An allocation that got a block.
    pub ok: Signal<In, Bit>,
    pub line: Signal<In, Bits<3>>,
    /// A read fill's other copies stay valid: the new line is S, not E.
    pub shared: Signal<In, Bit>,
}

#[derive(LogicBlock)]
pub struct TileLines<const L: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The round edge: the registers step (tied high with one context).
    pub step: Signal<In, Bit>,
    // Phase 1, from the tile.
    pub ask: Signal<In, Bit>,
    pub need: Signal<In, Bits<2>>,
    pub blk: Signal<In, Bits<16>>,
    /// The last cycle of a key instruction: the node lock, if held, is released.
    pub unlock: Signal<In, Bit>,
    /// `balloc` takes the allocation.
    pub take: Signal<In, Bit>,
    /// This tile's cache is the data source now (its block accesses wait).
    pub busy: Signal<In, Bit>,
    pub met: Signal<Out, Bit>,
    /// The line holding `blk` (when `met` for a block access).
    pub line: Signal<Out, Bits<3>>,
    pub alloc_ok: Signal<Out, Bit>,
    pub alloc_idx: Signal<Out, Bits<16>>,
    // Phase 2, with the unit.
    pub order: UnitOrder,
    /// `order.blk` is in a valid line (states after phase 1).
    pub probe_hit: Signal<Out, Bit>,
    pub probe_line: Signal<Out, Bits<3>>,
    pub probe_m: Signal<Out, Bit>,
    /// ... in E or M.
    pub probe_w: Signal<Out, Bit>,
    /// At a completion of another tile's transaction: this copy stays valid.
    pub keeps: Signal<Out, Bit>,
    /// The line a fill or an allocation takes: the first invalid one, else the pointer's.
    pub victim: Signal<Out, Bits<3>>,
    pub victim_m: Signal<Out, Bit>,
    pub victim_tag: Signal<Out, Bits<16>>,
    pub req_v: Signal<Out, Bit>,
    pub req_need: Signal<Out, Bits<2>>,
    pub req_blk: Signal<Out, Bits<16>>,
    /// The node lock, after this cycle's release.
    pub lock: Signal<Out, Bit>,
    pub alloc_v: Signal<Out, Bit>,
    // The registers as they are, for the lockstep comparison.
    pub tags: [Signal<Out, Bits<16>>; L],
    pub states: [Signal<Out, Bits<2>>; L],
    pub snoops: [Signal<Out, Bit>; L],
    pub vptr: Signal<Out, Bits<3>>,
    pub locked: Signal<Out, Bit>,
    tag: [StepReg<Bits<16>>; L],
    st: [StepReg<Bits<2>>; L],
    snp: [StepReg<Bit>; L],
    vp: StepReg<Bits<3>>,
    rv: StepReg<Bit>,
    rneed: StepReg<Bits<2>>,
    rblk: StepReg<Bits<16>>,
    lk: StepReg<Bit>,
    av: StepReg<Bit>,
    aok: StepReg<Bit>,
    aidx: StepReg<Bits<16>>,
    /// Phase 1: line i holds `blk`.
    hit: [Signal<Local, Bit>; L],
    found: Signal<Local, Bit>,
    hsnoop: Signal<Local, Bit>,
    hstate: Signal<Local, Bits<2>>,
    is_blk: Signal<Local, Bit>,
    met_l: Signal<Local, Bit>,
    /// The states after phase 1 (a write hit's E → M).
    st1: [Signal<Local, Bits<2>>; L],
    /// Phase 2: line i holds `order.blk` (states after phase 1).
    phit: [Signal<Local, Bit>; L],
    /// Lines 0..i are all valid (so line i, if invalid, is the first invalid one).
    below: [Signal<Local, Bit>; L],
    allv: Signal<Local, Bit>,
    lineno: [Constant<Bits<3>>; L],
    lmax: Constant<Bits<3>>,
    c_i: Constant<Bits<2>>,
    c_s: Constant<Bits<2>>,
    c_e: Constant<Bits<2>>,
    c_m: Constant<Bits<2>>,
    n_read: Constant<Bits<2>>,
    n_write: Constant<Bits<2>>,
    n_lock: Constant<Bits<2>>,
    one3: Constant<Bits<3>>,
    zero16: Constant<Bits<16>>,
    /// The bits a block index needs (the store's size): the tags keep only these, so
    /// yosys drops the rest of every tag register and comparator.
    mask: Constant<Bits<16>>,
    /// A deliberate fault, for the test that shows the lockstep catches one: this tile
    /// ignores invalidations (its copy goes to S instead).
    skip_invalidation: Constant<Bit>,
}

impl<const L: usize> TileLines<L> {
    /// `blocks`: the store's size (block indices are below it).
    pub fn new(blocks: u16, skip_invalidation: bool) -> Self {
        assert!((1..=8).contains(&L), "1 to 8 lines");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            step: Default::default(),
            ask: Default::default(),
            need: Default::default(),
            blk: Default::default(),
            unlock: Default::default(),
            take: Default::default(),
            busy: Default::default(),
            met: Default::default(),
            line: Default::default(),
            alloc_ok: Default::default(),
            alloc_idx: Default::default(),
            order: Default::default(),
            probe_hit: Default::default(),
            probe_line: Default::default(),
            probe_m: Default::default(),
            probe_w: Default::default(),
            keeps: Default::default(),
            victim: Default::default(),
            victim_m: Default::default(),
            victim_tag: Default::default(),
            req_v: Default::default(),
            req_need: Default::default(),
            req_blk: Default::default(),
            lock: Default::default(),
            alloc_v: Default::default(),
            tags: std::array::from_fn(|_| Default::default()),
            states: std::array::from_fn(|_| Default::default()),
            snoops: std::array::from_fn(|_| Default::default()),
            vptr: Default::default(),
            locked: Default::default(),
            tag: std::array::from_fn(|_| Default::default()),
            st: std::array::from_fn(|_| Default::default()),
            snp: std::array::from_fn(|_| Default::default()),
            vp: Default::default(),
            rv: Default::default(),
            rneed: Default::default(),
            rblk: Default::default(),
            lk: Default::default(),
            av: Default::default(),
            aok: Default::default(),
            aidx: Default::default(),
            hit: std::array::from_fn(|_| Default::default()),
            found: Default::default(),
            hsnoop: Default::default(),
            hstate: Default::default(),
            is_blk: Default::default(),
            met_l: Default::default(),
            st1: std::array::from_fn(|_| Default::default()),
            phit: std::array::from_fn(|_| Default::default()),
            below: std::array::from_fn(|_| Default::default()),
            allv: Default::default(),
            lineno: std::array::from_fn(|i| k(i as u64)),
            lmax: k(L as u64 - 1),
            c_i: k(ST_I),
            c_s: k(ST_S),
            c_e: k(ST_E),
            c_m: k(ST_M),
            n_read: k(NEED_READ),
            n_write: k(NEED_WRITE),
            n_lock: k(NEED_LOCK),
            one3: k(1),
            zero16: k(0),
            mask: k(((blocks as u64).next_power_of_two() - 1) & 0xffff),
            skip_invalidation: Constant::new(skip_invalidation),
        }
    }
}

impl<const L: usize> Logic for TileLines<L> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, vp, rv, rneed, rblk, lk, av, aok, aidx);
        self.vp.en.next = self.step.val();
        self.rv.en.next = self.step.val();
        self.rneed.en.next = self.step.val();
        self.rblk.en.next = self.step.val();
        self.lk.en.next = self.step.val();
        self.av.en.next = self.step.val();
        self.aok.en.next = self.step.val();
        self.aidx.en.next = self.step.val();
        for i in 0..L {
            self.tag[i].clock.next = self.clock.val();
            self.st[i].clock.next = self.clock.val();
            self.snp[i].clock.next = self.clock.val();
            self.tag[i].en.next = self.step.val();
            self.st[i].en.next = self.step.val();
            self.snp[i].en.next = self.step.val();
            self.tag[i].d.next = self.tag[i].q.val();
            self.snp[i].d.next = self.snp[i].q.val();
            self.tags[i].next = self.tag[i].q.val();
            self.states[i].next = self.st[i].q.val();
            self.snoops[i].next = self.snp[i].q.val();
        }
        self.vptr.next = self.vp.q.val();
        self.locked.next = self.lk.q.val();
        self.req_v.next = self.rv.q.val();
        self.req_need.next = self.rneed.q.val();
        self.req_blk.next = self.rblk.q.val();
        self.alloc_v.next = self.av.q.val();
        self.alloc_ok.next = self.aok.q.val();
        self.alloc_idx.next = self.aidx.q.val();

        // Phase 1: the tile's check (Coherence::ready).
        self.found.next = false;
        self.line.next = self.lineno[0].val();
        self.hsnoop.next = false;
        self.hstate.next = self.c_i.val();
        for i in 0..L {
            self.hit[i].next = (self.st[i].q.val() != self.c_i.val())
                && (self.tag[i].q.val() == (self.blk.val() & self.mask.val()));
            if self.hit[i].val() {
                self.found.next = true;
                self.line.next = self.lineno[i].val();
                self.hsnoop.next = self.snp[i].q.val();
                self.hstate.next = self.st[i].q.val();
            }
        }
        self.is_blk.next =
            (self.need.val() == self.n_read.val()) || (self.need.val() == self.n_write.val());
        if self.is_blk.val() {
            self.met_l.next = !self.busy.val()
                && self.found.val()
                && !self.hsnoop.val()
                && ((self.need.val() == self.n_read.val())
                    || (self.hstate.val() == self.c_e.val())
                    || (self.hstate.val() == self.c_m.val()));
        } else if self.need.val() == self.n_lock.val() {
            self.met_l.next = self.lk.q.val();
        } else {
            self.met_l.next = self.av.q.val();
        }
        self.met.next = self.met_l.val() && !self.rv.q.val();
        for i in 0..L {
            self.st1[i].next = self.st[i].q.val();
            if self.ask.val()
                && self.met.val()
                && (self.need.val() == self.n_write.val())
                && self.hit[i].val()
            {
                self.st1[i].next = self.c_m.val();
            }
        }
        // A miss raises the request (not while this cache is a source: that wait needs none).
        if self.ask.val()
            && !self.met.val()
            && !self.rv.q.val()
            && (!self.is_blk.val() || !self.busy.val())
        {
            self.rv.d.next = true;
            self.rneed.d.next = self.need.val();
            self.rblk.d.next = self.blk.val() & self.mask.val();
        }
        self.lock.next = self.lk.q.val() && !self.unlock.val();
        self.lk.d.next = self.lock.val();
        if self.take.val() {
            self.av.d.next = false;
        }

        // Phase 2: the probe of the unit's block, in the states phase 1 leaves.
        self.probe_hit.next = false;
        self.probe_line.next = self.lineno[0].val();
        self.probe_m.next = false;
        self.probe_w.next = false;
        self.allv.next = true;
        for i in 0..L {
            self.phit[i].next = (self.st1[i].val() != self.c_i.val())
                && (self.tag[i].q.val() == (self.order.blk.val() & self.mask.val()));
            if self.phit[i].val() {
                self.probe_hit.next = true;
                self.probe_line.next = self.lineno[i].val();
                self.probe_m.next = self.st1[i].val() == self.c_m.val();
                self.probe_w.next =
                    (self.st1[i].val() == self.c_m.val()) || (self.st1[i].val() == self.c_e.val());
            }
            if self.st1[i].val() == self.c_i.val() {
                self.allv.next = false;
            }
        }
        self.keeps.next =
            self.probe_hit.val() && (!self.order.write.val() || self.skip_invalidation.val());
        // The victim: the first invalid line, else the pointer's.
        self.below[0].next = true;
        for i in 1..L {
            self.below[i].next =
                self.below[i - 1].val() && (self.st1[i - 1].val() != self.c_i.val());
        }
        self.victim.next = self.vp.q.val();
        for i in 0..L {
            if self.below[i].val() && (self.st1[i].val() == self.c_i.val()) {
                self.victim.next = self.lineno[i].val();
            }
        }
        self.victim_m.next = false;
        self.victim_tag.next = self.tag[0].q.val();
        for i in 0..L {
            if self.victim.val() == self.lineno[i].val() {
                self.victim_m.next = self.st1[i].val() == self.c_m.val();
                self.victim_tag.next = self.tag[i].q.val();
            }
        }

        // The registers: phase 1's states, then the unit's orders.
        for i in 0..L {
            self.st[i].d.next = self.st1[i].val();
        }
        if self.order.grant.val() && self.order.mine.val() {
            if self.order.lock.val() {
                self.rv.d.next = false;
                self.lk.d.next = true;
            }
            if (self.order.fill.val() || (self.order.alloc.val() && self.order.ok.val()))
                && self.allv.val()
            {
                if self.vp.q.val() == self.lmax.val() {
                    self.vp.d.next = self.lineno[0].val();
                } else {
                    self.vp.d.next = self.vp.q.val() + self.one3.val();
                }
            }
        }
        // The announce: another tile's fill or upgrade will change this copy.
        if self.order.grant.val()
            && !self.order.mine.val()
            && (self.order.fill.val() || self.order.upgrade.val())
        {
            for i in 0..L {
                if self.phit[i].val()
                    && (self.order.write.val()
                        || (self.st1[i].val() == self.c_e.val())
                        || (self.st1[i].val() == self.c_m.val()))
                {
                    self.snp[i].d.next = true;
                }
            }
        }
        if self.order.complete.val() && self.order.mine.val() && !self.order.lock.val() {
            self.rv.d.next = false;
            for i in 0..L {
                if self.order.line.val() == self.lineno[i].val() {
                    if self.order.fill.val() {
                        self.tag[i].d.next = self.order.blk.val() & self.mask.val();
                        self.snp[i].d.next = false;
                        if self.order.write.val() {
                            self.st[i].d.next = self.c_m.val();
                        } else if self.order.shared.val() {
                            self.st[i].d.next = self.c_s.val();
                        } else {
                            self.st[i].d.next = self.c_e.val();
                        }
                    }
                    if self.order.upgrade.val() {
                        self.st[i].d.next = self.c_m.val();
                    }
                    if self.order.alloc.val() && self.order.ok.val() {
                        self.tag[i].d.next = self.order.blk.val() & self.mask.val();
                        self.st[i].d.next = self.c_m.val();
                        self.snp[i].d.next = false;
                    }
                }
            }
            if self.order.alloc.val() {
                self.av.d.next = true;
                self.aok.d.next = self.order.ok.val();
                self.aidx.d.next = self.order.blk.val() & self.mask.val();
            }
        }
        // Another tile's fill or upgrade ends: this copy goes to I (a write) or at most S.
        if self.order.complete.val()
            && !self.order.mine.val()
            && (self.order.fill.val() || self.order.upgrade.val())
        {
            for i in 0..L {
                if self.phit[i].val() {
                    self.snp[i].d.next = false;
                    if self.order.write.val() && !self.skip_invalidation.val() {
                        self.st[i].d.next = self.c_i.val();
                    } else if (self.st1[i].val() == self.c_e.val())
                        || (self.st1[i].val() == self.c_m.val())
                    {
                        self.st[i].d.next = self.c_s.val();
                    }
                }
            }
        }
        if self.reset.val() {
            for i in 0..L {
                self.tag[i].d.next = self.zero16.val();
                self.st[i].d.next = self.c_i.val();
                self.snp[i].d.next = false;
            }
            self.vp.d.next = self.lineno[0].val();
            self.rv.d.next = false;
            self.lk.d.next = false;
            self.av.d.next = false;
        }
    }
}
