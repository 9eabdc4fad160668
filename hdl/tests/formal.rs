//! The formal check of the coherence unit's exported Verilog (docs/architecture.md §10):
//! `Coherence::<2, 2>` (2 tiles of 2 lines, blocks of W = 2 words, a store of 4 blocks) as
//! `j1k_hdl::util::verilog` exports it, inside the wrapper `formal/coherence.sv`, whose free
//! inputs are every tile's ask, need, block, release and take in every cycle, constrained
//! only by the tile's side of the protocol. yosys exposes the unit's internal registers the
//! wrapper reads, bit-blasts the design (z3 reads the word-level SMT-LIB of this design
//! for minutes before its first step; the gate-level one takes milliseconds) and writes
//! SMT-LIB; yosys-smtbmc with z3 runs:
//! - bounded model checking of every assertion over the first `DEPTH` cycles after reset,
//! - a cover run that reaches every transaction kind within that depth (so the bound is
//!   deep enough to matter),
//! - the same check on a unit whose tile 1 ignores invalidations, which must fail
//!   "one writer or many readers".
//!
//! Missing tools fail the tests (with the install hint), never skip them.

use j1k_hdl::mem::coherence::Coherence;
use rust_hdl::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The block's words, the store's blocks, the node slots (the lock's longest hold is S + 2).
const W: u16 = 2;
const BLOCKS: u16 = 4;
const S: u16 = 4;
/// Cycles checked from reset (the reset cycle is step 0). Every cover below is reached by
/// step 11; each step past 20 doubles the solver's time.
const DEPTH: u32 = 20;
const WRAPPER: &str = include_str!("formal/coherence.sv");

/// The wrapper's cover statements: every transaction kind as granted (with and without a
/// free block, a modified victim, a modified source), a read fill that ends shared, a grant
/// after exactly the fairness bound, a write fill's tile met in the cycle after.
const COVERS: [&str; 13] = [
    "c_fill_read",
    "c_fill_write",
    "c_upgrade",
    "c_nop",
    "c_lock",
    "c_alloc",
    "c_alloc_full",
    "c_alloc_victim_m",
    "c_fill_victim_m",
    "c_fill_source_m",
    "c_fill_shared",
    "c_bound",
    "c_served",
];

/// Fails (never skips) when a tool is missing, with the install hint.
fn require(tool: &str) {
    let ok = Command::new(tool)
        .arg(if tool == "yosys-smtbmc" {
            "--help"
        } else {
            "--version"
        })
        .output()
        .is_ok();
    assert!(
        ok,
        "`{tool}` is not installed: the formal check needs yosys, yosys-smtbmc (Debian's \
         yosys ships it) and z3. Install them with `sudo apt-get install -y yosys z3` \
         (or run scripts/setup)."
    );
}

/// The unit's Verilog, after checking that it has the ports and internal wires the wrapper
/// names (rust-hdl's naming: `port$<tile>$<member>`, `tiles$<tile>$<output>`).
fn export(fault: Option<usize>) -> String {
    let mut uut = Coherence::<2, 2>::new(W, BLOCKS, fault);
    uut.connect_all();
    let v = j1k_hdl::util::verilog(&uut);
    let header = v
        .lines()
        .find(|l| l.starts_with("module top("))
        .expect("the unit's Verilog has `module top(`");
    let ports: Vec<&str> = header["module top(".len()..]
        .trim_end_matches(");")
        .split(',')
        .collect();
    let mut want: Vec<String> = [
        "clock",
        "reset",
        "active",
        "x_kind",
        "x_tile",
        "x_block",
        "x_line",
        "x_writeback",
        "x_source_v",
        "x_source",
        "x_age",
        "x_left",
        "x_victim_tag",
        "last",
    ]
    .map(String::from)
    .to_vec();
    for t in 0..2 {
        for m in [
            "ask",
            "need",
            "blk",
            "unlock",
            "take",
            "met",
            "line",
            "alloc_ok",
            "alloc_idx",
        ] {
            want.push(format!("port${t}${m}"));
        }
    }
    for p in &want {
        assert!(
            ports.contains(&p.as_str()),
            "top has no port `{p}`: {header}"
        );
    }
    let top = &v[..v.find("endmodule // top\n").expect("top's endmodule")];
    for w in exposed() {
        assert!(
            top.lines()
                .any(|l| l.trim_start().starts_with("wire") && l.ends_with(&format!(" {w};"))),
            "top has no wire `{w}`"
        );
    }
    v
}

/// The internal wires of `top` the wrapper reads, made ports by yosys `expose`.
fn exposed() -> Vec<String> {
    let mut w = Vec::new();
    for t in 0..2 {
        for m in ["req_v", "locked", "alloc_v"] {
            w.push(format!("tiles${t}${m}"));
        }
        for i in 0..2 {
            for m in ["tags", "states", "snoops"] {
                w.push(format!("tiles${t}${m}${i}"));
            }
        }
    }
    w.extend(["alloc$idx", "alloc$avail", "xok$q"].map(String::from));
    w
}

/// Writes the unit, the wrapper and the yosys script into a fresh directory and has yosys
/// write `formal.smt2` there.
fn prepare(name: &str, verilog: &str) -> PathBuf {
    require("yosys");
    let dir = std::env::temp_dir().join(format!("j1k-formal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("coherence.v"), verilog).unwrap();
    std::fs::write(dir.join("coherence.sv"), WRAPPER).unwrap();
    let expose: Vec<String> = exposed().iter().map(|w| format!("top/{w}")).collect();
    let script = format!(
        "read_verilog coherence.v\n\
         hierarchy -top top\n\
         proc\n\
         expose {}\n\
         read_verilog -sv -formal coherence.sv\n\
         chparam -set W {W} -set BLOCKS {BLOCKS} -set S {S} coherence_formal\n\
         prep -flatten -top coherence_formal\n\
         async2sync\n\
         techmap\n\
         opt -fast\n\
         aigmap\n\
         dffunmap\n\
         opt_clean\n\
         write_smt2 -wires formal.smt2\n",
        expose.join(" ")
    );
    std::fs::write(dir.join("formal.ys"), script).unwrap();
    let out = Command::new("yosys")
        .current_dir(&dir)
        .args(["-q", "-l", "yosys.log", "formal.ys"])
        .output()
        .unwrap();
    let log = std::fs::read_to_string(dir.join("yosys.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "yosys ({}) failed:\n{}\n{log}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

/// What a yosys-smtbmc run said.
struct Run {
    passed: bool,
    log: String,
    secs: f64,
}

fn smtbmc(dir: &Path, args: &[&str]) -> Run {
    require("yosys-smtbmc");
    require("z3");
    let t = Instant::now();
    let out = Command::new("yosys-smtbmc")
        .current_dir(dir)
        .args(["-s", "z3"])
        .args(args)
        .args(["-t", &DEPTH.to_string(), "formal.smt2"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    Run {
        passed: out.status.success() && log.contains("Status: PASSED"),
        log,
        secs: t.elapsed().as_secs_f64(),
    }
}

/// The last step yosys-smtbmc checked (where a BMC failure is).
fn last_step(log: &str) -> Option<u32> {
    log.lines()
        .filter_map(|l| l.split("Checking assertions in step ").nth(1))
        .filter_map(|s| s.trim_end_matches('.').parse().ok())
        .next_back()
}

/// The failed assertions' labels.
fn failed(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|l| l.split("Assert failed in coherence_formal: ").nth(1))
        .map(|s| s.trim().to_string())
        .collect()
}

/// A counterexample's cycles, one line each, from the VCD of the wrapper's own signals.
fn trace(vcd: &Path) -> String {
    let Ok(text) = std::fs::read_to_string(vcd) else {
        return format!("(no trace: {} unreadable)", vcd.display());
    };
    let mut depth = 0;
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut cur: BTreeMap<String, u64> = BTreeMap::new();
    let mut steps: Vec<BTreeMap<String, u64>> = Vec::new();
    let mut time = None;
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.first().copied() {
            Some("$scope") => depth += 1,
            Some("$upscope") => depth -= 1,
            Some("$var") if depth == 1 && w.len() >= 5 => {
                ids.insert(w[3].to_string(), w[4].to_string());
            }
            Some(t) if t.starts_with('#') => {
                if let Some(t) = time {
                    if t % 10 == 0 {
                        steps.push(cur.clone());
                    }
                }
                time = t[1..].parse::<u64>().ok();
            }
            Some(b) if b.starts_with('b') && w.len() == 2 => {
                if let Some(n) = ids.get(w[1]) {
                    cur.insert(n.clone(), u64::from_str_radix(&b[1..], 2).unwrap_or(0));
                }
            }
            Some(s) if s.len() >= 2 && (s.starts_with('0') || s.starts_with('1')) => {
                if let Some(n) = ids.get(&s[1..]) {
                    cur.insert(n.clone(), s.starts_with('1') as u64);
                }
            }
            _ => {}
        }
    }
    let kinds = ["nop", "fill-r", "fill-w", "upgrade", "alloc", "lock"];
    let states = ["I", "S", "E", "M"];
    let needs = ["read", "write", "lock", "alloc"];
    let mut out = String::new();
    for (k, c) in steps.iter().enumerate() {
        let g = |n: &str| c.get(n).copied().unwrap_or(0);
        let bit = |n: &str, i: u64| (g(n) >> i) & 1;
        out += &format!(
            "cycle {k:2}{}:",
            if g("reset") == 1 { " (reset)" } else { "" }
        );
        for t in 0..2u64 {
            out += &format!("  tile {t}:");
            if bit("ask", t) == 1 {
                let need = (g("need") >> (2 * t)) & 3;
                let b = (g("blk") >> (16 * t)) & 0xffff;
                out += &format!(" ask {}", needs[need as usize]);
                if need < 2 {
                    out += &format!(" b{b}");
                }
                out += if bit("met", t) == 1 { " met" } else { " wait" };
            }
            for (what, sig) in [("req", "req_v"), ("lock", "locked"), ("rel", "rel")] {
                if bit(sig, t) == 1 {
                    out += &format!(" {what}");
                }
            }
            out += " [";
            for i in 0..2 {
                let l = 2 * t + i;
                let s = (g("st") >> (2 * l)) & 3;
                let tag = (g("tag") >> (16 * l)) & 0xffff;
                let snoop = if bit("snoop", l) == 1 { "*" } else { "" };
                if i > 0 {
                    out += " ";
                }
                out += &format!("b{tag}:{}{snoop}", states[s as usize]);
            }
            out += "]";
        }
        if g("active") == 1 {
            out += &format!(
                "  unit: {} tile {} b{} left {}",
                kinds.get(g("x_kind") as usize).unwrap_or(&"?"),
                g("x_tile"),
                g("x_block"),
                g("x_left")
            );
        } else {
            out += "  unit: idle";
        }
        out += "\n";
    }
    out
}

/// The unit as built: every assertion holds in every cycle of the first `DEPTH`, and every
/// cover is reached within them.
#[test]
fn coherence_unit_formal_check() {
    let dir = prepare("unit", &export(None));
    let d2 = dir.clone();
    let covers = std::thread::spawn(move || smtbmc(&d2, &["-c"]));
    let bmc = smtbmc(&dir, &["--dump-vcd", "cex.vcd"]);
    let covers = covers.join().unwrap();
    eprintln!(
        "formal check (W = {W}, {BLOCKS} blocks, S = {S}, depth {DEPTH}, z3): BMC {:.1} s, \
         covers {:.1} s ({})",
        bmc.secs,
        covers.secs,
        dir.display()
    );
    assert!(
        bmc.passed,
        "the coherence unit fails its formal check: {:?} in cycle {:?}\n{}\n{}",
        failed(&bmc.log),
        last_step(&bmc.log),
        trace(&dir.join("cex.vcd")),
        bmc.log
    );
    let mut missing = Vec::new();
    for c in COVERS {
        let step = covers
            .log
            .lines()
            .filter_map(|l| {
                l.split(&format!("Reached cover statement at {c} in step "))
                    .nth(1)
            })
            .next();
        match step {
            Some(s) => eprintln!("  {c}: cycle {}", s.trim_end_matches('.')),
            None => missing.push(c),
        }
    }
    assert!(
        covers.passed && missing.is_empty(),
        "covers not reached within {DEPTH} cycles: {missing:?}\n{}",
        covers.log
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same check on a unit whose tile 1 ignores invalidations finds a counterexample to
/// "one writer or many readers".
#[test]
fn a_unit_that_ignores_invalidations_fails_the_formal_check() {
    let dir = prepare("fault", &export(Some(1)));
    let bmc = smtbmc(&dir, &["--dump-vcd", "cex.vcd"]);
    let step = last_step(&bmc.log);
    eprintln!(
        "faulty unit: {:?} fails in cycle {step:?} ({:.1} s)\n{}",
        failed(&bmc.log),
        bmc.secs,
        trace(&dir.join("cex.vcd"))
    );
    assert!(
        !bmc.passed && bmc.log.contains("BMC failed!"),
        "the faulty unit passed:\n{}",
        bmc.log
    );
    assert!(
        failed(&bmc.log).iter().any(|a| a == "a1_swmr"),
        "the faulty unit fails, but not one writer or many readers:\n{}",
        bmc.log
    );
    let _ = std::fs::remove_dir_all(&dir);
}
