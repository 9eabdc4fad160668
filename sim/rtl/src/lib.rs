//! The j1k RTL, run: the simulation tops that j1k-hdl exports (one core, two, four),
//! compiled by Verilator (see build.rs). The cycle loop runs on the C++ side
//! ([`Rtl::run_until_event`]) until a cycle that needs the host: a UART byte
//! sent or consumed, a look at RX that has to ask the console, or every running
//! core halting. Rust runs those one at a time ([`Rtl::step`]).
//!
//! [`Rtl`] has the same console and end-of-run rules as the Rust model
//! ([`j1k_sim::Machine`]): the same lazy UART input, halt on a jump to self,
//! idle and cycle limits — so `j1k sim --rtl` behaves like `j1k sim`.
//! [`lockstep`] runs both and stops at the first cycle where they differ.

mod ffi;
mod lockstep;

pub use ffi::{Obs, UnitObs};
pub use lockstep::{lockstep, lockstep_batched, Divergence, LOCKSTEP_BATCH};

use j1k_sim::{Config, Limits, Outcome, RxPort, Uart};
use std::ffi::c_void;
use std::ptr::NonNull;

/// The core counts a model is built for (build.rs).
pub const BUILT_CORES: &[usize] = &[1, 2, 4];

/// The configuration the model of `cores` cores was built for (build.rs): the
/// default key configuration, cache lines and RAM sizes, as `j1k sim --cores N`.
pub fn built_config(cores: usize) -> Option<Config> {
    BUILT_CORES.contains(&cores).then(|| Config {
        cores,
        ..Config::default()
    })
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RtlError {
    #[error("the RTL models are built for {built}; asked for {asked}")]
    Config { built: String, asked: String },
    #[error("image is {0} words; a core's RAM holds 4096")]
    ImageTooLarge(usize),
}

/// Counts that `--stats-json` reports for an RTL run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RtlStats {
    pub cycles: u64,
    pub uart_tx_bytes: u64,
    pub uart_rx_bytes: u64,
    pub end: &'static str,
}

/// What [`Rtl::run_until_event`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ran {
    /// Cycles run.
    pub cycles: u64,
    /// It stopped before a cycle that needs the host ([`Rtl::step`]); false: it
    /// ran all the cycles it was given.
    pub event: bool,
}

/// A Verilated simulation top.
pub struct Rtl {
    model: NonNull<c_void>,
    cores: usize,
    cycles: u64,
    /// The receiver, kept by the Rust model's rule; the RTL's RX inputs follow it.
    rx: RxPort,
    stats: RtlStats,
}

// The model is plain memory owned by this value.
unsafe impl Send for Rtl {}

impl Drop for Rtl {
    fn drop(&mut self) {
        unsafe { ffi::j1k_rtl_free(self.model.as_ptr()) }
    }
}

impl Rtl {
    pub fn new(cfg: &Config) -> Result<Rtl, RtlError> {
        let sizes = |c: &Config| {
            format!(
                "{} cache lines, cores 1.. of {} words, {:?}",
                c.cache_lines, c.worker_ram, c.key
            )
        };
        let Some(built) = built_config(cfg.cores).filter(|b| {
            b.key == cfg.key
                && (b.cores == 1
                    || (b.cache_lines, b.worker_ram) == (cfg.cache_lines, cfg.worker_ram))
        }) else {
            return Err(RtlError::Config {
                built: format!("1, 2 or 4 cores of {}", sizes(&Config::default())),
                asked: format!("{} core(s) of {}", cfg.cores, sizes(cfg)),
            });
        };
        let model = NonNull::new(unsafe { ffi::j1k_rtl_new(built.cores as i32) })
            .expect("a Verilated model of that many cores");
        let mut r = Rtl {
            model,
            cores: built.cores,
            cycles: 0,
            rx: RxPort::default(),
            stats: RtlStats::default(),
        };
        r.load_image(&[])?;
        Ok(r)
    }

    /// Writes the image into core 0's RAM (the rest zero) and resets: the
    /// model is then in cycle 0, the reboot cycle.
    pub fn load_image(&mut self, words: &[u16]) -> Result<(), RtlError> {
        if words.len() > 4096 {
            return Err(RtlError::ImageTooLarge(words.len()));
        }
        unsafe { ffi::j1k_rtl_reset_load(self.model.as_ptr(), words.as_ptr(), words.len()) };
        self.restart();
        Ok(())
    }

    /// The reset button: every core restarts at word 0 and every RAM keeps its words
    /// (`Machine::reset`).
    pub fn reset(&mut self) {
        unsafe { ffi::j1k_rtl_reset(self.model.as_ptr()) };
        self.restart();
    }

    /// After a reset: cycle 0, no byte in the receiver, counts from zero.
    fn restart(&mut self) {
        self.cycles = 0;
        self.rx = RxPort {
            exhausted: self.rx.exhausted,
            ..RxPort::default()
        };
        self.stats = RtlStats::default();
        self.drive_rx();
    }

    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Cores in the model.
    pub fn cores(&self) -> usize {
        self.cores
    }

    pub fn stats(&self) -> RtlStats {
        RtlStats {
            cycles: self.cycles,
            ..self.stats.clone()
        }
    }

    /// Core 0's outputs during the current cycle.
    pub fn observe(&self) -> Obs {
        self.observe_core(0)
    }

    /// Core `k`'s outputs during the current cycle.
    pub fn observe_core(&self, k: usize) -> Obs {
        assert!(k < self.cores, "core {k} of {}", self.cores);
        let mut o = Obs::default();
        unsafe { ffi::j1k_rtl_observe(self.model.as_ptr(), k as i32, &mut o) };
        o
    }

    /// Every core's outputs during the current cycle.
    pub fn observe_all(&self) -> Vec<Obs> {
        (0..self.cores).map(|k| self.observe_core(k)).collect()
    }

    /// The coherence unit's registers in the current cycle (a model of several cores).
    pub fn observe_unit(&self) -> UnitObs {
        assert!(self.cores > 1, "a one-core model has no coherence unit");
        let mut u = UnitObs::default();
        unsafe { ffi::j1k_rtl_observe_unit(self.model.as_ptr(), &mut u) };
        u
    }

    /// Bit k set while core k runs (a one-core model: 1).
    pub fn running(&self) -> u32 {
        unsafe { ffi::j1k_rtl_running(self.model.as_ptr()) }
    }

    fn drive_rx(&mut self) {
        unsafe {
            ffi::j1k_rtl_set_rx(
                self.model.as_ptr(),
                self.rx.pending as i32,
                self.rx.data as i32,
            )
        }
    }

    /// A byte arrives on the UART's wire before the next cycle, into the one-byte receive
    /// register as in the hardware (hdl/src/uart.rs); true if it overwrote a byte the
    /// program had not read (an overrun). For a line driven by the clock (`j1k sim --pty
    /// --baud`). The simulation top's TX is always ready (hdl/src/sim_top.rs ties it high),
    /// so the transmitter's busy time is not modelled here.
    pub fn receive(&mut self, byte: u8) -> bool {
        let overrun = self.rx.arrive(byte);
        self.drive_rx();
        overrun
    }

    /// Runs at most `max_cycles` cycles that need nothing from the host, in one
    /// call into the model: it stops before a cycle that sends a UART byte,
    /// consumes the received byte, looks at RX while no byte is valid (unless the
    /// input has ended), or halts — run that one with [`step`](Self::step). In the
    /// cycles it runs, `step` would only have run the clock, so the two give the
    /// same run, counts and end. With `trace`, what each cycle showed is appended to
    /// it ([`Trace`]). The program's wait for input ([`j1k_sim::uart::Wait`]) goes on
    /// with the looks at RX in these cycles.
    pub fn run_until_event(&mut self, max_cycles: u64, trace: Option<&mut Trace>) -> Ran {
        let model = self.model.as_ptr();
        let rx_ended = self.rx.exhausted as i32;
        let mut event = 0;
        let mut wait = match self.rx.wait {
            Some(w) => ffi::RunWait {
                since: w.since,
                last: w.last,
                active: 1,
            },
            None => ffi::RunWait::default(),
        };
        let (cycle0, gap) = (self.cycles, j1k_sim::uart::WAIT_GAP);
        let n = match trace {
            Some(t) => {
                let room = usize::try_from(max_cycles).expect("a trace of that many cycles");
                let units = self.cores > 1;
                t.obs.reserve(room * self.cores);
                t.runs.reserve(room);
                if units {
                    t.units.reserve(room);
                }
                // SAFETY: the shim writes at most `max_cycles` × cores whole `Obs`,
                // `max_cycles` u32 and (with several cores) `max_cycles` `UnitObs`, all
                // plain integers, into the room reserved after the ends.
                unsafe {
                    let end = t.obs.as_mut_ptr().add(t.obs.len());
                    let rend = t.runs.as_mut_ptr().add(t.runs.len());
                    let uend = if units {
                        t.units.as_mut_ptr().add(t.units.len())
                    } else {
                        std::ptr::null_mut()
                    };
                    let n = ffi::j1k_rtl_run(
                        model, max_cycles, rx_ended, end, rend, uend, &mut wait, cycle0, gap,
                        &mut event,
                    );
                    t.obs.set_len(t.obs.len() + n as usize * self.cores);
                    t.runs.set_len(t.runs.len() + n as usize);
                    if units {
                        t.units.set_len(t.units.len() + n as usize);
                    }
                    n
                }
            }
            None => unsafe {
                ffi::j1k_rtl_run(
                    model,
                    max_cycles,
                    rx_ended,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    &mut wait,
                    cycle0,
                    gap,
                    &mut event,
                )
            },
        };
        self.rx.wait = (wait.active != 0).then_some(j1k_sim::uart::Wait {
            since: wait.since,
            last: wait.last,
        });
        self.cycles += n;
        Ran {
            cycles: n,
            event: event != 0,
        }
    }

    /// Runs one clock cycle; returns core 0's outputs as they were during it.
    pub fn step(&mut self, uart: &mut dyn Uart) -> Obs {
        self.step_all(uart).obs[0]
    }

    /// Runs one clock cycle; returns what every core showed during it.
    pub fn step_all(&mut self, uart: &mut dyn Uart) -> Stepped {
        let mut o = self.observe();
        if o.uart_rx_look != 0 {
            let was_pending = self.rx.pending;
            self.rx.look(uart, self.cycles);
            if self.rx.pending != was_pending {
                self.drive_rx();
                o = self.observe();
            }
        }
        let mut obs = vec![o];
        obs.extend((1..self.cores).map(|k| self.observe_core(k)));
        let running = self.running();
        let halting = unsafe { ffi::j1k_rtl_halting(self.model.as_ptr()) } != 0;
        let mut moved = false;
        if o.uart_tx_strobe != 0 {
            uart.tx_at(o.uart_tx_data, self.cycles);
            self.stats.uart_tx_bytes += 1;
            moved = true;
        }
        let consumed = o.uart_rx_strobe != 0 && self.rx.pending;
        if consumed {
            self.rx.pending = false;
            self.stats.uart_rx_bytes += 1;
            moved = true;
        }
        unsafe { ffi::j1k_rtl_tick(self.model.as_ptr()) };
        if consumed {
            // RX valid drops from the next cycle on (inputs change only here
            // and when a byte arrives, so other cycles need no extra eval).
            self.drive_rx();
        }
        self.cycles += 1;
        if moved {
            self.rx.wait = None;
        }
        Stepped {
            obs,
            running,
            halting,
        }
    }

    pub(crate) fn ended(&self, limits: &Limits) -> Option<Outcome> {
        limits.ended(self.cycles, self.rx.wait)
    }

    /// Cycles until a limit ends the run if no UART byte moves meanwhile (0 if
    /// one has): the most [`run_until_event`](Self::run_until_event) may run.
    pub(crate) fn cycles_left(&self, limits: &Limits) -> u64 {
        limits
            .deadline(self.cycles, self.rx.wait)
            .saturating_sub(self.cycles)
    }

    /// Runs until a halt, an idle end or the cycle limit — the Rust model's rules.
    pub fn run(&mut self, uart: &mut dyn Uart, limits: &Limits) -> Outcome {
        let o = loop {
            if let Some(o) = self.ended(limits) {
                break o;
            }
            if !self.run_until_event(self.cycles_left(limits), None).event {
                continue;
            }
            if self.step_all(uart).halting {
                break Outcome::Halted;
            }
        };
        self.stats.end = o.name();
        o
    }
}

/// Where [`Rtl::run_until_event`] records, cycle by cycle.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// Every core's [`Obs`], core 0 first.
    pub obs: Vec<Obs>,
    /// The running cores ([`Rtl::running`]).
    pub runs: Vec<u32>,
    /// The coherence unit ([`Rtl::observe_unit`]); a one-core model has none (empty).
    pub units: Vec<UnitObs>,
}

impl Trace {
    pub fn clear(&mut self) {
        self.obs.clear();
        self.runs.clear();
        self.units.clear();
    }
}

/// What [`Rtl::step_all`] saw during the cycle it ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stepped {
    /// Every core's outputs, core 0 first.
    pub obs: Vec<Obs>,
    /// Bit k set while core k ran.
    pub running: u32,
    /// Every running core halted (jumped to itself): the run ends after it.
    pub halting: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use j1k_sim::BufUart;
    use std::path::PathBuf;

    fn programs() -> Vec<(Vec<u16>, &'static [u8])> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        [
            ("hello.fs", &b""[..]),
            ("tree.fs", b""),
            ("upper_echo.fs", b"Batches, then bytes.\n"),
            ("bench/index_blocks.fs", b""),
        ]
        .into_iter()
        .map(|(name, input)| {
            (
                j1k_asm::assemble_file(&dir.join(name)).unwrap().words,
                input,
            )
        })
        .collect()
    }

    fn limits() -> Limits {
        Limits {
            max_cycles: Some(400_000),
            idle_cycles: 5_000,
        }
    }

    /// `run`'s loop with [`Rtl::run_until_event`] replaced by single steps.
    fn run_stepwise(r: &mut Rtl, uart: &mut dyn Uart, limits: &Limits) -> Outcome {
        loop {
            if let Some(o) = r.ended(limits) {
                break o;
            }
            if r.step_all(uart).halting {
                break Outcome::Halted;
            }
        }
    }

    /// Every cycle's observation, through `run_until_event` and `step`.
    fn traced(r: &mut Rtl, uart: &mut dyn Uart, limits: &Limits) -> Vec<Obs> {
        let mut trace = Trace::default();
        while r.ended(limits).is_none() {
            let ran = r.run_until_event(r.cycles_left(limits).min(4096), Some(&mut trace));
            if ran.event {
                let o = r.step(uart);
                trace.obs.push(o);
                if o.halt != 0 {
                    break;
                }
            }
        }
        trace.obs
    }

    /// The C++ loop runs the same cycles as single steps: the same output,
    /// counts, end and final state, including an idle end after the input.
    #[test]
    fn the_cycle_loop_equals_single_steps() {
        for (words, input) in programs() {
            for limits in [
                limits(),
                Limits {
                    max_cycles: Some(3_000),
                    ..limits()
                },
            ] {
                // (fresh models: a model keeps the end of input across loads)
                let mut a = Rtl::new(&Config::default()).unwrap();
                let mut b = Rtl::new(&Config::default()).unwrap();
                a.load_image(&words).unwrap();
                b.load_image(&words).unwrap();
                let (mut ua, mut ub) = (BufUart::new(input), BufUart::new(input));
                let oa = a.run(&mut ua, &limits);
                let ob = run_stepwise(&mut b, &mut ub, &limits);
                b.stats.end = ob.name();
                assert_eq!(oa, ob);
                assert_eq!(ua.output, ub.output);
                assert_eq!(a.stats(), b.stats());
                assert_eq!(a.observe(), b.observe());
            }
        }
    }

    /// Skipping Verilator's input region between clock edges (csrc/shim.cpp)
    /// changes nothing: every cycle shows the same as with a full eval().
    #[test]
    fn edge_evaluation_equals_full_evaluation() {
        for (words, input) in programs() {
            let mut fast = Rtl::new(&Config::default()).unwrap();
            let mut full = Rtl::new(&Config::default()).unwrap();
            unsafe { ffi::j1k_rtl_set_full_eval(full.model.as_ptr(), 1) };
            fast.load_image(&words).unwrap();
            full.load_image(&words).unwrap();
            let ta = traced(&mut fast, &mut BufUart::new(input), &limits());
            let tb = traced(&mut full, &mut BufUart::new(input), &limits());
            assert!(ta.len() > 100, "{} cycles", ta.len());
            assert_eq!(ta.len(), tb.len());
            if let Some(i) = (0..ta.len()).find(|&i| ta[i] != tb[i]) {
                panic!("cycle {i}: {:x?}\nfull eval: {:x?}", ta[i], tb[i]);
            }
            assert_eq!(fast.observe(), full.observe());
        }
    }
}
