//! Keys cannot be forged: random programs of key instructions, literals and
//! ALU ops, run on a store seeded with a random node graph, never get a key
//! to a block or node that was not reachable from the root node, and never
//! change a secret block.

mod common;

use common::*;
use j1k_isa::KeyConfig;
use j1k_sim::{BufUart, Config, Key, Limits, Machine, Observer, Step};
use proptest::prelude::*;
use std::collections::BTreeSet;

const BLOCKS: u16 = 24;
const NODES: u16 = 16;
/// Seeded objects are below these; the allocators start here.
const SEEDED_BLOCKS: u16 = 14;
const SEEDED_NODES: u16 = 10;
const SLOTS: usize = 8;

fn cfg() -> KeyConfig {
    KeyConfig {
        block_words: 16,
        node_slots: SLOTS as u16,
        blocks: BLOCKS,
        nodes: NODES,
        ..KeyConfig::default()
    }
}

/// A seeded graph: for every node and slot, an optional (index, writable).
#[derive(Clone, Debug)]
struct Graph {
    /// Nodes 1..SEEDED_NODES: public (even) or private (odd) — public nodes
    /// link only to public objects, private ones anywhere.
    bslots: Vec<Vec<Option<(u16, bool)>>>,
    nslots: Vec<Vec<Option<(u16, bool)>>>,
}

fn public_block(b: u16) -> bool {
    b.is_multiple_of(2)
}
fn public_node(n: u16) -> bool {
    n == 1 || n.is_multiple_of(2)
}

fn graph() -> impl Strategy<Value = Graph> {
    let slot = prop::option::weighted(0.5, (any::<u16>(), any::<bool>()));
    let node = prop::collection::vec(slot.clone(), SLOTS);
    (
        prop::collection::vec(node.clone(), SEEDED_NODES as usize),
        prop::collection::vec(node, SEEDED_NODES as usize),
    )
        .prop_map(|(b, n)| {
            let fix = |slots: Vec<Vec<Option<(u16, bool)>>>, blocks: bool| {
                slots
                    .into_iter()
                    .enumerate()
                    .map(|(owner, v)| {
                        let owner = owner as u16;
                        v.into_iter()
                            .map(|s| {
                                s.and_then(|(x, w)| {
                                    let (lim, public): (u16, fn(u16) -> bool) = if blocks {
                                        (SEEDED_BLOCKS, public_block)
                                    } else {
                                        (SEEDED_NODES, public_node)
                                    };
                                    let mut i = 1 + x % (lim - 1);
                                    if public_node(owner) && !public(i) {
                                        i = if blocks { i - 1 } else { 1 }; // keep public nodes public-only
                                    }
                                    (i != 0).then_some((i, w))
                                })
                            })
                            .collect()
                    })
                    .collect()
            };
            Graph {
                bslots: fix(b, true),
                nslots: fix(n, false),
            }
        })
}

impl Graph {
    fn seed(&self, m: &mut Machine) {
        let s = m.store_mut();
        for n in 1..SEEDED_NODES {
            for i in 0..SLOTS {
                if let Some((b, w)) = self.bslots[n as usize][i] {
                    s.set_block_slot(
                        n,
                        i,
                        Key {
                            index: b,
                            writable: w,
                        },
                    );
                }
                if let Some((x, w)) = self.nslots[n as usize][i] {
                    s.set_node_slot(
                        n,
                        i,
                        Key {
                            index: x,
                            writable: w,
                        },
                    );
                }
            }
        }
        for b in 1..SEEDED_BLOCKS {
            for (i, w) in s.block_mut(b).iter_mut().enumerate() {
                *w = b * 0x100 + i as u16;
            }
        }
        s.set_next_block(SEEDED_BLOCKS);
        s.set_next_node(SEEDED_NODES);
    }

    /// Blocks and nodes reachable from the root through slots.
    fn closure(&self) -> (BTreeSet<u16>, BTreeSet<u16>) {
        let mut nodes = BTreeSet::from([0, 1]);
        let mut blocks = BTreeSet::from([0]);
        let mut todo = vec![1u16];
        while let Some(n) = todo.pop() {
            for s in self.bslots[n as usize].iter().flatten() {
                blocks.insert(s.0);
            }
            for s in self.nslots[n as usize].iter().flatten() {
                if nodes.insert(s.0) {
                    todo.push(s.0);
                }
            }
        }
        (blocks, nodes)
    }
}

fn program() -> impl Strategy<Value = Vec<u16>> {
    let word = prop_oneof![
        14 => (0u16..32, 0u16..4, 0u16..32).prop_map(|(op, r, i)| 0x7000 | op << 7 | r << 5 | i),
        4 => (0u16..40).prop_map(lit),
        2 => (0u16..16, 0u16..4).prop_map(|(op, d)| if op == 13 { 0x6000 | d } else { 0x6000 | op << 8 | d }),
        1 => Just(dup()),
    ];
    prop::collection::vec(word, 1..200).prop_map(|mut v| {
        v.push(jmp(0));
        v
    })
}

struct Guard {
    secret_blocks: BTreeSet<u16>,
    secret_nodes: BTreeSet<u16>,
    violation: Option<String>,
}

impl Observer for Guard {
    fn after_cycle(&mut self, m: &Machine, step: &Step) {
        let c = m.core(0);
        for i in 0..8 {
            let b = c.block_reg(i).index;
            if self.secret_blocks.contains(&b) && self.violation.is_none() {
                self.violation = Some(format!(
                    "b{i} holds secret block {b} after cycle {}",
                    step.cycle
                ));
            }
        }
        for i in 0..4 {
            let n = c.node_reg(i).index;
            if self.secret_nodes.contains(&n) && self.violation.is_none() {
                self.violation = Some(format!(
                    "n{i} holds secret node {n} after cycle {}",
                    step.cycle
                ));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn unreachable_objects_stay_unreachable(g in graph(), prog in program()) {
        let (reach_b, reach_n) = g.closure();
        let secret_blocks: BTreeSet<u16> = (1..SEEDED_BLOCKS).filter(|b| !reach_b.contains(b)).collect();
        let secret_nodes: BTreeSet<u16> = (2..SEEDED_NODES).filter(|n| !reach_n.contains(n)).collect();
        let mut m = Machine::new(Config { cores: 1, key: cfg(), ..Default::default() }).unwrap();
        m.load_image(0, &prog).unwrap();
        g.seed(&mut m);
        let before: Vec<Vec<u16>> = (0..BLOCKS).map(|b| m.store().block(b).to_vec()).collect();
        let mut guard = Guard { secret_blocks: secret_blocks.clone(), secret_nodes: secret_nodes.clone(), violation: None };
        m.run_observed(&mut BufUart::default(), &Limits { max_cycles: Some(4000), idle_cycles: u64::MAX }, &mut guard);
        prop_assert!(guard.violation.is_none(), "{}", guard.violation.unwrap());
        for &b in &secret_blocks {
            prop_assert!(m.store().block(b) == &before[b as usize][..], "secret block {} changed", b);
        }
        for &n in &secret_nodes {
            for i in 0..SLOTS {
                let want_b = g.bslots[n as usize][i].map_or(Key::NULL, |(x, w)| Key { index: x, writable: w });
                prop_assert_eq!(m.store().block_slot(n, i), want_b, "secret node {} changed", n);
            }
        }
    }
}

/// The test above must be able to fail: a program that loads from a node it
/// can reach trips the guard when that node is marked secret.
#[test]
fn the_guard_sees_a_reachable_key() {
    let g = Graph {
        bslots: vec![vec![None; SLOTS]; SEEDED_NODES as usize],
        nslots: vec![vec![None; SLOTS]; SEEDED_NODES as usize],
    };
    let mut g2 = g.clone();
    g2.bslots[1][0] = Some((3, true));
    let prog = vec![key(j1k_isa::KeyOp::NbLoad, 0, 0), jmp(1)];
    let mut m = Machine::new(Config {
        cores: 1,
        key: cfg(),
        ..Default::default()
    })
    .unwrap();
    m.load_image(0, &prog).unwrap();
    g2.seed(&mut m);
    let mut guard = Guard {
        secret_blocks: BTreeSet::from([3]),
        secret_nodes: BTreeSet::new(),
        violation: None,
    };
    m.run_observed(
        &mut BufUart::default(),
        &Limits {
            max_cycles: Some(100),
            idle_cycles: u64::MAX,
        },
        &mut guard,
    );
    assert!(guard.violation.is_some());
    let (b, _) = g2.closure();
    assert!(b.contains(&3), "and the closure counts it reachable");
}
