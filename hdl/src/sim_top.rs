//! The simulation top: one tile (core, io ports and, when built, the key unit),
//! with the UART taken from ports, and every piece of state the lockstep
//! comparison needs brought out. Its ports are the contract with the
//! Verilator harness (hdl/README.md lists them).

use crate::tile::Tile;
use crate::HwConfig;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct SimTop {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high; the first cycle after it drops is the reboot cycle (cycle 0).
    pub reset: Signal<In, Bit>,
    pub uart_rx_valid: Signal<In, Bit>,
    pub uart_rx_data: Signal<In, Bits<8>>,
    /// Image loading (hold `reset` meanwhile): write `load_data` to RAM word `load_addr`.
    pub load_we: Signal<In, Bit>,
    pub load_addr: Signal<In, Bits<12>>,
    pub load_data: Signal<In, Bits<16>>,

    pub pc: Signal<Out, Bits<13>>,
    pub insn: Signal<Out, Bits<16>>,
    pub t: Signal<Out, Bits<16>>,
    pub n: Signal<Out, Bits<16>>,
    pub r: Signal<Out, Bits<16>>,
    pub dsp: Signal<Out, Bits<4>>,
    pub rdepth: Signal<Out, Bits<5>>,
    pub reboot: Signal<Out, Bit>,
    pub ram_we: Signal<Out, Bit>,
    pub ram_waddr: Signal<Out, Bits<12>>,
    pub ram_wdata: Signal<Out, Bits<16>>,
    pub uart_tx_strobe: Signal<Out, Bit>,
    pub uart_tx_data: Signal<Out, Bits<8>>,
    pub uart_rx_strobe: Signal<Out, Bit>,
    pub uart_rx_look: Signal<Out, Bit>,
    pub leds: Signal<Out, Bits<5>>,
    pub halt: Signal<Out, Bit>,

    pub cur_b: Signal<Out, Bits<3>>,
    pub cur_n: Signal<Out, Bits<2>>,
    pub breg0: Signal<Out, Bits<16>>,
    pub breg1: Signal<Out, Bits<16>>,
    pub breg2: Signal<Out, Bits<16>>,
    pub breg3: Signal<Out, Bits<16>>,
    pub breg4: Signal<Out, Bits<16>>,
    pub breg5: Signal<Out, Bits<16>>,
    pub breg6: Signal<Out, Bits<16>>,
    pub breg7: Signal<Out, Bits<16>>,
    pub nreg0: Signal<Out, Bits<16>>,
    pub nreg1: Signal<Out, Bits<16>>,
    pub nreg2: Signal<Out, Bits<16>>,
    pub nreg3: Signal<Out, Bits<16>>,
    pub faults: Signal<Out, Bits<16>>,
    pub key_busy: Signal<Out, Bit>,
    pub blk_we: Signal<Out, Bit>,
    pub blk_wmask: Signal<Out, Bits<2>>,
    pub blk_waddr: Signal<Out, Bits<16>>,
    pub blk_wdata: Signal<Out, Bits<16>>,
    /// Node-store writes: bit 0 the block-key slot, bit 1 the node-key slot.
    pub slot_we: Signal<Out, Bits<2>>,
    pub slot_waddr: Signal<Out, Bits<16>>,
    pub slot_wdata: Signal<Out, Bits<16>>,

    tile: Tile,
    z3: Constant<Bits<3>>,
    z8: Constant<Bits<8>>,
    z12: Constant<Bits<12>>,
    z16: Constant<Bits<16>>,
}

impl SimTop {
    pub fn new(cfg: &HwConfig, image: &[u16]) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            uart_rx_valid: Default::default(),
            uart_rx_data: Default::default(),
            load_we: Default::default(),
            load_addr: Default::default(),
            load_data: Default::default(),
            pc: Default::default(),
            insn: Default::default(),
            t: Default::default(),
            n: Default::default(),
            r: Default::default(),
            dsp: Default::default(),
            rdepth: Default::default(),
            reboot: Default::default(),
            ram_we: Default::default(),
            ram_waddr: Default::default(),
            ram_wdata: Default::default(),
            uart_tx_strobe: Default::default(),
            uart_tx_data: Default::default(),
            uart_rx_strobe: Default::default(),
            uart_rx_look: Default::default(),
            leds: Default::default(),
            halt: Default::default(),
            cur_b: Default::default(),
            cur_n: Default::default(),
            breg0: Default::default(),
            breg1: Default::default(),
            breg2: Default::default(),
            breg3: Default::default(),
            breg4: Default::default(),
            breg5: Default::default(),
            breg6: Default::default(),
            breg7: Default::default(),
            nreg0: Default::default(),
            nreg1: Default::default(),
            nreg2: Default::default(),
            nreg3: Default::default(),
            faults: Default::default(),
            key_busy: Default::default(),
            blk_we: Default::default(),
            blk_wmask: Default::default(),
            blk_waddr: Default::default(),
            blk_wdata: Default::default(),
            slot_we: Default::default(),
            slot_waddr: Default::default(),
            slot_wdata: Default::default(),
            tile: Tile::new(cfg, image, 0, 1),
            z3: crate::util::k(0),
            z8: crate::util::k(0),
            z12: crate::util::k(0),
            z16: crate::util::k(0),
        }
    }
}

impl Logic for SimTop {
    #[hdl_gen]
    fn update(&mut self) {
        self.tile.clock.next = self.clock.val();
        self.tile.reset.next = self.reset.val();
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
        self.tile.links.running.next = self.z8.val();
        self.tile.links.remote_word.next = self.z16.val();
        self.tile.links.rr_addr.next = self.z12.val();
        self.tile.links.rin_we.next = false;
        self.tile.links.rin_addr.next = self.z12.val();
        self.tile.links.rin_data.next = self.z16.val();
        self.tile.load_we.next = self.load_we.val();
        self.tile.load_addr.next = self.load_addr.val();
        self.tile.load_data.next = self.load_data.val();
        self.tile.rx_valid.next = self.uart_rx_valid.val();
        self.tile.rx_data.next = self.uart_rx_data.val();
        // The simulated UART is always ready to send (docs/isa.md §5).
        self.tile.tx_ready.next = true;
        self.pc.next = self.tile.pc.val();
        self.insn.next = self.tile.insn.val();
        self.t.next = self.tile.t.val();
        self.n.next = self.tile.n.val();
        self.r.next = self.tile.r.val();
        self.dsp.next = self.tile.dsp.val();
        self.rdepth.next = self.tile.rdepth.val();
        self.reboot.next = self.tile.reboot.val();
        self.ram_we.next = self.tile.ram_we.val();
        self.ram_waddr.next = self.tile.ram_waddr.val();
        self.ram_wdata.next = self.tile.ram_wdata.val();
        self.uart_tx_strobe.next = self.tile.uart_tx_strobe.val();
        self.uart_tx_data.next = self.tile.uart_tx_data.val();
        self.uart_rx_strobe.next = self.tile.uart_rx_strobe.val();
        self.uart_rx_look.next = self.tile.uart_rx_look.val();
        self.leds.next = self.tile.leds.val();
        self.halt.next = self.tile.halt.val();
        self.cur_b.next = self.tile.cur_b.val();
        self.cur_n.next = self.tile.cur_n.val();
        self.breg0.next = self.tile.breg0.val();
        self.breg1.next = self.tile.breg1.val();
        self.breg2.next = self.tile.breg2.val();
        self.breg3.next = self.tile.breg3.val();
        self.breg4.next = self.tile.breg4.val();
        self.breg5.next = self.tile.breg5.val();
        self.breg6.next = self.tile.breg6.val();
        self.breg7.next = self.tile.breg7.val();
        self.nreg0.next = self.tile.nreg0.val();
        self.nreg1.next = self.tile.nreg1.val();
        self.nreg2.next = self.tile.nreg2.val();
        self.nreg3.next = self.tile.nreg3.val();
        self.faults.next = self.tile.faults.val();
        self.key_busy.next = self.tile.key_busy.val();
        self.blk_we.next = self.tile.blk_we.val();
        self.blk_wmask.next = self.tile.blk_wmask.val();
        self.blk_waddr.next = self.tile.blk_waddr.val();
        self.blk_wdata.next = self.tile.blk_wdata.val();
        self.slot_we.next = self.tile.slot_we.val();
        self.slot_waddr.next = self.tile.slot_waddr.val();
        self.slot_wdata.next = self.tile.slot_wdata.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    // The simulation top's cycle-by-cycle behaviour is tested against the Rust
    // simulator in tests/lockstep_base.rs and tests/lockstep_key.rs.
    #[test]
    fn sim_top_yosys_validate() {
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
        let mut uut = SimTop::new(&cfg, &[0x0000]);
        uut.connect_all();
        validate("j1k_sim_top", &crate::util::verilog(&uut));
    }
}
