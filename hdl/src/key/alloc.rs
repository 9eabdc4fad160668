//! A bump allocator: hands out `first`, `first + 1`, … up to `limit − 1`
//! (blocks from 1, nodes from 2: the null block, null node and root node are
//! never handed out). `take` moves it on at the end of the cycle. The pointer
//! holds only the bits `limit − 1` needs (masked, so yosys drops the others);
//! after the last index it wraps, and `idx` means nothing while `avail` is
//! false. `avail` comes straight from a register: a take clears it when the
//! pointer is at `limit − 1`, an equality with a constant (a few LUTs; a
//! less-than on the incremented pointer took a carry chain and twice the LUTs).

use crate::step_reg::StepReg;
use crate::util::k;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Allocator {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The round edge: the registers step (tied high with one context).
    pub step: Signal<In, Bit>,
    pub take: Signal<In, Bit>,
    /// The index the next `take` gets.
    pub idx: Signal<Out, Bits<16>>,
    /// An index is left.
    pub avail: Signal<Out, Bit>,
    ptr: StepReg<Bits<16>>,
    avail_r: StepReg<Bit>,
    ptr_n: Signal<Local, Bits<16>>,
    /// An index is left after this one (`ptr != limit − 1`).
    more: Signal<Local, Bit>,
    first: Constant<Bits<16>>,
    last: Constant<Bits<16>>,
    /// `first < limit`: any index at all.
    any: Constant<Bit>,
    one: Constant<Bits<16>>,
    pmask: Constant<Bits<16>>,
}

impl Allocator {
    pub fn new(first: u16, limit: u16) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            step: Default::default(),
            take: Default::default(),
            idx: Default::default(),
            avail: Default::default(),
            ptr: Default::default(),
            avail_r: Default::default(),
            ptr_n: Default::default(),
            more: Default::default(),
            first: k(first as u64),
            last: k(limit.saturating_sub(1) as u64),
            any: Constant::new(first < limit),
            one: k(1),
            pmask: k(((limit as u64).next_power_of_two() - 1) & 0xffff),
        }
    }
}

impl Logic for Allocator {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, ptr, avail_r);
        self.ptr.en.next = self.step.val();
        self.avail_r.en.next = self.step.val();
        self.idx.next = self.ptr.q.val();
        self.avail.next = self.avail_r.q.val();
        self.ptr_n.next = self.ptr.q.val() & self.pmask.val();
        self.more.next = self.avail_r.q.val() && (self.ptr.q.val() != self.last.val());
        if self.take.val() && self.avail_r.q.val() {
            self.ptr_n.next = (self.ptr.q.val() + self.one.val()) & self.pmask.val();
        }
        if self.reset.val() {
            self.ptr_n.next = self.first.val();
        }
        self.ptr.d.next = self.ptr_n.val() & self.pmask.val();
        // whether one more is left after a take: from the registers, `take` last
        self.avail_r.d.next = self.avail_r.q.val();
        if self.take.val() {
            self.avail_r.d.next = self.more.val();
        }
        if self.reset.val() {
            self.avail_r.d.next = self.any.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    #[test]
    fn allocator_simulates() {
        let mut uut = Allocator::new(2, 4);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Allocator>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Allocator>| {
            let mut x = sim.init()?;
            x.step.next = true;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            sim_assert!(sim, x.avail.val() && x.idx.val() == bits::<16>(2), x);
            x.take.next = true;
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, x.avail.val() && x.idx.val() == bits::<16>(3), x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.avail.val(), x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.avail.val(), x);
            // reset starts again
            x.take.next = false;
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            sim_assert!(sim, x.avail.val() && x.idx.val() == bits::<16>(2), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn allocator_yosys_validate() {
        let mut uut = Allocator::new(1, 256);
        uut.connect_all();
        validate("j1k_alloc", &crate::util::verilog(&uut));
    }
}
