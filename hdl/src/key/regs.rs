//! The key registers of a core: 8 block registers, 4 node registers (a key
//! is 16 bits: bit 15 read-write, bits 14:0 the object index; 0 is the null
//! key), the two *current* selectors and `faults`. The registers live in one
//! block RAM (`reg_ram.rs`), read one at a time: `raddr` (0–7 block, 8–11
//! node; 12–15 are always null) in one cycle, `rdata` in the next. Writes: the
//! current block register; the current node register or node register
//! `sel_nb`. Reset: all null but `n0` = read-write root. The RAM holds that at
//! configuration, and `reset` writes it again, a word a cycle: **reset must be
//! held for at least 16 cycles** (the SoC's power-on reset holds it 15 cycles
//! past the shell's, which holds it 256; the simulation top's, over 4,000). So
//! no valid bits and no read gating are needed on one core. With several cores a
//! start (docs/architecture.md §6) must reset a core's key registers at once: built
//! `clearable`, each RAM word has a valid bit in a flip-flop, `clear` drops them all
//! (and resets the selectors, `faults` and the copies), a write sets its word's, and a
//! read of an invalid word gives its reset value (null, `n0` the root key).
//!
//! `b0`–`b7`, `n0`–`n3` are flip-flop copies of the registers, written with the
//! RAM, for the simulation top's lockstep comparison; nothing in the key unit
//! reads them, so a board build (which leaves them unconnected) has none.

use crate::ring::Ring;
use crate::util::k;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct KeyRegs<const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The context whose cycle this clock computes (docs/architecture.md §11; 0 with K = 1).
    pub ctx: Signal<In, Bits<8>>,
    /// The operand fields: block register (imm 2:0), node register (imm 1:0), node register (bits 6:5).
    pub sel_b: Signal<In, Bits<3>>,
    pub sel_na: Signal<In, Bits<2>>,
    pub sel_nb: Signal<In, Bits<2>>,
    /// cur_b := sel_b
    pub set_cur_b: Signal<In, Bit>,
    /// cur_n := sel_na
    pub set_cur_n: Signal<In, Bit>,
    /// block register cur_b := wdata (never with `nwe`: the RAM has one write port)
    pub bwe: Signal<In, Bit>,
    /// node register (nw_cur ? cur_n : sel_nb) := wdata
    pub nwe: Signal<In, Bit>,
    pub nw_cur: Signal<In, Bit>,
    /// The key either write enable writes.
    pub wdata: Signal<In, Bits<16>>,
    /// faults += 1
    pub fault: Signal<In, Bit>,
    /// A start: every register as at reset, at this edge (only when built `clearable`).
    pub clear: Signal<In, Bit>,
    /// The register read: 0–7 block register, 8–11 node register (bits 3:0).
    pub raddr: Signal<In, Bits<16>>,
    /// Its key, a cycle after `raddr`.
    pub rdata: Signal<Out, Bits<16>>,

    pub cur_b: Signal<Out, Bits<3>>,
    pub cur_n: Signal<Out, Bits<2>>,
    pub faults: Signal<Out, Bits<16>>,
    pub b0: Signal<Out, Bits<16>>,
    pub b1: Signal<Out, Bits<16>>,
    pub b2: Signal<Out, Bits<16>>,
    pub b3: Signal<Out, Bits<16>>,
    pub b4: Signal<Out, Bits<16>>,
    pub b5: Signal<Out, Bits<16>>,
    pub b6: Signal<Out, Bits<16>>,
    pub b7: Signal<Out, Bits<16>>,
    pub n0: Signal<Out, Bits<16>>,
    pub n1: Signal<Out, Bits<16>>,
    pub n2: Signal<Out, Bits<16>>,
    pub n3: Signal<Out, Bits<16>>,

    rb0: crate::ring::LoadRing<Bits<16>, K>,
    rb1: crate::ring::LoadRing<Bits<16>, K>,
    rb2: crate::ring::LoadRing<Bits<16>, K>,
    rb3: crate::ring::LoadRing<Bits<16>, K>,
    rb4: crate::ring::LoadRing<Bits<16>, K>,
    rb5: crate::ring::LoadRing<Bits<16>, K>,
    rb6: crate::ring::LoadRing<Bits<16>, K>,
    rb7: crate::ring::LoadRing<Bits<16>, K>,
    rn0: crate::ring::LoadRing<Bits<16>, K>,
    rn1: crate::ring::LoadRing<Bits<16>, K>,
    rn2: crate::ring::LoadRing<Bits<16>, K>,
    rn3: crate::ring::LoadRing<Bits<16>, K>,
    curb: crate::ring::LoadRing<Bits<3>, K>,
    curn: crate::ring::LoadRing<Bits<2>, K>,
    flt: crate::ring::LoadRing<Bits<16>, K>,
    ram: super::reg_ram::RegRam<K>,
    /// With K contexts: each context's register read, presented to the RAM at the edge
    /// before its next phase (`ahead`), and the context then (docs/architecture.md §11.2).
    ra: Ring<Bits<16>, K>,
    next_ctx: crate::util::NextCtx<K>,
    ctx16: Signal<Local, Bits<16>>,
    ctx_z: crate::util::Zext<8, 16>,
    next_z: crate::util::Zext<8, 16>,
    many: Constant<Bit>,
    clr_mask: Constant<Bits<16>>,
    four: Constant<Bits<16>>,
    /// The valid bits the read sees (the next context's with several).
    vnow: Signal<Local, Bits<16>>,
    /// The word `reset` clears (counts while reset is held).
    clr: DFF<Bits<16>>,
    /// `clearable`: a valid bit per RAM word; the read's word was valid / is `n0`.
    vld: crate::ring::LoadRing<Bits<16>, K>,
    clearing: Signal<Local, Bit>,
    rv: DFF<Bit>,
    rroot: DFF<Bit>,
    vsh: Signal<Local, Bits<16>>,
    clr_on: Constant<Bit>,
    all16: Constant<Bits<16>>,
    we: Signal<Local, Bit>,
    wa: Signal<Local, Bits<16>>,
    wd: Signal<Local, Bits<16>>,
    eight: Constant<Bits<16>>,
    m15: Constant<Bits<16>>,
    two16: Constant<Bits<16>>,
    four16: Constant<Bits<16>>,
    /// The bits a block or a node key can have.
    anykm: Constant<Bits<16>>,
    ntgt: Signal<Local, Bits<2>>,
    on: Constant<Bit>,
    /// The bits a block / node key can have: the rights bit and the index bits that
    /// `blocks - 1` / `nodes - 1` need. No key has others (keys come only from reset,
    /// the allocators and node slots), so masking the writes changes nothing but lets
    /// synthesis drop the always-zero register bits and the logic behind them.
    bkm: Constant<Bits<16>>,
    nkm: Constant<Bits<16>>,
    root: Constant<Bits<16>>,
    z16: Constant<Bits<16>>,
    one16: Constant<Bits<16>>,
    z3: Constant<Bits<3>>,
    z2: Constant<Bits<2>>,
    s1: Constant<Bits<3>>,
    s2: Constant<Bits<3>>,
    s3: Constant<Bits<3>>,
    s4: Constant<Bits<3>>,
    s5: Constant<Bits<3>>,
    s6: Constant<Bits<3>>,
    s7: Constant<Bits<3>>,
    t1: Constant<Bits<2>>,
    t2: Constant<Bits<2>>,
    t3: Constant<Bits<2>>,
}

impl<const K: usize> KeyRegs<K> {
    /// `on` false: the unit is not built; every output is null (and yosys drops the registers).
    /// `blocks` / `nodes`: the store sizes, which bound the key indices. `clearable`: a
    /// start can reset the registers (`clear`: several cores). With K contexts, each
    /// context's registers (reset then takes 16 K clocks, rounded up to a power of two).
    pub fn new(on: bool, blocks: u16, nodes: u16, clearable: bool) -> Self {
        Self {
            ctx: Default::default(),
            ra: Default::default(),
            next_ctx: Default::default(),
            ctx16: Default::default(),
            ctx_z: Default::default(),
            next_z: Default::default(),
            many: Constant::new(K > 1),
            clr_mask: k((16 * K).next_power_of_two() as u64 - 1),
            four: k(4),
            vnow: Default::default(),
            clock: Default::default(),
            reset: Default::default(),
            sel_b: Default::default(),
            sel_na: Default::default(),
            sel_nb: Default::default(),
            set_cur_b: Default::default(),
            set_cur_n: Default::default(),
            bwe: Default::default(),
            nwe: Default::default(),
            nw_cur: Default::default(),
            wdata: Default::default(),
            fault: Default::default(),
            clear: Default::default(),
            raddr: Default::default(),
            rdata: Default::default(),
            cur_b: Default::default(),
            cur_n: Default::default(),
            faults: Default::default(),
            b0: Default::default(),
            b1: Default::default(),
            b2: Default::default(),
            b3: Default::default(),
            b4: Default::default(),
            b5: Default::default(),
            b6: Default::default(),
            b7: Default::default(),
            n0: Default::default(),
            n1: Default::default(),
            n2: Default::default(),
            n3: Default::default(),
            rb0: Default::default(),
            rb1: Default::default(),
            rb2: Default::default(),
            rb3: Default::default(),
            rb4: Default::default(),
            rb5: Default::default(),
            rb6: Default::default(),
            rb7: Default::default(),
            rn0: Default::default(),
            rn1: Default::default(),
            rn2: Default::default(),
            rn3: Default::default(),
            curb: Default::default(),
            curn: Default::default(),
            flt: Default::default(),
            ram: Default::default(),
            clr: Default::default(),
            vld: Default::default(),
            clearing: Default::default(),
            rv: Default::default(),
            rroot: Default::default(),
            vsh: Default::default(),
            clr_on: Constant::new(clearable),
            all16: k(0xffff),
            we: Default::default(),
            wa: Default::default(),
            wd: Default::default(),
            eight: k(8),
            m15: k(15),
            two16: k(2),
            four16: k(4),
            anykm: k(key_mask(blocks) | key_mask(nodes)),
            ntgt: Default::default(),
            on: Constant::new(on),
            bkm: k(key_mask(blocks)),
            nkm: k(key_mask(nodes)),
            root: k(0x8000 | j1k_isa::ROOT_NODE as u64),
            z16: k(0),
            one16: k(1),
            z3: k(0),
            z2: k(0),
            s1: k(1),
            s2: k(2),
            s3: k(3),
            s4: k(4),
            s5: k(5),
            s6: k(6),
            s7: k(7),
            t1: k(1),
            t2: k(2),
            t3: k(3),
        }
    }
}

/// The rights bit and the index bits needed for indices `0..count`.
pub fn key_mask(count: u16) -> u64 {
    let max = count.saturating_sub(1).max(1) as u64;
    let bits = 64 - max.leading_zeros() as u64;
    0x8000 | (((1u64 << bits) - 1) & 0x7fff)
}

impl<const K: usize> Logic for KeyRegs<K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, rb0, rb1, rb2, rb3, rb4, rb5, rb6, rb7, rn0, rn1, rn2, rn3, curb, curn,
            flt, clr, vld, rv, rroot
        );
        // a start when `clearable`: every register as at reset, as its context enters
        self.clearing.next = self.clear.val() && self.clr_on.val() && !self.reset.val();
        self.rb0.ld.next = self.clearing.val();
        self.rb1.ld.next = self.clearing.val();
        self.rb2.ld.next = self.clearing.val();
        self.rb3.ld.next = self.clearing.val();
        self.rb4.ld.next = self.clearing.val();
        self.rb5.ld.next = self.clearing.val();
        self.rb6.ld.next = self.clearing.val();
        self.rb7.ld.next = self.clearing.val();
        self.rn0.ld.next = self.clearing.val();
        self.rn1.ld.next = self.clearing.val();
        self.rn2.ld.next = self.clearing.val();
        self.rn3.ld.next = self.clearing.val();
        self.curb.ld.next = self.clearing.val();
        self.curn.ld.next = self.clearing.val();
        self.flt.ld.next = self.clearing.val();
        self.vld.ld.next = self.clearing.val();
        self.rb0.ld_v.next = self.z16.val();
        self.rb1.ld_v.next = self.z16.val();
        self.rb2.ld_v.next = self.z16.val();
        self.rb3.ld_v.next = self.z16.val();
        self.rb4.ld_v.next = self.z16.val();
        self.rb5.ld_v.next = self.z16.val();
        self.rb6.ld_v.next = self.z16.val();
        self.rb7.ld_v.next = self.z16.val();
        self.rn0.ld_v.next = self.root.val();
        self.rn1.ld_v.next = self.z16.val();
        self.rn2.ld_v.next = self.z16.val();
        self.rn3.ld_v.next = self.z16.val();
        self.curb.ld_v.next = self.z3.val();
        self.curn.ld_v.next = self.z2.val();
        self.flt.ld_v.next = self.z16.val();
        self.vld.ld_v.next = self.z16.val();

        self.ram.clock.next = self.clock.val();
        self.ra.clock.next = self.clock.val();
        self.ra.d.next = self.raddr.val();
        self.ctx_z.a.next = self.ctx.val();
        self.ctx16.next = self.ctx_z.y.val() << self.four.val();
        self.next_ctx.ctx.next = self.ctx.val();
        self.next_z.a.next = self.next_ctx.y.val();
        // ---- writes ----
        if self.set_cur_b.val() {
            self.curb.d.next = self.sel_b.val();
        }
        if self.set_cur_n.val() {
            self.curn.d.next = self.sel_na.val();
        }
        if self.fault.val() {
            self.flt.d.next = self.flt.q.val() + self.one16.val();
        }
        if self.bwe.val() {
            if self.curb.q.val() == self.z3.val() {
                self.rb0.d.next = self.wdata.val() & self.bkm.val();
            }
            if self.curb.q.val() == self.s1.val() {
                self.rb1.d.next = self.wdata.val() & self.bkm.val();
            }
            if self.curb.q.val() == self.s2.val() {
                self.rb2.d.next = self.wdata.val() & self.bkm.val();
            }
            if self.curb.q.val() == self.s3.val() {
                self.rb3.d.next = self.wdata.val() & self.bkm.val();
            }
            if self.curb.q.val() == self.s4.val() {
                self.rb4.d.next = self.wdata.val() & self.bkm.val();
            }
            if self.curb.q.val() == self.s5.val() {
                self.rb5.d.next = self.wdata.val() & self.bkm.val();
            }
            if self.curb.q.val() == self.s6.val() {
                self.rb6.d.next = self.wdata.val() & self.bkm.val();
            }
            if self.curb.q.val() == self.s7.val() {
                self.rb7.d.next = self.wdata.val() & self.bkm.val();
            }
        }
        self.ntgt.next = self.sel_nb.val();
        if self.nw_cur.val() {
            self.ntgt.next = self.curn.q.val();
        }
        if self.nwe.val() {
            if self.ntgt.val() == self.z2.val() {
                self.rn0.d.next = self.wdata.val() & self.nkm.val();
            }
            if self.ntgt.val() == self.t1.val() {
                self.rn1.d.next = self.wdata.val() & self.nkm.val();
            }
            if self.ntgt.val() == self.t2.val() {
                self.rn2.d.next = self.wdata.val() & self.nkm.val();
            }
            if self.ntgt.val() == self.t3.val() {
                self.rn3.d.next = self.wdata.val() & self.nkm.val();
            }
        }
        // reset: every register as at reset
        if self.reset.val() {
            self.rb0.d.next = self.z16.val();
            self.rb1.d.next = self.z16.val();
            self.rb2.d.next = self.z16.val();
            self.rb3.d.next = self.z16.val();
            self.rb4.d.next = self.z16.val();
            self.rb5.d.next = self.z16.val();
            self.rb6.d.next = self.z16.val();
            self.rb7.d.next = self.z16.val();
            self.rn0.d.next = self.root.val();
            self.rn1.d.next = self.z16.val();
            self.rn2.d.next = self.z16.val();
            self.rn3.d.next = self.z16.val();
            self.curb.d.next = self.z3.val();
            self.curn.d.next = self.z2.val();
            self.flt.d.next = self.z16.val();
        }

        // ---- the register file in block RAM: one write port (a block and a node
        // register are never written in one cycle), rewritten during reset ----
        self.we.next = self.bwe.val() || self.nwe.val();
        // (the word address bit by bit: rust-hdl's bit_cast does not lint clean)
        self.wa.next = self.eight.val();
        if self.ntgt.val().get_bit(0) {
            self.wa.next = self.wa.val() | self.one16.val();
        }
        if self.ntgt.val().get_bit(1) {
            self.wa.next = self.wa.val() | self.two16.val();
        }
        self.wd.next = self.wdata.val() & self.nkm.val();
        if self.bwe.val() {
            self.wa.next = self.z16.val();
            if self.curb.q.val().get_bit(0) {
                self.wa.next = self.wa.val() | self.one16.val();
            }
            if self.curb.q.val().get_bit(1) {
                self.wa.next = self.wa.val() | self.two16.val();
            }
            if self.curb.q.val().get_bit(2) {
                self.wa.next = self.wa.val() | self.four16.val();
            }
            self.wd.next = self.wdata.val() & self.bkm.val();
        }
        self.ram.we.next = (self.we.val() || self.reset.val()) && self.on.val();
        self.ram.waddr.next = self.ctx16.val() | self.wa.val();
        self.ram.wdata.next = self.wd.val();
        // reset: word `clr` := its reset value (every word null but each context's n0)
        self.clr.d.next = self.z16.val();
        if self.reset.val() {
            self.clr.d.next = (self.clr.q.val() + self.one16.val()) & self.clr_mask.val();
            self.ram.waddr.next = self.clr.q.val();
            self.ram.wdata.next = self.z16.val();
            if (self.clr.q.val() & self.m15.val()) == self.eight.val() {
                self.ram.wdata.next = self.root.val();
            }
        }
        // the next clock's context's read (with one context: this cycle's, as `ahead` is d)
        self.ram.raddr.next =
            (self.next_z.y.val() << self.four.val()) | (self.ra.ahead.val() & self.m15.val());
        // valid bits (`clearable`): a write validates its word, a start none, reset all
        if self.we.val() {
            self.vld.d.next = self.vld.q.val() | (self.one16.val() << self.wa.val());
        }
        if self.reset.val() {
            self.vld.d.next = self.all16.val();
        }
        // the read's valid bit, beside the RAM's read: of the next clock's context (whose
        // last write is in; one context reads at the edge that writes, which no
        // instruction does: regs.rs's top comment), with one context as it was
        self.vnow.next = self.vld.q.val();
        if self.many.val() {
            self.vnow.next = self.vld.ahead.val();
        }
        self.vsh.next = self.vnow.val() >> (self.ra.ahead.val() & self.m15.val());
        self.rv.d.next = self.vsh.val().get_bit(0);
        self.rroot.d.next = (self.ra.ahead.val() & self.m15.val()) == self.eight.val();
        // (masked: the RAM bits no key has are never written but synthesis cannot know)
        self.rdata.next = self.ram.rdata.val() & self.anykm.val();
        if self.clr_on.val() && !self.rv.q.val() {
            self.rdata.next = self.z16.val();
            if self.rroot.q.val() {
                self.rdata.next = self.root.val();
            }
        }

        // ---- state out ----
        self.cur_b.next = self.curb.q.val();
        self.cur_n.next = self.curn.q.val();
        self.faults.next = self.flt.q.val();
        self.b0.next = self.rb0.q.val();
        self.b1.next = self.rb1.q.val();
        self.b2.next = self.rb2.q.val();
        self.b3.next = self.rb3.q.val();
        self.b4.next = self.rb4.q.val();
        self.b5.next = self.rb5.q.val();
        self.b6.next = self.rb6.q.val();
        self.b7.next = self.rb7.q.val();
        self.n0.next = self.z16.val();
        if self.on.val() {
            self.n0.next = self.rn0.q.val();
        }
        self.n1.next = self.rn1.q.val();
        self.n2.next = self.rn2.q.val();
        self.n3.next = self.rn3.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    #[test]
    fn key_regs_simulate() {
        let mut uut = KeyRegs::new(true, 16, 8, false);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<KeyRegs>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<KeyRegs>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            sim_assert_eq!(sim, x.n0.val(), bits::<16>(0x8001), x);
            sim_assert_eq!(sim, x.b0.val(), bits::<16>(0), x);
            // select b5 and n2, write them, count a fault
            x.sel_b.next = bits::<3>(5);
            x.sel_na.next = bits::<2>(2);
            x.set_cur_b.next = true;
            x.set_cur_n.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.set_cur_b.next = false;
            x.set_cur_n.next = false;
            sim_assert_eq!(sim, x.cur_b.val(), bits::<3>(5), x);
            sim_assert_eq!(sim, x.cur_n.val(), bits::<2>(2), x);
            // (one register a cycle: the RAM has one write port)
            x.bwe.next = true;
            x.wdata.next = bits::<16>(0x8007);
            x.fault.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.bwe.next = false;
            x.fault.next = false;
            x.nwe.next = true;
            x.nw_cur.next = false;
            x.sel_nb.next = bits::<2>(3);
            x.wdata.next = bits::<16>(0x0004);
            wait_clock_cycle!(sim, clock, x);
            x.nwe.next = false;
            sim_assert_eq!(sim, x.b5.val(), bits::<16>(0x8007), x);
            sim_assert_eq!(sim, x.n3.val(), bits::<16>(0x0004), x);
            sim_assert_eq!(sim, x.n2.val(), bits::<16>(0), x);
            sim_assert_eq!(sim, x.faults.val(), bits::<16>(1), x);
            // the block RAM: a read answers in the next cycle
            for (reg, want) in [(11u64, 0x4u64), (5, 0x8007), (8, 0x8001), (10, 0), (1, 0)] {
                x.raddr.next = bits::<16>(reg);
                wait_clock_cycle!(sim, clock, x);
                sim_assert_eq!(sim, x.rdata.val(), bits::<16>(want), x);
            }
            // reset (16 cycles): every register reads null again, n0 the root key
            x.reset.next = true;
            for _ in 0..16 {
                wait_clock_cycle!(sim, clock, x);
            }
            x.reset.next = false;
            for (reg, want) in [(5u64, 0u64), (11, 0), (8, 0x8001)] {
                x.raddr.next = bits::<16>(reg);
                wait_clock_cycle!(sim, clock, x);
                sim_assert_eq!(sim, x.rdata.val(), bits::<16>(want), x);
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    /// Built `clearable`: a start (`clear`) resets every register at its edge, without the
    /// 16 reset cycles; a register written after it reads its new key again.
    #[test]
    fn key_regs_clear_at_once() {
        let mut uut = KeyRegs::new(true, 16, 8, true);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<KeyRegs>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<KeyRegs>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            // b2 := rw 7, n0 := 3, a fault, cur_b := 2
            x.sel_b.next = bits::<3>(2);
            x.set_cur_b.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.set_cur_b.next = false;
            x.bwe.next = true;
            x.wdata.next = bits::<16>(0x8007);
            x.fault.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.bwe.next = false;
            x.fault.next = false;
            x.nwe.next = true;
            x.nw_cur.next = true;
            x.wdata.next = bits::<16>(3);
            wait_clock_cycle!(sim, clock, x);
            x.nwe.next = false;
            for (reg, want) in [(2u64, 0x8007u64), (8, 3)] {
                x.raddr.next = bits::<16>(reg);
                wait_clock_cycle!(sim, clock, x);
                sim_assert_eq!(sim, x.rdata.val(), bits::<16>(want), x);
            }
            // the start: one edge
            x.clear.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.clear.next = false;
            sim_assert_eq!(sim, x.cur_b.val(), bits::<3>(0), x);
            sim_assert_eq!(sim, x.faults.val(), bits::<16>(0), x);
            sim_assert_eq!(sim, x.b2.val(), bits::<16>(0), x);
            sim_assert_eq!(sim, x.n0.val(), bits::<16>(0x8001), x);
            for (reg, want) in [(2u64, 0u64), (8, 0x8001), (11, 0)] {
                x.raddr.next = bits::<16>(reg);
                wait_clock_cycle!(sim, clock, x);
                sim_assert_eq!(sim, x.rdata.val(), bits::<16>(want), x);
            }
            // b0 := rw 5 reads back
            x.bwe.next = true;
            x.wdata.next = bits::<16>(0x8005);
            wait_clock_cycle!(sim, clock, x);
            x.bwe.next = false;
            x.raddr.next = bits::<16>(0);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0x8005), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn key_regs_yosys_validate() {
        let mut uut = KeyRegs::<1>::new(true, 16, 8, true);
        uut.connect_all();
        validate("j1k_key_regs", &crate::util::verilog(&uut));
    }
}
