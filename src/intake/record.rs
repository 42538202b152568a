//! Writing classified deliveries and refreshing the relational flags, inside
//! the caller's transaction.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use super::relations::{self, Sub};
use crate::classify::{Classification, Flag, Kind};
use crate::inspect::Headers;
use crate::ledger::messages::fmt_time;

/// What is kept per delivery besides the indexed columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Detail {
    pub classification: Classification,
    pub headers: Headers,
}

/// One attachment row.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
pub struct AttachmentRow {
    pub message_row: i64,
    pub ordinal: i64,
    pub filename: String,
    pub safe_filename: String,
    pub size: i64,
    pub sha256: String,
    pub content_type: String,
    pub path: String,
    pub items: String,
    pub members: Option<String>,
    pub problem: Option<String>,
}

pub fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::Submission => "submission",
        Kind::AutoReply => "auto_reply",
        Kind::Bounce => "bounce",
        Kind::Other => "other",
    }
}

pub fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).context("cannot encode JSON")
}

/// The key grouping a message's deliveries across mailboxes.
pub fn message_key(message_id: Option<&str>, sha256: &str) -> String {
    match message_id {
        Some(m) if !m.is_empty() => m.to_owned(),
        _ => format!("sha256:{sha256}"),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn upsert_delivery(
    conn: &mut SqliteConnection,
    message_row: i64,
    key: &str,
    department: &str,
    received_at: chrono::DateTime<chrono::Utc>,
    c: &Classification,
    headers: &Headers,
    attachments: &[AttachmentRow],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let detail = Detail {
        classification: c.clone(),
        headers: headers.clone(),
    };
    sqlx::query(
        "INSERT INTO deliveries (message_row, message_key, department, received_at, kind, unit,
             unit_source, projects, items, form_projects, late, misrouted, expected_departments,
             base_flags, flags, from_addr, subject, detail, classified_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (message_row) DO UPDATE SET
             message_key = excluded.message_key, department = excluded.department,
             received_at = excluded.received_at, kind = excluded.kind, unit = excluded.unit,
             unit_source = excluded.unit_source, projects = excluded.projects, items = excluded.items,
             form_projects = excluded.form_projects,
             late = excluded.late, misrouted = excluded.misrouted,
             expected_departments = excluded.expected_departments,
             base_flags = excluded.base_flags, flags = excluded.flags,
             from_addr = excluded.from_addr, subject = excluded.subject,
             detail = excluded.detail, classified_at = excluded.classified_at",
    )
    .bind(message_row)
    .bind(key)
    .bind(department)
    .bind(fmt_time(received_at))
    .bind(kind_str(c.kind))
    .bind(&c.unit)
    .bind(
        c.unit_source
            .map(|s| serde_json::to_value(s).ok())
            .and_then(|v| v.and_then(|v| v.as_str().map(str::to_owned))),
    )
    .bind(json(&c.projects)?)
    .bind(json(&c.items)?)
    .bind(json(&c.form_projects)?)
    .bind(c.late as i64)
    .bind(c.misrouted as i64)
    .bind(json(&c.expected_departments)?)
    .bind(json(&c.flags)?)
    .bind(json(&c.flags)?)
    .bind(headers.from.as_ref().map(|m| m.address.clone()))
    .bind(&headers.subject)
    .bind(json(&detail)?)
    .bind(fmt_time(now))
    .execute(&mut *conn)
    .await
    .context("cannot record the delivery")?;
    sqlx::query("DELETE FROM attachments WHERE message_row = ?")
        .bind(message_row)
        .execute(&mut *conn)
        .await
        .context("cannot replace attachments")?;
    for a in attachments {
        sqlx::query(
            "INSERT INTO attachments (message_row, ordinal, filename, safe_filename, size, sha256,
                 content_type, path, items, members, problem)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.message_row)
        .bind(a.ordinal)
        .bind(&a.filename)
        .bind(&a.safe_filename)
        .bind(a.size)
        .bind(&a.sha256)
        .bind(&a.content_type)
        .bind(&a.path)
        .bind(&a.items)
        .bind(&a.members)
        .bind(&a.problem)
        .execute(&mut *conn)
        .await
        .context("cannot record an attachment")?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RelRow {
    message_row: i64,
    message_key: String,
    department: String,
    received_at: String,
    unit: Option<String>,
    items: String,
    projects: String,
    form_projects: String,
    base_flags: String,
    flags: String,
}

const REL_COLUMNS: &str = "message_row, message_key, department, received_at, unit, items, \
     projects, form_projects, base_flags, flags";

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Recomputes `resubmission` and `duplicate_delivery` for every submission of
/// these units and messages (and of the units those messages belong to),
/// updating rows whose flags change. Returns the rows that changed.
pub async fn refresh_relations(
    conn: &mut SqliteConnection,
    units: &BTreeSet<String>,
    keys: &BTreeSet<String>,
) -> Result<Vec<i64>> {
    let mut rows: Vec<RelRow> = Vec::new();
    for k in keys {
        rows.extend(
            sqlx::query_as::<_, RelRow>(&format!(
                "SELECT {REL_COLUMNS} FROM deliveries WHERE message_key = ? AND kind = 'submission'"
            ))
            .bind(k)
            .fetch_all(&mut *conn)
            .await
            .context("cannot read deliveries")?,
        );
    }
    let mut all_units = units.clone();
    all_units.extend(rows.iter().filter_map(|r| r.unit.clone()));
    for u in &all_units {
        rows.extend(
            sqlx::query_as::<_, RelRow>(&format!(
                "SELECT {REL_COLUMNS} FROM deliveries WHERE unit = ? AND kind = 'submission'"
            ))
            .bind(u)
            .fetch_all(&mut *conn)
            .await
            .context("cannot read deliveries")?,
        );
    }
    rows.sort_by_key(|r| r.message_row);
    rows.dedup_by_key(|r| r.message_row);
    let subs: Vec<(Option<String>, Sub)> = rows
        .iter()
        .map(|r| {
            let form_projects = parse_list(&r.form_projects);
            (
                r.unit.clone(),
                Sub {
                    row: r.message_row,
                    message_key: r.message_key.clone(),
                    department: r.department.clone(),
                    received_at: r.received_at.clone(),
                    items: parse_list(&r.items),
                    projects: parse_list(&r.projects),
                    form_projects,
                },
            )
        })
        .collect();
    let mut resub = std::collections::HashSet::new();
    for u in &all_units {
        let of_unit: Vec<Sub> = subs
            .iter()
            .filter(|(unit, _)| unit.as_ref() == Some(u))
            .map(|(_, s)| s.clone())
            .collect();
        resub.extend(relations::resubmissions(&of_unit));
    }
    let plain: Vec<Sub> = subs.into_iter().map(|(_, s)| s).collect();
    let dup = relations::duplicate_deliveries(&plain);
    let mut changed = Vec::new();
    for r in &rows {
        let mut flags: Vec<Flag> = serde_json::from_str(&r.base_flags).unwrap_or_default();
        if resub.contains(&r.message_row) {
            flags.push(Flag::Resubmission);
        }
        if dup.contains(&r.message_row) {
            flags.push(Flag::DuplicateDelivery);
        }
        flags.sort();
        flags.dedup();
        let new = json(&flags)?;
        if new != r.flags {
            sqlx::query("UPDATE deliveries SET flags = ? WHERE message_row = ?")
                .bind(&new)
                .bind(r.message_row)
                .execute(&mut *conn)
                .await
                .context("cannot update flags")?;
            changed.push(r.message_row);
        }
    }
    Ok(changed)
}
