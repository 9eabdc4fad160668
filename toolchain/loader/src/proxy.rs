//! Fault injection for tests: drop, flip, duplicate and delay bytes at set rates, seeded.
//!
//! [`Faults`] decides per byte; [`FaultyLink`] wraps a [`Link`] and applies faults to what it
//! sends and receives (in-process tests); [`spawn_proxy`] sits between two links — for
//! instance the master of a fresh pseudo-terminal (the loader opens its slave) and the slave
//! that `j1k sim --pty` printed — and pumps bytes both ways through [`Faults`].

use crate::link::Link;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Rates are "one in N" per byte, 0 = never. A byte is dropped, or else flipped (one random
/// bit), and may also be duplicated; a delay holds the stream (every later byte waits too).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultConfig {
    pub seed: u64,
    pub drop_one_in: u32,
    pub flip_one_in: u32,
    pub dup_one_in: u32,
    pub delay_one_in: u32,
    /// The longest delay (each delay is uniform in 0..=max).
    pub delay_max: Duration,
}

impl FaultConfig {
    /// Every fault at one in `n`, delays up to `delay_max`.
    pub fn all(seed: u64, n: u32, delay_max: Duration) -> FaultConfig {
        FaultConfig {
            seed,
            drop_one_in: n,
            flip_one_in: n,
            dup_one_in: n,
            delay_one_in: n,
            delay_max,
        }
    }
}

/// What the faults did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultStats {
    pub bytes: u64,
    pub dropped: u64,
    pub flipped: u64,
    pub duplicated: u64,
    pub delayed: u64,
}

/// A seeded per-byte fault decider (xorshift64*; no dependency, same faults every run).
#[derive(Clone, Debug)]
pub struct Faults {
    cfg: FaultConfig,
    state: u64,
    pub stats: FaultStats,
}

impl Faults {
    pub fn new(cfg: FaultConfig) -> Faults {
        Faults {
            cfg,
            state: cfg.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            stats: FaultStats::default(),
        }
    }

    fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn hit(&mut self, one_in: u32) -> bool {
        one_in != 0 && self.next_u64().is_multiple_of(one_in as u64)
    }

    /// Passes `data` through the faults; returns what comes out and a delay to wait before
    /// sending it (the sum of the delays drawn).
    pub fn apply(&mut self, data: &[u8]) -> (Vec<u8>, Duration) {
        let mut out = Vec::with_capacity(data.len() + 4);
        let mut delay = Duration::ZERO;
        for &b in data {
            self.stats.bytes += 1;
            if self.hit(self.cfg.delay_one_in) {
                self.stats.delayed += 1;
                let max = self.cfg.delay_max.as_micros() as u64;
                delay += Duration::from_micros(if max == 0 {
                    0
                } else {
                    self.next_u64() % (max + 1)
                });
            }
            if self.hit(self.cfg.drop_one_in) {
                self.stats.dropped += 1;
                continue;
            }
            let mut b = b;
            if self.hit(self.cfg.flip_one_in) {
                self.stats.flipped += 1;
                b ^= 1 << (self.next_u64() % 8);
            }
            out.push(b);
            if self.hit(self.cfg.dup_one_in) {
                self.stats.duplicated += 1;
                out.push(b);
            }
        }
        (out, delay)
    }
}

/// A link whose both directions go through [`Faults`] (each direction its own stream).
pub struct FaultyLink<L: Link> {
    inner: L,
    tx: Faults,
    rx: Faults,
}

impl<L: Link> FaultyLink<L> {
    pub fn new(inner: L, cfg: FaultConfig) -> FaultyLink<L> {
        let mut rx_cfg = cfg;
        rx_cfg.seed = cfg.seed ^ 0x5555_aaaa_5555_aaaa;
        FaultyLink {
            inner,
            tx: Faults::new(cfg),
            rx: Faults::new(rx_cfg),
        }
    }

    /// Faults done to (sent, received) bytes.
    pub fn stats(&self) -> (FaultStats, FaultStats) {
        (self.tx.stats, self.rx.stats)
    }

    pub fn into_inner(self) -> L {
        self.inner
    }
}

impl<L: Link> Link for FaultyLink<L> {
    fn send(&mut self, data: &[u8]) -> io::Result<()> {
        let (out, delay) = self.tx.apply(data);
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        self.inner.send(&out)
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        // Received bytes may grow (duplicates): read at most half the buffer.
        let half = (buf.len() / 2).max(1);
        let mut tmp = vec![0u8; half];
        let n = self.inner.recv(&mut tmp, timeout)?;
        if n == 0 {
            return Ok(0);
        }
        let (out, delay) = self.rx.apply(&tmp[..n]);
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let m = out.len().min(buf.len());
        buf[..m].copy_from_slice(&out[..m]);
        Ok(m)
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.inner.discard_input()
    }

    fn name(&self) -> String {
        format!("faulty({})", self.inner.name())
    }
}

/// A running proxy; [`ProxyHandle::stop`] ends it and returns the faults done in each
/// direction (a→b, b→a).
pub struct ProxyHandle {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    stats: Arc<Mutex<(FaultStats, FaultStats)>>,
    enabled: Arc<AtomicBool>,
}

impl ProxyHandle {
    /// Turns the faults off (true) or on again (false): a clean line for the next upload.
    pub fn set_clean(&self, clean: bool) {
        self.enabled.store(!clean, Ordering::SeqCst);
    }

    pub fn stats(&self) -> (FaultStats, FaultStats) {
        *self.stats.lock().unwrap()
    }

    pub fn stop(mut self) -> (FaultStats, FaultStats) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.stats()
    }
}

impl Drop for ProxyHandle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Pumps bytes between `a` and `b` on a thread, through faults seeded from `cfg` (one
/// stream per direction). Stops when told, or when either side fails.
pub fn spawn_proxy<A: Link + 'static, B: Link + 'static>(
    mut a: A,
    mut b: B,
    cfg: FaultConfig,
) -> ProxyHandle {
    let stop = Arc::new(AtomicBool::new(false));
    let enabled = Arc::new(AtomicBool::new(true));
    let stats = Arc::new(Mutex::new((FaultStats::default(), FaultStats::default())));
    let (s, e, st) = (stop.clone(), enabled.clone(), stats.clone());
    let thread = std::thread::spawn(move || {
        let mut ab = Faults::new(cfg);
        let mut ba = Faults::new(FaultConfig {
            seed: cfg.seed ^ 0x5555_aaaa_5555_aaaa,
            ..cfg
        });
        let mut buf = [0u8; 512];
        let tick = Duration::from_millis(1);
        while !s.load(Ordering::SeqCst) {
            let on = e.load(Ordering::SeqCst);
            let mut moved = false;
            for dir in 0..2 {
                let (from, to, f): (&mut dyn Link, &mut dyn Link, &mut Faults) = if dir == 0 {
                    (&mut a, &mut b, &mut ab)
                } else {
                    (&mut b, &mut a, &mut ba)
                };
                let n = match from.recv(&mut buf, if moved { Duration::ZERO } else { tick }) {
                    Ok(n) => n,
                    Err(_) => return,
                };
                if n == 0 {
                    continue;
                }
                moved = true;
                let (out, delay) = if on {
                    f.apply(&buf[..n])
                } else {
                    (buf[..n].to_vec(), Duration::ZERO)
                };
                if !delay.is_zero() {
                    std::thread::sleep(delay);
                }
                if to.send(&out).is_err() {
                    return;
                }
            }
            *st.lock().unwrap() = (ab.stats, ba.stats);
        }
    });
    ProxyHandle {
        stop,
        thread: Some(thread),
        stats,
        enabled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::mem_pair;

    #[test]
    fn no_faults_is_the_identity() {
        let mut f = Faults::new(FaultConfig::default());
        let data: Vec<u8> = (0..=255).collect();
        assert_eq!(f.apply(&data), (data.clone(), Duration::ZERO));
    }

    #[test]
    fn faults_are_seeded_and_at_the_set_rates() {
        let cfg = FaultConfig::all(42, 100, Duration::from_micros(100));
        let data = vec![0x55u8; 100_000];
        let (a, da) = Faults::new(cfg).apply(&data);
        let (b, db) = Faults::new(cfg).apply(&data);
        assert_eq!((a.clone(), da), (b, db), "same seed, same faults");
        let mut f = Faults::new(cfg);
        f.apply(&data);
        let s = f.stats;
        for (what, n) in [
            ("dropped", s.dropped),
            ("flipped", s.flipped),
            ("duplicated", s.duplicated),
            ("delayed", s.delayed),
        ] {
            assert!(
                (700..=1300).contains(&n),
                "{what}: {n} of 100000 at 1 in 100"
            );
        }
        let (c, _) = Faults::new(FaultConfig { seed: 43, ..cfg }).apply(&data);
        assert_ne!(a, c, "another seed, other faults");
    }

    #[test]
    fn proxy_between_two_mem_links() {
        let (mut host, proxy_a) = mem_pair();
        let (proxy_b, mut board) = mem_pair();
        let p = spawn_proxy(proxy_a, proxy_b, FaultConfig::default());
        host.send(b"hello").unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        while got.len() < 5 {
            let n = board.recv(&mut buf, Duration::from_secs(2)).unwrap();
            assert!(n > 0, "nothing through the proxy");
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"hello");
        board.send(b"ok").unwrap();
        let n = host.recv(&mut buf, Duration::from_secs(2)).unwrap();
        assert_eq!(&buf[..n], b"ok");
        let (ab, ba) = p.stop();
        assert_eq!((ab.bytes, ba.bytes), (5, 2));
    }

    #[test]
    fn faulty_link_flips_what_it_sends() {
        let (a, mut b) = mem_pair();
        let mut fl = FaultyLink::new(
            a,
            FaultConfig {
                seed: 1,
                flip_one_in: 1,
                ..Default::default()
            },
        );
        fl.send(&[0u8; 32]).unwrap();
        let mut buf = [0u8; 64];
        let n = b.recv(&mut buf, Duration::from_secs(1)).unwrap();
        assert_eq!(n, 32);
        assert!(buf[..n].iter().all(|&x| x.count_ones() == 1));
        assert_eq!(fl.stats().0.flipped, 32);
    }
}
