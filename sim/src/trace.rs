//! A per-cycle text trace, one fixed-width line per core per cycle:
//!
//! ```text
//!      cycle c pc   instruction                 T    N     d  r  block      node
//!         12 0 0005 +                           0003 55aa  1  0  b0 ----   n0 0001w  tx 41
//! ```
//!
//! `pc` and the instruction are those of the cycle (a fetch-path cycle shows
//! `fetch $word`, a held cycle of a multi-cycle key instruction `[k/n] stall`);
//! T, N, the depths and the current key registers are as the cycle leaves them.
//! Keys print as their index in hex and `w` (read-write) or `r` (read-only);
//! `----` is the null key. Events of the cycle follow: `ram[a]=v`, `dropped`,
//! `blk[b:i]=v`, `fault`, `io[a]=v` (an io write acting), `tx xx`, `rx xx`, `halt`.
//! A cycle that waits for the coherence unit shows `wait`; the unit's grants and
//! completions follow the cores' lines as `u grant KIND to core K` / `u done …`.

use crate::mem::store::Key;
use crate::mem::unit::Kind;
use crate::step::{CycleKind, Step};
use crate::{Machine, Observer};
use j1k_isa::decode;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct Tracer<W: Write> {
    out: W,
    header: bool,
    line: String,
    error: Option<io::Error>,
}

fn key(k: Key) -> String {
    if k.is_null() {
        "---- ".to_string()
    } else {
        format!("{:04x}{}", k.index, if k.writable { 'w' } else { 'r' })
    }
}

impl<W: Write> Tracer<W> {
    pub fn new(out: W) -> Tracer<W> {
        Tracer {
            out,
            header: true,
            line: String::new(),
            error: None,
        }
    }

    /// Flushes the output; reports the first write error of the run, if any.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn format(&mut self, m: &Machine, step: &Step) {
        let l = &mut self.line;
        l.clear();
        if self.header {
            self.header = false;
            l.push_str(
                "     cycle c pc   instruction                 T    N     d  r  block      node\n",
            );
        }
        for (i, cs) in step.cores.iter().enumerate() {
            if cs.kind == CycleKind::Idle {
                continue;
            }
            let c = m.core(i);
            let what = match cs.kind {
                CycleKind::Reboot => "reboot".to_string(),
                CycleKind::Fetch => format!("fetch ${:04x}", cs.insn),
                _ => {
                    let mut s = decode(cs.insn).to_string();
                    if let Some((_, n)) = cs.key {
                        let total = c.busy().map_or(n, |b| b.total);
                        if n > 1 || total > 1 {
                            let _ = write!(s, " [{n}/{total}]");
                        }
                    }
                    if cs.kind == CycleKind::Stall {
                        s.push_str(" stall");
                    }
                    if cs.kind == CycleKind::Wait {
                        s.push_str(" wait");
                    }
                    s
                }
            };
            let _ = write!(
                l,
                "{:>10} {} {:04x} {:<27} {:04x} {:04x} {:>2} {:>2}  b{} {}  n{} {}",
                step.cycle,
                i,
                cs.pc,
                what,
                c.t(),
                c.n(),
                c.dsp(),
                c.rdepth(),
                c.cur_block(),
                key(c.block_reg(c.cur_block())),
                c.cur_node(),
                key(c.node_reg(c.cur_node())),
            );
            if let Some((a, v)) = cs.ram_write {
                let _ = write!(l, "  ram[{a:03x}]={v:04x}");
            }
            if let Some((a, v)) = cs.ram_write_dropped {
                let _ = write!(l, "  ram[{a:03x}]={v:04x} dropped");
            }
            if let Some((b, i, v)) = cs.block_write {
                let _ = write!(l, "  blk[{b:x}:{i:x}]={v:04x}");
            }
            if let Some((n, i, which, k)) = cs.slot_write {
                let kind = ["", "b", "n", "bn"][which as usize & 3];
                let _ = write!(l, "  node[{n:x}:{i:x}]{kind}={}", key(k));
            }
            if cs.fault {
                l.push_str("  fault");
            }
            if let Some((a, v)) = cs.io_write {
                let _ = write!(l, "  io[{a:04x}]={v:04x}");
            }
            if i == 0 {
                if let Some(b) = step.uart_tx {
                    let _ = write!(l, "  tx {b:02x}");
                }
                if let Some(b) = step.uart_rx {
                    let _ = write!(l, "  rx {b:02x}");
                }
            }
            if cs.halt {
                l.push_str("  halt");
            }
            l.push('\n');
        }
        for (what, x) in [("grant", step.granted), ("done", step.completed)] {
            let Some(x) = x else { continue };
            let _ = write!(
                l,
                "{:>10} u {what} {} to core {}",
                step.cycle,
                x.kind.name(),
                x.tile
            );
            if matches!(x.kind, Kind::Fill { .. } | Kind::Upgrade | Kind::Nop) {
                let _ = write!(l, ", block {:x}", x.block);
            }
            if what == "grant" {
                if x.writeback {
                    let _ = write!(l, ", writes back line {}", x.line);
                }
                if let Some(src) = x.source {
                    let _ = write!(l, ", data from core {src}");
                }
            }
            l.push('\n');
        }
    }
}

impl<W: Write> Observer for Tracer<W> {
    fn after_cycle(&mut self, m: &Machine, step: &Step) {
        if self.error.is_some() {
            return;
        }
        self.format(m, step);
        if let Err(e) = self.out.write_all(self.line.as_bytes()) {
            self.error = Some(e);
        }
    }
}
