//! A small lockstep harness inside rust-hdl's simulator: the simulation top
//! against the Rust simulator (`j1k-sim`), compared on every cycle. Slow
//! (rust-hdl simulates ~1k cycles/s in debug), so only for short programs; the
//! Verilator harness does the long runs.

#![allow(dead_code)]

use j1k_hdl::sim_top::SimTop;
use j1k_hdl::HwConfig;
use j1k_sim::{BufUart, Config, Machine};
use rust_hdl::prelude::*;
use std::collections::VecDeque;
use std::path::Path;

pub fn assemble(name: &str, src: &str) -> Vec<u16> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let path = dir.join(name);
    match j1k_asm::assemble_str(path.to_str().unwrap(), src) {
        Ok(a) => a.words,
        Err(e) => panic!("assembling {name}: {e:?}"),
    }
}

/// Runs `image` on both models for at most `max_cycles` cycles (or until halt),
/// with `input` on the UART, and panics at the first difference. Returns the cycles run.
pub fn lockstep(cfg: HwConfig, image: Vec<u16>, input: &[u8], max_cycles: u64) -> u64 {
    let kcfg = cfg.key.unwrap_or_default();
    let input = input.to_vec();
    let image2 = image.clone();
    let key_on = cfg.key.is_some();

    let mut uut = SimTop::new(&cfg, &image);
    uut.connect_all();
    let mut sim = Simulation::new();
    sim.add_clock(5, |x: &mut Box<SimTop>| x.clock.next = !x.clock.val());
    let (tx_send, tx_recv) = std::sync::mpsc::channel();
    sim.add_testbench(move |mut sim: Sim<SimTop>| {
        let mut m = Machine::new(Config {
            cores: 1,
            key: kcfg,
            ..Default::default()
        })
        .unwrap();
        m.load_image(0, &image2).unwrap();
        let mut uart = BufUart::new(&input);
        let mut rxq: VecDeque<u8> = input.iter().copied().collect();
        let mut last_rx = 0u8;
        let mut x = sim.init()?;
        wait_clock_false!(sim, clock, x);
        // (16 cycles: the key registers' RAM is rewritten during reset, regs.rs)
        x.reset.next = true;
        for _ in 0..16 {
            wait_clock_cycle!(sim, clock, x);
        }
        x.reset.next = false;
        let mut cycle = 0u64;
        loop {
            x.uart_rx_valid.next = !rxq.is_empty();
            x.uart_rx_data.next = bits::<8>(*rxq.front().unwrap_or(&last_rx) as u64);
            x = sim.wait(1, x)?;
            let c = m.core(0);
            let ctx = format!("cycle {cycle}, pc {:#x}, insn {:#06x}", c.pc(), c.insn());
            macro_rules! eq {
                ($hw:expr, $sw:expr, $what:expr) => {
                    let (h, s) = ($hw as u64, $sw as u64);
                    if h != s {
                        tx_send
                            .send(format!(
                                "{}: {} differs: rtl {:#x}, sim {:#x}",
                                ctx, $what, h, s
                            ))
                            .unwrap();
                        return sim.done(x);
                    }
                };
            }
            eq!(x.pc.val().index(), c.pc(), "pc");
            eq!(x.insn.val().index(), c.insn(), "insn");
            eq!(x.t.val().index(), c.t(), "T");
            eq!(x.n.val().index(), c.n(), "N");
            eq!(x.r.val().index(), c.r(), "R");
            eq!(x.dsp.val().index(), c.dsp(), "dsp");
            eq!(x.rdepth.val().index(), c.rdepth(), "rdepth");
            eq!(x.reboot.val(), c.rebooting(), "reboot");
            eq!(x.leds.val().index(), c.leds(), "leds");
            if key_on {
                eq!(x.cur_b.val().index(), c.cur_block(), "cur_b");
                eq!(x.cur_n.val().index(), c.cur_node(), "cur_n");
                let keyv = |k: j1k_sim::Key| (k.index as u64) | ((k.writable as u64) << 15);
                let b = [
                    x.breg0.val(),
                    x.breg1.val(),
                    x.breg2.val(),
                    x.breg3.val(),
                    x.breg4.val(),
                    x.breg5.val(),
                    x.breg6.val(),
                    x.breg7.val(),
                ];
                for (i, v) in b.iter().enumerate() {
                    eq!(v.index(), keyv(c.block_reg(i)), format!("b{i}"));
                }
                let n = [x.nreg0.val(), x.nreg1.val(), x.nreg2.val(), x.nreg3.val()];
                for (i, v) in n.iter().enumerate() {
                    eq!(v.index(), keyv(c.node_reg(i)), format!("n{i}"));
                }
                eq!(x.faults.val().index(), c.faults(), "faults");
                eq!(x.key_busy.val(), c.stalled(), "key_busy");
            }
            let s = m.step(&mut uart);
            let cs = s.cores[0];
            let ctx = format!("{ctx} (after step)");
            let _ = &ctx;
            eq!(x.halt.val(), cs.halt, "halt");
            eq!(x.ram_we.val(), cs.ram_write.is_some(), "ram_we");
            if let Some((a, v)) = cs.ram_write {
                eq!(x.ram_waddr.val().index(), a, "ram_waddr");
                eq!(x.ram_wdata.val().index(), v, "ram_wdata");
            }
            eq!(
                x.uart_tx_strobe.val(),
                s.uart_tx.is_some(),
                "uart_tx_strobe"
            );
            if let Some(b) = s.uart_tx {
                eq!(x.uart_tx_data.val().index(), b, "uart_tx_data");
            }
            eq!(
                x.uart_rx_strobe.val(),
                s.uart_rx.is_some(),
                "uart_rx_strobe"
            );
            if key_on {
                eq!(x.blk_we.val(), cs.block_write.is_some(), "blk_we");
                if let Some((b, w, v)) = cs.block_write {
                    let words = kcfg.block_words as u64;
                    eq!(
                        x.blk_waddr.val().index(),
                        b as u64 * words + w as u64,
                        "blk_waddr"
                    );
                    let mask = x.blk_wmask.val().index() as u64;
                    let lanes = (if mask & 1 != 0 { 0xff } else { 0 })
                        | (if mask & 2 != 0 { 0xff00 } else { 0 });
                    eq!(
                        x.blk_wdata.val().index() as u64 & lanes,
                        v as u64 & lanes,
                        "blk_wdata"
                    );
                }
            }
            if x.uart_rx_strobe.val() {
                last_rx = rxq.pop_front().unwrap();
            }
            cycle += 1;
            if s.halted || cycle >= max_cycles {
                tx_send.send(format!("ok {cycle}")).unwrap();
                return sim.done(x);
            }
            wait_clock_cycle!(sim, clock, x);
        }
    });
    sim.run(Box::new(uut), 100 * 10 * max_cycles + 1000)
        .unwrap();
    let msg = tx_recv.recv().unwrap();
    match msg.strip_prefix("ok ") {
        Some(n) => n.parse().unwrap(),
        None => panic!("{msg}"),
    }
}
