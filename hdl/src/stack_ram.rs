//! The J1a's stack for `K` contexts in one block RAM (docs/architecture.md §11.2): what
//! `stack.rs`'s `Stack2` does with a head and a `D`-entry shift register, kept exactly.
//!
//! Each context has a head and a pointer (rings, `ring.rs`) and `D` slots at
//! `context × 32 + slot`, used as a circular buffer whose top is the pointer's slot. A push
//! writes the head into the slot above the top — the deepest entry, which a shift register
//! drops — and a pop writes `$55aa` into the top slot as it leaves it, which is then the
//! deepest: so the slots read, from the top, what the shift register holds. The head takes
//! `wd` when `we`, else the top slot on a move (a push without `we` too, as `Stack2`).
//! The top slot of the next clock's context is read at this edge (its pointer is `ahead`
//! in the ring), after that context's own last write, so no bypass is needed: hence K ≥ 2.
//! Reset writes zeros, a slot a clock from address 0: hold it 32 K clocks.

use crate::ring::Ring;
use crate::util::{k, NextCtx, Zext};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct StackRam<const K: usize, const D: usize> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The context whose cycle this clock computes (0 .. K − 1).
    pub ctx: Signal<In, Bits<8>>,
    pub we: Signal<In, Bit>,
    /// Shift (J1a `delta[0]`); `dir`: a pop, else a push.
    pub mv: Signal<In, Bit>,
    pub dir: Signal<In, Bit>,
    pub wd: Signal<In, Bits<16>>,
    /// The current context's head (`N` or `R`).
    pub head_q: Signal<Out, Bits<16>>,
    head: Ring<Bits<16>, K>,
    ptr: Ring<Bits<5>, K>,
    /// The pointer and the next context's, widened for the address.
    pz: Zext<5, 8>,
    paz: Zext<5, 8>,
    ram: StackCells,
    sweep: DFF<Bits<8>>,
    next_ctx: NextCtx<K>,
    up: Signal<Local, Bits<5>>,
    down: Signal<Local, Bits<5>>,
    last_slot: Constant<Bits<5>>,
    five: Constant<Bits<8>>,
    one5: Constant<Bits<5>>,
    zero5: Constant<Bits<5>>,
    one8: Constant<Bits<8>>,
    zero8: Constant<Bits<8>>,
    zero16: Constant<Bits<16>>,
    fill: Constant<Bits<16>>,
    /// Pops write `$55aa` (false only in the test that shows the check catches it).
    fill_on: Constant<Bit>,
}

impl<const K: usize, const D: usize> StackRam<K, D> {
    fn build(fill_on: bool) -> Self {
        // (K = 1 builds, as a core of one context holds it tied off; it is no stack then)
        assert!((1..=8).contains(&K), "a stack RAM of {K} contexts");
        assert!((2..=32).contains(&D), "a stack of {D} slots");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            ctx: Default::default(),
            we: Default::default(),
            mv: Default::default(),
            dir: Default::default(),
            wd: Default::default(),
            head_q: Default::default(),
            head: Default::default(),
            ptr: Default::default(),
            pz: Default::default(),
            paz: Default::default(),
            ram: Default::default(),
            sweep: Default::default(),
            next_ctx: Default::default(),
            up: Default::default(),
            down: Default::default(),
            last_slot: k((D - 1) as u64),
            five: k(5),
            one5: k(1),
            zero5: k(0),
            one8: k(1),
            zero8: k(0),
            zero16: k(0),
            fill: k(j1k_isa::STACK_FILL as u64),
            fill_on: Constant::new(fill_on),
        }
    }

    /// A stack whose pops forget to write `$55aa` (for the test that shows it is caught).
    #[cfg(test)]
    fn without_fill() -> Self {
        Self::build(false)
    }
}

impl<const K: usize, const D: usize> Default for StackRam<K, D> {
    fn default() -> Self {
        Self::build(true)
    }
}

impl<const K: usize, const D: usize> Logic for StackRam<K, D> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sweep);
        self.head.clock.next = self.clock.val();
        self.ptr.clock.next = self.clock.val();
        self.ram.clock.next = self.clock.val();
        self.pz.a.next = self.ptr.q.val();
        self.paz.a.next = self.ptr.ahead.val();
        self.head_q.next = self.head.q.val();
        // the slots above and below the top, circularly
        self.up.next = self.ptr.q.val() + self.one5.val();
        if self.ptr.q.val() == self.last_slot.val() {
            self.up.next = self.zero5.val();
        }
        self.down.next = self.ptr.q.val() - self.one5.val();
        if self.ptr.q.val() == self.zero5.val() {
            self.down.next = self.last_slot.val();
        }
        self.next_ctx.ctx.next = self.ctx.val();
        // the next context's top slot, for its phase
        self.ram.raddr.next = (self.next_ctx.y.val() << self.five.val()) | self.paz.y.val();
        self.head.d.next = self.head.q.val();
        self.ptr.d.next = self.ptr.q.val();
        self.ram.we.next = false;
        // the slot above the top (a push's), in the context's 32 words
        self.ram.waddr.next =
            ((self.ctx.val() << self.five.val()) | self.pz.y.val()) + self.one8.val();
        if self.ptr.q.val() == self.last_slot.val() {
            self.ram.waddr.next = self.ctx.val() << self.five.val();
        }
        self.ram.wdata.next = self.head.q.val();
        self.sweep.d.next = self.zero8.val();
        if self.reset.val() {
            self.head.d.next = self.zero16.val();
            self.ptr.d.next = self.zero5.val();
            self.sweep.d.next = self.sweep.q.val() + self.one8.val();
            self.ram.we.next = true;
            self.ram.waddr.next = self.sweep.q.val();
            self.ram.wdata.next = self.zero16.val();
        } else {
            if self.we.val() {
                self.head.d.next = self.wd.val();
            } else if self.mv.val() {
                self.head.d.next = self.ram.rdata.val();
            }
            if self.mv.val() {
                if self.dir.val() {
                    self.ptr.d.next = self.down.val();
                    self.ram.we.next = self.fill_on.val();
                    self.ram.waddr.next = (self.ctx.val() << self.five.val()) | self.pz.y.val();
                    self.ram.wdata.next = self.fill.val();
                } else {
                    self.ptr.d.next = self.up.val();
                    self.ram.we.next = true;
                }
            }
        }
    }
}

/// 256 × 16 words, one block RAM: a registered read and a write on the same edge. They
/// never meet at one address (different contexts) but in a reset's clearing, where the
/// read is not used, so yosys is told not to add read-during-write logic.
#[derive(LogicBlock, Default)]
struct StackCells {
    clock: Signal<In, Clock>,
    raddr: Signal<In, Bits<8>>,
    rdata: Signal<Out, Bits<16>>,
    we: Signal<In, Bit>,
    waddr: Signal<In, Bits<8>>,
    wdata: Signal<In, Bits<16>>,
    _words: Vec<u16>,
}

impl Logic for StackCells {
    fn update(&mut self) {
        if self._words.is_empty() {
            self._words = vec![0; 256];
        }
        if self.clock.pos_edge() {
            self.rdata.next = bits::<16>(self._words[self.raddr.val().index()] as u64);
            if self.we.val() {
                self._words[self.waddr.val().index()] = self.wdata.val().index() as u16;
            }
        }
    }
    fn connect(&mut self) {
        self.rdata.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(
            "\
(* no_rw_check *) reg [15:0] mem [0:255];
integer i;
initial for (i = 0; i < 256; i = i + 1) mem[i] = 16'h0;
always @(posedge clock) begin
    if (we) mem[waddr] <= wdata;
    rdata <= mem[raddr];
end
"
            .into(),
        )
    }
    fn timing(&self) -> Vec<rust_hdl::core::timing::TimingInfo> {
        vec![rust_hdl::core::timing::TimingInfo {
            name: "stack_cells".into(),
            clock: "clock".into(),
            inputs: vec!["raddr".into(), "we".into(), "waddr".into(), "wdata".into()],
            outputs: vec!["rdata".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::Stack2;
    use crate::util::{ice40_size, validate, validate_ice40};

    /// `StackRam` beside `K` of the `Stack2` it replaces, each of those moving only in its
    /// context's phase; `want` is context `show`'s head there.
    #[derive(LogicBlock)]
    struct Pair<const K: usize, const D: usize, const TB: usize> {
        clock: Signal<In, Clock>,
        reset: Signal<In, Bit>,
        ctx: Signal<In, Bits<8>>,
        /// The context whose reference head `want` shows.
        show: Signal<In, Bits<8>>,
        we: Signal<In, Bit>,
        mv: Signal<In, Bit>,
        dir: Signal<In, Bit>,
        wd: Signal<In, Bits<16>>,
        q: Signal<Out, Bits<16>>,
        want: Signal<Out, Bits<16>>,
        uut: StackRam<K, D>,
        refs: [Stack2<TB>; K],
        no: [Constant<Bits<8>>; K],
    }

    impl<const K: usize, const D: usize, const TB: usize> Pair<K, D, TB> {
        fn new(uut: StackRam<K, D>) -> Self {
            assert_eq!(TB, 16 * D);
            Self {
                clock: Default::default(),
                reset: Default::default(),
                ctx: Default::default(),
                show: Default::default(),
                we: Default::default(),
                mv: Default::default(),
                dir: Default::default(),
                wd: Default::default(),
                q: Default::default(),
                want: Default::default(),
                uut,
                refs: std::array::from_fn(|_| Default::default()),
                no: std::array::from_fn(|i| k(i as u64)),
            }
        }
    }

    impl<const K: usize, const D: usize, const TB: usize> Logic for Pair<K, D, TB> {
        #[hdl_gen]
        fn update(&mut self) {
            self.uut.clock.next = self.clock.val();
            self.uut.reset.next = self.reset.val();
            self.uut.ctx.next = self.ctx.val();
            self.uut.we.next = self.we.val();
            self.uut.mv.next = self.mv.val();
            self.uut.dir.next = self.dir.val();
            self.uut.wd.next = self.wd.val();
            self.q.next = self.uut.head_q.val();
            self.want.next = 0.into();
            for i in 0..K {
                self.refs[i].clock.next = self.clock.val();
                self.refs[i].reset.next = self.reset.val();
                self.refs[i].we.next = self.we.val() && (self.ctx.val() == self.no[i].val());
                self.refs[i].mv.next = self.mv.val() && (self.ctx.val() == self.no[i].val());
                self.refs[i].dir.next = self.dir.val();
                self.refs[i].wd.next = self.wd.val();
                self.refs[i].hce.next = self.reset.val()
                    || ((self.mv.val() || self.we.val()) && (self.ctx.val() == self.no[i].val()));
                self.refs[i].tce.next =
                    self.reset.val() || (self.mv.val() && (self.ctx.val() == self.no[i].val()));
                if self.show.val() == self.no[i].val() {
                    self.want.next = self.refs[i].head_q.val();
                }
            }
        }
    }

    /// Runs `clocks` clocks of random pushes, pops and writes (a reset of 32 K clocks at the
    /// start and one in the middle); returns the first clock where the heads differ.
    fn first_difference<const K: usize, const D: usize, const TB: usize>(
        uut: StackRam<K, D>,
        seed: u64,
        clocks: u64,
    ) -> Option<u64> {
        let mut pair = Pair::<K, D, TB>::new(uut);
        pair.connect_all();
        let found = std::sync::Arc::new(std::sync::Mutex::new(None));
        let out = found.clone();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Pair<K, D, TB>>| {
            x.clock.next = !x.clock.val()
        });
        sim.add_testbench(move |mut sim: Sim<Pair<K, D, TB>>| {
            let mut x = sim.init()?;
            let mut rng = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            let mut next = move || {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng
            };
            let reset_len = 32 * K as u64;
            wait_clock_false!(sim, clock, x);
            for clk in 0..clocks {
                let resetting =
                    clk < reset_len || (clk >= clocks / 2 && clk < clocks / 2 + reset_len);
                let r = next();
                x.reset.next = resetting;
                x.ctx.next = bits::<8>(clk % K as u64);
                // after the edge, `q` is the next context's head
                x.show.next = bits::<8>((clk + 1) % K as u64);
                // pushes and pops in equal measure, so the stacks often run empty and full
                x.mv.next = r & 3 != 0;
                x.dir.next = r & 4 != 0;
                x.we.next = r & 8 != 0;
                x.wd.next = bits::<16>((r >> 16) & 0xffff);
                wait_clock_true!(sim, clock, x);
                wait_clock_false!(sim, clock, x);
                if !resetting && x.q.val() != x.want.val() {
                    *out.lock().unwrap() = Some(clk);
                    break;
                }
            }
            sim.done(x)
        });
        sim.run(Box::new(pair), clocks * 10 + 100).unwrap();
        let first = *found.lock().unwrap();
        first
    }

    /// Four contexts of the data stack and two of the return stack agree with the shift
    /// registers on every clock of random traffic, through a reset.
    #[test]
    fn stack_ram_equals_the_shift_register_stack() {
        for seed in 1..=3 {
            assert_eq!(
                first_difference::<4, 15, 240>(StackRam::default(), seed, 6_000),
                None
            );
            assert_eq!(
                first_difference::<2, 17, 272>(StackRam::default(), seed, 6_000),
                None
            );
        }
    }

    /// The comparison catches a stack whose pops do not write `$55aa`.
    #[test]
    fn a_stack_ram_without_the_fill_is_caught() {
        let at = first_difference::<4, 15, 240>(StackRam::without_fill(), 1, 6_000);
        assert!(at.is_some(), "the missing $55aa went unseen");
    }

    /// Synthesis check, and the size against the four shift-register stacks it replaces
    /// (measured as the pair of both, less the stack RAM).
    #[test]
    fn stack_ram_yosys_validate() {
        let mut uut = StackRam::<4, 17>::default();
        uut.connect_all();
        let v = crate::util::verilog(&uut);
        validate("j1k_stack_ram", &v);
        let cells = validate_ice40("stack_ram", "top", &v);
        let mut pair = Pair::<4, 17, 272>::new(StackRam::default());
        pair.connect_all();
        let both = validate_ice40("stack_pair", "top", &crate::util::verilog(&pair));
        let refs = both
            .iter()
            .map(|(c, n)| (c.clone(), n - cells.get(c).copied().unwrap_or(0).min(*n)))
            .collect();
        println!(
            "stack RAM, 4 contexts of 17 slots: {}; four shift-register stacks: {}",
            ice40_size(&cells),
            ice40_size(&refs)
        );
        let brams: u64 = cells
            .iter()
            .filter(|(c, _)| c.starts_with("SB_RAM40"))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(brams, 1, "one block RAM: {cells:?}");
    }
}
