//! The outer interpreter: pulls tokens from a file and interprets them
//! (outside a definition) or compiles them (inside `: ... ;`), and follows
//! `include`.

use crate::codegen::{Asm, FixKind, DROP, IO_READ, IO_STORE, IO_T, STORE};
use crate::error::{AsmError, ErrorKind};
use crate::lexer::{LexError, Lexer, Token, TokenKind};
use crate::listing::SymbolKind;
use crate::number::{looks_numeric, parse_number, parse_radix, NumError};
use crate::operand::{parse_alu, parse_reg, ALU_FIELDS_HELP};
use crate::source::{self, FileId, Loc, SourceFile};
use crate::words::{self, Directive, HostOp};
use j1k_isa::{Insn, KeyInsn, KeyOp, Operands};
use std::path::Path;

/// Words that end or structure a definition: never taken as an operand.
fn is_structural(name: &str) -> bool {
    matches!(
        words::directive(name),
        Some(
            Directive::Colon
                | Directive::Semicolon
                | Directive::SemicolonFallthru
                | Directive::If
                | Directive::Else
                | Directive::Then
                | Directive::Begin
                | Directive::Until
                | Directive::Again
                | Directive::While
                | Directive::Repeat
        )
    )
}

fn loc_of(file: FileId, t: &Token) -> Loc {
    Loc::new(file, t.start, t.end)
}

impl Asm {
    /// Assembles one file to its end (following includes).
    pub fn run_file(&mut self, file: FileId) -> Result<(), AsmError> {
        self.include_stack.push(file);
        let text = self.src.get(file).text.clone();
        let mut lx = Lexer::new(&text);
        while let Some(tok) = self.lex(&mut lx, file, false)? {
            self.token(&mut lx, file, tok)?;
        }
        self.end_of_file(file)?;
        self.include_stack.pop();
        Ok(())
    }

    fn lex<'a>(
        &self,
        lx: &mut Lexer<'a>,
        file: FileId,
        raw: bool,
    ) -> Result<Option<Token<'a>>, AsmError> {
        lx.next(raw).map_err(|e| match e {
            LexError::Comment { start, end } => self.err(
                ErrorKind::Unterminated,
                Loc::new(file, start, end),
                "unterminated comment: `(` without `)`",
                "comment starts here",
            ),
            LexError::String { start, end } => self.err(
                ErrorKind::Unterminated,
                Loc::new(file, start, end),
                "unterminated string: no closing `\"` on this line",
                "string starts here",
            ),
        })
    }

    /// The operand token of `word` (at `wloc`), described as `what`.
    fn operand<'a>(
        &self,
        lx: &mut Lexer<'a>,
        file: FileId,
        wloc: Loc,
        what: &str,
        raw: bool,
    ) -> Result<Token<'a>, AsmError> {
        let word = self.text(wloc);
        let missing = |found: Option<Loc>| {
            let mut e = self.err(
                ErrorKind::MissingOperand,
                wloc,
                format!("`{word}` needs {what}"),
                format!("needs {what}"),
            );
            if let Some(f) = found {
                e = e.with_label(&self.src, wloc, f, "found this instead");
            }
            e
        };
        match self.lex(lx, file, raw)? {
            None => Err(missing(None)),
            Some(t) if !matches!(t.kind, TokenKind::Word) => Err(missing(Some(loc_of(file, &t)))),
            Some(t) if !raw && is_structural(t.text) => Err(missing(Some(loc_of(file, &t)))),
            Some(t) => Ok(t),
        }
    }

    /// Code is UTF-8: a byte that is not (allowed in comments and strings) is refused at its
    /// place.
    fn utf8_only(&self, file: FileId, t: &Token) -> Result<(), AsmError> {
        match t
            .text
            .char_indices()
            .find_map(|(i, c)| Some((i, source::raw_byte(c)?)))
        {
            None => Ok(()),
            Some((i, b)) => {
                let at = t.start + i;
                let len = t.text[i..].chars().next().map_or(1, char::len_utf8);
                Err(self.err(
                    ErrorKind::NotUtf8,
                    Loc::new(file, at, at + len),
                    format!("byte ${b:02x} is not UTF-8: code must be UTF-8 text"),
                    "this byte",
                ))
            }
        }
    }

    /// A name operand (`: NAME`, `constant NAME`, …): raw, but not `;` and friends.
    fn name_operand<'a>(
        &self,
        lx: &mut Lexer<'a>,
        file: FileId,
        wloc: Loc,
    ) -> Result<Token<'a>, AsmError> {
        let t = self.operand(lx, file, wloc, "a name", true)?;
        self.utf8_only(file, &t)?;
        if is_structural(t.text) {
            let word = self.text(wloc);
            return Err(self
                .err(
                    ErrorKind::MissingOperand,
                    wloc,
                    format!("`{word}` needs a name"),
                    "needs a name",
                )
                .with_label(&self.src, wloc, loc_of(file, &t), "found this instead"));
        }
        Ok(t)
    }

    fn pop(&mut self, wloc: Loc) -> Result<(u16, Loc), AsmError> {
        self.host.pop().ok_or_else(|| {
            self.err(
                ErrorKind::StackUnderflow,
                wloc,
                format!(
                    "`{}` needs a value on the assembly-time stack, which is empty",
                    self.text(wloc)
                ),
                "stack underflow",
            )
        })
    }

    fn compiling(&self) -> bool {
        self.def.is_some()
    }

    fn compile_only(&self, loc: Loc) -> AsmError {
        self.err(
            ErrorKind::WrongMode,
            loc,
            format!(
                "`{}` can only be used inside a definition (`: name ... ;`)",
                self.text(loc)
            ),
            "outside a definition",
        )
    }

    fn interpret_only(&self, loc: Loc) -> AsmError {
        let d = self.def.as_ref().expect("inside a definition");
        self.err(
            ErrorKind::WrongMode,
            loc,
            format!("`{}` is not allowed inside a definition", self.text(loc)),
            "inside a definition",
        )
        .with_label(&self.src, loc, d.colon, "the definition starts here")
    }

    fn bad_number(&self, e: NumError, loc: Loc) -> AsmError {
        let t = self.text(loc);
        match e {
            NumError::Bad => self.err(
                ErrorKind::BadNumber,
                loc,
                format!("bad number `{t}`"),
                "not a number",
            ),
            NumError::OutOfRange => self.err(
                ErrorKind::LiteralOutOfRange,
                loc,
                format!("literal `{t}` out of range -32768..65535"),
                "does not fit in 16 bits",
            ),
        }
    }

    /// A number (`h#`/`d#` digits, a char, a name's value) goes on the host
    /// stack outside a definition and is compiled as a literal inside.
    fn value(&mut self, v: u16, loc: Loc) -> Result<(), AsmError> {
        if self.compiling() {
            self.literal(v, loc)
        } else {
            self.host.push((v, loc));
            Ok(())
        }
    }

    fn token(&mut self, lx: &mut Lexer, file: FileId, tok: Token) -> Result<(), AsmError> {
        let loc = loc_of(file, &tok);
        if let TokenKind::Str { counted, text, .. } = tok.kind {
            if self.compiling() {
                return Err(self.interpret_only(loc));
            }
            return self.string(counted, text, loc);
        }
        let name = tok.text;
        self.utf8_only(file, &tok)?;
        if let Some(d) = words::directive(name) {
            return self.directive(d, lx, file, loc);
        }
        if self.compiling() {
            self.compile_word(name, lx, file, loc)
        } else {
            self.interpret_word(name, loc)
        }
    }

    fn string(&mut self, counted: bool, text: &str, loc: Loc) -> Result<(), AsmError> {
        // UTF-8 as written; a byte that was not UTF-8 in the file as that byte.
        let mut body = Vec::with_capacity(text.len());
        for c in text.chars() {
            match source::raw_byte(c) {
                Some(b) => body.push(b),
                None => body.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        let mut bytes = Vec::with_capacity(body.len() + 1);
        if counted {
            if body.len() > 255 {
                return Err(self.err(
                    ErrorKind::BadOperand,
                    loc,
                    format!("counted string of {} bytes: at most 255", body.len()),
                    "too long for a length byte",
                ));
            }
            bytes.push(body.len() as u8);
        }
        bytes.extend_from_slice(&body);
        if !bytes.is_empty() {
            self.emit_data(&bytes, loc)?;
        }
        Ok(())
    }

    fn interpret_word(&mut self, name: &str, loc: Loc) -> Result<(), AsmError> {
        if let Some(op) = words::host_op(name) {
            return self.host_op(op, loc);
        }
        if words::alu_word(name).is_some()
            || words::key_op(name).is_some()
            || words::is_alu_form(name)
        {
            return Err(self.compile_only(loc));
        }
        if let Some(s) = self.lookup(name) {
            let v = s.value;
            self.host.push((v, loc));
            return Ok(());
        }
        match parse_number(name) {
            Some(Ok(v)) => {
                self.host.push((v, loc));
                Ok(())
            }
            Some(Err(e)) => Err(self.bad_number(e, loc)),
            None => Err(self.err(
                ErrorKind::UnknownWord,
                loc,
                format!("unknown word `{name}`"),
                "not defined",
            )),
        }
    }

    fn host_op(&mut self, op: HostOp, loc: Loc) -> Result<(), AsmError> {
        let unary = matches!(
            op,
            HostOp::Negate | HostOp::Invert | HostOp::Dup | HostOp::Drop
        );
        let (b, bl) = self.pop(loc)?;
        if unary {
            match op {
                HostOp::Negate => self.host.push((b.wrapping_neg(), loc)),
                HostOp::Invert => self.host.push((!b, loc)),
                HostOp::Dup => {
                    self.host.push((b, bl));
                    self.host.push((b, bl));
                }
                _ => {}
            }
            return Ok(());
        }
        let (a, al) = self.pop(loc)?;
        let r = match op {
            HostOp::Add => a.wrapping_add(b),
            HostOp::Sub => a.wrapping_sub(b),
            HostOp::Mul => a.wrapping_mul(b),
            HostOp::And => a & b,
            HostOp::Or => a | b,
            HostOp::Xor => a ^ b,
            HostOp::Lshift => a.checked_shl(b as u32).unwrap_or(0),
            HostOp::Rshift => a.checked_shr(b as u32).unwrap_or(0),
            HostOp::Swap => {
                self.host.push((b, bl));
                self.host.push((a, al));
                return Ok(());
            }
            HostOp::Over => {
                self.host.push((a, al));
                self.host.push((b, bl));
                self.host.push((a, al));
                return Ok(());
            }
            _ => unreachable!("unary ops handled above"),
        };
        self.host.push((r, loc));
        Ok(())
    }

    fn compile_word(
        &mut self,
        name: &str,
        lx: &mut Lexer,
        file: FileId,
        loc: Loc,
    ) -> Result<(), AsmError> {
        if let Some(w) = words::alu_word(name) {
            self.emit_code(w, loc)?;
            return Ok(());
        }
        if let Some(op) = words::key_op(name) {
            return self.key_insn(op, lx, file, loc);
        }
        if words::is_alu_form(name) {
            let w = parse_alu(name).map_err(|e| {
                let at = Loc::new(file, loc.start + e.start, loc.start + e.end);
                self.err(ErrorKind::BadOperand, at, e.message, "here")
                    .with_help(ALU_FIELDS_HELP)
            })?;
            self.emit_code(w, loc)?;
            return Ok(());
        }
        if let Some(s) = self.lookup(name) {
            let (kind, v) = (s.kind, s.value);
            return if kind.is_code() {
                self.emit_insn(Insn::Call(v / 2), loc).map(|_| ())
            } else {
                self.literal(v, loc)
            };
        }
        match parse_number(name) {
            Some(Ok(v)) => self.literal(v, loc),
            Some(Err(e)) => Err(self.bad_number(e, loc)),
            None => self.forward(FixKind::Call, name, loc, loc, true),
        }
    }

    /// A key instruction and its operands, as `KeyInsn`'s Display prints them.
    fn key_insn(
        &mut self,
        op: KeyOp,
        lx: &mut Lexer,
        file: FileId,
        loc: Loc,
    ) -> Result<(), AsmError> {
        let (nreg, imm) = match op.info().operands {
            Operands::None => (0, 0),
            Operands::BlockReg => (0, self.reg_operand(lx, file, loc, 'b', 8)?),
            Operands::NodeReg => (0, self.reg_operand(lx, file, loc, 'n', 4)?),
            Operands::Slot => (0, self.slot_operand(lx, file, loc)?),
            Operands::SlotNodeReg => {
                let slot = self.slot_operand(lx, file, loc)?;
                (self.reg_operand(lx, file, loc, 'n', 4)?, slot)
            }
            Operands::StackSlotNodeReg => (self.reg_operand(lx, file, loc, 'n', 4)?, 0),
        };
        self.emit_insn(Insn::Key(KeyInsn::new(op, nreg, imm)), loc)?;
        Ok(())
    }

    fn reg_operand(
        &mut self,
        lx: &mut Lexer,
        file: FileId,
        wloc: Loc,
        prefix: char,
        count: u8,
    ) -> Result<u8, AsmError> {
        let what = if prefix == 'b' {
            "a block register b0..b7"
        } else {
            "a node register n0..n3"
        };
        let t = self.operand(lx, file, wloc, what, false)?;
        parse_reg(t.text, prefix, count).ok_or_else(|| {
            self.err(
                ErrorKind::BadOperand,
                loc_of(file, &t),
                format!("`{}` is not {what}", t.text),
                format!("expected {what}"),
            )
        })
    }

    fn slot_operand(&mut self, lx: &mut Lexer, file: FileId, wloc: Loc) -> Result<u8, AsmError> {
        let t = self.operand(lx, file, wloc, "a slot number 0..31", false)?;
        let loc = loc_of(file, &t);
        let v = self.number_or_constant(t.text, loc, "a slot number 0..31")?;
        if v > 31 {
            return Err(self.err(
                ErrorKind::BadOperand,
                loc,
                format!("slot {v} out of range 0..31"),
                "slot out of range",
            ));
        }
        Ok(v as u8)
    }

    /// A number, or the name of a constant (already defined).
    fn number_or_constant(&self, text: &str, loc: Loc, what: &str) -> Result<u16, AsmError> {
        match parse_number(text) {
            Some(Ok(v)) => return Ok(v),
            Some(Err(e)) => return Err(self.bad_number(e, loc)),
            None => {}
        }
        match self.lookup(text) {
            Some(s) if s.kind == SymbolKind::Constant => Ok(s.value),
            Some(s) => Err(self.err(
                ErrorKind::BadOperand,
                loc,
                format!(
                    "`{text}` is a {}; expected {what} (a number or a constant)",
                    s.kind.name()
                ),
                "not a number or constant",
            )),
            None if words::is_reserved(text) => Err(self.err(
                ErrorKind::BadOperand,
                loc,
                format!("`{text}` is a built-in word; expected {what}"),
                "not a number or constant",
            )),
            None => Err(self.err(
                ErrorKind::UndefinedName,
                loc,
                format!("undefined name `{text}`: expected {what} (a number or a constant)"),
                "not defined (constants must be defined before use)",
            )),
        }
    }

    /// The operand of `jmp`/`jz`/`call`: a name or a word address.
    fn target(
        &mut self,
        kind: FixKind,
        lx: &mut Lexer,
        file: FileId,
        wloc: Loc,
    ) -> Result<(), AsmError> {
        let what = "a target (a name or a word address)";
        let t = self.operand(lx, file, wloc, what, false)?;
        let loc = loc_of(file, &t);
        let op = match kind {
            FixKind::Jmp => 0x0000,
            FixKind::Jz => 0x2000,
            _ => 0x4000,
        };
        let addr = match parse_number(t.text) {
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => return Err(self.bad_number(e, loc)),
            None => match self.lookup(t.text) {
                Some(s) if s.kind == SymbolKind::Constant => Some(s.value),
                Some(s) => Some(s.value / 2),
                None if words::is_reserved(t.text) => {
                    return Err(self.err(
                        ErrorKind::BadOperand,
                        loc,
                        format!("`{}` is a built-in word; expected {what}", t.text),
                        "not a target",
                    ))
                }
                None => None,
            },
        };
        match addr {
            Some(a) if a > 0x1fff => Err(self.err(
                ErrorKind::AddressOutOfRange,
                loc,
                format!("target ${a:x} out of range: word addresses are 0..$1fff"),
                "over 13 bits",
            )),
            Some(a) => self.emit_code(op | a, wloc).map(|_| ()),
            None => self.forward(kind, t.text, wloc, loc, false),
        }
    }

    fn directive(
        &mut self,
        d: Directive,
        lx: &mut Lexer,
        file: FileId,
        loc: Loc,
    ) -> Result<(), AsmError> {
        use Directive::*;
        let compiling = self.compiling();
        match d {
            Colon => {
                if compiling {
                    // begin_def reports `:` inside a definition.
                    return self.begin_def("", loc, loc);
                }
                let t = self.name_operand(lx, file, loc)?;
                self.begin_def(t.text, loc_of(file, &t), loc)
            }
            Semicolon | SemicolonFallthru => {
                if !compiling {
                    return Err(self.err(
                        ErrorKind::SemicolonWithoutColon,
                        loc,
                        format!("`{}` outside a definition", self.text(loc)),
                        "no definition to end",
                    ));
                }
                self.end_def(loc, d == Semicolon)
            }
            Constant | Variable | Create | Comma | CComma | Allot | Align | Org | Here
            | Include
                if compiling =>
            {
                Err(self.interpret_only(loc))
            }
            Constant => {
                let t = self.name_operand(lx, file, loc)?;
                let (v, _) = self.pop(loc)?;
                self.define(t.text, loc_of(file, &t), SymbolKind::Constant, v)?;
                Ok(())
            }
            Variable => {
                let t = self.name_operand(lx, file, loc)?;
                self.define_here(t.text, loc_of(file, &t), SymbolKind::Variable)?;
                self.emit_data(&[0, 0], loc)?;
                Ok(())
            }
            Create => {
                let t = self.name_operand(lx, file, loc)?;
                self.define_here(t.text, loc_of(file, &t), SymbolKind::Create)
            }
            Label => {
                let t = self.name_operand(lx, file, loc)?;
                self.define_here(t.text, loc_of(file, &t), SymbolKind::Label)
            }
            Comma => {
                let (v, _) = self.pop(loc)?;
                self.align();
                self.emit_data(&v.to_le_bytes(), loc)?;
                Ok(())
            }
            CComma => {
                let (v, vloc) = self.pop(loc)?;
                if v > 0xff && v < 0xff80 {
                    return Err(self
                        .err(
                            ErrorKind::LiteralOutOfRange,
                            loc,
                            format!("`c,` of ${v:x}: a byte is -128..255"),
                            "does not fit in a byte",
                        )
                        .with_label(&self.src, loc, vloc, "the value"));
                }
                self.emit_data(&[v as u8], loc)?;
                Ok(())
            }
            Allot => {
                let (n, _) = self.pop(loc)?;
                self.allot(n, loc)
            }
            Align => {
                self.align();
                Ok(())
            }
            Org => {
                let (a, aloc) = self.pop(loc)?;
                self.org(a, aloc)
            }
            Here => {
                let h = self.here as u16;
                self.host.push((h, loc));
                Ok(())
            }
            Include => {
                let t = self.operand(lx, file, loc, "a file path", true)?;
                // The path is on the same line: `include` at a line's end takes no word from
                // the next line as a file name.
                if self.src.get(file).text[loc.end..t.start].contains('\n') {
                    return Err(self
                        .err(
                            ErrorKind::MissingOperand,
                            loc,
                            "`include` needs a file path on its line".to_string(),
                            "needs a file path",
                        )
                        .with_label(&self.src, loc, loc_of(file, &t), "on the next line"));
                }
                self.include(t.text, loc_of(file, &t))
            }
            Char => {
                let t = self.operand(lx, file, loc, "a character", true)?;
                let c = t.text.chars().next().unwrap_or(' ');
                let c = source::raw_byte(c).map_or(c as u32, u32::from);
                if c > 0xffff {
                    return Err(self.err(
                        ErrorKind::LiteralOutOfRange,
                        loc_of(file, &t),
                        format!("character U+{c:X} does not fit in 16 bits"),
                        "out of range",
                    ));
                }
                self.value(c as u16, loc)
            }
            Tick => {
                let t = self.name_operand(lx, file, loc)?;
                let tloc = loc_of(file, &t);
                if let Some(s) = self.lookup(t.text) {
                    let v = s.value;
                    return self.value(v, loc);
                }
                if words::is_reserved(t.text) {
                    return Err(self.err(
                        ErrorKind::BadOperand,
                        tloc,
                        format!("`{}` is a built-in word and has no address", t.text),
                        "built in",
                    ));
                }
                if compiling && !looks_numeric(t.text) {
                    return self.forward(FixKind::Lit, t.text, loc, tloc, false);
                }
                Err(self.err(
                    ErrorKind::UndefinedName,
                    tloc,
                    format!("undefined name `{}`", t.text),
                    "not defined",
                ))
            }
            HexPrefix | DecPrefix => {
                let t = self.operand(lx, file, loc, "digits", false)?;
                let tloc = loc_of(file, &t);
                let v = parse_radix(t.text, if d == HexPrefix { 16 } else { 10 })
                    .map_err(|e| self.bad_number(e, tloc))?;
                self.value(v, loc)
            }
            Inst => {
                let t = self.operand(lx, file, loc, "an instruction word", false)?;
                let v = self.number_or_constant(t.text, loc_of(file, &t), "an instruction word")?;
                self.emit_code(v, loc)?;
                Ok(())
            }
            Jmp => self.target(FixKind::Jmp, lx, file, loc),
            Jz => self.target(FixKind::Jz, lx, file, loc),
            Call => self.target(FixKind::Call, lx, file, loc),
            If | Else | Then | Begin | Until | Again | While | Repeat | Recurse | Halt | Fetch
            | Store | IoStore | IoFetch
                if !compiling =>
            {
                Err(self.compile_only(loc))
            }
            If => self.ctrl_if(loc),
            Else => self.ctrl_else(loc),
            Then => self.ctrl_then(loc),
            Begin => {
                self.ctrl_begin(loc);
                Ok(())
            }
            Until => self.ctrl_back("until", loc),
            Again => self.ctrl_back("again", loc),
            While => self.ctrl_while(loc),
            Repeat => self.ctrl_repeat(loc),
            Recurse => self.recurse(loc),
            Halt => self.halt(loc),
            Fetch => self.fetch(loc),
            Store => self.pair(STORE, DROP, loc),
            IoStore => self.pair(IO_STORE, DROP, loc),
            IoFetch => self.pair(IO_READ, IO_T, loc),
            StringWord => Err(self.err(
                ErrorKind::UnknownWord,
                loc,
                format!("unknown word `{}`", self.text(loc)),
                "not a word here",
            )),
        }
    }

    fn pair(&mut self, a: u16, b: u16, loc: Loc) -> Result<(), AsmError> {
        self.emit_code(a, loc)?;
        self.emit_code(b, loc)?;
        Ok(())
    }

    fn include(&mut self, path: &str, loc: Loc) -> Result<(), AsmError> {
        let dir = self.src.get(loc.file).dir.clone();
        let full = dir.join(path);
        // Only regular files of a bounded size: `include /dev/zero` must not hang.
        let read =
            j1k_isa::read_input(&full, j1k_isa::MAX_PROGRAM_FILE).map(|b| source::decode(&b));
        let text = match read {
            Ok(t) => t,
            Err(e) => {
                return Err(self.err(
                    ErrorKind::IncludeNotFound,
                    loc,
                    format!("cannot include `{}`: {e}", full.display()),
                    "cannot read this file",
                ))
            }
        };
        let canon = std::fs::canonicalize(&full).ok();
        if let Some(c) = &canon {
            if let Some(i) = self
                .include_stack
                .iter()
                .position(|&f| self.src.get(f).canon.as_ref() == Some(c))
            {
                let mut chain: Vec<String> = self.include_stack[i..]
                    .iter()
                    .map(|&f| self.src.get(f).name.clone())
                    .collect();
                chain.push(full.display().to_string());
                return Err(self.err(
                    ErrorKind::CyclicInclude,
                    loc,
                    format!("cyclic include: {}", chain.join(" -> ")),
                    "includes a file that is already being included",
                ));
            }
        }
        let name = full.display().to_string();
        let sub_dir = full.parent().unwrap_or(Path::new("")).to_path_buf();
        let id = self.src.add(SourceFile::new(name, sub_dir, canon, text));
        self.run_file(id)
    }
}
