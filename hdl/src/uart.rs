//! A real 8N1 UART for the SoC: the divisor is `clock_hz / baud` (rounded).
//!
//! - TX: a byte written while idle is shifted out start bit, 8 data bits LSB
//!   first, stop bit; `ready` is low while shifting (the status port's bit 0).
//! - RX: a 2-FF synchronizer, start-bit detection on a falling edge, sampling
//!   in the middle of each bit; a complete frame with a good stop bit sets
//!   `valid` and `data`, which stay until `take` (the consuming io read).

use crate::util::k;
use rust_hdl::prelude::*;

/// The divisor for `clock_hz` and `baud` (at least 2, at most 65535).
pub fn divisor(clock_hz: u32, baud: u32) -> u16 {
    let d = (clock_hz as u64 + baud as u64 / 2) / baud.max(1) as u64;
    d.clamp(2, 65535) as u16
}

#[derive(LogicBlock)]
pub struct UartTx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// Send `data` (ignored unless `ready`).
    pub send: Signal<In, Bit>,
    pub data: Signal<In, Bits<8>>,
    pub ready: Signal<Out, Bit>,
    /// The serial line (idle high).
    pub tx: Signal<Out, Bit>,
    shift: DFF<Bits<10>>,
    bits_left: DFF<Bits<4>>,
    count: DFF<Bits<16>>,
    div_m1: Constant<Bits<16>>,
    z16: Constant<Bits<16>>,
    one16: Constant<Bits<16>>,
    z4: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    ten4: Constant<Bits<4>>,
    one10: Constant<Bits<10>>,
    stop10: Constant<Bits<10>>,
    ones10: Constant<Bits<10>>,
    wide: crate::util::Zext<8, 10>,
}

impl UartTx {
    pub fn new(div: u16) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            send: Default::default(),
            data: Default::default(),
            ready: Default::default(),
            tx: Default::default(),
            shift: Default::default(),
            bits_left: Default::default(),
            count: Default::default(),
            div_m1: k(div as u64 - 1),
            z16: k(0),
            one16: k(1),
            z4: k(0),
            one4: k(1),
            ten4: k(10),
            one10: k(1),
            stop10: k(0x200),
            ones10: k(0x3ff),
            wide: Default::default(),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, shift, bits_left, count);
        self.wide.a.next = self.data.val();
        // shift holds the line, LSB first; it is all ones when idle (inverted storage
        // would make power-up 0 = idle, but reset sets it explicitly).
        self.ready.next = self.bits_left.q.val() == self.z4.val();
        self.tx.next = self.shift.q.val().get_bit(0) || (self.bits_left.q.val() == self.z4.val());
        if self.bits_left.q.val() == self.z4.val() {
            if self.send.val() {
                // {stop, data, start}
                self.shift.d.next = self.stop10.val() | (self.wide.y.val() << self.one10.val());
                self.bits_left.d.next = self.ten4.val();
                self.count.d.next = self.div_m1.val();
            }
        } else if self.count.q.val() == self.z16.val() {
            self.shift.d.next = (self.shift.q.val() >> self.one10.val()) | self.stop10.val();
            self.bits_left.d.next = self.bits_left.q.val() - self.one4.val();
            self.count.d.next = self.div_m1.val();
        } else {
            self.count.d.next = self.count.q.val() - self.one16.val();
        }
        if self.reset.val() {
            self.shift.d.next = self.ones10.val();
            self.bits_left.d.next = self.z4.val();
            self.count.d.next = self.z16.val();
        }
    }
}

#[derive(LogicBlock)]
pub struct UartRx {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    /// The serial line (asynchronous).
    pub rx: Signal<In, Bit>,
    /// Consume the byte (clears `valid` at the end of this cycle).
    pub take: Signal<In, Bit>,
    pub valid: Signal<Out, Bit>,
    pub data: Signal<Out, Bits<8>>,
    /// The synchronizer, stored inverted so that power-up (0) reads as an idle line.
    sync1_n: DFF<Bit>,
    sync2_n: DFF<Bit>,
    busy: DFF<Bit>,
    bit_idx: DFF<Bits<4>>,
    count: DFF<Bits<16>>,
    shift: DFF<Bits<8>>,
    data_r: DFF<Bits<8>>,
    valid_r: DFF<Bit>,
    div_m1: Constant<Bits<16>>,
    half_m1: Constant<Bits<16>>,
    z16: Constant<Bits<16>>,
    one16: Constant<Bits<16>>,
    z4: Constant<Bits<4>>,
    one4: Constant<Bits<4>>,
    nine4: Constant<Bits<4>>,
    z8: Constant<Bits<8>>,
    one8: Constant<Bits<8>>,
    msb8: Constant<Bits<8>>,
    line: Signal<Local, Bit>,
}

impl UartRx {
    pub fn new(div: u16) -> Self {
        Self {
            clock: Default::default(),
            reset: Default::default(),
            rx: Default::default(),
            take: Default::default(),
            valid: Default::default(),
            data: Default::default(),
            sync1_n: Default::default(),
            sync2_n: Default::default(),
            busy: Default::default(),
            bit_idx: Default::default(),
            count: Default::default(),
            shift: Default::default(),
            data_r: Default::default(),
            valid_r: Default::default(),
            div_m1: k(div as u64 - 1),
            half_m1: k((div / 2) as u64 - 1),
            z16: k(0),
            one16: k(1),
            z4: k(0),
            one4: k(1),
            nine4: k(9),
            z8: k(0),
            one8: k(1),
            msb8: k(0x80),
            line: Default::default(),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync1_n, sync2_n, busy, bit_idx, count, shift, data_r, valid_r);
        self.sync1_n.d.next = !self.rx.val();
        self.sync2_n.d.next = self.sync1_n.q.val();
        self.line.next = !self.sync2_n.q.val();
        if self.take.val() {
            self.valid_r.d.next = false;
        }
        if !self.busy.q.val() {
            if !self.line.val() {
                // start bit: sample again in its middle
                self.busy.d.next = true;
                self.bit_idx.d.next = self.z4.val();
                self.count.d.next = self.half_m1.val();
            }
        } else if self.count.q.val() == self.z16.val() {
            self.count.d.next = self.div_m1.val();
            self.bit_idx.d.next = self.bit_idx.q.val() + self.one4.val();
            if self.bit_idx.q.val() == self.z4.val() {
                // middle of the start bit: a glitch if the line is high again
                if self.line.val() {
                    self.busy.d.next = false;
                }
            } else if self.bit_idx.q.val() == self.nine4.val() {
                // middle of the stop bit
                self.busy.d.next = false;
                if self.line.val() {
                    self.data_r.d.next = self.shift.q.val();
                    self.valid_r.d.next = true;
                }
            } else {
                self.shift.d.next = self.shift.q.val() >> self.one8.val();
                if self.line.val() {
                    self.shift.d.next = (self.shift.q.val() >> self.one8.val()) | self.msb8.val();
                }
            }
        } else {
            self.count.d.next = self.count.q.val() - self.one16.val();
        }
        if self.reset.val() {
            self.busy.d.next = false;
            self.bit_idx.d.next = self.z4.val();
            self.count.d.next = self.z16.val();
            self.shift.d.next = self.z8.val();
            self.data_r.d.next = self.z8.val();
            self.valid_r.d.next = false;
        }
        self.valid.next = self.valid_r.q.val();
        self.data.next = self.data_r.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::validate;

    /// TX into RX through a wire: a loopback at divisor 4.
    #[derive(LogicBlock)]
    struct Loop {
        clock: Signal<In, Clock>,
        reset: Signal<In, Bit>,
        send: Signal<In, Bit>,
        data: Signal<In, Bits<8>>,
        take: Signal<In, Bit>,
        ready: Signal<Out, Bit>,
        valid: Signal<Out, Bit>,
        got: Signal<Out, Bits<8>>,
        line: Signal<Out, Bit>,
        tx: UartTx,
        rx: UartRx,
    }

    impl Loop {
        fn new(div: u16) -> Self {
            Self {
                clock: Default::default(),
                reset: Default::default(),
                send: Default::default(),
                data: Default::default(),
                take: Default::default(),
                ready: Default::default(),
                valid: Default::default(),
                got: Default::default(),
                line: Default::default(),
                tx: UartTx::new(div),
                rx: UartRx::new(div),
            }
        }
    }

    impl Logic for Loop {
        #[hdl_gen]
        fn update(&mut self) {
            self.tx.clock.next = self.clock.val();
            self.rx.clock.next = self.clock.val();
            self.tx.reset.next = self.reset.val();
            self.rx.reset.next = self.reset.val();
            self.tx.send.next = self.send.val();
            self.tx.data.next = self.data.val();
            self.rx.rx.next = self.tx.tx.val();
            self.rx.take.next = self.take.val();
            self.ready.next = self.tx.ready.val();
            self.valid.next = self.rx.valid.val();
            self.got.next = self.rx.data.val();
            self.line.next = self.tx.tx.val();
        }
    }

    #[test]
    fn divisor_rounds() {
        assert_eq!(divisor(12_000_000, 115_200), 104);
        assert_eq!(divisor(48_000_000, 115_200), 417);
        assert_eq!(divisor(10, 115_200), 2);
    }

    #[test]
    fn uart_loopback_simulates() {
        let mut uut = Loop::new(4);
        uut.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Loop>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut sim: Sim<Loop>| {
            let mut x = sim.init()?;
            wait_clock_false!(sim, clock, x);
            x.reset.next = true;
            wait_clock_cycle!(sim, clock, x);
            x.reset.next = false;
            for byte in [0x55u64, 0xa3, 0x00, 0xff] {
                sim_assert!(sim, x.ready.val() && x.line.val(), x);
                x.send.next = true;
                x.data.next = bits::<8>(byte);
                wait_clock_cycle!(sim, clock, x);
                x.send.next = false;
                sim_assert!(sim, !x.ready.val() && !x.line.val(), x);
                // 10 bits of 4 cycles, plus the synchronizer and half a bit
                let mut n = 0;
                while !x.valid.val() {
                    wait_clock_cycle!(sim, clock, x);
                    n += 1;
                    sim_assert!(sim, n < 60, x);
                }
                sim_assert_eq!(sim, x.got.val(), bits::<8>(byte), x);
                x.take.next = true;
                wait_clock_cycle!(sim, clock, x);
                x.take.next = false;
                sim_assert!(sim, !x.valid.val(), x);
                while !x.ready.val() {
                    wait_clock_cycle!(sim, clock, x);
                }
            }
            sim.done(x)
        });
        sim.run(Box::new(uut), 1_000_000).unwrap();
    }

    #[test]
    fn uart_yosys_validate() {
        let mut uut = Loop::new(104);
        uut.connect_all();
        validate("j1k_uart", &crate::util::verilog(&uut));
    }
}
