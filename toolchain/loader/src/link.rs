//! [`Link`]: a byte stream with timeouts, the one thing the protocol client talks through.
//!
//! Three kinds: [`SerialLink`] (a serial port or a pty slave opened with `serialport`),
//! [`FdLink`] (any file descriptor, e.g. a pty master or a pipe, with `poll`), and
//! [`MemLink`] (an in-memory pair for tests, see [`mem_pair`]).

use crate::error::LoaderError;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// A bidirectional byte stream with read timeouts.
pub trait Link: Send {
    /// Sends every byte of `data`.
    fn send(&mut self, data: &[u8]) -> io::Result<()>;
    /// Reads what has arrived, waiting at most `timeout` for the first byte.
    /// Returns 0 when nothing arrived in time (not an error).
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// Drops whatever has arrived and not been read.
    fn discard_input(&mut self) -> io::Result<()> {
        let mut buf = [0u8; 256];
        while self.recv(&mut buf, Duration::ZERO)? > 0 {}
        Ok(())
    }
    /// A name for messages (the port's path).
    fn name(&self) -> String;
}

impl<L: Link + ?Sized> Link for Box<L> {
    fn send(&mut self, data: &[u8]) -> io::Result<()> {
        (**self).send(data)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        (**self).recv(buf, timeout)
    }
    fn discard_input(&mut self) -> io::Result<()> {
        (**self).discard_input()
    }
    fn name(&self) -> String {
        (**self).name()
    }
}

/// A serial port (a USB UART, or the slave side of a pseudo-terminal), 8N1, no flow control.
pub struct SerialLink {
    port: serialport::TTYPort,
    path: String,
}

impl SerialLink {
    /// Opens `path` at `baud` (exclusively: a second opener gets "port busy").
    pub fn open(path: &str, baud: u32) -> Result<SerialLink, LoaderError> {
        if !std::path::Path::new(path).exists() {
            return Err(LoaderError::NoSuchPort {
                port: path.to_string(),
            });
        }
        let port = serialport::new(path, baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(Duration::from_millis(100))
            .open_native()
            .map_err(|e| open_error(path, e))?;
        Ok(SerialLink {
            port,
            path: path.to_string(),
        })
    }

    /// The underlying port (to change the baud rate, say).
    pub fn port_mut(&mut self) -> &mut serialport::TTYPort {
        &mut self.port
    }
}

fn open_error(path: &str, e: serialport::Error) -> LoaderError {
    use serialport::ErrorKind as K;
    let port = path.to_string();
    match e.kind() {
        K::NoDevice => LoaderError::PortBusy { port },
        K::Io(io::ErrorKind::PermissionDenied) => LoaderError::PermissionDenied { port },
        K::Io(io::ErrorKind::NotFound) => LoaderError::NoSuchPort { port },
        K::Io(io::ErrorKind::WouldBlock) => LoaderError::PortBusy { port },
        _ if e.description.contains("ENOTTY")
            || e.description
                .to_ascii_lowercase()
                .contains("not a typewriter")
            || e.description
                .to_ascii_lowercase()
                .contains("inappropriate ioctl") =>
        {
            LoaderError::NotASerialPort { port }
        }
        _ if e.description.contains("lock") || e.description.contains("EWOULDBLOCK") => {
            LoaderError::PortBusy { port }
        }
        _ => LoaderError::PortOpen {
            port,
            message: e.description,
        },
    }
}

impl Link for SerialLink {
    fn send(&mut self, data: &[u8]) -> io::Result<()> {
        self.port.write_all(data)?;
        self.port.flush()
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        use serialport::SerialPort;
        // serialport treats a zero timeout as "poll once".
        self.port
            .set_timeout(timeout.max(Duration::from_millis(1)))
            .map_err(io::Error::other)?;
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn discard_input(&mut self) -> io::Result<()> {
        use serialport::SerialPort;
        self.port
            .clear(serialport::ClearBuffer::Input)
            .map_err(io::Error::other)?;
        let mut buf = [0u8; 256];
        while self.recv(&mut buf, Duration::ZERO)? > 0 {}
        Ok(())
    }

    fn name(&self) -> String {
        self.path.clone()
    }
}

/// Any file descriptor that `poll` works on: a pty master, a pipe, a socket.
pub struct FdLink {
    read: std::fs::File,
    write: std::fs::File,
    name: String,
}

impl FdLink {
    /// One descriptor for both directions (a pty master, a socket).
    pub fn new(fd: OwnedFd, name: impl Into<String>) -> io::Result<FdLink> {
        let write = fd.try_clone()?;
        Ok(FdLink {
            read: fd.into(),
            write: write.into(),
            name: name.into(),
        })
    }

    /// Separate descriptors for reading and writing (two pipes).
    pub fn pair(read: OwnedFd, write: OwnedFd, name: impl Into<String>) -> FdLink {
        FdLink {
            read: read.into(),
            write: write.into(),
            name: name.into(),
        }
    }
}

/// Waits until `fd` is readable or `timeout` passes. True when readable (or hung up).
pub fn wait_readable(fd: impl AsFd, timeout: Duration) -> io::Result<bool> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
    loop {
        match poll(
            &mut fds,
            PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(0) => return Ok(false),
            Ok(_) => return Ok(true),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

impl Link for FdLink {
    fn send(&mut self, data: &[u8]) -> io::Result<()> {
        self.write.write_all(data)?;
        self.write.flush()
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        if !wait_readable(&self.read, timeout)? {
            return Ok(0);
        }
        match self.read.read(buf) {
            Ok(n) => Ok(n),
            // A pty master whose slave is closed reads EIO: treat as "nothing".
            Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => {
                std::thread::sleep(timeout.min(Duration::from_millis(10)));
                Ok(0)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

/// One end of an in-memory link (see [`mem_pair`]).
pub struct MemLink {
    tx: Sender<Vec<u8>>,
    rx: Receiver<Vec<u8>>,
    pending: VecDeque<u8>,
    name: String,
}

/// Two connected in-memory ends: what one sends the other receives.
pub fn mem_pair() -> (MemLink, MemLink) {
    let (atx, brx) = mpsc::channel();
    let (btx, arx) = mpsc::channel();
    (
        MemLink {
            tx: atx,
            rx: arx,
            pending: VecDeque::new(),
            name: "mem:host".into(),
        },
        MemLink {
            tx: btx,
            rx: brx,
            pending: VecDeque::new(),
            name: "mem:board".into(),
        },
    )
}

impl Link for MemLink {
    fn send(&mut self, data: &[u8]) -> io::Result<()> {
        self.tx
            .send(data.to_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the other end is gone"))
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        if self.pending.is_empty() {
            match self.rx.recv_timeout(timeout) {
                Ok(v) => self.pending.extend(v),
                Err(RecvTimeoutError::Timeout) => return Ok(0),
                // The other end is gone: nothing will ever arrive; behave like silence.
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(timeout.min(Duration::from_millis(10)));
                    return Ok(0);
                }
            }
        }
        while let Ok(v) = self.rx.try_recv() {
            self.pending.extend(v);
        }
        let n = buf.len().min(self.pending.len());
        for (i, b) in self.pending.drain(..n).enumerate() {
            buf[i] = b;
        }
        Ok(n)
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

/// A fresh pseudo-terminal: its master as a link, the slave's path, and the slave descriptor
/// (keep it open until the other side has opened the path, so the pty stays alive). Raw mode
/// on the slave, so bytes pass unchanged. For tests, the fault proxy, and simulated boards.
pub fn open_pty() -> io::Result<(FdLink, String, OwnedFd)> {
    let (master, path, slave) = open_raw_pty()?;
    let master = FdLink::new(master, format!("pty master of {path}"))?;
    Ok((master, path, slave))
}

/// A fresh pseudo-terminal in raw mode: (master, the slave's path, slave), descriptors only
/// (the simulated board polls and reads its master itself).
pub fn open_raw_pty() -> io::Result<(OwnedFd, String, OwnedFd)> {
    use nix::sys::termios;
    let pty = nix::pty::openpty(None, None)?;
    let path = nix::unistd::ttyname(&pty.slave)?.display().to_string();
    let mut t = termios::tcgetattr(&pty.slave)?;
    termios::cfmakeraw(&mut t);
    termios::tcsetattr(&pty.slave, termios::SetArg::TCSANOW, &t)?;
    Ok((pty.master, path, pty.slave))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_pair_carries_bytes_both_ways_and_times_out() {
        let (mut a, mut b) = mem_pair();
        a.send(b"abc").unwrap();
        a.send(b"de").unwrap();
        let mut buf = [0u8; 8];
        let n = b.recv(&mut buf, Duration::from_millis(100)).unwrap();
        assert_eq!(&buf[..n], b"abcde");
        assert_eq!(b.recv(&mut buf, Duration::from_millis(5)).unwrap(), 0);
        b.send(b"x").unwrap();
        assert_eq!(a.recv(&mut buf, Duration::from_millis(100)).unwrap(), 1);
        assert_eq!(buf[0], b'x');
    }

    #[test]
    fn fd_link_over_pipes() {
        let (r1, w1) = nix::unistd::pipe().unwrap();
        let (r2, w2) = nix::unistd::pipe().unwrap();
        let mut a = FdLink::pair(r1, w2, "a");
        let mut b = FdLink::pair(r2, w1, "b");
        a.send(b"ping").unwrap();
        let mut buf = [0u8; 8];
        let n = b.recv(&mut buf, Duration::from_millis(500)).unwrap();
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(a.recv(&mut buf, Duration::from_millis(5)).unwrap(), 0);
    }

    #[test]
    fn opening_a_missing_port_says_so() {
        match SerialLink::open("/dev/j1k-no-such-port", 115200) {
            Err(LoaderError::NoSuchPort { .. }) => {}
            Err(e) => panic!("wrong error: {e}"),
            Ok(_) => panic!("opened a missing port"),
        }
    }

    #[test]
    fn opening_dev_null_is_not_a_serial_port() {
        match SerialLink::open("/dev/null", 115200) {
            Err(LoaderError::NotASerialPort { .. }) | Err(LoaderError::PortOpen { .. }) => {}
            Err(e) => panic!("wrong error: {e}"),
            Ok(_) => panic!("opened /dev/null as a serial port"),
        }
    }
}
