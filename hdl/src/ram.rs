//! The core's RAM: 4096 × 16, one synchronous read port (code, addressed with
//! `pcN`, so the read data *is* the instruction register) and one write port
//! (`N→[T]`), one clock. Read-old-data on a same-edge write to the same word
//! (docs/isa.md §6). How: the write's address, data and enable are registered
//! at the rising edge and written at the falling edge that follows, so a read
//! at a rising edge never meets a write (the iCE40 block RAM leaves that case
//! undefined, and yosys would otherwise add read-during-write bypass logic,
//! about 48 flip-flops and 47 LUTs, in the instruction path). Initial contents
//! are the program image; yosys maps it to 16 SB_RAM40_4KNW (write clock
//! inverted) in 2048×2 mode with the image in their INIT parameters.
//!
//! The `reboot` flag lives here too. The instruction register is the RAM's
//! read data as it is, also in the reboot cycle (when the J1a executes 0, a
//! jump to 0): the core and the key unit mask that cycle with `reboot`, a
//! register, in their decode, so that no gate sits between the RAM and the
//! decode (a gate there was one more LUT level on every critical path).

use rust_hdl::prelude::*;
use std::collections::BTreeMap;

#[derive(LogicBlock)]
pub struct CodeRam {
    pub clock: Signal<In, Clock>,
    /// Synchronous reset: the next cycle is the reboot cycle.
    pub reset: Signal<In, Bit>,
    pub raddr: Signal<In, Bits<12>>,
    /// The instruction register: the word read at the last edge (not 0 in the reboot cycle).
    pub insn: Signal<Out, Bits<16>>,
    /// This is the reboot cycle (the first after reset).
    pub reboot: Signal<Out, Bit>,
    pub we: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<12>>,
    pub wdata: Signal<In, Bits<16>>,
    cells: RAM<Bits<16>, 12>,
    /// Not the reboot cycle (0 after reset, so that power-up equals reset).
    booted: DFF<Bit>,
    /// The write, as registered at the rising edge; done at the falling edge.
    wa_r: DFF<Bits<12>>,
    wd_r: DFF<Bits<16>>,
    we_r: DFF<Bit>,
}

impl CodeRam {
    /// A RAM holding `image` from word 0 (the rest zero). Panics over 4096 words.
    pub fn new(image: &[u16]) -> Self {
        assert!(image.len() <= j1k_isa::RAM_WORDS, "image over 4096 words");
        let init: BTreeMap<Bits<12>, Bits<16>> = (0..j1k_isa::RAM_WORDS)
            .map(|i| {
                let w = image.get(i).copied().unwrap_or(0);
                (bits::<12>(i as u64), bits::<16>(w as u64))
            })
            .collect();
        Self {
            clock: Default::default(),
            raddr: Default::default(),
            reset: Default::default(),
            insn: Default::default(),
            reboot: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            cells: RAM::new(init),
            booted: Default::default(),
            wa_r: Default::default(),
            wd_r: Default::default(),
            we_r: Default::default(),
        }
    }
}

impl Logic for CodeRam {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, booted, wa_r, wd_r, we_r);
        self.booted.d.next = !self.reset.val();
        self.reboot.next = !self.booted.q.val();
        // The read port as links, not assignments in this block's `always`: so Verilator
        // sees no path from the address to the data through it (the read is clocked).
        Signal::<In, Bits<12>>::link(&mut self.raddr, &mut self.cells.read_address);
        Signal::<Out, Bits<16>>::link(&mut self.insn, &mut self.cells.read_data);
        self.cells.read_clock.next = self.clock.val();
        self.cells.write_clock.next = !self.clock.val();
        self.wa_r.d.next = self.waddr.val();
        self.wd_r.d.next = self.wdata.val();
        self.we_r.d.next = self.we.val();
        self.cells.write_address.next = self.wa_r.q.val();
        self.cells.write_data.next = self.wd_r.q.val();
        self.cells.write_enable.next = self.we_r.q.val();
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
        let mut uut = CodeRam::new(&img);
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
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn code_ram_yosys_validate() {
        let mut uut = CodeRam::new(&image());
        uut.connect_all();
        validate("j1k_code_ram", &crate::util::verilog(&uut));
    }
}
