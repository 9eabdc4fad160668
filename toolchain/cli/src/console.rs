//! UART 0 of core 0 on the process's stdin and stdout.
//!
//! Input is read one byte at a time, only when the simulator asks (it asks only
//! when the program looks at the UART), so a run fed from a file or a pipe is
//! deterministic: it waits for the writer instead of racing it. Output is
//! buffered and flushed at each newline, before every wait for input, and at the end; the
//! first write error (a full disk, a closed pipe) is kept and reported when the run ends.

use j1k_sim::Uart;
use std::io::{Read, Write};

pub struct StdioUart {
    input: std::io::Stdin,
    output: std::io::BufWriter<std::io::Stdout>,
    eof: bool,
    error: Option<std::io::Error>,
}

impl StdioUart {
    pub fn new() -> StdioUart {
        StdioUart {
            input: std::io::stdin(),
            output: std::io::BufWriter::new(std::io::stdout()),
            eof: false,
            error: None,
        }
    }

    pub fn flush(&mut self) {
        if let Err(e) = self.output.flush() {
            self.error.get_or_insert(e);
        }
    }

    /// Flushes what is left; the first write error of the run, if any.
    pub fn finish(&mut self) -> Result<(), crate::error::CliError> {
        self.flush();
        match self.error.take() {
            Some(e) => Err(crate::error::CliError::io("<stdout>", e)),
            None => Ok(()),
        }
    }
}

impl Uart for StdioUart {
    fn rx(&mut self) -> Option<u8> {
        if self.eof {
            return None;
        }
        self.flush();
        let mut b = [0u8; 1];
        loop {
            match self.input.read(&mut b) {
                Ok(1) => return Some(b[0]),
                Ok(_) => {
                    self.eof = true;
                    return None;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.eof = true;
                    return None;
                }
            }
        }
    }

    fn tx(&mut self, byte: u8) {
        if let Err(e) = self.output.write_all(&[byte]) {
            self.error.get_or_insert(e);
        }
        if byte == b'\n' {
            self.flush();
        }
    }
}
