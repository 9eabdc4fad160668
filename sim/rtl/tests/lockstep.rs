//! The RTL equals the Rust model cycle by cycle: every example program, and a
//! differential fuzzer of random instruction streams (key instructions
//! included) for over a million cycles.

use j1k_isa::{encode, Insn, KeyInsn, KeyOp};
use j1k_rtl::{lockstep, lockstep_batched, Rtl, LOCKSTEP_BATCH};
use j1k_sim::{BufUart, Config, Limits, Machine, Outcome};
use std::path::PathBuf;

fn examples() -> Vec<(PathBuf, &'static [u8])> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut v: Vec<(PathBuf, &'static [u8])> = Vec::new();
    for name in [
        "hello.fs",
        "fib.fs",
        "block_array.fs",
        "matvec.fs",
        "word_scan.fs",
        "tree.fs",
        "readonly.fs",
        "bench/index_blocks.fs",
        "bench/index_checked.fs",
        "bench/index_unchecked.fs",
    ] {
        v.push((dir.join(name), b""));
    }
    v.push((dir.join("upper_echo.fs"), b"Lockstep, both sides!\n"));
    v
}

fn limits() -> Limits {
    Limits {
        max_cycles: Some(5_000_000),
        idle_cycles: 20_000,
    }
}

#[test]
fn every_example_in_lockstep() {
    for (path, input) in examples() {
        let words = j1k_asm::assemble_file(&path).unwrap().words;
        let mut m = Machine::new(Config::default()).unwrap();
        m.load_image(0, &words).unwrap();
        let mut rtl = Rtl::new(&Config::default()).unwrap();
        rtl.load_image(&words).unwrap();
        let mut console = BufUart::new(input);
        let outcome = lockstep(&mut m, &mut rtl, &mut console, &limits())
            .unwrap_or_else(|d| panic!("{}: {d}", path.display()));
        assert_ne!(outcome, Outcome::MaxCycles, "{}", path.display());
        assert!(
            !console.output.is_empty(),
            "{} printed nothing",
            path.display()
        );
    }
}

/// A reset puts the key registers back (all null but `n0`, the root key) even
/// though they live in a block RAM that only the configuration initialises: a
/// program that leaves its registers changed, then a reset of the same model,
/// then a lockstep run against a fresh Rust model.
#[test]
fn a_reset_clears_the_key_registers() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let tree = j1k_asm::assemble_file(&dir.join("tree.fs")).unwrap().words;
    let mut rtl = Rtl::new(&Config::default()).unwrap();
    rtl.load_image(&tree).unwrap();
    rtl.run(&mut BufUart::new(b""), &limits());
    let o = rtl.observe();
    assert!(
        o.breg.iter().chain(&o.nreg[1..]).any(|&k| k != 0) || o.nreg[0] != 0x8001,
        "tree.fs left every key register as at reset: {o:x?}"
    );
    // Every register's rights, read before anything writes it: 0 but n0's 3.
    let mut src = String::from(": main\n");
    for r in 0..8 {
        src.push_str(&format!("bsel b{r} b? bkey= b0\n"));
    }
    for r in 0..4 {
        src.push_str(&format!("nsel n{r} n? nkey= n0\n"));
    }
    src.push_str("halt ;\n");
    let rights = j1k_asm::assemble_str("rights.fs", &src).unwrap().words;
    rtl.load_image(&rights).unwrap();
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, &rights).unwrap();
    lockstep(&mut m, &mut rtl, &mut BufUart::new(b""), &limits())
        .unwrap_or_else(|d| panic!("after a reset: {d}"));
}

/// An instruction is fetched once (docs/isa.md §6): a store into the word of
/// the key instruction that follows it, on the edge that fetches it, changes
/// the RAM but not the instruction, which runs all its cycles in both models.
/// (Before the code RAM held its read while the pc is held, the RTL's key unit
/// ran `bsel b1` while its core ran the stored word; the model dropped it.)
#[test]
fn a_key_instruction_is_fetched_once() {
    let src = "\
: main
    0 $1000 io! alu(T) alu(T)       \\ an io write opens the RAM write gate
    $6000 $14 alu(T,N->[T],d-1)     \\ stores $6000 (a no-op) into the next word, as it is fetched
    bsel b1
    halt ;
";
    let words = j1k_asm::assemble_str("fetched_once.fs", src).unwrap().words;
    assert_eq!(
        words[0x14 / 2] >> 12,
        7,
        "the word stored into is not the key instruction"
    );
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, &words).unwrap();
    let mut rtl = Rtl::new(&Config::default()).unwrap();
    rtl.load_image(&words).unwrap();
    lockstep(&mut m, &mut rtl, &mut BufUart::new(b""), &limits()).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(
        m.core(0).ram()[0x14 / 2],
        0x6000,
        "the store did not happen"
    );
    assert_eq!(m.core(0).cur_block(), 1, "bsel b1 did not run");
    assert!(
        m.core(0).busy().is_none(),
        "a key instruction was left half done"
    );
}

#[test]
fn rtl_alone_gives_the_rust_models_output_and_cycles() {
    for (path, input) in examples() {
        let words = j1k_asm::assemble_file(&path).unwrap().words;
        let mut m = Machine::new(Config::default()).unwrap();
        m.load_image(0, &words).unwrap();
        let mut a = BufUart::new(input);
        let oa = m.run(&mut a, &limits());
        let mut rtl = Rtl::new(&Config::default()).unwrap();
        rtl.load_image(&words).unwrap();
        let mut b = BufUart::new(input);
        let ob = rtl.run(&mut b, &limits());
        assert_eq!(oa, ob, "{}", path.display());
        assert_eq!(a.output, b.output, "{}", path.display());
        assert_eq!(m.cycles(), rtl.cycles(), "{}", path.display());
    }
}

/// xorshift64*: a small deterministic generator, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Key opcodes the fuzzer favours: b@ b! bc@ bc! bxchg bxadd balloc.
const ACCESS: [u16; 7] = [11, 12, 13, 14, 15, 16, 25];

/// A random program: mostly ALU and key instructions, literals, and branches
/// that stay inside the program, with some raw words of every kind.
fn random_program(rng: &mut Rng) -> Vec<u16> {
    let len = 64 + rng.below(448) as usize;
    // Half the programs start with a prologue: fresh blocks in b1, b2 and b0 (current),
    // fresh nodes in n1 and n0 (current), so that block and slot writes through read-write
    // keys happen from the start (at reset b0 is null; n0, the root, is read-write).
    let key = |op: KeyOp, nreg: u8, imm: u8| encode(&Insn::Key(KeyInsn::new(op, nreg, imm)));
    let drop = j1k_isa::ALU_WORDS
        .iter()
        .find(|(n, _)| *n == "drop")
        .unwrap()
        .1;
    let mut words = Vec::new();
    if rng.below(2) == 0 {
        for (b, n) in [(1, 1), (2, 1), (0, 0)] {
            words.extend([key(KeyOp::Bsel, 0, b), key(KeyOp::Balloc, 0, 0), drop]);
            words.extend([key(KeyOp::Nsel, 0, n), key(KeyOp::Nalloc, 0, 0), drop]);
        }
    }
    let start = words.len();
    words.extend((start..len).map(|_| {
        let r = rng.next();
        let w = (r >> 16) as u16;
        match rng.below(100) {
            0..=34 => 0x6000 | (w & 0x0fff),  // base ALU
            35..=47 => 0x7000 | (w & 0x0fff), // key instruction
            // a block access or allocation, so that writes through fresh read-write
            // keys happen (uniform opcodes almost never write a block)
            48..=59 => 0x7000 | (ACCESS[(r % 7) as usize] << 7) | (w & 0x7f),
            60..=74 => 0x8000 | (w & 0x7fff),           // literal
            75..=84 => (w & 0x6000) | (w % len as u16), // jump/jz/call inside the program
            85..=89 => 0x4000 | 0x1000 | (w & 0x0fff),  // call into the fetch path
            _ => w,                                     // anything
        }
    }));
    words
}

#[test]
fn differential_fuzz_a_million_cycles() {
    let mut rng = Rng(0x6a31_6b5f_7275_7374);
    let mut total = 0u64;
    let mut programs = 0;
    let (mut block_writes, mut slot_writes, mut faults, mut key_ops) = (0u64, 0u64, 0u64, 0u64);
    while total < 1_000_000 {
        let seed = rng.next() | 1;
        let mut prog_rng = Rng(seed);
        let words = random_program(&mut prog_rng);
        let input: Vec<u8> = (0..prog_rng.below(16))
            .map(|_| prog_rng.next() as u8)
            .collect();
        let mut m = Machine::new(Config::default()).unwrap();
        m.load_image(0, &words).unwrap();
        let mut rtl = Rtl::new(&Config::default()).unwrap();
        rtl.load_image(&words).unwrap();
        let mut console = BufUart::new(&input);
        // Many short programs rather than fewer long ones: a random program that has not
        // written through a key in its first few thousand cycles is mostly stuck in a loop.
        let lim = Limits {
            max_cycles: Some(5_000),
            idle_cycles: 2_000,
        };
        if let Err(d) = lockstep(&mut m, &mut rtl, &mut console, &lim) {
            panic!("program seed {seed:#x} ({} words): {d}", words.len());
        }
        total += m.cycles();
        programs += 1;
        let st = m.stats();
        block_writes += st.block_writes;
        slot_writes += st.slot_writes;
        faults += st.faults;
        key_ops += st.key_ops.values().sum::<u64>();
    }
    eprintln!(
        "differential fuzz: {programs} programs, {total} cycles, no divergence; \
         {key_ops} key instructions, {block_writes} block writes, {slot_writes} slot writes, \
         {faults} faults"
    );
    // (so that the generator cannot drift into programs that never write through a key)
    assert!(
        block_writes >= 100 && slot_writes >= 100,
        "too few writes: {block_writes} block, {slot_writes} slot"
    );
}

/// The comparison can fail: an RTL holding a different literal is caught in
/// the cycle that fetches it, with both values shown.
#[test]
fn lockstep_catches_a_difference() {
    let prog = |v: u16| {
        vec![
            encode(&Insn::Lit(1)),
            encode(&Insn::Lit(v)),
            encode(&Insn::Jump(2)),
        ]
    };
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, &prog(5)).unwrap();
    let mut rtl = Rtl::new(&Config::default()).unwrap();
    rtl.load_image(&prog(6)).unwrap();
    let d = lockstep(&mut m, &mut rtl, &mut BufUart::new(b""), &limits()).unwrap_err();
    // Cycle 0 reboots; cycle 1 runs word 0 and reads word 1 into the
    // instruction register, which already differs.
    assert_eq!(d.cycle, 1, "{d}");
    assert!(
        d.fields
            .iter()
            .any(|(f, a, b)| *f == "insn" && a == "8005" && b == "8006"),
        "{d}"
    );
    assert!(d.to_string().contains("differ at cycle 1"), "{d}");
}

/// The first cycle after which two Rust models, one per image, differ in a
/// register lockstep compares (found without the comparator under test).
fn first_difference(a: &[u16], b: &[u16]) -> u64 {
    let mut ma = Machine::new(Config::default()).unwrap();
    let mut mb = Machine::new(Config::default()).unwrap();
    ma.load_image(0, a).unwrap();
    mb.load_image(0, b).unwrap();
    let regs = |m: &Machine| {
        let c = m.core(0);
        (c.pc(), c.insn(), c.t(), c.n(), c.r(), c.dsp(), c.rdepth())
    };
    loop {
        let cycle = ma.cycles();
        let (sa, sb) = (
            ma.step(&mut BufUart::new(b"")),
            mb.step(&mut BufUart::new(b"")),
        );
        assert!(!sa.halted && !sb.halted && cycle < 100_000, "no difference");
        if regs(&ma) != regs(&mb) {
            return cycle;
        }
    }
}

/// The RTL runs ahead of the comparison in batches of cycles; a difference in
/// the middle of one is still reported at its own cycle, with the same fields
/// and states as when every cycle is stepped (`lockstep_batched` with 0). The
/// RTL gets an image that differs from the Rust model's after a count-down
/// loop: in a literal, or in a data word that `@` reads (through the RAM's one
/// read port, so the instruction register differs first in both).
#[test]
fn a_difference_inside_a_batch_is_reported_at_its_own_cycle() {
    let code =
        |n: u32, v: u16| format!(": main\n  {n} begin dup while 1 - repeat drop\n  {v} halt ;\n");
    let data = |n: u32, v: u16| {
        format!("create x {v} ,\n: main\n  {n} begin dup while 1 - repeat drop\n  x @ halt ;\n")
    };
    for (kind, src) in [
        ("code", &code as &dyn Fn(u32, u16) -> String),
        ("data", &data),
    ] {
        let asm = |v| move |n| j1k_asm::assemble_str("mid.fs", &src(n, v)).unwrap().words;
        // A loop long enough for a few batches, ending well inside one.
        let (n, rust_img, rtl_img, cycle) = (300..2000)
            .map(|n| {
                let (a, b) = (asm(5)(n), asm(6)(n));
                let c = first_difference(&a, &b);
                (n, a, b, c)
            })
            .find(|(_, _, _, c)| {
                let off = c % LOCKSTEP_BATCH;
                *c > 2 * LOCKSTEP_BATCH && off > 100 && off < LOCKSTEP_BATCH - 100
            })
            .expect("a loop count that ends inside a batch");
        let run = |batch| {
            let mut m = Machine::new(Config::default()).unwrap();
            m.load_image(0, &rust_img).unwrap();
            let mut rtl = Rtl::new(&Config::default()).unwrap();
            rtl.load_image(&rtl_img).unwrap();
            lockstep_batched(&mut m, &mut rtl, &mut BufUart::new(b""), &limits(), batch)
                .unwrap_err()
        };
        let batched = run(LOCKSTEP_BATCH);
        assert_eq!(batched.cycle, cycle, "{kind} (loop of {n}): {batched}");
        assert!(
            batched.fields.iter().any(|(f, _, _)| *f == "insn"),
            "{kind}: {batched}"
        );
        assert_eq!(batched, run(0), "{kind}: batched and stepped differ");
        assert_eq!(
            batched,
            run(7),
            "{kind}: batches of 7 cycles and of {LOCKSTEP_BATCH} differ"
        );
    }
}
