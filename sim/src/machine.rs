//! The machine: cores, the memory system (the store, and with several cores
//! their caches and the coherence unit), UART 0, the cycle counter, and the run
//! loops. A cycle has two phases: every core's cycle (its hits and requests),
//! then the unit's decision and the core-control writes; no result depends on
//! the order the cores are visited in.

use crate::core::{Core, CoreCounts, Saved};
use crate::cycle::{Ctl, Ctx};
use crate::fast::{self, Exit};
use crate::mem::check::{self, Shadow, Violation};
use crate::mem::store::Store;
use crate::mem::unit::{Coherence, Fault, Tick};
use crate::mem::Memory;
use crate::stats::{CoreStats, Counters, Stats};
use crate::step::{CoreStep, CycleKind, Step};
use crate::uart::{RxPort, TxPort, Uart};
use crate::{Config, Limits, Observer, Outcome, SimError};
use j1k_isa::RAM_WORDS;

/// The most cores a machine has.
pub const MAX_CORES: usize = 8;

/// A start or stop waiting for its target's instruction boundary: (the cycle it was
/// written, the writer, what).
type Pending = Option<(u64, usize, Ctl)>;

pub struct Machine {
    cfg: Config,
    cores: Vec<Core>,
    mem: Memory,
    rx: RxPort,
    tx: TxPort,
    cycles: u64,
    counters: Counters,
    end: &'static str,
    scratch: Step,
    pending: Vec<Pending>,
    /// Per core, the cycle at the end of which a start or stop last changed whether it
    /// runs; `None` since reset (the cores other than 0 count as stopped since before
    /// cycle 0). Core 0's remote pointer reads a core stopped in this cycle and the one
    /// before (docs/architecture.md §6). Kept here, not in the core, so that taking a
    /// core that ran ahead back to an earlier cycle cannot lose it.
    changed: Vec<Option<u64>>,
    ctl: Vec<(usize, Ctl)>,
    remote_writes: Vec<(usize, u16, u16)>,
    /// `--check-coherence`: the last write to every block word, and the first violation.
    shadow: Option<Shadow>,
    violation: Option<Violation>,
    /// The unit's completions when the clean copies were last checked.
    checked: u64,
    /// While [`Machine::run`] runs several cores ahead of the machine's cycle.
    lanes: Option<Lanes>,
    lane_step: CoreStep,
}

/// Each core's own time in the multi-core run loop ([`Machine::run`]). A core whose
/// next cycles are plain J1a cycles runs them ahead of the machine, alone: they touch
/// only its registers and RAM, which nothing else reads. The machine then steps the
/// cycles in which cores meet (key instructions, io, the unit) for the cores at that
/// cycle. Only a start or stop written to a core that ran ahead reaches into its past:
/// that core is taken back to its state when it began to run ahead (registers, and an
/// undo log of its RAM writes) and replayed to the cycle of the write.
struct Lanes {
    /// Cycles each core has executed (its time), `>=` the machine's.
    local: Vec<u64>,
    /// The core sits in a jump to itself from `local[k] - 1` on (it halted).
    parked: Vec<bool>,
    /// Its state when it began to run ahead, and the RAM words it wrote since.
    saved: Vec<Option<(u64, Saved)>>,
    undo: Vec<Vec<(u16, u16)>>,
}

/// The most cycles a core runs ahead in one go.
const AHEAD: u64 = 1 << 20;

/// The longest key instruction that touches nothing shared (`b!` through a null key).
const KEY_LOCAL_CYCLES: u64 = 3;

impl Lanes {
    /// Core `k` (ahead, or parked) brought to time `t`: the cycles before `t` as it
    /// ran them, nothing after — possibly in the middle of a key instruction, which the
    /// machine's cycles then go on with. `mem` is what its local key instructions read
    /// (the configuration and the null block).
    fn rewind(&mut self, k: usize, core: &mut Core, t: u64, mem: &mut Memory) {
        if self.parked[k] {
            // Every cycle since it parked was its jump to itself.
            core.counts.instructions += t.saturating_sub(self.local[k]);
            self.parked[k] = false;
        } else if self.local[k] > t {
            let (from, saved) = self.saved[k]
                .take()
                .expect("a core ahead has its start saved");
            core.restore(&saved, &self.undo[k]);
            // The replay: what the lane ran, plain cycles and local key instructions.
            let (mut ctl, mut rw, mut counters) = (Vec::new(), Vec::new(), Counters::default());
            let (mut rx, mut tx, mut step) =
                (RxPort::default(), TxPort::default(), CoreStep::default());
            let (mut utx, mut urx) = (None, None);
            let mut c = from;
            while c < t {
                if core.keys.busy.is_none() && core.next_plain() {
                    if let Exit::Slow = fast::run::<false>(core, &mut c, t, &mut Vec::new()) {
                        debug_assert!(core.next_key_is_local(), "the lane ran only local cycles");
                    } else {
                        continue;
                    }
                }
                let mut x = Ctx {
                    mem,
                    tile: k,
                    control: None,
                    ctl: &mut ctl,
                    remote_word: 0,
                    remote_writes: &mut rw,
                    counters: &mut counters,
                    rx: &mut rx,
                    tx: &mut tx,
                    now: c,
                    uart: None,
                    uart_tx: &mut utx,
                    uart_rx: &mut urx,
                };
                core.cycle(&mut x, &mut step);
                c += 1;
            }
        }
        self.local[k] = t;
    }
}

impl Machine {
    pub fn new(cfg: Config) -> Result<Machine, SimError> {
        if !(1..=MAX_CORES).contains(&cfg.cores) {
            return Err(SimError::Cores(cfg.cores));
        }
        if !(1..=16).contains(&cfg.cache_lines) {
            return Err(SimError::CacheLines(cfg.cache_lines));
        }
        cfg.key.validate().map_err(SimError::KeyConfig)?;
        if !cfg.worker_ram.is_power_of_two() || !(256..=RAM_WORDS).contains(&cfg.worker_ram) {
            return Err(SimError::WorkerRam(cfg.worker_ram));
        }
        let cores = (0..cfg.cores)
            .map(|i| Core::new(i as u16, if i == 0 { RAM_WORDS } else { cfg.worker_ram }))
            .collect();
        let coh = (cfg.cores > 1).then(|| {
            Coherence::new(
                cfg.cores,
                cfg.cache_lines,
                cfg.key.block_words as usize,
                cfg.key.node_slots as usize,
            )
        });
        Ok(Machine {
            mem: Memory {
                store: Store::new(cfg.key),
                coh,
            },
            pending: vec![None; cfg.cores],
            changed: vec![None; cfg.cores],
            ctl: Vec::new(),
            remote_writes: Vec::new(),
            shadow: None,
            violation: None,
            checked: 0,
            lanes: None,
            lane_step: CoreStep::default(),
            cfg,
            cores,
            rx: RxPort::default(),
            tx: TxPort::default(),
            cycles: 0,
            counters: Counters::default(),
            end: "running",
            scratch: Step::default(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Copies `words` into core `core`'s RAM (the rest zero) and resets the machine.
    pub fn load_image(&mut self, core: usize, words: &[u16]) -> Result<(), SimError> {
        let n = self.cores.len();
        let c = self
            .cores
            .get_mut(core)
            .ok_or(SimError::NoSuchCore(core, n))?;
        if words.len() > c.ram_words() {
            return Err(SimError::ImageTooLarge(words.len(), c.ram_words()));
        }
        c.load(words);
        self.reset();
        Ok(())
    }

    /// Copies `words` into every core's RAM (the rest zero) and resets the machine:
    /// a program for several cores is one image, each core with its own copy
    /// (docs/architecture.md §6). Core 0 runs it from word 0; a core of S < 4096 words
    /// holds the first S words.
    pub fn load_program(&mut self, words: &[u16]) -> Result<(), SimError> {
        if words.len() > RAM_WORDS {
            return Err(SimError::ImageTooLarge(words.len(), RAM_WORDS));
        }
        for c in &mut self.cores {
            let s = c.ram_words().min(words.len());
            c.load(&words[..s]);
        }
        self.reset();
        Ok(())
    }

    /// Resets every core (RAM is kept), the store, the cycle count and the
    /// statistics. UART 0's input position is kept: a byte already read from
    /// [`Uart::rx`] stays pending, and input once exhausted stays exhausted.
    pub fn reset(&mut self) {
        for c in &mut self.cores {
            c.reset();
        }
        self.mem.reset();
        self.tx.reset();
        self.cycles = 0;
        self.rx.wait = None;
        self.counters = Counters::default();
        self.end = "running";
        self.pending.fill(None);
        self.changed.fill(None);
        self.violation = None;
        self.checked = 0;
        if self.shadow.is_some() {
            self.shadow = Some(Shadow::new(&self.mem.store));
        }
    }

    /// `--check-coherence`: from now on, check the invariants of docs/architecture.md
    /// after every cycle; a run stops at the first violation ([`Outcome::Violation`]).
    /// Blocks seeded before this call count as written.
    pub fn check_coherence(&mut self) {
        self.shadow = Some(Shadow::new(&self.mem.store));
    }

    /// The first coherence violation found, if any.
    pub fn violation(&self) -> Option<&Violation> {
        self.violation.as_ref()
    }

    /// Breaks the protocol on purpose (tests show the checkers catch it). No effect on one core.
    pub fn inject_fault(&mut self, f: Fault) {
        if let Some(c) = &mut self.mem.coh {
            c.fault = f;
        }
    }

    /// The coherent part of the memory system (several cores), read-only.
    pub fn coherence(&self) -> Option<&Coherence> {
        self.mem.coh.as_ref()
    }

    /// Clock cycles since reset.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    pub fn cores(&self) -> usize {
        self.cores.len()
    }

    /// Core `i`, read-only. Panics if there is no such core.
    pub fn core(&self, i: usize) -> &Core {
        &self.cores[i]
    }

    /// The store: the home copy of every block (with several cores a modified
    /// cached copy is newer: see [`Machine::block`]), the nodes and the allocators.
    pub fn store(&self) -> &Store {
        &self.mem.store
    }

    /// The store, for tests and tools that seed node graphs (after `load_image`/`reset`,
    /// which clear it; before the first cycle, when no cache holds a block).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.mem.store
    }

    /// Block `b`'s words as the programs see them (a modified cached copy, else the store).
    pub fn block(&self, b: u16) -> Vec<u16> {
        self.mem.block_view(b)
    }

    /// True once UART 0's input has ended (`rx` returned `None`).
    pub fn input_exhausted(&self) -> bool {
        self.rx.exhausted
    }

    /// Models the hardware transmitter's busy time: after each byte TX ready reads low for
    /// `cycles` cycles (10 bit times: 10 × clock / baud), and a byte written meanwhile is
    /// lost. 0 (the default) is the simulator's UART, always ready (docs/isa.md §5).
    pub fn set_tx_busy_cycles(&mut self, cycles: u64) {
        self.tx.busy_cycles = cycles;
    }

    /// Bytes the program wrote while TX was busy (lost); 0 unless a busy time is set.
    pub fn tx_dropped(&self) -> u64 {
        self.tx.dropped
    }

    /// A byte arrives on UART 0's wire before the next cycle, into the one-byte receive
    /// register as in the hardware (hdl/src/uart.rs). True if it overwrote a byte the
    /// program had not read (an overrun). For a line driven by the clock (the simulated
    /// board on a pseudo-terminal); a run that takes its input from [`Uart::rx`] does not
    /// call it.
    pub fn receive(&mut self, byte: u8) -> bool {
        self.rx.arrive(byte)
    }

    pub fn stats(&self) -> Stats {
        let counts: Vec<CoreCounts> = self.cores.iter().map(|c| c.counts).collect();
        let mut st = self.counters.summary(self.cycles, self.end, &counts);
        st.cores = self
            .cores
            .iter()
            .enumerate()
            .map(|(i, c)| CoreStats {
                id: i,
                instructions: c.counts.instructions,
                stall_cycles: c.counts.stall_cycles,
                wait_cycles: c.counts.wait_cycles,
                idle_cycles: c.counts.idle_cycles,
                cache: self
                    .mem
                    .coh
                    .as_ref()
                    .map(|h| h.tiles[i].counters)
                    .unwrap_or_default(),
            })
            .collect();
        st.unit = self.mem.coh.as_ref().map(|h| h.counters);
        st
    }

    /// Exactly one clock cycle.
    pub fn step(&mut self, uart: &mut dyn Uart) -> Step {
        let mut s = Step::default();
        self.step_into(uart, &mut s);
        s
    }

    /// [`step`](Self::step) into `s`, reusing its storage (for a caller that steps
    /// every cycle, as lockstep does).
    pub fn step_into(&mut self, uart: &mut dyn Uart, s: &mut Step) {
        let now = self.cycles;
        s.cycle = now;
        s.uart_tx = None;
        s.uart_rx = None;
        s.cores.resize(self.cores.len(), CoreStep::default());
        let mut all_halt = true;
        let control = self.mem.coh.is_some().then(|| {
            let running = self
                .cores
                .iter()
                .enumerate()
                .fold(0u16, |m, (i, c)| m | (c.running as u16) << i);
            (running, self.cores.len() as u16)
        });
        // What core 0's remote pointer reads (the only one: docs/architecture.md §6): the
        // word of a core stopped in this cycle and in the one before, as it is now; else 0.
        // (The target's block RAM serves the pointer from the first cycle of a stop and
        // answers a cycle later.) A stopped core never runs ahead, so its RAM is as of now.
        let mut remote = 0;
        if control.is_some() {
            let p = self.cores[0].io.remote;
            let t = (p >> 13) as usize;
            if let Some(c) = self.cores.get(t) {
                if !c.running && self.changed[t].is_none_or(|x| x + 2 <= now) {
                    remote = c.ram[(p & 0xfff) as usize];
                }
            }
        }
        // Phase 1: every core's cycle.
        for (i, (core, cs)) in self.cores.iter_mut().zip(s.cores.iter_mut()).enumerate() {
            if let Some(l) = &self.lanes {
                if l.parked[i] || l.local[i] > now {
                    // Ran ahead through this cycle (a plain one), or halted before it.
                    *cs = CoreStep {
                        kind: CycleKind::Execute,
                        halt: l.parked[i],
                        ..CoreStep::default()
                    };
                    all_halt &= l.parked[i] || !core.running;
                    continue;
                }
            }
            if !core.running {
                *cs = CoreStep {
                    pc: core.pc,
                    insn: core.insn,
                    kind: CycleKind::Idle,
                    ..CoreStep::default()
                };
                core.counts.count(CycleKind::Idle);
                continue;
            }
            let mut x = Ctx {
                mem: &mut self.mem,
                tile: i,
                control,
                ctl: &mut self.ctl,
                remote_word: if i == 0 { remote } else { 0 },
                remote_writes: &mut self.remote_writes,
                counters: &mut self.counters,
                rx: &mut self.rx,
                tx: &mut self.tx,
                now,
                uart: if i == 0 { Some(&mut *uart) } else { None },
                uart_tx: &mut s.uart_tx,
                uart_rx: &mut s.uart_rx,
            };
            core.cycle(&mut x, cs);
            all_halt &= cs.halt;
            // The lower-numbered writer wins a target written by two in one cycle.
            for (target, c) in self.ctl.drain(..) {
                match self.pending.get_mut(target) {
                    Some(Some((at, _, _))) if *at == now => {}
                    Some(p) => *p = Some((now, i, c)),
                    None => {}
                }
            }
        }
        // Phase 2: the unit, then starts and stops at their targets' instruction boundaries.
        s.granted = None;
        s.completed = None;
        if let Some(coh) = &mut self.mem.coh {
            match coh.tick(now, &mut self.mem.store) {
                Tick::Granted(x) => s.granted = Some(x),
                Tick::Completed(x) => s.completed = Some(x),
                Tick::Idle | Tick::Busy => {}
            }
        }
        // Core 0's remote RAM write lands in a stopped core only.
        for (t, a, v) in self.remote_writes.drain(..) {
            if let Some(c) = self.cores.get_mut(t).filter(|c| !c.running) {
                c.write_ram(a as usize, v);
            }
        }
        for (k, core) in self.cores.iter_mut().enumerate() {
            let Some((_, _, c)) = self.pending[k] else {
                continue;
            };
            let mut mid = matches!(s.cores[k].kind, CycleKind::Stall | CycleKind::Wait);
            if let Some(l) = &mut self.lanes {
                // A core that ran ahead (or parked) is taken back to the end of this cycle;
                // in its lane this cycle may have been one of a local key instruction's.
                let ahead = l.local[k] > now + 1 && !l.parked[k];
                l.rewind(k, core, now + 1, &mut self.mem);
                if ahead {
                    mid = core.keys.busy.is_some();
                }
            }
            if core.running && mid {
                continue;
            }
            let was = core.running;
            match c {
                Ctl::Start(a) => core.start(a),
                Ctl::Stop => core.running = false,
            }
            if core.running != was {
                self.changed[k] = Some(now);
            }
            self.pending[k] = None;
        }
        self.cycles += 1;
        s.halted = all_halt;
        if s.uart_tx.is_some() || s.uart_rx.is_some() {
            self.rx.wait = None;
        }
        if self.shadow.is_some() && self.violation.is_none() {
            self.violation = self.check(s).err();
        }
    }

    /// `--check-coherence` after cycle `s`: reads against the last writes, then the writes,
    /// then the states.
    fn check(&mut self, s: &Step) -> Result<(), Violation> {
        let now = s.cycle;
        let coh = self.mem.coh.as_ref();
        let report = |block: Option<u16>, what: String| Violation {
            cycle: now,
            block,
            what,
            tiles: coh.map(|c| check::describe(c, block)).unwrap_or_default(),
        };
        let shadow = self.shadow.as_mut().expect("checking");
        for (i, cs) in s.cores.iter().enumerate() {
            if let Some((b, w, v)) = cs.block_read {
                shadow
                    .read(b, w, v)
                    .map_err(|e| report(Some(b), format!("core {i}: {e}")))?;
            }
        }
        for cs in &s.cores {
            if let Some((b, w, v)) = cs.block_write {
                shadow.write(b, w, v);
            }
        }
        if let Some(c) = coh {
            check::single_writer(c).map_err(|(b, e)| report(Some(b), e))?;
            // Copies change only when a transaction completes.
            if c.completions != self.checked {
                self.checked = c.completions;
                check::clean_copies(c, &self.mem.store).map_err(|(b, e)| report(Some(b), e))?;
            }
            check::bounded_waits(c, now).map_err(|(_, e)| report(None, e))?;
        }
        Ok(())
    }

    /// The end condition that holds now, before another cycle, if any.
    fn ended(&self, limits: &Limits) -> Option<Outcome> {
        limits.ended(self.cycles, self.rx.wait)
    }

    /// The cycle count at which a limit can end the run if nothing else happens.
    fn deadline(&self, limits: &Limits) -> u64 {
        limits.deadline(self.cycles, self.rx.wait)
    }

    fn finish(&mut self, o: Outcome) -> Outcome {
        self.end = o.name();
        o
    }

    /// Runs until a halt, an idle end or the cycle limit, with no per-cycle callbacks.
    pub fn run(&mut self, uart: &mut dyn Uart, limits: &Limits) -> Outcome {
        if self.cores.len() > 1 && self.shadow.is_none() {
            return self.run_ahead(uart, limits);
        }
        let mut s = std::mem::take(&mut self.scratch);
        let o = loop {
            if let Some(o) = self.ended(limits) {
                break o;
            }
            if self.violation.is_some() {
                break Outcome::Violation;
            }
            // (several cores come here only under --check-coherence, stepped every cycle)
            if self.cores.len() == 1 && self.cores[0].fast_ok() {
                let limit = self.deadline(limits);
                match fast::run::<false>(
                    &mut self.cores[0],
                    &mut self.cycles,
                    limit,
                    &mut Vec::new(),
                ) {
                    Exit::Halted => break Outcome::Halted,
                    Exit::Limit => continue,
                    Exit::Slow => {}
                }
            }
            self.step_into(uart, &mut s);
            if s.halted {
                break Outcome::Halted;
            }
        };
        self.scratch = s;
        self.finish(o)
    }

    /// [`run`](Self::run) for several cores: each core runs its plain cycles ahead
    /// of the machine (see [`Lanes`]), the machine steps the cycles where they meet.
    fn run_ahead(&mut self, uart: &mut dyn Uart, limits: &Limits) -> Outcome {
        let n = self.cores.len();
        self.lanes = Some(Lanes {
            local: vec![self.cycles; n],
            parked: vec![false; n],
            saved: vec![None; n],
            undo: vec![Vec::new(); n],
        });
        let mut s = std::mem::take(&mut self.scratch);
        let o = loop {
            let g = self.cycles;
            if let Some(o) = self.ended(limits) {
                break o;
            }
            // Not past the end of the run, whatever ends it (an idle end comes
            // `idle_cycles` after a wait began, and a wait begins in a stepped cycle).
            let h = self.deadline(limits).min(g + AHEAD);
            let l = self.lanes.as_mut().expect("lanes");
            let (mut tx, mut rx) = (None, None);
            for (k, c) in self.cores.iter_mut().enumerate() {
                let local = |c: &Core| c.fast_ok() && (c.next_plain() || c.next_key_is_local());
                if l.local[k] != g || l.parked[k] || !c.running || !local(c) {
                    continue;
                }
                l.saved[k] = Some((g, c.save()));
                l.undo[k].clear();
                let mut t = g;
                // Plain cycles on the fast path; key instructions that touch nothing
                // shared (bsel, bcopy, ...) in the general cycle, in the core's lane.
                while t < h && local(c) {
                    if c.next_plain() {
                        match fast::run::<true>(c, &mut t, h, &mut l.undo[k]) {
                            Exit::Halted => {
                                l.parked[k] = true;
                                break;
                            }
                            Exit::Limit => break,
                            Exit::Slow => continue,
                        }
                    }
                    if t + KEY_LOCAL_CYCLES > h {
                        break;
                    }
                    let mut x = Ctx {
                        mem: &mut self.mem,
                        tile: k,
                        control: None,
                        ctl: &mut self.ctl,
                        remote_word: 0,
                        remote_writes: &mut self.remote_writes,
                        counters: &mut self.counters,
                        rx: &mut self.rx,
                        tx: &mut self.tx,
                        now: t,
                        uart: None,
                        uart_tx: &mut tx,
                        uart_rx: &mut rx,
                    };
                    loop {
                        c.cycle(&mut x, &mut self.lane_step);
                        t += 1;
                        if c.keys.busy.is_none() {
                            break;
                        }
                    }
                }
                l.local[k] = t;
            }
            let live = (0..n).filter(|&k| self.cores[k].running && !l.parked[k]);
            match live.map(|k| l.local[k]).min() {
                // Every core that runs has halted: the run ends with the last halt.
                None if (0..n).any(|k| l.parked[k]) => {
                    let t = (0..n).filter(|&k| l.parked[k]).map(|k| l.local[k]).max();
                    self.advance(t.unwrap_or(g).max(g));
                    break Outcome::Halted;
                }
                Some(m) if m > g => {
                    self.advance(m);
                    continue;
                }
                _ => {}
            }
            self.step_into(uart, &mut s);
            let l = self.lanes.as_mut().expect("lanes");
            for k in 0..n {
                if l.local[k] == g && !l.parked[k] {
                    l.local[k] = g + 1;
                }
            }
            if s.halted {
                break Outcome::Halted;
            }
        };
        // Every core to the machine's cycle (only parked ones can be behind it).
        let mut l = self.lanes.take().expect("lanes");
        for (k, c) in self.cores.iter_mut().enumerate() {
            debug_assert!(l.local[k] <= self.cycles || !c.running);
            l.rewind(k, c, self.cycles, &mut self.mem);
            c.halted |= l.parked[k];
        }
        self.scratch = s;
        self.finish(o)
    }

    /// The machine moves on to cycle `t` while every core runs ahead or is stopped or
    /// halted: nothing shared happens in those cycles (no core meets the unit).
    fn advance(&mut self, t: u64) {
        debug_assert!(self
            .mem
            .coh
            .as_ref()
            .is_none_or(|h| h.active.is_none() && h.tiles.iter().all(|x| x.request.is_none())));
        for c in &mut self.cores {
            if !c.running {
                c.counts.idle_cycles += t - self.cycles;
            }
        }
        self.cycles = t;
    }

    /// Like [`run`](Self::run), calling `obs` after every cycle.
    pub fn run_observed(
        &mut self,
        uart: &mut dyn Uart,
        limits: &Limits,
        obs: &mut dyn Observer,
    ) -> Outcome {
        let mut s = std::mem::take(&mut self.scratch);
        let o = loop {
            if let Some(o) = self.ended(limits) {
                break o;
            }
            if self.violation.is_some() {
                break Outcome::Violation;
            }
            self.step_into(uart, &mut s);
            obs.after_cycle(self, &s);
            if s.halted {
                break Outcome::Halted;
            }
        };
        self.scratch = s;
        self.finish(o)
    }
}
