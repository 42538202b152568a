//! `mailroom late`: every submission that arrived after the deadline. The
//! notice: late material is not counted for the year's awards
//! (逾期不报将不纳入本年度评优范围). Items are what the material supports
//! (`report::received`): a late refused archive is listed, with no items.

use chrono::Utc;
use serde::Serialize;

use super::columns::{fit, pad, pad_left, width};
use super::received::Material;
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
    /// `files` (counts), `link` (only a download link) or `nothing` (no
    /// usable file arrived: no items).
    pub material: Material,
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
        .map(|d| (d, d.received()))
        .map(|(d, r)| LateEntry {
            ledger_id: d.ledger_id,
            message_id: d.message_id.clone(),
            department: d.department.clone(),
            unit: d.unit.clone(),
            items: r.items,
            projects: r.projects,
            material: r.material,
            received_at: super::export::local(d.received_at, cfg.tz),
            late_by_minutes: (d.received_at - deadline).num_minutes(),
            late_by: humanize(d.received_at - deadline),
            receipt: d.receipt.clone(),
        })
        .collect()
}

/// The widest a unit name is shown. The shipped names take at most 24
/// columns, but a units file may use a formal name (up to 42 columns for
/// the enterprise committees), which would push the line past 100 columns;
/// the first 29 columns still tell every unit apart.
const UNIT_WIDTH: usize = 30;

/// The listing's lines (header, one per entry, count), laid out by display
/// width so Chinese unit names keep the columns straight.
pub fn lines(cfg: &Config, entries: &[LateEntry]) -> Vec<String> {
    let rows: Vec<[String; 6]> = entries
        .iter()
        .map(|e| {
            let unit = e
                .unit
                .as_deref()
                .and_then(|u| cfg.units.get(u))
                .map_or_else(|| "(unknown)".to_owned(), |u| fit(&u.name, UNIT_WIDTH));
            let what = if e.items.is_empty() {
                e.projects.join(",")
            } else {
                e.items.join(",")
            };
            let what = match e.material {
                Material::Link => format!("{what} (download link only)")
                    .trim_start()
                    .to_owned(),
                Material::Nothing => "(no usable files)".to_owned(),
                Material::Files => what,
            };
            [
                e.ledger_id.to_string(),
                unit,
                e.department.clone(),
                e.received_at[..19.min(e.received_at.len())].replace('T', " "),
                e.late_by.clone(),
                what,
            ]
        })
        .collect();
    let head = ["ID", "UNIT", "DEPARTMENT", "ARRIVED", "LATE BY", "ITEMS"].map(String::from);
    // Each column as wide as its widest cell; the item list comes last, so
    // a long one runs on without pushing anything out of line.
    let mut w = [0usize; 6];
    for r in std::iter::once(&head).chain(&rows) {
        for (j, c) in r.iter().enumerate() {
            w[j] = w[j].max(width(c));
        }
    }
    let line = |r: &[String; 6]| {
        format!(
            "{}  {} {} {} {} {}",
            pad_left(&r[0], w[0].max(6)),
            pad(&r[1], w[1]),
            pad(&r[2], w[2]),
            pad(&r[3], w[3]),
            pad(&r[4], w[4]),
            r[5]
        )
        .trim_end()
        .to_owned()
    };
    let mut out = vec![line(&head)];
    out.extend(rows.iter().map(line));
    out.push(format!("{} late submission(s)", entries.len()));
    out
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
    for l in lines(cfg, entries) {
        crate::clean::say!("{l}");
    }
}

#[cfg(test)]
#[path = "late_tests.rs"]
mod tests;
