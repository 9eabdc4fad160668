//! A register of the shared logic (docs/architecture.md §11.1): a flip-flop that takes `d`
//! only at a clock where `en` is high. The coherence unit, the data mover, the allocators
//! and the core control step once a round, at the round edge, while the tile circuit runs
//! its contexts; with one context `en` is tied high and synthesis leaves a plain flip-flop.
//! It has `DFF`'s ports, so `dff_setup!` drives it; starts at 0, as an iCE40 flip-flop does.

use rust_hdl::core::timing::TimingInfo;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct StepReg<T: Synth> {
    pub clock: Signal<In, Clock>,
    pub en: Signal<In, Bit>,
    pub d: Signal<In, T>,
    pub q: Signal<Out, T>,
    _v: T,
}

impl<T: Synth> Logic for StepReg<T> {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.en.val() {
            self._v = self.d.val();
        }
        self.q.next = self._v;
    }
    fn connect(&mut self) {
        self.q.connect();
    }
    fn hdl(&self) -> Verilog {
        let w = T::BITS;
        Verilog::Custom(format!(
            "reg [{m}:0] r = {w}'d0;\nalways @(posedge clock) if (en) r <= d;\nalways @(*) q = r;\n",
            m = w - 1
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "step_reg".into(),
            clock: "clock".into(),
            inputs: vec!["d".into(), "en".into()],
            outputs: vec!["q".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    /// Counting with `en` high one clock in three: it counts rounds, not clocks.
    #[test]
    fn a_step_register_takes_d_only_when_enabled() {
        let mut uut = StepReg::<Bits<8>>::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<StepReg<Bits<8>>>| {
            x.clock.next = !x.clock.val()
        });
        sim.add_testbench(move |mut sim: Sim<StepReg<Bits<8>>>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            for clk in 0..30u64 {
                sim_assert_eq!(sim, x.q.val(), bits::<8>(clk.div_ceil(3)), x);
                x.en.next = clk % 3 == 0;
                x.d.next = x.q.val() + 1;
                wait_clock_cycle!(sim, clock, x);
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn step_reg_yosys_validate() {
        let mut uut = StepReg::<Bits<16>>::default();
        uut.connect_all();
        validate("j1k_step_reg", &crate::util::verilog(&uut));
    }
}
