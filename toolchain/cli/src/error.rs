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

    #[error("{0}")]
    #[diagnostic(help(
        "`j1k ports` lists the serial ports; pass one with --port PORT or J1K_PORT=PORT"
    ))]
    NoSuchPort(String),

    #[error("{0}")]
    #[diagnostic(help(
        "close the other program that has the port open (a terminal, another `j1k monitor`, \
         screen, minicom), then try again"
    ))]
    PortBusy(String),

    #[error("{0}")]
    #[diagnostic(help(
        "add yourself to the dialout group: `sudo usermod -aG dialout $USER`, then log out and in again"
    ))]
    PortPermission(String),

    #[error("{0}")]
    #[diagnostic(help(
        "pass a serial port (`j1k ports` lists them) or the pty path that `j1k sim --pty` prints"
    ))]
    NotASerialPort(String),

    #[error("{0}")]
    #[diagnostic(help(
        "plug the board in (FTDI 0403:6010; its UART is interface B), or name the port: \
         --port /dev/ttyUSB1 or J1K_PORT=/dev/ttyUSB1; `j1k ports` lists the ports"
    ))]
    NoBoardFound(String),

    #[error("{0}")]
    #[diagnostic(help("choose one with --port PORT or the J1K_PORT environment variable"))]
    AmbiguousPort(String),

    #[error("{0}")]
    #[diagnostic(help(
        "is the j1k firmware loaded? build and program it (`j1k build --board NAME`, then \
         `iceprog build/NAME/NAME.bin`); check --port (interface B is the UART) and --baud, \
         and press the board's reset button while `j1k load` waits"
    ))]
    NoAnswer(String),

    #[error("{0}")]
    #[diagnostic(help(
        "rebuild the bitstream with this j1k (`j1k build --board NAME`, then iceprog), \
         or load with the j1k that built it"
    ))]
    VersionMismatch(String),

    #[error("{0}")]
    #[diagnostic(help(
        "shorten the program: the top of RAM holds the board's firmware (docs/protocol.md §1)"
    ))]
    BoardImageTooLarge(String),

    #[error("{0}")]
    #[diagnostic(help("assemble a program of at least one word"))]
    EmptyImage(String),

    #[error("{0}")]
    #[diagnostic(help(
        "upload without --core: every core gets the image, and a core of fewer words its first \
         ones, which must hold what it runs (docs/architecture.md §6)"
    ))]
    CoreRamTooSmall(String),

    #[error("{0}")]
    #[diagnostic(help(
        "choose a core the board has with --core (the handshake reports how many)"
    ))]
    NoSuchCore(String),

    #[error("{0}")]
    #[diagnostic(help(
        "the line is noisy or too fast: try a lower --baud, another cable or USB port, \
         or more --retries"
    ))]
    RetriesExhausted(String),

    #[error("{0}")]
    #[diagnostic(help(
        "the board's RAM did not keep what was written; nothing was started. Reset the board \
         and upload again; if it persists, rebuild the bitstream"
    ))]
    VerifyFailed(String),

    #[error("{0}")]
    #[diagnostic(help(
        "the port answers, but not as the j1k firmware does: check --port and --baud, \
         reset the board, and check that the bitstream is a j1k build"
    ))]
    BoardProtocol(String),

    #[error("{0}")]
    #[diagnostic(help("the port went away or failed: check the cable and `j1k ports`"))]
    PortIo(String),
}

impl From<j1k_loader::LoaderError> for CliError {
    fn from(e: j1k_loader::LoaderError) -> CliError {
        use j1k_loader::LoaderError as L;
        let text = e.to_string();
        match e {
            L::NoSuchPort { .. } => CliError::NoSuchPort(text),
            L::PortBusy { .. } => CliError::PortBusy(text),
            L::PermissionDenied { .. } => CliError::PortPermission(text),
            L::NotASerialPort { .. } => CliError::NotASerialPort(text),
            L::PortOpen { .. } | L::Io { .. } => CliError::PortIo(text),
            L::NoBoardFound { .. } => CliError::NoBoardFound(text),
            L::AmbiguousPort { .. } => CliError::AmbiguousPort(text),
            L::NoAnswer { .. } => CliError::NoAnswer(text),
            L::IsaMismatch { .. } | L::ProtocolVersion { .. } => CliError::VersionMismatch(text),
            L::ImageTooLarge { .. } => CliError::BoardImageTooLarge(text),
            L::EmptyImage => CliError::EmptyImage(text),
            L::CoreRamTooSmall { .. } => CliError::CoreRamTooSmall(text),
            L::NoSuchCore { .. } => CliError::NoSuchCore(text),
            L::RetriesExhausted { .. } => CliError::RetriesExhausted(text),
            L::VerifyFailed { .. } => CliError::VerifyFailed(text),
            L::Refused { .. } | L::Protocol(_) => CliError::BoardProtocol(text),
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

    /// Process exit status: 2 for a run stopped by its cycle limit, 3 for a lockstep
    /// divergence, 4 for a coherence violation, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::MaxCycles { .. } => 2,
            CliError::Divergence(_) => 3,
            CliError::Coherence(_) => 4,
            _ => 1,
        }
    }
}
