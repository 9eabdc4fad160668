//! The C ABI of csrc/shim.cpp. `Obs` mirrors `struct j1k_rtl_obs` field for field.

use std::ffi::c_void;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Obs {
    pub pc: u16,
    pub insn: u16,
    pub t: u16,
    pub n: u16,
    pub r: u16,
    pub ram_waddr: u16,
    pub ram_wdata: u16,
    pub faults: u16,
    pub blk_waddr: u16,
    pub blk_wdata: u16,
    pub slot_waddr: u16,
    pub slot_wdata: u16,
    pub breg: [u16; 8],
    pub nreg: [u16; 4],
    pub dsp: u8,
    pub rdepth: u8,
    pub reboot: u8,
    pub ram_we: u8,
    pub uart_tx_strobe: u8,
    pub uart_tx_data: u8,
    pub uart_rx_strobe: u8,
    pub uart_rx_look: u8,
    pub leds: u8,
    pub halt: u8,
    pub cur_b: u8,
    pub cur_n: u8,
    pub key_busy: u8,
    pub blk_we: u8,
    /// Byte lanes written: bit 0 the low byte, bit 1 the high byte.
    pub blk_wmask: u8,
    /// Node-store slots written: bit 0 the block-key slot, bit 1 the node-key slot.
    pub slot_we: u8,
}

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
