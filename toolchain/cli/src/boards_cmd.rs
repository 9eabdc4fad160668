//! `j1k boards`: the boards built into the command, one line each.

use crate::error::CliError;
use clap::Args;

#[derive(Args)]
pub struct BoardsArgs {}

pub fn run(_: BoardsArgs) -> Result<(), CliError> {
    let boards = j1k_flow::board::built_in()?;
    let mut rows = vec![[
        "board".to_string(),
        "device".to_string(),
        "package".to_string(),
        "clock".to_string(),
        "key unit".to_string(),
        "UART rx/tx".to_string(),
        "USB".to_string(),
    ]];
    for b in &boards {
        let mhz = |hz: u32| {
            let s = format!("{:.3}", hz as f64 / 1e6);
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        };
        let clock = match &b.clock.pll {
            Some(_) => format!(
                "{} MHz (PLL from {})",
                mhz(b.clock.core_hz),
                mhz(b.clock.oscillator_hz)
            ),
            None => format!("{} MHz", mhz(b.clock.core_hz)),
        };
        rows.push([
            b.name.clone(),
            b.device().part.to_string(),
            b.fpga.package.clone(),
            clock,
            b.key_summary(),
            format!("{}/{} {}", b.uart.rx, b.uart.tx, b.uart.baud),
            b.usb_summary(),
        ]);
    }
    let widths: Vec<usize> = (0..7)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
    Ok(())
}
