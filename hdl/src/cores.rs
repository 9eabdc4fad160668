//! Core control of a build of several cores (docs/architecture.md §6): which cores run,
//! the start and stop writes waiting for their target's instruction boundary, and
//! whether a stopped core's RAM answers the remote pointer. As the simulator's
//! `Machine::step_into`: this cycle's writes to one target, the lowest-numbered writer's
//! wins and replaces a waiting one; a write acts at the end of the first cycle from its
//! own on in which the target is stopped or not in a key instruction's middle (`mid`); a
//! start clears the target's registers (the tile does) and runs it at `start_pc`.

use crate::step_reg::StepReg;
use crate::util::{k, Zext};
use rust_hdl::prelude::*;

/// One target core's control: its running flag and its waiting write.
#[derive(LogicBlock)]
pub struct CoreSlot<const N: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The round edge: the registers step (tied high with one context).
    pub step: Signal<In, Bit>,
    /// Every core's write of this cycle (its io top's `w_*`), core w's at bit w, bits
    /// 3w.., 12w.. (buses: rust-hdl's Verilog cannot index an array of a block array).
    pub w_start: Signal<In, Bits<8>>,
    pub w_stop: Signal<In, Bits<8>>,
    pub w_target: Signal<In, Bits<24>>,
    pub w_addr: Signal<In, Bits<64>>,
    /// The target is in a key instruction's middle this cycle.
    pub mid: Signal<In, Bit>,
    pub run: Signal<Out, Bit>,
    pub start: Signal<Out, Bit>,
    pub start_pc: Signal<Out, Bits<12>>,
    /// Stopped in this cycle and the one before: its RAM's read data are the word at
    /// the remote pointer.
    pub settled: Signal<Out, Bit>,
    rn: StepReg<Bit>,
    was: StepReg<Bit>,
    pv: StepReg<Bit>,
    ps: StepReg<Bit>,
    pa: StepReg<Bits<12>>,
    nv: Signal<Local, Bit>,
    ns: Signal<Local, Bit>,
    na: Signal<Local, Bits<12>>,
    ev: Signal<Local, Bit>,
    es: Signal<Local, Bit>,
    ea: Signal<Local, Bits<12>>,
    apply: Signal<Local, Bit>,
    ts: Signal<Local, Bits<24>>,
    as_: Signal<Local, Bits<64>>,
    ss: Signal<Local, Bits<8>>,
    ps_: Signal<Local, Bits<8>>,
    sh1: [Constant<Bits<8>>; N],
    sh3: [Constant<Bits<24>>; N],
    sh12: [Constant<Bits<64>>; N],
    me: Constant<Bits<3>>,
    first: Constant<Bit>,
    z12: Constant<Bits<12>>,
}

impl<const N: usize> CoreSlot<N> {
    /// The slot of core `id` (core 0 runs after reset, the others are stopped).
    pub fn new(id: usize) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            step: Default::default(),
            w_start: Default::default(),
            w_stop: Default::default(),
            w_target: Default::default(),
            w_addr: Default::default(),
            mid: Default::default(),
            run: Default::default(),
            start: Default::default(),
            start_pc: Default::default(),
            settled: Default::default(),
            rn: Default::default(),
            was: Default::default(),
            pv: Default::default(),
            ps: Default::default(),
            pa: Default::default(),
            nv: Default::default(),
            ns: Default::default(),
            na: Default::default(),
            ev: Default::default(),
            es: Default::default(),
            ea: Default::default(),
            apply: Default::default(),
            ts: Default::default(),
            as_: Default::default(),
            ss: Default::default(),
            ps_: Default::default(),
            sh1: std::array::from_fn(|w| k(w as u64)),
            sh3: std::array::from_fn(|w| k(3 * w as u64)),
            sh12: std::array::from_fn(|w| k(12 * w as u64)),
            me: k(id as u64),
            first: Constant::new(id == 0),
            z12: k(0),
        }
    }
}

impl<const N: usize> Logic for CoreSlot<N> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rn, was, pv, ps, pa);
        self.rn.en.next = self.step.val();
        self.was.en.next = self.step.val();
        self.pv.en.next = self.step.val();
        self.ps.en.next = self.step.val();
        self.pa.en.next = self.step.val();
        // this cycle's write to this core: the lowest-numbered writer's
        self.nv.next = false;
        self.ns.next = false;
        self.na.next = self.z12.val();
        for w in 0..N {
            self.ss.next = self.w_start.val() >> self.sh1[w].val();
            self.ps_.next = self.w_stop.val() >> self.sh1[w].val();
            self.ts.next = self.w_target.val() >> self.sh3[w].val();
            self.as_.next = self.w_addr.val() >> self.sh12[w].val();
            if (self.ss.val().get_bit(0) || self.ps_.val().get_bit(0))
                && (self.ts.val().get_bits::<3>(0) == self.me.val())
                && !self.nv.val()
            {
                self.nv.next = true;
                self.ns.next = self.ss.val().get_bit(0);
                self.na.next = self.as_.val().get_bits::<12>(0);
            }
        }
        self.ev.next = self.pv.q.val();
        self.es.next = self.ps.q.val();
        self.ea.next = self.pa.q.val();
        if self.nv.val() {
            self.ev.next = true;
            self.es.next = self.ns.val();
            self.ea.next = self.na.val();
        }
        self.apply.next = self.ev.val() && (!self.rn.q.val() || !self.mid.val());
        self.pv.d.next = self.ev.val() && !self.apply.val();
        self.ps.d.next = self.es.val();
        self.pa.d.next = self.ea.val();
        if self.apply.val() {
            self.rn.d.next = self.es.val();
        }
        self.was.d.next = !self.rn.q.val();
        if self.reset.val() {
            self.rn.d.next = self.first.val();
            self.was.d.next = !self.first.val();
            self.pv.d.next = false;
        }
        self.run.next = self.rn.q.val();
        self.start.next = self.apply.val() && self.es.val() && !self.reset.val();
        self.start_pc.next = self.ea.val();
        self.settled.next = !self.rn.q.val() && self.was.q.val();
    }
}

/// Every core's slot, and the running mask the io ports read at `$0100`.
#[derive(LogicBlock)]
pub struct CoreCtl<const N: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The round edge: the registers step (tied high with one context).
    pub step: Signal<In, Bit>,
    pub w_start: [Signal<In, Bit>; N],
    pub w_stop: [Signal<In, Bit>; N],
    pub w_target: [Signal<In, Bits<3>>; N],
    pub w_addr: [Signal<In, Bits<12>>; N],
    pub mid: [Signal<In, Bit>; N],
    pub run: [Signal<Out, Bit>; N],
    pub start: [Signal<Out, Bit>; N],
    pub start_pc: [Signal<Out, Bits<12>>; N],
    pub settled: [Signal<Out, Bit>; N],
    /// Bit k: core k runs.
    pub running: Signal<Out, Bits<8>>,
    slot: [CoreSlot<N>; N],
    bit: [Constant<Bits<8>>; N],
    z8: Constant<Bits<8>>,
    z24: Constant<Bits<24>>,
    z96: Constant<Bits<64>>,
    sh3: [Constant<Bits<24>>; N],
    sh12: [Constant<Bits<64>>; N],
    tz: [Zext<3, 24>; N],
    az: [Zext<12, 64>; N],
    sbus: Signal<Local, Bits<8>>,
    pbus: Signal<Local, Bits<8>>,
    tbus: Signal<Local, Bits<24>>,
    abus: Signal<Local, Bits<64>>,
}

impl<const N: usize> Default for CoreCtl<N> {
    fn default() -> Self {
        assert!(
            (2..=5).contains(&N),
            "2 to 5 cores (the start-address bus is 64 bits)"
        );
        Self {
            clock: Default::default(),
            reset: Default::default(),
            step: Default::default(),
            w_start: std::array::from_fn(|_| Default::default()),
            w_stop: std::array::from_fn(|_| Default::default()),
            w_target: std::array::from_fn(|_| Default::default()),
            w_addr: std::array::from_fn(|_| Default::default()),
            mid: std::array::from_fn(|_| Default::default()),
            run: std::array::from_fn(|_| Default::default()),
            start: std::array::from_fn(|_| Default::default()),
            start_pc: std::array::from_fn(|_| Default::default()),
            settled: std::array::from_fn(|_| Default::default()),
            running: Default::default(),
            slot: std::array::from_fn(CoreSlot::new),
            bit: std::array::from_fn(|i| k(1 << i)),
            z8: k(0),
            z24: k(0),
            z96: k(0),
            sh3: std::array::from_fn(|w| k(3 * w as u64)),
            sh12: std::array::from_fn(|w| k(12 * w as u64)),
            tz: std::array::from_fn(|_| Default::default()),
            az: std::array::from_fn(|_| Default::default()),
            sbus: Default::default(),
            pbus: Default::default(),
            tbus: Default::default(),
            abus: Default::default(),
        }
    }
}

impl<const N: usize> Logic for CoreCtl<N> {
    #[hdl_gen]
    fn update(&mut self) {
        self.running.next = self.z8.val();
        for t in 0..N {
            self.slot[t].clock.next = self.clock.val();
            self.slot[t].reset.next = self.reset.val();
            self.slot[t].step.next = self.step.val();
            self.slot[t].mid.next = self.mid[t].val();
            self.run[t].next = self.slot[t].run.val();
            self.start[t].next = self.slot[t].start.val();
            self.start_pc[t].next = self.slot[t].start_pc.val();
            self.settled[t].next = self.slot[t].settled.val();
            if self.slot[t].run.val() {
                self.running.next = self.running.val() | self.bit[t].val();
            }
        }
        self.sbus.next = self.z8.val();
        self.pbus.next = self.z8.val();
        self.tbus.next = self.z24.val();
        self.abus.next = self.z96.val();
        for w in 0..N {
            if self.w_start[w].val() {
                self.sbus.next = self.sbus.val() | self.bit[w].val();
            }
            if self.w_stop[w].val() {
                self.pbus.next = self.pbus.val() | self.bit[w].val();
            }
            self.tz[w].a.next = self.w_target[w].val();
            self.az[w].a.next = self.w_addr[w].val();
            self.tbus.next = self.tbus.val() | (self.tz[w].y.val() << self.sh3[w].val());
            self.abus.next = self.abus.val() | (self.az[w].y.val() << self.sh12[w].val());
        }
        for t in 0..N {
            self.slot[t].w_start.next = self.sbus.val();
            self.slot[t].w_stop.next = self.pbus.val();
            self.slot[t].w_target.next = self.tbus.val();
            self.slot[t].w_addr.next = self.abus.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    fn write(x: &mut CoreCtl<3>, w: usize, start: bool, target: u64, addr: u64) {
        x.w_start[w].next = start;
        x.w_stop[w].next = !start;
        x.w_target[w].next = bits::<3>(target);
        x.w_addr[w].next = bits::<12>(addr);
    }

    fn quiet(x: &mut CoreCtl<3>) {
        for w in 0..3 {
            x.w_start[w].next = false;
            x.w_stop[w].next = false;
        }
    }

    /// After reset only core 0 runs; a start of a stopped core acts at once; a stop of a
    /// core in a key instruction's middle waits for its boundary; two writers to one
    /// target in one cycle: the lower-numbered wins.
    #[test]
    fn core_ctl_simulates() {
        let mut uut = CoreCtl::<3>::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<CoreCtl<3>>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<CoreCtl<3>>| {
            let mut x = sim.init()?;
            x.step.next = true;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            sim_assert_eq!(sim, x.running.val(), bits::<8>(1), x);
            sim_assert!(sim, x.settled[1].val() && !x.settled[0].val(), x);
            // core 0 starts core 1 at word $123: at once
            write(&mut x, 0, true, 1, 0x123);
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.start[1].val(), x);
            sim_assert_eq!(sim, x.start_pc[1].val(), bits::<12>(0x123), x);
            wait_clock_cycle!(sim, clock, x);
            quiet(&mut x);
            sim_assert_eq!(sim, x.running.val(), bits::<8>(3), x);
            sim_assert!(sim, !x.settled[1].val(), x);
            // core 1 is mid-instruction for two cycles: core 0's stop waits
            x.mid[1].next = true;
            write(&mut x, 0, false, 1, 0);
            wait_clock_cycle!(sim, clock, x);
            quiet(&mut x);
            sim_assert_eq!(sim, x.running.val(), bits::<8>(3), x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.running.val(), bits::<8>(3), x);
            x.mid[1].next = false;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.running.val(), bits::<8>(1), x);
            // stopped one cycle: not settled yet; the next, settled
            sim_assert!(sim, !x.settled[1].val(), x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, x.settled[1].val(), x);
            // cores 2 and 1 write core 2 in one cycle: core 1's start wins over 2's stop
            write(&mut x, 2, false, 2, 0);
            write(&mut x, 1, true, 2, 0x40);
            x = sim.wait(1, x)?;
            sim_assert!(sim, x.start[2].val(), x);
            sim_assert_eq!(sim, x.start_pc[2].val(), bits::<12>(0x40), x);
            wait_clock_cycle!(sim, clock, x);
            quiet(&mut x);
            sim_assert_eq!(sim, x.running.val(), bits::<8>(5), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn core_ctl_yosys_validate() {
        let mut uut = CoreCtl::<4>::default();
        uut.connect_all();
        validate("j1k_core_ctl", &crate::util::verilog(&uut));
    }
}
