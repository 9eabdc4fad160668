//! The built-in vocabulary: directives and control words, host arithmetic,
//! and the instruction words, which come from j1k_isa's tables.

use j1k_isa::KeyOp;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Words the assembler itself interprets. None of these can be redefined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Directive {
    Colon,
    Semicolon,
    SemicolonFallthru,
    Constant,
    Variable,
    Create,
    Label,
    Comma,
    CComma,
    Allot,
    Align,
    Org,
    Here,
    Include,
    Char,
    Tick,
    HexPrefix,
    DecPrefix,
    Inst,
    Jmp,
    Jz,
    Call,
    If,
    Else,
    Then,
    Begin,
    Until,
    Again,
    While,
    Repeat,
    Recurse,
    Halt,
    Fetch,
    Store,
    IoStore,
    IoFetch,
    /// `,"` / `s,"` reached as a plain word (only possible as a raw operand).
    StringWord,
}

const DIRECTIVES: &[(&str, Directive)] = &[
    (":", Directive::Colon),
    (";", Directive::Semicolon),
    (";fallthru", Directive::SemicolonFallthru),
    ("constant", Directive::Constant),
    ("variable", Directive::Variable),
    ("create", Directive::Create),
    ("label", Directive::Label),
    (",", Directive::Comma),
    ("c,", Directive::CComma),
    ("allot", Directive::Allot),
    ("align", Directive::Align),
    ("org", Directive::Org),
    ("here", Directive::Here),
    ("include", Directive::Include),
    ("char", Directive::Char),
    ("[char]", Directive::Char),
    ("'", Directive::Tick),
    ("[']", Directive::Tick),
    ("h#", Directive::HexPrefix),
    ("d#", Directive::DecPrefix),
    ("inst", Directive::Inst),
    ("jmp", Directive::Jmp),
    ("jz", Directive::Jz),
    ("call", Directive::Call),
    ("if", Directive::If),
    ("else", Directive::Else),
    ("then", Directive::Then),
    ("begin", Directive::Begin),
    ("until", Directive::Until),
    ("again", Directive::Again),
    ("while", Directive::While),
    ("repeat", Directive::Repeat),
    ("recurse", Directive::Recurse),
    ("halt", Directive::Halt),
    ("@", Directive::Fetch),
    ("!", Directive::Store),
    ("io!", Directive::IoStore),
    ("io@", Directive::IoFetch),
    // The string words are recognised by the lexer; listed so they are reserved.
    (",\"", Directive::StringWord),
    ("s,\"", Directive::StringWord),
];

/// Assembly-time arithmetic on the host stack (interpret mode only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HostOp {
    Add,
    Sub,
    Mul,
    And,
    Or,
    Xor,
    Lshift,
    Rshift,
    Negate,
    Invert,
    Dup,
    Drop,
    Swap,
    Over,
}

const HOST_OPS: &[(&str, HostOp)] = &[
    ("+", HostOp::Add),
    ("-", HostOp::Sub),
    ("*", HostOp::Mul),
    ("and", HostOp::And),
    ("or", HostOp::Or),
    ("xor", HostOp::Xor),
    ("lshift", HostOp::Lshift),
    ("rshift", HostOp::Rshift),
    ("negate", HostOp::Negate),
    ("invert", HostOp::Invert),
    ("dup", HostOp::Dup),
    ("drop", HostOp::Drop),
    ("swap", HostOp::Swap),
    ("over", HostOp::Over),
];

fn find<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, t)| t)
}

pub(crate) fn directive(name: &str) -> Option<Directive> {
    find(DIRECTIVES, name)
}

pub(crate) fn host_op(name: &str) -> Option<HostOp> {
    find(HOST_OPS, name)
}

/// The canonical base-word names (swapforth's basewords: `dup`, `+`,
/// `2dup<`, `exit`, …) and their encodings: the one table in j1k_isa.
fn alu_words() -> &'static HashMap<String, u16> {
    static TABLE: OnceLock<HashMap<String, u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        j1k_isa::ALU_WORDS
            .iter()
            .map(|&(name, w)| (name.to_ascii_lowercase(), w))
            .collect()
    })
}

/// A base ALU word: its encoding.
pub(crate) fn alu_word(name: &str) -> Option<u16> {
    alu_words().get(&name.to_ascii_lowercase()).copied()
}

pub(crate) fn key_op(name: &str) -> Option<KeyOp> {
    KeyOp::from_name(name)
}

/// True for `alu(...)` tokens.
pub(crate) fn is_alu_form(name: &str) -> bool {
    name.get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("alu("))
}

/// Names a program may not define: every built-in instruction word and
/// directive, and the generated helper's name. Host-only arithmetic words
/// (`*`, `lshift`, `rshift`, `negate`) may be defined as target words.
pub(crate) fn is_reserved(name: &str) -> bool {
    directive(name).is_some()
        || alu_word(name).is_some()
        || key_op(name).is_some()
        || is_alu_form(name)
        || name.eq_ignore_ascii_case(crate::FETCH_HELPER)
}
