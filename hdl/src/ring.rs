//! A register kept once per context (docs/architecture.md §11.1): a ring of `K` flip-flops
//! that moves every clock, so the value context k writes at the end of its phase comes out
//! again at the start of its phase in the next round. With `K = 1` it is a flip-flop: it
//! has `DFF`'s ports, so `dff_setup!` drives it, and a block generic over its contexts
//! declares `Ring<T, K>` where it declared `DFF<T>`.
//!
//! `q` is the current context's value; `ahead` the value the next clock's context starts
//! with (stage K − 2; for `K = 1`, `d`), which is what a block RAM must be addressed with
//! a clock early. Every stage starts at 0, as an iCE40 flip-flop does.

use rust_hdl::core::timing::TimingInfo;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Ring<T: Synth, const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, T>,
    pub q: Signal<Out, T>,
    pub ahead: Signal<Out, T>,
    /// The stages, `_s[0]` written last; the simulation's copy of the Verilog's.
    _s: Vec<T>,
}

impl<T: Synth, const K: usize> Default for Ring<T, K> {
    fn default() -> Self {
        assert!((1..=8).contains(&K), "a ring of {K} contexts");
        Self {
            clock: Default::default(),
            d: Default::default(),
            q: Default::default(),
            ahead: Default::default(),
            _s: vec![T::default(); K],
        }
    }
}

impl<T: Synth, const K: usize> Logic for Ring<T, K> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self._s.rotate_right(1);
            self._s[0] = self.d.val();
        }
        self.q.next = self._s[K - 1];
        self.ahead.next = if K == 1 { self.d.val() } else { self._s[K - 2] };
    }
    fn connect(&mut self) {
        self.q.connect();
        self.ahead.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(ring_verilog(T::BITS, K, false))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "ring".into(),
            clock: "clock".into(),
            inputs: vec!["d".into()],
            outputs: vec!["q".into()],
        }]
    }
}

/// The Verilog of a ring of `k` stages of `w` bits; `load`: the stage entering `q` takes
/// `ld_v` in place of its context's value when `ld` is high.
fn ring_verilog(w: usize, k: usize, load: bool) -> String {
    // one register per stage (an array would be a memory to yosys)
    let mut v = String::new();
    for i in 0..k {
        v.push_str(&format!("reg [{}:0] s{i} = {w}'d0;\n", w - 1));
    }
    let src = if k == 1 {
        "d".to_string()
    } else {
        format!("s{}", k - 2)
    };
    let enter = if load {
        format!("(ld ? ld_v : {src})")
    } else {
        src
    };
    v.push_str("always @(posedge clock) begin\n");
    if k > 1 {
        v.push_str("    s0 <= d;\n");
        for i in 1..k - 1 {
            v.push_str(&format!("    s{i} <= s{};\n", i - 1));
        }
    }
    v.push_str(&format!("    s{} <= {enter};\n", k - 1));
    v.push_str("end\n");
    v.push_str(&format!("always @(*) q = s{};\n", k - 1));
    v.push_str(&format!("always @(*) ahead = {enter};\n"));
    v
}

/// A [`Ring`] whose context can be restarted (docs/architecture.md §11.4): at an edge where
/// `ld` is high, the value entering `q` — the next clock's context's — is `ld_v` instead of
/// what that context left, and `ahead` shows it. With `K = 1` the entering value is `d`,
/// so `ld` overrides `d` at that edge: a start, as a one-context register takes it.
#[derive(LogicBlock)]
pub struct LoadRing<T: Synth, const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, T>,
    pub ld: Signal<In, Bit>,
    pub ld_v: Signal<In, T>,
    pub q: Signal<Out, T>,
    pub ahead: Signal<Out, T>,
    _s: Vec<T>,
}

impl<T: Synth, const K: usize> Default for LoadRing<T, K> {
    fn default() -> Self {
        assert!((1..=8).contains(&K), "a ring of {K} contexts");
        Self {
            clock: Default::default(),
            d: Default::default(),
            ld: Default::default(),
            ld_v: Default::default(),
            q: Default::default(),
            ahead: Default::default(),
            _s: vec![T::default(); K],
        }
    }
}

impl<T: Synth, const K: usize> LoadRing<T, K> {
    fn entering(&self) -> T {
        if self.ld.val() {
            self.ld_v.val()
        } else if K == 1 {
            self.d.val()
        } else {
            self._s[K - 2]
        }
    }
}

impl<T: Synth, const K: usize> Logic for LoadRing<T, K> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let enter = self.entering();
            self._s.rotate_right(1);
            self._s[0] = self.d.val();
            self._s[K - 1] = enter;
        }
        self.q.next = self._s[K - 1];
        self.ahead.next = self.entering();
    }
    fn connect(&mut self) {
        self.q.connect();
        self.ahead.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(ring_verilog(T::BITS, K, true))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "load_ring".into(),
            clock: "clock".into(),
            inputs: vec!["d".into(), "ld".into(), "ld_v".into()],
            outputs: vec!["q".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    /// Three contexts: each reads back, three clocks later, what it wrote; `ahead` shows
    /// the next clock's `q` a clock early.
    #[test]
    fn ring_returns_each_context_its_own_value() {
        let mut uut = Ring::<Bits<8>, 3>::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Ring<Bits<8>, 3>>| {
            x.clock.next = !x.clock.val()
        });
        sim.add_testbench(move |mut sim: Sim<Ring<Bits<8>, 3>>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            let mut ahead = 0u64;
            for clk in 0..30u64 {
                // context clk % 3 reads its value of the last round and writes it + 1
                let want = if clk < 3 { 0 } else { clk / 3 };
                sim_assert_eq!(sim, x.q.val(), bits::<8>(want), x);
                if clk > 0 {
                    sim_assert_eq!(sim, x.q.val(), bits::<8>(ahead), x);
                }
                x.d.next = x.q.val() + 1;
                ahead = x.ahead.val().index() as u64;
                wait_clock_cycle!(sim, clock, x);
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    /// Three contexts, each adding 1 to its value every round; at clock 10 (context 1's
    /// phase) the context entering next, 2, is restarted at 100: it sees 100 in its phase
    /// (and `ahead` showed it), the others go on as before. With one context, `ld` is `d`'s
    /// override at that edge.
    #[test]
    fn a_load_ring_restarts_the_entering_context() {
        type R3 = LoadRing<Bits<8>, 3>;
        let mut uut = R3::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<R3>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<R3>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            let mut model = [0u64; 3];
            for clk in 0..30u64 {
                let c = (clk % 3) as usize;
                sim_assert_eq!(sim, x.q.val(), bits::<8>(model[c]), x);
                model[c] += 1;
                x.d.next = x.q.val() + 1;
                x.ld.next = clk == 10;
                x.ld_v.next = bits::<8>(100);
                if clk == 10 {
                    x = sim.wait(1, x)?;
                    sim_assert_eq!(sim, x.ahead.val(), bits::<8>(100), x);
                    model[2] = 100;
                }
                wait_clock_cycle!(sim, clock, x);
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();

        let mut one = LoadRing::<Bits<8>, 1>::default();
        one.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<LoadRing<Bits<8>, 1>>| {
            x.clock.next = !x.clock.val()
        });
        sim.add_testbench(move |mut sim: Sim<LoadRing<Bits<8>, 1>>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.d.next = bits::<8>(7);
            x.ld.next = true;
            x.ld_v.next = bits::<8>(9);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.q.val(), bits::<8>(9), x);
            x.ld.next = false;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.q.val(), bits::<8>(7), x);
            sim.done(x)
        });
        sim.run(Box::new(one), 10_000).unwrap();
    }

    #[test]
    fn load_ring_yosys_validate() {
        let mut uut = LoadRing::<Bits<16>, 4>::default();
        uut.connect_all();
        validate("j1k_load_ring", &crate::util::verilog(&uut));
    }

    #[test]
    fn ring_yosys_validate() {
        let mut uut = Ring::<Bits<16>, 4>::default();
        uut.connect_all();
        validate("j1k_ring", &crate::util::verilog(&uut));
    }
}
