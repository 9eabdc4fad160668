//! The J1a's `stack2`: a head register plus a tail shift register, modelled as
//! a ring buffer so that a push or pop is O(1) instead of a 15- or 17-entry shift.
//!
//! Semantics, exactly as `stack2.v` (DEPTH = `D`):
//! - `move = delta[0]`; if `we | move`: `head <= we ? wd : tail[0]`;
//! - if `move`: a push (`delta = 01`) shifts `head` into `tail[0]` and loses the
//!   deepest entry; a pop (`delta = 11`) shifts `tail[1..]` towards the head and
//!   `$55aa` enters at the deepest position;
//! - `delta = 10` moves nothing (the J1a's `dsp` still moves by −2).
//!
//! The ring keeps `tail[k]` at `buf[(top + k) mod D]`; the wrap is a compare,
//! since 15 and 17 are not powers of two. The buffer itself has [`RING`]
//! entries (a power of two above both depths) so that an index masked with
//! `RING - 1` needs no bounds check; only the first `D` are used.

use j1k_isa::STACK_FILL;

/// A stack delta field as the J1a encodes it (bits 1:0 or 3:2 of an ALU word).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Delta {
    /// `00`
    None = 0,
    /// `01`: push.
    Push = 1,
    /// `10`: the pointer moves by −2, the stack does not move.
    NoMove = 2,
    /// `11`: pop.
    Pop = 3,
}

impl Delta {
    /// From the decoded field of [`j1k_isa::Alu`] (0, +1, −2, −1).
    pub fn from_alu(d: i8) -> Delta {
        match d {
            0 => Delta::None,
            1 => Delta::Push,
            -2 => Delta::NoMove,
            _ => Delta::Pop,
        }
    }

    /// The J1a's pointer change (`{dspI[1], dspI[1], dspI}`), as a wrapping add.
    pub fn pointer_add(self) -> u8 {
        match self {
            Delta::None => 0,
            Delta::Push => 1,
            Delta::NoMove => 0u8.wrapping_sub(2),
            Delta::Pop => 0u8.wrapping_sub(1),
        }
    }

    /// How far the stack itself moves (+1, −1 or 0): what the model-only return depth follows.
    pub fn motion(self) -> u8 {
        match self {
            Delta::Push => 1,
            Delta::Pop => 0u8.wrapping_sub(1),
            _ => 0,
        }
    }
}

/// Size of the ring buffer behind a stack's tail (at least the depth).
pub(crate) const RING: usize = 32;

/// One `stack2` of depth `D` (at most [`RING`]) below its head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stack<const D: usize> {
    pub(crate) head: u16,
    pub(crate) buf: [u16; RING],
    /// Position of `tail[0]` in `buf`.
    pub(crate) top: usize,
}

impl<const D: usize> Default for Stack<D> {
    fn default() -> Self {
        Stack {
            head: 0,
            buf: [0; RING],
            top: 0,
        }
    }
}

/// Shifts `v` into `tail[0]` (a push); the deepest entry is lost.
#[inline(always)]
pub(crate) fn tail_push<const D: usize>(buf: &mut [u16; RING], top: &mut usize, v: u16) {
    *top = if *top == 0 { D - 1 } else { *top - 1 };
    buf[*top & (RING - 1)] = v;
}

/// Removes and returns `tail[0]` (a pop); `$55aa` enters at the deepest position.
#[inline(always)]
pub(crate) fn tail_pop<const D: usize>(buf: &mut [u16; RING], top: &mut usize) -> u16 {
    let i = *top & (RING - 1);
    let v = buf[i];
    buf[i] = STACK_FILL;
    *top = if *top == D - 1 { 0 } else { *top + 1 };
    v
}

/// `tail[0]`.
#[inline(always)]
pub(crate) fn tail0(buf: &[u16; RING], top: usize) -> u16 {
    buf[top & (RING - 1)]
}

impl<const D: usize> Stack<D> {
    /// The head register (`N` or `R`).
    #[inline(always)]
    pub fn head(&self) -> u16 {
        self.head
    }

    /// `tail[k]`, `k < D` (0 is the entry just below the head).
    pub fn tail(&self, k: usize) -> u16 {
        let i = self.top + k;
        self.buf[if i >= D { i - D } else { i }]
    }

    /// Head first, then the tail from shallowest to deepest: `D + 1` entries.
    pub fn entries(&self) -> Vec<u16> {
        std::iter::once(self.head)
            .chain((0..D).map(|k| self.tail(k)))
            .collect()
    }

    /// One clock edge of `stack2` with write enable `we`, data `wd` and `delta`.
    #[inline(always)]
    pub fn apply(&mut self, we: bool, delta: Delta, wd: u16) {
        match delta {
            Delta::None | Delta::NoMove => {
                if we {
                    self.head = wd;
                }
            }
            Delta::Push => {
                let t0 = tail0(&self.buf, self.top);
                let old = self.head;
                tail_push::<D>(&mut self.buf, &mut self.top, old);
                self.head = if we { wd } else { t0 };
            }
            Delta::Pop => {
                let t0 = tail_pop::<D>(&mut self.buf, &mut self.top);
                self.head = if we { wd } else { t0 };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal shift-register version, to check the ring against.
    fn shift<const D: usize>(head: &mut u16, tail: &mut [u16; D], we: bool, d: Delta, wd: u16) {
        let mv = matches!(d, Delta::Push | Delta::Pop);
        let t0 = tail[0];
        if mv {
            if d == Delta::Pop {
                tail.copy_within(1.., 0);
                tail[D - 1] = STACK_FILL;
            } else {
                tail.copy_within(..D - 1, 1);
                tail[0] = *head;
            }
        }
        if we || mv {
            *head = if we { wd } else { t0 };
        }
    }

    #[test]
    fn ring_matches_shift_register() {
        let mut s: Stack<5> = Stack::default();
        let mut head = 0u16;
        let mut tail = [0u16; 5];
        let mut x = 12345u32;
        for i in 0..2000u16 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            let d = [Delta::None, Delta::Push, Delta::NoMove, Delta::Pop][(x >> 16) as usize & 3];
            let we = (x >> 20) & 1 == 1;
            s.apply(we, d, i);
            shift(&mut head, &mut tail, we, d, i);
            let mut want = vec![head];
            want.extend_from_slice(&tail);
            assert_eq!(s.entries(), want, "step {i}");
        }
    }

    #[test]
    fn pop_fills_and_push_drops() {
        let mut s: Stack<3> = Stack::default();
        for v in 1..=5 {
            s.apply(true, Delta::Push, v);
        }
        assert_eq!(s.entries(), vec![5, 4, 3, 2]);
        s.apply(false, Delta::Pop, 0);
        assert_eq!(s.entries(), vec![4, 3, 2, 0x55aa]);
        // A push without a write: the head takes tail[0], tail[0] the old head.
        s.apply(false, Delta::Push, 99);
        assert_eq!(s.entries(), vec![3, 4, 3, 2]);
    }
}
