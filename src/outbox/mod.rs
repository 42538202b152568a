//! The outbox: every outgoing mail (receipt, reminder, digest) is a row
//! before it is a connection, and one sender task drains the table.
//!
//! Delivery guarantee: the row is marked `sent` only after the server's 250.
//! A crash between that 250 and the database update leaves the row queued,
//! so that one mail is sent again after restart: at most one duplicate
//! (mail goes out strictly one at a time), never a loss.
//!
//! What a refusal means is decided in one table (`replies`): retry this mail,
//! pause or park the whole account, fail this mail, or stop the account.
//! Each account also has a budget (`[outbox] per_15min`, `per_day`, learned
//! down from a `554 MI:STC`) and per-domain limits; when the budget is
//! short, receipts go first (oldest first), then reminders, then digests.
//! An account whose server cannot be reached waits as a whole: one mail
//! probes (`accounts::probe_delay`) and when the server takes it, all the
//! account's waiting mail is due at once. State changes of an account are
//! logged once (`accounts`), not per mail and attempt.

pub mod accounts;
pub mod compose;
mod limits;
pub mod policy;
pub mod receipt;
pub mod replies;
pub mod smtp;

use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

pub use compose::{FileAttachment, OutKind, Outgoing};
use smtp::{SendOutcome, Transports};

use crate::config::Config;
use crate::ledger::messages::{fmt_time, parse_time};

/// Longest nap of the sender when nothing is due; it recomputes after, so a
/// wall-clock jump or suspend costs at most this much delay.
const MAX_IDLE: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub dedupe_key: String,
    pub department: String,
    pub mail_from: String,
    pub recipients: String,
    pub subject: String,
    pub message_id: String,
    pub state: String,
    pub attempts: i64,
    pub not_before: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
    pub held_reason: Option<String>,
    pub bounce: Option<String>,
}

const COLUMNS: &str = "id, kind, dedupe_key, department, mail_from, recipients, subject, message_id, \
     state, attempts, not_before, created_at, sent_at, last_error, held_reason, bounce";

/// Adds a rendered mail in the caller's transaction. A mail with the same
/// `dedupe_key` is never added twice; its id is returned instead.
pub async fn enqueue(
    conn: &mut SqliteConnection,
    o: &Outgoing,
    not_before: DateTime<Utc>,
    now: DateTime<Utc>,
    held_reason: Option<&str>,
) -> Result<(i64, bool)> {
    if let Some((id,)) = sqlx::query_as::<_, (i64,)>("SELECT id FROM outbox WHERE dedupe_key = ?")
        .bind(&o.dedupe_key)
        .fetch_optional(&mut *conn)
        .await
        .context("cannot look up outbox")?
    {
        return Ok((id, false));
    }
    let message_id = compose::new_message_id(o.kind, &o.from, now);
    let raw = compose::compose(o, &message_id, now)?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (kind, dedupe_key, department, mail_from, recipients, subject,
             message_id, raw, state, not_before, created_at, held_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING id",
    )
    .bind(o.kind.as_str())
    .bind(&o.dedupe_key)
    .bind(&o.department)
    .bind(&o.from)
    .bind(serde_json::to_string(&o.to).context("cannot encode recipients")?)
    .bind(&o.subject)
    .bind(&message_id)
    .bind(raw)
    .bind(fmt_time(not_before))
    .bind(fmt_time(now))
    .bind(held_reason)
    .fetch_one(&mut *conn)
    .await
    .context("cannot add to the outbox")?;
    Ok((id, true))
}

/// Re-renders a mail that has not gone out yet (keeping its Message-ID),
/// e.g. a receipt that must now name a second department. `not_before`
/// `None` keeps the current schedule. Returns false when it was already sent.
pub async fn replace_queued(
    conn: &mut SqliteConnection,
    id: i64,
    o: &Outgoing,
    not_before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    held_reason: Option<&str>,
) -> Result<bool> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT message_id, state FROM outbox WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .context("cannot read outbox")?;
    let Some((message_id, state)) = row else {
        return Ok(false);
    };
    if state != "queued" {
        return Ok(false);
    }
    let raw = compose::compose(o, &message_id, now)?;
    sqlx::query(
        "UPDATE outbox SET raw = ?, subject = ?, recipients = ?,
             not_before = coalesce(?, not_before), held_reason = ?
         WHERE id = ? AND state = 'queued'",
    )
    .bind(raw)
    .bind(&o.subject)
    .bind(serde_json::to_string(&o.to).context("cannot encode recipients")?)
    .bind(not_before.map(fmt_time))
    .bind(held_reason)
    .bind(id)
    .execute(&mut *conn)
    .await
    .context("cannot update outbox")?;
    Ok(true)
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<OutboxRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id"))
        .fetch_all(pool)
        .await
        .context("cannot list the outbox")
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<OutboxRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE id = ?"))
        .bind(id)
        .fetch_optional(pool)
        .await
        .context("cannot read the outbox")
}

/// The raw bytes of a mail, for previews and tests.
pub async fn raw(pool: &SqlitePool, id: i64) -> Result<Vec<u8>> {
    let (raw,): (Vec<u8>,) = sqlx::query_as("SELECT raw FROM outbox WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .context("cannot read the outbox")?;
    Ok(raw)
}

/// Marks the mail with this Message-ID bounced, in the caller's
/// transaction; returns its id and kind when it is one of ours.
pub async fn mark_bounced(
    conn: &mut SqliteConnection,
    message_id: &str,
    detail: &str,
) -> Result<Option<(i64, String)>> {
    sqlx::query_as(
        "UPDATE outbox SET state = 'bounced', bounce = ? WHERE message_id = ? RETURNING id, kind",
    )
    .bind(detail)
    .bind(message_id)
    .fetch_optional(conn)
    .await
    .context("cannot mark the returned mail bounced")
}

/// What one step of the sender did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing due; the next queued mail becomes due at this time, if any.
    Idle(Option<DateTime<Utc>>),
    Sent(i64),
    /// Failed transiently; tried again at this time.
    Retry(i64, DateTime<Utc>),
    /// Given up: a permanent refusal or retries exhausted.
    Failed(i64),
    /// Held back by the per-recipient limit until this time.
    Held(i64, DateTime<Utc>),
}

/// Sends the oldest due mail, if any. Public so that tests and `run --once`
/// drain the queue deterministically; the daemon loop is a thin wrapper.
pub async fn step(
    cfg: &Config,
    pool: &SqlitePool,
    transports: &mut Transports,
    now: DateTime<Utc>,
) -> Result<Step> {
    let due: Option<OutboxRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE state = 'queued' AND not_before <= ?
         ORDER BY CASE kind WHEN 'receipt' THEN 0 WHEN 'reminder' THEN 1 ELSE 2 END,
                  not_before, id
         LIMIT 1"
    ))
    .bind(fmt_time(now))
    .fetch_optional(pool)
    .await
    .context("cannot read the outbox")?;
    let Some(row) = due else {
        let next: Option<(String,)> = sqlx::query_as(
            "SELECT min(not_before) FROM outbox WHERE state = 'queued' HAVING count(*) > 0",
        )
        .fetch_optional(pool)
        .await
        .context("cannot read the outbox")?;
        return Ok(Step::Idle(next.map(|(t,)| parse_time(&t)).transpose()?));
    };
    if let Some(why) = stale(cfg, pool, &row, now).await? {
        fail(pool, row.id, &format!("{DROPPED}: {why}")).await?;
        warn!(outbox_id = row.id, kind = %row.kind, department = %row.department, reason = why, "not sent: no longer true");
        return Ok(Step::Failed(row.id));
    }
    let recipients: Vec<String> =
        serde_json::from_str(&row.recipients).context("bad recipients in the outbox")?;
    if row.kind == OutKind::Receipt.as_str()
        && let Some(until) = limits::rate_limited(cfg, pool, &recipients, now).await?
    {
        sqlx::query("UPDATE outbox SET not_before = ?, held_reason = ? WHERE id = ?")
            .bind(fmt_time(until))
            .bind(format!(
                "rate limit: more than {} an hour or {} a day to this recipient",
                cfg.service.receipts.max_per_hour, cfg.service.receipts.max_per_day
            ))
            .bind(row.id)
            .execute(pool)
            .await
            .context("cannot hold the mail")?;
        warn!(outbox_id = row.id, to = %recipients.join(","), until = %until, "receipt held by the per-recipient limit");
        return Ok(Step::Held(row.id, until));
    }
    if let Some((until, why)) = limits::over_budget(cfg, pool, &row.department, now).await? {
        hold_account(pool, &row.department, until, &format!("{BUDGET}: {why}")).await?;
        accounts::hold(
            pool,
            &row.department,
            accounts::State::Budget,
            until,
            &why,
            "",
            now,
        )
        .await?;
        return Ok(Step::Held(row.id, until));
    }
    if let Some((until, why)) =
        limits::domain_limited(cfg, pool, &row.department, &recipients, now).await?
    {
        sqlx::query("UPDATE outbox SET not_before = ?, held_reason = ? WHERE id = ?")
            .bind(fmt_time(until))
            .bind(&why)
            .bind(row.id)
            .execute(pool)
            .await
            .context("cannot hold the mail")?;
        warn!(outbox_id = row.id, department = %row.department, to = %recipients.join(","), until = %until, reason = %why, "mail held by the recipient domain's limit");
        return Ok(Step::Held(row.id, until));
    }
    // Count the attempt before making it: a crash mid-send still counts.
    sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?")
        .bind(row.id)
        .execute(pool)
        .await
        .context("cannot count the attempt")?;
    let attempts = row.attempts as u32 + 1;
    let raw = raw(pool, row.id).await?;
    let outcome = transports
        .send(cfg, &row.department, &row.mail_from, &recipients, &raw)
        .await;
    match outcome {
        SendOutcome::Sent(response) => {
            let mut tx = crate::ledger::begin_write(pool).await?;
            sqlx::query(
                "UPDATE outbox SET state = 'sent', sent_at = ?, last_error = NULL, held_reason = NULL
                 WHERE id = ? AND state = 'queued'",
            )
            .bind(fmt_time(now))
            .bind(row.id)
            .execute(&mut *tx)
            .await
            .context("cannot mark the mail sent")?;
            for r in &recipients {
                sqlx::query(
                    "INSERT INTO sent_log (recipient, sent_at, outbox_id) VALUES (?, ?, ?)",
                )
                .bind(r.to_ascii_lowercase())
                .bind(fmt_time(now))
                .bind(row.id)
                .execute(&mut *tx)
                .await
                .context("cannot log the send")?;
            }
            tx.commit().await.context("cannot commit the send")?;
            info!(outbox_id = row.id, kind = %row.kind, department = %row.department, to = %recipients.join(","), message_id = %row.message_id, smtp = %response, "mail sent");
            if accounts::accepted(pool, &row.department, now).await? {
                release_account(pool, &row.department, now).await?;
            }
            Ok(Step::Sent(row.id))
        }
        SendOutcome::Retry(err) => refused(cfg, pool, &row, now, attempts, &err, false).await,
        SendOutcome::Permanent(err) => refused(cfg, pool, &row, now, attempts, &err, true).await,
    }
}

/// What a refusal does to this mail and to its account (see `replies`).
async fn refused(
    cfg: &Config,
    pool: &SqlitePool,
    row: &OutboxRow,
    now: DateTime<Utc>,
    attempts: u32,
    err: &str,
    permanent: bool,
) -> Result<Step> {
    let code = replies::code_in(err);
    if code.is_none() && !permanent {
        // No server spoke: the account, not this mail, is the problem.
        // Every mail of the account waits for one probe; none counts a
        // failure of its own (but none waits past its retry period).
        let created = parse_time(&row.created_at)?;
        let retry_for = Duration::hours(cfg.service.outbox.retry_hours as i64);
        if now - created >= retry_for {
            fail(
                pool,
                row.id,
                &format!("gave up after {attempts} attempts: {err}"),
            )
            .await?;
            error!(outbox_id = row.id, kind = %row.kind, department = %row.department, attempts, error = %err, "sending failed for too long; giving up");
            return Ok(Step::Failed(row.id));
        }
        let until = accounts::unreachable(pool, &row.department, err, now).await?;
        hold_account(
            pool,
            &row.department,
            until,
            &format!("{UNREACHABLE}: {err}"),
        )
        .await?;
        sqlx::query("UPDATE outbox SET last_error = ? WHERE id = ?")
            .bind(err)
            .bind(row.id)
            .execute(pool)
            .await
            .context("cannot record the error")?;
        return Ok(Step::Retry(row.id, until));
    }
    let (action, why) = if permanent && code.is_none() {
        // Refused before any server spoke (a malformed address).
        (replies::Action::FailMail, "the mail cannot be addressed")
    } else {
        replies::classify(code, err)
    };
    let account_hold = |state: accounts::State, until: DateTime<Utc>, reason: String| async move {
        hold_account(pool, &row.department, until, &reason).await?;
        accounts::hold(pool, &row.department, state, until, why, err, now).await?;
        anyhow::Ok(Step::Held(row.id, until))
    };
    match action {
        replies::Action::RetryMail(at_least) => {
            let created = parse_time(&row.created_at)?;
            let retry_for = Duration::hours(cfg.service.outbox.retry_hours as i64);
            match policy::next_attempt(created, now, attempts, retry_for) {
                Some(when) => {
                    let when = at_least.map_or(when, |d| when.max(now + d));
                    sqlx::query("UPDATE outbox SET not_before = ?, last_error = ? WHERE id = ?")
                        .bind(fmt_time(when))
                        .bind(err)
                        .bind(row.id)
                        .execute(pool)
                        .await
                        .context("cannot reschedule the mail")?;
                    if attempts == 1 {
                        warn!(outbox_id = row.id, kind = %row.kind, department = %row.department, retry_at = %when, reason = why, error = %err, "sending failed; will retry");
                    } else {
                        tracing::debug!(outbox_id = row.id, attempts, retry_at = %when, error = %err, "sending failed again; will retry");
                    }
                    Ok(Step::Retry(row.id, when))
                }
                None => {
                    fail(
                        pool,
                        row.id,
                        &format!("gave up after {attempts} attempts: {err}"),
                    )
                    .await?;
                    error!(outbox_id = row.id, kind = %row.kind, department = %row.department, attempts, error = %err, "sending failed for too long; giving up");
                    Ok(Step::Failed(row.id))
                }
            }
        }
        replies::Action::DeferAccount(pause) => {
            let until = now + pause;
            account_hold(
                accounts::State::Busy,
                until,
                format!("account busy until {}: {why} ({err})", fmt_time(until)),
            )
            .await
        }
        replies::Action::ParkAccountUntilMidnight => {
            let until = replies::next_midnight(now, cfg.tz);
            let (day_start, _) = limits::provider_day(cfg, now);
            let sent_today = limits::account_sends(pool, &row.department, day_start)
                .await?
                .len();
            let r = account_hold(
                accounts::State::Parked,
                until,
                format!(
                    "daily quota used up; waits until {}: {err}",
                    fmt_time(until)
                ),
            )
            .await;
            let day = now.with_timezone(&cfg.tz).date_naive().to_string();
            accounts::learn_daily_quota(pool, &row.department, &day, sent_today as u32).await?;
            r
        }
        replies::Action::StopAccount => {
            // Until a person fixes it: a restart or reload resumes (see
            // `resume_stopped`); retrying a refused login gets the address
            // blocked.
            // Logged as ERROR once by `accounts::hold`: the mail waits until
            // the configuration is fixed and mailroom restarted or reloaded.
            let until = now + Duration::days(7);
            account_hold(
                accounts::State::Stopped,
                until,
                format!("{STOPPED}: {why} ({err})"),
            )
            .await
        }
        replies::Action::FailMail => {
            fail(pool, row.id, &format!("{why}: {err}")).await?;
            error!(outbox_id = row.id, kind = %row.kind, department = %row.department, to = %row.recipients, reason = why, error = %err, "the server refused the mail");
            Ok(Step::Failed(row.id))
        }
    }
}

/// How mail that was never sent on purpose is marked (`last_error`).
const DROPPED: &str = "dropped, not sent";

/// Why a queued mail should no longer go out, however late its retry: a
/// reminder after the deadline tells a unit to do what it no longer can,
/// and a digest that a newer one of the same department has replaced
/// would show the 科室 yesterday's matrix.
async fn stale(
    cfg: &Config,
    pool: &SqlitePool,
    row: &OutboxRow,
    now: DateTime<Utc>,
) -> Result<Option<&'static str>> {
    if row.kind == OutKind::Reminder.as_str()
        && now > cfg.campaign.campaign.deadline.with_timezone(&Utc)
    {
        return Ok(Some("a reminder held up past the deadline"));
    }
    if row.kind == OutKind::Digest.as_str() {
        let newer: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM outbox WHERE kind = 'digest' AND department = ? AND id > ?
             AND state IN ('queued', 'sent') LIMIT 1",
        )
        .bind(&row.department)
        .bind(row.id)
        .fetch_optional(pool)
        .await
        .context("cannot read the outbox")?;
        if newer.is_some() {
            return Ok(Some("a newer digest of this department replaces it"));
        }
    }
    Ok(None)
}

/// An account whose mail waits because of what its server said.
#[derive(Debug, Clone)]
pub struct AccountHold {
    /// Receipts among the waiting mail.
    pub receipts: i64,
    /// When the last of them may go.
    pub until: DateTime<Utc>,
    /// The day's quota or budget is spent (rather than a short pause, an
    /// unreachable server or a stopped login).
    pub quota: bool,
}

/// Whether a department's sending account is held (quota, busy, stopped).
pub async fn account_hold(pool: &SqlitePool, department: &str) -> Result<Option<AccountHold>> {
    let row: Option<(i64, String, i64)> = sqlx::query_as(
        "SELECT sum(kind = 'receipt'), max(not_before),
                max(held_reason LIKE 'daily quota%' OR held_reason LIKE ?)
         FROM outbox WHERE department = ? AND state = 'queued'
         AND (held_reason LIKE 'daily quota%' OR held_reason LIKE 'account busy%'
              OR held_reason LIKE ? OR held_reason LIKE ? OR held_reason LIKE ?)
         HAVING count(*) > 0",
    )
    .bind(format!("{BUDGET}: % today%"))
    .bind(department)
    .bind(format!("{STOPPED}%"))
    .bind(format!("{BUDGET}%"))
    .bind(format!("{UNREACHABLE}%"))
    .fetch_optional(pool)
    .await
    .context("cannot read the outbox")?;
    row.map(|(receipts, until, quota)| {
        Ok(AccountHold {
            receipts,
            until: parse_time(&until)?,
            quota: quota != 0,
        })
    })
    .transpose()
}

/// How a stopped account's mail is marked, so a restart can release it.
const STOPPED: &str = "account stopped";
/// How mail waiting for an unreachable server is marked.
const UNREACHABLE: &str = "server unreachable";
/// How mail waiting for its account's budget is marked.
const BUDGET: &str = "account budget";

/// The account took a mail after waiting (unreachable, busy, budget): its
/// mail that waited only for the account is due now, not each at its own
/// time. Mail held for its own reasons (a recipient's limit) stays.
async fn release_account(pool: &SqlitePool, department: &str, now: DateTime<Utc>) -> Result<()> {
    let n = sqlx::query(
        "UPDATE outbox SET not_before = ?, held_reason = NULL
         WHERE department = ? AND state = 'queued' AND not_before > ?
           AND (held_reason LIKE ? OR held_reason LIKE 'account busy%')",
    )
    .bind(fmt_time(now))
    .bind(department)
    .bind(fmt_time(now))
    .bind(format!("{UNREACHABLE}%"))
    .execute(pool)
    .await
    .context("cannot release the account's mail")?
    .rows_affected();
    if n > 0 {
        info!(department, mails = n, "the account's waiting mail goes now");
    }
    Ok(())
}

/// Every queued mail of the account waits until `until` (a hold per
/// account, not per mail: a queue of 200 does not knock 200 times).
async fn hold_account(
    pool: &SqlitePool,
    department: &str,
    until: DateTime<Utc>,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE outbox SET not_before = max(not_before, ?), held_reason = ?
         WHERE department = ? AND state = 'queued'",
    )
    .bind(fmt_time(until))
    .bind(reason)
    .bind(department)
    .execute(pool)
    .await
    .context("cannot hold the account's mail")?;
    Ok(())
}

/// Releases the mail of accounts stopped by a refused login or permission:
/// a restart or reload is how a person says the configuration is fixed.
pub async fn resume_stopped(pool: &SqlitePool, now: DateTime<Utc>) -> Result<()> {
    let n = sqlx::query(
        "UPDATE outbox SET not_before = ?, held_reason = NULL
         WHERE state = 'queued' AND held_reason LIKE ?",
    )
    .bind(fmt_time(now))
    .bind(format!("{STOPPED}%"))
    .execute(pool)
    .await
    .context("cannot release stopped accounts")?
    .rows_affected();
    // Heard again if the next attempt is refused too: the restart was a
    // person saying it is fixed.
    sqlx::query("UPDATE send_accounts SET state = 'ok', until = NULL WHERE state = 'stopped'")
        .execute(pool)
        .await
        .context("cannot release stopped accounts")?;
    if n > 0 {
        info!(
            mails = n,
            "resuming mail of accounts stopped before this start"
        );
    }
    Ok(())
}

async fn fail(pool: &SqlitePool, id: i64, err: &str) -> Result<()> {
    sqlx::query("UPDATE outbox SET state = 'failed', last_error = ? WHERE id = ?")
        .bind(err)
        .bind(id)
        .execute(pool)
        .await
        .context("cannot mark the mail failed")?;
    Ok(())
}

/// Sends everything due now, then returns (for `run --once`).
pub async fn drain(
    cfg: &Config,
    pool: &SqlitePool,
    now: impl Fn() -> DateTime<Utc>,
) -> Result<usize> {
    resume_stopped(pool, now()).await?;
    let mut transports = Transports::new();
    let mut sent = 0;
    loop {
        match step(cfg, pool, &mut transports, now()).await? {
            Step::Idle(_) => return Ok(sent),
            Step::Sent(_) => sent += 1,
            // A retry or hold is in the future: nothing more to do now.
            Step::Retry(..) | Step::Held(..) | Step::Failed(_) => {}
        }
    }
}

/// The sender task: drains the outbox whenever woken or something falls due.
pub async fn run_sender(
    cfg: Arc<Config>,
    pool: SqlitePool,
    wake: Arc<Notify>,
    now: impl Fn() -> DateTime<Utc>,
    cancel: CancellationToken,
) {
    if let Err(e) = resume_stopped(&pool, now()).await {
        error!(error = %format!("{e:#}"), "cannot release stopped accounts");
    }
    let mut transports = Transports::new();
    loop {
        let step = tokio::select! {
            _ = cancel.cancelled() => return,
            s = step(&cfg, &pool, &mut transports, now()) => s,
        };
        let nap = match step {
            Ok(Step::Idle(next)) => next
                .and_then(|t| (t - now()).to_std().ok())
                .unwrap_or(MAX_IDLE)
                .min(MAX_IDLE),
            Ok(_) => continue,
            Err(e) => {
                error!(error = %format!("{e:#}"), "outbox error");
                std::time::Duration::from_secs(5)
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(nap) => {}
        }
    }
}
