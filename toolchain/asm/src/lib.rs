//! The j1k assembler: a J1-style Forth cross-assembler (after swapforth's
//! `cross.fs` and `basewords.fs`). `docs/assembler.md` is the language
//! reference; this page is the summary for users of the crate.
//!
//! ```
//! let asm = j1k_asm::assemble_str("demo.fs", ": main  5 dup + halt ;").unwrap();
//! assert_eq!(asm.words, [0x0001, 0x8005, 0x6011, 0x6203, 0x0004, 0x608c]);
//! ```
//!
//! # The language in brief
//!
//! Whitespace-separated tokens; words are case-insensitive. `\` comments to the
//! end of the line, `( ... )` comments may span lines.
//!
//! - **Outside a definition** (interpret mode) numbers go on an assembly-time
//!   stack of 16-bit values, and `constant NAME`, `variable NAME`,
//!   `create NAME`, `label NAME`, `,`, `c,`, `allot`, `align`, `org`, `here`,
//!   `," text"`, `s," text"`, `include PATH`, `char c` / `[char] c`, `' NAME` /
//!   `['] NAME`, `h# ff`, `d# 10` and the host arithmetic
//!   `+ - * and or xor lshift rshift negate invert dup drop swap over` work on it.
//!   `inst`, `jmp`, `jz` and `call` emit an instruction in either mode.
//! - **Inside `: NAME ... ;`** (compile mode) numbers compile literals, names of
//!   definitions and labels compile `call`s (forward references allowed),
//!   constants compile their value and data names their byte address; the base
//!   words of [`j1k_isa::ALU_WORDS`], `! @ io! io@ halt exit recurse`, every key
//!   instruction with its operands (`bsel b3`, `nn@ 5 n1`, …), `alu(...)`,
//!   `jmp/jz/call TARGET`, `inst $xxxx`, and `if else then begin until again
//!   while repeat`.
//! - Numbers: `123 -5 $ff 0xff %1010 #10 'A'`, `h# ff`, `d# 10`; −32768..65535.
//!   A literal ≥ $8000 compiles as the complement then `invert` (2 words).
//!
//! # Layout
//!
//! Word 0 is `jmp main` and assembly starts at byte 2, unless the source does
//! `0 org` before emitting anything (then nothing is added and `main` is not
//! required). Code and data share one space that grows up from `here`; an
//! `org` back over emitted bytes is an error, and so is anything past word 4095.
//!
//! # Code generation rules
//!
//! - **`;`**: if nothing branches to the end of the definition (no `then`,
//!   `else`, `repeat`, `begin` or `label` resolved there) and it is not empty:
//!   a final `call` becomes a `jmp` (tail call); a final base ALU instruction
//!   (bit 12 clear) with return-stack delta 0, no RET and a side effect other
//!   than `T->R` gets RET and r-1 (the return is folded into it); otherwise
//!   `exit` is compiled. `;fallthru` ends a definition and compiles nothing.
//! - **`@`**: if the instruction just compiled in this definition is a literal
//!   of an even value below $2000 and nothing branches between it and the `@`,
//!   the literal is replaced by `call $1000+a/2` — the J1a's fetch path, 2
//!   cycles. Otherwise `@` compiles `call __fetch`, a helper emitted once after
//!   the program (only if used): `$2000 or >r exit`, 6 cycles in all with the
//!   call. The helper is listed and appears in the symbols as `__fetch` (kind
//!   `helper`).
//! - **`!`** is `tuck!` (`$6033`) then `drop`; **`io!`** is `$6043` then `drop`;
//!   **`io@`** is `$6050` then `$6d00`; **`halt`** is a jump to itself.
//!
//! # Listing format
//!
//! ```text
//! \ j1k-asm listing of demo.fs
//! word byte  insn  disassembly               source
//! 0000 0000  0001  jmp $1                      \ entry: jmp main
//!                   main: (word)
//! 0001 0002  8005  $5                          demo.fs:1  : main  5 dup + halt ;
//! 0002 0004  6011  dup
//! ...
//! \ symbols
//! \ main word $0002  demo.fs:1
//! ```
//!
//! One line per emitted word: word address, byte address, the word, its
//! disassembly (`data` for data), and for the first word from a source line
//! `file:line` and the line's text. Address symbols are printed as headings
//! (`NAME: (kind)`) before the word they name; the symbol table closes the listing.
//!
//! # Symbol file format
//!
//! One line per symbol, `NAME KIND $VALUE`, sorted by value then kind then
//! name: KIND is `word`, `label`, `variable`, `create`, `constant` or `helper`;
//! VALUE is 4 hex digits, a byte address for everything but constants.
//!
//! # Errors
//!
//! The first error stops assembly. [`AsmError`]'s `Display` is one line,
//! `file:line:col: message`; its [`miette::Diagnostic`] impl adds the source,
//! labelled spans and a help line. [`ErrorKind`] lists the kinds.

mod codegen;
mod error;
mod lexer;
mod listing;
mod number;
mod operand;
mod parser;
mod source;
mod words;

pub use error::{AsmError, ErrorKind};
pub use listing::{Assembly, Origin, Symbol, SymbolKind, WordInfo};

use codegen::Asm;
use source::{SourceFile, Sources};
use std::path::Path;

/// Name of the `@` helper in the symbol table and listing.
pub const FETCH_HELPER: &str = "__fetch";

fn assemble(name: String, path: &Path, text: String) -> Result<Assembly, AsmError> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let canon = std::fs::canonicalize(path).ok();
    let mut sources = Sources::default();
    let root = sources.add(SourceFile::new(name, dir, canon, text));
    let mut asm = Asm::new(sources);
    asm.run_file(root)?;
    asm.finish(root)
}

/// Assembles a source file. `include` paths are relative to the including file.
pub fn assemble_file(path: &Path) -> Result<Assembly, AsmError> {
    let name = path.display().to_string();
    let bytes = j1k_isa::read_input(path, j1k_isa::MAX_PROGRAM_FILE)
        .map_err(|e| AsmError::bare(ErrorKind::Io, format!("{name}: cannot read: {e}")))?;
    assemble(name, path, source::decode(&bytes))
}

/// Assembles source text. `name` is used in messages; `include` paths are
/// relative to `name`'s directory (the current directory if it has none).
pub fn assemble_str(name: &str, src: &str) -> Result<Assembly, AsmError> {
    assemble(name.to_string(), Path::new(name), src.to_string())
}
