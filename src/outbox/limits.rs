//! What may go now: each sending account's budget (15 minutes and the
//! provider's day, lowered by what its server taught, see `accounts`), the
//! limits per recipient domain, and the per-recipient limit on receipts.
//! Each answers "not before this time, because …"; the sender holds the
//! mail or the account accordingly.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqlitePool;

use super::{accounts, policy, replies};
use crate::config::Config;
use crate::ledger::messages::{fmt_time, parse_time};

/// Send times as read from the ledger.
fn times(rows: &[(String,)]) -> Result<Vec<DateTime<Utc>>> {
    rows.iter().map(|(t,)| parse_time(t)).collect()
}

/// The provider's day around `now`: from 00:00 to the next 00:00 in the
/// campaign's zone (NetEase counts from midnight Beijing time).
pub(super) fn provider_day(cfg: &Config, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = replies::next_midnight(now, cfg.tz);
    (end - Duration::days(1), end)
}

/// When the account sent mail since `since`.
pub(super) async fn account_sends(
    pool: &SqlitePool,
    department: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT sent_at FROM outbox WHERE department = ? AND sent_at IS NOT NULL AND sent_at >= ?",
    )
    .bind(department)
    .bind(fmt_time(since))
    .fetch_all(pool)
    .await
    .context("cannot read the account's sent mail")?;
    times(&rows)
}

/// Whether the account's budget lets one more mail go now; otherwise until
/// when its mail waits, and why (in words for `outbox` and the log).
pub(super) async fn over_budget(
    cfg: &Config,
    pool: &SqlitePool,
    department: &str,
    now: DateTime<Utc>,
) -> Result<Option<(DateTime<Utc>, String)>> {
    let o = &cfg.service.outbox;
    let (day_start, day_end) = provider_day(cfg, now);
    let day = now.with_timezone(&cfg.tz).date_naive().to_string();
    let learned = accounts::learned_daily_quota(pool, department, &day).await?;
    let per_day = learned.map_or(o.per_day, |l| l.min(o.per_day));
    let since = day_start.min(now - Duration::minutes(15));
    let sent = account_sends(pool, department, since).await?;
    Ok(
        match policy::account_budget(&sent, now, o.per_15min, per_day, day_start, day_end) {
            Ok(()) => None,
            Err((until, policy::OverBudget::Quarter)) => {
                Some((until, format!("{} mails in 15 minutes", o.per_15min)))
            }
            Err((until, policy::OverBudget::Day)) => Some((
                until,
                match learned {
                    Some(l) if l < o.per_day => {
                        format!("{per_day} mails today, the quota its server showed today")
                    }
                    _ => format!("{per_day} mails today"),
                },
            )),
        },
    )
}

/// When a recipient's domain has had as much mail from this account as its
/// limit allows, until when this mail waits.
pub(super) async fn domain_limited(
    cfg: &Config,
    pool: &SqlitePool,
    department: &str,
    recipients: &[String],
    now: DateTime<Utc>,
) -> Result<Option<(DateTime<Utc>, String)>> {
    let mut out: Option<(DateTime<Utc>, String)> = None;
    for limit in &cfg.service.outbox.domain_limits {
        let suffix = format!("@{}", limit.domain.to_ascii_lowercase());
        if !recipients
            .iter()
            .any(|r| r.to_ascii_lowercase().ends_with(&suffix))
        {
            continue;
        }
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT s.sent_at FROM sent_log s JOIN outbox o ON o.id = s.outbox_id
             WHERE o.department = ? AND s.recipient LIKE ? AND s.sent_at > ?",
        )
        .bind(department)
        .bind(format!("%{suffix}"))
        .bind(fmt_time(now - Duration::days(1)))
        .fetch_all(pool)
        .await
        .context("cannot read the send log")?;
        if let Err(until) = policy::rate_limit(&times(&rows)?, now, limit.per_hour, limit.per_day) {
            let why = format!(
                "recipient domain limit: {} an hour or {} a day to {}",
                limit.per_hour, limit.per_day, limit.domain
            );
            if out.as_ref().is_none_or(|(u, _)| until > *u) {
                out = Some((until, why));
            }
        }
    }
    Ok(out)
}

/// When any recipient had too many receipts lately, the time to wait until.
pub(super) async fn rate_limited(
    cfg: &Config,
    pool: &SqlitePool,
    recipients: &[String],
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let mut until: Option<DateTime<Utc>> = None;
    for r in recipients {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT s.sent_at FROM sent_log s JOIN outbox o ON o.id = s.outbox_id
             WHERE s.recipient = ? AND o.kind = 'receipt' AND s.sent_at > ?",
        )
        .bind(r.to_ascii_lowercase())
        .bind(fmt_time(now - Duration::days(1)))
        .fetch_all(pool)
        .await
        .context("cannot read the send log")?;
        if let Err(t) = policy::rate_limit(
            &times(&rows)?,
            now,
            cfg.service.receipts.max_per_hour,
            cfg.service.receipts.max_per_day,
        ) {
            until = Some(until.map_or(t, |u| u.max(t)));
        }
    }
    Ok(until)
}
