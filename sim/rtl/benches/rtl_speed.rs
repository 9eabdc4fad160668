//! RTL simulation speed against the Rust model: the same program, the same
//! run, simulated cycles per second for the Rust model, the RTL alone, and the
//! two in lockstep (compared every cycle), and their ratios — on one core, and
//! examples/gemm.fs on two and four (cycles of the machine, all cores at once).
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

fn config(cores: usize) -> Config {
    Config {
        cores,
        ..Config::default()
    }
}

fn machine(cores: usize, words: &[u16]) -> Machine {
    let mut m = Machine::new(config(cores)).unwrap();
    m.load_program(words).unwrap();
    m
}

fn rust(cores: usize, words: &[u16]) -> u64 {
    let mut m = machine(cores, words);
    assert_eq!(m.run(&mut BufUart::new(b""), &LIMITS), Outcome::Halted);
    m.cycles()
}

fn rtl(r: &mut Rtl, words: &[u16]) -> u64 {
    r.load_image(words).unwrap();
    assert_eq!(r.run(&mut BufUart::new(b""), &LIMITS), Outcome::Halted);
    r.cycles()
}

fn both(r: &mut Rtl, words: &[u16]) -> u64 {
    let mut m = machine(r.cores(), words);
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
    for (prog, cores) in [
        ("bench/index_checked.fs", 1),
        ("bench/index_blocks.fs", 1),
        ("gemm.fs", 2),
        ("gemm.fs", 4),
    ] {
        let words = image(prog);
        let mut model = Rtl::new(&config(cores)).unwrap();
        // One timed run of each first, for the ratios printed with the figures.
        let cycles = rust(cores, &words);
        let rust_rate = rate(cycles, || rust(cores, &words));
        let rtl_rate = rate(cycles, || rtl(&mut model, &words));
        let both_rate = rate(cycles, || both(&mut model, &words));
        println!(
            "{prog}, {cores} core(s): {cycles} cycles; Rust model {:.1} M cycles/s, RTL (Verilator) \
             {:.2} M cycles/s, lockstep {:.2} M cycles/s: Rust/RTL = {:.0}x, Rust/lockstep = {:.0}x",
            rust_rate / 1e6,
            rtl_rate / 1e6,
            both_rate / 1e6,
            rust_rate / rtl_rate,
            rust_rate / both_rate
        );
        let name = prog.trim_start_matches("bench/");
        let mut g = c.benchmark_group(match cores {
            1 => name.to_string(),
            n => format!("{name} on {n} cores"),
        });
        g.sample_size(10);
        g.throughput(Throughput::Elements(cycles));
        g.bench_function("rust", |b| b.iter(|| rust(cores, &words)));
        g.bench_function("rtl", |b| b.iter(|| rtl(&mut model, &words)));
        g.bench_function("lockstep", |b| b.iter(|| both(&mut model, &words)));
        g.finish();
    }
}

criterion_group!(benches, speed);
criterion_main!(benches);
