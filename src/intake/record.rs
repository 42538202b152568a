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
    /// The stored raw message that carries the file: its one copy on disk.
    /// (Rows from before 0.4 point at `attachments/…`, no longer written.)
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

/// One delivery to record: a message as one department received it.
pub struct NewDelivery<'a> {
    pub message_row: i64,
    pub key: &'a str,
    pub department: &'a str,
    pub received_at: chrono::DateTime<chrono::Utc>,
    pub class: &'a Classification,
    pub headers: &'a Headers,
    pub attachments: &'a [AttachmentRow],
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
    let one = NewDelivery {
        message_row,
        key,
        department,
        received_at,
        class: c,
        headers,
        attachments,
    };
    upsert_deliveries(conn, &[one], now).await
}

/// Rows per multi-row statement: SQLite allows 32,766 bound values; the
/// widest row here has 19.
const ROWS_PER_STATEMENT: usize = 1000;

/// Records (or re-records) deliveries and replaces their attachment rows, a
/// few statements for the whole set: one statement per message cost a
/// round trip to SQLite's thread each, 4.8 s of a 10,000-message first run.
pub async fn upsert_deliveries(
    conn: &mut SqliteConnection,
    deliveries: &[NewDelivery<'_>],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    struct Cols {
        received_at: String,
        unit_source: Option<String>,
        projects: String,
        items: String,
        form_projects: String,
        expected: String,
        flags: String,
        detail: String,
    }
    let now = fmt_time(now);
    let mut cols = Vec::with_capacity(deliveries.len());
    for d in deliveries {
        let c = d.class;
        cols.push(Cols {
            received_at: fmt_time(d.received_at),
            unit_source: c
                .unit_source
                .and_then(|s| serde_json::to_value(s).ok())
                .and_then(|v| v.as_str().map(str::to_owned)),
            projects: json(&c.projects)?,
            items: json(&c.items)?,
            form_projects: json(&c.form_projects)?,
            expected: json(&c.expected_departments)?,
            flags: json(&c.flags)?,
            detail: json(&Detail {
                classification: c.clone(),
                headers: d.headers.clone(),
            })?,
        });
    }
    let rows: Vec<(&NewDelivery<'_>, &Cols)> = deliveries.iter().zip(&cols).collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO deliveries (message_row, message_key, department, received_at, kind, unit,
                 unit_source, projects, items, form_projects, late, misrouted, expected_departments,
                 base_flags, flags, from_addr, subject, detail, classified_at) ",
        );
        q.push_values(chunk, |mut b, (d, c)| {
            b.push_bind(d.message_row)
                .push_bind(d.key)
                .push_bind(d.department)
                .push_bind(&c.received_at)
                .push_bind(kind_str(d.class.kind))
                .push_bind(&d.class.unit)
                .push_bind(&c.unit_source)
                .push_bind(&c.projects)
                .push_bind(&c.items)
                .push_bind(&c.form_projects)
                .push_bind(d.class.late as i64)
                .push_bind(d.class.misrouted as i64)
                .push_bind(&c.expected)
                .push_bind(&c.flags)
                .push_bind(&c.flags)
                .push_bind(d.headers.from.as_ref().map(|m| m.address.clone()))
                .push_bind(&d.headers.subject)
                .push_bind(&c.detail)
                .push_bind(&now);
        });
        q.push(
            " ON CONFLICT (message_row) DO UPDATE SET
             message_key = excluded.message_key, department = excluded.department,
             received_at = excluded.received_at, kind = excluded.kind, unit = excluded.unit,
             unit_source = excluded.unit_source, projects = excluded.projects, items = excluded.items,
             form_projects = excluded.form_projects,
             late = excluded.late, misrouted = excluded.misrouted,
             expected_departments = excluded.expected_departments,
             base_flags = excluded.base_flags, flags = excluded.flags,
             from_addr = excluded.from_addr, subject = excluded.subject,
             detail = excluded.detail, classified_at = excluded.classified_at",
        );
        q.build()
            .execute(&mut *conn)
            .await
            .context("cannot record the deliveries")?;
        let mut del = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "DELETE FROM attachments WHERE message_row IN (",
        );
        let mut sep = del.separated(", ");
        for (d, _) in chunk {
            sep.push_bind(d.message_row);
        }
        del.push(")");
        del.build()
            .execute(&mut *conn)
            .await
            .context("cannot replace attachments")?;
    }
    let attachments: Vec<&AttachmentRow> = deliveries.iter().flat_map(|d| d.attachments).collect();
    for chunk in attachments.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO attachments (message_row, ordinal, filename, safe_filename, size, sha256,
                 content_type, path, items, members, problem) ",
        );
        q.push_values(chunk, |mut b, a| {
            b.push_bind(a.message_row)
                .push_bind(a.ordinal)
                .push_bind(&a.filename)
                .push_bind(&a.safe_filename)
                .push_bind(a.size)
                .push_bind(&a.sha256)
                .push_bind(&a.content_type)
                .push_bind(&a.path)
                .push_bind(&a.items)
                .push_bind(&a.members)
                .push_bind(&a.problem);
        });
        q.build()
            .execute(&mut *conn)
            .await
            .context("cannot record the attachments")?;
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
    // Each step is one statement for the whole set (chunked to stay under
    // SQLite's limit on bound values), not one per row: the per-row version
    // spent 2.7 s of a 10,000-message first run in round trips.
    let mut affected: BTreeSet<i64> = rows.iter().copied().collect();
    let mut pairs: Vec<(String, String, String, i64)> = Vec::new();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let old: Vec<(i64, String, String, String)> = in_list(
            "SELECT message_row, unit, cov, received_at FROM coverage WHERE message_row IN (",
            chunk,
        )
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .context("cannot read coverage")?;
        pairs.extend(
            old.into_iter()
                .map(|(row, unit, cov, at)| (unit, cov, at, row)),
        );
        in_list("DELETE FROM coverage WHERE message_row IN (", chunk)
            .build()
            .execute(&mut *conn)
            .await
            .context("cannot replace coverage")?;
        let current = rel_rows(conn, chunk).await?;
        let mut new: Vec<(i64, String, String, String, String)> = Vec::new();
        for r in &current {
            keys.insert(r.message_key.clone());
            if r.kind == "submission"
                && let Some(unit) = &r.unit
            {
                for cov in relations::coverage(&sub_of(r)) {
                    new.push((
                        r.message_row,
                        unit.clone(),
                        cov,
                        r.message_key.clone(),
                        r.received_at.clone(),
                    ));
                }
            }
        }
        for part in new.chunks(ROWS_PER_STATEMENT) {
            let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO coverage (message_row, unit, cov, message_key, received_at) ",
            );
            q.push_values(part, |mut b, (row, unit, cov, key, at)| {
                b.push_bind(row)
                    .push_bind(unit)
                    .push_bind(cov)
                    .push_bind(key)
                    .push_bind(at);
            });
            q.build()
                .execute(&mut *conn)
                .await
                .context("cannot record coverage")?;
        }
        pairs.extend(
            new.into_iter()
                .map(|(row, unit, cov, _, at)| (unit, cov, at, row)),
        );
    }
    // Later submissions sharing a key with these (before or after the
    // change) may gain or lose `resubmission`.
    for part in pairs.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("WITH p(unit, cov, at, row) AS (");
        q.push_values(part, |mut b, (unit, cov, at, row)| {
            b.push_bind(unit)
                .push_bind(cov)
                .push_bind(at)
                .push_bind(row);
        });
        q.push(
            ") SELECT DISTINCT c.message_row FROM p JOIN coverage c
               ON c.unit = p.unit AND c.cov = p.cov
              AND (c.received_at > p.at OR (c.received_at = p.at AND c.message_row > p.row))",
        );
        let later: Vec<(i64,)> = q
            .build_query_as()
            .fetch_all(&mut *conn)
            .await
            .context("cannot read coverage")?;
        affected.extend(later.into_iter().map(|(r,)| r));
    }
    let keys: Vec<String> = keys.into_iter().collect();
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        let same: Vec<(i64,)> = in_list(
            "SELECT message_row FROM deliveries WHERE message_key IN (",
            chunk,
        )
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .context("cannot read deliveries")?;
        affected.extend(same.into_iter().map(|(r,)| r));
    }
    let affected: Vec<i64> = affected.into_iter().collect();
    let mut out = std::collections::HashMap::new();
    for chunk in affected.chunks(ROWS_PER_STATEMENT) {
        let current = rel_rows(conn, chunk).await?;
        let resubmitted = resubmissions(conn, &current).await?;
        let subs: Vec<&str> = current
            .iter()
            .filter(|r| r.kind == "submission")
            .map(|r| r.message_key.as_str())
            .collect();
        let mut departments: std::collections::HashMap<String, i64> =
            std::collections::HashMap::new();
        for part in subs.chunks(ROWS_PER_STATEMENT) {
            let counts: Vec<(String, i64)> = in_list(
                "SELECT message_key, count(DISTINCT department) FROM deliveries
                 WHERE kind = 'submission' AND message_key IN (",
                part,
            )
            .push(" GROUP BY message_key")
            .build_query_as()
            .fetch_all(&mut *conn)
            .await
            .context("cannot count deliveries")?;
            departments.extend(counts);
        }
        for r in current {
            let mut flags: Vec<Flag> = serde_json::from_str(&r.base_flags).unwrap_or_default();
            if r.kind == "submission" {
                if resubmitted.contains(&r.message_row) {
                    flags.push(Flag::Resubmission);
                }
                if departments.get(&r.message_key).is_some_and(|&n| n > 1) {
                    flags.push(Flag::DuplicateDelivery);
                }
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
            }
            out.insert(r.message_row, flags);
        }
    }
    Ok(out)
}

/// `<head> ?, ?, … )`: a statement over a list of values.
fn in_list<'a, T>(head: &str, values: &'a [T]) -> sqlx::QueryBuilder<'a, sqlx::Sqlite>
where
    &'a T: 'a + sqlx::Encode<'a, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    let mut q = sqlx::QueryBuilder::new(head);
    let mut sep = q.separated(", ");
    for v in values {
        sep.push_bind(v);
    }
    q.push(")");
    q
}

async fn rel_rows(conn: &mut SqliteConnection, rows: &[i64]) -> Result<Vec<RelRow>> {
    in_list(
        &format!("SELECT {REL_COLUMNS} FROM deliveries WHERE message_row IN ("),
        rows,
    )
    .build_query_as()
    .fetch_all(&mut *conn)
    .await
    .context("cannot read deliveries")
}

/// Which of these submissions repeat something an earlier message (by
/// arrival) of the same unit covered: the rule of
/// [`relations::resubmissions`], as one lookup per chunk.
async fn resubmissions(
    conn: &mut SqliteConnection,
    rows: &[RelRow],
) -> Result<std::collections::HashSet<i64>> {
    let mut probes: Vec<(i64, &str, String, &str, &str)> = Vec::new();
    for r in rows {
        if r.kind != "submission" {
            continue;
        }
        let Some(unit) = &r.unit else {
            continue;
        };
        for cov in relations::coverage(&sub_of(r)) {
            probes.push((r.message_row, unit, cov, &r.message_key, &r.received_at));
        }
    }
    let mut out = std::collections::HashSet::new();
    for part in probes.chunks(ROWS_PER_STATEMENT) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("WITH p(row, unit, cov, key, at) AS (");
        q.push_values(part, |mut b, (row, unit, cov, key, at)| {
            b.push_bind(*row)
                .push_bind(*unit)
                .push_bind(cov)
                .push_bind(*key)
                .push_bind(*at);
        });
        q.push(
            ") SELECT DISTINCT p.row FROM p WHERE EXISTS (
                 SELECT 1 FROM coverage c WHERE c.unit = p.unit AND c.cov = p.cov
                   AND c.message_key <> p.key
                   AND (c.received_at < p.at OR (c.received_at = p.at AND c.message_row < p.row)))",
        );
        let hits: Vec<(i64,)> = q
            .build_query_as()
            .fetch_all(&mut *conn)
            .await
            .context("cannot read coverage")?;
        out.extend(hits.into_iter().map(|(r,)| r));
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
