//! `j1k`: the one command of the j1k toolchain. A thin layer over the library
//! crates (j1k-isa, j1k-asm, j1k-sim): it parses arguments, moves bytes
//! between files and the libraries, and reports errors with a line of help.

mod asm_cmd;
mod boards_cmd;
mod build_cmd;
mod console;
mod disasm_cmd;
mod error;
mod load_cmd;
mod monitor_cmd;
mod outputs;
mod ports_cmd;
mod program;
mod pty_board;
mod serial_args;
mod sim_cmd;
mod verilog_cmd;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use error::{CliError, Exit};

#[derive(Parser)]
#[command(
    name = "j1k",
    version,
    about = "j1k: assembler, disassembler, cycle-accurate simulator and iCE40 build for the j1k stack CPU"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Assemble a Forth-style source file into an image (.hex, .bin or .ihex by OUT's extension)
    Asm(asm_cmd::AsmArgs),
    /// Disassemble an image (.hex, .bin or .ihex)
    Disasm(disasm_cmd::DisasmArgs),
    /// Run a program (source or image) on the simulator; UART 0 is stdin/stdout
    Sim(sim_cmd::SimArgs),
    /// Build a bitstream for a board: Verilog, yosys, nextpnr-ice40, icepack, and a report
    Build(build_cmd::BuildArgs),
    /// Write the Verilog alone: a board's shell and SoC, or the simulation top
    Verilog(verilog_cmd::VerilogArgs),
    /// List the boards (device, package, clock, key unit, UART pins, USB id)
    Boards(boards_cmd::BoardsArgs),
    /// Upload a program to a board's bootloader, verify it and start it
    Load(load_cmd::LoadArgs),
    /// A terminal on the board's UART (Ctrl-C or Ctrl-] leaves)
    Monitor(monitor_cmd::MonitorArgs),
    /// List the serial ports, their USB ids, and the boards they match
    Ports(ports_cmd::PortsArgs),
}

fn main() {
    let cli = Cli::command()
        .after_help(Exit::help())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
        .unwrap_or_else(|e| {
            // --help and --version exit 0; a refused command line with Exit::Usage
            let _ = e.print();
            std::process::exit(if e.use_stderr() {
                Exit::Usage as i32
            } else {
                0
            })
        });
    let result = match cli.command {
        Command::Asm(a) => asm_cmd::run(a),
        Command::Disasm(a) => disasm_cmd::run(a),
        Command::Sim(a) => sim_cmd::run(a),
        Command::Build(a) => build_cmd::run(a),
        Command::Verilog(a) => verilog_cmd::run(a),
        Command::Boards(a) => boards_cmd::run(a),
        Command::Load(a) => load_cmd::run(a),
        Command::Monitor(a) => monitor_cmd::run(a),
        Command::Ports(a) => ports_cmd::run(a),
    };
    if let Err(e) = result {
        let status = e.exit_status();
        report(e);
        std::process::exit(status as i32);
    }
}

/// Prints the error on stderr; a stderr that cannot take it (closed, full) changes nothing
/// but the message: the exit status still says what happened.
fn report(e: CliError) {
    use std::io::Write;
    let mut err = std::io::stderr();
    let _ = match e {
        // A one-line reason, as the brief asks for runs that hit their limit.
        CliError::MaxCycles { .. } => writeln!(err, "j1k: {e}"),
        e => writeln!(err, "{:?}", miette::Report::new(e)),
    };
}
