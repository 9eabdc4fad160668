//! Builds the Verilated model of the simulation top: j1k-hdl writes the
//! Verilog, `verilator --cc --build` compiles the model, and the `cc` crate
//! compiles the C shim and Verilator's runtime. Multi-cycle loops stay on the
//! Rust side: one FFI call per cycle costs little next to the model's eval.

use std::{env, fs, path::PathBuf, process::Command};

const VINC: &str = "/usr/share/verilator/include";

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let cfg = j1k_hdl::HwConfig {
        key: Some(j1k_isa::KeyConfig::default()),
        block_memory: Default::default(),
        clock_hz: 12_000_000,
        baud: 115_200,
    };
    let v = out.join("j1k_sim_top.v");
    fs::write(&v, j1k_hdl::sim_top_verilog(&cfg, &[])).unwrap();

    let mdir = out.join("vobj");
    let status = Command::new("verilator")
        .args([
            "--cc",
            "--build",
            "-j",
            "2",
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
            "-MAKEFLAGS",
            "OPT_FAST=-O2 OPT_SLOW=-O1",
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
