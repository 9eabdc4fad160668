//! Data-driven tests: every `.fs` file in `tests/cases/` (not its
//! subfolders, which hold files the cases include) states what it must
//! assemble to, in comments:
//!
//! - `\ expect: 0001 8005 ...` — the whole image, words in hex from word 0.
//!   Several `expect:` lines are concatenated.
//! - `\ expect @1a: 6011 ...` — the words starting at word address $1a (the
//!   image may be longer).
//! - `\ symbol: main word $0002` — a line that must appear in the symbol file.
//! - `\ listing: text` — text that must appear in the listing.
//! - `\ error: 3:7 unknown word` — assembly must fail at line 3, column 7,
//!   with that text in the message; `\ error: inc/x.fs:2:1 text` also checks
//!   the end of the file name.
//! - `\ kind: unknown_word` — the error's kind (its code without `j1k::asm::`).
//!
//! The runner checks every case and then fails once, listing every failure.

use j1k_asm::assemble_file;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Default)]
struct Expect {
    image: Option<Vec<u16>>,
    at: Vec<(usize, Vec<u16>)>,
    symbols: Vec<String>,
    listing: Vec<String>,
    error: Option<(Option<String>, usize, usize, String)>,
    kind: Option<String>,
}

fn hex_words(s: &str) -> Result<Vec<u16>, String> {
    s.split_whitespace()
        .map(|w| u16::from_str_radix(w, 16).map_err(|e| format!("bad word `{w}`: {e}")))
        .collect()
}

fn parse_expect(src: &str) -> Result<Expect, String> {
    let mut e = Expect::default();
    for line in src.lines() {
        let Some(rest) = line.trim_start().strip_prefix('\\') else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(v) = rest.strip_prefix("expect:") {
            e.image.get_or_insert_with(Vec::new).extend(hex_words(v)?);
        } else if let Some(v) = rest.strip_prefix("expect @") {
            let (addr, words) = v.split_once(':').ok_or("`expect @ADDR: words`")?;
            let addr = usize::from_str_radix(addr.trim(), 16).map_err(|e| e.to_string())?;
            e.at.push((addr, hex_words(words)?));
        } else if let Some(v) = rest.strip_prefix("symbol:") {
            e.symbols.push(v.trim().to_string());
        } else if let Some(v) = rest.strip_prefix("listing:") {
            e.listing.push(v.trim().to_string());
        } else if let Some(v) = rest.strip_prefix("kind:") {
            e.kind = Some(v.trim().to_string());
        } else if let Some(v) = rest.strip_prefix("error:") {
            let v = v.trim();
            let (pos, text) = v.split_once(' ').unwrap_or((v, ""));
            let mut parts: Vec<&str> = pos.rsplitn(3, ':').collect();
            parts.reverse();
            let (file, l, c) = match parts.as_slice() {
                [f, l, c] => (Some(f.to_string()), *l, *c),
                [l, c] => (None, *l, *c),
                _ => return Err(format!("bad error position `{pos}`")),
            };
            let l = l.parse().map_err(|_| format!("bad line in `{pos}`"))?;
            let c = c.parse().map_err(|_| format!("bad column in `{pos}`"))?;
            e.error = Some((file, l, c, text.to_string()));
        }
    }
    if e.image.is_none()
        && e.at.is_empty()
        && e.error.is_none()
        && e.symbols.is_empty()
        && e.listing.is_empty()
    {
        return Err("no `expect:`, `expect @`, `symbol:`, `listing:` or `error:` line".into());
    }
    Ok(e)
}

fn fmt_words(w: &[u16]) -> String {
    w.iter()
        .map(|w| format!("{w:04x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn check(path: &Path) -> Result<(), String> {
    let src =
        String::from_utf8_lossy(&std::fs::read(path).map_err(|e| e.to_string())?).into_owned();
    let exp = parse_expect(&src)?;
    let result = assemble_file(path);
    if let Some((file, line, col, text)) = &exp.error {
        let err = match result {
            Ok(a) => {
                return Err(format!(
                    "assembled, expected an error; image {}",
                    fmt_words(&a.words)
                ))
            }
            Err(e) => e,
        };
        let shown = err.to_string();
        let Some((f, l, c)) = err.location() else {
            return Err(format!("error without a location: {shown}"));
        };
        if (l, c) != (*line, *col)
            || file
                .as_ref()
                .is_some_and(|want| !f.ends_with(want.as_str()))
        {
            return Err(format!(
                "error at {f}:{l}:{c}, expected {}{line}:{col}: {shown}",
                file.as_ref().map(|f| format!("{f}:")).unwrap_or_default()
            ));
        }
        if !shown.contains(text.as_str()) {
            return Err(format!("error message lacks `{text}`: {shown}"));
        }
        if !shown.contains(&format!(":{l}:{c}: ")) {
            return Err(format!("Display lacks :line:col: {shown}"));
        }
        if let Some(k) = &exp.kind {
            let code = err.kind().code();
            if code.strip_prefix("j1k::asm::") != Some(k.as_str()) {
                return Err(format!("error kind {code}, expected {k}: {shown}"));
            }
        }
        return Ok(());
    }
    let asm = result.map_err(|e| format!("unexpected error: {e}"))?;
    let mut problems = String::new();
    if let Some(img) = &exp.image {
        if &asm.words != img {
            let _ = write!(
                problems,
                "\n    image:    {}\n    expected: {}",
                fmt_words(&asm.words),
                fmt_words(img)
            );
        }
    }
    for (addr, want) in &exp.at {
        let got = asm.words.get(*addr..*addr + want.len());
        if got != Some(want.as_slice()) {
            let got = asm.words.get(*addr..).unwrap_or(&[]);
            let got = &got[..got.len().min(want.len())];
            let _ = write!(
                problems,
                "\n    at ${addr:x}: {}\n    expected: {}",
                fmt_words(got),
                fmt_words(want)
            );
        }
    }
    let syms = asm.symbol_file();
    for s in &exp.symbols {
        if !syms.lines().any(|l| l == s) {
            let _ = write!(problems, "\n    no symbol line `{s}` in:\n{syms}");
        }
    }
    let listing = asm.listing();
    for s in &exp.listing {
        if !listing.contains(s.as_str()) {
            let _ = write!(problems, "\n    listing lacks `{s}`:\n{listing}");
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[test]
fn cases() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/cases")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "fs"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 50, "only {} cases", paths.len());
    let mut failed = Vec::new();
    for p in &paths {
        if let Err(why) = check(p) {
            failed.push(format!(
                "{}: {why}",
                p.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    if !failed.is_empty() {
        panic!(
            "{} of {} cases failed:\n  {}",
            failed.len(),
            paths.len(),
            failed.join("\n  ")
        );
    }
    eprintln!("{} cases passed", paths.len());
}
