//! One error enum for the command, each variant with a line of help.

use miette::Diagnostic;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CliError {
    #[error("{path}: {source}")]
    #[diagnostic(help("check that the file exists and that you may read or write it"))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{path}: cannot tell the image format from the extension")]
    #[diagnostic(help(
        "name images .hex (one word per line), .bin (little-endian) or .ihex (Intel HEX)"
    ))]
    UnknownFormat { path: PathBuf },

    #[error("{path}: {source}")]
    #[diagnostic(help("the file is not a valid image in the format its extension names"))]
    Image {
        path: PathBuf,
        source: j1k_isa::image::ImageError,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Asm(#[from] j1k_asm::AsmError),

    #[error("{0}")]
    #[diagnostic(help("see `j1k sim --help` for the machine options"))]
    Sim(String),

    #[error("stopped at --max-cycles {cycles}: core 0 at pc ${pc:x}, not halted")]
    #[diagnostic(help("raise --max-cycles, or end the program with `halt` (a jump to itself)"))]
    MaxCycles { cycles: u64, pc: u16 },

    #[error("{what} is not available in this build yet ({why})")]
    #[diagnostic(help(
        "track the open issue named above; until then use the Rust model (the default)"
    ))]
    NotYet {
        what: &'static str,
        why: &'static str,
    },
}

impl CliError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> CliError {
        CliError::Io {
            path: path.into(),
            source,
        }
    }

    /// Process exit status: 2 for a run stopped by its cycle limit, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::MaxCycles { .. } => 2,
            _ => 1,
        }
    }
}
