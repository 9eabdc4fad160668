//! What `load`, `monitor` and `ports` share: the port options and the board files' USB ids.

use crate::error::CliError;
use j1k_loader::ports::{self, BoardUsb, PortSource};

/// `--port` / `--baud`.
#[derive(clap::Args, Debug, Clone)]
pub struct PortArgs {
    /// The serial port (default: $J1K_PORT, else the one FTDI board UART found)
    #[arg(long, short = 'p', value_name = "PORT")]
    pub port: Option<String>,
    /// Line rate in baud (the board's UART runs at 115200; the simulated board takes any)
    #[arg(long, short = 'b', default_value_t = 115_200,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub baud: u32,
}

/// The USB ids of the built-in boards.
pub fn board_usb_ids() -> Vec<BoardUsb> {
    j1k_flow::board::built_in()
        .unwrap_or_default()
        .into_iter()
        .map(|b| BoardUsb {
            board: b.name,
            vid: b.usb.vid,
            pid: b.usb.pid,
            uart_interface: b.usb.uart_interface,
        })
        .collect()
}

/// The port to use, said on stderr when it was detected.
pub fn resolve_port(args: &PortArgs) -> Result<String, CliError> {
    let env = std::env::var(ports::PORT_ENV).ok();
    let listed = if args.port.is_none() && env.as_deref().is_none_or(str::is_empty) {
        ports::list_ports()
    } else {
        Vec::new()
    };
    let (port, source) = ports::choose_port(
        args.port.as_deref(),
        env.as_deref(),
        &listed,
        &board_usb_ids(),
    )?;
    if let PortSource::Detected { boards } = source {
        eprintln!(
            "port {port} (detected: FTDI UART of {})",
            boards.join(" / ")
        );
    }
    Ok(port)
}
