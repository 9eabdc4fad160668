//! Source files as the assembler holds them: name, text, and a line index so
//! that byte offsets become `line:col` for messages and the listing.

use std::path::PathBuf;
use std::sync::Arc;

/// Index of a file in [`Sources`].
pub(crate) type FileId = usize;

/// A span of source text: a file and a byte range in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Loc {
    pub fn new(file: FileId, start: usize, end: usize) -> Loc {
        Loc { file, start, end }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }
}

#[derive(Clone)]
pub(crate) struct SourceFile {
    /// The name shown in messages: the path as given, or the joined include path.
    pub name: String,
    /// Directory `include` paths in this file are relative to (empty: the cwd).
    pub dir: PathBuf,
    /// Canonical path, when the file exists on disk (cycle detection).
    pub canon: Option<PathBuf>,
    pub text: Arc<String>,
    line_starts: Vec<usize>,
}

/// Source bytes as text: UTF-8 as it is, and each byte that is not UTF-8 (Latin-1 and the
/// like, in a comment or a string) as a private-use character that stands for that byte
/// ([`raw_byte`]), so that a string keeps the byte and code that holds one is refused
/// at its place.
pub(crate) fn decode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &b in chunk.invalid() {
            text.push(char::from_u32(RAW_BASE + b as u32).expect("a private-use character"));
        }
    }
    text
}

/// Where [`decode`] puts the bytes that are not UTF-8: U+F780..U+F7FF for $80..$ff.
const RAW_BASE: u32 = 0xf700;

/// The source byte a character of [`decode`]'s text stands for, if it stands for one.
pub(crate) fn raw_byte(c: char) -> Option<u8> {
    let v = c as u32;
    (RAW_BASE + 0x80..=RAW_BASE + 0xff)
        .contains(&v)
        .then(|| (v - RAW_BASE) as u8)
}

impl SourceFile {
    pub fn new(name: String, dir: PathBuf, canon: Option<PathBuf>, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        SourceFile {
            name,
            dir,
            canon,
            text: Arc::new(text),
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..offset].chars().count() + 1;
        (line + 1, col)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map(|&e| e - 1)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches('\r')
    }
}

/// Every file read so far, in the order they were opened.
#[derive(Clone, Default)]
pub(crate) struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, f: SourceFile) -> FileId {
        self.files.push(f);
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }
}
