//! Several cores: the Verilated RTL of two cores (MultiTop, a tile each) and of four (CtxTop,
//! the contexts of one tile circuit, a cycle every four clocks), every core's outputs brought
//! out (build.rs), equals the Rust model cycle by cycle, with the one comparator of
//! j1k_sim::lockstep for every core and the coherence unit — on the multi-core examples and on random multi-core
//! programs (j1k_sim::fuzz: shared blocks hammered with loads, stores, atomics, allocations,
//! node keys, starts and stops) for at least a million cycles per core count.

use j1k_rtl::{lockstep, Rtl};
use j1k_sim::fuzz::random_program;
use j1k_sim::mem::unit::Fault;
use j1k_sim::{BufUart, Config, Limits, Machine, Outcome};
use std::path::PathBuf;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The Rust model and the RTL of `cores` cores, both with `words` in every core's RAM.
fn pair(cores: usize, words: &[u16]) -> (Machine, Rtl) {
    let cfg = Config {
        cores,
        ..Config::default()
    };
    let mut m = Machine::new(cfg).unwrap();
    m.load_program(words).unwrap();
    let mut rtl = Rtl::new(&cfg).unwrap();
    rtl.load_image(words).unwrap();
    (m, rtl)
}

#[test]
fn the_multicore_examples_in_lockstep() {
    for cores in [2, 4] {
        for name in ["smp_count.fs", "gemm.fs", "pipe.fs", "scan.fs"] {
            let words = j1k_asm::assemble_file(&examples().join(name))
                .unwrap()
                .words;
            let (mut m, mut rtl) = pair(cores, &words);
            let mut console = BufUart::new(b"");
            let limits = Limits {
                max_cycles: Some(20_000_000),
                idle_cycles: 1_000_000,
            };
            let o = lockstep(&mut m, &mut rtl, &mut console, &limits)
                .unwrap_or_else(|d| panic!("{name} on {cores} cores: {d}"));
            assert_eq!(o, Outcome::Halted, "{name} on {cores} cores");
            let out = String::from_utf8_lossy(&console.output);
            eprintln!("{name}, {cores} cores: {} cycles: {out}", m.cycles());
            assert!(
                out.ends_with('\n'),
                "{name} on {cores} cores printed {out:?}"
            );
        }
    }
}

/// The RTL alone (`j1k sim --rtl --cores N`) prints what the Rust model prints, in as
/// many cycles.
#[test]
fn the_rtl_alone_runs_as_the_rust_model() {
    let words = j1k_asm::assemble_file(&examples().join("smp_count.fs"))
        .unwrap()
        .words;
    for cores in [2, 4] {
        let (mut m, mut rtl) = pair(cores, &words);
        let limits = Limits {
            max_cycles: Some(20_000_000),
            idle_cycles: 1_000_000,
        };
        let (mut ua, mut ub) = (BufUart::new(b""), BufUart::new(b""));
        let oa = m.run(&mut ua, &limits);
        let ob = rtl.run(&mut ub, &limits);
        assert_eq!((oa, m.cycles()), (ob, rtl.cycles()), "{cores} cores");
        let n = 500 * cores;
        assert_eq!(String::from_utf8_lossy(&ub.output), format!("{n} {n} \n"));
    }
}

/// Random multi-core programs, a million cycles and more per core count, zero
/// divergences; and they make traffic of every kind (counted by the Rust model).
#[test]
fn random_programs_in_lockstep_a_million_cycles_per_core_count() {
    for cores in [2, 4] {
        let (mut cycles, mut fills, mut writes, mut locks, mut allocs) = (0, 0, 0, 0, 0);
        for seed in 1..=8 {
            let src = random_program(seed, cores);
            let words = j1k_asm::assemble_str(examples().join("fuzz.fs").to_str().unwrap(), &src)
                .unwrap()
                .words;
            let (mut m, mut rtl) = pair(cores, &words);
            let limits = Limits {
                max_cycles: Some(130_000),
                idle_cycles: 1_000_000,
            };
            let o = lockstep(&mut m, &mut rtl, &mut BufUart::new(b""), &limits)
                .unwrap_or_else(|d| panic!("seed {seed}, {cores} cores: {d}\n{src}"));
            assert_eq!(o, Outcome::MaxCycles, "seed {seed}: the cores loop forever");
            let s = m.stats();
            let u = s.unit.unwrap();
            cycles += s.cycles;
            fills += u.fills;
            allocs += u.allocs;
            locks += u.node_locks;
            writes += s.block_writes;
        }
        eprintln!(
            "{cores} cores: {cycles} cycles, {writes} block writes, {fills} fills, \
             {allocs} allocations, {locks} node locks"
        );
        assert!(cycles >= 1_000_000);
        assert!(
            fills > 1000 && writes > 10_000 && allocs > 100 && locks > 1000,
            "too little traffic"
        );
    }
}

/// The comparison can fail: a Rust model whose caches hold one line where the RTL's hold
/// four evicts where the RTL hits, and the lockstep stops at the cycle the unit's
/// transaction differs (a write-back the RTL does not need), before any core shows it.
#[test]
fn a_different_unit_is_caught() {
    let words = j1k_asm::assemble_file(&examples().join("gemm.fs"))
        .unwrap()
        .words;
    let (_, mut rtl) = pair(2, &words);
    let mut m = Machine::new(Config {
        cores: 2,
        cache_lines: 1,
        ..Config::default()
    })
    .unwrap();
    m.load_program(&words).unwrap();
    let d = lockstep(&mut m, &mut rtl, &mut BufUart::new(b""), &long()).unwrap_err();
    eprintln!("{d}");
    assert_eq!(d.core, None, "{d}");
    assert!(d.fields.iter().any(|(f, _, _)| f == "txn writeback"), "{d}");
}

/// One invalidation dropped: a unit that leaves another tile's copy valid on a write fill
/// (the model's fault; the RTL is right) differs in that tile's line state at the
/// transaction's end, long before a core reads the stale copy.
#[test]
fn a_dropped_invalidation_is_caught() {
    let words = j1k_asm::assemble_file(&examples().join("smp_count.fs"))
        .unwrap()
        .words;
    for cores in [2, 4] {
        let (mut m, mut rtl) = pair(cores, &words);
        m.inject_fault(Fault::SkipInvalidation(None));
        let d = lockstep(&mut m, &mut rtl, &mut BufUart::new(b""), &long()).unwrap_err();
        eprintln!("{cores} cores: {d}");
        assert_eq!(d.core, None, "{d}");
        let (field, rust, rtl) = &d.fields[0];
        assert!(field.ends_with(" state"), "{d}");
        // the model keeps the stale copy (S), the RTL has invalidated it (I)
        assert_eq!((rust.as_str(), rtl.as_str()), ("S", "I"), "{d}");
    }
}

fn long() -> Limits {
    Limits {
        max_cycles: Some(20_000_000),
        idle_cycles: 1_000_000,
    }
}
