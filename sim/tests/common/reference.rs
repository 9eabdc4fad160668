//! An independent reference model: a slow, literal transliteration of
//! swapforth's `j1a/verilog/j1.v` (4-bit dsp), `stack2.v` (stacks as real
//! shift registers) and the io part of the j1a top, for the base ISA only
//! (no key instructions). The UART input is all there from the start (a
//! queue): the simulator's lazy reading must give exactly the same behaviour.

use std::collections::VecDeque;

/// The core this model is: core 0.
const CORE_ID: u16 = 0;

pub struct Stack2<const D: usize> {
    pub head: u16,
    pub tail: [u16; D],
}

impl<const D: usize> Stack2<D> {
    fn new() -> Self {
        Stack2 {
            head: 0,
            tail: [0; D],
        }
    }

    /// `always @(posedge clk)` of stack2.v.
    fn clock(&mut self, we: bool, delta: u8, wd: u16) {
        let mv = delta & 1 == 1;
        let head_n = if we { wd } else { self.tail[0] };
        let mut tail_n = [0u16; D];
        if delta & 2 != 0 {
            // {16'h55aa, tail[BITS:16]}
            tail_n[..D - 1].copy_from_slice(&self.tail[1..]);
            tail_n[D - 1] = 0x55aa;
        } else {
            // {tail[BITS-16:0], head}
            tail_n[0] = self.head;
            tail_n[1..].copy_from_slice(&self.tail[..D - 1]);
        }
        if we || mv {
            self.head = head_n;
        }
        if mv {
            self.tail = tail_n;
        }
    }

    pub fn entries(&self) -> Vec<u16> {
        let mut v = vec![self.head];
        v.extend_from_slice(&self.tail);
        v
    }
}

pub struct Reference {
    pub pc: u16,
    pub st0: u16,
    pub dsp: u8,
    pub reboot: bool,
    pub insn: u16,
    pub dstack: Stack2<15>,
    pub rstack: Stack2<17>,
    pub ram: Vec<u16>,
    pub io_rd_: bool,
    pub io_wr_: bool,
    pub dout_: u16,
    pub io_addr_: u16,
    pub unlocked: bool,
    pub leds: u8,
    pub input: VecDeque<u8>,
    pub rx_data: u8,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RefOut {
    pub tx: Option<u8>,
    pub rx: Option<u8>,
    pub ram_write: Option<(u16, u16)>,
}

impl Reference {
    pub fn new(image: &[u16], input: &[u8]) -> Reference {
        let mut ram = vec![0u16; 4096];
        ram[..image.len()].copy_from_slice(image);
        Reference {
            pc: 0,
            st0: 0,
            dsp: 0,
            reboot: true,
            insn: 0,
            dstack: Stack2::new(),
            rstack: Stack2::new(),
            ram,
            io_rd_: false,
            io_wr_: false,
            dout_: 0,
            io_addr_: 0,
            unlocked: false,
            leds: 0,
            input: input.iter().copied().collect(),
            rx_data: 0,
        }
    }

    fn bit(v: u16, b: u32) -> bool {
        (v >> b) & 1 == 1
    }

    pub fn cycle(&mut self) -> RefOut {
        let mut out = RefOut::default();
        let (pc, insn, st0, reboot) = (self.pc, self.insn, self.st0, self.reboot);
        let st1 = self.dstack.head;
        let rst0 = self.rstack.head;
        let pc12 = Self::bit(pc, 12);
        let pc_plus_1 = (pc + 1) & 0x1fff;

        // The top's io_din, from the registered address.
        let uart0_valid = !self.input.is_empty();
        let uart0_data = if uart0_valid {
            self.input[0]
        } else {
            self.rx_data
        };
        let a = self.io_addr_;
        let io_din = (if Self::bit(a, 12) {
            uart0_data as u16
        } else {
            0
        }) | (if Self::bit(a, 13) {
            (uart0_valid as u16) << 1 | 1
        } else {
            0
        }) | (if Self::bit(a, 14) { CORE_ID } else { 0 });

        // wire [16:0] minus = {1'b1, ~st0} + st1 + 1;
        let minus: u32 = ((1u32 << 16) | (!st0) as u32) + st1 as u32 + 1;
        let minus = minus & 0x1ffff;
        let signedless = if (st0 ^ st1) & 0x8000 != 0 {
            Self::bit(st1, 15)
        } else {
            minus >> 16 == 1
        };
        let all = |b: bool| if b { 0xffffu16 } else { 0 };

        // casez ({pc[12], insn[15:8]})
        let st0n = if pc12 {
            insn
        } else if Self::bit(insn, 15) {
            insn & 0x7fff
        } else {
            match insn >> 13 {
                0 | 2 => st0,
                1 => st1,
                _ => match (insn >> 8) & 15 {
                    0 => st0,
                    1 => st1,
                    2 => st0.wrapping_add(st1),
                    3 => st0 & st1,
                    4 => st0 | st1,
                    5 => st0 ^ st1,
                    6 => !st0,
                    7 => all(minus == 0),
                    8 => all(signedless),
                    9 => (st0 & 0x8000) | (st0 >> 1),
                    10 => st0 << 1,
                    11 => rst0,
                    12 => minus as u16,
                    13 => io_din,
                    14 => self.dsp as u16,
                    _ => all(minus >> 16 == 1),
                },
            }
        };

        let func = (insn >> 4) & 7;
        let is_alu = !pc12 && insn >> 13 == 3;
        let mem_wr = !reboot && is_alu && func == 3;
        let io_wr = !reboot && is_alu && func == 4;
        let io_rd = !reboot && is_alu && func == 5;
        let rstk_d = if !Self::bit(insn, 13) {
            pc_plus_1 << 1
        } else {
            st0
        };

        let op3 = insn >> 13;
        let (dstk_w, dsp_i) = if pc12 || Self::bit(insn, 15) {
            (true, 1u8)
        } else {
            match op3 {
                1 => (false, 3),
                3 => (func == 1, (insn & 3) as u8),
                _ => (false, 0),
            }
        };
        let sext = [0u8, 1, 14, 15][dsp_i as usize];
        let dsp_n = (self.dsp + sext) & 15;
        let (rstk_w, rsp_i) = if pc12 {
            (false, 3u8)
        } else {
            match op3 {
                2 => (true, 1),
                3 => (func == 2, ((insn >> 2) & 3) as u8),
                _ => (false, 0),
            }
        };

        // casez ({reboot, pc[12], insn[15:13], insn[7], |st0})
        let pc_n = if reboot && !pc12 {
            0
        } else if !reboot && !pc12 && (op3 == 0 || op3 == 2 || (op3 == 1 && st0 == 0)) {
            insn & 0x1fff
        } else if !reboot && (pc12 || (op3 == 3 && Self::bit(insn, 7))) {
            (rst0 >> 1) & 0x1fff
        } else {
            pc_plus_1
        };

        // The top: UART and LEDs act on the registered strobes.
        if self.io_wr_ && Self::bit(self.io_addr_, 12) {
            out.tx = Some(self.dout_ as u8);
        }
        if self.io_wr_ && Self::bit(self.io_addr_, 2) {
            self.leds = (self.dout_ & 31) as u8;
        }
        if self.io_rd_ && Self::bit(self.io_addr_, 12) && uart0_valid {
            let b = self.input.pop_front().unwrap();
            self.rx_data = b;
            out.rx = Some(b);
        }

        // posedge clk
        let fetched = self.ram[(pc_n & 0xfff) as usize];
        if mem_wr && self.unlocked {
            let wa = (st0 >> 1) & 0xfff;
            self.ram[wa as usize] = st1;
            out.ram_write = Some((wa, st1));
        }
        self.insn = fetched;
        self.dstack.clock(dstk_w, dsp_i, st0);
        self.rstack.clock(rstk_w, rsp_i, rstk_d);
        self.unlocked |= self.io_wr_;
        self.io_rd_ = io_rd;
        self.io_wr_ = io_wr;
        self.dout_ = st1;
        if io_rd || io_wr {
            self.io_addr_ = st0;
        }
        self.reboot = false;
        self.pc = pc_n;
        self.dsp = dsp_n;
        self.st0 = st0n;
        out
    }
}
