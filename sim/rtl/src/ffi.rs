//! The C ABI of csrc/shim.cpp. `Obs` mirrors `struct j1k_rtl_obs` field for field, and
//! `UnitObs` `struct j1k_rtl_unit`.

use std::ffi::c_void;

pub use j1k_sim::lockstep::{Obs, UnitObs};

/// `struct j1k_rtl_wait`: j1k_sim's `Option<Wait>` across the C ABI.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct RunWait {
    pub since: u64,
    pub last: u64,
    pub active: u32,
}

extern "C" {
    /// A model of `cores` cores (1, 2 or 4); null when none is built for that count.
    pub fn j1k_rtl_new(cores: i32) -> *mut c_void;
    pub fn j1k_rtl_free(m: *mut c_void);
    #[cfg(test)]
    pub fn j1k_rtl_set_full_eval(m: *mut c_void, on: i32);
    pub fn j1k_rtl_tick(m: *mut c_void);
    pub fn j1k_rtl_reset_load(m: *mut c_void, words: *const u16, n: usize);
    pub fn j1k_rtl_reset(m: *mut c_void);
    pub fn j1k_rtl_set_rx(m: *mut c_void, valid: i32, data: i32);
    pub fn j1k_rtl_observe(m: *mut c_void, core: i32, o: *mut Obs);
    pub fn j1k_rtl_observe_unit(m: *mut c_void, u: *mut UnitObs);
    pub fn j1k_rtl_running(m: *mut c_void) -> u32;
    pub fn j1k_rtl_halting(m: *mut c_void) -> i32;
    /// Runs at most `max` cycles, stopping before one that needs the host
    /// (`*event` = 1); with `trace` non-null, writes each cycle's `Obs` of every core
    /// there, with `runs` non-null each cycle's running cores, and with `units` non-null
    /// each cycle's coherence unit.
    pub fn j1k_rtl_run(
        m: *mut c_void,
        max: u64,
        rx_ended: i32,
        trace: *mut Obs,
        runs: *mut u32,
        units: *mut UnitObs,
        wait: *mut RunWait,
        cycle0: u64,
        gap: u64,
        event: *mut i32,
    ) -> u64;
}
