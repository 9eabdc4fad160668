//! The node store: per entry (node index × S + slot) a block-key slot and a
//! node-key slot, read together with a registered read, written separately
//! (from one write value: a slot pair is zeroed in one cycle, and a store
//! writes one slot); all null (0) at configuration.

use super::block_store::COLLISION;
use crate::util::addr_bits;
use rust_hdl::prelude::*;

/// The node store's memory: per entry a block-key slot and a node-key slot,
/// read together, written separately from one write value.
#[derive(LogicBlock)]
pub struct NodeStore {
    pub clock: Signal<In, Clock>,
    pub raddr: Signal<In, Bits<16>>,
    /// Read at this edge (else the read data hold): with the tiles as contexts, only in
    /// the node lock holder's phase (docs/architecture.md §11.2).
    pub re: Signal<In, Bit>,
    pub rdata_b: Signal<Out, Bits<16>>,
    pub rdata_n: Signal<Out, Bits<16>>,
    pub we_b: Signal<In, Bit>,
    pub we_n: Signal<In, Bit>,
    pub waddr: Signal<In, Bits<16>>,
    pub wdata: Signal<In, Bits<16>>,
    _size: usize,
    _bcells: Vec<u16>,
    _ncells: Vec<u16>,
}

impl NodeStore {
    pub fn new(size: usize) -> Self {
        assert!((1..=65536).contains(&size), "a store of {size} slots");
        Self {
            clock: Default::default(),
            raddr: Default::default(),
            re: Default::default(),
            rdata_b: Default::default(),
            rdata_n: Default::default(),
            we_b: Default::default(),
            we_n: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            _size: size,
            _bcells: vec![0; size],
            _ncells: vec![0; size],
        }
    }
}

impl Logic for NodeStore {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let ra = self.raddr.val().index() % self._size;
            let wa = self.waddr.val().index() % self._size;
            if self.re.val() {
                self.rdata_b.next = bits::<16>(self._bcells[ra] as u64);
                self.rdata_n.next = bits::<16>(self._ncells[ra] as u64);
                if ra == wa && self.we_b.val() {
                    self.rdata_b.next = bits::<16>(COLLISION as u64);
                }
                if ra == wa && self.we_n.val() {
                    self.rdata_n.next = bits::<16>(COLLISION as u64);
                }
            }
            if self.we_b.val() {
                self._bcells[wa] = self.wdata.val().index() as u16;
            }
            if self.we_n.val() {
                self._ncells[wa] = self.wdata.val().index() as u16;
            }
        }
    }
    fn connect(&mut self) {
        self.rdata_b.connect();
        self.rdata_n.connect();
    }
    fn hdl(&self) -> Verilog {
        let n = self._size;
        let a = addr_bits(n);
        Verilog::Custom(format!(
            "\
(* no_rw_check *) reg [15:0] bslot[0:{last}];
(* no_rw_check *) reg [15:0] nslot[0:{last}];
integer i;
initial begin
    for (i = 0; i < {n}; i = i + 1) begin
        bslot[i] = 16'h0;
        nslot[i] = 16'h0;
    end
end
always @(posedge clock) begin
    if (re) begin
        rdata_b <= bslot[raddr[{am}:0]];
        rdata_n <= nslot[raddr[{am}:0]];
    end
    if (we_b) bslot[waddr[{am}:0]] <= wdata;
    if (we_n) nslot[waddr[{am}:0]] <= wdata;
end",
            last = n - 1,
            am = a - 1,
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "node_store".into(),
            clock: "clock".into(),
            inputs: vec![
                "raddr".into(),
                "we_b".into(),
                "we_n".into(),
                "waddr".into(),
                "wdata".into(),
            ],
            outputs: vec!["rdata_b".into(), "rdata_n".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    #[test]
    fn node_store_simulates() {
        let mut uut = NodeStore::new(16);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<NodeStore>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<NodeStore>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.we_b.next = true;
            x.waddr.next = bits::<16>(5);
            x.wdata.next = bits::<16>(0x8003);
            wait_clock_cycle!(sim, clock, x);
            x.we_b.next = false;
            x.we_n.next = true;
            x.wdata.next = bits::<16>(0x8002);
            x.waddr.next = bits::<16>(6);
            x.re.next = true;
            x.raddr.next = bits::<16>(5);
            wait_clock_cycle!(sim, clock, x);
            x.we_n.next = false;
            sim_assert_eq!(sim, x.rdata_b.val(), bits::<16>(0x8003), x);
            sim_assert_eq!(sim, x.rdata_n.val(), bits::<16>(0), x);
            x.raddr.next = bits::<16>(6);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata_b.val(), bits::<16>(0), x);
            sim_assert_eq!(sim, x.rdata_n.val(), bits::<16>(0x8002), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn node_store_yosys_validate() {
        let mut uut = NodeStore::new(2048);
        uut.connect_all();
        validate("j1k_node_store", &crate::util::verilog(&uut));
    }
}
