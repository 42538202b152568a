//! # mailroom — architecture map
//!
//! mailroom watches the five department mailboxes of the assessment
//! campaign, keeps every message durably, works out who sent what, answers
//! each submission, and reports to the departments. The modules follow the
//! path a message takes:
//!
//! ```text
//!  config ─► imap ─► ledger ─► inspect ─► classify ─► intake ─► outbox ─► (SMTP)
//!            fetch    raw bytes  MIME,      kind,       record,    receipts,
//!            by UID   first,     files,     unit,       relations, reminders,
//!                     then row   forms      items,late  receipts   digests
//!                                                          ▲
//!                                  schedule ───────────────┘  report (export, status,
//!                                  (cron: digests, reminders)  review, late, matrix)
//! ```
//!
//! - [`config`]: `mailroom.toml` plus the campaign and units files; validated
//!   at start-up, every problem reported with file and key.
//! - [`imap`]: one task per department mailbox: connect (rustls, `ID`), sync
//!   pass by UID in batches (`BODY.PEEK[]`, never `\Seen`, never deletes;
//!   a large message alone, in pieces straight into its file)
//!   over each watched folder in turn on the one connection (INBOX, the
//!   folders the server flags `\Junk`, configured extras; state per
//!   folder), then IDLE or poll; reconnects with backoff and jitter.
//! - [`ledger`]: SQLite through sqlx (schema in `migrations/`) and the
//!   content-addressed files under the data directory. A batch of raw files
//!   is made durable (`syncfs`) and renamed into place before its rows commit.
//! - [`inspect`]: raw bytes → `Inspection` (pure, never fails): decoded
//!   headers and names, material files, what is inside them, problems.
//! - [`classify`]: `Inspection` + configuration → `Classification` (pure):
//!   kind, unit, projects/items, lateness, routing, intrinsic flags.
//! - [`intake`]: the stage after "stored": runs inspect in worker processes
//!   (`intake::worker`: `mailroom inspect-worker` under memory, CPU and time
//!   limits; a message that kills its worker twice is quarantined), then
//!   classify on blocking threads, and in one transaction (multi-row
//!   statements; write transactions take turns, `ledger::begin_write`)
//!   records deliveries and attachments, refreshes the relational flags
//!   (resubmission, duplicate delivery), matches bounces, and decides each
//!   message's receipt.
//! - [`outbox`]: every outgoing mail is a row before it is a connection; one
//!   sender drains it, receipts first: what each SMTP answer means
//!   (`outbox::replies`), each account's state, budget and backoff
//!   (`outbox::accounts`: an account waits as a whole), per-recipient and
//!   per-domain limits, at most one duplicate after a crash. Its own SMTP
//!   connections (`outbox::smtp`, TCP_NODELAY). Receipt text lives here.
//! - [`schedule`]: cron jobs (each department's digest, the reminders) with
//!   a runs ledger: never twice, missed slots collapse into one run.
//! - [`report`]: the delivery view shared by export (JSON/CSV/xlsx), the
//!   matrix, status, review queue, late log, and the blank overview form.
//! - [`materials`]: the browsable tree of every file sent
//!   (`<科室>/<item>/<unit>/<file>`, versions, 待核对, `目录.xlsx`), rebuilt
//!   from the ledger and the raw messages (at most once a minute while mail
//!   arrives, at the end of a pass, and on demand);
//!   also zipped per 科室 (`mailroom materials`).
//! - [`ingest`]: `mailroom ingest`, offline import through the same ledger path.
//! - [`daemon`], [`cli`], [`telemetry`], [`clock`]: wiring, the command
//!   line, logging (with secrets redacted), and the (movable, for previews
//!   and tests) clock.
//! - [`clean`]: the one place that makes outside text safe to show: control
//!   and bidi characters out, file names cut to a base name and defanged,
//!   CSV cells guarded against formulas. Mail, exports and terminal
//!   listings all go through it.
//!
//! ## Tasks at run time
//! One tokio task per mailbox ([`imap::watch`]), one intake task
//! ([`intake::run`]) with its pool of inspection worker processes (one per
//! core, started on demand, replaced when one dies), one outbox sender
//! ([`outbox::run_sender`]) and one scheduler ([`schedule::run`]). They
//! signal each other through [`imap::Events`] (stored → intake → outbox);
//! data travels only through the ledger. `run --once` runs the same steps
//! once: fetching and understanding side by side, then the schedule and the
//! outbox.
//!
//! ## Shutdown and reload
//! SIGTERM/SIGINT cancel one [`tokio_util::sync::CancellationToken`] that
//! every loop selects on; the daemon then waits a bounded grace period.
//! SIGHUP re-reads the configuration: each generation of tasks runs under a
//! child token, cancelled and replaced when a valid new configuration loads.
//!
//! ## Where state lives
//! Everything is in the data directory: `inflight/<pid>` (the messages a
//! running process is understanding, so the next start can tell which ones
//! were in hand when one died), `mailroom.db` (the ledger, the
//! outbox, the schedule), `raw/` (messages, the one copy of
//! every file sent), and `tmp/`
//! (staging; orphans removed at start). Nothing else is needed to restore:
//! `materials/` (or `[materials] dir`) is derived and rebuilt at will.

pub mod classify;
pub mod clean;
pub mod cli;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod imap;
pub mod ingest;
pub mod inspect;
pub mod intake;
pub mod ledger;
pub mod materials;
pub mod outbox;
pub mod report;
pub mod schedule;
pub mod telemetry;
pub mod util;
