//! The synthesizable SoC a board shell instantiates (exported as module
//! `j1k_soc`): one tile (core, io ports, the key unit when built), a real UART,
//! and a power-on reset so that the FPGA starts as after `reset`. Ports:
//! `clock`, `reset` (synchronous, active high), `uart_tx`, `uart_rx` (pins),
//! `leds[5]`. No iCE40 primitives: the PLL and pins are the shell's.

use crate::tile::Tile;
use crate::uart::{divisor, UartRx, UartTx};
use crate::util::k;
use crate::HwConfig;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Soc {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub uart_rx: Signal<In, Bit>,
    pub uart_tx: Signal<Out, Bit>,
    pub leds: Signal<Out, Bits<5>>,
    tile: Tile,
    z3: Constant<Bits<3>>,
    z8: Constant<Bits<8>>,
    z12: Constant<Bits<12>>,
    z64: Constant<Bits<64>>,
    z16: Constant<Bits<16>>,
    utx: UartTx,
    urx: UartRx,
    /// Power-on reset: counts to 15 from the configured 0, reset held until then.
    por: DFF<Bits<4>>,
    por_done: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    rst: Signal<Local, Bit>,
    zero12: Constant<Bits<12>>,
    zero16: Constant<Bits<16>>,
}

impl Soc {
    pub fn new(cfg: &HwConfig, image: &[u16]) -> Self {
        let div = divisor(cfg.clock_hz, cfg.baud);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            leds: Default::default(),
            tile: Tile::new(cfg, image, 0, 1),
            z3: crate::util::k(0),
            z8: crate::util::k(0),
            z12: crate::util::k(0),
            z64: crate::util::k(0),
            z16: crate::util::k(0),
            utx: UartTx::new(div),
            urx: UartRx::new(div),
            por: Default::default(),
            por_done: k(15),
            one4: k(1),
            rst: Default::default(),
            zero12: k(0),
            zero16: k(0),
        }
    }
}

impl Logic for Soc {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, por);
        self.rst.next = self.reset.val() || (self.por.q.val() != self.por_done.val());
        // The image is in the bitstream: no load port on a board.
        self.tile.load_we.next = false;
        self.tile.load_addr.next = self.zero12.val();
        self.tile.load_data.next = self.zero16.val();
        if self.por.q.val() != self.por_done.val() {
            self.por.d.next = self.por.q.val() + self.one4.val();
        }
        self.tile.clock.next = self.clock.val();
        self.utx.clock.next = self.clock.val();
        self.urx.clock.next = self.clock.val();
        self.tile.reset.next = self.rst.val();
        self.tile.ctx.next = self.z8.val();
        // one core: no memory system, no core control (tile.rs)
        self.tile.links.met.next = false;
        self.tile.links.line.next = self.z3.val();
        self.tile.links.alloc_ok.next = false;
        self.tile.links.alloc_idx.next = self.z16.val();
        self.tile.links.m_rdata.next = self.z16.val();
        self.tile.links.n_rdata_b.next = self.z16.val();
        self.tile.links.n_rdata_n.next = self.z16.val();
        self.tile.links.n_avail.next = false;
        self.tile.links.n_idx.next = self.z16.val();
        self.tile.links.run.next = true;
        self.tile.links.start.next = false;
        self.tile.links.start_pc.next = self.z12.val();
        self.tile.ram_start.next = self.z8.val();
        self.tile.ram_start_pc.next = self.z64.val();
        self.tile.links.running.next = self.z8.val();
        self.tile.links.remote_word.next = self.z16.val();
        self.tile.links.rr_addr.next = self.z12.val();
        self.tile.links.rin_we.next = false;
        self.tile.links.rin_addr.next = self.z12.val();
        self.tile.links.rin_data.next = self.z16.val();
        self.utx.reset.next = self.rst.val();
        self.urx.reset.next = self.rst.val();

        self.tile.rx_valid.next = self.urx.valid.val();
        self.tile.rx_data.next = self.urx.data.val();
        self.tile.tx_ready.next = self.utx.ready.val();
        self.utx.send.next = self.tile.uart_tx_strobe.val();
        self.utx.data.next = self.tile.uart_tx_data.val();
        self.urx.rx.next = self.uart_rx.val();
        self.urx.take.next = self.tile.uart_rx_strobe.val();
        self.uart_tx.next = self.utx.tx.val();
        self.leds.next = self.tile.leds.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    fn image() -> Vec<u16> {
        let src = "include lib/io.fs\n: main init [char] H emit key 1+ emit halt ;\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/soc_test.fs");
        j1k_asm::assemble_str(path, src).unwrap().words
    }

    /// The whole SoC at 4 clocks per bit: it sends 'H', then echoes a byte sent to it plus one.
    #[test]
    fn soc_echo_simulates() {
        let cfg = HwConfig {
            key: None,
            block_memory: Default::default(),
            clock_hz: 4,
            baud: 1,
            ..HwConfig::default()
        };
        let mut uut = Soc::new(&cfg, &image());
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Soc>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Soc>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            // RX: 'a' (0x61) as 8N1 at 4 cycles a bit, starting at cycle 100
            let mut line = vec![true; 100];
            let frame: Vec<bool> = std::iter::once(false)
                .chain((0..8).map(|i| (0x61u8 >> i) & 1 == 1))
                .chain(std::iter::once(true))
                .collect();
            for b in frame {
                line.extend([b; 4]);
            }
            let (mut got, mut shift, mut bit, mut count) = (Vec::new(), 0u16, -1i32, 0);
            for cycle in 0..2000usize {
                x.uart_rx.next = *line.get(cycle).unwrap_or(&true);
                wait_clock_cycle!(sim, clock, x);
                let tx = x.uart_tx.val();
                // decode TX: a falling edge starts a frame; sample mid-bit
                if bit < 0 {
                    if !tx {
                        bit = 0;
                        count = 2;
                    }
                } else {
                    count -= 1;
                    if count == 0 {
                        count = 4;
                        if (1..=8).contains(&bit) {
                            shift |= (tx as u16) << (bit - 1);
                        }
                        if bit == 9 {
                            sim_assert!(sim, tx, x);
                            got.push(shift as u8);
                            shift = 0;
                            bit = -1;
                            continue;
                        }
                        bit += 1;
                    }
                }
                if got.len() == 2 {
                    break;
                }
            }
            sim_assert_eq!(sim, got, b"Hb".to_vec(), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn soc_yosys_validate() {
        let cfg = HwConfig {
            key: Some(j1k_isa::KeyConfig {
                block_words: 16,
                node_slots: 4,
                blocks: 4,
                nodes: 4,
                ..Default::default()
            }),
            ..HwConfig::default()
        };
        let mut uut = Soc::new(&cfg, &image());
        uut.connect_all();
        validate("j1k_soc", &crate::util::verilog(&uut));
    }
}
