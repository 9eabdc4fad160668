//! `j1k monitor`: a raw terminal on the board's UART. Ctrl-C or Ctrl-] leaves.

use crate::error::CliError;
use crate::serial_args::{resolve_port, PortArgs};
use j1k_loader::monitor::{monitor, MonitorOptions};
use j1k_loader::{Link, SerialLink};
use std::io::Write;

#[derive(clap::Args, Debug)]
pub struct MonitorArgs {
    #[command(flatten)]
    pub port: PortArgs,
}

pub fn run(a: MonitorArgs) -> Result<(), CliError> {
    let port = resolve_port(&a.port)?;
    let mut link = SerialLink::open(&port, a.port.baud)?;
    session(&mut link, &[])
}

/// A monitor session, after printing `first` (bytes already received).
pub fn session(link: &mut dyn Link, first: &[u8]) -> Result<(), CliError> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("monitor on {} (Ctrl-C or Ctrl-] leaves)", link.name());
    }
    let mut out = std::io::stdout();
    let _ = out.write_all(first);
    let _ = out.flush();
    monitor(link, &MonitorOptions::default())?;
    Ok(())
}
