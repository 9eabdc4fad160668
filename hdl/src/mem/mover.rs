//! The data mover (docs/architecture.md §9): a transaction's words, one a cycle, between
//! the block store and the tiles' cache RAMs, by the coherence unit's transaction
//! registers. Block RAMs read in the cycle after the address, so each word is read in
//! cycle `c` (counted from 1 after the grant) and written in `c + 1`:
//!
//! - a modified victim: the requester's line read in `1..=W`, the store written in `2..=W+1`;
//! - a fill from the store: read in `V+1..=V+W`, the requester's line written a cycle later;
//! - a fill from a modified copy: the source's line read from `s0` = W+1 (after a victim)
//!   or 3 (after the announce), the requester's line and the store written a cycle later.
//!
//! With W a power of two and V either 0 or W, the word of cycle `c` is `c − 1` (or `c − 3`
//! for a source without a victim) modulo W.

use super::coherence::{K_FILL_READ, K_FILL_WRITE};
use crate::step_reg::StepReg;
use crate::util::k;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Mover<const N: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The round edge: the registers step (tied high with one context).
    pub step: Signal<In, Bit>,
    // The coherence unit's transaction.
    pub granting: Signal<In, Bit>,
    pub kind: Signal<In, Bits<3>>,
    pub tile: Signal<In, Bits<3>>,
    pub block: Signal<In, Bits<16>>,
    /// The requester's line and the source's (zero-extended).
    pub line: Signal<In, Bits<16>>,
    pub writeback: Signal<In, Bit>,
    pub source_v: Signal<In, Bit>,
    pub source: Signal<In, Bits<3>>,
    pub source_line: Signal<In, Bits<16>>,
    pub victim_tag: Signal<In, Bits<16>>,
    // Each tile's cache RAM: the mover takes its read port (`rd`) or its write port (`wr`).
    pub cache_rdata: [Signal<In, Bits<16>>; N],
    pub rd: [Signal<Out, Bit>; N],
    pub raddr: Signal<Out, Bits<16>>,
    pub wr: [Signal<Out, Bit>; N],
    pub waddr: Signal<Out, Bits<16>>,
    pub wdata: Signal<Out, Bits<16>>,
    // The block store.
    pub store_raddr: Signal<Out, Bits<16>>,
    pub store_rdata: Signal<In, Bits<16>>,
    pub store_we: Signal<Out, Bit>,
    pub store_waddr: Signal<Out, Bits<16>>,
    pub store_wdata: Signal<Out, Bits<16>>,
    /// Cycles since the grant (0: none yet), saturating past every window.
    c: StepReg<Bits<16>>,
    fill: Signal<Local, Bit>,
    wb_rd: Signal<Local, Bit>,
    wb_wr: Signal<Local, Bit>,
    fs_rd: Signal<Local, Bit>,
    fs_wr: Signal<Local, Bit>,
    fc_rd: Signal<Local, Bit>,
    fc_wr: Signal<Local, Bit>,
    rword: Signal<Local, Bits<16>>,
    wword: Signal<Local, Bits<16>>,
    req_rdata: Signal<Local, Bits<16>>,
    src_rdata: Signal<Local, Bits<16>>,
    tileno: [Constant<Bits<3>>; N],
    c_fill_r: Constant<Bits<3>>,
    c_fill_w: Constant<Bits<3>>,
    lw: Constant<Bits<16>>,
    wmask: Constant<Bits<16>>,
    zero: Constant<Bits<16>>,
    one: Constant<Bits<16>>,
    two: Constant<Bits<16>>,
    three: Constant<Bits<16>>,
    four: Constant<Bits<16>>,
    cmax: Constant<Bits<16>>,
    /// W, W + 1, W + 2, 2W, 2W + 1, W + 3.
    w0: Constant<Bits<16>>,
    w1: Constant<Bits<16>>,
    w2: Constant<Bits<16>>,
    ww0: Constant<Bits<16>>,
    ww1: Constant<Bits<16>>,
    w3: Constant<Bits<16>>,
}

impl<const N: usize> Mover<N> {
    /// `words`: W, a power of two.
    pub fn new(words: u16) -> Self {
        assert!(words.is_power_of_two() && words >= 2, "W = {words}");
        let w = words as u64;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            step: Default::default(),
            granting: Default::default(),
            kind: Default::default(),
            tile: Default::default(),
            block: Default::default(),
            line: Default::default(),
            writeback: Default::default(),
            source_v: Default::default(),
            source: Default::default(),
            source_line: Default::default(),
            victim_tag: Default::default(),
            cache_rdata: std::array::from_fn(|_| Default::default()),
            rd: std::array::from_fn(|_| Default::default()),
            raddr: Default::default(),
            wr: std::array::from_fn(|_| Default::default()),
            waddr: Default::default(),
            wdata: Default::default(),
            store_raddr: Default::default(),
            store_rdata: Default::default(),
            store_we: Default::default(),
            store_waddr: Default::default(),
            store_wdata: Default::default(),
            c: Default::default(),
            fill: Default::default(),
            wb_rd: Default::default(),
            wb_wr: Default::default(),
            fs_rd: Default::default(),
            fs_wr: Default::default(),
            fc_rd: Default::default(),
            fc_wr: Default::default(),
            rword: Default::default(),
            wword: Default::default(),
            req_rdata: Default::default(),
            src_rdata: Default::default(),
            tileno: std::array::from_fn(|t| k(t as u64)),
            c_fill_r: k(K_FILL_READ),
            c_fill_w: k(K_FILL_WRITE),
            lw: k(words.trailing_zeros() as u64),
            wmask: k(w - 1),
            zero: k(0),
            one: k(1),
            two: k(2),
            three: k(3),
            four: k(4),
            cmax: k(2 * w + 4),
            w0: k(w),
            w1: k(w + 1),
            w2: k(w + 2),
            ww0: k(2 * w),
            ww1: k(2 * w + 1),
            w3: k(w + 3),
        }
    }
}

impl<const N: usize> Logic for Mover<N> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, c);
        self.c.en.next = self.step.val();
        if self.granting.val() {
            self.c.d.next = self.one.val();
        } else if (self.c.q.val() != self.zero.val()) && (self.c.q.val() < self.cmax.val()) {
            self.c.d.next = self.c.q.val() + self.one.val();
        }
        if self.reset.val() {
            self.c.d.next = self.zero.val();
        }
        self.fill.next =
            (self.kind.val() == self.c_fill_r.val()) || (self.kind.val() == self.c_fill_w.val());
        // The windows (cycles since the grant).
        self.wb_rd.next = self.writeback.val()
            && (self.c.q.val() >= self.one.val())
            && (self.c.q.val() <= self.w0.val());
        self.wb_wr.next = self.writeback.val()
            && (self.c.q.val() >= self.two.val())
            && (self.c.q.val() <= self.w1.val());
        if self.writeback.val() {
            self.fs_rd.next = self.fill.val()
                && !self.source_v.val()
                && (self.c.q.val() >= self.w1.val())
                && (self.c.q.val() <= self.ww0.val());
            self.fs_wr.next = self.fill.val()
                && !self.source_v.val()
                && (self.c.q.val() >= self.w2.val())
                && (self.c.q.val() <= self.ww1.val());
            self.fc_rd.next = self.fill.val()
                && self.source_v.val()
                && (self.c.q.val() >= self.w1.val())
                && (self.c.q.val() <= self.ww0.val());
            self.fc_wr.next = self.fill.val()
                && self.source_v.val()
                && (self.c.q.val() >= self.w2.val())
                && (self.c.q.val() <= self.ww1.val());
            self.rword.next = (self.c.q.val() - self.one.val()) & self.wmask.val();
            self.wword.next = (self.c.q.val() - self.two.val()) & self.wmask.val();
        } else {
            self.fs_rd.next = self.fill.val()
                && !self.source_v.val()
                && (self.c.q.val() >= self.one.val())
                && (self.c.q.val() <= self.w0.val());
            self.fs_wr.next = self.fill.val()
                && !self.source_v.val()
                && (self.c.q.val() >= self.two.val())
                && (self.c.q.val() <= self.w1.val());
            self.fc_rd.next = self.fill.val()
                && self.source_v.val()
                && (self.c.q.val() >= self.three.val())
                && (self.c.q.val() <= self.w2.val());
            self.fc_wr.next = self.fill.val()
                && self.source_v.val()
                && (self.c.q.val() >= self.four.val())
                && (self.c.q.val() <= self.w3.val());
            if self.source_v.val() {
                self.rword.next = (self.c.q.val() - self.three.val()) & self.wmask.val();
                self.wword.next = (self.c.q.val() - self.four.val()) & self.wmask.val();
            } else {
                self.rword.next = (self.c.q.val() - self.one.val()) & self.wmask.val();
                self.wword.next = (self.c.q.val() - self.two.val()) & self.wmask.val();
            }
        }
        // The read data of the word read in the cycle before.
        self.req_rdata.next = self.cache_rdata[0].val();
        self.src_rdata.next = self.cache_rdata[0].val();
        for t in 0..N {
            if self.tile.val() == self.tileno[t].val() {
                self.req_rdata.next = self.cache_rdata[t].val();
            }
            if self.source.val() == self.tileno[t].val() {
                self.src_rdata.next = self.cache_rdata[t].val();
            }
        }
        // The tiles' cache ports.
        if self.wb_rd.val() {
            self.raddr.next = (self.line.val() << self.lw.val()) | self.rword.val();
        } else {
            self.raddr.next = (self.source_line.val() << self.lw.val()) | self.rword.val();
        }
        self.waddr.next = (self.line.val() << self.lw.val()) | self.wword.val();
        if self.fs_wr.val() {
            self.wdata.next = self.store_rdata.val();
        } else {
            self.wdata.next = self.src_rdata.val();
        }
        for t in 0..N {
            self.rd[t].next = (self.wb_rd.val() && (self.tile.val() == self.tileno[t].val()))
                || (self.fc_rd.val() && (self.source.val() == self.tileno[t].val()));
            self.wr[t].next =
                (self.fs_wr.val() || self.fc_wr.val()) && (self.tile.val() == self.tileno[t].val());
        }
        // The store's ports.
        self.store_raddr.next = (self.block.val() << self.lw.val()) | self.rword.val();
        self.store_we.next = self.wb_wr.val() || self.fc_wr.val();
        if self.wb_wr.val() {
            self.store_waddr.next = (self.victim_tag.val() << self.lw.val()) | self.wword.val();
            self.store_wdata.next = self.req_rdata.val();
        } else {
            self.store_waddr.next = (self.block.val() << self.lw.val()) | self.wword.val();
            self.store_wdata.next = self.src_rdata.val();
        }
    }
}
