//! Upload throughput over the paced simulated board (docs/performance.md).
//!
//! For each baud rate and board clock: `j1k sim --pty --baud B --clock-hz F` (the real
//! firmware, the line paced at B), then the loader library uploads a full-size program
//! (2816 words: examples/hello.fs padded with data words) — connect, write and verify with
//! CHECK (pipelined behind the last WRITE), start — and the payload rate is compared with the
//! line rate (B/10 bytes/s); the median of 5 runs and the spread.
//! The paced board has the hardware UART (one-byte receive register, TX busy while
//! sending); each line ends with the board's own report: RX overruns, and the session's
//! board time against its wall time (equal when the model kept up with its clock).
//! Run: `cargo bench -p j1k --bench upload`.

#[path = "../tests/common/mod.rs"]
mod common;
use common::{full_size_image, SimBoard};
use j1k_loader::progress::NoProgress;
use j1k_loader::{Client, Options, SerialLink};
use std::process::Stdio;
use std::time::Instant;

fn main() {
    let words = full_size_image();
    let payload = (words.len() * 2) as f64;
    println!(
        "upload of {} words ({} payload bytes), verify and start included",
        words.len(),
        payload
    );
    println!(
        "{:>9} {:>10} {:>9} {:>10} {:>9}",
        "baud", "clock", "seconds", "bytes/s", "of line"
    );
    // Each configuration 5 times (a fresh board each time); the median run is printed.
    for &(baud, clock) in &[
        (115_200u32, 18_000_000u64),
        (1_000_000, 18_000_000),
        (1_000_000, 36_000_000),
    ] {
        let mut runs: Vec<(f64, String)> = (0..5).map(|_| one_run(&words, baud, clock)).collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!("{}", runs[2].1);
        // The spread: the best and the worst run, as a share of the line rate.
        let pct = |secs: f64| 100.0 * payload / secs / (baud as f64 / 10.0);
        println!(
            "{:>31} runs from {:.1}% to {:.1}%",
            "",
            pct(runs[4].0),
            pct(runs[0].0)
        );
    }
}

/// One upload on a fresh board: (seconds, the printed line).
fn one_run(words: &[u16], baud: u32, clock: u64) -> (f64, String) {
    let payload = (words.len() * 2) as f64;
    // The board's stderr: its session report (overruns; board time against wall time).
    let log = tempfile::NamedTempFile::new().expect("a temporary file");
    let board = SimBoard::start_with_stderr(
        &[
            "--baud",
            &baud.to_string(),
            "--clock-hz",
            &clock.to_string(),
        ],
        Stdio::from(log.reopen().expect("the temporary file")),
    );
    let link = SerialLink::open(&board.path, baud).expect("open the simulated board");
    let mut client = Client::new(
        link,
        Options {
            baud,
            ..Options::default()
        },
    );
    // The steps of `upload`, timed one by one.
    let t0 = Instant::now();
    client.connect().expect("connect");
    let t1 = Instant::now();
    // Write and verify are one pipelined step (the CHECK follows the last WRITE).
    client
        .write_and_verify(0, words, &mut NoProgress)
        .expect("write and verify");
    let t3 = Instant::now();
    client.start(0, 0).expect("start");
    let t4 = Instant::now();
    let ms = |a: Instant, b: Instant| (b - a).as_secs_f64() * 1e3;
    let secs = (t4 - t0).as_secs_f64();
    let rate = payload / secs;
    let line = baud as f64 / 10.0;
    let retransmissions = client.retransmissions;
    drop(client); // the board reports the session when the port closes
    let report = short_report(&common::session_report(log.path()));
    let line_text = format!(
            "{baud:>9} {:>7} MHz {secs:>9.3} {rate:>10.0} {:>8.1}%   (ms: connect {:.1}, write+verify {:.1}, start {:.1}; {retransmissions} retransmissions; board: {report})",
            clock / 1_000_000,
            100.0 * rate / line,
            ms(t0, t1),
            ms(t1, t3),
            ms(t3, t4),
        );
    drop(board);
    (secs, line_text)
}

/// The board's session report, shortened: overruns, and board time against wall time (a
/// model that lagged behind its clock shows less board time than wall time).
fn short_report(text: &str) -> String {
    let Some(line) = text
        .split_once("session 1:")
        .and_then(|(_, rest)| rest.lines().next())
    else {
        return "no session report".to_string();
    };
    let overruns = line
        .split(", ")
        .find(|p| p.ends_with("lost)"))
        .and_then(|p| p.split(' ').next())
        .unwrap_or("?");
    let times = line.rsplit_once("= ").map_or("?", |(_, t)| t);
    format!("{overruns} RX overruns, {times}")
}
