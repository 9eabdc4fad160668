//! Writes the Verilog: `cargo run -p j1k-hdl --example export -- OUT_DIR [IMAGE.hex] [--no-key]`
//! gives OUT_DIR/top.v (the simulation top) and OUT_DIR/j1k_soc.v (the SoC).

use j1k_hdl::{sim_top_verilog, soc_verilog, HwConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = std::path::PathBuf::from(args.first().map(String::as_str).unwrap_or("."));
    let mut cfg = HwConfig::default();
    let mut image = vec![0u16; 1];
    for a in &args[1..] {
        if a == "--no-key" {
            cfg.key = None;
        } else {
            let bytes = std::fs::read(a).expect("read image");
            image = j1k_isa::image::read_hex(&bytes).expect("a .hex image");
        }
    }
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("top.v"), sim_top_verilog(&cfg, &image)).unwrap();
    std::fs::write(out.join("j1k_soc.v"), soc_verilog(&cfg, &image)).unwrap();
}
