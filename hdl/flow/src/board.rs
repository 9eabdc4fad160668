//! Board files (`boards/NAME.toml`) and their pin files (`constraints/NAME.pcf`): parsing,
//! validation and the list of boards built into the command.

use crate::device::{self, Device, PllPrimitive, BRAM_WORDS, CORE_RAM_BRAMS, SPRAM_WORDS};
use crate::FlowError;
use j1k_isa::KeyConfig;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A board as its file describes it, checked. Built by [`Board::parse`], which validates.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// The board's name, as `--board` takes it; must equal the file's stem.
    pub name: String,
    pub description: String,
    pub fpga: Fpga,
    pub clock: Clock,
    pub uart: Uart,
    pub leds: Leds,
    pub usb: Usb,
    pub key: Key,
    /// Builds of several cores (`j1k build --cores N`), each with what it changes.
    #[serde(default)]
    pub multicore: Vec<Multicore>,
    /// The build of several cores this board stands for ([`Board::with_cores`]); `None`: one core.
    #[serde(skip)]
    pub selected: Option<Multicore>,
    /// The pin file's text (`constraints/NAME.pcf`).
    #[serde(skip)]
    pub pcf: String,
    /// Where the board file came from (a path, or `boards/NAME.toml` for a built-in one).
    #[serde(skip)]
    pub source: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fpga {
    /// nextpnr-ice40 device flag without dashes (`up5k`, `hx8k`, `hx1k`, ...).
    pub device: String,
    /// nextpnr-ice40 `--package`.
    pub package: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    pub oscillator_hz: u32,
    /// The oscillator's pin.
    pub pin: String,
    /// The clock the SoC runs at (the PLL output, or the oscillator without a PLL).
    pub core_hz: u32,
    pub pll: Option<Pll>,
}

/// PLL settings as `icepll` prints them (SIMPLE feedback).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pll {
    /// `SB_PLL40_CORE` or `SB_PLL40_PAD`.
    pub primitive: String,
    pub divr: u8,
    pub divf: u8,
    pub divq: u8,
    pub filter_range: u8,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uart {
    /// FPGA input pin (data from the host).
    pub rx: String,
    /// FPGA output pin (data to the host).
    pub tx: String,
    pub baud: u32,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leds {
    /// Pins of leds[0], leds[1], ... (1 to 5: the J1a's LED port has 5 bits).
    pub pins: Vec<String>,
    /// The LED lights when its pin is low.
    pub active_low: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Usb {
    pub vid: u16,
    pub pid: u16,
    pub chip: String,
    /// The FTDI interface that carries the UART (0 = A, 1 = B, ...).
    pub uart_interface: u8,
}

/// The key unit: off (the J1a-compatible core alone) or on with store sizes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Key {
    pub enabled: bool,
    pub block_words: Option<u16>,
    pub node_slots: Option<u16>,
    pub blocks: Option<u16>,
    pub nodes: Option<u16>,
    /// Where the block store lives: `bram` (default, every part) or `spram` (the UP5K's
    /// SB_SPRAM256KA, 16K words each).
    pub block_memory: Option<String>,
    /// Key registers per core (optional: the brief's 8 block and 4 node registers).
    pub block_regs: Option<u16>,
    pub node_regs: Option<u16>,
}

/// A build of several cores (a board file's `[[multicore]]`, docs/architecture.md §7): the
/// cores' RAM and caches, and the store sizes in place of `[key]`'s where they are given.
/// The block store is in block RAM (the SPRAM store serves one core).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Multicore {
    /// 2 to 4.
    pub cores: u16,
    /// Words of RAM of cores 1.. (a power of two, 256 to 4096; core 0 has 4096).
    pub worker_ram: u16,
    /// Lines in each core's block cache: 1, 2 or 4.
    pub cache_lines: u16,
    /// The cores are the contexts of one tile circuit (docs/architecture.md §11): a machine
    /// cycle takes `cores` clocks. Otherwise each core is a tile of its own.
    #[serde(default)]
    pub contexts: bool,
    /// The clock of this build, where it differs from the board's (`[multicore.clock]`:
    /// `core_hz` and an optional `pll`, as `[clock]` has them).
    pub clock: Option<BuildClock>,
    pub blocks: Option<u16>,
    pub nodes: Option<u16>,
}

/// A build's own core clock (`[multicore.clock]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildClock {
    pub core_hz: u32,
    pub pll: Option<Pll>,
}

/// Block RAMs of a store of `words` 16-bit words with byte lanes (hdl/src/key/
/// block_store.rs): one in its 256 × 16 shape up to 256 words, else two lanes of 512 × 8
/// per 512 words.
pub fn bram_words(words: u32) -> u32 {
    if words <= BRAM_WORDS {
        1
    } else {
        2 * words.div_ceil(2 * BRAM_WORDS)
    }
}

/// The memory that holds the block store (the board file's `key.block_memory`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockMemory {
    Bram,
    Spram,
}

/// The boards built into the command: (board file, pin file), from `boards/` and `constraints/`.
const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "icebreaker",
        include_str!("../../../boards/icebreaker.toml"),
        include_str!("../../../constraints/icebreaker.pcf"),
    ),
    (
        "hx8k-breakout",
        include_str!("../../../boards/hx8k-breakout.toml"),
        include_str!("../../../constraints/hx8k-breakout.pcf"),
    ),
    (
        "icestick",
        include_str!("../../../boards/icestick.toml"),
        include_str!("../../../constraints/icestick.pcf"),
    ),
];

/// Names of the built-in boards, in the order `j1k boards` lists them.
pub fn built_in_names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(n, _, _)| *n).collect()
}

/// Every built-in board, parsed and validated.
pub fn built_in() -> Result<Vec<Board>, FlowError> {
    BUILT_IN
        .iter()
        .map(|(name, toml, pcf)| Board::parse(&format!("boards/{name}.toml"), name, toml, pcf))
        .collect()
}

/// A board by name (a built-in board) or by path (a `.toml` file; its pin file is
/// `../constraints/NAME.pcf` from the board file's folder, or `NAME.pcf` beside it).
pub fn find(name_or_path: &str) -> Result<Board, FlowError> {
    if name_or_path.ends_with(".toml") || name_or_path.contains(std::path::MAIN_SEPARATOR) {
        return Board::load(Path::new(name_or_path));
    }
    match BUILT_IN.iter().find(|(n, _, _)| *n == name_or_path) {
        Some((name, toml, pcf)) => Board::parse(&format!("boards/{name}.toml"), name, toml, pcf),
        None => Err(FlowError::UnknownBoard {
            name: name_or_path.to_string(),
            known: built_in_names().join(", "),
        }),
    }
}

fn bad(file: &str, field: &str, message: impl Into<String>) -> FlowError {
    FlowError::Board {
        file: file.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
}

/// A board or pin file as text: a regular file of at most [`j1k_isa::MAX_BOARD_FILE`] bytes,
/// UTF-8.
fn read_text(path: &Path) -> Result<String, FlowError> {
    let bytes =
        j1k_isa::read_input(path, j1k_isa::MAX_BOARD_FILE).map_err(|e| FlowError::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        FlowError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        )
    })
}

impl Board {
    /// Reads a board file and its pin file from disk, then validates.
    pub fn load(path: &Path) -> Result<Board, FlowError> {
        let text = read_text(path)?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        // The board file's own syntax first: a broken file is reported as itself, not as a
        // missing pin file.
        Board::from_toml(&path.display().to_string(), &text)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let candidates: [PathBuf; 2] = [
            dir.join("../constraints").join(format!("{stem}.pcf")),
            dir.join(format!("{stem}.pcf")),
        ];
        let pcf_path = candidates.iter().find(|p| p.exists()).ok_or_else(|| {
            bad(
                &path.display().to_string(),
                "name",
                format!(
                    "no pin file for board `{stem}`: looked for {} and {}",
                    candidates[0].display(),
                    candidates[1].display()
                ),
            )
        })?;
        let pcf = read_text(pcf_path)?;
        Board::parse(&path.display().to_string(), &stem, &text, &pcf)
    }

    /// Parses and validates a board file. `file` names it in errors; `stem` is the name the
    /// file is stored under (the board's `name` must equal it).
    pub fn parse(file: &str, stem: &str, toml_text: &str, pcf: &str) -> Result<Board, FlowError> {
        let mut board = Board::from_toml(file, toml_text)?;
        board.pcf = pcf.to_string();
        board.source = file.to_string();
        board.validate(file, stem)?;
        Ok(board)
    }

    /// The board file's fields, or its syntax error with line, column and the line.
    fn from_toml(file: &str, toml_text: &str) -> Result<Board, FlowError> {
        toml::from_str(toml_text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| line_col(toml_text, s.start))
                .unwrap_or((0, 0));
            FlowError::BoardSyntax {
                file: file.to_string(),
                line,
                col,
                message: e.message().to_string(),
                snippet: toml_text
                    .lines()
                    .nth(line.saturating_sub(1))
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            }
        })
    }

    /// The board as built with `cores` cores: itself for 1, else with its `[[multicore]]`
    /// entry for `cores` applied (store sizes, block store in block RAM).
    pub fn with_cores(&self, cores: usize) -> Result<Board, FlowError> {
        if cores == 1 {
            return Ok(self.clone());
        }
        let Some(m) = self.multicore.iter().find(|m| m.cores as usize == cores) else {
            let known: Vec<String> = std::iter::once("1".to_string())
                .chain(self.multicore.iter().map(|m| m.cores.to_string()))
                .collect();
            return Err(FlowError::NoBuild {
                board: self.name.clone(),
                file: self.source.clone(),
                cores,
                known: known.join(", "),
            });
        };
        Ok(self.select(m.clone()))
    }

    /// The board as built with the several cores of `m` (not checked against the part: for
    /// Verilog of builds that do not fit, to measure them).
    pub fn select(&self, m: Multicore) -> Board {
        let mut b = self.clone();
        b.key.blocks = m.blocks.or(b.key.blocks);
        b.key.nodes = m.nodes.or(b.key.nodes);
        b.key.block_memory = Some("bram".into());
        if let Some(c) = &m.clock {
            b.clock.core_hz = c.core_hz;
            b.clock.pll = c.pll.clone();
        }
        b.selected = Some(m);
        b
    }

    /// Each core's RAM and cache, for reports.
    pub fn core_ram_summary(&self) -> String {
        match &self.selected {
            None => format!("{} words of RAM", j1k_isa::RAM_WORDS),
            Some(m) => format!(
                "RAM: core 0 {} words, cores 1.. {}; {} cache lines each{}",
                j1k_isa::RAM_WORDS,
                m.worker_ram,
                m.cache_lines,
                if m.contexts {
                    format!(
                        "; contexts of one circuit, a cycle every {} clocks",
                        m.cores
                    )
                } else {
                    String::new()
                }
            ),
        }
    }

    /// Cores in this build.
    pub fn cores(&self) -> usize {
        self.selected.as_ref().map_or(1, |m| m.cores as usize)
    }

    /// Words of RAM of cores 1.. (4096 on one core).
    pub fn worker_ram(&self) -> usize {
        self.selected
            .as_ref()
            .map_or(j1k_isa::RAM_WORDS, |m| m.worker_ram as usize)
    }

    /// Lines in each core's cache (several cores; 0 on one).
    pub fn cache_lines(&self) -> usize {
        self.selected.as_ref().map_or(0, |m| m.cache_lines as usize)
    }

    /// Block RAMs of a build of several cores, as yosys maps the hardware
    /// (docs/architecture.md §7, §11.6): core 0's 16, cores 1..'s RAMs, the key registers
    /// (one for each core; one for all contexts), the contexts' two stack RAMs, each core's
    /// cache ([`bram_words`]), and the store.
    pub fn multicore_brams(&self) -> u32 {
        let (Some(m), Some(k)) = (&self.selected, self.key_config()) else {
            return 0;
        };
        let n = m.cores as u32;
        let (key_regs, stacks) = if m.contexts { (1, 2) } else { (n, 0) };
        CORE_RAM_BRAMS
            + (n - 1) * m.worker_ram as u32 / BRAM_WORDS
            + key_regs
            + stacks
            + n * bram_words(m.cache_lines as u32 * k.block_words as u32)
            + self.store_memories().0
    }

    /// Whether the cores of this build are the contexts of one tile circuit.
    pub fn contexts(&self) -> bool {
        self.selected.as_ref().is_some_and(|m| m.contexts)
    }

    /// The part this board carries (validated to exist).
    pub fn device(&self) -> &'static Device {
        device::find(&self.fpga.device).expect("validated")
    }

    /// The key unit's sizes, or None for the J1a-compatible core alone.
    pub fn key_config(&self) -> Option<KeyConfig> {
        let k = &self.key;
        if !k.enabled {
            return None;
        }
        Some(KeyConfig {
            block_words: k.block_words.expect("validated"),
            node_slots: k.node_slots.expect("validated"),
            blocks: k.blocks.expect("validated"),
            nodes: k.nodes.expect("validated"),
            block_regs: k.block_regs.unwrap_or(j1k_isa::BLOCK_REGS as u16),
            node_regs: k.node_regs.unwrap_or(j1k_isa::NODE_REGS as u16),
        })
    }

    /// Where the block store lives (BRAM unless the board file says `spram`).
    pub fn block_memory(&self) -> BlockMemory {
        match self.key.block_memory.as_deref() {
            Some("spram") => BlockMemory::Spram,
            _ => BlockMemory::Bram,
        }
    }

    /// The PLL primitive, or None when the oscillator is the core clock.
    pub fn pll_primitive(&self) -> Option<PllPrimitive> {
        self.clock
            .pll
            .as_ref()
            .map(|p| PllPrimitive::from_name(&p.primitive).expect("validated"))
    }

    /// One line about the key unit, for tables and reports.
    pub fn key_summary(&self) -> String {
        match self.key_config() {
            None => "off (J1a core alone)".to_string(),
            Some(k) => format!(
                "{} blocks x {} words{}, {} nodes x {} slots",
                k.blocks,
                k.block_words,
                match self.block_memory() {
                    BlockMemory::Bram => "",
                    BlockMemory::Spram => " (SPRAM)",
                },
                k.nodes,
                k.node_slots
            ),
        }
    }

    /// `0403:6010 if B` style USB summary.
    pub fn usb_summary(&self) -> String {
        format!(
            "{:04x}:{:04x} if {}",
            self.usb.vid,
            self.usb.pid,
            interface_letter(self.usb.uart_interface)
        )
    }

    /// Memory the key store needs, as (BRAMs, SPRAMs), as yosys maps it: used to check that
    /// a board file's sizes fit its part. The node store is always in block RAM: two
    /// memories (block-key and node-key slots) of `nodes × node_slots` × 16, 256 words a
    /// BRAM; the block store in block RAM, two byte lanes of 512 × 8 a BRAM, or in SPRAM
    /// (16K × 16 each), as `key.block_memory` says.
    pub fn store_memories(&self) -> (u32, u32) {
        let Some(k) = self.key_config() else {
            return (0, 0);
        };
        let block_words = k.blocks as u32 * k.block_words as u32;
        let node_brams = 2 * (k.nodes as u32 * k.node_slots as u32).div_ceil(BRAM_WORDS);
        match self.block_memory() {
            BlockMemory::Bram => (bram_words(block_words) + node_brams, 0),
            BlockMemory::Spram => (node_brams, block_words.div_ceil(SPRAM_WORDS)),
        }
    }

    fn validate(&self, file: &str, stem: &str) -> Result<(), FlowError> {
        if self.name != stem {
            return Err(bad(
                file,
                "name",
                format!("`{}` must equal the file's name `{stem}`", self.name),
            ));
        }
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(bad(
                file,
                "name",
                "use lower-case letters, digits and `-` only",
            ));
        }
        let dev = device::find(&self.fpga.device).ok_or_else(|| {
            bad(
                file,
                "fpga.device",
                format!(
                    "unknown device `{}`; known: {}",
                    self.fpga.device,
                    device::names().join(", ")
                ),
            )
        })?;
        if !dev.packages.contains(&self.fpga.package.as_str()) {
            return Err(bad(
                file,
                "fpga.package",
                format!(
                    "`{}` is not a package of the {}; nextpnr-ice40 knows: {}",
                    self.fpga.package,
                    dev.part,
                    dev.packages.join(", ")
                ),
            ));
        }
        self.validate_clock(file, dev, "clock")?;
        if !(1200..=3_000_000).contains(&self.uart.baud) {
            return Err(bad(file, "uart.baud", "must be between 1200 and 3000000"));
        }
        if self.clock.core_hz / self.uart.baud < 8 {
            return Err(bad(
                file,
                "uart.baud",
                format!(
                    "{} baud needs a core clock of at least {} Hz",
                    self.uart.baud,
                    self.uart.baud * 8
                ),
            ));
        }
        if self.leds.pins.is_empty() || self.leds.pins.len() > 5 {
            return Err(bad(
                file,
                "leds.pins",
                format!(
                    "{} pins: give 1 to 5 (the LED port has 5 bits)",
                    self.leds.pins.len()
                ),
            ));
        }
        if self.usb.uart_interface > 3 {
            return Err(bad(
                file,
                "usb.uart_interface",
                "an FTDI chip has interfaces 0 (A) to 3 (D)",
            ));
        }
        self.validate_key(file, dev)?;
        self.validate_multicore(file, dev)?;
        self.validate_pins(file)?;
        self.validate_pcf(file)?;
        Ok(())
    }

    /// The clock as `[clock]` (`at`: "clock") or a build's `[multicore.clock]` gives it (`at`
    /// names that table in errors; the oscillator is the board's).
    fn validate_clock(&self, file: &str, dev: &Device, at: &str) -> Result<(), FlowError> {
        let c = &self.clock;
        let f = |name: &str| format!("{at}.{name}");
        if c.oscillator_hz == 0 {
            return Err(bad(file, "clock.oscillator_hz", "must not be 0"));
        }
        let Some(p) = &c.pll else {
            if c.core_hz != c.oscillator_hz {
                return Err(bad(
                    file,
                    &f("core_hz"),
                    format!(
                        "{} Hz without a [{at}.pll] section: the core clock is then the \
                         oscillator, {} Hz",
                        c.core_hz, c.oscillator_hz
                    ),
                ));
            }
            return Ok(());
        };
        let prim = PllPrimitive::from_name(&p.primitive).ok_or_else(|| {
            bad(
                file,
                &f("pll.primitive"),
                format!("`{}`: use SB_PLL40_CORE or SB_PLL40_PAD", p.primitive),
            )
        })?;
        if prim != dev.pll {
            return Err(bad(
                file,
                &f("pll.primitive"),
                format!(
                    "the board shell drives the {}'s PLL with {}, not {}",
                    dev.part,
                    dev.pll.verilog_name(),
                    p.primitive
                ),
            ));
        }
        let fin = c.oscillator_hz as f64 / 1e6;
        if !(10.0..=133.0).contains(&fin) {
            return Err(bad(
                file,
                "clock.oscillator_hz",
                "the iCE40 PLL takes 10 to 133 MHz",
            ));
        }
        if p.divr > 15 {
            return Err(bad(file, &f("pll.divr"), "must be 0..15"));
        }
        if p.divf > 127 {
            return Err(bad(file, &f("pll.divf"), "must be 0..127"));
        }
        if !(1..=6).contains(&p.divq) {
            return Err(bad(file, &f("pll.divq"), "must be 1..6"));
        }
        let pfd = fin / (p.divr as f64 + 1.0);
        if !(10.0..=133.0).contains(&pfd) {
            return Err(bad(
                file,
                &f("pll.divr"),
                format!("phase detector at {pfd:.3} MHz, outside 10..133 MHz"),
            ));
        }
        let vco = pfd * (p.divf as f64 + 1.0);
        if !(533.0..=1066.0).contains(&vco) {
            return Err(bad(
                file,
                &f("pll.divf"),
                format!("VCO at {vco:.3} MHz, outside 533..1066 MHz"),
            ));
        }
        let filter = icepll_filter_range(pfd);
        if p.filter_range != filter {
            return Err(bad(
                file,
                &f("pll.filter_range"),
                format!(
                    "{}: icepll gives {filter} for a {pfd:.3} MHz phase detector",
                    p.filter_range
                ),
            ));
        }
        // Exact in integers: fout = fin * (divf+1) / ((divr+1) * 2^divq).
        let num = c.oscillator_hz as u64 * (p.divf as u64 + 1);
        let den = (p.divr as u64 + 1) << p.divq;
        let fout = num as f64 / den as f64;
        if (fout - c.core_hz as f64).abs() > 1.0 {
            return Err(bad(
                file,
                &f("core_hz"),
                format!(
                    "{} Hz, but the PLL settings give {fout:.0} Hz (run `icepll -i {} -o {}`)",
                    c.core_hz,
                    fin,
                    c.core_hz as f64 / 1e6
                ),
            ));
        }
        Ok(())
    }

    fn validate_key(&self, file: &str, dev: &Device) -> Result<(), FlowError> {
        let k = &self.key;
        let fields = [
            ("key.block_words", k.block_words),
            ("key.node_slots", k.node_slots),
            ("key.blocks", k.blocks),
            ("key.nodes", k.nodes),
        ];
        if !k.enabled {
            if let Some((f, _)) = fields.iter().find(|(_, v)| v.is_some()) {
                return Err(bad(file, f, "given, but key.enabled is false"));
            }
            let optional = [
                ("key.block_memory", k.block_memory.is_some()),
                ("key.block_regs", k.block_regs.is_some()),
                ("key.node_regs", k.node_regs.is_some()),
            ];
            if let Some((f, _)) = optional.iter().find(|(_, given)| *given) {
                return Err(bad(file, f, "given, but key.enabled is false"));
            }
            return Ok(());
        }
        match k.block_memory.as_deref() {
            None | Some("bram") => {}
            Some("spram") if dev.sprams == 0 => {
                return Err(bad(
                    file,
                    "key.block_memory",
                    format!(
                        "`spram`, but the {} has no SPRAM: use `bram`",
                        self.fpga.device
                    ),
                ))
            }
            Some("spram") => {}
            Some(other) => {
                return Err(bad(
                    file,
                    "key.block_memory",
                    format!("`{other}`: must be `bram` or `spram`"),
                ))
            }
        }
        if let Some((f, _)) = fields.iter().find(|(_, v)| v.is_none()) {
            return Err(bad(file, f, "missing (key.enabled is true)"));
        }
        let cfg = self.key_config().expect("all present");
        cfg.validate().map_err(|m| {
            let field = if m.starts_with("block size") {
                "key.block_words"
            } else if m.starts_with("node size") {
                "key.node_slots"
            } else if m.contains("block registers") {
                "key.block_regs"
            } else if m.contains("node registers") {
                "key.node_regs"
            } else if m.contains("blocks") {
                "key.blocks"
            } else {
                "key.nodes"
            };
            bad(file, field, m)
        })?;
        let (brams, sprams) = self.store_memories();
        let total = CORE_RAM_BRAMS + brams;
        if total > dev.brams || sprams > dev.sprams {
            return Err(bad(
                file,
                "key.blocks",
                format!(
                    "the store needs {brams} BRAMs and {sprams} SPRAMs; with the core's \
                     {CORE_RAM_BRAMS} BRAMs that is {total} of {} BRAMs and {sprams} of {} SPRAMs",
                    dev.brams, dev.sprams
                ),
            ));
        }
        Ok(())
    }

    fn validate_multicore(&self, file: &str, dev: &Device) -> Result<(), FlowError> {
        for (i, m) in self.multicore.iter().enumerate() {
            let field = |f: &str| format!("multicore[{i}].{f}");
            if !(2..=4).contains(&m.cores) {
                return Err(bad(
                    file,
                    &field("cores"),
                    "the hardware builds 2 to 4 cores",
                ));
            }
            if self.multicore[..i].iter().any(|o| o.cores == m.cores) {
                return Err(bad(
                    file,
                    &field("cores"),
                    format!("a second entry for {} cores", m.cores),
                ));
            }
            if !self.key.enabled {
                return Err(bad(
                    file,
                    &field("cores"),
                    "several cores share blocks: key.enabled must be true",
                ));
            }
            if !m.worker_ram.is_power_of_two() || !(256..=4096).contains(&m.worker_ram) {
                return Err(bad(
                    file,
                    &field("worker_ram"),
                    "give 256, 512, 1024, 2048 or 4096 (words)",
                ));
            }
            if ![1, 2, 4].contains(&m.cache_lines) {
                return Err(bad(file, &field("cache_lines"), "give 1, 2 or 4"));
            }
            let b = self.with_cores(m.cores as usize)?;
            if m.clock.is_some() {
                b.validate_clock(file, dev, &field("clock"))?;
            }
            let k = b.key_config().expect("key enabled");
            k.validate().map_err(|e| {
                let f = if e.contains("nodes") {
                    "nodes"
                } else {
                    "blocks"
                };
                bad(file, &field(f), e)
            })?;
            let brams = b.multicore_brams();
            if brams > dev.brams {
                return Err(bad(
                    file,
                    &field("worker_ram"),
                    format!(
                        "{} cores need {brams} block RAMs, the {} has {}: 16 (core 0) + {} (cores \
                         1..) + {} (key registers{}) + {} (caches) + {} (store, in block RAM)",
                        m.cores,
                        dev.part,
                        dev.brams,
                        (m.cores as u32 - 1) * m.worker_ram as u32 / BRAM_WORDS,
                        if m.contexts { 3 } else { m.cores as u32 },
                        if m.contexts { " and stacks" } else { "" },
                        m.cores as u32 * bram_words(m.cache_lines as u32 * k.block_words as u32),
                        b.store_memories().0
                    ),
                ));
            }
        }
        Ok(())
    }

    fn validate_pins(&self, file: &str) -> Result<(), FlowError> {
        let package = device::package_pins(&self.fpga.device, &self.fpga.package);
        let mut seen: Vec<(&str, String)> = Vec::new();
        let mut all = vec![
            ("clock.pin", &self.clock.pin),
            ("uart.rx", &self.uart.rx),
            ("uart.tx", &self.uart.tx),
        ];
        all.extend(self.leds.pins.iter().map(|p| ("leds.pins", p)));
        for (field, pin) in all {
            if pin.is_empty() || !pin.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(bad(
                    file,
                    field,
                    format!("`{pin}` is not a package pin name"),
                ));
            }
            if let Some(pins) = &package {
                if !pins.iter().any(|p| p.eq_ignore_ascii_case(pin)) {
                    return Err(bad(
                        file,
                        field,
                        format!(
                            "`{pin}` is not a pin of the {} package of the {} (icestorm's chipdb)",
                            self.fpga.package, self.fpga.device
                        ),
                    ));
                }
            }
            if let Some((other, _)) = seen.iter().find(|(_, p)| p.eq_ignore_ascii_case(pin)) {
                return Err(bad(
                    file,
                    field,
                    format!("pin {pin} is already used by {other}"),
                ));
            }
            seen.push((field, pin.clone()));
        }
        Ok(())
    }

    /// The pin file must place exactly the shell's ports, on the board file's pins.
    fn validate_pcf(&self, file: &str) -> Result<(), FlowError> {
        let pcf_name = format!("constraints/{}.pcf", self.name);
        let placed = parse_pcf(&self.pcf).map_err(|m| bad(&pcf_name, "set_io", m))?;
        let mut expected: Vec<(String, &str, String)> = vec![
            ("clock".into(), "clock.pin", self.clock.pin.clone()),
            ("uart_rx".into(), "uart.rx", self.uart.rx.clone()),
            ("uart_tx".into(), "uart.tx", self.uart.tx.clone()),
        ];
        for (i, p) in self.leds.pins.iter().enumerate() {
            expected.push((format!("leds[{i}]"), "leds.pins", p.clone()));
        }
        for (port, field, pin) in &expected {
            match placed.iter().find(|(n, _)| n == port) {
                None => {
                    return Err(bad(
                        &pcf_name,
                        port,
                        format!("no `set_io {port} {pin}` (the board file's {field} in {file})"),
                    ))
                }
                Some((_, p)) if !p.eq_ignore_ascii_case(pin) => {
                    return Err(bad(
                        &pcf_name,
                        port,
                        format!("placed on {p}, but {file} says {field} = \"{pin}\""),
                    ))
                }
                Some(_) => {}
            }
        }
        if let Some((n, _)) = placed
            .iter()
            .find(|(n, _)| !expected.iter().any(|(p, _, _)| p == n))
        {
            return Err(bad(
                &pcf_name,
                n,
                "not a port of the board shell (clock, uart_rx, uart_tx, leds[i])",
            ));
        }
        Ok(())
    }
}

/// The (net, pin) pairs of a pcf file's `set_io` lines.
pub fn parse_pcf(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words[0] != "set_io" {
            return Err(format!("line {}: expected `set_io NET PIN`", i + 1));
        }
        // `-pullup yes` and `-io_std X` take a value.
        let mut rest = Vec::new();
        let mut skip = false;
        for w in &words[1..] {
            if skip {
                skip = false;
                continue;
            }
            if *w == "-pullup" || *w == "-io_std" || *w == "-pullup_resistor" {
                skip = true;
                continue;
            }
            if !w.starts_with('-') {
                rest.push(*w);
            }
        }
        if rest.len() != 2 {
            return Err(format!("line {}: expected `set_io NET PIN`", i + 1));
        }
        out.push((rest[0].to_string(), rest[1].to_string()));
    }
    Ok(out)
}

/// icepll's FILTER_RANGE for a phase-detector frequency in MHz (SIMPLE feedback).
pub fn icepll_filter_range(pfd_mhz: f64) -> u8 {
    match pfd_mhz {
        f if f < 17.0 => 1,
        f if f < 26.0 => 2,
        f if f < 44.0 => 3,
        f if f < 66.0 => 4,
        f if f < 101.0 => 5,
        _ => 6,
    }
}

pub fn interface_letter(i: u8) -> char {
    (b'A' + i) as char
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map(|p| p + 1).unwrap_or(0) + 1;
    (line, col)
}
