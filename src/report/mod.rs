//! Reading the ledger for people: the delivery view shared by the export,
//! the terminal status, the review queue, the late log and the digests.

pub mod columns;
pub mod export;
pub mod form;
pub mod forms;
pub mod labels;
pub mod late;
pub mod matrix;
pub mod received;
pub mod review;
pub mod sheets;
pub mod status;
#[cfg(test)]
pub(crate) mod testing;

/// "2d 15h 42m" for durations shown to administrators; under a minute in
/// seconds ("45s"): material 45 seconds late is late, and "0m" read as not.
pub fn humanize(d: chrono::Duration) -> String {
    let m = d.num_minutes().max(0);
    let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
    match (days, hours) {
        (0, 0) if m == 0 => format!("{}s", d.num_seconds().max(0)),
        (0, 0) => format!("{mins}m"),
        (0, _) => format!("{hours}h {mins}m"),
        _ => format!("{days}d {hours}h {mins}m"),
    }
}

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqlitePool;

use crate::ledger::messages::parse_time;

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentView {
    /// As sent, without control or bidi characters; empty when the sender
    /// gave no name.
    pub filename: String,
    #[serde(skip)]
    pub safe_filename: String,
    pub size: i64,
    pub sha256: String,
    pub content_type: String,
    pub items: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    /// `unreadable: …`, `suspicious: …` or `unopened: …`: the export
    /// carries it so the received rule can be checked from the export alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// One delivery (a message in one department mailbox) as people see it.
impl AttachmentView {
    pub fn display_name(&self) -> String {
        crate::intake::record::display_name(&self.filename, &self.safe_filename)
    }
}

#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub ledger_id: i64,
    pub uid: Option<i64>,
    pub message_id: Option<String>,
    pub message_key: String,
    pub department: String,
    pub received_at: DateTime<Utc>,
    /// When mailroom stored it (the digest reports what is new since last time).
    pub fetched_at: DateTime<Utc>,
    pub from: Option<String>,
    pub subject: String,
    pub kind: String,
    pub unit: Option<String>,
    pub unit_source: Option<String>,
    pub projects: Vec<String>,
    /// Projects evidenced only by filled overview-form rows.
    pub form_projects: Vec<String>,
    /// A filled overview form (工作开展情况表) came with it.
    pub has_form: bool,
    pub items: Vec<String>,
    pub late: bool,
    /// Date header minus arrival, when they disagree by more than an hour.
    pub date_skew_secs: Option<i64>,
    pub misrouted: bool,
    pub expected_departments: Vec<String>,
    pub flags: Vec<String>,
    pub attachments: Vec<AttachmentView>,
    /// `sent`, `queued`, `failed`, `bounced`, `suppressed:<reason>`, or `none`.
    pub receipt: String,
    pub reasons: Vec<String>,
    /// A person marked it dealt with (`mailroom review --resolve`).
    pub resolved: bool,
}

impl DeliveryView {
    pub fn is_submission(&self) -> bool {
        self.kind == "submission"
    }

    /// Whether this submission counts towards its unit's material (matrix,
    /// status, reminders). A message whose sender failed authentication or
    /// that was quarantined counts only once a person has assigned it.
    pub fn counts(&self) -> bool {
        self.is_submission()
            && (self.unit_source.as_deref() == Some("manual")
                || !self
                    .flags
                    .iter()
                    .any(|f| f == "sender_unverified" || f == "quarantined"))
    }

    fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// What its material supplies, by the one rule ([`received`]).
    pub fn received(&self) -> received::Received {
        received::received(&received::Message {
            items: &self.items,
            projects: &self.projects,
            files: self
                .attachments
                .iter()
                .map(|a| received::File {
                    name: &a.filename,
                    size: a.size,
                    problem: a.problem.as_deref(),
                    members: a.members.as_deref(),
                    items: &a.items,
                })
                .collect(),
            link_only: self.has_flag("external_link"),
            unseen: self.has_flag("quarantined"),
            by_hand: self.unit_source.as_deref() == Some("manual"),
            resolved: self.resolved,
        })
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    message_row: i64,
    uid: Option<i64>,
    message_id: Option<String>,
    message_key: String,
    department: String,
    received_at: String,
    fetched_at: String,
    from_addr: Option<String>,
    subject: Option<String>,
    kind: String,
    unit: Option<String>,
    unit_source: Option<String>,
    projects: String,
    items: String,
    late: i64,
    misrouted: i64,
    expected_departments: String,
    flags: String,
    detail: String,
    outbox_state: Option<String>,
    suppressed: Option<String>,
    resolved: i64,
}

#[derive(sqlx::FromRow)]
struct AttRow {
    message_row: i64,
    filename: String,
    safe_filename: String,
    size: i64,
    sha256: String,
    content_type: String,
    items: String,
    members: Option<String>,
    problem: Option<String>,
}

fn list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Every delivery, in arrival order.
pub async fn deliveries(pool: &SqlitePool) -> Result<Vec<DeliveryView>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.message_row, m.uid, m.message_id, d.message_key, d.department, d.received_at,
                m.fetched_at, d.from_addr, d.subject, d.kind, d.unit, d.unit_source, d.projects, d.items, d.late,
                d.misrouted, d.expected_departments, d.flags, d.detail,
                o.state AS outbox_state, r.suppressed,
                EXISTS (SELECT 1 FROM reviews v WHERE v.message_key = d.message_key) AS resolved
         FROM deliveries d
         JOIN messages m ON m.id = d.message_row
         LEFT JOIN receipts r ON r.message_key = d.message_key
         LEFT JOIN outbox o ON o.id = r.outbox_id
         ORDER BY d.received_at, d.message_row",
    )
    .fetch_all(pool)
    .await
    .context("cannot read deliveries")?;
    let atts: Vec<AttRow> = sqlx::query_as(
        "SELECT message_row, filename, safe_filename, size, sha256, content_type, items, members,
                problem
         FROM attachments ORDER BY message_row, ordinal",
    )
    .fetch_all(pool)
    .await
    .context("cannot read attachments")?;
    let mut by_row: std::collections::HashMap<i64, Vec<AttachmentView>> = Default::default();
    for a in atts {
        by_row
            .entry(a.message_row)
            .or_default()
            .push(AttachmentView {
                // People see the name cleaned (no control or bidi
                // characters); the ledger keeps it as sent.
                filename: crate::clean::clean_text(&a.filename).into_owned(),
                safe_filename: a.safe_filename,
                size: a.size,
                sha256: a.sha256,
                content_type: a.content_type,
                items: list(&a.items),
                members: a.members.as_deref().map(|m| {
                    list(m)
                        .into_iter()
                        .map(|n| crate::clean::clean_text(&n).into_owned())
                        .collect()
                }),
                problem: a.problem,
            });
    }
    rows.into_iter()
        .map(|r| {
            let detail: serde_json::Value =
                serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null);
            let strings = |v: &serde_json::Value| -> Vec<String> {
                v.as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let c = &detail["classification"];
            let reasons = strings(&c["reasons"]);
            let form_projects = strings(&c["form_projects"]);
            let has_form = c["has_form"].as_bool().unwrap_or(false);
            let date_skew_secs = c["date_skew_secs"].as_i64();
            let receipt = match (r.outbox_state, r.suppressed) {
                (Some(s), _) => s,
                (None, Some(reason)) => format!("suppressed:{reason}"),
                (None, None) => "none".into(),
            };
            Ok(DeliveryView {
                ledger_id: r.message_row,
                uid: r.uid,
                message_id: r.message_id,
                message_key: r.message_key,
                department: r.department,
                received_at: parse_time(&r.received_at)?,
                fetched_at: parse_time(&r.fetched_at)?,
                from: r.from_addr,
                subject: r.subject.unwrap_or_default(),
                kind: r.kind,
                unit: r.unit,
                unit_source: r.unit_source,
                projects: list(&r.projects),
                form_projects,
                has_form,
                items: list(&r.items),
                late: r.late != 0,
                date_skew_secs,
                misrouted: r.misrouted != 0,
                expected_departments: list(&r.expected_departments),
                flags: list(&r.flags),
                attachments: by_row.remove(&r.message_row).unwrap_or_default(),
                receipt,
                reasons,
                resolved: r.resolved != 0,
            })
        })
        .collect()
}
