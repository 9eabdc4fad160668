//! Simulation speed of the fast path: simulated cycles per second on
//! long-running programs with no I/O. Programs are hand-assembled with
//! `j1k_isa::encode`.
//!
//! `cargo bench -p j1k-sim --bench sim_speed`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use j1k_isa::{encode, Alu, AluOp, Func, Insn};
use j1k_sim::{BufUart, Config, Limits, Machine, Outcome};
use std::time::Instant;

fn alu(op: AluOp, func: Func, d: i8, r: i8, ret: bool) -> u16 {
    encode(&Insn::Alu(Alu {
        op,
        ret,
        func,
        rdelta: r,
        ddelta: d,
    }))
}
fn lit(v: u16) -> u16 {
    encode(&Insn::Lit(v))
}
fn jmp(a: u16) -> u16 {
    encode(&Insn::Jump(a))
}
fn jz(a: u16) -> u16 {
    encode(&Insn::CondJump(a))
}
fn call(a: u16) -> u16 {
    encode(&Insn::Call(a))
}

/// Nested counting loops around a call to an arithmetic subroutine:
/// literals, ALU ops (folded return included), conditional and plain jumps.
fn compute(outer: u16) -> Vec<u16> {
    use AluOp::*;
    let dup = alu(T, Func::TtoN, 1, 0, false);
    let drop = alu(N, Func::None, -1, 0, false);
    let minus = alu(NminusT, Func::None, -1, 0, false);
    let plus = alu(TplusN, Func::None, -1, 0, false);
    let xor = alu(TxorN, Func::None, -1, 0, false);
    let swap = alu(N, Func::TtoN, 0, 0, false);
    let swap_exit = alu(N, Func::TtoN, 0, -1, true);
    let shl = alu(Tshl, Func::None, 0, 0, false);
    let p = vec![
        lit(0),     // 0: acc
        lit(outer), // 1: outer count
        // 2: outer loop
        lit(0x7fff), // 2: inner count
        // 3: inner loop ( acc outer inner )
        call(16), // 3
        lit(1),   // 4
        minus,    // 5
        dup,      // 6
        jz(9),    // 7
        jmp(3),   // 8
        drop,     // 9: inner done
        lit(1),   // 10
        minus,    // 11
        dup,      // 12
        jz(15),   // 13
        jmp(2),   // 14
        jmp(15),  // 15: halt
        // 16: ( acc o i -- acc' o i ): rot the accumulator up, mix it, put it back
        alu(N, Func::TtoR, -1, 1, false), // >r   ( acc o )  R: i
        swap,                             // ( o acc )
        lit(3),
        plus,
        dup,
        shl,
        xor,                              // ( o acc' )
        swap,                             // ( acc' o )
        alu(R, Func::TtoN, 1, -1, false), // r>   ( acc' o i )
        alu(T, Func::None, 0, 0, false),  // noop
        swap,
        swap_exit, // two swaps cancel; the second returns
    ];
    p
}

/// A loop that writes RAM and reads it back through the fetch path (`@`):
/// N→[T] stores, `call $1000+a` fetches, plus the io write that opens the gate.
fn memory() -> Vec<u16> {
    use AluOp::*;
    let dup = alu(T, Func::TtoN, 1, 0, false);
    let drop = alu(N, Func::None, -1, 0, false);
    let minus = alu(NminusT, Func::None, -1, 0, false);
    let plus = alu(TplusN, Func::None, -1, 0, false);
    let store1 = alu(T, Func::Store, -1, 0, false);
    let iow = alu(T, Func::IoWrite, -1, 0, false);
    let p = vec![
        lit(1),      // 0
        lit(4),      // 1
        iow,         // 2: io! to the LEDs opens the write gate
        drop,        // 3
        lit(0x7fff), // 4: count
        // 5: loop ( n )
        dup,                                // 5 ( n n )
        lit(0x200),                         // 6 ( n n a )  byte address of word $100
        store1,                             // 7 ( n n )
        drop,                               // 8 ( n )   -- `!` done
        call(0x1100),                       // 9 ( n x ) fetch word $100
        plus,                               // 10 ( 2n )
        lit(1),                             // 11
        alu(Tsra, Func::None, 0, 0, false), // 12: 2/ of 1 = 0
        plus,                               // 13
        alu(Tsra, Func::None, 0, 0, false), // 14 ( n )
        lit(1),                             // 15
        minus,                              // 16
        dup,                                // 17
        jz(20),                             // 18
        jmp(5),                             // 19
        jmp(20),                            // 20 halt
    ];
    p
}

fn run(words: &[u16], max: u64) -> u64 {
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, words).unwrap();
    let mut u = BufUart::new(&[]);
    let o = m.run(
        &mut u,
        &Limits {
            max_cycles: Some(max),
            idle_cycles: u64::MAX,
        },
    );
    assert!(o == Outcome::Halted || o == Outcome::MaxCycles);
    m.cycles()
}

fn sim_speed(c: &mut Criterion) {
    let progs = [
        ("compute", compute(20), 20_000_000u64),
        ("memory", memory(), 20_000_000u64),
    ];
    let mut g = c.benchmark_group("sim_speed");
    g.sample_size(10);
    for (name, words, max) in &progs {
        let cycles = run(words, *max);
        let t0 = Instant::now();
        let reps = 3;
        for _ in 0..reps {
            std::hint::black_box(run(words, *max));
        }
        let rate = (cycles * reps) as f64 / t0.elapsed().as_secs_f64();
        println!(
            "sim_speed/{name}: {cycles} cycles per run, {:.0} million simulated cycles/s",
            rate / 1e6
        );
        g.throughput(Throughput::Elements(cycles));
        g.bench_function(*name, |b| b.iter(|| run(words, *max)));
    }
    g.finish();
}

criterion_group!(benches, sim_speed);
criterion_main!(benches);
