//! Frames of the loader protocol (docs/protocol.md §2): `A5 CMD SEQ LEN ADDR(le) HCRC(le)
//! payload PCRC(le)`; HCRC covers `CMD SEQ LEN ADDR`, PCRC the payload (absent when LEN = 0);
//! both CRC-16/CCITT-FALSE.

use crate::crc::crc16;

pub const SYNC: u8 = 0xa5;
/// Host → board commands.
pub const INFO: u8 = 0x01;
pub const WRITE: u8 = 0x02;
pub const CHECK: u8 = 0x03;
pub const READ: u8 = 0x04;
pub const START: u8 = 0x05;
pub const RESET: u8 = 0x06;
/// Board → host responses (bit 7 set).
pub const ACK: u8 = 0x80;
pub const INFO_R: u8 = 0x81;
/// `CHECK`'s answer: the two sums of the range.
pub const SUMS_R: u8 = 0x83;
pub const DATA_R: u8 = 0x84;
pub const NAK: u8 = 0xff;
/// NAK codes.
pub const E_CRC: u8 = 0x01;
pub const E_LEN: u8 = 0x02;
pub const E_RANGE: u8 = 0x03;
pub const E_CMD: u8 = 0x04;
pub const E_CORE: u8 = 0x05;
pub const E_READBACK: u8 = 0x06;

/// The protocol version this loader speaks.
pub const PROTOCOL_VERSION: u8 = 1;
/// The most data words one `WRITE` or `READ` carries (254 bytes of a 255-byte payload).
pub const MAX_WORDS: usize = 127;
/// Bytes of a frame's header: `A5 CMD SEQ LEN ADDR(2) HCRC(2)`.
pub const HEADER_LEN: usize = 8;
/// Zero bytes the host sends before talking: they complete any partial frame the board is in
/// the middle of (header + 255 payload bytes + PCRC, and some), so it is hunting for `A5`.
pub const FLUSH_ZEROS: usize = 266;

/// One frame, either direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub cmd: u8,
    pub seq: u8,
    /// A word address (`WRITE`, `CHECK`, `READ`, `START`; 0 otherwise); responses echo it.
    pub addr: u16,
    pub payload: Vec<u8>,
}

impl Frame {
    pub fn new(cmd: u8, seq: u8, addr: u16, payload: Vec<u8>) -> Frame {
        assert!(
            payload.len() <= 255,
            "a frame's payload is at most 255 bytes"
        );
        Frame {
            cmd,
            seq,
            addr,
            payload,
        }
    }

    /// A response to `to`: its SEQ and ADDR echoed.
    pub fn reply(to: &Frame, cmd: u8, payload: Vec<u8>) -> Frame {
        Frame::new(cmd, to.seq, to.addr, payload)
    }

    fn header(cmd: u8, seq: u8, len: u8, addr: u16) -> [u8; 5] {
        let a = addr.to_le_bytes();
        [cmd, seq, len, a[0], a[1]]
    }

    /// The bytes on the line.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(Frame::wire_len(self.payload.len()));
        v.push(SYNC);
        let head = Frame::header(self.cmd, self.seq, self.payload.len() as u8, self.addr);
        v.extend_from_slice(&head);
        v.extend_from_slice(&crc16(&head).to_le_bytes());
        if !self.payload.is_empty() {
            v.extend_from_slice(&self.payload);
            v.extend_from_slice(&crc16(&self.payload).to_le_bytes());
        }
        v
    }

    /// Bytes of the frame on the line.
    pub fn wire_len(payload_len: usize) -> usize {
        HEADER_LEN + if payload_len > 0 { payload_len + 2 } else { 0 }
    }
}

/// What the receiver found in its buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole, intact frame.
    Frame(Frame),
    /// A frame whose header checked but whose payload CRC did not (its header fields).
    BadPayload { cmd: u8, seq: u8, addr: u16 },
}

/// A receiver: feed bytes, take frames. Follows §2's rules: hunt for `A5`; on a bad `HCRC`
/// resume at the byte after that `A5`; bytes between frames are ignored.
#[derive(Default)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Bytes skipped while hunting (not part of any good frame): the hello, noise, a
    /// program's output.
    pub skipped: Vec<u8>,
}

impl Decoder {
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next frame in the buffer, if a whole one is there.
    pub fn next_frame(&mut self) -> Option<Parsed> {
        loop {
            let start = match self.buf.iter().position(|&b| b == SYNC) {
                Some(i) => i,
                None => {
                    self.skipped.append(&mut self.buf);
                    return None;
                }
            };
            if start > 0 {
                self.skipped.extend(self.buf.drain(..start));
            }
            if self.buf.len() < HEADER_LEN {
                return None;
            }
            let head = [
                self.buf[1],
                self.buf[2],
                self.buf[3],
                self.buf[4],
                self.buf[5],
            ];
            let hcrc = u16::from_le_bytes([self.buf[6], self.buf[7]]);
            if crc16(&head) != hcrc {
                self.skipped.push(self.buf.remove(0));
                continue;
            }
            let (cmd, seq, len) = (head[0], head[1], head[2] as usize);
            let addr = u16::from_le_bytes([head[3], head[4]]);
            let total = Frame::wire_len(len);
            if self.buf.len() < total {
                return None;
            }
            let frame: Vec<u8> = self.buf.drain(..total).collect();
            if len == 0 {
                return Some(Parsed::Frame(Frame::new(cmd, seq, addr, Vec::new())));
            }
            let payload = &frame[HEADER_LEN..HEADER_LEN + len];
            let pcrc = u16::from_le_bytes([frame[HEADER_LEN + len], frame[HEADER_LEN + len + 1]]);
            if crc16(payload) != pcrc {
                return Some(Parsed::BadPayload { cmd, seq, addr });
            }
            return Some(Parsed::Frame(Frame::new(cmd, seq, addr, payload.to_vec())));
        }
    }

    /// Takes the bytes left in the buffer and those skipped (e.g. a program's first output).
    pub fn take_rest(&mut self) -> Vec<u8> {
        let mut v = std::mem::take(&mut self.skipped);
        v.append(&mut self.buf);
        v
    }
}

/// Words as the bytes the protocol carries (low byte first).
pub fn words_to_bytes(words: &[u16]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

pub fn bytes_to_words(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

/// What `INFO` reports (§3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardInfo {
    pub protocol: u8,
    pub isa: u16,
    pub cores: u8,
    /// Words of RAM of cores 1.. (core 0 has 4096; 4096 on a board of one core).
    pub worker_ram: u16,
    /// The first word of the bootloader: images must end below it.
    pub boot_start: u16,
    pub max_write_words: u8,
    pub block_words: u16,
    pub node_slots: u16,
    pub blocks: u16,
    pub nodes: u16,
    /// 0 when unknown (the simulated board).
    pub clock_khz: u16,
    pub entry_slot: u16,
    pub name: String,
}

impl BoardInfo {
    pub fn encode(&self) -> Vec<u8> {
        let mut v = vec![self.protocol];
        v.extend_from_slice(&self.isa.to_le_bytes());
        v.push(self.cores);
        v.extend_from_slice(&self.worker_ram.to_le_bytes());
        v.extend_from_slice(&self.boot_start.to_le_bytes());
        v.push(self.max_write_words);
        for x in [
            self.block_words,
            self.node_slots,
            self.blocks,
            self.nodes,
            self.clock_khz,
            self.entry_slot,
        ] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        v.push(self.name.len() as u8);
        v.extend_from_slice(self.name.as_bytes());
        v
    }

    pub fn decode(p: &[u8]) -> Result<BoardInfo, String> {
        if p.len() < 22 {
            return Err(format!("INFO payload of {} bytes (at least 22)", p.len()));
        }
        let u = |i: usize| u16::from_le_bytes([p[i], p[i + 1]]);
        let n = p[21] as usize;
        if p.len() != 22 + n {
            return Err(format!(
                "INFO payload of {} bytes for a name of {n}",
                p.len()
            ));
        }
        Ok(BoardInfo {
            protocol: p[0],
            isa: u(1),
            cores: p[3],
            worker_ram: u(4),
            boot_start: u(6),
            max_write_words: p[8],
            block_words: u(9),
            node_slots: u(11),
            blocks: u(13),
            nodes: u(15),
            clock_khz: u(17),
            entry_slot: u(19),
            name: String::from_utf8_lossy(&p[22..]).into_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_frames_of_the_protocol_page() {
        // §7, with the CRCs computed here and checked against the reference bit-by-bit CRC.
        let info = Frame::new(INFO, 0, 0, vec![]).encode();
        let h = crc16(&[1, 0, 0, 0, 0]).to_le_bytes();
        assert_eq!(info, vec![0xa5, 1, 0, 0, 0, 0, h[0], h[1]]);
        let w = Frame::new(WRITE, 1, 0, vec![0, 0, 0x34, 0x12]).encode();
        assert_eq!(w.len(), 14);
        assert_eq!(&w[..6], &[0xa5, 2, 1, 4, 0, 0]);
        assert_eq!(&w[8..12], &[0, 0, 0x34, 0x12]);
        let p = crc16(&[0, 0, 0x34, 0x12]).to_le_bytes();
        assert_eq!(&w[12..], &p);
        // A 127-word WRITE: 264 bytes, 96.2 % payload.
        assert_eq!(Frame::wire_len(2 * MAX_WORDS), 264);
        // ADDR is little-endian and covered by HCRC.
        let c = Frame::new(CHECK, 9, 0x0bff, vec![1, 0]).encode();
        assert_eq!(&c[4..6], &[0xff, 0x0b]);
        assert_eq!(
            u16::from_le_bytes([c[6], c[7]]),
            crc16(&[CHECK, 9, 2, 0xff, 0x0b])
        );
    }

    #[test]
    fn a_flipped_address_or_length_is_never_acted_on() {
        let good = Frame::new(WRITE, 4, 0x100, vec![1, 2, 3, 4]).encode();
        for byte in 1..HEADER_LEN {
            for bit in 0..8 {
                let mut bad = good.clone();
                bad[byte] ^= 1 << bit;
                let mut d = Decoder::default();
                d.push(&bad);
                assert_eq!(d.next_frame(), None, "byte {byte} bit {bit}");
            }
        }
    }

    #[test]
    fn decoder_skips_noise_and_bad_headers() {
        let mut d = Decoder::default();
        let f = Frame::new(ACK, 7, 0x20, vec![]);
        let mut bytes = b"j1k sim ready\r\n".to_vec();
        bytes.extend_from_slice(&[0xa5, 0xa5, 1, 2]); // a false sync and a broken header
        bytes.extend(f.encode());
        let g = Frame::new(DATA_R, 8, 0x30, vec![1, 2, 3, 4]);
        bytes.extend(g.encode());
        for chunk in bytes.chunks(3) {
            d.push(chunk);
        }
        assert_eq!(d.next_frame(), Some(Parsed::Frame(f)));
        assert_eq!(d.next_frame(), Some(Parsed::Frame(g)));
        assert_eq!(d.next_frame(), None);
        assert!(d.take_rest().starts_with(b"j1k sim ready"));
    }

    #[test]
    fn decoder_reports_a_bad_payload() {
        let mut bytes = Frame::new(DATA_R, 3, 5, vec![9, 9]).encode();
        bytes[9] ^= 1;
        let mut d = Decoder::default();
        d.push(&bytes);
        assert_eq!(
            d.next_frame(),
            Some(Parsed::BadPayload {
                cmd: DATA_R,
                seq: 3,
                addr: 5
            })
        );
    }

    #[test]
    fn info_round_trips() {
        let i = BoardInfo {
            protocol: 1,
            isa: 1,
            cores: 2,
            worker_ram: 4096,
            boot_start: 0xb00,
            max_write_words: 127,
            block_words: 128,
            node_slots: 32,
            blocks: 256,
            nodes: 64,
            clock_khz: 18000,
            entry_slot: 0x1234,
            name: "icebreaker".into(),
        };
        assert_eq!(BoardInfo::decode(&i.encode()), Ok(i));
        assert!(BoardInfo::decode(&[1, 2, 3]).is_err());
    }
}
