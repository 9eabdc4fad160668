//! Host side of the j1k serial loader.
//!
//! - [`ports`]: list serial ports with their USB identity; find the board's UART.
//! - [`link`]: the [`Link`] trait (a byte stream with timeouts) and its serial, fd and
//!   in-memory implementations.
//! - [`frame`], [`client`]: the framed protocol of docs/protocol.md and its client.
//! - [`fake`]: a scripted fake board (the protocol's board side in Rust) for tests.
//! - [`crc`]: the protocol's CRC-16.
//! - [`progress`]: progress reporting (an indicatif bar, or plain lines).
//! - [`proxy`]: a seeded fault-injection proxy for tests.
//! - [`rto`]: how long to wait for an answer (the line-time formula, stretched by what the
//!   board has shown).
//! - [`monitor`]: a raw-mode terminal on a port.

pub mod client;
pub mod crc;
pub mod error;
pub mod fake;
pub mod frame;
pub mod link;
pub mod monitor;
pub mod ports;
pub mod progress;
pub mod proxy;
pub mod rto;

pub use client::{check_image, upload, Client, Options, Report, Started};
pub use error::LoaderError;
pub use frame::BoardInfo;
pub use link::{mem_pair, FdLink, Link, MemLink, SerialLink};
