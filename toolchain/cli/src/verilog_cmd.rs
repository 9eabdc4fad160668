//! `j1k verilog --board NAME [--cores N] [-o FILE]` (the board shell and the SoC) and
//! `j1k verilog --sim [-o FILE]` (the simulation top): the Verilog alone.

use crate::build_cmd::{board_image, find_board, soc_verilog};
use crate::error::CliError;
use crate::program::load_program;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct VerilogArgs {
    /// Board name or board file: writes the board shell (module top) and the SoC (j1k_soc)
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "sim",
        conflicts_with = "sim"
    )]
    board: Option<String>,
    /// Write the simulation top instead (module top; the RTL model's ports)
    #[arg(long)]
    sim: bool,
    /// Program for the RAM: an image (.hex, .bin, .ihex) or a source file, stored under the
    /// bootloader with --board [default with --board: the bootloader alone, "j1k BOARD
    /// ready", as `j1k build`; with --sim: an empty RAM]
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
    /// Cores in the SoC, as `j1k sim --cores` (1 to 8; the hardware builds 1 to 4, several
    /// on block-RAM boards; the firmware is built for them)
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=8))]
    cores: u16,
    /// Lines in each core's block cache, with two or more cores (1, 2 or 4)
    #[arg(long, value_name = "N", default_value = "2", value_parser = ["1", "2", "4"])]
    cache_lines: String,
    /// Output file [default: stdout]
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Use this Verilog for module j1k_soc instead of generating it (flow development)
    #[arg(long, value_name = "FILE", hide = true)]
    soc: Option<PathBuf>,
}

pub fn run(a: VerilogArgs) -> Result<(), CliError> {
    let text = match &a.board {
        Some(name) => {
            let board = find_board(name)?;
            let cores = a.cores as usize;
            let lines = a.cache_lines.parse().expect("clap checked it");
            let (image, _) = board_image(&board, a.image.as_deref(), cores)?;
            let soc = soc_verilog(&board, &image, a.soc.as_deref(), cores, lines)?;
            format!("{}\n{soc}", j1k_flow::shell::shell_verilog(&board))
        }
        None => {
            let image = match &a.image {
                Some(p) => load_program(p)?,
                None => Vec::new(),
            };
            j1k_hdl::sim_top_verilog(&j1k_hdl::HwConfig::default(), &image)
        }
    };
    match &a.output {
        Some(p) => std::fs::write(p, text).map_err(|e| CliError::io(p, e)),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| CliError::io("<stdout>", e)),
    }
}
