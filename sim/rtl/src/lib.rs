//! The j1k RTL, run: the simulation top that j1k-hdl exports, compiled by
//! Verilator (see build.rs), driven one clock cycle at a time from Rust.
//!
//! [`Rtl`] has the same console and end-of-run rules as the Rust model
//! ([`j1k_sim::Machine`]): the same lazy UART input, halt on a jump to self,
//! idle and cycle limits — so `j1k sim --rtl` behaves like `j1k sim`.
//! [`lockstep`] runs both and stops at the first cycle where they differ.

mod ffi;
mod lockstep;

pub use ffi::Obs;
pub use lockstep::{lockstep, Divergence};

use j1k_sim::{Config, Limits, Outcome, RxPort, Uart};
use std::ffi::c_void;
use std::ptr::NonNull;

/// The configuration the model was built for (build.rs): one core and the
/// default key configuration.
pub fn built_config() -> Config {
    Config::default()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RtlError {
    #[error("the RTL model is built for {built}; asked for {asked}")]
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

/// A Verilated simulation top.
pub struct Rtl {
    model: NonNull<c_void>,
    cycles: u64,
    /// The receiver, kept by the Rust model's rule; the RTL's RX inputs follow it.
    rx: RxPort,
    quiet_since: u64,
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
        let built = built_config();
        if cfg.cores != built.cores || cfg.key != built.key {
            return Err(RtlError::Config {
                built: format!("{} core(s), {:?}", built.cores, built.key),
                asked: format!("{} core(s), {:?}", cfg.cores, cfg.key),
            });
        }
        let model = NonNull::new(unsafe { ffi::j1k_rtl_new() }).expect("Verilated model");
        let mut r = Rtl {
            model,
            cycles: 0,
            rx: RxPort::default(),
            quiet_since: 0,
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
        self.cycles = 0;
        self.quiet_since = 0;
        self.rx = RxPort {
            exhausted: self.rx.exhausted,
            ..RxPort::default()
        };
        self.stats = RtlStats::default();
        self.drive_rx();
        Ok(())
    }

    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    pub fn stats(&self) -> RtlStats {
        RtlStats {
            cycles: self.cycles,
            ..self.stats.clone()
        }
    }

    /// The outputs during the current cycle.
    pub fn observe(&self) -> Obs {
        let mut o = Obs::default();
        unsafe { ffi::j1k_rtl_observe(self.model.as_ptr(), &mut o) };
        o
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

    /// Runs one clock cycle; returns the outputs as they were during it.
    pub fn step(&mut self, uart: &mut dyn Uart) -> Obs {
        let mut o = self.observe();
        let was_exhausted = self.rx.exhausted;
        if o.uart_rx_look != 0 && !self.rx.pending && !self.rx.exhausted {
            self.rx.observe(uart);
            self.drive_rx();
            o = self.observe();
        }
        let mut moved = self.rx.exhausted != was_exhausted;
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
            self.quiet_since = self.cycles;
        }
        o
    }

    pub(crate) fn ended(&self, limits: &Limits) -> Option<Outcome> {
        limits.ended(self.cycles, self.quiet_since, self.rx.exhausted)
    }

    /// Runs until a halt, an idle end or the cycle limit — the Rust model's rules.
    pub fn run(&mut self, uart: &mut dyn Uart, limits: &Limits) -> Outcome {
        let o = loop {
            if let Some(o) = self.ended(limits) {
                break o;
            }
            if self.step(uart).halt != 0 {
                break Outcome::Halted;
            }
        };
        self.stats.end = o.name();
        o
    }
}
