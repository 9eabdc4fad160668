//! The exported Verilog passes `verilator --lint-only -Wall` (with the waivers
//! of `j1k_hdl::VERILATOR_WAIVERS` only) and yosys `synth_ice40` without
//! latches, undriven wires or multiple drivers. Missing tools fail the test.

use j1k_hdl::util::{require_tool, validate_ice40};
use j1k_hdl::{sim_top_verilog, soc_verilog, BlockMemory, HwConfig, KeyConfig, VERILATOR_WAIVERS};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn image() -> Vec<u16> {
    // jmp 1; a few words of data: enough to give the RAM an INIT pattern
    let mut v = vec![0x0001u16, 0x8123, 0x6000, 0x0003];
    v.extend((0..60u16).map(|i| i.wrapping_mul(0x9e37)));
    v
}

fn small_key() -> KeyConfig {
    KeyConfig {
        block_words: 128,
        node_slots: 32,
        blocks: 16,
        nodes: 8,
        ..KeyConfig::default()
    }
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join("j1k-hdl-export").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn lint(name: &str, top: &str, verilog: &str) {
    lint_waiving(name, top, verilog, &[]);
}

/// [`lint`] with more waivers than the one list.
fn lint_waiving(name: &str, top: &str, verilog: &str, more: &[&str]) {
    require_tool("verilator");
    let d = dir(name);
    let f = d.join(format!("{top}.v"));
    std::fs::write(&f, verilog).unwrap();
    let out = Command::new("verilator")
        .arg("--lint-only")
        .arg("-Wall")
        .args(VERILATOR_WAIVERS.iter().map(|(w, _)| *w))
        .args(more)
        .arg("--top-module")
        .arg(top)
        .arg(&f)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !log.contains("%Warning") && !log.contains("%Error"),
        "verilator --lint-only -Wall {name} ({}):\n{log}",
        f.display()
    );
}

#[test]
fn sim_top_lints_clean_without_key_unit() {
    let cfg = HwConfig {
        key: None,
        ..HwConfig::default()
    };
    lint("sim_nokey", "top", &sim_top_verilog(&cfg, &image()));
}

#[test]
fn sim_top_lints_clean_with_key_unit() {
    lint(
        "sim_key",
        "top",
        &sim_top_verilog(&HwConfig::default(), &image()),
    );
}

/// The two-core simulation top with every core's observation ports (for a Verilated model
/// of several cores). Two more waivers than the one-core top, both still to remove:
/// UNOPTFLAT (the tiles, the unit and the core control feed one another through rust-hdl's
/// one `always @(*)` per block, a loop at the level of whole signals though none at the
/// level of bits: yosys finds no logic loop) and UNSIGNED (tile 0's arbitration compares
/// with its number, 0).
#[test]
fn multi_sim_top_lints_clean() {
    let cfg = HwConfig {
        key: Some(small_key()),
        worker_ram: 1024,
        ..HwConfig::default()
    };
    let v = j1k_hdl::multi_sim_top_verilog(&cfg, &image(), 2, 2);
    for p in ["c0_pc", "c1_slot_wdata", "c1_running"] {
        assert!(v.contains(&format!("assign {p} = ")), "{p}");
    }
    lint_waiving("multi_sim", "top", &v, &["-Wno-UNOPTFLAT", "-Wno-UNSIGNED"]);
}

#[test]
fn soc_lints_clean() {
    let cfg = HwConfig {
        key: Some(small_key()),
        ..HwConfig::default()
    };
    lint("soc_key", "j1k_soc", &soc_verilog(&cfg, &image()));
    let cfg = HwConfig {
        key: None,
        ..HwConfig::default()
    };
    lint("soc_nokey", "j1k_soc", &soc_verilog(&cfg, &image()));
    // Verilator sees the one-port simulation model of the SPRAM store (not `SYNTHESIS`).
    let cfg = HwConfig {
        key: Some(small_key()),
        block_memory: BlockMemory::Spram,
        ..HwConfig::default()
    };
    lint("soc_spram", "j1k_soc", &soc_verilog(&cfg, &image()));
}

/// Synthesizes the SoC for iCE40 (`util::validate_ice40`: no latch, undriven or multiply
/// driven net, no warning that matters) and returns its cell counts.
fn synth(name: &str, cfg: &HwConfig) -> BTreeMap<String, u64> {
    validate_ice40(name, "j1k_soc", &soc_verilog(cfg, &image()))
}

fn cells(stat: &BTreeMap<String, u64>, cell: &str) -> u64 {
    stat.get(cell).copied().unwrap_or(0)
}

/// Block RAMs of every clock-edge flavour (SB_RAM40_4K, SB_RAM40_4KNW, ...).
fn brams(stat: &BTreeMap<String, u64>) -> u64 {
    [
        "SB_RAM40_4K",
        "SB_RAM40_4KNR",
        "SB_RAM40_4KNW",
        "SB_RAM40_4KNRNW",
    ]
    .iter()
    .map(|c| cells(stat, c))
    .sum()
}

#[test]
fn soc_synthesizes_without_key_unit() {
    let cfg = HwConfig {
        key: None,
        ..HwConfig::default()
    };
    let stat = synth("synth_nokey", &cfg);
    // The code RAM writes at the falling edge: SB_RAM40_4KNW.
    assert_eq!(brams(&stat), 16, "the 4K x 16 RAM is 16 block RAMs");
    eprintln!(
        "soc without key unit: {} LUT4, {} block RAMs",
        cells(&stat, "SB_LUT4"),
        brams(&stat)
    );
}

/// The UP5K's store: 512 blocks of 128 words in all four SPRAMs, the nodes in block RAM.
#[test]
fn soc_synthesizes_with_spram_store() {
    let cfg = HwConfig {
        key: Some(KeyConfig {
            blocks: 512,
            ..small_key()
        }),
        block_memory: BlockMemory::Spram,
        ..HwConfig::default()
    };
    let stat = synth("synth_spram", &cfg);
    assert_eq!(
        cells(&stat, "SB_SPRAM256KA"),
        4,
        "65536 words are four SPRAMs"
    );
    // 16 for the code RAM, 8 x 2 x 32 node slots in 2, the key registers in 1
    assert_eq!(brams(&stat), 19, "the blocks are not in block RAM");
}

#[test]
fn soc_synthesizes_with_key_unit() {
    let cfg = HwConfig {
        key: Some(small_key()),
        ..HwConfig::default()
    };
    let stat = synth("synth_key", &cfg);
    eprintln!(
        "soc with key unit: {} LUT4, {} block RAMs",
        cells(&stat, "SB_LUT4"),
        brams(&stat)
    );
}
