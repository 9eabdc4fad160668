//! Random tiles for the memory system's lockstep tests: each tile runs, one after another,
//! block reads (2 cycles), writes and `bxadd`s (3), node accesses (2..=4 under the lock) and
//! `balloc`s (2 + W, zeroing the new block) on L + 2 shared blocks (so that lines are
//! evicted; the first that tile 0 allocates: a block exists before it is shared), exactly
//! as the
//! simulator's key unit calls its `Coherence` (an instruction's first cycle asks until met,
//! its last releases, `balloc` takes the allocation in its second). The driver runs the
//! simulator's unit alongside and says, each cycle, what each tile puts on its ports and
//! what it must get back.

use super::coherence::{Coherence, TilePort};
use super::lines::{NEED_READ, NEED_WRITE};
use j1k_sim::lockstep::{Comparator, UnitObs};
use j1k_sim::mem::unit::{Coherence as Model, Need, Tick};
use j1k_sim::{KeyConfig, Store};

pub const W: u16 = 4;
pub const BLOCKS: u16 = 16;

#[derive(Clone, Copy, Debug)]
enum Op {
    Read(u16, usize),
    Write(u16, usize, u16),
    Add(u16, usize),
    Node(u8),
    Alloc,
}

#[derive(Clone, Copy, Debug)]
enum Tile {
    Idle,
    Ask(Op),
    Run {
        op: Op,
        n: u8,
        total: u8,
        line: usize,
        /// What the decode cycle read (`b@`, `bxadd`).
        old: u16,
        /// `balloc` got a block.
        got: bool,
    },
}

/// One tile's ports in one cycle.
#[derive(Clone, Copy, Debug, Default)]
pub struct Act {
    pub ask: bool,
    pub need: u64,
    pub blk: u16,
    pub release: bool,
    pub take: bool,
    /// The model's answer to the ask, and the line it found.
    pub met: Option<bool>,
    pub line: Option<usize>,
    /// The cache word to read (its data are checked in the next cycle's `expect`).
    pub read: Option<u16>,
    pub expect: Option<u16>,
    /// A cache word to write, whole.
    pub write: Option<(u16, u16)>,
}

impl Act {
    /// Puts this tile's check (ask, need, block, release, take) on its port.
    pub fn drive(&self, p: &mut TilePort) {
        p.ask.next = self.ask;
        p.need.next = rust_hdl::prelude::bits::<2>(self.need);
        p.blk.next = rust_hdl::prelude::bits::<16>(self.blk as u64);
        p.unlock.next = self.release;
        p.take.next = self.take;
    }

    /// The port's answer in phase 1 against the simulator's: `met`, and for a block access
    /// met, the line.
    pub fn check(&self, p: &TilePort, t: usize, now: u64) -> Result<(), String> {
        if let Some(met) = self.met {
            let hw = p.met.val();
            if hw != met {
                return Err(format!(
                    "cycle {now}: tile {t} asked: rtl met {hw}, sim {met}"
                ));
            }
        }
        if let Some(l) = self
            .line
            .filter(|_| self.need == NEED_READ || self.need == NEED_WRITE)
        {
            if p.line.val().index() != l {
                return Err(format!(
                    "cycle {now}: tile {t}'s line for block {}",
                    self.blk
                ));
            }
        }
        Ok(())
    }
}

/// What a run granted: each kind, fills and allocations with a modified victim or a
/// modified source, and allocations refused (the store full).
#[derive(Debug, Default)]
pub struct Seen {
    pub kinds: [u64; 6],
    pub writebacks: u64,
    pub sources: u64,
    pub full: u64,
}

impl Seen {
    /// Every kind of transaction happened, with and without write-backs and sources.
    pub fn assert_covered(&self) {
        eprintln!("{self:?}");
        assert!(self.kinds.iter().all(|&k| k > 0), "{self:?}");
        assert!(
            self.writebacks > 0 && self.sources > 0 && self.full > 0,
            "{self:?}"
        );
    }
}

pub struct Driver<const N: usize> {
    pub model: Model,
    pub store: Store,
    pub seen: Seen,
    tiles: [Tile; N],
    rng: u64,
    /// Start no new instruction (to let the system settle at the end).
    pub quiet: bool,
    lw: u32,
    /// Reads issued last cycle, checked this cycle.
    pending: [Option<u16>; N],
    /// The shared blocks, as tile 0 allocates them first.
    shared: Vec<u16>,
    nshared: usize,
}

/// A need as the tile's port carries it: its code and block.
pub fn need_code(n: Need) -> (u64, u16) {
    let b = match n {
        Need::Read(b) | Need::Write(b) => b,
        Need::NodeLock | Need::Alloc => 0,
    };
    (n.code() as u64, b)
}

impl<const N: usize> Driver<N> {
    pub fn new(lines: usize, seed: u64) -> Self {
        let cfg = KeyConfig {
            block_words: W,
            blocks: BLOCKS,
            ..KeyConfig::default()
        };
        Driver {
            model: Model::new(N, lines, W as usize, cfg.node_slots as usize),
            store: Store::new(cfg),
            seen: Seen::default(),
            tiles: [Tile::Idle; N],
            rng: seed | 1,
            quiet: false,
            lw: W.trailing_zeros(),
            pending: [None; N],
            shared: Vec::new(),
            nshared: lines + 2,
        }
    }

    fn rand(&mut self, n: u64) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng % n
    }

    /// Every tile idle and the unit done.
    pub fn settled(&self) -> bool {
        self.tiles.iter().all(|t| matches!(t, Tile::Idle)) && self.model.active.is_none()
    }

    fn addr(&self, line: usize, w: usize) -> u16 {
        ((line << self.lw) | w) as u16
    }

    /// Phase 1 of cycle `now` on the model: what each tile does.
    pub fn phase1(&mut self, now: u64) -> [Act; N] {
        let mut acts = [Act::default(); N];
        for (t, act) in acts.iter_mut().enumerate() {
            act.expect = self.pending[t].take();
            if let (Tile::Idle, true) = (self.tiles[t], self.shared.len() < self.nshared) {
                if t == 0 {
                    self.tiles[t] = Tile::Ask(Op::Alloc);
                }
            } else if let Tile::Idle = self.tiles[t] {
                if !self.quiet && self.rand(10) < 3 {
                    let i = self.rand(self.nshared as u64) as usize;
                    let b = self.shared[i];
                    let w = self.rand(W as u64) as usize;
                    let v = self.rand(0x10000) as u16;
                    self.tiles[t] = Tile::Ask(match self.rand(10) {
                        0..=2 => Op::Read(b, w),
                        3..=5 => Op::Write(b, w, v),
                        6..=7 => Op::Add(b, w),
                        8 => Op::Node(2 + self.rand(3) as u8),
                        _ => Op::Alloc,
                    });
                }
            }
            match self.tiles[t] {
                Tile::Idle => {}
                Tile::Ask(op) => {
                    let need = match op {
                        Op::Read(b, _) => Need::Read(b),
                        Op::Write(b, ..) | Op::Add(b, _) => Need::Write(b),
                        Op::Node(_) => Need::NodeLock,
                        Op::Alloc => Need::Alloc,
                    };
                    let (code, b) = need_code(need);
                    act.ask = true;
                    act.need = code;
                    act.blk = b;
                    let met = self.model.ready(t, need, now);
                    act.met = Some(met);
                    if met {
                        let line = match need {
                            Need::Read(b) | Need::Write(b) => {
                                self.model.tiles[t].cache.find(b).unwrap()
                            }
                            _ => 0,
                        };
                        act.line = Some(line);
                        let mut old = 0;
                        if let Op::Read(b, w) | Op::Add(b, w) = op {
                            old = self.model.tiles[t].cache.read(b, w);
                            act.read = Some(self.addr(line, w));
                            self.pending[t] = Some(old);
                        }
                        let total = match op {
                            Op::Read(..) => 2,
                            Op::Write(..) | Op::Add(..) => 3,
                            Op::Node(c) => c,
                            Op::Alloc => 2 + W as u8,
                        };
                        self.tiles[t] = Tile::Run {
                            op,
                            n: 1,
                            total,
                            line,
                            old,
                            got: false,
                        };
                    }
                }
                Tile::Run {
                    op,
                    n,
                    total,
                    mut line,
                    old,
                    mut got,
                } => {
                    let n = n + 1;
                    match op {
                        Op::Write(b, w, v) if n == 2 => {
                            act.write = Some((self.addr(line, w), v));
                            self.model.tiles[t].cache.write(b, w, v);
                        }
                        Op::Add(b, w) if n == 3 => {
                            let v = old.wrapping_add(1);
                            act.write = Some((self.addr(line, w), v));
                            self.model.tiles[t].cache.write(b, w, v);
                        }
                        Op::Alloc if n == 2 => {
                            act.take = true;
                            match self.model.tiles[t].alloc.take() {
                                Some(Some(i)) => {
                                    got = true;
                                    if self.shared.len() < self.nshared {
                                        self.shared.push(i);
                                    }
                                    line = self.model.tiles[t].cache.find(i).unwrap();
                                }
                                _ => self.seen.full += 1,
                            }
                        }
                        Op::Alloc if n >= 3 && got => {
                            // balloc zeroes the new block, a word a cycle, through its line.
                            let w = (n - 3) as usize;
                            let b = self.model.tiles[t].cache.lines[line].tag;
                            act.write = Some((self.addr(line, w), 0));
                            self.model.tiles[t].cache.write(b, w, 0);
                        }
                        _ => {}
                    }
                    self.tiles[t] = Tile::Run {
                        op,
                        n,
                        total,
                        line,
                        old,
                        got,
                    };
                }
            }
            if let Tile::Run { n, total, .. } = self.tiles[t] {
                if n == total {
                    act.release = true;
                    self.model.release(t);
                    self.tiles[t] = Tile::Idle;
                }
            }
        }
        acts
    }

    /// Phase 2 of cycle `now` on the model.
    pub fn phase2(&mut self, now: u64) {
        if let Tick::Granted(g) = self.model.tick(now, &mut self.store) {
            self.seen.kinds[g.kind.code() as usize] += 1;
            self.seen.writebacks += g.writeback as u64;
            self.seen.sources += g.source.is_some() as u64;
        }
    }
}

/// The unit's registers as every lockstep compares them (j1k_sim::lockstep::UnitObs).
pub fn unit_obs<const N: usize, const L: usize>(x: &Coherence<N, L>) -> UnitObs {
    let mut o = UnitObs::default();
    for (hw, h) in x.tiles.iter().zip(o.tiles.iter_mut()) {
        for i in 0..L {
            h.tags[i] = hw.tags[i].val().index() as u16;
            h.states[i] = hw.states[i].val().index() as u8;
            h.snoops[i] = hw.snoops[i].val() as u8;
        }
        h.vptr = hw.vptr.val().index() as u8;
        h.req_v = hw.req_v.val() as u8;
        h.req_need = hw.req_need.val().index() as u8;
        h.req_blk = hw.req_blk.val().index() as u16;
        h.locked = hw.locked.val() as u8;
        h.alloc_v = hw.alloc_v.val() as u8;
        h.alloc_ok = hw.alloc_ok.val() as u8;
        h.alloc_idx = hw.alloc_idx.val().index() as u16;
    }
    o.active = x.active.val() as u8;
    o.x_kind = x.x_kind.val().index() as u8;
    o.x_tile = x.x_tile.val().index() as u8;
    o.x_block = x.x_block.val().index() as u16;
    o.x_line = x.x_line.val().index() as u8;
    o.x_writeback = x.x_writeback.val() as u8;
    o.x_source_v = x.x_source_v.val() as u8;
    o.x_source = x.x_source.val().index() as u8;
    o.x_left = x.x_left.val().index() as u16;
    o.x_age = x.x_age.val().index() as u8;
    o.last = x.last.val().index() as u8;
    o
}

/// The unit against the simulator's after cycle `now`, through the comparator every
/// lockstep uses.
pub fn compare<const N: usize, const L: usize>(
    x: &Coherence<N, L>,
    m: &Model,
    now: u64,
) -> Result<(), String> {
    Comparator::new(None)
        .check_unit(now, m, &unit_obs(x))
        .map_err(|d| d.to_string())
}
