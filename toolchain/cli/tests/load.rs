//! `j1k load`, `monitor`, `ports` over a real pseudo-terminal, with the loader library's fake
//! board on the master side (the simulated board, `j1k sim --pty`, is tested elsewhere).

mod common;
use common::text;
use j1k_loader::fake::{FakeBoard, FakeConfig};
use std::process::{Command, Output, Stdio};

fn j1k(args: &[&str], env_port: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_j1k"));
    c.args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::null())
        .env_remove("J1K_PORT");
    if let Some(p) = env_port {
        c.env("J1K_PORT", p);
    }
    c.output().unwrap()
}

#[test]
fn load_hello_over_a_pty_verifies_starts_and_monitors() {
    let (master, path, _slave) = j1k_loader::link::open_pty().unwrap();
    let board = FakeBoard::spawn(master, FakeConfig::default());
    let o = j1k(
        &["load", "examples/hello.fs", "--port", &path, "--monitor"],
        None,
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("verified"), "{err}");
    assert!(err.contains("core 0 started"), "{err}");
    assert!(out.contains("Hello, world!"), "stdout: {out:?}");
    let st = board.stop();
    let words = j1k_asm::assemble_file(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/hello.fs"
    )))
    .unwrap()
    .words;
    assert_eq!(&st.started_ram.unwrap()[..words.len()], &words[..]);
}

#[test]
fn the_environment_names_the_port() {
    let (master, path, _slave) = j1k_loader::link::open_pty().unwrap();
    let board = FakeBoard::spawn(master, FakeConfig::default());
    let o = j1k(&["load", "examples/hello.fs", "--no-verify"], Some(&path));
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(board.stop().started.is_some());
}

#[test]
fn a_pty_with_nothing_behind_it_is_no_answer() {
    let (_master, path, _slave) = j1k_loader::link::open_pty().unwrap();
    let o = j1k(
        &[
            "load",
            "examples/hello.fs",
            "--port",
            &path,
            "--connect-timeout",
            "0.3",
        ],
        None,
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("no answer"), "{err}");
    assert!(err.contains("firmware"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_ports_and_images_are_clear_errors() {
    let (_, err) = text(&j1k(
        &["load", "examples/hello.fs", "--port", "/dev/null"],
        None,
    ));
    assert!(err.contains("not a serial port"), "{err}");
    let (_, err) = text(&j1k(
        &["load", "examples/hello.fs", "--port", "/dev/j1k-none"],
        None,
    ));
    assert!(err.contains("no such port"), "{err}");
    let (_, err) = text(&j1k(
        &["load", "no-such-file.hex", "--port", "/dev/null"],
        None,
    ));
    assert!(err.contains("no-such-file.hex"), "{err}");
}

#[test]
fn an_image_too_large_for_the_board_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.hex");
    let text_img: String = (0..0xe01)
        .map(|i| format!("{:04x}\n", i & 0x7fff))
        .collect();
    std::fs::write(&big, text_img).unwrap();
    let (master, path, _slave) = j1k_loader::link::open_pty().unwrap();
    let board = FakeBoard::spawn(master, FakeConfig::default());
    let o = j1k(&["load", big.to_str().unwrap(), "--port", &path], None);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("the firmware keeps"), "{err}");
    let st = board.stop();
    assert_eq!(st.writes, 0);
    assert!(st.started.is_none());
}

#[test]
fn ports_lists_without_failing() {
    let o = j1k(&["ports"], None);
    assert!(o.status.success(), "{}", text(&o).1);
}
