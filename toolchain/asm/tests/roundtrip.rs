//! Every 16-bit word, disassembled by j1k_isa and assembled back inside a
//! definition at address 0, gives the same word: the assembler's syntax and
//! the disassembler's output are one table.

use j1k_asm::assemble_str;
use j1k_isa::decode;

#[test]
fn every_word_round_trips() {
    let mut failures = Vec::new();
    for w in 0..=u16::MAX {
        let text = decode(w).to_string();
        let src = format!("0 org : t {text} ;fallthru");
        match assemble_str("roundtrip.fs", &src) {
            Ok(a) if a.words == [w] => {}
            Ok(a) => failures.push(format!("{w:04x} `{text}` -> {:04x?}", a.words)),
            Err(e) => failures.push(format!("{w:04x} `{text}` -> {e}")),
        }
        if failures.len() >= 20 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn disassembly_round_trips_as_a_program() {
    // The same, as whole programs of 4096 words: every ALU word, then every
    // key word, in sequence.
    for class in [0x6000u16, 0x7000] {
        let words: Vec<u16> = (class..class + 0x1000).collect();
        let body: Vec<String> = words.iter().map(|&w| decode(w).to_string()).collect();
        let src = format!("0 org : t\n{}\n;fallthru", body.join("\n"));
        let a = assemble_str("program.fs", &src).unwrap();
        assert_eq!(a.words, words);
    }
}
