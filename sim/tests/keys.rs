//! The key unit (docs/isa.md §8): every operation and its edge cases, the
//! cycle counts of the table, and the cycle-by-cycle timing of §8.3.

mod common;

use common::*;
use j1k_isa::{KeyConfig, KeyOp, KEY_OPS};
use j1k_sim::{BufUart, Config, CycleKind, Key, Machine};
use KeyOp::*;

const TRUE: u16 = 0xffff;

fn small(cfg: KeyConfig) -> Machine {
    Machine::new(Config {
        cores: 1,
        key: cfg,
        ..Default::default()
    })
    .unwrap()
}

/// The machine after `prog` + halt, stepped and run fast (which must agree).
fn run(prog: Vec<u16>) -> Machine {
    exec(&halted(prog), b"").0
}

fn run_seeded(prog: Vec<u16>, seed: impl Fn(&mut Machine)) -> Machine {
    exec_with(
        Machine::new(Config::default()).unwrap(),
        &halted(prog),
        b"",
        seed,
    )
    .0
}

#[test]
fn reset_state() {
    let m = run(vec![keyop(Bquery), keyop(Nquery), keyop(Faults)]);
    let c = m.core(0);
    assert_eq!(
        c.dstack()[..2],
        [3, 0],
        "n? of the root key, b? of the null key"
    );
    assert_eq!(c.t(), 0, "no faults");
    assert_eq!(c.node_reg(0), Key::rw(1));
    assert_eq!((c.cur_block(), c.cur_node()), (0, 0));
    for i in 0..8 {
        assert!(c.block_reg(i).is_null());
    }
    for i in 1..4 {
        assert!(c.node_reg(i).is_null());
    }
    assert_eq!(m.store().next_block(), 1);
    assert_eq!(m.store().next_node(), 2);
}

#[test]
fn select_copy_and_compare() {
    let m = run(vec![
        keyop(Balloc),      // b0 := block 1
        key(Bsel, 0, 3),    // cur b3
        key(Bcopy, 0, 0),   // b3 := b0
        key(Bkeyeq, 0, 0),  // b3 = b0 → true
        key(Bkeyeq, 0, 1),  // b3 vs b1 (null) → false
        keyop(Bweaken),     // b3 read-only
        key(Bkeyeq, 0, 0),  // rights ignored → true
        keyop(Bquery),      // 2
        key(Bsel, 0, 0x1b), // imm bits above 2:0 ignored → b3 stays current (3)
        keyop(Bquery),      // still b3: 2
        key(Bsel, 0, 1),
        key(Bkeyeq, 0, 2), // null = null → true
    ]);
    let c = m.core(0);
    assert_eq!(c.t(), TRUE);
    assert_eq!(
        c.dstack()[..6],
        [2, 2, TRUE, 0, TRUE, TRUE],
        "b? b? key= key= key= balloc-flag"
    );
    assert_eq!(c.block_reg(3), Key::ro(1));
    assert_eq!(
        c.block_reg(0),
        Key::rw(1),
        "the copy was weakened, not the original"
    );
    assert_eq!(c.cur_block(), 1);

    let m = run(vec![
        key(Nsel, 0, 2),
        key(Ncopy, 0, 0), // n2 := root
        key(Nkeyeq, 0, 0),
        keyop(Nweaken),
        keyop(Nquery),
        key(Nkeyeq, 0, 1), // n2 (root) vs n1 (null)
        key(Nsel, 0, 1),
        keyop(Nquery),
    ]);
    let c = m.core(0);
    assert_eq!(c.dstack()[..3], [0, 2, TRUE]);
    assert_eq!(c.t(), 0, "n? of the null key");
    assert_eq!(c.node_reg(2), Key::ro(1));
    assert_eq!(c.node_reg(0), Key::rw(1));
    assert_eq!(c.cur_node(), 1);
}

#[test]
fn block_words_and_index_masking() {
    let mut p = vec![keyop(Balloc), key(Nsel, 0, 0)];
    p.extend([lit(0x1234), lit(5), keyop(Bstore)]); // word 5 := $1234
    p.extend([lit(0x4321), lit(0x7f80 | 6), keyop(Bstore)]); // index masked to 6
    p.extend([lit(128 + 5), keyop(Bfetch)]); // word 5
    p.extend([lit(6), keyop(Bfetch)]);
    let m = run(p);
    let c = m.core(0);
    assert_eq!((c.t(), c.n()), (0x4321, 0x1234));
    assert_eq!(m.store().block(1)[5], 0x1234);
    assert_eq!(m.store().block(1)[6], 0x4321);
    assert_eq!(c.dsp(), 3, "flag, two reads");
    let st = m.stats();
    assert_eq!((st.block_reads, st.block_writes), (2, 2));

    // A smaller block: the mask follows the configuration.
    let cfg = KeyConfig {
        block_words: 16,
        ..KeyConfig::default()
    };
    let p = halted(vec![
        keyop(Balloc),
        lit(7),
        lit(16 + 3),
        keyop(Bstore),
        lit(3),
        keyop(Bfetch),
    ]);
    let (m, _) = exec_with(small(cfg), &p, b"", |_| {});
    assert_eq!(m.core(0).t(), 7);
    assert_eq!(m.store().block(1)[3], 7);
}

#[test]
fn block_bytes() {
    let mut p = vec![keyop(Balloc), lit(0x1234), lit(5), keyop(Bstore)];
    p.extend([lit(10), keyop(Bcfetch), lit(11), keyop(Bcfetch)]); // even = low byte
    p.extend([lit(0x1ab), lit(11), keyop(Bcstore)]); // high byte := $ab
    p.extend([lit(0x1cd), lit(256 + 12), keyop(Bcstore)]); // byte 12 → word 6 low
    p.extend([lit(256 + 11), keyop(Bcfetch)]);
    let m = run(p);
    let c = m.core(0);
    assert_eq!(c.dstack()[..2], [0x12, 0x34]);
    assert_eq!(c.t(), 0xab);
    assert_eq!(m.store().block(1)[5], 0xab34);
    assert_eq!(m.store().block(1)[6], 0x00cd);
}

#[test]
fn null_block_reads_zero_and_refuses_writes() {
    let m = run_seeded(
        vec![
            lit(9),
            lit(3),
            keyop(Bstore), // fault 1
            lit(9),
            lit(3),
            keyop(Bcstore), // fault 2
            lit(3),
            keyop(Bfetch),
            lit(7),
            lit(3),
            keyop(Bxchg), // fault 3, leaves 0
            lit(7),
            lit(3),
            keyop(Bxadd), // fault 4, leaves 0
            keyop(Faults),
        ],
        |m| m.store_mut().block_mut(0)[3] = 0x5555, // whatever the store holds there
    );
    let c = m.core(0);
    assert_eq!(c.t(), 4);
    assert_eq!(c.dstack()[..3], [0, 0, 0]);
    assert_eq!(c.faults(), 4);
    assert_eq!(m.stats().faults, 4);
    assert_eq!(m.stats().block_writes, 0);
    assert_eq!(m.store().block(0)[3], 0x5555, "nothing written");
}

#[test]
fn read_only_block_key_refuses_writes() {
    let m = run(vec![
        keyop(Balloc),
        keyop(Bquery), // ( f 3 )
        lit(0x11),
        lit(2),
        keyop(Bstore), // word 2 := $11
        keyop(Bweaken),
        keyop(Bquery), // ( f 3 2 )
        lit(0x22),
        lit(2),
        keyop(Bstore), // refused
        lit(0x33),
        lit(2),
        keyop(Bcstore), // refused
        lit(0x44),
        lit(2),
        keyop(Bxchg), // refused, leaves $11
        lit(0x55),
        lit(2),
        keyop(Bxadd), // refused, leaves $11
        lit(2),
        keyop(Bfetch), // still readable: $11
        keyop(Faults),
    ]);
    let c = m.core(0);
    assert_eq!(c.t(), 4, "faults visible to the program");
    assert_eq!(c.dstack()[..6], [0x11, 0x11, 0x11, 2, 3, TRUE]);
    assert_eq!(m.store().block(1)[2], 0x11);
    assert_eq!(c.faults(), 4);
}

#[test]
fn exchange_and_add() {
    let m = run(vec![
        keyop(Balloc),
        keyop(Nsel), // n0 stays
        lit(100),
        lit(7),
        keyop(Bstore),
        lit(5),
        lit(7),
        keyop(Bxadd), // old 100, word := 105
        lit(0x7fff),
        lit(128 + 7),
        keyop(Bxchg), // old 105, word := $7fff
        lit(7),
        keyop(Bfetch),
    ]);
    let c = m.core(0);
    assert_eq!(c.t(), 0x7fff);
    assert_eq!(c.dstack()[..2], [105, 100]);
    assert_eq!(m.store().block(1)[7], 0x7fff);
    // bxadd wraps
    let m = run(vec![
        keyop(Balloc),
        lit(1),
        invert(),
        lit(0),
        keyop(Bstore),
        lit(2),
        lit(0),
        keyop(Bxadd),
        lit(0),
        keyop(Bfetch),
    ]);
    assert_eq!(m.core(0).t(), 0, "$fffe + 2");
    assert_eq!(m.core(0).n(), 0xfffe);
}

#[test]
fn slots_store_and_load_block_keys() {
    let m = run(vec![
        keyop(Balloc),      // b0 = block 1 (rw)
        key(NbStore, 0, 3), // root slot 3 := b0
        key(Bsel, 0, 1),
        key(NbLoad, 0, 3), // b1 := slot 3
        key(Bkeyeq, 0, 0),
        lit(32 + 3),
        keyop(NbLoadI), // b1 := slot 3 again (masked), pops
        key(Bsel, 0, 2),
        lit(3),
        keyop(NbLoadI),
        keyop(Bquery),
    ]);
    let c = m.core(0);
    assert_eq!(m.store().block_slot(1, 3), Key::rw(1));
    assert_eq!(c.block_reg(1), Key::rw(1));
    assert_eq!(c.block_reg(2), Key::rw(1));
    assert_eq!(c.t(), 3);
    assert_eq!(
        c.dstack()[..2],
        [TRUE, TRUE],
        "key= and the balloc flag; the indices were popped"
    );
    assert_eq!(c.dsp(), 3);

    // Indirect store, with masking on a small node.
    let cfg = KeyConfig {
        node_slots: 8,
        ..KeyConfig::default()
    };
    let p = halted(vec![
        keyop(Balloc),
        key(NbStore, 0, 9),
        lit(8 + 2),
        keyop(NbStoreI),
        key(NnStore, 1, 12),
    ]);
    let (m, _) = exec_with(small(cfg), &p, b"", |_| {});
    assert_eq!(m.store().block_slot(1, 1), Key::rw(1), "slot 9 masked to 1");
    assert_eq!(m.store().block_slot(1, 2), Key::rw(1));
    assert_eq!(m.store().node_slot(1, 4), Key::NULL, "n1 is null");
    assert_eq!(m.core(0).dsp(), 1);
}

#[test]
fn node_keys_walk_and_build_a_graph() {
    let m = run(vec![
        key(Nsel, 0, 1),
        keyop(Nalloc),      // n1 := node 2
        keyop(Balloc),      // b0 := block 1
        key(NbStore, 0, 0), // node 2 slot 0 := block 1
        key(Nsel, 0, 0),
        key(NnStore, 1, 4), // root node slot 4 := n1 (node 2)
        key(NnLoad, 2, 4),  // n2 := root slot 4 — parent kept in n0
        key(Nsel, 0, 2),
        key(Nkeyeq, 0, 1),
        key(Nsel, 0, 0),
        key(NnLoad, 0, 4), // n0 := its own slot 4: walked in place
        key(Bsel, 0, 5),
        key(NbLoad, 0, 0), // b5 := node 2's slot 0
        key(Bkeyeq, 0, 0),
        lit(4),
        key(NnLoadI, 3, 0), // n3 := slot 4 of node 2 (null)
    ]);
    let c = m.core(0);
    assert_eq!(c.node_reg(1), Key::rw(2));
    assert_eq!(c.node_reg(2), Key::rw(2));
    assert_eq!(c.node_reg(0), Key::rw(2), "walked in place");
    assert_eq!(c.node_reg(3), Key::NULL);
    assert_eq!(c.block_reg(5), Key::rw(1));
    assert_eq!(m.store().node_slot(1, 4), Key::rw(2));
    assert_eq!(m.store().block_slot(2, 0), Key::rw(1));
    assert_eq!(c.t(), TRUE);
    assert_eq!(c.n(), TRUE);
    // nn!i: slot from the stack.
    let m = run(vec![
        key(Nsel, 0, 1),
        keyop(Nalloc),
        key(Nsel, 0, 0),
        lit(7),
        key(NnStoreI, 1, 0),
    ]);
    assert_eq!(m.store().node_slot(1, 7), Key::rw(2));
    assert_eq!(m.core(0).dsp(), 1);
}

#[test]
fn weakening_is_transitive() {
    let m = run(vec![
        key(Nsel, 0, 1),
        keyop(Nalloc), // n1 := node 2
        keyop(Balloc),
        key(NbStore, 0, 1), // node 2 slot 1 := block 1 (rw)
        key(Nsel, 0, 0),
        key(NnStore, 1, 0), // root slot 0 := node 2 (rw)
        keyop(Nweaken),     // n0: read-only root
        key(NnLoad, 2, 0),  // n2 := node 2, weakened
        key(Nsel, 0, 2),
        keyop(Nquery),
        key(Bsel, 0, 1),
        key(NbLoad, 0, 1), // b1 := block 1 through a read-only node: read-only
        keyop(Bquery),
        lit(5),
        lit(0),
        keyop(Bstore),      // refused
        key(NbStore, 0, 2), // store into a read-only node: refused
        key(Nsel, 0, 1),
        key(NbLoad, 0, 1), // through the rw key to node 2: rw
        keyop(Bquery),
        keyop(Faults),
    ]);
    let c = m.core(0);
    assert_eq!(c.node_reg(2), Key::ro(2));
    assert_eq!(
        c.block_reg(1),
        Key::rw(1),
        "reloaded through the read-write path"
    );
    assert_eq!(c.t(), 2, "two refused writes");
    assert_eq!(c.dstack()[..3], [3, 2, 2]);
    assert_eq!(m.store().block(1)[0], 0);
    assert_eq!(m.store().block_slot(2, 2), Key::NULL);
    assert_eq!(
        m.store().node_slot(1, 0),
        Key::rw(2),
        "stored keys keep their own rights"
    );
}

#[test]
fn stores_into_the_null_node_fault() {
    let m = run(vec![
        key(Nsel, 0, 3),
        keyop(Balloc),
        key(NbStore, 0, 0),
        key(NnStore, 0, 1),
        lit(2),
        keyop(NbStoreI),
        lit(2),
        key(NnStoreI, 0, 0),
        key(NbLoad, 0, 0),
        keyop(Faults),
    ]);
    assert_eq!(m.core(0).t(), 4);
    assert_eq!(
        m.core(0).block_reg(0),
        Key::NULL,
        "loads from the null node give null keys"
    );
    assert_eq!(m.core(0).dsp(), 2);
}

#[test]
fn allocation_until_full() {
    let cfg = KeyConfig {
        blocks: 4,
        nodes: 4,
        ..KeyConfig::default()
    };
    let p = halted(vec![
        keyop(Balloc),
        keyop(Balloc),
        keyop(Balloc),
        keyop(Balloc), // 1, 2, 3, full
        key(Nsel, 0, 1),
        keyop(Nalloc),
        keyop(Nalloc),
        keyop(Nalloc), // 2, 3, full
    ]);
    let (m, s) = exec_with(small(cfg), &p, b"", |_| {});
    let c = m.core(0);
    assert_eq!(c.dstack()[..7], [TRUE, TRUE, 0, TRUE, TRUE, TRUE, 0]);
    assert_eq!(c.t(), 0);
    assert!(c.block_reg(0).is_null(), "a full store leaves the null key");
    assert!(c.node_reg(1).is_null());
    assert_eq!(m.store().next_block(), 4);
    assert_eq!(m.store().next_node(), 4);
    // The failed ones took two cycles each (decode, execute).
    let cycles_of = |pc: u16| {
        s.iter()
            .filter(|x| x.cores[0].pc == pc && x.cores[0].kind != CycleKind::Reboot)
            .count()
    };
    assert_eq!(cycles_of(0), 130);
    assert_eq!(cycles_of(3), 2);
    assert_eq!(cycles_of(5), 34);
    assert_eq!(cycles_of(7), 2);
    assert_eq!(m.stats().key_ops["balloc"], 4);
    // every key instruction stalls in its decode cycle, the allocations while zeroing
    assert_eq!(m.stats().stall_cycles, 8 + 3 * 128 + 2 * 32);
}

#[test]
fn allocation_zeroes_one_word_per_cycle() {
    let mut m = machine(&halted(vec![keyop(Balloc)]));
    m.store_mut().block_mut(1).fill(0xdead);
    let mut u = BufUart::default();
    m.step(&mut u); // reboot
    let s = m.step(&mut u); // cycle 1: decodes
    assert_eq!(s.cores[0].kind, CycleKind::Stall);
    assert_eq!(
        m.store().next_block(),
        1,
        "nothing taken in the decode cycle"
    );
    let s = m.step(&mut u); // cycle 2: takes the index, puts the key in the register
    assert_eq!(s.cores[0].kind, CycleKind::Stall);
    assert_eq!(m.store().next_block(), 2, "index taken in cycle 2");
    assert_eq!(
        m.core(0).block_reg(0),
        Key::rw(1),
        "the register changes in cycle 2"
    );
    assert_eq!(m.store().block(1)[0], 0xdead);
    for k in 0..128 {
        let s = m.step(&mut u); // cycle k+3 zeroes word k
        let b = m.store().block(1);
        assert_eq!(b[k], 0, "word {k}");
        if k < 127 {
            assert_eq!(b[k + 1], 0xdead);
            assert_eq!(s.cores[0].kind, CycleKind::Stall);
            assert_eq!(
                (m.core(0).dsp(), m.core(0).pc()),
                (0, 0),
                "the flag comes last"
            );
        } else {
            assert_eq!(s.cores[0].kind, CycleKind::Execute);
        }
    }
    assert_eq!(m.core(0).block_reg(0), Key::rw(1));
    assert_eq!(
        (m.core(0).t(), m.core(0).dsp(), m.core(0).pc()),
        (TRUE, 1, 1)
    );

    // Nodes: one slot pair per cycle.
    let mut m = machine(&halted(vec![key(Nsel, 0, 2), keyop(Nalloc)]));
    for i in 0..32 {
        m.store_mut().set_block_slot(2, i, Key::rw(5));
        m.store_mut().set_node_slot(2, i, Key::ro(1));
    }
    for _ in 0..5 {
        m.step(&mut u);
    }
    for k in 0..32 {
        m.step(&mut u);
        assert_eq!(m.store().block_slot(2, k), Key::NULL);
        assert_eq!(m.store().node_slot(2, k), Key::NULL);
        if k < 31 {
            assert_eq!(m.store().node_slot(2, k + 1), Key::ro(1));
        }
        // (the new key is in the register from cycle 2 on)
        assert_eq!(m.core(0).node_reg(2), Key::rw(2));
    }
}

#[test]
fn reserved_opcodes_fault_in_their_execute_cycle() {
    for op in 27u16..32 {
        let w = 0x7000 | op << 7;
        let (m, s) = exec(&halted(vec![lit(1), w, keyop(Faults)]), b"");
        let c = m.core(0);
        assert_eq!(c.t(), 1, "opcode {op}");
        assert_eq!((c.n(), c.dsp()), (1, 2), "nothing else moved");
        assert_eq!((s[2].cores[0].pc, s[3].cores[0].pc), (1, 1));
        assert_eq!(s[4].cores[0].pc, 2, "two cycles");
        assert!(!s[2].cores[0].fault && s[3].cores[0].fault);
        assert_eq!(m.stats().key_ops["reserved"], 1);
    }
}

#[test]
fn faults_wrap_at_16_bits() {
    // 65536 reserved opcodes in a loop: 0: lit 0  1: reserved  2: lit 1  3: -  4: dup  5: jz 7  6: jmp 1  7: faults
    let p = halted(vec![
        lit(0),
        0x7000 | 27 << 7,
        lit(1),
        minus(),
        dup(),
        jz(7),
        jmp(1),
        keyop(Faults),
    ]);
    let (m, _) = exec(&p, b"");
    assert_eq!(m.core(0).t(), 0);
    assert_eq!(m.core(0).faults(), 0);
    assert_eq!(m.stats().faults, 65536);
}

/// Cycles from the first cycle of the instruction at `pc` to the first cycle of the next one.
fn cycles_at(steps: &[j1k_sim::Step], pc: u16) -> usize {
    let first = steps.iter().position(|s| s.cores[0].pc == pc).unwrap();
    let next = steps[first..]
        .iter()
        .position(|s| s.cores[0].pc != pc)
        .unwrap();
    next
}

#[test]
fn cycle_counts_match_the_table() {
    let cfg = KeyConfig::default();
    for info in KEY_OPS.iter() {
        // Setup: a block, the root node current, two values on the stack.
        let setup = vec![keyop(Balloc), lit(2), lit(3)];
        let at = setup.len() as u16;
        let mut p = setup;
        p.push(key(info.op, 1, 3));
        let (m, s) = exec(&halted(p), b"");
        let n = cycles_at(&s, at);
        assert_eq!(n as u32, info.op.cycles(&cfg, true), "{}", info.name);
        let stalls = s
            .iter()
            .filter(|x| x.cores[0].pc == at && x.cores[0].kind == CycleKind::Stall)
            .count();
        assert_eq!(stalls, n - 1, "{}: the pc is held", info.name);
        assert_eq!(m.stats().key_ops[info.name], 1 + (info.op == Balloc) as u64);
        // The data stack moves as the table says.
        let d = m.core(0).dsp() as i8 - 3;
        assert_eq!(d, info.stack.delta(), "{}", info.name);
    }
}

/// Steps `prog` to the start of the instruction at `pc`; returns the machine.
fn at_insn(prog: &[u16], pc: u16) -> (Machine, BufUart) {
    let mut m = machine(&halted(prog.to_vec()));
    let mut u = BufUart::default();
    m.step(&mut u);
    while m.core(0).pc() != pc || m.core(0).stalled() {
        m.step(&mut u);
    }
    (m, u)
}

/// T, N, the depth and the pc of core 0.
fn tndp(m: &Machine) -> (u16, u16, u8, u16) {
    let c = m.core(0);
    (c.t(), c.n(), c.dsp(), c.pc())
}

#[test]
fn cycle_by_cycle_timing() {
    // b@: the decode cycle reads, T changes at the end of cycle 2.
    let (mut m, mut u) = at_insn(
        &[
            keyop(Balloc),
            lit(0x99),
            lit(4),
            keyop(Bstore),
            lit(7),
            lit(4),
            keyop(Bfetch),
        ],
        6,
    );
    let (t, n, d, _) = tndp(&m);
    m.step(&mut u);
    assert_eq!(tndp(&m), (t, n, d, 6), "b@ cycle 1");
    m.step(&mut u);
    assert_eq!(tndp(&m), (0x99, n, d, 7), "b@ cycle 2");

    // b!: nothing in the decode cycle; the write (of N) and the first pop in cycle 2;
    // the second pop in cycle 3.
    let (mut m, mut u) = at_insn(
        &[keyop(Balloc), lit(0x55), lit(0x66), lit(4), keyop(Bstore)],
        4,
    );
    // ( f $55 $66 4 ): dsp 4
    let s = m.step(&mut u);
    assert_eq!(s.cores[0].block_write, None);
    assert_eq!(tndp(&m), (4, 0x66, 4, 4), "b! cycle 1");
    let s = m.step(&mut u);
    assert_eq!(
        s.cores[0].block_write,
        Some((1, 4, 0x66)),
        "b! cycle 2 writes"
    );
    assert_eq!(m.store().block(1)[4], 0x66);
    assert_eq!(tndp(&m), (0x66, 0x55, 3, 4), "b! cycle 2");
    let s = m.step(&mut u);
    assert_eq!(s.cores[0].block_write, None, "b! cycle 3 writes nothing");
    assert_eq!(tndp(&m), (0x55, TRUE, 2, 5), "b! cycle 3");

    // bc! likewise.
    let (mut m, mut u) = at_insn(
        &[keyop(Balloc), lit(0x55), lit(0x66), lit(9), keyop(Bcstore)],
        4,
    );
    m.step(&mut u);
    assert_eq!(m.store().block(1)[4], 0);
    m.step(&mut u);
    assert_eq!(m.store().block(1)[4], 0x6600);
    assert_eq!((m.core(0).t(), m.core(0).dsp()), (0x66, 3));
    m.step(&mut u);
    assert_eq!((m.core(0).t(), m.core(0).dsp()), (0x55, 2));

    // bxchg: read in cycle 1; write, T := old and the pop at the end of cycle 2.
    let xchg = |op| {
        vec![
            keyop(Balloc),
            lit(0x11),
            lit(4),
            keyop(Bstore),
            lit(0x22),
            lit(4),
            keyop(op),
        ]
    };
    let (mut m, mut u) = at_insn(&xchg(Bxchg), 6);
    m.step(&mut u);
    assert_eq!(m.store().block(1)[4], 0x11);
    assert_eq!((m.core(0).t(), m.core(0).dsp()), (4, 3));
    let s = m.step(&mut u);
    assert_eq!(s.cores[0].block_write, Some((1, 4, 0x22)));
    assert_eq!(m.store().block(1)[4], 0x22);
    assert_eq!(tndp(&m), (0x11, TRUE, 2, 7));

    // bxadd: read in cycle 1; nothing seen in cycle 2; the write, T := old and the pop
    // in cycle 3.
    let (mut m, mut u) = at_insn(&xchg(Bxadd), 6);
    m.step(&mut u);
    let s = m.step(&mut u);
    assert_eq!(s.cores[0].block_write, None);
    assert_eq!(tndp(&m), (4, 0x22, 3, 6));
    let s = m.step(&mut u);
    assert_eq!(s.cores[0].block_write, Some((1, 4, 0x33)));
    assert_eq!(tndp(&m), (0x11, TRUE, 2, 7));

    // nb@i: the register and the pop at the end of cycle 2.
    let (mut m, mut u) = at_insn(
        &[
            keyop(Balloc),
            key(NbStore, 0, 3),
            key(Bsel, 0, 1),
            lit(3),
            keyop(NbLoadI),
        ],
        4,
    );
    m.step(&mut u);
    assert!(m.core(0).block_reg(1).is_null());
    assert_eq!((m.core(0).t(), m.core(0).dsp()), (3, 2));
    m.step(&mut u);
    assert_eq!(m.core(0).block_reg(1), Key::rw(1));
    assert_eq!((m.core(0).t(), m.core(0).dsp()), (TRUE, 1));

    // nn@: the register at the end of cycle 2.
    let (mut m, mut u) = at_insn(&[key(NnLoad, 1, 0)], 0);
    m.store_mut().set_node_slot(1, 0, Key::rw(1));
    m.step(&mut u);
    assert!(m.core(0).node_reg(1).is_null());
    m.step(&mut u);
    assert_eq!(m.core(0).node_reg(1), Key::rw(1));

    // bsel, n?: nothing in the decode cycle; the select / the push in cycle 2.
    let (mut m, mut u) = at_insn(&[key(Bsel, 0, 3), keyop(Nquery)], 0);
    m.step(&mut u);
    assert_eq!((m.core(0).cur_block(), m.core(0).pc()), (0, 0));
    m.step(&mut u);
    assert_eq!((m.core(0).cur_block(), m.core(0).pc()), (3, 1));
    m.step(&mut u);
    assert_eq!(tndp(&m), (0, 0, 0, 1), "n? cycle 1");
    m.step(&mut u);
    assert_eq!(tndp(&m), (3, 0, 1, 2), "n? cycle 2");
}

#[test]
fn no_key_reaches_data() {
    // Every key instruction's pushes are flags, rights or counts, whatever the keys.
    let m = run(vec![
        keyop(Balloc),
        keyop(Bquery),
        keyop(Nquery),
        key(Bkeyeq, 0, 0),
        keyop(Faults),
    ]);
    let c = m.core(0);
    assert_eq!(c.dstack()[..4], [TRUE, 3, 3, TRUE]);
    assert_eq!(c.t(), 0);
}

/// A build with fewer key registers takes register numbers modulo the counts (4 block, 2 node
/// registers here): `b5` is `b1`, `n3` is `n1`, and registers past the count stay null.
#[test]
fn register_numbers_are_taken_modulo_the_register_counts() {
    let cfg = KeyConfig {
        block_regs: 4,
        node_regs: 2,
        ..KeyConfig::default()
    };
    let p = halted(vec![
        key(Bsel, 0, 5),    // cur b1
        keyop(Balloc),      // b1 := block 1
        key(Bsel, 0, 0),    // cur b0
        key(Bkeyeq, 0, 1),  // b1 = b0? false (b0 null)
        key(Bcopy, 0, 7),   // b0 := b3 (null)
        key(Bcopy, 0, 13),  // b0 := b5 = b1
        key(Bkeyeq, 0, 1),  // true
        key(Nsel, 0, 3),    // cur n1
        keyop(Nalloc),      // n1 := node 2
        key(Nsel, 0, 2),    // cur n0 (2 mod 2)
        key(NnStore, 3, 4), // root slot 4 := n3 = n1
        key(Nkeyeq, 0, 3),  // n3 = n1 (node 2) vs cur n0 (root): false
        key(NnLoad, 2, 4),  // n2 = n0 := root slot 4 (node 2)
        key(Nkeyeq, 0, 3),  // n1 vs cur n0: both node 2, true
    ]);
    let (m, _) = exec_with(small(cfg), &p, b"", |_| {});
    let c = m.core(0);
    assert_eq!(c.dstack()[..5], [0, TRUE, TRUE, 0, TRUE]);
    assert_eq!(c.t(), TRUE);
    assert_eq!((c.cur_block(), c.cur_node()), (0, 0));
    assert_eq!(c.block_reg(1).index, 1);
    assert_eq!(c.block_reg(0).index, 1);
    for i in 2..8 {
        assert!(c.block_reg(i).is_null(), "b{i}");
    }
    assert_eq!((c.node_reg(0).index, c.node_reg(1).index), (2, 2));
    assert!(c.node_reg(2).is_null() && c.node_reg(3).is_null());
    assert_eq!(m.store().node_slot(1, 4).index, 2);
}
