//! The j1k iCE40 build flow.
//!
//! - [`board`]: board files (`boards/NAME.toml`) and pin files (`constraints/NAME.pcf`),
//!   parsed with serde, validated (clock and PLL arithmetic, pins, the key store against the
//!   part's memories, the pin file against the board file), and the built-in list.
//! - [`shell`]: the board shell, module `top`: pins, the PLL primitive, power-on reset, LED
//!   polarity, and the `j1k_soc` instance. iCE40 primitives live here and nowhere else.
//! - [`build`]: yosys → nextpnr-ice40 → icepack in one folder, with logs, progress, and a
//!   report (logic cells, BRAMs, SPRAMs, PLLs, Fmax against the core clock, tool versions).
//!
//! The SoC itself (`j1k_soc`) comes from the caller as Verilog text: the `j1k` command makes it
//! with `j1k-hdl`.

pub mod board;
pub mod build;
pub mod device;
pub mod report;
pub mod shell;

pub use board::Board;
pub use build::{build, check_tools, BuildOptions, Placement, Placer, Progress, Tool, TOOLS};
pub use report::Report;

use std::path::{Path, PathBuf};

/// The Debian packages that hold the flow's tools.
pub const INSTALL_HINT: &str = "apt-get install yosys nextpnr-ice40 fpga-icestorm";

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// `--cores N` for a board file with no `[[multicore]]` entry for N.
    #[error("{board} has no build of {cores} cores (it builds {known}; {file}, `[[multicore]]`)")]
    NoBuild {
        board: String,
        file: String,
        cores: usize,
        known: String,
    },
    /// A board or pin file has a field with a bad value.
    #[error("{file}: {field}: {message}")]
    Board {
        file: String,
        field: String,
        message: String,
    },

    /// A board file is not valid TOML for a board (a missing field, a wrong type, ...).
    #[error("{file}:{line}:{col}: {message} (`{snippet}`)")]
    BoardSyntax {
        file: String,
        line: usize,
        col: usize,
        message: String,
        snippet: String,
    },

    #[error("no board named `{name}` (known: {known})")]
    UnknownBoard { name: String, known: String },

    /// Tools not found on PATH: (command, Debian package) pairs.
    #[error("{} not found on PATH", missing_list(.missing))]
    ToolMissing { missing: Vec<(String, String)> },

    #[error("{tool} failed ({status}); see {}", .log.display())]
    ToolFailed {
        tool: String,
        status: String,
        log: PathBuf,
        /// The log's last lines, for the message.
        tail: String,
    },

    /// The design does not reach the board's core clock.
    #[error(
        "timing not met on {board}: Fmax {fmax_mhz:.2} MHz for clock `{clock}` is below the \
         core clock {target_mhz:.2} MHz (report: {})",
        .report.display()
    )]
    TimingNotMet {
        board: String,
        clock: String,
        fmax_mhz: f64,
        target_mhz: f64,
        report: PathBuf,
    },

    /// A tool ran but its output was not what the flow reads.
    #[error("{}: {message}", .path.display())]
    ToolOutput { path: PathBuf, message: String },

    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn missing_list(m: &[(String, String)]) -> String {
    m.iter()
        .map(|(t, p)| format!("{t} (Debian package {p})"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl FlowError {
    pub fn io(path: &Path, source: std::io::Error) -> FlowError {
        FlowError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
