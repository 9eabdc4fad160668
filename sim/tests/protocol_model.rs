//! The coherence protocol model-checked (sim/src/mem/model.rs runs the
//! simulator's own `Coherence`): every state reachable by 2 and 3 tiles running
//! reads, writes, atomic adds and node accesses on two blocks, with one line
//! (every fill evicts) and two, keeps one writer or many readers, clean copies
//! equal to the store, every read the last write, and every wait within the
//! round-robin bound; and a broken unit is caught, with the choices that break it.

use j1k_sim::mem::model::{explore, ModelConfig, Report};
use j1k_sim::Fault;

fn model(tiles: usize, lines: usize, fault: Fault) -> ModelConfig {
    ModelConfig {
        tiles,
        lines,
        fault,
        max_states: 20_000_000,
    }
}

fn check(tiles: usize, lines: usize) -> Report {
    let r = explore(model(tiles, lines, Fault::None))
        .unwrap_or_else(|c| panic!("{}\n{:?}", c.what, c.trace));
    println!(
        "{tiles} tiles, {lines} lines: {} states, {} transitions",
        r.states, r.transitions
    );
    // Round-robin reaches its bound: a request waits through N - 1 other grants.
    assert_eq!(r.max_passed as usize, tiles - 1);
    r
}

#[test]
fn two_tiles() {
    check(2, 1);
    check(2, 2);
}

#[test]
fn three_tiles() {
    check(3, 1);
    check(3, 2);
}

#[test]
fn a_skipped_invalidation_is_found() {
    let c = explore(model(2, 2, Fault::SkipInvalidation(None))).expect_err("must be caught");
    assert!(c.what.contains("holds it"), "{}", c.what);
    assert!(c.trace.len() > 1);
}

#[test]
fn a_fill_without_its_announce_is_found() {
    let c = explore(model(2, 2, Fault::NoAnnounce)).expect_err("must be caught");
    assert!(c.what.contains("last write"), "{}", c.what);
}
