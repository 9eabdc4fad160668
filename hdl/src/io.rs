//! The io side of the J1a top (docs/isa.md §5): the registered strobes and
//! address (`io_rd_`, `io_wr_`, `dout_`, `io_addr_`), the write gate
//! (`unlocked <= unlocked | io_wr_`), the LED port at `$0004`, and the read bus,
//! one address bit per port, ORed: `$1000` UART data, `$2000` UART status
//! (bit 0 TX ready, bit 1 RX valid), `$4000` core id. The UART itself is
//! outside: the simulation top takes it from ports, the SoC from `uart.rs`.

use crate::util::{k, Zext};
use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct IoPorts {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
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
    rd_: DFF<Bit>,
    wr_: DFF<Bit>,
    dout_: DFF<Bits<16>>,
    addr_: DFF<Bits<16>>,
    unlocked_: DFF<Bit>,
    leds_: DFF<Bits<5>>,
    rx16: Zext<8, 16>,
    id: Constant<Bits<16>>,
    zero16: Constant<Bits<16>>,
    one16: Constant<Bits<16>>,
    two16: Constant<Bits<16>>,
    zero5: Constant<Bits<5>>,
    bus: Signal<Local, Bits<16>>,
}

impl IoPorts {
    /// `core_id` is what port `$4000` reads.
    pub fn new(core_id: u16) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
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
            rd_: Default::default(),
            wr_: Default::default(),
            dout_: Default::default(),
            addr_: Default::default(),
            unlocked_: Default::default(),
            leds_: Default::default(),
            rx16: Default::default(),
            id: k(core_id as u64),
            zero16: k(0),
            one16: k(1),
            two16: k(2),
            zero5: k(0),
            bus: Default::default(),
        }
    }
}

impl Logic for IoPorts {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rd_, wr_, dout_, addr_, unlocked_, leds_);
        self.rd_.d.next = self.io_rd.val();
        self.wr_.d.next = self.io_wr.val();
        self.dout_.d.next = self.n.val();
        if self.io_rd.val() || self.io_wr.val() {
            self.addr_.d.next = self.t.val();
        }
        self.unlocked_.d.next = self.unlocked_.q.val() || self.wr_.q.val();
        if self.wr_.q.val() && self.addr_.q.val().get_bit(2) {
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
        self.unlocked.next = self.unlocked_.q.val();
        self.leds.next = self.leds_.q.val();
        self.tx_strobe.next = self.wr_.q.val() && self.addr_.q.val().get_bit(12);
        self.tx_data.next = self.dout_.q.val().get_bits::<8>(0);
        self.rx_strobe.next =
            self.rd_.q.val() && self.addr_.q.val().get_bit(12) && self.rx_valid.val();
        self.rx_look.next = (self.alu_io_read.val()
            && (self.addr_.q.val().get_bit(12) || self.addr_.q.val().get_bit(13)))
            || (self.rd_.q.val() && self.addr_.q.val().get_bit(12));
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
        let mut uut = IoPorts::new(0);
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
        let mut uut = IoPorts::new(3);
        uut.connect_all();
        validate("j1k_io", &crate::util::verilog(&uut));
    }
}
