//! Gate-level check: the SoC as yosys synthesises it for the iCE40 (the
//! post-synthesis netlist of SB_LUT4, SB_DFF*, SB_CARRY and SB_RAM40_4K cells,
//! simulated with yosys's own iCE40 cell models in Icarus Verilog) runs
//! examples/hello.fs and prints its greeting on the serial pin — proof that what
//! goes into the FPGA computes what the RTL computes. The same for SoCs with a key unit
//! and for two cores sharing blocks: they print what the Rust simulator prints.

use j1k_hdl::{multi_soc_verilog, soc_verilog, BlockMemory, HwConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

const CELLS: &str = "/usr/share/yosys/ice40/cells_sim.v";

fn tool(cmd: &mut Command, what: &str, pkg: &str) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{what} is needed for the gate-level check ({e}): apt-get install {pkg}")
    });
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A testbench: 12 MHz clock, and a UART receiver on `uart_tx` at `bit` clocks
/// per bit that prints each byte; it stops after a newline or a cycle budget.
fn testbench(bit: u32, budget: u32) -> String {
    format!(
        r#"`timescale 1ns/1ps
module tb;
  reg clock = 0;
  always #41.667 clock = ~clock;
  wire uart_tx;
  wire [4:0] leds;
  j1k_soc dut(.clock(clock), .reset(1'b0), .uart_rx(1'b1), .uart_tx(uart_tx), .leds(leds));
  integer i, cycles = 0;
  reg [7:0] ch;
  always @(posedge clock) begin
    cycles = cycles + 1;
    if (cycles > {budget}) begin $display("\nTIMEOUT"); $finish; end
  end
  initial begin
    forever begin
      @(negedge uart_tx);
      repeat ({half}) @(posedge clock);
      if (uart_tx == 1'b0) begin
        for (i = 0; i < 8; i = i + 1) begin
          repeat ({bit}) @(posedge clock);
          ch[i] = uart_tx;
        end
        repeat ({bit}) @(posedge clock);
        $write("%c", ch);
        if (ch == 8'h0a) $finish;
      end
    end
  end
endmodule
"#,
        half = bit / 2
    )
}

/// Synthesises the SoC (`soc`: its Verilog, module `j1k_soc`) with yosys, simulates the
/// netlist with the cell models for at most `budget` cycles (12 MHz, 1 Mbaud: 12 clocks a
/// bit keeps the run short) and returns what it printed on its serial pin.
fn gate_level_output(name: &str, soc: &str, budget: u32) -> String {
    assert!(
        Path::new(CELLS).exists(),
        "yosys's iCE40 cell models are missing ({CELLS}): apt-get install yosys"
    );
    let dir = std::env::temp_dir().join(format!("j1k-gate-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rtl = dir.join("soc.v");
    let net = dir.join("netlist.v");
    let tb = dir.join("tb.v");
    let sim = dir.join("sim.vvp");
    std::fs::write(&rtl, soc).unwrap();
    std::fs::write(&tb, testbench(12, budget)).unwrap();
    tool(
        Command::new("yosys").arg("-q").arg("-p").arg(format!(
            "read_verilog {}; synth_ice40 -top j1k_soc; write_verilog -noattr {}",
            rtl.display(),
            net.display()
        )),
        "yosys",
        "yosys",
    );
    tool(
        Command::new("iverilog")
            .args(["-g2012", "-DNO_ICE40_DEFAULT_ASSIGNMENTS", "-o"])
            .arg(&sim)
            .arg(&tb)
            .arg(&net)
            .arg(CELLS),
        "iverilog",
        "iverilog",
    );
    let out = tool(Command::new("vvp").arg("-n").arg(&sim), "vvp", "iverilog");
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn config(key: j1k_isa::KeyConfig, block_memory: BlockMemory) -> HwConfig {
    HwConfig {
        key: Some(key),
        block_memory,
        clock_hz: 12_000_000,
        baud: 1_000_000,
        worker_ram: 4096,
    }
}

#[test]
fn synthesised_soc_prints_hello() {
    let hello = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/hello.fs");
    let image = j1k_asm::assemble_file(&hello).unwrap().words;
    let key = j1k_isa::KeyConfig {
        blocks: 8,
        nodes: 4,
        ..Default::default()
    };
    let soc = soc_verilog(&config(key, BlockMemory::Bram), &image);
    let text = gate_level_output("hello", &soc, 200_000);
    assert!(
        text.contains("Hello, world!\n"),
        "the gate-level SoC printed {text:?}"
    );
}

/// The start of both store programs: reads through the null key (two zeros), then words,
/// bytes and `bxadd` in the first block allocated (block 1, through b0).
const STORE_PRELUDE: &str = "
include lib/io.fs
: allocs ( n -- )  begin dup while balloc drop 1- repeat drop ;
: main  init
    5 b@ .  77 bc@ .
    balloc drop  $1234 3 b!  $ab 9 bc!  3 b@ .  4 b@ .  9 bc@ .  8 bc@ .
    $11 3 bxadd .  3 b@ .";

fn assemble(name: &str, src: &str) -> Vec<u16> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../examples/{name}.fs"));
    j1k_asm::assemble_str(path.to_str().unwrap(), src)
        .unwrap()
        .words
}

/// What the Rust simulator prints for `image` on `cores` cores of `cache_lines` lines and
/// `worker_ram` words of RAM on cores 1...
fn simulator_output(
    image: &[u16],
    key: j1k_isa::KeyConfig,
    cores: usize,
    cache_lines: usize,
    worker_ram: usize,
) -> String {
    let mut m = j1k_sim::Machine::new(j1k_sim::Config {
        cores,
        key,
        cache_lines,
        worker_ram,
    })
    .unwrap();
    m.load_program(image).unwrap();
    let mut uart = j1k_sim::BufUart::new(b"");
    let limits = j1k_sim::Limits {
        max_cycles: Some(1_000_000),
        idle_cycles: 1_000_000,
    };
    let outcome = m.run(&mut uart, &limits);
    let out = String::from_utf8_lossy(&uart.output).into_owned();
    assert!(
        out.ends_with('\n'),
        "the simulator printed {out:?} ({outcome:?})"
    );
    out
}

/// The gate-level SoC with `key` and `memory` must print exactly what the Rust simulator
/// prints for `src` (which must start with two zeros: reads through the null key).
fn computes_as_the_simulator(name: &str, src: &str, key: j1k_isa::KeyConfig, memory: BlockMemory) {
    let image = assemble(name, src);
    let want = simulator_output(&image, key, 1, 4, 4096);
    assert!(want.starts_with("0 0 "), "the simulator printed {want:?}");
    let soc = soc_verilog(&config(key, memory), &image);
    let text = gate_level_output(name, &soc, 400_000);
    assert_eq!(text, want, "the gate-level SoC and the simulator differ");
}

/// Two cores sharing a block through the coherence unit: each counts in it with `bxadd`
/// and under a spin lock, then they meet at a barrier and core 0 prints both counts —
/// the synthesised two-core SoC prints what the simulator prints (24 24).
#[test]
fn synthesised_two_core_soc_computes_as_the_simulator() {
    let src = "
include lib/io.fs
include lib/smp.fs
12 constant rounds
: work ( -- )
    nb@ 0
    0 begin dup rounds < while
        1 0 bxadd drop
        2 lock  1 b@ 1+ 1 b!  2 unlock
        1+
    repeat drop
    #cores 3 barrier ;
: worker  work halt ;
: main
    init  balloc drop  nb! 0
    ['] worker 1 start
    work
    0 b@ .  1 b@ .  cr halt ;
";
    let image = assemble("gate_two_cores", src);
    let key = j1k_isa::KeyConfig {
        block_words: 16,
        node_slots: 4,
        blocks: 12,
        nodes: 8,
        ..Default::default()
    };
    // core 1 with 1K words of RAM, as the HX8K's two-core build
    let want = simulator_output(&image, key, 2, 2, 1024);
    assert_eq!(want, "24 24 \n");
    let cfg = HwConfig {
        worker_ram: 1024,
        ..config(key, BlockMemory::Bram)
    };
    let soc = multi_soc_verilog(&cfg, &image, 2, 2);
    let text = gate_level_output("two_cores", &soc, 100_000);
    assert_eq!(
        text, want,
        "the gate-level two-core SoC and the simulator differ"
    );
}

/// The UP5K's block store: four SB_SPRAM256KA (yosys's model starts them all-X, as the
/// bitstream leaves them undefined). The null block must read 0, words and bytes written
/// in the first and the second SPRAM must read back, `bxadd` must add — exactly what the
/// Rust simulator prints for the same program.
#[test]
fn synthesised_soc_with_spram_store_computes_as_the_simulator() {
    let src = format!(
        "{STORE_PRELUDE}
    bsel b1  129 allocs  balloc .  $beef 0 b!  7 1 b!  $c4 3 bc!  0 b@ .  1 b@ .
    bsel b0  3 b@ .  bsel b1 1 b@ .  faults .
    cr halt ;
"
    );
    let key = j1k_isa::KeyConfig {
        blocks: 512,
        nodes: 4,
        ..Default::default()
    };
    computes_as_the_simulator("gate_spram", &src, key, BlockMemory::Spram);
}

/// The HX8K's block store: 24 blocks of 128 words in block RAM, a row of 2048 words (eight
/// SB_RAM40_4K as 2048×2) and one of 1024 (four as 1024×4; block_store.rs). Words and bytes of
/// both lanes in a block of each row, `bxadd`, and the null block, as the simulator prints them.
#[test]
fn synthesised_soc_with_bram_store_computes_as_the_simulator() {
    let src = format!(
        "{STORE_PRELUDE}
    bsel b1  15 allocs  balloc .  $beef 127 b!  7 1 b!  $c4 3 bc!  $5a 254 bc!
    127 b@ .  1 b@ .  0 b@ .  254 bc@ .  255 bc@ .
    bsel b0  3 b@ .  127 b@ .  bsel b1 1 b@ .  faults .
    cr halt ;
"
    );
    let key = j1k_isa::KeyConfig {
        blocks: 24,
        nodes: 4,
        ..Default::default()
    };
    computes_as_the_simulator("gate_bram", &src, key, BlockMemory::Bram);
}
