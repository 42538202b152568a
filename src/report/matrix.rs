//! Unit × project (or item) matrices: what each assessed unit has sent, on
//! time or late, and what is missing. Pure: deliveries in, matrix out.
//!
//! Coverage rules (the same everywhere: status, digests, reminders, the
//! export, the late log):
//! - only what a submission's material supports counts (`received`): a
//!   refused archive, a lock file, a mail without attachments supply
//!   nothing; a mail with only a download link supplies "link" cells;
//! - an item is received when that material names it, or names its project
//!   without any item ("项目四" covers 4.1–4.3);
//! - a project is received when a submission covers any of its items or the
//!   project itself; a filled overview-form row alone does not count as
//!   material (the form is tracked in its own column);
//! - on time beats late, and late beats a link: material that arrived in
//!   time counts even if a later correction was late.

use serde::Serialize;

use super::DeliveryView;
use super::received::{Material, Received};
use crate::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell {
    OnTime,
    Late,
    /// Only a download link arrived; nobody has fetched the files yet.
    Link,
    Missing,
}

impl Cell {
    pub fn zh(self) -> &'static str {
        match self {
            Cell::OnTime => "已收",
            Cell::Late => "逾期",
            Cell::Link => "链接待下载",
            Cell::Missing => "未收",
        }
    }

    fn merge(self, other: Cell) -> Cell {
        match (self, other) {
            (Cell::OnTime, _) | (_, Cell::OnTime) => Cell::OnTime,
            (Cell::Late, _) | (_, Cell::Late) => Cell::Late,
            (Cell::Link, _) | (_, Cell::Link) => Cell::Link,
            _ => Cell::Missing,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// (unit id, unit name)
    pub units: Vec<(String, String)>,
    /// (code, title); the last column may be the overview form ("form").
    pub columns: Vec<(String, String)>,
    /// cells[unit][column]
    pub cells: Vec<Vec<Cell>>,
}

impl Matrix {
    pub fn count(&self, c: Cell) -> usize {
        self.cells.iter().flatten().filter(|x| **x == c).count()
    }
}

/// Column code of the overview form.
pub const FORM: &str = "form";

fn assessed_units(cfg: &Config) -> Vec<(String, String)> {
    let cutoff = cfg.campaign.campaign.agencies_established_before;
    cfg.units
        .units
        .iter()
        .filter(|u| u.is_assessed(cutoff))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect()
}

/// Whether what a submission supplies (`DeliveryView::received`) covers an
/// item, as received or as a link.
pub fn covers_item(r: &Received, item: &str, form_projects: &[String]) -> bool {
    if r.items.iter().any(|i| i == item) {
        return true;
    }
    let project = item.split('.').next().unwrap_or("");
    r.projects.iter().any(|p| p == project)
        && !r.items.iter().any(|i| i.split('.').next() == Some(project))
        && !form_projects.iter().any(|p| p == project)
}

/// Whether it covers the item with material that counts (not a link).
pub fn receives_item(d: &DeliveryView, item: &str) -> bool {
    let r = d.received();
    r.material == Material::Files && covers_item(&r, item, &d.form_projects)
}

fn cell_of(d: &DeliveryView, r: &Received) -> Cell {
    match r.material {
        Material::Nothing => Cell::Missing,
        Material::Link => Cell::Link,
        Material::Files if d.late => Cell::Late,
        Material::Files => Cell::OnTime,
    }
}

/// The matrix for `columns` (plus the overview form): a cell is the best
/// of the unit's submissions that cover it.
fn build(
    cfg: &Config,
    deliveries: &[DeliveryView],
    mut columns: Vec<(String, String)>,
    covers: impl Fn(&DeliveryView, &Received, &str) -> bool,
) -> Matrix {
    columns.push((FORM.into(), cfg.campaign.campaign.form_title.clone()));
    let units = assessed_units(cfg);
    let cells = units
        .iter()
        .map(|(uid, _)| {
            let subs: Vec<(&DeliveryView, Received)> = deliveries
                .iter()
                .filter(|d| d.counts() && d.unit.as_deref() == Some(uid))
                .map(|d| (d, d.received()))
                .collect();
            columns
                .iter()
                .map(|(code, _)| {
                    subs.iter()
                        .filter(|(d, r)| {
                            if code == FORM {
                                // A form is found by reading a file: it
                                // came in usable material or not at all.
                                d.has_form && r.material == Material::Files
                            } else {
                                covers(d, r, code)
                            }
                        })
                        .fold(Cell::Missing, |acc, (d, r)| acc.merge(cell_of(d, r)))
                })
                .collect()
        })
        .collect();
    Matrix {
        units,
        columns,
        cells,
    }
}

/// Units × the given items (plus the overview form), for a department's digest.
pub fn by_items(cfg: &Config, deliveries: &[DeliveryView], items: &[String]) -> Matrix {
    let columns = items
        .iter()
        .filter_map(|i| {
            cfg.campaign
                .item(i)
                .map(|(_, it)| (i.clone(), it.title.clone()))
        })
        .collect();
    build(cfg, deliveries, columns, |d, r, code| {
        covers_item(r, code, &d.form_projects)
    })
}

/// Units × projects (plus the overview form), for `mailroom status` and the export.
pub fn by_project(cfg: &Config, deliveries: &[DeliveryView]) -> Matrix {
    let columns = cfg
        .campaign
        .projects
        .iter()
        .map(|p| (p.code.clone(), p.title.clone()))
        .collect();
    build(cfg, deliveries, columns, |d, r, code| {
        r.projects.iter().any(|p| p == code) && !d.form_projects.iter().any(|p| p == code)
    })
}

#[cfg(test)]
#[path = "matrix_tests.rs"]
mod tests;
