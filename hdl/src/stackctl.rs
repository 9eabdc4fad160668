//! The core's stack controls: data-stack move / direction / write, the `dsp`
//! step of 2, return-stack move / direction / write, and "a J1a ALU
//! instruction executes". The move enables are the clock enables of the two
//! tail shift registers (240 and 272 flip-flops, routed through a global
//! buffer), so they are on the critical path: written as Verilog in a module
//! yosys keeps apart (`util::KEEP_HIERARCHY`), with `(* keep *)` nets of at
//! most four inputs each, so that abc builds one LUT per net — two LUT levels
//! after the instruction for the J1a's own answers, then one that adds the key
//! unit's `push` / `pop` (registers, key/mod.rs).
//! The stacks' clock enables (`*_hce` for the head, `*_tce` for the tail) are
//! outputs of their own, one LUT after the J1a's answers: the enable has to
//! include `reset` (an iCE40 flip-flop resets only when enabled), and built in
//! the core from `d_mv | d_we | reset` it took two more LUT levels, the
//! critical path of the HX8K build. The key unit gives `k_move` (push or pop,
//! its own register) for them, so that each stays within four inputs.
//! Flattened, abc shared these cones with T' and the key decode and put the
//! instruction bits up to nine LUTs deep.
//!
//! `x` is the code RAM's raw read data, not zero in the reboot cycle: `booted`
//! (a register) masks every effect instead, as `pc12` (a fetch: `x` is data)
//! masks the instruction's.

use crate::util::KEEP_HIERARCHY;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct StackCtl {
    /// The key unit is built: ALU-class words with bit 12 set are key instructions.
    /// (A constant in the Verilog: yosys does not carry constants into a kept module.)
    _on: bool,
    pub x: Signal<In, Bits<16>>,
    /// pc bit 12: a fetch (push `x`, pop R into the pc).
    pub p12: Signal<In, Bit>,
    /// Not the reboot cycle.
    pub booted: Signal<In, Bit>,
    /// The key unit's answers (0 without it).
    pub k_push: Signal<In, Bit>,
    pub k_pop: Signal<In, Bit>,
    /// `k_push | k_pop`, registered apart.
    pub k_move: Signal<In, Bit>,
    pub reset: Signal<In, Bit>,
    /// Data stack: shift (the tail's clock enable), pop (else push; only with `d_mv`), T→N.
    pub d_mv: Signal<Out, Bit>,
    pub d_dir: Signal<Out, Bit>,
    pub d_we: Signal<Out, Bit>,
    /// ALU data-stack delta `10`: no shift, `dsp` − 2.
    pub d_m2: Signal<Out, Bit>,
    pub r_mv: Signal<Out, Bit>,
    pub r_dir: Signal<Out, Bit>,
    pub r_we: Signal<Out, Bit>,
    /// A J1a ALU instruction (not a key one) executes this cycle.
    pub alu_ex: Signal<Out, Bit>,
    /// Clock enables: the data stack's head (move, write or reset) and tail (move or
    /// reset), the return stack's the same.
    pub d_hce: Signal<Out, Bit>,
    pub d_tce: Signal<Out, Bit>,
    pub r_hce: Signal<Out, Bit>,
    pub r_tce: Signal<Out, Bit>,
}

impl StackCtl {
    pub fn new(on: bool) -> Self {
        Self {
            _on: on,
            ..Default::default()
        }
    }
}

/// The outputs, in the order of the ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answers {
    pub d_mv: bool,
    pub d_dir: bool,
    pub d_we: bool,
    pub d_m2: bool,
    pub r_mv: bool,
    pub r_dir: bool,
    pub r_we: bool,
    pub alu_ex: bool,
    pub d_hce: bool,
    pub d_tce: bool,
    pub r_hce: bool,
    pub r_tce: bool,
}

/// The inputs other than the instruction word.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ins {
    pub p12: bool,
    pub booted: bool,
    pub k_push: bool,
    pub k_pop: bool,
    pub k_move: bool,
    pub reset: bool,
}

/// What the Verilog below computes (the simulation model of this block).
pub fn answers(on: bool, x: u16, i: Ins) -> Answers {
    let Ins {
        p12,
        booted,
        k_push: kp,
        k_pop: kq,
        k_move: km,
        reset,
    } = i;
    let b = |i: u32| (x >> i) & 1 == 1;
    let e = booted && !p12;
    let (x15, x14, x13, x12) = (b(15), b(14), b(13), b(12));
    let alu = !x15 && x14 && x13 && !(on && x12);
    let kx = on && !x15 && x14 && x13 && x12;
    let f = (x >> 4) & 7;
    // data stack: literal, conditional jump (pop), ALU delta 1:0
    let jmv = !kx && (x15 || (!x14 && x13) || (x13 && b(0)));
    // return stack: call (push), ALU delta 3:2; a fetch pops
    let rmv = !kx && !x15 && x14 && (!x13 || b(2));
    let jm = p12 || (e && jmv);
    let jw = p12 || (booted && (x15 || (alu && f == 1)));
    let r_mv = p12 || (e && rmv);
    let r_we = e && ((!x15 && x14 && !x13) || (alu && f == 2));
    Answers {
        d_mv: jm || kp || kq,
        d_dir: kq || (!p12 && ((!x15 && !x14 && x13) || (alu && b(1)))),
        d_we: jw || kp,
        d_m2: e && alu && b(1) && !b(0),
        r_mv,
        r_dir: p12 || (alu && b(3)),
        r_we,
        alu_ex: e && alu,
        d_hce: jm || jw || km || reset,
        d_tce: jm || km || reset,
        r_hce: r_mv || r_we || reset,
        r_tce: r_mv || reset,
    }
}

impl Logic for StackCtl {
    fn update(&mut self) {
        let a = answers(
            self._on,
            self.x.val().index() as u16,
            Ins {
                p12: self.p12.val(),
                booted: self.booted.val(),
                k_push: self.k_push.val(),
                k_pop: self.k_pop.val(),
                k_move: self.k_move.val(),
                reset: self.reset.val(),
            },
        );
        self.d_mv.next = a.d_mv;
        self.d_dir.next = a.d_dir;
        self.d_we.next = a.d_we;
        self.d_m2.next = a.d_m2;
        self.r_mv.next = a.r_mv;
        self.r_dir.next = a.r_dir;
        self.r_we.next = a.r_we;
        self.alu_ex.next = a.alu_ex;
        self.d_hce.next = a.d_hce;
        self.d_tce.next = a.d_tce;
        self.r_hce.next = a.r_hce;
        self.r_tce.next = a.r_tce;
    }
    fn connect(&mut self) {
        self.d_mv.connect();
        self.d_dir.connect();
        self.d_we.connect();
        self.d_m2.connect();
        self.r_mv.connect();
        self.r_dir.connect();
        self.r_we.connect();
        self.alu_ex.connect();
        self.d_hce.connect();
        self.d_tce.connect();
        self.r_hce.connect();
        self.r_tce.connect();
    }
    fn hdl(&self) -> Verilog {
        // Without the key unit the core does not read this block (core.rs): nothing is
        // kept, so that yosys removes it.
        let (keep, hier, on) = if self._on {
            ("(* keep *) ", KEEP_HIERARCHY, "1'b1")
        } else {
            ("", "", "1'b0")
        };
        Verilog::Custom(format!(
            "\
{hier}
wire on = {on};
// level 0: registers only
{keep}wire e_w = booted & ~p12;
// level 1: at most four instruction bits
{keep}wire alu_w = ~x[15] & x[14] & x[13] & ~(on & x[12]);
{keep}wire kx_w = on & ~x[15] & x[14] & x[13] & x[12];
{keep}wire ow_w = x[15] | (x[14] & x[13] & ~(on & x[12]));
{keep}wire a2_w = x[15] | (~x[14] & x[13]) | (x[14] & x[13] & x[0]);
{keep}wire w1_w = x[15] | (x[6:4] == 3'd1);
{keep}wire c01_w = ~x[15] & ~x[14] & x[13];
{keep}wire c10_w = ~x[15] & x[14] & ~x[13];
{keep}wire rr_w = ~x[15] & x[14] & (~x[13] | x[2]);
{keep}wire f2_w = x[6:4] == 3'd2;
// level 2: the J1a's answers
{keep}wire jm_w = p12 | (e_w & a2_w & ~kx_w);
{keep}wire jw_w = p12 | (booted & ow_w & w1_w);
{keep}wire jd_w = c01_w | (alu_w & x[1]);
{keep}wire rm_w = p12 | (e_w & rr_w & ~kx_w);
{keep}wire rw_w = e_w & (c10_w | (alu_w & f2_w));
always @(*) begin
    d_mv = jm_w | k_push | k_pop;
    d_we = jw_w | k_push;
    d_dir = k_pop | (~p12 & jd_w);
    d_m2 = e_w & alu_w & x[1] & ~x[0];
    r_mv = rm_w;
    r_dir = p12 | (alu_w & x[3]);
    r_we = rw_w;
    alu_ex = e_w & alu_w;
    // level 3: the clock enables
    d_hce = jm_w | jw_w | k_move | reset;
    d_tce = jm_w | k_move | reset;
    r_hce = rm_w | rw_w | reset;
    r_tce = rm_w | reset;
end"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    /// The J1a's stack effects (docs/isa.md §2–4), written plainly: (d_we, d_delta, r_we, r_delta).
    fn j1a(x: u16, p12: bool, key: bool) -> (bool, u16, bool, u16) {
        if p12 {
            return (true, 1, false, 3);
        }
        if x & 0x8000 != 0 {
            return (true, 1, false, 0);
        }
        match (x >> 13) & 3 {
            0 => (false, 0, false, 0),
            1 => (false, 3, false, 0),
            2 => (false, 0, true, 1),
            _ if key && x & 0x1000 != 0 => (false, 0, false, 0),
            _ => {
                let f = (x >> 4) & 7;
                (f == 1, x & 3, f == 2, (x >> 2) & 3)
            }
        }
    }

    /// Every instruction word, fetch or not, key unit or not, booted or not: the
    /// model gives the J1a's effects (moves, directions where they move, writes).
    /// (The Verilog is checked against the model by the Verilator lockstep tests.)
    #[test]
    fn stack_ctl_matches_j1a() {
        for on in [false, true] {
            for p12 in [false, true] {
                for booted in [false, true] {
                    for x in 0..=0xffffu16 {
                        let ins = Ins {
                            p12,
                            booted,
                            ..Ins::default()
                        };
                        let c = answers(on, x, ins);
                        let (dwe, dd, rwe, rd) = if booted || p12 {
                            j1a(x, p12, on)
                        } else {
                            (false, 0, false, 0)
                        };
                        let ctx = format!("x {x:#06x} p12 {p12} booted {booted} on {on}");
                        assert_eq!(c.d_mv, dd & 1 == 1, "{ctx}");
                        if dd & 1 == 1 {
                            assert_eq!(c.d_dir, dd == 3, "{ctx}");
                        }
                        assert_eq!(c.d_m2, dd == 2, "{ctx}");
                        assert_eq!(c.d_we, dwe, "{ctx}");
                        assert_eq!(c.r_mv, rd & 1 == 1, "{ctx}");
                        if rd & 1 == 1 {
                            assert_eq!(c.r_dir, rd == 3, "{ctx}");
                        }
                        assert_eq!(c.r_we, rwe, "{ctx}");
                        assert_eq!(c.d_hce, c.d_mv || c.d_we, "{ctx}");
                        assert_eq!(c.d_tce, c.d_mv, "{ctx}");
                        assert_eq!(c.r_hce, c.r_mv || c.r_we, "{ctx}");
                        assert_eq!(c.r_tce, c.r_mv, "{ctx}");
                        let r = answers(on, x, Ins { reset: true, ..ins });
                        assert!(r.d_hce && r.d_tce && r.r_hce && r.r_tce, "{ctx}");
                    }
                }
            }
        }
        // the key unit's answers (only in a key instruction): push (T→N), pop
        let key = |k_push, k_pop| {
            let ins = Ins {
                booted: true,
                k_push,
                k_pop,
                k_move: k_push || k_pop,
                ..Ins::default()
            };
            answers(true, 0x7000, ins)
        };
        let c = key(true, false);
        assert!(c.d_mv && !c.d_dir && c.d_we && c.d_hce && c.d_tce);
        let c = key(false, true);
        assert!(c.d_mv && c.d_dir && !c.d_we && c.d_hce && c.d_tce);
        let c = key(false, false);
        assert!(!c.d_mv && !c.d_hce && !c.d_tce);
    }

    #[test]
    fn stack_ctl_yosys_validate() {
        let mut uut = StackCtl::new(true);
        uut.connect_all();
        validate("j1k_stack_ctl", &crate::util::verilog(&uut));
    }
}
