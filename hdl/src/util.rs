//! Small glue blocks that rust-hdl's `#[hdl_gen]` cannot express cleanly:
//! zero extension (no concatenation in `hdl_gen`, and `bit_cast` emits a
//! width-mismatched `&`) and the tool checks the tests share.

use rust_hdl::prelude::*;

/// Zero extension of `A` bits to `B` bits: `y = {0, a}`. One line of Verilog.
#[derive(LogicBlock, Default)]
pub struct Zext<const A: usize, const B: usize> {
    pub a: Signal<In, Bits<A>>,
    pub y: Signal<Out, Bits<B>>,
}

impl<const A: usize, const B: usize> Logic for Zext<A, B> {
    fn update(&mut self) {
        self.y.next = bit_cast::<B, A>(self.a.val());
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        assert!(B > A, "Zext widens");
        Verilog::Custom(format!("always @(*) y = {{{}'d0, a}};", B - A))
    }
}

/// The constant `v` as `Bits<N>`, for `Constant::new` in constructors.
pub fn k<const N: usize>(v: u64) -> Constant<Bits<N>> {
    Constant::new(bits::<N>(v))
}

/// Fails (never skips) when `tool` is not on the PATH, with the install hint.
pub fn require_tool(tool: &str) {
    let ok = std::process::Command::new(tool)
        .arg(if tool == "iverilog" {
            "-V"
        } else {
            "--version"
        })
        .output()
        .is_ok();
    assert!(
        ok,
        "`{tool}` is not installed: it is needed by this test. Install it with \
         `sudo apt-get install -y yosys nextpnr-ice40 fpga-icestorm verilator iverilog` \
         (or run scripts/setup)."
    );
}

/// Runs `yosys_validate` after checking that yosys exists; panics with the log on failure.
pub fn validate(name: &str, verilog: &str) {
    require_tool("yosys");
    if let Err(e) = yosys_validate(name, verilog) {
        panic!("yosys_validate({name}) failed: {e:?}");
    }
}

/// The iCE40 synthesis check, for whole designs and for blocks that instantiate iCE40
/// primitives (which rust-hdl's `yosys_validate` does not know): yosys `synth_ice40` of module
/// `top` and `check -assert`, failing on a latch, an undriven or multiply driven net, or any
/// warning but ABC's "network is combinational" note; returns the number of each cell type in
/// the result (the whole design's).
pub fn validate_ice40(
    name: &str,
    top: &str,
    verilog: &str,
) -> std::collections::BTreeMap<String, u64> {
    require_tool("yosys");
    let dir = std::env::temp_dir().join(format!("j1k-ice40-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("top.v"), verilog).unwrap();
    let out = std::process::Command::new("yosys")
        .current_dir(&dir)
        .args(["-q", "-l", "synth.log", "-p"])
        .arg(format!(
            "read_verilog top.v; synth_ice40 -top {top}; check -assert; tee -o stat.txt stat"
        ))
        .output()
        .unwrap();
    let log = std::fs::read_to_string(dir.join("synth.log")).unwrap_or_default();
    let stat = std::fs::read_to_string(dir.join("stat.txt")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "yosys synth_ice40 of {name} failed:\n{}\n{log}",
        String::from_utf8_lossy(&out.stderr)
    );
    for bad in [
        "Latch inferred",
        "is used but has no driver",
        "multiple conflicting drivers",
        "Driver-driver conflict",
        "undriven",
    ] {
        assert!(
            !log.contains(bad),
            "yosys synth_ice40 of {name}: the log has `{bad}`"
        );
    }
    let warning = |l: &&str| l.contains("Warning") && !l.contains("The network is combinational");
    if let Some(w) = log.lines().find(warning) {
        panic!("yosys synth_ice40 of {name}: {w}");
    }
    stat.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let (cell, n) = (w.next()?, w.next()?);
            Some((
                cell.starts_with("SB_").then_some(cell)?.to_string(),
                n.parse().ok()?,
            ))
        })
        .collect()
}

/// The iCE40 cells of a [`validate_ice40`] mapping as one line: LUTs, flip-flops, carries,
/// block RAMs.
pub fn ice40_size(cells: &std::collections::BTreeMap<String, u64>) -> String {
    let count = |f: &dyn Fn(&str) -> bool| -> u64 {
        cells.iter().filter(|(c, _)| f(c)).map(|(_, n)| n).sum()
    };
    format!(
        "{} LUTs, {} flip-flops, {} carries, {} block RAMs",
        count(&|c| c == "SB_LUT4"),
        count(&|c| c.starts_with("SB_DFF")),
        count(&|c| c == "SB_CARRY"),
        count(&|c| c.starts_with("SB_RAM40")),
    )
}

/// A 16-bit register that also presents its value zero-extended to `W` bits
/// (the stacks shift the head into a wide tail; reading a `Zext` of a register
/// inside a large `always @(*)` makes Verilator see a false combinational loop).
#[derive(LogicBlock, Default)]
pub struct RegW<const W: usize> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, Bits<16>>,
    pub q: Signal<Out, Bits<16>>,
    pub qw: Signal<Out, Bits<W>>,
}

impl<const W: usize> Logic for RegW<W> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.q.next = self.d.val();
        }
        self.qw.next = bit_cast::<W, 16>(self.q.val());
    }
    fn connect(&mut self) {
        self.q.connect();
        self.qw.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "initial q = 16'h0;\nalways @(posedge clock) q <= d;\nalways @(*) qw = {{{}'d0, q}};",
            W - 16
        ))
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "regw".into(),
            clock: "clock".into(),
            inputs: vec!["d".into()],
            outputs: vec!["q".into(), "qw".into()],
        }]
    }
}

/// Address bits for `size` entries.
pub fn addr_bits(size: usize) -> usize {
    let mut b = 1;
    while (1usize << b) < size {
        b += 1;
    }
    b
}

/// `generate_verilog`, with rust-hdl's links of plain signals repaired: it
/// emits `always @(*) a$ = b$c$;` (names built for interface members); this
/// turns them into `always @(*) a = b$c;`. `Signal::link` is how a block's
/// output is driven straight from a child's, outside the block's big `always`.
/// A module whose body holds the line [`KEEP_HIERARCHY`] gets the attribute.
pub fn verilog<U: Block>(uut: &U) -> String {
    keep_hierarchy(&fix_links(&generate_verilog(uut)))
}

/// A line a custom Verilog body holds to have its module synthesised on its own:
/// yosys then does not flatten it into its parent, so abc maps it alone, with
/// every input arriving at once, at the smallest depth. (Flattened, abc shares
/// its logic with the parent's and deepens whatever is shallower than the
/// parent's deepest path, not knowing that the instruction arrives late.)
pub const KEEP_HIERARCHY: &str = "// j1k: keep_hierarchy";

pub fn keep_hierarchy(v: &str) -> String {
    let lines: Vec<&str> = v.lines().collect();
    let mut out = String::with_capacity(v.len() + 256);
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("module ") {
            let marked = lines[i + 1..]
                .iter()
                .take_while(|l| !l.trim_start().starts_with("endmodule"))
                .any(|l| l.trim() == KEEP_HIERARCHY);
            if marked {
                out.push_str("(* keep_hierarchy *)\n");
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

pub fn fix_links(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for line in v.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("always @(*) ") {
            if let Some((lhs, rhs)) = rest.split_once(" = ") {
                if let (Some(l), Some(r)) = (lhs.strip_suffix('$'), rhs.strip_suffix("$;")) {
                    let indent = &line[..line.len() - t.len()];
                    out.push_str(&format!("{indent}always @(*) {l} = {r};\n"));
                    continue;
                }
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `y = d[sel]` over `K` words (`K = 1`: a wire). A block of its own so that a word picked
/// from registers or RAM outputs by the context (docs/architecture.md §11) can be linked
/// onwards: Verilator then sees no path through the picker's reader.
#[derive(LogicBlock)]
pub struct Pick<const K: usize> {
    pub sel: Signal<In, Bits<8>>,
    pub d: [Signal<In, Bits<16>>; K],
    pub y: Signal<Out, Bits<16>>,
}

impl<const K: usize> Default for Pick<K> {
    fn default() -> Self {
        Self {
            sel: Default::default(),
            d: std::array::from_fn(|_| Default::default()),
            y: Default::default(),
        }
    }
}

impl<const K: usize> Logic for Pick<K> {
    fn update(&mut self) {
        self.y.next = self.d[self.sel.val().index() % K].val();
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        if K == 1 {
            return Verilog::Custom("always @(*) y = d$0;".into());
        }
        let mut v = String::from("always @(*) begin\n    case (sel)\n");
        for i in 1..K {
            v.push_str(&format!("        8'd{i}: y = d${i};\n"));
        }
        v.push_str("        default: y = d$0;\n    endcase\nend");
        Verilog::Custom(v)
    }
}

/// The context after `ctx` of `K` (0 after K − 1): the phase of the next clock
/// (docs/architecture.md §11), which a RAM shared by the contexts is read for.
#[derive(LogicBlock, Default)]
pub struct NextCtx<const K: usize> {
    pub ctx: Signal<In, Bits<8>>,
    pub y: Signal<Out, Bits<8>>,
}

impl<const K: usize> Logic for NextCtx<K> {
    fn update(&mut self) {
        self.y.next = bits::<8>((self.ctx.val().index() as u64 + 1) % K as u64);
    }
    fn connect(&mut self) {
        self.y.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "always @(*) y = (ctx == 8'd{}) ? 8'd0 : ctx + 8'd1;",
            K - 1
        ))
    }
}
