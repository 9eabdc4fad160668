//! `j1k ports`: the serial ports, their USB identity, and the board files they match.

use crate::error::CliError;
use crate::serial_args::board_usb_ids;
use j1k_loader::ports;

#[derive(clap::Args, Debug)]
pub struct PortsArgs {}

pub fn run(_: PortsArgs) -> Result<(), CliError> {
    let list = ports::list_ports();
    let boards = board_usb_ids();
    if list.is_empty() {
        println!("no serial ports");
        return Ok(());
    }
    println!(
        "{:<16} {:<9} {:<5} {:<16} boards",
        "port", "usb", "if", "serial"
    );
    for p in &list {
        let (usb, iface, serial) = match &p.usb {
            Some(u) => (
                format!("{:04x}:{:04x}", u.vid, u.pid),
                u.interface.map(|i| i.to_string()).unwrap_or("?".into()),
                u.serial.clone().unwrap_or_default(),
            ),
            None => ("-".into(), "-".into(), String::new()),
        };
        let matching: Vec<String> = p
            .matching_boards(&boards)
            .iter()
            .map(|b| b.board.clone())
            .collect();
        println!(
            "{:<16} {:<9} {:<5} {:<16} {}",
            p.path,
            usb,
            iface,
            serial,
            if matching.is_empty() {
                "-".to_string()
            } else {
                matching.join(", ")
            }
        );
        if let Some(link) = &p.by_id {
            println!("  {link}");
        }
    }
    Ok(())
}
