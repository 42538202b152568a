//! Deciding the receipt for a message (all its deliveries) inside the
//! intake transaction: either an outbox row, or the reason there is none.
//! Never a receipt to automatic mail, bounces, lists, the null sender,
//! no-reply addresses or the service's own addresses: that is what keeps
//! two robots from mailing each other forever.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteConnection;

mod facts;

use super::record::{AttachmentRow, Detail};
use crate::classify::{Flag, Kind};
use crate::config::Config;
use crate::ledger::messages::parse_time;
use crate::outbox::receipt;
use crate::outbox::{self, OutKind, Outgoing};

/// How the receipt for a message was decided this time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A new receipt is queued.
    Queued(i64),
    /// The queued receipt was re-rendered (another copy arrived).
    Updated(i64),
    /// Decided before and nothing to change.
    Unchanged,
    /// No receipt, and why.
    Suppressed(String),
}

/// Whether new decisions may send mail: a bulk `reprocess` after an
/// administrator's change must not send a burst of receipts for old mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Reprocess,
    /// `ingest --no-receipts`: importing old saved mail.
    Import,
}

#[derive(sqlx::FromRow)]
struct Row {
    message_row: i64,
    department: String,
    received_at: String,
    kind: String,
    unit: Option<String>,
    flags: String,
    detail: String,
}

struct Delivery {
    row: i64,
    department: String,
    received_at: DateTime<Utc>,
    kind: String,
    unit: Option<String>,
    flags: Vec<Flag>,
    detail: Detail,
}

/// Local parts that never read their mail (RFC 3834 §2 and common practice).
const NO_REPLY: [&str; 7] = [
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "mailer-daemon",
    "postmaster",
];

fn is_no_reply(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or("").to_ascii_lowercase();
    NO_REPLY
        .iter()
        .any(|n| local == *n || local.starts_with(&format!("{n}+")))
        || local.starts_with("noreply")
        || local.starts_with("no-reply")
}

/// Decides the receipt of each message (by key) of a batch, inside the
/// intake transaction. What is already known is read in two statements for
/// the whole batch, and new "no receipt" decisions are written in one:
/// under load every round trip to SQLite's thread costs a wake-up, and a
/// first run decides for thousands of messages, almost all of them
/// suppressed (old mail, imported mail).
pub async fn decide_all(
    conn: &mut SqliteConnection,
    cfg: &Config,
    keys: &[&str],
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<HashMap<String, Decision>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    // Keys come from senders' Message-IDs: bound as one JSON array.
    let list = serde_json::to_string(keys).context("cannot list message keys")?;
    let mut existing: HashMap<String, (Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT message_key, outbox_id, suppressed FROM receipts
         WHERE message_key IN (SELECT value FROM json_each(?))",
    )
    .bind(&list)
    .fetch_all(&mut *conn)
    .await
    .context("cannot read receipts")?
    .into_iter()
    .map(|(k, o, s): (String, Option<i64>, Option<String>)| (k, (o, s)))
    .collect();
    let mut rows: HashMap<String, Vec<Row>> = HashMap::new();
    let all: Vec<(String, Row)> = sqlx::query_as(
        "SELECT message_key, message_row, department, received_at, kind, unit, flags, detail
         FROM deliveries WHERE message_key IN (SELECT value FROM json_each(?))
         ORDER BY message_key, received_at, message_row",
    )
    .bind(&list)
    .fetch_all(&mut *conn)
    .await
    .context("cannot read deliveries")?
    .into_iter()
    .map(|r: KeyedRow| (r.message_key.clone(), r.row))
    .collect();
    for (k, r) in all {
        rows.entry(k).or_default().push(r);
    }
    let mut decisions = HashMap::with_capacity(keys.len());
    let mut suppressed: Vec<(&str, String)> = Vec::new();
    for &key in keys {
        let existing = existing.remove(key);
        let rows = rows.remove(key).unwrap_or_default();
        let d = decide(conn, cfg, key, existing, rows, now, mode).await?;
        if let Decision::Suppressed(reason) = &d {
            suppressed.push((key, reason.clone()));
        }
        decisions.insert(key.to_owned(), d);
    }
    if !suppressed.is_empty() {
        sqlx::query(
            "INSERT INTO receipts (message_key, suppressed)
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)",
        )
        .bind(serde_json::to_string(&suppressed).context("cannot list decisions")?)
        .execute(&mut *conn)
        .await
        .context("cannot record the receipt decisions")?;
    }
    Ok(decisions)
}

#[derive(sqlx::FromRow)]
struct KeyedRow {
    message_key: String,
    #[sqlx(flatten)]
    row: Row,
}

/// One message's decision from what is known of it. A new suppression is
/// only returned: [`decide_all`] records those together.
async fn decide(
    conn: &mut SqliteConnection,
    cfg: &Config,
    key: &str,
    existing: Option<(Option<i64>, Option<String>)>,
    rows: Vec<Row>,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<Decision> {
    let deliveries = rows
        .into_iter()
        .map(|r| {
            Ok(Delivery {
                row: r.message_row,
                department: r.department,
                received_at: parse_time(&r.received_at)?,
                kind: r.kind,
                unit: r.unit,
                flags: serde_json::from_str(&r.flags).unwrap_or_default(),
                detail: serde_json::from_str(&r.detail).context("bad delivery detail")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let Some(rep) = deliveries
        .iter()
        .find(|d| d.kind == "submission")
        .or_else(|| deliveries.first())
    else {
        return Ok(Decision::Unchanged);
    };
    match existing {
        Some((Some(id), _)) => {
            let (o, waiting) = outgoing(conn, cfg, key, rep, &deliveries).await?;
            // Still waiting: keep the hold that started with the first copy.
            // Everything here: send now.
            let not_before = if waiting.is_some() { None } else { Some(now) };
            let updated =
                outbox::replace_queued(conn, id, &o, not_before, now, waiting.as_deref()).await?;
            return Ok(if updated {
                Decision::Updated(id)
            } else {
                Decision::Unchanged
            });
        }
        // Suppressed because it did not look like a submission, and now it
        // does (a person assigned it, or the configuration changed): decide
        // again, under the current mode (a bulk reprocess still sends none).
        Some((None, Some(reason)))
            if rep.detail.classification.kind == Kind::Submission
                && ["auto_reply", "bounce", "other"].contains(&reason.as_str()) =>
        {
            sqlx::query("DELETE FROM receipts WHERE message_key = ?")
                .bind(key)
                .execute(&mut *conn)
                .await
                .context("cannot reconsider the receipt")?;
        }
        Some((None, _)) => return Ok(Decision::Unchanged),
        None => {}
    }
    if let Some(reason) = suppression(cfg, rep, mode) {
        return Ok(Decision::Suppressed(reason));
    }
    let (o, waiting) = outgoing(conn, cfg, key, rep, &deliveries).await?;
    let not_before = match waiting {
        Some(_) => now + Duration::seconds(cfg.service.receipts.co_delivery_wait_secs as i64),
        None => now,
    };
    let (id, _) = outbox::enqueue(conn, &o, not_before, now, waiting.as_deref()).await?;
    sqlx::query("INSERT INTO receipts (message_key, outbox_id) VALUES (?, ?)")
        .bind(key)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("cannot record the receipt decision")?;
    Ok(Decision::Queued(id))
}

/// Where the receipt goes: the address the message came from (From), as
/// RFC 3834 §4 asks of automatic responses. `Reply-To` is chosen by the
/// sender and costs nothing to forge: a campaign-looking mail with
/// `Reply-To: someone@elsewhere` would otherwise make a department mailbox
/// send that address an official receipt quoting attacker-chosen file
/// names. It is used only when it is a known sender address of the very
/// unit the message was attributed to (a town whose clerk writes from a
/// personal box and wants answers at the unit's registered one).
fn recipient(cfg: &Config, d: &Delivery) -> Option<String> {
    let h = &d.detail.headers;
    let same_unit = d.unit.as_deref().and_then(|u| cfg.units.get(u));
    let reply_to = h
        .reply_to
        .first()
        .filter(|m| same_unit.is_some_and(|u| u.is_sender(&m.address)));
    reply_to
        .or(h.from.as_ref())
        .map(|m| m.address.to_ascii_lowercase())
        .filter(|a| a.contains('@'))
}

fn suppression(cfg: &Config, rep: &Delivery, mode: Mode) -> Option<String> {
    let kind = rep.detail.classification.kind;
    if kind != Kind::Submission {
        return Some(super::record::kind_str(kind).to_owned());
    }
    // Mail from before the notice cannot be for this campaign: a first run
    // over a mailbox with years of history must not answer any of it.
    let notice = rep.received_at.with_timezone(&cfg.tz).date_naive();
    if notice < cfg.campaign.campaign.notice_date {
        return Some("before_campaign".into());
    }
    if !cfg.service.receipts.enabled {
        return Some("disabled".into());
    }
    match mode {
        Mode::Reprocess => return Some("reprocessed".into()),
        Mode::Import => return Some("imported".into()),
        Mode::Live => {}
    }
    if rep.detail.headers.return_path_null {
        return Some("null_sender".into());
    }
    let Some(to) = recipient(cfg, rep) else {
        return Some("no_sender".into());
    };
    if is_no_reply(&to) {
        return Some("noreply_address".into());
    }
    if cfg.own_addresses().contains(&to) {
        return Some("own_address".into());
    }
    None
}

/// Which department an address belongs to (its public mailbox, or the
/// address this deployment uses for it).
fn department_of(cfg: &Config, address: &str) -> Option<String> {
    let a = address.to_ascii_lowercase();
    cfg.campaign
        .departments
        .iter()
        .find(|d| {
            d.mailbox.eq_ignore_ascii_case(&a)
                || cfg.mailbox(&d.id).is_some_and(|m| {
                    m.imap.username.eq_ignore_ascii_case(&a)
                        || cfg
                            .sender_address(&d.id)
                            .is_some_and(|s| s.eq_ignore_ascii_case(&a))
                })
        })
        .map(|d| d.id.clone())
}

/// The receipt as it should read now, and, when a copy addressed to another
/// watched department has not arrived yet, why to wait for it.
async fn outgoing(
    conn: &mut SqliteConnection,
    cfg: &Config,
    key: &str,
    rep: &Delivery,
    deliveries: &[Delivery],
) -> Result<(Outgoing, Option<String>)> {
    let files: Vec<AttachmentRow> =
        sqlx::query_as("SELECT * FROM attachments WHERE message_row = ? ORDER BY ordinal")
            .bind(rep.row)
            .fetch_all(&mut *conn)
            .await
            .context("cannot read attachments")?;
    let facts = facts::facts(cfg, rep, deliveries, &files);
    let r = receipt::render(&facts);
    let dept = cfg.department(&rep.department);
    let from = cfg
        .sender_address(&rep.department)
        .unwrap_or_else(|| "mailroom@localhost.invalid".into());
    let h = &rep.detail.headers;
    let mut references = h.references.clone();
    if let Some(mid) = &h.message_id {
        references.push(mid.clone());
    }
    let o = Outgoing {
        kind: OutKind::Receipt,
        dedupe_key: format!("receipt:{key}"),
        department: rep.department.clone(),
        from_name: dept.map_or_else(|| "团市委".into(), |d| format!("团市委{}", d.name)),
        from,
        to: recipient(cfg, rep).into_iter().collect(),
        subject: r.subject,
        text: r.text,
        html: r.html,
        attachments: Vec::new(),
        in_reply_to: h.message_id.clone(),
        references,
    };
    // A copy addressed to another watched department that has not been seen
    // yet: wait a little for it, so the one receipt can name both.
    let received: Vec<&str> = deliveries.iter().map(|d| d.department.as_str()).collect();
    let mut waiting: Vec<String> =
        h.to.iter()
            .chain(&h.cc)
            .filter_map(|m| department_of(cfg, &m.address))
            .filter(|d| !received.contains(&d.as_str()) && cfg.mailbox(d).is_some())
            .collect();
    waiting.sort();
    waiting.dedup();
    if waiting.is_empty() || cfg.service.receipts.co_delivery_wait_secs == 0 {
        Ok((o, None))
    } else {
        Ok((
            o,
            Some(format!(
                "waiting for the copy addressed to {}",
                waiting.join(", ")
            )),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_reply_addresses() {
        for a in [
            "noreply@qq.com",
            "no-reply@163.com",
            "MAILER-DAEMON@mx.126.com",
            "postmaster@dg.gov.cn",
            "noreply-notify@oa.example",
        ] {
            assert!(is_no_reply(a), "{a}");
        }
        for a in ["shijietw@163.com", "replyhere@x.cn", "noah@x.cn"] {
            assert!(!is_no_reply(a), "{a}");
        }
    }
}
