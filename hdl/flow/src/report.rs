//! The build report: what nextpnr-ice40 placed (logic cells, block RAMs, SPRAMs, PLLs), the
//! Fmax of each clock against the core clock, and the tool versions. Written as report.json
//! and report.txt in the build folder.

use crate::FlowError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub used: u32,
    pub available: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockTiming {
    /// nextpnr's name for the clock net.
    pub name: String,
    pub fmax_mhz: f64,
    pub target_mhz: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepTime {
    pub step: String,
    pub seconds: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub board: String,
    pub device: String,
    pub package: String,
    /// Cores in the SoC.
    pub cores: usize,
    /// With several cores: each core's RAM and cache ("core 0 4096 words, cores 1.. 1024; 2 cache lines").
    pub core_ram: String,
    pub core_clock_mhz: f64,
    /// The lowest Fmax over the design's clocks.
    pub fmax_mhz: f64,
    pub timing_met: bool,
    pub clocks: Vec<ClockTiming>,
    /// ICESTORM_LC
    pub logic_cells: Usage,
    /// ICESTORM_RAM (SB_RAM40_4K)
    pub block_rams: Usage,
    /// ICESTORM_SPRAM (SB_SPRAM256KA)
    pub sprams: Usage,
    /// ICESTORM_PLL
    pub plls: Usage,
    /// SB_IO
    pub io: Usage,
    pub key_unit: String,
    /// nextpnr's placer and seed ("heap, seed 3").
    pub placement: String,
    /// Where the RAM image came from, and its length in words.
    pub image: String,
    pub image_words: usize,
    /// The bitstream's file name in the build folder (None when timing failed).
    pub bitstream: Option<String>,
    pub bitstream_bytes: Option<u64>,
    pub steps: Vec<StepTime>,
    /// Tool name → version line.
    pub tools: BTreeMap<String, String>,
}

/// What the flow reads from nextpnr-ice40's `--report` JSON.
#[derive(Debug, Default)]
pub struct PnrFigures {
    pub utilization: BTreeMap<String, Usage>,
    pub clocks: Vec<ClockTiming>,
}

/// Parses nextpnr-ice40 0.4's `--report` file: `{"fmax": {CLOCK: {"achieved": MHz,
/// "constraint": MHz}}, "utilization": {BEL: {"used": n, "available": n}}, ...}`.
pub fn parse_nextpnr_report(path: &Path) -> Result<PnrFigures, FlowError> {
    let text = std::fs::read_to_string(path).map_err(|e| FlowError::io(path, e))?;
    let bad = |message: String| FlowError::ToolOutput {
        path: path.to_path_buf(),
        message,
    };
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
    let mut out = PnrFigures::default();
    let util = v
        .get("utilization")
        .and_then(|u| u.as_object())
        .ok_or_else(|| bad("no \"utilization\" object".into()))?;
    for (bel, u) in util {
        let used = u.get("used").and_then(|x| x.as_u64());
        let available = u.get("available").and_then(|x| x.as_u64());
        if let (Some(used), Some(available)) = (used, available) {
            out.utilization.insert(
                bel.clone(),
                Usage {
                    used: used as u32,
                    available: available as u32,
                },
            );
        }
    }
    if !out.utilization.contains_key("ICESTORM_LC") {
        return Err(bad("no ICESTORM_LC in \"utilization\"".into()));
    }
    let fmax = v
        .get("fmax")
        .and_then(|u| u.as_object())
        .ok_or_else(|| bad("no \"fmax\" object".into()))?;
    for (clock, f) in fmax {
        let achieved = f.get("achieved").and_then(|x| x.as_f64());
        let constraint = f.get("constraint").and_then(|x| x.as_f64());
        match (achieved, constraint) {
            (Some(a), Some(c)) => out.clocks.push(ClockTiming {
                name: clock.clone(),
                fmax_mhz: a,
                target_mhz: c,
            }),
            _ => {
                return Err(bad(format!(
                    "clock {clock}: no achieved/constraint figures"
                )))
            }
        }
    }
    if out.clocks.is_empty() {
        return Err(bad(
            "no clock in \"fmax\" (is the design clocked at all?)".into()
        ));
    }
    Ok(out)
}

impl Report {
    /// The slowest clock, the one that decides whether timing is met.
    pub fn worst_clock(&self) -> Option<&ClockTiming> {
        self.clocks
            .iter()
            .min_by(|a, b| (a.fmax_mhz - a.target_mhz).total_cmp(&(b.fmax_mhz - b.target_mhz)))
    }

    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let pct = |u: &Usage| {
            if u.available == 0 {
                String::new()
            } else {
                format!(" ({:.0}%)", 100.0 * u.used as f64 / u.available as f64)
            }
        };
        let _ = writeln!(t, "j1k build report: {}", self.board);
        let _ = writeln!(t, "device        {} {}", self.device, self.package);
        let _ = writeln!(t, "cores         {} ({})", self.cores, self.core_ram);
        let _ = writeln!(t, "key unit      {}", self.key_unit);
        let _ = writeln!(t, "placement     {}", self.placement);
        let _ = writeln!(
            t,
            "image         {} ({} words)",
            self.image, self.image_words
        );
        let _ = writeln!(t);
        for (name, u) in [
            ("logic cells", &self.logic_cells),
            ("block RAMs", &self.block_rams),
            ("SPRAMs", &self.sprams),
            ("PLLs", &self.plls),
            ("I/O pins", &self.io),
        ] {
            let _ = writeln!(t, "{name:<13} {:>5} / {:<5}{}", u.used, u.available, pct(u));
        }
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "Fmax          {:.2} MHz against a {:.2} MHz core clock: {}",
            self.fmax_mhz,
            self.core_clock_mhz,
            if self.timing_met {
                format!(
                    "met ({:+.1}%)",
                    100.0 * (self.fmax_mhz / self.core_clock_mhz - 1.0)
                )
            } else {
                "NOT MET".to_string()
            }
        );
        for c in &self.clocks {
            let _ = writeln!(
                t,
                "  clock {}: {:.2} MHz (target {:.2} MHz)",
                c.name, c.fmax_mhz, c.target_mhz
            );
        }
        let _ = writeln!(t);
        match (&self.bitstream, self.bitstream_bytes) {
            (Some(b), Some(n)) => {
                let _ = writeln!(t, "bitstream     {b} ({n} bytes)");
            }
            _ => {
                let _ = writeln!(t, "bitstream     none (timing not met)");
            }
        }
        for s in &self.steps {
            let _ = writeln!(t, "  {:<14} {:.1} s", s.step, s.seconds);
        }
        let _ = writeln!(t);
        for (tool, v) in &self.tools {
            let _ = writeln!(t, "{tool:<15}{v}");
        }
        t
    }
}
