//! Random programs for several cores, for the fuzzers that hold the memory system to its
//! invariants (sim/tests/multicore.rs) and the hardware to the simulator (hdl's lockstep
//! tests): every core loops forever over random key instructions on three shared blocks.

/// A random program (source text; it includes nothing) for `cores` cores. Each core
/// loops over block reads, writes, byte accesses and atomics, block-key loads and stores
/// (direct and indirect), register switches, weakened keys, allocations of blocks and
/// nodes, and node-key stores and loads through the root node; core 0 also stops and
/// restarts the other cores and reads a stopped core's RAM through the remote pointer.
/// The same seed gives the same program.
pub fn random_program(seed: u64, cores: usize) -> String {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut src = String::new();
    for k in 0..cores {
        src += &format!(": w{k}  nb@ {}  begin\n", next(3));
        for _ in 0..(8 + next(24)) {
            let i = next(4);
            let v = next(0x7fff);
            src += &match next(24) {
                0..=3 => format!("  {v} {i} b!\n"),
                4..=7 => format!("  {i} b@ drop\n"),
                8 => format!("  {v} {} bc!\n", next(8)),
                9 => format!("  {} bc@ drop\n", next(8)),
                10 | 11 => format!("  {v} {i} bxchg drop\n"),
                12 | 13 => format!("  1 {i} bxadd drop\n"),
                14 | 15 => format!("  nb@ {}\n", next(3)),
                16 => format!("  nb! {}\n", next(3)),
                17 => format!("  bsel b{}\n", next(2)),
                18 if next(4) == 0 => "  bweaken\n".into(),
                19 if next(3) == 0 => "  bsel b1 balloc drop bsel b0\n".into(),
                20 if next(3) == 0 => "  nsel n1 nalloc drop nn! 3 n1 nsel n0\n".into(),
                21 => format!("  nn@ 3 n1 nsel n1 {} nb@i nsel n0\n", next(3)),
                22 | 23 if k == 0 && cores > 1 => {
                    let j = 1 + next(cores as u64 - 1);
                    match next(3) {
                        0 => format!("  ${:x} $0200 io!\n", j << 13),
                        1 => format!("  ['] w{j} ${:x} or $0100 io!\n", j << 13),
                        _ => format!("  ${:x} $0400 io! $0800 io@ drop\n", (j << 13) | next(64)),
                    }
                }
                _ => format!("  {} nb@i\n", next(3)),
            };
        }
        src += "  again ;\n";
    }
    src += ": main  0 0 io!\n";
    for s in 0..3 {
        src += &format!("  bsel b{s} balloc drop nb! {s}\n");
    }
    src += "  bsel b0\n";
    for k in 1..cores {
        src += &format!("  ['] w{k} ${:x} or $0100 io!\n", k << 13);
    }
    src += "  w0 ;\n";
    src
}
