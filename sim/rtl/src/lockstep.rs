//! Lockstep: the Rust model and the RTL side by side, cycle by cycle, until
//! they differ or the run ends. Compared every cycle, for every core: what the
//! cycle did (pc, instruction, halt, RAM write, block write, node-slot write,
//! UART bytes) and the state after it (pc, instruction register, T, N, R, stack
//! depths, LEDs, key registers, current selectors, fault count, key unit busy,
//! and on several cores whether the core runs); on several cores, the coherence
//! unit after every cycle (every tile's lines and request, the transaction).
//!
//! The RTL runs ahead in batches of cycles that need nothing from the console
//! ([`Rtl::run_until_event`]), recording what each showed; the Rust model then
//! steps through the same cycles and each is compared in turn, so a difference
//! is reported at its own cycle, with the same fields, wherever it falls in a
//! batch. A cycle that moves a UART byte or asks for input is run on both sides
//! one at a time ([`Rtl::step`]), the Rust model first, as the console needs.

use crate::{Rtl, Trace};
pub use j1k_sim::lockstep::Divergence;
use j1k_sim::lockstep::{Comparator, HwCycle};
use j1k_sim::{Limits, Machine, Outcome, Step, Uart};
use std::collections::VecDeque;

/// Feeds both sides the same input: the Rust model reads the real console, and
/// the RTL replays what it got. Output is compared, and written once.
struct Tee<'a> {
    console: &'a mut dyn Uart,
    replay: VecDeque<u8>,
    console_done: bool,
}

struct RustSide<'t, 'a>(&'t mut Tee<'a>);
struct RtlSide<'t, 'a> {
    tee: &'t mut Tee<'a>,
    tx: Vec<u8>,
    /// The RTL looked at RX where the Rust model had not.
    early_look: bool,
}

impl Uart for RustSide<'_, '_> {
    fn rx(&mut self) -> Option<u8> {
        let b = self.0.console.rx();
        match b {
            Some(b) => self.0.replay.push_back(b),
            None => self.0.console_done = true,
        }
        b
    }
    fn tx(&mut self, byte: u8) {
        self.0.console.tx(byte);
    }
}

impl Uart for RtlSide<'_, '_> {
    fn rx(&mut self) -> Option<u8> {
        match self.tee.replay.pop_front() {
            Some(b) => Some(b),
            None => {
                if !self.tee.console_done {
                    self.early_look = true;
                }
                None
            }
        }
    }
    fn tx(&mut self, byte: u8) {
        self.tx.push(byte);
    }
}

/// How many cycles the RTL runs ahead of the comparison at most in [`lockstep`].
pub const LOCKSTEP_BATCH: u64 = 1024;

/// Runs `m` and `rtl` (both freshly loaded with the same image) side by side.
pub fn lockstep(
    m: &mut Machine,
    rtl: &mut Rtl,
    console: &mut dyn Uart,
    limits: &Limits,
) -> Result<Outcome, Box<Divergence>> {
    lockstep_batched(m, rtl, console, limits, LOCKSTEP_BATCH)
}

/// [`lockstep`] with the RTL at most `batch` cycles ahead of the comparison; 0
/// runs every cycle of both through [`Rtl::step`] and [`Machine::step_into`], the
/// reference the batches must equal. Which cycle differs first, and how, does not
/// depend on `batch`; after a difference the RTL may have run up to `batch` - 1
/// cycles further than the cycle reported.
pub fn lockstep_batched(
    m: &mut Machine,
    rtl: &mut Rtl,
    console: &mut dyn Uart,
    limits: &Limits,
    batch: u64,
) -> Result<Outcome, Box<Divergence>> {
    let cmp = Comparator::new(Some(&m.config().key));
    let mut tee = Tee {
        console,
        replay: VecDeque::new(),
        console_done: false,
    };
    let n = rtl.cores();
    // (whether a core runs is compared on several cores; a one-core top has no such port)
    let running = |mask: u32, k: usize| (n > 1).then_some(mask >> k & 1 != 0);
    let mut trace = Trace::default();
    let mut step = Step::default();
    loop {
        // The same end rules as Machine::run (the RTL side keeps the same
        // counters, and any difference in UART traffic has already stopped us).
        if let Some(o) = rtl.ended(limits) {
            return Ok(o);
        }
        if batch > 0 {
            trace.clear();
            let left = rtl.cycles_left(limits).min(batch);
            let ran = rtl.run_until_event(left, Some(&mut trace));
            if ran.cycles > 0 {
                let (now, now_running) = (rtl.observe_all(), rtl.running());
                let now_unit = (n > 1).then(|| rtl.observe_unit());
                for i in 0..ran.cycles as usize {
                    let cycle = m.cycles();
                    m.step_into(&mut RustSide(&mut tee), &mut step);
                    let after = trace.obs.get((i + 1) * n..(i + 2) * n).unwrap_or(&now);
                    let after_running = trace.runs.get(i + 1).copied().unwrap_or(now_running);
                    let during = &trace.obs[i * n..(i + 1) * n];
                    for (k, (during, after)) in during.iter().zip(after).enumerate() {
                        let rtl_cycle = HwCycle {
                            during,
                            after,
                            tx: None,
                            early_look: false,
                            running: running(after_running, k),
                        };
                        cmp.check(cycle, m, &step, k, &rtl_cycle)?;
                    }
                    if let (Some(u), Some(now_unit)) = (m.coherence(), &now_unit) {
                        let after = trace.units.get(i + 1).unwrap_or(now_unit);
                        cmp.check_unit(cycle, u, after)?;
                    }
                    // (the RTL's halt stops a batch, so a halt here differs above)
                    if step.halted {
                        return Ok(Outcome::Halted);
                    }
                }
            }
            if !ran.event {
                continue;
            }
        }
        // A cycle that needs the console: the Rust model first (it reads the
        // real console), then the RTL (it replays what the Rust model got).
        let cycle = m.cycles();
        m.step_into(&mut RustSide(&mut tee), &mut step);
        let mut side = RtlSide {
            tee: &mut tee,
            tx: Vec::new(),
            early_look: false,
        };
        let during = rtl.step_all(&mut side);
        let (after, after_running) = (rtl.observe_all(), rtl.running());
        for (k, (during, after)) in during.obs.iter().zip(&after).enumerate() {
            let rtl_cycle = HwCycle {
                during,
                after,
                tx: if k == 0 {
                    side.tx.first().copied()
                } else {
                    None
                },
                early_look: k == 0 && side.early_look,
                running: running(after_running, k),
            };
            cmp.check(cycle, m, &step, k, &rtl_cycle)?;
        }
        if let Some(u) = m.coherence() {
            cmp.check_unit(cycle, u, &rtl.observe_unit())?;
        }
        if step.halted {
            return Ok(Outcome::Halted);
        }
    }
}
