//! Builds the Verilated model of the simulation top: j1k-hdl writes the
//! Verilog, `verilator --cc` writes the model's C++, a cache line of padding
//! goes between its memories (`pad_memories`), `make` compiles the model, and
//! the `cc` crate compiles the C shim (which runs the cycle loop, see
//! csrc/shim.cpp) and Verilator's runtime.

use std::{env, fs, path::PathBuf, process::Command};

const VINC: &str = "/usr/share/verilator/include";

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let cfg = j1k_hdl::HwConfig {
        key: Some(j1k_isa::KeyConfig::default()),
        block_memory: Default::default(),
        clock_hz: 12_000_000,
        baud: 115_200,
        worker_ram: j1k_isa::RAM_WORDS,
    };
    let v = out.join("j1k_sim_top.v");
    fs::write(&v, j1k_hdl::sim_top_verilog(&cfg, &[])).unwrap();

    let mdir = out.join("vobj");
    let status = Command::new("verilator")
        .args([
            "--cc",
            "-O3",
            "--x-assign",
            "0",
            "--x-initial",
            "0",
            "-Wno-fatal",
            "-Wno-lint",
            "-Wno-style",
            "--top-module",
            "top",
            "--prefix",
            "Vtop",
        ])
        .arg("-Mdir")
        .arg(&mdir)
        .arg(&v)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "j1k-rtl needs Verilator to build the RTL model ({e}).\n\
                 Install it: apt-get install verilator (or run scripts/setup)"
            )
        });
    assert!(status.success(), "verilator failed on {}", v.display());
    pad_memories(&mdir.join("Vtop___024root.h"));
    // -O3 on the per-cycle code: about 7% faster than -O2 (`--x-assign fast`
    // and -march=native gained nothing measurable).
    let status = Command::new("make")
        .args(["-j", "2", "-f", "Vtop.mk", "OPT_FAST=-O3", "OPT_SLOW=-O1"])
        .current_dir(&mdir)
        .status()
        .unwrap_or_else(|e| panic!("j1k-rtl needs make to build the RTL model ({e})"));
    assert!(
        status.success(),
        "make failed on the Verilated model in {}",
        mdir.display()
    );
    assert!(
        PathBuf::from(VINC).join("verilated.cpp").exists(),
        "Verilator's runtime sources are missing from {VINC}: apt-get install verilator"
    );
    // rustc-link-lib wants lib<name>.a
    fs::copy(mdir.join("Vtop__ALL.a"), mdir.join("libVtop.a")).unwrap();
    // Static-library order matters: the shim, then the model, then the runtime.
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .opt_level(2)
        .include(&mdir)
        .include(VINC)
        .include(format!("{VINC}/vltstd"))
        .flag("-faligned-new")
        .flag("-Wno-unused-parameter")
        .file("csrc/shim.cpp")
        .compile("j1k_rtl_shim");
    println!("cargo:rustc-link-search=native={}", mdir.display());
    println!("cargo:rustc-link-lib=static=Vtop");
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .opt_level(2)
        .include(&mdir)
        .include(VINC)
        .include(format!("{VINC}/vltstd"))
        .define("VM_COVERAGE", "0")
        .define("VM_SC", "0")
        .define("VM_TRACE", "0")
        .define("VM_TRACE_FST", "0")
        .define("VM_TRACE_VCD", "0")
        .flag("-faligned-new")
        .flag("-Wno-unused-parameter")
        .file(format!("{VINC}/verilated.cpp"))
        .file(format!("{VINC}/verilated_threads.cpp"))
        .compile("verilated");
    println!("cargo:rustc-link-lib=pthread");
    println!("cargo:rerun-if-changed=csrc/shim.cpp");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../hdl/src");
}

/// Puts a cache line of padding after every memory (`VlUnpacked` member) of the
/// model's state. The block store is 128 bit-slice memories of 2048 × 2 bits
/// (the SB_RAM40_4K's 2048 × 2 mode, hdl/src/key/block_store.rs), which Verilator
/// lays out back to back, 2 KiB apart, and every rising edge reads the same index
/// of each: 128 cache lines that fall into two sets of a 32 KiB 8-way L1 and keep
/// evicting each other. 64 bytes more per memory spread them over every set: the
/// model runs about 1.6 times as fast. Only the layout changes (nothing refers to
/// the padding), and a header that does not look as expected is left as it is.
fn pad_memories(header: &std::path::Path) {
    let text = fs::read_to_string(header).unwrap();
    let mut out = String::with_capacity(text.len() + 4096);
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        out.push('\n');
        let member = line.trim_start();
        if member.starts_with("VlUnpacked<") && member.ends_with(';') {
            let indent = &line[..line.len() - member.len()];
            out.push_str(&format!("{indent}char j1k_pad_{i}[64];\n"));
        }
    }
    fs::write(header, out).unwrap();
}
