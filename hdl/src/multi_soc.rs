//! The synthesizable SoC of several cores (exported as module `j1k_soc`, the same ports
//! as the one-core SoC: `clock`, `reset`, `uart_rx`, `uart_tx`, `leds[5]`): the N-core
//! cluster of multi_top.rs, core 0 on the real UART and driving the LEDs, and the
//! power-on reset (held long enough for the key registers' RAM, regs.rs).

use crate::multi_top::MultiTop;
use crate::uart::{divisor, UartRx, UartTx};
use crate::util::k;
use crate::HwConfig;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct MultiSoc<const N: usize, const L: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub uart_rx: Signal<In, Bit>,
    pub uart_tx: Signal<Out, Bit>,
    pub leds: Signal<Out, Bits<5>>,
    cluster: MultiTop<N, L>,
    utx: UartTx,
    urx: UartRx,
    /// Power-on reset: counts to 31 from the configured 0, reset held until then.
    por: DFF<Bits<5>>,
    por_done: Constant<Bits<5>>,
    one5: Constant<Bits<5>>,
    rst: Signal<Local, Bit>,
    z12: Constant<Bits<12>>,
    z16: Constant<Bits<16>>,
}

impl<const N: usize, const L: usize> MultiSoc<N, L> {
    /// Every core's RAM holds `image`; `cfg.key` must be set.
    pub fn new(cfg: &HwConfig, image: &[u16]) -> Self {
        let div = divisor(cfg.clock_hz, cfg.baud);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            leds: Default::default(),
            cluster: MultiTop::new(cfg, image),
            utx: UartTx::new(div),
            urx: UartRx::new(div),
            por: Default::default(),
            por_done: k(31),
            one5: k(1),
            rst: Default::default(),
            z12: k(0),
            z16: k(0),
        }
    }
}

impl<const N: usize, const L: usize> Logic for MultiSoc<N, L> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, por);
        self.rst.next = self.reset.val() || (self.por.q.val() != self.por_done.val());
        if self.por.q.val() != self.por_done.val() {
            self.por.d.next = self.por.q.val() + self.one5.val();
        }
        self.cluster.clock.next = self.clock.val();
        self.utx.clock.next = self.clock.val();
        self.urx.clock.next = self.clock.val();
        self.cluster.reset.next = self.rst.val();
        self.utx.reset.next = self.rst.val();
        self.urx.reset.next = self.rst.val();
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
    use crate::util::validate;

    // What it computes is checked at gate level against the simulator (tests/gate_level.rs).
    #[test]
    fn multi_soc_yosys_validate() {
        let cfg = HwConfig {
            key: Some(j1k_isa::KeyConfig {
                block_words: 16,
                node_slots: 4,
                blocks: 8,
                nodes: 4,
                ..Default::default()
            }),
            ..HwConfig::default()
        };
        let mut uut = MultiSoc::<2, 2>::new(&cfg, &[0x0000]);
        uut.connect_all();
        validate("j1k_multi_soc", &crate::util::verilog(&uut));
    }
}
