//! `j1k sim --pty`: the simulated board with UART 0 on a pseudo-terminal, so `j1k load` and
//! `j1k monitor` talk to it exactly as to a board (docs/protocol.md §5).
//!
//! Time: the board's clock runs in real time (`--clock-hz`, default 18 MHz, the iCEBreaker's
//! core clock), never faster; a model slower than that (the RTL) simply lags. Everything the
//! program sees is defined in board cycles, so a run is the same program behaviour whether
//! the model keeps up or not:
//! - with `--baud B` the UART is the hardware's (hdl/src/uart.rs), timed in board cycles: a
//!   byte from the host arrives 10 bit times after the previous one at the earliest, into a
//!   one-byte receive register — a byte arriving before the program has read the one before
//!   overwrites it (an *overrun*, counted and reported on stderr when the host closes the
//!   port); after each byte the program sends, TX ready reads low for 10 bit times and the
//!   byte reaches the host at the end of them. (The RTL's simulation top ties TX ready high,
//!   so with `--rtl` only the receiver is the hardware's; the line still paces the output.)
//! - without `--baud` bytes pass as soon as they are seen, the receiver queues what the
//!   program has not read, and TX is always ready (the simulator's UART, docs/isa.md §5).
//!
//! Power and reset: the clock starts when a host first opens the pseudo-terminal, and it stops
//! when the host closes it. When a host opens it again the board is reset (RAM kept, as the
//! reset button does), the way many USB-serial boards reset when their port is opened, so
//! each session starts with the bootloader's hello and window.

use crate::error::CliError;
use j1k_sim::{Limits, Machine, Outcome, Uart};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::collections::VecDeque;
use std::io::Write;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

/// The simulated board's settings.
#[derive(Clone, Copy, Debug)]
pub struct PtyOptions {
    /// The board clock: board cycles per second of wall time (at most).
    pub clock_hz: u64,
    /// Pace the line at this baud rate (10 bits per byte).
    pub baud: Option<u32>,
    /// End with an error after this many board cycles since power-on.
    pub max_cycles: Option<u64>,
}

/// A model the board runs: the Rust model or the Verilated RTL.
pub trait BoardModel {
    /// Runs until `cycles` since the last reset, or until the program halts (true).
    fn run_until(&mut self, cycles: u64, uart: &mut dyn Uart) -> bool;
    /// The reset button: cores restart at word 0, RAM is kept.
    fn press_reset(&mut self);
    /// Core 0's program counter (for the message when `--max-cycles` ends the run).
    fn pc(&self) -> u16;
    /// A byte arrives on the wire into the one-byte receive register; true if it overwrote
    /// a byte the program had not read (an overrun).
    fn receive(&mut self, byte: u8) -> bool;
    /// TX ready reads low for `cycles` after each byte; false if the model cannot do it.
    fn set_tx_busy_cycles(&mut self, cycles: u64) -> bool;
    /// Bytes the program wrote while TX was busy (lost).
    fn tx_dropped(&self) -> u64;
}

/// The Rust model.
pub struct RustBoard(pub Machine);

impl BoardModel for RustBoard {
    fn run_until(&mut self, cycles: u64, uart: &mut dyn Uart) -> bool {
        let limits = Limits {
            max_cycles: Some(cycles),
            idle_cycles: u64::MAX,
        };
        while self.0.cycles() < cycles {
            if self.0.run(uart, &limits) == Outcome::Halted {
                return true;
            }
        }
        false
    }
    fn press_reset(&mut self) {
        self.0.reset();
    }
    fn pc(&self) -> u16 {
        self.0.core(0).pc()
    }
    fn receive(&mut self, byte: u8) -> bool {
        self.0.receive(byte)
    }
    fn set_tx_busy_cycles(&mut self, cycles: u64) -> bool {
        self.0.set_tx_busy_cycles(cycles);
        true
    }
    fn tx_dropped(&self) -> u64 {
        self.0.tx_dropped()
    }
}

/// The Verilated RTL, of one core or several.
pub struct RtlBoard(pub j1k_rtl::Rtl);

/// Cycles the RTL runs in one call into the model at most.
const RTL_BATCH: u64 = 1024;

impl BoardModel for RtlBoard {
    fn run_until(&mut self, cycles: u64, uart: &mut dyn Uart) -> bool {
        while self.0.cycles() < cycles {
            // The cycles that need nothing from the line run in the model's own loop;
            // the one that does (a byte, a look at RX, a halt) runs through `step_all`.
            let left = (cycles - self.0.cycles()).min(RTL_BATCH);
            if self.0.run_until_event(left, None).event && self.0.step_all(uart).halting {
                return true;
            }
        }
        false
    }
    fn press_reset(&mut self) {
        self.0.reset();
    }
    fn pc(&self) -> u16 {
        self.0.observe().pc
    }
    fn receive(&mut self, byte: u8) -> bool {
        self.0.receive(byte)
    }
    fn set_tx_busy_cycles(&mut self, _cycles: u64) -> bool {
        // hdl/src/sim_top.rs ties TX ready high: the busy time would need a port there.
        false
    }
    fn tx_dropped(&self) -> u64 {
        0
    }
}

/// UART 0 as the program sees it on the live line: bytes whose time has come (unpaced line
/// only: a paced one puts them into the model's receive register), and what the program
/// sent, with the cycle (since reset) it was sent in.
#[derive(Default)]
struct LineUart {
    ready: VecDeque<u8>,
    sent: Vec<(u64, u8)>,
}

impl Uart for LineUart {
    fn rx(&mut self) -> Option<u8> {
        self.ready.pop_front()
    }
    fn tx(&mut self, byte: u8) {
        // Only reached by a model that does not give the cycle: 0 is clamped to the start of
        // the slice the byte was sent in.
        self.sent.push((0, byte));
    }
    fn tx_at(&mut self, byte: u8, cycle: u64) {
        self.sent.push((cycle, byte));
    }
    fn live(&self) -> bool {
        true
    }
}

/// Bytes on one direction of the line, each with the board cycle it arrives at.
#[derive(Default)]
struct Wire {
    queue: VecDeque<(u64, u8)>,
    /// When the last byte queued arrives.
    last: u64,
}

impl Wire {
    /// Queues bytes entering at `now`; with pacing, each takes `per_byte` cycles after the
    /// one before it.
    fn push(&mut self, now: u64, bytes: &[u8], per_byte: u64) {
        for &b in bytes {
            let at = if per_byte == 0 {
                now
            } else {
                now.max(self.last) + per_byte
            };
            self.last = at;
            self.queue.push_back((at, b));
        }
    }
    /// Bytes that have arrived by `now`.
    fn take_due(&mut self, now: u64, out: &mut Vec<u8>) {
        while let Some(&(at, b)) = self.queue.front() {
            if at > now {
                break;
            }
            out.push(b);
            self.queue.pop_front();
        }
    }
    fn next_due(&self) -> Option<u64> {
        self.queue.front().map(|&(at, _)| at)
    }
}

fn pty_err(what: &str, e: impl std::fmt::Display) -> CliError {
    CliError::Sim(format!("pseudo-terminal: {what}: {e}"))
}

/// A host holds the terminal open (the master sees no hang-up).
fn host_present(master: &OwnedFd, wait: Duration) -> Result<bool, CliError> {
    let mut fds = [PollFd::new(master.as_fd(), PollFlags::POLLIN)];
    let ms = wait.as_millis().min(u16::MAX as u128) as u16;
    poll(&mut fds, PollTimeout::from(ms)).map_err(|e| pty_err("poll", e))?;
    let ev = fds[0].revents().unwrap_or(PollFlags::empty());
    Ok(!ev.contains(PollFlags::POLLHUP))
}

enum Read {
    Bytes(usize),
    HostGone,
}

fn read_master(master: &OwnedFd, buf: &mut [u8]) -> Result<Read, CliError> {
    match nix::unistd::read(master.as_raw_fd(), buf) {
        Ok(n) => Ok(Read::Bytes(n)),
        Err(nix::errno::Errno::EAGAIN) => Ok(Read::Bytes(0)),
        Err(nix::errno::Errno::EIO) => Ok(Read::HostGone),
        Err(e) => Err(pty_err("read", e)),
    }
}

fn write_master(master: &OwnedFd, mut bytes: &[u8]) -> Result<(), CliError> {
    while !bytes.is_empty() {
        match nix::unistd::write(master, bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EAGAIN) => std::thread::sleep(Duration::from_micros(200)),
            // The host went away: what it did not read is lost, as on a real line.
            Err(nix::errno::Errno::EIO) => return Ok(()),
            Err(e) => return Err(pty_err("write", e)),
        }
    }
    Ok(())
}

/// Discards what the board wrote after the host closed the port. The kernel keeps bytes written
/// to the master while no one holds the terminal and hands them to the next opener, which would
/// see a stale byte of the last session before the reset's output; a flush on the master does
/// not reach them, a flush of the terminal's input does.
fn drop_stale_output(path: &str) -> Result<(), CliError> {
    use nix::fcntl::{open, OFlag};
    use nix::sys::{stat::Mode, termios};
    let fd = open(
        path,
        OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_NONBLOCK,
        Mode::empty(),
    )
    .map_err(|e| pty_err("open to flush", e))?;
    // SAFETY: `open` just returned this descriptor and nothing else owns it.
    let fd = unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    termios::tcflush(&fd, termios::FlushArg::TCIFLUSH).map_err(|e| pty_err("flush", e))?;
    Ok(())
}

/// What one session (a host's open .. close) did, for the report on stderr.
struct Session {
    received: u64,
    overruns: u64,
    /// Board cycles run, and the wall time they took (a model slower than the clock lags).
    cycles: u64,
    began: Instant,
    clock_hz: u64,
}

/// Opens a pseudo-terminal, prints its path on the first line of stdout, and runs the board
/// until killed or `max_cycles`. Returns the board cycles run and core 0's pc when
/// `max_cycles` ends it.
pub fn serve(model: &mut dyn BoardModel, opts: &PtyOptions) -> Result<(u64, u16), CliError> {
    // Raw, so the bytes pass unchanged whatever the host sets up.
    let (master, path, slave) = j1k_loader::link::open_raw_pty().map_err(|e| pty_err("open", e))?;
    nix::fcntl::fcntl(
        master.as_raw_fd(),
        nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
    )
    .map_err(|e| pty_err("fcntl", e))?;
    // Our own slave descriptor would look like a host: close it, so the master sees a
    // hang-up until somebody opens the path.
    drop(slave);
    {
        let mut out = std::io::stdout();
        let _ = writeln!(out, "{path}");
        let _ = out.flush();
    }

    let clock = opts.clock_hz.max(1);
    let per_byte = opts
        .baud
        .map_or(0, |b| (clock * 10).div_ceil(b.max(1) as u64));
    let paced = per_byte > 0;
    let tx_busy = paced && model.set_tx_busy_cycles(per_byte);
    eprintln!(
        "simulated board on {path}: clock {} Hz, {}; it powers on when a host opens the port",
        opts.clock_hz,
        match opts.baud {
            Some(b) if tx_busy => format!(
                "line paced at {b} baud, the hardware UART ({per_byte} cycles a byte; one-byte receive register, TX busy while sending)"
            ),
            Some(b) => format!(
                "line paced at {b} baud ({per_byte} cycles a byte; one-byte receive register; TX always ready in this model)"
            ),
            None => "line not paced".to_string(),
        }
    );
    // 25 µs of board time between looks at the line: a host's frame waits at most that long
    // (plus the sleep below) to be seen.
    let slice = (clock / 40_000).max(64);
    let mut uart = LineUart::default();
    let mut to_board = Wire::default();
    let mut to_host = Wire::default();
    let mut due = Vec::new();
    let mut buf = [0u8; 4096];
    let mut now: u64 = 0; // board cycles since power-on
    let mut sessions = 0u32;
    loop {
        // Powered off (no host): wait for one.
        while !host_present(&master, Duration::from_millis(50))? {
            // poll() reports a hang-up at once: wait here instead, briefly (power-on
            // latency counts in the loader's timings).
            std::thread::sleep(Duration::from_micros(200));
        }
        if sessions > 0 {
            model.press_reset();
        }
        sessions += 1;
        let mut since_reset: u64 = 0;
        let mut halted = false;
        let mut session = Session {
            received: 0,
            overruns: 0,
            cycles: 0,
            began: Instant::now(),
            clock_hz: clock,
        };
        let (t0, c0) = (Instant::now(), now);
        let dropped0 = model.tx_dropped();
        loop {
            if let Some(max) = opts.max_cycles {
                if now >= max {
                    report(
                        sessions,
                        &session,
                        model.tx_dropped().saturating_sub(dropped0),
                        paced,
                    );
                    return Ok((now, model.pc()));
                }
            }
            // Bytes from the host enter the line now.
            let gone = loop {
                match read_master(&master, &mut buf)? {
                    Read::Bytes(0) => break false,
                    Read::Bytes(n) => to_board.push(now, &buf[..n], per_byte),
                    Read::HostGone => break true,
                }
            };
            if gone {
                break;
            }
            due.clear();
            to_board.take_due(now, &mut due);
            session.received += due.len() as u64;
            if paced {
                // The receive register, as the hardware's: the newest byte wins.
                for &b in &due {
                    session.overruns += model.receive(b) as u64;
                }
            } else {
                uart.ready.extend(due.iter());
            }
            // Run to the next byte's arrival (either way) or the end of the slice.
            let mut end = now + slice;
            for at in [to_board.next_due(), to_host.next_due()]
                .into_iter()
                .flatten()
            {
                end = end.min(at.max(now + 1));
            }
            if let Some(max) = opts.max_cycles {
                end = end.min(max);
            }
            let start = now;
            since_reset += end - now;
            session.cycles = since_reset;
            if !halted {
                halted = model.run_until(since_reset, &mut uart);
            }
            now = end;
            // The program's output enters the line in the cycle it was sent (the board's
            // cycles since reset start at power-on time `now - since_reset`).
            for &(cycle, b) in &uart.sent {
                let at = (now - since_reset + cycle).max(start);
                to_host.push(at, &[b], per_byte);
            }
            uart.sent.clear();
            due.clear();
            to_host.take_due(now, &mut due);
            write_master(&master, &due)?;
            // Never faster than the board clock.
            let wall = Duration::from_secs_f64((now - c0) as f64 / clock as f64);
            let ahead = wall.saturating_sub(t0.elapsed());
            if ahead > Duration::from_micros(50) {
                std::thread::sleep(ahead);
            }
        }
        // The host closed the port: the clock stops, the line is cleared.
        report(
            sessions,
            &session,
            model.tx_dropped().saturating_sub(dropped0),
            paced,
        );
        to_board = Wire::default();
        to_host = Wire::default();
        uart = LineUart::default();
        drop_stale_output(&path)?;
    }
}

/// On stderr: what the receiver went through in a session (a paced line only: an unpaced
/// one queues every byte).
fn report(n: u32, s: &Session, tx_dropped: u64, paced: bool) {
    if !paced {
        return;
    }
    eprintln!(
        "session {n}: {} bytes received, {} RX overruns (a byte arrived before the program read the one before: lost), {tx_dropped} TX bytes dropped (written while TX was busy); {} board cycles = {:.1} ms of board time in {:.1} ms of wall time",
        s.received,
        s.overruns,
        s.cycles,
        s.cycles as f64 * 1e3 / s.clock_hz as f64,
        s.began.elapsed().as_secs_f64() * 1e3
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes the board writes after its host left reach nobody: not the next host.
    #[test]
    fn the_next_host_gets_no_byte_of_the_last_session() {
        let (master, path, slave) = j1k_loader::link::open_raw_pty().unwrap();
        drop(slave);
        // A host opens the port and sees a byte within 200 ms (then leaves).
        let next_host_sees_a_byte = || {
            let host = std::fs::File::options()
                .read(true)
                .write(true)
                .open(&path)
                .unwrap();
            let mut fds = [PollFd::new(host.as_fd(), PollFlags::POLLIN)];
            poll(&mut fds, PollTimeout::from(200u16)).unwrap();
            fds[0].revents().unwrap().contains(PollFlags::POLLIN)
        };
        assert!(!next_host_sees_a_byte());
        // The kernel's behaviour this guards against: a byte written with no host open waits
        // for the next one.
        write_master(&master, b"X").unwrap();
        assert!(next_host_sees_a_byte());
        // What the board does when its host leaves:
        write_master(&master, b"X").unwrap();
        drop_stale_output(&path).unwrap();
        assert!(!next_host_sees_a_byte());
    }

    #[test]
    fn a_paced_wire_spaces_bytes_by_the_bit_time() {
        let mut w = Wire::default();
        w.push(100, b"abc", 180);
        assert_eq!(w.next_due(), Some(280));
        let mut out = Vec::new();
        w.take_due(459, &mut out);
        assert_eq!(out, b"a");
        w.take_due(640, &mut out);
        assert_eq!(out, b"abc");
        // A byte entering after the line went idle starts from its own time.
        w.push(10_000, b"d", 180);
        assert_eq!(w.next_due(), Some(10_180));
    }

    #[test]
    fn an_unpaced_wire_passes_bytes_at_once() {
        let mut w = Wire::default();
        w.push(7, b"xy", 0);
        let mut out = Vec::new();
        w.take_due(7, &mut out);
        assert_eq!(out, b"xy");
    }
}
