//! Progress of an upload: an indicatif bar with bytes and rate on a terminal, plain lines
//! otherwise, nothing in tests.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

/// What the client reports while it works.
pub trait Progress {
    /// A phase starts (`"write"`, `"verify"`) with `total` payload bytes.
    fn begin(&mut self, phase: &str, total: u64);
    /// `bytes` more payload bytes are done.
    fn advance(&mut self, bytes: u64);
    /// The phase is done.
    fn end(&mut self);
}

/// Reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn begin(&mut self, _: &str, _: u64) {}
    fn advance(&mut self, _: u64) {}
    fn end(&mut self) {}
}

/// A bar on stderr with bytes and rate; when stderr is not a terminal, one plain line per
/// phase (`write: 8192 bytes in 0.80 s, 10.2 KiB/s`).
pub struct BarProgress {
    bar: Option<ProgressBar>,
    phase: String,
    total: u64,
    done: u64,
    start: Instant,
    terminal: bool,
}

impl Default for BarProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl BarProgress {
    pub fn new() -> BarProgress {
        BarProgress {
            bar: None,
            phase: String::new(),
            total: 0,
            done: 0,
            start: Instant::now(),
            terminal: std::io::stderr().is_terminal(),
        }
    }
}

impl Progress for BarProgress {
    fn begin(&mut self, phase: &str, total: u64) {
        self.phase = phase.to_string();
        self.total = total;
        self.done = 0;
        self.start = Instant::now();
        if self.terminal {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:>7} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_prefix(phase.to_string());
            self.bar = Some(bar);
        }
    }

    fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        if let Some(b) = &self.bar {
            b.inc(bytes);
        }
    }

    fn end(&mut self) {
        let secs = self.start.elapsed().as_secs_f64();
        if let Some(b) = self.bar.take() {
            b.finish();
        }
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            summary(&self.phase, self.done, secs)
        );
    }
}

/// The line that ends a phase: its bytes, its time, and its rate when the time says
/// something (a phase of a few milliseconds gives no meaningful rate: a read-back of a
/// small image printed "638276.1 KiB/s").
fn summary(phase: &str, bytes: u64, secs: f64) -> String {
    if secs >= 0.05 {
        let rate = bytes as f64 / secs / 1024.0;
        format!("{phase}: {bytes} bytes in {secs:.2} s, {rate:.1} KiB/s")
    } else {
        format!("{phase}: {bytes} bytes in {secs:.2} s")
    }
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn a_rate_is_given_only_for_a_phase_that_took_time() {
        assert_eq!(
            summary("write", 8192, 0.8),
            "write: 8192 bytes in 0.80 s, 10.0 KiB/s"
        );
        assert_eq!(
            summary("verify", 324, 0.0005),
            "verify: 324 bytes in 0.00 s"
        );
    }
}
