//! RTL simulation speed against the Rust model: the same program, the same
//! run, simulated cycles per second for the Rust model, the RTL alone, and the
//! two in lockstep (compared every cycle), and their ratios.
//!
//! `cargo bench -p j1k-rtl --bench rtl_speed`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use j1k_rtl::{lockstep, Rtl};
use j1k_sim::{BufUart, Config, Limits, Machine, Outcome};
use std::path::PathBuf;
use std::time::Instant;

fn image(name: &str) -> Vec<u16> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    j1k_asm::assemble_file(&p).unwrap().words
}

const LIMITS: Limits = Limits {
    max_cycles: Some(1 << 32),
    idle_cycles: 1_000_000,
};

fn machine(words: &[u16]) -> Machine {
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, words).unwrap();
    m
}

fn rust(words: &[u16]) -> u64 {
    let mut m = machine(words);
    assert_eq!(m.run(&mut BufUart::new(b""), &LIMITS), Outcome::Halted);
    m.cycles()
}

fn rtl(r: &mut Rtl, words: &[u16]) -> u64 {
    r.load_image(words).unwrap();
    assert_eq!(r.run(&mut BufUart::new(b""), &LIMITS), Outcome::Halted);
    r.cycles()
}

fn both(r: &mut Rtl, words: &[u16]) -> u64 {
    let mut m = machine(words);
    r.load_image(words).unwrap();
    let o = lockstep(&mut m, r, &mut BufUart::new(b""), &LIMITS).unwrap();
    assert_eq!(o, Outcome::Halted);
    m.cycles()
}

/// Cycles per second of one timed run.
fn rate(cycles: u64, run: impl FnOnce() -> u64) -> f64 {
    let t = Instant::now();
    assert_eq!(run(), cycles);
    cycles as f64 / t.elapsed().as_secs_f64()
}

fn speed(c: &mut Criterion) {
    for prog in ["bench/index_checked.fs", "bench/index_blocks.fs"] {
        let words = image(prog);
        let mut model = Rtl::new(&Config::default()).unwrap();
        // One timed run of each first, for the ratios printed with the figures.
        let cycles = rust(&words);
        let rust_rate = rate(cycles, || rust(&words));
        let rtl_rate = rate(cycles, || rtl(&mut model, &words));
        let both_rate = rate(cycles, || both(&mut model, &words));
        println!(
            "{prog}: {cycles} cycles; Rust model {:.1} M cycles/s, RTL (Verilator) {:.2} M cycles/s, \
             lockstep {:.2} M cycles/s: Rust/RTL = {:.0}x, Rust/lockstep = {:.0}x",
            rust_rate / 1e6,
            rtl_rate / 1e6,
            both_rate / 1e6,
            rust_rate / rtl_rate,
            rust_rate / both_rate
        );
        let mut g = c.benchmark_group(prog.trim_start_matches("bench/"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(cycles));
        g.bench_function("rust", |b| b.iter(|| rust(&words)));
        g.bench_function("rtl", |b| b.iter(|| rtl(&mut model, &words)));
        g.bench_function("lockstep", |b| b.iter(|| both(&mut model, &words)));
        g.finish();
    }
}

criterion_group!(benches, speed);
criterion_main!(benches);
