//! The j1k assembler (being written).
