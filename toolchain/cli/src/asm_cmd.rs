//! `j1k asm SRC -o OUT [--listing FILE] [--symbols FILE]`

use crate::error::CliError;
use clap::Args;
use j1k_isa::image::{self, Format};
use std::path::PathBuf;

#[derive(Args)]
pub struct AsmArgs {
    /// Source file
    src: PathBuf,
    /// Output image; the extension picks the format: .hex, .bin or .ihex
    #[arg(short, long)]
    output: PathBuf,
    /// Also write a listing (address, word, disassembly, source line)
    #[arg(long, value_name = "FILE")]
    listing: Option<PathBuf>,
    /// Also write the symbol table
    #[arg(long, value_name = "FILE")]
    symbols: Option<PathBuf>,
}

pub fn run(a: AsmArgs) -> Result<(), CliError> {
    let format = Format::from_path(&a.output).ok_or_else(|| CliError::UnknownFormat {
        path: a.output.clone(),
    })?;
    if !a.src.exists() {
        return Err(CliError::io(
            &a.src,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    // Every output checked, then everything assembled, before anything is written: a failed
    // run leaves no half-written files and overwrites nothing it reads.
    let mut outs = vec![("-o", a.output.as_path())];
    outs.extend(a.listing.as_deref().map(|p| ("--listing", p)));
    outs.extend(a.symbols.as_deref().map(|p| ("--symbols", p)));
    crate::outputs::check(&[&a.src], &outs)?;
    let asm = j1k_asm::assemble_file(&a.src)?;
    let bytes = image::write(&asm.words, format);
    std::fs::write(&a.output, bytes).map_err(|e| CliError::io(&a.output, e))?;
    if let Some(p) = &a.listing {
        std::fs::write(p, asm.listing()).map_err(|e| CliError::io(p, e))?;
    }
    if let Some(p) = &a.symbols {
        std::fs::write(p, asm.symbol_file()).map_err(|e| CliError::io(p, e))?;
    }
    Ok(())
}
