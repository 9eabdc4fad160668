//! One tile's block cache (docs/architecture.md §1–2): `L` lines, each a whole
//! block, with a tag, a MESI state and a snoop flag per line.

use j1k_isa::coherence;
use serde::Serialize;

/// A line's coherence state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum LineState {
    #[default]
    I,
    S,
    E,
    M,
}

impl LineState {
    pub fn valid(self) -> bool {
        self != LineState::I
    }
    /// A write may proceed without a transaction (E becomes M).
    pub fn writable(self) -> bool {
        matches!(self, LineState::E | LineState::M)
    }
    /// The hardware's 2-bit encoding (j1k_isa::coherence).
    pub const fn code(self) -> u8 {
        match self {
            LineState::I => coherence::STATE_I,
            LineState::S => coherence::STATE_S,
            LineState::E => coherence::STATE_E,
            LineState::M => coherence::STATE_M,
        }
    }
    pub fn letter(self) -> char {
        match self {
            LineState::I => 'I',
            LineState::S => 'S',
            LineState::E => 'E',
            LineState::M => 'M',
        }
    }
}

/// A line's tag and state (its words are in [`Cache::data`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Line {
    /// The block index (meaningful only when `state` is valid).
    pub tag: u16,
    pub state: LineState,
    /// Set by the unit at the grant of a transaction that will change this copy:
    /// the tile's own accesses treat the line as a miss until it completes.
    pub snoop: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Cache {
    pub lines: Vec<Line>,
    /// `lines.len()` × `words` words, line `i` at `i * words`.
    pub data: Vec<u16>,
    /// The round-robin victim pointer, used when every line is valid.
    pub victim: u8,
    words: usize,
}

impl Cache {
    pub fn new(lines: usize, words: usize) -> Cache {
        Cache {
            lines: vec![Line::default(); lines],
            data: vec![0; lines * words],
            victim: 0,
            words,
        }
    }

    /// The valid line holding block `b`.
    pub fn find(&self, b: u16) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| l.state.valid() && l.tag == b)
    }

    /// The line a fill or allocation uses: the first invalid line, else the
    /// pointer's (and the pointer moves on).
    pub fn take_victim(&mut self) -> usize {
        if let Some(i) = self.lines.iter().position(|l| !l.state.valid()) {
            return i;
        }
        let i = self.victim as usize;
        self.victim = ((i + 1) % self.lines.len()) as u8;
        i
    }

    pub fn line(&self, i: usize) -> &[u16] {
        &self.data[i * self.words..][..self.words]
    }

    pub fn line_mut(&mut self, i: usize) -> &mut [u16] {
        &mut self.data[i * self.words..][..self.words]
    }

    /// Word `w` of block `b`, which must be cached here (the key unit reads only
    /// after the check that found it).
    pub fn read(&self, b: u16, w: usize) -> u16 {
        let i = self.expect(b);
        self.data[i * self.words + w]
    }

    pub fn write(&mut self, b: u16, w: usize, v: u16) {
        let i = self.expect(b);
        self.data[i * self.words + w] = v;
    }

    fn expect(&self, b: u16) -> usize {
        match self.find(b) {
            Some(i) => i,
            None => panic!("coherence: an access to block {b}, which this tile does not hold"),
        }
    }

    pub fn reset(&mut self) {
        self.lines.fill(Line::default());
        self.data.fill(0);
        self.victim = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn victims_are_invalid_lines_first_then_round_robin() {
        let mut c = Cache::new(2, 4);
        assert_eq!(c.take_victim(), 0);
        c.lines[0] = Line {
            tag: 5,
            state: LineState::S,
            snoop: false,
        };
        assert_eq!(c.take_victim(), 1);
        c.lines[1].state = LineState::M;
        assert_eq!(
            (c.take_victim(), c.take_victim(), c.take_victim()),
            (0, 1, 0)
        );
        assert_eq!(c.find(5), Some(0));
        assert_eq!(c.find(6), None);
    }
}
