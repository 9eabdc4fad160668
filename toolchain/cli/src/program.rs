//! Turning a PROGRAM argument into RAM words: an image is read, anything else is assembled.

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
