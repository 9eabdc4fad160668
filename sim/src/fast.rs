//! The fast path: runs one core for as long as every cycle is a plain J1a
//! cycle — literals, jumps, calls, the fetch path, ALU ops including RAM
//! writes — with the whole state in locals. It stops, without executing it, at
//! the first instruction it leaves to the general cycle (`cycle.rs`): io reads
//! and strobes, and key instructions. It is entered only when no io strobe is
//! registered, no key instruction is in progress and the reboot cycle is past,
//! so the io top has nothing to do in any cycle it runs.

use crate::core::{write_aliases, Core};
use crate::decoded::*;
use crate::stack::{tail0, tail_pop, tail_push, Delta};
use j1k_isa::{DSTACK_DEPTH as DD, RSTACK_DEPTH as RD};

pub(crate) enum Exit {
    /// Executed a jump to its own address (that cycle included).
    Halted,
    /// `cycles` reached the limit.
    Limit,
    /// The next instruction needs the general cycle.
    Slow,
}

impl Core {
    /// Whether the fast path may run this core's next cycle.
    pub(crate) fn fast_ok(&self) -> bool {
        !self.reboot && self.keys.busy.is_none() && !self.io.rd && !self.io.wr
    }

    /// The next instruction is one the fast path runs (io words and key instructions
    /// decode to `K_SLOW` and up).
    pub(crate) fn next_plain(&self) -> bool {
        self.current_dec().kind() < K_SLOW
    }
}

// The literal kinds in `dispatch!` below are `mode * 16 + code` and `K_ALU + code`.
const _: () = assert!(M_PLAIN == 0 && M_POP == 1 && M_PUSH == 2 && M_WRITE == 3 && K_ALU == 64);

const D_PUSH: u8 = Delta::Push as u8;
const D_POP: u8 = Delta::Pop as u8;

/// Runs `core` until `*cycles == limit`, a halt, or an instruction for the general cycle.
/// With `LOG`, every RAM word written is first logged in `undo` with its old value.
pub(crate) fn run<const LOG: bool>(
    core: &mut Core,
    cycles: &mut u64,
    limit: u64,
    undo: &mut Vec<(u16, u16)>,
) -> Exit {
    let start = *cycles;
    let unlocked = core.io.unlocked;
    let mut e = core.current_dec();
    let mut pc = core.pc as usize;
    let mut t = core.t;
    let mut dsp = core.dsp;
    let mut rdepth = core.rdepth;
    let mut n = core.ds.head;
    let mut dbuf = core.ds.buf;
    let mut dtop = core.ds.top;
    let mut r = core.rs.head;
    let mut rbuf = core.rs.buf;
    let mut rtop = core.rs.top;
    let mut cyc = start;
    // Counted in locals, added to the core's counts at the end.
    let (mut fetches, mut writes, mut dropped) = (0u64, 0u64, 0u64);
    let code = &mut *core.code;
    let ram = &mut *core.ram;
    let ram_words = core.ram_words;

    let exit = loop {
        if cyc >= limit {
            break Exit::Limit;
        }
        let pcn: usize;
        macro_rules! alu {
            ($tn:expr) => {{
                let tn: u16 = $tn;
                let f = e.flags();
                pcn = if f & F_RET != 0 {
                    (r >> 1) as usize & 0x1fff
                } else {
                    (pc + 1) & 0x1fff
                };
                let (st0, st1) = (t, n);
                match e.dd() {
                    D_PUSH => {
                        let t0 = tail0(&dbuf, dtop);
                        tail_push::<DD>(&mut dbuf, &mut dtop, n);
                        n = if f & F_WE_D != 0 { st0 } else { t0 };
                    }
                    D_POP => {
                        let t0 = tail_pop::<DD>(&mut dbuf, &mut dtop);
                        n = if f & F_WE_D != 0 { st0 } else { t0 };
                    }
                    _ => {
                        if f & F_WE_D != 0 {
                            n = st0;
                        }
                    }
                }
                match e.rd() {
                    D_PUSH => {
                        let t0 = tail0(&rbuf, rtop);
                        tail_push::<RD>(&mut rbuf, &mut rtop, r);
                        r = if f & F_WE_R != 0 { st0 } else { t0 };
                    }
                    D_POP => {
                        let t0 = tail_pop::<RD>(&mut rbuf, &mut rtop);
                        r = if f & F_WE_R != 0 { st0 } else { t0 };
                    }
                    _ => {
                        if f & F_WE_R != 0 {
                            r = st0;
                        }
                    }
                }
                t = tn;
                let v = e.val();
                dsp = dsp.wrapping_add(v as u8) & 15;
                rdepth = rdepth.wrapping_add((v >> 8) as u8) & 31;
                if f & F_STORE != 0 {
                    let next = code[pcn]; // the fetch reads the old word
                    if unlocked {
                        let a = (st0 >> 1) as usize & 0xfff;
                        if LOG {
                            undo.push((a as u16, ram[a]));
                        }
                        write_aliases(ram, code, ram_words, a, st1);
                        writes += 1;
                    } else {
                        dropped += 1;
                    }
                    e = next;
                    pc = pcn;
                    cyc += 1;
                    continue;
                }
            }};
        }
        // One arm per kind: for each T' code, its four simple forms and its general form.
        macro_rules! dispatch {
            ($( $plain:literal, $pop:literal, $push:literal, $write:literal, $full:literal => $tn:expr; )*
             rest: { $($rest:tt)* }) => {
                match e.kind() & 127 {
                    $(
                        $plain => {
                            t = $tn;
                            pcn = (pc + 1) & 0x1fff;
                        }
                        $pop => {
                            t = $tn;
                            n = tail_pop::<DD>(&mut dbuf, &mut dtop);
                            dsp = (dsp + 15) & 15;
                            pcn = (pc + 1) & 0x1fff;
                        }
                        $push => {
                            let tn = $tn;
                            tail_push::<DD>(&mut dbuf, &mut dtop, n);
                            n = t;
                            t = tn;
                            dsp = (dsp + 1) & 15;
                            pcn = (pc + 1) & 0x1fff;
                        }
                        $write => {
                            let tn = $tn;
                            n = t;
                            t = tn;
                            pcn = (pc + 1) & 0x1fff;
                        }
                        $full => alu!($tn),
                    )*
                    $($rest)*
                }
            };
        }
        dispatch! {
            0, 16, 32, 48, 64 => t;
            1, 17, 33, 49, 65 => n;
            2, 18, 34, 50, 66 => t.wrapping_add(n);
            3, 19, 35, 51, 67 => t & n;
            4, 20, 36, 52, 68 => t | n;
            5, 21, 37, 53, 69 => t ^ n;
            6, 22, 38, 54, 70 => !t;
            7, 23, 39, 55, 71 => if n == t { 0xffff } else { 0 };
            8, 24, 40, 56, 72 => if (n as i16) < (t as i16) { 0xffff } else { 0 };
            9, 25, 41, 57, 73 => ((t as i16) >> 1) as u16;
            10, 26, 42, 58, 74 => t << 1;
            11, 27, 43, 59, 75 => r;
            12, 28, 44, 60, 76 => n.wrapping_sub(t);
            14, 30, 46, 62, 78 => dsp as u16;
            15, 31, 47, 63, 79 => if n < t { 0xffff } else { 0 };
            rest: {
            K_LIT => {
                tail_push::<DD>(&mut dbuf, &mut dtop, n);
                n = t;
                t = e.val();
                dsp = (dsp + 1) & 15;
                pcn = (pc + 1) & 0x1fff;
            }
            K_JMP => {
                pcn = e.val() as usize;
                if pcn == pc {
                    e = code[pcn];
                    cyc += 1;
                    break Exit::Halted;
                }
            }
            K_CJMP => {
                pcn = if t == 0 {
                    e.val() as usize
                } else {
                    (pc + 1) & 0x1fff
                };
                t = n;
                n = tail_pop::<DD>(&mut dbuf, &mut dtop);
                dsp = (dsp + 15) & 15;
            }
            K_CALL => {
                tail_push::<RD>(&mut rbuf, &mut rtop, r);
                r = (((pc + 1) & 0x1fff) << 1) as u16;
                rdepth = (rdepth + 1) & 31;
                pcn = e.val() as usize;
            }
            K_FETCH => {
                tail_push::<DD>(&mut dbuf, &mut dtop, n);
                n = t;
                t = e.raw();
                dsp = (dsp + 1) & 15;
                pcn = (r >> 1) as usize & 0x1fff;
                r = tail_pop::<RD>(&mut rbuf, &mut rtop);
                rdepth = (rdepth + 31) & 31;
                fetches += 1;
            }
            // io reads (T' code 13) and key instructions; no other kind exists.
            13 | 29 | 45 | 61 | 77 | K_SLOW..=127 => break Exit::Slow,
            _ => break Exit::Slow,
            }
        }
        e = code[pcn];
        pc = pcn;
        cyc += 1;
    };

    let ran = cyc - start;
    if ran > 0 {
        core.pc = pc as u16;
        core.insn = e.raw();
        core.t = t;
        core.dsp = dsp;
        core.rdepth = rdepth;
        core.ds.head = n;
        core.ds.buf = dbuf;
        core.ds.top = dtop;
        core.rs.head = r;
        core.rs.buf = rbuf;
        core.rs.top = rtop;
        core.halted = matches!(exit, Exit::Halted);
        core.io.rd = false;
        core.io.wr = false;
        let c = &mut core.counts;
        c.instructions += ran - fetches;
        c.fetch_cycles += fetches;
        c.ram_writes += writes;
        c.ram_writes_dropped += dropped;
        *cycles = cyc;
    }
    exit
}
