//! Stored messages and per-mailbox sync state.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sqlx::SqlitePool;

/// How a message entered the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Imap,
    Ingest,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Imap => "imap",
            Source::Ingest => "ingest",
        }
    }
}

/// A message whose raw bytes are already durable, about to be recorded.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub department: String,
    pub source: Source,
    /// The folder it was fetched from, as people read it ("INBOX",
    /// "垃圾邮件"); `None` for imported files.
    pub folder: Option<String>,
    pub uidvalidity: Option<u32>,
    pub uid: Option<u32>,
    pub message_id: Option<String>,
    pub internal_date: DateTime<Utc>,
    pub size: u64,
    pub sha256: String,
    pub raw_path: PathBuf,
    pub oversize: bool,
    /// The folder is one the provider files filtered mail into.
    pub in_junk: bool,
}

/// A ledger row.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MessageRow {
    pub id: i64,
    pub department: String,
    pub source: String,
    pub folder: Option<String>,
    pub uidvalidity: Option<i64>,
    pub uid: Option<i64>,
    pub message_id: Option<String>,
    pub internal_date: String,
    pub size: i64,
    pub sha256: String,
    pub raw_path: String,
    pub fetched_at: String,
    pub oversize: i64,
    /// Batches this message was in when mailroom died (see migration 0005).
    pub understand_attempts: i64,
    /// Why it was set aside, when it was (see `intake::worker`).
    pub quarantined: Option<String>,
    /// Found in a junk folder (see migration 0006).
    pub in_junk: i64,
}

impl MessageRow {
    pub fn fetched_at(&self) -> Result<DateTime<Utc>> {
        parse_time(&self.fetched_at)
    }

    pub fn internal_date(&self) -> Result<DateTime<Utc>> {
        parse_time(&self.internal_date)
    }
}

/// What happened to each message of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new row with this id.
    New(i64),
    /// The same delivery is already recorded (same UID, or the same message
    /// seen under an earlier UIDVALIDITY, or the same file imported before).
    Known,
}

pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    Ok(DateTime::parse_from_rfc3339(s)
        .with_context(|| format!("bad timestamp {s:?} in the ledger"))?
        .with_timezone(&Utc))
}

const MESSAGE_COLUMNS: &str = "id, department, source, folder, uidvalidity, uid, message_id, \
     internal_date, size, sha256, raw_path, fetched_at, oversize, understand_attempts, quarantined, \
     in_junk";

/// Where a UID means something: one folder of one mailbox, under one
/// UIDVALIDITY. UIDs of different folders collide (each starts at 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UidScope<'a> {
    pub department: &'a str,
    pub folder: &'a str,
    pub uidvalidity: u32,
}

/// `(uidvalidity, last_uid)` for a folder of a mailbox, if it was ever synced.
pub async fn sync_state(
    pool: &SqlitePool,
    department: &str,
    folder: &str,
) -> Result<Option<(u32, u32)>> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT uidvalidity, last_uid FROM mailbox_state WHERE department = ? AND folder = ?",
    )
    .bind(department)
    .bind(folder)
    .fetch_optional(pool)
    .await
    .context("cannot read mailbox_state")?;
    Ok(row.map(|(v, u)| (v as u32, u as u32)))
}

/// Starts a folder over under a new UIDVALIDITY: every UID seen before is void.
pub async fn reset_sync_state(pool: &SqlitePool, scope: UidScope<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO mailbox_state (department, folder, uidvalidity, last_uid, updated_at)
         VALUES (?, ?, ?, 0, ?)
         ON CONFLICT (department, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity,
             last_uid = 0, updated_at = excluded.updated_at",
    )
    .bind(scope.department)
    .bind(scope.folder)
    .bind(scope.uidvalidity as i64)
    .bind(fmt_time(Utc::now()))
    .execute(pool)
    .await
    .context("cannot reset mailbox_state")?;
    Ok(())
}

/// A message already kept, as far as recognising a copy needs.
#[derive(sqlx::FromRow)]
struct Copy {
    department: String,
    sha256: String,
    message_id: Option<String>,
    folder: Option<String>,
    uidvalidity: Option<i64>,
}

/// A row the batch insert created.
#[derive(sqlx::FromRow)]
struct Inserted {
    id: i64,
    department: String,
    folder: Option<String>,
    uidvalidity: Option<i64>,
    uid: Option<i64>,
    sha256: String,
}

/// Records a batch of durable messages and advances the folder's position
/// (`last_uid` in `scope`) in one transaction: either the whole batch is in
/// the ledger with the new `last_uid`, or none of it is and the batch is
/// fetched again.
pub async fn record_batch(
    pool: &SqlitePool,
    position: Option<(UidScope<'_>, u32)>,
    batch: &[NewMessage],
    now: DateTime<Utc>,
) -> Result<Vec<Recorded>> {
    let now = fmt_time(now);
    let mut tx = crate::ledger::begin_write(pool).await?;
    // Two statements for the whole batch, not two per message: the write
    // turn is held meanwhile, and under load each round trip to SQLite's
    // thread is a wake-up (the intake's recording waits its turn).
    //
    // The same message (Message-ID and bytes) seen elsewhere in this
    // mailbox is already kept: after a UIDVALIDITY change the server
    // renumbers everything, and a clerk who moves mail between INBOX and
    // 垃圾邮件 gives it a new UID in another folder. Within one folder and
    // UIDVALIDITY the UID alone decides (the insert below).
    let contents: Vec<(&str, &str)> = batch
        .iter()
        .filter(|m| m.source == Source::Imap)
        .map(|m| (m.department.as_str(), m.sha256.as_str()))
        .collect();
    let earlier: Vec<Copy> = if contents.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "SELECT department, sha256, message_id, folder, uidvalidity FROM messages
             WHERE source = 'imap' AND (department, sha256) IN
                 (SELECT value ->> 0, value ->> 1 FROM json_each(?))",
        )
        .bind(serde_json::to_string(&contents).context("cannot list contents")?)
        .fetch_all(&mut *tx)
        .await
        .context("cannot look up earlier copies")?
    };
    let seen_before = |m: &NewMessage| {
        m.source == Source::Imap
            && earlier.iter().any(|c| {
                c.department == m.department
                    && c.sha256 == m.sha256
                    && c.message_id == m.message_id
                    && (c.folder != m.folder || c.uidvalidity != m.uidvalidity.map(i64::from))
            })
    };
    let rows: Vec<serde_json::Value> = batch
        .iter()
        .filter(|m| !seen_before(m))
        .map(|m| {
            serde_json::json!([
                m.department,
                m.source.as_str(),
                m.folder,
                m.uidvalidity,
                m.uid,
                m.message_id,
                fmt_time(m.internal_date),
                m.size,
                m.sha256,
                m.raw_path.to_string_lossy(),
                now,
                m.oversize as i64,
                m.in_junk as i64,
            ])
        })
        .collect();
    // `WHERE true`: SQLite's grammar needs it between a SELECT and ON
    // CONFLICT. Rows come back in no promised order: matched by their keys.
    let inserted: Vec<Inserted> = if rows.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(
            "INSERT INTO messages (department, source, folder, uidvalidity, uid, message_id,
                 internal_date, size, sha256, raw_path, fetched_at, oversize, in_junk)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4,
                    value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9,
                    value ->> 10, value ->> 11, value ->> 12
             FROM json_each(?) WHERE true
             ON CONFLICT DO NOTHING
             RETURNING id, department, folder, uidvalidity, uid, sha256",
        )
        .bind(serde_json::Value::Array(rows).to_string())
        .fetch_all(&mut *tx)
        .await
        .context("cannot insert messages")?
    };
    let mut out = Vec::with_capacity(batch.len());
    let mut taken = vec![false; inserted.len()];
    for m in batch {
        let hit = (!seen_before(m))
            .then(|| {
                inserted.iter().enumerate().position(|(i, r)| {
                    !taken[i]
                        && r.department == m.department
                        && r.sha256 == m.sha256
                        && r.folder == m.folder
                        && r.uidvalidity == m.uidvalidity.map(i64::from)
                        && r.uid == m.uid.map(i64::from)
                })
            })
            .flatten();
        out.push(match hit {
            Some(i) => {
                // An imported file twice in one batch is inserted once: the
                // first copy is new, the second known.
                taken[i] = true;
                Recorded::New(inserted[i].id)
            }
            None => Recorded::Known,
        });
    }
    if let Some((scope, last_uid)) = position {
        sqlx::query(
            "INSERT INTO mailbox_state (department, folder, uidvalidity, last_uid, updated_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (department, folder) DO UPDATE SET
                 last_uid = max(mailbox_state.last_uid, excluded.last_uid),
                 updated_at = excluded.updated_at
             WHERE mailbox_state.uidvalidity = excluded.uidvalidity",
        )
        .bind(scope.department)
        .bind(scope.folder)
        .bind(scope.uidvalidity as i64)
        .bind(last_uid as i64)
        .bind(&now)
        .execute(&mut *tx)
        .await
        .context("cannot advance mailbox_state")?;
    }
    tx.commit().await.context("cannot commit ledger batch")?;
    Ok(out)
}

/// Counts a failed download; returns the number of attempts so far.
pub async fn record_failure(
    pool: &SqlitePool,
    scope: UidScope<'_>,
    uid: u32,
    size: Option<u32>,
    error: &str,
) -> Result<u32> {
    let (attempts,): (i64,) = sqlx::query_as(
        "INSERT INTO fetch_failures (department, folder, uidvalidity, uid, size, attempts,
             last_error, updated_at)
         VALUES (?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (department, folder, uidvalidity, uid) DO UPDATE SET
             attempts = attempts + 1, last_error = excluded.last_error, updated_at = excluded.updated_at
         RETURNING attempts",
    )
    .bind(scope.department)
    .bind(scope.folder)
    .bind(scope.uidvalidity as i64)
    .bind(uid as i64)
    .bind(size.map(i64::from))
    .bind(error)
    .bind(fmt_time(Utc::now()))
    .fetch_one(pool)
    .await
    .context("cannot record fetch failure")?;
    Ok(attempts as u32)
}

/// Attempts so far for each failing UID of a folder (not yet skipped).
pub async fn failure_counts(pool: &SqlitePool, scope: UidScope<'_>) -> Result<Vec<(u32, u32)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT uid, attempts FROM fetch_failures
         WHERE department = ? AND folder = ? AND uidvalidity = ? AND skipped = 0",
    )
    .bind(scope.department)
    .bind(scope.folder)
    .bind(scope.uidvalidity as i64)
    .fetch_all(pool)
    .await
    .context("cannot read fetch_failures")?;
    Ok(rows
        .into_iter()
        .map(|(u, a)| (u as u32, a as u32))
        .collect())
}

/// Gives up on a message that cannot be downloaded and moves the folder past it.
pub async fn skip_message(pool: &SqlitePool, scope: UidScope<'_>, uid: u32) -> Result<()> {
    let mut tx = crate::ledger::begin_write(pool).await?;
    sqlx::query(
        "UPDATE fetch_failures SET skipped = 1
         WHERE department = ? AND folder = ? AND uidvalidity = ? AND uid = ?",
    )
    .bind(scope.department)
    .bind(scope.folder)
    .bind(scope.uidvalidity as i64)
    .bind(uid as i64)
    .execute(&mut *tx)
    .await
    .context("cannot mark message skipped")?;
    sqlx::query(
        "UPDATE mailbox_state SET last_uid = max(last_uid, ?)
         WHERE department = ? AND folder = ? AND uidvalidity = ?",
    )
    .bind(uid as i64)
    .bind(scope.department)
    .bind(scope.folder)
    .bind(scope.uidvalidity as i64)
    .execute(&mut *tx)
    .await
    .context("cannot advance mailbox_state")?;
    tx.commit().await.context("cannot commit skip")?;
    Ok(())
}

/// Every stored message, oldest first.
pub async fn list(pool: &SqlitePool) -> Result<Vec<MessageRow>> {
    sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages ORDER BY internal_date, id"
    ))
    .fetch_all(pool)
    .await
    .context("cannot list messages")
}

pub async fn get(pool: &SqlitePool, id: i64) -> Result<Option<MessageRow>> {
    sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .context("cannot read message")
}

/// These rows (any order); ids that do not exist are left out. One
/// statement for a whole batch: under load each round trip to SQLite's
/// thread costs a scheduler wake-up, and a batch is 64 messages.
pub async fn get_many(pool: &SqlitePool, ids: &[i64]) -> Result<Vec<MessageRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    // Ids are integers: safe to inline.
    sqlx::query_as(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id IN ({})",
        list.join(",")
    ))
    .fetch_all(pool)
    .await
    .context("cannot read messages")
}

/// Skipped downloads, for `mailroom messages`.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct SkippedRow {
    pub department: String,
    pub folder: String,
    pub uidvalidity: i64,
    pub uid: i64,
    pub size: Option<i64>,
    pub attempts: i64,
    pub last_error: String,
}

pub async fn skipped(pool: &SqlitePool) -> Result<Vec<SkippedRow>> {
    sqlx::query_as(
        "SELECT department, folder, uidvalidity, uid, size, attempts, last_error FROM fetch_failures
         WHERE skipped = 1 ORDER BY department, folder, uid",
    )
    .fetch_all(pool)
    .await
    .context("cannot list skipped messages")
}

/// The Message-ID header, without angle brackets, read from the raw header
/// block only (cheap: the fetcher calls this for every message).
pub fn message_id_of(raw: &[u8]) -> Option<String> {
    let end = find_header_end(raw);
    let head = &raw[..end];
    let mut lines = head.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let line = trim_cr(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if !line[..colon].eq_ignore_ascii_case(b"message-id") {
            continue;
        }
        let mut value = line[colon + 1..].to_vec();
        // Unfold continuation lines.
        while let Some(next) = lines.peek() {
            if next.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                value.extend_from_slice(trim_cr(next));
                lines.next();
            } else {
                break;
            }
        }
        let text = String::from_utf8_lossy(&value);
        let text = text.trim();
        let id = match (text.find('<'), text.rfind('>')) {
            (Some(a), Some(b)) if b > a + 1 => &text[a + 1..b],
            _ => text,
        };
        let id = id.trim();
        return (!id.is_empty()).then(|| id.to_owned());
    }
    None
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn find_header_end(raw: &[u8]) -> usize {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap_or(raw.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_is_found_unfolded_and_unbracketed() {
        let raw = b"From: a@b.c\r\nMessage-Id:\r\n <abc.123@mail.example>\r\nSubject: x\r\n\r\nMessage-ID: <body@x>\r\n";
        assert_eq!(message_id_of(raw).as_deref(), Some("abc.123@mail.example"));
        assert_eq!(message_id_of(b"Subject: none\r\n\r\nbody"), None);
        assert_eq!(
            message_id_of(b"message-id: bare@id\n\n").as_deref(),
            Some("bare@id")
        );
    }
}
