//! The simulator against the reference model (tests/common/reference.rs), cycle
//! by cycle for `step`, and at random stopping points for the fast `run`, on
//! random instruction streams (key instructions excluded) and on structured
//! random programs.

mod common;

use common::reference::Reference;
use common::*;
use j1k_isa::{decode, AluOp, Func, Insn};
use j1k_sim::{BufUart, Limits, Machine, Outcome};
use proptest::prelude::*;

/// Any word but a key instruction (the ALU class with bit 12 set loses bit 12).
fn base_word() -> impl Strategy<Value = u16> {
    any::<u16>().prop_map(|w| if w & 0xf000 == 0x7000 { w & !0x1000 } else { w })
}

/// A random stream of base words whose jumps mostly go forward and whose
/// calls land inside it (some through the fetch path); few ALU words return.
/// The rest of RAM is zero (`jmp 0`: start again with what the stacks hold).
fn random_image() -> impl Strategy<Value = Vec<u16>> {
    let word = prop_oneof![
        8 => (0u16..0x1000, 0u8..10).prop_map(|(f, r)| 0x6000 | if r == 0 { f } else { f & !0x80 }),
        4 => (0u16..0x8000).prop_map(lit),
        2 => any::<u16>().prop_map(|x| x & 0x1fff),
        2 => any::<u16>().prop_map(|x| 0x2000 | x & 0x1fff),
        2 => any::<u16>().prop_map(|x| 0x4000 | x & 0x1fff),
        1 => any::<u16>().prop_map(|x| 0x5000 | x & 0x0fff),
        1 => base_word(),
    ];
    (prop::collection::vec(word, 1..300), any::<u64>()).prop_map(|(mut w, seed)| {
        // Targets: forward within the program (mostly), anywhere in it, or kept.
        let len = w.len() as u64;
        let mut x = seed | 1;
        for (i, wi) in w.iter_mut().enumerate() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let class = *wi >> 13;
            if *wi & 0x8000 != 0 || class == 3 {
                continue;
            }
            // Calls keep their target's bit 12 (the fetch path); jumps keep theirs too.
            let tgt = match x % 10 {
                0..=6 if class != 2 => i as u64 + 1 + (x >> 8) % (len - i as u64),
                0..=8 => (x >> 8) % len,
                _ => (*wi & 0xfff) as u64,
            };
            *wi = (*wi & 0xf000) | (tgt as u16 & 0xfff);
        }
        w
    })
}

/// One random "statement" of a structured program.
#[derive(Clone, Debug)]
enum Stmt {
    Lit(u16),
    Alu(u16),
    Call(usize),
    Fetch(u16),
    Store(u16),
    IoWrite(u16, u16),
    IoRead(u16),
    Skip(usize),
}

fn stmt(nsubs: usize) -> impl Strategy<Value = Stmt> {
    // ALU words without return-stack effects, so calls and loops stay balanced.
    let alu = (0u16..16, 0u16..8, 0u16..4).prop_filter_map("no io", |(op, f, d)| {
        if op == 13 || f == 2 || f >= 4 {
            None
        } else {
            Some(0x6000 | op << 8 | f << 4 | d)
        }
    });
    prop_oneof![
        3 => any::<u16>().prop_map(Stmt::Lit),
        6 => alu.prop_map(Stmt::Alu),
        2 => (0..nsubs.max(1)).prop_map(Stmt::Call),
        1 => (0u16..0x800).prop_map(Stmt::Fetch),
        1 => (0x800u16..0x1000).prop_map(Stmt::Store),
        1 => (any::<u16>(), prop::sample::select(vec![4u16, 0x1000, 0x1004])).prop_map(|(v, a)| Stmt::IoWrite(v, a)),
        1 => prop::sample::select(vec![0x1000u16, 0x2000, 0x4000, 0x3000, 0x7000, 0]).prop_map(Stmt::IoRead),
        1 => (1usize..4).prop_map(Stmt::Skip),
    ]
}

/// Lays statements out at `base`; returns the words.
fn emit(stmts: &[Stmt], base: usize, subs: &[u16], ret: bool) -> Vec<u16> {
    // First pass: sizes, so forward skips can find their targets.
    let size = |s: &Stmt| match s {
        Stmt::Lit(v) => push(*v).len(),
        Stmt::Alu(_) | Stmt::Call(_) | Stmt::Fetch(_) | Stmt::Skip(_) => 1,
        Stmt::Store(_) => 4,
        Stmt::IoWrite(v, _) => push(*v).len() + 3,
        Stmt::IoRead(_) => 3,
    };
    let mut starts = vec![base];
    for s in stmts {
        starts.push(starts.last().unwrap() + size(s));
    }
    let mut w = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        match s {
            Stmt::Lit(v) => w.extend(push(*v)),
            Stmt::Alu(a) => w.push(*a),
            Stmt::Call(k) => w.push(call(subs.get(*k).copied().unwrap_or(0))),
            Stmt::Fetch(a) => w.push(call(0x1000 | a)),
            Stmt::Store(a) => w.extend([lit(*a * 2), store1(), drop(), noop()]),
            Stmt::IoWrite(v, a) => {
                w.extend(push(*v));
                w.extend([lit(*a), iow1(), drop()]);
            }
            Stmt::IoRead(a) => w.extend([lit(*a), ior1(), ior2()]),
            Stmt::Skip(k) => w.push(jz(starts[(i + 1 + k).min(stmts.len())] as u16)),
        }
    }
    if ret {
        w.push(exit());
    }
    w
}

/// A main program of statements with counted loops (counter on R) and calls
/// to subroutines, then `halt`.
fn structured_image() -> impl Strategy<Value = Vec<u16>> {
    (
        prop::collection::vec(prop::collection::vec(stmt(0), 1..12), 0..4),
        prop::collection::vec((1u16..6, prop::collection::vec(stmt(4), 1..12)), 1..6),
    )
        .prop_map(|(subs, loops)| {
            let mut img = vec![0u16; 0x800];
            // Subroutines from $400 up.
            let mut at = 0x400usize;
            let mut addrs = Vec::new();
            for s in &subs {
                addrs.push(at as u16);
                let w = emit(s, at, &[], true);
                img[at..at + w.len()].copy_from_slice(&w);
                at += w.len();
            }
            let mut main = Vec::new();
            for (count, body) in &loops {
                // lit n >r  L: body  r> 1 - dup >r  jz out? -> if zero fall out, else jump L
                main.extend([lit(*count), to_r()]);
                let l = main.len();
                main.extend(emit(body, l, &addrs, false));
                let here = main.len();
                main.extend([r_from(), lit(1), minus(), dup(), to_r()]);
                main.extend([
                    jz(here as u16 + 8),
                    jmp(l as u16),
                    alu(AluOp::T, Func::None, 0, -1, false),
                ]);
            }
            let h = main.len() as u16;
            main.push(jmp(h));
            img[..main.len()].copy_from_slice(&main[..main.len().min(0x400)]);
            img
        })
}

fn compare(m: &Machine, r: &Reference, cycle: u64, full_ram: bool) -> Result<(), TestCaseError> {
    let c = m.core(0);
    prop_assert_eq!(c.pc(), r.pc, "pc after cycle {}", cycle);
    prop_assert_eq!(c.insn(), r.insn, "insn after cycle {}", cycle);
    prop_assert_eq!(c.t(), r.st0, "T after cycle {}", cycle);
    prop_assert_eq!(c.dsp(), r.dsp, "dsp after cycle {}", cycle);
    prop_assert_eq!(
        c.dstack(),
        r.dstack.entries(),
        "data stack after cycle {}",
        cycle
    );
    prop_assert_eq!(
        c.rstack(),
        r.rstack.entries(),
        "return stack after cycle {}",
        cycle
    );
    prop_assert_eq!(c.io_addr(), r.io_addr_, "io_addr_ after cycle {}", cycle);
    prop_assert_eq!(
        c.io_strobes(),
        (r.io_rd_, r.io_wr_),
        "strobes after cycle {}",
        cycle
    );
    prop_assert_eq!(c.unlocked(), r.unlocked, "write gate after cycle {}", cycle);
    prop_assert_eq!(c.leds(), r.leds, "LEDs after cycle {}", cycle);
    prop_assert_eq!(c.rebooting(), r.reboot);
    if full_ram {
        prop_assert!(c.ram() == &r.ram[..], "RAM differs after cycle {}", cycle);
    }
    Ok(())
}

/// True when the core's next cycle executes a key instruction (which the
/// reference, a plain J1a, does not model). Random stores can write them.
fn key_next(m: &Machine) -> bool {
    let c = m.core(0);
    c.pc() & 0x1000 == 0 && matches!(decode(c.insn()), Insn::Key(_))
}

/// Steps both models `n` cycles (or up to the first key instruction),
/// comparing everything after every cycle.
fn lockstep(img: &[u16], input: &[u8], n: usize) -> Result<(), TestCaseError> {
    let mut m = machine(img);
    let mut u = BufUart::new(input);
    let mut r = Reference::new(img, input);
    let mut i = 0;
    while i < n as u64 && !key_next(&m) {
        let s = m.step(&mut u);
        let o = r.cycle();
        prop_assert_eq!(s.uart_tx, o.tx, "UART TX in cycle {}", i);
        prop_assert_eq!(s.uart_rx, o.rx, "UART RX in cycle {}", i);
        prop_assert_eq!(
            s.cores[0].ram_write,
            o.ram_write,
            "RAM write in cycle {}",
            i
        );
        compare(&m, &r, i, false)?;
        i += 1;
    }
    compare(&m, &r, i, true)?;
    prop_assert_eq!(u.output.len() as u64, m.stats().uart_tx_bytes);
    Ok(())
}

/// Everything observable of two simulators.
fn same_machines(a: &Machine, b: &Machine) -> Result<(), TestCaseError> {
    let (x, y) = (a.core(0), b.core(0));
    let at = a.cycles();
    prop_assert_eq!(at, b.cycles());
    prop_assert_eq!(x.pc(), y.pc(), "pc at {}", at);
    prop_assert_eq!(x.insn(), y.insn(), "insn at {}", at);
    prop_assert_eq!(x.t(), y.t(), "T at {}", at);
    prop_assert_eq!(x.dsp(), y.dsp(), "dsp at {}", at);
    prop_assert_eq!(x.rdepth(), y.rdepth(), "rdepth at {}", at);
    prop_assert_eq!(x.dstack(), y.dstack(), "data stack at {}", at);
    prop_assert_eq!(x.rstack(), y.rstack(), "return stack at {}", at);
    prop_assert_eq!(x.io_addr(), y.io_addr(), "io_addr_ at {}", at);
    prop_assert_eq!(x.io_strobes(), y.io_strobes(), "strobes at {}", at);
    prop_assert_eq!(x.unlocked(), y.unlocked(), "gate at {}", at);
    prop_assert_eq!(x.leds(), y.leds(), "LEDs at {}", at);
    prop_assert_eq!(x.faults(), y.faults(), "faults at {}", at);
    prop_assert_eq!(x.busy(), y.busy(), "key unit at {}", at);
    prop_assert_eq!(x.halted(), y.halted(), "halted at {}", at);
    prop_assert_eq!((x.cur_block(), x.cur_node()), (y.cur_block(), y.cur_node()));
    for i in 0..8 {
        prop_assert_eq!(x.block_reg(i), y.block_reg(i), "b{} at {}", i, at);
    }
    for i in 0..4 {
        prop_assert_eq!(x.node_reg(i), y.node_reg(i), "n{} at {}", i, at);
    }
    prop_assert!(x.ram() == y.ram(), "RAM at {}", at);
    let (sa, sb) = (a.store(), b.store());
    prop_assert_eq!(sa.next_block(), sb.next_block());
    prop_assert_eq!(sa.next_node(), sb.next_node());
    for blk in 0..sa.config().blocks {
        prop_assert!(sa.block(blk) == sb.block(blk), "block {} at {}", blk, at);
    }
    let (mut ta, mut tb) = (a.stats(), b.stats());
    ta.end.clear();
    tb.end.clear();
    prop_assert_eq!(ta, tb, "stats at {}", at);
    Ok(())
}

/// Runs the fast path in random chunks, against a second simulator that only
/// steps (and so against the reference, as long as no key instruction ran).
fn chunked(img: &[u16], input: &[u8], chunks: &[u64]) -> Result<(), TestCaseError> {
    let mut fast = machine(img);
    let mut slow = machine(img);
    let mut uf = BufUart::new(input);
    let mut us = BufUart::new(input);
    let mut r = Reference::new(img, input);
    let mut with_ref = true;
    let mut ref_out = Vec::new();
    for &ch in chunks {
        let limits = Limits {
            max_cycles: Some(fast.cycles() + ch),
            idle_cycles: u64::MAX,
        };
        let o = fast.run(&mut uf, &limits);
        let want = fast.cycles();
        let mut halted = false;
        while slow.cycles() < want {
            with_ref &= !key_next(&slow);
            let s = slow.step(&mut us);
            halted = s.halted;
            if with_ref {
                ref_out.extend(r.cycle().tx);
            }
        }
        prop_assert_eq!(o == Outcome::Halted, halted, "outcome {:?} at {}", o, want);
        same_machines(&fast, &slow)?;
        prop_assert_eq!(&uf.output, &us.output, "UART output by cycle {}", want);
        if with_ref {
            compare(&fast, &r, want, true)?;
            prop_assert_eq!(&uf.output, &ref_out, "UART output by cycle {}", want);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_words_step_like_the_verilog(img in random_image(), input in prop::collection::vec(any::<u8>(), 0..8)) {
        lockstep(&img, &input, 3000)?;
    }

    #[test]
    fn structured_programs_step_like_the_verilog(img in structured_image(), input in prop::collection::vec(any::<u8>(), 0..8)) {
        lockstep(&img, &input, 3000)?;
    }

    #[test]
    fn fast_path_stops_anywhere_in_the_same_state(
        img in prop_oneof![random_image(), structured_image(), prop::collection::vec(any::<u16>(), 1..300)],
        input in prop::collection::vec(any::<u8>(), 0..8),
        chunks in prop::collection::vec(1u64..700, 1..10),
    ) {
        chunked(&img, &input, &chunks)?;
    }
}
