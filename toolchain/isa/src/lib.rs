//! The j1k instruction set, written down once.
//!
//! j1k is the J1a (swapforth's `j1a/verilog/j1.v`) bit for bit, plus *key*
//! instructions in the ALU class with bit 12 set. Everything that needs to know
//! what a 16-bit word means — the assembler, the simulator, the disassembler and
//! the tracer — goes through [`decode`] and the tables in this crate, so there is
//! exactly one definition to keep right. `docs/isa.md` is the prose version.
//!
//! Program images (`.hex`, `.bin`, `.ihex`) live in [`image`].

pub mod image;
mod insn;
mod key;

pub use insn::{alu_word_name, decode, encode, Alu, AluOp, Func, Insn, ALU_WORDS};
pub use key::{KeyInsn, KeyOp, Operands, StackEffect, KEY_OPS, RESERVED_KEY_CYCLES};

/// Words of J1a RAM per core (code and data share it): 4K × 16 bits.
pub const RAM_WORDS: usize = 4096;
/// Depth of the data stack below T and N's register (swapforth's `stack2 #(.DEPTH(15))`).
pub const DSTACK_DEPTH: usize = 15;
/// Depth of the return stack below R's register (`stack2 #(.DEPTH(17))`).
pub const RSTACK_DEPTH: usize = 17;
/// The value `stack2` shifts in at the bottom of a stack on every pop.
pub const STACK_FILL: u16 = 0x55aa;

/// Version of the ISA reported by the board firmware's handshake.
pub const ISA_VERSION: u16 = 1;

/// Build-time sizes of the key extension. The defaults are the brief's; the
/// simulator and (later) the hardware are built from one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyConfig {
    /// Words per block (power of two). Default 128 (256 bytes).
    pub block_words: u16,
    /// Block-key slots per node, and node-key slots per node (power of two, at most 32).
    pub node_slots: u16,
    /// Blocks in the store, including the null block 0.
    pub blocks: u16,
    /// Nodes in the store, including the null node 0 and the root node 1.
    pub nodes: u16,
    /// Block-key registers per core (power of two, at most [`BLOCK_REGS`]). An instruction's
    /// register number is taken modulo this, as every index is masked. Default 8.
    pub block_regs: u16,
    /// Node-key registers per core (power of two, at most [`NODE_REGS`]). Default 4.
    pub node_regs: u16,
}

impl Default for KeyConfig {
    fn default() -> Self {
        KeyConfig {
            block_words: 128,
            node_slots: 32,
            blocks: 256,
            nodes: 64,
            block_regs: BLOCK_REGS as u16,
            node_regs: NODE_REGS as u16,
        }
    }
}

impl KeyConfig {
    /// Checks the sizes are ones the hardware can build.
    pub fn validate(&self) -> Result<(), String> {
        let pow2 = |v: u16| v != 0 && v.is_power_of_two();
        if !pow2(self.block_words) || self.block_words > 4096 {
            return Err(format!(
                "block size {} words: must be a power of two, at most 4096",
                self.block_words
            ));
        }
        if !pow2(self.node_slots) || self.node_slots > 32 {
            return Err(format!(
                "node size {} slots: must be a power of two, at most 32",
                self.node_slots
            ));
        }
        if self.blocks < 2 || self.blocks > 1 << 15 {
            return Err(format!(
                "{} blocks: need at least 2 (the null block and one more), at most 32768",
                self.blocks
            ));
        }
        if self.nodes < 2 || self.nodes > 1 << 15 {
            return Err(format!(
                "{} nodes: need at least 2 (the null node and the root node), at most 32768",
                self.nodes
            ));
        }
        if !pow2(self.block_regs) || self.block_regs as usize > BLOCK_REGS {
            return Err(format!(
                "{} block registers: must be 1, 2, 4 or 8",
                self.block_regs
            ));
        }
        if !pow2(self.node_regs) || self.node_regs as usize > NODE_REGS {
            return Err(format!(
                "{} node registers: must be 1, 2 or 4",
                self.node_regs
            ));
        }
        Ok(())
    }
}

/// Block-key registers per core: the most the encoding names (bits 2:0), and the default.
pub const BLOCK_REGS: usize = 8;
/// Node-key registers per core: the most the encoding names (bits 1:0 or 6:5), and the default.
pub const NODE_REGS: usize = 4;
/// The root node, whose read-write key sits in node register 0 of every core at reset.
pub const ROOT_NODE: u16 = 1;

/// The coherence unit's encodings, which the simulator's model (`LineState::code`,
/// `Need::code`, `Kind::code`), the hardware (hdl/src/mem) and the lockstep share.
pub mod coherence {
    /// A cache line's state (2 bits).
    pub const STATE_I: u8 = 0;
    pub const STATE_S: u8 = 1;
    pub const STATE_E: u8 = 2;
    pub const STATE_M: u8 = 3;
    /// What a key instruction asks of the unit (2 bits).
    pub const NEED_READ: u8 = 0;
    pub const NEED_WRITE: u8 = 1;
    pub const NEED_LOCK: u8 = 2;
    pub const NEED_ALLOC: u8 = 3;
    /// A transaction's kind (3 bits).
    pub const KIND_NOP: u8 = 0;
    pub const KIND_FILL_READ: u8 = 1;
    pub const KIND_FILL_WRITE: u8 = 2;
    pub const KIND_UPGRADE: u8 = 3;
    pub const KIND_ALLOC: u8 = 4;
    pub const KIND_LOCK: u8 = 5;
}

/// Reads an input file (an image, a source, a board or pin file): only a regular file (a
/// symlink is followed), and at most `max` bytes — a device such as `/dev/zero`, a folder or
/// a file past the largest valid input is refused before it is read into memory.
pub fn read_input(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (a device, a folder or a pipe cannot be an input)",
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(max) as usize);
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("larger than {max} bytes, more than any valid input of this kind"),
        ));
    }
    Ok(bytes)
}

/// The most bytes [`read_input`] takes of a program source (and of each file it includes),
/// or of an image file: far past any valid one (an image is at most 4096 words; a source
/// that fills them with comments is not this long).
pub const MAX_PROGRAM_FILE: u64 = 64 << 20;
/// The most bytes of a board file or a pin file.
pub const MAX_BOARD_FILE: u64 = 1 << 20;
