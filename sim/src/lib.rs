//! j1k-sim: the cycle-accurate simulator of j1k cores.
//!
//! A core is swapforth's J1a (`j1a/verilog/j1.v`, the 4-bit-`dsp` version with
//! `stack2` depths 15/17) cycle for cycle, with its io top, plus the key unit
//! of docs/isa.md §8. Instructions are decoded by [`j1k_isa::decode`] only.
//!
//! [`Machine::run`] is the fast path (plain J1a cycles run from locals, the rest
//! one general cycle at a time); [`Machine::step`] and [`Machine::run_observed`]
//! run the general cycle every time and report a [`Step`]. Tests hold both to
//! a literal transliteration of the Verilog (`tests/reference`).

mod core;
mod cycle;
mod decoded;
mod fast;
pub mod fuzz;
mod key_unit;
pub mod lockstep;
mod machine;
pub mod mem;
mod stack;
mod stats;
mod step;
pub mod trace;
pub mod uart;
pub mod vcd;

pub use crate::core::{Core, KeyBusy};
pub use j1k_isa::KeyConfig;
use j1k_isa::RAM_WORDS;
pub use machine::{Machine, MAX_CORES};
pub use mem::check::Violation;
pub use mem::store::{Key, Store};
pub use mem::unit::Fault;
pub use stats::{CoreStats, Stats};
pub use step::{CoreStep, CycleKind, Step};
pub use uart::{BufUart, RxPort, TxPort, Uart};

/// What to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Number of cores, 1 to [`MAX_CORES`].
    pub cores: usize,
    pub key: KeyConfig,
    /// Lines (blocks) in each tile's cache, 1 to 16 (several cores only).
    pub cache_lines: usize,
    /// Words of RAM of cores 1.. (a power of two, 256 to 4096; core 0 has 4096): such a
    /// core's RAM decodes the low bits of every address (docs/architecture.md §6).
    pub worker_ram: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cores: 1,
            key: KeyConfig::default(),
            cache_lines: 4,
            worker_ram: RAM_WORDS,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("{0} cores: a machine has 1 to 8")]
    Cores(usize),
    #[error("{0} cache lines: a tile's cache has 1 to 16")]
    CacheLines(usize),
    #[error("key configuration: {0}")]
    KeyConfig(String),
    #[error("{0} words of RAM for cores 1..: give a power of two from 256 to 4096")]
    WorkerRam(usize),
    #[error("image of {0} words does not fit in {1} words of RAM")]
    ImageTooLarge(usize, usize),
    #[error("no core {0} (the machine has {1})")]
    NoSuchCore(usize, usize),
}

/// When a run stops besides halting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Stop when the machine's cycle count (since reset) reaches this.
    pub max_cycles: Option<u64>,
    /// Stop when the program has waited this many cycles for input that cannot come: from
    /// its first look at the empty receiver after input ended, looking again at least every
    /// [`uart::WAIT_GAP`] cycles, with no UART byte moved meanwhile ([`uart::Wait`]). A
    /// computation that does not look at RX is never ended by this rule.
    pub idle_cycles: u64,
}

impl Limits {
    /// The end condition that holds before the next cycle, if any: `cycles` since reset,
    /// `wait` the program's wait for input (`RxPort::wait`). The Rust model and the RTL
    /// runner (sim/rtl) both end runs by this rule.
    pub fn ended(&self, cycles: u64, wait: Option<uart::Wait>) -> Option<Outcome> {
        if let Some(w) = wait {
            if cycles - w.since >= self.idle_cycles && cycles - w.last <= uart::WAIT_GAP {
                return Some(Outcome::Idle);
            }
        }
        match self.max_cycles {
            Some(m) if cycles >= m => Some(Outcome::MaxCycles),
            _ => None,
        }
    }

    /// The earliest cycle count, after `cycles`, at which a limit can end the run if no UART
    /// byte moves meanwhile: a wait that began at `since` can end `idle_cycles` later, and
    /// one that has not begun (or must begin again) no sooner than `idle_cycles` from now.
    pub fn deadline(&self, cycles: u64, wait: Option<uart::Wait>) -> u64 {
        let idle = match wait.map(|w| w.since.saturating_add(self.idle_cycles)) {
            Some(end) if end > cycles => end,
            _ => cycles.saturating_add(self.idle_cycles.max(1)),
        };
        self.max_cycles.unwrap_or(u64::MAX).min(idle)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_cycles: None,
            idle_cycles: 10_000_000,
        }
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// After the first cycle in which every running core executed a jump to its own address.
    Halted,
    /// The program waited `idle_cycles` cycles for input after input ended (see [`Limits`]).
    Idle,
    /// The cycle count reached `max_cycles`.
    MaxCycles,
    /// `--check-coherence` found a broken invariant ([`Machine::violation`]).
    Violation,
}

impl Outcome {
    /// The name used in [`Stats::end`].
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Halted => "halted",
            Outcome::Idle => "idle",
            Outcome::MaxCycles => "max-cycles",
            Outcome::Violation => "coherence-violation",
        }
    }
}

/// Called by [`Machine::run_observed`] after every cycle.
pub trait Observer {
    fn after_cycle(&mut self, m: &Machine, step: &Step);
}
