//! yosys → nextpnr-ice40 → icepack, in one folder, with a log per tool and a report.

use crate::board::Board;
use crate::report::{parse_nextpnr_report, Report, StepTime, Usage};
use crate::{shell, FlowError};
use j1k_isa::image::{self, Format};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A command the flow runs, and the Debian package it comes in.
#[derive(Clone, Copy, Debug)]
pub struct Tool {
    pub command: &'static str,
    pub package: &'static str,
}

pub const TOOLS: &[Tool] = &[
    Tool {
        command: "yosys",
        package: "yosys",
    },
    Tool {
        command: "nextpnr-ice40",
        package: "nextpnr-ice40",
    },
    Tool {
        command: "icepack",
        package: "fpga-icestorm",
    },
];

/// Where the flow reports what it is doing. `tick` comes about ten times a second while a
/// tool runs, with the last line of its log.
pub trait Progress {
    fn start(&mut self, step: &str);
    fn tick(&mut self, last_log_line: &str);
    fn finish(&mut self, step: &str, elapsed: Duration, ok: bool);
}

/// A [`Progress`] that says nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str) {}
    fn tick(&mut self, _: &str) {}
    fn finish(&mut self, _: &str, _: Duration, _: bool) {}
}

pub struct BuildOptions<'a> {
    pub board: &'a Board,
    /// Verilog of module `j1k_soc` (with its RAM image inside).
    pub soc_verilog: &'a str,
    /// The RAM image the SoC was made with: written as image.hex beside the Verilog.
    pub image: &'a [u16],
    /// Where the image came from, for the report.
    pub image_source: String,
    pub out_dir: &'a Path,
    /// nextpnr's placer and seed.
    pub placement: Placement,
}

/// nextpnr-ice40's placer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Placer {
    /// The analytic placer, nextpnr's default.
    #[default]
    Heap,
    /// Simulated annealing: slower, and on the HX8K key build about 10% faster hardware
    /// (docs/performance.md), but nextpnr's SA can hang while placing
    /// (YosysHQ/nextpnr#1211; seen here on the UP5K and the HX1K).
    Sa,
}

impl Placer {
    pub fn name(self) -> &'static str {
        match self {
            Placer::Heap => "heap",
            Placer::Sa => "sa",
        }
    }
}

/// How nextpnr places: the placer and the seed (nextpnr's default seed when `None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    pub placer: Placer,
    pub seed: Option<u64>,
}

impl Placement {
    /// As the report prints it: "heap, seed 3" or "heap, nextpnr's default seed".
    pub fn describe(&self) -> String {
        match self.seed {
            Some(s) => format!("{}, seed {s}", self.placer.name()),
            None => format!("{}, nextpnr's default seed", self.placer.name()),
        }
    }

    fn args(&self) -> Vec<String> {
        let mut a = vec!["--placer".to_string(), self.placer.name().to_string()];
        if let Some(s) = self.seed {
            a.push("--seed".into());
            a.push(s.to_string());
        }
        a
    }
}

/// Finds a command on PATH (as `Command` will).
pub fn find_on_path(command: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(command))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// Every flow tool is on PATH, or the error lists the missing ones with their packages.
pub fn check_tools() -> Result<(), FlowError> {
    let missing: Vec<(String, String)> = TOOLS
        .iter()
        .filter(|t| find_on_path(t.command).is_none())
        .map(|t| (t.command.to_string(), t.package.to_string()))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(FlowError::ToolMissing { missing })
    }
}

/// The first line a command prints for its version.
fn version_of(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
}

/// The tools' versions (icepack has no version flag: the Debian package's version stands in).
pub fn tool_versions() -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    let unknown = || "unknown".to_string();
    v.insert(
        "yosys".into(),
        version_of("yosys", &["-V"]).unwrap_or_else(unknown),
    );
    v.insert(
        "nextpnr-ice40".into(),
        version_of("nextpnr-ice40", &["--version"]).unwrap_or_else(unknown),
    );
    v.insert(
        "icepack".into(),
        version_of(
            "dpkg-query",
            &["-W", "-f", "fpga-icestorm ${Version}", "fpga-icestorm"],
        )
        .filter(|l| l.starts_with("fpga-icestorm "))
        .unwrap_or_else(|| "fpga-icestorm (version unknown)".into()),
    );
    v
}

/// The last non-empty line of a (growing) log file.
fn last_line(path: &Path) -> String {
    let Ok(mut f) = File::open(path) else {
        return String::new();
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = f.seek(SeekFrom::Start(len.saturating_sub(4096)));
    let mut buf = Vec::new();
    let _ = f.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf)
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_string()
}

fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs `cmd args` in `dir` with stdout and stderr into `dir/log` (after the command line),
/// ticking `progress`.
fn run_tool(
    dir: &Path,
    step: &str,
    cmd: &str,
    args: &[String],
    log: &str,
    progress: &mut dyn Progress,
    steps: &mut Vec<StepTime>,
) -> Result<(), FlowError> {
    let log_path = dir.join(log);
    let mut file = File::create(&log_path).map_err(|e| FlowError::io(&log_path, e))?;
    // The command line first, so that the log says how the step was run.
    writeln!(file, "$ {cmd} {}", args.join(" ")).map_err(|e| FlowError::io(&log_path, e))?;
    let file2 = file.try_clone().map_err(|e| FlowError::io(&log_path, e))?;
    progress.start(step);
    let t0 = Instant::now();
    let spawned = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(file2))
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            progress.finish(step, t0.elapsed(), false);
            let t = TOOLS.iter().find(|t| t.command == cmd);
            return Err(FlowError::ToolMissing {
                missing: vec![(
                    cmd.to_string(),
                    t.map(|t| t.package).unwrap_or(cmd).to_string(),
                )],
            });
        }
        Err(e) => return Err(FlowError::io(Path::new(cmd), e)),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) => {
                progress.tick(&last_line(&log_path));
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(FlowError::io(Path::new(cmd), e)),
        }
    };
    let elapsed = t0.elapsed();
    progress.finish(step, elapsed, status.success());
    steps.push(StepTime {
        step: step.to_string(),
        seconds: (elapsed.as_secs_f64() * 10.0).round() / 10.0,
    });
    if !status.success() {
        return Err(FlowError::ToolFailed {
            tool: cmd.to_string(),
            status: match status.code() {
                Some(c) => format!("exit status {c}"),
                None => "killed by a signal".to_string(),
            },
            log: log_path.clone(),
            tail: tail(&log_path, 8),
        });
    }
    Ok(())
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), FlowError> {
    std::fs::write(path, bytes).map_err(|e| FlowError::io(path, e))
}

/// MHz for nextpnr's `--freq`: as few digits as exact.
fn mhz_arg(hz: u32) -> String {
    let s = format!("{:.6}", hz as f64 / 1e6);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Files the flow writes in the build folder.
pub mod files {
    pub const SHELL: &str = "top.v";
    pub const SOC: &str = "j1k_soc.v";
    pub const IMAGE: &str = "image.hex";
    pub const YOSYS_LOG: &str = "yosys.log";
    pub const NEXTPNR_LOG: &str = "nextpnr.log";
    pub const NEXTPNR_REPORT: &str = "nextpnr-report.json";
    pub const ICEPACK_LOG: &str = "icepack.log";
    pub const REPORT_JSON: &str = "report.json";
    pub const REPORT_TXT: &str = "report.txt";
}

/// Builds the bitstream for `opts.board` in `opts.out_dir`: top.v (the shell), j1k_soc.v,
/// NAME.pcf, image.hex, NAME.json (yosys), NAME.asc (nextpnr-ice40), NAME.bin (icepack), a log
/// per tool, report.json and report.txt. Fails when a tool is missing or fails, or when
/// timing is not met (the reports are written first; the bitstream is not).
pub fn build(opts: &BuildOptions, progress: &mut dyn Progress) -> Result<Report, FlowError> {
    check_tools()?;
    let b = opts.board;
    let dir = opts.out_dir;
    std::fs::create_dir_all(dir).map_err(|e| FlowError::io(dir, e))?;
    let name = &b.name;
    let (json, asc, bin, pcf) = (
        format!("{name}.json"),
        format!("{name}.asc"),
        format!("{name}.bin"),
        format!("{name}.pcf"),
    );
    // A stale bitstream must not survive a failed build.
    for f in [&json, &asc, &bin] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    write(&dir.join(files::SHELL), shell::shell_verilog(b))?;
    write(&dir.join(files::SOC), opts.soc_verilog)?;
    write(&dir.join(&pcf), &b.pcf)?;
    write(
        &dir.join(files::IMAGE),
        image::write(opts.image, Format::Hex),
    )?;
    let tools = tool_versions();
    let mut steps = Vec::new();

    let dev = b.device();
    // On parts with SPRAM, let yosys map memories of SPRAM shape (16K x 16, one port) to it.
    let spram = if dev.sprams > 0 { " -spram" } else { "" };
    run_tool(
        dir,
        "yosys",
        "yosys",
        &[
            "-p".into(),
            format!(
                "read_verilog {} {}; synth_ice40{spram} -top top -json {json}",
                files::SHELL,
                files::SOC
            ),
        ],
        files::YOSYS_LOG,
        progress,
        &mut steps,
    )?;

    let mut pnr_args = vec![
        format!("--{}", dev.name),
        "--package".into(),
        b.fpga.package.clone(),
        "--json".into(),
        json.clone(),
        "--pcf".into(),
        pcf.clone(),
        "--asc".into(),
        asc.clone(),
        "--freq".into(),
        mhz_arg(b.clock.core_hz),
        "--report".into(),
        files::NEXTPNR_REPORT.into(),
        // The flow judges timing itself, after the report is written.
        "--timing-allow-fail".into(),
    ];
    pnr_args.extend(opts.placement.args());
    run_tool(
        dir,
        "nextpnr-ice40",
        "nextpnr-ice40",
        &pnr_args,
        files::NEXTPNR_LOG,
        progress,
        &mut steps,
    )?;

    let figures = parse_nextpnr_report(&dir.join(files::NEXTPNR_REPORT))?;
    let usage = |bel: &str| {
        figures
            .utilization
            .get(bel)
            .copied()
            .unwrap_or(Usage::default())
    };
    let core_mhz = b.clock.core_hz as f64 / 1e6;
    let mut report = Report {
        board: name.clone(),
        device: dev.part.to_string(),
        package: b.fpga.package.clone(),
        cores: b.cores(),
        core_ram: b.core_ram_summary(),
        core_clock_mhz: core_mhz,
        fmax_mhz: figures
            .clocks
            .iter()
            .map(|c| c.fmax_mhz)
            .fold(f64::INFINITY, f64::min),
        timing_met: figures.clocks.iter().all(|c| c.fmax_mhz >= c.target_mhz),
        clocks: figures.clocks.clone(),
        logic_cells: usage("ICESTORM_LC"),
        block_rams: usage("ICESTORM_RAM"),
        sprams: usage("ICESTORM_SPRAM"),
        plls: usage("ICESTORM_PLL"),
        io: usage("SB_IO"),
        key_unit: b.key_summary(),
        placement: opts.placement.describe(),
        image: opts.image_source.clone(),
        image_words: opts.image.len(),
        bitstream: None,
        bitstream_bytes: None,
        steps,
        tools,
    };

    if report.timing_met {
        run_tool(
            dir,
            "icepack",
            "icepack",
            &[asc.clone(), bin.clone()],
            files::ICEPACK_LOG,
            progress,
            &mut report.steps,
        )?;
        let bytes = std::fs::metadata(dir.join(&bin))
            .map_err(|e| FlowError::io(&dir.join(&bin), e))?
            .len();
        report.bitstream = Some(bin.clone());
        report.bitstream_bytes = Some(bytes);
    }

    let json_text = serde_json::to_string_pretty(&report).expect("a report serialises");
    write(&dir.join(files::REPORT_JSON), json_text + "\n")?;
    write(&dir.join(files::REPORT_TXT), report.to_text())?;

    if !report.timing_met {
        let worst = report.worst_clock().expect("a report has clocks").clone();
        return Err(FlowError::TimingNotMet {
            board: name.clone(),
            clock: worst.name,
            fmax_mhz: worst.fmax_mhz,
            target_mhz: worst.target_mhz,
            report: dir.join(files::REPORT_TXT),
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_becomes_nextpnr_arguments() {
        let default = Placement::default();
        assert_eq!(default.args(), ["--placer", "heap"]);
        assert_eq!(default.describe(), "heap, nextpnr's default seed");
        let sa = Placement {
            placer: Placer::Sa,
            seed: Some(7),
        };
        assert_eq!(sa.args(), ["--placer", "sa", "--seed", "7"]);
        assert_eq!(sa.describe(), "sa, seed 7");
    }
}
