//! The base (J1a) instructions one by one, hand-assembled, with the exact
//! values and cycles the Verilog gives. Every program runs twice — stepped
//! (the general cycle) and with the fast `run` — and both must agree.

mod common;

use common::*;
use j1k_isa::{AluOp, Func, STACK_FILL};
use j1k_sim::{BufUart, CycleKind, Limits, Machine, Outcome, Uart};

/// Pushes N then T, then runs `insn`.
fn with_nt(n: u16, t: u16, insn: u16) -> Machine {
    let mut p = push(n);
    p.extend(push(t));
    p.push(insn);
    exec(&halted(p), b"").0
}

#[test]
fn every_alu_code() {
    use AluOp::*;
    // (N, T) = ($8003, $0005): dsp is 2 when the ALU op runs.
    let want = [
        (T, 0x0005),
        (N, 0x8003),
        (TplusN, 0x8008),
        (TandN, 0x0001),
        (TorN, 0x8007),
        (TxorN, 0x8006),
        (NotT, 0xfffa),
        (NeqT, 0x0000),
        (NltT, 0xffff), // -32765 < 5
        (Tsra, 0x0002),
        (Tshl, 0x000a),
        (R, 0x0000), // R at reset
        (NminusT, 0x7ffe),
        (Io, 0x0000), // io_addr_ is 0
        (Depth, 0x0002),
        (NultT, 0x0000), // $8003 < 5 unsigned: no
    ];
    for (op, t) in want {
        let m = with_nt(0x8003, 0x0005, alu(op, Func::None, 0, 0, false));
        assert_eq!(m.core(0).t(), t, "{op:?}");
        assert_eq!(m.core(0).n(), 0x8003, "{op:?} leaves N");
        assert_eq!(m.core(0).dsp(), 2, "{op:?} leaves dsp");
    }
    // The other way round, and equal operands.
    let m = with_nt(0x0005, 0x8003, alu(NltT, Func::None, 0, 0, false));
    assert_eq!(m.core(0).t(), 0);
    let m = with_nt(0x0005, 0x8003, alu(NultT, Func::None, 0, 0, false));
    assert_eq!(m.core(0).t(), 0xffff);
    let m = with_nt(0x0005, 0x8003, alu(Tsra, Func::None, 0, 0, false));
    assert_eq!(m.core(0).t(), 0xc001, "arithmetic shift keeps the sign");
    let m = with_nt(0x0005, 0x8003, alu(Tshl, Func::None, 0, 0, false));
    assert_eq!(m.core(0).t(), 0x0006);
    let m = with_nt(0x1234, 0x1234, alu(NeqT, Func::None, 0, 0, false));
    assert_eq!(m.core(0).t(), 0xffff);
    let m = with_nt(0x1234, 0x1234, alu(NltT, Func::None, 0, 0, false));
    assert_eq!(m.core(0).t(), 0);
    let m = with_nt(0x0003, 0x0005, alu(NminusT, Func::None, 0, 0, false));
    assert_eq!(m.core(0).t(), 0xfffe);
    let m = with_nt(0xffff, 0x0001, alu(TplusN, Func::None, 0, 0, false));
    assert_eq!(m.core(0).t(), 0x0000, "wraps");
    // rT reads R.
    let m = exec(
        &halted(vec![
            lit(0x0777),
            to_r(),
            lit(1),
            alu(R, Func::None, 0, 0, false),
        ]),
        b"",
    )
    .0;
    assert_eq!(m.core(0).t(), 0x0777);
}

#[test]
fn funcs_t_to_n_and_t_to_r() {
    // swap: N T->N
    let m = with_nt(1, 2, swap());
    assert_eq!((m.core(0).t(), m.core(0).n()), (1, 2));
    // T->R with no delta overwrites R in place.
    let m = exec(
        &halted(vec![
            lit(0x11),
            to_r(),
            lit(0x22),
            alu(AluOp::T, Func::TtoR, 0, 0, false),
        ]),
        b"",
    )
    .0;
    assert_eq!(m.core(0).r(), 0x22);
    assert_eq!(m.core(0).rstack()[1], 0, "R was overwritten, not pushed");
    assert_eq!(m.core(0).rdepth(), 1);
    // funcs 6 and 7 do nothing.
    for f in [Func::Unused6, Func::Unused7] {
        let m = with_nt(1, 2, alu(AluOp::T, f, 0, 0, false));
        assert_eq!((m.core(0).t(), m.core(0).n(), m.core(0).dsp()), (2, 1, 2));
    }
}

/// Data stack after pushing 1, 2, 3 (T = 3, N = 2, tail[0] = 1) and one ALU op.
fn after123(insn: u16) -> Machine {
    exec(&halted(vec![lit(1), lit(2), lit(3), insn]), b"").0
}

#[test]
fn data_stack_deltas() {
    use AluOp::T;
    // d+1 with T->N: dup.
    let m = after123(alu(T, Func::TtoN, 1, 0, false));
    assert_eq!(m.core(0).dstack()[..4], [3, 2, 1, 0]);
    assert_eq!(m.core(0).dsp(), 4);
    // d+1 without a write: stack2 moves tail[0] into the head and the head into tail[0].
    let m = after123(alu(T, Func::None, 1, 0, false));
    assert_eq!(m.core(0).dstack()[..4], [1, 2, 1, 0]);
    assert_eq!(m.core(0).dsp(), 4);
    // d-1: nip.
    let m = after123(alu(T, Func::None, -1, 0, false));
    assert_eq!(m.core(0).dstack()[..3], [1, 0, 0]);
    assert_eq!(m.core(0).dsp(), 2);
    // d-1 with T->N: the head is written after the pop.
    let m = after123(alu(T, Func::TtoN, -1, 0, false));
    assert_eq!(m.core(0).dstack()[..3], [3, 0, 0]);
    // d-2 (`10`): dsp moves by -2, the stack does not move.
    let m = after123(alu(T, Func::None, -2, 0, false));
    assert_eq!(m.core(0).dstack()[..3], [2, 1, 0]);
    assert_eq!(m.core(0).dsp(), 1);
    // `10` with T->N writes the head only.
    let m = after123(alu(T, Func::TtoN, -2, 0, false));
    assert_eq!(m.core(0).dstack()[..3], [3, 1, 0]);
    assert_eq!(m.core(0).dsp(), 1);
}

#[test]
fn return_stack_deltas() {
    use AluOp::T;
    // R holds 7, 8 (R = 8) then one op with T = 9.
    let base = |insn: u16| {
        exec(
            &halted(vec![lit(7), to_r(), lit(8), to_r(), lit(9), insn]),
            b"",
        )
        .0
    };
    let m = base(alu(T, Func::TtoR, 0, 1, false)); // dup>r-like push
    assert_eq!(m.core(0).rstack()[..3], [9, 8, 7]);
    assert_eq!(m.core(0).rdepth(), 3);
    let m = base(alu(T, Func::None, 0, 1, false)); // push without write
    assert_eq!(m.core(0).rstack()[..3], [7, 8, 7]);
    let m = base(alu(T, Func::None, 0, -1, false)); // rdrop
    assert_eq!(m.core(0).rstack()[..2], [7, 0]);
    assert_eq!(m.core(0).rdepth(), 1);
    let m = base(alu(T, Func::None, 0, -2, false)); // `10`: nothing moves
    assert_eq!(m.core(0).rstack()[..3], [8, 7, 0]);
    assert_eq!(
        m.core(0).rdepth(),
        2,
        "the model's depth follows the stack, not the -2"
    );
    let m = base(alu(T, Func::TtoR, 0, -2, false));
    assert_eq!(m.core(0).rstack()[..3], [9, 7, 0]);
}

#[test]
fn literal_jump_and_cycle_numbers() {
    // 0: lit 5   1: jmp 3   2: lit 6 (skipped)   3: halt
    let (m, s) = exec(&[lit(5), jmp(3), lit(6), jmp(3)], b"");
    assert_eq!(s[0].cores[0].kind, CycleKind::Reboot, "cycle 0 reboots");
    assert_eq!(s[1].cores[0].pc, 0, "word 0 runs in cycle 1");
    assert_eq!(s[2].cores[0].pc, 1);
    assert_eq!(s[3].cores[0].pc, 3, "the jump takes one cycle");
    assert!(s[3].halted);
    assert_eq!(m.cycles(), 4, "cycles counts the halting cycle");
    assert_eq!((m.core(0).t(), m.core(0).dsp()), (5, 1));
    assert_eq!(m.stats().instructions, 3);
}

#[test]
fn conditional_jump_pops_both_ways() {
    // taken: 0 jz 4
    let (m, s) = exec(&[lit(9), lit(0), jz(4), lit(1), jmp(4)], b"");
    assert_eq!(s[4].cores[0].pc, 4, "taken");
    assert_eq!((m.core(0).t(), m.core(0).dsp()), (9, 1));
    // not taken
    let (m, s) = exec(&[lit(9), lit(5), jz(4), lit(1), jmp(4)], b"");
    assert_eq!(s[4].cores[0].pc, 3, "not taken");
    assert_eq!((m.core(0).t(), m.core(0).dsp()), (1, 2));
    assert_eq!(m.core(0).n(), 9);
}

#[test]
fn call_pushes_byte_address_and_exit_returns() {
    // 0: call 4   1: lit 1   2: halt   ...   4: lit 2  5: exit
    let (m, s) = exec(&[call(4), lit(1), jmp(2), 0, lit(2), exit()], b"");
    assert_eq!(s[1].cores[0].pc, 0);
    assert_eq!(s[2].cores[0].pc, 4);
    assert_eq!(s[3].cores[0].pc, 5);
    assert_eq!(s[4].cores[0].pc, 1, "returned to the word after the call");
    assert_eq!((m.core(0).t(), m.core(0).n()), (1, 2));
    assert_eq!(m.core(0).rdepth(), 0);
    // R holds the byte address of the return point during the call.
    let (m, _) = exec(&[noop(), call(3), 0, r_at(), jmp(4)], b"");
    assert_eq!(m.core(0).t(), 4, "(1+1)*2");
}

#[test]
fn return_folded_into_alu_op() {
    // 0: lit 3  1: lit 4  2: call 4  3: halt   4: + with RET, r-1
    let ret_plus = alu(AluOp::TplusN, Func::None, -1, -1, true);
    let (m, s) = exec(&[lit(3), lit(4), call(4), jmp(3), ret_plus], b"");
    assert_eq!(s[4].cores[0].pc, 4);
    assert_eq!(s[5].cores[0].pc, 3, "returned in the same cycle as the add");
    assert_eq!(m.core(0).t(), 7);
    assert_eq!(m.cycles(), 6);
}

#[test]
fn fetch_path_reads_ram_as_a_literal() {
    // 0: lit 1  1: call $1000+8  2: halt ... 8: $beef (a word with bit 15 set)
    let p = vec![lit(1), call(0x1008), jmp(2), 0, 0, 0, 0, 0, 0xbeef];
    let (m, s) = exec(&p, b"");
    assert_eq!(s[2].cores[0].pc, 1);
    assert_eq!(s[3].cores[0].pc, 0x1008);
    assert_eq!(s[3].cores[0].kind, CycleKind::Fetch);
    assert_eq!(s[3].cores[0].insn, 0xbeef);
    assert_eq!(s[4].cores[0].pc, 2, "returned after two cycles");
    assert_eq!((m.core(0).t(), m.core(0).n()), (0xbeef, 1), "all 16 bits");
    assert_eq!(m.core(0).rdepth(), 0);
    assert_eq!(m.stats().fetch_cycles, 1);
    // `@` with a computed address: `$2000 or >r exit` → 6 cycles from the call.
    // 0: lit $20 (byte address of word $10)  1: call 12  2: halt  12..15: the helper
    let mut p = vec![lit(0x20), call(12), jmp(2)];
    p.resize(12, 0);
    p.extend([
        lit(0x2000),
        alu(AluOp::TorN, Func::None, -1, 0, false),
        to_r(),
        exit(),
    ]);
    p.resize(0x11, 0);
    p[0x10] = 0x1234;
    let (m, s) = exec(&p, b"");
    assert_eq!(m.core(0).t(), 0x1234);
    let call_cycle = s.iter().position(|x| x.cores[0].pc == 1).unwrap();
    let back = s.iter().position(|x| x.cores[0].pc == 2).unwrap();
    assert_eq!(back - call_cycle, 6, "call, lit, or, >r, exit, fetch");
}

/// Counts `rx` calls, to check the lazy reading.
struct Counting {
    input: Vec<u8>,
    calls: usize,
    out: Vec<u8>,
}
impl Uart for Counting {
    fn rx(&mut self) -> Option<u8> {
        self.calls += 1;
        if self.input.is_empty() {
            None
        } else {
            Some(self.input.remove(0))
        }
    }
    fn tx(&mut self, b: u8) {
        self.out.push(b);
    }
}

#[test]
fn io_write_acts_one_cycle_later() {
    // 0: lit $15  1: lit 4  2: io!(1st)  3: drop  4: halt
    let (m, s) = exec(&[lit(0x15), lit(4), iow1(), drop(), jmp(4)], b"");
    assert_eq!(s[3].cores[0].pc, 2);
    assert_eq!(s[3].cores[0].io_write, None);
    assert_eq!(
        s[4].cores[0].io_write,
        Some((4, 0x15)),
        "acts in the next cycle"
    );
    assert_eq!(m.core(0).leds(), 0x15);
    assert_eq!(m.core(0).io_addr(), 4);
    // Only the low 5 bits reach the LEDs.
    let (m, _) = exec(&[lit(0x3f), lit(4), iow1(), drop(), jmp(4)], b"");
    assert_eq!(m.core(0).leds(), 0x1f);
}

#[test]
fn uart_tx_and_rx() {
    // Send 'A', then read two bytes with io@.
    let prog = vec![
        lit(b'A' as u16),
        lit(0x1000),
        iow1(),
        drop(), // 0..3
        lit(0x1000),
        ior1(),
        ior2(), // 4..6
        lit(0x1000),
        ior1(),
        ior2(), // 7..9
        lit(0x2000),
        ior1(),
        ior2(), // 10..12 status after both
        jmp(13),
    ];
    let (m, s) = exec(&prog, b"xy");
    assert_eq!(
        s[4].uart_tx,
        Some(b'A'),
        "sent in the cycle after the write"
    );
    assert_eq!(s[7].uart_rx, Some(b'x'), "consumed by the cycle of io[T]");
    assert_eq!(s[7].cores[0].io_read, Some(b'x' as u16));
    assert_eq!(s[10].uart_rx, Some(b'y'));
    assert_eq!(s[13].cores[0].io_read, Some(1), "TX ready, RX empty");
    let st = m.stats();
    assert_eq!((st.uart_tx_bytes, st.uart_rx_bytes), (1, 2));
    assert_eq!(m.core(0).dstack()[..3], [b'y' as u16, b'x' as u16, 0]);

    // Status with a byte waiting; then the lazy reading: no rx() before the
    // program looks, and none after the end of input.
    let prog = vec![
        lit(0),
        lit(0),
        lit(0),
        lit(0x2000),
        ior1(),
        ior2(), // status: valid
        lit(0x3000),
        ior1(),
        ior2(), // data | status, consumed
        lit(0x2000),
        ior1(),
        ior2(), // status: empty
        lit(0x2000),
        ior1(),
        ior2(),
        jmp(15),
    ];
    let mut m = machine(&prog);
    let mut u = Counting {
        input: b"z".to_vec(),
        calls: 0,
        out: vec![],
    };
    for _ in 0..6 {
        m.step(&mut u);
    }
    assert_eq!(u.calls, 0, "nobody looked yet");
    let s = m.step(&mut u);
    assert_eq!(s.cores[0].io_read, Some(3), "TX ready and RX valid");
    assert_eq!(u.calls, 1);
    for _ in 0..3 {
        m.step(&mut u);
    }
    assert_eq!(m.core(0).t(), b'z' as u16 | 3, "data and status ORed");
    for _ in 0..6 {
        m.step(&mut u);
    }
    assert_eq!(m.core(0).t(), 1);
    assert_eq!(u.calls, 2, "one None, and never asked again");
    assert!(m.input_exhausted());
}

/// With a TX busy time (the simulated board on a paced line): ready reads low from the cycle
/// after the send for exactly that many cycles, as hdl/src/uart.rs's transmitter, and a byte
/// written meanwhile is lost; a byte arriving on the wire overwrites an unread one.
#[test]
fn hardware_uart_timing_when_asked() {
    // After the reboot cycle, 'A' is sent in cycle 4 (the io top acts a cycle after the
    // write), then the status is read every 5 cycles: io[T] in cycles 7, 12, .., 22, 27.
    let prog = vec![
        lit(b'A' as u16),
        lit(0x1000),
        iow1(),
        drop(),
        lit(0x2000),
        ior1(),
        ior2(),
        drop(),
        jmp(4),
    ];
    let ready_in = |busy: u64| {
        let mut m = machine(&prog);
        m.set_tx_busy_cycles(busy);
        let mut u = BufUart::new(b"");
        let s = steps(&mut m, &mut u, 28);
        assert_eq!(s[4].uart_tx, Some(b'A'));
        [7, 22, 27].map(|c| s[c].cores[0].io_read.unwrap() & 1)
    };
    // Busy in cycles 5..=26 with 22 busy cycles; 5..=27 with 23.
    assert_eq!(ready_in(22), [0, 0, 1]);
    assert_eq!(ready_in(23), [0, 0, 0]);
    assert_eq!(ready_in(0), [1, 1, 1], "the default: always ready");

    // Two bytes back to back: the second is dropped unless TX is always ready.
    let prog = vec![
        lit(b'A' as u16),
        lit(0x1000),
        iow1(),
        drop(),
        lit(b'B' as u16),
        lit(0x1000),
        iow1(),
        drop(),
        jmp(8),
    ];
    for (busy, out, dropped) in [(0, &b"AB"[..], 0), (10, &b"A"[..], 1)] {
        let mut m = machine(&prog);
        m.set_tx_busy_cycles(busy);
        let mut u = BufUart::new(b"");
        steps(&mut m, &mut u, 12);
        assert_eq!(u.output, out);
        assert_eq!(m.tx_dropped(), dropped);
    }

    // The one-byte receive register: the newest byte wins, and the loss is reported.
    let prog = vec![lit(0x1000), ior1(), ior2(), jmp(3)];
    let mut m = machine(&prog);
    assert!(!m.receive(b'x'));
    assert!(m.receive(b'y'), "x was not read: an overrun");
    let mut u = BufUart::new(b"");
    steps(&mut m, &mut u, 4);
    assert_eq!(m.core(0).t(), b'y' as u16);
}

#[test]
fn core_id_port_and_io_read_uses_registered_address() {
    // io[T] without a strobe reads whatever io_addr_ holds (here 0 → 0), and
    // a strobe latches T as the address for the next io[T].
    let prog = vec![
        lit(0x2000),
        dup(),
        ior2(),
        drop(), // 0..3: no strobe yet: address 0
        ior1(),
        ior2(), // 4, 5: strobe then read: status
        lit(0x4000),
        ior1(),
        ior2(), // 6..8: core id
        jmp(9),
    ];
    let (m, s) = exec(&prog, b"");
    assert_eq!(s[3].cores[0].io_read, Some(0));
    assert_eq!(s[6].cores[0].io_read, Some(1));
    assert_eq!(s[9].cores[0].io_read, Some(0), "core 0");
    assert_eq!(m.core(0).io_addr(), 0x4000);
}

#[test]
fn write_gate_opens_two_cycles_after_the_first_io_write() {
    // The io write runs in cycle 5, io_wr_ is set in cycle 6, the gate opens
    // at the end of cycle 6: a store in cycle 7 is the first that lands.
    let prog = vec![
        lit(0x234),
        lit(0x10),
        lit(0),
        lit(4),
        iow1(),                                  // 0..4: ( $234 $10 0 ), io! in cycle 5
        drop(),                                  // 5, cycle 6: ( $234 $10 )
        alu(AluOp::T, Func::Store, 0, 0, false), // 6, cycle 7: word 8 := $234
        jmp(7),
    ];
    let (m, s) = exec(&prog, b"");
    assert!(s[5].cores[0].io_write.is_none());
    assert!(s[6].cores[0].io_write.is_some(), "io_wr_ set in cycle 6");
    assert!(s[6].cores[0].ram_write.is_none());
    assert_eq!(
        s[7].cores[0].ram_write,
        Some((8, 0x234)),
        "the gate is open in cycle 7"
    );
    assert_eq!(m.core(0).ram()[8], 0x234);

    // A store in cycle 6 is dropped.
    let prog = vec![
        lit(0x234),
        lit(0x10),
        lit(0x10),
        lit(4),
        iow1(),                                   // ( $234 $10 4 ), io! in cycle 5
        alu(AluOp::N, Func::Store, -1, 0, false), // 5, cycle 6: [4] := $10, dropped
        alu(AluOp::T, Func::Store, 0, 0, false),  // 6, cycle 7: [$10] := $234
        jmp(7),
    ];
    let (m, s) = exec(&prog, b"");
    assert_eq!(s[6].cores[0].ram_write_dropped, Some((2, 0x10)));
    assert_eq!(m.core(0).ram()[2], lit(0x10), "unchanged");
    assert_eq!(s[6].cores[0].ram_write, None);
    assert_eq!(s[7].cores[0].ram_write, Some((8, 0x234)));
    assert_eq!(m.core(0).ram()[8], 0x234);
    assert_eq!(m.stats().ram_writes_dropped, 1);
    assert_eq!(m.stats().ram_writes, 1);

    // Without any io write, nothing is ever written.
    let prog = vec![lit(0x234), lit(0x10), store1(), drop(), jmp(4)];
    let (m, _) = exec(&prog, b"");
    assert_eq!(m.core(0).ram()[8], 0);
    assert!(!m.core(0).unlocked());
}

#[test]
fn read_during_write_fetches_the_old_word() {
    // The gate is open from cycle 5. The store in cycle 7 writes word 7, which
    // the same edge fetches: the old word (lit $77) runs.
    let mut p = open_gate(); // 0..3
    p.extend([lit(0x42), lit(0x0e), store1(), lit(0x77), jmp(8)]);
    let (m, s) = exec(&p, b"");
    assert_eq!(s[7].cores[0].ram_write, Some((7, 0x42)));
    assert_eq!(s[8].cores[0].insn, lit(0x77), "the old word was fetched");
    assert_eq!(m.core(0).ram()[7], 0x42);
    assert_eq!(m.core(0).t(), 0x77);

    // A word written earlier than its fetch runs as the new word.
    let mut p = open_gate();
    p.extend([
        lit(!0x8055),
        invert(),
        lit(0x14),
        store1(),
        drop(),
        noop(),
        lit(0x11),
        jmp(11),
    ]);
    // 4,5: push $8055 (`lit $55`); 6: lit $14 (word 10); 7: ! (cycle 8); 8: drop; 9: noop; 10: lit $11
    let (m, _) = exec(&p, b"");
    assert_eq!(m.core(0).ram()[10], 0x8055);
    assert_eq!(m.core(0).t(), 0x55, "the new word ran");
}

#[test]
fn data_stack_overflow_and_dsp_wrap() {
    let mut p: Vec<u16> = (1..=20).map(lit).collect();
    p.push(jmp(20));
    let (m, _) = exec(&p, b"");
    let c = m.core(0);
    assert_eq!(c.t(), 20);
    assert_eq!(c.dsp(), 4, "20 mod 16");
    let want: Vec<u16> = (4..=19).rev().collect();
    assert_eq!(
        c.dstack(),
        want,
        "the newest 16 below T kept, the oldest lost"
    );
}

#[test]
fn data_stack_underflow_fills_with_55aa() {
    let mut p = vec![drop(); 17];
    p.push(jmp(17));
    let (m, _) = exec(&p, b"");
    let c = m.core(0);
    assert_eq!(c.dsp(), 15, "-17 mod 16");
    assert_eq!(c.t(), STACK_FILL, "the fill reached T after 17 pops");
    assert!(c.dstack().iter().all(|&v| v == STACK_FILL));
    // After 3 pops only the bottom three are fill.
    let (m, _) = exec(&[drop(), drop(), drop(), jmp(3)], b"");
    let d = m.core(0).dstack();
    assert_eq!(d[..13], [0; 13]);
    assert_eq!(d[13..], [STACK_FILL; 3]);
}

#[test]
fn return_stack_overflow_and_underflow() {
    // 19 pushes to R: the oldest is lost (R + 17 kept).
    let mut p = Vec::new();
    for v in 1..=19 {
        p.extend([lit(v), to_r()]);
    }
    let h = p.len() as u16;
    p.push(jmp(h));
    let (m, _) = exec(&p, b"");
    let want: Vec<u16> = (2..=19).rev().collect();
    assert_eq!(m.core(0).rstack(), want);
    assert_eq!(m.core(0).rdepth(), 19);
    // exit on an empty return stack goes to R[13:1] = 0, then the fill arrives.
    let (_, s) = {
        let mut m = machine(&[lit(1), exit()]);
        let mut u = BufUart::default();
        let s = steps(&mut m, &mut u, 4);
        (m, s)
    };
    assert_eq!(s[3].cores[0].pc, 0, "returned to R = 0");
    let mut p = vec![alu(AluOp::T, Func::None, 0, -1, false); 18];
    p.extend([r_at(), jmp(19)]);
    let (m, _) = exec(&p, b"");
    assert_eq!(m.core(0).t(), STACK_FILL);
}

#[test]
fn outcomes() {
    // Halt: after the first self-jump cycle.
    let mut m = machine(&[lit(1), jmp(1)]);
    let o = m.run(&mut BufUart::default(), &Limits::default());
    assert_eq!(o, Outcome::Halted);
    assert_eq!(m.cycles(), 3);
    assert_eq!(m.stats().end, "halted");
    assert!(m.core(0).halted());
    // The reboot cycle's `jmp 0` is not a halt; a loop at 0 is.
    let mut m = machine(&[jmp(0)]);
    assert_eq!(
        m.run(&mut BufUart::default(), &Limits::default()),
        Outcome::Halted
    );
    assert_eq!(m.cycles(), 2);
    // Max cycles: a two-instruction loop.
    let mut m = machine(&[noop(), jmp(0)]);
    let l = Limits {
        max_cycles: Some(1001),
        idle_cycles: 10,
    };
    assert_eq!(m.run(&mut BufUart::default(), &l), Outcome::MaxCycles);
    assert_eq!(m.cycles(), 1001);
    assert_eq!(m.stats().end, "max-cycles");
    // Idle: only while the program waits for input after input ended (uart::Wait).
    let prog = vec![lit(0x1000), ior1(), ior2(), drop(), noop(), jmp(4)];
    let mut m = machine(&prog);
    let l = Limits {
        max_cycles: Some(1_000_000),
        idle_cycles: 100,
    };
    assert_eq!(
        m.run(&mut BufUart::new(b"q"), &l),
        Outcome::MaxCycles,
        "the byte came, input never looked at again"
    );
    let prog = vec![
        lit(0x1000),
        ior1(),
        ior2(),
        lit(0x1000),
        ior1(),
        ior2(),
        noop(),
        jmp(6),
    ];
    let mut m = machine(&prog);
    assert_eq!(m.run(&mut BufUart::new(b"q"), &l), Outcome::Idle);
    // 'q' consumed in cycle 3; the look in cycle 6 finds the input ended: the wait begins
    // there (the loop after it is within WAIT_GAP of that look).
    assert_eq!(m.cycles(), 6 + 100);
    assert_eq!(m.stats().end, "idle");
    // A long computation before the first look at the UART is not cut short.
    let prog = vec![
        lit(300),
        lit(1),
        minus(),
        dup(),
        jz(6),
        jmp(1),
        lit(0x2000),
        ior1(),
        ior2(),
        noop(),
        jmp(9),
    ];
    let mut m = machine(&prog);
    assert_eq!(m.run(&mut BufUart::new(b""), &l), Outcome::Idle);
    assert!(m.cycles() > 1500 + 100);
}

#[test]
fn stats_count_what_ran() {
    let (m, _) = exec(&[lit(1), call(3), jmp(2), call(0x1000), exit()], b"");
    let st = m.stats();
    assert_eq!(st.cycles, m.cycles());
    assert_eq!(st.fetch_cycles, 1);
    // lit, call, call $1000, (fetch), exit? no: call $1000 returns to 4 (exit), exit returns to 2.
    assert_eq!(st.instructions, st.cycles - 1 - st.fetch_cycles);
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(json["cycles"], m.cycles());
    assert_eq!(json["end"], "running");
}
