//! CRC-16 for the frames of the loader protocol.
//!
//! The protocol's CRC is CRC-16/CCITT-FALSE (also called CRC-16/IBM-3740): polynomial
//! 0x1021, initial value 0xFFFF, no reflection, no final XOR. It is the cheapest CRC-16 for a
//! J1a to compute bit by bit (shifts and XORs on a 16-bit word, MSB first). CRC-16/XMODEM
//! (the same with initial value 0) is here too for the test vectors and for a firmware
//! that chooses it.

/// Parameters of a non-reflected CRC-16.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crc16 {
    pub poly: u16,
    pub init: u16,
}

/// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF. Check value ("123456789") 0x29B1.
pub const CCITT_FALSE: Crc16 = Crc16 {
    poly: 0x1021,
    init: 0xffff,
};

/// CRC-16/XMODEM: poly 0x1021, init 0x0000. Check value ("123456789") 0x31C3.
pub const XMODEM: Crc16 = Crc16 {
    poly: 0x1021,
    init: 0x0000,
};

impl Crc16 {
    /// The CRC of `data` in one go.
    pub fn checksum(&self, data: &[u8]) -> u16 {
        self.update(self.init, data)
    }

    /// Continues a CRC over more bytes (start from `self.init`).
    pub fn update(&self, mut crc: u16, data: &[u8]) -> u16 {
        for &b in data {
            crc ^= (b as u16) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 {
                    (crc << 1) ^ self.poly
                } else {
                    crc << 1
                };
            }
        }
        crc
    }
}

/// The protocol's CRC (CRC-16/CCITT-FALSE) of `data`.
pub fn crc16(data: &[u8]) -> u16 {
    CCITT_FALSE.checksum(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_of_the_catalogue() {
        // The "check" values of the CRC catalogue (reveng): CRC of ASCII "123456789".
        assert_eq!(CCITT_FALSE.checksum(b"123456789"), 0x29b1);
        assert_eq!(XMODEM.checksum(b"123456789"), 0x31c3);
    }

    #[test]
    fn more_vectors() {
        assert_eq!(crc16(b""), 0xffff);
        assert_eq!(XMODEM.checksum(b""), 0x0000);
        assert_eq!(crc16(b"A"), 0xb915);
        assert_eq!(XMODEM.checksum(b"A"), 0x58e5);
        assert_eq!(crc16(&[0x00]), 0xe1f0);
        assert_eq!(crc16(&[0xff, 0xff]), 0x0000);
    }

    #[test]
    fn incremental_equals_whole() {
        let data: Vec<u8> = (0..=255u8).collect();
        let mut c = CCITT_FALSE.init;
        for chunk in data.chunks(7) {
            c = CCITT_FALSE.update(c, chunk);
        }
        assert_eq!(c, crc16(&data));
    }

    #[test]
    fn appending_the_crc_big_endian_gives_zero_residue() {
        // A property of non-reflected CRCs without a final XOR: the CRC over data || crc(BE) is 0.
        let data = b"j1k loader frame";
        let c = crc16(data);
        let mut framed = data.to_vec();
        framed.extend_from_slice(&c.to_be_bytes());
        assert_eq!(crc16(&framed), 0);
    }

    #[test]
    fn detects_every_single_bit_flip() {
        let data = b"\x01\x02\x03\x04hello";
        let c = crc16(data);
        for i in 0..data.len() * 8 {
            let mut d = data.to_vec();
            d[i / 8] ^= 1 << (i % 8);
            assert_ne!(crc16(&d), c, "bit {i}");
        }
    }
}
