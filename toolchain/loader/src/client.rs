//! The protocol client (docs/protocol.md): connect and handshake, check the image against
//! the board, pipelined writes (two outstanding, go-back-N) with bounded retries and
//! per-command timeouts, verify with `CHECK` (and `READ` to name the first wrong word), start a
//! core, reset.

use crate::error::LoaderError;
use crate::frame::*;
use crate::link::Link;
use crate::progress::Progress;
use crate::rto::Rto;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Settings of a session.
#[derive(Clone, Debug)]
pub struct Options {
    /// The line rate (for timeouts; the link is opened at it).
    pub baud: u32,
    /// How long to try to reach the bootloader (INFO every 20 ms).
    pub connect_timeout: Duration,
    /// Retransmissions of one frame before giving up.
    pub retries: u32,
    /// Added to every response timeout (FTDI USB latency is up to 16 ms).
    pub latency: Duration,
    /// Read back with `CHECK` after writing (on by default).
    pub verify: bool,
    /// Frames in flight during a write (the protocol allows up to 2).
    pub window: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            baud: 115_200,
            connect_timeout: Duration::from_secs(3),
            retries: 8,
            latency: Duration::from_millis(20),
            verify: true,
            window: 2,
        }
    }
}

/// How a `START` went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Started {
    /// The board acknowledged it.
    Confirmed,
    /// No acknowledgement, but the board no longer answers as the bootloader: the program is
    /// (most likely) running; the `ACK` was lost.
    Unconfirmed,
}

/// A connected session with a board's bootloader.
pub struct Client<L: Link> {
    link: L,
    opts: Options,
    seq: u8,
    dec: Decoder,
    info: Option<BoardInfo>,
    /// Retransmissions done so far (all commands).
    pub retransmissions: u32,
    /// How long to wait for answers, learned from this board's (crate::rto).
    rto: Rto,
}

/// The checks made before any byte of an image is sent.
pub fn check_image(info: &BoardInfo, words: &[u16]) -> Result<(), LoaderError> {
    if words.is_empty() {
        return Err(LoaderError::EmptyImage);
    }
    if words.len() > info.boot_start as usize {
        return Err(LoaderError::ImageTooLarge {
            words: words.len(),
            end: words.len() - 1,
            lo: 0,
            hi: info.boot_start as usize,
            ram: j1k_isa::RAM_WORDS,
        });
    }
    Ok(())
}

/// A frame's `ADDR` for word `word` of core `core`'s RAM: the core in bits 15:13
/// (docs/protocol.md §3).
pub fn frame_addr(core: u16, word: usize) -> u16 {
    (core << 13) | word as u16
}

/// A progress phase's name: `write`, or `write core 2` for a core other than 0.
fn phase(what: &str, core: u16) -> String {
    if core == 0 {
        what.to_string()
    } else {
        format!("{what} core {core}")
    }
}

/// The digest `CHECK` answers for these words (docs/protocol.md §3): the words added, and
/// the running sums added, both mod 2^16.
pub fn check_sums(words: &[u16]) -> (u16, u16) {
    let (mut sum, mut sum2) = (0u16, 0u16);
    for &w in words {
        sum = sum.wrapping_add(w);
        sum2 = sum2.wrapping_add(sum);
    }
    (sum, sum2)
}

/// A frame of a write in flight: its words `addr..addr+words`, or (`words` 0) the `CHECK`.
#[derive(Clone, Copy)]
struct InFlight {
    addr: usize,
    words: usize,
    seq: u8,
    sent: Instant,
    /// Its line time (with the frames ahead of it): what of its round trip is not latency.
    line: Duration,
    deadline: Instant,
}

enum Wait {
    Got(Frame),
    BadPayload,
    Timeout,
}

impl<L: Link> Client<L> {
    pub fn new(link: L, opts: Options) -> Client<L> {
        Client {
            link,
            opts,
            seq: 0,
            dec: Decoder::default(),
            info: None,
            retransmissions: 0,
            rto: Rto::default(),
        }
    }

    pub fn info(&self) -> Option<&BoardInfo> {
        self.info.as_ref()
    }

    /// The link back, with the bytes received but not part of a frame (e.g. the program's
    /// first output after `START`).
    pub fn into_parts(mut self) -> (L, Vec<u8>) {
        let rest = self.dec.take_rest();
        (self.link, rest)
    }

    fn next_seq(&mut self) -> u8 {
        let s = self.seq;
        self.seq = self.seq.wrapping_add(1);
        s
    }

    fn io(&self, e: std::io::Error) -> LoaderError {
        LoaderError::Io {
            port: self.link.name(),
            source: e,
        }
    }

    fn byte_time(&self) -> Duration {
        Duration::from_secs_f64(10.0 / self.opts.baud.max(1) as f64)
    }

    /// §4: 2 × (frame + response bytes) × T_byte, the line part of a timeout.
    fn line_time(&self, out_bytes: usize, in_bytes: usize) -> Duration {
        self.byte_time() * (2 * (out_bytes + in_bytes)) as u32
    }

    /// §4: the line time + the latency (the option, or what this board has shown).
    fn timeout(&self, line: Duration) -> Duration {
        self.rto.timeout(line, self.opts.latency)
    }

    fn send(&mut self, f: &Frame) -> Result<(), LoaderError> {
        let bytes = f.encode();
        self.link.send(&bytes).map_err(|e| self.io(e))
    }

    /// Waits until `deadline` for a response frame (bit 7 set).
    fn wait(&mut self, deadline: Instant) -> Result<Wait, LoaderError> {
        let mut buf = [0u8; 512];
        loop {
            while let Some(p) = self.dec.next_frame() {
                match p {
                    Parsed::Frame(f) if f.cmd & 0x80 != 0 => return Ok(Wait::Got(f)),
                    Parsed::Frame(_) => {} // our own frames echoed back by a program
                    Parsed::BadPayload { cmd, .. } if cmd & 0x80 != 0 => {
                        return Ok(Wait::BadPayload)
                    }
                    Parsed::BadPayload { .. } => {}
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Wait::Timeout);
            }
            let n = self
                .link
                .recv(&mut buf, deadline - now)
                .map_err(|e| self.io(e))?;
            self.dec.push(&buf[..n]);
        }
    }

    /// One command, one response, with retransmission on a bad or missing response and on
    /// `NAK $01`. Returns the response (an `ACK`, a data response or another `NAK`).
    fn transact(
        &mut self,
        what: &'static str,
        addr: u32,
        cmd: u8,
        payload: Vec<u8>,
        resp_bytes: usize,
        extra: Duration,
    ) -> Result<Frame, LoaderError> {
        let f = Frame::new(cmd, self.next_seq(), addr as u16, payload);
        let line = self.line_time(Frame::wire_len(f.payload.len()), resp_bytes) + extra;
        let mut last = String::new();
        for attempt in 0..=self.opts.retries {
            if attempt > 0 {
                self.retransmissions += 1;
            }
            let timeout = self.timeout(line);
            self.send(&f)?;
            let sent = Instant::now();
            let deadline = sent + timeout;
            // The same SEQ every time, so a late answer to an earlier transmission is taken;
            // but then the round trip is unknown (Karn): only a first try's is a sample.
            let answered = |rto: &mut Rto| {
                if attempt == 0 {
                    rto.sample(sent.elapsed(), line);
                }
            };
            loop {
                match self.wait(deadline)? {
                    Wait::Got(r) if r.seq != f.seq => continue, // a late duplicate
                    Wait::Got(r) if r.cmd == NAK && r.payload == [E_CRC] => {
                        answered(&mut self.rto);
                        last = "the board saw a payload CRC error (NAK $01)".into();
                        break;
                    }
                    Wait::Got(r) => {
                        answered(&mut self.rto);
                        return Ok(r);
                    }
                    Wait::BadPayload => {
                        last = "a response with a bad CRC".into();
                        break;
                    }
                    Wait::Timeout => {
                        self.rto.timed_out();
                        last = format!("no answer within {} ms", timeout.as_millis());
                        break;
                    }
                }
            }
            // Let a half-received frame drain so it does not mix with the retry's answer.
            self.dec.take_rest();
        }
        Err(LoaderError::RetriesExhausted {
            what,
            addr,
            attempts: self.opts.retries + 1,
            last,
        })
    }

    fn nak_error(&self, what: &'static str, r: &Frame) -> LoaderError {
        let code = r.payload.first().copied().unwrap_or(0);
        let reason = match code {
            E_CRC => "payload CRC wrong".to_string(),
            E_LEN => "bad length for the command (a loader bug)".to_string(),
            E_RANGE => "address outside the program area".to_string(),
            E_CMD => "unknown command".to_string(),
            E_CORE => "no such core".to_string(),
            E_READBACK => "a written word did not read back".to_string(),
            c => format!("error ${c:02x}"),
        };
        LoaderError::Refused { what, reason }
    }

    fn unexpected(&self, what: &str, r: &Frame) -> LoaderError {
        LoaderError::Protocol(format!(
            "{what}: response ${:02x} with {} payload bytes",
            r.cmd,
            r.payload.len()
        ))
    }

    /// Reaches the bootloader and reads its `INFO`; refuses a protocol or ISA mismatch.
    pub fn connect(&mut self) -> Result<BoardInfo, LoaderError> {
        let start = Instant::now();
        let mut attempts = 0;
        let f = Frame::new(INFO, self.next_seq(), 0, vec![]);
        let per_try = Duration::from_millis(20)
            .max(self.line_time(HEADER_LEN + FLUSH_ZEROS, 60) + self.opts.latency);
        loop {
            attempts += 1;
            if attempts == 2 {
                // No answer to a bare INFO: the board may be inside a partial frame (an
                // upload cut short). Complete it so that it hunts for A5 again (§4). A board
                // fresh from reset needs none of this, so the first try goes without.
                self.link
                    .send(&[0u8; FLUSH_ZEROS])
                    .map_err(|e| self.io(e))?;
            }
            self.send(&f)?;
            let deadline = (Instant::now() + per_try).min(start + self.opts.connect_timeout);
            loop {
                match self.wait(deadline)? {
                    Wait::Got(r) if r.cmd == INFO_R => {
                        let info = BoardInfo::decode(&r.payload).map_err(LoaderError::Protocol)?;
                        if info.protocol != PROTOCOL_VERSION {
                            return Err(LoaderError::ProtocolVersion {
                                board: info.protocol as u16,
                                host: PROTOCOL_VERSION as u16,
                            });
                        }
                        if info.isa != j1k_isa::ISA_VERSION {
                            return Err(LoaderError::IsaMismatch {
                                board: info.isa,
                                host: j1k_isa::ISA_VERSION,
                            });
                        }
                        self.info = Some(info.clone());
                        self.dec.take_rest();
                        return Ok(info);
                    }
                    Wait::Got(_) | Wait::BadPayload => continue,
                    Wait::Timeout => break,
                }
            }
            if start.elapsed() >= self.opts.connect_timeout {
                return Err(LoaderError::NoAnswer {
                    port: self.link.name(),
                    baud: self.opts.baud,
                    waited: start.elapsed(),
                    attempts,
                });
            }
        }
    }

    fn info_or_connect(&mut self) -> Result<BoardInfo, LoaderError> {
        match &self.info {
            Some(i) => Ok(i.clone()),
            None => self.connect(),
        }
    }

    /// The board's core `core`, or [`LoaderError::NoSuchCore`].
    fn check_core(&mut self, core: u16) -> Result<BoardInfo, LoaderError> {
        let info = self.info_or_connect()?;
        if core >= info.cores as u16 || core > 7 {
            return Err(LoaderError::NoSuchCore {
                core,
                cores: info.cores as u16,
            });
        }
        Ok(info)
    }

    /// Writes `words` from address 0 of core `core`'s RAM, at most two frames in flight (§4).
    /// A core other than 0 is stopped by the board first (only a stopped core's RAM is
    /// reachable); core 0 is the bootloader's own. Each `ACK` means the
    /// words are in RAM, read back by the board. Checks the image first: nothing is sent for
    /// an image that does not fit.
    ///
    /// Frames are as large as the board allows (127 words) on a clean line. Each failure (a
    /// timeout, `NAK $01`) halves the size of the frames that follow, down to one word, and
    /// every 8 clean frames in a row double it again, so a noisy line still gets frames
    /// through. A failure counts against the retry budget of the first unacknowledged word;
    /// acknowledgements count in order only (go-back-N).
    pub fn write_image(
        &mut self,
        core: u16,
        words: &[u16],
        progress: &mut dyn Progress,
    ) -> Result<(), LoaderError> {
        self.write_frames(core, words, progress, false).map(|_| ())
    }

    /// [`write_image`](Self::write_image), then the `CHECK` of [`verify`](Self::verify) —
    /// sent right behind the last `WRITE`, inside the window, so the board starts the sums as
    /// soon as the last frame is in rather than a round trip later.
    pub fn write_and_verify(
        &mut self,
        core: u16,
        words: &[u16],
        progress: &mut dyn Progress,
    ) -> Result<(), LoaderError> {
        let got = self.write_frames(core, words, progress, true)?;
        progress.begin(&phase("verify", core), (words.len() * 2) as u64);
        match got {
            Some(sums) => self.compare_sums(core, words, sums, progress),
            // Only an empty image has no CHECK, and check_image refuses that.
            None => Err(LoaderError::EmptyImage),
        }
    }

    /// The writes, and with `check` the `CHECK` behind them; returns its sums.
    fn write_frames(
        &mut self,
        core: u16,
        words: &[u16],
        progress: &mut dyn Progress,
        check: bool,
    ) -> Result<Option<(u16, u16)>, LoaderError> {
        let info = self.check_core(core)?;
        check_image(&info, words)?;
        let max = (info.max_write_words as usize).clamp(1, MAX_WORDS);
        let mut size = max;
        let mut clean = 0u32;
        progress.begin(&phase("write", core), (words.len() * 2) as u64);
        let window = self.opts.window.clamp(1, 2);
        let mut attempts = 0u32; // failures at `base`
        let mut last_fail = String::new();
        let mut base = 0usize; // first word not yet acknowledged
        let mut next = 0usize; // first word not yet sent
        let mut sums = None;
        let mut check_sent = false;
        let mut flight: VecDeque<InFlight> = VecDeque::new(); // oldest first
        let mut abandoned: VecDeque<InFlight> = VecDeque::new(); // WRITEs gone back over
        while base < words.len() || (check && sums.is_none()) {
            while flight.len() < window {
                let ahead = self.byte_time() * (Frame::wire_len(2 * max) * flight.len()) as u32;
                if next < words.len() {
                    let n = size.min(words.len() - next);
                    let p = words_to_bytes(&words[next..next + n]);
                    let f = Frame::new(WRITE, self.next_seq(), frame_addr(core, next), p);
                    // ... plus the frame ahead of it in the board's queue
                    let line = self.line_time(Frame::wire_len(f.payload.len()), HEADER_LEN) + ahead;
                    self.send(&f)?;
                    let sent = Instant::now();
                    flight.push_back(InFlight {
                        addr: next,
                        words: n,
                        seq: f.seq,
                        sent,
                        line,
                        deadline: sent + self.timeout(line),
                    });
                    next += n;
                } else if check && !check_sent && next == words.len() {
                    let p = (words.len() as u16).to_le_bytes().to_vec();
                    let f = Frame::new(CHECK, self.next_seq(), frame_addr(core, 0), p);
                    let line = self.line_time(Frame::wire_len(2), HEADER_LEN + 6)
                        + Duration::from_micros(100) * words.len() as u32
                        + ahead;
                    self.send(&f)?;
                    let sent = Instant::now();
                    flight.push_back(InFlight {
                        addr: words.len(),
                        words: 0, // the CHECK
                        seq: f.seq,
                        sent,
                        line,
                        deadline: sent + self.timeout(line),
                    });
                    check_sent = true;
                } else {
                    break;
                }
            }
            let Some(&front) = flight.front() else {
                break;
            };
            let failed = match self.wait(front.deadline)? {
                Wait::Got(r) if r.seq != front.seq => {
                    if r.cmd == NAK && r.payload == [E_RANGE] {
                        return Err(self.too_large(&info, words.len()));
                    }
                    // The answer to a frame given up on: the board is slow, not deaf, and
                    // this is how slow (each transmission has its own SEQ).
                    if let Some(i) = abandoned.iter().position(|a: &InFlight| a.seq == r.seq) {
                        self.rto
                            .sample(abandoned[i].sent.elapsed(), abandoned[i].line);
                        abandoned.remove(i);
                    }
                    false // a later frame's answer, or a late duplicate: in order only
                }
                Wait::Got(r) if front.words == 0 => match (r.cmd, r.payload.len()) {
                    (SUMS_R, 4) => {
                        sums = Some((
                            u16::from_le_bytes([r.payload[0], r.payload[1]]),
                            u16::from_le_bytes([r.payload[2], r.payload[3]]),
                        ));
                        flight.pop_front();
                        false
                    }
                    (NAK, _) if r.payload == [E_CRC] => {
                        last_fail = "the board saw a payload CRC error (NAK $01)".into();
                        true
                    }
                    (NAK, _) => return Err(self.nak_error("the verify", &r)),
                    _ => return Err(self.unexpected("CHECK", &r)),
                },
                Wait::Got(r) => {
                    // (A CHECK's round trip is its sums' time, so only WRITEs sample.)
                    self.rto.sample(front.sent.elapsed(), front.line);
                    match r.cmd {
                        ACK => {
                            flight.pop_front();
                            base = front.addr + front.words;
                            attempts = 0;
                            progress.advance((front.words * 2) as u64);
                            clean += 1;
                            if clean >= 8 && size < max {
                                size = (size * 2).min(max);
                                clean = 0;
                            }
                            false
                        }
                        NAK if r.payload == [E_CRC] => {
                            last_fail = "the board saw a payload CRC error (NAK $01)".into();
                            true
                        }
                        NAK if r.payload == [E_READBACK] => {
                            last_fail = "a written word did not read back (NAK $06)".into();
                            true
                        }
                        NAK if r.payload == [E_RANGE] => {
                            return Err(self.too_large(&info, words.len()));
                        }
                        NAK => return Err(self.nak_error("a write", &r)),
                        _ => return Err(self.unexpected("WRITE", &r)),
                    }
                }
                Wait::BadPayload => {
                    last_fail = "a response with a bad CRC".into();
                    false // its frame times out, or a good answer follows
                }
                Wait::Timeout => {
                    self.rto.timed_out();
                    last_fail = "no answer in time".into();
                    true
                }
            };
            if failed {
                attempts += 1;
                if attempts > self.opts.retries {
                    progress.end();
                    return Err(LoaderError::RetriesExhausted {
                        what: if front.words == 0 { "verify" } else { "write" },
                        addr: base as u32,
                        attempts,
                        last: last_fail,
                    });
                }
                self.retransmissions += 1;
                if front.words > 0 {
                    size = (size / 2).max(1);
                    clean = 0;
                }
                // A CHECK behind the failed frame keeps the board summing, deaf to the line,
                // for a while: let it answer before going back, or the resent frames are lost.
                if let Some(&c) = flight.iter().skip(1).find(|f| f.words == 0) {
                    while let Wait::Got(r) = self.wait(c.deadline)? {
                        if r.seq == c.seq {
                            break;
                        }
                    }
                }
                for f in flight.drain(..).filter(|f| f.words > 0) {
                    if abandoned.len() == 8 {
                        abandoned.pop_front();
                    }
                    abandoned.push_back(f);
                }
                next = base;
                check_sent = false;
                self.dec.take_rest();
            }
        }
        progress.end();
        Ok(sums)
    }

    fn too_large(&self, info: &BoardInfo, words: usize) -> LoaderError {
        LoaderError::ImageTooLarge {
            words,
            end: words.saturating_sub(1),
            lo: 0,
            hi: info.boot_start as usize,
            ram: j1k_isa::RAM_WORDS,
        }
    }

    /// `CHECK` of core `core`'s words 0..len against `words`; on a mismatch, `READ`s to name
    /// the first wrong word.
    pub fn verify(
        &mut self,
        core: u16,
        words: &[u16],
        progress: &mut dyn Progress,
    ) -> Result<(), LoaderError> {
        self.check_core(core)?;
        progress.begin(&phase("verify", core), (words.len() * 2) as u64);
        let p = (words.len() as u16).to_le_bytes().to_vec();
        let extra = Duration::from_micros(100) * words.len() as u32;
        let addr = frame_addr(core, 0) as u32;
        let r = self.transact("verify", addr, CHECK, p, HEADER_LEN + 6, extra)?;
        let got = match (r.cmd, r.payload.len()) {
            (SUMS_R, 4) => (
                u16::from_le_bytes([r.payload[0], r.payload[1]]),
                u16::from_le_bytes([r.payload[2], r.payload[3]]),
            ),
            (NAK, _) => return Err(self.nak_error("the verify", &r)),
            _ => return Err(self.unexpected("CHECK", &r)),
        };
        self.compare_sums(core, words, got, progress)
    }

    /// The sums `CHECK` gave against `words`; on a mismatch, `READ`s to name the first wrong
    /// word. Ends the "verify" progress.
    fn compare_sums(
        &mut self,
        core: u16,
        words: &[u16],
        got: (u16, u16),
        progress: &mut dyn Progress,
    ) -> Result<(), LoaderError> {
        let want = check_sums(words);
        if got == want {
            progress.advance((words.len() * 2) as u64);
            progress.end();
            return Ok(());
        }
        progress.end();
        let mut addr = 0usize;
        for chunk in words.chunks(MAX_WORDS) {
            let got = self.read(core, addr as u16, chunk.len() as u8)?;
            if let Some(i) = (0..chunk.len()).find(|&i| chunk[i] != got[i]) {
                return Err(LoaderError::VerifyFailed {
                    addr: (addr + i) as u32,
                    wrote: chunk[i],
                    read: got[i],
                });
            }
            addr += chunk.len();
        }
        Err(LoaderError::Protocol(format!(
            "CHECK gave ${:04x} ${:04x}, expected ${:04x} ${:04x}, yet every word reads back right",
            got.0, got.1, want.0, want.1
        )))
    }

    /// `READ` of `count` (1..=127) words at `addr` of core `core`'s RAM (a core other than 0
    /// is stopped first).
    pub fn read(&mut self, core: u16, addr: u16, count: u8) -> Result<Vec<u16>, LoaderError> {
        self.check_core(core)?;
        let r = self.transact(
            "read",
            frame_addr(core, addr as usize) as u32,
            READ,
            vec![count],
            HEADER_LEN + 2 + 2 * count as usize,
            Duration::ZERO,
        )?;
        match r.cmd {
            DATA_R if r.payload.len() == 2 * count as usize => Ok(bytes_to_words(&r.payload)),
            NAK => Err(self.nak_error("a read", &r)),
            _ => Err(self.unexpected("READ", &r)),
        }
    }

    /// Starts `core` at `addr` (0: the program's own entry). Without an `ACK`, asks `INFO`:
    /// a bootloader that still answers did not get the `START`, which is sent again; one that
    /// no longer answers has started the program. Starting a core other than 0 leaves the
    /// bootloader serving; a resent `START` restarts that core at `addr`.
    pub fn start(&mut self, core: u16, addr: u16) -> Result<Started, LoaderError> {
        self.check_core(core)?;
        let p = vec![core as u8];
        let line = self.line_time(Frame::wire_len(1), HEADER_LEN);
        for attempt in 0..=self.opts.retries {
            if attempt > 0 {
                self.retransmissions += 1;
            }
            let f = Frame::new(START, self.next_seq(), addr, p.clone());
            self.send(&f)?;
            let deadline = Instant::now() + self.timeout(line);
            loop {
                match self.wait(deadline)? {
                    Wait::Got(r) if r.seq != f.seq => continue,
                    Wait::Got(r) if r.cmd == ACK => return Ok(Started::Confirmed),
                    Wait::Got(r) if r.cmd == NAK && r.payload == [E_CRC] => break,
                    Wait::Got(r) if r.cmd == NAK => return Err(self.nak_error("the start", &r)),
                    Wait::Got(r) => return Err(self.unexpected("START", &r)),
                    Wait::BadPayload => break,
                    Wait::Timeout => {
                        self.rto.timed_out();
                        break;
                    }
                }
            }
            // Is the bootloader still there? (It stays after starting another core.)
            if !self.still_in_loader()? {
                return Ok(Started::Unconfirmed);
            }
        }
        Err(LoaderError::RetriesExhausted {
            what: "start",
            addr: addr as u32,
            attempts: self.opts.retries + 1,
            last: "the bootloader answers but does not take the START".into(),
        })
    }

    /// Asks INFO up to the retry budget; true when the bootloader answers. (On a noisy
    /// line one INFO exchange may well be lost; a silence this long means the program runs.)
    fn still_in_loader(&mut self) -> Result<bool, LoaderError> {
        let line = self.line_time(HEADER_LEN, 60);
        for _ in 0..=self.opts.retries {
            let f = Frame::new(INFO, self.next_seq(), 0, vec![]);
            self.send(&f)?;
            let deadline = Instant::now() + self.timeout(line);
            loop {
                match self.wait(deadline)? {
                    Wait::Got(r) if r.seq == f.seq && r.cmd == INFO_R => return Ok(true),
                    Wait::Got(_) => continue,
                    Wait::BadPayload => break,
                    Wait::Timeout => {
                        self.rto.timed_out();
                        break;
                    }
                }
            }
        }
        Ok(false)
    }

    /// `RESET`: the board restarts its bootloader (RAM kept). True when acknowledged.
    pub fn reset(&mut self) -> Result<bool, LoaderError> {
        let f = Frame::new(RESET, self.next_seq(), 0, vec![]);
        let timeout = self.timeout(self.line_time(HEADER_LEN, HEADER_LEN));
        for _ in 0..=self.opts.retries.min(2) {
            self.send(&f)?;
            let deadline = Instant::now() + timeout;
            loop {
                match self.wait(deadline)? {
                    Wait::Got(r) if r.seq == f.seq && r.cmd == ACK => {
                        self.info = None;
                        return Ok(true);
                    }
                    Wait::Got(_) => continue,
                    _ => break,
                }
            }
        }
        self.info = None;
        Ok(false)
    }
}

/// What an upload did.
#[derive(Clone, Debug)]
pub struct Report {
    pub info: BoardInfo,
    pub words: usize,
    /// Words written into cores 1.. (the image's first ones: their RAM may be smaller).
    pub worker_words: usize,
    /// The cores whose RAM got the image, in the order written.
    pub cores: Vec<u16>,
    pub verified: bool,
    pub started: Option<Started>,
    pub retransmissions: u32,
    pub elapsed: Duration,
}

/// The whole upload: connect, check the image, write, verify (unless `opts.verify` is off),
/// then (with `start`) start the program. `only: None` writes the image into every core's
/// RAM, core 0 first, and starts core 0 — a program for several cores is one image in every
/// core, as `j1k sim --cores N` runs it (docs/architecture.md §6); `Some(k)` writes core k's
/// RAM only and starts core k (the bootloader goes on serving when k is not 0). A program is
/// started only after every write was acknowledged and every verify matched.
pub fn upload<L: Link>(
    client: &mut Client<L>,
    words: &[u16],
    only: Option<u16>,
    start: bool,
    progress: &mut dyn Progress,
) -> Result<Report, LoaderError> {
    let t0 = Instant::now();
    let info = client.connect()?;
    check_image(&info, words)?;
    let cores: Vec<u16> = match only {
        Some(k) => {
            client.check_core(k)?;
            if k > 0 && words.len() > info.worker_ram as usize {
                return Err(LoaderError::CoreRamTooSmall {
                    core: k,
                    words: words.len(),
                    ram: info.worker_ram as usize,
                });
            }
            vec![k]
        }
        None => (0..info.cores.clamp(1, 8) as u16).collect(),
    };
    // Cores 1.. hold the image's first words (docs/architecture.md §6).
    let worker_words = words.len().min(info.worker_ram as usize);
    let verified = client.opts.verify;
    for &k in &cores {
        let w = if k == 0 {
            words
        } else {
            &words[..worker_words]
        };
        if verified {
            client.write_and_verify(k, w, progress)?;
        } else {
            client.write_image(k, w, progress)?;
        }
    }
    let started = match start {
        true => Some(client.start(only.unwrap_or(0), 0)?),
        false => None,
    };
    Ok(Report {
        info,
        words: words.len(),
        worker_words,
        cores,
        verified,
        started,
        retransmissions: client.retransmissions,
        elapsed: t0.elapsed(),
    })
}
