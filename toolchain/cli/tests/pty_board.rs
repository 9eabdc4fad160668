//! The simulated board (`j1k sim --pty`, the real firmware on the Rust model or the RTL)
//! driven by `j1k load` and `j1k monitor` over real pseudo-terminals: uploads, output through
//! the monitor, a fault-injecting proxy on the line, bad input.

mod common;
use common::{full_size_image, session_report, text, SimBoard, ROOT};
use j1k_loader::link::{open_pty, Link, SerialLink};
use j1k_loader::proxy::{spawn_proxy, FaultConfig};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn j1k(args: &[&str], stdin: &[u8]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_j1k"))
        .args(args)
        .current_dir(ROOT)
        .env_remove("J1K_PORT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = c.stdin.take().unwrap();
    input.write_all(stdin).unwrap();
    drop(input);
    let o = c.wait_with_output().unwrap();
    // The board notices the port closing within a slice; give it that before the next open.
    std::thread::sleep(Duration::from_millis(50));
    o
}

/// `j1k load IMAGE --port PORT --baud 1000000 --monitor` (a board started at 1 Mbaud).
/// A simulated board lags behind its clock on a loaded machine (the RTL of two cores by
/// seconds), so the loader gives it `--latency 1`.
fn load_and_monitor(port: &str, image: &str) -> Output {
    j1k(
        &[
            "load",
            image,
            "--port",
            port,
            "--baud",
            "1000000",
            "--latency",
            "1",
            "--monitor",
        ],
        b"",
    )
}

/// Opens the port (which resets the simulated board) and collects what it sends for `for_`.
fn listen(path: &str, for_: Duration) -> Vec<u8> {
    let mut link = SerialLink::open(path, 115_200).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    let end = Instant::now() + for_;
    while Instant::now() < end {
        let n = link.recv(&mut buf, Duration::from_millis(10)).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    drop(link);
    std::thread::sleep(Duration::from_millis(50));
    got
}

#[test]
fn upload_run_and_monitor_on_the_paced_board() {
    let board = SimBoard::start(&["--baud", "1000000"]);
    let o = load_and_monitor(&board.path, "examples/hello.fs");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("board `sim`: 1 core(s)"), "{err}");
    assert!(err.contains("verified"), "{err}");
    assert!(err.contains("core 0 started"), "{err}");
    assert_eq!(out, "Hello, world!\n");
    // A new session resets the board: the hello, the window, then the stored program.
    let o = j1k(&["monitor", "--port", &board.path], b"");
    let (out, _) = text(&o);
    assert_eq!(out, "j1k sim ready\r\nHello, world!\n");
}

/// Issue #4: the paced board has the hardware UART (one-byte receive register, TX busy for
/// 10 bit times a byte). At 1 Mbaud on an 18 MHz board the host keeps two WRITEs in flight,
/// so the next frame arrives while the firmware sends its ACK: the firmware must keep
/// reading RX meanwhile. The upload completes without a single overrun or dropped byte (the
/// board's report when the port closes).
#[test]
fn a_1_mbaud_upload_on_the_hardware_uart_loses_no_byte() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let board = SimBoard::start_with_stderr(
        &["--baud", "1000000", "--clock-hz", "18000000"],
        Stdio::from(log.reopen().unwrap()),
    );
    let words = full_size_image();
    let link = SerialLink::open(&board.path, 1_000_000).unwrap();
    let mut client = j1k_loader::Client::new(
        link,
        j1k_loader::Options {
            baud: 1_000_000,
            // The simulated board lags behind its clock on a loaded machine; a timeout then
            // resends a frame that may land while the board sums for CHECK and does not
            // poll (by design, docs/protocol.md §4): lost bytes the test is not about.
            latency: Duration::from_secs(2),
            ..j1k_loader::Options::default()
        },
    );
    let r = j1k_loader::upload(
        &mut client,
        &words,
        None,
        false,
        &mut j1k_loader::progress::NoProgress,
    );
    let retransmissions = client.retransmissions;
    drop(client);
    // The board reports the session when it sees the port close.
    let report = session_report(log.path());
    drop(board);
    eprintln!("upload: {r:?}; {retransmissions} retransmissions\n{report}");
    let session = report
        .lines()
        .find(|l| l.starts_with("session 1:"))
        .unwrap_or_else(|| panic!("no session report from the board: {report:?}"));
    assert!(r.is_ok(), "the upload failed: {r:?}\n{session}");
    assert!(
        session.contains(" 0 RX overruns") && session.contains(" 0 TX bytes dropped"),
        "{session}"
    );
    assert_eq!(retransmissions, 0, "every frame answered the first time");
}

#[test]
fn the_monitor_carries_typed_input_to_the_program() {
    let board = SimBoard::start(&[]);
    let o = j1k(
        &[
            "load",
            "examples/upper_echo.fs",
            "--port",
            &board.path,
            "--monitor",
        ],
        b"keys and blocks\n",
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("KEYS AND BLOCKS"), "{out:?}");
}

#[test]
fn the_rtl_board_takes_an_upload() {
    let board = SimBoard::start(&["--rtl"]);
    let o = j1k(
        &[
            "load",
            "examples/hello.fs",
            "--port",
            &board.path,
            "--latency",
            "1",
            "--monitor",
        ],
        b"",
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("verified"), "{err}");
    assert_eq!(out, "Hello, world!\n");
}

/// The RTL board on a paced line: its receiver is the hardware's one-byte register (its TX is
/// always ready), and an upload at 1 Mbaud loses no byte.
#[test]
fn the_paced_rtl_board_takes_an_upload_without_overruns() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let board = SimBoard::start_with_stderr(
        &["--rtl", "--baud", "1000000"],
        Stdio::from(log.reopen().unwrap()),
    );
    let o = j1k(
        &[
            "load",
            "examples/hello.fs",
            "--port",
            &board.path,
            "--baud",
            "1000000",
            "--latency",
            "1",
            "--no-start",
        ],
        b"",
    );
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("verified"), "{err}");
    let report = session_report(log.path());
    drop(board);
    assert!(report.contains("TX always ready"), "{report}");
    assert!(report.contains(" 0 RX overruns"), "{report}");
}

/// Every fault at 1 in 100 bytes, both ways, through a proxy between `j1k load` and the
/// board: each upload completes and verifies (and then runs, and runs again after a reset),
/// or fails with a clear error — and then the partial image never runs, not even after a
/// reset, and the board takes the next upload over a clean line.
#[test]
fn a_faulty_line_never_starts_a_partial_image() {
    let board = SimBoard::start(&["--baud", "115200"]);
    let (mut ok, mut failed) = (0, 0);
    for seed in 1..=6u64 {
        let (master, proxy_path, _slave) = open_pty().unwrap();
        let to_board = SerialLink::open(&board.path, 115_200).unwrap();
        let proxy = spawn_proxy(
            master,
            to_board,
            FaultConfig::all(seed, 100, Duration::from_millis(3)),
        );
        let o = j1k(
            &[
                "load",
                "examples/hello.fs",
                "--port",
                &proxy_path,
                "--connect-timeout",
                "1",
            ],
            b"",
        );
        let (faults_out, faults_in) = proxy.stop();
        assert!(
            faults_out.dropped + faults_out.flipped + faults_in.dropped + faults_in.flipped > 0,
            "seed {seed}: the proxy did inject faults"
        );
        drop(_slave);
        std::thread::sleep(Duration::from_millis(50));
        let (_, err) = text(&o);
        eprintln!("seed {seed}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        // A reset, then silence: the board runs the program only if it was whole and started.
        let after =
            String::from_utf8_lossy(&listen(&board.path, Duration::from_millis(400))).into_owned();
        if o.status.success() {
            ok += 1;
            assert!(err.contains("verified"), "{err}");
            if err.contains("did not confirm") {
                // The START's ACK was lost and so were the INFO probes after it: the loader
                // says so. Either way only the verified image can have run.
                assert!(
                    after.starts_with("j1k sim ready\r\n"),
                    "seed {seed}: {after:?}"
                );
            } else {
                assert_eq!(after, "j1k sim ready\r\nHello, world!\n", "seed {seed}");
            }
        } else {
            failed += 1;
            assert!(
                err.contains("gave up") || err.contains("no answer"),
                "seed {seed}: {err}"
            );
            assert!(err.contains("help"), "{err}");
            assert_eq!(after, "j1k sim ready\r\n", "seed {seed}: nothing ran");
        }
        // The board takes the next upload over a clean line.
        let o = j1k(
            &[
                "load",
                "examples/fib.fs",
                "--port",
                &board.path,
                "--no-start",
            ],
            b"",
        );
        assert!(o.status.success(), "seed {seed}: {}", text(&o).1);
    }
    eprintln!("faulty line: {ok} uploads completed, {failed} failed cleanly");
}

#[test]
fn bad_images_are_refused_before_anything_is_sent() {
    let board = SimBoard::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    // Too large: 3073 words of content reach the bootloader's region (zeros there would be
    // padding, a_zero_padded_j1a_image_loads_and_runs).
    let big = dir.path().join("big.hex");
    std::fs::write(&big, "8001\n".repeat(3073)).unwrap();
    // Empty: not "too long".
    let empty = dir.path().join("empty.hex");
    std::fs::write(&empty, "").unwrap();
    // Truncated: an odd number of bytes in a .bin image.
    let odd = dir.path().join("odd.bin");
    std::fs::write(&odd, [1u8, 2, 3]).unwrap();
    // Not an image at all.
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "hello").unwrap();
    // A hex image with a bad line.
    let bad = dir.path().join("bad.hex");
    std::fs::write(&bad, "0000\nzz00\n").unwrap();
    for (file, says) in [
        (&big, "the firmware keeps"),
        (&odd, "byte"),
        (&txt, "notes.txt"),
        (&bad, "line 2"),
        (&empty, "at least one word"),
    ] {
        let o = j1k(
            &["load", file.to_str().unwrap(), "--port", &board.path],
            b"",
        );
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(says), "{}: {err}", file.display());
        assert!(!err.contains("panicked"), "{err}");
        assert!(file != &empty || !err.contains("shorten"), "{err}");
    }
    // Nothing was written or started: the fresh board still has no program.
    let after = listen(&board.path, Duration::from_millis(300));
    assert_eq!(String::from_utf8_lossy(&after), "j1k sim ready\r\n");
}

/// Issue 16: a J1a image whose word 0 is a literal (not a jump) runs on the board as `j1k
/// sim` runs it from reset: word 0 from the entry slot, then word 1.
#[test]
fn a_j1a_image_whose_word_0_is_a_literal_runs_as_in_sim() {
    let board = SimBoard::start(&["--baud", "1000000"]);
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("lit.fs");
    std::fs::write(
        &src,
        "label one  jmp main\n\
         : emit  begin $2000 io@ 1 and until $1000 io! ;\n\
         : main  dup emit 1 + emit  10 emit  halt ;\n",
    )
    .unwrap();
    let hex = dir.path().join("lit.hex");
    let o = j1k(
        &["asm", src.to_str().unwrap(), "-o", hex.to_str().unwrap()],
        b"",
    );
    assert!(o.status.success(), "{}", text(&o).1);
    // word 0: the literal 'A' ($8041) in place of the assembler's `jmp main`
    let lines = std::fs::read_to_string(&hex).unwrap();
    let (_, rest) = lines.split_once('\n').unwrap();
    std::fs::write(&hex, format!("8041\n{rest}")).unwrap();
    let sim = j1k(&["sim", hex.to_str().unwrap()], b"");
    assert_eq!(text(&sim).0, "AB\n", "{}", text(&sim).1);
    let o = load_and_monitor(&board.path, hex.to_str().unwrap());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert_eq!(out, "AB\n");
}

/// Issue 16: a J1a image of 4096 `$readmemh` lines, zero above the program (as swapforth's
/// tools write them), loads: the zeros from the firmware's region up are padding, said in
/// one line.
#[test]
fn a_zero_padded_j1a_image_loads_and_runs() {
    let board = SimBoard::start(&["--baud", "1000000"]);
    let dir = tempfile::tempdir().unwrap();
    let hex = dir.path().join("hello.hex");
    let o = j1k(
        &["asm", "examples/hello.fs", "-o", hex.to_str().unwrap()],
        b"",
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let mut lines = std::fs::read_to_string(&hex).unwrap();
    let n = lines.lines().count();
    lines.push_str(&"0000\n".repeat(4096 - n));
    std::fs::write(&hex, lines).unwrap();
    let o = load_and_monitor(&board.path, hex.to_str().unwrap());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("words $b00..$fff are zero, taken as padding"),
        "{err}"
    );
    assert_eq!(out, "Hello, world!\n");
}

/// The handshake reports the build's sizes and clock (patched into the firmware), not defaults.
#[test]
fn the_handshake_reports_the_simulated_builds_sizes() {
    let board = SimBoard::start(&["--blocks", "40", "--nodes", "6", "--clock-hz", "24000000"]);
    let o = j1k(&["load", "examples/hello.fs", "--port", &board.path], b"");
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("blocks 40x128 words, nodes 6x32 slots, clock 24000 kHz"),
        "{err}"
    );
}

/// Several cores on the simulated board: `j1k load` puts a program into every core's RAM and
/// starts core 0, which starts core 1 (examples/pipe.fs); `--core 1` loads and starts core 1
/// alone, and the loader then reads what core 1 computed from its RAM.
#[test]
fn two_cores_on_the_simulated_board() {
    two_cores_on(&[]);
}

/// The same on the Verilated RTL of two cores (`--pty --rtl --cores 2`): a reset keeps
/// every core's RAM there too.
#[test]
fn two_cores_on_the_rtl_board() {
    two_cores_on(&["--rtl"]);
}

fn two_cores_on(model: &[&str]) {
    let board = SimBoard::start(&[&["--cores", "2", "--baud", "1000000"], model].concat());
    let o = load_and_monitor(&board.path, "examples/pipe.fs");
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("board `sim`: 2 core(s)"), "{err}");
    assert!(err.contains("into cores 0..=1, verified"), "{err}");
    assert!(err.contains("core 0 started"), "{err}");
    let squares: String = (1..=40u32).map(|i| format!("{} ", i * i)).collect();
    assert_eq!(out, squares + "\n", "{err}");

    let dir = tempfile::tempdir().unwrap();
    let worker = dir.path().join("worker.fs");
    std::fs::write(
        &worker,
        "variable result  variable who\n\
         : main  21 dup + result !  $4000 io@ who !  begin again ;\n",
    )
    .unwrap();
    let o = j1k(
        &[
            "load",
            worker.to_str().unwrap(),
            "--core",
            "1",
            "--port",
            &board.path,
            "--baud",
            "1000000",
            "--latency",
            "1",
        ],
        b"",
    );
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("into core 1, verified"), "{err}");
    assert!(err.contains("core 1 started"), "{err}");
    // A new session (the board resets; RAM is kept): core 1 ran before it.
    let link = SerialLink::open(&board.path, 1_000_000).unwrap();
    let mut c = j1k_loader::Client::new(
        link,
        j1k_loader::Options {
            baud: 1_000_000,
            latency: Duration::from_secs(1),
            ..j1k_loader::Options::default()
        },
    );
    let words = c.read(1, 0, 3).unwrap();
    assert_eq!(words[1..], [42, 1], "core 1's result and id");
    // And core 2 is not there.
    let e = c.read(2, 0, 1).unwrap_err();
    assert!(e.to_string().contains("core 2 does not exist"), "{e}");
}

/// Core 1 of 256 words (`--worker-ram 256`): `j1k load` writes the image's first 256 words
/// there and says so, the program runs on core 0 as before; `--core 1` refuses an image
/// longer than core 1's RAM before writing anything.
#[test]
fn a_smaller_core_gets_the_words_that_fit() {
    let board = SimBoard::start(&["--cores", "2", "--worker-ram", "256", "--baud", "1000000"]);
    let dir = tempfile::tempdir().unwrap();
    let mut words =
        j1k_asm::assemble_file(std::path::Path::new(&format!("{ROOT}/examples/hello.fs")))
            .unwrap()
            .words;
    assert!(words.len() < 256);
    words.resize(600, 0);
    for (i, w) in words.iter_mut().enumerate().skip(256) {
        *w = i as u16; // data past core 1's RAM
    }
    let image = dir.path().join("long.hex");
    let hex: String = words.iter().map(|w| format!("{w:04x}\n")).collect();
    std::fs::write(&image, hex).unwrap();
    let o = load_and_monitor(&board.path, image.to_str().unwrap());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("4096 words of RAM on core 0, 256 on the others")
            && err.contains(
                "cores 1.. have 256 words of RAM: they hold the image's words 0..$0ff of 600"
            ),
        "{err}"
    );
    assert!(
        err.contains("loaded 600 words into cores 0..=1, verified"),
        "{err}"
    );
    assert_eq!(out, "Hello, world!\n");

    let o = j1k(
        &[
            "load",
            image.to_str().unwrap(),
            "--core",
            "1",
            "--port",
            &board.path,
            "--baud",
            "1000000",
        ],
        b"",
    );
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("the image has 600 words; core 1 has 256 words of RAM")
            && err.contains("without --core"),
        "{err}"
    );
    let link = SerialLink::open(&board.path, 1_000_000).unwrap();
    let mut c = j1k_loader::Client::new(
        link,
        j1k_loader::Options {
            baud: 1_000_000,
            ..j1k_loader::Options::default()
        },
    );
    assert_eq!(c.read(1, 250, 6).unwrap(), words[250..256]);
    assert_eq!(
        c.read(0, 300, 2).unwrap(),
        [300, 301],
        "core 0 has them all"
    );
}
