//! Turning a PROGRAM argument into RAM words: an image is read, anything else is assembled.

use crate::build_cmd::BOOT_START;
use crate::error::CliError;
use j1k_isa::image::{self, Format};
use std::path::Path;

/// Reads an image file in the format its extension names.
pub fn read_image(path: &Path) -> Result<Vec<u16>, CliError> {
    let format = Format::from_path(path).ok_or_else(|| CliError::UnknownFormat {
        path: path.to_path_buf(),
    })?;
    let bytes =
        j1k_isa::read_input(path, j1k_isa::MAX_PROGRAM_FILE).map_err(|e| CliError::io(path, e))?;
    image::read(&bytes, format).map_err(|cause| CliError::Image {
        path: path.to_path_buf(),
        cause,
    })
}

/// A source file is assembled; `.hex`, `.bin` and `.ihex` files are loaded as they are.
pub fn load_program(path: &Path) -> Result<Vec<u16>, CliError> {
    if Format::from_path(path).is_some() {
        return read_image(path);
    }
    if !path.exists() {
        return Err(CliError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    Ok(j1k_asm::assemble_file(path)?.words)
}

/// A program for a board's RAM, under the firmware (`load`, `build --image`, `verilog
/// --image`): as [`load_program`], refusing an empty one, with zero padding from the
/// firmware's first word (`$B00`) up dropped — a `$readmemh` image of 4096 lines, zero above
/// the program, as J1a tools write them — and said on stderr. A word there that is not zero
/// stays, for the caller to refuse.
pub fn board_program(path: &Path) -> Result<Vec<u16>, CliError> {
    let mut words = load_program(path)?;
    if words.is_empty() {
        return Err(CliError::BoardImage {
            message: format!("{}: the image has no words", path.display()),
            help: j1k_loader::error::EMPTY_IMAGE_HELP,
        });
    }
    let limit = BOOT_START;
    if words.len() > limit && words[limit..].iter().all(|&w| w == 0) {
        eprintln!(
            "j1k: {}: words ${limit:x}..${:x} are zero, taken as padding (the firmware lives there)",
            path.display(),
            words.len() - 1
        );
        words.truncate(limit);
    }
    Ok(words)
}
