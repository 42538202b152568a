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

impl AttachmentRow {
    /// The name to show a person: as sent, or, for a file sent without any
    /// name, the made-up storage name, marked as such.
    pub fn display_name(&self) -> String {
        display_name(&self.filename, &self.safe_filename)
    }
}

pub fn display_name(filename: &str, safe_filename: &str) -> String {
    if filename.is_empty() {
        format!("（未命名文件 {safe_filename}）")
    } else {
        filename.to_owned()
    }
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
    kind: String,
    unit: Option<String>,
    items: String,
    projects: String,
    form_projects: String,
    base_flags: String,
    flags: String,
}

const REL_COLUMNS: &str = "message_row, message_key, department, received_at, kind, unit, \
     items, projects, form_projects, base_flags, flags";

fn parse_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

async fn rel_row(conn: &mut SqliteConnection, row: i64) -> Result<Option<RelRow>> {
    sqlx::query_as::<_, RelRow>(&format!(
        "SELECT {REL_COLUMNS} FROM deliveries WHERE message_row = ?"
    ))
    .bind(row)
    .fetch_optional(&mut *conn)
    .await
    .context("cannot read delivery")
}

/// Updates the coverage index for `rows` (just recorded or re-recorded) and
/// recomputes `resubmission` and `duplicate_delivery` wherever they can have
/// changed: the rows themselves, later submissions of the same unit that
/// share (or shared) a coverage key with them, and every delivery of their
/// messages. Indexed lookups only, so the cost does not grow with the
/// ledger. Returns the final flags of every row it looked at.
pub async fn refresh_relations(
    conn: &mut SqliteConnection,
    rows: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<Flag>>> {
    let mut affected: BTreeSet<i64> = rows.iter().copied().collect();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for &row in rows {
        let old: Vec<(String, String, String)> =
            sqlx::query_as("SELECT unit, cov, received_at FROM coverage WHERE message_row = ?")
                .bind(row)
                .fetch_all(&mut *conn)
                .await
                .context("cannot read coverage")?;
        sqlx::query("DELETE FROM coverage WHERE message_row = ?")
            .bind(row)
            .execute(&mut *conn)
            .await
            .context("cannot replace coverage")?;
        let Some(r) = rel_row(conn, row).await? else {
            continue;
        };
        keys.insert(r.message_key.clone());
        let mut pairs: Vec<(String, String, String)> = old;
        if r.kind == "submission"
            && let Some(unit) = &r.unit
        {
            let sub = sub_of(&r);
            for cov in relations::coverage(&sub) {
                sqlx::query(
                    "INSERT INTO coverage (message_row, unit, cov, message_key, received_at)
                     VALUES (?, ?, ?, ?, ?)",
                )
                .bind(row)
                .bind(unit)
                .bind(&cov)
                .bind(&r.message_key)
                .bind(&r.received_at)
                .execute(&mut *conn)
                .await
                .context("cannot record coverage")?;
                pairs.push((unit.clone(), cov, r.received_at.clone()));
            }
        }
        // Later submissions sharing a key with this one (before or after the
        // change) may gain or lose `resubmission`.
        for (unit, cov, at) in pairs {
            let later: Vec<(i64,)> = sqlx::query_as(
                "SELECT message_row FROM coverage WHERE unit = ? AND cov = ?
                   AND (received_at > ? OR (received_at = ? AND message_row > ?))",
            )
            .bind(&unit)
            .bind(&cov)
            .bind(&at)
            .bind(&at)
            .bind(row)
            .fetch_all(&mut *conn)
            .await
            .context("cannot read coverage")?;
            affected.extend(later.into_iter().map(|(r,)| r));
        }
    }
    for k in &keys {
        let same: Vec<(i64,)> =
            sqlx::query_as("SELECT message_row FROM deliveries WHERE message_key = ?")
                .bind(k)
                .fetch_all(&mut *conn)
                .await
                .context("cannot read deliveries")?;
        affected.extend(same.into_iter().map(|(r,)| r));
    }
    let mut out = std::collections::HashMap::new();
    for row in affected {
        let Some(r) = rel_row(conn, row).await? else {
            continue;
        };
        let mut flags: Vec<Flag> = serde_json::from_str(&r.base_flags).unwrap_or_default();
        if r.kind == "submission" {
            if is_resubmission(conn, &r).await? {
                flags.push(Flag::Resubmission);
            }
            let (departments,): (i64,) = sqlx::query_as(
                "SELECT count(DISTINCT department) FROM deliveries
                 WHERE message_key = ? AND kind = 'submission'",
            )
            .bind(&r.message_key)
            .fetch_one(&mut *conn)
            .await
            .context("cannot count deliveries")?;
            if departments > 1 {
                flags.push(Flag::DuplicateDelivery);
            }
        }
        flags.sort();
        flags.dedup();
        let new = json(&flags)?;
        if new != r.flags {
            sqlx::query("UPDATE deliveries SET flags = ? WHERE message_row = ?")
                .bind(&new)
                .bind(row)
                .execute(&mut *conn)
                .await
                .context("cannot update flags")?;
        }
        out.insert(row, flags);
    }
    Ok(out)
}

fn sub_of(r: &RelRow) -> Sub {
    Sub {
        row: r.message_row,
        message_key: r.message_key.clone(),
        department: r.department.clone(),
        received_at: r.received_at.clone(),
        items: parse_list(&r.items),
        projects: parse_list(&r.projects),
        form_projects: parse_list(&r.form_projects),
    }
}

/// Whether an earlier message (by arrival) of the same unit covered any of
/// the same things: the rule of [`relations::resubmissions`], as lookups.
async fn is_resubmission(conn: &mut SqliteConnection, r: &RelRow) -> Result<bool> {
    let Some(unit) = &r.unit else {
        return Ok(false);
    };
    for cov in relations::coverage(&sub_of(r)) {
        let hit: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM coverage WHERE unit = ? AND cov = ? AND message_key <> ?
               AND (received_at < ? OR (received_at = ? AND message_row < ?)) LIMIT 1",
        )
        .bind(unit)
        .bind(&cov)
        .bind(&r.message_key)
        .bind(&r.received_at)
        .bind(&r.received_at)
        .bind(r.message_row)
        .fetch_optional(&mut *conn)
        .await
        .context("cannot read coverage")?;
        if hit.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}
