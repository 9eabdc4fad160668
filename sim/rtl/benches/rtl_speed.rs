//! RTL simulation speed against the Rust model: the same program, the same
//! run, simulated cycles per second for each, and their ratio.
//!
//! `cargo bench -p j1k-rtl --bench rtl_speed`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use j1k_rtl::Rtl;
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

fn rust(words: &[u16]) -> u64 {
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, words).unwrap();
    assert_eq!(m.run(&mut BufUart::new(b""), &LIMITS), Outcome::Halted);
    m.cycles()
}

fn rtl(r: &mut Rtl, words: &[u16]) -> u64 {
    r.load_image(words).unwrap();
    assert_eq!(r.run(&mut BufUart::new(b""), &LIMITS), Outcome::Halted);
    r.cycles()
}

fn speed(c: &mut Criterion) {
    for prog in ["bench/index_checked.fs", "bench/index_blocks.fs"] {
        let words = image(prog);
        let mut model = Rtl::new(&Config::default()).unwrap();
        // One timed run of each first, for the ratio printed with the figures.
        let t = Instant::now();
        let cycles = rust(&words);
        let rust_rate = cycles as f64 / t.elapsed().as_secs_f64();
        let t = Instant::now();
        assert_eq!(rtl(&mut model, &words), cycles);
        let rtl_rate = cycles as f64 / t.elapsed().as_secs_f64();
        println!(
            "{prog}: {cycles} cycles; Rust model {:.1} M cycles/s, RTL (Verilator) {:.2} M cycles/s: Rust/RTL = {:.0}x",
            rust_rate / 1e6,
            rtl_rate / 1e6,
            rust_rate / rtl_rate
        );
        let mut g = c.benchmark_group(prog.trim_start_matches("bench/"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(cycles));
        g.bench_function("rust", |b| b.iter(|| rust(&words)));
        g.bench_function("rtl", |b| b.iter(|| rtl(&mut model, &words)));
        g.finish();
    }
}

criterion_group!(benches, speed);
criterion_main!(benches);
