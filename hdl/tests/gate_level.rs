//! Gate-level check: the SoC as yosys synthesises it for the iCE40 (the
//! post-synthesis netlist of SB_LUT4, SB_DFF*, SB_CARRY and SB_RAM40_4K cells,
//! simulated with yosys's own iCE40 cell models in Icarus Verilog) runs
//! examples/hello.fs and prints its greeting on the serial pin — proof that what
//! goes into the FPGA computes what the RTL computes.

use j1k_hdl::{soc_verilog, HwConfig};
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

#[test]
fn synthesised_soc_prints_hello() {
    assert!(
        Path::new(CELLS).exists(),
        "yosys's iCE40 cell models are missing ({CELLS}): apt-get install yosys"
    );
    let hello = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/hello.fs");
    let image = j1k_asm::assemble_file(&hello).unwrap().words;
    // 12 MHz and 1 Mbaud: 12 clocks a bit keeps the gate-level run short.
    let cfg = HwConfig {
        key: Some(j1k_isa::KeyConfig {
            blocks: 8,
            nodes: 4,
            ..Default::default()
        }),
        clock_hz: 12_000_000,
        baud: 1_000_000,
    };
    let dir = std::env::temp_dir().join(format!("j1k-gate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rtl = dir.join("soc.v");
    let net = dir.join("netlist.v");
    let tb = dir.join("tb.v");
    let sim = dir.join("sim.vvp");
    std::fs::write(&rtl, soc_verilog(&cfg, &image)).unwrap();
    std::fs::write(&tb, testbench(12, 200_000)).unwrap();
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
    let text = String::from_utf8_lossy(&out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        text.contains("Hello, world!\n"),
        "the gate-level SoC printed {text:?}"
    );
}
