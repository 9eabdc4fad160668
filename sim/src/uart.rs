//! UART 0 of core 0 as the simulator sees it (docs/isa.md §5).
//!
//! TX is always ready (unless a caller asks for the hardware's busy time, [`TxPort`]). RX behaves as if the whole input were there from cycle 0
//! (a byte is valid whenever one remains; after one is consumed the next is
//! valid from the following cycle), but the input is read lazily: [`Uart::rx`]
//! is called only in a cycle whose result depends on it — an `io[T]` read with
//! the registered io address selecting RX data or status, or an RX read strobe —
//! and only when no byte is pending. So a run is deterministic whether its input
//! is a file, a pipe or a person: the simulator waits for the byte.

use std::collections::VecDeque;

/// The outside of UART 0, implemented by the caller.
pub trait Uart {
    /// Blocks until a byte or the end of input (`None`). Called only when the
    /// program observes RX status or data and no byte is pending; never called
    /// again once it has returned `None`.
    fn rx(&mut self) -> Option<u8>;
    /// A byte the program sent.
    fn tx(&mut self, byte: u8);
    /// A byte the program sent, in clock cycle `cycle` (counted from reset). The simulators
    /// call this one; a line that paces its output by the clock (the simulated board on a
    /// pseudo-terminal) needs the cycle, everything else takes the default.
    fn tx_at(&mut self, byte: u8, cycle: u64) {
        let _ = cycle;
        self.tx(byte);
    }
    /// A live line (the simulated board on a pseudo-terminal): `rx` answers at once, and
    /// `None` means "no byte has arrived yet" rather than the end of input — it is asked
    /// again the next time the program looks, and the input never ends.
    fn live(&self) -> bool {
        false
    }
}

/// A UART over byte buffers: input from a queue, output collected.
#[derive(Clone, Debug, Default)]
pub struct BufUart {
    pub input: VecDeque<u8>,
    pub output: Vec<u8>,
}

impl BufUart {
    pub fn new(input: &[u8]) -> BufUart {
        BufUart {
            input: input.iter().copied().collect(),
            output: Vec::new(),
        }
    }
}

impl Uart for BufUart {
    fn rx(&mut self) -> Option<u8> {
        self.input.pop_front()
    }
    fn tx(&mut self, byte: u8) {
        self.output.push(byte);
    }
}

/// The receiver's state: a pending (valid) byte, the data register, end of input.
/// Public so that the RTL runner (sim/rtl) drives its UART inputs by the same rule.
#[derive(Clone, Debug, Default)]
pub struct RxPort {
    /// RX valid: a byte has been received and not yet consumed.
    pub pending: bool,
    /// The receive data register: the last byte received (0 before any).
    pub data: u8,
    /// `rx()` has returned `None`.
    pub exhausted: bool,
    /// The program waiting for input that cannot come (see [`Wait`]).
    pub wait: Option<Wait>,
}

/// Looks at RX the program made after input ended, finding no byte: each within
/// [`WAIT_GAP`] cycles of the one before, since the last UART byte moved. The idle rule
/// ([`crate::Limits`]) ends a run only while such a wait lasts, never during a computation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wait {
    /// The cycle of the first look.
    pub since: u64,
    /// The cycle of the last look.
    pub last: u64,
}

/// The most cycles between two looks at RX of one wait: a program that looks less often is
/// computing, and a later look starts a new wait.
pub const WAIT_GAP: u64 = 65_536;

impl RxPort {
    /// A byte arrives from the wire now, as in the hardware receiver (hdl/src/uart.rs): it
    /// replaces the data register and is valid. True if it overwrote a byte the program had
    /// not read yet (an overrun: that byte is lost).
    pub fn arrive(&mut self, byte: u8) -> bool {
        let overrun = self.pending;
        self.pending = true;
        self.data = byte;
        overrun
    }

    /// The program looked at RX in cycle `now` and found no byte after input ended.
    fn looked_empty(&mut self, now: u64) {
        match &mut self.wait {
            Some(w) if now - w.last <= WAIT_GAP => w.last = now,
            _ => {
                self.wait = Some(Wait {
                    since: now,
                    last: now,
                })
            }
        }
    }

    /// The program looks at RX in cycle `now`: make a byte valid if one remains, and with
    /// none after input ended, count the look in the wait ([`looked_empty`](Self::looked_empty)).
    pub fn look(&mut self, uart: &mut dyn Uart, now: u64) {
        self.observe(uart);
        if self.exhausted && !self.pending {
            self.looked_empty(now);
        }
    }

    /// The program looks at RX: make a byte valid if one remains.
    pub fn observe(&mut self, uart: &mut dyn Uart) {
        if !self.pending && !self.exhausted {
            match uart.rx() {
                Some(b) => {
                    self.pending = true;
                    self.data = b;
                }
                None if uart.live() => {}
                None => self.exhausted = true,
            }
        }
    }
}

/// The transmitter's timing. By default TX is always ready (the simulator's UART,
/// docs/isa.md §5). With `busy_cycles` > 0 it behaves as the hardware transmitter
/// (hdl/src/uart.rs): after the cycle in which a byte is sent, TX ready reads low for
/// `busy_cycles` cycles (10 bit times), and a byte written meanwhile is dropped.
#[derive(Clone, Debug, Default)]
pub struct TxPort {
    /// Cycles TX stays busy after each byte (0: always ready).
    pub busy_cycles: u64,
    /// The first cycle in which TX is ready again.
    ready_at: u64,
    /// Bytes written while TX was busy (lost, as on the hardware).
    pub dropped: u64,
}

impl TxPort {
    /// TX ready in cycle `now`.
    pub fn ready(&self, now: u64) -> bool {
        now >= self.ready_at
    }
    /// The program writes a byte in cycle `now` (the io top's strobe): true if it is sent.
    pub fn send(&mut self, now: u64) -> bool {
        if !self.ready(now) {
            self.dropped += 1;
            return false;
        }
        if self.busy_cycles > 0 {
            self.ready_at = now + 1 + self.busy_cycles;
        }
        true
    }
    /// A reset: the transmitter is idle.
    pub fn reset(&mut self) {
        self.ready_at = 0;
    }
}
