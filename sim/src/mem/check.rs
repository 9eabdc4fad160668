//! The invariants of docs/architecture.md, checked after every cycle by
//! `--check-coherence` and in every state by the protocol's model check:
//! one writer or many readers per block; every clean copy equal to the home
//! copy; every read returning the last write; no request waiting past the bound.

use super::cache::LineState;
use super::store::Store;
use super::unit::Coherence;
use std::fmt;

/// The first broken invariant: where, what, and every tile's state for the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub cycle: u64,
    pub block: Option<u16>,
    pub what: String,
    /// One line per tile: its line for the block, its request, its lock.
    pub tiles: Vec<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "coherence violation in cycle {}", self.cycle)?;
        if let Some(b) = self.block {
            write!(f, ", block {b}")?;
        }
        writeln!(f, ": {}", self.what)?;
        for t in &self.tiles {
            writeln!(f, "  {t}")?;
        }
        Ok(())
    }
}

/// Each tile's view of block `b`, for reports.
pub fn describe(c: &Coherence, b: Option<u16>) -> Vec<String> {
    c.tiles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let line = b.and_then(|b| t.cache.find(b)).map(|l| {
                let x = t.cache.lines[l];
                format!(
                    "line {l} {}{}",
                    x.state.letter(),
                    if x.snoop { " snooped" } else { "" }
                )
            });
            let granted = matches!(c.active, Some(x) if x.tile == i);
            format!(
                "tile {i}: {}; request {}; {}",
                line.unwrap_or_else(|| "not cached".into()),
                match t.request {
                    Some(r) => format!(
                        "{:?} since cycle {}{}",
                        r.need,
                        r.since,
                        if granted { " (granted)" } else { "" }
                    ),
                    None => "none".into(),
                },
                if t.lock {
                    "holds the node lock"
                } else {
                    "no lock"
                }
            )
        })
        .collect()
}

/// One writer or many readers: a block with an M or E copy has no other copy.
/// Returns the first block that breaks it.
pub fn single_writer(c: &Coherence) -> Result<(), (u16, String)> {
    let mut seen: Vec<(u16, usize, LineState)> = Vec::new();
    for (t, tile) in c.tiles.iter().enumerate() {
        for l in tile.cache.lines.iter().filter(|l| l.state.valid()) {
            for &(b, o, s) in seen.iter().filter(|x| x.0 == l.tag) {
                if s.writable() || l.state.writable() {
                    return Err((
                        b,
                        format!(
                            "tile {o} holds it {} while tile {t} holds it {}",
                            s.letter(),
                            l.state.letter()
                        ),
                    ));
                }
            }
            seen.push((l.tag, t, l.state));
        }
    }
    Ok(())
}

/// Every S or E copy equals the home copy in the store (only M copies are newer).
pub fn clean_copies(c: &Coherence, store: &Store) -> Result<(), (u16, String)> {
    for (t, tile) in c.tiles.iter().enumerate() {
        for (i, l) in tile.cache.lines.iter().enumerate() {
            if matches!(l.state, LineState::S | LineState::E) {
                let home = store.block(l.tag);
                if let Some(w) = (0..home.len()).find(|&w| tile.cache.line(i)[w] != home[w]) {
                    return Err((
                        l.tag,
                        format!(
                            "tile {t}'s {} copy has word {w} = ${:x}, the store ${:x}",
                            l.state.letter(),
                            tile.cache.line(i)[w],
                            home[w]
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// No request waits for its grant longer than the bound: those granted (the
/// unit's record) and those still waiting at the end of cycle `now`.
pub fn bounded_waits(c: &Coherence, now: u64) -> Result<(), (usize, String)> {
    let bound = c.grant_bound();
    for (t, tile) in c.tiles.iter().enumerate() {
        if tile.counters.max_grant_wait > bound {
            return Err((
                t,
                format!(
                    "tile {t} waited {} cycles for a grant (bound {bound})",
                    tile.counters.max_grant_wait
                ),
            ));
        }
        let granted = matches!(c.active, Some(x) if x.tile == t);
        if let (Some(r), false) = (tile.request, granted) {
            if now + 1 - r.since > bound {
                return Err((
                    t,
                    format!(
                        "tile {t}'s request {:?} from cycle {} is still not granted (bound {bound})",
                        r.need, r.since
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The last value written to every block word, to check every read against.
#[derive(Clone, Debug)]
pub struct Shadow {
    words: Vec<u16>,
    block_words: usize,
}

impl Shadow {
    /// From the store as it is before the first checked cycle (seeded blocks included).
    pub fn new(store: &Store) -> Shadow {
        let cfg = store.config();
        let w = cfg.block_words as usize;
        let mut words = Vec::with_capacity(cfg.blocks as usize * w);
        for b in 0..cfg.blocks {
            words.extend_from_slice(store.block(b));
        }
        Shadow {
            words,
            block_words: w,
        }
    }

    /// A read of word `w` of block `b` that returned `v`: the last write, or an error.
    pub fn read(&self, b: u16, w: u16, v: u16) -> Result<(), String> {
        let last = if b == 0 {
            0
        } else {
            self.words[b as usize * self.block_words + w as usize]
        };
        if v == last {
            Ok(())
        } else {
            Err(format!(
                "a read of word {w} returned ${v:x}; the last write was ${last:x}"
            ))
        }
    }

    pub fn write(&mut self, b: u16, w: u16, v: u16) {
        self.words[b as usize * self.block_words + w as usize] = v;
    }
}
