//! The stage after "stored": every message in the ledger becomes a
//! delivery. The raw file is inspected and classified (on blocking threads,
//! in parallel), its material files are stored content-addressed, and one
//! transaction records the deliveries, matches bounces to the mail they
//! return, refreshes the flags that depend on other messages, and decides
//! each message's receipt (an outbox row, or why not). One INFO line per
//! message explains every decision.
//!
//! Everything here is derived from the raw file and the configuration:
//! `reprocess` runs the same code over every message.

mod assign;
pub mod receipts;
pub mod record;
pub mod relations;

pub use assign::{AssignOutcome, assign, resolve_message};

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::classify::{self, Classification, Flag, Kind, Manual};
use crate::config::Config;
use crate::daemon::App;
use crate::inspect::{self, Headers, Limits};
use crate::ledger::messages::{self as ledger_messages, MessageRow};
use crate::ledger::{BlobKind, BlobStore, Staged};
pub use receipts::{Decision, Mode};
use record::{AttachmentRow, json};

/// Messages understood and recorded together (one transaction, one syncfs).
const BATCH: i64 = 64;
/// Longest a single message may take to inspect and classify. The limits
/// inside `inspect` keep real mail far below this; past it the message goes
/// to review rather than holding up the mailbox.
const CLASSIFY_TIMEOUT: Duration = Duration::from_secs(120);
/// How often the stage looks for work even without a signal.
const IDLE_CHECK: Duration = Duration::from_secs(60);

#[derive(Debug, Default, Clone)]
pub struct Report {
    pub processed: usize,
    pub submissions: usize,
    pub receipts_queued: usize,
    /// Queued receipts re-rendered (another copy arrived): may now be due.
    pub receipts_updated: usize,
}

/// One message, understood, with its files staged.
struct Understood {
    row: MessageRow,
    key: String,
    headers: Headers,
    class: Classification,
    attachments: Vec<AttachmentRow>,
    staged: Vec<Staged>,
    /// (original Message-ID, detail) when this is a delivery report.
    bounce_of: Option<(String, String)>,
}

/// Processes every stored message that has no delivery yet.
pub async fn process_pending(app: &App) -> Result<Report> {
    process_pending_as(app, Mode::Live).await
}

pub async fn process_pending_as(app: &App, mode: Mode) -> Result<Report> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT m.id FROM messages m LEFT JOIN deliveries d ON d.message_row = m.id
         WHERE d.message_row IS NULL ORDER BY m.internal_date, m.id",
    )
    .fetch_all(&app.ledger.pool)
    .await
    .context("cannot list pending messages")?;
    // Messages stored while this runs are picked up by the next call (the
    // fetcher rings the bell again).
    process_rows(app, ids.into_iter().map(|(i,)| i).collect(), mode).await
}

/// Re-classifies every stored message from its raw file with the current
/// configuration. Receipts already decided stay decided; messages that newly
/// look like submissions get none (a bulk change must not mail old senders).
pub async fn reprocess(app: &App) -> Result<Report> {
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM messages ORDER BY internal_date, id")
        .fetch_all(&app.ledger.pool)
        .await
        .context("cannot list messages")?;
    process_rows(
        app,
        ids.into_iter().map(|(i,)| i).collect(),
        Mode::Reprocess,
    )
    .await
}

/// Processes these ledger rows, in order, in batches. Two stages overlap:
/// understanding batch N+1 (CPU, on blocking threads) runs while batch N is
/// made durable and recorded (SQLite), so neither waits for the other.
pub async fn process_rows(app: &App, ids: Vec<i64>, mode: Mode) -> Result<Report> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Understood>>(1);
    let producer = async move {
        for chunk in ids.chunks(BATCH as usize) {
            let done = understand_batch(app, chunk).await?;
            if tx.send(done).await.is_err() {
                break;
            }
        }
        anyhow::Ok(())
    };
    let consumer = async {
        let mut total = Report::default();
        while let Some(mut done) = rx.recv().await {
            let t = std::time::Instant::now();
            let mut staged: Vec<Staged> =
                done.iter_mut().flat_map(|u| u.staged.drain(..)).collect();
            crate::util::blocking(|| app.ledger.blobs.commit(&mut staged))?;
            let r = record_all(app, &done, mode).await?;
            tracing::debug!(
                messages = done.len(),
                record_ms = t.elapsed().as_millis() as u64,
                "batch recorded"
            );
            if r.receipts_queued + r.receipts_updated > 0 {
                app.events.notify_outbox();
            }
            total.processed += r.processed;
            total.submissions += r.submissions;
            total.receipts_queued += r.receipts_queued;
            total.receipts_updated += r.receipts_updated;
        }
        anyhow::Ok(total)
    };
    let (p, c) = tokio::join!(producer, consumer);
    let total = c?;
    p?;
    Ok(total)
}

/// Reads, inspects and classifies one batch on blocking threads, as many at
/// once as there are cores.
async fn understand_batch(app: &App, ids: &[i64]) -> Result<Vec<Understood>> {
    let pool = &app.ledger.pool;
    let mut jobs = Vec::new();
    for &id in ids {
        let Some(row) = ledger_messages::get(pool, id).await? else {
            continue;
        };
        let key = record::message_key(row.message_id.as_deref(), &row.sha256);
        let manual: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT unit, items FROM assignments WHERE message_key = ?")
                .bind(&key)
                .fetch_optional(pool)
                .await
                .context("cannot read assignments")?;
        let manual = manual.map(|(unit, items)| Manual {
            unit,
            items: items.and_then(|i| serde_json::from_str(&i).ok()),
        });
        jobs.push((row, key, manual));
    }
    let t0 = std::time::Instant::now();
    let width = std::thread::available_parallelism().map_or(2, |n| n.get());
    let matcher = Arc::new(classify::UnitMatcher::new(&app.config.units));
    let mut done: Vec<Understood> = Vec::new();
    for group in jobs.chunks(width) {
        let handles: Vec<_> = group
            .iter()
            .cloned()
            .map(|(row, key, manual)| {
                let cfg = app.config.clone();
                let blobs = app.ledger.blobs.clone();
                let matcher = matcher.clone();
                let fallback_row = row.clone();
                let fallback_key = key.clone();
                let handle = tokio::task::spawn_blocking(move || {
                    understand(&cfg, &blobs, &matcher, row, key, manual.as_ref())
                });
                (handle, fallback_row, fallback_key)
            })
            .collect();
        for (handle, row, key) in handles {
            match tokio::time::timeout(CLASSIFY_TIMEOUT, handle).await {
                Ok(Ok(Ok(u))) => done.push(u),
                Ok(Ok(Err(e))) => {
                    // The raw file could not be read: a disk problem, not the
                    // message's. Leave it pending; it is retried later.
                    error!(department = %row.department, uid = row.uid, message_id = row.message_id.as_deref().unwrap_or(""), error = %format!("{e:#}"), "cannot process message");
                }
                Ok(Err(join)) => {
                    error!(department = %row.department, uid = row.uid, message_id = row.message_id.as_deref().unwrap_or(""), error = %join, "classifier crashed on this message; sent to review");
                    done.push(for_review(
                        row,
                        key,
                        "the classifier crashed on this message",
                    ));
                }
                Err(_) => {
                    error!(department = %row.department, uid = row.uid, message_id = row.message_id.as_deref().unwrap_or(""), timeout_secs = CLASSIFY_TIMEOUT.as_secs(), "classifying took too long; sent to review");
                    done.push(for_review(row, key, "classifying took too long"));
                }
            }
        }
    }
    tracing::debug!(
        messages = done.len(),
        understand_ms = t0.elapsed().as_millis() as u64,
        "batch understood"
    );
    Ok(done)
}

/// Inspection limits for a message. An oversize message (over
/// `fetch.max_message_mb`) is classified from its headers, names and text,
/// but its files are not opened: memory and time stay bounded whatever
/// arrives.
fn limits(oversize: bool) -> Limits {
    let mut l = Limits::default();
    if oversize {
        l.max_inspect_size = 0;
    }
    l
}

/// Reads, inspects, classifies and stages one message (blocking).
fn understand(
    cfg: &Config,
    blobs: &BlobStore,
    matcher: &classify::UnitMatcher,
    row: MessageRow,
    key: String,
    manual: Option<&Manual>,
) -> Result<Understood> {
    let raw = blobs.read(std::path::Path::new(&row.raw_path))?;
    let insp = inspect::inspect(&raw, &limits(row.oversize != 0));
    drop(raw);
    let arrived = row.internal_date()?;
    let ctx = classify::Context::new(
        &cfg.campaign,
        &cfg.units,
        &row.department,
        arrived,
        cfg.own_addresses(),
    )
    .with_matcher(matcher);
    let class = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        classify::classify_with(&insp, &ctx, manual)
    })) {
        Ok(c) => c,
        Err(_) => {
            error!(department = %row.department, uid = row.uid, "classifier panicked; message sent to review");
            return Ok(for_review(
                row,
                key,
                "the classifier crashed on this message",
            ));
        }
    };
    let mut attachments = Vec::new();
    let mut staged = Vec::new();
    for ac in &class.attachments {
        let Some(a) = insp.attachments.get(ac.index) else {
            continue;
        };
        let s = blobs.stage(BlobKind::Attachment, &a.bytes)?;
        attachments.push(AttachmentRow {
            message_row: row.id,
            ordinal: ac.index as i64,
            filename: a.filename.clone(),
            safe_filename: a.safe_filename.clone(),
            size: a.size as i64,
            sha256: a.sha256.clone(),
            content_type: a.content_type.clone(),
            path: s.rel_path.to_string_lossy().into_owned(),
            items: json(&ac.items)?,
            members: a.members.as_ref().map(json).transpose()?,
            problem: a
                .unreadable
                .as_ref()
                .map(|r| format!("unreadable: {r}"))
                .or_else(|| a.suspicious.as_ref().map(|r| format!("suspicious: {r}"))),
        });
        staged.push(s);
    }
    let bounce_of = match (&class.kind, &insp.dsn) {
        (Kind::Bounce, Some(d)) => d.original_message_id.as_ref().map(|id| {
            let detail = d
                .recipients
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r.address,
                        r.status.as_deref().unwrap_or(""),
                        r.diagnostic.as_deref().unwrap_or("")
                    )
                    .trim()
                    .to_owned()
                })
                .collect::<Vec<_>>()
                .join("; ");
            (
                id.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned(),
                detail,
            )
        }),
        _ => None,
    };
    Ok(Understood {
        row,
        key,
        headers: insp.headers,
        class,
        attachments,
        staged,
        bounce_of,
    })
}

/// What is recorded for a message the classifier could not handle: a
/// submission of an unknown unit, flagged malformed, so a person looks at it.
fn for_review(row: MessageRow, key: String, why: &str) -> Understood {
    Understood {
        row,
        key,
        headers: Headers::default(),
        class: Classification {
            flags: vec![Flag::Malformed],
            reasons: vec![why.to_owned()],
            ..Classification::empty(Kind::Submission)
        },
        attachments: Vec::new(),
        staged: Vec::new(),
        bounce_of: None,
    }
}

async fn record_all(app: &App, done: &[Understood], mode: Mode) -> Result<Report> {
    let now = app.now();
    let cfg = &app.config;
    let mut tx = crate::ledger::begin_write(&app.ledger.pool).await?;
    let mut keys = BTreeSet::new();
    for u in done {
        let arrived = u.row.internal_date()?;
        record::upsert_delivery(
            &mut tx,
            u.row.id,
            &u.key,
            &u.row.department,
            arrived,
            &u.class,
            &u.headers,
            &u.attachments,
            now,
        )
        .await?;
        keys.insert(u.key.clone());
    }
    let rel_start = std::time::Instant::now();
    let rows: Vec<i64> = done.iter().map(|u| u.row.id).collect();
    let final_flags = record::refresh_relations(&mut tx, &rows).await?;
    tracing::debug!(
        relations_ms = rel_start.elapsed().as_millis() as u64,
        "relations refreshed"
    );
    let mut bounced = Vec::new();
    for u in done {
        if let Some((orig, detail)) = &u.bounce_of {
            let hit = crate::outbox::mark_bounced(&mut tx, orig, detail).await?;
            bounced.push((u.row.id, hit));
        }
    }
    let mut decisions = std::collections::HashMap::new();
    for key in &keys {
        let d = receipts::decide(&mut tx, cfg, key, now, mode).await?;
        decisions.insert(key.clone(), d);
    }
    tx.commit().await.context("cannot commit deliveries")?;

    let mut report = Report::default();
    for u in done {
        report.processed += 1;
        if u.class.kind == Kind::Submission {
            report.submissions += 1;
        }
        let flags: Vec<Flag> = final_flags.get(&u.row.id).cloned().unwrap_or_default();
        let receipt = match decisions.get(&u.key) {
            Some(Decision::Queued(id)) => {
                report.receipts_queued += 1;
                format!("queued #{id}")
            }
            Some(Decision::Updated(id)) => {
                report.receipts_updated += 1;
                format!("updated #{id}")
            }
            Some(Decision::Suppressed(r)) => format!("suppressed:{r}"),
            Some(Decision::Unchanged) | None => "unchanged".into(),
        };
        log_decision(cfg, u, &flags, &receipt);
    }
    for (row, hit) in bounced {
        match hit {
            Some((id, kind)) => {
                info!(ledger_id = row, outbox_id = id, kind = %kind, "delivery report matched: the mail bounced")
            }
            None => info!(
                ledger_id = row,
                "delivery report for mail mailroom did not send"
            ),
        }
    }
    Ok(report)
}

/// The one line an administrator greps for: every decision about a message.
fn log_decision(cfg: &Config, u: &Understood, flags: &[Flag], receipt: &str) {
    let c = &u.class;
    let to_str = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let flags: Vec<String> = flags
        .iter()
        .filter_map(|f| serde_json::to_value(f).ok())
        .map(|v| to_str(&v))
        .collect();
    let unit_source = c
        .unit_source
        .and_then(|s| serde_json::to_value(s).ok())
        .map(|v| to_str(&v))
        .unwrap_or_default();
    if c.kind == Kind::Submission && c.late {
        let deadline = cfg.campaign.campaign.deadline.with_timezone(&Utc);
        let arrived = u.row.internal_date().unwrap_or(deadline);
        tracing::warn!(
            department = %u.row.department,
            uid = u.row.uid,
            message_id = u.row.message_id.as_deref().unwrap_or(""),
            unit = c.unit.as_deref().unwrap_or(""),
            items = %if c.items.is_empty() { c.projects.join(",") } else { c.items.join(",") },
            arrived = %arrived.with_timezone(&cfg.tz).to_rfc3339(),
            late_by = %crate::report::humanize(arrived - deadline),
            "late submission: arrived after the deadline (not counted for this year's awards)"
        );
    }
    info!(
        department = %u.row.department,
        uid = u.row.uid,
        message_id = u.row.message_id.as_deref().unwrap_or(""),
        kind = record::kind_str(c.kind),
        unit = c.unit.as_deref().unwrap_or(""),
        unit_source = %unit_source,
        projects = %c.projects.join(","),
        items = %c.items.join(","),
        late = c.late,
        misrouted = c.misrouted,
        flags = %flags.join(","),
        receipt = %receipt,
        reasons = %c.reasons.join("; "),
        "classified"
    );
}

/// The daemon task: processes whatever the fetchers stored.
pub async fn run(app: App, cancel: CancellationToken) {
    loop {
        if let Err(e) = process_pending(&app).await {
            error!(error = %format!("{e:#}"), "processing stored messages failed");
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = app.events.stored() => {}
            _ = tokio::time::sleep(IDLE_CHECK) => {}
        }
    }
}
