//! The client against the scripted fake board over in-memory links.

use j1k_loader::client::{check_sums, Started};
use j1k_loader::fake::{FakeBoard, FakeConfig};
use j1k_loader::progress::NoProgress;
use j1k_loader::proxy::{FaultConfig, FaultyLink};
use j1k_loader::{mem_pair, upload, Client, LoaderError, Options};
use std::time::{Duration, Instant};

fn opts() -> Options {
    Options {
        baud: 1_000_000,
        connect_timeout: Duration::from_millis(500),
        latency: Duration::from_millis(20),
        ..Default::default()
    }
}

fn image(n: usize) -> Vec<u16> {
    (0..n)
        .map(|i| (i as u16).wrapping_mul(0x9e37) ^ 0x1234)
        .collect()
}

fn run(
    cfg: FakeConfig,
    words: &[u16],
) -> (
    Result<j1k_loader::Report, LoaderError>,
    j1k_loader::fake::FakeState,
) {
    let (host, board) = mem_pair();
    let fake = FakeBoard::spawn(board, cfg);
    let mut c = Client::new(host, opts());
    let r = upload(&mut c, words, None, true, &mut NoProgress);
    (r, fake.stop())
}

#[test]
fn uploads_verifies_and_starts() {
    let words = image(1000);
    let (r, st) = run(FakeConfig::default(), &words);
    let r = r.unwrap();
    assert_eq!(r.started, Some(Started::Confirmed));
    assert!(r.verified);
    assert_eq!(r.info.name, "fake");
    assert_eq!(&st.started_ram.unwrap()[..1000], &words[..]);
    assert_eq!(st.started, Some((0, 0)));
    assert_eq!(r.retransmissions, 0);
}

#[test]
fn the_programs_first_output_is_kept_for_the_monitor() {
    let (host, board) = mem_pair();
    let _fake = FakeBoard::spawn(board, FakeConfig::default());
    let mut c = Client::new(host, opts());
    upload(&mut c, &image(10), None, true, &mut NoProgress).unwrap();
    let (mut link, mut rest) = c.into_parts();
    use j1k_loader::Link;
    let mut buf = [0u8; 64];
    let t = Instant::now();
    while !String::from_utf8_lossy(&rest).contains("Hello, world!")
        && t.elapsed() < Duration::from_secs(2)
    {
        let n = link.recv(&mut buf, Duration::from_millis(50)).unwrap();
        rest.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&rest).contains("Hello, world!"));
}

#[test]
fn naks_are_retransmitted() {
    let cfg = FakeConfig {
        nak_first_writes: 3,
        ..Default::default()
    };
    let words = image(600);
    let (r, st) = run(cfg, &words);
    let r = r.unwrap();
    assert!(r.retransmissions >= 2, "{}", r.retransmissions);
    assert_eq!(&st.started_ram.unwrap()[..600], &words[..]);
}

/// The CHECK rides right behind the last WRITE (one frame here): a NAK for that WRITE
/// sends the host back to it, and the CHECK goes again after it.
#[test]
fn a_nak_with_the_check_behind_it_goes_back_and_checks_again() {
    let cfg = FakeConfig {
        nak_first_writes: 1,
        ..Default::default()
    };
    let words = image(100);
    let (r, st) = run(cfg, &words);
    let r = r.unwrap();
    assert!(r.verified);
    assert!(r.retransmissions >= 1, "{}", r.retransmissions);
    assert_eq!(&st.started_ram.unwrap()[..100], &words[..]);
}

#[test]
fn lost_responses_time_out_and_are_retransmitted() {
    let cfg = FakeConfig {
        drop_responses: vec![0, 1, 3, 4, 6],
        ..Default::default()
    };
    let words = image(900);
    let (r, st) = run(cfg, &words);
    let r = r.unwrap();
    assert!(r.retransmissions >= 2);
    assert_eq!(&st.started_ram.unwrap()[..900], &words[..]);
}

/// A board slower than its line: 60 ms over every frame, in order (the RTL simulated board on
/// a loaded machine), against first timeouts of ~25 ms at 1 Mbaud. The loader waits longer
/// after each timeout and learns the board's round trip, instead of resending frames that
/// queue behind the ones the board is still working through (which never catches up).
#[test]
fn a_board_slower_than_its_line_is_waited_for() {
    let cfg = FakeConfig {
        frame_time: Duration::from_millis(60),
        ..Default::default()
    };
    let words = image(1000);
    let (r, st) = run(cfg, &words);
    let r = r.unwrap();
    assert_eq!(&st.started_ram.unwrap()[..1000], &words[..]);
    eprintln!("{} retransmissions in {:?}", r.retransmissions, r.elapsed);
    // The first frames time out until the wait exceeds the board's pace; after that none.
    assert!(
        r.retransmissions <= 6,
        "{} retransmissions",
        r.retransmissions
    );
}

#[test]
fn duplicate_acks_are_harmless() {
    let cfg = FakeConfig {
        duplicate_acks: true,
        ..Default::default()
    };
    let words = image(2000);
    let (r, st) = run(cfg, &words);
    r.unwrap();
    assert_eq!(&st.started_ram.unwrap()[..2000], &words[..]);
}

#[test]
fn a_board_that_never_answers_is_no_answer() {
    let cfg = FakeConfig {
        silent: true,
        ..Default::default()
    };
    let t = Instant::now();
    let (r, st) = run(cfg, &image(10));
    match r {
        Err(e @ LoaderError::NoAnswer { .. }) => {
            assert!(e.help().contains("firmware"), "{}", e.help());
        }
        other => panic!("expected no answer, got {other:?}"),
    }
    assert!(t.elapsed() < Duration::from_secs(3));
    assert!(st.started.is_none());
}

#[test]
fn an_isa_mismatch_is_refused_before_writing() {
    let mut cfg = FakeConfig::default();
    cfg.info.isa = j1k_isa::ISA_VERSION + 1;
    let (r, st) = run(cfg, &image(10));
    assert!(matches!(r, Err(LoaderError::IsaMismatch { .. })), "{r:?}");
    assert_eq!(st.writes, 0);
    let mut cfg = FakeConfig::default();
    cfg.info.protocol = 9;
    let (r, _) = run(cfg, &image(10));
    assert!(
        matches!(r, Err(LoaderError::ProtocolVersion { board: 9, .. })),
        "{r:?}"
    );
}

#[test]
fn too_large_and_empty_images_are_refused_before_any_write() {
    let (r, st) = run(FakeConfig::default(), &image(0xc01));
    match r {
        Err(e @ LoaderError::ImageTooLarge { .. }) => {
            assert!(e.to_string().contains("$0b00"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(st.writes, 0);
    assert!(st.started.is_none());
    let (r, st) = run(FakeConfig::default(), &[]);
    assert!(matches!(r, Err(LoaderError::EmptyImage)));
    assert_eq!(st.writes, 0);
    // Exactly up to boot_start fits.
    let (r, _) = run(FakeConfig::default(), &image(0xb00));
    r.unwrap();
}

#[test]
fn crc_failures_beyond_the_budget_are_an_error_and_nothing_starts() {
    let cfg = FakeConfig {
        nak_all_writes: true,
        ..Default::default()
    };
    let (r, st) = run(cfg, &image(300));
    match r {
        Err(e @ LoaderError::RetriesExhausted { .. }) => {
            assert!(e.to_string().contains("CRC"), "{e}");
            assert!(e.help().contains("baud"));
        }
        other => panic!("{other:?}"),
    }
    assert!(st.started.is_none());
}

#[test]
fn a_ram_that_changes_fails_the_verify_and_names_the_word() {
    let cfg = FakeConfig {
        corrupt_after_write: Some((5, 0xdead)),
        ..Default::default()
    };
    let words = image(300);
    let (r, st) = run(cfg, &words);
    match r {
        Err(LoaderError::VerifyFailed {
            addr: 5,
            read: 0xdead,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert!(
        st.started.is_none(),
        "a program that failed its verify must not start"
    );
}

#[test]
fn no_verify_skips_check() {
    let (host, board) = mem_pair();
    let fake = FakeBoard::spawn(board, FakeConfig::default());
    let mut c = Client::new(
        host,
        Options {
            verify: false,
            ..opts()
        },
    );
    let r = upload(&mut c, &image(50), None, true, &mut NoProgress).unwrap();
    assert!(!r.verified);
    let st = fake.stop();
    assert!(!st.commands.contains(&j1k_loader::frame::CHECK));
}

#[test]
fn a_core_the_board_lacks_is_refused() {
    let (host, board) = mem_pair();
    let fake = FakeBoard::spawn(board, FakeConfig::default());
    let mut c = Client::new(host, opts());
    let r = upload(&mut c, &image(50), Some(3), true, &mut NoProgress);
    assert!(
        matches!(r, Err(LoaderError::NoSuchCore { core: 3, cores: 1 })),
        "{r:?}"
    );
    assert_eq!(fake.stop().writes, 0);
}

#[test]
fn read_and_reset() {
    let (host, board) = mem_pair();
    let fake = FakeBoard::spawn(board, FakeConfig::default());
    let mut c = Client::new(host, opts());
    c.connect().unwrap();
    let words = image(200);
    c.write_image(0, &words, &mut NoProgress).unwrap();
    assert_eq!(c.read(0, 130, 5).unwrap(), &words[130..135]);
    assert!(c.reset().unwrap());
    assert_eq!(fake.stop().resets, 1);
}

#[test]
fn check_sums_see_changed_and_moved_words() {
    assert_eq!(check_sums(&[]), (0, 0));
    assert_eq!(check_sums(&[1, 2, 3]), (6, 1 + 3 + 6));
    assert_ne!(check_sums(&[1, 2, 3]), check_sums(&[2, 1, 3]));
    assert_ne!(check_sums(&[1, 2, 3]), check_sums(&[1, 2, 4]));
    assert_eq!(check_sums(&[0xffff, 2]), (1, 0)); // both mod 2^16
}

/// Each fault (drop, flip, duplicate, delay) at 1 in 100 bytes, both directions: every
/// upload completes and verifies, or fails with a clear error; nothing corrupt is ever
/// started; the board then takes an upload over a clean line.
#[test]
fn uploads_through_a_faulty_line() {
    faulty_uploads(1..=3, 12, 3);
}

/// The same with a retry budget of 1: uploads fail (with a clear error, nothing started) and
/// the board takes the next upload over a clean line.
#[test]
fn failed_uploads_leave_the_board_ready_for_the_next() {
    let (ok, failed) = faulty_uploads(11..=13, 1, 0);
    assert!(
        failed > 0,
        "no upload failed ({ok} completed): the test shows nothing"
    );
}

/// Uploads of 400 words through 1-in-100 faults; returns how many completed and failed.
fn faulty_uploads(
    seeds: std::ops::RangeInclusive<u64>,
    retries: u32,
    min_ok: usize,
) -> (usize, usize) {
    let (mut ok, mut failed) = (0, 0);
    for seed in seeds {
        let (host, board) = mem_pair();
        let fake = FakeBoard::spawn(board, FakeConfig::default());
        let link = FaultyLink::new(
            host,
            FaultConfig::all(seed, 100, Duration::from_micros(500)),
        );
        let mut c = Client::new(
            link,
            Options {
                retries,
                latency: Duration::from_millis(5),
                ..opts()
            },
        );
        let words = image(400);
        let r = upload(&mut c, &words, None, true, &mut NoProgress);
        let st = fake.state();
        if let Some(ram) = &st.started_ram {
            assert_eq!(
                &ram[..400],
                &words[..],
                "seed {seed}: started a wrong image"
            );
        }
        match r {
            Ok(r) => {
                ok += 1;
                eprintln!("seed {seed}: ok, {} retransmissions", r.retransmissions);
            }
            Err(e) => {
                failed += 1;
                eprintln!("seed {seed}: {e}");
                assert!(
                    matches!(
                        e,
                        LoaderError::RetriesExhausted { .. } | LoaderError::NoAnswer { .. }
                    ),
                    "seed {seed}: {e}"
                );
                assert!(st.started.is_none(), "seed {seed}: started after a failure");
                // The board takes the next upload over a clean line.
                let (link, _) = c.into_parts();
                let mut c = Client::new(link.into_inner(), opts());
                upload(&mut c, &words, None, true, &mut NoProgress).unwrap();
                assert_eq!(&fake.state().started_ram.unwrap()[..400], &words[..]);
            }
        }
        fake.stop();
    }
    assert!(
        ok >= min_ok,
        "only {ok} uploads through 1-in-100 faults completed"
    );
    (ok, failed)
}
