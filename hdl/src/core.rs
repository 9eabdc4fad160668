//! The J1a core, exactly swapforth's `j1.v` (docs/isa.md §1–7): pc, T, the
//! 4-bit `dsp`, the two `stack2` stacks, the RAM addressed with `pcN` (so its
//! registered read data is `insn`), the fetch path (pc bit 12), the reboot
//! cycle, and a synchronous reset. Key instructions (ALU class with bit 12
//! set) are handed to the key unit through the `k_*` ports when the key unit
//! is built; without it they are plain ALU instructions, as on the J1a.

use crate::pcsel::PcSel;
use crate::ram::CodeRam;
use crate::ring::LoadRing;
use crate::stack::Stack2;
use crate::stack_ram::StackRam;
use crate::stackctl::StackCtl;
use crate::util::{k, Pick, Zext};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct Core<const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The context whose cycle this clock computes (docs/architecture.md §11; 0 with K = 1).
    pub ctx: Signal<In, Bits<8>>,
    /// The io read bus (`io_din`).
    pub io_din: Signal<In, Bits<16>>,
    /// The RAM write gate.
    pub unlocked: Signal<In, Bit>,
    // ---- from the key unit (tie to 0 without one) ----
    /// Hold the pc: the key instruction continues next cycle.
    pub k_hold: Signal<In, Bit>,
    /// Push: d+1, T→N (T' from `k_tval`).
    pub k_push: Signal<In, Bit>,
    /// Pop: d−1, T' = N unless `k_tload`.
    pub k_pop: Signal<In, Bit>,
    /// `k_push | k_pop` from a register of its own (stackctl.rs).
    pub k_move: Signal<In, Bit>,
    /// T' = `k_tval`.
    pub k_tload: Signal<In, Bit>,
    pub k_tval: Signal<In, Bits<16>>,
    /// Image loading by a simulation harness: while set, the RAM's write port
    /// takes `load_addr`/`load_data` instead of the core's store (held in reset).
    pub load_we: Signal<In, Bit>,
    pub load_addr: Signal<In, Bits<12>>,
    pub load_data: Signal<In, Bits<16>>,
    // ---- several cores (docs/architecture.md §6; built `control`, else unused) ----
    /// The core runs this cycle; stopped, nothing changes and the RAM serves `rr_addr`.
    pub run: Signal<In, Bit>,
    /// A start of the context entering at this edge (docs/architecture.md §11.4; with one
    /// context, this one): its pc := `start_pc`, T, `dsp`, rdepth := 0.
    pub start: Signal<In, Bit>,
    pub start_pc: Signal<In, Bits<12>>,
    /// A start decided at this edge: context k's RAM reads `ram_start_pc` bits 12k.. if
    /// `ram_start` bit k is set (ram.rs).
    pub ram_start: Signal<In, Bits<8>>,
    pub ram_start_pc: Signal<In, Bits<64>>,
    /// Each context's RAM read data (a stopped core's: the word at `rr_addr`).
    pub ram_rdata: [Signal<Out, Bits<16>>; K],
    /// While stopped: the RAM's read address (core 0's remote pointer) and write port.
    pub rr_addr: Signal<In, Bits<12>>,
    pub rw_we: Signal<In, Bit>,
    pub rw_addr: Signal<In, Bits<12>>,
    pub rw_data: Signal<In, Bits<16>>,
    // ---- state, as after the previous edge ----
    pub pc: Signal<Out, Bits<13>>,
    /// The code RAM's read data: the instruction, but not 0 in the reboot cycle
    /// (`reboot` flags it; the J1a executes 0 then).
    pub insn: Signal<Out, Bits<16>>,
    pub t: Signal<Out, Bits<16>>,
    pub n: Signal<Out, Bits<16>>,
    pub r: Signal<Out, Bits<16>>,
    pub dsp: Signal<Out, Bits<4>>,
    pub rdepth: Signal<Out, Bits<5>>,
    pub reboot: Signal<Out, Bit>,
    /// pc zero-extended (for the key unit; linked to the register, not computed).
    pub pc_full: Signal<Out, Bits<16>>,
    // ---- this cycle ----
    pub io_rd: Signal<Out, Bit>,
    pub io_wr: Signal<Out, Bit>,
    /// `io[T]` (ALU code 13) executes.
    pub alu_io_read: Signal<Out, Bit>,
    pub ram_we: Signal<Out, Bit>,
    pub ram_waddr: Signal<Out, Bits<12>>,
    pub ram_wdata: Signal<Out, Bits<16>>,
    pub halt: Signal<Out, Bit>,

    ram: CodeRam<K>,
    ctl: StackCtl,
    /// The next pc as a one-hot select (with the key unit; see pcsel.rs).
    psel: PcSel,
    /// The stacks: shift registers with one context, block RAMs with several (the other
    /// pair is tied off, and synthesis removes it); `many` says which.
    dstack: Stack2<240>,
    rstack: Stack2<272>,
    dstack_m: StackRam<K, 15>,
    rstack_m: StackRam<K, 17>,
    many: Constant<Bit>,
    /// N and R from the stacks in use (linked on, as the shift register's head was).
    npick: Pick<2>,
    rpick: Pick<2>,
    which: Constant<Bits<8>>,
    /// pc and dsp are kept zero-extended to 16 bits (masks, not concatenation).
    pc_r: LoadRing<Bits<16>, K>,
    t_r: LoadRing<Bits<16>, K>,
    /// `dsp` is kept as the value before the last edge plus the step taken at it, an
    /// add of registers early in the cycle: the step itself (decoded from the
    /// instruction late in the cycle) goes straight into `dsp_step`, not through an
    /// adder into `dsp` (that adder was the HX8K build's critical path).
    dsp_base: LoadRing<Bits<16>, K>,
    dsp_step: LoadRing<Bits<16>, K>,
    dsp_now: Signal<Local, Bits<16>>,
    rdepth_r: LoadRing<Bits<5>, K>,

    key_on: Constant<Bit>,
    /// Built for several cores: `run`, `start` and the remote RAM ports act.
    ctl_on: Constant<Bit>,
    stopped: Signal<Local, Bit>,
    starting: Signal<Local, Bit>,
    spc16: Zext<12, 16>,
    c16_0: Constant<Bits<16>>,
    c16_1: Constant<Bits<16>>,
    c16_ones: Constant<Bits<16>>,
    c16_sign: Constant<Bits<16>>,
    c16_lit: Constant<Bits<16>>,
    c16_kmask: Constant<Bits<16>>,
    c16_kpat: Constant<Bits<16>>,
    c16_pc: Constant<Bits<16>>,
    c16_dsp: Constant<Bits<16>>,
    c16_m1: Constant<Bits<16>>,
    c16_m2: Constant<Bits<16>>,
    c5_0: Constant<Bits<5>>,
    c8_0: Constant<Bits<8>>,
    c5_1: Constant<Bits<5>>,
    c5_m1: Constant<Bits<5>>,
    c2_0: Constant<Bits<2>>,
    c2_1: Constant<Bits<2>>,
    c2_2: Constant<Bits<2>>,
    c2_3: Constant<Bits<2>>,
    c3_1: Constant<Bits<3>>,
    c3_2: Constant<Bits<3>>,
    c3_3: Constant<Bits<3>>,
    c3_4: Constant<Bits<3>>,
    c3_5: Constant<Bits<3>>,
    op_io: Constant<Bits<4>>,

    rebooting: Signal<Local, Bit>,
    /// A key instruction executes (starts or continues) this cycle.
    key_exec: Signal<Local, Bit>,
    insn_l: Signal<Local, Bits<16>>,
    st0: Signal<Local, Bits<16>>,
    st1: Signal<Local, Bits<16>>,
    rst0: Signal<Local, Bits<16>>,
    pc1: Signal<Local, Bits<16>>,
    iclass: Signal<Local, Bits<2>>,
    target: Signal<Local, Bits<16>>,
    op: Signal<Local, Bits<4>>,
    func: Signal<Local, Bits<3>>,
    rret: Signal<Local, Bits<16>>,
    alu: Signal<Local, Bits<16>>,
    t_n: Signal<Local, Bits<16>>,
    /// T' of everything but an ALU instruction.
    t_other: Signal<Local, Bits<16>>,
    /// This cycle executes an ALU instruction: T' is the ALU's.
    alu_sel: Signal<Local, Bit>,
    pc_n: Signal<Local, Bits<16>>,
    r_wd: Signal<Local, Bits<16>>,
    mem_wr: Signal<Local, Bit>,
    io_wr_l: Signal<Local, Bit>,
    io_rd_l: Signal<Local, Bit>,
    /// Without the key unit: the J1a's stack controls, decoded in the big `always`.
    d_we: Signal<Local, Bit>,
    d_delta: Signal<Local, Bits<2>>,
    r_we: Signal<Local, Bit>,
    r_delta: Signal<Local, Bits<2>>,
    /// The stack controls used: `ctl`'s with the key unit, the above without.
    sd_we: Signal<Local, Bit>,
    sd_mv: Signal<Local, Bit>,
    sd_dir: Signal<Local, Bit>,
    sd_hce: Signal<Local, Bit>,
    sd_tce: Signal<Local, Bit>,
    sr_hce: Signal<Local, Bit>,
    sr_tce: Signal<Local, Bit>,
    sr_we: Signal<Local, Bit>,
    sr_mv: Signal<Local, Bit>,
    sr_dir: Signal<Local, Bit>,
    d_add: Signal<Local, Bits<16>>,
    r_add: Signal<Local, Bits<5>>,
}

impl Core {
    /// A core whose RAM holds `image`; `key_on` builds the key-instruction path;
    /// `control`: one of several cores (run, start, remote RAM access).
    pub fn new(image: &[u16], ram_words: usize, key_on: bool, control: bool) -> Self {
        Core::<1>::contexts(image, &[ram_words], key_on, control)
    }
}

impl<const K: usize> Core<K> {
    /// `K` cores on one circuit (docs/architecture.md §11), context k's RAM of
    /// `ram_words[k]` words; otherwise as [`Core::new`].
    pub fn contexts(image: &[u16], ram_words: &[usize], key_on: bool, control: bool) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            ctx: Default::default(),
            io_din: Default::default(),
            unlocked: Default::default(),
            k_hold: Default::default(),
            k_push: Default::default(),
            k_pop: Default::default(),
            k_move: Default::default(),
            k_tload: Default::default(),
            k_tval: Default::default(),
            load_we: Default::default(),
            load_addr: Default::default(),
            load_data: Default::default(),
            run: Default::default(),
            start: Default::default(),
            start_pc: Default::default(),
            ram_start: Default::default(),
            ram_start_pc: Default::default(),
            ram_rdata: std::array::from_fn(|_| Default::default()),
            rr_addr: Default::default(),
            rw_we: Default::default(),
            rw_addr: Default::default(),
            rw_data: Default::default(),
            pc: Default::default(),
            insn: Default::default(),
            t: Default::default(),
            n: Default::default(),
            r: Default::default(),
            dsp: Default::default(),
            rdepth: Default::default(),
            reboot: Default::default(),
            pc_full: Default::default(),
            key_exec: Default::default(),
            io_rd: Default::default(),
            io_wr: Default::default(),
            alu_io_read: Default::default(),
            ram_we: Default::default(),
            ram_waddr: Default::default(),
            ram_wdata: Default::default(),
            halt: Default::default(),
            ram: CodeRam::contexts(image, ram_words),
            ctl: StackCtl::new(key_on),
            psel: PcSel::new(key_on),
            dstack: Default::default(),
            rstack: Default::default(),
            dstack_m: Default::default(),
            rstack_m: Default::default(),
            many: Constant::new(K > 1),
            npick: Default::default(),
            rpick: Default::default(),
            which: k((K > 1) as u64),
            pc_r: Default::default(),
            t_r: Default::default(),
            dsp_base: Default::default(),
            dsp_step: Default::default(),
            dsp_now: Default::default(),
            rdepth_r: Default::default(),
            key_on: Constant::new(key_on),
            ctl_on: Constant::new(control),
            stopped: Default::default(),
            starting: Default::default(),
            spc16: Default::default(),
            c16_0: k(0),
            c16_1: k(1),
            c16_ones: k(0xffff),
            c16_sign: k(0x8000),
            c16_lit: k(0x7fff),
            c16_kmask: k(0xf000),
            c16_kpat: k(0x7000),
            c16_pc: k(0x1fff),
            c16_dsp: k(0xf),
            c16_m1: k(0xffff),
            c16_m2: k(0xfffe),
            c5_0: k(0),
            c8_0: k(0),
            c5_1: k(1),
            c5_m1: k(31),
            c2_0: k(0),
            c2_1: k(1),
            c2_2: k(2),
            c2_3: k(3),
            c3_1: k(1),
            c3_2: k(2),
            c3_3: k(3),
            c3_4: k(4),
            c3_5: k(5),
            op_io: k(13),
            rebooting: Default::default(),
            insn_l: Default::default(),
            st0: Default::default(),
            st1: Default::default(),
            rst0: Default::default(),
            pc1: Default::default(),
            iclass: Default::default(),
            target: Default::default(),
            op: Default::default(),
            func: Default::default(),
            rret: Default::default(),
            alu: Default::default(),
            t_n: Default::default(),
            t_other: Default::default(),
            alu_sel: Default::default(),
            pc_n: Default::default(),
            r_wd: Default::default(),
            mem_wr: Default::default(),
            io_wr_l: Default::default(),
            io_rd_l: Default::default(),
            d_we: Default::default(),
            d_delta: Default::default(),
            r_we: Default::default(),
            r_delta: Default::default(),
            sd_we: Default::default(),
            sd_mv: Default::default(),
            sd_dir: Default::default(),
            sd_hce: Default::default(),
            sd_tce: Default::default(),
            sr_hce: Default::default(),
            sr_tce: Default::default(),
            sr_we: Default::default(),
            sr_mv: Default::default(),
            sr_dir: Default::default(),
            d_add: Default::default(),
            r_add: Default::default(),
        }
    }
}

impl<const K: usize> Logic for Core<K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pc_r, t_r, dsp_base, dsp_step, rdepth_r);
        self.dsp_now.next = (self.dsp_base.q.val() + self.dsp_step.q.val()) & self.c16_dsp.val();
        // What the key unit reads comes straight from registers (links, not
        // assignments in this block's `always`), so that Verilator sees no
        // combinational loop core -> key unit -> core.
        Signal::<Out, Bits<16>>::link(&mut self.insn, &mut self.ram.insn);
        Signal::<Out, Bits<16>>::link(&mut self.t, &mut self.t_r.q);
        Signal::<Out, Bits<16>>::link(&mut self.n, &mut self.npick.y);
        Signal::<Out, Bits<16>>::link(&mut self.pc_full, &mut self.pc_r.q);
        self.ram.reset.next = self.reset.val();
        self.ram.clock.next = self.clock.val();
        self.ram.ctx.next = self.ctx.val();
        self.npick.sel.next = self.which.val();
        self.npick.d[0].next = self.dstack.head_q.val();
        self.npick.d[1].next = self.dstack_m.head_q.val();
        self.rpick.sel.next = self.which.val();
        self.rpick.d[0].next = self.rstack.head_q.val();
        self.rpick.d[1].next = self.rstack_m.head_q.val();
        self.dstack_m.clock.next = self.clock.val();
        self.rstack_m.clock.next = self.clock.val();
        self.dstack_m.ctx.next = self.ctx.val();
        self.rstack_m.ctx.next = self.ctx.val();
        self.stopped.next = self.ctl_on.val() && !self.run.val();
        self.spc16.a.next = self.start_pc.val();
        // a key instruction is fetched once (ram.rs)
        self.ram.hold.next = self.k_hold.val() && !self.stopped.val();
        self.dstack.clock.next = self.clock.val();
        self.rstack.clock.next = self.clock.val();
        self.dstack.reset.next = self.reset.val() && !self.many.val();
        self.rstack.reset.next = self.reset.val() && !self.many.val();
        self.dstack_m.reset.next = self.reset.val() && self.many.val();
        self.rstack_m.reset.next = self.reset.val() && self.many.val();
        self.ctl.x.next = self.ram.insn.val();
        self.ctl.p12.next = self.pc_r.q.val().get_bit(12);
        self.ctl.booted.next = !self.ram.reboot.val();
        self.ctl.k_push.next = self.k_push.val();
        self.psel.x.next = self.ram.insn.val();
        self.psel.p12.next = self.pc_r.q.val().get_bit(12);
        self.psel.booted.next = !self.ram.reboot.val();
        self.psel.hold.next = self.k_hold.val();
        self.psel.pc.next = self.pc_r.q.val();
        // (psel's inputs read registers and ports only, never a value this block computes:
        // Verilator then orders psel apart from this block, which reads its output)
        self.psel.tz.next = self.t_r.q.val() == self.c16_0.val();
        self.psel.pc1.next = (self.pc_r.q.val() + self.c16_1.val()) & self.c16_pc.val();
        self.psel.rret.next = (self.rpick.y.val() >> self.c16_1.val()) & self.c16_pc.val();
        self.ctl.k_pop.next = self.k_pop.val();
        self.ctl.k_move.next = self.k_move.val();
        self.ctl.reset.next = self.reset.val();

        // ---- decode ----
        self.rebooting.next = self.ram.reboot.val();
        self.insn_l.next = self.ram.insn.val();
        // Without the key unit the J1a's T' and pc decode read 0 in the reboot cycle, as
        // the J1a: abc maps that chain one LUT shallower than with the raw word (measured).
        if !self.key_on.val() && self.rebooting.val() {
            self.insn_l.next = self.c16_0.val();
        }
        self.st0.next = self.t_r.q.val();
        self.st1.next = self.npick.y.val();
        self.rst0.next = self.rpick.y.val();
        self.pc1.next = (self.pc_r.q.val() + self.c16_1.val()) & self.c16_pc.val();
        self.iclass.next = self.insn_l.val().get_bits::<2>(13);
        self.target.next = self.insn_l.val() & self.c16_pc.val();
        self.op.next = self.insn_l.val().get_bits::<4>(8);
        self.func.next = self.insn_l.val().get_bits::<3>(4);
        self.rret.next = (self.rst0.val() >> self.c16_1.val()) & self.c16_pc.val();

        // A key instruction: computed on its own, outside the big if/else below, so that
        // Verilator can order the path core -> key unit -> core without a false loop.
        self.key_exec.next = self.key_on.val()
            && !self.pc_r.q.val().get_bit(12)
            && ((self.insn_l.val() & self.c16_kmask.val()) == self.c16_kpat.val());

        // ---- the ALU (T') ----
        // A balanced tree on the four code bits, not a chain of sixteen tests: the
        // code comes from the RAM late in the cycle, and a tree puts it four 2:1
        // levels from T' (a chain put it seven LUTs deep). Codes by quarter (bits 3:2):
        // 0 T N T+N T&N, 4 T|N T^N ~T N==T, 8 N<T T2/ T2* rT, 12 N-T io[T] status Nu<T.
        if self.op.val().get_bit(3) {
            if self.op.val().get_bit(2) {
                if self.op.val().get_bit(1) {
                    if self.op.val().get_bit(0) {
                        self.alu.next = self.c16_0.val();
                        if self.st1.val() < self.st0.val() {
                            self.alu.next = self.c16_ones.val();
                        }
                    } else {
                        self.alu.next = self.dsp_now.val();
                    }
                } else if self.op.val().get_bit(0) {
                    self.alu.next = self.io_din.val();
                } else {
                    self.alu.next = self.st1.val() - self.st0.val();
                }
            } else if self.op.val().get_bit(1) {
                if self.op.val().get_bit(0) {
                    self.alu.next = self.rst0.val();
                } else {
                    self.alu.next = self.st0.val() << self.c16_1.val();
                }
            } else if self.op.val().get_bit(0) {
                self.alu.next =
                    (self.st0.val() >> self.c16_1.val()) | (self.st0.val() & self.c16_sign.val());
            } else {
                self.alu.next = self.c16_0.val();
                if (self.st1.val() ^ self.c16_sign.val()) < (self.st0.val() ^ self.c16_sign.val()) {
                    self.alu.next = self.c16_ones.val();
                }
            }
        } else if self.op.val().get_bit(2) {
            if self.op.val().get_bit(1) {
                if self.op.val().get_bit(0) {
                    self.alu.next = self.c16_0.val();
                    if self.st1.val() == self.st0.val() {
                        self.alu.next = self.c16_ones.val();
                    }
                } else {
                    self.alu.next = !self.st0.val();
                }
            } else if self.op.val().get_bit(0) {
                self.alu.next = self.st0.val() ^ self.st1.val();
            } else {
                self.alu.next = self.st0.val() | self.st1.val();
            }
        } else if self.op.val().get_bit(1) {
            if self.op.val().get_bit(0) {
                self.alu.next = self.st0.val() & self.st1.val();
            } else {
                self.alu.next = self.st0.val() + self.st1.val();
            }
        } else if self.op.val().get_bit(0) {
            self.alu.next = self.st1.val();
        } else {
            self.alu.next = self.st0.val();
        }

        // ---- the next state (T' is chosen after it, below) ----
        self.pc_n.next = self.pc1.val();
        self.d_we.next = false;
        self.d_delta.next = self.c2_0.val();
        self.r_we.next = false;
        self.r_delta.next = self.c2_0.val();
        self.r_wd.next = self.st0.val();
        self.mem_wr.next = false;
        self.io_wr_l.next = false;
        self.io_rd_l.next = false;
        self.alu_io_read.next = false;
        self.halt.next = false;
        if self.pc_r.q.val().get_bit(12) {
            // fetch: the word is a literal, with an implicit return
            self.d_we.next = true;
            self.d_delta.next = self.c2_1.val();
            self.r_delta.next = self.c2_3.val();
            self.pc_n.next = self.rret.val();
        } else if self.insn_l.val().get_bit(15) {
            self.d_we.next = true;
            self.d_delta.next = self.c2_1.val();
        } else if self.iclass.val() == self.c2_0.val() {
            self.pc_n.next = self.target.val();
            if (self.target.val() == self.pc_r.q.val()) && !self.rebooting.val() {
                self.halt.next = true;
            }
        } else if self.iclass.val() == self.c2_1.val() {
            self.d_delta.next = self.c2_3.val();
            if self.st0.val() == self.c16_0.val() {
                self.pc_n.next = self.target.val();
            }
        } else if self.iclass.val() == self.c2_2.val() {
            self.r_we.next = true;
            self.r_delta.next = self.c2_1.val();
            self.r_wd.next = self.pc1.val() << self.c16_1.val();
            self.pc_n.next = self.target.val();
        } else if self.key_exec.val() {
            // A key instruction: the key unit's answers set T' (t_other, below).
        } else {
            self.d_we.next = self.func.val() == self.c3_1.val();
            self.d_delta.next = self.insn_l.val().get_bits::<2>(0);
            self.r_we.next = self.func.val() == self.c3_2.val();
            self.r_delta.next = self.insn_l.val().get_bits::<2>(2);
            self.mem_wr.next = self.func.val() == self.c3_3.val();
            self.io_wr_l.next = self.func.val() == self.c3_4.val();
            self.io_rd_l.next = self.func.val() == self.c3_5.val();
            self.alu_io_read.next = self.op.val() == self.op_io.val();
            if self.insn_l.val().get_bit(7) {
                self.pc_n.next = self.rret.val();
            }
        }
        // The key unit's hold, outermost so that it arrives last (it is late: the key unit
        // decodes `insn` too). It is only ever set while a key instruction executes, so
        // applying it outside the branch above changes nothing. (Its T' answers are in
        // `t_other`, below.)
        if self.k_hold.val() {
            self.pc_n.next = self.pc_r.q.val();
        }
        if self.rebooting.val() {
            self.pc_n.next = self.c16_0.val();
            self.mem_wr.next = false;
            self.io_wr_l.next = false;
            self.io_rd_l.next = false;
            self.alu_io_read.next = false;
        }
        // With the key unit, the next pc is psel's one-hot select (pcsel.rs): the same
        // value as the chain above, five LUTs deep instead of ten. (Without it, the
        // chain: psel made the J1a alone no faster, measured.)
        if self.key_on.val() {
            self.pc_n.next = self.psel.pc_n.val();
        }

        // The stack controls. With the key unit, `ctl`'s (the critical path: see
        // stackctl.rs). Without it, the J1a's decode above, read from the word masked to 0
        // in the reboot cycle: abc maps the J1a alone better that way (measured: with
        // `ctl` it was 22 cells larger and 5 MHz slower on the HX8K).
        // stack pointers: dsp += {d[1], d[1], d}; the model's rdepth follows the motion
        self.d_add.next = self.c16_0.val();
        self.r_add.next = self.c5_0.val();
        if self.key_on.val() {
            self.sd_we.next = self.ctl.d_we.val();
            self.sd_mv.next = self.ctl.d_mv.val();
            self.sd_dir.next = self.ctl.d_dir.val();
            self.sr_we.next = self.ctl.r_we.val();
            self.sr_mv.next = self.ctl.r_mv.val();
            self.sr_dir.next = self.ctl.r_dir.val();
            self.sd_hce.next = self.ctl.d_hce.val();
            self.sd_tce.next = self.ctl.d_tce.val();
            self.sr_hce.next = self.ctl.r_hce.val();
            self.sr_tce.next = self.ctl.r_tce.val();
            if self.ctl.d_m2.val() {
                self.d_add.next = self.c16_m2.val();
            }
            if self.ctl.d_mv.val() {
                self.d_add.next = self.c16_1.val();
                if self.ctl.d_dir.val() {
                    self.d_add.next = self.c16_m1.val();
                }
            }
            if self.ctl.r_mv.val() {
                self.r_add.next = self.c5_1.val();
                if self.ctl.r_dir.val() {
                    self.r_add.next = self.c5_m1.val();
                }
            }
        } else {
            self.sd_we.next = self.d_we.val();
            self.sd_mv.next = self.d_delta.val().get_bit(0);
            self.sd_dir.next = self.d_delta.val().get_bit(1);
            self.sr_we.next = self.r_we.val();
            self.sr_mv.next = self.r_delta.val().get_bit(0);
            self.sr_dir.next = self.r_delta.val().get_bit(1);
            self.sd_hce.next = self.sd_mv.val() || self.sd_we.val() || self.reset.val();
            self.sd_tce.next = self.sd_mv.val() || self.reset.val();
            self.sr_hce.next = self.sr_mv.val() || self.sr_we.val() || self.reset.val();
            self.sr_tce.next = self.sr_mv.val() || self.reset.val();
            if self.d_delta.val() == self.c2_1.val() {
                self.d_add.next = self.c16_1.val();
            }
            if self.d_delta.val() == self.c2_2.val() {
                self.d_add.next = self.c16_m2.val();
            }
            if self.d_delta.val() == self.c2_3.val() {
                self.d_add.next = self.c16_m1.val();
            }
            if self.r_delta.val() == self.c2_1.val() {
                self.r_add.next = self.c5_1.val();
            }
            if self.r_delta.val() == self.c2_3.val() {
                self.r_add.next = self.c5_m1.val();
            }
        }

        // A stopped core changes nothing (its key unit starts nothing either).
        if self.stopped.val() {
            self.sd_we.next = false;
            self.sd_mv.next = false;
            self.sd_hce.next = self.reset.val();
            self.sd_tce.next = self.reset.val();
            self.sr_we.next = false;
            self.sr_mv.next = false;
            self.sr_hce.next = self.reset.val();
            self.sr_tce.next = self.reset.val();
            self.d_add.next = self.c16_0.val();
            self.r_add.next = self.c5_0.val();
            self.mem_wr.next = false;
            self.io_wr_l.next = false;
            self.io_rd_l.next = false;
            self.alu_io_read.next = false;
            self.halt.next = false;
        }

        // ---- T' ----
        // The ALU's result is the deepest input, so it meets the others at the last
        // mux; the other classes and the key unit's answers are settled before it.
        self.t_other.next = self.st0.val(); // jump, call, a key instruction leaving T
        if self.iclass.val() == self.c2_1.val() {
            self.t_other.next = self.st1.val(); // conditional jump: pops
        }
        if self.k_pop.val() {
            self.t_other.next = self.st1.val();
        }
        if self.k_tload.val() {
            self.t_other.next = self.k_tval.val();
        }
        if self.insn_l.val().get_bit(15) {
            self.t_other.next = self.insn_l.val() & self.c16_lit.val();
        }
        if self.pc_r.q.val().get_bit(12) {
            // fetch: the word is a literal, with an implicit return
            self.t_other.next = self.insn_l.val();
        }
        self.alu_sel.next = !self.pc_r.q.val().get_bit(12)
            && (self.insn_l.val().get_bits::<3>(13) == self.c3_3.val())
            && !(self.key_on.val() && self.insn_l.val().get_bit(12));
        self.t_n.next = self.t_other.val();
        if self.alu_sel.val() {
            self.t_n.next = self.alu.val();
        }

        // ---- the edge ----
        self.pc_r.d.next = self.pc_n.val();
        // (the reboot cycle executes 0, a jump: T stays; without the key unit T' is
        // decoded from 0 then)
        if !self.rebooting.val() || !self.key_on.val() {
            self.t_r.d.next = self.t_n.val();
        }
        self.dsp_base.d.next = self.dsp_now.val();
        self.dsp_step.d.next = self.d_add.val();
        if !self.key_on.val() {
            // (the J1a alone: its step is decoded early enough; one register is smaller)
            self.dsp_base.d.next = (self.dsp_now.val() + self.d_add.val()) & self.c16_dsp.val();
            self.dsp_step.d.next = self.c16_0.val();
        }
        self.rdepth_r.d.next = self.rdepth_r.q.val() + self.r_add.val();
        self.dstack.we.next = self.sd_we.val() && !self.many.val();
        self.dstack.hce.next = self.sd_hce.val() && !self.many.val();
        self.dstack.tce.next = self.sd_tce.val() && !self.many.val();
        self.rstack.hce.next = self.sr_hce.val() && !self.many.val();
        self.rstack.tce.next = self.sr_tce.val() && !self.many.val();
        self.dstack.mv.next = self.sd_mv.val();
        self.dstack.dir.next = self.sd_dir.val();
        self.dstack.wd.next = self.st0.val();
        self.rstack.we.next = self.sr_we.val() && !self.many.val();
        self.rstack.mv.next = self.sr_mv.val();
        self.rstack.dir.next = self.sr_dir.val();
        self.rstack.wd.next = self.r_wd.val();
        self.dstack_m.we.next = self.sd_we.val() && self.many.val();
        self.dstack_m.mv.next = self.sd_mv.val() && self.many.val();
        self.dstack_m.dir.next = self.sd_dir.val();
        self.dstack_m.wd.next = self.st0.val();
        self.rstack_m.we.next = self.sr_we.val() && self.many.val();
        self.rstack_m.mv.next = self.sr_mv.val() && self.many.val();
        self.rstack_m.dir.next = self.sr_dir.val();
        self.rstack_m.wd.next = self.r_wd.val();
        self.ram.raddr.next = self.pc_n.val().get_bits::<12>(0);
        if self.stopped.val() {
            self.pc_r.d.next = self.pc_r.q.val();
            self.t_r.d.next = self.t_r.q.val();
            self.ram.raddr.next = self.rr_addr.val();
        }
        // a start: at the instruction boundary the control unit found (or while stopped);
        // the rings take it as their context enters, the RAM reads its word at once
        self.starting.next = self.ctl_on.val() && self.start.val() && !self.reset.val();
        self.pc_r.ld.next = self.starting.val();
        self.t_r.ld.next = self.starting.val();
        self.dsp_base.ld.next = self.starting.val();
        self.dsp_step.ld.next = self.starting.val();
        self.rdepth_r.ld.next = self.starting.val();
        self.pc_r.ld_v.next = self.spc16.y.val();
        self.t_r.ld_v.next = self.c16_0.val();
        self.dsp_base.ld_v.next = self.c16_0.val();
        self.dsp_step.ld_v.next = self.c16_0.val();
        self.rdepth_r.ld_v.next = self.c5_0.val();
        self.ram.start.next = self.c8_0.val();
        if self.ctl_on.val() && !self.reset.val() {
            self.ram.start.next = self.ram_start.val();
        }
        self.ram.start_pc.next = self.ram_start_pc.val();
        for c in 0..K {
            self.ram_rdata[c].next = self.ram.rdata[c].val();
        }
        self.ram.waddr.next = self.st0.val().get_bits::<12>(1);
        self.ram.wdata.next = self.st1.val();
        self.ram.we.next = self.mem_wr.val() && self.unlocked.val() && !self.reset.val();
        if self.stopped.val() {
            self.ram.we.next = self.rw_we.val() && !self.reset.val();
            self.ram.waddr.next = self.rw_addr.val();
            self.ram.wdata.next = self.rw_data.val();
        }
        if self.load_we.val() {
            self.ram.waddr.next = self.load_addr.val();
            self.ram.wdata.next = self.load_data.val();
            self.ram.we.next = self.load_we.val();
        }
        if self.reset.val() {
            self.pc_r.d.next = self.c16_0.val();
            self.t_r.d.next = self.c16_0.val();
            self.dsp_base.d.next = self.c16_0.val();
            self.dsp_step.d.next = self.c16_0.val();
            self.rdepth_r.d.next = self.c5_0.val();
        }

        // ---- outputs ----
        self.pc.next = self.pc_r.q.val().get_bits::<13>(0);
        self.r.next = self.rst0.val();
        self.dsp.next = self.dsp_now.val().get_bits::<4>(0);
        self.rdepth.next = self.rdepth_r.q.val();
        self.reboot.next = self.rebooting.val();
        self.io_rd.next = self.io_rd_l.val();
        self.io_wr.next = self.io_wr_l.val();
        self.ram_we.next = self.mem_wr.val() && self.unlocked.val() && !self.reset.val();
        self.ram_waddr.next = self.st0.val().get_bits::<12>(1);
        self.ram_wdata.next = self.st1.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    /// The core alone, io and key ports tied off: `1 2 + halt` at word 0.
    #[test]
    fn core_simulates() {
        // 8001 8002 6203 (+) 0003 (jmp 3: halt)
        let image = [0x8001u16, 0x8002, 0x6203, 0x0003];
        let mut uut = Core::new(&image, 4096, false, false);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Core>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Core>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            sim_assert!(sim, x.reboot.val(), x);
            for _ in 0..4 {
                wait_clock_cycle!(sim, clock, x);
            }
            sim_assert_eq!(sim, x.pc.val(), bits::<13>(3), x);
            sim_assert_eq!(sim, x.t.val(), bits::<16>(3), x);
            sim_assert_eq!(sim, x.dsp.val(), bits::<4>(1), x);
            sim_assert!(sim, x.halt.val(), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn core_yosys_validate() {
        let mut uut = Core::new(&[0x8001, 0x0001], 4096, true, true);
        uut.connect_all();
        validate("j1k_core", &crate::util::verilog(&uut));
    }
}
