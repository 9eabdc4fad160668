//! A tile: one core, its io ports and (when built) its key unit — the block that the
//! simulation top and the board SoC both instantiate, so that the two cannot drift
//! (docs/architecture.md §9). The UART is outside: the simulation top takes it from
//! ports, the SoC from its UART blocks. Every piece of state the lockstep compares is an
//! output; a board build leaves those unconnected and yosys drops what only they use.

use crate::core::Core;
use crate::io::IoPorts;
use crate::key::KeyUnit;
use crate::HwConfig;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Tile {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high; the first cycle after it drops is the reboot cycle.
    pub reset: Signal<In, Bit>,
    /// Image loading (hold `reset` meanwhile): write `load_data` to RAM word `load_addr`.
    pub load_we: Signal<In, Bit>,
    pub load_addr: Signal<In, Bits<12>>,
    pub load_data: Signal<In, Bits<16>>,
    // The UART, as the io ports see it.
    pub rx_valid: Signal<In, Bit>,
    pub rx_data: Signal<In, Bits<8>>,
    pub tx_ready: Signal<In, Bit>,

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

    core: Core,
    io: IoPorts,
    key: KeyUnit,
    zero16: Constant<Bits<16>>,
}

impl Tile {
    /// Core `core_id` (its io port `$4000` reads it) with `image` in its RAM.
    pub fn new(cfg: &HwConfig, image: &[u16], core_id: u16) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            load_we: Default::default(),
            load_addr: Default::default(),
            load_data: Default::default(),
            rx_valid: Default::default(),
            rx_data: Default::default(),
            tx_ready: Default::default(),
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
            core: Core::new(image, cfg.key.is_some()),
            io: IoPorts::new(core_id),
            key: KeyUnit::new(cfg.key.as_ref(), cfg.block_memory),
            zero16: crate::util::k(0),
        }
    }
}

impl Logic for Tile {
    #[hdl_gen]
    fn update(&mut self) {
        self.core.clock.next = self.clock.val();
        self.io.clock.next = self.clock.val();
        self.key.clock.next = self.clock.val();
        self.core.reset.next = self.reset.val();
        self.core.load_we.next = self.load_we.val() && self.reset.val();
        self.core.load_addr.next = self.load_addr.val();
        self.core.load_data.next = self.load_data.val();
        self.io.reset.next = self.reset.val();
        self.key.reset.next = self.reset.val();

        // core <-> io
        self.io.io_rd.next = self.core.io_rd.val();
        self.io.io_wr.next = self.core.io_wr.val();
        self.io.t.next = self.core.t.val();
        self.io.n.next = self.core.n.val();
        self.io.alu_io_read.next = self.core.alu_io_read.val();
        self.io.rx_valid.next = self.rx_valid.val();
        self.io.rx_data.next = self.rx_data.val();
        self.io.tx_ready.next = self.tx_ready.val();
        self.core.io_din.next = self.io.din.val();
        self.core.unlocked.next = self.io.unlocked.val();

        // core <-> key unit
        self.key.pc.next = self.core.pc_full.val();
        self.key.insn.next = self.core.insn.val();
        self.key.t.next = self.core.t.val();
        self.key.n.next = self.core.n.val();
        self.core.k_hold.next = self.key.hold.val();
        self.core.k_push.next = self.key.push.val();
        self.core.k_pop.next = self.key.pop.val();
        self.core.k_move.next = self.key.moves.val();
        self.core.k_tload.next = self.key.tload.val();
        self.core.k_tval.next = self.key.tval.val();

        self.pc.next = self.core.pc.val();
        // the lockstep's insn is 0 in the reboot cycle (the core's is the RAM's read data)
        self.insn.next = self.core.insn.val();
        if self.core.reboot.val() {
            self.insn.next = self.zero16.val();
        }
        self.t.next = self.core.t.val();
        self.n.next = self.core.n.val();
        self.r.next = self.core.r.val();
        self.dsp.next = self.core.dsp.val();
        self.rdepth.next = self.core.rdepth.val();
        self.reboot.next = self.core.reboot.val();
        self.ram_we.next = self.core.ram_we.val();
        self.ram_waddr.next = self.core.ram_waddr.val();
        self.ram_wdata.next = self.core.ram_wdata.val();
        self.uart_tx_strobe.next = self.io.tx_strobe.val();
        self.uart_tx_data.next = self.io.tx_data.val();
        self.uart_rx_strobe.next = self.io.rx_strobe.val();
        self.uart_rx_look.next = self.io.rx_look.val();
        self.leds.next = self.io.leds.val();
        self.halt.next = self.core.halt.val();

        self.cur_b.next = self.key.cur_b.val();
        self.cur_n.next = self.key.cur_n.val();
        self.breg0.next = self.key.breg0.val();
        self.breg1.next = self.key.breg1.val();
        self.breg2.next = self.key.breg2.val();
        self.breg3.next = self.key.breg3.val();
        self.breg4.next = self.key.breg4.val();
        self.breg5.next = self.key.breg5.val();
        self.breg6.next = self.key.breg6.val();
        self.breg7.next = self.key.breg7.val();
        self.nreg0.next = self.key.nreg0.val();
        self.nreg1.next = self.key.nreg1.val();
        self.nreg2.next = self.key.nreg2.val();
        self.nreg3.next = self.key.nreg3.val();
        self.faults.next = self.key.faults.val();
        self.key_busy.next = self.key.busy.val();
        self.blk_we.next = self.key.blk_we.val();
        self.blk_wmask.next = self.key.blk_wmask.val();
        self.blk_waddr.next = self.key.blk_waddr.val();
        self.blk_wdata.next = self.key.blk_wdata.val();
        self.slot_we.next = self.key.slot_we.val();
        self.slot_waddr.next = self.key.slot_waddr.val();
        self.slot_wdata.next = self.key.slot_wdata.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    // The tile's cycle-by-cycle behaviour is tested through the simulation top against
    // the Rust simulator (tests/lockstep_*.rs) and through the SoC at gate level.
    #[test]
    fn tile_yosys_validate() {
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
        let mut uut = Tile::new(&cfg, &[0x0000], 0);
        uut.connect_all();
        validate("j1k_tile", &crate::util::verilog(&uut));
    }
}
