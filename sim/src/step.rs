//! What one clock cycle did, for observers (tracer, waveform writer, tests).

use crate::mem::store::Key;
use crate::mem::unit::Txn;
use j1k_isa::KeyInsn;

/// What a core's cycle was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CycleKind {
    /// The core did not run: it is stopped (docs/architecture.md §6).
    #[default]
    Idle,
    /// The first cycle after reset: next pc 0, side effects suppressed.
    Reboot,
    /// pc bit 12 set: `insn` came in as a literal with an implicit return (docs/isa.md §4).
    Fetch,
    /// An instruction executed and retired (for a multi-cycle key instruction: its last cycle).
    Execute,
    /// A non-final cycle of a multi-cycle key instruction: the pc is held.
    Stall,
    /// A key instruction waits for the coherence unit (or its cache's read port) before its
    /// decode cycle: the pc is held and nothing the program sees changes.
    Wait,
}

/// One core's part of a cycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CoreStep {
    pub kind: CycleKind,
    /// The pc during the cycle.
    pub pc: u16,
    /// The instruction register during the cycle (for a fetch cycle: the word fetched).
    pub insn: u16,
    /// The key instruction executing in this cycle, and which of its cycles this is (1-based).
    pub key: Option<(KeyInsn, u32)>,
    /// Executed a jump to its own address (`halt`).
    pub halt: bool,
    /// A RAM write that took effect: (word address, value).
    pub ram_write: Option<(u16, u16)>,
    /// A RAM write dropped because the write gate was closed: (word address, value).
    pub ram_write_dropped: Option<(u16, u16)>,
    /// A block-word read by `b@ bc@ bxchg bxadd` (in their decode cycle): (block, word index, value).
    pub block_read: Option<(u16, u16, u16)>,
    /// A block-word write that took effect: (block, word index, value).
    pub block_write: Option<(u16, u16, u16)>,
    /// A node-slot write that took effect: (node, slot, the slots written: 1 the
    /// block-key slot, 2 the node-key slot, 3 both (`nalloc` zeroing a slot pair), key).
    pub slot_write: Option<(u16, u16, u8, Key)>,
    /// A key write was refused (or a reserved opcode ran): `faults` went up by one.
    pub fault: bool,
    /// The value `io[T]` read from the io bus, if the instruction was one.
    pub io_read: Option<u16>,
    /// An io write taking effect in this cycle (the registered strobe): (address, data).
    pub io_write: Option<(u16, u16)>,
}

impl CoreStep {
    /// The cycle completed an instruction (not reboot, fetch or stall).
    pub fn retired(&self) -> bool {
        self.kind == CycleKind::Execute
    }
}

/// One machine cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// The cycle's number: 0 is the reboot cycle.
    pub cycle: u64,
    pub cores: Vec<CoreStep>,
    /// A byte sent on UART 0 in this cycle.
    pub uart_tx: Option<u8>,
    /// A byte consumed from UART 0 in this cycle (the RX read strobe).
    pub uart_rx: Option<u8>,
    /// Every running core executed a jump to its own address: a run ends here.
    pub halted: bool,
    /// The coherence unit granted this transaction at the end of the cycle.
    pub granted: Option<Txn>,
    /// The coherence unit's transaction that took effect at the end of the cycle.
    pub completed: Option<Txn>,
}
