//! What the tree is built from: every attachment of every submission in the
//! ledger, with its message's classification.

use anyhow::{Context, Result};
use sqlx::SqlitePool;

use super::layout::Material;
use crate::ledger::messages::parse_time;

#[derive(sqlx::FromRow)]
struct Row {
    message_row: i64,
    message_key: String,
    department: String,
    received_at: String,
    unit: Option<String>,
    unit_source: Option<String>,
    items: String,
    att_items: String,
    late: i64,
    flags: String,
    raw_path: String,
    ordinal: i64,
    safe_filename: String,
    sha256: String,
    outbox_state: Option<String>,
    suppressed: Option<String>,
}

fn list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Every stored attachment of a submission, in arrival order.
pub async fn materials(pool: &SqlitePool) -> Result<Vec<Material>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.message_row, d.message_key, d.department, d.received_at, d.unit, d.unit_source,
                d.items, a.items AS att_items, d.late, d.flags, m.raw_path, a.ordinal,
                a.safe_filename, a.sha256, o.state AS outbox_state, r.suppressed
         FROM deliveries d
         JOIN messages m ON m.id = d.message_row
         JOIN attachments a ON a.message_row = d.message_row
         LEFT JOIN receipts r ON r.message_key = d.message_key
         LEFT JOIN outbox o ON o.id = r.outbox_id
         WHERE d.kind = 'submission'
         ORDER BY d.received_at, d.message_row, a.ordinal",
    )
    .fetch_all(pool)
    .await
    .context("cannot read the attachments of submissions")?;
    rows.into_iter()
        .map(|r| {
            let flags = list(&r.flags);
            // As `DeliveryView::counts`: an unverified sender or a
            // quarantined message waits for a person.
            let believed = r.unit_source.as_deref() == Some("manual")
                || !flags
                    .iter()
                    .any(|f| f == "sender_unverified" || f == "quarantined");
            let att_items = list(&r.att_items);
            let receipt = match (r.outbox_state, r.suppressed) {
                (Some(s), _) => s,
                (None, Some(reason)) => format!("suppressed:{reason}"),
                (None, None) => "none".into(),
            };
            Ok(Material {
                ledger_id: r.message_row,
                message_key: r.message_key,
                landed: r.department,
                received_at: parse_time(&r.received_at)?,
                unit: r.unit,
                items: if att_items.is_empty() {
                    list(&r.items)
                } else {
                    att_items
                },
                late: r.late != 0,
                believed,
                receipt,
                raw_path: r.raw_path,
                ordinal: usize::try_from(r.ordinal).unwrap_or(usize::MAX),
                safe_filename: r.safe_filename,
                sha256: r.sha256,
            })
        })
        .collect()
}
