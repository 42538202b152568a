//! # mailroom — architecture map
//!
//! mailroom watches the five department mailboxes of the assessment
//! campaign, keeps every message durably, and (in later stages) works out
//! who sent what, acknowledges it and reports on it. The modules follow the
//! path a message takes:
//!
//! ```text
//!  config ──► imap ──► ledger ──► (inspect ► classify ► outbox ► schedule ► report)
//!  what to     fetch     raw bytes first,
//!  watch       by UID    then the row
//! ```
//!
//! - [`config`]: `mailroom.toml` plus the campaign and units files; validated
//!   at start-up, every problem reported with file and key.
//! - [`imap`]: one task per department mailbox: connect (rustls, `ID`),
//!   sync pass by UID in batches (`BODY.PEEK[]`, never `\Seen`, never
//!   deletes), then IDLE or poll; reconnects with backoff and jitter.
//! - [`ledger`]: SQLite through sqlx (schema in `migrations/`) and the
//!   content-addressed files under the data directory. A batch of raw files
//!   is made durable (`syncfs`) and renamed into place before its rows
//!   commit, so every later stage can be re-derived from the raw bytes.
//! - [`ingest`]: `mailroom ingest`, offline import through the same ledger path.
//! - [`daemon`]: wires the tasks together (`run`, `run --once`), shutdown.
//! - [`cli`], [`telemetry`]: the command line and logging.
//!
//! ## Tasks at run time
//! One tokio task per mailbox ([`imap::watch`]). Stages after "stored" wait on
//! [`imap::Events`] and read the ledger; the fetcher knows nothing of them.
//! Shutdown: SIGTERM/SIGINT cancel one [`tokio_util::sync::CancellationToken`]
//! that every loop selects on; the daemon then waits a bounded grace period.
//!
//! ## Where state lives
//! Everything is in the data directory: `mailroom.db` (the ledger), `raw/`
//! (messages), `attachments/`, and `tmp/` (staging; orphans removed at start).

pub mod classify;
pub mod cli;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod imap;
pub mod ingest;
pub mod inspect;
pub mod intake;
pub mod ledger;
pub mod outbox;
pub mod report;
pub mod schedule;
pub mod telemetry;
pub mod util;
