//! A terminal on a port: stdin → port, port → stdout, in raw mode when stdin is a terminal.
//! Ctrl-C or Ctrl-] leaves, and the terminal is restored (also on error or panic: a guard).

use crate::error::LoaderError;
use crate::link::{wait_readable, Link};
use nix::sys::termios::{self, LocalFlags, OutputFlags, SetArg, Termios};
use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

/// Ctrl-C.
pub const CTRL_C: u8 = 0x03;
/// Ctrl-] (telnet's and picocom's escape).
pub const CTRL_RBRACKET: u8 = 0x1d;

/// Puts a terminal in raw mode (keeping output post-processing, so the board's "\n" still
/// starts a line) and restores it when dropped.
pub struct RawMode {
    saved: Termios,
}

impl RawMode {
    /// Raw mode on stdin, or `None` when stdin is not a terminal.
    pub fn stdin() -> io::Result<Option<RawMode>> {
        let stdin = io::stdin();
        if !stdin.is_terminal() {
            return Ok(None);
        }
        let saved = termios::tcgetattr(stdin.as_fd())?;
        let mut raw = saved.clone();
        termios::cfmakeraw(&mut raw);
        raw.output_flags |= OutputFlags::OPOST | OutputFlags::ONLCR;
        raw.local_flags &= !LocalFlags::ISIG;
        termios::tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &raw)?;
        Ok(Some(RawMode { saved }))
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(io::stdin().as_fd(), SetArg::TCSANOW, &self.saved);
    }
}

/// How a monitor session behaves.
#[derive(Clone, Debug)]
pub struct MonitorOptions {
    /// Bytes typed that end the session (not sent).
    pub escapes: Vec<u8>,
    /// Once stdin is at its end (a pipe or file), leave when the port has been quiet this long.
    /// `None`: keep showing the port's output until killed.
    pub quiet_exit: Option<Duration>,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            escapes: vec![CTRL_C, CTRL_RBRACKET],
            quiet_exit: Some(Duration::from_secs(1)),
        }
    }
}

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorEnd {
    /// An escape byte was typed.
    Escape,
    /// Input ended and the port went quiet.
    Quiet,
}

/// Runs a session between the process's stdin/stdout and `link`.
pub fn monitor(link: &mut dyn Link, opts: &MonitorOptions) -> Result<MonitorEnd, LoaderError> {
    let _raw = RawMode::stdin().map_err(|e| LoaderError::Io {
        port: "stdin".into(),
        source: e,
    })?;
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut out = io::stdout();
    monitor_with(link, &mut StdinSource(&mut input), &mut out, opts)
}

/// A non-blocking source of typed bytes.
pub trait Source {
    /// Bytes available within `timeout`; `None` at the end of input.
    fn poll(&mut self, timeout: Duration) -> io::Result<Option<Vec<u8>>>;
}

struct StdinSource<'a>(&'a mut io::StdinLock<'static>);

impl Source for StdinSource<'_> {
    fn poll(&mut self, timeout: Duration) -> io::Result<Option<Vec<u8>>> {
        if !wait_readable(io::stdin().as_fd(), timeout)? {
            return Ok(Some(Vec::new()));
        }
        let mut buf = [0u8; 256];
        let n = self.0.read(&mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(buf[..n].to_vec()))
    }
}

/// A scripted source: these bytes, then the end of input.
pub struct BytesSource(pub Option<Vec<u8>>);

impl Source for BytesSource {
    fn poll(&mut self, timeout: Duration) -> io::Result<Option<Vec<u8>>> {
        match self.0.take() {
            Some(v) => Ok(Some(v)),
            None => {
                std::thread::sleep(timeout.min(Duration::from_millis(1)));
                Ok(None)
            }
        }
    }
}

/// The session loop over any source and sink (tests use this directly).
pub fn monitor_with(
    link: &mut dyn Link,
    input: &mut dyn Source,
    out: &mut dyn Write,
    opts: &MonitorOptions,
) -> Result<MonitorEnd, LoaderError> {
    let port = link.name();
    let io_err = |e| LoaderError::Io {
        port: port.clone(),
        source: e,
    };
    let mut input_open = true;
    let mut last_rx = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        if input_open {
            match input.poll(Duration::from_millis(5)).map_err(io_err)? {
                None => {
                    input_open = false;
                    last_rx = Instant::now();
                }
                Some(bytes) => {
                    if let Some(i) = bytes.iter().position(|b| opts.escapes.contains(b)) {
                        if i > 0 {
                            link.send(&bytes[..i]).map_err(io_err)?;
                        }
                        return Ok(MonitorEnd::Escape);
                    }
                    if !bytes.is_empty() {
                        link.send(&bytes).map_err(io_err)?;
                    }
                }
            }
        }
        let n = link
            .recv(
                &mut buf,
                Duration::from_millis(if input_open { 5 } else { 20 }),
            )
            .map_err(io_err)?;
        if n > 0 {
            out.write_all(&buf[..n]).map_err(io_err)?;
            out.flush().map_err(io_err)?;
            last_rx = Instant::now();
        } else if !input_open {
            match opts.quiet_exit {
                Some(q) if last_rx.elapsed() >= q => return Ok(MonitorEnd::Quiet),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::mem_pair;

    #[test]
    fn forwards_both_ways_and_leaves_on_quiet() {
        let (mut host, mut board) = mem_pair();
        board.send(b"Hello, world!\n").unwrap();
        let mut out = Vec::new();
        let opts = MonitorOptions {
            quiet_exit: Some(Duration::from_millis(100)),
            ..Default::default()
        };
        let end = monitor_with(
            &mut host,
            &mut BytesSource(Some(b"abc".to_vec())),
            &mut out,
            &opts,
        )
        .unwrap();
        assert_eq!(end, MonitorEnd::Quiet);
        assert_eq!(out, b"Hello, world!\n");
        let mut buf = [0u8; 8];
        let n = board.recv(&mut buf, Duration::from_millis(100)).unwrap();
        assert_eq!(&buf[..n], b"abc");
    }

    #[test]
    fn ctrl_c_and_ctrl_rbracket_leave_without_being_sent() {
        for esc in [CTRL_C, CTRL_RBRACKET] {
            let (mut host, mut board) = mem_pair();
            let mut out = Vec::new();
            let end = monitor_with(
                &mut host,
                &mut BytesSource(Some(vec![b'x', esc, b'y'])),
                &mut out,
                &MonitorOptions::default(),
            )
            .unwrap();
            assert_eq!(end, MonitorEnd::Escape);
            let mut buf = [0u8; 8];
            let n = board.recv(&mut buf, Duration::from_millis(100)).unwrap();
            assert_eq!(&buf[..n], b"x");
        }
    }
}
