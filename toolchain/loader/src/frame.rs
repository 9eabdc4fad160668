//! Frames of the loader protocol (docs/protocol.md §2): `A5 CMD SEQ LEN HCRC(le) payload
//! PCRC(le)`, CRC-16/CCITT-FALSE, PCRC absent when LEN = 0.

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
pub const CRC_R: u8 = 0x83;
pub const DATA_R: u8 = 0x84;
pub const NAK: u8 = 0xff;
/// NAK codes.
pub const E_CRC: u8 = 0x01;
pub const E_LEN: u8 = 0x02;
pub const E_RANGE: u8 = 0x03;
pub const E_CMD: u8 = 0x04;
pub const E_CORE: u8 = 0x05;

/// The protocol version this loader speaks.
pub const PROTOCOL_VERSION: u8 = 1;
/// The most data words one `WRITE` or `READ` carries.
pub const MAX_WORDS: usize = 126;

/// One frame, either direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub cmd: u8,
    pub seq: u8,
    pub payload: Vec<u8>,
}

impl Frame {
    pub fn new(cmd: u8, seq: u8, payload: Vec<u8>) -> Frame {
        assert!(
            payload.len() <= 255,
            "a frame's payload is at most 255 bytes"
        );
        Frame { cmd, seq, payload }
    }

    /// The bytes on the line.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(8 + self.payload.len());
        v.push(SYNC);
        let head = [self.cmd, self.seq, self.payload.len() as u8];
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
        6 + if payload_len > 0 { payload_len + 2 } else { 0 }
    }
}

/// What the receiver found in its buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A whole, intact frame.
    Frame(Frame),
    /// A frame whose header checked but whose payload CRC did not (its cmd and seq).
    BadPayload { cmd: u8, seq: u8 },
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
            if self.buf.len() < 6 {
                return None;
            }
            let head = [self.buf[1], self.buf[2], self.buf[3]];
            let hcrc = u16::from_le_bytes([self.buf[4], self.buf[5]]);
            if crc16(&head) != hcrc {
                self.skipped.push(self.buf.remove(0));
                continue;
            }
            let len = head[2] as usize;
            let total = Frame::wire_len(len);
            if self.buf.len() < total {
                return None;
            }
            let frame: Vec<u8> = self.buf.drain(..total).collect();
            if len == 0 {
                return Some(Parsed::Frame(Frame::new(head[0], head[1], Vec::new())));
            }
            let payload = &frame[6..6 + len];
            let pcrc = u16::from_le_bytes([frame[6 + len], frame[7 + len]]);
            if crc16(payload) != pcrc {
                return Some(Parsed::BadPayload {
                    cmd: head[0],
                    seq: head[1],
                });
            }
            return Some(Parsed::Frame(Frame::new(
                head[0],
                head[1],
                payload.to_vec(),
            )));
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
    pub ram_words: u16,
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
        v.extend_from_slice(&self.ram_words.to_le_bytes());
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
            ram_words: u(4),
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
        let info = Frame::new(INFO, 0, vec![]).encode();
        let h = crc16(&[1, 0, 0]).to_le_bytes();
        assert_eq!(info, vec![0xa5, 1, 0, 0, h[0], h[1]]);
        let w = Frame::new(WRITE, 1, vec![0, 0, 0, 0, 0x34, 0x12]).encode();
        assert_eq!(w.len(), 14);
        assert_eq!(&w[..4], &[0xa5, 2, 1, 6]);
        assert_eq!(&w[6..12], &[0, 0, 0, 0, 0x34, 0x12]);
        assert_eq!(Frame::wire_len(254), 262);
    }

    #[test]
    fn decoder_skips_noise_and_bad_headers() {
        let mut d = Decoder::default();
        let f = Frame::new(ACK, 7, vec![]);
        let mut bytes = b"j1k sim ready\r\n".to_vec();
        bytes.extend_from_slice(&[0xa5, 0xa5, 1, 2]); // a false sync and a broken header
        bytes.extend(f.encode());
        let g = Frame::new(DATA_R, 8, vec![1, 2, 3, 4]);
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
        let mut bytes = Frame::new(DATA_R, 3, vec![9, 9]).encode();
        bytes[7] ^= 1;
        let mut d = Decoder::default();
        d.push(&bytes);
        assert_eq!(
            d.next_frame(),
            Some(Parsed::BadPayload {
                cmd: DATA_R,
                seq: 3
            })
        );
    }

    #[test]
    fn info_round_trips() {
        let i = BoardInfo {
            protocol: 1,
            isa: 1,
            cores: 2,
            ram_words: 4096,
            boot_start: 0xe00,
            max_write_words: 126,
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
