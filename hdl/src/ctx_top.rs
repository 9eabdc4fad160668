//! The simulation top of a build whose N cores are the N contexts of one tile circuit
//! (docs/architecture.md §11): a clock computes one core's cycle, a round of N clocks is
//! one machine cycle. Around the tile circuit: the memory system and the core control,
//! which step once a round at the round edge (the end of phase N − 1); the port registers
//! that keep what each context presents to them from its phase to that edge (§11.1); the
//! restart registers that apply a start in the target's next phase (§11.4); the node store
//! and node allocator, driven by the node lock's holder in its phase; and core 0's remote
//! pointer into the stopped cores' RAMs. The UART is core 0's, taken from ports.
//!
//! The phase runs free from configuration (0 at the first clock), reset or not, so a
//! harness knows it by counting clocks; the outputs are the current context's.

use crate::cores::CoreCtl;
use crate::key::alloc::Allocator;
use crate::key::node_store::NodeStore;
use crate::mem::system::MemSystem;
use crate::step_reg::StepReg;
use crate::tile::Tile;
use crate::util::{k, NextCtx, Zext};
use crate::HwConfig;
use j1k_isa::ROOT_NODE;
use rust_hdl::prelude::*;

/// What one context presents to the shared logic in its phase, kept to the round edge.
#[derive(LogicBlock, Default)]
pub struct PortRegs {
    pub clock: Signal<In, Clock>,
    /// This context's phase: the registers take the live values.
    pub en: Signal<In, Bit>,
    pub ask: Signal<In, Bit>,
    pub need: Signal<In, Bits<2>>,
    pub blk: Signal<In, Bits<16>>,
    pub unlock: Signal<In, Bit>,
    pub take: Signal<In, Bit>,
    pub w_start: Signal<In, Bit>,
    pub w_stop: Signal<In, Bit>,
    pub w_target: Signal<In, Bits<3>>,
    pub w_addr: Signal<In, Bits<12>>,
    pub mid: Signal<In, Bit>,
    /// The values of this round: live in the phase, kept after it.
    pub o_ask: Signal<Out, Bit>,
    pub o_need: Signal<Out, Bits<2>>,
    pub o_blk: Signal<Out, Bits<16>>,
    pub o_unlock: Signal<Out, Bit>,
    pub o_take: Signal<Out, Bit>,
    pub o_w_start: Signal<Out, Bit>,
    pub o_w_stop: Signal<Out, Bit>,
    pub o_w_target: Signal<Out, Bits<3>>,
    pub o_w_addr: Signal<Out, Bits<12>>,
    pub o_mid: Signal<Out, Bit>,
    r_ask: StepReg<Bit>,
    r_need: StepReg<Bits<2>>,
    r_blk: StepReg<Bits<16>>,
    r_unlock: StepReg<Bit>,
    r_take: StepReg<Bit>,
    r_w_start: StepReg<Bit>,
    r_w_stop: StepReg<Bit>,
    r_w_target: StepReg<Bits<3>>,
    r_w_addr: StepReg<Bits<12>>,
    r_mid: StepReg<Bit>,
}

impl Logic for PortRegs {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, r_ask, r_need, r_blk, r_unlock, r_take, r_w_start, r_w_stop, r_w_target,
            r_w_addr, r_mid
        );
        self.r_ask.en.next = self.en.val();
        self.r_need.en.next = self.en.val();
        self.r_blk.en.next = self.en.val();
        self.r_unlock.en.next = self.en.val();
        self.r_take.en.next = self.en.val();
        self.r_w_start.en.next = self.en.val();
        self.r_w_stop.en.next = self.en.val();
        self.r_w_target.en.next = self.en.val();
        self.r_w_addr.en.next = self.en.val();
        self.r_mid.en.next = self.en.val();
        self.r_ask.d.next = self.ask.val();
        self.r_need.d.next = self.need.val();
        self.r_blk.d.next = self.blk.val();
        self.r_unlock.d.next = self.unlock.val();
        self.r_take.d.next = self.take.val();
        self.r_w_start.d.next = self.w_start.val();
        self.r_w_stop.d.next = self.w_stop.val();
        self.r_w_target.d.next = self.w_target.val();
        self.r_w_addr.d.next = self.w_addr.val();
        self.r_mid.d.next = self.mid.val();
        self.o_ask.next = self.r_ask.q.val();
        self.o_need.next = self.r_need.q.val();
        self.o_blk.next = self.r_blk.q.val();
        self.o_unlock.next = self.r_unlock.q.val();
        self.o_take.next = self.r_take.q.val();
        self.o_w_start.next = self.r_w_start.q.val();
        self.o_w_stop.next = self.r_w_stop.q.val();
        self.o_w_target.next = self.r_w_target.q.val();
        self.o_w_addr.next = self.r_w_addr.q.val();
        self.o_mid.next = self.r_mid.q.val();
        if self.en.val() {
            self.o_ask.next = self.ask.val();
            self.o_need.next = self.need.val();
            self.o_blk.next = self.blk.val();
            self.o_unlock.next = self.unlock.val();
            self.o_take.next = self.take.val();
            self.o_w_start.next = self.w_start.val();
            self.o_w_stop.next = self.w_stop.val();
            self.o_w_target.next = self.w_target.val();
            self.o_w_addr.next = self.w_addr.val();
            self.o_mid.next = self.mid.val();
        }
    }
}

#[derive(LogicBlock)]
pub struct CtxTop<const N: usize, const L: usize> {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high (hold it 32 rounds: the stack RAMs are cleared).
    pub reset: Signal<In, Bit>,
    pub uart_rx_valid: Signal<In, Bit>,
    pub uart_rx_data: Signal<In, Bits<8>>,
    /// The transmitter takes a byte (the simulated UART: always).
    pub uart_tx_ready: Signal<In, Bit>,
    /// Image loading (hold `reset` meanwhile, each word for a round): every core's RAM word
    /// `load_addr`, each in its phase.
    pub load_we: Signal<In, Bit>,
    pub load_addr: Signal<In, Bits<12>>,
    pub load_data: Signal<In, Bits<16>>,
    /// Core 0's UART strobes, in its phase.
    pub uart_tx_strobe: Signal<Out, Bit>,
    pub uart_tx_data: Signal<Out, Bits<8>>,
    pub uart_rx_strobe: Signal<Out, Bit>,
    pub uart_rx_look: Signal<Out, Bit>,
    /// Core 0's LEDs (kept for the round).
    pub leds: Signal<Out, Bits<5>>,
    /// The context of this clock.
    pub ctx: Signal<Out, Bits<8>>,
    pub tile: Tile<N>,
    pub mem: MemSystem<N, L>,
    pub ctl: CoreCtl<N>,
    pub nodes: NodeStore,
    nalloc: Allocator,
    ports: [PortRegs; N],
    /// A start decided at the last round edge, applied in the target's phase (§11.4).
    rs: [StepReg<Bit>; N],
    rs_pc: [StepReg<Bits<12>>; N],
    /// Core 0's remote pointer and write of this round, kept from the end of phase 0.
    r_next: StepReg<Bits<16>>,
    r_we: StepReg<Bit>,
    r_target: StepReg<Bits<3>>,
    r_addr: StepReg<Bits<12>>,
    r_data: StepReg<Bits<16>>,
    leds_r: StepReg<Bits<5>>,
    phase: DFF<Bits<8>>,
    next_phase: NextCtx<N>,
    /// Context numbers; `before[t]` is t − 1.
    no: [Constant<Bits<8>>; N],
    before: [Constant<Bits<8>>; N],
    tno: [Constant<Bits<3>>; N],
    last: Constant<Bits<8>>,
    z16: Constant<Bits<16>>,
    z8: Constant<Bits<8>>,
    z64: Constant<Bits<64>>,
    bit: [Constant<Bits<8>>; N],
    sh12: [Constant<Bits<64>>; N],
    spz: [Zext<12, 64>; N],
    /// The starts decided at this edge and their addresses, as the RAM takes them.
    sbus: Signal<Local, Bits<8>>,
    abus: Signal<Local, Bits<64>>,
    is_first: Signal<Local, Bit>,
    is_last: Signal<Local, Bit>,
    /// The node lock's holder is this clock's context.
    holder: Signal<Local, Bit>,
    /// Core 0's remote pointer and write as the stopped cores' RAMs see them.
    rr_next: Signal<Local, Bits<16>>,
    rr_we: Signal<Local, Bit>,
    rr_target: Signal<Local, Bits<3>>,
    rr_addr: Signal<Local, Bits<12>>,
    rr_data: Signal<Local, Bits<16>>,
    rword: Signal<Local, Bits<16>>,
}

impl<const N: usize, const L: usize> CtxTop<N, L> {
    /// Every core's RAM holds `image`. `cfg.key` must be set (several cores share blocks).
    pub fn new(cfg: &HwConfig, image: &[u16]) -> Self {
        Self::with_fault(cfg, image, None)
    }

    /// As [`new`](Self::new), with tile `skip_invalidation`'s lines ignoring invalidations
    /// (a deliberately broken unit, for the test that shows the lockstep catches it).
    pub fn with_fault(cfg: &HwConfig, image: &[u16], skip_invalidation: Option<usize>) -> Self {
        let kc = cfg.key.expect("several cores need the key unit");
        let slots = kc.nodes as usize * kc.node_slots as usize;
        Self {
            clock: Default::default(),
            reset: Default::default(),
            uart_rx_valid: Default::default(),
            uart_rx_data: Default::default(),
            uart_tx_ready: Default::default(),
            load_we: Default::default(),
            load_addr: Default::default(),
            load_data: Default::default(),
            uart_tx_strobe: Default::default(),
            uart_tx_data: Default::default(),
            uart_rx_strobe: Default::default(),
            uart_rx_look: Default::default(),
            leds: Default::default(),
            ctx: Default::default(),
            tile: Tile::contexts(cfg, image, 0, N as u16),
            mem: MemSystem::new(kc.block_words, kc.blocks, skip_invalidation),
            ctl: Default::default(),
            nodes: NodeStore::new(slots),
            nalloc: Allocator::new(ROOT_NODE + 1, kc.nodes),
            ports: std::array::from_fn(|_| Default::default()),
            rs: std::array::from_fn(|_| Default::default()),
            rs_pc: std::array::from_fn(|_| Default::default()),
            r_next: Default::default(),
            r_we: Default::default(),
            r_target: Default::default(),
            r_addr: Default::default(),
            r_data: Default::default(),
            leds_r: Default::default(),
            phase: Default::default(),
            next_phase: Default::default(),
            no: std::array::from_fn(|t| k(t as u64)),
            before: std::array::from_fn(|t| k(((t + N - 1) % N) as u64)),
            tno: std::array::from_fn(|t| k(t as u64)),
            last: k(N as u64 - 1),
            z16: k(0),
            z8: k(0),
            z64: k(0),
            bit: std::array::from_fn(|t| k(1 << t)),
            sh12: std::array::from_fn(|t| k(12 * t as u64)),
            spz: std::array::from_fn(|_| Default::default()),
            sbus: Default::default(),
            abus: Default::default(),
            is_first: Default::default(),
            is_last: Default::default(),
            holder: Default::default(),
            rr_next: Default::default(),
            rr_we: Default::default(),
            rr_target: Default::default(),
            rr_addr: Default::default(),
            rr_data: Default::default(),
            rword: Default::default(),
        }
    }
}

impl<const N: usize, const L: usize> Logic for CtxTop<N, L> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, phase, r_next, r_we, r_target, r_addr, r_data, leds_r);
        self.next_phase.ctx.next = self.phase.q.val();
        self.phase.d.next = self.next_phase.y.val();
        self.ctx.next = self.phase.q.val();
        self.is_first.next = self.phase.q.val() == self.no[0].val();
        self.is_last.next = self.phase.q.val() == self.last.val();

        self.tile.clock.next = self.clock.val();
        self.tile.reset.next = self.reset.val();
        self.tile.ctx.next = self.phase.q.val();
        self.tile.load_we.next = self.load_we.val();
        self.tile.load_addr.next = self.load_addr.val();
        self.tile.load_data.next = self.load_data.val();
        self.mem.clock.next = self.clock.val();
        self.mem.reset.next = self.reset.val();
        self.mem.step.next = self.is_last.val();
        self.mem.first.next = self.is_first.val();
        self.ctl.clock.next = self.clock.val();
        self.ctl.reset.next = self.reset.val();
        self.ctl.step.next = self.is_last.val();
        self.nodes.clock.next = self.clock.val();
        self.nalloc.clock.next = self.clock.val();
        self.nalloc.reset.next = self.reset.val();
        // (it changes only when taken, and only the holder takes, in its phase)
        self.nalloc.step.next = true;

        // the UART is core 0's
        self.tile.rx_valid.next = self.uart_rx_valid.val() && self.is_first.val();
        self.tile.rx_data.next = self.uart_rx_data.val();
        self.tile.tx_ready.next = self.uart_tx_ready.val() && self.is_first.val();
        self.uart_tx_strobe.next = self.tile.uart_tx_strobe.val() && self.is_first.val();
        self.uart_tx_data.next = self.tile.uart_tx_data.val();
        self.uart_rx_strobe.next = self.tile.uart_rx_strobe.val() && self.is_first.val();
        self.uart_rx_look.next = self.tile.uart_rx_look.val() && self.is_first.val();
        self.leds_r.en.next = self.is_first.val();
        self.leds_r.d.next = self.tile.leds.val();
        self.leds.next = self.leds_r.q.val();

        // core 0's remote pointer: live in phase 0, kept for the other phases
        self.r_next.en.next = self.is_first.val();
        self.r_we.en.next = self.is_first.val();
        self.r_target.en.next = self.is_first.val();
        self.r_addr.en.next = self.is_first.val();
        self.r_data.en.next = self.is_first.val();
        self.r_next.d.next = self.tile.links.rp_next.val();
        self.r_we.d.next = self.tile.links.rw_we.val();
        self.r_target.d.next = self.tile.links.rw_target.val();
        self.r_addr.d.next = self.tile.links.rw_addr.val();
        self.r_data.d.next = self.tile.links.rw_data.val();
        self.rr_next.next = self.r_next.q.val();
        self.rr_we.next = self.r_we.q.val();
        self.rr_target.next = self.r_target.q.val();
        self.rr_addr.next = self.r_addr.q.val();
        self.rr_data.next = self.r_data.q.val();
        if self.is_first.val() {
            self.rr_next.next = self.tile.links.rp_next.val();
            self.rr_we.next = self.tile.links.rw_we.val();
            self.rr_target.next = self.tile.links.rw_target.val();
            self.rr_addr.next = self.tile.links.rw_addr.val();
            self.rr_data.next = self.tile.links.rw_data.val();
        }
        self.tile.links.rr_addr.next = self.rr_next.val().get_bits::<12>(0);
        self.tile.links.rin_addr.next = self.rr_addr.val();
        self.tile.links.rin_data.next = self.rr_data.val();
        self.tile.links.rin_we.next = false;
        self.rword.next = self.z16.val();

        // the current context's answers; a start entering with the next clock's context
        self.tile.links.met.next = false;
        self.tile.links.line.next = self.mem.port[0].line.val();
        self.tile.links.alloc_ok.next = false;
        self.tile.links.alloc_idx.next = self.mem.port[0].alloc_idx.val();
        self.tile.links.m_rdata.next = self.mem.cache[0].rdata.val();
        self.tile.links.run.next = false;
        self.tile.links.start.next = false;
        self.tile.links.start_pc.next = self.ctl.start_pc[0].val();
        self.tile.links.running.next = self.ctl.running.val();
        self.holder.next = false;
        self.sbus.next = self.z8.val();
        self.abus.next = self.z64.val();
        for t in 0..N {
            self.ports[t].clock.next = self.clock.val();
            self.ports[t].en.next = self.phase.q.val() == self.no[t].val();
            self.ports[t].ask.next = self.tile.links.ask.val();
            self.ports[t].need.next = self.tile.links.need.val();
            self.ports[t].blk.next = self.tile.links.blk.val();
            self.ports[t].unlock.next = self.tile.links.unlock.val();
            self.ports[t].take.next = self.tile.links.take.val();
            self.ports[t].w_start.next = self.tile.links.w_start.val();
            self.ports[t].w_stop.next = self.tile.links.w_stop.val();
            self.ports[t].w_target.next = self.tile.links.w_target.val();
            self.ports[t].w_addr.next = self.tile.links.w_addr.val();
            self.ports[t].mid.next = self.tile.links.mid.val();
            self.mem.phase[t].next = self.phase.q.val() == self.no[t].val();
            self.mem.port[t].ask.next = self.ports[t].o_ask.val();
            self.mem.port[t].need.next = self.ports[t].o_need.val();
            self.mem.port[t].blk.next = self.ports[t].o_blk.val();
            self.mem.port[t].unlock.next = self.ports[t].o_unlock.val();
            self.mem.port[t].take.next = self.ports[t].o_take.val();
            self.ctl.w_start[t].next = self.ports[t].o_w_start.val();
            self.ctl.w_stop[t].next = self.ports[t].o_w_stop.val();
            self.ctl.w_target[t].next = self.ports[t].o_w_target.val();
            self.ctl.w_addr[t].next = self.ports[t].o_w_addr.val();
            self.ctl.mid[t].next = self.ports[t].o_mid.val();
            // every cache RAM sees the circuit's wires; it takes them in its phase
            self.mem.cache[t].raddr.next = self.tile.links.m_raddr.val();
            self.mem.cache[t].we.next = self.tile.links.m_we.val();
            self.mem.cache[t].wmask.next = self.tile.links.m_wmask.val();
            self.mem.cache[t].waddr.next = self.tile.links.m_waddr.val();
            self.mem.cache[t].wdata.next = self.tile.links.m_wdata.val();
            // starts: registered at the round edge; the RAM reads the start word then
            self.rs[t].clock.next = self.clock.val();
            self.rs_pc[t].clock.next = self.clock.val();
            self.rs[t].en.next = self.is_last.val();
            self.rs_pc[t].en.next = self.is_last.val();
            self.rs[t].d.next = self.ctl.start[t].val();
            self.rs_pc[t].d.next = self.ctl.start_pc[t].val();
            if self.ctl.start[t].val() && self.is_last.val() {
                self.sbus.next = self.sbus.val() | self.bit[t].val();
            }
            self.spz[t].a.next = self.ctl.start_pc[t].val();
            self.abus.next = self.abus.val() | (self.spz[t].y.val() << self.sh12[t].val());
            if self.phase.q.val() == self.no[t].val() {
                self.tile.links.met.next = self.mem.port[t].met.val();
                self.tile.links.line.next = self.mem.port[t].line.val();
                self.tile.links.alloc_ok.next = self.mem.port[t].alloc_ok.val();
                self.tile.links.alloc_idx.next = self.mem.port[t].alloc_idx.val();
                self.tile.links.m_rdata.next = self.mem.cache[t].rdata.val();
                self.tile.links.run.next = self.ctl.run[t].val();
                self.holder.next = self.mem.locked[t].val();
                // a stopped core's RAM takes core 0's remote write
                self.tile.links.rin_we.next = self.rr_we.val()
                    && (self.rr_target.val() == self.tno[t].val())
                    && !self.ctl.run[t].val();
            }
            // context t enters with the next clock
            if self.phase.q.val() == self.before[t].val() {
                self.tile.links.start.next = self.rs[t].q.val();
                self.tile.links.start_pc.next = self.rs_pc[t].q.val();
            }
            // core 0's $0800: the word a stopped core's RAM read in its phase
            if (self.tile.links.rp.val().get_bits::<3>(13) == self.tno[t].val())
                && self.ctl.settled[t].val()
            {
                self.rword.next = self.tile.ram_rdata[t].val();
            }
        }
        self.tile.links.remote_word.next = self.rword.val();
        self.tile.ram_start.next = self.sbus.val();
        self.tile.ram_start_pc.next = self.abus.val();
        // context 0 enters at the round edge, where its start is being decided
        if self.is_last.val() {
            self.tile.links.start.next = self.ctl.start[0].val();
            self.tile.links.start_pc.next = self.ctl.start_pc[0].val();
        }

        // the node store and allocator: the node lock's holder, in its phase
        self.nodes.raddr.next = self.tile.links.n_raddr.val();
        self.nodes.re.next = self.holder.val();
        self.nodes.we_b.next = self.tile.links.n_we_b.val() && self.holder.val();
        self.nodes.we_n.next = self.tile.links.n_we_n.val() && self.holder.val();
        self.nodes.waddr.next = self.tile.links.n_waddr.val();
        self.nodes.wdata.next = self.tile.links.n_wdata.val();
        self.nalloc.take.next = self.tile.links.n_take.val() && self.holder.val();
        self.tile.links.n_rdata_b.next = self.z16.val();
        self.tile.links.n_rdata_n.next = self.z16.val();
        if self.holder.val() {
            self.tile.links.n_rdata_b.next = self.nodes.rdata_b.val();
            self.tile.links.n_rdata_n.next = self.nodes.rdata_n.val();
        }
        self.tile.links.n_avail.next = self.nalloc.avail.val();
        self.tile.links.n_idx.next = self.nalloc.idx.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lockstep::{assemble, lockstep, Run};
    use crate::multi_top::tests::{CONTROL, COUNT};
    use crate::util::validate;
    use j1k_isa::KeyConfig;

    fn hw(worker_ram: usize) -> HwConfig {
        HwConfig {
            key: Some(KeyConfig {
                block_words: 16,
                node_slots: 4,
                blocks: 12,
                nodes: 8,
                ..Default::default()
            }),
            worker_ram,
            ..HwConfig::default()
        }
    }

    /// N cores as contexts, L lines each, built with `image` (and a unit whose tile
    /// `fault` drops invalidations), against the simulator.
    fn run<const N: usize, const L: usize>(
        image: &[u16],
        max_cycles: u64,
        fault: Option<usize>,
    ) -> Result<Run, String> {
        let cfg = hw(4096);
        let uut = CtxTop::<N, L>::with_fault(&cfg, image, fault);
        lockstep(uut, &cfg, L, image, b"", max_cycles)
    }

    #[test]
    fn two_contexts_count_in_lockstep() {
        let image = assemble("hw_count.fs", COUNT);
        let r = run::<2, 2>(&image, 60_000, None).unwrap();
        eprintln!("halted after {} cycles", r.cycles);
        assert_eq!(String::from_utf8_lossy(&r.out), "24 24 \n");
    }

    #[test]
    fn four_contexts_count_in_lockstep() {
        let image = assemble("hw_count.fs", COUNT);
        let r = run::<4, 2>(&image, 100_000, None).unwrap();
        eprintln!("halted after {} cycles", r.cycles);
        assert_eq!(String::from_utf8_lossy(&r.out), "48 48 \n");
    }

    #[test]
    fn core_control_of_contexts_in_lockstep() {
        let image = assemble("hw_control.fs", CONTROL);
        for r in [
            run::<2, 2>(&image, 60_000, None),
            run::<4, 2>(&image, 60_000, None),
        ] {
            let r = r.unwrap();
            assert_eq!(
                String::from_utf8_lossy(&r.out),
                "1234 4321 65535 65535 85 \n"
            );
        }
    }

    #[test]
    fn random_programs_on_2_contexts_in_lockstep() {
        crate::lockstep::fuzz(2, 2, 1..=6, 4_000, |image| run::<2, 2>(image, 4_000, None));
    }

    #[test]
    fn random_programs_on_4_contexts_in_lockstep() {
        crate::lockstep::fuzz(4, 2, 1..=6, 4_000, |image| run::<4, 2>(image, 4_000, None));
    }

    /// A unit whose tile 1 drops invalidations: the lockstep finds it.
    #[test]
    fn a_dropped_invalidation_among_contexts_is_caught() {
        let image = assemble("hw_count.fs", COUNT);
        let e = run::<4, 2>(&image, 100_000, Some(1)).unwrap_err();
        eprintln!("{e}");
        assert!(e.contains("tile 1 line"), "{e}");
    }

    #[test]
    fn ctx_top_yosys_validate() {
        let mut uut = CtxTop::<4, 2>::new(&hw(256), &[0x0000]);
        uut.connect_all();
        validate("j1k_ctx_top", &crate::util::verilog(&uut));
    }
}
