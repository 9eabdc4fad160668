//! The coherence unit's control (docs/architecture.md §3, §9): every tile's lines
//! ([`TileLines`]), the round-robin arbiter, the transaction registers and the block
//! allocator — `Coherence` of `sim/src/mem/unit.rs` in gates, cycle for cycle. The data
//! mover reads the transaction registers; the lockstep test compares every register with
//! the simulator's every cycle.

use super::lines::{TileLines, NEED_ALLOC, NEED_LOCK, NEED_READ, NEED_WRITE};
use crate::key::alloc::Allocator;
use crate::step_reg::StepReg;
use crate::util::k;
use j1k_isa::coherence;
use rust_hdl::prelude::*;

/// A transaction's kind (3 bits), as the simulator encodes it.
pub const K_NOP: u64 = coherence::KIND_NOP as u64;
pub const K_FILL_READ: u64 = coherence::KIND_FILL_READ as u64;
pub const K_FILL_WRITE: u64 = coherence::KIND_FILL_WRITE as u64;
pub const K_UPGRADE: u64 = coherence::KIND_UPGRADE as u64;
pub const K_ALLOC: u64 = coherence::KIND_ALLOC as u64;
pub const K_LOCK: u64 = coherence::KIND_LOCK as u64;

/// A tile's wires to the unit: its key unit's check in an instruction's first cycle, the
/// release in its last, `balloc`'s take of the allocation.
#[derive(LogicInterface, Default)]
pub struct TilePort {
    pub ask: Signal<In, Bit>,
    pub need: Signal<In, Bits<2>>,
    pub blk: Signal<In, Bits<16>>,
    pub unlock: Signal<In, Bit>,
    pub take: Signal<In, Bit>,
    pub met: Signal<Out, Bit>,
    pub line: Signal<Out, Bits<3>>,
    pub alloc_ok: Signal<Out, Bit>,
    pub alloc_idx: Signal<Out, Bits<16>>,
}

#[derive(LogicBlock)]
pub struct Coherence<const N: usize, const L: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The round edge: the registers step (tied high with one context).
    pub step: Signal<In, Bit>,
    pub port: [TilePort; N],
    /// Each tile's lines (their outputs are the lockstep view).
    pub tiles: [TileLines<L>; N],
    // The transaction registers (meaningful while `active`).
    pub active: Signal<Out, Bit>,
    pub x_kind: Signal<Out, Bits<3>>,
    pub x_tile: Signal<Out, Bits<3>>,
    pub x_block: Signal<Out, Bits<16>>,
    pub x_line: Signal<Out, Bits<3>>,
    pub x_writeback: Signal<Out, Bit>,
    pub x_source_v: Signal<Out, Bit>,
    pub x_source: Signal<Out, Bits<3>>,
    /// The source's line holding the block.
    pub x_source_line: Signal<Out, Bits<3>>,
    /// A grant at this cycle's edge (the data mover starts counting).
    pub granting: Signal<Out, Bit>,
    /// Cycles since the grant, up to 3 (the source's port is busy from 3 on).
    pub x_age: Signal<Out, Bits<2>>,
    pub x_left: Signal<Out, Bits<16>>,
    /// The victim's tag (for the mover's write-back).
    pub x_victim_tag: Signal<Out, Bits<16>>,
    /// The tile granted last.
    pub last: Signal<Out, Bits<3>>,
    /// Tile t holds the node lock (it drives the node store and node allocator).
    pub locked: [Signal<Out, Bit>; N],
    alloc: Allocator,
    act: StepReg<Bit>,
    xk: StepReg<Bits<3>>,
    xt: StepReg<Bits<3>>,
    xb: StepReg<Bits<16>>,
    xl: StepReg<Bits<3>>,
    xwb: StepReg<Bit>,
    xsv: StepReg<Bit>,
    xs: StepReg<Bits<3>>,
    xsl: StepReg<Bits<3>>,
    xage: StepReg<Bits<2>>,
    xleft: StepReg<Bits<16>>,
    xok: StepReg<Bit>,
    xvt: StepReg<Bits<16>>,
    lst: StepReg<Bits<3>>,
    // The grant: round robin from the tile after `last`.
    hi: [Signal<Local, Bit>; N],
    lo: [Signal<Local, Bit>; N],
    seenhi: [Signal<Local, Bit>; N],
    seenlo: [Signal<Local, Bit>; N],
    pick: [Signal<Local, Bit>; N],
    anyhi: Signal<Local, Bit>,
    any: Signal<Local, Bit>,
    sel: Signal<Local, Bits<3>>,
    cneed: Signal<Local, Bits<2>>,
    cblk: Signal<Local, Bits<16>>,
    own: Signal<Local, Bit>,
    own_w: Signal<Local, Bit>,
    own_line: Signal<Local, Bits<3>>,
    vict: Signal<Local, Bits<3>>,
    vict_m: Signal<Local, Bit>,
    vict_tag: Signal<Local, Bits<16>>,
    gk: Signal<Local, Bits<3>>,
    gline: Signal<Local, Bits<3>>,
    gwb: Signal<Local, Bit>,
    gleft: Signal<Local, Bits<16>>,
    gsv: Signal<Local, Bit>,
    gs: Signal<Local, Bits<3>>,
    gsl: Signal<Local, Bits<3>>,
    gok: Signal<Local, Bit>,
    // The transaction in progress.
    done: Signal<Local, Bit>,
    xlock: Signal<Local, Bit>,
    shared: Signal<Local, Bit>,
    kk: Signal<Local, Bits<3>>,
    tileno: [Constant<Bits<3>>; N],
    last_tile: Constant<Bits<3>>,
    c_nop: Constant<Bits<3>>,
    c_fill_r: Constant<Bits<3>>,
    c_fill_w: Constant<Bits<3>>,
    c_upgrade: Constant<Bits<3>>,
    c_alloc: Constant<Bits<3>>,
    c_lock: Constant<Bits<3>>,
    n_read: Constant<Bits<2>>,
    n_write: Constant<Bits<2>>,
    n_lock: Constant<Bits<2>>,
    n_alloc: Constant<Bits<2>>,
    age_max: Constant<Bits<2>>,
    age_one: Constant<Bits<2>>,
    one: Constant<Bits<16>>,
    two: Constant<Bits<16>>,
    zero16: Constant<Bits<16>>,
    zero3: Constant<Bits<3>>,
    /// 2 + W, 2 + 2W, W + 1: the fill, the fill with a write-back, the allocation with one.
    fill: Constant<Bits<16>>,
    fill_wb: Constant<Bits<16>>,
    alloc_wb: Constant<Bits<16>>,
}

impl<const N: usize, const L: usize> Coherence<N, L> {
    /// `words`: W, the block size; `blocks`: the store's blocks (the allocator hands out
    /// 1..blocks). `skip_invalidation`: a tile that ignores invalidations (a deliberate
    /// fault, for the test that shows the lockstep catches one).
    pub fn new(words: u16, blocks: u16, skip_invalidation: Option<usize>) -> Self {
        assert!((2..=8).contains(&N), "2 to 8 tiles");
        let w = words as u64;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            step: Default::default(),
            port: std::array::from_fn(|_| Default::default()),
            locked: std::array::from_fn(|_| Default::default()),
            tiles: std::array::from_fn(|t| TileLines::new(blocks, skip_invalidation == Some(t))),
            active: Default::default(),
            x_kind: Default::default(),
            x_tile: Default::default(),
            x_block: Default::default(),
            x_line: Default::default(),
            x_writeback: Default::default(),
            x_source_v: Default::default(),
            x_source: Default::default(),
            x_source_line: Default::default(),
            granting: Default::default(),
            x_age: Default::default(),
            x_left: Default::default(),
            x_victim_tag: Default::default(),
            last: Default::default(),
            alloc: Allocator::new(1, blocks),
            act: Default::default(),
            xk: Default::default(),
            xt: Default::default(),
            xb: Default::default(),
            xl: Default::default(),
            xwb: Default::default(),
            xsv: Default::default(),
            xs: Default::default(),
            xsl: Default::default(),
            xage: Default::default(),
            xleft: Default::default(),
            xok: Default::default(),
            xvt: Default::default(),
            lst: Default::default(),
            hi: std::array::from_fn(|_| Default::default()),
            lo: std::array::from_fn(|_| Default::default()),
            seenhi: std::array::from_fn(|_| Default::default()),
            seenlo: std::array::from_fn(|_| Default::default()),
            pick: std::array::from_fn(|_| Default::default()),
            anyhi: Default::default(),
            any: Default::default(),
            sel: Default::default(),
            cneed: Default::default(),
            cblk: Default::default(),
            own: Default::default(),
            own_w: Default::default(),
            own_line: Default::default(),
            vict: Default::default(),
            vict_m: Default::default(),
            vict_tag: Default::default(),
            gk: Default::default(),
            gline: Default::default(),
            gwb: Default::default(),
            gleft: Default::default(),
            gsv: Default::default(),
            gs: Default::default(),
            gsl: Default::default(),
            gok: Default::default(),
            done: Default::default(),
            xlock: Default::default(),
            shared: Default::default(),
            kk: Default::default(),
            tileno: std::array::from_fn(|t| k(t as u64)),
            last_tile: k(N as u64 - 1),
            c_nop: k(K_NOP),
            c_fill_r: k(K_FILL_READ),
            c_fill_w: k(K_FILL_WRITE),
            c_upgrade: k(K_UPGRADE),
            c_alloc: k(K_ALLOC),
            c_lock: k(K_LOCK),
            n_read: k(NEED_READ),
            n_write: k(NEED_WRITE),
            n_lock: k(NEED_LOCK),
            n_alloc: k(NEED_ALLOC),
            age_max: k(3),
            age_one: k(1),
            one: k(1),
            two: k(2),
            zero16: k(0),
            zero3: k(0),
            fill: k(2 + w),
            fill_wb: k(2 + 2 * w),
            alloc_wb: k(w + 1),
        }
    }
}

impl<const N: usize, const L: usize> Logic for Coherence<N, L> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, act, xk, xt, xb, xl, xwb, xsv, xs, xsl, xage, xleft, xok, xvt, lst);
        self.act.en.next = self.step.val();
        self.xk.en.next = self.step.val();
        self.xt.en.next = self.step.val();
        self.xb.en.next = self.step.val();
        self.xl.en.next = self.step.val();
        self.xwb.en.next = self.step.val();
        self.xsv.en.next = self.step.val();
        self.xs.en.next = self.step.val();
        self.xsl.en.next = self.step.val();
        self.xage.en.next = self.step.val();
        self.xleft.en.next = self.step.val();
        self.xok.en.next = self.step.val();
        self.xvt.en.next = self.step.val();
        self.lst.en.next = self.step.val();
        self.alloc.clock.next = self.clock.val();
        self.alloc.reset.next = self.reset.val();
        self.alloc.step.next = self.step.val();
        self.alloc.take.next = false;
        self.active.next = self.act.q.val();
        self.x_kind.next = self.xk.q.val();
        self.x_tile.next = self.xt.q.val();
        self.x_block.next = self.xb.q.val();
        self.x_line.next = self.xl.q.val();
        self.x_writeback.next = self.xwb.q.val();
        self.x_source_v.next = self.xsv.q.val();
        self.x_source.next = self.xs.q.val();
        self.x_source_line.next = self.xsl.q.val();
        self.x_age.next = self.xage.q.val();
        self.x_left.next = self.xleft.q.val();
        self.x_victim_tag.next = self.xvt.q.val();
        self.last.next = self.lst.q.val();
        for t in 0..N {
            self.tiles[t].clock.next = self.clock.val();
            self.tiles[t].reset.next = self.reset.val();
            self.tiles[t].step.next = self.step.val();
            self.tiles[t].ask.next = self.port[t].ask.val();
            self.tiles[t].need.next = self.port[t].need.val();
            self.tiles[t].blk.next = self.port[t].blk.val();
            self.tiles[t].unlock.next = self.port[t].unlock.val();
            self.tiles[t].take.next = self.port[t].take.val();
            self.port[t].met.next = self.tiles[t].met.val();
            self.port[t].line.next = self.tiles[t].line.val();
            self.port[t].alloc_ok.next = self.tiles[t].alloc_ok.val();
            self.port[t].alloc_idx.next = self.tiles[t].alloc_idx.val();
            self.locked[t].next = self.tiles[t].locked.val();
            self.tiles[t].busy.next = self.act.q.val()
                && self.xsv.q.val()
                && (self.xs.q.val() == self.tileno[t].val())
                && (self.xage.q.val() == self.age_max.val());
        }

        // The candidate: the first requesting tile after `last`, round robin. (Requests
        // are registers: one raised in this cycle's phase 1 is seen from the next cycle.)
        self.anyhi.next = false;
        self.any.next = false;
        for t in 0..N {
            self.hi[t].next =
                self.tiles[t].req_v.val() && (self.lst.q.val() < self.tileno[t].val());
            self.lo[t].next =
                self.tiles[t].req_v.val() && (self.lst.q.val() >= self.tileno[t].val());
            if self.hi[t].val() {
                self.anyhi.next = true;
            }
            if self.tiles[t].req_v.val() {
                self.any.next = true;
            }
        }
        self.granting.next = !self.act.q.val() && self.any.val();
        self.seenhi[0].next = false;
        self.seenlo[0].next = false;
        for t in 1..N {
            self.seenhi[t].next = self.seenhi[t - 1].val() || self.hi[t - 1].val();
            self.seenlo[t].next = self.seenlo[t - 1].val() || self.lo[t - 1].val();
        }
        self.sel.next = self.zero3.val();
        self.cneed.next = self.n_read.val();
        self.cblk.next = self.zero16.val();
        self.own.next = false;
        self.own_w.next = false;
        self.own_line.next = self.zero3.val();
        self.vict.next = self.zero3.val();
        self.vict_m.next = false;
        self.vict_tag.next = self.zero16.val();
        for t in 0..N {
            self.pick[t].next = (self.anyhi.val() && self.hi[t].val() && !self.seenhi[t].val())
                || (!self.anyhi.val() && self.lo[t].val() && !self.seenlo[t].val());
            if self.pick[t].val() {
                self.sel.next = self.tileno[t].val();
                self.cneed.next = self.tiles[t].req_need.val();
                self.cblk.next = self.tiles[t].req_blk.val();
                self.own.next = self.tiles[t].probe_hit.val();
                self.own_w.next = self.tiles[t].probe_w.val();
                self.own_line.next = self.tiles[t].probe_line.val();
                self.vict.next = self.tiles[t].victim.val();
                self.vict_m.next = self.tiles[t].victim_m.val();
                self.vict_tag.next = self.tiles[t].victim_tag.val();
            }
        }
        // What the grant would be (Coherence::grant), from the states phase 1 leaves.
        self.gk.next = self.c_nop.val();
        self.gline.next = self.zero3.val();
        self.gwb.next = false;
        self.gleft.next = self.one.val();
        self.gok.next = false;
        if self.cneed.val() == self.n_lock.val() {
            self.gk.next = self.c_lock.val();
        } else if self.cneed.val() == self.n_alloc.val() {
            self.gk.next = self.c_alloc.val();
            self.gok.next = self.alloc.avail.val();
            if self.alloc.avail.val() {
                self.gline.next = self.vict.val();
                self.gwb.next = self.vict_m.val();
                if self.vict_m.val() {
                    self.gleft.next = self.alloc_wb.val();
                }
            }
        } else if self.own.val() && ((self.cneed.val() != self.n_write.val()) || self.own_w.val()) {
            self.gline.next = self.own_line.val();
        } else if self.own.val() {
            self.gk.next = self.c_upgrade.val();
            self.gline.next = self.own_line.val();
            self.gleft.next = self.two.val();
        } else {
            if self.cneed.val() == self.n_write.val() {
                self.gk.next = self.c_fill_w.val();
            } else {
                self.gk.next = self.c_fill_r.val();
            }
            self.gline.next = self.vict.val();
            self.gwb.next = self.vict_m.val();
            if self.vict_m.val() {
                self.gleft.next = self.fill_wb.val();
            } else {
                self.gleft.next = self.fill.val();
            }
        }
        // The source: another tile's modified copy (for a fill or an upgrade).
        self.gsv.next = false;
        self.gs.next = self.zero3.val();
        self.gsl.next = self.zero3.val();
        for t in 0..N {
            if self.tiles[t].probe_hit.val()
                && self.tiles[t].probe_m.val()
                && !self.pick[t].val()
                && ((self.gk.val() == self.c_fill_r.val())
                    || (self.gk.val() == self.c_fill_w.val())
                    || (self.gk.val() == self.c_upgrade.val()))
            {
                self.gsv.next = true;
                self.gs.next = self.tileno[t].val();
                self.gsl.next = self.tiles[t].probe_line.val();
            }
        }

        // The transaction in progress: its last cycle?
        self.xlock.next = false;
        self.shared.next = false;
        for t in 0..N {
            if self.xt.q.val() == self.tileno[t].val() {
                self.xlock.next = self.tiles[t].lock.val();
            } else if self.tiles[t].keeps.val() {
                self.shared.next = true;
            }
        }
        if self.xk.q.val() == self.c_lock.val() {
            self.done.next = self.act.q.val() && !self.xlock.val();
        } else {
            self.done.next = self.act.q.val() && (self.xleft.q.val() == self.one.val());
        }

        // The orders to every tile: a completion's (from the registers) or a grant's.
        if self.act.q.val() {
            self.kk.next = self.xk.q.val();
        } else {
            self.kk.next = self.gk.val();
        }
        for t in 0..N {
            if self.act.q.val() && (self.xk.q.val() == self.c_alloc.val()) {
                self.tiles[t].order.blk.next = self.alloc.idx.val();
            } else if self.act.q.val() {
                self.tiles[t].order.blk.next = self.xb.q.val();
            } else {
                self.tiles[t].order.blk.next = self.cblk.val();
            }
            if self.act.q.val() {
                self.tiles[t].order.mine.next = self.xt.q.val() == self.tileno[t].val();
                self.tiles[t].order.ok.next = self.xok.q.val();
                self.tiles[t].order.line.next = self.xl.q.val();
            } else {
                self.tiles[t].order.mine.next = self.pick[t].val();
                self.tiles[t].order.ok.next = self.gok.val();
                self.tiles[t].order.line.next = self.gline.val();
            }
            self.tiles[t].order.grant.next = !self.act.q.val() && self.any.val();
            self.tiles[t].order.complete.next = self.done.val();
            self.tiles[t].order.fill.next =
                (self.kk.val() == self.c_fill_r.val()) || (self.kk.val() == self.c_fill_w.val());
            self.tiles[t].order.upgrade.next = self.kk.val() == self.c_upgrade.val();
            self.tiles[t].order.alloc.next = self.kk.val() == self.c_alloc.val();
            self.tiles[t].order.lock.next = self.kk.val() == self.c_lock.val();
            self.tiles[t].order.write.next =
                (self.kk.val() == self.c_fill_w.val()) || (self.kk.val() == self.c_upgrade.val());
            self.tiles[t].order.shared.next = self.shared.val();
        }

        // The registers (Coherence::tick).
        if self.act.q.val() {
            if self.xage.q.val() != self.age_max.val() {
                self.xage.d.next = self.xage.q.val() + self.age_one.val();
            }
            if self.done.val() {
                self.act.d.next = false;
                self.alloc.take.next = (self.xk.q.val() == self.c_alloc.val()) && self.xok.q.val();
            } else if self.xk.q.val() != self.c_lock.val() {
                self.xleft.d.next = self.xleft.q.val() - self.one.val();
            }
        } else if self.any.val() {
            self.act.d.next = true;
            self.xk.d.next = self.gk.val();
            self.xt.d.next = self.sel.val();
            if (self.cneed.val() == self.n_read.val()) || (self.cneed.val() == self.n_write.val()) {
                self.xb.d.next = self.cblk.val();
            } else {
                self.xb.d.next = self.zero16.val();
            }
            self.xl.d.next = self.gline.val();
            self.xwb.d.next = self.gwb.val();
            self.xsv.d.next = self.gsv.val();
            self.xs.d.next = self.gs.val();
            self.xsl.d.next = self.gsl.val();
            self.xage.d.next = self.age_one.val();
            self.xleft.d.next = self.gleft.val();
            self.xok.d.next = self.gok.val();
            self.xvt.d.next = self.vict_tag.val();
            self.lst.d.next = self.sel.val();
        }
        if self.reset.val() {
            self.act.d.next = false;
            self.lst.d.next = self.last_tile.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::testkit::{compare, Driver, Seen, BLOCKS, W};
    use crate::util::validate;

    /// Runs the block and the simulator's unit side by side with the same random tiles
    /// (mem/testkit.rs) for `cycles` cycles, comparing the tiles' answers in every cycle's
    /// phase 1 and every register after every clock edge. Err: the first difference.
    fn lockstep<const N: usize, const L: usize>(
        cycles: u64,
        seed: u64,
        fault: Option<usize>,
    ) -> Result<Seen, String> {
        let mut uut = Coherence::<N, L>::new(W, BLOCKS, fault);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Coherence<N, L>>| {
            x.clock.next = !x.clock.val()
        });
        let (send, recv) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<Coherence<N, L>>| {
            let mut d = Driver::<N>::new(L, seed);
            let mut x = sim.init()?;
            x.step.next = true;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            for now in 1..=cycles {
                let acts = d.phase1(now);
                for (t, a) in acts.iter().enumerate() {
                    a.drive(&mut x.port[t]);
                }
                x = sim.wait(1, x)?;
                for (t, a) in acts.iter().enumerate() {
                    if let Err(e) = a.check(&x.port[t], t, now) {
                        send.send(Err(e)).unwrap();
                        return sim.done(x);
                    }
                }
                d.phase2(now);
                wait_clock_cycle!(sim, clock, x);
                if let Err(e) = compare(&x, &d.model, now) {
                    send.send(Err(e)).unwrap();
                    return sim.done(x);
                }
            }
            send.send(Ok(std::mem::take(&mut d.seen))).unwrap();
            sim.done(x)
        });
        sim.run(Box::new(uut), cycles * 10 + 100).unwrap();
        recv.recv().unwrap()
    }

    #[test]
    fn coherence_agrees_with_the_simulator_2_tiles_2_lines() {
        lockstep::<2, 2>(4000, 0x1234_5678, None)
            .unwrap()
            .assert_covered();
    }

    #[test]
    fn coherence_agrees_with_the_simulator_3_tiles_1_line() {
        lockstep::<3, 1>(3000, 0x9e37_79b9, None)
            .unwrap()
            .assert_covered();
    }

    #[test]
    fn coherence_agrees_with_the_simulator_4_tiles_4_lines() {
        lockstep::<4, 4>(6000, 0x1111, None)
            .unwrap()
            .assert_covered();
    }

    /// The lockstep catches a unit that drops invalidations in one tile.
    #[test]
    fn a_dropped_invalidation_is_caught() {
        let e = lockstep::<2, 2>(4000, 0x1234_5678, Some(1)).unwrap_err();
        eprintln!("{e}");
        assert!(e.contains("tile 1 line"), "{e}");
    }

    #[test]
    fn coherence_yosys_validate() {
        let mut uut = Coherence::<4, 4>::new(128, 256, None);
        uut.connect_all();
        let v = crate::util::verilog(&uut);
        validate("j1k_coherence", &v);
        // The iCE40 mapping too, and its size (docs/architecture.md §7 budgets the unit).
        // (The HX8K's planned builds: 2 tiles of 2 lines and 12 blocks; 4 of 4 and 28.)
        let hx8k_2 = {
            let mut u = Coherence::<2, 2>::new(128, 12, None);
            u.connect_all();
            crate::util::verilog(&u)
        };
        let hx8k_4 = {
            let mut u = Coherence::<4, 4>::new(64, 28, None);
            u.connect_all();
            crate::util::verilog(&u)
        };
        for (what, v) in [
            ("4 tiles, 4 lines, 256 blocks", &v),
            ("2 tiles, 2 lines, 12 blocks", &hx8k_2),
            ("4 tiles, 4 lines, 28 blocks", &hx8k_4),
        ] {
            let cells = crate::util::validate_ice40("j1k_coherence", "top", v);
            eprintln!(
                "coherence unit, {what}: {}",
                crate::util::ice40_size(&cells)
            );
        }
    }
}
