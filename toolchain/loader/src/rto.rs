//! How long to wait for an answer (docs/protocol.md §4): the line-time formula, stretched by
//! what the board has shown — an estimate of its latency (Jacobson/Karels, as TCP's
//! RFC 6298) and a doubling after each timeout. A board slower than its line (a loaded
//! machine, the RTL simulated board, a network serial bridge) is then waited for; with the
//! formula alone each retransmission queues behind the frames the board is still working
//! through, every answer comes too late, and the upload gives up on a board that works.
//!
//! What is learnt is the latency beyond the line time, the same for any frame size. A
//! resent `WRITE` takes a new SEQ, so every answer, even a late one to a frame given up on,
//! names the transmission it answers: that late answer is how a slow board's pace is first
//! learnt. The other commands resend the same SEQ (a late answer is taken as the answer),
//! so only a first try's round trip is a sample (Karn's rule).

use std::time::Duration;

/// No timeout grows beyond this (unless the line time itself says more: a slow baud rate).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(2);
/// Timeouts in a row double the wait, up to 2^3 ×, until an answer is timed: a board that
/// is only slow (the RTL simulated board on a loaded machine answers its first frame after
/// hundreds of ms, behind the connect's INFOs) gets the time to answer once and teach the
/// estimate its pace. The price is paid on a lossy line, where timeouts are losses, not
/// slowness: `a_faulty_line_never_starts_a_partial_image` (about 4 % of all bytes hit)
/// took 56 s against 26 s without backoff (76 s at 2^5); a line that loses a frame now
/// and then does not notice.
const MAX_BACKOFF: u32 = 3;

/// What one board has shown of its latency beyond the line, and the backoff.
#[derive(Clone, Debug, Default)]
pub struct Rto {
    /// Smoothed latency beyond the line time, and its mean deviation.
    srtt: Option<Duration>,
    rttvar: Duration,
    backoff: u32,
}

impl Rto {
    /// The timeout for a frame whose line time (2 × its and its answer's bytes × the byte
    /// time, plus known extras) is `line`: that plus the latency — `latency` (the option:
    /// USB adapters), or this board's estimate when longer — doubled per timeout in a row.
    pub fn timeout(&self, line: Duration, latency: Duration) -> Duration {
        let estimate = self.srtt.map_or(Duration::ZERO, |s| s + 4 * self.rttvar);
        let t = (line + latency.max(estimate)) * (1 << self.backoff);
        t.min(MAX_TIMEOUT.max(line + latency))
    }

    /// An answer came `rtt` after its frame, of line time `line`, was sent. What is beyond
    /// the line time is the board's (and the link's) latency, the same for any frame size.
    pub fn sample(&mut self, rtt: Duration, line: Duration) {
        let x = rtt.saturating_sub(line);
        match self.srtt {
            None => {
                self.srtt = Some(x);
                self.rttvar = x / 2;
            }
            Some(s) => {
                let err = s.abs_diff(x);
                self.rttvar = (self.rttvar * 3 + err) / 4;
                self.srtt = Some((s * 7 + x) / 8);
            }
        }
        self.backoff = 0;
    }

    /// A frame went unanswered: the next waits twice as long.
    pub fn timed_out(&mut self) {
        self.backoff = (self.backoff + 1).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);
    const USB: Duration = Duration::from_millis(20);

    #[test]
    fn a_fresh_estimate_is_the_formula() {
        assert_eq!(Rto::default().timeout(5 * MS, USB), 25 * MS);
    }

    #[test]
    fn timeouts_double_up_to_the_limit_and_a_timed_answer_ends_the_backoff() {
        let mut r = Rto::default();
        r.timed_out();
        assert_eq!(r.timeout(5 * MS, USB), 50 * MS);
        r.timed_out();
        assert_eq!(r.timeout(5 * MS, USB), 100 * MS);
        for _ in 0..10 {
            r.timed_out();
        }
        assert_eq!(r.timeout(MS, USB), 8 * 21 * MS, "at most 8x");
        assert_eq!(r.timeout(300 * MS, USB), MAX_TIMEOUT, "at most 2 s");
        // A slow baud rate's line time is above the cap: the line time wins.
        assert_eq!(r.timeout(3000 * MS, USB), 3020 * MS);
        r.sample(35 * MS, 5 * MS);
        assert_eq!(
            r.timeout(5 * MS, USB),
            95 * MS,
            "5 + 30 + 4 × 15 ms, no backoff"
        );
    }

    #[test]
    fn a_slow_board_raises_the_latency_for_every_frame_size() {
        let mut r = Rto::default();
        for _ in 0..20 {
            r.sample(125 * MS, 5 * MS);
        }
        let t = r.timeout(MS, USB);
        assert!(t > 121 * MS && t < 141 * MS, "{t:?}");
        // Answers that take only their line time bring it back to the option's latency.
        for _ in 0..40 {
            r.sample(60 * MS, 60 * MS);
        }
        assert_eq!(r.timeout(60 * MS, USB), 80 * MS);
    }
}
