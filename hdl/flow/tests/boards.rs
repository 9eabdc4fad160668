//! Board files parse and validate; broken ones give an error naming the file and the field.

use j1k_flow::board::{self, Board};
use j1k_flow::FlowError;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

/// Parses boards/NAME.toml after replacing `from` with `to`, with the board's own pin file.
fn broken(name: &str, from: &str, to: &str) -> FlowError {
    let text = read(&format!("boards/{name}.toml"));
    assert!(text.contains(from), "{name}.toml has no `{from}`");
    let text = text.replacen(from, to, 1);
    let pcf = read(&format!("constraints/{name}.pcf"));
    Board::parse(&format!("boards/{name}.toml"), name, &text, &pcf)
        .expect_err("the broken board file was accepted")
}

fn field_error(e: FlowError) -> (String, String, String) {
    match e {
        FlowError::Board {
            file,
            field,
            message,
        } => (file, field, message),
        other => panic!("expected a field error, got: {other}"),
    }
}

#[test]
fn every_board_file_is_built_in_and_valid() {
    let mut on_disk: Vec<String> = std::fs::read_dir(root().join("boards"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    on_disk.sort();
    let mut built_in: Vec<String> = board::built_in_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    built_in.sort();
    assert_eq!(on_disk, built_in, "boards/ and the built-in list differ");
    for name in &built_in {
        // From disk (the path form of --board) and built in: the same board.
        let from_disk = Board::load(&root().join(format!("boards/{name}.toml")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let built = board::find(name).unwrap();
        assert_eq!(from_disk.pcf, built.pcf);
        assert_eq!(from_disk.clock.core_hz, built.clock.core_hz);
        let pcf_on_disk = read(&format!("constraints/{name}.pcf"));
        assert_eq!(built.pcf, pcf_on_disk);
    }
}

#[test]
fn the_three_boards_say_what_the_brief_asks() {
    let ice = board::find("icebreaker").unwrap();
    assert_eq!(
        (ice.fpga.device.as_str(), ice.fpga.package.as_str()),
        ("up5k", "sg48")
    );
    assert_eq!(ice.pll_primitive().unwrap().verilog_name(), "SB_PLL40_PAD");
    assert_eq!((ice.uart.rx.as_str(), ice.uart.tx.as_str()), ("6", "9"));
    assert_eq!(ice.clock.pin, "35");

    let hx8k = board::find("hx8k-breakout").unwrap();
    assert_eq!(
        (hx8k.fpga.device.as_str(), hx8k.fpga.package.as_str()),
        ("hx8k", "ct256")
    );
    assert_eq!(
        hx8k.pll_primitive().unwrap().verilog_name(),
        "SB_PLL40_CORE"
    );
    assert_eq!(
        (hx8k.uart.rx.as_str(), hx8k.uart.tx.as_str()),
        ("B10", "B12")
    );
    // The store fits the 16 BRAMs the core RAM leaves.
    let (brams, sprams) = hx8k.store_memories();
    assert!(brams <= 16 && sprams == 0, "{brams} BRAMs");

    let stick = board::find("icestick").unwrap();
    assert_eq!(
        (stick.fpga.device.as_str(), stick.fpga.package.as_str()),
        ("hx1k", "tq144")
    );
    assert_eq!(
        stick.key_config(),
        None,
        "HX1K: the core RAM takes all 16 BRAMs"
    );
    assert_eq!((stick.uart.rx.as_str(), stick.uart.tx.as_str()), ("9", "8"));

    for b in [&ice, &hx8k, &stick] {
        assert_eq!((b.usb.vid, b.usb.pid), (0x0403, 0x6010), "{}", b.name);
        assert_eq!(b.usb.uart_interface, 1, "{}: UART on interface B", b.name);
        assert_eq!(b.uart.baud, 115200);
        assert_eq!(b.leds.pins.len(), 5);
    }
}

#[test]
fn a_wrong_core_clock_names_the_file_and_field() {
    let (file, field, message) = field_error(broken(
        "icebreaker",
        "core_hz = 18_000_000",
        "core_hz = 25_000_000",
    ));
    assert_eq!(file, "boards/icebreaker.toml");
    assert_eq!(field, "clock.core_hz");
    assert!(message.contains("18000000"), "{message}");
    assert!(message.contains("icepll"), "{message}");
}

#[test]
fn pll_settings_are_checked() {
    let (_, field, m) = field_error(broken("icestick", "divf = 47", "divf = 20"));
    assert_eq!(field, "clock.pll.divf", "{m}");
    assert!(m.contains("VCO"), "{m}");
    let (_, field, _) = field_error(broken("icestick", "filter_range = 1", "filter_range = 3"));
    assert_eq!(field, "clock.pll.filter_range");
    let (_, field, m) = field_error(broken("icebreaker", "SB_PLL40_PAD", "SB_PLL40_CORE"));
    assert_eq!(field, "clock.pll.primitive");
    assert!(m.contains("SB_PLL40_PAD"), "{m}");
}

#[test]
fn a_store_too_big_for_the_part_is_refused() {
    let (_, field, m) = field_error(broken("hx8k-breakout", "blocks = 24", "blocks = 64"));
    assert_eq!(field, "key.blocks");
    assert!(m.contains("of 32 BRAMs"), "{m}");
}

#[test]
fn the_block_memory_is_checked_against_the_part() {
    let ib = board::find("icebreaker").unwrap();
    assert_eq!(ib.block_memory(), board::BlockMemory::Spram);
    assert_eq!(
        ib.store_memories(),
        (8, 4),
        "nodes in 8 BRAMs, 512 blocks in 4 SPRAMs"
    );
    // The HX8K has no SPRAM.
    let (_, field, m) = field_error(broken(
        "hx8k-breakout",
        "enabled = true\n",
        "enabled = true\nblock_memory = \"spram\"\n",
    ));
    assert_eq!(field, "key.block_memory");
    assert!(m.contains("no SPRAM"), "{m}");
    let (_, field, m) = field_error(broken("icebreaker", "\"spram\"", "\"flash\""));
    assert_eq!(field, "key.block_memory");
    assert!(m.contains("`bram` or `spram`"), "{m}");
    // Four SPRAMs hold 65536 words: 1024 blocks of 128 do not fit.
    let (_, field, m) = field_error(broken("icebreaker", "blocks = 512", "blocks = 1024"));
    assert_eq!(field, "key.blocks");
    assert!(m.contains("8 of 4 SPRAMs"), "{m}");
}

#[test]
fn key_register_counts_default_to_the_brief_and_are_checked() {
    let hx = board::find("hx8k-breakout").unwrap().key_config().unwrap();
    assert_eq!((hx.block_regs, hx.node_regs), (8, 4));
    let (_, field, m) = field_error(broken(
        "hx8k-breakout",
        "enabled = true\n",
        "enabled = true\nblock_regs = 3\n",
    ));
    assert_eq!(field, "key.block_regs");
    assert!(m.contains("1, 2, 4 or 8"), "{m}");
    let (_, field, _) = field_error(broken(
        "hx8k-breakout",
        "enabled = true\n",
        "enabled = true\nnode_regs = 8\n",
    ));
    assert_eq!(field, "key.node_regs");
    let (_, field, _) = field_error(broken(
        "icestick",
        "enabled = false\n",
        "enabled = false\nnode_regs = 2\n",
    ));
    assert_eq!(field, "key.node_regs");
}

#[test]
fn key_fields_must_match_enabled() {
    let (_, field, _) = field_error(broken("icestick", "enabled = false", "enabled = true"));
    assert_eq!(field, "key.block_words");
    let (_, field, _) = field_error(broken("hx8k-breakout", "enabled = true", "enabled = false"));
    assert_eq!(field, "key.block_words");
    let (_, field, m) = field_error(broken(
        "hx8k-breakout",
        "node_slots = 32",
        "node_slots = 24",
    ));
    assert_eq!(field, "key.node_slots", "{m}");
}

#[test]
fn unknown_devices_packages_and_names_are_refused() {
    let (_, field, m) = field_error(broken("icestick", "device = \"hx1k\"", "device = \"hx9k\""));
    assert_eq!(field, "fpga.device");
    assert!(m.contains("hx8k"), "{m}");
    let (_, field, _) = field_error(broken(
        "icestick",
        "package = \"tq144\"",
        "package = \"sg48\"",
    ));
    assert_eq!(field, "fpga.package");
    let (_, field, _) = field_error(broken(
        "icestick",
        "name = \"icestick\"",
        "name = \"stick\"",
    ));
    assert_eq!(field, "name");
}

/// Issue 16: a pin that the package does not have is refused when the board file is read
/// (nextpnr found it only after synthesis, 40 s later), naming the field.
#[test]
fn a_pin_not_on_the_package_is_refused() {
    let (file, field, m) = field_error(broken("hx8k-breakout", "rx = \"B10\"", "rx = \"Z99\""));
    assert_eq!(file, "boards/hx8k-breakout.toml");
    assert_eq!(field, "uart.rx");
    assert!(m.contains("Z99") && m.contains("ct256"), "{m}");
    // A pin of another package of the same part (the HX8K's ct256 has no pin 35; the
    // UP5K's sg48 has it).
    let (_, field, _) = field_error(broken("hx8k-breakout", "pin = \"J3\"", "pin = \"35\""));
    assert_eq!(field, "clock.pin");
}

#[test]
fn a_type_error_names_the_file_line_and_field() {
    let e = broken("hx8k-breakout", "baud = 115200", "baud = \"fast\"");
    let text = e.to_string();
    match &e {
        FlowError::BoardSyntax { file, line, .. } => {
            assert_eq!(file, "boards/hx8k-breakout.toml");
            let expected = read("boards/hx8k-breakout.toml")
                .lines()
                .position(|l| l.starts_with("baud"))
                .unwrap()
                + 1;
            assert_eq!(*line, expected);
        }
        other => panic!("expected a syntax error, got {other}"),
    }
    assert!(text.contains("baud"), "{text}");
}

#[test]
fn a_missing_field_and_an_unknown_field_are_named() {
    let e = broken("icestick", "baud = 115200\n", "").to_string();
    assert!(
        e.contains("boards/icestick.toml") && e.contains("baud"),
        "{e}"
    );
    let e = broken(
        "icestick",
        "baud = 115200",
        "baud = 115200\nparity = \"none\"",
    )
    .to_string();
    assert!(e.contains("parity"), "{e}");
}

#[test]
fn the_pin_file_must_agree_with_the_board_file() {
    let text = read("boards/icestick.toml");
    let pcf = read("constraints/icestick.pcf").replace("set_io uart_tx 8", "set_io uart_tx 7");
    let (file, field, m) =
        field_error(Board::parse("boards/icestick.toml", "icestick", &text, &pcf).unwrap_err());
    assert_eq!(file, "constraints/icestick.pcf");
    assert_eq!(field, "uart_tx");
    assert!(m.contains("uart.tx"), "{m}");
    let pcf = read("constraints/icestick.pcf") + "set_io button 44\n";
    let (_, field, _) =
        field_error(Board::parse("boards/icestick.toml", "icestick", &text, &pcf).unwrap_err());
    assert_eq!(field, "button");
}

#[test]
fn unknown_board_lists_the_known_ones() {
    let e = board::find("ulx3s").unwrap_err().to_string();
    assert!(e.contains("icebreaker") && e.contains("icestick"), "{e}");
}

#[test]
fn a_board_file_by_path_finds_its_pin_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("boards")).unwrap();
    std::fs::create_dir_all(dir.path().join("constraints")).unwrap();
    let text = read("boards/icestick.toml").replace("\"icestick\"", "\"mystick\"");
    std::fs::write(dir.path().join("boards/mystick.toml"), text).unwrap();
    let p = dir.path().join("boards/mystick.toml");
    let e = board::find(p.to_str().unwrap()).unwrap_err().to_string();
    assert!(e.contains("no pin file"), "{e}");
    // (issue 16) a syntax error is reported as such, even with no pin file yet
    let broken = dir.path().join("boards/broken.toml");
    std::fs::write(&broken, "name = \"broken\n").unwrap();
    let e = board::find(broken.to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(!e.contains("pin file") && e.contains("broken.toml"), "{e}");
    std::fs::write(
        dir.path().join("constraints/mystick.pcf"),
        read("constraints/icestick.pcf"),
    )
    .unwrap();
    let b = board::find(p.to_str().unwrap()).unwrap();
    assert_eq!(b.name, "mystick");
}

/// The entries of several cores: what they change, and their block RAMs
/// (docs/architecture.md §7, §11.6), counted as the hardware maps them.
#[test]
fn the_multicore_builds_fit_the_block_rams() {
    for (name, cores, brams, ram, blocks, nodes, contexts) in [
        ("hx8k-breakout", 2, 30, 1024, 8, 8, false),
        ("hx8k-breakout", 4, 32, 256, 8, 8, true),
        ("icebreaker", 2, 28, 512, 8, 4, false),
        ("icebreaker", 4, 30, 256, 4, 4, true),
    ] {
        let one = board::find(name).unwrap();
        assert_eq!((one.cores(), one.worker_ram()), (1, 4096));
        let b = one.with_cores(cores).unwrap();
        assert_eq!(
            (b.cores(), b.worker_ram(), b.cache_lines(), b.contexts()),
            (cores, ram, 2, contexts)
        );
        let k = b.key_config().unwrap();
        assert_eq!((k.blocks, k.nodes), (blocks, nodes), "{name}");
        assert_eq!(b.block_memory(), board::BlockMemory::Bram, "{name}");
        assert_eq!(b.multicore_brams(), brams, "{name} {cores}");
        match one.with_cores(3).unwrap_err() {
            FlowError::NoBuild { cores, known, .. } => {
                assert_eq!((cores, known.as_str()), (3, "1, 2, 4"))
            }
            e => panic!("{e}"),
        }
    }
}

#[test]
fn multicore_entries_are_checked() {
    // more blocks than fit: two byte lanes of 512 × 8 more, four BRAMs
    let (_, field, m) = field_error(broken("hx8k-breakout", "blocks = 8\n", "blocks = 14\n"));
    assert_eq!(field, "multicore[0].worker_ram");
    assert!(m.contains("34 block RAMs, the iCE40HX8K has 32"), "{m}");
    // four contexts with 512-word workers: three BRAMs more
    let (_, field, m) = field_error(broken(
        "hx8k-breakout",
        "contexts = true\nworker_ram = 256",
        "contexts = true\nworker_ram = 512",
    ));
    assert_eq!(field, "multicore[1].worker_ram");
    assert!(m.contains("35 block RAMs, the iCE40HX8K has 32"), "{m}");
    assert!(m.contains("3 (key registers and stacks)"), "{m}");
    // a build's own clock is checked as the board's, under its own name
    let (_, field, m) = field_error(broken(
        "icebreaker",
        "[multicore.clock]\ncore_hz = 12_000_000",
        "[multicore.clock]\ncore_hz = 13_000_000",
    ));
    assert_eq!(field, "multicore[1].clock.core_hz", "{m}");
    assert!(m.contains("[multicore[1].clock.pll]"), "{m}");
    let (_, field, _) = field_error(broken(
        "hx8k-breakout",
        "worker_ram = 1024",
        "worker_ram = 1000",
    ));
    assert_eq!(field, "multicore[0].worker_ram");
    let (_, field, _) = field_error(broken(
        "hx8k-breakout",
        "cache_lines = 2",
        "cache_lines = 3",
    ));
    assert_eq!(field, "multicore[0].cache_lines");
    let (_, field, m) = field_error(broken("hx8k-breakout", "cores = 2", "cores = 5"));
    assert_eq!(field, "multicore[0].cores", "{m}");
    let (_, field, m) = field_error(broken(
        "hx8k-breakout",
        "[[multicore]]\ncores = 2",
        "[[multicore]]\ncores = 2\nworker_ram = 256\ncache_lines = 1\nblocks = 8\n[[multicore]]\ncores = 2",
    ));
    assert_eq!(field, "multicore[1].cores", "{m}");
    assert!(m.contains("second entry"), "{m}");
}
