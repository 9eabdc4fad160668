//! Lockstep inside rust-hdl's simulator: a simulation top (one core: [`SimTop`]; several:
//! [`MultiTop`], or [`CtxTop`] with the cores as contexts of one circuit) and the Rust
//! simulator side by side, every cycle compared through the simulator's one comparator
//! (`j1k_sim::lockstep`, which the Verilator harness uses too), core by core, plus the
//! coherence unit's registers with several cores. Slow (rust-hdl simulates a few thousand
//! cycles a second), so for short programs; the Verilated model runs the long ones.
//!
//! A cycle is a round of as many clocks as the top has contexts (docs/architecture.md
//! §11.5): core t is seen in phase t of each round, and what it showed in round c is its
//! view *during* cycle c and *after* cycle c − 1, so cycle c is checked once round c + 1
//! has been seen.

use crate::ctx_top::CtxTop;
use crate::mem::testkit::compare;
use crate::multi_top::MultiTop;
use crate::sim_top::SimTop;
use crate::tile::Tile;
use crate::HwConfig;
use j1k_sim::lockstep::{Comparator, HwCycle, Obs};
use j1k_sim::{BufUart, Config, Machine, Stats, Step};
use rust_hdl::prelude::*;
use std::collections::VecDeque;

/// What every lockstep compares of a tile, as the Verilator harness's shim fills it.
pub fn tile_obs<const K: usize>(t: &Tile<K>) -> Obs {
    let b = [
        &t.breg0, &t.breg1, &t.breg2, &t.breg3, &t.breg4, &t.breg5, &t.breg6, &t.breg7,
    ];
    let n = [&t.nreg0, &t.nreg1, &t.nreg2, &t.nreg3];
    let w = |s: &Signal<Out, Bits<16>>| s.val().index() as u16;
    Obs {
        pc: t.pc.val().index() as u16,
        insn: w(&t.insn),
        t: w(&t.t),
        n: w(&t.n),
        r: w(&t.r),
        ram_waddr: t.ram_waddr.val().index() as u16,
        ram_wdata: w(&t.ram_wdata),
        faults: w(&t.faults),
        blk_waddr: w(&t.blk_waddr),
        blk_wdata: w(&t.blk_wdata),
        slot_waddr: w(&t.slot_waddr),
        slot_wdata: w(&t.slot_wdata),
        breg: b.map(w),
        nreg: n.map(w),
        dsp: t.dsp.val().index() as u8,
        rdepth: t.rdepth.val().index() as u8,
        reboot: t.reboot.val() as u8,
        ram_we: t.ram_we.val() as u8,
        uart_tx_strobe: t.uart_tx_strobe.val() as u8,
        uart_tx_data: t.uart_tx_data.val().index() as u8,
        uart_rx_strobe: t.uart_rx_strobe.val() as u8,
        uart_rx_look: t.uart_rx_look.val() as u8,
        leds: t.leds.val().index() as u8,
        halt: t.halt.val() as u8,
        cur_b: t.cur_b.val().index() as u8,
        cur_n: t.cur_n.val().index() as u8,
        key_busy: t.key_busy.val() as u8,
        blk_we: t.blk_we.val() as u8,
        blk_wmask: t.blk_wmask.val().index() as u8,
        slot_we: t.slot_we.val().index() as u8,
    }
}

/// A simulation top as the harness drives and reads it.
pub trait Top: Block + Send + 'static {
    fn cores(&self) -> usize;
    /// Clocks per cycle: core t is seen in phase t % `phases()` (1 without contexts).
    fn phases(&self) -> usize {
        1
    }
    /// Clocks of reset (the key registers' and stack RAMs' clearing).
    fn reset_clocks(&self) -> usize {
        16
    }
    /// What core t shows now (in its phase).
    fn obs(&self, t: usize) -> Obs;
    /// Whether core t runs in the next cycle (`None`: one core, always).
    fn running(&self, t: usize) -> Option<bool>;
    fn clk(&self) -> bool;
    fn toggle_clock(&mut self);
    fn set_reset(&mut self, on: bool);
    fn set_rx(&mut self, valid: bool, data: u8);
    /// The byte core 0 sends in this cycle.
    fn tx(&self) -> Option<u8>;
    /// The unit's registers against the simulator's after `cycle` (several cores).
    fn check_unit(&self, m: &Machine, cycle: u64) -> Result<(), String>;
    /// Inputs that stay as they are for the whole run.
    fn hold_inputs(&mut self) {}
}

/// The clock, reset and UART ports both simulation tops have, by the same names.
macro_rules! uart_top {
    () => {
        fn clk(&self) -> bool {
            self.clock.val().clk
        }
        fn toggle_clock(&mut self) {
            self.clock.next = !self.clock.val();
        }
        fn set_reset(&mut self, on: bool) {
            self.reset.next = on;
        }
        fn set_rx(&mut self, valid: bool, data: u8) {
            self.uart_rx_valid.next = valid;
            self.uart_rx_data.next = bits::<8>(data as u64);
        }
        fn tx(&self) -> Option<u8> {
            self.uart_tx_strobe
                .val()
                .then(|| self.uart_tx_data.val().index() as u8)
        }
    };
}

impl Top for SimTop {
    fn cores(&self) -> usize {
        1
    }
    fn obs(&self, _: usize) -> Obs {
        tile_obs(&self.tile)
    }
    fn running(&self, _: usize) -> Option<bool> {
        None
    }
    uart_top!();
    fn check_unit(&self, _: &Machine, _: u64) -> Result<(), String> {
        Ok(())
    }
}

impl<const N: usize, const L: usize> Top for MultiTop<N, L> {
    fn cores(&self) -> usize {
        N
    }
    fn obs(&self, t: usize) -> Obs {
        tile_obs(&self.tiles[t])
    }
    fn running(&self, t: usize) -> Option<bool> {
        Some(self.ctl.run[t].val())
    }
    uart_top!();
    fn check_unit(&self, m: &Machine, cycle: u64) -> Result<(), String> {
        compare(&self.mem.coh, m.coherence().expect("several cores"), cycle)
    }
    fn hold_inputs(&mut self) {
        // the simulated UART's transmitter is always ready
        self.uart_tx_ready.next = true;
    }
}

impl<const N: usize, const L: usize> Top for CtxTop<N, L> {
    fn cores(&self) -> usize {
        N
    }
    fn phases(&self) -> usize {
        N
    }
    fn reset_clocks(&self) -> usize {
        32 * N
    }
    fn obs(&self, _: usize) -> Obs {
        tile_obs(&self.tile)
    }
    fn running(&self, t: usize) -> Option<bool> {
        Some(self.ctl.run[t].val())
    }
    uart_top!();
    fn check_unit(&self, m: &Machine, cycle: u64) -> Result<(), String> {
        compare(&self.mem.coh, m.coherence().expect("several cores"), cycle)
    }
    fn hold_inputs(&mut self) {
        self.uart_tx_ready.next = true;
    }
}

/// What a lockstep run ran.
#[derive(Debug)]
pub struct Run {
    pub cycles: u64,
    pub out: Vec<u8>,
    pub stats: Stats,
    /// Starts and stops that changed whether a core runs.
    pub switches: u64,
}

/// Random programs (j1k_sim::fuzz) on `cores` cores of `lines` lines, each run by `run` for
/// `cycles`: every core hammers three shared blocks with key instructions, allocates
/// blocks and nodes, and core 0 stops and restarts the others and reads their RAM.
/// Asserts that they made traffic of every kind. (These are short: rust-hdl simulates a
/// few thousand cycles a second.)
#[cfg(test)]
pub fn fuzz(
    cores: usize,
    lines: usize,
    seeds: std::ops::RangeInclusive<u64>,
    cycles: u64,
    run: impl Fn(&[u16]) -> Result<Run, String>,
) {
    let (mut writes, mut fills, mut allocs, mut locks, mut switches) = (0, 0, 0, 0, 0);
    for seed in seeds {
        let src = j1k_sim::fuzz::random_program(seed, cores);
        let image = assemble("hw_fuzz.fs", &src);
        let r = run(&image)
            .unwrap_or_else(|e| panic!("seed {seed}, {cores} cores, {lines} lines: {e}\n{src}"));
        assert_eq!(r.cycles, cycles, "seed {seed}: the cores loop forever");
        let u = r.stats.unit.unwrap();
        writes += r.stats.block_writes;
        fills += u.fills;
        allocs += u.allocs;
        locks += u.node_locks;
        switches += r.switches;
    }
    eprintln!(
        "{cores} cores, {lines} lines: {writes} block writes, {fills} fills, {allocs} \
         allocations, {locks} node locks, {switches} starts and stops"
    );
    assert!(
        writes > 500 && fills > 200 && allocs > 20 && locks > 500 && switches > 2 * cores as u64,
        "too little traffic"
    );
}

pub fn assemble(name: &str, src: &str) -> Vec<u16> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name);
    match j1k_asm::assemble_str(path.to_str().unwrap(), src) {
        Ok(a) => a.words,
        Err(e) => panic!("assembling {name}: {e:?}"),
    }
}

/// Runs `image` on `uut` (built with it and `cfg`) and on the simulator (as many cores,
/// `cache_lines` lines each) until every core halts or `max_cycles`, with `input` on the
/// UART; the first difference is the error.
pub fn lockstep<T: Top>(
    uut: T,
    cfg: &HwConfig,
    cache_lines: usize,
    image: &[u16],
    input: &[u8],
    max_cycles: u64,
) -> Result<Run, String> {
    let key = cfg.key.unwrap_or_default();
    let has_keys = cfg.key.is_some();
    let cores = uut.cores();
    let phases = uut.phases();
    let reset_clocks = uut.reset_clocks();
    let worker_ram = cfg.worker_ram;
    let image = image.to_vec();
    let input = input.to_vec();
    let mut uut = uut;
    uut.connect_all();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<T>| x.toggle_clock());
    let (send, recv) = std::sync::mpsc::channel();
    sim.add_testbench(move |mut sim: Sim<T>| {
        let mut m = Machine::new(Config {
            cores,
            key,
            cache_lines,
            worker_ram,
        })
        .unwrap();
        m.load_program(&image).unwrap();
        let cmp = Comparator::new(has_keys.then_some(&key));
        let mut uart = BufUart::new(&input);
        let mut rxq: VecDeque<u8> = input.iter().copied().collect();
        let mut last_rx = 0u8;
        let mut step = Step::default();
        let (mut out, mut switches) = (Vec::new(), 0u64);
        let mut x = sim.init()?;
        macro_rules! cycle {
            () => {
                if x.clk() {
                    x = sim.watch(|x| !x.clk(), x)?;
                }
                x = sim.watch(|x| x.clk(), x)?;
                x = sim.watch(|x| !x.clk(), x)?;
            };
        }
        x = sim.watch(|x| !x.clk(), x)?;
        x.hold_inputs();
        // (a whole number of rounds, so that the first clock after it is phase 0)
        x.set_reset(true);
        for _ in 0..reset_clocks {
            cycle!();
        }
        x.set_reset(false);
        let mut prev: Vec<Obs> = Vec::new();
        let mut prev_tx = None;
        let mut cycle = 0u64;
        loop {
            // round `cycle`: every core's view in its phase; the running flags and the
            // unit as the last round edge left them
            x.set_rx(!rxq.is_empty(), *rxq.front().unwrap_or(&last_rx));
            let mut now: Vec<Option<Obs>> = vec![None; cores];
            let (mut tx, mut running) = (None, Vec::new());
            let mut unit = Ok(());
            for p in 0..phases {
                x = sim.wait(1, x)?;
                if p == 0 {
                    tx = x.tx();
                    running = (0..cores).map(|t| x.running(t)).collect();
                    if cycle > 0 {
                        unit = x.check_unit(&m, cycle - 1);
                    }
                }
                for (t, o) in now.iter_mut().enumerate() {
                    if t % phases == p {
                        *o = Some(x.obs(t));
                    }
                }
                cycle!();
            }
            let now: Vec<Obs> = now.into_iter().map(|o| o.unwrap()).collect();
            if now[0].uart_rx_strobe != 0 {
                last_rx = rxq.pop_front().unwrap_or(last_rx);
            }
            if cycle > 0 {
                // cycle − 1: during it, `prev`; after it, `now`
                let c = cycle - 1;
                for (t, during) in prev.iter().enumerate() {
                    let hw = HwCycle {
                        during,
                        after: &now[t],
                        tx: if t == 0 { prev_tx } else { None },
                        early_look: false,
                        running: running[t],
                    };
                    if let Err(d) = cmp.check(c, &m, &step, t, &hw) {
                        send.send(Err(d.to_string())).unwrap();
                        return sim.done(x);
                    }
                }
                if let Err(e) = unit {
                    send.send(Err(e)).unwrap();
                    return sim.done(x);
                }
                if step.halted || cycle >= max_cycles {
                    let stats = m.stats();
                    let run = Run {
                        cycles: cycle,
                        out,
                        stats,
                        switches,
                    };
                    send.send(Ok(run)).unwrap();
                    return sim.done(x);
                }
            }
            // the simulator's cycle `cycle`
            let ran: Vec<bool> = (0..cores).map(|t| m.core(t).running()).collect();
            m.step_into(&mut uart, &mut step);
            switches += (0..cores)
                .filter(|&t| m.core(t).running() != ran[t])
                .count() as u64;
            out.extend(step.uart_tx);
            prev = now;
            prev_tx = tx;
            cycle += 1;
        }
    });
    sim.run(
        Box::new(uut),
        100 * 10 * phases as u64 * (max_cycles + 2) + 10 * reset_clocks as u64 + 10_000,
    )
    .unwrap();
    recv.recv().unwrap()
}
