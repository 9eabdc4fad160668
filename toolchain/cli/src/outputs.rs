//! Output files checked before any work: a run must not fail after its work because an
//! output cannot be written, nor overwrite a file it reads or another of its outputs.

use crate::error::CliError;
use std::path::{Path, PathBuf};

/// Where `p` is (or would be): the canonical folder and the file name.
fn place(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = std::fs::canonicalize(p) {
        return Some(c);
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
}

/// Each of `outputs` (`--flag`, path) lies in an existing folder, is not a folder, and is
/// neither one of `inputs` nor another output.
pub fn check(inputs: &[&Path], outputs: &[(&str, &Path)]) -> Result<(), CliError> {
    let mut seen: Vec<(PathBuf, &str)> = inputs
        .iter()
        .filter_map(|p| Some((place(p)?, "the input")))
        .collect();
    for &(flag, p) in outputs {
        if p.is_dir() {
            return Err(CliError::OutputClash {
                path: p.to_path_buf(),
                what: format!("{flag} names a folder, not a file"),
            });
        }
        let Some(at) = place(p) else {
            let dir = p.parent().unwrap_or(Path::new("."));
            return Err(CliError::io(
                p,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("{flag}: no folder {}", dir.display()),
                ),
            ));
        };
        if let Some((_, what)) = seen.iter().find(|(q, _)| *q == at) {
            return Err(CliError::OutputClash {
                path: p.to_path_buf(),
                what: format!("{flag} would overwrite {what}"),
            });
        }
        seen.push((at, flag));
    }
    Ok(())
}
