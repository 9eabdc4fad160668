//! The key unit's core-facing decode: `hold`, `push`, `pop`, `tload` are a
//! first-cycle test of the instruction ORed with one register each. Written as
//! Verilog in a module yosys keeps apart (`util::KEEP_HIERARCHY`), with
//! `(* keep *)` on every intermediate net, each a function of at most four
//! inputs, so that yosys/abc build exactly one LUT per net: three LUT levels
//! after the instruction (abc, which takes every input to arrive at the same
//! time, otherwise shares these cones with the core's decode and put the late
//! instruction bits up to seven LUTs deep).
//!
//! - Level 1: one LUT of four instruction bits each: the key pattern (15:12),
//!   the opcode groups on bits 11:8, and bits 11:9 with an allocator's `avail`.
//! - Level 2: `kf` (the pattern and `ek`, a LUT of registers only: on, not busy,
//!   not a fetch, not the reboot cycle), and the groups completed with bits 8:7.
//! - Level 3: `kf` AND the group, OR the later-cycle register.
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
    /// Instruction bits 15:7 (the ALU-class-with-bit-12 pattern and the opcode).
    pub op: Signal<In, Bits<9>>,
    /// Not a first cycle (a multi-cycle key instruction continues).
    pub busy: Signal<In, Bit>,
    /// pc bit 12: a fetch cycle, not an instruction.
    pub pc12: Signal<In, Bit>,
    /// Not the reboot cycle.
    pub booted: Signal<In, Bit>,
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

/// The Verilog body: the same groups as `groups`, as nets of at most four inputs.
fn body(keep: &str, hier: &str) -> String {
    format!(
        "\
{hier}
wire x7 = op[0];
wire x8 = op[1];
wire [3:0] o41 = op[4:1];
wire [2:0] o42 = op[4:2];
// level 0: registers only
{keep}wire ek_w = on & ~busy & ~pc12 & booted;
// level 1: four instruction bits (or three and a register) each
{keep}wire k4_w = op[8:5] == 4'b0111;
{keep}wire ma_w = (o41 == 4'b0010) | (o41 == 4'b0100);
{keep}wire p10_w = o41 == 4'b0101;
{keep}wire pb_w = (o42 == 3'b110) & ~bavail;
{keep}wire pn_w = (o42 == 3'b110) & ~navail;
{keep}wire hb_w = (o42 == 3'b110) & bavail;
{keep}wire hn_w = (o42 == 3'b110) & navail;
{keep}wire q1_w = (o41 == 4'b0110) | (o41 == 4'b0111) | (o41 == 4'b1011) | (o41 == 4'b1100);
{keep}wire h1_w = (o41 == 4'b0110) | (o41 == 4'b0111) | (o41 == 4'b1000);
{keep}wire h7_w = (o41 == 4'b0101) | (o41 == 4'b1001) | (o41 == 4'b1010) | (o41 == 4'b1011);
// level 2: opcode 25 is 1100 with x7, 26 is 1101 without
{keep}wire kf_w = ek_w & k4_w;
{keep}wire gpx_w = (x7 & ~x8 & pb_w) | (~x7 & x8 & pn_w);
{keep}wire gpy_w = ma_w | (p10_w & ~x7);
{keep}wire ghx_w = (x7 & ~x8 & hb_w) | (~x7 & x8 & hn_w);
{keep}wire ghy_w = h1_w | (h7_w & x7);
// level 3
always @(*) begin
    kf = kf_w;
    hold = (kf_w & (ghx_w | ghy_w)) | h2;
    push = (kf_w & (gpx_w | gpy_w)) | l2;
    pop = (kf_w & q1_w & ~x7) | p2;
    tload = (kf_w & (gpx_w | gpy_w)) | t2;
end"
    )
}

impl Logic for KeyDecode {
    fn update(&mut self) {
        let op = self.op.val().index() as u64;
        let kf = self.on.val()
            && !self.busy.val()
            && !self.pc12.val()
            && self.booted.val()
            && (op >> 5) == 0b0111;
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

    /// The nets of `body`, transcribed, against `groups` for every opcode and `avail`.
    #[test]
    fn key_decode_nets_match_groups() {
        for opc in 0..32u64 {
            for (ba, na) in [(false, false), (false, true), (true, false), (true, true)] {
                let b = |i: u32| (opc >> i) & 1 == 1;
                let (x7, x8) = (b(0), b(1));
                let (o41, o42) = (opc >> 1, opc >> 2);
                let ma = o41 == 0b0010 || o41 == 0b0100;
                let p10 = o41 == 0b0101;
                let (pb, pn) = (o42 == 0b110 && !ba, o42 == 0b110 && !na);
                let (hb, hn) = (o42 == 0b110 && ba, o42 == 0b110 && na);
                let q1 = matches!(o41, 0b0110 | 0b0111 | 0b1011 | 0b1100);
                let h1 = (0b0110..=0b1000).contains(&o41);
                let h7 = matches!(o41, 0b0101 | 0b1001 | 0b1010 | 0b1011);
                let gp = (x7 && !x8 && pb) || (!x7 && x8 && pn) || ma || (p10 && !x7);
                let gh = (x7 && !x8 && hb) || (!x7 && x8 && hn) || h1 || (h7 && x7);
                let gq = q1 && !x7;
                assert_eq!((gh, gp, gq), groups(opc, ba, na), "{opc} {ba} {na}");
            }
        }
    }

    #[test]
    fn key_decode_yosys_validate() {
        let mut uut = KeyDecode::new(true);
        uut.connect_all();
        validate("j1k_key_decode", &crate::util::verilog(&uut));
    }
}
