//! The simulation top with the key unit against the Rust simulator, cycle by
//! cycle, on programs that use every key opcode (small stores so that the
//! allocators fill up and `balloc`'s zeroing stays short).

mod common;
use common::*;
use j1k_hdl::{BlockMemory, HwConfig, KeyConfig};

fn cfg(block_words: u16, node_slots: u16, blocks: u16, nodes: u16) -> HwConfig {
    HwConfig {
        key: Some(KeyConfig {
            block_words,
            node_slots,
            blocks,
            nodes,
            ..KeyConfig::default()
        }),
        ..HwConfig::default()
    }
}

/// Every opcode, with read-only, null and full-store cases; indices past the
/// block and node sizes to check masking; reserved opcodes.
const KEYS: &str = r#"
: main
    b? n? faults drop drop drop
    bsel b1 balloc drop  $1234 3 b!  $abcd 9 b!  3 b@ drop  9 b@ drop
    7 bc@ drop  6 bc@ drop  $77 6 bc!  $88 7 bc!  3 b@ drop  6 bc@ drop
    5 3 bxadd drop  9 3 bxchg drop  3 b@ drop
    bsel b2 bcopy b1 bweaken b? drop  bkey= b1 drop  bkey= b0 drop
    1 0 b!  2 0 bc!  3 0 bxchg drop  4 0 bxadd drop  0 b@ drop  faults drop
    bsel b0  1 0 b!  0 b@ drop  0 bc@ drop  5 5 bxadd drop  b? drop
    bsel b1 nb! 3  nb! 31  bsel b3 nb@ 3  bkey= b1 drop  b? drop
    2 nb!i  bsel b4 2 nb@i b? drop
    nsel n1 nalloc drop  n? drop  nkey= n0 drop  nsel n0 nn! 1 n1  nn@ 1 n2  nsel n2 nkey= n1 drop
    nsel n0 3 nn!i n1  3 nn@i n3  nsel n3 n? drop
    nsel n2 nweaken n? drop  nb@ 3  bsel b3 nb@ 3 b? drop  nn@ 1 n3  nsel n3 n? drop
    nsel n2 nb! 0  nn! 0 n1  1 nb!i  1 nn!i n1  faults drop
    ncopy n0 nsel n0 nsel n2 n? drop
    nsel n1 nalloc drop  bsel b1 nb! 5  nn! 6 n0  nsel n2 ncopy n1 nweaken
    bsel b6 nb@ 5 b? drop  nn@ 6 n3  nsel n3 n? drop  nb@ 5 bsel b7 nb@ 5 b? drop
    nsel n3 ncopy n3  nsel n1 ncopy n2  nkey= n2 drop
    inst $7d80 inst $7e21 inst $7fff faults drop
    bsel b5 balloc balloc balloc balloc b? drop drop drop drop drop
    nsel n1 nalloc nalloc nalloc n? drop drop drop drop
    nsel n0 nn@ 0 n0 n? drop  nb@ 0 b? drop
    3 5 7 bsel b2 bcopy b1 b! 5 b@ drop drop
    halt ;
"#;

#[test]
fn key_program_lockstep() {
    let image = assemble("hw_keys.fs", KEYS);
    let n = lockstep(cfg(8, 4, 4, 4), image, b"", 4000);
    eprintln!("halted after {n} cycles");
    assert!(n < 4000, "the program did not halt");
}

#[test]
fn key_program_lockstep_other_sizes() {
    let image = assemble("hw_keys.fs", KEYS);
    let n = lockstep(cfg(16, 8, 3, 5), image, b"", 4000);
    assert!(n < 4000, "the program did not halt");
}

/// The one-port SPRAM store (the UP5K's): a write cycle reads nothing, so this proves that no
/// key instruction needs a read and a write of the block store in the same cycle.
#[test]
fn key_program_lockstep_spram_store() {
    let image = assemble("hw_keys.fs", KEYS);
    for sizes in [cfg(8, 4, 4, 4), cfg(16, 8, 3, 5)] {
        let cfg = HwConfig {
            block_memory: BlockMemory::Spram,
            ..sizes
        };
        let n = lockstep(cfg, image.clone(), b"", 4000);
        assert!(n < 4000, "the program did not halt");
    }
}

/// Fewer key registers (4 block, 2 node): register numbers modulo the counts, the others null.
#[test]
fn key_program_lockstep_fewer_registers() {
    let image = assemble("hw_keys.fs", KEYS);
    for (block_regs, node_regs) in [(4, 2), (1, 1), (2, 4)] {
        let mut cfg = cfg(8, 4, 4, 4);
        let key = cfg.key.as_mut().unwrap();
        key.block_regs = block_regs;
        key.node_regs = node_regs;
        let n = lockstep(cfg, image.clone(), b"", 4000);
        assert!(n < 4000, "the program did not halt");
    }
}

#[test]
fn readonly_example_lockstep() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/readonly.fs"
    ))
    .unwrap();
    let image = assemble("readonly.fs", &src);
    let n = lockstep(cfg(8, 4, 4, 4), image, b"", 20_000);
    eprintln!("readonly.fs halted after {n} cycles");
    assert!(n < 20_000, "the program did not halt");
}
