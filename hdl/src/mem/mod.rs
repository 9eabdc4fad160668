//! The memory system of a build with several cores (docs/architecture.md §9): the coherence
//! unit's control ([`coherence`]) and each tile's lines inside it ([`lines`]).

pub mod cache_ram;
pub mod coherence;
pub mod lines;
pub mod mover;
pub mod system;
#[cfg(test)]
pub(crate) mod testkit;
