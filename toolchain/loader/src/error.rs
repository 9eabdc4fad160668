//! One error enum for the loader. Every variant says what happened; [`LoaderError::help`]
//! says what to try (the `j1k` command shows it as the help line).

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum LoaderError {
    #[error("{port}: no such port")]
    NoSuchPort { port: String },

    #[error("{port}: the port is busy (another program has it open)")]
    PortBusy { port: String },

    #[error("{port}: permission denied")]
    PermissionDenied { port: String },

    #[error("{port}: not a serial port (not a terminal device)")]
    NotASerialPort { port: String },

    #[error("{port}: cannot open the port: {message}")]
    PortOpen { port: String, message: String },

    #[error("no j1k board found among the serial ports ({seen})")]
    NoBoardFound { seen: String },

    #[error("several ports could be the board: {candidates}")]
    AmbiguousPort { candidates: String },

    #[error(
        "{port}: no answer from the board at {baud} baud (waited {waited:?}, {attempts} attempts)"
    )]
    NoAnswer {
        port: String,
        baud: u32,
        waited: Duration,
        attempts: u32,
    },

    #[error("the board's ISA is version {board}; this loader speaks version {host}")]
    IsaMismatch { board: u16, host: u16 },

    #[error("the board speaks loader protocol version {board}; this loader speaks version {host}")]
    ProtocolVersion { board: u16, host: u16 },

    #[error(
        "the image has {words} words (up to ${end:04x}); the board takes programs in \
         ${lo:04x}..${hi:04x} (the firmware keeps ${hi:04x}..${ram:04x})"
    )]
    ImageTooLarge {
        words: usize,
        end: usize,
        lo: usize,
        hi: usize,
        ram: usize,
    },

    #[error("the image has {words} words; core {core} has {ram} words of RAM")]
    CoreRamTooSmall { core: u16, words: usize, ram: usize },

    #[error("the image is empty")]
    EmptyImage,

    #[error("core {core} does not exist: the board has {cores} core(s)")]
    NoSuchCore { core: u16, cores: u16 },

    #[error(
        "{what} at ${addr:04x} failed {attempts} times (last: {last}); gave up after the retry budget"
    )]
    RetriesExhausted {
        what: &'static str,
        addr: u32,
        attempts: u32,
        last: String,
    },

    #[error("verify failed at ${addr:04x}: wrote ${wrote:04x}, read back ${read:04x}")]
    VerifyFailed { addr: u32, wrote: u16, read: u16 },

    #[error("the board refused {what}: {reason}")]
    Refused { what: &'static str, reason: String },

    #[error("unexpected answer from the board: {0}")]
    Protocol(String),

    #[error("{port}: {source}")]
    Io {
        port: String,
        #[source]
        source: std::io::Error,
    },
}

/// What to do about an image too large for the RAM under the firmware (also `j1k build`'s).
pub const IMAGE_TOO_LARGE_HELP: &str =
    "shorten the program: the top of RAM holds the board's firmware (docs/protocol.md §1)";
/// What to do about an empty image (also `j1k build`'s).
pub const EMPTY_IMAGE_HELP: &str = "assemble a program of at least one word";

impl LoaderError {
    /// One line of what to try.
    pub fn help(&self) -> String {
        use LoaderError::*;
        match self {
            NoSuchPort { .. } => "`j1k ports` lists the serial ports; pass one with --port PORT or J1K_PORT=PORT".into(),
            PortBusy { .. } => "close the other program that has the port open (a terminal, another `j1k monitor`, screen, minicom), then try again".into(),
            PermissionDenied { .. } => "add yourself to the dialout group: `sudo usermod -aG dialout $USER`, then log out and in again".into(),
            NotASerialPort { .. } => "pass a serial port (`j1k ports` lists them) or the pty path that `j1k sim --pty` prints".into(),
            PortOpen { .. } => "check the port with `j1k ports`; unplug and replug the board".into(),
            NoBoardFound { .. } => "plug the board in (FTDI 0403:6010; its UART is interface B), or name the port: --port /dev/ttyUSB1 or J1K_PORT=/dev/ttyUSB1; `j1k ports` lists the ports".into(),
            AmbiguousPort { .. } => "choose one with --port PORT or the J1K_PORT environment variable".into(),
            NoAnswer { .. } => "is the j1k firmware loaded? build and program it (`j1k build --board NAME`, then `iceprog build/NAME/NAME.bin`); check --port (interface B is the UART) and --baud, and press the board's reset button while `j1k load` waits".into(),
            IsaMismatch { .. } | ProtocolVersion { .. } => "rebuild the bitstream with this j1k (`j1k build --board NAME`, then iceprog), or load with the j1k that built it".into(),
            ImageTooLarge { .. } => IMAGE_TOO_LARGE_HELP.into(),
            CoreRamTooSmall { core, ram, .. } => format!("upload without --core: every core gets the image and core {core} its first {ram} words, which must hold what it runs (docs/architecture.md §6)"),
            EmptyImage => EMPTY_IMAGE_HELP.into(),
            NoSuchCore { .. } => "choose a core the board has with --core (the handshake reports how many), or build with more cores".into(),
            RetriesExhausted { .. } => "the line is noisy or too fast: try a lower --baud, another cable or USB port, or more --retries; a board that answers late (the simulated RTL board on a busy machine) needs --latency".into(),
            VerifyFailed { .. } => "the board's RAM did not keep what was written; nothing was started. Reset the board and upload again; if it persists, rebuild the bitstream".into(),
            Refused { .. } => "reset the board (`j1k load` resets it first; or press its reset button) and try again".into(),
            Protocol(_) => "the port answers, but not as the j1k firmware does: check --port and --baud, reset the board, and check that the bitstream is a j1k build".into(),
            Io { .. } => "the port went away or failed: check the cable and `j1k ports`".into(),
        }
    }
}
