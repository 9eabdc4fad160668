//! The j1k simulator (being written).
