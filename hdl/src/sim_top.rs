//! The simulation top: one tile (core, io ports and, when built, the key unit),
//! with the UART taken from ports, and every piece of state the lockstep
//! comparison needs brought out. Its ports are the contract with the
//! Verilator harness (hdl/README.md lists them).

use crate::tile::Tile;
use crate::HwConfig;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct SimTop<const K: usize = 1> {
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

    pub(crate) tile: Tile<K>,
    /// The phase (docs/architecture.md §11): context `phase` computes its cycle in this
    /// clock. It runs free from configuration (0 at the first clock), reset or not, so a
    /// harness knows it by counting clocks; with one context it is always 0.
    phase: DFF<Bits<8>>,
    next_phase: crate::util::NextCtx<K>,
    z3: Constant<Bits<3>>,
    z8: Constant<Bits<8>>,
    z12: Constant<Bits<12>>,
    z64: Constant<Bits<64>>,
    z16: Constant<Bits<16>>,
}

impl SimTop {
    pub fn new(cfg: &HwConfig, image: &[u16]) -> Self {
        SimTop::<1>::contexts(cfg, image)
    }
}

impl<const K: usize> SimTop<K> {
    /// `K` one-core machines on one tile circuit, each with `image` in its RAM (a harness
    /// may load each its own program during reset, in its phase); the outputs are the
    /// current context's.
    pub fn contexts(cfg: &HwConfig, image: &[u16]) -> Self {
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
            tile: Tile::contexts(cfg, image, 0, 1),
            phase: Default::default(),
            next_phase: Default::default(),
            z3: crate::util::k(0),
            z8: crate::util::k(0),
            z12: crate::util::k(0),
            z64: crate::util::k(0),
            z16: crate::util::k(0),
        }
    }
}

impl<const K: usize> Logic for SimTop<K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, phase);
        self.next_phase.ctx.next = self.phase.q.val();
        self.phase.d.next = self.next_phase.y.val();
        self.tile.clock.next = self.clock.val();
        self.tile.reset.next = self.reset.val();
        self.tile.ctx.next = self.phase.q.val();
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
    use crate::lockstep::{assemble, lockstep};
    use crate::util::validate;
    use crate::{BlockMemory, KeyConfig};

    /// Runs `image` on the simulation top built with `cfg` against the simulator until
    /// it halts (within `max_cycles`, else a failure); returns the cycles.
    fn halts(cfg: HwConfig, image: &[u16], input: &[u8], max_cycles: u64) -> u64 {
        let uut = SimTop::new(&cfg, image);
        let r = lockstep(uut, &cfg, 1, image, input, max_cycles).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            r.cycles < max_cycles,
            "the program did not halt in {max_cycles} cycles"
        );
        r.cycles
    }

    /// Every ALU code, both stacks past overflow and underflow, delta 10, the fetch
    /// path, the write gate, LEDs, UART TX and RX, the status and core-id ports.
    const BASE: &str = r#"
include lib/io.fs
variable v
create tbl 11 , 22 , 33 ,
: fetch ( a -- x ) @ ;
: main
    1234 v !  v @ 4 io!              \ the store is dropped: the gate is still closed
    1234 v !  v @ 4 io!              \ now it lands; LEDs = 1234 and 31
    tbl 2 + fetch  4 io!
    1 2 + 3 and 4 or 5 xor invert 7 = drop
    -5 3 < drop  3 -5 < drop  3 -5 u< drop  -8 2/ 2* drop  5 3 - drop  7 7 = drop
    depth drop
    1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 depth drop
    drop drop drop drop drop drop drop drop drop drop
    drop drop drop drop drop drop drop drop drop drop drop drop drop drop
    depth drop
    1 >r 2 >r 3 >r 4 >r 5 >r 6 >r 7 >r 8 >r 9 >r 10 >r
    11 >r 12 >r 13 >r 14 >r 15 >r 16 >r 17 >r 18 >r 19 >r 20 >r
    r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r> r>
    alu(T,d-2) alu(T,r-2) alu(T+N,T->N,d+1,r-1) alu(N,T->R) alu(N,func6) alu(N,func7)
    [char] A emit  key emit  key? drop  key emit  key? drop  $1000 io@ drop
    $4000 io@ drop  $2000 io@ drop
    halt ;
"#;

    #[test]
    fn base_program_lockstep() {
        let image = assemble("hw_base.fs", BASE);
        let cfg = HwConfig {
            key: None,
            ..HwConfig::default()
        };
        let n = halts(cfg, &image, b"xy", 3000);
        eprintln!("halted after {n} cycles");
    }

    #[test]
    fn base_program_lockstep_key_unit_on() {
        let image = assemble("hw_base.fs", BASE);
        halts(HwConfig::default(), &image, b"xy", 3000);
    }

    fn key_cfg(block_words: u16, node_slots: u16, blocks: u16, nodes: u16) -> HwConfig {
        HwConfig {
            key: Some(KeyConfig {
                block_words,
                node_slots,
                blocks,
                nodes,
                ..KeyConfig::default()
            }),
            ..HwConfig::default()
        }
    }

    /// Every opcode, with read-only, null and full-store cases; indices past the
    /// block and node sizes to check masking; reserved opcodes (small stores, so that
    /// the allocators fill up and `balloc`'s zeroing stays short).
    const KEYS: &str = r#"
: main
    b? n? faults drop drop drop
    bsel b1 balloc drop  $1234 3 b!  $abcd 9 b!  3 b@ drop  9 b@ drop
    7 bc@ drop  6 bc@ drop  $77 6 bc!  $88 7 bc!  3 b@ drop  6 bc@ drop
    5 3 bxadd drop  9 3 bxchg drop  3 b@ drop
    bsel b2 bcopy b1 bweaken b? drop  bkey= b1 drop  bkey= b0 drop
    1 0 b!  2 0 bc!  3 0 bxchg drop  4 0 bxadd drop  0 b@ drop  faults drop
    bsel b0  1 0 b!  0 b@ drop  0 bc@ drop  5 5 bxadd drop  b? drop
    bsel b1 nb! 3  nb! 31  bsel b3 nb@ 3  bkey= b1 drop  b? drop
    2 nb!i  bsel b4 2 nb@i b? drop
    nsel n1 nalloc drop  n? drop  nkey= n0 drop  nsel n0 nn! 1 n1  nn@ 1 n2  nsel n2 nkey= n1 drop
    nsel n0 3 nn!i n1  3 nn@i n3  nsel n3 n? drop
    nsel n2 nweaken n? drop  nb@ 3  bsel b3 nb@ 3 b? drop  nn@ 1 n3  nsel n3 n? drop
    nsel n2 nb! 0  nn! 0 n1  1 nb!i  1 nn!i n1  faults drop
    ncopy n0 nsel n0 nsel n2 n? drop
    nsel n1 nalloc drop  bsel b1 nb! 5  nn! 6 n0  nsel n2 ncopy n1 nweaken
    bsel b6 nb@ 5 b? drop  nn@ 6 n3  nsel n3 n? drop  nb@ 5 bsel b7 nb@ 5 b? drop
    nsel n3 ncopy n3  nsel n1 ncopy n2  nkey= n2 drop
    inst $7d80 inst $7e21 inst $7fff faults drop
    bsel b5 balloc balloc balloc balloc b? drop drop drop drop drop
    nsel n1 nalloc nalloc nalloc n? drop drop drop drop
    nsel n0 nn@ 0 n0 n? drop  nb@ 0 b? drop
    3 5 7 bsel b2 bcopy b1 b! 5 b@ drop drop
    halt ;
"#;

    #[test]
    fn key_program_lockstep() {
        let image = assemble("hw_keys.fs", KEYS);
        let n = halts(key_cfg(8, 4, 4, 4), &image, b"", 4000);
        eprintln!("halted after {n} cycles");
    }

    #[test]
    fn key_program_lockstep_other_sizes() {
        let image = assemble("hw_keys.fs", KEYS);
        halts(key_cfg(16, 8, 3, 5), &image, b"", 4000);
    }

    /// The one-port SPRAM store (the UP5K's): a write cycle reads nothing, so this proves
    /// that no key instruction needs a read and a write of the block store in one cycle.
    #[test]
    fn key_program_lockstep_spram_store() {
        let image = assemble("hw_keys.fs", KEYS);
        for sizes in [key_cfg(8, 4, 4, 4), key_cfg(16, 8, 3, 5)] {
            let cfg = HwConfig {
                block_memory: BlockMemory::Spram,
                ..sizes
            };
            halts(cfg, &image, b"", 4000);
        }
    }

    /// Fewer key registers (4 block, 2 node): register numbers modulo the counts, the
    /// others null.
    #[test]
    fn key_program_lockstep_fewer_registers() {
        let image = assemble("hw_keys.fs", KEYS);
        for (block_regs, node_regs) in [(4, 2), (1, 1), (2, 4)] {
            let mut cfg = key_cfg(8, 4, 4, 4);
            let key = cfg.key.as_mut().unwrap();
            key.block_regs = block_regs;
            key.node_regs = node_regs;
            halts(cfg, &image, b"", 4000);
        }
    }

    #[test]
    fn readonly_example_lockstep() {
        let src = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/readonly.fs"
        ))
        .unwrap();
        let image = assemble("readonly.fs", &src);
        let n = halts(key_cfg(8, 4, 4, 4), &image, b"", 20_000);
        eprintln!("readonly.fs halted after {n} cycles");
    }

    /// A random J1a program (no key instructions: the ALU words keep bit 12 clear): ALU
    /// words, stores, literals, jumps and calls forward, conditional jumps anywhere, calls
    /// into the fetch path; it loops back to its start at its end, and it opens the RAM's
    /// write gate first (an io write: swapforth's `hack`, N→io[T]), so that its stores land.
    /// `keys`: one word in four a key instruction that leaves the store as it is.
    fn random_j1a(seed: u64, keys: bool) -> Vec<u16> {
        let io_store = j1k_isa::ALU_WORDS
            .iter()
            .find(|(n, _)| *n == "hack")
            .unwrap()
            .1;
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let len = 48 + next() % 200;
        let mut words = vec![0x8000, 0x8000, io_store];
        for i in 3..len - 1 {
            let r = next();
            let w = (r >> 20) as u16;
            // (a jump backward would soon trap a random program in a loop of a few words)
            let ahead = (i + 1 + (r >> 40) % (len - i - 1)) as u16;
            if keys && (r >> 8) % 4 == 0 {
                let op = loop {
                    let op = (next() % 27) as u16;
                    if !writes_the_store(op) {
                        break op;
                    }
                };
                words.push(0x7000 | (op << 7) | (w & 0x7f));
                continue;
            }
            words.push(match r % 100 {
                // ALU words without R→PC (a return lands at 0 early on), and stores
                0..=44 => 0x6000 | (w & 0x0f7f),
                45..=54 => 0x6030 | (w & 0x0f0f),
                55..=74 => 0x8000 | (w & 0x7fff),
                75..=82 => ahead,
                83..=89 => 0x2000 | (w % len as u16),
                90..=94 => 0x4000 | ahead,
                _ => 0x4000 | 0x1000 | (w & 0x0fff),
            });
        }
        words.push(3);
        words
    }

    /// What a run of [`contexts_agree`] did: cycles compared, RAM writes, cycles that moved
    /// a stack, cycles that changed a key register, a selector or `faults`.
    #[derive(Default, Debug)]
    struct Counts {
        compared: u64,
        writes: u64,
        moves: u64,
        key_changes: u64,
    }

    /// Key instructions that write the store or allocate (`nb!`, `nn!`, `nb!i`, `nn!i`,
    /// `balloc`, `nalloc`): one-core contexts share one store, so the key-register test
    /// leaves them out (block writes fault: every block key is null there).
    fn writes_the_store(op: u16) -> bool {
        use j1k_isa::KeyOp::*;
        [NbStore, NnStore, NbStoreI, NnStoreI, Balloc, Nalloc]
            .iter()
            .any(|&o| o as u16 == op)
    }

    /// Four J1a contexts on one tile circuit (docs/architecture.md §11), each running a
    /// program of its own: every context's every cycle equals the simulator's run of that
    /// program alone, through the one comparator. Returns the first divergence, or the
    /// RAM writes, stack moves and cycles compared. A program that stores a key
    /// instruction (the ALU class with bit 12) into its code and reaches it has left the
    /// J1a, which these contexts are (no key unit): its context is compared up to there.
    /// `crossed`: the hardware's contexts 1 and 2 get each other's program (for the test
    /// that shows a mix-up is caught). `keys`: the key unit is built and the programs use
    /// its registers (random_j1a); a context that reaches a stored key instruction that
    /// writes the store is compared up to there.
    fn contexts_agree(
        seeds: [u64; 4],
        cycles: u64,
        crossed: bool,
        keys: bool,
    ) -> Result<Counts, String> {
        use j1k_sim::lockstep::{Comparator, HwCycle, Obs};
        use j1k_sim::{BufUart, Config, Machine, Step};
        const K: usize = 4;
        let key = j1k_isa::KeyConfig::default();
        let cfg = HwConfig {
            key: keys.then_some(key),
            ..HwConfig::default()
        };
        let programs: Vec<Vec<u16>> = seeds.iter().map(|&s| random_j1a(s, keys)).collect();
        let mut uut = SimTop::<K>::contexts(&cfg, &[]);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<SimTop<K>>| x.clock.next = !x.clock.val());
        let (send, recv) = std::sync::mpsc::channel();
        sim.add_testbench(move |mut sim: Sim<SimTop<K>>| {
            let mut ms: Vec<Machine> = programs
                .iter()
                .map(|p| {
                    let mut m = Machine::new(Config::default()).unwrap();
                    m.load_program(p).unwrap();
                    m
                })
                .collect();
            let mut uarts: Vec<BufUart> = (0..K).map(|_| BufUart::new(&[])).collect();
            let cmp = Comparator::new(keys.then_some(&key));
            let mut pending: Vec<Option<(Obs, Step)>> = vec![None; K];
            let mut n = Counts::default();
            let mut left_j1a = [false; K];
            let loaded = |c: usize| {
                if crossed && (c == 1 || c == 2) {
                    3 - c
                } else {
                    c
                }
            };
            let mut x = sim.init()?;
            // the phase counts clocks from the first: clock c is context c % K's
            let mut clock = 0u64;
            x = sim.watch(|x| !x.clock.val().clk, x)?;
            // reset: the stack RAMs' clearing (32 K clocks), during which each context's
            // RAM takes its program, a word per round in its phase
            let longest = programs.iter().map(Vec::len).max().unwrap() as u64;
            let rounds = longest.max(32);
            x.reset.next = true;
            for _ in 0..rounds * K as u64 {
                let c = (clock % K as u64) as usize;
                let a = clock / K as u64;
                let p = &programs[loaded(c)];
                x.load_we.next = (a as usize) < p.len();
                x.load_addr.next = bits::<12>(a);
                x.load_data.next = bits::<16>(*p.get(a as usize).unwrap_or(&0) as u64);
                x = sim.watch(|x| x.clock.val().clk, x)?;
                x = sim.watch(|x| !x.clock.val().clk, x)?;
                clock += 1;
            }
            x.reset.next = false;
            x.load_we.next = false;
            for _ in 0..cycles * K as u64 {
                let c = (clock % K as u64) as usize;
                let cycle = clock / K as u64 - rounds;
                x = sim.wait(1, x)?;
                let now = crate::lockstep::tile_obs(&x.tile);
                if let Some((during, step)) = pending[c].take() {
                    let hw = HwCycle {
                        during: &during,
                        after: &now,
                        tx: during.uart_tx_strobe.ne(&0).then_some(during.uart_tx_data),
                        early_look: false,
                        running: None,
                    };
                    if let Err(d) = cmp.check(cycle - 1, &ms[c], &step, 0, &hw) {
                        send.send(Err(format!("context {c}: {d}"))).unwrap();
                        return sim.done(x);
                    }
                    n.writes += during.ram_we as u64;
                    n.moves += (during.dsp != now.dsp || during.rdepth != now.rdepth) as u64;
                    n.key_changes += (during.breg != now.breg
                        || during.nreg != now.nreg
                        || (during.cur_b, during.cur_n, during.faults)
                            != (now.cur_b, now.cur_n, now.faults))
                        as u64;
                    n.compared += 1;
                }
                let key_insn = now.insn & 0xf000 == 0x7000 && now.pc & 0x1000 == 0;
                left_j1a[c] |= key_insn && (!keys || writes_the_store((now.insn >> 7) & 0x1f));
                if left_j1a[c] {
                    x = sim.watch(|x| x.clock.val().clk, x)?;
                    x = sim.watch(|x| !x.clock.val().clk, x)?;
                    clock += 1;
                    continue;
                }
                let mut step = Step::default();
                ms[c].step_into(&mut uarts[c], &mut step);
                pending[c] = Some((now, step));
                x = sim.watch(|x| x.clock.val().clk, x)?;
                x = sim.watch(|x| !x.clock.val().clk, x)?;
                clock += 1;
            }
            send.send(Ok(n)).unwrap();
            sim.done(x)
        });
        sim.run(Box::new(uut), 20 * 10 * (cycles + 300) * K as u64)
            .unwrap();
        recv.recv().unwrap()
    }

    #[test]
    fn four_contexts_run_their_own_j1a_programs() {
        for base in [1u64, 100, 200] {
            let seeds = [base, base + 1, base + 2, base + 3];
            let n = contexts_agree(seeds, 1_500, false, false)
                .unwrap_or_else(|e| panic!("seeds {seeds:?}: {e}"));
            eprintln!("seeds {seeds:?}, 4 x 1,500 cycles: {n:?}");
            assert!(
                n.compared > 4_000 && n.writes > 100 && n.moves > 1_000,
                "the programs did too little"
            );
        }
    }

    /// The same with the key unit: each context's key registers, selectors and `faults`
    /// (one block RAM for all, docs/architecture.md §11.2) against the simulator's.
    #[test]
    fn four_contexts_keep_their_own_key_registers() {
        let mut changes = 0;
        for base in [1u64, 300, 600] {
            let seeds = [base, base + 1, base + 2, base + 3];
            let n = contexts_agree(seeds, 1_500, false, true)
                .unwrap_or_else(|e| panic!("seeds {seeds:?}: {e}"));
            eprintln!("seeds {seeds:?}, keys, 4 x 1,500 cycles: {n:?}");
            assert!(n.compared > 4_000, "the programs did too little");
            changes += n.key_changes;
        }
        assert!(
            changes > 200,
            "the programs changed key state in {changes} cycles only"
        );
    }

    /// The check sees a context run another's program (contexts 1 and 2 crossed).
    #[test]
    fn a_context_running_another_program_is_caught() {
        let e =
            contexts_agree([1, 2, 3, 4], 1_500, true, false).expect_err("the crossing went unseen");
        assert!(e.starts_with("context 1:"), "{e}");
    }

    #[test]
    fn sim_top_yosys_validate() {
        let cfg = key_cfg(16, 4, 4, 4);
        let mut uut = SimTop::new(&cfg, &[0x0000]);
        uut.connect_all();
        validate("j1k_sim_top", &crate::util::verilog(&uut));
    }
}
