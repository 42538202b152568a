//! `mailroom late`: every submission that arrived after the deadline. The
//! notice: late material is not counted for the year's awards
//! (逾期不报将不纳入本年度评优范围).

use chrono::Utc;
use serde::Serialize;

use super::{DeliveryView, humanize};
use crate::config::Config;

#[derive(Debug, Serialize)]
pub struct LateEntry {
    pub ledger_id: i64,
    pub message_id: Option<String>,
    pub department: String,
    pub unit: Option<String>,
    pub items: Vec<String>,
    pub projects: Vec<String>,
    pub received_at: String,
    pub late_by_minutes: i64,
    pub late_by: String,
    pub receipt: String,
}

pub fn entries(cfg: &Config, deliveries: &[DeliveryView]) -> Vec<LateEntry> {
    let deadline = cfg.campaign.campaign.deadline.with_timezone(&Utc);
    deliveries
        .iter()
        .filter(|d| d.is_submission() && d.late)
        .map(|d| LateEntry {
            ledger_id: d.ledger_id,
            message_id: d.message_id.clone(),
            department: d.department.clone(),
            unit: d.unit.clone(),
            items: d.items.clone(),
            projects: d.projects.clone(),
            received_at: super::export::local(d.received_at, cfg.tz),
            late_by_minutes: (d.received_at - deadline).num_minutes(),
            late_by: humanize(d.received_at - deadline),
            receipt: d.receipt.clone(),
        })
        .collect()
}

pub fn print(cfg: &Config, entries: &[LateEntry]) {
    crate::clean::say!(
        "Deadline {}. Late material is not counted for this year's awards.",
        cfg.campaign
            .campaign
            .deadline
            .with_timezone(&cfg.tz)
            .format("%Y-%m-%d %H:%M")
    );
    crate::clean::say!(
        "{:>6}  {:<20} {:<10} {:<12} {:<20} {:<12}",
        "ID",
        "UNIT",
        "DEPARTMENT",
        "ITEMS",
        "ARRIVED",
        "LATE BY"
    );
    for e in entries {
        let unit = e
            .unit
            .as_deref()
            .and_then(|u| cfg.units.get(u))
            .map_or_else(|| "(unknown)".to_owned(), |u| u.name.clone());
        let what = if e.items.is_empty() {
            e.projects.join(",")
        } else {
            e.items.join(",")
        };
        crate::clean::say!(
            "{:>6}  {:<20} {:<10} {:<12} {:<20} {:<12}",
            e.ledger_id,
            unit,
            e.department,
            what,
            &e.received_at[..19.min(e.received_at.len())].replace('T', " "),
            e.late_by
        );
    }
    crate::clean::say!("{} late submission(s)", entries.len());
}
