//! The key unit's one test of the live instruction: `kf`, a key instruction's
//! decode cycle (its first), and `hold` = `kf` OR the later cycles' hold (a
//! register). Everything else the key unit gives the core comes from registers
//! set in the decode cycle, so `kf` is the only path from the code RAM's read
//! data through the key unit into the core (hold → pc → the code RAM's address).
//!
//! Written as Verilog in a module yosys keeps apart (`util::KEEP_HIERARCHY`),
//! with `(* keep *)` on the two intermediate nets, so that `kf` is two LUTs
//! after the instruction (abc, which takes every input to arrive at the same
//! time, otherwise shares the cone with the core's decode and puts the late
//! instruction bits deeper).
//!
//! `insn` is the code RAM's raw read data, which is not zero in the reboot
//! cycle: `booted` (a register) is part of `ek` instead.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct KeyDecode {
    /// Without the key unit the nets are not kept, so that yosys removes them all.
    _keep: bool,
    /// The key unit is built.
    pub on: Signal<In, Bit>,
    /// Instruction bits 15:12 (the ALU class with bit 12: a key instruction).
    pub op: Signal<In, Bits<4>>,
    /// Not a decode cycle (a key instruction continues).
    pub busy: Signal<In, Bit>,
    /// pc bit 12: a fetch cycle, not an instruction.
    pub pc12: Signal<In, Bit>,
    /// Not the reboot cycle.
    pub booted: Signal<In, Bit>,
    /// The later cycles' hold (a register).
    pub h2: Signal<In, Bit>,
    /// A key instruction's decode cycle.
    pub kf: Signal<Out, Bit>,
    pub hold: Signal<Out, Bit>,
}

impl KeyDecode {
    /// `keep`: the key unit is built (mark the intermediate nets `keep`).
    pub fn new(keep: bool) -> Self {
        Self {
            _keep: keep,
            ..Default::default()
        }
    }
}

/// The Verilog body: `kf` as a LUT of registers AND a LUT of four instruction bits.
fn body(keep: &str, hier: &str) -> String {
    format!(
        "\
{hier}
{keep}wire ek_w = on & ~busy & ~pc12 & booted;
{keep}wire k4_w = op == 4'b0111;
always @(*) begin
    kf = ek_w & k4_w;
    hold = (ek_w & k4_w) | h2;
end"
    )
}

impl Logic for KeyDecode {
    fn update(&mut self) {
        let kf = self.on.val()
            && !self.busy.val()
            && !self.pc12.val()
            && self.booted.val()
            && self.op.val().index() == 0b0111;
        self.kf.next = kf;
        self.hold.next = kf || self.h2.val();
    }
    fn connect(&mut self) {
        self.kf.connect();
        self.hold.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(if self._keep {
            body("(* keep *) ", crate::util::KEEP_HIERARCHY)
        } else {
            body("", "")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    /// `kf` only for the key pattern in an executing cycle; `hold` also with `h2`.
    #[test]
    fn key_decode_simulates() {
        let mut uut = KeyDecode::new(true);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_testbench(move |mut sim: Sim<KeyDecode>| {
            let mut x = sim.init()?;
            for op in 0..16u64 {
                for cond in 0..16u32 {
                    for h2 in [false, true] {
                        x.on.next = cond & 1 != 0;
                        x.busy.next = cond & 2 != 0;
                        x.pc12.next = cond & 4 != 0;
                        x.booted.next = cond & 8 != 0;
                        x.op.next = bits::<4>(op);
                        x.h2.next = h2;
                        x = sim.wait(1, x)?;
                        let kf = op == 0b0111 && cond == 0b1001;
                        sim_assert_eq!(sim, x.kf.val(), kf, x);
                        sim_assert_eq!(sim, x.hold.val(), kf || h2, x);
                    }
                }
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn key_decode_yosys_validate() {
        let mut uut = KeyDecode::new(true);
        uut.connect_all();
        validate("j1k_key_decode", &crate::util::verilog(&uut));
    }
}
