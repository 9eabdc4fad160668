//! The cost of safe indexed access: the same array workload written with
//! block instructions (index masked by the hardware, no check needed) and as
//! plain J1a code that checks every index in software. The figure that
//! matters is the ratio of simulated cycles, which is exact and repeatable;
//! criterion also times the simulation of each.
//!
//! `cargo bench -p j1k --bench indexing`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use j1k_sim::{BufUart, Config, Limits, Machine, Outcome};
use std::path::PathBuf;

fn image(name: &str) -> Vec<u16> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/bench")
        .join(name);
    j1k_asm::assemble_file(&p)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .words
}

fn run(words: &[u16]) -> (u64, Vec<u8>) {
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, words).unwrap();
    let mut out = BufUart::new(b"");
    let outcome = m.run(
        &mut out,
        &Limits {
            max_cycles: Some(1 << 32),
            idle_cycles: 1_000_000,
        },
    );
    assert_eq!(outcome, Outcome::Halted);
    (m.cycles(), out.output)
}

fn indexing(c: &mut Criterion) {
    let blocks = image("index_blocks.fs");
    let checked = image("index_checked.fs");
    let unchecked = image("index_unchecked.fs");
    let (cb, ob) = run(&blocks);
    let (cc, oc) = run(&checked);
    let (cu, ou) = run(&unchecked);
    assert_eq!(ob, oc, "both versions compute the same checksum");
    assert_eq!(ob, ou, "both versions compute the same checksum");
    println!(
        "indexing cycles: blocks {cb}, J1a checked {cc}, J1a unchecked {cu}; \
         checked/blocks = {:.2}, unchecked/blocks = {:.2}",
        cc as f64 / cb as f64,
        cu as f64 / cb as f64
    );
    let mut g = c.benchmark_group("indexing");
    g.throughput(Throughput::Elements(cb));
    g.bench_function("blocks", |b| b.iter(|| run(&blocks)));
    g.throughput(Throughput::Elements(cc));
    g.bench_function("checked", |b| b.iter(|| run(&checked)));
    g.throughput(Throughput::Elements(cu));
    g.bench_function("unchecked", |b| b.iter(|| run(&unchecked)));
    g.finish();
}

criterion_group!(benches, indexing);
criterion_main!(benches);
