//! The assembler's state and everything that writes the image: emission with
//! bounds and overlap checks, symbols, definitions and their control
//! structures, literal synthesis, the `@` fetch path, the `;` tail rules,
//! forward-reference fixups, and the final layout (entry jump, helper).

use crate::error::{AsmError, ErrorKind};
use crate::listing::{Assembly, Origin, Symbol, SymbolKind, WordInfo};
use crate::source::{FileId, Loc, Sources};
use crate::words;
use j1k_isa::{decode, encode, Alu, Func, Insn, RAM_WORDS};
use std::collections::{HashMap, HashSet};

/// Bytes of RAM: the image must fit below this byte address.
pub(crate) const MEM_BYTES: u32 = (RAM_WORDS * 2) as u32;

pub(crate) const INVERT: u16 = 0x6600;
pub(crate) const EXIT: u16 = 0x608c;
pub(crate) const DROP: u16 = 0x6103;
/// `tuck!`: `T N->[T] d-1`, the first half of `!`.
pub(crate) const STORE: u16 = 0x6033;
/// `T N->io[T] d-1`, the first half of `io!`.
pub(crate) const IO_STORE: u16 = 0x6043;
/// `T _IORD_`, the first half of `io@`.
pub(crate) const IO_READ: u16 = 0x6050;
/// `io[T]`, the second half of `io@`.
pub(crate) const IO_T: u16 = 0x6d00;
/// The `@` helper: `$2000 or >r exit` (the exit is not folded: `>r` moves R).
pub(crate) const FETCH_HELPER_CODE: [u16; 4] = [0x8000 | 0x2000, 0x6403, 0x6127, EXIT];

/// `owner` entry of a byte nothing was emitted to (others hold emit index + 1).
const FREE: u32 = 0;

#[derive(Clone, Debug)]
pub(crate) struct SymDef {
    pub name: String,
    pub kind: SymbolKind,
    pub value: u16,
    pub loc: Option<Loc>,
}

struct Emit {
    loc: Option<Loc>,
    origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CtrlKind {
    If,
    Else,
    Begin,
    While,
}

impl CtrlKind {
    fn word(self) -> &'static str {
        match self {
            CtrlKind::If => "if",
            CtrlKind::Else => "else",
            CtrlKind::Begin => "begin",
            CtrlKind::While => "while",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Ctrl {
    kind: CtrlKind,
    /// For `if`/`else`/`while`: the branch to patch. For `begin`: the loop start.
    addr: u32,
    loc: Loc,
}

/// The definition being compiled.
pub(crate) struct Def {
    pub sym: usize,
    pub colon: Loc,
    pub start: u32,
    /// Byte address of the last instruction compiled in this definition.
    last: Option<u32>,
    /// Addresses that something inside the definition branches to.
    targets: HashSet<u32>,
    ctrl: Vec<Ctrl>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FixKind {
    Jmp,
    Jz,
    Call,
    /// A one-instruction literal of the name's address (`[']`).
    Lit,
}

struct Fixup {
    at: u32,
    kind: FixKind,
    name: String,
    loc: Loc,
    /// A bare word in a definition (reported as an unknown word), rather than
    /// the operand of `jmp`/`call`/`[']` (an undefined name).
    bare: bool,
}

pub(crate) struct Asm {
    pub src: Sources,
    mem: Vec<u8>,
    /// Per byte: which emission wrote it (index into `emits`, plus one).
    owner: Vec<u32>,
    /// One past the highest byte emitted.
    end: u32,
    emits: Vec<Emit>,
    pub here: u32,
    syms: Vec<SymDef>,
    by_name: HashMap<String, usize>,
    /// The assembly-time stack: values and where they came from.
    pub host: Vec<(u16, Loc)>,
    pub def: Option<Def>,
    fixups: Vec<Fixup>,
    fixup_at: HashMap<u32, usize>,
    /// First `@` that needs the runtime helper.
    fetch_use: Option<Loc>,
    /// Word 0 is `jmp main` unless the program `org`s to 0 before emitting.
    auto_entry: bool,
    emitted_any: bool,
    /// Files being included, outermost first.
    pub include_stack: Vec<FileId>,
}

pub(crate) fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

impl Asm {
    pub fn new(src: Sources) -> Asm {
        Asm {
            src,
            mem: vec![0; MEM_BYTES as usize],
            owner: vec![FREE; MEM_BYTES as usize],
            end: 0,
            emits: Vec::new(),
            here: 2,
            syms: Vec::new(),
            by_name: HashMap::new(),
            host: Vec::new(),
            def: None,
            fixups: Vec::new(),
            fixup_at: HashMap::new(),
            fetch_use: None,
            auto_entry: true,
            emitted_any: false,
            include_stack: Vec::new(),
        }
    }

    // ---- errors --------------------------------------------------------

    pub fn err(
        &self,
        kind: ErrorKind,
        loc: Loc,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> AsmError {
        AsmError::at(&self.src, kind, loc, message, label)
    }

    /// The source text of a span (shortened for messages).
    pub fn text(&self, loc: Loc) -> String {
        let t = &self.src.get(loc.file).text[loc.start..loc.end];
        if t.chars().count() > 40 {
            format!("{}…", t.chars().take(40).collect::<String>())
        } else {
            t.to_string()
        }
    }

    /// Where a file ends (for errors at end of input).
    pub fn eof(&self, file: FileId) -> Loc {
        let n = self.src.get(file).text.len();
        Loc::new(file, n, n)
    }

    // ---- the image -----------------------------------------------------

    pub fn align(&mut self) {
        self.here = (self.here + 1) & !1;
    }

    /// `org`: move `here`.
    pub fn org(&mut self, addr: u16, loc: Loc) -> Result<(), AsmError> {
        if addr as u32 > MEM_BYTES {
            return Err(self.err(
                ErrorKind::AddressOutOfRange,
                loc,
                format!("org ${addr:x} is past the end of RAM (${MEM_BYTES:x} bytes)"),
                "byte address out of range",
            ));
        }
        if addr == 0 && !self.emitted_any {
            self.auto_entry = false;
        }
        self.here = addr as u32;
        Ok(())
    }

    /// Claims `len` bytes at `here` and advances it. Checks the RAM size and
    /// that nothing was emitted there before.
    fn reserve(&mut self, len: u32, loc: Loc, origin: Origin) -> Result<u32, AsmError> {
        if !self.emitted_any {
            self.emitted_any = true;
            if self.auto_entry {
                self.claim(0, 2, None, Origin::Entry);
            }
        }
        let at = self.here;
        if at + len > MEM_BYTES {
            let ctx = match &self.def {
                Some(d) => format!(" in `{}`", self.syms[d.sym].name),
                None => String::new(),
            };
            return Err(self.err(
                ErrorKind::ImageTooLarge,
                loc,
                format!(
                    "image over {RAM_WORDS} words: `{}`{ctx} does not fit at byte ${at:04x}",
                    self.text(loc)
                ),
                "RAM is full here",
            ));
        }
        if let Some(b) = (at..at + len).find(|&b| self.owner[b as usize] != FREE) {
            let prev = &self.emits[self.owner[b as usize] as usize - 1];
            let mut e = self.err(
                ErrorKind::Overlap,
                loc,
                format!(
                    "`{}` overlaps what is already at byte ${b:04x}",
                    self.text(loc)
                ),
                "emitted over earlier output",
            );
            match prev.loc {
                Some(p) => e = e.with_label(&self.src, loc, p, "this was emitted there first"),
                None => {
                    e = e.with_help(
                        "word 0 holds the entry jump to `main`; to place code at 0 yourself, \
                         `0 org` before emitting anything",
                    )
                }
            }
            return Err(e);
        }
        self.claim(at, len, Some(loc), origin);
        self.here = at + len;
        Ok(at)
    }

    fn claim(&mut self, at: u32, len: u32, loc: Option<Loc>, origin: Origin) {
        self.emits.push(Emit { loc, origin });
        let idx = self.emits.len() as u32;
        self.end = self.end.max(at + len);
        for b in at..at + len {
            self.owner[b as usize] = idx;
        }
    }

    fn word_at(&self, at: u32) -> u16 {
        u16::from_le_bytes([self.mem[at as usize], self.mem[at as usize + 1]])
    }

    fn set_word(&mut self, at: u32, w: u16) {
        self.mem[at as usize..at as usize + 2].copy_from_slice(&w.to_le_bytes());
    }

    /// Emits one instruction word (aligning first).
    pub fn emit_code(&mut self, w: u16, loc: Loc) -> Result<u32, AsmError> {
        self.align();
        let at = self.reserve(2, loc, Origin::Code)?;
        self.set_word(at, w);
        if let Some(d) = &mut self.def {
            d.last = Some(at);
        }
        Ok(at)
    }

    pub fn emit_insn(&mut self, i: Insn, loc: Loc) -> Result<u32, AsmError> {
        self.emit_code(encode(&i), loc)
    }

    /// Emits data bytes at `here` (no alignment).
    pub fn emit_data(&mut self, bytes: &[u8], loc: Loc) -> Result<u32, AsmError> {
        let at = self.reserve(bytes.len() as u32, loc, Origin::Data)?;
        self.mem[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
        Ok(at)
    }

    /// `allot`: `n` zero bytes.
    pub fn allot(&mut self, n: u16, loc: Loc) -> Result<(), AsmError> {
        if n > 0 {
            self.reserve(n as u32, loc, Origin::Data)?;
        }
        Ok(())
    }

    // ---- symbols -------------------------------------------------------

    pub fn lookup(&self, name: &str) -> Option<&SymDef> {
        self.by_name.get(&key(name)).map(|&i| &self.syms[i])
    }

    pub fn define(
        &mut self,
        name: &str,
        loc: Loc,
        kind: SymbolKind,
        value: u16,
    ) -> Result<usize, AsmError> {
        if words::is_reserved(name) {
            return Err(self
                .err(
                    ErrorKind::DuplicateName,
                    loc,
                    format!("`{name}` is a built-in word and cannot be redefined"),
                    "built-in name",
                )
                .with_help("choose another name; docs/assembler.md lists the built-in words"));
        }
        if let Some(Ok(_)) = crate::number::parse_number(name) {
            return Err(self.err(
                ErrorKind::BadOperand,
                loc,
                format!("`{name}` is a number and cannot be a name"),
                "a number, not a name",
            ));
        }
        if let Some(&i) = self.by_name.get(&key(name)) {
            let mut e = self.err(
                ErrorKind::DuplicateName,
                loc,
                format!("`{name}` is already defined"),
                "defined again here",
            );
            if let Some(p) = self.syms[i].loc {
                e = e.with_label(&self.src, loc, p, "first defined here");
            }
            return Err(e);
        }
        let i = self.syms.len();
        self.syms.push(SymDef {
            name: name.to_string(),
            kind,
            value,
            loc: Some(loc),
        });
        self.by_name.insert(key(name), i);
        Ok(i)
    }

    /// `label NAME` (and `create`): a name for `here`, aligned. Inside a
    /// definition a label is a branch target, so `;` and `@` do not fold across it.
    pub fn define_here(&mut self, name: &str, loc: Loc, kind: SymbolKind) -> Result<(), AsmError> {
        self.align();
        let here = self.here as u16;
        self.define(name, loc, kind, here)?;
        if let Some(d) = &mut self.def {
            d.targets.insert(self.here);
        }
        Ok(())
    }

    // ---- literals and references ---------------------------------------

    /// Compiles a literal: one instruction below $8000, else the complement
    /// and `invert` (as the J1 toolchain does).
    pub fn literal(&mut self, v: u16, loc: Loc) -> Result<(), AsmError> {
        if v < 0x8000 {
            self.emit_insn(Insn::Lit(v), loc)?;
        } else {
            self.emit_insn(Insn::Lit(!v), loc)?;
            self.emit_code(INVERT, loc)?;
        }
        Ok(())
    }

    /// Emits a jump/call/literal (for the token at `loc`) whose value is
    /// resolved at the end from the name at `name_loc`.
    pub fn forward(
        &mut self,
        kind: FixKind,
        name: &str,
        loc: Loc,
        name_loc: Loc,
        bare: bool,
    ) -> Result<(), AsmError> {
        let placeholder = match kind {
            FixKind::Jmp => 0x0000,
            FixKind::Jz => 0x2000,
            FixKind::Call => 0x4000,
            FixKind::Lit => 0x8000,
        };
        let at = self.emit_code(placeholder, loc)?;
        self.fixup_at.insert(at, self.fixups.len());
        self.fixups.push(Fixup {
            at,
            kind,
            name: key(name),
            loc: name_loc,
            bare,
        });
        Ok(())
    }

    // ---- definitions ---------------------------------------------------

    pub fn begin_def(&mut self, name: &str, name_loc: Loc, colon: Loc) -> Result<(), AsmError> {
        if let Some(d) = &self.def {
            return Err(self
                .err(
                    ErrorKind::ControlStructure,
                    colon,
                    format!("`:` inside the definition of `{}`", self.syms[d.sym].name),
                    "a new definition starts here",
                )
                .with_label(&self.src, colon, d.colon, "this definition has no `;` yet"));
        }
        self.align();
        let start = self.here;
        let sym = self.define(name, name_loc, SymbolKind::Word, start as u16)?;
        self.def = Some(Def {
            sym,
            colon,
            start,
            last: None,
            targets: HashSet::new(),
            ctrl: Vec::new(),
        });
        Ok(())
    }

    pub fn def(&mut self) -> &mut Def {
        self.def.as_mut().expect("inside a definition")
    }

    /// The address an instruction emitted now will get.
    fn next_addr(&self) -> u32 {
        (self.here + 1) & !1
    }

    /// The last instruction of the definition, if it is the one just before
    /// `here` and nothing branches to `here`.
    fn foldable_last(&self) -> Option<u32> {
        let d = self.def.as_ref()?;
        let here = self.next_addr();
        let last = d.last?;
        (last + 2 == here && !d.targets.contains(&here)).then_some(last)
    }

    /// `;` (`fold` true) or `;fallthru`.
    pub fn end_def(&mut self, loc: Loc, fold: bool) -> Result<(), AsmError> {
        let d = self.def.as_ref().expect("inside a definition");
        if let Some(c) = d.ctrl.last() {
            return Err(self.unclosed(c, loc, "`;`"));
        }
        if fold {
            self.fold_exit(loc)?;
        }
        self.def = None;
        Ok(())
    }

    fn fold_exit(&mut self, loc: Loc) -> Result<(), AsmError> {
        if let Some(last) = self.foldable_last() {
            match decode(self.word_at(last)) {
                Insn::Call(t) => {
                    self.set_word(last, encode(&Insn::Jump(t)));
                    if let Some(&f) = self.fixup_at.get(&last) {
                        self.fixups[f].kind = FixKind::Jmp;
                    }
                    return Ok(());
                }
                Insn::Alu(a) if a.rdelta == 0 && !a.ret && a.func != Func::TtoR => {
                    let folded = Alu {
                        ret: true,
                        rdelta: -1,
                        ..a
                    };
                    self.set_word(last, folded.encode());
                    return Ok(());
                }
                _ => {}
            }
        }
        self.emit_code(EXIT, loc)?;
        Ok(())
    }

    /// Error for a control structure still open at `what` (`;` or end of file).
    fn unclosed(&self, c: &Ctrl, loc: Loc, what: &str) -> AsmError {
        self.err(
            ErrorKind::ControlStructure,
            loc,
            format!("`{}` is not closed at {what}", c.kind.word()),
            format!("`{}` still open here", c.kind.word()),
        )
        .with_label(&self.src, loc, c.loc, format!("this `{}`", c.kind.word()))
    }

    /// End of a file: a definition must not span files.
    pub fn end_of_file(&mut self, file: FileId) -> Result<(), AsmError> {
        if let Some(d) = &self.def {
            let eof = self.eof(file);
            if let Some(c) = d.ctrl.last() {
                return Err(self.unclosed(c, eof, "end of file"));
            }
            return Err(self
                .err(
                    ErrorKind::ControlStructure,
                    eof,
                    format!(
                        "definition of `{}` is not closed at end of file",
                        self.syms[d.sym].name
                    ),
                    "end of file",
                )
                .with_label(&self.src, eof, d.colon, "definition starts here")
                .with_help("end the definition with `;`"));
        }
        Ok(())
    }

    // ---- control structures ----------------------------------------------

    fn patch_target(&mut self, at: u32, target: u32) {
        let w = self.word_at(at);
        self.set_word(at, (w & 0xe000) | (target / 2) as u16);
    }

    fn mark_target(&mut self) {
        self.align();
        let here = self.here;
        self.def().targets.insert(here);
    }

    fn push_ctrl(&mut self, kind: CtrlKind, addr: u32, loc: Loc) {
        self.def().ctrl.push(Ctrl { kind, addr, loc });
    }

    /// Pops the innermost structure, which must be one of `want`.
    fn pop_ctrl(&mut self, word: &str, want: &[CtrlKind], loc: Loc) -> Result<Ctrl, AsmError> {
        let d = self.def.as_ref().expect("inside a definition");
        match d.ctrl.last() {
            Some(c) if want.contains(&c.kind) => {
                let c = *c;
                self.def().ctrl.pop();
                Ok(c)
            }
            Some(c) => Err(self
                .err(
                    ErrorKind::ControlStructure,
                    loc,
                    format!("`{word}` does not match the open `{}`", c.kind.word()),
                    format!("`{word}` here"),
                )
                .with_label(
                    &self.src,
                    loc,
                    c.loc,
                    format!("innermost open structure: `{}`", c.kind.word()),
                )),
            None => {
                let opener: Vec<_> = want.iter().map(|k| format!("`{}`", k.word())).collect();
                Err(self.err(
                    ErrorKind::ControlStructure,
                    loc,
                    format!("`{word}` without {}", opener.join(" or ")),
                    "nothing open to close",
                ))
            }
        }
    }

    pub fn ctrl_if(&mut self, loc: Loc) -> Result<(), AsmError> {
        let at = self.emit_insn(Insn::CondJump(0), loc)?;
        self.push_ctrl(CtrlKind::If, at, loc);
        Ok(())
    }

    pub fn ctrl_else(&mut self, loc: Loc) -> Result<(), AsmError> {
        let c = self.pop_ctrl("else", &[CtrlKind::If], loc)?;
        let at = self.emit_insn(Insn::Jump(0), loc)?;
        let here = self.here;
        self.patch_target(c.addr, here);
        self.mark_target();
        self.push_ctrl(CtrlKind::Else, at, loc);
        Ok(())
    }

    pub fn ctrl_then(&mut self, loc: Loc) -> Result<(), AsmError> {
        let c = self.pop_ctrl(
            "then",
            &[CtrlKind::If, CtrlKind::Else, CtrlKind::While],
            loc,
        )?;
        self.mark_target();
        let here = self.here;
        self.patch_target(c.addr, here);
        Ok(())
    }

    pub fn ctrl_begin(&mut self, loc: Loc) {
        self.mark_target();
        let here = self.here;
        self.push_ctrl(CtrlKind::Begin, here, loc);
    }

    /// `until` (jz back) and `again` (jmp back).
    pub fn ctrl_back(&mut self, word: &str, loc: Loc) -> Result<(), AsmError> {
        let c = self.pop_ctrl(word, &[CtrlKind::Begin], loc)?;
        let t = (c.addr / 2) as u16;
        let i = if word == "until" {
            Insn::CondJump(t)
        } else {
            Insn::Jump(t)
        };
        self.emit_insn(i, loc)?;
        Ok(())
    }

    /// `while`: a forward `jz`, kept *under* its `begin` (ANS Forth's
    /// `IF 1 CS-ROLL`), so one `repeat` closes `begin` and one `while`, and any
    /// extra `while` is closed by a `then` after the loop.
    pub fn ctrl_while(&mut self, loc: Loc) -> Result<(), AsmError> {
        let b = self.pop_ctrl("while", &[CtrlKind::Begin], loc)?;
        let at = self.emit_insn(Insn::CondJump(0), loc)?;
        self.push_ctrl(CtrlKind::While, at, loc);
        self.def().ctrl.push(b);
        Ok(())
    }

    pub fn ctrl_repeat(&mut self, loc: Loc) -> Result<(), AsmError> {
        let b = self.pop_ctrl("repeat", &[CtrlKind::Begin], loc)?;
        // The `while` must be right under the `begin`.
        let w = match self.def.as_ref().and_then(|d| d.ctrl.last()) {
            Some(c) if c.kind == CtrlKind::While => {
                let c = *c;
                self.def().ctrl.pop();
                c
            }
            _ => {
                return Err(self
                    .err(
                        ErrorKind::ControlStructure,
                        loc,
                        "`repeat` without `while`",
                        "`repeat` here",
                    )
                    .with_label(&self.src, loc, b.loc, "this `begin` has no `while`")
                    .with_help("`begin ... while ... repeat`; a loop without an exit test ends with `again`"));
            }
        };
        self.emit_insn(Insn::Jump((b.addr / 2) as u16), loc)?;
        self.mark_target();
        let here = self.here;
        self.patch_target(w.addr, here);
        Ok(())
    }

    // ---- multi-instruction words -----------------------------------------

    /// `@`: with a literal even address < $2000 just compiled (and nothing
    /// branching in between), replace it by a call into the fetch path;
    /// otherwise call the runtime helper.
    pub fn fetch(&mut self, loc: Loc) -> Result<(), AsmError> {
        if let Some(last) = self.foldable_last() {
            let w = self.word_at(last);
            if w & 0x8000 != 0 && !self.fixup_at.contains_key(&last) {
                let a = w & 0x7fff;
                if a & 1 == 0 && (a as u32) < MEM_BYTES {
                    self.set_word(last, encode(&Insn::Call(0x1000 + a / 2)));
                    return Ok(());
                }
            }
        }
        self.fetch_use.get_or_insert(loc);
        self.forward(FixKind::Call, crate::FETCH_HELPER, loc, loc, false)
    }

    pub fn recurse(&mut self, loc: Loc) -> Result<(), AsmError> {
        let start = self.def.as_ref().expect("inside a definition").start;
        self.emit_insn(Insn::Call((start / 2) as u16), loc)?;
        Ok(())
    }

    pub fn halt(&mut self, loc: Loc) -> Result<(), AsmError> {
        let here = self.next_addr();
        self.emit_insn(Insn::Jump((here / 2) as u16), loc)?;
        Ok(())
    }

    // ---- the end -----------------------------------------------------------

    /// Checks what is left, emits the helper and the entry jump, resolves
    /// forward references, and builds the [`Assembly`].
    pub fn finish(mut self, root: FileId) -> Result<Assembly, AsmError> {
        if let Some(&(_, loc)) = self.host.last() {
            let n = self.host.len();
            return Err(self.err(
                ErrorKind::LeftOnStack,
                loc,
                format!(
                    "{n} value{} left on the assembly-time stack at the end of the program",
                    if n == 1 { "" } else { "s" }
                ),
                "pushed here and never used",
            ));
        }
        if let Some(use_loc) = self.fetch_use {
            self.align();
            let at = self.here;
            if at + 8 > MEM_BYTES {
                return Err(self.err(
                    ErrorKind::ImageTooLarge,
                    use_loc,
                    format!(
                        "image over {RAM_WORDS} words: the `@` helper `{}` (4 words) does not fit after the program",
                        crate::FETCH_HELPER
                    ),
                    "this `@` needs the helper",
                ));
            }
            for (i, w) in FETCH_HELPER_CODE.iter().enumerate() {
                let a = self.reserve(2, use_loc, Origin::Helper)?;
                debug_assert_eq!(a, at + 2 * i as u32);
                self.set_word(a, *w);
            }
            self.syms.push(SymDef {
                name: crate::FETCH_HELPER.to_string(),
                kind: SymbolKind::Helper,
                value: at as u16,
                loc: None,
            });
            self.by_name
                .insert(crate::FETCH_HELPER.to_string(), self.syms.len() - 1);
        }
        for f in std::mem::take(&mut self.fixups) {
            let word = self.resolve(&f)?;
            let old = self.word_at(f.at);
            self.set_word(f.at, old | word);
        }
        if self.auto_entry {
            let main = match self.lookup("main") {
                Some(s) if matches!(s.kind, SymbolKind::Word | SymbolKind::Label) => s.value,
                other => {
                    let msg = match other {
                        Some(s) => format!("`main` is a {}, not code", s.kind.name()),
                        None => "no `main`".to_string(),
                    };
                    let mut e = self.err(ErrorKind::NoMain, self.eof(root), msg, "end of program");
                    if let Some(p) = other.and_then(|s| s.loc) {
                        e = e.with_label(&self.src, self.eof(root), p, "defined here");
                    }
                    return Err(e);
                }
            };
            if self.owner[0] == FREE {
                self.claim(0, 2, None, Origin::Entry);
            }
            self.set_word(0, encode(&Insn::Jump(main / 2)));
        }
        Ok(self.build())
    }

    fn resolve(&self, f: &Fixup) -> Result<u16, AsmError> {
        let shown = self.text(f.loc);
        let Some(s) = self.lookup(&f.name) else {
            return Err(if f.bare {
                self.err(
                    ErrorKind::UnknownWord,
                    f.loc,
                    format!("unknown word `{shown}`"),
                    "not defined anywhere",
                )
            } else {
                self.err(
                    ErrorKind::UndefinedName,
                    f.loc,
                    format!("undefined name `{shown}`"),
                    "never defined",
                )
            });
        };
        let code = matches!(
            s.kind,
            SymbolKind::Word | SymbolKind::Label | SymbolKind::Helper
        );
        let ok = match f.kind {
            FixKind::Lit => s.kind != SymbolKind::Constant,
            _ => code,
        };
        if !ok {
            let mut e = self.err(
                ErrorKind::NotCode,
                f.loc,
                format!(
                    "`{}` is a {} defined after this use, which was compiled as {}",
                    s.name,
                    s.kind.name(),
                    if f.kind == FixKind::Lit {
                        "an address literal"
                    } else {
                        "a jump or call"
                    }
                ),
                "used before its definition",
            );
            if let Some(p) = s.loc {
                e = e.with_label(&self.src, f.loc, p, "defined here");
            }
            return Err(e);
        }
        Ok(match f.kind {
            FixKind::Lit => s.value & 0x7fff,
            _ => s.value / 2,
        })
    }

    fn build(self) -> Assembly {
        let n_words = self.end.div_ceil(2) as usize;
        let words: Vec<u16> = (0..n_words as u32).map(|w| self.word_at(2 * w)).collect();
        let info = (0..n_words)
            .map(|w| {
                let o = [self.owner[2 * w], self.owner[2 * w + 1]]
                    .into_iter()
                    .find(|&o| o != FREE)?;
                let e = &self.emits[o as usize - 1];
                let at = e.loc.map(|l| {
                    let f = self.src.get(l.file);
                    (l.file, f.line_col(l.start).0)
                });
                Some(WordInfo {
                    origin: e.origin,
                    at,
                })
            })
            .collect();
        let symbols = self
            .syms
            .iter()
            .map(|s| {
                let (file, line) = match s.loc {
                    Some(l) => (
                        self.src.get(l.file).name.clone(),
                        self.src.get(l.file).line_col(l.start).0,
                    ),
                    None => (String::new(), 0),
                };
                Symbol {
                    name: s.name.clone(),
                    kind: s.kind,
                    value: s.value,
                    file,
                    line,
                }
            })
            .collect();
        Assembly::new(words, symbols, info, self.src)
    }
}

#[cfg(test)]
mod tests {
    use crate::assemble_str;

    /// The words of `0 org : t BODY ;fallthru` (no entry jump, no exit).
    fn body(src: &str) -> Vec<u16> {
        assemble_str("t.fs", &format!("0 org : t {src} ;fallthru"))
            .unwrap_or_else(|e| panic!("{src}: {e}"))
            .words
    }

    /// What a literal sequence leaves on the stack when executed.
    fn run_literal(words: &[u16]) -> u16 {
        match words {
            [l] if l & 0x8000 != 0 => l & 0x7fff,
            [l, 0x6600] if l & 0x8000 != 0 => !(l & 0x7fff),
            _ => panic!("not a literal sequence: {words:04x?}"),
        }
    }

    #[test]
    fn literal_synthesis() {
        let values = (0..=0xffffu32)
            .step_by(97)
            .chain([0, 1, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff]);
        for v in values {
            let v = v as u16;
            for text in [format!("{v}"), format!("${v:x}"), format!("{}", v as i16)] {
                let w = body(&text);
                assert_eq!(w.len(), if v < 0x8000 { 1 } else { 2 }, "{text}");
                assert_eq!(run_literal(&w), v, "{text}");
            }
        }
    }

    #[test]
    fn literal_of_constant_and_address() {
        assert_eq!(body("[char] A"), [0x8041]);
        let a = assemble_str("t.fs", "$9000 constant k 0 org : t k ;fallthru").unwrap();
        assert_eq!(a.words, [0xefff, 0x6600]);
    }

    const HELPER: [u16; 4] = super::FETCH_HELPER_CODE;

    #[test]
    fn fetch_path_for_constant_even_addresses() {
        for a in [0u16, 2, 4, 0x100, 0x1ffc, 0x1ffe] {
            assert_eq!(body(&format!("{a} @")), [0x4000 | (0x1000 + a / 2)], "{a}");
        }
        // Through a constant or a variable's address.
        let a = assemble_str("t.fs", "$20 constant k 0 org : t k @ ;fallthru").unwrap();
        assert_eq!(a.words, [0x5010]);
        let a = assemble_str("t.fs", "0 org variable v : t v @ ;fallthru").unwrap();
        assert_eq!(a.words, [0x0000, 0x5000]);
        // A `begin` before the literal is fine: the branch lands on the literal.
        assert_eq!(body("begin 4 @ again"), [0x5002, 0x0000]);
    }

    #[test]
    fn fetch_helper_otherwise() {
        let with_helper = |code: &[u16]| {
            let mut v = code.to_vec();
            v.extend_from_slice(&HELPER);
            v
        };
        // Odd, too high, two-word literal, computed.
        assert_eq!(body("1 @"), with_helper(&[0x8001, 0x4002]));
        assert_eq!(body("$2000 @"), with_helper(&[0xa000, 0x4002]));
        assert_eq!(body("$8000 @"), with_helper(&[0xffff, 0x6600, 0x4003]));
        assert_eq!(body("dup @"), with_helper(&[0x6011, 0x4002]));
        // First instruction of the definition.
        assert_eq!(body("@"), with_helper(&[0x4001]));
        // A branch target between the literal and `@`.
        assert_eq!(
            body("0 if 4 then @"),
            with_helper(&[0x8000, 0x2003, 0x8004, 0x4004])
        );
        assert_eq!(body("4 label l @"), with_helper(&[0x8004, 0x4002]));
        // An address not known yet (a forward `[']`).
        let a = assemble_str("t.fs", "0 org : t ['] later @ ;fallthru : later ;").unwrap();
        assert_eq!(
            a.words,
            [0x8004, 0x4003, 0x608c, 0xa000, 0x6403, 0x6127, 0x608c]
        );
        // The literal of a previous definition does not count.
        let a = assemble_str("t.fs", "0 org : s 4 ;fallthru : t @ ;fallthru").unwrap();
        assert_eq!(a.words, [0x8004, 0x4002, 0xa000, 0x6403, 0x6127, 0x608c]);
    }

    #[test]
    fn helper_emitted_once_and_named() {
        let a = assemble_str("t.fs", ": main dup @ @ drop @ ;").unwrap();
        let h = a.symbol(crate::FETCH_HELPER).expect("helper symbol");
        assert_eq!(h.kind, crate::SymbolKind::Helper);
        let at = h.value as usize / 2;
        assert_eq!(&a.words[at..], &HELPER);
        assert_eq!(a.words.len(), at + 4);
        assert!(a.listing().contains("__fetch: (helper)"));
    }
}
