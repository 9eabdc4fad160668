//! The board shell passes `verilator --lint-only -Wall` (with the waiver list), for every
//! board and for a board without a PLL, with fewer LEDs, active low.

use j1k_flow::board::{self, Board};
use j1k_flow::shell::{shell_verilog, LINT_STUBS, LINT_WAIVERS};
use std::path::PathBuf;
use std::process::Command;

fn fixture_board() -> Board {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/boards/toofast.toml");
    Board::load(&p).unwrap()
}

fn require_verilator() {
    let found = Command::new("verilator").arg("--version").output().is_ok();
    assert!(
        found,
        "verilator is not installed: run scripts/setup, or apt-get install verilator"
    );
}

fn lint(b: &Board) {
    require_verilator();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("top.v"), shell_verilog(b)).unwrap();
    std::fs::write(dir.path().join("lint_stubs.v"), LINT_STUBS).unwrap();
    std::fs::write(dir.path().join("lint.vlt"), LINT_WAIVERS).unwrap();
    let out = Command::new("verilator")
        .args([
            "--lint-only",
            "-Wall",
            "--top-module",
            "top",
            "lint.vlt",
            "top.v",
            "lint_stubs.v",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !text.contains("%Warning"),
        "{}: verilator lint:\n{text}\n--- top.v:\n{}",
        b.name,
        shell_verilog(b)
    );
}

#[test]
fn shells_of_all_boards_lint_clean() {
    for b in board::built_in().unwrap() {
        lint(&b);
    }
}

#[test]
fn shell_without_pll_with_three_active_low_leds_lints_clean() {
    lint(&fixture_board());
}

#[test]
fn shell_has_the_boards_primitive_and_values() {
    let ice = shell_verilog(&board::find("icebreaker").unwrap());
    assert!(ice.contains("SB_PLL40_PAD #("), "{ice}");
    assert!(ice.contains(".PACKAGEPIN(clock)"));
    assert!(ice.contains(".DIVF(7'd47)") && ice.contains(".DIVQ(3'd5)"));
    let stick = shell_verilog(&board::find("icestick").unwrap());
    assert!(stick.contains("SB_PLL40_CORE #("));
    assert!(stick.contains(".REFERENCECLK(clock)"));
    assert!(stick.contains(".DIVF(7'd47)") && stick.contains(".DIVQ(3'd4)"));
    assert!(stick.contains("assign leds = soc_leds;"));
    let fast = shell_verilog(&fixture_board());
    assert!(!fast.contains("SB_PLL40"), "{fast}");
    assert!(fast.contains("assign core_clock = clock;"));
    assert!(fast.contains("assign leds = ~soc_leds[2:0];"));
    for v in [&ice, &stick, &fast] {
        assert!(v.contains("module top ("));
        assert!(v.contains("j1k_soc soc ("));
    }
}
