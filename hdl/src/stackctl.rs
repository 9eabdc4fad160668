//! The core's stack controls: data-stack move / direction / write, the `dsp`
//! step of 2, return-stack move / direction / write, and "a J1a ALU
//! instruction executes". The move enables are the clock enables of the two
//! tail shift registers (240 and 272 flip-flops, routed through a global
//! buffer), so they are on the critical path: written as Verilog in a module
//! yosys keeps apart (`util::KEEP_HIERARCHY`), with `(* keep *)` nets of at
//! most four inputs each, so that abc builds one LUT per net — two LUT levels
//! after the instruction for the J1a's own answers, then one that adds the key
//! unit's `push` / `pop` (registers, key/mod.rs).
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
}

/// What the Verilog below computes (the simulation model of this block).
pub fn answers(on: bool, x: u16, p12: bool, booted: bool, kp: bool, kq: bool) -> Answers {
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
    Answers {
        d_mv: p12 || (e && jmv) || kp || kq,
        d_dir: kq || (!p12 && ((!x15 && !x14 && x13) || (alu && b(1)))),
        d_we: p12 || (booted && (x15 || (alu && f == 1))) || kp,
        d_m2: e && alu && b(1) && !b(0),
        r_mv: p12 || (e && rmv),
        r_dir: p12 || (alu && b(3)),
        r_we: e && ((!x15 && x14 && !x13) || (alu && f == 2)),
        alu_ex: e && alu,
    }
}

impl Logic for StackCtl {
    fn update(&mut self) {
        let a = answers(
            self._on,
            self.x.val().index() as u16,
            self.p12.val(),
            self.booted.val(),
            self.k_push.val(),
            self.k_pop.val(),
        );
        self.d_mv.next = a.d_mv;
        self.d_dir.next = a.d_dir;
        self.d_we.next = a.d_we;
        self.d_m2.next = a.d_m2;
        self.r_mv.next = a.r_mv;
        self.r_dir.next = a.r_dir;
        self.r_we.next = a.r_we;
        self.alu_ex.next = a.alu_ex;
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
always @(*) begin
    d_mv = jm_w | k_push | k_pop;
    d_we = jw_w | k_push;
    d_dir = k_pop | (~p12 & jd_w);
    d_m2 = e_w & alu_w & x[1] & ~x[0];
    r_mv = p12 | (e_w & rr_w & ~kx_w);
    r_dir = p12 | (alu_w & x[3]);
    r_we = e_w & (c10_w | (alu_w & f2_w));
    alu_ex = e_w & alu_w;
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
                        let c = answers(on, x, p12, booted, false, false);
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
                    }
                }
            }
        }
        // the key unit's answers (only in a key instruction): push (T→N), pop
        let c = answers(true, 0x7000, false, true, true, false);
        assert!(c.d_mv && !c.d_dir && c.d_we);
        let c = answers(true, 0x7000, false, true, false, true);
        assert!(c.d_mv && c.d_dir && !c.d_we);
    }

    #[test]
    fn stack_ctl_yosys_validate() {
        let mut uut = StackCtl::new(true);
        uut.connect_all();
        validate("j1k_stack_ctl", &crate::util::verilog(&uut));
    }
}
