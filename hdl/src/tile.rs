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

/// A tile's wires to the rest of a build of several cores (docs/architecture.md §9): its
/// check with the coherence unit, its cache RAM, the shared node store and node allocator,
/// the core control, and the remote RAM port. A one-core top ties the inputs to 0.
#[derive(LogicInterface, Default)]
pub struct TileLinks {
    // the coherence unit (mem::coherence::TilePort)
    pub ask: Signal<Out, Bit>,
    pub need: Signal<Out, Bits<2>>,
    pub blk: Signal<Out, Bits<16>>,
    pub unlock: Signal<Out, Bit>,
    pub take: Signal<Out, Bit>,
    pub met: Signal<In, Bit>,
    pub line: Signal<In, Bits<3>>,
    pub alloc_ok: Signal<In, Bit>,
    pub alloc_idx: Signal<In, Bits<16>>,
    // the cache RAM (mem::system::CachePort)
    pub m_raddr: Signal<Out, Bits<16>>,
    pub m_rdata: Signal<In, Bits<16>>,
    pub m_we: Signal<Out, Bit>,
    pub m_wmask: Signal<Out, Bits<2>>,
    pub m_waddr: Signal<Out, Bits<16>>,
    pub m_wdata: Signal<Out, Bits<16>>,
    // the node store and node allocator (the node lock's holder drives them)
    pub n_raddr: Signal<Out, Bits<16>>,
    pub n_rdata_b: Signal<In, Bits<16>>,
    pub n_rdata_n: Signal<In, Bits<16>>,
    pub n_we_b: Signal<Out, Bit>,
    pub n_we_n: Signal<Out, Bit>,
    pub n_waddr: Signal<Out, Bits<16>>,
    pub n_wdata: Signal<Out, Bits<16>>,
    pub n_take: Signal<Out, Bit>,
    pub n_avail: Signal<In, Bit>,
    pub n_idx: Signal<In, Bits<16>>,
    // core control (mem::cores::CoreCtl)
    pub run: Signal<In, Bit>,
    pub start: Signal<In, Bit>,
    pub start_pc: Signal<In, Bits<12>>,
    pub running: Signal<In, Bits<8>>,
    /// In a key instruction's middle (not at an instruction boundary).
    pub mid: Signal<Out, Bit>,
    pub w_start: Signal<Out, Bit>,
    pub w_stop: Signal<Out, Bit>,
    pub w_target: Signal<Out, Bits<3>>,
    pub w_addr: Signal<Out, Bits<12>>,
    // the remote pointer (core 0's) and this tile's RAM while stopped
    pub rp: Signal<Out, Bits<16>>,
    pub rp_next: Signal<Out, Bits<16>>,
    pub rw_we: Signal<Out, Bit>,
    pub rw_target: Signal<Out, Bits<3>>,
    pub rw_addr: Signal<Out, Bits<12>>,
    pub rw_data: Signal<Out, Bits<16>>,
    pub remote_word: Signal<In, Bits<16>>,
    pub rr_addr: Signal<In, Bits<12>>,
    pub rin_we: Signal<In, Bit>,
    pub rin_addr: Signal<In, Bits<12>>,
    pub rin_data: Signal<In, Bits<16>>,
    /// The RAM's read data (a stopped core's: the word at `rr_addr` of the last edge).
    pub ram_rdata: Signal<Out, Bits<16>>,
}

#[derive(LogicBlock)]
pub struct Tile<const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high; the first cycle after it drops is the reboot cycle.
    pub reset: Signal<In, Bit>,
    /// The context whose cycle this clock computes (docs/architecture.md §11; 0 with K = 1).
    pub ctx: Signal<In, Bits<8>>,
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
    pub links: TileLinks,
    /// A start decided at this edge: context k's RAM reads `ram_start_pc` bits 12k.. if
    /// `ram_start` bit k is set (ram.rs; with one context, `links.start` and
    /// `links.start_pc` again).
    pub ram_start: Signal<In, Bits<8>>,
    pub ram_start_pc: Signal<In, Bits<64>>,
    /// Each context's RAM read data (a stopped core's serve core 0's remote pointer).
    pub ram_rdata: [Signal<Out, Bits<16>>; K],

    core: Core<K>,
    io: IoPorts<K>,
    key: KeyUnit<K>,
    zero16: Constant<Bits<16>>,
    /// The address bits above each context's RAM: a load there is not this core's (its
    /// RAM holds the image's first words only).
    load_hi: [Constant<Bits<12>>; K],
    no: [Constant<Bits<8>>; K],
    lhi: Signal<Local, Bits<12>>,
    zero12: Constant<Bits<12>>,
}

impl Tile {
    /// Core `core_id` (its io port `$4000` reads it) of `cores` with `image` in its RAM:
    /// 4096 words on core 0, `cfg.worker_ram` on the others (holding the image's first words).
    pub fn new(cfg: &HwConfig, image: &[u16], core_id: u16, cores: u16) -> Self {
        Tile::<1>::contexts(cfg, image, core_id, cores)
    }
}

impl<const K: usize> Tile<K> {
    /// `K` tiles on one circuit (docs/architecture.md §11): contexts of cores `core_id`
    /// up, otherwise as [`Tile::new`]. Either every core of a build (`cores == K`, the
    /// context top ctx_top.rs) or `K` one-core machines (`cores == 1`, for the tests: each
    /// context a J1a of its own, its key registers its own, their key unit's store one).
    pub fn contexts(cfg: &HwConfig, image: &[u16], core_id: u16, cores: u16) -> Self {
        assert!(
            K == 1 || cores == 1 || (core_id == 0 && K == cores as usize),
            "contexts are one-core machines, or every core of a build on one circuit"
        );
        let several = cores > 1;
        let words = |c: usize| {
            if core_id as usize + c == 0 {
                j1k_isa::RAM_WORDS
            } else {
                cfg.worker_ram
            }
        };
        let ram_words: Vec<usize> = (0..K).map(words).collect();
        Self {
            clock: Default::default(),
            reset: Default::default(),
            ctx: Default::default(),
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
            links: Default::default(),
            ram_start: Default::default(),
            ram_start_pc: Default::default(),
            ram_rdata: std::array::from_fn(|_| Default::default()),
            core: Core::contexts(image, &ram_words, cfg.key.is_some(), several),
            io: IoPorts::contexts(core_id, cores),
            key: KeyUnit::new(cfg.key.as_ref(), cfg.block_memory, several),
            zero16: crate::util::k(0),
            load_hi: std::array::from_fn(|c| crate::util::k(!(words(c) as u64 - 1) & 0xfff)),
            no: std::array::from_fn(|c| crate::util::k(c as u64)),
            lhi: Default::default(),
            zero12: crate::util::k(0),
        }
    }
}

impl<const K: usize> Logic for Tile<K> {
    #[hdl_gen]
    fn update(&mut self) {
        self.core.clock.next = self.clock.val();
        self.core.ctx.next = self.ctx.val();
        self.key.ctx.next = self.ctx.val();
        self.lhi.next = self.load_hi[0].val();
        for c in 0..K {
            if self.ctx.val() == self.no[c].val() {
                self.lhi.next = self.load_hi[c].val();
            }
        }
        self.io.clock.next = self.clock.val();
        self.io.ctx.next = self.ctx.val();
        self.key.clock.next = self.clock.val();
        self.core.reset.next = self.reset.val();
        self.core.load_we.next = self.load_we.val()
            && self.reset.val()
            && (self.load_addr.val() & self.lhi.val()) == self.zero12.val();
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

        // ---- several cores ----
        self.links.ask.next = self.key.c_ask.val();
        self.links.need.next = self.key.c_need.val();
        self.links.blk.next = self.key.c_blk.val();
        self.links.unlock.next = self.key.c_release.val();
        self.links.take.next = self.key.c_take.val();
        self.key.c_met.next = self.links.met.val();
        self.key.c_line.next = self.links.line.val();
        self.key.c_alloc_ok.next = self.links.alloc_ok.val();
        self.key.c_alloc_idx.next = self.links.alloc_idx.val();
        self.links.m_raddr.next = self.key.m_raddr.val();
        self.key.m_rdata.next = self.links.m_rdata.val();
        self.links.m_we.next = self.key.m_we.val();
        self.links.m_wmask.next = self.key.m_wmask.val();
        self.links.m_waddr.next = self.key.m_waddr.val();
        self.links.m_wdata.next = self.key.m_wdata.val();
        self.links.n_raddr.next = self.key.n_raddr.val();
        self.key.n_rdata_b.next = self.links.n_rdata_b.val();
        self.key.n_rdata_n.next = self.links.n_rdata_n.val();
        self.links.n_we_b.next = self.key.n_we_b.val();
        self.links.n_we_n.next = self.key.n_we_n.val();
        self.links.n_waddr.next = self.key.n_waddr.val();
        self.links.n_wdata.next = self.key.n_wdata.val();
        self.links.n_take.next = self.key.n_take.val();
        self.key.n_avail.next = self.links.n_avail.val();
        self.key.n_idx.next = self.links.n_idx.val();
        self.core.run.next = self.links.run.val();
        self.io.run.next = self.links.run.val();
        self.key.run.next = self.links.run.val();
        self.core.start.next = self.links.start.val();
        self.io.start.next = self.links.start.val();
        self.key.start.next = self.links.start.val();
        self.core.start_pc.next = self.links.start_pc.val();
        self.io.running.next = self.links.running.val();
        self.links.mid.next = self.key.hold.val();
        self.links.w_start.next = self.io.w_start.val();
        self.links.w_stop.next = self.io.w_stop.val();
        self.links.w_target.next = self.io.w_target.val();
        self.links.w_addr.next = self.io.w_addr.val();
        self.links.rp.next = self.io.rp.val();
        self.links.rp_next.next = self.io.rp_next.val();
        self.links.rw_we.next = self.io.rw_we.val();
        self.links.rw_target.next = self.io.rw_target.val();
        self.links.rw_addr.next = self.io.rw_addr.val();
        self.links.rw_data.next = self.io.rw_data.val();
        self.io.remote_word.next = self.links.remote_word.val();
        self.core.rr_addr.next = self.links.rr_addr.val();
        self.core.rw_we.next = self.links.rin_we.val();
        self.core.rw_addr.next = self.links.rin_addr.val();
        self.core.rw_data.next = self.links.rin_data.val();
        self.links.ram_rdata.next = self.core.insn.val();
        self.core.ram_start.next = self.ram_start.val();
        self.core.ram_start_pc.next = self.ram_start_pc.val();
        for c in 0..K {
            self.ram_rdata[c].next = self.core.ram_rdata[c].val();
        }
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
        let mut uut = Tile::new(&cfg, &[0x0000], 0, 1);
        uut.connect_all();
        validate("j1k_tile", &crate::util::verilog(&uut));
    }
}
