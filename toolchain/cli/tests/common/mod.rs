//! Helpers shared by the `j1k` command's integration tests and its upload bench
//! (benches/upload.rs includes this file).

#![allow(dead_code)] // each test binary uses a part

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root (examples are named from it).
pub const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// A finished command's (stdout, stderr) as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `j1k sim --pty ARGS` running; killed on drop.
pub struct SimBoard {
    child: Child,
    pub path: String,
}

impl SimBoard {
    pub fn start(args: &[&str]) -> SimBoard {
        Self::start_with_stderr(args, Stdio::null())
    }

    /// With the board's stderr (its reports) going to `stderr`.
    pub fn start_with_stderr(args: &[&str], stderr: Stdio) -> SimBoard {
        let mut child = Command::new(env!("CARGO_BIN_EXE_j1k"))
            .args(["sim", "--pty"])
            .args(args)
            .current_dir(ROOT)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let path = line.trim().to_string();
        assert!(path.starts_with("/dev/"), "first line of stdout: {line:?}");
        SimBoard { child, path }
    }
}

impl Drop for SimBoard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A full-size image (2816 words, 23 WRITE frames): examples/hello.fs padded with data words.
pub fn full_size_image() -> Vec<u16> {
    let mut words =
        j1k_asm::assemble_file(std::path::Path::new(&format!("{ROOT}/examples/hello.fs")))
            .unwrap()
            .words;
    let mut x: u16 = 0xace1;
    while words.len() < 0xb00 {
        x ^= x << 7;
        x ^= x >> 9;
        x ^= x << 8;
        words.push(x);
    }
    words
}

/// What the board wrote on stderr (`log`) once its first session's report is there, or after
/// 5 s without it.
pub fn session_report(log: &std::path::Path) -> String {
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(log).unwrap();
        // A whole line: the report is one eprintln.
        let whole = text
            .split_once("session 1:")
            .is_some_and(|(_, rest)| rest.contains('\n'));
        if whole || Instant::now() > end {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
