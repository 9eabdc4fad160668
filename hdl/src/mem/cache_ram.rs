//! A tile's cache RAM (docs/architecture.md §9): `L × W` words in block RAM, line `i` at
//! `i × W`, two byte lanes, a registered read — and **write-first**: a read of the word
//! written on the same edge returns the new word. The one case that needs it is the last
//! word of a fill from a modified copy, which the data mover writes in the requester's
//! decode cycle; a register and a comparator beside the RAM make it so (the block RAM
//! alone leaves that read undefined). Writes that share an edge with a read of their word
//! are whole words (the key unit never reads and writes its line in one cycle).

use crate::key::block_store::BlockStore;
use crate::step_reg::StepReg;
use crate::BlockMemory;
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct CacheRam {
    pub clock: Signal<In, Clock>,
    pub raddr: Signal<In, Bits<16>>,
    /// Read enable (the block RAM's): the read data change only at an edge where it is high.
    pub re: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<16>>,
    pub we: Signal<In, Bit>,
    pub wmask: Signal<In, Bits<2>>,
    pub waddr: Signal<In, Bits<16>>,
    pub wdata: Signal<In, Bits<16>>,
    ram: BlockStore,
    /// The last edge wrote the word it read: the read data are the written word.
    byp: StepReg<Bit>,
    bdata: StepReg<Bits<16>>,
    whole: Constant<Bits<2>>,
}

impl CacheRam {
    pub fn new(words: usize) -> Self {
        Self {
            clock: Default::default(),
            raddr: Default::default(),
            re: Default::default(),
            rdata: Default::default(),
            we: Default::default(),
            wmask: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            ram: BlockStore::new(words, BlockMemory::Bram),
            byp: Default::default(),
            bdata: Default::default(),
            whole: crate::util::k(3),
        }
    }
}

impl CacheRam {
    /// The words as the simulation model holds them (for tests).
    pub fn cells(&self) -> &[u16] {
        self.ram.cells()
    }
}

impl Logic for CacheRam {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, byp, bdata);
        self.byp.en.next = self.re.val();
        self.bdata.en.next = self.re.val();
        self.ram.clock.next = self.clock.val();
        self.ram.raddr.next = self.raddr.val();
        self.ram.re.next = self.re.val();
        self.ram.we.next = self.we.val();
        self.ram.wmask.next = self.wmask.val();
        self.ram.waddr.next = self.waddr.val();
        self.ram.wdata.next = self.wdata.val();
        self.byp.d.next = self.we.val()
            && (self.wmask.val() == self.whole.val())
            && (self.waddr.val() == self.raddr.val());
        self.bdata.d.next = self.wdata.val();
        if self.byp.q.val() {
            self.rdata.next = self.bdata.q.val();
        } else {
            self.rdata.next = self.ram.rdata.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    /// A read of the word written on the same edge gives the new word; other reads the RAM's.
    #[test]
    fn cache_ram_is_write_first() {
        let mut uut = CacheRam::new(64);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<CacheRam>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<CacheRam>| {
            let mut x = sim.init()?;
            x.re.next = true;
            wait_clock_false!(sim, clock, x);
            x.we.next = true;
            x.wmask.next = bits::<2>(3);
            x.waddr.next = bits::<16>(5);
            x.wdata.next = bits::<16>(0x1234);
            x.raddr.next = bits::<16>(5);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0x1234), x);
            x.waddr.next = bits::<16>(6);
            x.wdata.next = bits::<16>(0x5678);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0x1234), x);
            x.we.next = false;
            x.raddr.next = bits::<16>(6);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0x5678), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 1_000).unwrap();
    }

    #[test]
    fn cache_ram_yosys_validate() {
        let mut uut = CacheRam::new(256);
        uut.connect_all();
        validate("j1k_cache_ram", &crate::util::verilog(&uut));
    }
}
