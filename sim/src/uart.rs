//! UART 0 of core 0 as the simulator sees it (docs/isa.md §5).
//!
//! TX is always ready. RX behaves as if the whole input were there from cycle 0
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
}

impl RxPort {
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
