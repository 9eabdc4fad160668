//! Operand forms that need no symbol table: the generic `alu(...)` token and
//! key-register operands `b0`..`b7`, `n0`..`n3`.

use j1k_isa::{Alu, AluOp, Func};

/// What an `alu(...)` field may be (the help line of a bad field).
pub(crate) const ALU_FIELDS_HELP: &str = "alu(...) fields: one T' code (T N T+N T&N T|N T^N ~T N==T N<T T2/ T2* rT N-T io[T] status Nu<T), \
     at most one side effect (T->N T->R N->[T] N->io[T] _IORD_ func6 func7), d+1/d-1/d-2, r+1/r-1/r-2, RET; any order";

/// A problem with part of a token: byte range relative to the token start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

fn field_err(start: usize, end: usize, message: impl Into<String>) -> FieldError {
    FieldError {
        start,
        end,
        message: message.into(),
    }
}

fn delta(s: &str) -> Option<i8> {
    match s {
        "+1" => Some(1),
        "-1" => Some(-1),
        "-2" => Some(-2),
        _ => None,
    }
}

/// Parses `alu(OP,FUNC,d±n,r±n,RET)`: fields in any order, case-insensitive,
/// exactly one T' code, at most one of each other kind.
pub(crate) fn parse_alu(tok: &str) -> Result<u16, FieldError> {
    let Some(inner) = tok.get(4..).and_then(|s| s.strip_suffix(')')) else {
        return Err(field_err(
            0,
            tok.len(),
            format!("`{tok}` needs a closing `)`: alu(T+N,T->N,d+1,r-1,RET)"),
        ));
    };
    let mut op: Option<AluOp> = None;
    let mut func: Option<Func> = None;
    let mut dd: Option<i8> = None;
    let mut rd: Option<i8> = None;
    let mut ret = false;
    let mut pos = 4;
    for f in inner.split(',') {
        let (s, e) = (pos, pos + f.len());
        pos = e + 1;
        let dup = |what: &str| field_err(s, e, format!("second {what} `{f}` in `{tok}`"));
        if f.is_empty() {
            return Err(field_err(
                s,
                e.max(s + 1).min(tok.len()),
                "empty field in alu(...)",
            ));
        }
        if f.eq_ignore_ascii_case("ret") {
            if ret {
                return Err(dup("RET"));
            }
            ret = true;
        } else if let Some(d) = f
            .strip_prefix(['d', 'D'])
            .filter(|r| r.starts_with(['+', '-']))
        {
            let v = delta(d).ok_or_else(|| {
                field_err(s, e, format!("bad data-stack delta `{f}`: d+1, d-1 or d-2"))
            })?;
            if dd.replace(v).is_some() {
                return Err(dup("data-stack delta"));
            }
        } else if let Some(d) = f
            .strip_prefix(['r', 'R'])
            .filter(|r| r.starts_with(['+', '-']))
        {
            let v = delta(d).ok_or_else(|| {
                field_err(
                    s,
                    e,
                    format!("bad return-stack delta `{f}`: r+1, r-1 or r-2"),
                )
            })?;
            if rd.replace(v).is_some() {
                return Err(dup("return-stack delta"));
            }
        } else if let Some(o) = AluOp::from_name(f) {
            if op.replace(o).is_some() {
                return Err(dup("T' code"));
            }
        } else if let Some(fu) = Func::from_name(f) {
            if func.replace(fu).is_some() {
                return Err(dup("side effect"));
            }
        } else {
            return Err(field_err(s, e, format!("unknown alu(...) field `{f}`")));
        }
    }
    let Some(op) = op else {
        return Err(field_err(
            0,
            tok.len(),
            format!("`{tok}` has no T' code (T, N, T+N, ...)"),
        ));
    };
    Ok(Alu {
        op,
        ret,
        func: func.unwrap_or(Func::None),
        rdelta: rd.unwrap_or(0),
        ddelta: dd.unwrap_or(0),
    }
    .encode())
}

/// `b0`..`b7` (prefix `b`) or `n0`..`n3` (prefix `n`).
pub(crate) fn parse_reg(s: &str, prefix: char, count: u8) -> Option<u8> {
    let mut cs = s.chars();
    let p = cs.next()?;
    let d = cs.next()?;
    if cs.next().is_some() || !p.eq_ignore_ascii_case(&prefix) {
        return None;
    }
    let v = d.to_digit(10)? as u8;
    (v < count).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use j1k_isa::decode;

    #[test]
    fn alu_forms() {
        assert_eq!(parse_alu("alu(T+N,T->N,d+1,r-1,RET)"), Ok(0x629d));
        assert_eq!(parse_alu("ALU(ret,r-1,t)"), Ok(0x608c));
        assert_eq!(parse_alu("alu(N,d-1)"), Ok(0x6103));
        assert_eq!(parse_alu("alu(T2*,T->N,d-1)"), Ok(0x6a13));
        assert_eq!(decode(0x6a13).to_string(), "alu(T2*,T->N,d-1)");
    }

    #[test]
    fn alu_errors() {
        let e = parse_alu("alu(T,T)").unwrap_err();
        assert_eq!((e.start, e.end), (6, 7));
        let e = parse_alu("alu(T,d+2)").unwrap_err();
        assert_eq!((e.start, e.end), (6, 9));
        assert!(parse_alu("alu(T").is_err());
        assert!(parse_alu("alu()").is_err());
        assert!(parse_alu("alu(d+1)").is_err());
        assert!(parse_alu("alu(T,,d+1)").is_err());
        assert!(parse_alu("alu(frob)").is_err());
    }

    #[test]
    fn regs() {
        assert_eq!(parse_reg("b7", 'b', 8), Some(7));
        assert_eq!(parse_reg("N3", 'n', 4), Some(3));
        assert_eq!(parse_reg("n4", 'n', 4), None);
        assert_eq!(parse_reg("b", 'b', 8), None);
        assert_eq!(parse_reg("b10", 'b', 8), None);
    }
}
