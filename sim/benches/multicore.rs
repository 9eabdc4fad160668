//! Simulation speed with several cores: examples/gemm.fs on 1, 2, 4 and 8 cores, in
//! simulated core-cycles per second (cycles × cores that run), each against the
//! 1-core run measured in the same process.
//!
//! `cargo bench -p j1k-sim --bench multicore`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use j1k_sim::{BufUart, Config, Limits, Machine, Outcome};
use std::path::PathBuf;
use std::time::Instant;

fn gemm() -> Vec<u16> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/gemm.fs");
    j1k_asm::assemble_file(&path)
        .expect("gemm.fs assembles")
        .words
}

/// One run; returns the machine's cycles.
fn run(words: &[u16], cores: usize) -> u64 {
    let mut m = Machine::new(Config {
        cores,
        ..Config::default()
    })
    .unwrap();
    m.load_program(words).unwrap();
    let mut u = BufUart::new(&[]);
    let o = m.run(
        &mut u,
        &Limits {
            max_cycles: Some(100_000_000),
            idle_cycles: u64::MAX,
        },
    );
    assert_eq!(o, Outcome::Halted);
    m.cycles()
}

fn multicore(c: &mut Criterion) {
    let words = gemm();
    let mut g = c.benchmark_group("multicore");
    g.sample_size(10);
    let mut base = 0.0;
    for cores in [1, 2, 4, 8] {
        let cycles = run(&words, cores);
        let reps = 5;
        let t0 = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(run(&words, cores));
        }
        let rate = (cycles * cores as u64 * reps) as f64 / t0.elapsed().as_secs_f64();
        if cores == 1 {
            base = rate;
        }
        println!(
            "multicore/gemm/{cores}: {cycles} cycles, {:.0} M simulated core-cycles/s ({:.2}x the 1-core rate)",
            rate / 1e6,
            rate / base
        );
        g.throughput(Throughput::Elements(cycles * cores as u64));
        g.bench_function(format!("gemm/{cores}"), |b| b.iter(|| run(&words, cores)));
    }
    g.finish();
}

criterion_group!(benches, multicore);
criterion_main!(benches);
