//! A person's decisions: `mailroom assign` records a unit (and items) for a
//! message, which every later classification keeps.

use std::sync::Arc;

use anyhow::{Context, Result};

use super::record::json;
use super::{Mode, process_rows};
use crate::config::Config;
use crate::daemon::App;
use crate::ledger::messages as ledger_messages;

/// Records a person's decision and re-derives the message's deliveries.
pub async fn assign(
    app: &App,
    message: &str,
    unit: &str,
    items: Option<Vec<String>>,
    remember_sender: bool,
) -> Result<AssignOutcome> {
    let cfg: &Arc<Config> = &app.config;
    let key = resolve_message(app, message).await?;
    sqlx::query(
        "INSERT INTO assignments (message_key, unit, items, assigned_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (message_key) DO UPDATE SET unit = excluded.unit, items = excluded.items,
             assigned_at = excluded.assigned_at",
    )
    .bind(&key)
    .bind(unit)
    .bind(items.as_ref().map(json).transpose()?)
    .bind(ledger_messages::fmt_time(app.now()))
    .execute(&app.ledger.pool)
    .await
    .context("cannot record the assignment")?;
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT message_row FROM deliveries WHERE message_key = ? ORDER BY received_at, message_row",
    )
    .bind(&key)
    .fetch_all(&app.ledger.pool)
    .await
    .context("cannot read deliveries")?;
    let report = process_rows(app, rows.into_iter().map(|(r,)| r).collect(), Mode::Live).await?;
    let sender: Option<(Option<String>,)> =
        sqlx::query_as("SELECT from_addr FROM deliveries WHERE message_key = ? LIMIT 1")
            .bind(&key)
            .fetch_optional(&app.ledger.pool)
            .await
            .context("cannot read the sender")?;
    let sender = sender.and_then(|(s,)| s);
    let remembered = if remember_sender {
        match &sender {
            Some(addr) => Some(crate::config::units_edit::add_sender(cfg, unit, addr)?),
            None => None,
        }
    } else {
        None
    };
    Ok(AssignOutcome {
        message_key: key,
        deliveries: report.processed,
        sender,
        remembered,
    })
}

#[derive(Debug)]
pub struct AssignOutcome {
    pub message_key: String,
    pub deliveries: usize,
    pub sender: Option<String>,
    /// The units file that was changed, when the sender was remembered.
    pub remembered: Option<std::path::PathBuf>,
}

/// A ledger id (`42`) or a Message-ID (with or without angle brackets).
pub async fn resolve_message(app: &App, message: &str) -> Result<String> {
    if let Ok(id) = message.parse::<i64>() {
        let found: Option<(String,)> =
            sqlx::query_as("SELECT message_key FROM deliveries WHERE message_row = ?")
                .bind(id)
                .fetch_optional(&app.ledger.pool)
                .await
                .context("cannot read deliveries")?;
        if let Some((k,)) = found {
            return Ok(k);
        }
    }
    let mid = message.trim().trim_start_matches('<').trim_end_matches('>');
    let found: Option<(String,)> =
        sqlx::query_as("SELECT message_key FROM deliveries WHERE message_key = ? LIMIT 1")
            .bind(mid)
            .fetch_optional(&app.ledger.pool)
            .await
            .context("cannot read deliveries")?;
    match found {
        Some((k,)) => Ok(k),
        None => Err(crate::cli::UsageError(format!(
            "no stored message {message:?}: give a ledger id (see `mailroom review`) or a Message-ID"
        ))
        .into()),
    }
}
