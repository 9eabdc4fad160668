//! The miette side of errors: the right source file, both labels, help.

use j1k_asm::{assemble_file, assemble_str, ErrorKind};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use std::path::PathBuf;

fn render(e: &dyn Diagnostic) -> String {
    let mut s = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(200)
        .render_report(&mut s, e)
        .unwrap();
    s
}

fn case(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases")
        .join(name)
}

#[test]
fn error_in_included_file_shows_that_file() {
    let e = assemble_file(&case("err_in_included_file.fs")).unwrap_err();
    let r = render(&e);
    assert!(r.contains("inc/bad.fs:2:3"), "{r}");
    assert!(r.contains("1 frob"), "{r}");
    assert!(!r.contains("include inc/bad.fs"), "{r}");
}

#[test]
fn mismatch_labels_opener_and_closer() {
    let e = assemble_str("m.fs", ": main begin 1 then ;").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ControlStructure);
    let labels: Vec<_> = e.labels().unwrap().collect();
    assert_eq!(labels.len(), 2);
    let spans: Vec<(usize, usize)> = labels.iter().map(|l| (l.offset(), l.len())).collect();
    assert!(spans.contains(&(15, 4)), "then: {spans:?}");
    assert!(spans.contains(&(7, 5)), "begin: {spans:?}");
    assert_eq!(
        e.to_string(),
        "m.fs:1:16: `then` does not match the open `begin`"
    );
    assert!(e.help().is_some());
    assert_eq!(e.code().unwrap().to_string(), "j1k::asm::control_structure");
}

#[test]
fn duplicate_in_another_file_is_a_related_note() {
    let e = assemble_file(&case("err_duplicate_include.fs")).unwrap_err();
    let related: Vec<_> = e.related().expect("a related note").collect();
    assert_eq!(related.len(), 1);
    let r = render(&e);
    assert!(r.contains("first defined here"), "{r}");
    assert!(r.contains(": twice dup + ;"), "{r}");
}

#[test]
fn no_main_help() {
    let e = assemble_str("p.fs", ": start ;").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoMain);
    assert_eq!(
        e.help().unwrap().to_string(),
        "define `: main ... ;` — execution starts at word 0, which jumps to main"
    );
    assert_eq!(e.location(), Some(("p.fs".to_string(), 1, 10)));
}

#[test]
fn every_kind_has_code_and_help() {
    use ErrorKind::*;
    let kinds = [
        UnknownWord,
        LiteralOutOfRange,
        AddressOutOfRange,
        UndefinedName,
        DuplicateName,
        ControlStructure,
        ImageTooLarge,
        Overlap,
        IncludeNotFound,
        CyclicInclude,
        BadNumber,
        MissingOperand,
        BadOperand,
        Unterminated,
        SemicolonWithoutColon,
        NoMain,
        WrongMode,
        StackUnderflow,
        LeftOnStack,
        NotCode,
        Io,
    ];
    for k in kinds {
        assert!(k.code().starts_with("j1k::asm::"));
        assert!(!k.help().is_empty() && !k.help().contains('\n'));
    }
}

#[test]
fn unreadable_top_file() {
    let e = assemble_file(&case("does-not-exist.fs")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.location().is_none());
}

/// Issue 16: a source of one 20 MB token (no newline) after a short line reports its error
/// in a few lines, not the whole token (a 50 MB one took minutes to print): the label marks
/// the token's first bytes, the line is cut around it, and the place is still right.
#[test]
fn a_huge_token_is_reported_in_a_short_excerpt() {
    let src = format!(": main ;\n  {}\n", "x".repeat(20 << 20));
    let e = assemble_str("big.fs", &src).unwrap_err();
    assert_eq!(e.location(), Some(("big.fs".into(), 2, 3)));
    let r = render(&e);
    assert!(r.len() < 4096, "{} bytes of report", r.len());
    assert!(r.contains("big.fs:2:3"), "{r}");
    assert!(r.contains(" 2 │   xxxx"), "the line, from its start: {r}");
    // A short line is shown whole, as before.
    let e = assemble_str("small.fs", ": main frob ;").unwrap_err();
    assert!(render(&e).contains(": main frob ;"));
}

/// The excerpt cut in the middle of a long line keeps the line and column of what it shows.
#[test]
fn an_error_late_in_a_long_line_keeps_its_place() {
    let src = format!(": main {} frob ;\n", "1 drop ".repeat(2000));
    let e = assemble_str("long.fs", &src).unwrap_err();
    let col = 8 + 7 * 2000 + 1;
    assert_eq!(e.location(), Some(("long.fs".into(), 1, col)));
    let r = render(&e);
    assert!(r.len() < 4096, "{} bytes of report", r.len());
    assert!(r.contains(&format!("long.fs:1:{col}")), "{r}");
    assert!(r.contains("frob"), "{r}");
}
