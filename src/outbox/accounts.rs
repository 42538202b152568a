//! What each department's sending account is doing, remembered between
//! steps so that a change is logged once (an outage of two minutes used to
//! write a warning per mail per attempt), and what its server taught us.
//!
//! The mail itself waits in the outbox (`not_before`, `held_reason`); the
//! row here is the account's state, its consecutive connection failures
//! (the account's backoff: one mail probes, the others wait) and the daily
//! quota a `554 MI:STC` revealed.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use sqlx::SqlitePool;
use tracing::{error, info, warn};

use crate::ledger::messages::fmt_time;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Ok,
    /// No SMTP server answered (connection refused, timeout, DNS).
    Unreachable,
    /// The server asked for a pause (451 MI:SFQ and the like).
    Busy,
    /// The day's quota is used up (554 MI:STC): until midnight.
    Parked,
    /// Login or permission refused: until a person fixes it.
    Stopped,
    /// mailroom's own budget for the account is spent for now.
    Budget,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Unreachable => "unreachable",
            State::Busy => "busy",
            State::Parked => "parked",
            State::Stopped => "stopped",
            State::Budget => "budget",
        }
    }

    fn parse(s: &str) -> State {
        match s {
            "unreachable" => State::Unreachable,
            "busy" => State::Busy,
            "parked" => State::Parked,
            "stopped" => State::Stopped,
            "budget" => State::Budget,
            _ => State::Ok,
        }
    }
}

/// Waiting between probes of an unreachable account: 1, 2, 4, 8, then every
/// 10 seconds. Short on purpose: a refused connection costs the provider
/// nothing, and when the server is back the whole queue should follow
/// within seconds, not after a backoff grown to minutes. (A login refused
/// is `Stopped`, never probed: that is what gets an address blocked.)
pub fn probe_delay(failures: u32) -> chrono::Duration {
    let secs = 1i64 << failures.saturating_sub(1).min(4);
    chrono::Duration::seconds(secs.min(10))
}

async fn current(pool: &SqlitePool, department: &str) -> Result<(State, u32)> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT state, failures FROM send_accounts WHERE department = ?")
            .bind(department)
            .fetch_optional(pool)
            .await
            .context("cannot read the sending account's state")?;
    Ok(row.map_or((State::Ok, 0), |(s, f)| (State::parse(&s), f as u32)))
}

/// A new state for an account's row.
struct Update<'a> {
    state: State,
    failures: u32,
    until: Option<DateTime<Utc>>,
    reason: &'a str,
    /// A change of state (resets `since`), not the same state again.
    changed: bool,
}

async fn store(
    pool: &SqlitePool,
    department: &str,
    u: Update<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO send_accounts (department, state, since, until, reason, failures)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (department) DO UPDATE SET state = excluded.state,
             since = CASE WHEN ? THEN excluded.since ELSE send_accounts.since END,
             until = excluded.until, reason = excluded.reason, failures = excluded.failures",
    )
    .bind(department)
    .bind(u.state.as_str())
    .bind(fmt_time(now))
    .bind(u.until.map(fmt_time))
    .bind(u.reason)
    .bind(i64::from(u.failures))
    .bind(u.changed)
    .execute(pool)
    .await
    .context("cannot record the sending account's state")?;
    Ok(())
}

/// The account now waits (`state` other than `Ok`) until `until`. Logged
/// when the state changes, not again while it stays.
pub async fn hold(
    pool: &SqlitePool,
    department: &str,
    state: State,
    until: DateTime<Utc>,
    reason: &str,
    error_text: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let (was, _) = current(pool, department).await?;
    let changed = was != state;
    let update = Update {
        state,
        failures: 0,
        until: Some(until),
        reason,
        changed,
    };
    store(pool, department, update, now).await?;
    if changed {
        match state {
            State::Parked => {
                error!(department, until = %until, reason, error = error_text, "daily sending quota used up: the account's mail waits until midnight")
            }
            State::Stopped => {
                error!(
                    department,
                    reason,
                    error = error_text,
                    "the SMTP account refuses mailroom: its mail waits until the configuration is fixed and mailroom restarted or reloaded"
                )
            }
            State::Budget => {
                info!(department, until = %until, reason, "the sending account's budget is spent for now: its mail waits")
            }
            _ => {
                warn!(department, state = state.as_str(), until = %until, reason, error = error_text, "the sending account's mail waits")
            }
        }
    }
    Ok(())
}

/// No server answered: the account waits for its next probe. Returns when.
pub async fn unreachable(
    pool: &SqlitePool,
    department: &str,
    error_text: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let (was, failures) = current(pool, department).await?;
    let failures = if was == State::Unreachable {
        failures + 1
    } else {
        1
    };
    let until = now + probe_delay(failures);
    let changed = was != State::Unreachable;
    let update = Update {
        state: State::Unreachable,
        failures,
        until: Some(until),
        reason: "no SMTP server answered",
        changed,
    };
    store(pool, department, update, now).await?;
    if changed {
        warn!(
            department,
            error = error_text,
            "the SMTP server cannot be reached: the account's mail waits and one mail probes, every 10 seconds at most"
        );
    } else {
        tracing::debug!(
            department,
            failures,
            error = error_text,
            "still unreachable"
        );
    }
    Ok(until)
}

/// The server took a mail: the account is fine again. Returns whether it
/// was waiting before (the caller then releases its mail at once).
pub async fn accepted(pool: &SqlitePool, department: &str, now: DateTime<Utc>) -> Result<bool> {
    let (was, failures) = current(pool, department).await?;
    if was == State::Ok {
        return Ok(false);
    }
    let update = Update {
        state: State::Ok,
        failures: 0,
        until: None,
        reason: "",
        changed: true,
    };
    store(pool, department, update, now).await?;
    if was == State::Budget {
        tracing::debug!(department, "budget window open again");
    } else {
        info!(
            department,
            was = was.as_str(),
            failures,
            "the sending account accepts mail again"
        );
    }
    Ok(true)
}

/// Remembers that on `day` (campaign time zone) the server stopped the
/// account after `sent` mails: that day's budget.
pub async fn learn_daily_quota(
    pool: &SqlitePool,
    department: &str,
    day: &str,
    sent: u32,
) -> Result<()> {
    sqlx::query(
        "UPDATE send_accounts SET learned_day = ?, learned_per_day = ? WHERE department = ?",
    )
    .bind(day)
    .bind(i64::from(sent))
    .bind(department)
    .execute(pool)
    .await
    .context("cannot record the account's quota")?;
    info!(
        department,
        day, sent, "the account's daily quota learned from its server"
    );
    Ok(())
}

/// The daily quota learned for `day`, if any.
pub async fn learned_daily_quota(
    pool: &SqlitePool,
    department: &str,
    day: &str,
) -> Result<Option<u32>> {
    let row: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT learned_per_day FROM send_accounts WHERE department = ? AND learned_day = ?",
    )
    .bind(department)
    .bind(day)
    .fetch_optional(pool)
    .await
    .context("cannot read the account's quota")?;
    Ok(row.and_then(|(n,)| n).map(|n| n as u32))
}

#[cfg(test)]
mod tests {
    use super::probe_delay;

    #[test]
    fn probes_back_off_to_ten_seconds_and_no_further() {
        let secs: Vec<i64> = (1..=7).map(|f| probe_delay(f).num_seconds()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 10, 10, 10]);
    }
}
