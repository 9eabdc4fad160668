//! The core's next pc (docs/isa.md §3): the code RAM's read address, so the
//! longest path of the core — from the RAM's read data, through the decode of
//! the instruction, back into the RAM. Flattened into the core, abc built it as
//! the if/else chain it is written as (fetch, literal, jump, 0branch, call,
//! ALU return) and put the instruction up to ten LUTs deep. Here it is a
//! one-hot select, in a module yosys keeps apart (`util::KEEP_HIERARCHY`), of
//! `(* keep *)` nets of at most four inputs: five LUT levels after the RAM's
//! read data, and the key unit's `hold` (late: the key decode is three LUTs
//! deep) enters only the last.
//!
//! In the reboot cycle (`booted` low) nothing is selected and the next pc is
//! 0 (`hold` is never set then: the key unit starts nothing in that cycle).

use crate::util::KEEP_HIERARCHY;
use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct PcSel {
    /// The key unit is built: ALU-class words with bit 12 set are key instructions
    /// (they never return). A constant in the Verilog. Without the key unit nothing is
    /// kept (the core then uses its own chain, and yosys removes this block).
    _on: bool,
    /// The code RAM's raw read data.
    pub x: Signal<In, Bits<16>>,
    /// pc bit 12: a fetch (the next pc is the return address).
    pub p12: Signal<In, Bit>,
    /// Not the reboot cycle.
    pub booted: Signal<In, Bit>,
    /// T is zero (0branch is taken).
    pub tz: Signal<In, Bit>,
    /// The key unit holds the pc.
    pub hold: Signal<In, Bit>,
    /// pc + 1, the return address (R / 2), the pc: 13 bits, zero-extended (as the
    /// core keeps them).
    pub pc1: Signal<In, Bits<16>>,
    pub rret: Signal<In, Bits<16>>,
    pub pc: Signal<In, Bits<16>>,
    pub pc_n: Signal<Out, Bits<16>>,
}

impl PcSel {
    pub fn new(on: bool) -> Self {
        Self {
            _on: on,
            ..Default::default()
        }
    }
}

/// What the Verilog below computes (the simulation model of this block).
#[allow(clippy::too_many_arguments)]
pub fn next_pc(
    on: bool,
    x: u16,
    p12: bool,
    booted: bool,
    tz: bool,
    hold: bool,
    pc1: u16,
    rret: u16,
    pc: u16,
) -> u16 {
    let b = |i: u32| (x >> i) & 1 == 1;
    let (x15, x14, x13, x12) = (b(15), b(14), b(13), b(12));
    if hold {
        return pc & 0x1fff;
    }
    if !booted {
        return 0;
    }
    let alu = !x15 && x14 && x13 && !(on && x12);
    // jump, call, or a taken 0branch
    let ct = !x15 && (!x13 || (!x14 && tz));
    if p12 || (alu && b(7)) {
        rret & 0x1fff
    } else if ct {
        x & 0x1fff
    } else {
        pc1 & 0x1fff
    }
}

impl Logic for PcSel {
    fn update(&mut self) {
        self.pc_n.next = next_pc(
            self._on,
            self.x.val().index() as u16,
            self.p12.val(),
            self.booted.val(),
            self.tz.val(),
            self.hold.val(),
            self.pc1.val().index() as u16,
            self.rret.val().index() as u16,
            self.pc.val().index() as u16,
        )
        .to_bits();
    }
    fn connect(&mut self) {
        self.pc_n.connect();
    }
    fn hdl(&self) -> Verilog {
        let (keep, hier) = if self._on {
            ("(* keep *) ", KEEP_HIERARCHY)
        } else {
            ("", "")
        };
        let on = if self._on { "1'b1" } else { "1'b0" };
        Verilog::Custom(format!(
            "\
{hier}
wire on = {on};
// level 1: at most four instruction bits
{keep}wire alu_w = ~x[15] & x[14] & x[13] & ~(on & x[12]);
{keep}wire ct_w = ~x[15] & (~x[13] | (~x[14] & tz));
// level 2: target, return address
{keep}wire ax_w = alu_w & x[7];
{keep}wire st_w = booted & ~p12 & ct_w;
// level 3
{keep}wire sr_w = booted & (p12 | ax_w);
{keep}wire sp_w = booted & ~p12 & ~ct_w & ~ax_w;
// level 4: the selected terms, then the key unit's hold
{keep}wire [12:0] tr_w = ({{13{{st_w}}}} & x[12:0]) | ({{13{{sr_w}}}} & rret[12:0]);
{keep}wire [12:0] p1_w = {{13{{sp_w}}}} & pc1[12:0];
always @(*) begin
    pc_n = {{3'b000, hold ? pc[12:0] : (tr_w | p1_w)}};
end"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    /// The J1a's next pc (docs/isa.md §3), written as the chain it is.
    fn j1a(on: bool, x: u16, p12: bool, tz: bool, pc1: u16, rret: u16) -> u16 {
        if p12 {
            return rret;
        }
        if x & 0x8000 != 0 {
            return pc1;
        }
        match (x >> 13) & 3 {
            0 | 2 => x & 0x1fff,
            1 => {
                if tz {
                    x & 0x1fff
                } else {
                    pc1
                }
            }
            _ if on && x & 0x1000 != 0 => pc1,
            _ if x & 0x80 != 0 => rret,
            _ => pc1,
        }
    }

    /// Every instruction word, fetch or not, T zero or not, key unit or not: the
    /// one-hot select gives the J1a's next pc; held, the pc; rebooting, 0.
    /// (The Verilog is checked against this model by the Verilator lockstep tests.)
    #[test]
    fn next_pc_matches_j1a() {
        let (pc1, rret, pc) = (0x0aaa, 0x1555, 0x0f0f);
        for on in [false, true] {
            for p12 in [false, true] {
                for tz in [false, true] {
                    for x in 0..=0xffffu16 {
                        let ctx = format!("x {x:#06x} p12 {p12} tz {tz} on {on}");
                        assert_eq!(
                            next_pc(on, x, p12, true, tz, false, pc1, rret, pc),
                            j1a(on, x, p12, tz, pc1, rret),
                            "{ctx}"
                        );
                        assert_eq!(next_pc(on, x, p12, true, tz, true, pc1, rret, pc), pc);
                        assert_eq!(next_pc(on, x, p12, false, tz, false, pc1, rret, pc), 0);
                    }
                }
            }
        }
    }

    #[test]
    fn pc_sel_yosys_validate() {
        let mut uut = PcSel::new(true);
        uut.connect_all();
        validate("j1k_pc_sel", &crate::util::verilog(&uut));
    }
}
