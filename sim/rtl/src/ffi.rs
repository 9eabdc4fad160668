//! The C ABI of csrc/shim.cpp. `Obs` mirrors `struct j1k_rtl_obs` field for field.

use std::ffi::c_void;

pub use j1k_sim::lockstep::Obs;

extern "C" {
    pub fn j1k_rtl_new() -> *mut c_void;
    pub fn j1k_rtl_free(m: *mut c_void);
    #[cfg(test)]
    pub fn j1k_rtl_set_full_eval(m: *mut c_void, on: i32);
    pub fn j1k_rtl_tick(m: *mut c_void);
    pub fn j1k_rtl_reset_load(m: *mut c_void, words: *const u16, n: usize);
    pub fn j1k_rtl_set_rx(m: *mut c_void, valid: i32, data: i32);
    pub fn j1k_rtl_observe(m: *mut c_void, o: *mut Obs);
    /// Runs at most `max` cycles, stopping before one that needs the host
    /// (`*event` = 1); with `trace` non-null, writes each cycle's `Obs` there.
    pub fn j1k_rtl_run(
        m: *mut c_void,
        max: u64,
        rx_ended: i32,
        trace: *mut Obs,
        event: *mut i32,
    ) -> u64;
}
