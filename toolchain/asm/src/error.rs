//! Assembly errors: one type, [`AsmError`], that carries its kind, a one-line
//! message, the file and `line:col` of the offending token, the source text of
//! that file (for miette's report) and labelled spans.

use crate::source::{Loc, Sources};
use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, Severity, SourceCode, SourceSpan,
    SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// What went wrong. Each kind has a stable [`code`](ErrorKind::code) and a
/// one-line [`help`](ErrorKind::help).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A word that is neither built in nor defined anywhere in the program.
    UnknownWord,
    /// A number outside −32768..65535, or a value too big for where it goes.
    LiteralOutOfRange,
    /// A jump/call target over 13 bits, an `org` past the 8 KB of RAM.
    AddressOutOfRange,
    /// A name used as an operand (`jmp x`, `['] x`, `nb@ SLOT`) that is never defined.
    UndefinedName,
    /// A name defined twice.
    DuplicateName,
    /// Unbalanced or mismatched `if`/`else`/`then`/`begin`/… , an unclosed
    /// definition, or `:` inside a definition.
    ControlStructure,
    /// The image would exceed 4096 words.
    ImageTooLarge,
    /// Two things emitted at the same address (an `org` back over emitted words).
    Overlap,
    /// `include` of a file that cannot be read.
    IncludeNotFound,
    /// A file that includes itself, directly or not.
    CyclicInclude,
    /// A token that starts like a number but is not one.
    BadNumber,
    /// A word that needs an operand (a name, a register, a slot) did not get one.
    MissingOperand,
    /// An operand of the wrong form or range.
    BadOperand,
    /// A `(` comment or a string without its closing delimiter.
    Unterminated,
    /// `;` or `;fallthru` outside a definition.
    SemicolonWithoutColon,
    /// Execution starts at word 0, which jumps to `main`, and there is no `main`.
    NoMain,
    /// A word used in the wrong mode: an instruction outside a definition, a
    /// data directive inside one.
    WrongMode,
    /// A word needed more values than the assembly-time stack held.
    StackUnderflow,
    /// Values left on the assembly-time stack at the end of the program.
    LeftOnStack,
    /// A forward reference (compiled as a call) that turned out to name data.
    NotCode,
    /// The top-level source file cannot be read.
    Io,
    /// A byte that is not UTF-8 outside a comment or a string.
    NotUtf8,
}

impl ErrorKind {
    /// A stable diagnostic code, e.g. `j1k::asm::unknown_word`.
    pub fn code(self) -> &'static str {
        use ErrorKind::*;
        match self {
            UnknownWord => "j1k::asm::unknown_word",
            LiteralOutOfRange => "j1k::asm::literal_out_of_range",
            AddressOutOfRange => "j1k::asm::address_out_of_range",
            UndefinedName => "j1k::asm::undefined_name",
            DuplicateName => "j1k::asm::duplicate_name",
            ControlStructure => "j1k::asm::control_structure",
            ImageTooLarge => "j1k::asm::image_too_large",
            Overlap => "j1k::asm::overlap",
            IncludeNotFound => "j1k::asm::include_not_found",
            CyclicInclude => "j1k::asm::cyclic_include",
            BadNumber => "j1k::asm::bad_number",
            MissingOperand => "j1k::asm::missing_operand",
            BadOperand => "j1k::asm::bad_operand",
            Unterminated => "j1k::asm::unterminated",
            SemicolonWithoutColon => "j1k::asm::semicolon_without_colon",
            NoMain => "j1k::asm::no_main",
            WrongMode => "j1k::asm::wrong_mode",
            StackUnderflow => "j1k::asm::stack_underflow",
            LeftOnStack => "j1k::asm::left_on_stack",
            NotCode => "j1k::asm::not_code",
            Io => "j1k::asm::io",
            NotUtf8 => "j1k::asm::not_utf8",
        }
    }

    /// One line of advice for this kind of error.
    pub fn help(self) -> &'static str {
        use ErrorKind::*;
        match self {
            UnknownWord => "define it with `: name ... ;` (or `label name`), or check the spelling; docs/assembler.md lists the built-in words",
            LiteralOutOfRange => "numbers are 16-bit: -32768..-1 or 0..65535",
            AddressOutOfRange => "jump and call targets are word addresses 0..$1fff; `org` takes a byte address 0..$2000",
            UndefinedName => "define the name with `constant`, `variable`, `create`, `label` or `: name ... ;`",
            DuplicateName => "every name is defined once (names are case-insensitive); rename one of them",
            ControlStructure => "pair `if` with `then` (optionally `else`), `begin` with `until`, `again` or `while ... repeat`, all inside one `: ... ;`",
            ImageTooLarge => "a core's RAM is 4096 words (8 KB): make the program smaller",
            Overlap => "`org` moved `here` back over words already emitted; move the `org` or the code",
            IncludeNotFound => "`include` paths are relative to the including file's directory",
            CyclicInclude => "a file may not include itself, directly or through other files",
            BadNumber => "numbers: 123 -5 $ff 0xff %1010 #10 'A' (h# ff, d# 10); a word starting with a digit must be defined before it is used",
            MissingOperand => "this word takes an operand right after it",
            BadOperand => "see docs/assembler.md for the operands each word takes",
            Unterminated => "close `( ...` with `)`; close `,\" ...` and `s,\" ...` with `\"` on the same line",
            SemicolonWithoutColon => "`;` ends a definition started with `: name`",
            NoMain => "define `: main ... ;` — execution starts at word 0, which jumps to main",
            WrongMode => "instructions, literals and control words go inside `: name ... ;`; data directives (`,` `allot` `org` `variable` ...) go outside",
            StackUnderflow => "outside a definition, numbers go on an assembly-time stack; push the value before the word that takes it",
            LeftOnStack => "a number outside a definition is pushed on the assembly-time stack; consume it with `,` `constant` `org` ..., or move it into a definition",
            NotCode => "a name used before its definition is compiled as a call; define constants, variables and created data before using them",
            Io => "check the path",
            NotUtf8 => "comments and strings may hold any bytes (a string keeps them as they are); words and names must be UTF-8: save the file as UTF-8 or spell the word in ASCII",
        }
    }
}

/// The longest stretch of a source line a report shows, in bytes: a label marks at most
/// [`MAX_LABEL`] of a token, and the line around it is cut to [`MAX_EXCERPT`] (a 50 MB token
/// on one line took minutes to print).
const MAX_LABEL: usize = 80;
const MAX_EXCERPT: usize = 240;

/// The last char boundary of `s` at or before byte `at` (`str::floor_char_boundary` is
/// newer than the workspace's rust-version).
fn char_floor(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A message or label that quotes a huge token: its middle left out, so that it stays a line.
fn shorten(s: String) -> String {
    const HEAD: usize = 120;
    const TAIL: usize = 40;
    if s.len() <= HEAD + TAIL + 40 {
        return s;
    }
    let (a, b) = (char_floor(&s, HEAD), char_floor(&s, s.len() - TAIL));
    format!("{} … ({} bytes) … {}", &s[..a], b - a, &s[b..])
}

/// A source file as a report shows it: miette's excerpt of the lines around a label, each
/// cut to about [`MAX_EXCERPT`] bytes around the label, with the right line and column.
#[derive(Debug, Clone)]
struct Excerpt {
    name: String,
    text: Arc<String>,
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = self.text.as_str();
        let c = text.read_span(span, before, after)?;
        let (d0, data) = (c.span().offset(), c.data());
        // Cut only what is far from the span: a window around it, within the excerpt.
        let lo = char_floor(text, span.offset().saturating_sub(MAX_EXCERPT / 2).max(d0));
        let hi = char_floor(
            text,
            (span.offset() + span.len() + MAX_EXCERPT / 2).min(d0 + data.len()),
        );
        if lo == d0 && hi == d0 + data.len() {
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                data,
                *c.span(),
                c.line(),
                c.column(),
                c.line_count(),
            )));
        }
        let skipped = &text[d0..lo];
        let line = c.line() + skipped.matches('\n').count();
        let column = match skipped.rfind('\n') {
            Some(nl) => skipped[nl + 1..].chars().count(),
            None => c.column() + skipped.chars().count(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &text.as_bytes()[lo..hi],
            (lo, hi - lo).into(),
            line,
            column,
            c.line_count(),
        )))
    }
}

/// An assembly error. `Display` is one line, `file:line:col: message`; the
/// [`Diagnostic`] impl gives miette the source, labels and help for a full report.
#[derive(Debug, Clone)]
pub struct AsmError(Box<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    location: Option<(String, usize, usize)>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<AsmError>,
    advice: bool,
}

impl AsmError {
    /// An error without a source position (the top-level file cannot be read).
    pub(crate) fn bare(kind: ErrorKind, message: impl Into<String>) -> AsmError {
        AsmError(Box::new(Inner {
            kind,
            message: message.into(),
            location: None,
            source: None,
            labels: Vec::new(),
            help: None,
            related: Vec::new(),
            advice: false,
        }))
    }

    /// An error at `loc`, whose primary label says `label`.
    pub(crate) fn at(
        sources: &Sources,
        kind: ErrorKind,
        loc: Loc,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> AsmError {
        let f = sources.get(loc.file);
        let (line, col) = f.line_col(loc.start);
        AsmError(Box::new(Inner {
            kind,
            message: shorten(message.into()),
            location: Some((f.name.clone(), line, col)),
            source: Some(Excerpt {
                name: f.name.clone(),
                text: f.text.clone(),
            }),
            labels: vec![LabeledSpan::new_primary_with_span(
                Some(shorten(label.into())),
                (loc.start, loc.len().min(MAX_LABEL)),
            )],
            help: None,
            related: Vec::new(),
            advice: false,
        }))
    }

    /// Adds a second labelled span: in this error's file, a label; in another
    /// file, a related note with its own source.
    pub(crate) fn with_label(
        mut self,
        sources: &Sources,
        primary: Loc,
        loc: Loc,
        label: impl Into<String>,
    ) -> AsmError {
        let label = shorten(label.into());
        if loc.file == primary.file {
            self.0.labels.push(LabeledSpan::new_with_span(
                Some(label),
                (loc.start, loc.len().min(MAX_LABEL)),
            ));
        } else {
            let mut note = AsmError::at(sources, self.0.kind, loc, label.clone(), label);
            note.0.advice = true;
            self.0.related.push(note);
        }
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> AsmError {
        self.0.help = Some(help.into());
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message without the location prefix.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// File name (as given or as included), 1-based line and column (in
    /// characters) of the offending token. `None` only when the top-level file
    /// could not be read.
    pub fn location(&self) -> Option<(String, usize, usize)> {
        self.0.location.clone()
    }
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((file, line, col)) = &self.0.location {
            write!(f, "{file}:{line}:{col}: ")?;
        }
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for AsmError {}

impl Diagnostic for AsmError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.0.advice {
            None
        } else {
            Some(Box::new(self.0.kind.code()))
        }
    }

    fn severity(&self) -> Option<Severity> {
        Some(if self.0.advice {
            Severity::Advice
        } else {
            Severity::Error
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if self.0.advice {
            return None;
        }
        match &self.0.help {
            Some(h) => Some(Box::new(h)),
            None => Some(Box::new(self.0.kind.help())),
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.0.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.0.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.0.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.0.related.iter().map(|e| e as &dyn Diagnostic),
            ))
        }
    }
}
