//! The `j1k` command as users run it: files in, bytes out, exit statuses.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn j1k() -> Command {
    Command::new(env!("CARGO_BIN_EXE_j1k"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stats(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn asm_writes_three_formats_that_run_alike() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for ext in ["hex", "bin", "ihex"] {
        let img = dir.path().join(format!("hello.{ext}"));
        ok(j1k()
            .args(["asm"])
            .arg(example("hello.fs"))
            .arg("-o")
            .arg(&img)
            .output()
            .unwrap());
        let st = dir.path().join(format!("{ext}.json"));
        let out = ok(j1k()
            .arg("sim")
            .arg(&img)
            .arg("--stats-json")
            .arg(&st)
            .output()
            .unwrap());
        outputs.push((out.stdout, stats(&st)["cycles"].as_u64().unwrap()));
    }
    assert_eq!(outputs[0].0, b"Hello, world!\n");
    assert!(outputs.iter().all(|o| o == &outputs[0]), "{outputs:?}");
}

#[test]
fn listing_symbols_and_disasm() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("fib.hex");
    let lst = dir.path().join("fib.lst");
    let sym = dir.path().join("fib.sym");
    ok(j1k()
        .arg("asm")
        .arg(example("fib.fs"))
        .arg("-o")
        .arg(&img)
        .arg("--listing")
        .arg(&lst)
        .arg("--symbols")
        .arg(&sym)
        .output()
        .unwrap());
    let symbols = std::fs::read_to_string(&sym).unwrap();
    assert!(symbols.contains("fib"), "{symbols}");
    assert!(symbols.contains("main"), "{symbols}");
    let listing = std::fs::read_to_string(&lst).unwrap();
    assert!(listing.contains("dup 2 < if exit then"), "{listing}");
    let out = ok(j1k().arg("disasm").arg(&img).output().unwrap());
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("0000  0") && first.contains("jmp $"),
        "{first}"
    );
}

#[test]
fn source_and_image_take_the_same_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("fib.bin");
    ok(j1k()
        .arg("asm")
        .arg(example("fib.fs"))
        .arg("-o")
        .arg(&img)
        .output()
        .unwrap());
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    ok(j1k()
        .arg("sim")
        .arg(example("fib.fs"))
        .arg("--stats-json")
        .arg(&a)
        .output()
        .unwrap());
    ok(j1k()
        .arg("sim")
        .arg(&img)
        .arg("--stats-json")
        .arg(&b)
        .output()
        .unwrap());
    let (a, b) = (stats(&a), stats(&b));
    assert!(a["cycles"].as_u64().unwrap() > 1000);
    assert_eq!(a["cycles"], b["cycles"]);
    assert_eq!(a["instructions"], b["instructions"]);
}

/// Input through a slow pipe gives the same output and cycle count as the same
/// bytes from a file: the simulator waits for the writer instead of racing it.
#[test]
fn piped_input_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let input = b"slow and steady\nwins\n";
    let file = dir.path().join("in.txt");
    std::fs::write(&file, input).unwrap();
    let from_file = dir.path().join("file.json");
    let out1 = ok(j1k()
        .arg("sim")
        .arg(example("upper_echo.fs"))
        .args(["--idle-cycles", "50000", "--stats-json"])
        .arg(&from_file)
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap());

    let from_pipe = dir.path().join("pipe.json");
    let mut child = j1k()
        .arg("sim")
        .arg(example("upper_echo.fs"))
        .args(["--idle-cycles", "50000", "--stats-json"])
        .arg(&from_pipe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for chunk in input.chunks(3) {
        stdin.write_all(chunk).unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(30));
    }
    drop(stdin);
    let out2 = ok(child.wait_with_output().unwrap());

    assert_eq!(out1.stdout, input.to_ascii_uppercase());
    assert_eq!(out1.stdout, out2.stdout);
    assert_eq!(stats(&from_file)["cycles"], stats(&from_pipe)["cycles"]);
}

#[test]
fn max_cycles_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("spin.fs");
    std::fs::write(&src, ": main begin 1 drop again ;\n").unwrap();
    let out = j1k()
        .arg("sim")
        .arg(&src)
        .args(["--max-cycles", "1000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--max-cycles 1000"), "{err}");
}

#[test]
fn errors_name_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("bad.fs");
    std::fs::write(&src, ": main\n  dup frobnicate ;\n").unwrap();
    let img = dir.path().join("bad.hex");
    let out = j1k()
        .arg("asm")
        .arg(&src)
        .arg("-o")
        .arg(&img)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.fs:2:7"), "{}", stderr(&out));
    assert!(!img.exists(), "a failed assembly writes nothing");

    let odd = dir.path().join("odd.bin");
    std::fs::write(&odd, [1u8, 2, 3]).unwrap();
    let out = j1k().arg("sim").arg(&odd).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("byte offset 2"), "{}", stderr(&out));

    let hex = dir.path().join("bad.hex");
    std::fs::write(&hex, "0000\n12345\n").unwrap();
    let out = j1k().arg("disasm").arg(&hex).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("line 2, column 1"),
        "{}",
        stderr(&out)
    );

    let out = j1k()
        .arg("disasm")
        .arg(dir.path().join("x.elf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("extension"), "{}", stderr(&out));

    let out = j1k()
        .arg("sim")
        .arg(dir.path().join("missing.fs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing.fs"), "{}", stderr(&out));
}

#[test]
fn a_live_line_refuses_the_deterministic_observers() {
    for extra in ["--lockstep", "--trace"] {
        let out = j1k()
            .arg("sim")
            .arg(example("hello.fs"))
            .arg("--pty")
            .arg(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("live line"), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "no pty was opened");
    }
    let out = j1k().args(["sim", "--baud", "115200"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--baud needs --pty");
}

/// `--rtl` runs the Verilated hardware with the same console and counts the
/// same cycles; `--lockstep` runs both and agrees.
#[test]
fn rtl_and_lockstep() {
    let dir = tempfile::tempdir().unwrap();
    let rust = dir.path().join("rust.json");
    let rtl = dir.path().join("rtl.json");
    let lock = dir.path().join("lock.json");
    let input = b"keys and blocks\n";
    let run = |flags: &[&str], stats: &Path| {
        let mut child = j1k()
            .arg("sim")
            .arg(example("upper_echo.fs"))
            .args(["--idle-cycles", "20000", "--stats-json"])
            .arg(stats)
            .args(flags)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        ok(child.wait_with_output().unwrap()).stdout
    };
    let out_rust = run(&[], &rust);
    let out_rtl = run(&["--rtl"], &rtl);
    let out_lock = run(&["--lockstep"], &lock);
    assert_eq!(out_rust, input.to_ascii_uppercase());
    assert_eq!(out_rtl, out_rust);
    assert_eq!(out_lock, out_rust);
    let (rust, rtl, lock) = (stats(&rust), stats(&rtl), stats(&lock));
    assert_eq!(rtl["model"], "rtl");
    assert_eq!(rust["cycles"], rtl["cycles"]);
    assert_eq!(rust["cycles"], lock["cycles"]);
    assert_eq!(rtl["end"], "idle");

    let out = j1k()
        .arg("sim")
        .arg(example("hello.fs"))
        .args(["--rtl", "--trace"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "--trace observes the Rust model only"
    );
}

#[test]
fn trace_and_vcd() {
    let dir = tempfile::tempdir().unwrap();
    let vcd = dir.path().join("hello.vcd");
    let out = ok(j1k()
        .arg("sim")
        .arg(example("hello.fs"))
        .arg("--trace")
        .arg("--vcd")
        .arg(&vcd)
        .output()
        .unwrap());
    assert_eq!(out.stdout, b"Hello, world!\n");
    let trace = stderr(&out);
    assert!(trace.lines().count() > 100, "one line per cycle");
    assert!(trace.contains("jmp"), "trace shows disassembly");
    let wave = std::fs::read_to_string(&vcd).unwrap();
    assert!(
        wave.contains("$var") && wave.contains("$enddefinitions"),
        "{}",
        &wave[..wave.len().min(400)]
    );
}

/// `--cores N` on the simulator: every core's entry in the stats, the unit's totals, the
/// coherence check; and what it refuses, with the same range as `build` and `verilog`.
#[test]
fn sim_runs_several_cores() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("s.json");
    let out = ok(j1k()
        .arg("sim")
        .arg(example("smp_count.fs"))
        .args(["--cores", "4", "--check-coherence", "--stats-json"])
        .arg(&json)
        .output()
        .unwrap());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2000 2000 \n");
    let s = stats(&json);
    let cores = s["cores"].as_array().unwrap();
    assert_eq!(cores.len(), 4);
    for (k, c) in cores.iter().enumerate() {
        assert_eq!(c["id"], k);
        for field in [
            "hits",
            "misses",
            "invalidations",
            "writebacks",
            "stall_cycles",
            "wait_cycles",
        ] {
            assert!(c[field].is_u64(), "core {k}: {field}");
        }
        assert!(
            c["misses"].as_u64().unwrap() > 0,
            "core {k} shares the block"
        );
    }
    assert!(s["unit"]["fills"].as_u64().unwrap() > 0);
    assert_eq!(s["end"], "halted");

    let hello = example("hello.fs");
    let hello = hello.to_str().unwrap();
    for (args, what) in [
        (vec!["sim", hello, "--cores", "9"], "1..=8"),
        (
            vec!["build", "--board", "icestick", "--cores", "9"],
            "1..=8",
        ),
        (
            vec!["verilog", "--board", "icestick", "--cores", "0"],
            "1..=8",
        ),
        (
            vec!["sim", hello, "--cores", "3", "--rtl"],
            "built for 1, 2 or 4 cores",
        ),
    ] {
        let out = j1k().args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr(&out).contains(what), "{args:?}: {}", stderr(&out));
    }
}

/// Issue 16: the store sizes' limits are the machine's (2 to 32768), named at parse time
/// for any number, not the type's 0..=65535.
#[test]
fn store_sizes_name_their_limits() {
    let hello = example("hello.fs");
    let hello = hello.to_str().unwrap();
    for (flag, n) in [
        ("--blocks", "70000"),
        ("--blocks", "40000"),
        ("--nodes", "1"),
    ] {
        let out = j1k().args(["sim", hello, flag, n]).output().unwrap();
        assert!(!out.status.success(), "{flag} {n}");
        assert!(
            stderr(&out).contains("2..=32768"),
            "{flag} {n}: {}",
            stderr(&out)
        );
    }
}

/// Issue 16: the exit statuses are numbered in one place and `j1k --help` lists them; each
/// one a test here or in pty_board.rs/lockstep tests produces is the listed one.
#[test]
fn help_lists_the_exit_statuses() {
    let out = j1k().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Exit status:",
        "  0  done",
        "  1  an error",
        "  2  the command line was refused",
        "  3  `sim --lockstep`",
        "  4  `sim --check-coherence`",
        "  5  `sim --max-cycles`",
    ] {
        assert!(help.contains(line), "{line:?} not in:\n{help}");
    }
    // a refused command line: 2, with clap's message
    let out = j1k().args(["sim", "--no-such-option"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--no-such-option"),
        "{}",
        stderr(&out)
    );
}

/// Issue 16: a loader error's help line is written once, `LoaderError::help`, and the
/// command prints that one (here for a port that does not exist).
#[test]
fn a_loader_error_shows_the_loaders_help() {
    let hello = example("hello.fs");
    let out = j1k()
        .args([
            "load",
            hello.to_str().unwrap(),
            "--port",
            "/nonexistent/port",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let help = j1k_loader::LoaderError::NoSuchPort {
        port: "/nonexistent/port".into(),
    }
    .help();
    // (miette wraps the line: compare the words)
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let err = words(&stderr(&out));
    assert!(err.contains(&words(&help)), "{help:?} not in:\n{err}");
}

/// Issue 16: every numeric option is checked when the command line is read, with its range
/// in the message: a timeout of `inf` or `1e30` seconds (which panicked converting to a
/// Duration) or `nan` (accepted), a line rate or a clock of 0 (accepted); and `sim --pty`
/// refuses `--max-cycles`, which it would ignore (it serves until killed). Nothing here
/// reaches a port: the command line is refused first.
#[test]
fn numeric_options_are_checked_at_parse_time() {
    let hello = example("hello.fs");
    let hello = hello.to_str().unwrap();
    let port = ["--port", "/nonexistent/port"];
    for (args, what) in [
        (
            vec!["load", hello, "--connect-timeout", "inf"],
            "0.05 to 3600",
        ),
        (
            vec!["load", hello, "--connect-timeout", "1e30"],
            "0.05 to 3600",
        ),
        (
            vec!["load", hello, "--connect-timeout", "nan"],
            "0.05 to 3600",
        ),
        (
            vec!["load", hello, "--connect-timeout", "0"],
            "0.05 to 3600",
        ),
        (vec!["load", hello, "--latency", "nan"], "0 to 60"),
        (vec!["load", hello, "--latency=-1"], "0 to 60"),
        (vec!["load", hello, "--latency", "61"], "0 to 60"),
        (vec!["load", hello, "--baud", "0"], "1.."),
        (vec!["monitor", "--baud", "0"], "1.."),
        (vec!["sim", "--pty", "--baud", "0"], "1.."),
        (vec!["sim", "--pty", "--clock-hz", "0"], "1.."),
        (vec!["sim", "--pty", "--max-cycles", "5"], "--max-cycles"),
    ] {
        let serial = matches!(args[0], "load" | "monitor");
        let out = j1k()
            .args(&args)
            .args(if serial { &port[..] } else { &[] })
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(what), "{args:?}: {}", stderr(&out));
    }
}

/// Issue 16: UART output or a trace that cannot be written (here a full disk, /dev/full)
/// fails the run with exit status 1 and, where stderr works, the reason; before, the run
/// exited 0 (stdout) or panicked printing its report (stderr, exit 101).
#[test]
fn output_that_cannot_be_written_fails_the_run() {
    let hello = example("hello.fs");
    let hello = hello.to_str().unwrap();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full (Linux)")
    };
    let out = j1k().args(["sim", hello]).stdout(full()).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let image = std::env::temp_dir().join(format!("j1k-full-{}.hex", std::process::id()));
    std::fs::write(&image, "8001\n".repeat(4000)).unwrap();
    let dis = j1k()
        .arg("disasm")
        .arg(&image)
        .stdout(full())
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&image);
    assert_eq!(dis.status.code(), Some(1), "disasm: {}", stderr(&dis));
    assert!(
        stderr(&out).contains("<stdout>") && stderr(&out).contains("No space"),
        "{}",
        stderr(&out)
    );
    for extra in [&[][..], &["--max-cycles", "100"][..]] {
        let out = j1k()
            .args(["sim", hello, "--trace"])
            .args(extra)
            .stderr(full())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "--trace {extra:?}");
    }
}

/// Issue 16: an image's error and a file's error are printed once (they were printed
/// after `×` and again after `╰─▶`, as the error's message and as its source).
#[test]
fn file_and_image_errors_are_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.hex");
    std::fs::write(&bad, "8001\nzz\n").unwrap();
    let missing = dir.path().join("missing.hex");
    for (path, reason) in [
        (&bad, "is not a 16-bit hex word"),
        (&missing, "No such file or directory"),
    ] {
        let out = j1k().arg("disasm").arg(path).output().unwrap();
        assert!(!out.status.success());
        let err = stderr(&out).replace("\n  │ ", " ");
        assert_eq!(err.matches(reason).count(), 1, "{err}");
    }
}

/// Issue 16: outputs are checked before the work: an output that would overwrite the
/// source or another output, or that lies in no folder, stops `asm` before it writes
/// anything (it overwrote the source silently, or failed after writing the image) and `sim`
/// before it runs (it failed only after the whole run).
#[test]
fn outputs_are_checked_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("p.fs");
    let text = ": main  halt ;\n";
    std::fs::write(&src, text).unwrap();
    let img = dir.path().join("p.hex");
    let nodir = dir.path().join("no/p.lst");
    for (flag, path, what) in [
        ("--listing", src.clone(), "would overwrite the input"),
        ("--symbols", img.clone(), "would overwrite -o"),
        ("--listing", nodir.clone(), "no folder"),
        ("--listing", dir.path().to_path_buf(), "a folder"),
    ] {
        let out = j1k()
            .arg("asm")
            .arg(&src)
            .arg("-o")
            .arg(&img)
            .arg(flag)
            .arg(&path)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flag} {path:?}");
        assert!(stderr(&out).contains(what), "{flag}: {}", stderr(&out));
        assert_eq!(
            std::fs::read_to_string(&src).unwrap(),
            text,
            "the source is kept"
        );
        assert!(!img.exists(), "{flag}: nothing written");
    }
    let hello = example("hello.fs");
    let out = j1k()
        .arg("sim")
        .arg(&hello)
        .arg("--stats-json")
        .arg(dir.path().join("no/s.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no folder"), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "the program ran: {:?}", out.stdout);
}

/// Issue 16: the idle rule ends a run only while the program waits for input that cannot
/// come (it keeps looking at the empty receiver), never during a computation, and a run it
/// ends says so in one line on stderr. On the Rust model and on the RTL alike.
#[test]
fn the_idle_rule_ends_only_a_wait_for_input() {
    let dir = tempfile::tempdir().unwrap();
    let words = ": emit  begin $2000 io@ 1 and until $1000 io! ;\n\
                 : spin ( n -- )  begin 1 - dup 0 = until drop ;\n\
                 : work  5 begin 0 spin 1 - dup 0 = until drop ;\n";
    let program = |name: &str, main: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, format!("{words}: main  {main} ;\n")).unwrap();
        p
    };
    // About 2.6 M cycles of work between `A` and `B`, with no look at RX: emit's polls of
    // the TX-ready bit read the UART status too, but a byte moves right after them.
    let compute = program("compute.fs", "65 emit work 66 emit 10 emit halt");
    // One look at the empty receiver, then the same work: not a wait.
    let peek = program("peek.fs", "$2000 io@ drop work 66 emit 10 emit halt");
    // Waits for a key that never comes.
    let wait = program("wait.fs", "65 emit begin $2000 io@ 2 and until halt");
    for model in [&[][..], &["--rtl"][..]] {
        let run = |p: &Path| {
            ok(j1k()
                .arg("sim")
                .arg(p)
                .args(["--idle-cycles", "100000"])
                .args(model)
                .stdin(Stdio::null())
                .output()
                .unwrap())
        };
        for (p, out) in [(&compute, "AB\n"), (&peek, "B\n")] {
            let o = run(p);
            assert_eq!(String::from_utf8_lossy(&o.stdout), out, "{model:?} {p:?}");
            assert!(!stderr(&o).contains("waited"), "{model:?}: {}", stderr(&o));
        }
        let o = run(&wait);
        assert_eq!(String::from_utf8_lossy(&o.stdout), "A", "{model:?}");
        let err = stderr(&o);
        assert!(
            err.contains("the program waited 100000 cycles for input after the input ended"),
            "{model:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// Issue 16: an input that is not a regular file (a symlink to /dev/zero) is refused before
/// it is read — as an image (disasm, sim, load, build --image, verilog --image), a source
/// (asm, sim) or a board file — and an input past the largest valid one is refused too,
/// instead of being read until memory runs out.
#[test]
fn inputs_must_be_regular_files_of_a_bounded_size() {
    let dir = tempfile::tempdir().unwrap();
    let at = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    for n in ["z.hex", "z.fs", "z.toml"] {
        std::os::unix::fs::symlink("/dev/zero", dir.path().join(n)).unwrap();
    }
    let big = dir.path().join("big.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 << 20)
        .unwrap();
    let (hex, fs, toml) = (at("z.hex"), at("z.fs"), at("z.toml"));
    let out = at("out.hex");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["disasm", &hex], "not a regular file"),
        (vec!["sim", &hex], "not a regular file"),
        (vec!["sim", &fs], "not a regular file"),
        (vec!["asm", &fs, "-o", &out], "not a regular file"),
        (
            vec!["verilog", "--board", "hx8k-breakout", "--image", &hex],
            "not a regular file",
        ),
        (
            vec!["build", "--board", "hx8k-breakout", "--image", &fs],
            "not a regular file",
        ),
        (
            vec!["load", &hex, "--port", "/dev/null"],
            "not a regular file",
        ),
        (vec!["build", "--board", &toml], "not a regular file"),
        (
            vec!["build", "--board", big.to_str().unwrap()],
            "larger than 1048576 bytes",
        ),
    ];
    for (args, what) in cases {
        let o = j1k().args(&args).stdin(Stdio::null()).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(what), "{args:?}: {}", stderr(&o));
    }
}
