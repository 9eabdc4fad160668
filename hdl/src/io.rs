//! The io side of the J1a top (docs/isa.md §5): the registered strobes and
//! address (`io_rd_`, `io_wr_`, `dout_`, `io_addr_`), the write gate
//! (`unlocked <= unlocked | io_wr_`), the LED port at `$0004`, and the read bus,
//! one address bit per port, ORed: `$1000` UART data, `$2000` UART status
//! (bit 0 TX ready, bit 1 RX valid), `$4000` core id. The UART itself is
//! outside: the simulation top takes it from ports, the SoC from `uart.rs`.
//!
//! Built for several cores (docs/architecture.md §6) it also has `$0100` (read: the
//! running mask; write: start), `$0200` (read: N; write: stop), which it hands to the
//! control unit as this cycle's write (`w_*`), and on core 0 the remote pointer
//! `$0400`/`$0800`: the pointer, its next value (the address a stopped core's RAM
//! reads at this edge) and this cycle's remote write (`rw_*`). A stopped core's io
//! top does nothing (`run`); a start clears its registers but the LEDs and opens the
//! RAM write gate.

use crate::ring::{LoadRing, Ring};
use crate::util::{k, Zext};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct IoPorts<const K: usize = 1> {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The context whose cycle this clock computes (docs/architecture.md §11; 0 with K = 1).
    pub ctx: Signal<In, Bits<8>>,
    /// The core's strobes this cycle (already suppressed in the reboot cycle).
    pub io_rd: Signal<In, Bit>,
    pub io_wr: Signal<In, Bit>,
    /// T and N this cycle.
    pub t: Signal<In, Bits<16>>,
    pub n: Signal<In, Bits<16>>,
    /// The core executes `io[T]` (ALU code 13) this cycle.
    pub alu_io_read: Signal<In, Bit>,
    pub rx_valid: Signal<In, Bit>,
    pub rx_data: Signal<In, Bits<8>>,
    pub tx_ready: Signal<In, Bit>,
    /// The read bus, as addressed by `io_addr_`.
    pub din: Signal<Out, Bits<16>>,
    /// Send `tx_data` this cycle (from `dout_`).
    pub tx_strobe: Signal<Out, Bit>,
    pub tx_data: Signal<Out, Bits<8>>,
    /// The RX byte is consumed at the end of this cycle.
    pub rx_strobe: Signal<Out, Bit>,
    /// The program observes RX status or data this cycle.
    pub rx_look: Signal<Out, Bit>,
    pub leds: Signal<Out, Bits<5>>,
    pub unlocked: Signal<Out, Bit>,
    // ---- several cores ----
    pub run: Signal<In, Bit>,
    /// A start of the context entering at this edge (with one context, this one).
    pub start: Signal<In, Bit>,
    /// Bit k: core k runs.
    pub running: Signal<In, Bits<8>>,
    /// Core 0: the word at the remote pointer (0 unless its core has been stopped).
    pub remote_word: Signal<In, Bits<16>>,
    /// This cycle's start / stop write: target core and start word.
    pub w_start: Signal<Out, Bit>,
    pub w_stop: Signal<Out, Bit>,
    pub w_target: Signal<Out, Bits<3>>,
    pub w_addr: Signal<Out, Bits<12>>,
    /// Core 0: the remote pointer now and after this edge; this cycle's remote write.
    pub rp: Signal<Out, Bits<16>>,
    pub rp_next: Signal<Out, Bits<16>>,
    pub rw_we: Signal<Out, Bit>,
    pub rw_target: Signal<Out, Bits<3>>,
    pub rw_addr: Signal<Out, Bits<12>>,
    pub rw_data: Signal<Out, Bits<16>>,
    rp_r: LoadRing<Bits<16>, K>,
    p1: Signal<Local, Bits<16>>,
    p2: Signal<Local, Bits<16>>,
    p3: Signal<Local, Bits<16>>,
    p1s: Signal<Local, Bits<16>>,
    p2s: Signal<Local, Bits<16>>,
    wr_a: Signal<Local, Bit>,
    rd_a: Signal<Local, Bit>,
    run16: Zext<8, 16>,
    ctl_on: Constant<Bit>,
    /// The remote pointer is core 0's: context 0's of the circuit of cores 0 ..
    remote0: Constant<Bit>,
    remote_on: Signal<Local, Bit>,
    starting: Signal<Local, Bit>,
    /// Each context's core id, and the current one.
    ids: [Constant<Bits<16>>; K],
    no: [Constant<Bits<8>>; K],
    id: Signal<Local, Bits<16>>,
    ncores: Constant<Bits<16>>,
    hi3: Constant<Bits<16>>,
    lo12: Constant<Bits<16>>,
    rd_: LoadRing<Bit, K>,
    wr_: LoadRing<Bit, K>,
    dout_: LoadRing<Bits<16>, K>,
    addr_: LoadRing<Bits<16>, K>,
    unlocked_: LoadRing<Bit, K>,
    leds_: Ring<Bits<5>, K>,
    rx16: Zext<8, 16>,
    zero16: Constant<Bits<16>>,
    one16: Constant<Bits<16>>,
    two16: Constant<Bits<16>>,
    zero5: Constant<Bits<5>>,
    bus: Signal<Local, Bits<16>>,
}

impl IoPorts {
    /// `core_id` is what port `$4000` reads; `cores`: N (the core-control ports exist
    /// when N ≥ 2, the remote pointer on core 0 only).
    pub fn new(core_id: u16, cores: u16) -> Self {
        IoPorts::<1>::contexts(core_id, cores)
    }
}

impl<const K: usize> IoPorts<K> {
    /// As [`IoPorts::new`], every register kept once per context (docs/architecture.md §11).
    pub fn contexts(core_id: u16, cores: u16) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            ctx: Default::default(),
            io_rd: Default::default(),
            io_wr: Default::default(),
            t: Default::default(),
            n: Default::default(),
            alu_io_read: Default::default(),
            rx_valid: Default::default(),
            rx_data: Default::default(),
            tx_ready: Default::default(),
            din: Default::default(),
            tx_strobe: Default::default(),
            tx_data: Default::default(),
            rx_strobe: Default::default(),
            rx_look: Default::default(),
            leds: Default::default(),
            unlocked: Default::default(),
            run: Default::default(),
            start: Default::default(),
            running: Default::default(),
            remote_word: Default::default(),
            w_start: Default::default(),
            w_stop: Default::default(),
            w_target: Default::default(),
            w_addr: Default::default(),
            rp: Default::default(),
            rp_next: Default::default(),
            rw_we: Default::default(),
            rw_target: Default::default(),
            rw_addr: Default::default(),
            rw_data: Default::default(),
            rp_r: Default::default(),
            p1: Default::default(),
            p2: Default::default(),
            p3: Default::default(),
            p1s: Default::default(),
            p2s: Default::default(),
            wr_a: Default::default(),
            rd_a: Default::default(),
            run16: Default::default(),
            ctl_on: Constant::new(cores > 1),
            remote0: Constant::new(cores > 1 && core_id == 0),
            remote_on: Default::default(),
            starting: Default::default(),
            // (contexts of one core each are each core `core_id`: the tests' one-core machines)
            ids: std::array::from_fn(|c| k(core_id as u64 + if cores > 1 { c as u64 } else { 0 })),
            no: std::array::from_fn(|c| k(c as u64)),
            ncores: k(cores as u64),
            hi3: k(0xe000),
            lo12: k(0x0fff),
            rd_: Default::default(),
            wr_: Default::default(),
            dout_: Default::default(),
            addr_: Default::default(),
            unlocked_: Default::default(),
            leds_: Default::default(),
            rx16: Default::default(),
            id: Default::default(),
            zero16: k(0),
            one16: k(1),
            two16: k(2),
            zero5: k(0),
            bus: Default::default(),
        }
    }
}

impl<const K: usize> Logic for IoPorts<K> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rd_, wr_, dout_, addr_, unlocked_, leds_, rp_r);
        self.id.next = self.ids[0].val();
        for c in 0..K {
            if self.ctx.val() == self.no[c].val() {
                self.id.next = self.ids[c].val();
            }
        }
        self.remote_on.next = self.remote0.val() && (self.ctx.val() == self.no[0].val());
        // (a stopped core's io top does not act on its strobes)
        self.wr_a.next = self.wr_.q.val() && (self.run.val() || !self.ctl_on.val());
        self.rd_a.next = self.rd_.q.val() && (self.run.val() || !self.ctl_on.val());
        self.rd_.d.next = self.io_rd.val();
        self.wr_.d.next = self.io_wr.val();
        self.dout_.d.next = self.n.val();
        if self.io_rd.val() || self.io_wr.val() {
            self.addr_.d.next = self.t.val();
        }
        self.unlocked_.d.next = self.unlocked_.q.val() || self.wr_a.val();
        if self.wr_a.val() && self.addr_.q.val().get_bit(2) {
            self.leds_.d.next = self.dout_.q.val().get_bits::<5>(0);
        }
        if self.reset.val() {
            self.rd_.d.next = false;
            self.wr_.d.next = false;
            self.dout_.d.next = self.zero16.val();
            self.addr_.d.next = self.zero16.val();
            self.unlocked_.d.next = false;
            self.leds_.d.next = self.zero5.val();
        }
        // ---- several cores ----
        self.w_start.next = self.wr_a.val() && self.addr_.q.val().get_bit(8) && self.ctl_on.val();
        self.w_stop.next = self.wr_a.val() && self.addr_.q.val().get_bit(9) && self.ctl_on.val();
        self.w_target.next = self.dout_.q.val().get_bits::<3>(13);
        self.w_addr.next = self.dout_.q.val().get_bits::<12>(1);
        // The remote pointer (core 0): $0400 sets it, then a $0800 write writes at it and
        // steps it, then a $0800 read strobe steps it (in this order, as the simulator).
        self.p1.next = self.rp_r.q.val();
        if self.wr_a.val() && self.addr_.q.val().get_bit(10) {
            self.p1.next = self.dout_.q.val();
        }
        self.p1s.next = (self.p1.val() & self.hi3.val())
            | ((self.p1.val() + self.one16.val()) & self.lo12.val());
        self.rw_we.next = self.wr_a.val() && self.addr_.q.val().get_bit(11) && self.remote_on.val();
        self.rw_target.next = self.p1.val().get_bits::<3>(13);
        self.rw_addr.next = self.p1.val().get_bits::<12>(0);
        self.rw_data.next = self.dout_.q.val();
        self.p2.next = self.p1.val();
        if self.rw_we.val() {
            self.p2.next = self.p1s.val();
        }
        self.p2s.next = (self.p2.val() & self.hi3.val())
            | ((self.p2.val() + self.one16.val()) & self.lo12.val());
        self.p3.next = self.p2.val();
        if self.rd_a.val() && self.addr_.q.val().get_bit(11) {
            self.p3.next = self.p2s.val();
        }
        self.rp_r.d.next = self.p3.val();
        if self.reset.val() || !self.remote_on.val() {
            self.rp_r.d.next = self.zero16.val();
        }
        self.rp.next = self.rp_r.q.val();
        self.rp_next.next = self.rp_r.d.val();
        // a start: the io registers as at reset but the LEDs, the write gate open (the
        // rings take it as their context enters)
        self.starting.next = self.start.val() && self.ctl_on.val() && !self.reset.val();
        self.rd_.ld.next = self.starting.val();
        self.wr_.ld.next = self.starting.val();
        self.dout_.ld.next = self.starting.val();
        self.addr_.ld.next = self.starting.val();
        self.unlocked_.ld.next = self.starting.val();
        self.rp_r.ld.next = self.starting.val();
        self.rd_.ld_v.next = false;
        self.wr_.ld_v.next = false;
        self.dout_.ld_v.next = self.zero16.val();
        self.addr_.ld_v.next = self.zero16.val();
        self.unlocked_.ld_v.next = true;
        self.rp_r.ld_v.next = self.zero16.val();
        self.unlocked.next = self.unlocked_.q.val();
        self.leds.next = self.leds_.q.val();
        self.tx_strobe.next = self.wr_a.val() && self.addr_.q.val().get_bit(12);
        self.tx_data.next = self.dout_.q.val().get_bits::<8>(0);
        self.rx_strobe.next =
            self.rd_a.val() && self.addr_.q.val().get_bit(12) && self.rx_valid.val();
        self.rx_look.next = (self.alu_io_read.val()
            && (self.addr_.q.val().get_bit(12) || self.addr_.q.val().get_bit(13)))
            || (self.rd_a.val() && self.addr_.q.val().get_bit(12));
        // The read bus.
        self.rx16.a.next = self.rx_data.val();
        self.bus.next = self.zero16.val();
        if self.addr_.q.val().get_bit(12) {
            self.bus.next = self.rx16.y.val();
        }
        if self.addr_.q.val().get_bit(13) {
            if self.tx_ready.val() {
                self.bus.next = self.bus.val() | self.one16.val();
            }
            if self.rx_valid.val() {
                self.bus.next = self.bus.val() | self.two16.val();
            }
        }
        if self.addr_.q.val().get_bit(14) {
            self.bus.next = self.bus.val() | self.id.val();
        }
        self.run16.a.next = self.running.val();
        if self.ctl_on.val() {
            if self.addr_.q.val().get_bit(8) {
                self.bus.next = self.bus.val() | self.run16.y.val();
            }
            if self.addr_.q.val().get_bit(9) {
                self.bus.next = self.bus.val() | self.ncores.val();
            }
        }
        if self.remote_on.val() && self.addr_.q.val().get_bit(11) {
            self.bus.next = self.bus.val() | self.remote_word.val();
        }
        self.din.next = self.bus.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    fn strobe(x: &mut Box<IoPorts>, rd: bool, wr: bool, t: u64, n: u64) {
        x.io_rd.next = rd;
        x.io_wr.next = wr;
        x.t.next = bits::<16>(t);
        x.n.next = bits::<16>(n);
    }

    #[test]
    fn io_simulates() {
        let mut uut = IoPorts::new(0, 1);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<IoPorts>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<IoPorts>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.tx_ready.next = true;
            x.rx_valid.next = true;
            x.rx_data.next = bits::<8>(0x41);
            sim_assert!(sim, !x.unlocked.val(), x);
            // io! to $1004: TX and LEDs one cycle later; the gate opens after that cycle.
            strobe(&mut x, false, true, 0x1004, 0x1f5);
            wait_clock_cycle!(sim, clock, x);
            strobe(&mut x, false, false, 0, 0);
            sim_assert!(sim, x.tx_strobe.val(), x);
            sim_assert_eq!(sim, x.tx_data.val(), bits::<8>(0xf5), x);
            sim_assert!(sim, !x.unlocked.val(), x);
            wait_clock_cycle!(sim, clock, x);
            sim_assert!(sim, !x.tx_strobe.val(), x);
            sim_assert!(sim, x.unlocked.val(), x);
            sim_assert_eq!(sim, x.leds.val(), bits::<5>(0x15), x);
            // io@ $3000: strobe, then the bus reads data | status and the byte is consumed.
            strobe(&mut x, true, false, 0x3000, 0);
            wait_clock_cycle!(sim, clock, x);
            strobe(&mut x, false, false, 0, 0);
            x.alu_io_read.next = true;
            sim_assert_eq!(sim, x.din.val(), bits::<16>(0x43), x);
            sim_assert!(sim, x.rx_strobe.val() && x.rx_look.val(), x);
            wait_clock_cycle!(sim, clock, x);
            x.rx_valid.next = false;
            x = sim.wait(1, x)?;
            sim_assert!(sim, !x.rx_strobe.val() && x.rx_look.val(), x);
            sim_assert_eq!(sim, x.din.val(), bits::<16>(0x41 | 1), x);
            x.alu_io_read.next = false;
            // $4000: the core id (0); $0004 reads nothing.
            strobe(&mut x, true, false, 0x4004, 0);
            wait_clock_cycle!(sim, clock, x);
            sim_assert_eq!(sim, x.din.val(), bits::<16>(0), x);
            sim_assert!(sim, !x.rx_look.val(), x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            sim_assert!(sim, !x.unlocked.val(), x);
            sim_assert_eq!(sim, x.leds.val(), bits::<5>(0), x);
            sim.done(x)
        });
        sim.run(Box::new(uut), 100_000).unwrap();
    }

    #[test]
    fn io_yosys_validate() {
        let mut uut = IoPorts::new(0, 4);
        uut.connect_all();
        validate("j1k_io", &crate::util::verilog(&uut));
    }
}
