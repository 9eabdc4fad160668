//! The memory system behind the cores' key units (docs/architecture.md): the
//! store (`store.rs`), and with several cores each tile's block cache
//! (`cache.rs`), the coherence unit (`unit.rs`) and the invariants
//! `--check-coherence` tests (`check.rs`). With one core there is no cache and
//! no unit: the key unit owns the store (docs/isa.md §8.3).

pub mod cache;
pub mod check;
pub mod model;
pub mod store;
pub mod unit;

use store::Store;
use unit::Coherence;

/// The store, and the coherent part when there are several tiles.
#[derive(Clone, Debug)]
pub struct Memory {
    pub store: Store,
    pub coh: Option<Coherence>,
}

impl Memory {
    /// Word `w` of block `b` as tile `t` reads it (block 0 reads 0).
    #[inline]
    pub(crate) fn read_word(&self, t: usize, b: u16, w: usize) -> u16 {
        match &self.coh {
            _ if b == 0 => 0,
            None => self.store.read_word(b, w),
            Some(c) => c.tiles[t].cache.read(b, w),
        }
    }

    /// Tile `t` writes word `w` of block `b` (never block 0: writes through the null key fault).
    #[inline]
    pub(crate) fn write_word(&mut self, t: usize, b: u16, w: usize, v: u16) {
        match &mut self.coh {
            None => self.store.write_word(b, w, v),
            Some(c) => c.tiles[t].cache.write(b, w, v),
        }
    }

    /// The value of every block word as the programs see it: the store, with each
    /// modified line in place of its home copy.
    pub fn block_view(&self, b: u16) -> Vec<u16> {
        if let Some(c) = &self.coh {
            for t in &c.tiles {
                if let Some(i) = t.cache.find(b) {
                    if t.cache.lines[i].state == cache::LineState::M {
                        return t.cache.line(i).to_vec();
                    }
                }
            }
        }
        self.store.block(b).to_vec()
    }

    pub fn reset(&mut self) {
        self.store.reset();
        if let Some(c) = &mut self.coh {
            c.reset();
        }
    }
}
