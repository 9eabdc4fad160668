//! Several cores (docs/architecture.md): what each access costs, starting and
//! stopping cores, the shared-counter example on 1 to 8 cores, determinism, a
//! random multi-core fuzzer under the coherence checker, and a broken protocol
//! caught by it.

use j1k_sim::fuzz::random_program;
use j1k_sim::{BufUart, Config, Fault, Limits, Machine, Observer, Outcome, Stats, Step};
use std::path::PathBuf;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

fn machine(cores: usize, words: &[u16]) -> Machine {
    let mut m = Machine::new(Config {
        cores,
        ..Config::default()
    })
    .unwrap();
    m.load_program(words).unwrap();
    m
}

fn source(cores: usize, src: &str) -> Machine {
    let name = examples().join("test.fs");
    let asm = j1k_asm::assemble_str(name.to_str().unwrap(), src).unwrap_or_else(|e| panic!("{e}"));
    machine(cores, &asm.words)
}

fn run(m: &mut Machine, max_cycles: u64) -> (String, Outcome) {
    let mut uart = BufUart::new(b"");
    let o = m.run(
        &mut uart,
        &Limits {
            max_cycles: Some(max_cycles),
            idle_cycles: 1_000_000,
        },
    );
    (String::from_utf8(uart.output).unwrap(), o)
}

fn example(name: &str, cores: usize, check: bool) -> (String, Outcome, Stats) {
    let asm = j1k_asm::assemble_file(&examples().join(name)).unwrap_or_else(|e| panic!("{e}"));
    let mut m = machine(cores, &asm.words);
    if check {
        m.check_coherence();
    }
    let (out, o) = run(&mut m, 100_000_000);
    if let Some(v) = m.violation() {
        panic!("{v}");
    }
    (out, o, m.stats())
}

/// The uncontended costs of docs/architecture.md §3, in wait cycles: core 0
/// allocates (3), writes and reads its own block (hits: 0), shares it (a node
/// lock: 2); core 1 loads the key (2), reads (a fill from core 0's modified
/// copy: 2 + W + 2 = 132), writes (an upgrade: 4).
#[test]
fn each_access_costs_what_the_architecture_says() {
    let mut m = source(
        2,
        r"
        : worker  nb@ 0  0 b@ drop  7 0 b!  halt ;
        : main  0 0 io!  balloc drop  5 0 b!  0 b@ drop  nb! 0
                ['] worker $2000 or $0100 io!  halt ;",
    );
    let (_, o) = run(&mut m, 10_000);
    assert_eq!(o, Outcome::Halted);
    let s = m.stats();
    let (c0, c1) = (&s.cores[0], &s.cores[1]);
    assert_eq!(c0.wait_cycles, 3 + 2, "{s:#?}");
    assert_eq!(c1.wait_cycles, 2 + 132 + 4, "{s:#?}");
    assert_eq!((c0.cache.hits, c0.cache.misses), (2, 0));
    assert_eq!(
        (c1.cache.hits, c1.cache.misses, c1.cache.upgrades),
        (0, 2, 1)
    );
    assert_eq!((c0.cache.writebacks, c0.cache.invalidations), (1, 1));
    assert_eq!(m.block(1)[0], 7, "the last write is what the block holds");
    assert_eq!(
        m.store().block(1)[0],
        5,
        "the store has the copy written back"
    );
}

/// Core control: a started core runs from its address with the registers reset; the
/// running mask and the core count read back; a stopped core stays stopped.
#[test]
fn cores_start_stop_and_read_the_control_ports() {
    let mut m = source(
        4,
        r"
        include lib/io.fs
        variable n
        : spin  begin n @ 1+ n ! again ;
        : main  init  $0100 io@ .  $0200 io@ .  $4000 io@ .
                ['] spin $4000 or $0100 io!   $0100 io@ .
                $4000 $0200 io!  0 drop  $0100 io@ .  halt ;",
    );
    // (the stop acts in the cycle after the io! instruction, before the next read)
    let (out, o) = run(&mut m, 100_000);
    assert_eq!(o, Outcome::Halted);
    assert_eq!(out, "1 4 0 5 1 ");
    assert!(!m.core(2).running());
    assert!(m.core(2).ram()[0] != 0);
}

#[test]
fn the_shared_counter_is_exact_on_every_core_count() {
    for cores in [1, 2, 3, 4, 8] {
        let (out, o, s) = example("smp_count.fs", cores, true);
        assert_eq!(o, Outcome::Halted);
        let n = 500 * cores;
        assert_eq!(out, format!("{n} {n} \n"), "{cores} cores");
        assert_eq!(s.cores.len(), cores);
        if cores > 1 {
            let u = s.unit.expect("a unit");
            assert!(u.fills > 0 && u.max_grant_wait > 0, "{u:?}");
        }
    }
}

/// examples/gemm.fs against the product computed here, on 1, 2, 4 and 8 cores; the
/// cycle counts (exact, so a property of the design, not a timing) show the speed-up.
#[test]
fn gemm_computes_the_same_product_on_every_core_count() {
    let a = |i: u32, j: u32| i + j;
    let b = |i: u32, j: u32| (i as i32 - j as i32 + 3) as u32 & 0xffff;
    let c = |i: u32, j: u32| {
        (0..32).fold(0u32, |s, k| s.wrapping_add(a(i, k).wrapping_mul(b(k, j)))) & 0xffff
    };
    let sum = (0..32)
        .flat_map(|i| (0..32).map(move |j| (i, j)))
        .fold(0u32, |s, (i, j)| s.wrapping_add(c(i, j)))
        & 0xffff;
    let expected = format!("{sum} {} {}\n", c(0, 0), c(31, 31));
    let mut cycles = Vec::new();
    for cores in [1, 2, 4, 8] {
        let (out, o, s) = example("gemm.fs", cores, cores == 2);
        assert_eq!(
            (o, out.as_str()),
            (Outcome::Halted, expected.as_str()),
            "{cores} cores"
        );
        cycles.push(s.cycles);
    }
    let speedup = cycles[0] as f64 / cycles[2] as f64;
    assert!(speedup >= 3.4, "4 cores: {speedup:.2}x ({cycles:?})");
    assert!(cycles.windows(2).all(|w| w[1] < w[0]), "{cycles:?}");
}

/// examples/pipe.fs: 1..40 through one ring, their squares back through another.
#[test]
fn the_pipe_squares_what_it_is_sent() {
    let expected: String = (1..=40u32)
        .map(|i| format!("{} ", i * i))
        .collect::<String>()
        + "\n";
    for cores in [2, 4] {
        let (out, o, _) = example("pipe.fs", cores, true);
        assert_eq!(
            (o, out.as_str()),
            (Outcome::Halted, expected.as_str()),
            "{cores} cores"
        );
    }
    let (out, _, _) = example("pipe.fs", 1, false);
    assert!(out.contains("needs two cores"), "{out}");
}

/// examples/scan.fs against the same data searched here.
#[test]
fn the_scan_finds_every_match_on_every_core_count() {
    let mut x = 1u16;
    let mut words: Vec<u16> = (0..4096)
        .map(|_| {
            x = x.wrapping_mul(13).wrapping_add(7);
            x
        })
        .collect();
    for p in [4000, 77, 1234, 2222, 2223] {
        words[p] = 0x2a5b;
    }
    let hits: Vec<usize> = (0..4096).filter(|&i| words[i] == 0x2a5b).collect();
    let expected = format!("{} {} \n", hits.len(), hits[0]);
    for cores in [1, 2, 3, 4, 8] {
        let (out, o, _) = example("scan.fs", cores, cores == 4);
        assert_eq!(
            (o, out.as_str()),
            (Outcome::Halted, expected.as_str()),
            "{cores} cores"
        );
    }
}

#[test]
fn runs_are_deterministic() {
    let a = example("smp_count.fs", 4, false);
    let b = example("smp_count.fs", 4, false);
    assert_eq!(a, b);
}

/// A J1a program runs on core 0 of a 4-core machine exactly as on one core.
#[test]
fn a_one_core_program_is_unchanged_on_core_0_of_four() {
    let one = example("fib.fs", 1, false);
    let four = example("fib.fs", 4, false);
    assert_eq!(
        (&one.0, one.1, one.2.cycles),
        (&four.0, four.1, four.2.cycles)
    );
}

#[test]
fn random_programs_keep_coherence_for_a_million_cycles() {
    let mut total = 0;
    let (mut fills, mut invalidations, mut writes) = (0, 0, 0);
    for (seed, cores) in (1..).zip([2, 3, 4, 8, 2, 3, 4, 4]) {
        let src = random_program(seed, cores);
        let mut m = source(cores, &src);
        m.check_coherence();
        let (_, o) = run(&mut m, 150_000);
        if let Some(v) = m.violation() {
            panic!("seed {seed}, {cores} cores: {v}\n{src}");
        }
        assert_eq!(o, Outcome::MaxCycles, "seed {seed}: the cores loop forever");
        let s = m.stats();
        total += s.cycles;
        let u = s.unit.unwrap();
        fills += u.fills;
        invalidations += s.cores.iter().map(|c| c.cache.invalidations).sum::<u64>();
        writes += s.block_writes;
    }
    assert!(total >= 1_000_000);
    assert!(
        fills > 1000 && invalidations > 500 && writes > 10_000,
        "the fuzzer must make traffic: {fills} fills, {invalidations} invalidations, {writes} writes"
    );
}

/// A unit that skips one invalidation is caught by `--check-coherence`, with a report
/// naming the cycle, the block and every tile's state for it. (A unit without the
/// announce is caught by the model check, whose blocks are one word: with 128-word
/// blocks a fill outlasts every instruction the announce waits for.)
#[test]
fn a_skipped_invalidation_is_caught() {
    let asm = j1k_asm::assemble_file(&examples().join("smp_count.fs")).unwrap();
    let mut m = machine(2, &asm.words);
    m.inject_fault(Fault::SkipInvalidation(None));
    m.check_coherence();
    let (_, o) = run(&mut m, 10_000_000);
    assert_eq!(o, Outcome::Violation);
    let v = m.violation().unwrap().to_string();
    assert!(
        v.contains("block 1") && v.contains("tile 0") && v.contains("tile 1"),
        "{v}"
    );
    assert!(v.contains("while tile"), "{v}");
}

struct Every;
impl Observer for Every {
    fn after_cycle(&mut self, _: &Machine, _: &Step) {}
}

/// `run` (cores running ahead of the machine on their plain cycles) and `run_observed`
/// (every core stepped every cycle) end in the same state: output, cycles, every count,
/// every core's registers and RAM.
fn same_both_ways(src: &str, cores: usize, max_cycles: u64) -> Stats {
    let limits = Limits {
        max_cycles: Some(max_cycles),
        idle_cycles: 1_000_000,
    };
    let mut a = source(cores, src);
    let mut b = source(cores, src);
    let (mut ua, mut ub) = (BufUart::new(b""), BufUart::new(b""));
    let oa = a.run(&mut ua, &limits);
    let ob = b.run_observed(&mut ub, &limits, &mut Every);
    assert_eq!((oa, &ua.output, a.cycles()), (ob, &ub.output, b.cycles()));
    assert_eq!(a.stats(), b.stats());
    for k in 0..cores {
        let (x, y) = (a.core(k), b.core(k));
        assert_eq!(
            (
                x.pc(),
                x.t(),
                x.dstack(),
                x.rstack(),
                x.running(),
                x.halted()
            ),
            (
                y.pc(),
                y.t(),
                y.dstack(),
                y.rstack(),
                y.running(),
                y.halted()
            ),
            "core {k}"
        );
        assert_eq!(x.ram(), y.ram(), "core {k}'s RAM");
    }
    a.stats()
}

#[test]
fn running_ahead_changes_nothing() {
    for (name, cores) in [("smp_count.fs", 4), ("gemm.fs", 3)] {
        let src = std::fs::read_to_string(examples().join(name)).unwrap();
        same_both_ways(&src, cores, 50_000_000);
    }
    for (seed, cores) in (1..).zip([2, 3, 4, 8]) {
        same_both_ways(&random_program(seed, cores), cores, 100_000);
    }
}

/// A core stopped and restarted while it runs ahead of the machine is taken back to
/// the cycle of the write: its count of loop turns, stored in a shared block after
/// the restart, is the same as when every cycle is stepped.
#[test]
fn stopping_a_core_that_ran_ahead_takes_it_back() {
    let src = r"
        include lib/io.fs
        variable n
        : spin  begin n @ 1+ n ! again ;
        : report  nb@ 0  n @ 0 b!  halt ;
        : wait ( k -- )  begin 1- dup 0= until drop ;
        : main  init  balloc drop nb! 0
                ['] spin $2000 or $0100 io!   777 wait
                $2000 $0200 io!  13 wait
                ['] report $2000 or $0100 io!  300 wait
                0 b@ .  halt ;";
    let s = same_both_ways(src, 2, 1_000_000);
    assert!(s.cores[1].instructions > 1000, "{s:?}");
}

/// Remote RAM (docs/architecture.md §6): core 0 writes two words into stopped core 1's
/// RAM through io $0400/$0800 and reads them back; core 1, started, finds them in its
/// own RAM; a write to a running core is dropped and a read of one gives 0.
#[test]
fn a_core_writes_and_reads_a_stopped_cores_ram() {
    let (out, o) = run(
        &mut source(
            2,
            r"
            include lib/io.fs
            : fetch2 ( -- )  nb@ 0  $1000 @ 0 b!  $1002 @ 1 b!  halt ;  \ words $800, $801
            : spin  begin again ;                        \ runs (a jump to itself)
            : main  init  balloc drop nb! 0
                    $2800 $0400 io!  1234 $0800 io!  4321 $0800 io!     \ core 1, word $800
                    $2800 $0400 io!  $0800 io@ .  $0800 io@ .
                    ['] fetch2 $2000 or $0100 io!  400 begin 1- dup 0= until drop
                    0 b@ .  1 b@ .
                    ['] spin $2000 or $0100 io!
                    $2800 $0400 io!  77 $0800 io!  $2800 $0400 io!  $0800 io@ .  halt ;",
        ),
        1_000_000,
    );
    assert_eq!(o, Outcome::Halted, "{out}");
    assert_eq!(out, "1234 4321 1234 4321 0 ");
}

/// The remote pointer is core 0's only (docs/architecture.md §6): core 1's writes to
/// `$0400`/`$0800` change nothing in stopped core 2's RAM, and its read of `$0800` gives
/// 0, while core 0's pointer reaches core 2 as before.
#[test]
fn only_core_0_has_the_remote_pointer() {
    let mut m = source(
        3,
        r"
        include lib/io.fs
        variable got
        : wait ( k -- )  begin 1- dup 0= until drop ;
        : poke  $4800 $0400 io!  99 $0800 io!  $4800 $0400 io!  $0800 io@ got !  halt ;
        : main  init  $4800 $0400 io!  55 $0800 io!           \ core 2, word $800
                ['] poke $2000 or $0100 io!  300 wait
                $2000 $0200 io!  5 wait                      \ core 1 stopped: read its got
                got 2/ $2000 or $0400 io!  $0800 io@ .
                $4800 $0400 io!  $0800 io@ .  halt ;",
    );
    let (out, o) = run(&mut m, 1_000_000);
    assert_eq!(o, Outcome::Halted, "{out}");
    assert_eq!(out, "0 55 ", "core 1 read 0 and wrote nothing");
    assert_eq!(m.core(2).ram()[0x800], 55);
    assert!(!m.core(1).running() && !m.core(2).running());
}

/// A stop followed at once by reads of the stopped core through the remote pointer
/// (under `run`, core 1 runs ahead of the machine until the stop). The stop's io write acts in
/// cycle `w` and the core is stopped from `w + 1`; `$0800` reads 0 in `w + 1` (the
/// target's RAM port answers the pointer a cycle after the stop) and the word in `w + 2`
/// (docs/architecture.md §6). The stop's write is followed by a read strobe in the very
/// next cycle by keeping the port address on the return stack.
const READ_AFTER_STOP: &str = r"
    include lib/io.fs
    variable n
    : wait ( k -- )  begin 1- dup 0= until drop ;
    : spin  begin n @ 1+ n ! again ;
    : main  init  $2800 $0400 io!  1111 $0800 io!  2222 $0800 io!  3333 $0800 io!
            ['] spin $2000 or $0100 io!  50 wait
            $2800 $0400 io!
            $0800 >r  $2000 $0200
            alu(rT,N->io[T],d-1)  alu(T,_IORD_,r-1)    \ stop core 1; read strobe at $0800
            alu(io[T],_IORD_)  alu(io[T],T->N,d+1)     \ words $800 and $801
            . .  $2800 $0400 io!  $0800 io@ .  halt ;";

#[test]
fn the_remote_pointer_reads_a_core_from_the_second_cycle_of_its_stop() {
    let mut m = source(2, READ_AFTER_STOP);
    let mut uart = BufUart::new(b"");
    let mut steps = Vec::new();
    while steps.len() < 10_000 {
        let s = m.step(&mut uart);
        let halted = s.halted;
        steps.push((s, m.core(1).running()));
        if halted {
            break;
        }
    }
    assert_eq!(String::from_utf8_lossy(&uart.output), "2222 0 1111 ");
    let w = steps
        .iter()
        .position(|(s, _)| s.cores[0].io_write == Some((0x0200, 0x2000)))
        .expect("the stop");
    // The cycles, from the trace (they change only if the program or the timing does):
    // 440 the stop's io! strobe, 441 its write with the read strobe, 442 and 443 the reads.
    assert_eq!(w, 441, "the stop's io write");
    let at = |c: usize| (steps[c].0.cycle, steps[c].0.cores[0].io_read, steps[c].1);
    assert_eq!(at(440), (440, None, true), "core 1 runs");
    assert_eq!(
        at(441),
        (441, None, false),
        "stopped at the end of cycle 441"
    );
    assert_eq!(at(442), (442, Some(0), false), "stopped in 442, not 441: 0");
    assert_eq!(
        at(443),
        (443, Some(2222), false),
        "stopped in 442 and 443: word $801"
    );
    // The same end state when core 1 runs ahead of the machine until the stop.
    same_both_ways(READ_AFTER_STOP, 2, 100_000);
    let mut m = source(2, READ_AFTER_STOP);
    let (out, o) = run(&mut m, 100_000);
    assert_eq!((out.as_str(), o), ("2222 0 1111 ", Outcome::Halted));
}

/// Core 1 with 256 words of RAM (docs/architecture.md §6): it holds the image's first 256
/// words, its word a + 256 is word a (a store there, and a fetch: `jump-high` runs the
/// word at `jump-target`), and core 0 keeps its 4096; the fast path and the stepped path
/// agree.
#[test]
fn a_smaller_core_ram_takes_the_low_address_bits() {
    let src = "
include lib/io.fs
include lib/smp.fs
variable v  variable w  variable x
: target  77 x !  halt ;
: worker
    $1234 v 512 + !         \\ word v + 256: word v
    v @ w !
    ['] target 512 + >r ;   \\ return to target + 256: runs target
: main  ['] worker 1 start  $4321 v 512 + !  halt ;
";
    let asm = j1k_asm::assemble_str(examples().join("t.fs").to_str().unwrap(), src).unwrap();
    let sym = |n: &str| asm.symbols.iter().find(|s| s.name == n).unwrap().value as usize / 2;
    let mut image = asm.words.clone();
    image.resize(300, 0);
    image[299] = 0xabcd; // past core 1's RAM
    let cfg = Config {
        cores: 2,
        worker_ram: 256,
        ..Config::default()
    };
    let limits = Limits {
        max_cycles: Some(100_000),
        idle_cycles: 1_000_000,
    };
    let mut a = Machine::new(cfg).unwrap();
    a.load_program(&image).unwrap();
    let mut b = Machine::new(cfg).unwrap();
    b.load_program(&image).unwrap();
    let (mut ua, mut ub) = (BufUart::new(b""), BufUart::new(b""));
    assert_eq!(a.run(&mut ua, &limits), Outcome::Halted);
    assert_eq!(
        b.run_observed(&mut ub, &limits, &mut Every),
        Outcome::Halted
    );
    for m in [&a, &b] {
        let (c0, c1) = (m.core(0).ram(), m.core(1).ram());
        assert_eq!((c0.len(), c1.len()), (4096, 256));
        assert_eq!(c1[sym("v")], 0x1234, "the store at v + 256 is v");
        assert_eq!(c1[sym("w")], 0x1234);
        assert_eq!(c1[sym("x")], 77, "the fetch at target + 256 ran target");
        assert_eq!(c0[sym("v") + 256], 0x4321, "core 0 has its 4096 words");
        assert_eq!(c0[sym("v")], 0);
        assert_eq!(c0[299], 0xabcd);
        assert_eq!(
            c1[299 - 256],
            image[299 - 256],
            "core 1 holds the first 256 words"
        );
    }
    assert_eq!(a.cycles(), b.cycles());
    assert_eq!(
        Machine::new(Config {
            worker_ram: 300,
            ..cfg
        })
        .err()
        .map(|e| e.to_string()),
        Some("300 words of RAM for cores 1..: give a power of two from 256 to 4096".into())
    );
}
