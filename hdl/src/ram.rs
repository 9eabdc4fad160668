//! The core's RAM: S × 16 (4096, the J1a's, or a power of two down to 256 on cores 1.. of
//! several, docs/architecture.md §6: it decodes the low log2 S address bits), one
//! synchronous read port (code, addressed with
//! `pcN`, so the read data *is* the instruction register) and one write port
//! (`N→[T]`), one clock. Read-old-data on a same-edge write to the same word
//! (docs/isa.md §6). How: the write's address, data and enable are registered
//! at the rising edge and written at the falling edge that follows, so a read
//! at a rising edge never meets a write (the iCE40 block RAM leaves that case
//! undefined, and yosys would otherwise add read-during-write bypass logic,
//! about 48 flip-flops and 47 LUTs, in the instruction path). Initial contents
//! are the program image; yosys maps 4096 words to 16 SB_RAM40_4KNW (write clock
//! inverted) in 2048×2 mode with the image in their INIT parameters, S words to S/256.
//!
//! An instruction is fetched once: while `hold` is set (the key unit holds the
//! pc) the read data holds too (the block RAM's read clock enable), instead of
//! re-reading the word at the held pc. The two differ only when the
//! instruction before stored into the held instruction's word on the edge that
//! fetched it; then the instruction that runs is the one that was fetched, for
//! all its cycles, in the key unit and the core alike (docs/isa.md §6).
//!
//! The `reboot` flag lives here too. The instruction register is the RAM's
//! read data as it is, also in the reboot cycle (when the J1a executes 0, a
//! jump to 0): the core and the key unit mask that cycle with `reboot`, a
//! register, in their decode, so that no gate sits between the RAM and the
//! decode (a gate there was one more LUT level on every critical path).

use crate::ring::Ring;
use crate::util::Pick;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct CodeRam<const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    /// Synchronous reset: the next cycle is the reboot cycle.
    pub reset: Signal<In, Bit>,
    /// The context whose cycle this clock computes (docs/architecture.md §11; 0 with K = 1).
    pub ctx: Signal<In, Bits<8>>,
    pub raddr: Signal<In, Bits<12>>,
    /// Keep the instruction register as it is at this edge (do not read `raddr`).
    pub hold: Signal<In, Bit>,
    /// The instruction register: the word read at the last edge (not 0 in the reboot cycle).
    pub insn: Signal<Out, Bits<16>>,
    /// This is the reboot cycle (the first after reset).
    pub reboot: Signal<Out, Bit>,
    pub we: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<12>>,
    pub wdata: Signal<In, Bits<16>>,
    /// A start decided at this edge (docs/architecture.md §11.4): context k's words read
    /// `start_pc` bits 12k.. if `start` bit k is set, whether or not this is its phase, so
    /// its next phase fetches there. (Buses, not arrays: a tile is in arrays of tiles, and
    /// rust-hdl's Verilog cannot index an array of a block array.)
    pub start: Signal<In, Bits<8>>,
    pub start_pc: Signal<In, Bits<64>>,
    /// Each context's read data (a stopped core's serve core 0's remote pointer).
    pub rdata: [Signal<Out, Bits<16>>; K],
    /// Each context's words: read and written only in its phase, so its read data hold
    /// until its next phase.
    cells: [CodeCells; K],
    pick: Pick<K>,
    sh1: [Constant<Bits<8>>; K],
    sh12: [Constant<Bits<64>>; K],
    s1: Signal<Local, Bits<8>>,
    s12: Signal<Local, Bits<64>>,
    no: [Constant<Bits<8>>; K],
    /// Not the reboot cycle (0 after reset, so that power-up equals reset).
    booted: Ring<Bit, K>,
    /// The write, as registered at the rising edge; done at the falling edge.
    wa_r: DFF<Bits<12>>,
    wd_r: DFF<Bits<16>>,
    we_r: DFF<Bit>,
    /// Whose write it is.
    wc_r: DFF<Bits<8>>,
}

impl CodeRam {
    /// A RAM of `words` words (a power of two, 256 to 4096) holding `image` from word 0
    /// (the rest zero). Panics if the image does not fit.
    pub fn new(image: &[u16], words: usize) -> Self {
        assert!(image.len() <= words, "image over {words} words");
        CodeRam::<1>::contexts(image, &[words])
    }
}

impl<const K: usize> CodeRam<K> {
    /// One RAM per context, of `words[k]` words each (as [`CodeRam::new`]), every one
    /// holding as many of the image's first words as fit.
    pub fn contexts(image: &[u16], words: &[usize]) -> Self {
        assert_eq!(words.len(), K, "a size per context");
        Self {
            clock: Default::default(),
            raddr: Default::default(),
            hold: Default::default(),
            reset: Default::default(),
            ctx: Default::default(),
            insn: Default::default(),
            reboot: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            start: Default::default(),
            start_pc: Default::default(),
            sh1: std::array::from_fn(|c| crate::util::k(c as u64)),
            sh12: std::array::from_fn(|c| crate::util::k(12 * c as u64)),
            s1: Default::default(),
            s12: Default::default(),
            rdata: std::array::from_fn(|_| Default::default()),
            cells: std::array::from_fn(|c| CodeCells::new(image, words[c])),
            pick: Default::default(),
            no: std::array::from_fn(|c| crate::util::k(c as u64)),
            booted: Default::default(),
            wa_r: Default::default(),
            wd_r: Default::default(),
            we_r: Default::default(),
            wc_r: Default::default(),
        }
    }
}

impl<const K: usize> Logic for CodeRam<K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, booted, wa_r, wd_r, we_r, wc_r);
        self.booted.d.next = !self.reset.val();
        self.reboot.next = !self.booted.q.val();
        // The read data through a picker, linked, not assigned in this block's `always`: so
        // Verilator sees no path from the address to the data through it (the read is
        // clocked). With one context the picker is a wire.
        Signal::<Out, Bits<16>>::link(&mut self.insn, &mut self.pick.y);
        self.pick.sel.next = self.ctx.val();
        self.wa_r.d.next = self.waddr.val();
        self.wd_r.d.next = self.wdata.val();
        self.we_r.d.next = self.we.val();
        self.wc_r.d.next = self.ctx.val();
        for c in 0..K {
            self.cells[c].read_address.next = self.raddr.val();
            self.cells[c].read_clock.next = self.clock.val();
            self.cells[c].read_enable.next =
                !self.hold.val() && (self.ctx.val() == self.no[c].val());
            self.s1.next = self.start.val() >> self.sh1[c].val();
            self.s12.next = self.start_pc.val() >> self.sh12[c].val();
            if self.s1.val().get_bit(0) {
                self.cells[c].read_address.next = self.s12.val().get_bits::<12>(0);
                self.cells[c].read_enable.next = true;
            }
            self.rdata[c].next = self.cells[c].read_data.val();
            self.cells[c].write_clock.next = !self.clock.val();
            self.cells[c].write_address.next = self.wa_r.q.val();
            self.cells[c].write_data.next = self.wd_r.q.val();
            self.cells[c].write_enable.next =
                self.we_r.q.val() && (self.wc_r.q.val() == self.no[c].val());
            self.pick.d[c].next = self.cells[c].read_data.val();
        }
    }
}

/// The words themselves: rust-hdl's `RAM` plus a read enable, which yosys maps to the
/// block RAMs' read clock enable (`RCLKE`). Addresses are taken modulo the size.
#[derive(LogicBlock)]
struct CodeCells {
    read_address: Signal<In, Bits<12>>,
    read_clock: Signal<In, Clock>,
    read_enable: Signal<In, Bit>,
    read_data: Signal<Out, Bits<16>>,
    write_address: Signal<In, Bits<12>>,
    write_clock: Signal<In, Clock>,
    write_data: Signal<In, Bits<16>>,
    write_enable: Signal<In, Bit>,
    _words: Vec<u16>,
}

impl CodeCells {
    /// `words` words holding `image`'s first ones (the rest zero).
    fn new(image: &[u16], words: usize) -> Self {
        assert!(
            words.is_power_of_two() && (256..=j1k_isa::RAM_WORDS).contains(&words),
            "{words} words of RAM"
        );
        let mut init = vec![0u16; words];
        let n = image.len().min(words);
        init[..n].copy_from_slice(&image[..n]);
        Self {
            read_address: Default::default(),
            read_clock: Default::default(),
            read_enable: Default::default(),
            read_data: Default::default(),
            write_address: Default::default(),
            write_clock: Default::default(),
            write_data: Default::default(),
            write_enable: Default::default(),
            _words: init,
        }
    }
}

impl Logic for CodeCells {
    fn update(&mut self) {
        if self.read_clock.pos_edge() && self.read_enable.val() {
            let w = self._words[self.read_address.val().index() % self._words.len()];
            self.read_data.next = bits::<16>(w as u64);
        }
        if self.write_clock.pos_edge() && self.write_enable.val() {
            let n = self._words.len();
            self._words[self.write_address.val().index() % n] =
                self.write_data.val().index() as u16;
        }
    }
    fn connect(&mut self) {
        self.read_data.connect();
    }
    fn hdl(&self) -> Verilog {
        use std::fmt::Write;
        let mut init = String::new();
        for (a, w) in self._words.iter().enumerate().filter(|(_, w)| **w != 0) {
            let _ = writeln!(init, "    mem[{a}] = 16'h{w:04x};");
        }
        let n = self._words.len();
        let hi = n.trailing_zeros() - 1;
        Verilog::Custom(format!(
            "\
reg [15:0] mem[0:{last}];
integer i;
initial begin
    for (i = 0; i < {n}; i = i + 1) mem[i] = 16'h0;
{init}end
always @(posedge read_clock) begin
    if (read_enable) read_data <= mem[read_address[{hi}:0]];
end
always @(posedge write_clock) begin
    if (write_enable) mem[write_address[{hi}:0]] <= write_data;
end",
            last = n - 1
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![
            TimingInfo {
                name: "code_read".into(),
                clock: "read_clock".into(),
                inputs: vec!["read_address".into(), "read_enable".into()],
                outputs: vec!["read_data".into()],
            },
            TimingInfo {
                name: "code_write".into(),
                clock: "write_clock".into(),
                inputs: vec![
                    "write_address".into(),
                    "write_data".into(),
                    "write_enable".into(),
                ],
                outputs: vec![],
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    fn image() -> Vec<u16> {
        (0..100u16)
            .map(|i| i.wrapping_mul(0x9e37) ^ 0x1234)
            .collect()
    }

    #[test]
    fn code_ram_simulates() {
        let img = image();
        let mut uut = CodeRam::new(&img, 4096);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<CodeRam>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<CodeRam>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            // the reboot cycle is flagged
            x.raddr.next = bits::<12>(0);
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.reboot.val(), x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            sim_assert!(sim, x.reboot.val(), x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.reboot.val(), x);
            for a in [0usize, 1, 99, 100, 4095] {
                x.raddr.next = bits::<12>(a as u64);
                wait_clock_cycle!(sim, clock, x);
                let want = img.get(a).copied().unwrap_or(0) as u64;
                sim_assert_eq!(sim, x.insn.val(), bits::<16>(want), x);
            }
            // A write and a read of the same word on one edge: the read sees the old word.
            x.raddr.next = bits::<12>(5);
            x.waddr.next = bits::<12>(5);
            x.wdata.next = bits::<16>(0xbeef);
            x.we.next = true;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.insn.val(), bits::<16>(img[5] as u64), x);
            x.we.next = false;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.insn.val(), bits::<16>(0xbeef), x);
            // The same again, but held: the word fetched stays, though the RAM has the new one.
            x.waddr.next = bits::<12>(6);
            x.raddr.next = bits::<12>(6);
            x.wdata.next = bits::<16>(0xcafe);
            x.we.next = true;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.insn.val(), bits::<16>(img[6] as u64), x);
            x.we.next = false;
            x.hold.next = true;
            wait_clock_cycle!(sim, clock, x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.insn.val(), bits::<16>(img[6] as u64), x);
            x.hold.next = false;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.insn.val(), bits::<16>(0xcafe), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn a_smaller_ram_takes_the_low_address_bits() {
        let img = image();
        let mut uut = CodeRam::new(&img, 256);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<CodeRam>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<CodeRam>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            // word a + 256k is word a
            for a in [5usize, 0x105, 0xf05] {
                x.raddr.next = bits::<12>(a as u64);
                wait_clock_cycle!(sim, clock, x);
                sim_assert_eq!(sim, x.insn.val(), bits::<16>(img[5] as u64), x);
            }
            x.waddr.next = bits::<12>(0x307);
            x.wdata.next = bits::<16>(0xbeef);
            x.we.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.we.next = false;
            x.raddr.next = bits::<12>(7);
            wait_clock_cycle!(sim, clock, x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.insn.val(), bits::<16>(0xbeef), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn code_ram_yosys_validate() {
        for words in [4096, 1024] {
            let mut uut = CodeRam::new(&image(), words);
            uut.connect_all();
            validate("j1k_code_ram", &crate::util::verilog(&uut));
        }
    }
}
