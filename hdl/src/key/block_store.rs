//! The block store: `blocks × W` words in block RAM with a registered read,
//! two byte lanes (`wmask` bit 0 the low byte, bit 1 the high byte) so that
//! `bc!` writes one lane in its one cycle, zero at configuration. A read and a
//! write of the same word on one edge return an undefined word (the memory is
//! marked `no_rw_check`, so yosys maps it to SB_RAM40_4K without bypass logic):
//! no key instruction reads the store in a cycle in which it writes it, and
//! the simulation model returns [`COLLISION`] then, so that the lockstep tests
//! would catch a use. Word address = block index × W + word. On an UP5K
//! this is where SB_SPRAM256KA would go (a later build parameter).

use crate::util::addr_bits;
use rust_hdl::prelude::*;

/// What the simulation models of the stores read on a same-edge write of the same word.
pub const COLLISION: u16 = 0xdead;

/// The block store's memory: 16-bit words in two byte lanes (`wmask` bit 0
/// the low byte, bit 1 the high byte), so `bc!` writes one lane in one cycle.
/// On an UP5K this is where an SB_SPRAM256KA would go (later: `spram`).
#[derive(LogicBlock)]
pub struct BlockStore {
    pub clock: Signal<In, Clock>,
    pub raddr: Signal<In, Bits<16>>,
    pub rdata: Signal<Out, Bits<16>>,
    pub we: Signal<In, Bit>,
    pub wmask: Signal<In, Bits<2>>,
    pub waddr: Signal<In, Bits<16>>,
    pub wdata: Signal<In, Bits<16>>,
    _size: usize,
    _cells: Vec<u16>,
}

impl BlockStore {
    pub fn new(size: usize) -> Self {
        assert!((1..=65536).contains(&size), "a store of {size} words");
        Self {
            clock: Default::default(),
            raddr: Default::default(),
            rdata: Default::default(),
            we: Default::default(),
            wmask: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            _size: size,
            _cells: vec![0; size],
        }
    }
}

impl Logic for BlockStore {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let ra = self.raddr.val().index() % self._size;
            let wa = self.waddr.val().index() % self._size;
            self.rdata.next = bits::<16>(self._cells[ra] as u64);
            if self.we.val() && ra == wa {
                self.rdata.next = bits::<16>(COLLISION as u64);
            }
            if self.we.val() {
                let d = self.wdata.val().index() as u16;
                let m = self.wmask.val().index();
                let mut v = self._cells[wa];
                if m & 1 != 0 {
                    v = (v & 0xff00) | (d & 0x00ff);
                }
                if m & 2 != 0 {
                    v = (v & 0x00ff) | (d & 0xff00);
                }
                self._cells[wa] = v;
            }
        }
    }
    fn connect(&mut self) {
        self.rdata.connect();
    }
    fn hdl(&self) -> Verilog {
        let n = self._size;
        let a = addr_bits(n);
        Verilog::Custom(format!(
            "\
(* no_rw_check *) reg [7:0] lo[0:{last}];
(* no_rw_check *) reg [7:0] hi[0:{last}];
integer i;
initial begin
    for (i = 0; i < {n}; i = i + 1) begin
        lo[i] = 8'h0;
        hi[i] = 8'h0;
    end
end
always @(posedge clock) begin
    rdata <= {{hi[raddr[{am}:0]], lo[raddr[{am}:0]]}};
    if (we && wmask[0]) lo[waddr[{am}:0]] <= wdata[7:0];
    if (we && wmask[1]) hi[waddr[{am}:0]] <= wdata[15:8];
end",
            last = n - 1,
            am = a - 1,
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "block_store".into(),
            clock: "clock".into(),
            inputs: vec![
                "raddr".into(),
                "we".into(),
                "wmask".into(),
                "waddr".into(),
                "wdata".into(),
            ],
            outputs: vec!["rdata".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    #[test]
    fn block_store_simulates() {
        let mut uut = BlockStore::new(24);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<BlockStore>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<BlockStore>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            // a full word, then one lane each
            x.we.next = true;
            x.wmask.next = bits::<2>(3);
            x.waddr.next = bits::<16>(17);
            x.wdata.next = bits::<16>(0x1234);
            wait_clock_cycle!(sim, clock, x);
            x.wmask.next = bits::<2>(1);
            x.wdata.next = bits::<16>(0xabcd);
            x.raddr.next = bits::<16>(16);
            wait_clock_cycle!(sim, clock, x);
            x.wmask.next = bits::<2>(2);
            x.wdata.next = bits::<16>(0x5678);
            wait_clock_cycle!(sim, clock, x);
            x.we.next = false;
            x.raddr.next = bits::<16>(17);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0x56cd), x);
            // a same-edge read of the word written is undefined: the model says so
            x.we.next = true;
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(COLLISION as u64), x);
            x.we.next = false;
            x.raddr.next = bits::<16>(3);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn block_store_yosys_validate() {
        let mut uut = BlockStore::new(2048);
        uut.connect_all();
        validate("j1k_block_store", &crate::util::verilog(&uut));
    }
}
