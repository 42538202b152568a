//! Understanding a batch of stored messages: each is inspected in a worker
//! process ([`super::worker`]), then classified here. Its files are
//! not stored again: the raw message, stored first, is their one copy.
//!
//! One message can never stop the others. While a batch is understood its
//! messages are listed in this process's in-flight file (see `inflight`);
//! a process that dies leaves them there, and the next start counts one
//! more attempt for each, cleared when they are recorded. A message whose worker dies or outlasts
//! its time is tried once more with a fresh worker; a second failure, or a
//! third start with the count still set (mailroom itself died each time it
//! held the message), sets it aside as quarantined: recorded from its
//! headers alone, answered ("a person will check the attachment"), listed
//! for review, and left alone by `reprocess`.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{Context, Result};
use futures::StreamExt;
use tracing::{error, warn};

use super::record::{self, AttachmentRow, json};
use super::worker::Failure;
use super::{App, Mode};
use crate::classify::{self, Classification, Flag, Kind, Manual};
use crate::config::Config;
use crate::inspect::{Headers, Inspection, Limits};
use crate::ledger::messages::{self as ledger_messages, MessageRow};

/// Starts of a batch that ended with mailroom dead before a message was
/// recorded, after which the message is quarantined without another try.
/// Three, not two: a SIGKILL or a power cut takes a whole batch with it,
/// and that is not the message's fault; three in a row while it was in
/// flight is.
const MAX_INTERRUPTED: i64 = 3;

/// One message, understood.
pub(super) struct Understood {
    pub row: MessageRow,
    pub key: String,
    pub headers: Headers,
    pub class: Classification,
    pub attachments: Vec<AttachmentRow>,
    /// (original Message-ID, detail) when this is a delivery report.
    pub bounce_of: Option<(String, String)>,
    /// Why the message was set aside (newly quarantined in this pass).
    pub quarantine: Option<String>,
}

struct Job {
    row: MessageRow,
    key: String,
    manual: Option<Manual>,
}

/// Understands one batch: one message more at once than there are cores,
/// each in its own worker.
pub(super) async fn batch(app: &App, ids: &[i64], mode: Mode) -> Result<Vec<Understood>> {
    let pool = &app.ledger.pool;
    let mut by_id: HashMap<i64, MessageRow> = ledger_messages::get_many(pool, ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    // In the order asked for (the ledger's, or arrival for a quarantine
    // lifted), which the batch keeps.
    let keyed: Vec<(MessageRow, String)> = ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        // A quarantined delivery stays as recorded; only a person retries it.
        .filter(|r| !(r.quarantined.is_some() && mode == Mode::Reprocess))
        .map(|row| {
            let key = record::message_key(row.message_id.as_deref(), &row.sha256);
            (row, key)
        })
        .collect();
    let mut manual = manual_assignments(pool, keyed.iter().map(|(_, k)| k.as_str())).await?;
    let jobs: Vec<Job> = keyed
        .into_iter()
        .map(|(row, key)| Job {
            manual: manual.remove(&key),
            row,
            key,
        })
        .collect();
    let t0 = std::time::Instant::now();
    // One more worker than cores: each message also waits on its pipe and
    // its file, and a batch's slowest message holds a slot while the others
    // are done. Measured on the 10k first run (2 cores): the understanding
    // finished 0.1–0.9 s sooner in each of five paired runs.
    let width = std::thread::available_parallelism().map_or(2, |n| n.get()) + 1;
    let matcher = Arc::new(classify::UnitMatcher::new(&app.config.units));
    // Unordered, so one slow message holds one slot, not the whole batch;
    // the batch is put back in ledger order afterwards.
    let mut done: Vec<(usize, Understood)> = futures::stream::iter(jobs.into_iter().enumerate())
        .map(|(i, job)| {
            let matcher = matcher.clone();
            async move { one(app, matcher, job).await.map(|u| u.map(|u| (i, u))) }
        })
        .buffer_unordered(width)
        .filter_map(|r| async move {
            match r {
                Ok(u) => u,
                Err(e) => {
                    error!(error = %format!("{e:#}"), "cannot process message");
                    None
                }
            }
        })
        .collect()
        .await;
    done.sort_by_key(|(i, _)| *i);
    tracing::debug!(
        messages = done.len(),
        understand_ms = t0.elapsed().as_millis() as u64,
        "batch understood"
    );
    Ok(done.into_iter().map(|(_, u)| u).collect())
}

/// The assignments a person made for these messages (`mailroom assign`),
/// by message key, in one statement. Keys come from senders' Message-IDs:
/// bound as one JSON array, never spliced into the SQL.
async fn manual_assignments<'a>(
    pool: &sqlx::SqlitePool,
    keys: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, Manual>> {
    let keys: Vec<&str> = keys.collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT message_key, unit, items FROM assignments
         WHERE message_key IN (SELECT value FROM json_each(?))",
    )
    .bind(serde_json::to_string(&keys).context("cannot list message keys")?)
    .fetch_all(pool)
    .await
    .context("cannot read assignments")?;
    Ok(rows
        .into_iter()
        .map(|(key, unit, items)| {
            let items = items.and_then(|i| serde_json::from_str(&i).ok());
            (key, Manual { unit, items })
        })
        .collect())
}

/// Understands one message; `Ok(None)` leaves it pending (mailroom's own
/// trouble: the raw file or the worker cannot be reached).
async fn one(
    app: &App,
    matcher: Arc<classify::UnitMatcher>,
    job: Job,
) -> Result<Option<Understood>> {
    let Job { row, key, manual } = job;
    let path = app
        .ledger
        .blobs
        .path_of(std::path::Path::new(&row.raw_path));
    let limits = limits(row.oversize != 0);
    let why = if row.understand_attempts >= MAX_INTERRUPTED {
        Some(format!(
            "mailroom stopped {} times while understanding it",
            row.understand_attempts
        ))
    } else {
        let mut failure = None;
        for attempt in 1..=2 {
            match app.workers.inspect(&path, &limits, false).await {
                Ok(insp) => {
                    return finish(app, matcher, row, key, manual, insp, None).await;
                }
                Err(Failure::Io(e)) => {
                    error!(department = %row.department, uid = row.uid, ledger_id = row.id, error = %format!("{e:#}"), "cannot inspect message; left pending");
                    return Ok(None);
                }
                Err(f) => {
                    warn!(department = %row.department, uid = row.uid, ledger_id = row.id, attempt, error = %f, "inspecting this message failed");
                    failure = Some(f);
                }
            }
        }
        failure.map(|f| f.to_string())
    };
    let why = why.unwrap_or_default();
    error!(department = %row.department, uid = row.uid, ledger_id = row.id, message_id = row.message_id.as_deref().unwrap_or(""), reason = %why, "message quarantined: recorded from its headers, set aside for a person");
    // The headers alone (no part decoded) still name the sender and, often,
    // the unit: enough for a receipt and the review queue. If even that
    // fails, nothing is known but the arrival.
    let insp = app
        .workers
        .inspect(&path, &limits, true)
        .await
        .unwrap_or_default();
    finish(app, matcher, row, key, manual, insp, Some(why)).await
}

/// Inspection limits for a message. An oversize message (over
/// `fetch.max_message_mb`) is classified from its headers, names and text,
/// but its files are not opened: memory and time stay bounded whatever
/// arrives.
fn limits(oversize: bool) -> Limits {
    let mut l = Limits::default();
    if oversize {
        l.max_inspect_size = 0;
    }
    l
}

/// Classifies and stages on a blocking thread (CPU and file writes).
async fn finish(
    app: &App,
    matcher: Arc<classify::UnitMatcher>,
    row: MessageRow,
    key: String,
    manual: Option<Manual>,
    insp: Inspection,
    quarantine: Option<String>,
) -> Result<Option<Understood>> {
    let cfg = app.config.clone();
    let u = tokio::task::spawn_blocking(move || {
        classify_one(&cfg, &matcher, row, key, manual.as_ref(), insp, quarantine)
    })
    .await
    .context("the classifier task failed")??;
    Ok(Some(u))
}

#[allow(clippy::too_many_arguments)]
fn classify_one(
    cfg: &Config,
    matcher: &classify::UnitMatcher,
    row: MessageRow,
    key: String,
    manual: Option<&Manual>,
    insp: Inspection,
    quarantine: Option<String>,
) -> Result<Understood> {
    let arrived = row.internal_date()?;
    let ctx = classify::Context::new(
        &cfg.campaign,
        &cfg.units,
        &row.department,
        arrived,
        cfg.own_addresses(),
    )
    .with_matcher(matcher)
    .with_trusted_authserv(cfg.trusted_authserv_ids());
    let mut class = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        classify::classify_with(&insp, &ctx, manual)
    })) {
        Ok(c) => c,
        Err(_) => {
            error!(department = %row.department, uid = row.uid, "classifier panicked; message sent to review");
            return Ok(for_review(
                row,
                key,
                "the classifier crashed on this message",
            ));
        }
    };
    if let Some(why) = &quarantine {
        set_aside(&mut class, why);
    }
    mark_where_stored(&mut class, &row);
    let mut attachments = Vec::new();
    for ac in &class.attachments {
        let Some(a) = insp.attachments.get(ac.index) else {
            continue;
        };
        attachments.push(AttachmentRow {
            message_row: row.id,
            ordinal: ac.index as i64,
            filename: a.filename.clone(),
            safe_filename: a.safe_filename.clone(),
            size: a.size as i64,
            sha256: a.sha256.clone(),
            content_type: a.content_type.clone(),
            path: row.raw_path.clone(),
            items: json(&ac.items)?,
            members: a.members.as_ref().map(json).transpose()?,
            problem: a
                .unreadable
                .as_ref()
                .map(|r| format!("unreadable: {r}"))
                .or_else(|| a.suspicious.as_ref().map(|r| format!("suspicious: {r}")))
                .or_else(|| a.unopened.as_ref().map(|r| format!("unopened: {r}"))),
        });
    }
    let bounce_of = match (&class.kind, &insp.dsn) {
        (Kind::Bounce, Some(d)) => d.original_message_id.as_ref().map(|id| {
            let detail = d
                .recipients
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r.address,
                        r.status.as_deref().unwrap_or(""),
                        r.diagnostic.as_deref().unwrap_or("")
                    )
                    .trim()
                    .to_owned()
                })
                .collect::<Vec<_>>()
                .join("; ");
            (
                id.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_owned(),
                detail,
            )
        }),
        _ => None,
    };
    Ok(Understood {
        row,
        key,
        headers: insp.headers,
        class,
        attachments,
        bounce_of,
        quarantine,
    })
}

/// A quarantined message is treated as a submission (a unit may be waiting
/// for its receipt) unless its headers alone prove it automatic; what the
/// headers-only look could not see (files, links) is not held against it.
fn set_aside(class: &mut Classification, why: &str) {
    if !matches!(class.kind, Kind::AutoReply | Kind::Bounce) {
        class.kind = Kind::Submission;
    }
    class
        .flags
        .retain(|f| !matches!(f, Flag::NoAttachments | Flag::ExternalLink));
    class.flags.push(Flag::Quarantined);
    class.flags.sort();
    class.flags.dedup();
    class.reasons.push(format!("quarantined: {why}"));
}

/// Flags what the folder a message was stored from says about it: the
/// classifier sees only the message, and the provider's spam filter moved
/// it (`in_junk`: the digest asks the clerk to mark the sender as not spam).
fn mark_where_stored(class: &mut Classification, row: &MessageRow) {
    if row.in_junk != 0 {
        class.flags.push(Flag::InJunk);
        class.flags.sort();
        class.flags.dedup();
        class.reasons.push(format!(
            "found in the provider's junk folder {}",
            row.folder.as_deref().unwrap_or("?")
        ));
    }
}

/// What is recorded for a message the classifier could not handle: a
/// submission of an unknown unit, flagged malformed, so a person looks at it.
fn for_review(row: MessageRow, key: String, why: &str) -> Understood {
    let mut class = Classification {
        flags: vec![Flag::Malformed],
        reasons: vec![why.to_owned()],
        ..Classification::empty(Kind::Submission)
    };
    mark_where_stored(&mut class, &row);
    Understood {
        row,
        key,
        headers: Headers::default(),
        class,
        attachments: Vec::new(),
        bounce_of: None,
        quarantine: None,
    }
}
