//! swapforth's `stack2`: a head register and a tail shift register of
//! `TB / 16` entries (15 for the data stack, 17 for the return stack).
//!
//! The J1a's `move = delta[0]` comes in as `mv` and `delta[1]` as `dir`
//! (pop), decoded for speed by `stackctl.rs`; on a move the head takes
//! `tail[0]` (or `wd` when `we`); a push shifts the head into the tail (the
//! deepest entry is lost), a pop shifts the tail towards the head with `$55aa`
//! entering at the bottom. The j1k addition is a synchronous `reset` that clears
//! every entry (docs/isa.md §1: the simulator starts every entry at 0).
//!
//! The clock enables come in decoded (`hce`: the head changes, `mv | we |
//! reset`; `tce`: the tail changes, `mv | reset`), and `reset` acts only inside
//! them, as an iCE40 flip-flop's does: so yosys takes them as they are, and
//! does not add a LUT to OR the reset in (stackctl.rs says why that matters).

use crate::util::{k, RegW};
use rust_hdl::prelude::*;

/// `TB` is the tail's width in bits (16 × depth): const-generic arithmetic is not stable.
#[derive(LogicBlock)]
pub struct Stack2<const TB: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub we: Signal<In, Bit>,
    /// Shift (J1a `delta[0]`); `dir`: a pop, else a push (`delta[1]`, only with `mv`).
    pub mv: Signal<In, Bit>,
    pub dir: Signal<In, Bit>,
    pub wd: Signal<In, Bits<16>>,
    /// Clock enables: must be `mv | we | reset` (head) and `mv | reset` (tail).
    pub hce: Signal<In, Bit>,
    pub tce: Signal<In, Bit>,
    /// The head (`N` or `R`).
    pub head_q: Signal<Out, Bits<16>>,
    head: RegW<TB>,
    tail: DFF<Bits<TB>>,
    fill: Constant<Bits<TB>>,
    sixteen: Constant<Bits<8>>,
    zero16: Constant<Bits<16>>,
    zero: Constant<Bits<TB>>,
}

impl<const TB: usize> Default for Stack2<TB> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            we: Default::default(),
            mv: Default::default(),
            dir: Default::default(),
            wd: Default::default(),
            hce: Default::default(),
            tce: Default::default(),
            head_q: Default::default(),
            head: Default::default(),
            tail: Default::default(),
            fill: Constant::new(bits::<TB>(j1k_isa::STACK_FILL as u64) << ((TB - 16) as u64)),
            sixteen: k(16),
            zero16: k(0),
            zero: Constant::new(bits::<TB>(0)),
        }
    }
}

impl<const TB: usize> Logic for Stack2<TB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, tail);
        self.head.clock.next = self.clock.val();
        self.head.d.next = self.head.q.val();
        self.head_q.next = self.head.q.val();
        if self.tce.val() {
            if self.reset.val() {
                self.tail.d.next = self.zero.val();
            } else if self.dir.val() {
                self.tail.d.next = (self.tail.q.val() >> self.sixteen.val()) | self.fill.val();
            } else {
                self.tail.d.next = (self.tail.q.val() << self.sixteen.val()) | self.head.qw.val();
            }
        }
        if self.hce.val() {
            if self.reset.val() {
                self.head.d.next = self.zero16.val();
            } else if self.we.val() {
                self.head.d.next = self.wd.val();
            } else {
                self.head.d.next = self.tail.q.val().get_bits::<16>(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    #[derive(LogicBlock, Default)]
    struct T {
        clock: Signal<In, Clock>,
        reset: Signal<In, Bit>,
        we: Signal<In, Bit>,
        mv: Signal<In, Bit>,
        dir: Signal<In, Bit>,
        wd: Signal<In, Bits<16>>,
        q: Signal<Out, Bits<16>>,
        s: Stack2<48>,
    }
    impl Logic for T {
        #[hdl_gen]
        fn update(&mut self) {
            self.s.clock.next = self.clock.val();
            self.s.reset.next = self.reset.val();
            self.s.we.next = self.we.val();
            self.s.mv.next = self.mv.val();
            self.s.dir.next = self.dir.val();
            self.s.wd.next = self.wd.val();
            self.s.hce.next = self.mv.val() || self.we.val() || self.reset.val();
            self.s.tce.next = self.mv.val() || self.reset.val();
            self.q.next = self.s.head_q.val();
        }
    }

    /// Depth-3 tail: push 1..5 keeps 5,4,3,2; pops refill with $55aa; reset clears.
    #[test]
    fn stack2_simulates() {
        let mut uut = T::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<T>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<T>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            for v in 1..=5u64 {
                x.we.next = true;
                x.mv.next = true;
                x.dir.next = false;
                x.wd.next = bits::<16>(v);
                wait_clock_cycle!(sim, clock, x);
                sim_assert_eq!(sim, x.q.val(), bits::<16>(v), x);
            }
            x.we.next = false;
            for v in [4u64, 3, 2, 0x55aa, 0x55aa] {
                x.dir.next = true;
                wait_clock_cycle!(sim, clock, x);
                sim_assert_eq!(sim, x.q.val(), bits::<16>(v), x);
            }
            // no move; a write without a move sets the head only.
            x.mv.next = false;
            x.we.next = true;
            x.wd.next = bits::<16>(77);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.q.val(), bits::<16>(77), x);
            x.we.next = false;
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            sim_assert_eq!(sim, x.q.val(), bits::<16>(0), x);
            x.mv.next = true;
            x.dir.next = true;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.q.val(), bits::<16>(0), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn stack2_yosys_validate() {
        let mut uut = T::default();
        uut.connect_all();
        validate("j1k_stack2", &crate::util::verilog(&uut));
    }
}
