//! The memory system of a build with several cores (docs/architecture.md §1, §9): the
//! coherence unit's control, the data mover, each tile's cache RAM and the block store.
//! Each tile reaches it through two sets of wires: its check ([`TilePort`]) and its cache
//! RAM ([`CachePort`], the words of its lines, `line × W + word`). The mover takes a tile's
//! RAM ports only while that tile cannot use them (it waits for its transaction, or its
//! cache is the source and its block accesses wait).

use super::cache_ram::CacheRam;
use super::coherence::{Coherence, TilePort};
use super::mover::Mover;
use crate::key::block_store::BlockStore;
use crate::step_reg::StepReg;
use crate::util::{k, Zext};
use crate::BlockMemory;
use rust_hdl::prelude::*;

/// A tile's cache RAM, as its key unit uses it.
#[derive(LogicInterface, Default)]
pub struct CachePort {
    pub raddr: Signal<In, Bits<16>>,
    pub rdata: Signal<Out, Bits<16>>,
    pub we: Signal<In, Bit>,
    pub wmask: Signal<In, Bits<2>>,
    pub waddr: Signal<In, Bits<16>>,
    pub wdata: Signal<In, Bits<16>>,
}

#[derive(LogicBlock)]
pub struct MemSystem<const N: usize, const L: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// With the tiles as contexts of one circuit (docs/architecture.md §11.2): `step` is the
    /// round edge (the unit, the mover and the store step), `first` a round's first clock,
    /// `phase[t]` tile t's clock (its cache RAM reads and is written then). All high with
    /// one context.
    pub step: Signal<In, Bit>,
    pub first: Signal<In, Bit>,
    pub phase: [Signal<In, Bit>; N],
    pub port: [TilePort; N],
    pub cache: [CachePort; N],
    /// Tile t holds the node lock.
    pub locked: [Signal<Out, Bit>; N],
    pub coh: Coherence<N, L>,
    pub rams: [CacheRam; N],
    pub store: BlockStore,
    mover: Mover<N>,
    /// Each cache RAM's read data at a round's first clock: what the mover read at the round
    /// edge, kept for its writes in the later phases (with one context: unused).
    hold: [StepReg<Bits<16>>; N],
    zl: Zext<3, 16>,
    zsl: Zext<3, 16>,
    whole: Constant<Bits<2>>,
}

impl<const N: usize, const L: usize> MemSystem<N, L> {
    /// `words`: W; `blocks`: the store's size; `skip_invalidation`: a deliberately faulty
    /// tile (see [`Coherence::new`]).
    pub fn new(words: u16, blocks: u16, skip_invalidation: Option<usize>) -> Self {
        let w = words as usize;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            step: Default::default(),
            first: Default::default(),
            phase: std::array::from_fn(|_| Default::default()),
            port: std::array::from_fn(|_| Default::default()),
            cache: std::array::from_fn(|_| Default::default()),
            locked: std::array::from_fn(|_| Default::default()),
            coh: Coherence::new(words, blocks, skip_invalidation),
            rams: std::array::from_fn(|_| CacheRam::new(L * w)),
            store: BlockStore::new(blocks as usize * w, BlockMemory::Bram),
            mover: Mover::new(words),
            hold: std::array::from_fn(|_| Default::default()),
            zl: Default::default(),
            zsl: Default::default(),
            whole: k(3),
        }
    }
}

impl<const N: usize, const L: usize> Logic for MemSystem<N, L> {
    #[hdl_gen]
    fn update(&mut self) {
        self.coh.clock.next = self.clock.val();
        self.coh.reset.next = self.reset.val();
        self.mover.clock.next = self.clock.val();
        self.mover.reset.next = self.reset.val();
        self.coh.step.next = self.step.val();
        self.mover.step.next = self.step.val();
        self.store.clock.next = self.clock.val();
        for t in 0..N {
            self.coh.port[t].ask.next = self.port[t].ask.val();
            self.coh.port[t].need.next = self.port[t].need.val();
            self.coh.port[t].blk.next = self.port[t].blk.val();
            self.coh.port[t].unlock.next = self.port[t].unlock.val();
            self.coh.port[t].take.next = self.port[t].take.val();
            self.port[t].met.next = self.coh.port[t].met.val();
            self.port[t].line.next = self.coh.port[t].line.val();
            self.port[t].alloc_ok.next = self.coh.port[t].alloc_ok.val();
            self.port[t].alloc_idx.next = self.coh.port[t].alloc_idx.val();
            self.locked[t].next = self.coh.locked[t].val();
        }
        // The mover, by the unit's transaction.
        self.zl.a.next = self.coh.x_line.val();
        self.zsl.a.next = self.coh.x_source_line.val();
        self.mover.granting.next = self.coh.granting.val();
        self.mover.kind.next = self.coh.x_kind.val();
        self.mover.tile.next = self.coh.x_tile.val();
        self.mover.block.next = self.coh.x_block.val();
        self.mover.line.next = self.zl.y.val();
        self.mover.writeback.next = self.coh.x_writeback.val();
        self.mover.source_v.next = self.coh.x_source_v.val();
        self.mover.source.next = self.coh.x_source.val();
        self.mover.source_line.next = self.zsl.y.val();
        self.mover.victim_tag.next = self.coh.x_victim_tag.val();
        self.mover.store_rdata.next = self.store.rdata.val();
        self.store.raddr.next = self.mover.store_raddr.val();
        self.store.re.next = self.step.val();
        self.store.we.next = self.mover.store_we.val() && self.step.val();
        self.store.wmask.next = self.whole.val();
        self.store.waddr.next = self.mover.store_waddr.val();
        self.store.wdata.next = self.mover.store_wdata.val();
        // Each tile's cache RAM: its key unit's, or the mover's while it moves a line.
        for t in 0..N {
            self.rams[t].clock.next = self.clock.val();
            self.hold[t].clock.next = self.clock.val();
            self.hold[t].en.next = self.first.val();
            self.hold[t].d.next = self.rams[t].rdata.val();
            if self.first.val() {
                self.mover.cache_rdata[t].next = self.rams[t].rdata.val();
            } else {
                self.mover.cache_rdata[t].next = self.hold[t].q.val();
            }
            self.cache[t].rdata.next = self.rams[t].rdata.val();
            // the mover reads at the round edge, the tile in its phase
            if self.mover.rd[t].val() {
                self.rams[t].raddr.next = self.mover.raddr.val();
                self.rams[t].re.next = self.step.val();
            } else {
                self.rams[t].raddr.next = self.cache[t].raddr.val();
                self.rams[t].re.next = self.phase[t].val();
            }
            // either writes in the tile's phase (so a read there sees the write: §9)
            if self.mover.wr[t].val() {
                self.rams[t].we.next = self.phase[t].val();
                self.rams[t].wmask.next = self.whole.val();
                self.rams[t].waddr.next = self.mover.waddr.val();
                self.rams[t].wdata.next = self.mover.wdata.val();
            } else {
                self.rams[t].we.next = self.cache[t].we.val() && self.phase[t].val();
                self.rams[t].wmask.next = self.cache[t].wmask.val();
                self.rams[t].waddr.next = self.cache[t].waddr.val();
                self.rams[t].wdata.next = self.cache[t].wdata.val();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::testkit::{Driver, Seen, BLOCKS, W};
    use crate::util::validate;

    /// The memory system and the simulator's unit and store side by side, with the same
    /// random tiles reading and writing words of their lines: every read returns what the
    /// simulator's read returns, the control registers agree every cycle, and once the
    /// tiles have stopped every valid line and the whole store hold the simulator's words.
    /// `corrupt`: from this cycle on, every word the tiles write reaches the hardware with
    /// a bit flipped (to show that the data checks fail). `contexts`: the tiles are contexts
    /// of one circuit (§11): a cycle is a round of N clocks, tile t's in clock t, where its
    /// read data are checked; the unit steps at the round's last edge. The tiles' inputs
    /// are held for the round, as the port registers hold them.
    fn lockstep<const N: usize, const L: usize>(
        cycles: u64,
        seed: u64,
        corrupt: Option<u64>,
        contexts: bool,
        out_of_phase: bool,
    ) -> Result<Seen, String> {
        let mut uut = MemSystem::<N, L>::new(W, BLOCKS, None);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<MemSystem<N, L>>| {
            x.clock.next = !x.clock.val()
        });
        let (send, recv) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<MemSystem<N, L>>| {
            let mut d = Driver::<N>::new(L, seed);
            let mut x = sim.init()?;
            let clocks = if contexts { N } else { 1 };
            let phase = |x: &mut Box<MemSystem<N, L>>, p: usize| {
                x.step.next = p + 1 == clocks;
                x.first.next = p == 0;
                for t in 0..N {
                    x.phase[t].next = !contexts || t == p || out_of_phase;
                }
            };
            phase(&mut x, 0);
            x.step.next = true;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            let mut now = 0;
            let mut settle = 0;
            while settle < 2 * W as u64 + 8 {
                now += 1;
                d.quiet = now > cycles;
                let acts = d.phase1(now);
                for (t, a) in acts.iter().enumerate() {
                    a.drive(&mut x.port[t]);
                }
                for p in 0..clocks {
                    phase(&mut x, p);
                    // the cache ports: each tile's own, or with contexts the circuit's one
                    // set of wires to every cache RAM, carrying clock p's tile's access
                    for t in 0..N {
                        let a = &acts[if contexts { p } else { t }];
                        let c = &mut x.cache[t];
                        c.raddr.next = bits::<16>(a.read.unwrap_or(0) as u64);
                        c.we.next = a.write.is_some();
                        c.wmask.next = bits::<2>(3);
                        let (wa, mut wd) = a.write.unwrap_or((0, 0));
                        if corrupt.is_some_and(|c| now >= c) {
                            wd ^= 1;
                        }
                        c.waddr.next = bits::<16>(wa as u64);
                        c.wdata.next = bits::<16>(wd as u64);
                    }
                    x = sim.wait(1, x)?;
                    for (t, a) in acts.iter().enumerate() {
                        if contexts && t != p {
                            continue;
                        }
                        if let Err(e) = a.check(&x.port[t], t, now) {
                            send.send(Err(e)).unwrap();
                            return sim.done(x);
                        }
                        if let Some(v) = a.expect {
                            let hw = x.cache[t].rdata.val().index() as u16;
                            if hw != v {
                                let e =
                                    format!("cycle {now}: tile {t} read {hw:#06x}, sim {v:#06x}");
                                send.send(Err(e)).unwrap();
                                return sim.done(x);
                            }
                        }
                    }
                    if p + 1 == clocks {
                        d.phase2(now);
                    }
                    wait_clock_cycle!(sim, clock, x);
                }
                if let Err(e) = crate::mem::testkit::compare(&x.coh, &d.model, now) {
                    send.send(Err(e)).unwrap();
                    return sim.done(x);
                }
                settle = if d.quiet && d.settled() {
                    settle + 1
                } else {
                    0
                };
            }
            // Every valid line, and the store.
            for t in 0..N {
                for i in 0..L {
                    let l = &d.model.tiles[t].cache;
                    if !l.lines[i].state.valid() {
                        continue;
                    }
                    let w = W as usize;
                    let hw = &x.rams[t].cells()[i * w..][..w];
                    if hw != l.line(i) {
                        let e = format!("tile {t} line {i}: rtl {hw:x?}, sim {:x?}", l.line(i));
                        send.send(Err(e)).unwrap();
                        return sim.done(x);
                    }
                }
            }
            for b in 0..BLOCKS {
                let w = W as usize;
                let hw = &x.store.cells()[b as usize * w..][..w];
                if hw != d.store.block(b) {
                    let e = format!("store block {b}: rtl {hw:x?}, sim {:x?}", d.store.block(b));
                    send.send(Err(e)).unwrap();
                    return sim.done(x);
                }
            }
            send.send(Ok(std::mem::take(&mut d.seen))).unwrap();
            sim.done(x)
        });
        sim.run(Box::new(uut), (cycles * 20 + 10_000) * N as u64)
            .unwrap();
        recv.recv().unwrap()
    }

    #[test]
    fn the_memory_system_agrees_with_the_simulator_2_tiles_2_lines() {
        lockstep::<2, 2>(4000, 0x1234_5678, None, false, false)
            .unwrap()
            .assert_covered();
    }

    /// The same with the tiles as four contexts of one circuit (docs/architecture.md §11):
    /// each cache RAM read and written in its tile's clock of the round, the unit and the
    /// mover stepping at the round's last edge.
    #[test]
    fn the_memory_system_of_four_contexts_agrees_with_the_simulator() {
        for seed in [0x7777, 0x2468_ace0] {
            lockstep::<4, 2>(4000, seed, None, true, false)
                .unwrap()
                .assert_covered();
        }
    }

    /// Contexts whose cache RAMs read and take writes at every clock (each in every
    /// tile's phase) are caught.
    #[test]
    fn contexts_reading_their_cache_out_of_phase_are_caught() {
        let e = lockstep::<4, 2>(4000, 0x7777, None, true, true).unwrap_err();
        eprintln!("{e}");
    }

    #[test]
    fn the_memory_system_agrees_with_the_simulator_4_tiles_2_lines() {
        lockstep::<4, 2>(4000, 0x7777, None, false, false)
            .unwrap()
            .assert_covered();
    }

    /// Wrong words in the lines are found (by the reads).
    #[test]
    fn a_wrong_word_is_caught() {
        let e = lockstep::<2, 2>(4000, 0x1234_5678, Some(1000), false, false).unwrap_err();
        eprintln!("{e}");
        assert!(e.contains(" read "), "{e}");
    }

    #[test]
    fn mem_system_yosys_validate() {
        let mut uut = MemSystem::<2, 2>::new(128, 16, None);
        uut.connect_all();
        validate("j1k_mem_system", &crate::util::verilog(&uut));
        // Its iCE40 mapping in the two-core boards' shape (boards/*.toml `[[multicore]]`: 2
        // tiles of 2 lines, 8 blocks of 128 words): the unit, the mover, the store.
        let mut hx8k = MemSystem::<2, 2>::new(128, 8, None);
        hx8k.connect_all();
        let cells =
            crate::util::validate_ice40("j1k_mem_system", "top", &crate::util::verilog(&hx8k));
        eprintln!(
            "memory system, 2 tiles of 2 lines, 8 blocks of 128 words: {}",
            crate::util::ice40_size(&cells)
        );
    }
}
