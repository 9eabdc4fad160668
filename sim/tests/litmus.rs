//! Litmus tests of the memory model (docs/architecture.md §5): message passing,
//! store buffering, load buffering, IRIW, 2+2W and coherence of read-read, each
//! run many times with random start delays (and random warm copies) so that many
//! interleavings occur. Every outcome seen must be sequentially consistent; the
//! table of outcomes is printed (`--nocapture`) for the docs.

use j1k_sim::{BufUart, Config, Fault, Limits, Machine, Outcome};
use std::collections::BTreeMap;
use std::path::PathBuf;

struct Litmus {
    name: &'static str,
    /// One body per thread, in the words `1 wx`, `ry 0 r!` (read y into result 0), ...
    threads: &'static [&'static str],
    /// Results r0.. and the final x and y: is this outcome forbidden under SC?
    forbidden: fn(&[u16]) -> bool,
    /// What the table shows: result names, then "x", "y" if the final values matter.
    show: &'static [&'static str],
}

const TESTS: [Litmus; 6] = [
    Litmus {
        name: "MP",
        threads: &["1 wx 1 wy", "ry 0 r! rx 1 r!"],
        forbidden: |r| r[0] == 1 && r[1] == 0,
        show: &["r0", "r1"],
    },
    Litmus {
        name: "SB",
        threads: &["1 wx ry 0 r!", "1 wy rx 1 r!"],
        forbidden: |r| r[0] == 0 && r[1] == 0,
        show: &["r0", "r1"],
    },
    Litmus {
        name: "LB",
        threads: &["rx 0 r! 1 wy", "ry 1 r! 1 wx"],
        forbidden: |r| r[0] == 1 && r[1] == 1,
        show: &["r0", "r1"],
    },
    Litmus {
        name: "IRIW",
        threads: &["1 wx", "1 wy", "rx 0 r! ry 1 r!", "ry 2 r! rx 3 r!"],
        forbidden: |r| r[0] == 1 && r[1] == 0 && r[2] == 1 && r[3] == 0,
        show: &["r0", "r1", "r2", "r3"],
    },
    Litmus {
        name: "2+2W",
        threads: &["1 wx 2 wy", "1 wy 2 wx"],
        forbidden: |r| r[4] == 1 && r[5] == 1,
        show: &["x", "y"],
    },
    Litmus {
        name: "CoRR",
        threads: &["1 wx", "rx 0 r! rx 1 r!"],
        forbidden: |r| r[0] == 1 && r[1] == 0,
        show: &["r0", "r1"],
    },
];

/// The program for one run: core k runs thread k after `delays[k]` loop turns; `warm`
/// bit 2k (2k+1) makes it read x (y) before the start barrier.
fn program(t: &Litmus, delays: &[u32], warm: u32) -> String {
    let mut s = String::from(
        r"include lib/io.fs
include lib/smp.fs
: delay ( n -- )  begin dup while 1- repeat drop ;
: keys  nsel n0 bsel b1 nb@ 0 bsel b2 nb@ 1 bsel b3 nb@ 2 ;
: sync  bsel b3 #cores 31 barrier ;
: wx ( v -- )  bsel b1 0 b! ;   : rx ( -- v )  bsel b1 0 b@ ;
: wy ( v -- )  bsel b2 0 b! ;   : ry ( -- v )  bsel b2 0 b@ ;
: r! ( v k -- )  bsel b3 b! ;
",
    );
    for (k, body) in t.threads.iter().enumerate() {
        let w = |bit: u32, word: &str| {
            if warm >> bit & 1 == 1 {
                format!("{word} drop ")
            } else {
                String::new()
            }
        };
        s += &format!(
            ": thread{k}  keys {}{}sync {} delay {body} sync ;\n",
            w(2 * k as u32, "rx"),
            w(2 * k as u32 + 1, "ry"),
            delays[k]
        );
        if k > 0 {
            s += &format!(": start{k}  thread{k} halt ;\n");
        }
    }
    s += ": main  init\n  bsel b1 balloc drop nb! 0  bsel b2 balloc drop nb! 1  bsel b3 balloc drop nb! 2\n";
    for k in 1..t.threads.len() {
        s += &format!("  ['] start{k} ${:x} or $0100 io!\n", k << 13);
    }
    s += "  thread0  bsel b3 0 b@ . 1 b@ . 2 b@ . 3 b@ .  rx .  ry .  cr halt ;\n";
    s
}

fn run(src: &str, cores: usize, fault: Fault) -> Vec<u16> {
    let name = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/litmus.fs");
    let asm =
        j1k_asm::assemble_str(name.to_str().unwrap(), src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    let mut m = Machine::new(Config {
        cores,
        ..Config::default()
    })
    .unwrap();
    m.load_program(&asm.words).unwrap();
    m.inject_fault(fault);
    if fault == Fault::None {
        m.check_coherence();
    }
    let mut uart = BufUart::new(b"");
    let o = m.run(
        &mut uart,
        &Limits {
            max_cycles: Some(5_000_000),
            idle_cycles: 1_000_000,
        },
    );
    assert_eq!(o, Outcome::Halted, "{:?}\n{src}", m.violation());
    String::from_utf8(uart.output)
        .unwrap()
        .split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect()
}

#[test]
fn every_outcome_is_sequentially_consistent() {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n) as u32
    };
    println!("| test | runs | outcomes seen (count) |\n|---|---|---|");
    for t in &TESTS {
        let n = t.threads.len();
        let runs = if n == 4 { 300 } else { 200 };
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        for _ in 0..runs {
            let delays: Vec<u32> = (0..n).map(|_| next(80)).collect();
            let warm = next(1 << (2 * n));
            let r = run(&program(t, &delays, warm), n, Fault::None);
            assert!(
                !(t.forbidden)(&r),
                "{}: forbidden outcome {r:?} (delays {delays:?}, warm {warm:b})",
                t.name
            );
            let key: Vec<String> = t
                .show
                .iter()
                .map(|s| {
                    let v = match *s {
                        "x" => r[4],
                        "y" => r[5],
                        r_k => r[r_k[1..].parse::<usize>().unwrap()],
                    };
                    format!("{s}={v}")
                })
                .collect();
            *seen.entry(key.join(" ")).or_default() += 1;
        }
        let list: Vec<String> = seen.iter().map(|(k, v)| format!("{k} ({v})")).collect();
        println!("| {} | {runs} | {} |", t.name, list.join(", "));
        assert!(
            seen.len() >= 2,
            "{}: the delays must give more than one outcome: {seen:?}",
            t.name
        );
    }
}

/// The test can fail: with a unit that skips the invalidations of x's block (and no
/// coherence check), message passing shows its forbidden outcome — the flag seen, the
/// data stale.
#[test]
fn a_broken_unit_breaks_message_passing() {
    let mp = &TESTS[0];
    let bad = (0..60u32).map(|d| d * 10).any(|d| {
        // core 1 holds a copy of x from before the start (warm bit 2)
        let r = run(
            &program(mp, &[0, d], 0b100),
            2,
            Fault::SkipInvalidation(Some(1)),
        );
        (mp.forbidden)(&r)
    });
    assert!(bad, "no delay showed the stale read");
}
