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
mod inflight;
pub mod receipts;
pub mod record;
pub mod relations;
mod understand;
pub mod worker;

pub use assign::{AssignOutcome, assign, resolve_message};

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use tokio_util::sync::CancellationToken;
use tracing::{error, info};

use crate::classify::{Flag, Kind};
use crate::config::Config;
use crate::daemon::App;
pub use receipts::{Decision, Mode};
use understand::Understood;

/// Messages understood and recorded together (one transaction).
const BATCH: i64 = 64;
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

/// A person's explicit retry of a quarantined message (every stored copy
/// of it): the quarantine and the in-flight count are cleared and it is
/// understood again. If it fails twice again it is quarantined again.
pub async fn retry_quarantined(app: &App, message_key: &str) -> Result<Report> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT m.id FROM messages m JOIN deliveries d ON d.message_row = m.id
         WHERE d.message_key = ? AND m.quarantined IS NOT NULL ORDER BY m.internal_date, m.id",
    )
    .bind(message_key)
    .fetch_all(&app.ledger.pool)
    .await
    .context("cannot find the quarantined message")?;
    for (id,) in &ids {
        sqlx::query(
            "UPDATE messages SET quarantined = NULL, quarantined_at = NULL, understand_attempts = 0 WHERE id = ?",
        )
        .bind(id)
        .execute(&app.ledger.pool)
        .await
        .context("cannot lift the quarantine")?;
    }
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
    inflight::fold_dead(&app.ledger.pool, &app.config.data_dir).await?;
    let inflight = inflight::Inflight::new(&app.config.data_dir)?;
    let inflight = &inflight;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<i64>, Vec<Understood>)>(1);
    let producer = async move {
        for chunk in ids.chunks(BATCH as usize) {
            inflight.start(chunk)?;
            let done = understand::batch(app, chunk, mode).await?;
            if tx.send((chunk.to_vec(), done)).await.is_err() {
                break;
            }
        }
        anyhow::Ok(())
    };
    let consumer = async {
        let mut total = Report::default();
        while let Some((chunk, done)) = rx.recv().await {
            let t = std::time::Instant::now();
            let r = record_all(app, &done, mode).await?;
            // Recorded, or left pending for mailroom's own trouble (logged):
            // either way no longer in flight.
            inflight.done(&chunk)?;
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
    if total.processed > 0 {
        // The browsable tree follows the ledger (logged, never fatal),
        // paced: see `materials::refresh_soon`.
        crate::materials::refresh_soon(&app.config, &app.ledger.pool).await;
    }
    Ok(total)
}

async fn record_all(app: &App, done: &[Understood], mode: Mode) -> Result<Report> {
    let now = app.now();
    let cfg = &app.config;
    let t_turn = std::time::Instant::now();
    let mut tx = crate::ledger::begin_write(&app.ledger.pool).await?;
    let turn_ms = t_turn.elapsed().as_millis() as u64;
    let mut keys = BTreeSet::new();
    let mut deliveries = Vec::with_capacity(done.len());
    for u in done {
        deliveries.push(record::NewDelivery {
            message_row: u.row.id,
            key: &u.key,
            department: &u.row.department,
            received_at: u.row.internal_date()?,
            class: &u.class,
            headers: &u.headers,
            attachments: &u.attachments,
        });
        keys.insert(u.key.clone());
    }
    let t_up = std::time::Instant::now();
    record::upsert_deliveries(&mut tx, &deliveries, now).await?;
    let upsert_ms = t_up.elapsed().as_millis() as u64;
    settle_attempts(&mut tx, done, now).await?;
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
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let t_dec = std::time::Instant::now();
    let decisions = receipts::decide_all(&mut tx, cfg, &keys, now, mode).await?;
    let decide_ms = t_dec.elapsed().as_millis() as u64;
    let t_commit = std::time::Instant::now();
    tx.commit().await.context("cannot commit deliveries")?;
    tracing::debug!(
        turn_ms,
        upsert_ms,
        decide_ms,
        commit_ms = t_commit.elapsed().as_millis() as u64,
        "batch written"
    );

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

/// Clears the in-flight count of the recorded messages and records the
/// quarantine of those set aside (see `understand`).
async fn settle_attempts(
    tx: &mut crate::ledger::WriteTx,
    done: &[Understood],
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    let ids: Vec<String> = done.iter().map(|u| u.row.id.to_string()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    // Ids are integers from the ledger itself: safe to inline.
    sqlx::query(&format!(
        "UPDATE messages SET understand_attempts = 0 WHERE id IN ({})",
        ids.join(",")
    ))
    .execute(&mut **tx)
    .await
    .context("cannot clear understanding attempts")?;
    for u in done {
        if let Some(why) = &u.quarantine {
            sqlx::query("UPDATE messages SET quarantined = ?, quarantined_at = ? WHERE id = ?")
                .bind(why)
                .bind(crate::ledger::messages::fmt_time(now))
                .bind(u.row.id)
                .execute(&mut **tx)
                .await
                .context("cannot record a quarantine")?;
        }
    }
    Ok(())
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
        crate::materials::refresh_if_due(&app.config, &app.ledger.pool).await;
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = app.events.stored() => {}
            _ = tokio::time::sleep(IDLE_CHECK) => {}
        }
    }
}
