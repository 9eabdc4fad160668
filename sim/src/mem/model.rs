//! An exhaustive exploration of the coherence protocol: every state reachable
//! by N tiles that each run, one after another, any of a few key instructions
//! on two one-word blocks, with every choice of instruction in every cycle.
//! The tiles call exactly what the simulator's key unit calls — [`Coherence::ready`]
//! in an instruction's first cycle, [`Coherence::release`] in its last — and
//! the unit runs [`Coherence::tick`]; every state is checked against the
//! invariants of `check.rs`, every read against the last write, and every
//! wait against the round-robin bound (so no deadlock and no starvation).
//!
//! Abstractions that keep the state space finite and small, each sound for
//! these properties: a word holds 1 if it is the block's last write and 0 if
//! older (a write makes every other copy 0, so a stale copy that survives is
//! read as 0 and caught); a request's age is replaced by the number of grants
//! to other tiles while it waits (at most N − 1 by round-robin; with every
//! transaction at most `Dmax` long that gives the cycle bound); the time since
//! a grant is kept only up to the end of the announce; invalid lines are
//! cleared; and states equal up to a rotation of the tiles or a swap of the
//! two blocks count once.

use super::check;
use super::store::Store;
use super::unit::{Coherence, Fault, Need, Tick};
use j1k_isa::KeyConfig;
use std::collections::{HashSet, VecDeque};
use std::hash::{Hash, Hasher};

/// What a modelled tile can run: `b@` (read in cycle 1 of 2), `b!` (write in
/// cycle 2 of 3), `bxadd` (read in 1, write old + 1 in 3 of 3), a node access
/// (2 cycles under the node lock). Blocks are 1 and 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    Read(u16),
    Write(u16),
    Add(u16),
    Node,
}

impl Op {
    fn need(self) -> Need {
        match self {
            Op::Read(b) => Need::Read(b),
            Op::Write(b) | Op::Add(b) => Need::Write(b),
            Op::Node => Need::NodeLock,
        }
    }
    fn cycles(self) -> u8 {
        match self {
            Op::Read(_) | Op::Node => 2,
            Op::Write(_) | Op::Add(_) => 3,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Tile {
    /// The instruction in progress and its cycles done (0: not yet decoded).
    op: Option<(Op, u8)>,
    /// The tile's transaction completed at the end of the last cycle: this cycle's
    /// check must succeed (else the tile could wait forever with no request).
    served: bool,
    /// Grants to other tiles while this tile's request waits.
    passed: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct State {
    coh: Coherence,
    /// The store's words of blocks 1 and 2 (1: the last write).
    home: [u16; 2],
    tiles: Vec<Tile>,
}

impl State {
    /// The same state with tile t renamed (t + k) mod N and, if `swap`, blocks 1 and 2
    /// exchanged.
    fn transformed(&self, k: usize, swap: bool) -> State {
        let n = self.tiles.len();
        let b = |x: u16| if swap && x != 0 { 3 - x } else { x };
        let need = |x: Need| match x {
            Need::Read(v) => Need::Read(b(v)),
            Need::Write(v) => Need::Write(b(v)),
            o => o,
        };
        let op = |x: Op| match x {
            Op::Read(v) => Op::Read(b(v)),
            Op::Write(v) => Op::Write(b(v)),
            Op::Add(v) => Op::Add(b(v)),
            o => o,
        };
        let mut s = self.clone();
        for t in 0..n {
            let (from, to) = (t, (t + k) % n);
            let mut tm = self.coh.tiles[from].clone();
            for l in &mut tm.cache.lines {
                l.tag = b(l.tag);
            }
            if let Some(r) = &mut tm.request {
                r.need = need(r.need);
            }
            s.coh.tiles[to] = tm;
            let mut tile = self.tiles[from].clone();
            tile.op = tile.op.map(|(o, d)| (op(o), d));
            s.tiles[to] = tile;
        }
        s.coh.last = (self.coh.last + k) % n;
        if let Some(x) = &mut s.coh.active {
            x.tile = (x.tile + k) % n;
            x.source = x.source.map(|t| (t + k) % n);
            x.block = b(x.block);
        }
        if swap {
            s.home.swap(0, 1);
        }
        s
    }
}

/// The fixed `now` of every step: stored times are kept relative to it.
const NOW: u64 = 1 << 20;

/// A state's fingerprint: the least 64-bit hash (SipHash with fixed keys: the same on
/// every run) over its symmetric images.
#[allow(deprecated)]
fn fingerprint(s: &State) -> u64 {
    let mut best = u64::MAX;
    for k in 0..s.tiles.len() {
        for swap in [false, true] {
            let mut h = std::hash::SipHasher::new();
            s.transformed(k, swap).hash(&mut h);
            best = best.min(h.finish());
        }
    }
    best
}

/// What to explore.
#[derive(Clone, Copy, Debug)]
pub struct ModelConfig {
    pub tiles: usize,
    /// Cache lines per tile (1 forces evictions of the two blocks).
    pub lines: usize,
    pub fault: Fault,
    /// Give up (an error) beyond this many states.
    pub max_states: usize,
}

/// The result of a complete exploration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// Distinct states up to symmetry.
    pub states: usize,
    pub transitions: u64,
    /// The most grants to other tiles any request waited through (at most N − 1).
    pub max_passed: u8,
}

/// A broken invariant and the choices that reach it.
#[derive(Clone, Debug)]
pub struct Counterexample {
    pub what: String,
    /// Per cycle, each tile's new instruction (None: none started).
    pub trace: Vec<Vec<Option<Op>>>,
}

fn key_config() -> KeyConfig {
    KeyConfig {
        block_words: 1,
        node_slots: 1,
        blocks: 3,
        nodes: 2,
        ..KeyConfig::default()
    }
}

/// Explores every reachable state breadth first; stops at the first violation.
/// Visited states are kept as 64-bit fingerprints (hash compaction), the frontier whole.
pub fn explore(cfg: ModelConfig) -> Result<Report, Box<Counterexample>> {
    let mut coh = Coherence::new(cfg.tiles, cfg.lines, 1, 1);
    coh.fault = cfg.fault;
    let init = State {
        coh,
        home: [1; 2],
        tiles: vec![
            Tile {
                op: None,
                served: false,
                passed: 0,
            };
            cfg.tiles
        ],
    };
    // Each cycle a tile without an instruction starts one of these, or none (a plain cycle).
    let choices: Vec<Option<Op>> = [None, Some(Op::Node)]
        .into_iter()
        .chain((1..=2).flat_map(|b| [Some(Op::Read(b)), Some(Op::Write(b)), Some(Op::Add(b))]))
        .collect();
    let mut store = Store::new(key_config());
    let picks = |s: &State, combo: usize| {
        let mut pick = vec![None; cfg.tiles];
        let mut c = combo;
        for t in (0..cfg.tiles).filter(|&t| s.tiles[t].op.is_none()) {
            pick[t] = choices[c % choices.len()];
            c /= choices.len();
        }
        pick
    };
    // Each state's parent and the choice that led to it, for counterexamples.
    let mut seen: HashSet<u64> = HashSet::new();
    let mut parents: Vec<(u32, u32)> = vec![(0, 0)];
    let mut queue: VecDeque<(State, u32)> = VecDeque::new();
    seen.insert(fingerprint(&init));
    queue.push_back((init.clone(), 0));
    let mut transitions = 0u64;
    let mut max_passed = 0;
    while let Some((s, id)) = queue.pop_front() {
        let idle = s.tiles.iter().filter(|t| t.op.is_none()).count();
        for combo in 0..choices.len().pow(idle as u32) {
            let pick = picks(&s, combo);
            transitions += 1;
            let mut n = s.clone();
            if let Err(what) = step(&mut n, &pick, &mut store) {
                // Replay the choices from the initial state to print them.
                let mut ids = vec![];
                let mut at = id;
                while at != 0 {
                    ids.push(parents[at as usize].1 as usize);
                    at = parents[at as usize].0;
                }
                let mut trace = vec![];
                let mut r = init.clone();
                for c in ids.into_iter().rev() {
                    let p = picks(&r, c);
                    let _ = step(&mut r, &p, &mut store);
                    trace.push(p);
                }
                trace.push(pick);
                return Err(Box::new(Counterexample { what, trace }));
            }
            max_passed = n
                .tiles
                .iter()
                .map(|t| t.passed)
                .max()
                .unwrap_or(0)
                .max(max_passed);
            if seen.len() > cfg.max_states {
                return Err(Box::new(Counterexample {
                    what: format!("more than {} states: not explored", cfg.max_states),
                    trace: vec![],
                }));
            }
            if seen.insert(fingerprint(&n)) {
                parents.push((id, combo as u32));
                queue.push_back((n, (parents.len() - 1) as u32));
            }
        }
    }
    Ok(Report {
        states: seen.len(),
        transitions,
        max_passed,
    })
}

/// One cycle from `s`: tiles without an instruction start `pick`'s; phase 1 for
/// every tile, then the unit; then the checks.
fn step(s: &mut State, pick: &[Option<Op>], store: &mut Store) -> Result<(), String> {
    store.block_mut(1)[0] = s.home[0];
    store.block_mut(2)[0] = s.home[1];
    for (t, p) in pick.iter().enumerate() {
        if let Some(op) = p {
            s.tiles[t].op = Some((*op, 0));
        }
    }
    for t in 0..s.tiles.len() {
        let Some((op, done)) = s.tiles[t].op else {
            continue;
        };
        if done == 0 && !s.coh.ready(t, op.need(), NOW) {
            if std::mem::take(&mut s.tiles[t].served) {
                return Err(format!(
                    "tile {t}'s transaction for {op:?} completed, yet it still waits"
                ));
            }
            continue;
        }
        s.tiles[t].served = false;
        let n = done + 1;
        let held = |c: &super::cache::Cache, b: u16| {
            c.find(b)
                .ok_or_else(|| format!("tile {t} runs {op:?} without holding block {b}"))
        };
        match (op, n) {
            (Op::Read(b), 1) | (Op::Add(b), 1) => {
                let c = &s.coh.tiles[t].cache;
                if c.line(held(c, b)?)[0] != 1 {
                    return Err(format!(
                        "tile {t} read block {b} and did not get the last write"
                    ));
                }
            }
            (Op::Write(b), 2) | (Op::Add(b), 3) => {
                // A new value: every other copy, and the home copy, is now older.
                let i = held(&s.coh.tiles[t].cache, b)?;
                for (o, tile) in s.coh.tiles.iter_mut().enumerate() {
                    if let Some(j) = tile.cache.find(b) {
                        tile.cache.line_mut(j)[0] = (o == t) as u16;
                    }
                }
                s.coh.tiles[t].cache.line_mut(i)[0] = 1;
                store.block_mut(b)[0] = 0;
            }
            _ => {}
        }
        if n == op.cycles() {
            s.coh.release(t);
            s.tiles[t].op = None;
        } else {
            s.tiles[t].op = Some((op, n));
        }
    }
    let pending: Vec<bool> = s.coh.tiles.iter().map(|t| t.request.is_some()).collect();
    let tick = s.coh.tick(NOW, store);
    for (t, tile) in s.coh.tiles.iter().enumerate() {
        if pending[t] && tile.request.is_none() {
            s.tiles[t].served = true;
        }
    }
    let n = s.tiles.len();
    for t in 0..n {
        match (s.coh.tiles[t].request, tick) {
            (None, _) => s.tiles[t].passed = 0,
            (Some(_), Tick::Granted(x)) if x.tile != t => {
                s.tiles[t].passed += 1;
                if s.tiles[t].passed as usize > n - 1 {
                    return Err(format!(
                        "tile {t}'s request waited through {} grants to others (at most {})",
                        s.tiles[t].passed,
                        n - 1
                    ));
                }
            }
            _ => {}
        }
    }
    s.home = [store.block(1)[0], store.block(2)[0]];
    check::single_writer(&s.coh).map_err(|(b, e)| format!("block {b}: {e}"))?;
    check::clean_copies(&s.coh, store).map_err(|(b, e)| format!("block {b}: {e}"))?;
    // Statistics are not state; times are kept relative to NOW (one cycle later), a
    // request's only as far as its visibility, a grant's to the end of its announce.
    s.coh.counters = Default::default();
    s.coh.completions = 0;
    for tile in &mut s.coh.tiles {
        tile.counters = Default::default();
        // What an invalid line holds is never read: one canonical form.
        for i in 0..tile.cache.lines.len() {
            if !tile.cache.lines[i].state.valid() {
                tile.cache.lines[i] = Default::default();
                tile.cache.line_mut(i).fill(0);
            }
        }
        if let Some(r) = &mut tile.request {
            r.since = NOW - 1;
        }
    }
    if let Some(x) = &mut s.coh.active {
        x.granted_at = (x.granted_at - 1).max(NOW - 4);
    }
    Ok(())
}
