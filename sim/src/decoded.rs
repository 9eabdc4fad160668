//! A compact, pre-decoded copy of a core's RAM for the fast path.
//!
//! Each RAM word is run through [`j1k_isa::decode`] once — when the image is
//! loaded and whenever the program writes the word — and kept as a [`Dec`].
//! The table has 8192 entries: entry `a` for `a < $1000` is word `a` as an
//! instruction, and entry `$1000 + a` is the *fetch-path* form of the same word
//! (docs/isa.md §4), so the next instruction is always `code[pcN]` with the
//! 13-bit pc and no test of pc bit 12.

use crate::stack::Delta;
use j1k_isa::{decode, AluOp, Func, Insn};

/// Kinds: ALU words are split by what they do to the stacks, so that the
/// common ones run with no tests at all. A *simple* ALU word has no return-
/// stack effect, no return and no RAM write; its kind is `mode * 16 + T' code`:
/// - [`M_PLAIN`]: data delta `00`, no T→N (`invert`, `2*`, `noop`);
/// - [`M_POP`]: delta `11`, no T→N (`+`, `drop`, `nip`, `=`);
/// - [`M_PUSH`]: delta `01` with T→N (`dup`, `over`);
/// - [`M_WRITE`]: delta `00` with T→N (`swap`).
///
/// Every other ALU word is kind `K_ALU + T' code` and runs the general ALU tail.
pub(crate) const M_PLAIN: u8 = 0;
pub(crate) const M_POP: u8 = 1;
pub(crate) const M_PUSH: u8 = 2;
pub(crate) const M_WRITE: u8 = 3;
pub(crate) const K_ALU: u8 = 64;
pub(crate) const K_LIT: u8 = 80;
pub(crate) const K_JMP: u8 = 81;
pub(crate) const K_CJMP: u8 = 82;
pub(crate) const K_CALL: u8 = 83;
pub(crate) const K_FETCH: u8 = 84;
/// Anything the fast path leaves to the general cycle: io reads and strobes, key instructions.
pub(crate) const K_SLOW: u8 = 85;

/// T→N: the data stack's write enable.
pub(crate) const F_WE_D: u8 = 1;
/// T→R: the return stack's write enable.
pub(crate) const F_WE_R: u8 = 2;
/// R→PC.
pub(crate) const F_RET: u8 = 4;
/// `N→[T]`.
pub(crate) const F_STORE: u8 = 8;

/// One decoded word, packed in a `u64` so that the fast path holds it in one
/// register and takes fields out as it needs them:
/// bits 7:0 kind (below 128), 15:8 flags, 23:16 data-stack delta ([`Delta`] as u8),
/// 31:24 return-stack delta, 47:32 value, 63:48 the word itself.
///
/// The value is the literal or target; for ALU words, the `dsp` add in its
/// low byte and the return-depth add in its high byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Dec(pub u64);

impl Dec {
    fn pack(kind: u8, flags: u8, dd: u8, rd: u8, val: u16, raw: u16) -> Dec {
        Dec(kind as u64
            | (flags as u64) << 8
            | (dd as u64) << 16
            | (rd as u64) << 24
            | (val as u64) << 32
            | (raw as u64) << 48)
    }

    #[inline(always)]
    pub fn kind(self) -> u8 {
        self.0 as u8
    }
    #[inline(always)]
    pub fn flags(self) -> u8 {
        (self.0 >> 8) as u8
    }
    #[inline(always)]
    pub fn dd(self) -> u8 {
        (self.0 >> 16) as u8
    }
    #[inline(always)]
    pub fn rd(self) -> u8 {
        (self.0 >> 24) as u8
    }
    #[inline(always)]
    pub fn val(self) -> u16 {
        (self.0 >> 32) as u16
    }
    #[inline(always)]
    pub fn raw(self) -> u16 {
        (self.0 >> 48) as u16
    }

    /// Word `w` executed as an instruction.
    pub fn word(w: u16) -> Dec {
        let simple = |kind: u8, val: u16| Dec::pack(kind, 0, 0, 0, val, w);
        match decode(w) {
            Insn::Lit(v) => simple(K_LIT, v),
            Insn::Jump(a) => simple(K_JMP, a),
            Insn::CondJump(a) => simple(K_CJMP, a),
            Insn::Call(a) => simple(K_CALL, a),
            Insn::Key(_) => simple(K_SLOW, 0),
            Insn::Alu(a) => {
                if a.op == AluOp::Io || matches!(a.func, Func::IoWrite | Func::IoRead) {
                    return simple(K_SLOW, 0);
                }
                let dd = Delta::from_alu(a.ddelta);
                let rd = Delta::from_alu(a.rdelta);
                let flags = if a.func == Func::TtoN { F_WE_D } else { 0 }
                    | if a.func == Func::TtoR { F_WE_R } else { 0 }
                    | if a.ret { F_RET } else { 0 }
                    | if a.func == Func::Store { F_STORE } else { 0 };
                let val = dd.pointer_add() as u16 | (rd.motion() as u16) << 8;
                let we = flags & F_WE_D != 0;
                let mode = if flags & !F_WE_D != 0 || rd != Delta::None {
                    None
                } else {
                    match (dd, we) {
                        (Delta::None, false) => Some(M_PLAIN),
                        (Delta::Pop, false) => Some(M_POP),
                        (Delta::Push, true) => Some(M_PUSH),
                        (Delta::None, true) => Some(M_WRITE),
                        _ => None,
                    }
                };
                let kind = match mode {
                    Some(m) => m * 16 + a.op as u8,
                    None => K_ALU + a.op as u8,
                };
                Dec::pack(kind, flags, dd as u8, rd as u8, val, w)
            }
        }
    }

    /// Word `w` arriving through the fetch path (pc bit 12 set).
    pub fn fetch(w: u16) -> Dec {
        Dec::pack(K_FETCH, 0, 0, 0, 0, w)
    }
}

/// The table for one RAM image.
pub(crate) fn build(ram: &[u16; 4096]) -> Box<[Dec; 8192]> {
    let mut code = Box::new([Dec::default(); 8192]);
    for (a, &w) in ram.iter().enumerate() {
        code[a] = Dec::word(w);
        code[a | 0x1000] = Dec::fetch(w);
    }
    code
}
