//! The block store: `blocks × W` words with a registered read, two byte lanes
//! (`wmask` bit 0 the low byte, bit 1 the high byte) so that `bc!` writes one
//! lane in its one cycle. Word address = block index × W + word. Two memories
//! ([`BlockMemory`]):
//!
//! - **Bram**: SB_RAM40_4K, zero at configuration. A read and a write of the
//!   same word on one edge return an undefined word (the memory is marked
//!   `no_rw_check`, so yosys maps it without bypass logic).
//! - **Spram**: the UP5K's SB_SPRAM256KA (16K × 16, up to four banks), one
//!   port: a write cycle reads nothing (the address is `waddr` when `we`). The
//!   bitstream does not initialise it, and it need not be: a program reaches a
//!   block only through a key, `balloc` zeroes every block it hands out, and the
//!   key unit never reads the null block (block 0) from the store — a read
//!   through the null key is 0 by logic (`rd_ok` in key/mod.rs). Only synthesis
//!   sees the primitive (`ifdef SYNTHESIS`); simulation sees a zero-initialised
//!   one-port memory with the same timing.
//!
//! No key instruction reads the store in a cycle in which it writes it; the
//! simulation models return [`COLLISION`] for a read that a write makes
//! undefined (the same word for Bram, any word for Spram), so the lockstep
//! tests would catch a use.

use crate::util::addr_bits;
use crate::BlockMemory;
use rust_hdl::prelude::*;

/// What the simulation models of the stores read when a same-edge write makes the read undefined.
pub const COLLISION: u16 = 0xdead;

/// Words in one SB_SPRAM256KA.
pub const SPRAM_WORDS: usize = 16384;

#[derive(LogicBlock)]
pub struct BlockStore {
    pub clock: Signal<In, Clock>,
    pub raddr: Signal<In, Bits<16>>,
    /// Read enable: the read data change only at an edge where it is high (a RAM that
    /// several contexts take turns on keeps one context's word for its next phase). The
    /// SPRAM reads at every edge: with it `re` must stay high.
    pub re: Signal<In, Bit>,
    pub rdata: Signal<Out, Bits<16>>,
    pub we: Signal<In, Bit>,
    pub wmask: Signal<In, Bits<2>>,
    pub waddr: Signal<In, Bits<16>>,
    pub wdata: Signal<In, Bits<16>>,
    _size: usize,
    _memory: BlockMemory,
    _cells: Vec<u16>,
}

impl BlockStore {
    /// `size` words in `memory`.
    pub fn new(size: usize, memory: BlockMemory) -> Self {
        assert!((1..=65536).contains(&size), "a store of {size} words");
        Self {
            clock: Default::default(),
            raddr: Default::default(),
            re: Default::default(),
            rdata: Default::default(),
            we: Default::default(),
            wmask: Default::default(),
            waddr: Default::default(),
            wdata: Default::default(),
            _size: size,
            _memory: memory,
            _cells: vec![0; size],
        }
    }

    /// The words as the simulation model holds them (for tests).
    pub fn cells(&self) -> &[u16] {
        &self._cells
    }

    /// The two byte lanes `lo` and `hi` of `size` words, zero from the start.
    fn lanes(&self) -> String {
        let n = self._size;
        format!(
            "\
reg [7:0] lo[0:{last}];
reg [7:0] hi[0:{last}];
integer i;
initial begin
    for (i = 0; i < {n}; i = i + 1) begin
        lo[i] = 8'h0;
        hi[i] = 8'h0;
    end
end
",
            last = n - 1,
        )
    }

    /// Block RAM in rows of 2048, 1024 and 512 words (the largest first, then whatever is
    /// left), each lane of a row split into slices of 2, 4 or 8 bits: one slice is one
    /// SB_RAM40_4K in its 2048×2, 1024×4 or 512×8 shape, so the read data need a mux over
    /// the rows only (2:1 for 3072 words, where yosys's own mapping made it 6:1 per lane).
    fn bram_verilog(&self) -> String {
        let n = self._size;
        if n <= 256 {
            return self.bram_256_verilog();
        }
        let am = addr_bits(n) - 1;
        let mut rows = Vec::new(); // (base, depth)
        let mut base = 0;
        for depth in [2048usize, 1024, 512] {
            while n - base >= depth {
                rows.push((base, depth));
                base += depth;
            }
        }
        if base < n {
            rows.push((base, n - base));
        }
        let rw = addr_bits(rows.len() + 1);
        let (mut decl, mut init, mut rd, mut wr, mut out) = (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        );
        let mut rowsel = format!("    row <= {rw}'d0;\n");
        for (k, &(base, depth)) in rows.iter().enumerate() {
            // in-row address bits; a row's base is a multiple of 2^ib
            let ib = addr_bits(depth);
            // slice width: 2, 4 or 8 bits
            let w = 4096 >> ib.max(9);
            // the write's address is in this row
            let w_in_row = if rows.len() == 1 {
                "1'b1".to_string()
            } else {
                format!("(waddr[{am}:{ib}] == {}'d{})", am + 1 - ib, base >> ib)
            };
            decl.push_str(&format!("reg [15:0] q{k};\n"));
            for lane in 0..2 {
                for j in 0..(8 / w) {
                    let m = format!("m{k}_{lane}_{j}");
                    let lo = lane * 8 + j * w;
                    let hi = lo + w - 1;
                    decl.push_str(&format!(
                        "(* no_rw_check *) reg [{}:0] {m}[0:{}];\n",
                        w - 1,
                        depth - 1
                    ));
                    init.push_str(&format!(
                        "    for (i = 0; i < {depth}; i = i + 1) {m}[i] = {w}'h0;\n"
                    ));
                    rd.push_str(&format!(
                        "    q{k}[{hi}:{lo}] <= {m}[raddr[{}:0]];\n",
                        ib - 1
                    ));
                    wr.push_str(&format!(
                        "    if (we && wmask[{lane}] && {}) {m}[waddr[{}:0]] <= wdata[{hi}:{lo}];\n",
                        w_in_row,
                        ib - 1
                    ));
                }
            }
            if k > 0 {
                // (rows in rising order, the last one whose base is not above the address)
                rowsel.push_str(&format!(
                    "    if (raddr[{am}:{ib}] >= {}'d{}) row <= {rw}'d{k};\n",
                    am + 1 - ib,
                    base >> ib
                ));
                out.push_str(&format!("    if (row == {rw}'d{k}) rdata = q{k};\n"));
            }
        }
        format!(
            "\
{decl}// the row of the word read at the last edge selects the output
reg [{}:0] row;
integer i;
initial begin
{init}end
always @(posedge clock) begin
    if (re) begin
{rd}{rowsel}    end
{wr}end
always @(*) begin
    rdata = q0;
{out}end",
            rw - 1
        )
    }

    /// Up to 256 words: one memory of 16-bit words with a byte-lane write mask, which yosys
    /// maps to one block RAM in its 256 × 16 shape (its MASK input), where two 512 × 8 lanes
    /// would take two (a cache of the contexts' builds, docs/architecture.md §11.2).
    fn bram_256_verilog(&self) -> String {
        let n = self._size;
        let am = addr_bits(n) - 1;
        format!(
            "\
(* no_rw_check *) reg [15:0] m[0:{last}];
integer i;
initial begin
    for (i = 0; i < {n}; i = i + 1) m[i] = 16'h0;
end
always @(posedge clock) begin
    if (re) rdata <= m[raddr[{am}:0]];
    if (we && wmask[0]) m[waddr[{am}:0]][7:0] <= wdata[7:0];
    if (we && wmask[1]) m[waddr[{am}:0]][15:8] <= wdata[15:8];
end",
            last = n - 1
        )
    }

    fn spram_verilog(&self) -> String {
        let n = self._size;
        let am = addr_bits(n) - 1;
        let banks = n.div_ceil(SPRAM_WORDS);
        // Synthesis: the banks and, with more than one, a registered bank select for the read.
        let mut syn = String::new();
        if banks > 1 {
            syn.push_str(
                "\
// The bank of the word read at the last edge selects the output.
reg [1:0] rbank;
always @(posedge clock) rbank <= addr[15:14];
",
            );
        }
        for b in 0..banks {
            let wren = if banks == 1 {
                "we".to_string()
            } else {
                format!("we & (addr[15:14] == 2'd{b})")
            };
            syn.push_str(&format!(
                "\
wire [15:0] q{b};
SB_SPRAM256KA bank{b} (.ADDRESS(addr[13:0]), .DATAIN(wdata),
    .MASKWREN({{wmask[1], wmask[1], wmask[0], wmask[0]}}), .WREN({wren}), .CHIPSELECT(1'b1),
    .CLOCK(clock), .STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1), .DATAOUT(q{b}));
"
            ));
        }
        if banks == 1 {
            syn.push_str("always @(*) rdata = q0;\n");
        } else {
            syn.push_str("always @(*) begin\n    case (rbank)\n");
            for b in 0..banks {
                let label = if b + 1 == banks {
                    "default".to_string()
                } else {
                    format!("2'd{b}")
                };
                syn.push_str(&format!("        {label}: rdata = q{b};\n"));
            }
            syn.push_str("    endcase\nend\n");
        }
        format!(
            "\
// One port: a write cycle addresses the written word and reads nothing.
wire [15:0] addr = we ? waddr : raddr;
`ifdef SYNTHESIS
{syn}`else
{lanes}reg [15:0] q;
always @(*) rdata = q;
always @(posedge clock) begin
    if (we) begin
        if (wmask[0]) lo[addr[{am}:0]] <= wdata[7:0];
        if (wmask[1]) hi[addr[{am}:0]] <= wdata[15:8];
        q <= 16'h{collision:04x};
    end else if (re) begin
        q <= {{hi[addr[{am}:0]], lo[addr[{am}:0]]}};
    end
end
`endif",
            lanes = self.lanes(),
            collision = COLLISION,
        )
    }
}

impl Logic for BlockStore {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let ra = self.raddr.val().index() % self._size;
            let wa = self.waddr.val().index() % self._size;
            let re = self.re.val();
            assert!(
                re || self._memory == BlockMemory::Bram,
                "the SPRAM store reads at every edge: hold `re` high"
            );
            if re {
                self.rdata.next = bits::<16>(self._cells[ra] as u64);
            }
            let collides = match self._memory {
                BlockMemory::Bram => ra == wa,
                BlockMemory::Spram => true,
            };
            if self.we.val() && collides && re {
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
        Verilog::Custom(match self._memory {
            BlockMemory::Bram => self.bram_verilog(),
            BlockMemory::Spram => self.spram_verilog(),
        })
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "block_store".into(),
            clock: "clock".into(),
            inputs: vec![
                "raddr".into(),
                "re".into(),
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
        let mut uut = BlockStore::new(24, BlockMemory::Bram);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<BlockStore>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<BlockStore>| {
            let mut x = sim.init()?;
            x.re.next = true;
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

    /// The one-port store: a write cycle reads nothing, whatever the addresses.
    #[test]
    fn spram_block_store_simulates() {
        let mut uut = BlockStore::new(32768, BlockMemory::Spram);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<BlockStore>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<BlockStore>| {
            let mut x = sim.init()?;
            x.re.next = true;
            wait_clock_false!(sim, clock, x);
            // a full word in the second bank, then the high lane
            x.we.next = true;
            x.wmask.next = bits::<2>(3);
            x.waddr.next = bits::<16>(20000);
            x.wdata.next = bits::<16>(0x1234);
            x.raddr.next = bits::<16>(5);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(COLLISION as u64), x);
            x.wmask.next = bits::<2>(2);
            x.wdata.next = bits::<16>(0xab00);
            wait_clock_cycle!(sim, clock, x);
            x.we.next = false;
            x.raddr.next = bits::<16>(20000);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0xab34), x);
            x.raddr.next = bits::<16>(5);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.rdata.val(), bits::<16>(0), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 10_000).unwrap();
    }

    #[test]
    fn spram_block_store_yosys_validate() {
        let mut uut = BlockStore::new(65536, BlockMemory::Spram);
        uut.connect_all();
        let cells =
            crate::util::validate_ice40("spram_block_store", "top", &crate::util::verilog(&uut));
        assert_eq!(cells.get("SB_SPRAM256KA"), Some(&4), "{cells:?}");
        assert_eq!(cells.get("SB_RAM40_4K"), None, "{cells:?}");
    }

    /// 256 words (a cache of the contexts' builds) take one block RAM, with its write mask;
    /// 512 take two lanes of 512 × 8.
    #[test]
    fn a_256_word_store_is_one_block_ram() {
        for (words, brams) in [(256, 1), (512, 2)] {
            let mut uut = BlockStore::new(words, BlockMemory::Bram);
            uut.connect_all();
            let cells =
                crate::util::validate_ice40("small_store", "top", &crate::util::verilog(&uut));
            let n: u64 = cells
                .iter()
                .filter(|(c, _)| c.starts_with("SB_RAM40"))
                .map(|(_, n)| n)
                .sum();
            assert_eq!(n, brams, "{words} words: {cells:?}");
        }
    }

    #[test]
    fn block_store_yosys_validate() {
        let mut uut = BlockStore::new(2048, BlockMemory::Bram);
        uut.connect_all();
        validate("j1k_block_store", &crate::util::verilog(&uut));
    }
}
