//! `j1k disasm IMAGE`: one line per word — word address, the word, its disassembly.

use crate::error::CliError;
use crate::program::read_image;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct DisasmArgs {
    /// Image file (.hex, .bin or .ihex)
    image: PathBuf,
    /// Also print trailing zero words (by default the listing stops at the last non-zero word)
    #[arg(long)]
    all: bool,
}

pub fn run(a: DisasmArgs) -> Result<(), CliError> {
    let words = read_image(&a.image)?;
    let end = if a.all {
        words.len()
    } else {
        words.iter().rposition(|&w| w != 0).map_or(0, |p| p + 1)
    };
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let written = words[..end]
        .iter()
        .enumerate()
        .try_for_each(|(addr, &w)| {
            let insn = j1k_isa::decode(w);
            writeln!(out, "{addr:04x}  {w:04x}  {insn}")
        })
        .and_then(|()| out.flush());
    match written {
        // A reader that stopped early (`j1k disasm x.hex | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::io("<stdout>", e)),
        Ok(()) => Ok(()),
    }
}
