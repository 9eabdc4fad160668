//! The result of an assembly: the image, its symbols, a per-word source map,
//! and the two text reports (listing and symbol file).

use crate::source::Sources;
use j1k_isa::decode;
use std::fmt::Write as _;

/// What a symbol names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SymbolKind {
    /// A `: NAME ... ;` definition (value: byte address of its first instruction).
    Word,
    /// `label NAME` (value: byte address).
    Label,
    /// `variable NAME` (value: byte address of its data word).
    Variable,
    /// `create NAME` (value: byte address of the data that follows).
    Create,
    /// `NAME constant` (value: the constant, 16 bits).
    Constant,
    /// Code the assembler adds itself: `__fetch`, the `@` helper.
    Helper,
}

impl SymbolKind {
    /// The lower-case name used in the symbol file: `word`, `label`, …
    pub fn name(self) -> &'static str {
        match self {
            SymbolKind::Word => "word",
            SymbolKind::Label => "label",
            SymbolKind::Variable => "variable",
            SymbolKind::Create => "create",
            SymbolKind::Constant => "constant",
            SymbolKind::Helper => "helper",
        }
    }

    /// True when the value is a byte address (everything but constants).
    pub fn is_address(self) -> bool {
        self != SymbolKind::Constant
    }

    /// True for code: words, labels and helpers.
    pub fn is_code(self) -> bool {
        matches!(
            self,
            SymbolKind::Word | SymbolKind::Label | SymbolKind::Helper
        )
    }
}

/// A name the program defined (or the assembler added).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// As first written (lookups are case-insensitive).
    pub name: String,
    pub kind: SymbolKind,
    /// Byte address, or the constant's value.
    pub value: u16,
    /// File and 1-based line of the definition; empty and 0 for helpers.
    pub file: String,
    pub line: usize,
}

/// Where an emitted word came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An instruction compiled from the source.
    Code,
    /// Data: `,` `c,` `allot` `variable` strings.
    Data,
    /// The `jmp main` the assembler puts at word 0.
    Entry,
    /// The `@` helper (`__fetch`).
    Helper,
}

/// Source-map entry for one word of the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordInfo {
    pub origin: Origin,
    /// Index into [`Assembly::files`] and 1-based line of the token that
    /// emitted the word; `None` for the entry jump. For the helper: the first
    /// `@` that needed it.
    pub at: Option<(usize, usize)>,
}

/// An assembled program.
#[derive(Clone)]
pub struct Assembly {
    /// The image from word 0; words never emitted (gaps) are 0.
    pub words: Vec<u16>,
    /// Every symbol, in definition order (the helper last).
    pub symbols: Vec<Symbol>,
    /// One entry per word of `words`: `None` for a gap.
    pub source_map: Vec<Option<WordInfo>>,
    /// The source files, root first, by the names messages use.
    pub files: Vec<String>,
    sources: Sources,
}

impl Assembly {
    pub(crate) fn new(
        words: Vec<u16>,
        symbols: Vec<Symbol>,
        source_map: Vec<Option<WordInfo>>,
        sources: Sources,
    ) -> Assembly {
        Assembly {
            words,
            symbols,
            source_map,
            files: sources.files.iter().map(|f| f.name.clone()).collect(),
            sources,
        }
    }

    /// The symbol of that name (case-insensitive).
    pub fn symbol(&self, name: &str) -> Option<&Symbol> {
        self.symbols
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The code symbol (word, label or helper) with the highest address at or
    /// below `byte_addr`: the routine a pc is in, for traces.
    pub fn code_symbol_at(&self, byte_addr: u16) -> Option<&Symbol> {
        self.symbols
            .iter()
            .filter(|s| s.kind.is_code() && s.value <= byte_addr)
            .max_by_key(|s| s.value)
    }

    /// Symbols sorted as the symbol file lists them: by value, then kind, then name.
    pub fn sorted_symbols(&self) -> Vec<&Symbol> {
        let mut v: Vec<&Symbol> = self.symbols.iter().collect();
        v.sort_by(|a, b| {
            (a.value, a.kind, a.name.to_ascii_lowercase()).cmp(&(
                b.value,
                b.kind,
                b.name.to_ascii_lowercase(),
            ))
        });
        v
    }

    /// The symbol file: one `NAME KIND $VALUE` line per symbol, sorted by
    /// value (byte addresses; constants by their value).
    pub fn symbol_file(&self) -> String {
        let mut s = String::new();
        for sym in self.sorted_symbols() {
            let _ = writeln!(s, "{} {} ${:04x}", sym.name, sym.kind.name(), sym.value);
        }
        s
    }

    /// The listing: a header, one line per emitted word, symbol headings
    /// before the words they name, then the symbol table. See the crate docs.
    pub fn listing(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "\\ j1k-asm listing of {}",
            self.files.first().map_or("", |f| f.as_str())
        );
        let _ = writeln!(s, "word byte  insn  disassembly               source");
        let mut labels: Vec<&Symbol> = self
            .sorted_symbols()
            .into_iter()
            .filter(|s| s.kind.is_address())
            .collect();
        labels.reverse();
        let mut last_line: Option<(usize, usize)> = None;
        for (w, info) in self.source_map.iter().enumerate() {
            let Some(info) = info else { continue };
            let byte = (2 * w) as u16;
            while let Some(l) = labels.last() {
                if l.value >= byte + 2 {
                    break;
                }
                let _ = writeln!(s, "{:18}{}: ({})", "", l.name, l.kind.name());
                labels.pop();
            }
            let word = self.words[w];
            let dis = match info.origin {
                Origin::Data => "data".to_string(),
                _ => decode(word).to_string(),
            };
            let src = match (info.origin, info.at) {
                (Origin::Entry, _) => "\\ entry: jmp main".to_string(),
                (Origin::Helper, _) => String::new(),
                (_, Some(at)) if last_line != Some(at) => {
                    last_line = Some(at);
                    let f = self.sources.get(at.0);
                    format!("{}:{}  {}", f.name, at.1, f.line_text(at.1).trim())
                }
                _ => String::new(),
            };
            let line = format!("{w:04x} {byte:04x}  {word:04x}  {dis:<24}  {src}");
            let _ = writeln!(s, "{}", line.trim_end());
        }
        let _ = writeln!(s, "\\ symbols");
        for sym in self.sorted_symbols() {
            let at = if sym.line > 0 {
                format!("  {}:{}", sym.file, sym.line)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "\\ {} {} ${:04x}{at}",
                sym.name,
                sym.kind.name(),
                sym.value
            );
        }
        s
    }
}

impl std::fmt::Debug for Assembly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assembly")
            .field("words", &self.words.len())
            .field("symbols", &self.symbols)
            .finish()
    }
}
