//! mailroom (architecture map filled in as stages land)
pub mod classify;
pub mod config;
pub mod inspect;
