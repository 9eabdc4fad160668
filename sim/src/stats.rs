//! Run statistics: counters kept while simulating, and the serialisable summary.

use crate::core::CoreCounts;
use crate::mem::unit::{TileCounters, UnitCounters};
use j1k_isa::{KeyOp, KEY_OPS};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a run did, for `--stats-json` and benches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Clock cycles since reset, the reboot cycle included.
    pub cycles: u64,
    /// Instructions retired (a multi-cycle key instruction counts once; reboot
    /// and fetch-path cycles are not instructions).
    pub instructions: u64,
    /// Fetch-path cycles (the second cycle of a `@` through `call $1000+a`).
    pub fetch_cycles: u64,
    /// Cycles in which a multi-cycle key instruction held the pc.
    pub stall_cycles: u64,
    /// Cycles in which a key instruction waited for the coherence unit (several cores).
    pub wait_cycles: u64,
    /// Key instructions retired, by mnemonic (`reserved` for opcodes 27..31).
    pub key_ops: BTreeMap<String, u64>,
    /// Refused key writes and reserved opcodes (all cores; not wrapped).
    pub faults: u64,
    pub uart_tx_bytes: u64,
    pub uart_rx_bytes: u64,
    /// RAM writes that took effect.
    pub ram_writes: u64,
    /// RAM writes dropped by the closed write gate.
    pub ram_writes_dropped: u64,
    /// Block-word reads by `b@ bc@ bxchg bxadd`.
    pub block_reads: u64,
    /// Block-word writes that took effect (`b! bc! bxchg bxadd`; allocation zeroing not counted).
    pub block_writes: u64,
    /// Node-slot writes that took effect (`nb! nn! nb!i nn!i`; allocation zeroing not counted).
    pub slot_writes: u64,
    /// How the last run ended: `halted`, `idle`, `max-cycles`, `coherence-violation` or `running`.
    pub end: String,
    /// One entry per core.
    pub cores: Vec<CoreStats>,
    /// The coherence unit's totals (several cores only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitCounters>,
}

/// One core's part of [`Stats`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CoreStats {
    pub id: usize,
    pub instructions: u64,
    pub stall_cycles: u64,
    pub wait_cycles: u64,
    /// Cycles it spent stopped.
    pub idle_cycles: u64,
    /// Its cache's counters (all 0 with one core: it has no cache).
    #[serde(flatten)]
    pub cache: TileCounters,
}

/// The live counters shared by the cores (each core keeps its own cycle counts).
#[derive(Clone, Debug, Default)]
pub(crate) struct Counters {
    pub uart_tx: u64,
    pub uart_rx: u64,
}

impl Counters {
    pub fn summary(&self, cycles: u64, end: &str, cores: &[CoreCounts]) -> Stats {
        let sum = |f: fn(&CoreCounts) -> u64| cores.iter().map(f).sum::<u64>();
        let mut key_ops = BTreeMap::new();
        for op in 0..32 {
            let n: u64 = cores.iter().map(|c| c.key_ops[op]).sum();
            if n == 0 {
                continue;
            }
            let name = match KeyOp::from_opcode(op as u8) {
                Some(k) => KEY_OPS[k as usize].name,
                None => "reserved",
            };
            *key_ops.entry(name.to_string()).or_insert(0) += n;
        }
        Stats {
            cycles,
            instructions: sum(|c| c.instructions),
            fetch_cycles: sum(|c| c.fetch_cycles),
            stall_cycles: sum(|c| c.stall_cycles),
            wait_cycles: sum(|c| c.wait_cycles),
            key_ops,
            faults: sum(|c| c.faults),
            uart_tx_bytes: self.uart_tx,
            uart_rx_bytes: self.uart_rx,
            ram_writes: sum(|c| c.ram_writes),
            ram_writes_dropped: sum(|c| c.ram_writes_dropped),
            block_reads: sum(|c| c.block_reads),
            block_writes: sum(|c| c.block_writes),
            slot_writes: sum(|c| c.slot_writes),
            end: end.to_string(),
            cores: Vec::new(),
            unit: None,
        }
    }
}
