//! One error enum for the command, each variant with a line of help.

use miette::Diagnostic;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CliError {
    // (the cause is in the message, not a `source`: miette would print it twice)
    #[error("{path}: {cause}")]
    #[diagnostic(help("check that the file exists and that you may read or write it"))]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },

    #[error("{path}: {what}")]
    #[diagnostic(help(
        "give each output a file of its own, apart from the files the command reads"
    ))]
    OutputClash { path: PathBuf, what: String },

    #[error("{path}: cannot tell the image format from the extension")]
    #[diagnostic(help(
        "name images .hex (one word per line), .bin (little-endian) or .ihex (Intel HEX)"
    ))]
    UnknownFormat { path: PathBuf },

    #[error("{path}: {cause}")]
    #[diagnostic(help("the file is not a valid image in the format its extension names"))]
    Image {
        path: PathBuf,
        cause: j1k_isa::image::ImageError,
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

    #[error("{0}")]
    #[diagnostic(help(
        "run the program under `j1k sim --trace` to see the Rust model's side of those cycles"
    ))]
    Divergence(Box<j1k_rtl::Divergence>),

    #[error("{0}")]
    #[diagnostic(help(
        "the coherence protocol broke an invariant of docs/architecture.md: report it with the program"
    ))]
    Coherence(String),

    #[error("{0}")]
    #[diagnostic(help(
        "fix the field named above (boards/README.md describes every field), \
         or check that the pin file agrees with the board file"
    ))]
    Board(String),

    #[error("no board named `{name}` (known: {known})")]
    #[diagnostic(help(
        "`j1k boards` lists the boards; or pass a board file: --board path/NAME.toml"
    ))]
    UnknownBoard { name: String, known: String },

    #[error("{0}")]
    #[diagnostic(help(
        "a build of several cores is described per core count by the board file's \
         `[[multicore]]` entries (boards/README.md; docs/architecture.md §7); `j1k sim --cores N` \
         runs any count on the simulator"
    ))]
    NoBuild(String),

    #[error("--cores {cores}: {why}")]
    #[diagnostic(help(
        "`j1k sim --cores {cores}` runs several cores on the simulator; a board builds the \
         core counts its board file has `[[multicore]]` entries for (docs/architecture.md §7)"
    ))]
    Cores { cores: usize, why: &'static str },

    #[error("the image has {words} words; the RAM holds {}", j1k_isa::RAM_WORDS)]
    #[diagnostic(help("the J1a RAM is 4K x 16 words: shorten the program"))]
    ImageTooLarge { words: usize },

    #[error("{0}")]
    #[diagnostic(help(
        "install them: apt-get install yosys nextpnr-ice40 fpga-icestorm (scripts/setup does it)"
    ))]
    ToolMissing(String),

    #[error("{message}\n{tail}")]
    #[diagnostic(help("the tool's whole output is in the log named above"))]
    ToolFailed { message: String, tail: String },

    #[error("{0}")]
    #[diagnostic(help(
        "lower clock.core_hz in the board file (with PLL settings from `icepll -i OSC -o CORE`), \
         or shorten the design's slowest path; report.txt lists every clock"
    ))]
    TimingNotMet(String),

    #[error("{0}")]
    #[diagnostic(help(
        "a tool's output was not what the flow reads: check the tool versions \
         (yosys 0.23, nextpnr-ice40 0.4 and icestorm 2023 are the ones tested)"
    ))]
    ToolOutput(String),

    /// A loader error (`load`, `monitor`, the port): its message and its one help line,
    /// `LoaderError::help`.
    #[error("{message}")]
    Loader {
        message: String,
        #[help]
        help: String,
    },

    /// An image for a board's RAM that `build` or `verilog` refuses as `load` does.
    #[error("{message}")]
    BoardImage {
        message: String,
        #[help]
        help: &'static str,
    },
}

impl From<j1k_loader::LoaderError> for CliError {
    fn from(e: j1k_loader::LoaderError) -> CliError {
        CliError::Loader {
            message: e.to_string(),
            help: e.help(),
        }
    }
}

impl From<j1k_flow::FlowError> for CliError {
    fn from(e: j1k_flow::FlowError) -> CliError {
        use j1k_flow::FlowError as F;
        let text = e.to_string();
        match e {
            F::Board { .. } | F::BoardSyntax { .. } => CliError::Board(text),
            F::UnknownBoard { name, known } => CliError::UnknownBoard { name, known },
            F::NoBuild { .. } => CliError::NoBuild(text),
            F::ToolMissing { .. } => CliError::ToolMissing(text),
            F::ToolFailed { tail, .. } => CliError::ToolFailed {
                message: text,
                tail,
            },
            F::TimingNotMet { .. } => CliError::TimingNotMet(text),
            F::ToolOutput { .. } => CliError::ToolOutput(text),
            F::Io { path, source } => CliError::Io {
                path,
                cause: source,
            },
        }
    }
}

impl CliError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> CliError {
        CliError::Io {
            path: path.into(),
            cause: source,
        }
    }

    /// The process's exit status for this error.
    pub fn exit_status(&self) -> Exit {
        match self {
            CliError::MaxCycles { .. } => Exit::MaxCycles,
            CliError::Divergence(_) => Exit::Divergence,
            CliError::Coherence(_) => Exit::Coherence,
            _ => Exit::Error,
        }
    }
}

/// j1k's exit statuses: the one place that numbers them (`j1k --help` lists this table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Done = 0,
    Error = 1,
    /// clap's own status for a command line it refuses (the Unix convention).
    Usage = 2,
    Divergence = 3,
    Coherence = 4,
    MaxCycles = 5,
}

impl Exit {
    pub const ALL: [Exit; 6] = [
        Exit::Done,
        Exit::Error,
        Exit::Usage,
        Exit::Divergence,
        Exit::Coherence,
        Exit::MaxCycles,
    ];

    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Done => "done",
            Exit::Error => "an error, which the message on stderr names",
            Exit::Usage => "the command line was refused (an unknown or out-of-range option)",
            Exit::Divergence => "`sim --lockstep`: the RTL and the Rust model differ",
            Exit::Coherence => "`sim --check-coherence`: a coherence invariant broke",
            Exit::MaxCycles => "`sim --max-cycles`: the run reached its limit without halting",
        }
    }

    /// The table, as `--help` prints it after the commands.
    pub fn help() -> String {
        let mut s = String::from("Exit status:\n");
        for e in Self::ALL {
            s.push_str(&format!("  {}  {}\n", e as i32, e.meaning()));
        }
        s
    }
}
