//! The tracer and the waveform writer: what they print, and that the VCD
//! parses back (with the vcd crate) to the values of the run.

mod common;

use common::*;
use j1k_isa::KeyOp;
use j1k_sim::trace::Tracer;
use j1k_sim::vcd::VcdWriter;
use j1k_sim::{BufUart, Limits, Observer, Step};
use std::collections::HashMap;

/// 0: lit 'A'  1: lit $1000  2: io!  3: drop  4: call $1000+9  5: balloc  6: b@  7: halt  ...  9: $beef
fn program() -> Vec<u16> {
    let mut p = vec![
        lit(b'A' as u16),
        lit(0x1000),
        iow1(),
        drop(),
        call(0x1009),
        keyop(KeyOp::Balloc),
        keyop(KeyOp::Bfetch),
        jmp(7),
        0,
        0xbeef,
    ];
    p.resize(10, 0);
    p
}

/// Records steps beside another observer.
struct Both<'a, O: Observer>(&'a mut O, Vec<Step>);
impl<O: Observer> Observer for Both<'_, O> {
    fn after_cycle(&mut self, m: &j1k_sim::Machine, s: &Step) {
        self.0.after_cycle(m, s);
        self.1.push(s.clone());
    }
}

#[test]
fn trace_lines() {
    let mut m = machine(&program());
    let mut t = Tracer::new(Vec::new());
    let o = m.run_observed(&mut BufUart::default(), &Limits::default(), &mut t);
    assert_eq!(o, j1k_sim::Outcome::Halted);
    t.flush().unwrap();
    let text = String::from_utf8(t.into_inner()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("cycle") && lines[0].contains("instruction"),
        "header"
    );
    assert_eq!(lines.len() as u64, 1 + m.cycles(), "one line per cycle");
    assert!(lines[1].contains("reboot"));
    assert!(
        lines[2].starts_with("         1 0 0000 $41"),
        "{}",
        lines[2]
    );
    assert!(lines[4].contains("tx 41") || lines[5].contains("tx 41"));
    assert!(text.contains("fetch $beef"));
    assert!(text.contains("balloc [1/130] stall"));
    assert!(text.contains("balloc [130/130]"));
    assert!(text.contains("b@ [1/2] stall"));
    assert!(lines.last().unwrap().contains("halt"));
    // Fixed columns: T starts at the same offset on every cycle line.
    let col = lines[2].find("0041").unwrap();
    assert!(lines[3..].iter().all(|l| l.len() > col + 4));
}

#[test]
fn vcd_parses_back() {
    let mut m = machine(&program());
    let mut buf = Vec::new();
    let steps = {
        let mut v = VcdWriter::new(&mut buf, &m).unwrap();
        let mut both = Both(&mut v, Vec::new());
        m.run_observed(&mut BufUart::default(), &Limits::default(), &mut both);
        let steps = both.1;
        v.finish().unwrap();
        steps
    };
    let mut p = vcd::Parser::new(&buf[..]);
    let header = p.parse_header().unwrap();
    let id = |path: &[&str]| {
        header
            .find_var(path)
            .unwrap_or_else(|| panic!("{path:?}"))
            .code
    };
    let pc = id(&["j1k", "core0", "pc"]);
    let t = id(&["j1k", "core0", "T"]);
    let stall = id(&["j1k", "core0", "stall"]);
    let bkey = id(&["j1k", "core0", "bkey"]);
    let tx = id(&["j1k", "uart_tx"]);
    let txd = id(&["j1k", "uart_tx_data"]);
    for name in [
        "insn",
        "N",
        "dsp",
        "rdepth",
        "cur_block",
        "cur_node",
        "bkey_rw",
        "nkey",
        "nkey_rw",
        "faults",
        "leds",
        "fetch",
    ] {
        id(&["j1k", "core0", name]);
    }
    id(&["j1k", "uart_rx"]);
    id(&["j1k", "uart_rx_data"]);

    // Replay the changes: value of every signal at every timestep.
    let mut now = 0u64;
    let mut cur: HashMap<vcd::IdCode, u64> = HashMap::new();
    let mut at: Vec<HashMap<vcd::IdCode, u64>> = Vec::new();
    let val = |v: &vcd::Vector| {
        v.iter()
            .fold(0u64, |a, b| a << 1 | (b == vcd::Value::V1) as u64)
    };
    for cmd in p {
        match cmd.unwrap() {
            vcd::Command::Timestamp(ts) => {
                while (at.len() as u64) < ts.max(now) {
                    at.push(cur.clone());
                }
                now = ts;
            }
            vcd::Command::ChangeScalar(i, v) => {
                cur.insert(i, (v == vcd::Value::V1) as u64);
            }
            vcd::Command::ChangeVector(i, v) => {
                cur.insert(i, val(&v));
            }
            _ => {}
        }
    }
    at.push(cur.clone());
    assert_eq!(
        at.len() as u64,
        m.cycles() + 1,
        "one step per cycle and the final state"
    );
    for s in &steps {
        let c = s.cycle as usize;
        assert_eq!(at[c][&pc], s.cores[0].pc as u64, "pc in cycle {c}");
        assert_eq!(
            at[c][&stall],
            (s.cores[0].kind == j1k_sim::CycleKind::Stall) as u64
        );
        assert_eq!(
            at[c][&tx],
            s.uart_tx.is_some() as u64,
            "tx strobe in cycle {c}"
        );
    }
    let tx_cycle = steps.iter().find(|s| s.uart_tx.is_some()).unwrap().cycle as usize;
    assert_eq!(at[tx_cycle][&txd], b'A' as u64);
    // T during cycle 2 is what cycle 1 left: 'A'.
    assert_eq!(at[2][&t], b'A' as u64);
    // The final step shows the allocated key.
    assert_eq!(at.last().unwrap()[&bkey], 1);
}
