//! mailroom
pub mod cli;
pub mod config;
pub mod daemon;
pub mod imap;
pub mod ingest;
pub mod ledger;
pub mod telemetry;
pub mod util;
