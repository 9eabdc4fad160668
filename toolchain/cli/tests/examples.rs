//! Runs every program in examples/ on the simulator and checks its UART output
//! against the answer computed here, independently, in Rust.

use j1k_sim::{BufUart, Config, Limits, Machine, Outcome};
use std::path::PathBuf;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// Assembles and runs an example; returns its output, the outcome and the cycle count.
fn run(name: &str, input: &[u8]) -> (String, Outcome, u64) {
    let asm = j1k_asm::assemble_file(&example(name))
        .unwrap_or_else(|e| panic!("{name} does not assemble: {e}"));
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, &asm.words).unwrap();
    let mut uart = BufUart::new(input);
    let limits = Limits {
        max_cycles: Some(200_000_000),
        idle_cycles: 100_000,
    };
    let outcome = m.run(&mut uart, &limits);
    (
        String::from_utf8(uart.output).expect("examples print ASCII"),
        outcome,
        m.cycles(),
    )
}

fn halts_with(name: &str, expected: &str) -> u64 {
    let (out, outcome, cycles) = run(name, b"");
    assert_eq!(outcome, Outcome::Halted, "{name}: printed {out:?}");
    assert_eq!(out, expected, "{name}");
    cycles
}

fn words(values: impl IntoIterator<Item = u32>) -> String {
    let mut s: String = values
        .into_iter()
        .map(|v| format!("{} ", v & 0xffff))
        .collect();
    s.push('\n');
    s
}

#[test]
fn hello() {
    halts_with("hello.fs", "Hello, world!\n");
}

#[test]
fn fib() {
    fn fib(n: u32) -> u32 {
        if n < 2 {
            n
        } else {
            fib(n - 1) + fib(n - 2)
        }
    }
    halts_with("fib.fs", &words((0..13).map(fib)));
}

#[test]
fn upper_echo() {
    let input = b"Hello, j1k World! zebra{}`az\n";
    let (out, outcome, _) = run("upper_echo.fs", input);
    assert_eq!(
        outcome,
        Outcome::Idle,
        "echo waits for more input, then idles out"
    );
    assert_eq!(out.as_bytes(), input.to_ascii_uppercase().as_slice());
}

#[test]
fn block_array() {
    let a = |i: u32| 3 * i + 1;
    let sum: u32 = (0..1000).map(a).sum();
    halts_with(
        "block_array.fs",
        &words([sum, a(0), a(127), a(128), a(999)]),
    );
}

#[test]
fn matvec() {
    let y = (0..8u32).map(|i| (0..8u32).map(|j| (i + j + 1) * (j + 1)).sum::<u32>());
    halts_with("matvec.fs", &words(y));
}

#[test]
fn word_scan() {
    let mut x: u16 = 0;
    let (mut best, mut place, mut small) = (0u16, 0u32, 0u32);
    for pos in 0..32 * 128u32 {
        x = x.wrapping_mul(5).wrapping_add(1);
        if x & 0xff < 16 {
            small += 1;
        }
        if x >= best {
            best = x;
            place = pos;
        }
    }
    halts_with("word_scan.fs", &words([best as u32, place, small]));
}

#[test]
fn tree() {
    let mut v = vec![50, 30, 70, 20, 40, 60, 80, 35, 65, 10, 45];
    v.sort();
    halts_with("tree.fs", &words(v));
}

#[test]
fn readonly() {
    halts_with(
        "readonly.fs",
        "rights: 2\nfaults: 1\nword 0: 42\nrights: 2\nfaults: 4\nword 0: 42\n",
    );
}

#[test]
fn indexing_benchmark_programs_agree() {
    // a[i] = 100 i after 100 passes; the checksum is their sum mod 2^16.
    let sum: u32 = (0..128).map(|i| 100 * i).sum();
    let blocks = halts_with("bench/index_blocks.fs", &words([sum]));
    let checked = halts_with("bench/index_checked.fs", &words([sum]));
    let unchecked = halts_with("bench/index_unchecked.fs", &words([sum]));
    assert!(blocks > 0 && checked > 0 && unchecked > 0);
}
