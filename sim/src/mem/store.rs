//! The block/node store shared by all cores: block words, node slots and the
//! two bump allocators. Cores reach it only through key instructions; tests
//! reach it through [`crate::Machine::store_mut`] to seed node graphs.

use j1k_isa::{KeyConfig, ROOT_NODE};
use serde::Serialize;

/// A key: an object index plus a right. Index 0 is the null key (its right
/// does not matter).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Key {
    pub index: u16,
    pub writable: bool,
}

impl Key {
    /// The null key, as the simulator stores it (index 0, read-only).
    pub const NULL: Key = Key {
        index: 0,
        writable: false,
    };

    pub const fn rw(index: u16) -> Key {
        Key {
            index,
            writable: true,
        }
    }

    pub const fn ro(index: u16) -> Key {
        Key {
            index,
            writable: false,
        }
    }

    pub fn is_null(self) -> bool {
        self.index == 0
    }

    /// True when a write through this key is allowed (not null, read-write).
    pub fn can_write(self) -> bool {
        self.index != 0 && self.writable
    }

    /// What `b?` / `n?` push: 0 null, 2 read-only, 3 read-write.
    pub fn rights(self) -> u16 {
        match (self.index, self.writable) {
            (0, _) => 0,
            (_, false) => 2,
            (_, true) => 3,
        }
    }

    /// This key, read-only if `keep` is false (transitive weakening).
    pub fn weakened_unless(self, keep: bool) -> Key {
        Key {
            index: self.index,
            writable: self.writable && keep,
        }
    }
}

/// Blocks (plain words) and nodes (key slots), sized by a [`KeyConfig`].
///
/// The accessors panic on an index outside the store: they are the test and
/// tooling interface, and a key that designates no object must never exist.
#[derive(Clone, Debug)]
pub struct Store {
    cfg: KeyConfig,
    words: Vec<u16>,
    block_slots: Vec<Key>,
    node_slots: Vec<Key>,
    next_block: u16,
    next_node: u16,
}

impl Store {
    pub fn new(cfg: KeyConfig) -> Store {
        let w = cfg.block_words as usize;
        let s = cfg.node_slots as usize;
        Store {
            cfg,
            words: vec![0; cfg.blocks as usize * w],
            block_slots: vec![Key::NULL; cfg.nodes as usize * s],
            node_slots: vec![Key::NULL; cfg.nodes as usize * s],
            next_block: 1,
            next_node: ROOT_NODE + 1,
        }
    }

    /// The reset state: every block zero, every slot null, allocators at block 1 and node 2.
    pub fn reset(&mut self) {
        self.words.fill(0);
        self.block_slots.fill(Key::NULL);
        self.node_slots.fill(Key::NULL);
        self.next_block = 1;
        self.next_node = ROOT_NODE + 1;
    }

    pub fn config(&self) -> &KeyConfig {
        &self.cfg
    }

    fn check_block(&self, b: u16) {
        assert!(
            b < self.cfg.blocks,
            "block {b} outside a store of {} blocks",
            self.cfg.blocks
        );
    }

    fn check_node(&self, n: u16, slot: usize) {
        assert!(
            n < self.cfg.nodes,
            "node {n} outside a store of {} nodes",
            self.cfg.nodes
        );
        assert!(
            slot < self.cfg.node_slots as usize,
            "slot {slot} outside a node of {} slots",
            self.cfg.node_slots
        );
    }

    /// The words of block `b` (block 0 reads as zero to programs whatever it holds here).
    pub fn block(&self, b: u16) -> &[u16] {
        self.check_block(b);
        let w = self.cfg.block_words as usize;
        &self.words[b as usize * w..][..w]
    }

    pub fn block_mut(&mut self, b: u16) -> &mut [u16] {
        self.check_block(b);
        let w = self.cfg.block_words as usize;
        &mut self.words[b as usize * w..][..w]
    }

    /// Block-key slot `slot` of node `n`.
    pub fn block_slot(&self, n: u16, slot: usize) -> Key {
        self.check_node(n, slot);
        self.block_slots[n as usize * self.cfg.node_slots as usize + slot]
    }

    /// Node-key slot `slot` of node `n`.
    pub fn node_slot(&self, n: u16, slot: usize) -> Key {
        self.check_node(n, slot);
        self.node_slots[n as usize * self.cfg.node_slots as usize + slot]
    }

    /// Seeds a block-key slot (test interface; the key must designate a block of this store).
    pub fn set_block_slot(&mut self, n: u16, slot: usize, k: Key) {
        self.check_node(n, slot);
        self.check_block(k.index);
        let s = self.cfg.node_slots as usize;
        self.block_slots[n as usize * s + slot] = k;
    }

    /// Seeds a node-key slot (test interface; the key must designate a node of this store).
    pub fn set_node_slot(&mut self, n: u16, slot: usize, k: Key) {
        self.check_node(n, slot);
        self.check_node(k.index, 0);
        let s = self.cfg.node_slots as usize;
        self.node_slots[n as usize * s + slot] = k;
    }

    /// The block the next `balloc` hands out (== `blocks` when the store is full).
    pub fn next_block(&self) -> u16 {
        self.next_block
    }

    /// The node the next `nalloc` hands out (== `nodes` when the store is full).
    pub fn next_node(&self) -> u16 {
        self.next_node
    }

    /// Moves the block allocator (tests that seed blocks move it past them).
    pub fn set_next_block(&mut self, b: u16) {
        self.next_block = b.clamp(1, self.cfg.blocks);
    }

    /// Moves the node allocator (at least 2: the null and root nodes are never handed out).
    pub fn set_next_node(&mut self, n: u16) {
        self.next_node = n.clamp(ROOT_NODE + 1, self.cfg.nodes);
    }

    // ---- the key unit's port (no checks beyond the masks: keys are valid by construction) ----

    pub(crate) fn read_word(&self, b: u16, i: usize) -> u16 {
        if b == 0 {
            0
        } else {
            self.words[b as usize * self.cfg.block_words as usize + i]
        }
    }

    pub(crate) fn write_word(&mut self, b: u16, i: usize, v: u16) {
        self.words[b as usize * self.cfg.block_words as usize + i] = v;
    }

    pub(crate) fn read_block_slot(&self, n: u16, slot: usize) -> Key {
        if n == 0 {
            Key::NULL
        } else {
            self.block_slots[n as usize * self.cfg.node_slots as usize + slot]
        }
    }

    pub(crate) fn read_node_slot(&self, n: u16, slot: usize) -> Key {
        if n == 0 {
            Key::NULL
        } else {
            self.node_slots[n as usize * self.cfg.node_slots as usize + slot]
        }
    }

    pub(crate) fn write_block_slot(&mut self, n: u16, slot: usize, k: Key) {
        self.block_slots[n as usize * self.cfg.node_slots as usize + slot] = k;
    }

    pub(crate) fn write_node_slot(&mut self, n: u16, slot: usize, k: Key) {
        self.node_slots[n as usize * self.cfg.node_slots as usize + slot] = k;
    }

    /// A `balloc` now would get a block.
    pub(crate) fn block_free(&self) -> bool {
        self.next_block < self.cfg.blocks
    }

    /// Takes the next block index, or `None` when the store is full.
    pub(crate) fn take_block(&mut self) -> Option<u16> {
        self.block_free().then(|| {
            self.next_block += 1;
            self.next_block - 1
        })
    }

    pub(crate) fn take_node(&mut self) -> Option<u16> {
        (self.next_node < self.cfg.nodes).then(|| {
            self.next_node += 1;
            self.next_node - 1
        })
    }
}
