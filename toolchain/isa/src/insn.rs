//! Base J1a instructions and the one decoder.

use crate::key::KeyInsn;
use std::fmt;

/// The T' code of an ALU instruction (bits 11:8), as the J1a computes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum AluOp {
    T = 0,
    N = 1,
    TplusN = 2,
    TandN = 3,
    TorN = 4,
    TxorN = 5,
    NotT = 6,
    NeqT = 7,
    NltT = 8,
    Tsra = 9,
    Tshl = 10,
    R = 11,
    NminusT = 12,
    Io = 13,
    Depth = 14,
    NultT = 15,
}

impl AluOp {
    pub const ALL: [AluOp; 16] = [
        AluOp::T,
        AluOp::N,
        AluOp::TplusN,
        AluOp::TandN,
        AluOp::TorN,
        AluOp::TxorN,
        AluOp::NotT,
        AluOp::NeqT,
        AluOp::NltT,
        AluOp::Tsra,
        AluOp::Tshl,
        AluOp::R,
        AluOp::NminusT,
        AluOp::Io,
        AluOp::Depth,
        AluOp::NultT,
    ];

    pub fn from_bits(b: u16) -> AluOp {
        AluOp::ALL[(b & 15) as usize]
    }

    /// The name used in `alu(...)` syntax (swapforth's basewords names).
    pub fn name(self) -> &'static str {
        ALU_OP_NAMES[self as usize]
    }

    pub fn from_name(s: &str) -> Option<AluOp> {
        ALU_OP_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(s))
            .map(|i| AluOp::ALL[i])
    }
}

const ALU_OP_NAMES: [&str; 16] = [
    "T", "N", "T+N", "T&N", "T|N", "T^N", "~T", "N==T", "N<T", "T2/", "T2*", "rT", "N-T", "io[T]",
    "status", "Nu<T",
];

/// The side effect of an ALU instruction (bits 6:4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Func {
    None = 0,
    TtoN = 1,
    TtoR = 2,
    /// N→[T]: write N to RAM at byte address T (gated by the write gate).
    Store = 3,
    /// N→io[T]: io write strobe.
    IoWrite = 4,
    /// io read strobe (`_IORD_`).
    IoRead = 5,
    /// Codes 6 and 7 do nothing on the J1a; kept so every word round-trips.
    Unused6 = 6,
    Unused7 = 7,
}

impl Func {
    pub fn from_bits(b: u16) -> Func {
        match b & 7 {
            0 => Func::None,
            1 => Func::TtoN,
            2 => Func::TtoR,
            3 => Func::Store,
            4 => Func::IoWrite,
            5 => Func::IoRead,
            6 => Func::Unused6,
            _ => Func::Unused7,
        }
    }

    pub fn name(self) -> Option<&'static str> {
        match self {
            Func::None => None,
            Func::TtoN => Some("T->N"),
            Func::TtoR => Some("T->R"),
            Func::Store => Some("N->[T]"),
            Func::IoWrite => Some("N->io[T]"),
            Func::IoRead => Some("_IORD_"),
            Func::Unused6 => Some("func6"),
            Func::Unused7 => Some("func7"),
        }
    }

    pub fn from_name(s: &str) -> Option<Func> {
        (1..8)
            .map(Func::from_bits)
            .find(|f| f.name().is_some_and(|n| n.eq_ignore_ascii_case(s)))
    }
}

/// A base ALU instruction, field by field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Alu {
    pub op: AluOp,
    /// R→PC: return (bit 7).
    pub ret: bool,
    pub func: Func,
    /// Return-stack delta field (bits 3:2): 0, +1, -2 (no stack movement on the J1a), -1.
    pub rdelta: i8,
    /// Data-stack delta field (bits 1:0), same coding.
    pub ddelta: i8,
}

fn delta_from_bits(b: u16) -> i8 {
    match b & 3 {
        0 => 0,
        1 => 1,
        2 => -2,
        _ => -1,
    }
}

fn delta_to_bits(d: i8) -> u16 {
    match d {
        0 => 0,
        1 => 1,
        -2 => 2,
        -1 => 3,
        _ => panic!("stack delta {d} is not encodable (0, +1, -1, -2)"),
    }
}

impl Alu {
    pub const fn new(op: AluOp) -> Alu {
        Alu {
            op,
            ret: false,
            func: Func::None,
            rdelta: 0,
            ddelta: 0,
        }
    }

    pub fn encode(&self) -> u16 {
        0x6000
            | (self.op as u16) << 8
            | (self.ret as u16) << 7
            | (self.func as u16) << 4
            | delta_to_bits(self.rdelta) << 2
            | delta_to_bits(self.ddelta)
    }

    pub fn decode(w: u16) -> Alu {
        Alu {
            op: AluOp::from_bits(w >> 8),
            ret: w & 0x80 != 0,
            func: Func::from_bits(w >> 4),
            rdelta: delta_from_bits(w >> 2),
            ddelta: delta_from_bits(w),
        }
    }
}

/// One decoded instruction. Every 16-bit word decodes to exactly one of these,
/// and [`encode`] gives the word back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Insn {
    /// Push a 15-bit literal (bit 15 set).
    Lit(u16),
    /// `000`: jump to a word address.
    Jump(u16),
    /// `001`: jump if T = 0; always pops.
    CondJump(u16),
    /// `010`: call a word address (pushes the byte return address).
    Call(u16),
    /// `011`, bit 12 clear: the J1a ALU instruction.
    Alu(Alu),
    /// `011`, bit 12 set: a key instruction.
    Key(KeyInsn),
}

/// Decodes any 16-bit word. Total: never fails.
#[inline]
pub fn decode(w: u16) -> Insn {
    if w & 0x8000 != 0 {
        return Insn::Lit(w & 0x7fff);
    }
    match w >> 13 {
        0 => Insn::Jump(w & 0x1fff),
        1 => Insn::CondJump(w & 0x1fff),
        2 => Insn::Call(w & 0x1fff),
        _ => {
            if w & 0x1000 != 0 {
                Insn::Key(KeyInsn::decode(w))
            } else {
                Insn::Alu(Alu::decode(w))
            }
        }
    }
}

/// Encodes an instruction. Panics on out-of-range fields (a literal over 15
/// bits, an address over 13): the assembler checks ranges and reports them with
/// a source span before it gets here.
pub fn encode(i: &Insn) -> u16 {
    match *i {
        Insn::Lit(v) => {
            assert!(v < 0x8000, "literal {v:#x} over 15 bits");
            0x8000 | v
        }
        Insn::Jump(a) => target(0x0000, a),
        Insn::CondJump(a) => target(0x2000, a),
        Insn::Call(a) => target(0x4000, a),
        Insn::Alu(a) => a.encode(),
        Insn::Key(k) => k.encode(),
    }
}

fn target(op: u16, a: u16) -> u16 {
    assert!(a < 0x2000, "target {a:#x} over 13 bits");
    op | a
}

/// Canonical names of base ALU words, as the assembler spells them
/// (swapforth's basewords.fs). The disassembler prints these when a word
/// matches exactly, and the generic `alu(...)` form otherwise.
pub const ALU_WORDS: &[(&str, u16)] = &[
    ("noop", 0x6000),
    ("+", 0x6203),
    ("-", 0x6c03),
    ("xor", 0x6503),
    ("and", 0x6303),
    ("or", 0x6403),
    ("invert", 0x6600),
    ("=", 0x6703),
    ("<", 0x6803),
    ("u<", 0x6f03),
    ("swap", 0x6110),
    ("dup", 0x6011),
    ("drop", 0x6103),
    ("over", 0x6111),
    ("nip", 0x6003),
    (">r", 0x6127),
    ("r>", 0x6b1d),
    ("r@", 0x6b11),
    ("2/", 0x6900),
    ("2*", 0x6a00),
    ("depth", 0x6e11),
    ("exit", 0x608c),
    ("2dupand", 0x6311),
    ("2dup<", 0x6811),
    ("2dup=", 0x6711),
    ("2dupor", 0x6411),
    ("2dup+", 0x6211),
    ("2dupu<", 0x6f11),
    ("2dupxor", 0x6511),
    ("2dup-", 0x6c11),
    ("dup>r", 0x6024),
    ("overand", 0x6300),
    ("over>", 0x6800),
    ("over=", 0x6700),
    ("overor", 0x6400),
    ("over+", 0x6200),
    ("overu>", 0x6f00),
    ("overxor", 0x6500),
    ("rdrop", 0x600c),
    ("tuck!", 0x6033),
    ("hack", 0x6040),
];

/// The name of an ALU word if it is one of [`ALU_WORDS`].
pub fn alu_word_name(w: u16) -> Option<&'static str> {
    ALU_WORDS.iter().find(|(_, c)| *c == w).map(|(n, _)| *n)
}

impl fmt::Display for Alu {
    /// The generic form `alu(T+N,T->N,d+1,r-1,RET)`: one token, accepted back by the assembler.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alu({}", self.op.name())?;
        if let Some(n) = self.func.name() {
            write!(f, ",{n}")?;
        }
        if self.ddelta != 0 {
            write!(f, ",d{:+}", self.ddelta)?;
        }
        if self.rdelta != 0 {
            write!(f, ",r{:+}", self.rdelta)?;
        }
        if self.ret {
            write!(f, ",RET")?;
        }
        write!(f, ")")
    }
}

impl fmt::Display for Insn {
    /// Disassembly of one word. Addresses are word addresses in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Insn::Lit(v) => write!(f, "${v:x}"),
            Insn::Jump(a) => write!(f, "jmp ${a:x}"),
            Insn::CondJump(a) => write!(f, "jz ${a:x}"),
            Insn::Call(a) => write!(f, "call ${a:x}"),
            Insn::Alu(a) => match alu_word_name(a.encode()) {
                Some(n) => f.write_str(n),
                None => write!(f, "{a}"),
            },
            Insn::Key(k) => write!(f, "{k}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_round_trips() {
        for w in 0..=u16::MAX {
            assert_eq!(encode(&decode(w)), w, "word {w:#06x}");
        }
    }

    #[test]
    fn alu_words_are_alu_and_unique() {
        for (i, (n, c)) in ALU_WORDS.iter().enumerate() {
            assert!(matches!(decode(*c), Insn::Alu(_)), "{n}");
            for (m, d) in &ALU_WORDS[i + 1..] {
                assert_ne!(c, d, "{n} and {m} share an encoding");
            }
        }
    }

    #[test]
    fn basewords_encodings() {
        // Spot checks against swapforth's basewords.fs field arithmetic.
        let a = Alu {
            op: AluOp::N,
            ret: false,
            func: Func::TtoR,
            rdelta: 1,
            ddelta: -1,
        };
        assert_eq!(a.encode(), 0x6127); // >r
        let exit = Alu {
            op: AluOp::T,
            ret: true,
            func: Func::None,
            rdelta: -1,
            ddelta: 0,
        };
        assert_eq!(exit.encode(), 0x608c);
        assert_eq!(format!("{}", decode(0x6127)), ">r");
        assert_eq!(format!("{}", decode(0x6a13)), "alu(T2*,T->N,d-1)");
    }

    #[test]
    fn alu_names_parse_back() {
        for op in AluOp::ALL {
            assert_eq!(AluOp::from_name(op.name()), Some(op));
        }
        for b in 1..8 {
            let f = Func::from_bits(b);
            assert_eq!(Func::from_name(f.name().unwrap()), Some(f));
        }
    }
}
