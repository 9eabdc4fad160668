//! The key registers' memory: 16 words of 16 bits in one block RAM (words 0–7
//! the block registers, 8–11 the node registers), a registered read and one
//! write port. A key instruction names the register it reads in its decode
//! cycle, so the read is addressed then and answers in the execute cycle; no
//! instruction reads a register in a cycle in which one is written (a write is
//! the last thing an instruction does, and the next one's decode cycle follows).
//! At configuration every word is null but word 8 (`n0`), the root key; reset
//! writes the same, a word a cycle (`regs.rs`).

use super::block_store::COLLISION;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct RegRam<const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    /// Bits 3:0 address a word, and with K contexts the bits above them the context
    /// (context × 16 + register; docs/architecture.md §11.2); the others are ignored.
    pub raddr: Signal<In, Bits<16>>,
    pub rdata: Signal<Out, Bits<16>>,
    pub we: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<16>>,
    pub wdata: Signal<In, Bits<16>>,
    _cells: Vec<u16>,
}

/// The root key, word 8's value at configuration.
const ROOT_KEY: u16 = 0x8000 | j1k_isa::ROOT_NODE;

impl<const K: usize> RegRam<K> {
    /// Words: 16 per context, rounded up to a power of two.
    const WORDS: usize = (16 * K).next_power_of_two();
}

impl<const K: usize> Default for RegRam<K> {
    fn default() -> Self {
        let mut cells = vec![0; Self::WORDS];
        for c in 0..K {
            cells[16 * c + 8] = ROOT_KEY;
        }
        Self {
            clock: Default::default(),
            raddr: Default::default(),
            rdata: Default::default(),
            we: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            _cells: cells,
        }
    }
}

impl<const K: usize> Logic for RegRam<K> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let ra = self.raddr.val().index() % Self::WORDS;
            let wa = self.waddr.val().index() % Self::WORDS;
            self.rdata.next = bits::<16>(self._cells[ra] as u64);
            if self.we.val() {
                if ra == wa {
                    self.rdata.next = bits::<16>(COLLISION as u64);
                }
                self._cells[wa] = self.wdata.val().index() as u16;
            }
        }
    }
    fn connect(&mut self) {
        self.rdata.connect();
    }
    fn hdl(&self) -> Verilog {
        let (n, hi) = (Self::WORDS, Self::WORDS.trailing_zeros() - 1);
        let roots: String = (0..K)
            .map(|c| format!("    mem[{}] = 16'h{ROOT_KEY:04x};\n", 16 * c + 8))
            .collect();
        Verilog::Custom(format!(
            "\
(* no_rw_check, ram_style = \"block\" *) reg [15:0] mem[0:{last}];
integer i;
initial begin
    for (i = 0; i < {n}; i = i + 1) mem[i] = 16'h0;
{roots}end
always @(posedge clock) begin
    rdata <= mem[raddr[{hi}:0]];
    if (we) mem[waddr[{hi}:0]] <= wdata;
end",
            last = n - 1
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "reg_ram".into(),
            clock: "clock".into(),
            inputs: vec!["raddr".into(), "we".into(), "waddr".into(), "wdata".into()],
            outputs: vec!["rdata".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    #[test]
    fn reg_ram_simulates() {
        let mut uut = RegRam::<1>::default();
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<RegRam>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<RegRam>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.we.next = true;
            x.waddr.next = bits::<16>(9);
            x.wdata.next = bits::<16>(0x8005);
            x.raddr.next = bits::<16>(9);
            wait_clock_cycle!(sim, clock, x);
            // a read of the word written on the same edge is undefined
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(COLLISION as u64), x);
            x.we.next = false;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0x8005), x);
            // only bits 3:0 address
            x.raddr.next = bits::<16>(0x19);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0x8005), x);
            x.raddr.next = bits::<16>(3);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn reg_ram_yosys_validate() {
        let mut uut = RegRam::<1>::default();
        uut.connect_all();
        validate("j1k_reg_ram", &crate::util::verilog(&uut));
    }
}
