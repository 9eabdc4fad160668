//! The coherence unit and each tile's side of it (docs/architecture.md §3):
//! the check a key instruction makes in its first cycle ([`Coherence::ready`],
//! phase 1 of a cycle), and the unit's arbitration and transactions
//! ([`Coherence::tick`], phase 2). The simulator and the protocol's model
//! check (`tests/protocol_model.rs`) both run exactly these two functions.

use super::cache::{Cache, LineState};
use super::store::Store;
use j1k_isa::coherence;
use serde::Serialize;

/// What a key instruction needs from the memory system before its decode cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Need {
    /// A copy of the block to read.
    Read(u16),
    /// The only copy of the block, to write (or read and write atomically).
    Write(u16),
    /// The node store, for the instruction's cycles.
    NodeLock,
    /// A block allocation (`balloc`).
    Alloc,
}

/// A transaction's kind, chosen at the grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Kind {
    /// The line from the store or the modified copy; `write`: the only copy.
    Fill {
        write: bool,
    },
    /// S to M: every other copy invalidated.
    Upgrade,
    /// The need was met meanwhile (a snoop only downgraded the copy): one cycle.
    Nop,
    Alloc,
    NodeLock,
}

/// The transaction in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Txn {
    pub tile: usize,
    pub kind: Kind,
    pub block: u16,
    /// The requester's line it fills (or upgrades, or allocates into).
    pub line: usize,
    /// The victim in that line was modified: written back first.
    pub writeback: bool,
    /// The tile whose modified copy is the data source.
    pub source: Option<usize>,
    pub granted_at: u64,
    /// Cycles left, counting this one (unused by a node lock, which lasts until released).
    pub left: u32,
}

/// What the unit did in a cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tick {
    Idle,
    Busy,
    Granted(Txn),
    Completed(Txn),
}

/// A tile's request register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Request {
    pub need: Need,
    /// The cycle that raised it (the unit sees it from the next).
    pub since: u64,
}

/// Per-tile counters (`--stats-json` "cores").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct TileCounters {
    /// Block accesses that found their line ready at once.
    pub hits: u64,
    /// Block accesses that raised a request (fills and upgrades).
    pub misses: u64,
    /// Of the misses, those granted as upgrades.
    pub upgrades: u64,
    /// This tile's copies invalidated by other tiles' transactions.
    pub invalidations: u64,
    /// This tile's modified lines written back (evicted, or read by another tile).
    pub writebacks: u64,
    /// Node-lock and allocation requests.
    pub node_requests: u64,
    /// The longest a request of this tile waited for its grant, in cycles.
    pub max_grant_wait: u64,
}

/// One tile's side of the memory system.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TileMem {
    pub cache: Cache,
    pub request: Option<Request>,
    /// The node lock is this tile's (granted, not yet released).
    pub lock: bool,
    /// The result of a completed Alloc, until `balloc` takes it.
    pub alloc: Option<Option<u16>>,
    /// The current instruction raised a request or waited (so its hit is not counted).
    waited: bool,
    pub counters: TileCounters,
}

/// Unit totals (`--stats-json` "unit").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct UnitCounters {
    pub fills: u64,
    pub upgrades: u64,
    pub nops: u64,
    pub allocs: u64,
    pub node_locks: u64,
    /// Cycles with a transaction in progress.
    pub busy_cycles: u64,
    /// The longest any request waited for its grant.
    pub max_grant_wait: u64,
}

/// A deliberate protocol fault, for the tests that show the checkers catch one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fault {
    #[default]
    None,
    /// A write fill (of this block, or of any) leaves the first other copy valid
    /// instead of invalidating it.
    SkipInvalidation(Option<u16>),
    /// Fills and upgrades take effect without the two announce cycles.
    NoAnnounce,
}

/// The memory system's coherent part: every tile's cache and request, and the unit.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Coherence {
    pub tiles: Vec<TileMem>,
    pub active: Option<Txn>,
    /// The tile granted last (round-robin starts after it).
    pub last: usize,
    words: usize,
    node_slots: u32,
    pub counters: UnitCounters,
    pub fault: Fault,
    /// Transactions completed (the checker looks at the copies after each).
    pub completions: u64,
}

impl Need {
    /// The hardware's 2-bit encoding of a request (j1k_isa::coherence).
    pub const fn code(self) -> u8 {
        match self {
            Need::Read(_) => coherence::NEED_READ,
            Need::Write(_) => coherence::NEED_WRITE,
            Need::NodeLock => coherence::NEED_LOCK,
            Need::Alloc => coherence::NEED_ALLOC,
        }
    }
}

impl Kind {
    /// The hardware's 3-bit encoding of a transaction (j1k_isa::coherence).
    pub const fn code(self) -> u8 {
        match self {
            Kind::Nop => coherence::KIND_NOP,
            Kind::Fill { write: false } => coherence::KIND_FILL_READ,
            Kind::Fill { write: true } => coherence::KIND_FILL_WRITE,
            Kind::Upgrade => coherence::KIND_UPGRADE,
            Kind::Alloc => coherence::KIND_ALLOC,
            Kind::NodeLock => coherence::KIND_LOCK,
        }
    }

    /// The name the tracer prints.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Fill { write: false } => "fill-read",
            Kind::Fill { write: true } => "fill-write",
            Kind::Upgrade => "upgrade",
            Kind::Nop => "nop",
            Kind::Alloc => "alloc",
            Kind::NodeLock => "node-lock",
        }
    }
}

impl Coherence {
    pub fn new(tiles: usize, lines: usize, words: usize, node_slots: usize) -> Coherence {
        Coherence {
            tiles: (0..tiles)
                .map(|_| TileMem {
                    cache: Cache::new(lines, words),
                    request: None,
                    lock: false,
                    alloc: None,
                    waited: false,
                    counters: TileCounters::default(),
                })
                .collect(),
            active: None,
            last: tiles - 1,
            words,
            node_slots: node_slots as u32,
            counters: UnitCounters::default(),
            fault: Fault::None,
            completions: 0,
        }
    }

    pub fn reset(&mut self) {
        for t in &mut self.tiles {
            t.cache.reset();
            t.request = None;
            t.lock = false;
            t.alloc = None;
            t.waited = false;
            t.counters = TileCounters::default();
        }
        self.active = None;
        self.last = self.tiles.len() - 1;
        self.counters = UnitCounters::default();
        self.completions = 0;
    }

    /// The longest transaction, `Dmax` (docs/architecture.md §3).
    pub fn longest_transaction(&self) -> u64 {
        (2 * self.words as u64 + 2).max(self.node_slots as u64 + 2)
    }

    /// The most cycles a request may wait for its grant: (N − 1) × (Dmax + 1) + 1.
    pub fn grant_bound(&self) -> u64 {
        (self.tiles.len() as u64 - 1) * (self.longest_transaction() + 1) + 1
    }

    /// Tile `t`'s cache is the source of the data moving now (its read port is busy).
    pub fn source_busy(&self, t: usize, now: u64) -> bool {
        matches!(self.active, Some(x) if x.source == Some(t) && now > x.granted_at + 2)
    }

    /// Phase 1: the first cycle of a key instruction of tile `t` that needs `need`.
    /// True: the need is met, this cycle is the instruction's decode cycle. False:
    /// a wait cycle (a request is raised if none is pending).
    pub fn ready(&mut self, t: usize, need: Need, now: u64) -> bool {
        let busy = self.source_busy(t, now);
        let tile = &mut self.tiles[t];
        if tile.request.is_some() {
            return false;
        }
        let met = match need {
            Need::Read(b) | Need::Write(b) => {
                if busy {
                    tile.waited = true;
                    return false;
                }
                match tile.cache.find(b) {
                    Some(i) if !tile.cache.lines[i].snoop => {
                        let l = &mut tile.cache.lines[i];
                        match need {
                            Need::Read(_) => true,
                            _ if l.state.writable() => {
                                l.state = LineState::M;
                                true
                            }
                            _ => false,
                        }
                    }
                    _ => false,
                }
            }
            Need::NodeLock => tile.lock,
            Need::Alloc => tile.alloc.is_some(),
        };
        if met {
            if matches!(need, Need::Read(_) | Need::Write(_)) && !tile.waited {
                tile.counters.hits += 1;
            }
            tile.waited = false;
            return true;
        }
        tile.waited = true;
        tile.request = Some(Request { need, since: now });
        match need {
            Need::Read(_) | Need::Write(_) => tile.counters.misses += 1,
            _ => tile.counters.node_requests += 1,
        }
        false
    }

    /// The last cycle of an instruction that held the node lock.
    pub fn release(&mut self, t: usize) {
        self.tiles[t].lock = false;
    }

    /// Phase 2 of cycle `now`: the transaction in progress advances (and takes
    /// effect in its last cycle), or, if the unit is idle this cycle, it grants
    /// the next request in round-robin order.
    /// Returns what happened: a transaction granted, or one completed.
    pub fn tick(&mut self, now: u64, store: &mut Store) -> Tick {
        if let Some(mut x) = self.active {
            self.counters.busy_cycles += 1;
            let done = if x.kind == Kind::NodeLock {
                !self.tiles[x.tile].lock
            } else {
                x.left -= 1;
                x.left == 0
            };
            if done {
                self.completions += 1;
                self.complete(&x, store);
                self.active = None;
                return Tick::Completed(x);
            }
            self.active = Some(x);
            return Tick::Busy;
        }
        let n = self.tiles.len();
        let Some(t) = (1..=n)
            .map(|k| (self.last + k) % n)
            .find(|&t| matches!(self.tiles[t].request, Some(r) if r.since < now))
        else {
            return Tick::Idle;
        };
        let r = self.tiles[t].request.unwrap();
        let wait = now - r.since;
        self.tiles[t].counters.max_grant_wait = self.tiles[t].counters.max_grant_wait.max(wait);
        self.counters.max_grant_wait = self.counters.max_grant_wait.max(wait);
        self.last = t;
        let x = self.grant(t, r.need, now, store);
        self.active = Some(x);
        Tick::Granted(x)
    }

    /// Chooses the transaction for tile `t`'s need from the states now, and
    /// announces it (snoop flags on the copies it will change).
    fn grant(&mut self, t: usize, need: Need, now: u64, store: &Store) -> Txn {
        let w = self.words as u32;
        let mut x = Txn {
            tile: t,
            kind: Kind::Nop,
            block: 0,
            line: 0,
            writeback: false,
            source: None,
            granted_at: now,
            left: 1,
        };
        match need {
            Need::NodeLock => {
                x.kind = Kind::NodeLock;
                self.counters.node_locks += 1;
                let tile = &mut self.tiles[t];
                tile.request = None;
                tile.lock = true;
            }
            Need::Alloc => {
                x.kind = Kind::Alloc;
                self.counters.allocs += 1;
                if store.block_free() {
                    x.line = self.tiles[t].cache.take_victim();
                    x.writeback = self.tiles[t].cache.lines[x.line].state == LineState::M;
                    x.left = if x.writeback { w + 1 } else { 1 };
                }
            }
            Need::Read(b) | Need::Write(b) => {
                x.block = b;
                let write = matches!(need, Need::Write(_));
                let own = self.tiles[t].cache.find(b);
                let have = own.map(|i| self.tiles[t].cache.lines[i].state);
                match have {
                    Some(s) if !write || s.writable() => {
                        x.line = own.unwrap();
                        self.counters.nops += 1;
                    }
                    Some(_) => {
                        x.kind = Kind::Upgrade;
                        x.line = own.unwrap();
                        x.left = 2;
                        self.counters.upgrades += 1;
                        self.tiles[t].counters.upgrades += 1;
                    }
                    None => {
                        x.kind = Kind::Fill { write };
                        x.line = self.tiles[t].cache.take_victim();
                        x.writeback = self.tiles[t].cache.lines[x.line].state == LineState::M;
                        x.left = 2 + w + if x.writeback { w } else { 0 };
                        self.counters.fills += 1;
                    }
                }
                if self.fault == Fault::NoAnnounce && x.left > 2 {
                    x.left -= 2;
                } else if self.fault == Fault::NoAnnounce && x.kind == Kind::Upgrade {
                    x.left = 1;
                }
                if x.kind != Kind::Nop {
                    for (o, tile) in self.tiles.iter_mut().enumerate() {
                        if o == t {
                            continue;
                        }
                        if let Some(i) = tile.cache.find(b) {
                            let l = &mut tile.cache.lines[i];
                            if l.state == LineState::M {
                                x.source = Some(o);
                            }
                            if write || l.state.writable() {
                                l.snoop = true;
                            }
                        }
                    }
                }
            }
        }
        x
    }

    /// The end of transaction `x`: data moved, states changed, snoops cleared,
    /// the request answered.
    fn complete(&mut self, x: &Txn, store: &mut Store) {
        let t = x.tile;
        if x.kind == Kind::NodeLock {
            return;
        }
        if x.writeback {
            let tile = &mut self.tiles[t];
            let victim = tile.cache.lines[x.line].tag;
            store
                .block_mut(victim)
                .copy_from_slice(tile.cache.line(x.line));
            tile.counters.writebacks += 1;
        }
        match x.kind {
            Kind::Alloc => {
                let got = store.take_block();
                if let Some(i) = got {
                    let l = &mut self.tiles[t].cache.lines[x.line];
                    l.tag = i;
                    l.state = LineState::M;
                    l.snoop = false;
                }
                self.tiles[t].alloc = Some(got);
            }
            Kind::Fill { write } => {
                let b = x.block;
                if let Some(s) = x.source {
                    let i = self.tiles[s].cache.find(b).expect("source holds the block");
                    store
                        .block_mut(b)
                        .copy_from_slice(self.tiles[s].cache.line(i));
                    self.tiles[s].counters.writebacks += 1;
                }
                let words: Vec<u16> = store.block(b).to_vec();
                let shared = self.downgrade_others(t, b, write);
                let tile = &mut self.tiles[t];
                tile.cache.line_mut(x.line).copy_from_slice(&words);
                let l = &mut tile.cache.lines[x.line];
                l.tag = b;
                l.snoop = false;
                l.state = match (write, shared) {
                    (true, _) => LineState::M,
                    (false, true) => LineState::S,
                    (false, false) => LineState::E,
                };
            }
            Kind::Upgrade => {
                self.downgrade_others(t, x.block, true);
                self.tiles[t].cache.lines[x.line].state = LineState::M;
            }
            Kind::Nop | Kind::NodeLock => {}
        }
        self.tiles[t].request = None;
    }

    /// Every other tile's copy of `b`: invalid (for a write) or at most S. True
    /// if a copy remains valid.
    fn downgrade_others(&mut self, t: usize, b: u16, write: bool) -> bool {
        let mut shared = false;
        let mut skip = match self.fault {
            Fault::SkipInvalidation(only) => write && only.is_none_or(|o| o == b),
            _ => false,
        };
        for (o, tile) in self.tiles.iter_mut().enumerate() {
            if o == t {
                continue;
            }
            if let Some(i) = tile.cache.find(b) {
                let l = &mut tile.cache.lines[i];
                l.snoop = false;
                if write && !std::mem::take(&mut skip) {
                    l.state = LineState::I;
                    tile.counters.invalidations += 1;
                } else {
                    if l.state.writable() {
                        l.state = LineState::S;
                    }
                    shared = true;
                }
            }
        }
        shared
    }
}
