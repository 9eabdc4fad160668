//! `j1k sim [PROGRAM]`: run a program on the cycle-accurate Rust model.

use crate::console::StdioUart;
use crate::error::CliError;
use crate::program::load_program;
use crate::pty_board::{serve, PtyOptions, RtlBoard, RustBoard};
use clap::Args;
use j1k_sim::{Config, KeyConfig, Limits, Machine, Observer, Outcome, Step};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct SimArgs {
    /// Source file (assembled first) or image (.hex, .bin, .ihex).
    /// Without it the board firmware boots, as on a freshly configured FPGA.
    program: Option<PathBuf>,
    /// Number of cores, 1 to 8 (docs/architecture.md); core 0 runs PROGRAM, the others
    /// wait, stopped, until a core starts them
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=8))]
    cores: u16,
    /// Lines (blocks) in each core's cache, 1 to 16 (two or more cores)
    #[arg(long, value_name = "N", default_value_t = Config::default().cache_lines as u16,
          value_parser = clap::value_parser!(u16).range(1..=16))]
    cache_lines: u16,
    /// Words of RAM of cores 1.. (256, 512, 1024, 2048 or 4096; core 0 has 4096): they hold
    /// the program's first N words, and their RAM takes the low address bits
    /// (docs/architecture.md §6)
    #[arg(long, value_name = "N", default_value_t = 4096, value_parser = worker_ram)]
    worker_ram: u16,
    /// After every cycle check the coherence invariants (one writer or many readers per
    /// block, every read returns the last write, bounded waits); stop at the first break
    /// with a report (exit status 4, `j1k --help`)
    #[arg(long)]
    check_coherence: bool,
    /// Stop with an error after this many cycles (exit status 5, `j1k --help`)
    #[arg(long, value_name = "N")]
    max_cycles: Option<u64>,
    /// End the run when the program has waited N cycles for input after the input ended
    /// (looking at the empty receiver; a computation is never ended by this)
    #[arg(long, value_name = "N", default_value_t = 10_000_000)]
    idle_cycles: u64,
    /// Write run statistics as JSON ({"cycles": N, ...})
    #[arg(long, value_name = "FILE")]
    stats_json: Option<PathBuf>,
    /// Write a waveform (pc, T, depths, key registers, UART) for GTKWave or Surfer
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// Print one line per cycle (pc, disassembly, T, N, depths) to stderr
    #[arg(long)]
    trace: bool,
    /// Run the Verilated RTL instead of the Rust model (1, 2 or 4 cores of the default
    /// sizes)
    #[arg(long)]
    rtl: bool,
    /// Run the Rust model and the RTL side by side, stopping at the first difference in
    /// any core (exit status 3, `j1k --help`)
    #[arg(long)]
    lockstep: bool,
    /// Serve UART 0 on a pseudo-terminal and print its path on the first line of stdout
    /// (the simulated board: `j1k load --port PATH` talks to it); runs until killed
    #[arg(long)]
    pty: bool,
    /// With --pty: pace the line at this baud rate (10 bit times per byte, both ways)
    #[arg(long, value_name = "B", requires = "pty",
          value_parser = clap::value_parser!(u32).range(1..))]
    baud: Option<u32>,
    /// With --pty: the board clock in Hz; the simulation never runs faster than it
    #[arg(
        long,
        value_name = "HZ",
        default_value_t = 18_000_000,
        requires = "pty",
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    clock_hz: u64,
    /// Words per block (power of two)
    #[arg(long, value_name = "N", default_value_t = KeyConfig::default().block_words)]
    block_words: u16,
    /// Slots per node, for block keys and node keys each (power of two, at most 32)
    #[arg(long, value_name = "N", default_value_t = KeyConfig::default().node_slots)]
    node_slots: u16,
    /// Blocks in the store, counting the null block (2 to 32768)
    #[arg(long, value_name = "N", default_value_t = KeyConfig::default().blocks,
          value_parser = clap::value_parser!(u16).range(2..=32768))]
    blocks: u16,
    /// Nodes in the store, counting the null node and the root node (2 to 32768)
    #[arg(long, value_name = "N", default_value_t = KeyConfig::default().nodes,
          value_parser = clap::value_parser!(u16).range(2..=32768))]
    nodes: u16,
    /// Block-key registers per core (1, 2, 4 or 8; register numbers are taken modulo this)
    #[arg(long, value_name = "N", default_value_t = KeyConfig::default().block_regs)]
    block_regs: u16,
    /// Node-key registers per core (1, 2 or 4)
    #[arg(long, value_name = "N", default_value_t = KeyConfig::default().node_regs)]
    node_regs: u16,
}

/// Fans one cycle out to the tracer and the waveform writer.
struct Observers<'a>(Vec<&'a mut dyn Observer>);

impl Observer for Observers<'_> {
    fn after_cycle(&mut self, m: &Machine, step: &Step) {
        for o in self.0.iter_mut() {
            o.after_cycle(m, step);
        }
    }
}

pub fn run(a: SimArgs) -> Result<(), CliError> {
    if (a.rtl || a.lockstep) && (a.trace || a.vcd.is_some()) {
        return Err(CliError::Sim(
            "--trace and --vcd observe the Rust model: run them without --rtl/--lockstep".into(),
        ));
    }
    if a.pty
        && (a.lockstep
            || a.trace
            || a.vcd.is_some()
            || a.stats_json.is_some()
            || a.max_cycles.is_some())
    {
        return Err(CliError::Sim(
            "--pty serves a live line until it is killed: run --lockstep, --trace, --vcd, \
             --stats-json and --max-cycles without it"
                .into(),
        ));
    }
    if a.check_coherence && (a.rtl || a.lockstep || a.pty) {
        return Err(CliError::Sim(
            "--check-coherence checks the Rust model: run it without --rtl, --lockstep and --pty"
                .into(),
        ));
    }
    let key = KeyConfig {
        block_words: a.block_words,
        node_slots: a.node_slots,
        blocks: a.blocks,
        nodes: a.nodes,
        block_regs: a.block_regs,
        node_regs: a.node_regs,
    };
    key.validate().map_err(CliError::Sim)?;
    // The outputs, before the run: it must not fail after it for want of a folder.
    let mut outs = Vec::new();
    outs.extend(a.stats_json.as_deref().map(|p| ("--stats-json", p)));
    outs.extend(a.vcd.as_deref().map(|p| ("--vcd", p)));
    let inputs: Vec<&std::path::Path> = a.program.as_deref().into_iter().collect();
    crate::outputs::check(&inputs, &outs)?;
    // Without PROGRAM: the board firmware (firmware/boot.fs), as a freshly configured FPGA.
    let words = match &a.program {
        Some(path) => load_program(path)?,
        None => crate::build_cmd::firmware_image(&crate::build_cmd::FirmwareBuild {
            board_name: "sim",
            clock_hz: a.clock_hz,
            cores: a.cores as usize,
            worker_ram: a.worker_ram as usize,
            key: Some(key),
        })?,
    };
    let mut machine = Machine::new(Config {
        cores: a.cores as usize,
        key,
        cache_lines: a.cache_lines as usize,
        worker_ram: a.worker_ram as usize,
    })
    .map_err(|e| CliError::Sim(e.to_string()))?;
    machine
        .load_program(&words)
        .map_err(|e| CliError::Sim(e.to_string()))?;
    if a.check_coherence {
        machine.check_coherence();
    }

    let limits = Limits {
        max_cycles: a.max_cycles,
        idle_cycles: a.idle_cycles,
    };
    if a.pty {
        return run_pty(&a, machine, &words);
    }
    let mut uart = StdioUart::new();
    if a.rtl || a.lockstep {
        return run_rtl(&a, machine, &words, &limits, &mut uart);
    }
    let outcome = if a.trace || a.vcd.is_some() {
        let mut tracer = a
            .trace
            .then(|| j1k_sim::trace::Tracer::new(std::io::BufWriter::new(std::io::stderr())));
        let mut vcd = match &a.vcd {
            Some(p) => {
                let f = std::fs::File::create(p).map_err(|e| CliError::io(p, e))?;
                Some(
                    j1k_sim::vcd::VcdWriter::new(std::io::BufWriter::new(f), &machine)
                        .map_err(|e| CliError::io(p, e))?,
                )
            }
            None => None,
        };
        let mut list: Vec<&mut dyn Observer> = Vec::new();
        if let Some(t) = tracer.as_mut() {
            list.push(t);
        }
        if let Some(v) = vcd.as_mut() {
            list.push(v);
        }
        let outcome = machine.run_observed(&mut uart, &limits, &mut Observers(list));
        if let (Some(v), Some(p)) = (vcd.as_mut(), &a.vcd) {
            v.finish().map_err(|e| CliError::io(p, e))?;
        }
        if let Some(t) = tracer.as_mut() {
            t.flush().map_err(|e| CliError::io("<stderr>", e))?;
        }
        outcome
    } else {
        machine.run(&mut uart, &limits)
    };
    uart.finish()?;

    if let Some(p) = &a.stats_json {
        write_json(
            p,
            &serde_json::to_value(machine.stats()).expect("stats serialise"),
        )?;
    }
    if let Some(v) = machine.violation() {
        return Err(CliError::Coherence(v.to_string()));
    }
    finish(outcome, machine.cycles(), machine.core(0).pc(), &limits)
}

/// How the run ended, as the exit status and (for an idle end) one line on stderr.
fn finish(outcome: Outcome, cycles: u64, pc: u16, limits: &Limits) -> Result<(), CliError> {
    match outcome {
        Outcome::Halted => Ok(()),
        Outcome::Idle => {
            eprintln!(
                "j1k sim: ended at cycle {cycles}: the program waited {} cycles for input after the input ended (--idle-cycles)",
                limits.idle_cycles
            );
            Ok(())
        }
        Outcome::MaxCycles => Err(CliError::MaxCycles { cycles, pc }),
        Outcome::Violation => unreachable!("reported by the caller"),
    }
}

fn write_json(p: &std::path::Path, v: &serde_json::Value) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(v).expect("stats serialise");
    text.push('\n');
    std::fs::File::create(p)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| CliError::io(p, e))
}

/// `--rtl`: the Verilated RTL alone, with the Rust model's console and end
/// rules. `--lockstep`: both, stopping at the first cycle where they differ.
fn run_rtl(
    a: &SimArgs,
    mut machine: Machine,
    words: &[u16],
    limits: &Limits,
    uart: &mut StdioUart,
) -> Result<(), CliError> {
    let mut rtl = rtl_loaded(&machine, words)?;
    if a.lockstep {
        let result = j1k_rtl::lockstep(&mut machine, &mut rtl, uart, limits);
        uart.finish()?;
        let outcome = result.map_err(CliError::Divergence)?;
        if let Some(p) = &a.stats_json {
            let mut v = serde_json::to_value(machine.stats()).expect("stats serialise");
            v["model"] = "lockstep".into();
            v["end"] = outcome.name().into();
            write_json(p, &v)?;
        }
        return finish(outcome, machine.cycles(), machine.core(0).pc(), limits);
    }
    let outcome = rtl.run(uart, limits);
    uart.finish()?;
    if let Some(p) = &a.stats_json {
        let s = rtl.stats();
        let v = serde_json::json!({
            "model": "rtl",
            "cycles": s.cycles,
            "uart_tx_bytes": s.uart_tx_bytes,
            "uart_rx_bytes": s.uart_rx_bytes,
            "end": s.end,
        });
        write_json(p, &v)?;
    }
    finish(outcome, rtl.cycles(), rtl.observe().pc, limits)
}

/// `--pty`: the simulated board on a pseudo-terminal (the Rust model, or the RTL with --rtl).
fn run_pty(a: &SimArgs, machine: Machine, words: &[u16]) -> Result<(), CliError> {
    let opts = PtyOptions {
        clock_hz: a.clock_hz,
        baud: a.baud,
        max_cycles: a.max_cycles,
    };
    let (cycles, pc) = if a.rtl {
        serve(&mut RtlBoard(rtl_loaded(&machine, words)?), &opts)?
    } else {
        serve(&mut RustBoard(machine), &opts)?
    };
    Err(CliError::MaxCycles { cycles, pc })
}

/// The Verilated RTL, built like `machine`, with `words` loaded (in reset).
fn rtl_loaded(machine: &Machine, words: &[u16]) -> Result<j1k_rtl::Rtl, CliError> {
    let sim_err = |e: j1k_rtl::RtlError| CliError::Sim(e.to_string());
    let mut rtl = j1k_rtl::Rtl::new(machine.config()).map_err(sim_err)?;
    rtl.load_image(words).map_err(sim_err)?;
    Ok(rtl)
}

/// `--worker-ram`: a power of two from 256 to 4096.
pub fn worker_ram(s: &str) -> Result<u16, String> {
    match s.parse::<u16>() {
        Ok(n) if n.is_power_of_two() && (256..=4096).contains(&n) => Ok(n),
        _ => Err("give 256, 512, 1024, 2048 or 4096 (words)".into()),
    }
}
