//! The synthesizable SoC of N cores as the N contexts of one tile circuit (exported as
//! module `j1k_soc`, the ports of the other SoCs: `clock`, `reset`, `uart_rx`, `uart_tx`,
//! `leds[5]`): the context top of ctx_top.rs, core 0 on the real UART and driving the LEDs,
//! and the power-on reset. The UART runs at the clock (its divisor counts clocks); core 0
//! meets it in its phase: a byte sent or taken there is one strobe. Reset is released only
//! at a round edge, so that every context's reboot cycle falls in the same round, as the
//! simulator's cores share their cycle 0 (docs/architecture.md §11.4).

use crate::ctx_top::CtxTop;
use crate::uart::{divisor, UartRx, UartTx};
use crate::util::k;
use crate::HwConfig;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct CtxSoc<const N: usize, const L: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub uart_rx: Signal<In, Bit>,
    pub uart_tx: Signal<Out, Bit>,
    pub leds: Signal<Out, Bits<5>>,
    cluster: CtxTop<N, L>,
    utx: UartTx,
    urx: UartRx,
    /// Power-on reset: counts to 255 from the configured 0 (more than 32 rounds: the stack
    /// RAMs' clearing), reset held until then.
    por: DFF<Bits<8>>,
    por_done: Constant<Bits<8>>,
    one8: Constant<Bits<8>>,
    last: Constant<Bits<8>>,
    /// The reset the cluster sees: taken at round edges only.
    rst: DFF<Bit>,
    z12: Constant<Bits<12>>,
    z16: Constant<Bits<16>>,
}

impl<const N: usize, const L: usize> CtxSoc<N, L> {
    /// Every core's RAM holds `image`; `cfg.key` must be set.
    pub fn new(cfg: &HwConfig, image: &[u16]) -> Self {
        let div = divisor(cfg.clock_hz, cfg.baud);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            leds: Default::default(),
            cluster: CtxTop::new(cfg, image),
            utx: UartTx::new(div),
            urx: UartRx::new(div),
            por: Default::default(),
            por_done: k(255),
            one8: k(1),
            last: k(N as u64 - 1),
            rst: Default::default(),
            z12: k(0),
            z16: k(0),
        }
    }
}

impl<const N: usize, const L: usize> Logic for CtxSoc<N, L> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, por, rst);
        if self.por.q.val() != self.por_done.val() {
            self.por.d.next = self.por.q.val() + self.one8.val();
        }
        // (so the count, then the button, hold it until a round edge)
        if self.cluster.ctx.val() == self.last.val() {
            self.rst.d.next = self.reset.val() || (self.por.q.val() != self.por_done.val());
        }
        self.cluster.clock.next = self.clock.val();
        self.utx.clock.next = self.clock.val();
        self.urx.clock.next = self.clock.val();
        self.cluster.reset.next = self.rst.q.val() || (self.por.q.val() != self.por_done.val());
        self.utx.reset.next = self.rst.q.val();
        self.urx.reset.next = self.rst.q.val();
        // The image is in the bitstream: no load port on a board.
        self.cluster.load_we.next = false;
        self.cluster.load_addr.next = self.z12.val();
        self.cluster.load_data.next = self.z16.val();
        self.cluster.uart_rx_valid.next = self.urx.valid.val();
        self.cluster.uart_rx_data.next = self.urx.data.val();
        self.cluster.uart_tx_ready.next = self.utx.ready.val();
        self.utx.send.next = self.cluster.uart_tx_strobe.val();
        self.utx.data.next = self.cluster.uart_tx_data.val();
        self.urx.rx.next = self.uart_rx.val();
        self.urx.take.next = self.cluster.uart_rx_strobe.val();
        self.uart_tx.next = self.utx.tx.val();
        self.leds.next = self.cluster.leds.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::{ice40_size, validate_ice40};

    fn cfg() -> HwConfig {
        HwConfig {
            key: Some(j1k_isa::KeyConfig {
                block_words: 128,
                node_slots: 32,
                blocks: 8,
                nodes: 8,
                ..Default::default()
            }),
            worker_ram: 256,
            ..HwConfig::default()
        }
    }

    /// yosys `synth_ice40` of four contexts at the HX8K's sizes (docs/architecture.md §11.6):
    /// it maps cleanly, and the figures are printed (`-- --nocapture`).
    #[test]
    fn ctx_soc_synthesizes_for_the_ice40() {
        let mut uut = CtxSoc::<4, 2>::new(&cfg(), &[0x0000]);
        uut.connect_all();
        let cells = validate_ice40("ctx_soc", "top", &crate::util::verilog(&uut));
        eprintln!("4 contexts, 2 lines: {}", ice40_size(&cells));
    }
}
