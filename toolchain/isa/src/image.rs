//! Program images: the words of a core's RAM from address 0, in the three
//! formats the toolchain reads and writes.
//!
//! - `.hex`: one 16-bit word per line in hex, as Verilog's `$readmemh` reads it
//!   (`//` and `/* */` comments and `@addr` word-address lines are accepted on input).
//! - `.bin`: the words as little-endian bytes.
//! - `.ihex`: Intel HEX, byte addresses, words little-endian.
//!
//! Readers never panic: every malformed input is an [`ImageError`] that says
//! where (line and column for text formats, byte offset for binary).

use crate::RAM_WORDS;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Hex,
    Bin,
    Ihex,
}

impl Format {
    /// The format named by a file's extension.
    pub fn from_path(p: &Path) -> Option<Format> {
        match p.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "hex" => Some(Format::Hex),
            "bin" => Some(Format::Bin),
            "ihex" | "ihx" => Some(Format::Ihex),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("line {line}, column {col}: {what}")]
    Text {
        line: usize,
        col: usize,
        what: String,
    },
    #[error("byte offset {offset}: {what}")]
    Binary { offset: usize, what: String },
    #[error("image is {words} words; a core's RAM holds {max}")]
    TooLarge { words: usize, max: usize },
}

/// Reads an image in the given format. The result has at most
/// [`RAM_WORDS`] words; words not mentioned are zero.
pub fn read(bytes: &[u8], format: Format) -> Result<Vec<u16>, ImageError> {
    match format {
        Format::Hex => read_hex(bytes),
        Format::Bin => read_bin(bytes),
        Format::Ihex => read_ihex(bytes),
    }
}

/// Writes an image in the given format.
pub fn write(words: &[u16], format: Format) -> Vec<u8> {
    match format {
        Format::Hex => write_hex(words).into_bytes(),
        Format::Bin => write_bin(words),
        Format::Ihex => write_ihex(words).into_bytes(),
    }
}

fn text_err(line: usize, col: usize, what: impl Into<String>) -> ImageError {
    ImageError::Text {
        line,
        col,
        what: what.into(),
    }
}

fn put(words: &mut Vec<u16>, addr: usize, w: u16) -> Result<(), usize> {
    if addr >= RAM_WORDS {
        return Err(addr);
    }
    if words.len() <= addr {
        words.resize(addr + 1, 0);
    }
    words[addr] = w;
    Ok(())
}

pub fn read_hex(bytes: &[u8]) -> Result<Vec<u16>, ImageError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let off = e.valid_up_to();
        let line = bytes[..off].iter().filter(|&&b| b == b'\n').count() + 1;
        let col = off
            - bytes[..off]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        text_err(line, col, "not UTF-8 text")
    })?;
    let text = without_comments(text)?;
    let mut words = Vec::new();
    let mut addr = 0usize;
    for (ln, raw) in text.lines().enumerate() {
        let line = ln + 1;
        let body = raw;
        let mut rest = body;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            let tok_start = body.len() - rest.len() + start;
            let tok = rest[start..].split_whitespace().next().unwrap_or("");
            rest = &rest[start + tok.len()..];
            let col = raw[..tok_start].chars().count() + 1;
            if let Some(a) = tok.strip_prefix('@') {
                addr = usize::from_str_radix(a, 16)
                    .ok()
                    .filter(|&a| a <= RAM_WORDS)
                    .ok_or_else(|| text_err(line, col, format!("bad address `{tok}`")))?;
                continue;
            }
            let clean: String = tok.chars().filter(|&c| c != '_').collect();
            let w = u16::from_str_radix(&clean, 16).map_err(|_| {
                text_err(
                    line,
                    col,
                    format!("`{tok}` is not a 16-bit hex word (expected 1 to 4 hex digits)"),
                )
            })?;
            put(&mut words, addr, w).map_err(|a| {
                text_err(
                    line,
                    col,
                    format!("word address {a:#x} is past the end of RAM ({RAM_WORDS} words)"),
                )
            })?;
            addr += 1;
        }
    }
    Ok(words)
}

/// `text` with every comment (`// ...` to the end of the line, `/* ... */` across lines, as
/// `$readmemh` takes them) turned into spaces, one per character, so that lines and columns
/// stay where they were; an unclosed `/*` is an error at its place.
fn without_comments(text: &str) -> Result<String, ImageError> {
    let mut out = String::with_capacity(text.len());
    let (mut line, mut col) = (1, 1);
    let mut open: Option<(usize, usize)> = None;
    let mut chars = text.chars().peekable();
    let mut in_line = false;
    while let Some(c) = chars.next() {
        let here = (line, col);
        if c == '\n' {
            (line, col) = (line + 1, 1);
            in_line = false;
            out.push('\n');
            continue;
        }
        col += 1;
        if open.is_some() {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                col += 1;
                out.push_str("  ");
                open = None;
            } else {
                out.push(' ');
            }
        } else if in_line {
            out.push(' ');
        } else if c == '/' && chars.peek() == Some(&'/') {
            in_line = true;
            out.push(' ');
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            col += 1;
            out.push_str("  ");
            open = Some(here);
        } else {
            out.push(c);
        }
    }
    match open {
        Some((l, c)) => Err(text_err(l, c, "`/*` comment not closed")),
        None => Ok(out),
    }
}

pub fn read_bin(bytes: &[u8]) -> Result<Vec<u16>, ImageError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ImageError::Binary {
            offset: bytes.len() - 1,
            what: "odd length: a .bin image is 16-bit words, two bytes each".into(),
        });
    }
    if bytes.len() / 2 > RAM_WORDS {
        return Err(ImageError::TooLarge {
            words: bytes.len() / 2,
            max: RAM_WORDS,
        });
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect())
}

pub fn read_ihex(bytes: &[u8]) -> Result<Vec<u16>, ImageError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ImageError::Binary {
        offset: e.valid_up_to(),
        what: "not UTF-8 text".into(),
    })?;
    let mut mem: Vec<Option<u8>> = Vec::new();
    let mut base: usize = 0;
    let mut ended = false;
    for (ln, raw) in text.lines().enumerate() {
        let line = ln + 1;
        let l = raw.trim_end();
        if l.trim().is_empty() {
            continue;
        }
        if ended {
            return Err(text_err(line, 1, "data after the end-of-file record"));
        }
        let indent = l.len() - l.trim_start().len();
        let l = l.trim_start();
        let col0 = indent + 1;
        let Some(hex) = l.strip_prefix(':') else {
            return Err(text_err(line, col0, "a record must start with `:`"));
        };
        if !hex.len().is_multiple_of(2) || hex.len() < 10 {
            return Err(text_err(
                line,
                col0,
                "record too short or odd number of hex digits",
            ));
        }
        let mut rec = Vec::with_capacity(hex.len() / 2);
        for i in (0..hex.len()).step_by(2) {
            let b = hex
                .get(i..i + 2)
                .and_then(|s| u8::from_str_radix(s, 16).ok())
                .ok_or_else(|| text_err(line, col0 + 1 + i, "not a hex byte"))?;
            rec.push(b);
        }
        let n = rec[0] as usize;
        if rec.len() != n + 5 {
            return Err(text_err(
                line,
                col0 + 1,
                format!(
                    "byte count says {n} data bytes, record has {}",
                    rec.len() - 5
                ),
            ));
        }
        let sum = rec.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        if sum != 0 {
            return Err(text_err(line, col0 + hex.len() - 1, "checksum mismatch"));
        }
        let offset = (rec[1] as usize) << 8 | rec[2] as usize;
        let data = &rec[4..4 + n];
        match rec[3] {
            0 => {
                for (i, &b) in data.iter().enumerate() {
                    let a = base + offset + i;
                    if a >= RAM_WORDS * 2 {
                        return Err(text_err(
                            line,
                            col0 + 9 + 2 * i,
                            format!(
                                "byte address {a:#x} is past the end of RAM ({} bytes)",
                                RAM_WORDS * 2
                            ),
                        ));
                    }
                    if mem.len() <= a {
                        mem.resize(a + 1, None);
                    }
                    mem[a] = Some(b);
                }
            }
            1 => ended = true,
            2 if n == 2 => base = ((data[0] as usize) << 8 | data[1] as usize) << 4,
            4 if n == 2 => base = ((data[0] as usize) << 8 | data[1] as usize) << 16,
            3 | 5 => {} // start addresses: meaningless for a J1, which starts at 0
            t => {
                return Err(text_err(
                    line,
                    col0 + 7,
                    format!("unsupported record type {t:02x}"),
                ))
            }
        }
    }
    if !ended {
        return Err(ImageError::Binary {
            offset: bytes.len(),
            what: "missing end-of-file record (:00000001FF)".into(),
        });
    }
    let words = mem.len().div_ceil(2);
    Ok((0..words)
        .map(|i| {
            let lo = mem.get(2 * i).copied().flatten().unwrap_or(0);
            let hi = mem.get(2 * i + 1).copied().flatten().unwrap_or(0);
            u16::from_le_bytes([lo, hi])
        })
        .collect())
}

pub fn write_hex(words: &[u16]) -> String {
    let mut s = String::with_capacity(words.len() * 5);
    for w in words {
        let _ = writeln!(s, "{w:04x}");
    }
    s
}

pub fn write_bin(words: &[u16]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

pub fn write_ihex(words: &[u16]) -> String {
    let bytes = write_bin(words);
    let mut s = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let addr = i * 16;
        let mut rec = vec![chunk.len() as u8, (addr >> 8) as u8, addr as u8, 0];
        rec.extend_from_slice(chunk);
        let sum = rec.iter().fold(0u8, |a, &b| a.wrapping_add(b));
        rec.push(sum.wrapping_neg());
        s.push(':');
        for b in rec {
            let _ = write!(s, "{b:02X}");
        }
        s.push('\n');
    }
    s.push_str(":00000001FF\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hex_takes_block_comments_as_readmemh_does() {
        let w =
            read_hex(b"/* a header\n   of two lines */ 0001 // one\n0002 /* x */ 0003\n").unwrap();
        assert_eq!(w, [1, 2, 3]);
        // `//` inside a block comment, `/*` inside a line comment: comments
        assert_eq!(read_hex(b"/* // */ 4\n// /* \n5\n").unwrap(), [4, 5]);
        // places after a comment are the file's
        let e = read_hex(b"1\n/* c */ zz\n").unwrap_err();
        assert!(e.to_string().starts_with("line 2, column 9:"), "{e}");
        let e = read_hex(b"1\n 2 /* open\n3\n").unwrap_err();
        assert_eq!(e.to_string(), "line 2, column 4: `/*` comment not closed");
    }

    #[test]
    fn hex_errors_name_the_place() {
        let e = read_hex(b"0001\n00zz\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 2, column 1: `00zz` is not a 16-bit hex word (expected 1 to 4 hex digits)"
        );
        let e = read_hex(b"@1000\n1\n").unwrap_err();
        assert!(e.to_string().contains("past the end"), "{e}");
    }

    #[test]
    fn bin_odd_length() {
        let e = read_bin(&[1, 2, 3]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "byte offset 2: odd length: a .bin image is 16-bit words, two bytes each"
        );
    }

    #[test]
    fn ihex_checksum() {
        let mut t = write_ihex(&[0x1234, 0x5678]);
        t.replace_range(1..3, "03");
        assert!(read_ihex(t.as_bytes()).is_err());
    }

    proptest! {
        #[test]
        fn formats_round_trip(words in proptest::collection::vec(any::<u16>(), 0..RAM_WORDS)) {
            for f in [Format::Hex, Format::Bin, Format::Ihex] {
                let back = read(&write(&words, f), f).unwrap();
                prop_assert_eq!(&back, &words);
            }
        }

        #[test]
        fn readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for f in [Format::Hex, Format::Bin, Format::Ihex] {
                if let Ok(w) = read(&bytes, f) { prop_assert!(w.len() <= RAM_WORDS); }
            }
        }

        #[test]
        fn text_readers_never_panic(s in "[:@0-9a-fA-F_/ \n\r]{0,300}") {
            for f in [Format::Hex, Format::Ihex] {
                if let Ok(w) = read(s.as_bytes(), f) { prop_assert!(w.len() <= RAM_WORDS); }
            }
        }
    }
}
