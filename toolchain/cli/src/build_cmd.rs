//! `j1k build --board NAME [--cores N] [--image FILE] [--out DIR] [--placer heap|sa] [--seed N]`:
//! Verilog, bitstream and a report in one folder (yosys → nextpnr-ice40 → icepack, through
//! j1k-flow).

use crate::error::CliError;
use crate::program::board_program;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use j1k_flow::{Board, BuildOptions, Placement, Placer, Progress};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The board firmware (the serial bootloader, docs/protocol.md), built in: firmware/boot.fs.
/// It prints "j1k BOARD ready" after reset, as the banner did.
const BANNER_SOURCE: &str = include_str!("../../../firmware/boot.fs");
/// The bootloader's region starts here (words); its first word is the entry slot.
pub const BOOT_START: usize = 0xb00;
const BANNER_NAME_LINE: &str = "create board-name ,\"";

#[derive(Args)]
pub struct BuildArgs {
    /// Board name (`j1k boards` lists them) or a board file path/NAME.toml (its pin file is
    /// ../constraints/NAME.pcf or NAME.pcf beside it)
    #[arg(long, value_name = "NAME")]
    board: String,
    /// Cores in the SoC: 1, or a count the board file has a `[[multicore]]` entry for (its
    /// worker RAM, caches and store; `j1k boards` lists them)
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=8))]
    cores: u16,
    /// Program for the RAM: an image (.hex, .bin, .ihex) or a source file to assemble
    /// stored under the bootloader [default: none: the bootloader alone, "j1k BOARD ready"]
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
    /// Output folder [default: build/BOARD]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Build the J1a-compatible core alone, whatever the board file says about the key unit
    #[arg(long)]
    no_key: bool,
    /// nextpnr's placer: heap (nextpnr's default) or sa (simulated annealing: on the HX8K
    /// key build about 10% more Fmax, but it can hang on some seeds, YosysHQ/nextpnr#1211)
    #[arg(long, value_enum, default_value_t = PlacerArg::Heap)]
    placer: PlacerArg,
    /// nextpnr's placement seed (Fmax varies by several MHz from seed to seed)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Use this Verilog for module j1k_soc instead of generating it (flow development)
    #[arg(long, value_name = "FILE", hide = true)]
    soc: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum PlacerArg {
    Heap,
    Sa,
}

impl From<PlacerArg> for Placer {
    fn from(p: PlacerArg) -> Self {
        match p {
            PlacerArg::Heap => Placer::Heap,
            PlacerArg::Sa => Placer::Sa,
        }
    }
}

/// What the firmware reports in its INFO answer (docs/protocol.md §3): patched into its source.
#[derive(Clone, Copy, Debug)]
pub struct FirmwareBuild<'a> {
    pub board_name: &'a str,
    pub clock_hz: u64,
    /// Cores in the build (the loader reaches cores 1.. through core 0, docs/protocol.md §3).
    pub cores: usize,
    /// Words of RAM of cores 1.. (4096 on one core).
    pub worker_ram: usize,
    /// The key unit's sizes; `None` reports zeros (no key unit).
    pub key: Option<j1k_isa::KeyConfig>,
}

impl<'a> FirmwareBuild<'a> {
    /// The firmware as `j1k build` puts it in a board's bitstream (of the board's cores).
    pub fn for_board(board: &'a Board) -> Self {
        FirmwareBuild {
            board_name: &board.name,
            clock_hz: board.clock.core_hz as u64,
            cores: board.cores(),
            worker_ram: board.worker_ram(),
            key: board.key_config(),
        }
    }
}

/// The board firmware with the build's name and sizes in it, assembled.
pub fn firmware_image(build: &FirmwareBuild) -> Result<Vec<u16>, CliError> {
    let src = banner_source(build);
    Ok(j1k_asm::assemble_str("firmware/boot.fs", &src)?.words)
}

/// The firmware with a program stored under it, as the loader would leave it: the program's
/// word 0 goes to the entry slot, word 0 keeps jumping to the bootloader.
pub fn firmware_with(build: &FirmwareBuild, program: &[u16]) -> Result<Vec<u16>, CliError> {
    let mut image = firmware_image(build)?;
    if program.len() > BOOT_START {
        let content = match program[BOOT_START..].iter().position(|&w| w != 0) {
            Some(at) => format!(", word {:#x} not zero", BOOT_START + at),
            None => String::new(),
        };
        return Err(CliError::BoardImage {
            message: format!(
                "the program has {} words{content}; under the bootloader a program may use \
                 words 0..{:#x} ({} words)",
                program.len(),
                BOOT_START - 1,
                BOOT_START
            ),
            help: j1k_loader::error::IMAGE_TOO_LARGE_HELP,
        });
    }
    if let Some((&first, rest)) = program.split_first() {
        image[BOOT_START] = first;
        image[1..=rest.len()].copy_from_slice(rest);
    }
    Ok(image)
}

/// firmware/boot.fs with the `board-name` line and the `N constant NAME` lines of the INFO
/// values replaced by the build's.
fn banner_source(build: &FirmwareBuild) -> String {
    let k = build.key;
    let field = |f: fn(&j1k_isa::KeyConfig) -> u16| k.as_ref().map_or(0, f);
    let constants: [(&str, u64); 7] = [
        ("cores", build.cores as u64),
        ("worker-ram", build.worker_ram as u64),
        ("clock-khz", (build.clock_hz / 1000).min(0xffff)),
        ("block-words", field(|k| k.block_words) as u64),
        ("node-slots", field(|k| k.node_slots) as u64),
        ("blocks", field(|k| k.blocks) as u64),
        ("nodes", field(|k| k.nodes) as u64),
    ];
    let mut found = [false; 8];
    let src: String = BANNER_SOURCE
        .lines()
        .map(|l| {
            if l.starts_with(BANNER_NAME_LINE) {
                found[7] = true;
                return format!("{BANNER_NAME_LINE} {}\"\n", build.board_name);
            }
            let mut words = l.split_whitespace();
            if let (Some(_), Some("constant"), Some(name), None) =
                (words.next(), words.next(), words.next(), words.next())
            {
                if let Some(i) = constants.iter().position(|(n, _)| *n == name) {
                    found[i] = true;
                    return format!("{} constant {name}\n", constants[i].1);
                }
            }
            format!("{l}\n")
        })
        .collect();
    assert!(
        found.iter().all(|&f| f),
        "firmware/boot.fs lost its board-name line or an INFO constant line"
    );
    src
}

/// The board by name or path.
pub fn find_board(name: &str) -> Result<Board, CliError> {
    Ok(j1k_flow::board::find(name)?)
}

/// The RAM image: the firmware with the given program under it, or the firmware alone (its
/// banner for this board). Returns the words and a description for the report.
pub fn board_image(board: &Board, image: Option<&Path>) -> Result<(Vec<u16>, String), CliError> {
    let build = FirmwareBuild::for_board(board);
    match image {
        Some(p) => Ok((
            firmware_with(&build, &board_program(p)?)?,
            format!("{} under firmware/boot.fs", p.display()),
        )),
        None => Ok((
            firmware_image(&build)?,
            format!("firmware/boot.fs (\"j1k {} ready\")", board.name),
        )),
    }
}

/// The SoC's Verilog (module `j1k_soc`) for a board (as [`Board::with_cores`] or
/// [`Board::select`] made it) and image, from j1k-hdl; or the file given with the hidden
/// `--soc` option.
pub fn soc_verilog(board: &Board, image: &[u16], soc: Option<&Path>) -> Result<String, CliError> {
    if let Some(p) = soc {
        return std::fs::read_to_string(p).map_err(|e| CliError::io(p, e));
    }
    if image.len() > j1k_isa::RAM_WORDS {
        return Err(CliError::ImageTooLarge { words: image.len() });
    }
    let cfg = j1k_hdl::HwConfig {
        key: board.key_config(),
        block_memory: match board.block_memory() {
            j1k_flow::board::BlockMemory::Bram => j1k_hdl::BlockMemory::Bram,
            j1k_flow::board::BlockMemory::Spram => j1k_hdl::BlockMemory::Spram,
        },
        clock_hz: board.clock.core_hz,
        baud: board.uart.baud,
        worker_ram: board.worker_ram(),
    };
    let cores = board.cores();
    if cores == 1 {
        return Ok(j1k_hdl::soc_verilog(&cfg, image));
    }
    let why = if cores > 4 {
        Some("the hardware builds 1 to 4 cores")
    } else if cfg.key.is_none() {
        Some("several cores share blocks: the key unit must be built")
    } else {
        None
    };
    if let Some(why) = why {
        return Err(CliError::Cores { cores, why });
    }
    let soc = if board.contexts() {
        j1k_hdl::ctx_soc_verilog
    } else {
        j1k_hdl::multi_soc_verilog
    };
    Ok(soc(&cfg, image, cores, board.cache_lines()))
}

/// Spinners on a terminal, plain lines otherwise.
enum Reporter {
    Spinner(Option<ProgressBar>),
    Plain,
}

impl Reporter {
    fn new() -> Reporter {
        if std::io::stderr().is_terminal() {
            Reporter::Spinner(None)
        } else {
            Reporter::Plain
        }
    }
}

impl Progress for Reporter {
    fn start(&mut self, step: &str) {
        match self {
            Reporter::Spinner(bar) => {
                let pb = ProgressBar::new_spinner();
                pb.set_style(
                    ProgressStyle::with_template(
                        "{spinner:.cyan} {prefix:<14} {elapsed:>4} {wide_msg:.dim}",
                    )
                    .expect("a valid template"),
                );
                pb.set_prefix(step.to_string());
                pb.enable_steady_tick(Duration::from_millis(100));
                *bar = Some(pb);
            }
            Reporter::Plain => eprintln!("j1k build: {step} ..."),
        }
    }

    fn tick(&mut self, last_log_line: &str) {
        if let Reporter::Spinner(Some(pb)) = self {
            pb.set_message(last_log_line.to_string());
        }
    }

    fn finish(&mut self, step: &str, elapsed: Duration, ok: bool) {
        let verdict = if ok { "done" } else { "FAILED" };
        let line = format!("{step:<14} {verdict} in {:.1} s", elapsed.as_secs_f64());
        match self {
            Reporter::Spinner(bar) => {
                if let Some(pb) = bar.take() {
                    pb.finish_and_clear();
                }
                eprintln!("{} {line}", if ok { "✓" } else { "✗" });
            }
            Reporter::Plain => eprintln!("j1k build: {line}"),
        }
    }
}

pub fn run(a: BuildArgs) -> Result<(), CliError> {
    let mut board = find_board(&a.board)?.with_cores(a.cores as usize)?;
    if a.no_key && board.cores() > 1 {
        return Err(CliError::Cores {
            cores: board.cores(),
            why: "several cores share blocks: the key unit must be built (drop --no-key)",
        });
    }
    if a.no_key {
        board.key = j1k_flow::board::Key {
            enabled: false,
            block_words: None,
            node_slots: None,
            blocks: None,
            nodes: None,
            block_memory: None,
            block_regs: None,
            node_regs: None,
        };
    }
    // Before the (slow) Verilog generation: a missing tool is the likeliest failure.
    j1k_flow::check_tools()?;
    let (image, image_source) = board_image(&board, a.image.as_deref())?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("build").join(&board.name));
    let mut progress = Reporter::new();
    progress.start("verilog");
    let t0 = std::time::Instant::now();
    let soc = soc_verilog(&board, &image, a.soc.as_deref());
    progress.finish("verilog", t0.elapsed(), soc.is_ok());
    let soc = soc?;
    let report = j1k_flow::build(
        &BuildOptions {
            board: &board,
            soc_verilog: &soc,
            image: &image,
            image_source,
            out_dir: &out,
            placement: Placement {
                placer: a.placer.into(),
                seed: a.seed,
            },
        },
        &mut progress,
    )?;
    println!(
        "{}{}: {} logic cells, {} block RAMs, {} SPRAMs, {} PLL; Fmax {:.2} MHz (core clock {:.2} MHz)",
        board.name,
        match board.cores() {
            1 => String::new(),
            n => format!(", {n} cores"),
        },
        report.logic_cells.used,
        report.block_rams.used,
        report.sprams.used,
        report.plls.used,
        report.fmax_mhz,
        report.core_clock_mhz
    );
    println!(
        "{}",
        out.join(report.bitstream.as_deref().unwrap_or_default())
            .display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_firmware_carries_the_board_name_and_sizes() {
        let hx = j1k_flow::board::find("hx8k-breakout").unwrap();
        let src = banner_source(&FirmwareBuild::for_board(&hx));
        assert!(src.contains("create board-name ,\" hx8k-breakout\""));
        assert!(!src.contains(",\" sim\""));
        for line in [
            "36000 constant clock-khz",
            "128 constant block-words",
            "32 constant node-slots",
            "24 constant blocks",
            "8 constant nodes",
        ] {
            assert!(src.lines().any(|l| l == line), "no `{line}`");
        }
        firmware_image(&FirmwareBuild::for_board(&hx)).unwrap();
        let two = hx.with_cores(2).unwrap();
        let src = banner_source(&FirmwareBuild::for_board(&two));
        for line in [
            "2 constant cores",
            "1024 constant worker-ram",
            "8 constant blocks",
        ] {
            assert!(src.lines().any(|l| l == line), "no `{line}`");
        }
        let stick = j1k_flow::board::find("icestick").unwrap();
        let src = banner_source(&FirmwareBuild::for_board(&stick));
        assert!(
            src.lines().any(|l| l == "0 constant blocks"),
            "no key unit: 0"
        );
    }
}
