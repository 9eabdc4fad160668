//! The simulation top of a build of several cores (docs/architecture.md §1, §6, §9): N
//! tiles, the memory system (coherence unit, data mover, cache RAMs, block store), the
//! shared node store and node allocator (driven by the node lock's holder), the core
//! control, and core 0's remote pointer into the stopped cores' RAMs. Core 0 has the
//! UART, taken from ports as in the one-core top; the lockstep reads every tile's and the
//! unit's state from the blocks themselves. The N-core SoC (multi_soc.rs) wraps it with
//! the real UART.

use crate::cores::CoreCtl;
use crate::key::alloc::Allocator;
use crate::key::node_store::NodeStore;
use crate::mem::system::MemSystem;
use crate::tile::Tile;
use crate::util::k;
use crate::HwConfig;
use j1k_isa::ROOT_NODE;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct MultiTop<const N: usize, const L: usize> {
    pub clock: Signal<In, Clock>,
    /// Synchronous, active high (hold it 16 cycles: the key registers' RAM is rewritten).
    pub reset: Signal<In, Bit>,
    pub uart_rx_valid: Signal<In, Bit>,
    pub uart_rx_data: Signal<In, Bits<8>>,
    /// The transmitter takes a byte (the simulated UART: always).
    pub uart_tx_ready: Signal<In, Bit>,
    /// Image loading (hold `reset` meanwhile): every core's RAM word `load_addr`.
    pub load_we: Signal<In, Bit>,
    pub load_addr: Signal<In, Bits<12>>,
    pub load_data: Signal<In, Bits<16>>,
    pub uart_tx_strobe: Signal<Out, Bit>,
    pub uart_tx_data: Signal<Out, Bits<8>>,
    pub uart_rx_strobe: Signal<Out, Bit>,
    pub uart_rx_look: Signal<Out, Bit>,
    /// Core 0's LEDs.
    pub leds: Signal<Out, Bits<5>>,
    pub tiles: [Tile; N],
    pub mem: MemSystem<N, L>,
    pub ctl: CoreCtl<N>,
    pub nodes: NodeStore,
    nalloc: Allocator,
    first: [Constant<Bit>; N],
    tno: [Constant<Bits<3>>; N],
    z8: Constant<Bits<8>>,
    one8: Constant<Bits<8>>,
    spz: [crate::util::Zext<12, 64>; N],
    z16: Constant<Bits<16>>,
    nd_raddr: Signal<Local, Bits<16>>,
    nd_we_b: Signal<Local, Bit>,
    nd_we_n: Signal<Local, Bit>,
    nd_waddr: Signal<Local, Bits<16>>,
    nd_wdata: Signal<Local, Bits<16>>,
    nd_take: Signal<Local, Bit>,
    rword: Signal<Local, Bits<16>>,
}

impl<const N: usize, const L: usize> MultiTop<N, L> {
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
            tiles: std::array::from_fn(|t| Tile::new(cfg, image, t as u16, N as u16)),
            mem: MemSystem::new(kc.block_words, kc.blocks, skip_invalidation),
            ctl: Default::default(),
            nodes: NodeStore::new(slots),
            nalloc: Allocator::new(ROOT_NODE + 1, kc.nodes),
            first: std::array::from_fn(|t| Constant::new(t == 0)),
            tno: std::array::from_fn(|t| k(t as u64)),
            z8: k(0),
            one8: k(1),
            spz: std::array::from_fn(|_| Default::default()),
            z16: k(0),
            nd_raddr: Default::default(),
            nd_we_b: Default::default(),
            nd_we_n: Default::default(),
            nd_waddr: Default::default(),
            nd_wdata: Default::default(),
            nd_take: Default::default(),
            rword: Default::default(),
        }
    }
}

impl<const N: usize, const L: usize> Logic for MultiTop<N, L> {
    #[hdl_gen]
    fn update(&mut self) {
        self.mem.clock.next = self.clock.val();
        self.mem.reset.next = self.reset.val();
        self.mem.step.next = true;
        self.mem.first.next = true;
        self.ctl.clock.next = self.clock.val();
        self.ctl.reset.next = self.reset.val();
        self.ctl.step.next = true;
        self.nodes.clock.next = self.clock.val();
        self.nalloc.clock.next = self.clock.val();
        self.nalloc.reset.next = self.reset.val();
        self.nalloc.step.next = true;
        self.nd_raddr.next = self.z16.val();
        self.nd_we_b.next = false;
        self.nd_we_n.next = false;
        self.nd_waddr.next = self.z16.val();
        self.nd_wdata.next = self.z16.val();
        self.nd_take.next = false;
        self.rword.next = self.z16.val();
        for t in 0..N {
            self.tiles[t].clock.next = self.clock.val();
            self.tiles[t].reset.next = self.reset.val();
            self.tiles[t].ctx.next = self.z8.val();
            self.mem.phase[t].next = true;
            self.tiles[t].load_we.next = self.load_we.val();
            self.tiles[t].load_addr.next = self.load_addr.val();
            self.tiles[t].load_data.next = self.load_data.val();
            // the UART is core 0's; the others read 0 there
            self.tiles[t].rx_valid.next = self.uart_rx_valid.val() && self.first[t].val();
            self.tiles[t].rx_data.next = self.z8.val();
            if self.first[t].val() {
                self.tiles[t].rx_data.next = self.uart_rx_data.val();
            }
            self.tiles[t].tx_ready.next = self.uart_tx_ready.val() && self.first[t].val();
            // the coherence unit and the cache RAM
            self.mem.port[t].ask.next = self.tiles[t].links.ask.val();
            self.mem.port[t].need.next = self.tiles[t].links.need.val();
            self.mem.port[t].blk.next = self.tiles[t].links.blk.val();
            self.mem.port[t].unlock.next = self.tiles[t].links.unlock.val();
            self.mem.port[t].take.next = self.tiles[t].links.take.val();
            self.tiles[t].links.met.next = self.mem.port[t].met.val();
            self.tiles[t].links.line.next = self.mem.port[t].line.val();
            self.tiles[t].links.alloc_ok.next = self.mem.port[t].alloc_ok.val();
            self.tiles[t].links.alloc_idx.next = self.mem.port[t].alloc_idx.val();
            self.mem.cache[t].raddr.next = self.tiles[t].links.m_raddr.val();
            self.tiles[t].links.m_rdata.next = self.mem.cache[t].rdata.val();
            self.mem.cache[t].we.next = self.tiles[t].links.m_we.val();
            self.mem.cache[t].wmask.next = self.tiles[t].links.m_wmask.val();
            self.mem.cache[t].waddr.next = self.tiles[t].links.m_waddr.val();
            self.mem.cache[t].wdata.next = self.tiles[t].links.m_wdata.val();
            // the node store and allocator: the node lock's holder drives them, and only
            // it reads them (a read through the null node key must be null)
            if self.mem.locked[t].val() {
                self.nd_raddr.next = self.tiles[t].links.n_raddr.val();
                self.nd_we_b.next = self.tiles[t].links.n_we_b.val();
                self.nd_we_n.next = self.tiles[t].links.n_we_n.val();
                self.nd_waddr.next = self.tiles[t].links.n_waddr.val();
                self.nd_wdata.next = self.tiles[t].links.n_wdata.val();
                self.nd_take.next = self.tiles[t].links.n_take.val();
            }
            self.tiles[t].links.n_rdata_b.next = self.z16.val();
            self.tiles[t].links.n_rdata_n.next = self.z16.val();
            if self.mem.locked[t].val() {
                self.tiles[t].links.n_rdata_b.next = self.nodes.rdata_b.val();
                self.tiles[t].links.n_rdata_n.next = self.nodes.rdata_n.val();
            }
            self.tiles[t].links.n_avail.next = self.nalloc.avail.val();
            self.tiles[t].links.n_idx.next = self.nalloc.idx.val();
            // core control
            self.ctl.w_start[t].next = self.tiles[t].links.w_start.val();
            self.ctl.w_stop[t].next = self.tiles[t].links.w_stop.val();
            self.ctl.w_target[t].next = self.tiles[t].links.w_target.val();
            self.ctl.w_addr[t].next = self.tiles[t].links.w_addr.val();
            self.ctl.mid[t].next = self.tiles[t].links.mid.val();
            self.tiles[t].links.run.next = self.ctl.run[t].val();
            self.tiles[t].links.start.next = self.ctl.start[t].val();
            self.tiles[t].links.start_pc.next = self.ctl.start_pc[t].val();
            self.tiles[t].ram_start.next = self.z8.val();
            if self.ctl.start[t].val() {
                self.tiles[t].ram_start.next = self.one8.val();
            }
            self.spz[t].a.next = self.ctl.start_pc[t].val();
            self.tiles[t].ram_start_pc.next = self.spz[t].y.val();
            self.tiles[t].links.running.next = self.ctl.running.val();
            // core 0's remote pointer: a stopped core's RAM reads at it and takes its writes
            self.tiles[t].links.rr_addr.next = self.tiles[0].links.rp_next.val().get_bits::<12>(0);
            self.tiles[t].links.rin_we.next = self.tiles[0].links.rw_we.val()
                && (self.tiles[0].links.rw_target.val() == self.tno[t].val())
                && !self.ctl.run[t].val();
            self.tiles[t].links.rin_addr.next = self.tiles[0].links.rw_addr.val();
            self.tiles[t].links.rin_data.next = self.tiles[0].links.rw_data.val();
            if (self.tiles[0].links.rp.val().get_bits::<3>(13) == self.tno[t].val())
                && self.ctl.settled[t].val()
            {
                self.rword.next = self.tiles[t].links.ram_rdata.val();
            }
            self.tiles[t].links.remote_word.next = self.z16.val();
        }
        self.tiles[0].links.remote_word.next = self.rword.val();
        self.nodes.raddr.next = self.nd_raddr.val();
        self.nodes.re.next = true;
        self.nodes.we_b.next = self.nd_we_b.val();
        self.nodes.we_n.next = self.nd_we_n.val();
        self.nodes.waddr.next = self.nd_waddr.val();
        self.nodes.wdata.next = self.nd_wdata.val();
        self.nalloc.take.next = self.nd_take.val();
        self.uart_tx_strobe.next = self.tiles[0].uart_tx_strobe.val();
        self.uart_tx_data.next = self.tiles[0].uart_tx_data.val();
        self.uart_rx_strobe.next = self.tiles[0].uart_rx_strobe.val();
        self.uart_rx_look.next = self.tiles[0].uart_rx_look.val();
        self.leds.next = self.tiles[0].leds.val();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lockstep::{assemble, lockstep, Run};
    use crate::util::validate;
    use j1k_isa::KeyConfig;

    fn hw(blocks: u16) -> HwConfig {
        HwConfig {
            key: Some(KeyConfig {
                block_words: 16,
                node_slots: 4,
                blocks,
                nodes: 8,
                ..Default::default()
            }),
            ..HwConfig::default()
        }
    }

    /// The RAM of cores 1.. in these tests: 1K words on two cores (the two-core bitstreams'),
    /// 256 on three, 4K on four.
    fn worker_ram<const N: usize>() -> usize {
        match N {
            2 => 1024,
            3 => 256,
            _ => 4096,
        }
    }

    /// N cores of L lines, built with `image` (and a unit whose tile `fault` drops
    /// invalidations), against the simulator.
    fn run<const N: usize, const L: usize>(
        image: &[u16],
        max_cycles: u64,
        fault: Option<usize>,
    ) -> Result<Run, String> {
        let cfg = HwConfig {
            worker_ram: worker_ram::<N>(),
            ..hw(12)
        };
        let uut = MultiTop::<N, L>::with_fault(&cfg, image, fault);
        lockstep(uut, &cfg, L, image, b"", max_cycles)
    }

    /// Every core counts in one shared block, with `bxadd` and under a spin lock, then
    /// meets at a barrier (examples/smp_count.fs with fewer rounds).
    pub(crate) const COUNT: &str = r#"
include lib/io.fs
include lib/smp.fs
12 constant rounds
: work ( -- )
    nb@ 0
    0 begin dup rounds < while
        1 0 bxadd drop
        2 lock  1 b@ 1+ 1 b!  2 unlock
        1+
    repeat drop
    #cores 3 barrier ;
: worker  work halt ;
: main
    init  balloc drop  nb! 0
    1 begin dup #cores < while ['] worker over start 1+ repeat drop
    work
    0 b@ .  1 b@ .  cr halt ;
"#;

    #[test]
    fn two_cores_count_in_lockstep() {
        let image = assemble("hw_count.fs", COUNT);
        let r = run::<2, 2>(&image, 60_000, None).unwrap();
        let (n, out) = (r.cycles, r.out);
        eprintln!("halted after {n} cycles");
        assert_eq!(String::from_utf8_lossy(&out), "24 24 \n");
    }

    #[test]
    fn four_cores_count_in_lockstep() {
        let image = assemble("hw_count.fs", COUNT);
        let r = run::<4, 2>(&image, 100_000, None).unwrap();
        let (n, out) = (r.cycles, r.out);
        eprintln!("halted after {n} cycles");
        assert_eq!(String::from_utf8_lossy(&out), "48 48 \n");
    }

    /// Core control and the shared node store: core 0 writes and reads core 1's RAM while
    /// it is stopped, starts it on a loop of key instructions, stops it there and reads
    /// its variable, then starts it on a word that allocates a node and a block, links
    /// them into the root node and stops itself; core 0 follows the links.
    pub(crate) const CONTROL: &str = r#"
include lib/io.fs
include lib/smp.fs
variable hits
: spin  nb@ 0  begin 1 0 bxadd drop  hits @ 1+ hits !  again ;
: maker
    nsel n1 nalloc drop  bsel b1 balloc drop  $55 3 b!  nb! 0
    nsel n0 nn! 1 n1  core-id stop  halt ;
: wait1  begin running 2 and 0= until ;
: main
    init  balloc drop  nb! 0
    $2800 $0400 io!  1234 $0800 io!  4321 $0800 io!
    $2800 $0400 io!  $0800 io@ .  $0800 io@ .
    ['] spin 1 start
    0 begin 1+ dup 60 = until drop
    1 stop wait1
    $2000 hits 2/ or $0400 io!  $0800 io@ 0= 0= .  0 b@ 0= 0= .
    ['] maker 1 start  wait1
    nn@ 1 n2  nsel n2  bsel b2 nb@ 0  3 b@ .  cr halt ;
"#;

    /// Random programs on N cores of L lines (lockstep.rs `fuzz`).
    fn fuzz<const N: usize, const L: usize>(seeds: std::ops::RangeInclusive<u64>, cycles: u64) {
        crate::lockstep::fuzz(N, L, seeds, cycles, |image| {
            run::<N, L>(image, cycles, None)
        });
    }

    #[test]
    fn random_programs_in_lockstep_2_cores() {
        fuzz::<2, 2>(1..=10, 4_000);
    }

    #[test]
    fn random_programs_in_lockstep_3_cores_1_line() {
        fuzz::<3, 1>(1..=6, 4_000);
    }

    #[test]
    fn random_programs_in_lockstep_4_cores() {
        fuzz::<4, 2>(1..=8, 4_000);
    }

    /// A unit whose tile 1 drops invalidations: the lockstep finds it.
    #[test]
    fn a_dropped_invalidation_is_caught() {
        let image = assemble("hw_count.fs", COUNT);
        let e = run::<2, 2>(&image, 60_000, Some(1)).unwrap_err();
        eprintln!("{e}");
        assert!(e.contains("tile 1 line"), "{e}");
    }

    #[test]
    fn core_control_in_lockstep() {
        let image = assemble("hw_control.fs", CONTROL);
        let r = run::<2, 2>(&image, 60_000, None).unwrap();
        let (n, out) = (r.cycles, r.out);
        eprintln!("halted after {n} cycles");
        assert_eq!(String::from_utf8_lossy(&out), "1234 4321 65535 65535 85 \n");
    }

    /// Core 1 of 256 words: a store and a fetch past its RAM land on its low words, in the
    /// hardware as in the simulator (sim/tests/multicore.rs has the same program).
    #[test]
    fn a_smaller_ram_aliases_in_lockstep() {
        let src = r#"
include lib/io.fs
include lib/smp.fs
variable v  variable w  variable x
: target  77 x !  1 stop  halt ;
: worker  $1234 v 512 + !  v @ w !  ['] target 512 + >r ;
: main  init  ['] worker 1 start  $4321 v 512 + !
    begin running 2 and 0= until
    $2000 x 2/ or $0400 io!  $0800 io@ .  v @ .  v 512 + @ .  cr halt ;
"#;
        let mut image = assemble("hw_alias.fs", src);
        image.resize(300, 0);
        image[299] = 0xabcd;
        let r = run::<3, 1>(&image, 20_000, None).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&r.out),
            "77 0 17185 
"
        );
    }

    #[test]
    fn multi_top_yosys_validate() {
        let mut uut = MultiTop::<2, 2>::new(&hw(8), &[0x0000]);
        uut.connect_all();
        validate("j1k_multi_top", &crate::util::verilog(&uut));
    }
}
