//! mailroom: email intake for the Dongguan Youth League 2017 annual
//! assessment (architecture map filled in as stages land).
//!
//! Stages so far:
//! - `config`: the service, campaign and units files, validated with located errors.
//! - `inspect`: raw message bytes → `Inspection` (pure; never fails): decoded
//!   headers, body text, material files with sha256 and what is inside them
//!   (zip members, TNEF files, the overview form), download links, delivery
//!   reports and MIME/file problems.
//! - `classify`: `Inspection` + campaign/units/department/arrival → `Classification`
//!   (pure, deterministic): kind, unit, projects/items, lateness, routing, flags
//!   and the reasons behind them.
pub mod classify;
pub mod config;
pub mod inspect;
