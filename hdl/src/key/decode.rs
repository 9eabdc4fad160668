//! The key unit's core-facing decode: `hold`, `push`, `pop`, `tload` are a
//! first-cycle test of the instruction ORed with one register each. Written as
//! Verilog with `(* keep *)` on the intermediate nets so that yosys/abc build
//! it as two small levels after the instruction (the execute test and the
//! opcode group, then one AND-OR) instead of folding it into the key unit's
//! shared decode logic, where abc, which takes every input to arrive at the
//! same time, placed the late instruction bits up to seven LUTs deep.

use rust_hdl::prelude::*;

#[derive(LogicBlock, Default)]
pub struct KeyDecode {
    /// Without the key unit the nets are not kept, so that yosys removes them all.
    _keep: bool,
    /// The key unit is built.
    pub on: Signal<In, Bit>,
    /// Instruction bits 15:7 (the ALU-class-with-bit-12 pattern and the opcode).
    pub op: Signal<In, Bits<9>>,
    /// Not a first cycle (a multi-cycle key instruction continues).
    pub busy: Signal<In, Bit>,
    /// pc bit 12: a fetch cycle, not an instruction.
    pub pc12: Signal<In, Bit>,
    /// The block / node allocator has an index left.
    pub bavail: Signal<In, Bit>,
    pub navail: Signal<In, Bit>,
    /// The later-cycle answers (registers).
    pub h2: Signal<In, Bit>,
    pub p2: Signal<In, Bit>,
    pub t2: Signal<In, Bit>,
    pub l2: Signal<In, Bit>,
    /// A key instruction's first (or only) cycle.
    pub kf: Signal<Out, Bit>,
    pub hold: Signal<Out, Bit>,
    pub push: Signal<Out, Bit>,
    pub pop: Signal<Out, Bit>,
    pub tload: Signal<Out, Bit>,
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

/// First-cycle opcode groups: (hold, push = tload, pop).
fn groups(opc: u64, bavail: bool, navail: bool) -> (bool, bool, bool) {
    let hold =
        matches!(opc, 11..=17 | 19 | 21 | 23) || (opc == 25 && bavail) || (opc == 26 && navail);
    let push =
        matches!(opc, 4 | 5 | 8 | 9 | 10) || (opc == 25 && !bavail) || (opc == 26 && !navail);
    let pop = matches!(opc, 12 | 14 | 22 | 24);
    (hold, push, pop)
}

impl Logic for KeyDecode {
    fn update(&mut self) {
        let op = self.op.val().index() as u64;
        let kf = self.on.val() && !self.busy.val() && !self.pc12.val() && (op >> 5) == 0b0111;
        let (h, p, q) = groups(op & 31, self.bavail.val(), self.navail.val());
        self.kf.next = kf;
        self.hold.next = (kf && h) || self.h2.val();
        self.push.next = (kf && p) || self.l2.val();
        self.pop.next = (kf && q) || self.p2.val();
        self.tload.next = (kf && p) || self.t2.val();
    }
    fn connect(&mut self) {
        self.kf.connect();
        self.hold.connect();
        self.push.connect();
        self.pop.connect();
        self.tload.connect();
    }
    fn hdl(&self) -> Verilog {
        let keep = if self._keep { "(* keep *) " } else { "" };
        Verilog::Custom(format!(
            "\
wire [4:0] opc = op[4:0];
{keep}wire kf_w = on & ~busy & ~pc12 & (op[8:5] == 4'b0111);
{keep}wire gh_w = (opc == 5'd11) | (opc == 5'd12) | (opc == 5'd13) | (opc == 5'd14)
    | (opc == 5'd15) | (opc == 5'd16) | (opc == 5'd17) | (opc == 5'd19) | (opc == 5'd21)
    | (opc == 5'd23) | ((opc == 5'd25) & bavail) | ((opc == 5'd26) & navail);
{keep}wire gp_w = (opc == 5'd4) | (opc == 5'd5) | (opc == 5'd8) | (opc == 5'd9)
    | (opc == 5'd10) | ((opc == 5'd25) & ~bavail) | ((opc == 5'd26) & ~navail);
{keep}wire gq_w = (opc == 5'd12) | (opc == 5'd14) | (opc == 5'd22) | (opc == 5'd24);
always @(*) begin
    kf = kf_w;
    hold = (kf_w & gh_w) | h2;
    push = (kf_w & gp_w) | l2;
    pop = (kf_w & gq_w) | p2;
    tload = (kf_w & gp_w) | t2;
end"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    #[test]
    fn key_decode_groups() {
        // hold: the multi-cycle ops (allocation only with an index left)
        for opc in 0..32u64 {
            let (h, p, q) = groups(opc, true, true);
            assert_eq!(h, matches!(opc, 11..=17 | 19 | 21 | 23 | 25 | 26), "{opc}");
            assert_eq!(p, matches!(opc, 4 | 5 | 8 | 9 | 10), "{opc}");
            assert_eq!(q, matches!(opc, 12 | 14 | 22 | 24), "{opc}");
        }
        assert_eq!(groups(25, false, true), (false, true, false));
        assert_eq!(groups(26, true, false), (false, true, false));
    }

    #[test]
    fn key_decode_yosys_validate() {
        let mut uut = KeyDecode::new(true);
        uut.connect_all();
        validate("j1k_key_decode", &crate::util::verilog(&uut));
    }
}
