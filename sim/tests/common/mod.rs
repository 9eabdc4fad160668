//! Hand-assembly helpers for the tests (built on `j1k_isa::encode`), and a
//! few ways to run a machine.
#![allow(dead_code)]

pub mod reference;

use j1k_isa::{encode, Alu, AluOp, Func, Insn, KeyInsn, KeyOp};
use j1k_sim::{BufUart, Config, Limits, Machine, Step};

pub fn lit(v: u16) -> u16 {
    encode(&Insn::Lit(v))
}
pub fn jmp(a: u16) -> u16 {
    encode(&Insn::Jump(a))
}
pub fn jz(a: u16) -> u16 {
    encode(&Insn::CondJump(a))
}
pub fn call(a: u16) -> u16 {
    encode(&Insn::Call(a))
}
pub fn alu(op: AluOp, func: Func, d: i8, r: i8, ret: bool) -> u16 {
    encode(&Insn::Alu(Alu {
        op,
        ret,
        func,
        rdelta: r,
        ddelta: d,
    }))
}
pub fn key(op: KeyOp, nreg: u8, imm: u8) -> u16 {
    encode(&Insn::Key(KeyInsn::new(op, nreg, imm)))
}
pub fn keyop(op: KeyOp) -> u16 {
    key(op, 0, 0)
}

use AluOp::*;
pub fn noop() -> u16 {
    alu(T, Func::None, 0, 0, false)
}
pub fn dup() -> u16 {
    alu(T, Func::TtoN, 1, 0, false)
}
pub fn drop() -> u16 {
    alu(N, Func::None, -1, 0, false)
}
pub fn swap() -> u16 {
    alu(N, Func::TtoN, 0, 0, false)
}
pub fn over() -> u16 {
    alu(N, Func::TtoN, 1, 0, false)
}
pub fn nip() -> u16 {
    alu(T, Func::None, -1, 0, false)
}
pub fn plus() -> u16 {
    alu(TplusN, Func::None, -1, 0, false)
}
pub fn minus() -> u16 {
    alu(NminusT, Func::None, -1, 0, false)
}
pub fn to_r() -> u16 {
    alu(N, Func::TtoR, -1, 1, false)
}
pub fn r_from() -> u16 {
    alu(R, Func::TtoN, 1, -1, false)
}
pub fn r_at() -> u16 {
    alu(R, Func::TtoN, 1, 0, false)
}
pub fn exit() -> u16 {
    alu(T, Func::None, 0, -1, true)
}
pub fn invert() -> u16 {
    alu(NotT, Func::None, 0, 0, false)
}
/// `T N->[T] d-1` — the first half of `!`.
pub fn store1() -> u16 {
    alu(T, Func::Store, -1, 0, false)
}
/// `T N->io[T] d-1` — the first half of `io!`.
pub fn iow1() -> u16 {
    alu(T, Func::IoWrite, -1, 0, false)
}
/// `T _IORD_` — the first half of `io@`.
pub fn ior1() -> u16 {
    alu(T, Func::IoRead, 0, 0, false)
}
/// `io[T]` — the second half of `io@`.
pub fn ior2() -> u16 {
    alu(Io, Func::None, 0, 0, false)
}

/// Pushes any 16-bit value (one literal, or the complement and `invert`).
pub fn push(v: u16) -> Vec<u16> {
    if v < 0x8000 {
        vec![lit(v)]
    } else {
        vec![lit(!v), invert()]
    }
}

/// `lit 1 lit 4 io! drop`-style prologue that opens the RAM write gate
/// (writes the LEDs with 0). 4 instructions.
pub fn open_gate() -> Vec<u16> {
    vec![lit(0), lit(4), iow1(), drop()]
}

pub fn machine(prog: &[u16]) -> Machine {
    let mut m = Machine::new(Config::default()).unwrap();
    m.load_image(0, prog).unwrap();
    m
}

/// Steps `n` cycles; returns the steps.
pub fn steps(m: &mut Machine, u: &mut BufUart, n: usize) -> Vec<Step> {
    (0..n).map(|_| m.step(u)).collect()
}

/// Runs until a halt (at most `max` cycles); panics otherwise.
pub fn run_to_halt(m: &mut Machine, u: &mut BufUart, max: u64) {
    let o = m.run(
        u,
        &Limits {
            max_cycles: Some(max),
            idle_cycles: u64::MAX,
        },
    );
    assert_eq!(o, j1k_sim::Outcome::Halted, "pc {:04x}", m.core(0).pc());
}

/// Runs `prog` to its halt by stepping, and again with the fast `run`; checks
/// they agree and returns the stepped machine and its steps.
pub fn exec(prog: &[u16], input: &[u8]) -> (Machine, Vec<Step>) {
    exec_with(
        Machine::new(Config::default()).unwrap(),
        prog,
        input,
        |_| {},
    )
}

/// [`exec`] on a given machine, with `seed` applied after loading (to seed the store).
pub fn exec_with(
    proto: Machine,
    prog: &[u16],
    input: &[u8],
    seed: impl Fn(&mut Machine),
) -> (Machine, Vec<Step>) {
    let cfg = *proto.config();
    let mut m = proto;
    m.load_image(0, prog).unwrap();
    seed(&mut m);
    let mut u = BufUart::new(input);
    let mut v = Vec::new();
    loop {
        let s = m.step(&mut u);
        let h = s.halted;
        v.push(s);
        if h {
            break;
        }
        assert!(v.len() < 1_000_000, "no halt");
    }
    let mut f = Machine::new(cfg).unwrap();
    f.load_image(0, prog).unwrap();
    seed(&mut f);
    let mut uf = BufUart::new(input);
    run_to_halt(&mut f, &mut uf, 1_000_000);
    let (a, b) = (m.core(0), f.core(0));
    assert_eq!(m.cycles(), f.cycles(), "cycle counts");
    assert_eq!((a.pc(), a.t(), a.dsp()), (b.pc(), b.t(), b.dsp()));
    assert_eq!(a.dstack(), b.dstack());
    assert_eq!(a.rstack(), b.rstack());
    assert_eq!(a.ram(), b.ram());
    assert_eq!(a.faults(), b.faults());
    for i in 0..8 {
        assert_eq!(a.block_reg(i), b.block_reg(i));
    }
    for i in 0..4 {
        assert_eq!(a.node_reg(i), b.node_reg(i));
    }
    assert_eq!(u.output, uf.output);
    let (mut sa, mut sb) = (m.stats(), f.stats());
    sa.end.clear();
    sb.end.clear();
    assert_eq!(sa, sb, "stats");
    (m, v)
}

/// `prog` followed by a halt.
pub fn halted(mut prog: Vec<u16>) -> Vec<u16> {
    let h = prog.len() as u16;
    prog.push(jmp(h));
    prog
}
