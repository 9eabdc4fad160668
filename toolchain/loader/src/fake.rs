//! A scripted fake board: the board side of docs/protocol.md in Rust, over any [`Link`],
//! with switches for misbehaviour (silence, NAKs, lost and duplicated responses, a RAM that
//! changes after the write). Tests of the client use it over in-memory links.

use crate::frame::*;
use crate::link::Link;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How the fake board behaves.
#[derive(Clone, Debug)]
pub struct FakeConfig {
    pub info: BoardInfo,
    /// Never answer anything (a port with nothing behind it).
    pub silent: bool,
    /// Answer the first N `WRITE`s with `NAK $01` (as if their payload CRC were wrong).
    pub nak_first_writes: u32,
    /// Answer every `WRITE` with `NAK $01` (a line that always corrupts).
    pub nak_all_writes: bool,
    /// Drop the responses with these indices (0 = the first response the board would send).
    pub drop_responses: Vec<usize>,
    /// Send every `ACK` twice.
    pub duplicate_acks: bool,
    /// After the writes, this word of RAM reads back as this value (broken RAM).
    pub corrupt_after_write: Option<(u16, u16)>,
    /// What "the program" prints after `START` (the fake then stops answering frames).
    pub program_output: Vec<u8>,
    /// The hello sent when the fake starts.
    pub hello: Vec<u8>,
    /// Work on every frame this long before answering, one frame after the other: a board
    /// slower than its line (the RTL simulated board on a loaded machine).
    pub frame_time: Duration,
}

/// The INFO the fake board reports: 1 core, boot_start $B00 (as the firmware).
pub fn sim_info() -> BoardInfo {
    BoardInfo {
        protocol: PROTOCOL_VERSION,
        isa: j1k_isa::ISA_VERSION,
        cores: 1,
        worker_ram: 4096,
        boot_start: 0xb00,
        max_write_words: MAX_WORDS as u8,
        block_words: 128,
        node_slots: 32,
        blocks: 256,
        nodes: 64,
        clock_khz: 0,
        entry_slot: 0,
        name: "fake".into(),
    }
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            info: sim_info(),
            silent: false,
            nak_first_writes: 0,
            nak_all_writes: false,
            drop_responses: Vec::new(),
            duplicate_acks: false,
            corrupt_after_write: None,
            program_output: b"Hello, world!\r\n".to_vec(),
            hello: b"j1k fake ready\r\n".to_vec(),
            frame_time: Duration::ZERO,
        }
    }
}

/// What the fake board saw and did.
#[derive(Clone, Debug, Default)]
pub struct FakeState {
    pub ram: Vec<u16>,
    /// Commands received with a good frame, in order (cmd codes).
    pub commands: Vec<u8>,
    pub writes: u32,
    pub bad_payloads: u32,
    /// (core, addr) of the START that left the loader.
    pub started: Option<(u8, u16)>,
    /// The RAM when the program was started.
    pub started_ram: Option<Vec<u16>>,
    pub resets: u32,
}

pub struct FakeBoard {
    stop: Arc<AtomicBool>,
    state: Arc<Mutex<FakeState>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeBoard {
    /// Runs the fake board on its own thread over `link`.
    pub fn spawn<L: Link + 'static>(mut link: L, cfg: FakeConfig) -> FakeBoard {
        let stop = Arc::new(AtomicBool::new(false));
        let state = Arc::new(Mutex::new(FakeState {
            ram: vec![0; j1k_isa::RAM_WORDS],
            ..Default::default()
        }));
        let (s, st) = (stop.clone(), state.clone());
        let thread = std::thread::spawn(move || {
            let _ = link.send(&cfg.hello);
            let mut dec = Decoder::default();
            let mut buf = [0u8; 512];
            let mut responses = 0usize;
            let mut running = false;
            while !s.load(Ordering::SeqCst) {
                let n = match link.recv(&mut buf, Duration::from_millis(2)) {
                    Ok(n) => n,
                    Err(_) => return,
                };
                if cfg.silent || running {
                    continue;
                }
                dec.push(&buf[..n]);
                while let Some(p) = dec.next_frame() {
                    std::thread::sleep(cfg.frame_time);
                    let mut out: Vec<Frame> = Vec::new();
                    let mut then_start = None;
                    {
                        let mut st = st.lock().unwrap();
                        match p {
                            Parsed::BadPayload { seq, addr, .. } => {
                                st.bad_payloads += 1;
                                out.push(Frame::new(NAK, seq, addr, vec![E_CRC]));
                            }
                            Parsed::Frame(f) => {
                                st.commands.push(f.cmd);
                                let r = handle(&cfg, &mut st, &f);
                                if let Some(r) = r.0 {
                                    if cfg.duplicate_acks && r.cmd == ACK {
                                        out.push(r.clone());
                                    }
                                    out.push(r);
                                }
                                then_start = r.1;
                            }
                        }
                    }
                    for r in out {
                        let drop = cfg.drop_responses.contains(&responses);
                        responses += 1;
                        if !drop && link.send(&r.encode()).is_err() {
                            return;
                        }
                    }
                    if then_start.is_some() {
                        running = true;
                        let _ = link.send(&cfg.program_output);
                        break;
                    }
                }
            }
        });
        FakeBoard {
            stop,
            state,
            thread: Some(thread),
        }
    }

    pub fn state(&self) -> FakeState {
        self.state.lock().unwrap().clone()
    }

    /// Stops the board and returns what it saw.
    pub fn stop(mut self) -> FakeState {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.state()
    }
}

impl Drop for FakeBoard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One command: (response, Some(()) when the board leaves the loader to run the program).
fn handle(cfg: &FakeConfig, st: &mut FakeState, f: &Frame) -> (Option<Frame>, Option<()>) {
    let boot = cfg.info.boot_start as usize;
    let nak = |code| Some(Frame::reply(f, NAK, vec![code]));
    let p = &f.payload;
    let u = |i: usize| u16::from_le_bytes([p[i], p[i + 1]]) as usize;
    let addr = f.addr as usize;
    match f.cmd {
        INFO => {
            let mut info = cfg.info.clone();
            info.entry_slot = st.ram[0];
            (Some(Frame::reply(f, INFO_R, info.encode())), None)
        }
        WRITE => {
            if p.is_empty() || !p.len().is_multiple_of(2) || p.len() > 2 * MAX_WORDS {
                return (nak(E_LEN), None);
            }
            st.writes += 1;
            if cfg.nak_all_writes || st.writes <= cfg.nak_first_writes {
                return (nak(E_CRC), None);
            }
            let words = bytes_to_words(p);
            if addr + words.len() > boot {
                return (nak(E_RANGE), None);
            }
            st.ram[addr..addr + words.len()].copy_from_slice(&words);
            if let Some((a, v)) = cfg.corrupt_after_write {
                st.ram[a as usize] = v;
            }
            (Some(Frame::reply(f, ACK, vec![])), None)
        }
        CHECK => {
            if p.len() != 2 {
                return (nak(E_LEN), None);
            }
            let count = u(0);
            if count == 0 || addr + count > boot {
                return (nak(E_RANGE), None);
            }
            let (sum, sum2) = crate::client::check_sums(&st.ram[addr..addr + count]);
            let mut sums = sum.to_le_bytes().to_vec();
            sums.extend(sum2.to_le_bytes());
            (Some(Frame::reply(f, SUMS_R, sums)), None)
        }
        READ => {
            if p.len() != 1 {
                return (nak(E_LEN), None);
            }
            let count = p[0] as usize;
            if count == 0 || count > MAX_WORDS || addr + count > boot {
                return (nak(E_RANGE), None);
            }
            let data = words_to_bytes(&st.ram[addr..addr + count]);
            (Some(Frame::reply(f, DATA_R, data)), None)
        }
        START => {
            if p.len() != 1 {
                return (nak(E_LEN), None);
            }
            if p[0] >= cfg.info.cores {
                return (nak(E_CORE), None);
            }
            st.started = Some((p[0], f.addr));
            st.started_ram = Some(st.ram.clone());
            (Some(Frame::reply(f, ACK, vec![])), Some(()))
        }
        RESET => {
            st.resets += 1;
            (Some(Frame::reply(f, ACK, vec![])), None)
        }
        _ => (nak(E_CMD), None),
    }
}
