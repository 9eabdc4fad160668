//! The j1k hardware in rust-hdl 0.46: the J1a-exact core, the key unit and its
//! stores, the io ports, the UART, and two tops — the simulation top whose
//! ports are the lockstep contract, and the synthesizable SoC a board shell
//! instantiates. See hdl/README.md for the block diagram and the export.

pub mod core;
pub mod cores;
pub mod ctx_soc;
pub mod ctx_top;
pub mod io;
pub mod key;
#[cfg(test)]
mod lockstep;
pub mod mem;
pub mod multi_soc;
pub mod multi_top;
pub mod pcsel;
pub mod ram;
pub mod ring;
pub mod sim_top;
pub mod soc;
pub mod stack;
pub mod stack_ram;
pub mod stackctl;
pub mod step_reg;
pub mod tile;
pub mod uart;
pub mod util;

pub use j1k_isa::KeyConfig;
use rust_hdl::prelude::*;

/// What to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HwConfig {
    /// The key unit and its stores; `None` builds a plain J1a (key words are ALU words).
    pub key: Option<KeyConfig>,
    /// Where the block store lives.
    pub block_memory: BlockMemory,
    /// The SoC's clock, for the UART divisor.
    pub clock_hz: u32,
    pub baud: u32,
    /// Words of RAM of cores 1.. of several (a power of two, 256 to 4096; core 0 has 4096).
    pub worker_ram: usize,
}

/// The memory that holds the key unit's block store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BlockMemory {
    /// Block RAM (SB_RAM40_4K): two ports, zero at configuration. Every iCE40.
    #[default]
    Bram,
    /// The UP5K's single-port RAMs (SB_SPRAM256KA, 16K × 16 each, up to four):
    /// one access a cycle, not initialised by the bitstream (the store zeroes the
    /// null block after configuration, holding the SoC in reset meanwhile).
    Spram,
}

impl Default for HwConfig {
    fn default() -> Self {
        HwConfig {
            key: Some(KeyConfig::default()),
            block_memory: BlockMemory::Bram,
            clock_hz: 12_000_000,
            worker_ram: j1k_isa::RAM_WORDS,
            baud: 115_200,
        }
    }
}

/// Verilator `--lint-only -Wall` waivers for the exported Verilog: (flag, why).
/// The one list; hdl/README.md repeats it.
pub const VERILATOR_WAIVERS: &[(&str, &str)] = &[
    (
        "-Wno-DECLFILENAME",
        "rust-hdl writes every module into one file, so module names cannot match file names",
    ),
    (
        "-Wno-UNUSEDSIGNAL",
        "rust-hdl declares every port of a child block as a wire in its parent; the SoC leaves the \
         core's lockstep outputs (pc, R, dsp, rdepth, reboot, the RAM write port) unread, and a \
         block reads only some bits of a shared bus (the key unit looks at parts of insn)",
    ),
];

/// The simulation top (module `top`): the lockstep contract (hdl/README.md).
pub fn sim_top_verilog(cfg: &HwConfig, image: &[u16]) -> String {
    let mut uut = sim_top::SimTop::new(cfg, image);
    uut.connect_all();
    util::verilog(&uut)
}

/// The SoC for a board shell: module `j1k_soc` (submodules `j1k_soc$…`), ports
/// `clock`, `reset`, `uart_tx`, `uart_rx`, `leds[5]`.
pub fn soc_verilog(cfg: &HwConfig, image: &[u16]) -> String {
    let mut uut = soc::Soc::new(cfg, image);
    uut.connect_all();
    rename_top(&util::verilog(&uut), "j1k_soc")
}

/// `f::<N, L>(args)` for `cores` = N (2 to 4) and `cache_lines` = L (1, 2 or 4), the shapes
/// the hardware builds.
macro_rules! by_shape {
    ($cores:expr, $lines:expr, $f:ident($($arg:expr),*)) => {
        match ($cores, $lines) {
            (2, 1) => $f::<2, 1>($($arg),*),
            (2, 2) => $f::<2, 2>($($arg),*),
            (2, 4) => $f::<2, 4>($($arg),*),
            (3, 1) => $f::<3, 1>($($arg),*),
            (3, 2) => $f::<3, 2>($($arg),*),
            (3, 4) => $f::<3, 4>($($arg),*),
            (4, 1) => $f::<4, 1>($($arg),*),
            (4, 2) => $f::<4, 2>($($arg),*),
            (4, 4) => $f::<4, 4>($($arg),*),
            (c, l) => panic!("{c} cores of {l} lines: the hardware builds 2 to 4 cores of 1, 2 or 4 lines"),
        }
    };
}

/// The SoC of `cores` cores (2 to 4) with `cache_lines` lines each (1, 2 or 4): module
/// `j1k_soc` with the one-core SoC's ports (multi_soc.rs); `cfg.key` must be set.
pub fn multi_soc_verilog(
    cfg: &HwConfig,
    image: &[u16],
    cores: usize,
    cache_lines: usize,
) -> String {
    fn v<const N: usize, const L: usize>(cfg: &HwConfig, image: &[u16]) -> String {
        let mut uut = multi_soc::MultiSoc::<N, L>::new(cfg, image);
        uut.connect_all();
        rename_top(&util::verilog(&uut), "j1k_soc")
    }
    by_shape!(cores, cache_lines, v(cfg, image))
}

/// What the Verilated model of several cores shows of core `k`, as ports `c{k}_{name}` of
/// [`multi_sim_top_verilog`]: the tile's outputs that j1k_sim::lockstep::Obs holds.
pub const MULTI_OBS_PORTS: &[&str] = &[
    "pc",
    "insn",
    "t",
    "n",
    "r",
    "dsp",
    "rdepth",
    "reboot",
    "ram_we",
    "ram_waddr",
    "ram_wdata",
    "uart_tx_strobe",
    "uart_tx_data",
    "uart_rx_strobe",
    "uart_rx_look",
    "leds",
    "halt",
    "cur_b",
    "cur_n",
    "breg0",
    "breg1",
    "breg2",
    "breg3",
    "breg4",
    "breg5",
    "breg6",
    "breg7",
    "nreg0",
    "nreg1",
    "nreg2",
    "nreg3",
    "faults",
    "key_busy",
    "blk_we",
    "blk_wmask",
    "blk_waddr",
    "blk_wdata",
    "slot_we",
    "slot_waddr",
    "slot_wdata",
];

/// The SoC of `cores` cores (2 to 4) as the contexts of one tile circuit (ctx_soc.rs), with
/// `cache_lines` lines each: module `j1k_soc` with the other SoCs' ports.
pub fn ctx_soc_verilog(cfg: &HwConfig, image: &[u16], cores: usize, cache_lines: usize) -> String {
    fn v<const N: usize, const L: usize>(cfg: &HwConfig, image: &[u16]) -> String {
        let mut uut = ctx_soc::CtxSoc::<N, L>::new(cfg, image);
        uut.connect_all();
        rename_top(&util::verilog(&uut), "j1k_soc")
    }
    by_shape!(cores, cache_lines, v(cfg, image))
}

/// The simulation top of `cores` cores of `cache_lines` lines (module `top`, the ports of
/// [`multi_top::MultiTop`]) for the Verilated model: besides them, every core's
/// [`MULTI_OBS_PORTS`] as `c{k}_{name}` and whether it runs as `c{k}_running` (rust-hdl
/// has no ports for the tiles' outputs; they are its parent's wires, brought out here).
pub fn multi_sim_top_verilog(
    cfg: &HwConfig,
    image: &[u16],
    cores: usize,
    cache_lines: usize,
) -> String {
    fn v<const N: usize, const L: usize>(cfg: &HwConfig, image: &[u16]) -> String {
        let mut uut = multi_top::MultiTop::<N, L>::new(cfg, image);
        uut.connect_all();
        util::verilog(&uut)
    }
    let text = by_shape!(cores, cache_lines, v(cfg, image));
    bring_out(&text, cores, cache_lines, false)
}

/// The simulation top of `cores` cores as the contexts of one tile circuit (ctx_top.rs,
/// module `top`) for the Verilated model: as [`multi_sim_top_verilog`], but the one tile's
/// [`MULTI_OBS_PORTS`] are `c0_{name}`, core k's in phase k (the top's `ctx`), and every
/// core's `c{k}_running`.
pub fn ctx_sim_top_verilog(
    cfg: &HwConfig,
    image: &[u16],
    cores: usize,
    cache_lines: usize,
) -> String {
    fn v<const N: usize, const L: usize>(cfg: &HwConfig, image: &[u16]) -> String {
        let mut uut = ctx_top::CtxTop::<N, L>::new(cfg, image);
        uut.connect_all();
        util::verilog(&uut)
    }
    let text = by_shape!(cores, cache_lines, v(cfg, image));
    bring_out(&text, cores, cache_lines, true)
}

/// What the Verilated model of several cores shows of the coherence unit, as ports of
/// [`multi_sim_top_verilog`] named after the fields of j1k_sim::lockstep::UnitObs: per tile
/// `t` and line `i`, `u{t}_{name}{i}` for [`UNIT_LINE_PORTS`]; per tile `u{t}_{name}` for
/// [`UNIT_TILE_PORTS`]; and `u_{name}` for [`UNIT_PORTS`].
pub const UNIT_LINE_PORTS: &[&str] = &["tags", "states", "snoops"];
pub const UNIT_TILE_PORTS: &[&str] = &[
    "vptr",
    "req_v",
    "req_need",
    "req_blk",
    "locked",
    "alloc_v",
    "alloc_ok",
    "alloc_idx",
];
pub const UNIT_PORTS: &[&str] = &[
    "active",
    "x_kind",
    "x_tile",
    "x_block",
    "x_line",
    "x_writeback",
    "x_source_v",
    "x_source",
    "x_left",
    "x_age",
    "last",
];

/// The width (`[15:0]` or empty) of `name` as module `module` of `text` declares it.
fn declared_width(text: &str, module: &str, name: &str) -> String {
    let head = format!("module {module}(");
    text.lines()
        .skip_while(|l| !l.starts_with(&head))
        .take_while(|l| !l.starts_with("endmodule"))
        .find_map(|l| {
            let l = l.trim();
            let rest = ["output reg", "output wire", "reg", "wire"]
                .iter()
                .find_map(|k| l.strip_prefix(k)?.strip_prefix(' '))?
                .trim_start();
            let (width, n) = match rest.strip_prefix('[') {
                Some(r) => {
                    let (w, n) = r.split_once(']')?;
                    (format!("[{w}]"), n.trim())
                }
                None => (String::new(), rest),
            };
            (n.strip_suffix(';')? == name).then_some(width)
        })
        .unwrap_or_else(|| panic!("module {module} declares no {name}"))
}

/// Adds the observation ports to module `top` of `text` (see [`multi_sim_top_verilog`]):
/// every core's from the top's wires (`contexts`: the one tile's), the coherence unit's
/// through hierarchical references into its instance `mem.coh`.
fn bring_out(text: &str, cores: usize, lines: usize, contexts: bool) -> String {
    let mut ports = Vec::new(); // (port, width declaration, wire)
    let coh = "top$mem$coh";
    for t in 0..cores {
        let per_line = UNIT_LINE_PORTS.iter().flat_map(|n| {
            (0..lines).map(move |i| (format!("u{t}_{n}{i}"), format!("tiles${t}${n}${i}")))
        });
        let per_tile = UNIT_TILE_PORTS
            .iter()
            .map(|n| (format!("u{t}_{n}"), format!("tiles${t}${n}")));
        for (port, wire) in per_line.chain(per_tile) {
            let width = declared_width(text, coh, &wire);
            ports.push((port, width, format!("mem.coh.{wire}")));
        }
    }
    for n in UNIT_PORTS {
        ports.push((
            format!("u_{n}"),
            declared_width(text, coh, n),
            format!("mem.coh.{n}"),
        ));
    }
    for k in 0..cores {
        let tile = if contexts {
            "tile".to_string()
        } else {
            format!("tiles${k}")
        };
        let names = MULTI_OBS_PORTS
            .iter()
            .filter(|_| k == 0 || !contexts)
            .map(|n| (format!("c{k}_{n}"), format!("{tile}${n}")));
        let run = std::iter::once((format!("c{k}_running"), format!("ctl$run${k}")));
        for (port, wire) in names.chain(run) {
            let decl = declared_width(text, "top", &wire);
            ports.push((port, decl, wire));
        }
    }
    let mut out = String::with_capacity(text.len() + ports.len() * 80);
    let mut in_top = false;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("module top(") {
            let names: Vec<&str> = ports.iter().map(|p| p.0.as_str()).collect();
            let list = rest.strip_suffix(");").expect("module top(...);");
            out.push_str(&format!("module top({list},{});\n", names.join(",")));
            in_top = true;
            continue;
        }
        if in_top && t == "// Module arguments" {
            out.push_str(line);
            out.push('\n');
            for (port, width, _) in &ports {
                out.push_str(&format!("    output wire {width} {port};\n"));
            }
            continue;
        }
        if in_top && t.starts_with("endmodule // top") {
            for (port, _, wire) in &ports {
                out.push_str(&format!("    assign {port} = {wire};\n"));
            }
            in_top = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Renames rust-hdl's module `top` and its submodules `top$…` to `name`, `name$…`.
pub fn rename_top(verilog: &str, name: &str) -> String {
    let mut out = String::with_capacity(verilog.len() + 4096);
    for line in verilog.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if let Some(rest) = trimmed.strip_prefix("module top") {
            if rest.starts_with('(') || rest.starts_with('$') {
                out.push_str(&format!("{indent}module {name}{rest}\n"));
                continue;
            }
        }
        if let Some(rest) = trimmed.strip_prefix("endmodule // top") {
            out.push_str(&format!("{indent}endmodule // {name}{rest}\n"));
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("top$") {
            // a submodule instance: `top$a$b inst(`
            if rest.contains(' ') && rest.trim_end().ends_with('(') {
                out.push_str(&format!("{indent}{name}${rest}\n"));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
