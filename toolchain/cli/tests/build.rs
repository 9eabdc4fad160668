//! `j1k boards`, `j1k verilog` and `j1k build` as users run them. The builds are real: yosys,
//! nextpnr-ice40 and icepack run, and a missing tool fails the test with the install hint
//! (the command's own error), never a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

/// The builds run one at a time: the machine has two cores and yosys wants one.
static TOOLS: Mutex<()> = Mutex::new(());

fn j1k() -> Command {
    Command::new(env!("CARGO_BIN_EXE_j1k"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(rel: &str) -> PathBuf {
    root().join("hdl/flow/tests/fixtures").join(rel)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn failed(out: Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure\nstdout: {}\nstderr: {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

fn json(path: &Path) -> serde_json::Value {
    let t = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&t).unwrap()
}

fn sim_output(image: &Path, input: &[u8]) -> String {
    sim_output_idle(image, input, 100_000)
}

/// With `idle` cycles of UART silence before the run ends (the bootloader's listening
/// window is 1.8 M cycles).
fn sim_output_idle(image: &Path, input: &[u8], idle: u64) -> String {
    sim_output_as(image, input, idle, &[])
}

/// ... on the simulator built as `machine` says (`--cores` and the like).
fn sim_output_as(image: &Path, input: &[u8], idle: u64, machine: &[&str]) -> String {
    use std::io::Write;
    let mut child = j1k()
        .arg("sim")
        .arg(image)
        .args(["--idle-cycles", &idle.to_string()])
        .args(machine)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    text(&ok(child.wait_with_output().unwrap()).stdout)
}

#[test]
fn boards_lists_the_three_boards() {
    let out = text(&ok(j1k().arg("boards").output().unwrap()).stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("board") && lines[0].contains("USB"),
        "{out}"
    );
    for (name, part, pins) in [
        ("icebreaker", "iCE40UP5K", "6/9"),
        ("hx8k-breakout", "iCE40HX8K", "B10/B12"),
        ("icestick", "iCE40HX1K", "9/8"),
    ] {
        let line = lines.iter().find(|l| l.starts_with(name)).expect(name);
        assert!(line.contains(part) && line.contains(pins), "{line}");
        assert!(line.contains("0403:6010 if B"), "{line}");
    }
    assert!(out.contains("off (J1a core alone)"), "{out}");
}

#[test]
fn the_firmware_boots_without_a_program() {
    let mut child = j1k()
        .args(["sim", "--idle-cycles", "100000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    let out = text(&ok(child.wait_with_output().unwrap()).stdout);
    assert_eq!(out, "j1k sim ready\r\n");
}

#[test]
fn banner_runs_on_the_simulator() {
    let out = sim_output(&root().join("examples/banner.fs"), b"echo me");
    assert_eq!(out, "j1k sim ready\r\necho me");
}

#[test]
fn verilog_writes_the_shell_and_soc_or_the_sim_top() {
    let dir = tempfile::tempdir().unwrap();
    let v = dir.path().join("stick.v");
    ok(j1k()
        .args(["verilog", "--board", "icestick", "-o"])
        .arg(&v)
        .output()
        .unwrap());
    let t = std::fs::read_to_string(&v).unwrap();
    assert!(
        t.contains("module top (") && t.contains("SB_PLL40_CORE #("),
        "shell"
    );
    assert!(t.contains("module j1k_soc"), "soc");
    // (issue 16: the help named "the banner", which no build uses any more)
    let help = text(&ok(j1k().args(["verilog", "--help"]).output().unwrap()).stdout);
    assert!(
        help.contains("the bootloader alone") && !help.contains("the banner"),
        "{help}"
    );
    let sim = text(&ok(j1k().args(["verilog", "--sim"]).output().unwrap()).stdout);
    assert!(sim.contains("module top"), "sim top");
    assert!(!sim.contains("SB_PLL40"), "no primitives in the sim top");
    failed(j1k().args(["verilog"]).output().unwrap());
    failed(
        j1k()
            .args(["verilog", "--sim", "--board", "icestick"])
            .output()
            .unwrap(),
    );
}

/// A core count the board file has no `[[multicore]]` entry for is refused before any tool
/// runs, naming the counts it builds.
#[test]
fn a_core_count_without_an_entry_is_refused_by_build() {
    for (board, cores, builds) in [
        ("hx8k-breakout", "3", "it builds 1, 2, 4"),
        ("icestick", "2", "it builds 1;"),
    ] {
        let err = failed(
            j1k()
                .args(["build", "--board", board, "--cores", cores])
                .output()
                .unwrap(),
        );
        assert!(
            err.contains(&format!("no build of {cores} cores"))
                && err.contains(builds)
                && err.contains("[[multicore]]"),
            "{err}"
        );
    }
}

/// `j1k verilog --cores N` writes the SoC of N cores on a block-RAM board (the cluster's
/// tiles, the coherence unit, the firmware built for N cores), and says why not elsewhere.
#[test]
fn verilog_writes_a_soc_of_several_cores() {
    let t = text(
        &ok(j1k()
            .args([
                "verilog",
                "--board",
                "hx8k-breakout",
                "--cores",
                "3",
                "--cache-lines",
                "1",
            ])
            .output()
            .unwrap())
        .stdout,
    );
    assert!(t.contains("module j1k_soc"), "soc");
    for part in [
        "j1k_soc$cluster$tiles$2",
        "j1k_soc$cluster$mem$coh",
        "j1k_soc$cluster$ctl",
    ] {
        assert!(t.contains(part), "{part}");
    }
    assert!(!t.contains("j1k_soc$cluster$tiles$3"), "three tiles");
    for (board, cores, why) in [
        ("icebreaker", "3", "SPRAM"),
        ("icestick", "2", "key unit"),
        ("hx8k-breakout", "5", "1 to 4 cores"),
    ] {
        let err = failed(
            j1k()
                .args(["verilog", "--board", board, "--cores", cores])
                .output()
                .unwrap(),
        );
        assert!(err.contains(why), "{board} {cores}: {err}");
    }
}

#[test]
fn an_unknown_placer_names_the_known_ones() {
    let err = failed(
        j1k()
            .args(["build", "--board", "icestick", "--placer", "annealing"])
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("annealing") && err.contains("heap") && err.contains("sa"),
        "{err}"
    );
}

#[test]
fn an_unknown_board_lists_the_known_ones() {
    let err = failed(j1k().args(["build", "--board", "ulx3s"]).output().unwrap());
    assert!(
        err.contains("icebreaker") && err.contains("j1k boards"),
        "{err}"
    );
}

#[test]
fn missing_tools_name_the_packages() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let err = failed(
        j1k()
            .args(["build", "--board", "icestick", "--out"])
            .arg(&out_dir)
            .env("PATH", dir.path())
            .output()
            .unwrap(),
    );
    assert!(err.contains("yosys") && err.contains("not found"), "{err}");
    assert!(
        err.contains("apt-get install yosys nextpnr-ice40 fpga-icestorm"),
        "{err}"
    );
    assert!(
        !out_dir.exists(),
        "nothing is written when tools are missing"
    );
}

/// One real build; returns the parsed report.json.
fn build(board: &str, out_dir: &Path, extra: &[&str]) -> serde_json::Value {
    let _one_at_a_time = TOOLS.lock().unwrap_or_else(|e| e.into_inner());
    let out = ok(j1k()
        .args(["build", "--board", board, "--out"])
        .arg(out_dir)
        .args(extra)
        .output()
        .unwrap());
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    // Not a terminal: one plain line per step.
    for step in ["yosys", "nextpnr-ice40", "icepack"] {
        assert!(stderr.contains(&format!("j1k build: {step} ")), "{stderr}");
    }
    assert!(stdout.contains("Fmax"), "{stdout}");
    let name = Path::new(board).file_stem().unwrap().to_str().unwrap();
    let bin = out_dir.join(format!("{name}.bin"));
    assert!(
        std::fs::metadata(&bin).unwrap().len() > 0,
        "empty bitstream"
    );
    for f in [
        "top.v",
        "j1k_soc.v",
        "image.hex",
        "yosys.log",
        "nextpnr.log",
        "icepack.log",
        "report.txt",
        &format!("{name}.pcf"),
    ] {
        assert!(out_dir.join(f).exists(), "{f} missing");
    }
    let r = json(&out_dir.join("report.json"));
    assert!(r["logic_cells"]["used"].as_u64().unwrap() > 100, "{r}");
    assert!(r["fmax_mhz"].as_f64().unwrap() >= r["core_clock_mhz"].as_f64().unwrap());
    assert_eq!(r["timing_met"], true);
    // every board here has a 12 MHz oscillator and a PLL; a build at 12 MHz leaves it out
    let osc = r["core_clock_mhz"].as_f64().unwrap() == 12.0;
    assert_eq!(r["plls"]["used"], if osc { 0 } else { 1 }, "{r}");
    assert!(r["tools"]["yosys"].as_str().unwrap().contains("Yosys"));
    assert!(r["tools"]["nextpnr-ice40"]
        .as_str()
        .unwrap()
        .contains("nextpnr"));
    let txt = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
    assert!(txt.contains("logic cells") && txt.contains("Fmax"), "{txt}");
    r
}

#[test]
fn build_icestick() {
    let dir = tempfile::tempdir().unwrap();
    let r = build("icestick", dir.path(), &[]);
    assert_eq!(r["device"], "iCE40HX1K");
    // The 4K x 16 core RAM: all 16 BRAMs of the HX1K.
    assert_eq!(r["block_rams"]["used"], 16);
    assert_eq!(r["block_rams"]["available"], 16);
    assert_eq!(r["core_clock_mhz"], 36.0);
    // The default image is the bootloader (firmware/boot.fs), whose hello carries the board's name.
    let out = sim_output(&dir.path().join("image.hex"), b"");
    assert_eq!(out, "j1k icestick ready\r\n");
}

#[test]
fn build_hx8k_breakout_with_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let hello = root().join("examples/hello.fs");
    let r = build(
        "hx8k-breakout",
        dir.path(),
        &["--image", hello.to_str().unwrap(), "--seed", "2"],
    );
    assert_eq!(r["device"], "iCE40HX8K");
    // The placement asked for reaches nextpnr (its log starts with the command line).
    assert_eq!(r["placement"], "heap, seed 2");
    let log = std::fs::read_to_string(dir.path().join("nextpnr.log")).unwrap();
    let cmd = log.lines().next().unwrap();
    assert!(
        cmd.starts_with("$ nextpnr-ice40 --hx8k") && cmd.ends_with("--placer heap --seed 2"),
        "{cmd}"
    );
    assert!(r["block_rams"]["used"].as_u64().unwrap() >= 16);
    assert!(r["image"].as_str().unwrap().contains("hello.fs"));
    // The program is stored under the bootloader: after the hello and the listening window
    // (no loader talks), it runs.
    let alone = sim_output(&hello, b"");
    let out = sim_output_idle(&dir.path().join("image.hex"), b"", 3_000_000);
    assert_eq!(out, format!("j1k hx8k-breakout ready\r\n{alone}"));
}

/// Two cores on the HX8K (the board file's `[[multicore]]` entry): the block RAMs as
/// docs/architecture.md §7 counts them, the clock met, and the image — the firmware of two
/// cores with examples/smp_count.fs under it — runs on the simulator built as the board.
#[test]
fn build_hx8k_breakout_two_cores() {
    let dir = tempfile::tempdir().unwrap();
    let prog = root().join("examples/smp_count.fs");
    let r = build(
        "hx8k-breakout",
        dir.path(),
        &["--cores", "2", "--image", prog.to_str().unwrap()],
    );
    assert_eq!(r["cores"], 2);
    assert_eq!(r["block_rams"]["used"], 30);
    assert!(
        r["core_ram"].as_str().unwrap().contains("cores 1.. 1024"),
        "{r}"
    );
    assert!(
        r["key_unit"].as_str().unwrap().starts_with("8 blocks"),
        "{r}"
    );
    let board = [
        "--cores",
        "2",
        "--worker-ram",
        "1024",
        "--cache-lines",
        "2",
        "--blocks",
        "8",
        "--nodes",
        "8",
    ];
    let out = sim_output_as(&dir.path().join("image.hex"), b"", 3_000_000, &board);
    assert_eq!(out, "j1k hx8k-breakout ready\r\n1000 1000 \n");
}

#[test]
fn build_icebreaker() {
    let dir = tempfile::tempdir().unwrap();
    let r = build("icebreaker", dir.path(), &[]);
    assert_eq!(r["device"], "iCE40UP5K");
    // The core's RAM, the node store and the key registers in block RAM, the 512 blocks in
    // all four SPRAMs.
    assert_eq!(r["block_rams"]["used"], 25);
    assert_eq!(r["sprams"]["used"], 4);
    assert_eq!(r["sprams"]["available"], 4);
}

/// Two cores on the iCEBreaker: the store in block RAM (28 of 30 used), the SPRAMs unused,
/// the 18 MHz clock met.
#[test]
fn build_icebreaker_two_cores() {
    let dir = tempfile::tempdir().unwrap();
    let r = build("icebreaker", dir.path(), &["--cores", "2"]);
    assert_eq!(r["cores"], 2);
    assert_eq!(r["block_rams"]["used"], 28);
    assert_eq!(r["sprams"]["used"], 0);
    assert!(
        r["core_ram"].as_str().unwrap().contains("cores 1.. 512"),
        "{r}"
    );
    let out = sim_output_as(
        &dir.path().join("image.hex"),
        b"",
        100_000,
        &[
            "--cores",
            "2",
            "--worker-ram",
            "512",
            "--blocks",
            "8",
            "--nodes",
            "4",
        ],
    );
    assert_eq!(out, "j1k icebreaker ready\r\n");
}

/// Four cores as the contexts of one tile circuit (docs/architecture.md §11), on the HX8K
/// and the iCEBreaker: every block RAM used as §11.6 counts them, the board clock met, and
/// the image (the firmware of four cores) runs on the simulator built as the board.
#[test]
fn build_four_cores_as_contexts() {
    for (board, brams, blocks, nodes) in [
        ("hx8k-breakout", 32, "8", "8"),
        ("icebreaker", 30, "4", "4"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let r = build(board, dir.path(), &["--cores", "4"]);
        assert_eq!(r["cores"], 4, "{board}");
        assert_eq!(r["block_rams"]["used"], brams, "{board}: {r}");
        let ram = r["core_ram"].as_str().unwrap();
        assert!(
            ram.contains("cores 1.. 256") && ram.contains("every 4 clocks"),
            "{r}"
        );
        let out = sim_output_as(
            &dir.path().join("image.hex"),
            b"",
            100_000,
            &[
                "--cores",
                "4",
                "--worker-ram",
                "256",
                "--blocks",
                blocks,
                "--nodes",
                nodes,
            ],
        );
        assert_eq!(out, format!("j1k {board} ready\r\n"));
    }
}

#[test]
fn timing_failure_is_an_error_with_a_report() {
    // A test-only board that demands 500 MHz, with the flow's stand-in SoC (a fixture).
    let _one_at_a_time = TOOLS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let err = failed(
        j1k()
            .args(["build", "--board"])
            .arg(fixture("boards/toofast.toml"))
            .arg("--soc")
            .arg(fixture("fixture_soc.v"))
            .arg("--out")
            .arg(dir.path())
            .output()
            .unwrap(),
    );
    assert!(err.contains("timing not met on toofast"), "{err}");
    assert!(err.contains("500.00 MHz"), "{err}");
    assert!(err.contains("icepll"), "the help line: {err}");
    let r = json(&dir.path().join("report.json"));
    assert_eq!(r["timing_met"], false);
    assert!(r["fmax_mhz"].as_f64().unwrap() < 500.0);
    assert_eq!(r["plls"]["used"], 0, "no PLL on this board");
    assert!(!dir.path().join("toofast.bin").exists(), "no bitstream");
    let txt = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(txt.contains("NOT MET"), "{txt}");
}

#[test]
fn a_failing_tool_points_at_its_log() {
    let _one_at_a_time = TOOLS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad_soc.v");
    std::fs::write(&bad, "module j1k_soc(input wire clock; endmodule\n").unwrap();
    let out_dir = dir.path().join("out");
    let err = failed(
        j1k()
            .args(["build", "--board", "icestick", "--soc"])
            .arg(&bad)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap(),
    );
    assert!(err.contains("yosys failed"), "{err}");
    assert!(err.contains("yosys.log"), "{err}");
    assert!(err.contains("syntax error"), "the log's last lines: {err}");
}

/// Issue 16: `--image` takes a 4096-line image whose words from the firmware's region up
/// are zero (padding, said in one line), refuses one with content there (naming the word),
/// and calls an empty image empty, not too long.
#[test]
fn zero_padding_is_taken_and_content_under_the_firmware_refused() {
    let dir = tempfile::tempdir().unwrap();
    let verilog = |image: &std::path::Path| {
        j1k()
            .args(["verilog", "--board", "icestick", "-o"])
            .arg(dir.path().join("out.v"))
            .arg("--image")
            .arg(image)
            .output()
            .unwrap()
    };
    let padded = dir.path().join("padded.hex");
    std::fs::write(&padded, "8001\n".repeat(10) + &"0000\n".repeat(4086)).unwrap();
    let o = verilog(&padded);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("words $b00..$fff are zero, taken as padding"),
        "{err}"
    );
    let mut words = vec!["0000"; 4096];
    words[0] = "8001";
    words[0xc00] = "1234";
    let content = dir.path().join("content.hex");
    std::fs::write(&content, words.join("\n")).unwrap();
    let err = failed(verilog(&content));
    assert!(
        err.contains("word 0xc00 not zero") && err.contains("shorten"),
        "{err}"
    );
    let empty = dir.path().join("empty.hex");
    std::fs::write(&empty, "").unwrap();
    let err = failed(verilog(&empty));
    assert!(
        err.contains("no words") && err.contains("at least one word"),
        "{err}"
    );
    assert!(!err.contains("shorten"), "{err}");
}

/// Issue 16: a program too long to sit under the bootloader, given to `--image`, is told to
/// shorten the program (the help pointed at `j1k sim --help`).
#[test]
fn a_too_long_image_is_told_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.hex");
    std::fs::write(&big, "8001\n".repeat(3000)).unwrap();
    let err = failed(
        j1k()
            .args(["verilog", "--board", "icestick", "--image"])
            .arg(&big)
            .output()
            .unwrap(),
    );
    assert!(
        err.contains("3000 words") && err.contains("shorten the program"),
        "{err}"
    );
    assert!(!err.contains("sim --help"), "{err}");
}
