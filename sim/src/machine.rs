//! The machine: cores, the shared store, UART 0, the cycle counter, and the
//! run loops. Built for several cores sharing one store; one core for now.

use crate::core::Core;
use crate::cycle::Ctx;
use crate::fast::{self, Exit};
use crate::stats::{Counters, Stats};
use crate::step::{CoreStep, Step};
use crate::store::Store;
use crate::uart::{RxPort, TxPort, Uart};
use crate::{Config, Limits, Observer, Outcome, SimError};
use j1k_isa::RAM_WORDS;

pub struct Machine {
    cfg: Config,
    cores: Vec<Core>,
    store: Store,
    rx: RxPort,
    tx: TxPort,
    cycles: u64,
    /// Where the idle count starts: `cycles` just after the last cycle in which
    /// a UART byte moved or in which the end of input was found (0 if neither).
    quiet_since: u64,
    counters: Counters,
    end: &'static str,
    scratch: Step,
}

impl Machine {
    pub fn new(cfg: Config) -> Result<Machine, SimError> {
        if cfg.cores != 1 {
            return Err(SimError::Cores(cfg.cores));
        }
        cfg.key.validate().map_err(SimError::KeyConfig)?;
        let cores = (0..cfg.cores).map(|i| Core::new(i as u16)).collect();
        Ok(Machine {
            store: Store::new(cfg.key),
            cfg,
            cores,
            rx: RxPort::default(),
            tx: TxPort::default(),
            cycles: 0,
            quiet_since: 0,
            counters: Counters::default(),
            end: "running",
            scratch: Step::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Copies `words` into core `core`'s RAM (the rest zero) and resets the machine.
    pub fn load_image(&mut self, core: usize, words: &[u16]) -> Result<(), SimError> {
        if words.len() > RAM_WORDS {
            return Err(SimError::ImageTooLarge(words.len()));
        }
        let n = self.cores.len();
        self.cores
            .get_mut(core)
            .ok_or(SimError::NoSuchCore(core, n))?
            .load(words);
        self.reset();
        Ok(())
    }

    /// Resets every core (RAM is kept), the store, the cycle count and the
    /// statistics. UART 0's input position is kept: a byte already read from
    /// [`Uart::rx`] stays pending, and input once exhausted stays exhausted.
    pub fn reset(&mut self) {
        for c in &mut self.cores {
            c.reset();
        }
        self.store.reset();
        self.tx.reset();
        self.cycles = 0;
        self.quiet_since = 0;
        self.counters = Counters::default();
        self.end = "running";
    }

    /// Clock cycles since reset.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    pub fn cores(&self) -> usize {
        self.cores.len()
    }

    /// Core `i`, read-only. Panics if there is no such core.
    pub fn core(&self, i: usize) -> &Core {
        &self.cores[i]
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, for tests and tools that seed node graphs (after `load_image`/`reset`, which clear it).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// True once UART 0's input has ended (`rx` returned `None`).
    pub fn input_exhausted(&self) -> bool {
        self.rx.exhausted
    }

    /// Models the hardware transmitter's busy time: after each byte TX ready reads low for
    /// `cycles` cycles (10 bit times: 10 × clock / baud), and a byte written meanwhile is
    /// lost. 0 (the default) is the simulator's UART, always ready (docs/isa.md §5).
    pub fn set_tx_busy_cycles(&mut self, cycles: u64) {
        self.tx.busy_cycles = cycles;
    }

    /// Bytes the program wrote while TX was busy (lost); 0 unless a busy time is set.
    pub fn tx_dropped(&self) -> u64 {
        self.tx.dropped
    }

    /// A byte arrives on UART 0's wire before the next cycle, into the one-byte receive
    /// register as in the hardware (hdl/src/uart.rs). True if it overwrote a byte the
    /// program had not read (an overrun). For a line driven by the clock (the simulated
    /// board on a pseudo-terminal); a run that takes its input from [`Uart::rx`] does not
    /// call it.
    pub fn receive(&mut self, byte: u8) -> bool {
        self.rx.arrive(byte)
    }

    pub fn stats(&self) -> Stats {
        self.counters.summary(self.cycles, self.end)
    }

    /// Exactly one clock cycle.
    pub fn step(&mut self, uart: &mut dyn Uart) -> Step {
        let mut s = Step::default();
        self.step_into(uart, &mut s);
        s
    }

    fn step_into(&mut self, uart: &mut dyn Uart, s: &mut Step) {
        s.cycle = self.cycles;
        s.uart_tx = None;
        s.uart_rx = None;
        s.cores.resize(self.cores.len(), CoreStep::default());
        let mut all_halt = true;
        let was_exhausted = self.rx.exhausted;
        for (core, cs) in self.cores.iter_mut().zip(s.cores.iter_mut()) {
            let mut x = Ctx {
                store: &mut self.store,
                counters: &mut self.counters,
                rx: &mut self.rx,
                tx: &mut self.tx,
                now: self.cycles,
                uart: if core.id == 0 { Some(&mut *uart) } else { None },
                uart_tx: &mut s.uart_tx,
                uart_rx: &mut s.uart_rx,
            };
            core.cycle(&mut x, cs);
            all_halt &= cs.halt;
        }
        self.cycles += 1;
        s.halted = all_halt;
        if s.uart_tx.is_some() || s.uart_rx.is_some() || self.rx.exhausted != was_exhausted {
            self.quiet_since = self.cycles;
        }
    }

    /// The end condition that holds now, before another cycle, if any.
    fn ended(&self, limits: &Limits) -> Option<Outcome> {
        limits.ended(self.cycles, self.quiet_since, self.rx.exhausted)
    }

    /// The cycle count at which a limit will end the run if nothing else happens.
    fn deadline(&self, limits: &Limits) -> u64 {
        let idle = if self.rx.exhausted {
            self.quiet_since.saturating_add(limits.idle_cycles)
        } else {
            u64::MAX
        };
        limits.max_cycles.unwrap_or(u64::MAX).min(idle)
    }

    fn finish(&mut self, o: Outcome) -> Outcome {
        self.end = o.name();
        o
    }

    /// Runs until a halt, an idle end or the cycle limit, with no per-cycle callbacks.
    pub fn run(&mut self, uart: &mut dyn Uart, limits: &Limits) -> Outcome {
        let mut s = std::mem::take(&mut self.scratch);
        let o = loop {
            if let Some(o) = self.ended(limits) {
                break o;
            }
            if self.cores.len() == 1 && self.cores[0].fast_ok() {
                let limit = self.deadline(limits);
                match fast::run(
                    &mut self.cores[0],
                    &mut self.cycles,
                    limit,
                    &mut self.counters,
                ) {
                    Exit::Halted => break Outcome::Halted,
                    Exit::Limit => continue,
                    Exit::Slow => {}
                }
            }
            self.step_into(uart, &mut s);
            if s.halted {
                break Outcome::Halted;
            }
        };
        self.scratch = s;
        self.finish(o)
    }

    /// Like [`run`](Self::run), calling `obs` after every cycle.
    pub fn run_observed(
        &mut self,
        uart: &mut dyn Uart,
        limits: &Limits,
        obs: &mut dyn Observer,
    ) -> Outcome {
        let mut s = std::mem::take(&mut self.scratch);
        let o = loop {
            if let Some(o) = self.ended(limits) {
                break o;
            }
            self.step_into(uart, &mut s);
            obs.after_cycle(self, &s);
            if s.halted {
                break Outcome::Halted;
            }
        };
        self.scratch = s;
        self.finish(o)
    }
}
