//! The key extension: ALU-class words with bit 12 set.
//!
//! Layout: `0111 ooooo rr iiiii` — opcode in bits 11:7, a node-register operand
//! in bits 6:5, and a 5-bit immediate (a slot index or a register number) in
//! bits 4:0. One table, [`KEY_OPS`], gives each opcode its name, operands,
//! stack effect and cycle count; the simulator, the assembler and the
//! disassembler all read it.

use crate::KeyConfig;
use std::fmt;

/// What operands an opcode takes, and where they sit in the word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operands {
    None,
    /// A block register `b0`..`b7` in bits 2:0.
    BlockReg,
    /// A node register `n0`..`n3` in bits 1:0.
    NodeReg,
    /// A slot index 0..31 in bits 4:0 (masked to the node size).
    Slot,
    /// A slot index in bits 4:0 and a node register in bits 6:5.
    SlotNodeReg,
    /// A node register in bits 6:5 (the slot comes from the stack).
    StackSlotNodeReg,
}

/// How an opcode moves the data stack (in the J1a's own terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackEffect {
    /// ( -- )
    None,
    /// ( -- x ): d+1, T→N, T' = result.
    Push,
    /// ( i -- ): d-1, T' = N.
    Pop,
    /// ( x i -- ): two pops, one per cycle.
    Pop2,
    /// ( i -- x ): T' = result.
    Replace,
    /// ( x i -- y ): d-1, T' = result.
    PopReplace,
}

impl StackEffect {
    /// Net change in data-stack depth.
    pub fn delta(self) -> i8 {
        match self {
            StackEffect::None | StackEffect::Replace => 0,
            StackEffect::Push => 1,
            StackEffect::Pop | StackEffect::PopReplace => -1,
            StackEffect::Pop2 => -2,
        }
    }
}

/// The key opcodes. The discriminant is the opcode field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum KeyOp {
    Bsel = 0,
    Nsel = 1,
    Bcopy = 2,
    Ncopy = 3,
    Bkeyeq = 4,
    Nkeyeq = 5,
    Bweaken = 6,
    Nweaken = 7,
    Bquery = 8,
    Nquery = 9,
    Faults = 10,
    Bfetch = 11,
    Bstore = 12,
    Bcfetch = 13,
    Bcstore = 14,
    Bxchg = 15,
    Bxadd = 16,
    NbLoad = 17,
    NbStore = 18,
    NnLoad = 19,
    NnStore = 20,
    NbLoadI = 21,
    NbStoreI = 22,
    NnLoadI = 23,
    NnStoreI = 24,
    Balloc = 25,
    Nalloc = 26,
}

/// One row of the key-instruction table.
#[derive(Clone, Copy, Debug)]
pub struct KeyOpInfo {
    pub op: KeyOp,
    pub name: &'static str,
    pub operands: Operands,
    pub stack: StackEffect,
    /// One line for the docs and `--help`-style listings.
    pub summary: &'static str,
}

macro_rules! row {
    ($op:ident, $name:expr, $opnds:ident, $stack:ident, $sum:expr) => {
        KeyOpInfo {
            op: KeyOp::$op,
            name: $name,
            operands: Operands::$opnds,
            stack: StackEffect::$stack,
            summary: $sum,
        }
    };
}

/// Indexed by opcode. Opcodes 27..31 are reserved: they take two cycles
/// ([`RESERVED_KEY_CYCLES`]), change nothing and count a fault.
pub const KEY_OPS: [KeyOpInfo; 27] = [
    row!(Bsel, "bsel", BlockReg, None, "select block register r as current"),
    row!(Nsel, "nsel", NodeReg, None, "select node register r as current"),
    row!(Bcopy, "bcopy", BlockReg, None, "copy block register r into the current block register"),
    row!(Ncopy, "ncopy", NodeReg, None, "copy node register r into the current node register"),
    row!(Bkeyeq, "bkey=", BlockReg, Push, "true if block register r designates the current block"),
    row!(Nkeyeq, "nkey=", NodeReg, Push, "true if node register r designates the current node"),
    row!(Bweaken, "bweaken", None, None, "make the current block key read-only"),
    row!(Nweaken, "nweaken", None, None, "make the current node key read-only (sense)"),
    row!(Bquery, "b?", None, Push, "rights of the current block key: 0 null, 2 read-only, 3 read-write"),
    row!(Nquery, "n?", None, Push, "rights of the current node key: 0 null, 2 read-only, 3 read-write"),
    row!(Faults, "faults", None, Push, "number of refused key writes so far (wraps at 16 bits)"),
    row!(Bfetch, "b@", None, Replace, "word T (masked) of the current block"),
    row!(Bstore, "b!", None, Pop2, "write N to word T (masked) of the current block"),
    row!(Bcfetch, "bc@", None, Replace, "byte T (masked) of the current block"),
    row!(Bcstore, "bc!", None, Pop2, "write the low byte of N to byte T (masked) of the current block"),
    row!(Bxchg, "bxchg", None, PopReplace, "atomically write N to word T, leave the old value"),
    row!(Bxadd, "bxadd", None, PopReplace, "atomically add N to word T, leave the old value"),
    row!(NbLoad, "nb@", Slot, None, "load block-key slot i of the current node into the current block register"),
    row!(NbStore, "nb!", Slot, None, "store the current block key into block-key slot i of the current node"),
    row!(NnLoad, "nn@", SlotNodeReg, None, "load node-key slot i of the current node into node register r"),
    row!(NnStore, "nn!", SlotNodeReg, None, "store node register r into node-key slot i of the current node"),
    row!(NbLoadI, "nb@i", None, Pop, "nb@ with the slot index taken from T"),
    row!(NbStoreI, "nb!i", None, Pop, "nb! with the slot index taken from T"),
    row!(NnLoadI, "nn@i", StackSlotNodeReg, Pop, "nn@ with the slot index taken from T"),
    row!(NnStoreI, "nn!i", StackSlotNodeReg, Pop, "nn! with the slot index taken from T"),
    row!(Balloc, "balloc", None, Push, "allocate a zeroed block into the current block register; true, or false and a null key when the store is full"),
    row!(Nalloc, "nalloc", None, Push, "allocate a null-filled node into the current node register; true, or false and a null key when the store is full"),
];

impl KeyOp {
    pub fn info(self) -> &'static KeyOpInfo {
        &KEY_OPS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn from_opcode(op: u8) -> Option<KeyOp> {
        KEY_OPS.get(op as usize).map(|r| r.op)
    }

    pub fn from_name(s: &str) -> Option<KeyOp> {
        KEY_OPS
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(s))
            .map(|r| r.op)
    }

    /// Clock cycles the instruction takes on one core. Every key instruction
    /// starts with a decode cycle that changes nothing the program sees (the
    /// read instructions address their store in it), so none takes fewer than
    /// two. `ok` matters only for the allocators: a failed allocation takes two
    /// cycles, a successful one also zeroes the new block (one word a cycle) or
    /// node (one slot pair a cycle).
    pub fn cycles(self, cfg: &KeyConfig, ok: bool) -> u32 {
        use KeyOp::*;
        match self {
            Bstore | Bcstore | Bxadd => 3,
            Balloc if ok => 2 + cfg.block_words as u32,
            Nalloc if ok => 2 + cfg.node_slots as u32,
            _ => 2,
        }
    }

    /// The read instructions: their decode cycle reads the store, their second
    /// cycle uses the word or slot read. Every other instruction acts from its
    /// second cycle (its execute cycle) on.
    pub fn reads_in_decode(self) -> bool {
        use KeyOp::*;
        matches!(
            self,
            Bfetch | Bcfetch | Bxchg | Bxadd | NbLoad | NnLoad | NbLoadI | NnLoadI
        )
    }
}

/// Cycles a reserved key opcode (27..31) takes: decode, then the fault.
pub const RESERVED_KEY_CYCLES: u32 = 2;

/// A decoded key instruction. The raw operand fields are kept so that every
/// word, canonical or not, encodes back to itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyInsn {
    /// Opcode field (bits 11:7). `None` for reserved opcodes 27..31.
    pub op: Option<KeyOp>,
    pub opcode: u8,
    /// Node-register field (bits 6:5).
    pub nreg: u8,
    /// Immediate field (bits 4:0).
    pub imm: u8,
}

impl KeyInsn {
    pub fn new(op: KeyOp, nreg: u8, imm: u8) -> KeyInsn {
        KeyInsn {
            op: Some(op),
            opcode: op as u8,
            nreg: nreg & 3,
            imm: imm & 31,
        }
    }

    pub fn decode(w: u16) -> KeyInsn {
        let opcode = ((w >> 7) & 31) as u8;
        KeyInsn {
            op: KeyOp::from_opcode(opcode),
            opcode,
            nreg: ((w >> 5) & 3) as u8,
            imm: (w & 31) as u8,
        }
    }

    pub fn encode(&self) -> u16 {
        0x7000 | (self.opcode as u16 & 31) << 7 | (self.nreg as u16 & 3) << 5 | self.imm as u16 & 31
    }

    /// Block register operand (bits 2:0).
    pub fn breg(&self) -> usize {
        (self.imm & 7) as usize
    }

    /// Node register operand for `nsel`/`ncopy`/`nkey=` (bits 1:0).
    pub fn nreg_imm(&self) -> usize {
        (self.imm & 3) as usize
    }

    /// True when the word is what the assembler would write for this
    /// instruction (no stray bits in unused fields).
    pub fn is_canonical(&self) -> bool {
        let Some(op) = self.op else { return false };
        let (nreg_used, imm_mask) = match op.info().operands {
            Operands::None => (false, 0),
            Operands::BlockReg => (false, 7),
            Operands::NodeReg => (false, 3),
            Operands::Slot => (false, 31),
            Operands::SlotNodeReg => (true, 31),
            Operands::StackSlotNodeReg => (true, 0),
        };
        (nreg_used || self.nreg == 0) && self.imm & !imm_mask == 0
    }
}

impl fmt::Display for KeyInsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            Some(op) if self.is_canonical() => op,
            _ => return write!(f, "inst ${:x}", self.encode()),
        };
        let info = op.info();
        match info.operands {
            Operands::None => write!(f, "{}", info.name),
            Operands::BlockReg => write!(f, "{} b{}", info.name, self.imm),
            Operands::NodeReg => write!(f, "{} n{}", info.name, self.imm),
            Operands::Slot => write!(f, "{} {}", info.name, self.imm),
            Operands::SlotNodeReg => write!(f, "{} {} n{}", info.name, self.imm, self.nreg),
            Operands::StackSlotNodeReg => write!(f, "{} n{}", info.name, self.nreg),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_opcode() {
        for (i, row) in KEY_OPS.iter().enumerate() {
            assert_eq!(row.op as usize, i, "{}", row.name);
            assert_eq!(KeyOp::from_name(row.name), Some(row.op));
        }
    }

    #[test]
    fn display_examples() {
        assert_eq!(KeyInsn::new(KeyOp::Bsel, 0, 3).to_string(), "bsel b3");
        assert_eq!(KeyInsn::new(KeyOp::NnLoad, 1, 5).to_string(), "nn@ 5 n1");
        assert_eq!(KeyInsn::new(KeyOp::NnLoadI, 2, 0).to_string(), "nn@i n2");
        assert_eq!(KeyInsn::decode(0x7fff).to_string(), "inst $7fff");
        assert_eq!(
            KeyInsn::decode(0x7000 | 6 << 7 | 1).to_string(),
            "inst $7301"
        );
    }

    #[test]
    fn cycles_follow_config() {
        let c = KeyConfig::default();
        assert_eq!(KeyOp::Balloc.cycles(&c, true), 130);
        assert_eq!(KeyOp::Balloc.cycles(&c, false), 2);
        assert_eq!(KeyOp::Nalloc.cycles(&c, true), 34);
        assert_eq!(KeyOp::Bfetch.cycles(&c, true), 2);
        assert_eq!(KeyOp::Bstore.cycles(&c, true), 3);
        assert_eq!(KeyOp::Bxchg.cycles(&c, true), 2);
        assert_eq!(KeyOp::Bxadd.cycles(&c, true), 3);
        assert_eq!(KeyOp::Bsel.cycles(&c, true), 2);
    }
}
