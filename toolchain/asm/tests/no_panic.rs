//! The assembler never panics: on random token soup and on random text it
//! returns `Ok` or an error whose one-line form carries `file:line:col`.

use j1k_asm::assemble_str;
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    ":",
    ";",
    ";fallthru",
    "main",
    "foo",
    "bar",
    "if",
    "else",
    "then",
    "begin",
    "until",
    "again",
    "while",
    "repeat",
    "recurse",
    "exit",
    "halt",
    "(",
    ")",
    "\\",
    "\n",
    "\"",
    ",\"",
    "s,\"",
    ",",
    "c,",
    "allot",
    "align",
    "org",
    "here",
    "constant",
    "variable",
    "create",
    "label",
    "'",
    "[']",
    "char",
    "[char]",
    "h#",
    "d#",
    "inst",
    "jmp",
    "jz",
    "call",
    "@",
    "!",
    "io@",
    "io!",
    "dup",
    "drop",
    "+",
    "-",
    "*",
    "lshift",
    "negate",
    "swap",
    "over",
    ">r",
    "r>",
    "tuck!",
    "bsel",
    "nsel",
    "b0",
    "b9",
    "n3",
    "nb@",
    "nn@",
    "nn!i",
    "b@",
    "balloc",
    "alu(T+N,d-1)",
    "alu(T,T)",
    "alu(",
    "0",
    "1",
    "-1",
    "31",
    "32",
    "$7fff",
    "$8000",
    "65535",
    "65536",
    "$1fff",
    "$2000",
    "8192",
    "%101",
    "0x",
    "'A'",
    "12ab",
    "$",
    "include",
    "\u{e9}",
    "\u{1F600}",
    "\t",
    "\r\n",
];

fn check(src: &str) {
    match assemble_str("fuzz.fs", src) {
        Ok(a) => assert!(a.words.len() <= 4096),
        Err(e) => {
            let (file, line, col) = e.location().expect("a location");
            assert_eq!(file, "fuzz.fs");
            let shown = e.to_string();
            assert!(
                shown.starts_with(&format!("fuzz.fs:{line}:{col}: ")),
                "{shown}"
            );
            // The fancy report renders without panicking too.
            let _ = format!("{:?}", miette::Report::new(e));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn token_soup(toks in prop::collection::vec(prop::sample::select(TOKENS), 0..60),
                  seps in prop::collection::vec(prop::sample::select(&[" ", "  ", "\n", "\t"][..]), 60)) {
        let mut src = String::new();
        for (t, s) in toks.iter().zip(seps.iter()) {
            src.push_str(t);
            src.push_str(s);
        }
        check(&src);
    }

    #[test]
    fn token_soup_with_main(toks in prop::collection::vec(prop::sample::select(TOKENS), 0..40)) {
        // Mostly well-formed around a main, so more of the code generator runs.
        let src = format!(": main {} ;", toks.join(" "));
        check(&src);
    }

    #[test]
    fn random_text(s in "\\PC{0,200}") {
        check(&s);
    }

    #[test]
    fn random_bytes(b in prop::collection::vec(any::<u8>(), 0..300)) {
        check(&String::from_utf8_lossy(&b));
    }
}
