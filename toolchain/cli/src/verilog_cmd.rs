//! `j1k verilog --board NAME [--cores N] [-o FILE]` (the board shell and the SoC) and
//! `j1k verilog --sim [-o FILE]` (the simulation top): the Verilog alone.

use crate::build_cmd::{board_image, find_board, soc_verilog};
use crate::error::CliError;
use crate::program::load_program;
use clap::Args;
use j1k_flow::board::{Board, Multicore};
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
    /// Cores in the SoC (1 to 4; the firmware is built for them): the board file's
    /// `[[multicore]]` entry for them, as `j1k build --cores`; for a count without one, the
    /// board's store, cores 1.. of 4096 words and 2 cache lines (Verilog to measure, not to build)
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=8))]
    cores: u16,
    /// With two or more cores: lines in each core's block cache (1, 2 or 4), in place of the
    /// board file's
    #[arg(long, value_name = "N", value_parser = ["1", "2", "4"])]
    cache_lines: Option<String>,
    /// With two or more cores: words of RAM of cores 1.. (256 to 4096), in place of the
    /// board file's
    #[arg(long, value_name = "N", value_parser = crate::sim_cmd::worker_ram)]
    worker_ram: Option<u16>,
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
            let board = select(find_board(name)?, &a)?;
            let (image, _) = board_image(&board, a.image.as_deref())?;
            let soc = soc_verilog(&board, &image, a.soc.as_deref())?;
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

/// The board as `--cores`, `--cache-lines` and `--worker-ram` ask.
fn select(board: Board, a: &VerilogArgs) -> Result<Board, CliError> {
    let cores = a.cores as usize;
    if cores == 1 {
        if a.cache_lines.is_some() || a.worker_ram.is_some() {
            return Err(CliError::Cores {
                cores,
                why: "--cache-lines and --worker-ram are about builds of two or more cores",
            });
        }
        return Ok(board);
    }
    let mut m = match board.with_cores(cores) {
        Ok(b) => b.selected.expect("several cores"),
        Err(_) if board.block_memory() == j1k_flow::board::BlockMemory::Spram => {
            return Err(CliError::Cores {
                cores,
                why: "the SPRAM block store serves one core, and the board file has no \
                      `[[multicore]]` entry for this count",
            })
        }
        Err(_) => Multicore {
            cores: a.cores,
            worker_ram: j1k_isa::RAM_WORDS as u16,
            cache_lines: 2,
            blocks: None,
            nodes: None,
            contexts: false,
            clock: None,
        },
    };
    if let Some(l) = &a.cache_lines {
        m.cache_lines = l.parse().expect("clap checked it");
    }
    if let Some(w) = a.worker_ram {
        m.worker_ram = w;
    }
    Ok(board.select(m))
}
