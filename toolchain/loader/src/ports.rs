//! Serial ports: listing them with their USB identity, and finding the board's UART.
//!
//! ## How the board's port is chosen
//! 1. `--port P` wins; then the environment variable `J1K_PORT` ([`PORT_ENV`]).
//! 2. Otherwise every serial port whose USB vid:pid matches a board file (`[usb]` in
//!    `boards/NAME.toml`; all three boards are FTDI FT2232H-style 0403:6010) is a candidate.
//! 3. An FT2232H has two interfaces: A (0, the SPI flash that iceprog uses) and B (1, the
//!    UART). The interface number comes from, in order: serialport's USB info (read from
//!    sysfs, `bInterfaceNumber`); the sysfs path of the tty (`/sys/class/tty/ttyUSBn/device`
//!    is the interface directory `…:1.N`); the `/dev/serial/by-id/…-ifNN-port0` link. A
//!    candidate whose interface is known and is not the board file's `uart_interface` is
//!    dropped. (When iceprog holds interface A, only ttyUSB for B exists at all.)
//! 4. Exactly one candidate left: that is the port. None: [`LoaderError::NoBoardFound`].
//!    Several (two boards plugged in): [`LoaderError::AmbiguousPort`], listing them.

use crate::error::LoaderError;
use std::path::Path;

/// The environment variable that names the port when `--port` is not given.
pub const PORT_ENV: &str = "J1K_PORT";

/// The USB side of a port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UsbInfo {
    pub vid: u16,
    pub pid: u16,
    pub serial: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    /// The USB interface number (FT2232H: 0 = A, 1 = B).
    pub interface: Option<u8>,
}

/// A serial port as the system lists it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortInfo {
    /// `/dev/ttyUSB1`, …
    pub path: String,
    pub usb: Option<UsbInfo>,
    /// Its `/dev/serial/by-id/` link, when there is one.
    pub by_id: Option<String>,
}

/// A board's USB identity, as its board file gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardUsb {
    pub board: String,
    pub vid: u16,
    pub pid: u16,
    pub uart_interface: u8,
}

impl PortInfo {
    /// The boards whose vid:pid (and interface, when known) match this port.
    pub fn matching_boards<'a>(&self, boards: &'a [BoardUsb]) -> Vec<&'a BoardUsb> {
        let Some(usb) = &self.usb else {
            return Vec::new();
        };
        boards
            .iter()
            .filter(|b| b.vid == usb.vid && b.pid == usb.pid)
            .filter(|b| usb.interface.is_none_or(|i| i == b.uart_interface))
            .collect()
    }
}

/// Every serial port of the system, with USB details where there are some.
pub fn list_ports() -> Vec<PortInfo> {
    let mut out: Vec<PortInfo> = serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let usb = match p.port_type {
                serialport::SerialPortType::UsbPort(u) => Some(UsbInfo {
                    vid: u.vid,
                    pid: u.pid,
                    serial: u.serial_number,
                    manufacturer: u.manufacturer,
                    product: u.product,
                    interface: u.interface,
                }),
                _ => None,
            };
            PortInfo {
                path: p.port_name,
                usb,
                by_id: None,
            }
        })
        .collect();
    let by_id = by_id_links(Path::new("/dev/serial/by-id"));
    for p in &mut out {
        if let Some(usb) = &mut p.usb {
            if usb.interface.is_none() {
                usb.interface = sysfs_interface(&p.path);
            }
        }
        p.by_id = by_id
            .iter()
            .find(|(_, target)| *target == p.path)
            .map(|(link, _)| link.clone());
        if let (Some(usb), Some(link)) = (&mut p.usb, &p.by_id) {
            if usb.interface.is_none() {
                usb.interface = interface_from_by_id(link);
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// (link, resolved target) for every entry of a by-id folder.
fn by_id_links(dir: &Path) -> Vec<(String, String)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| {
            let link = e.path();
            let target = std::fs::canonicalize(&link).ok()?;
            Some((link.display().to_string(), target.display().to_string()))
        })
        .collect()
}

/// `/sys/class/tty/ttyUSB1/device` links to the USB interface folder `…/1-2:1.1`; the
/// number after the dot is the interface (also in its `bInterfaceNumber` file).
fn sysfs_interface(dev_path: &str) -> Option<u8> {
    let name = Path::new(dev_path).file_name()?.to_str()?;
    let dev = std::fs::canonicalize(format!("/sys/class/tty/{name}/device")).ok()?;
    // For ttyUSB the device is the usb-serial port; its parent is the interface.
    for dir in [dev.clone(), dev.parent()?.to_path_buf()] {
        if let Ok(s) = std::fs::read_to_string(dir.join("bInterfaceNumber")) {
            if let Ok(n) = u8::from_str_radix(s.trim(), 16) {
                return Some(n);
            }
        }
    }
    None
}

/// `usb-FTDI_Dual_RS232-HS-if01-port0` → 1.
pub fn interface_from_by_id(link: &str) -> Option<u8> {
    let name = link.rsplit('/').next()?;
    let pos = name.rfind("-if")?;
    let digits: String = name[pos + 3..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    u8::from_str_radix(&digits, 16).ok()
}

/// Where the port came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSource {
    /// `--port`
    Argument,
    /// [`PORT_ENV`]
    Environment,
    /// Auto-detected: the port and the board file(s) it matched.
    Detected { boards: Vec<String> },
}

/// The port to use: `explicit` (from `--port`), then `env` (the value of [`PORT_ENV`]), then
/// the one board UART among `ports` (see the module docs).
pub fn choose_port(
    explicit: Option<&str>,
    env: Option<&str>,
    ports: &[PortInfo],
    boards: &[BoardUsb],
) -> Result<(String, PortSource), LoaderError> {
    if let Some(p) = explicit {
        return Ok((p.to_string(), PortSource::Argument));
    }
    if let Some(p) = env.filter(|p| !p.is_empty()) {
        return Ok((p.to_string(), PortSource::Environment));
    }
    let candidates: Vec<(&PortInfo, Vec<&BoardUsb>)> = ports
        .iter()
        .map(|p| (p, p.matching_boards(boards)))
        .filter(|(_, b)| !b.is_empty())
        .collect();
    match candidates.len() {
        0 => Err(LoaderError::NoBoardFound {
            seen: if ports.is_empty() {
                "no serial ports at all".into()
            } else {
                ports.iter().map(describe).collect::<Vec<_>>().join(", ")
            },
        }),
        1 => {
            let (p, b) = &candidates[0];
            Ok((
                p.path.clone(),
                PortSource::Detected {
                    boards: b.iter().map(|b| b.board.clone()).collect(),
                },
            ))
        }
        _ => Err(LoaderError::AmbiguousPort {
            candidates: candidates
                .iter()
                .map(|(p, _)| describe(p))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// `/dev/ttyUSB1 (0403:6010 if 1 serial FT123)`.
pub fn describe(p: &PortInfo) -> String {
    match &p.usb {
        None => p.path.clone(),
        Some(u) => {
            let mut s = format!("{} ({:04x}:{:04x}", p.path, u.vid, u.pid);
            if let Some(i) = u.interface {
                s.push_str(&format!(" if {i}"));
            }
            if let Some(sn) = &u.serial {
                s.push_str(&format!(" serial {sn}"));
            }
            s.push(')');
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boards() -> Vec<BoardUsb> {
        ["icebreaker", "hx8k-breakout", "icestick"]
            .iter()
            .map(|n| BoardUsb {
                board: n.to_string(),
                vid: 0x0403,
                pid: 0x6010,
                uart_interface: 1,
            })
            .collect()
    }

    fn ftdi(path: &str, interface: Option<u8>, serial: &str) -> PortInfo {
        PortInfo {
            path: path.into(),
            usb: Some(UsbInfo {
                vid: 0x0403,
                pid: 0x6010,
                serial: Some(serial.into()),
                interface,
                ..Default::default()
            }),
            by_id: None,
        }
    }

    #[test]
    fn explicit_then_environment_then_detection() {
        let ports = vec![ftdi("/dev/ttyUSB1", Some(1), "A")];
        let b = boards();
        assert_eq!(
            choose_port(Some("/dev/x"), Some("/dev/y"), &ports, &b).unwrap(),
            ("/dev/x".into(), PortSource::Argument)
        );
        assert_eq!(
            choose_port(None, Some("/dev/y"), &ports, &b).unwrap(),
            ("/dev/y".into(), PortSource::Environment)
        );
        let (p, src) = choose_port(None, Some(""), &ports, &b).unwrap();
        assert_eq!(p, "/dev/ttyUSB1");
        assert!(matches!(src, PortSource::Detected { boards } if boards.len() == 3));
    }

    #[test]
    fn picks_interface_b_of_an_ft2232h() {
        let ports = vec![
            PortInfo {
                path: "/dev/ttyS0".into(),
                ..Default::default()
            },
            ftdi("/dev/ttyUSB0", Some(0), "A"),
            ftdi("/dev/ttyUSB1", Some(1), "A"),
        ];
        let (p, _) = choose_port(None, None, &ports, &boards()).unwrap();
        assert_eq!(p, "/dev/ttyUSB1");
    }

    #[test]
    fn unknown_interface_with_one_port_is_taken() {
        // iceprog's libftdi holds interface A: only B's tty exists, interface unknown.
        let ports = vec![ftdi("/dev/ttyUSB0", None, "A")];
        assert_eq!(
            choose_port(None, None, &ports, &boards()).unwrap().0,
            "/dev/ttyUSB0"
        );
    }

    #[test]
    fn two_boards_are_ambiguous_and_none_is_not_found() {
        let ports = vec![
            ftdi("/dev/ttyUSB1", Some(1), "A"),
            ftdi("/dev/ttyUSB3", Some(1), "B"),
        ];
        let e = choose_port(None, None, &ports, &boards()).unwrap_err();
        assert!(matches!(e, LoaderError::AmbiguousPort { .. }), "{e}");
        assert!(e.to_string().contains("/dev/ttyUSB3"));
        let e = choose_port(None, None, &[], &boards()).unwrap_err();
        assert!(matches!(e, LoaderError::NoBoardFound { .. }));
        assert!(!e.help().is_empty());
        let other = vec![PortInfo {
            path: "/dev/ttyACM0".into(),
            usb: Some(UsbInfo {
                vid: 0x2341,
                pid: 0x0043,
                ..Default::default()
            }),
            by_id: None,
        }];
        let e = choose_port(None, None, &other, &boards()).unwrap_err();
        assert!(e.to_string().contains("/dev/ttyACM0 (2341:0043)"), "{e}");
    }

    #[test]
    fn interface_from_by_id_names() {
        assert_eq!(
            interface_from_by_id("/dev/serial/by-id/usb-FTDI_Dual_RS232-HS-if01-port0"),
            Some(1)
        );
        assert_eq!(
            interface_from_by_id("usb-Lattice_Lattice_FTUSB_Interface_Cable-if00-port0"),
            Some(0)
        );
        assert_eq!(interface_from_by_id("usb-Arduino_Uno_1234"), None);
    }

    /// A by-id folder's links are read with the device each points at (a fake folder: CI
    /// machines have no serial ports), and a dangling link is left out.
    #[test]
    fn by_id_links_resolve_to_their_devices() {
        let dir = std::env::temp_dir().join(format!("j1k-by-id-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("by-id")).unwrap();
        let dev = dir.join("ttyUSB7");
        std::fs::write(&dev, "").unwrap();
        let link = dir.join("by-id/usb-FTDI_Dual_RS232-HS-if01-port0");
        std::os::unix::fs::symlink(&dev, &link).unwrap();
        std::os::unix::fs::symlink(dir.join("gone"), dir.join("by-id/dangling")).unwrap();
        let links = by_id_links(&dir.join("by-id"));
        let dev = std::fs::canonicalize(&dev).unwrap();
        assert_eq!(
            links,
            [(link.display().to_string(), dev.display().to_string())]
        );
        assert_eq!(interface_from_by_id(&links[0].0), Some(1));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Whatever this machine has: every port listed once, by a device path, and a
    /// `/dev/serial/by-id` link only where it points at that port.
    #[test]
    fn the_port_list_names_each_port_once() {
        let ports = list_ports();
        let mut paths: Vec<&str> = ports.iter().map(|p| p.path.as_str()).collect();
        for p in &ports {
            assert!(p.path.starts_with("/dev/"), "{p:?}");
            if let Some(link) = &p.by_id {
                let target = std::fs::canonicalize(link).unwrap();
                assert_eq!(target, std::fs::canonicalize(&p.path).unwrap(), "{p:?}");
            }
        }
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), ports.len(), "a port listed twice: {ports:?}");
    }
}
