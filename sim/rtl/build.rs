//! Builds the Verilated models of the simulation tops (one core, and two and four): j1k-hdl
//! writes the Verilog, `verilator --cc` writes each model's C++, a cache line of padding goes
//! between its memories (`pad_memories`), `make` compiles the model, and the `cc` crate
//! compiles the C shim (which runs the cycle loop, see csrc/shim.cpp, with the accessors
//! written here into obs_gen.h) and Verilator's runtime.

use std::{env, fs, path::PathBuf, process::Command};

const VINC: &str = "/usr/share/verilator/include";

/// The models: (prefix, cores, contexts), as the boards build them. One core is the
/// simulation top (sim_top.rs); two are MultiTop (multi_top.rs, a tile each), four the
/// contexts of one tile circuit (ctx_top.rs, a cycle every 4 clocks), with every core's
/// observation ports, shaped as `j1k sim --cores N` is by default (4 cache lines a core,
/// every core 4K words of RAM).
const MODELS: &[(&str, usize, bool)] = &[("Vtop", 1, false), ("Vm2", 2, false), ("Vc4", 4, true)];
const CACHE_LINES: usize = 4;

fn main() {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let cfg = j1k_hdl::HwConfig {
        key: Some(j1k_isa::KeyConfig::default()),
        block_memory: Default::default(),
        clock_hz: 12_000_000,
        baud: 115_200,
        worker_ram: j1k_isa::RAM_WORDS,
    };
    for &(prefix, cores, contexts) in MODELS {
        let verilog = match cores {
            1 => j1k_hdl::sim_top_verilog(&cfg, &[]),
            n if contexts => j1k_hdl::ctx_sim_top_verilog(&cfg, &[], n, CACHE_LINES),
            n => j1k_hdl::multi_sim_top_verilog(&cfg, &[], n, CACHE_LINES),
        };
        verilate(&out, prefix, &verilog);
    }
    fs::write(out.join("obs_gen.h"), observers()).unwrap();
    assert!(
        PathBuf::from(VINC).join("verilated.cpp").exists(),
        "Verilator's runtime sources are missing from {VINC}: apt-get install verilator"
    );
    let mut shim = cc::Build::new();
    shim.cpp(true)
        .std("c++17")
        .opt_level(2)
        .include(&out)
        .include(VINC)
        .include(format!("{VINC}/vltstd"))
        .flag("-faligned-new")
        .flag("-Wno-unused-parameter");
    for &(prefix, _, _) in MODELS {
        shim.include(out.join(prefix));
    }
    shim.file("csrc/shim.cpp").compile("j1k_rtl_shim");
    // Static-library order matters: the shim, then the models, then the runtime.
    for &(prefix, _, _) in MODELS {
        println!(
            "cargo:rustc-link-search=native={}",
            out.join(prefix).display()
        );
        println!("cargo:rustc-link-lib=static={prefix}");
    }
    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .opt_level(2)
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

/// `verilator --cc` and `make`: the model `prefix` in OUT_DIR/prefix/lib{prefix}.a.
fn verilate(out: &std::path::Path, prefix: &str, verilog: &str) {
    let mdir = out.join(prefix);
    let v = out.join(format!("{prefix}.v"));
    fs::write(&v, verilog).unwrap();
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
            prefix,
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
    pad_memories(&mdir.join(format!("{prefix}___024root.h")));
    // -O3 on the per-cycle code: about 7% faster than -O2 (`--x-assign fast`
    // and -march=native gained nothing measurable).
    let status = Command::new("make")
        .args([
            "-j",
            "2",
            "-f",
            &format!("{prefix}.mk"),
            "OPT_FAST=-O3",
            "OPT_SLOW=-O1",
        ])
        .current_dir(&mdir)
        .status()
        .unwrap_or_else(|e| panic!("j1k-rtl needs make to build the RTL model ({e})"));
    assert!(
        status.success(),
        "make failed on the Verilated model in {}",
        mdir.display()
    );
    // rustc-link-lib wants lib<name>.a
    fs::copy(
        mdir.join(format!("{prefix}__ALL.a")),
        mdir.join(format!("lib{prefix}.a")),
    )
    .unwrap();
}

/// obs_gen.h: for each model, what the shim reads of it (csrc/shim.cpp): a core's
/// observation (`struct j1k_rtl_obs`; of contexts, the one tile's, which is core k's in
/// phase k), the coherence unit's (`struct j1k_rtl_unit`; a one-core model has none), which
/// cores run, whether every running core halts in this cycle (not of contexts: the shim
/// sees their phases), and the inputs a model of several cores holds (its UART is always
/// ready).
fn observers() -> String {
    let mut h = String::from("// Written by build.rs: what the shim reads of each model.\n");
    // The shim's structs are the Rust ones field for field: at least their sizes agree.
    for (c, size) in [
        ("j1k_rtl_obs", std::mem::size_of::<j1k_sim::lockstep::Obs>()),
        (
            "j1k_rtl_unit",
            std::mem::size_of::<j1k_sim::lockstep::UnitObs>(),
        ),
    ] {
        h.push_str(&format!(
            "static_assert(sizeof({c}) == {size}, \"{c} differs from its Rust twin\");\n"
        ));
    }
    const { assert!(CACHE_LINES <= j1k_sim::lockstep::UNIT_LINES) };
    for &(prefix, cores, contexts) in MODELS {
        let port = |k: usize, name: &str| match cores {
            1 => format!("m->{name}"),
            _ if contexts => format!("m->c0_{name}"),
            _ => format!("m->c{k}_{name}"),
        };
        h.push_str(&format!(
            "inline void observe_core(const {prefix} *m, int k, j1k_rtl_obs *o) {{\n    switch (k) {{\n"
        ));
        for k in 0..cores {
            h.push_str(&format!("    case {k}:\n"));
            for name in j1k_hdl::MULTI_OBS_PORTS {
                let field = match name.strip_prefix("breg").or(name.strip_prefix("nreg")) {
                    Some(i) if !i.is_empty() && i.chars().all(|c| c.is_ascii_digit()) => {
                        format!("{}[{i}]", &name[..4])
                    }
                    _ => name.to_string(),
                };
                h.push_str(&format!("        o->{field} = {};\n", port(k, name)));
            }
            h.push_str("        break;\n");
        }
        h.push_str("    }\n}\n");
        let (running, halting): (Vec<String>, Vec<String>) = (0..cores)
            .map(|k| match cores {
                1 => ("1u".to_string(), "m->halt".to_string()),
                _ => (
                    format!("(uint32_t(m->c{k}_running) << {k})"),
                    format!("(!m->c{k}_running || m->c{k}_halt)"),
                ),
            })
            .unzip();
        h.push_str(&format!(
            "inline uint32_t running_mask(const {prefix} *m) {{ return {}; }}\n",
            running.join(" | ")
        ));
        if contexts {
            h.push_str(&format!(
                "inline bool halting(const {prefix} *m) {{ (void)m; return false; }}\n"
            ));
        } else {
            h.push_str(&format!(
                "inline bool halting(const {prefix} *m) {{ return {}; }}\n",
                halting.join(" && ")
            ));
        }
        h.push_str(&format!(
            "inline void observe_unit(const {prefix} *m, j1k_rtl_unit *u) {{\n"
        ));
        if cores == 1 {
            h.push_str("    (void)m;\n    (void)u;\n");
        }
        for t in (0..cores).filter(|_| cores > 1) {
            for name in j1k_hdl::UNIT_LINE_PORTS {
                for i in 0..CACHE_LINES {
                    h.push_str(&format!(
                        "    u->tiles[{t}].{name}[{i}] = m->u{t}_{name}{i};\n"
                    ));
                }
            }
            for name in j1k_hdl::UNIT_TILE_PORTS {
                h.push_str(&format!("    u->tiles[{t}].{name} = m->u{t}_{name};\n"));
            }
        }
        for name in j1k_hdl::UNIT_PORTS.iter().filter(|_| cores > 1) {
            h.push_str(&format!("    u->{name} = m->u_{name};\n"));
        }
        h.push_str("}\n");
        h.push_str(&format!(
            "inline void hold_inputs({prefix} *m) {{ {} }}\n",
            if cores == 1 {
                "(void)m;"
            } else {
                "m->uart_tx_ready = 1;"
            }
        ));
    }
    h
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
