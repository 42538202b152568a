//! `mailroom forms`: every unit's overview form (工作开展情况表) side by
//! side, for 组织部, which collates the year's assessment (notice, 四（四）
//! 结果汇总). One row per unit of the registry, one column per project with
//! what the unit wrote in its latest form, and the units that sent none.
//!
//! The texts are read again from the stored raw messages when the summary
//! is made, not recorded at intake: the raw message is the only copy of
//! each file, so reading it again needs no new table and no migration, a
//! better form reader improves every past form at once (as `reprocess` does
//! for the classification), and only the few messages known to carry a
//! filled form (`has_form`) are opened — in the inspection workers, like
//! all mail, since the files are still anyone's bytes.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rust_xlsxwriter::{FormatAlign, Workbook};
use tracing::warn;

use super::{DeliveryView, sheets};
use crate::clean::clean_filename;
use crate::config::Config;
use crate::daemon::App;
use crate::inspect::Inspection;
use crate::outbox::receipt::{project_ordinal, when};

/// The workbook's name, for the command's users and the digest.
pub const FILENAME: &str = "工作开展情况表汇总.xlsx";

/// One unit's form as it came in one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub unit: String,
    /// The file as the unit named it (and the member, inside an archive).
    pub file: String,
    pub received_at: DateTime<Utc>,
    /// (project code, what the unit wrote) for each row it filled.
    pub texts: Vec<(String, String)>,
}

/// One row of the summary: a unit of the registry and its latest form.
#[derive(Debug)]
pub struct Line<'a> {
    pub unit_id: &'a str,
    pub name: &'a str,
    /// Agency committees founded too recently are not assessed: no form is
    /// expected from them.
    pub assessed: bool,
    pub contacts: &'a [String],
    pub form: Option<Found>,
}

/// The form in an inspected message: of the forms in its files (a unit may
/// attach the same form as xlsx and as doc), the one with the most projects
/// filled, the first on a tie. `None` when no form has a row filled.
pub fn from_inspection(
    cfg: &Config,
    unit: &str,
    received_at: DateTime<Utc>,
    insp: &Inspection,
) -> Option<Found> {
    let mut best: Option<Found> = None;
    for a in &insp.attachments {
        let name = clean_filename(&crate::intake::record::display_name(
            &a.filename,
            &a.safe_filename,
        ));
        for form in &a.forms {
            let mut texts: Vec<(String, String)> = Vec::new();
            for row in form.rows.iter().filter(|r| !r.text.is_empty()) {
                let Some(code) = crate::classify::form_row_project(&cfg.campaign, row) else {
                    continue;
                };
                // A project's first row is its row; a repeat (the title
                // again in a remark) would only duplicate it.
                if !texts.iter().any(|(c, _)| *c == code) {
                    texts.push((code, row.text.clone()));
                }
            }
            if texts.is_empty() || best.as_ref().is_some_and(|b| b.texts.len() >= texts.len()) {
                continue;
            }
            let file = match &form.member {
                Some(m) => format!("{name}（{}）", crate::clean::clean_text(m)),
                None => name.clone(),
            };
            best = Some(Found {
                unit: unit.to_owned(),
                file,
                received_at,
                texts,
            });
        }
    }
    best
}

/// Every unit of the registry in its order, each with its latest form by
/// arrival (a later form replaces the earlier one as a whole: it is the
/// unit's corrected version, not a supplement).
pub fn lines(cfg: &Config, found: Vec<Found>) -> Vec<Line<'_>> {
    let mut latest: HashMap<String, Found> = HashMap::new();
    for f in found {
        match latest.get(&f.unit) {
            Some(had) if had.received_at > f.received_at => {}
            _ => {
                latest.insert(f.unit.clone(), f);
            }
        }
    }
    let cutoff = cfg.campaign.campaign.agencies_established_before;
    cfg.units
        .units
        .iter()
        .map(|u| Line {
            unit_id: &u.id,
            name: &u.name,
            assessed: u.is_assessed(cutoff),
            contacts: &u.contacts,
            form: latest.remove(&u.id),
        })
        .collect()
}

/// Reads the forms of the submissions that arrived by `until` again from
/// their raw messages. A message the workers cannot inspect now is left
/// out with a warning: the summary of everyone else still goes out.
pub async fn collect(
    app: &App,
    deliveries: &[DeliveryView],
    until: DateTime<Utc>,
) -> Result<Vec<Found>> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for d in deliveries {
        let Some(unit) = d.unit.as_deref() else {
            continue;
        };
        // One message in several department mailboxes is one form.
        let wanted = d.counts() && d.has_form && d.received_at <= until;
        if !wanted || !seen.insert(&d.message_key) {
            continue;
        }
        let (raw_path, oversize): (String, i64) =
            sqlx::query_as("SELECT raw_path, oversize FROM messages WHERE id = ?")
                .bind(d.ledger_id)
                .fetch_one(&app.ledger.pool)
                .await
                .with_context(|| format!("cannot read message {}", d.ledger_id))?;
        let path = app.ledger.blobs.path_of(std::path::Path::new(&raw_path));
        let mut limits = crate::inspect::Limits::default();
        if oversize != 0 {
            // Kept but never opened at intake; not now either.
            limits.max_inspect_size = 0;
        }
        match app.workers.inspect(&path, &limits, false).await {
            Ok(insp) => out.extend(from_inspection(&app.config, unit, d.received_at, &insp)),
            Err(e) => {
                warn!(ledger_id = d.ledger_id, error = %e, "overview form not read again; left out of the summary")
            }
        }
    }
    Ok(out)
}

/// The summary as of `until`, from the ledger.
pub async fn summary(
    app: &App,
    deliveries: &[DeliveryView],
    until: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let found = collect(app, deliveries, until).await?;
    xlsx(&app.config, &lines(&app.config, found), until)
}

/// Unit column, project columns, file and time columns (Excel's units).
const NO_WIDTH: f64 = 5.0;
const UNIT_WIDTH: f64 = 16.0;
const TEXT_WIDTH: f64 = 40.0;
const FILE_WIDTH: f64 = 22.0;
const TIME_WIDTH: f64 = 19.0;
/// Excel's tallest row, in points: a longer text is all in its cell but
/// shows whole only on screen.
const MAX_ROW_PT: f64 = 409.0;

/// The workbook: the summary, and the units that sent no form.
pub fn xlsx(cfg: &Config, lines: &[Line<'_>], until: DateTime<Utc>) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    summary_sheet(&mut wb, cfg, lines, until)?;
    missing_sheet(&mut wb, cfg, lines, until)?;
    wb.save_to_buffer()
        .context("cannot write the summary of the overview forms")
}

fn summary_sheet(
    wb: &mut Workbook,
    cfg: &Config,
    lines: &[Line<'_>],
    until: DateTime<Utc>,
) -> Result<()> {
    let head = sheets::head();
    let cell = sheets::cell();
    let center = sheets::cell().set_align(FormatAlign::Center);
    let ws = wb.add_worksheet();
    ws.set_name("工作开展情况表汇总")
        .context("bad sheet name")?;
    let sent = lines.iter().filter(|l| l.form.is_some()).count();
    ws.write_string_with_format(
        0,
        0,
        format!(
            "{}汇总（截至{}，{} 个单位已报送）",
            cfg.campaign.campaign.form_heading,
            when(until, cfg.tz),
            sent
        ),
        &sheets::title(),
    )?;
    let mut heads = vec!["序号".to_owned(), "单位".to_owned()];
    heads.extend(
        cfg.campaign
            .projects
            .iter()
            .map(|p| format!("{}{}", project_ordinal(&p.code), p.title)),
    );
    heads.extend(["报送文件".to_owned(), "收到时间".to_owned()]);
    let mut widths = vec![NO_WIDTH, UNIT_WIDTH];
    widths.extend(cfg.campaign.projects.iter().map(|_| TEXT_WIDTH));
    widths.extend([FILE_WIDTH, TIME_WIDTH]);
    for (j, (h, w)) in heads.iter().zip(&widths).enumerate() {
        ws.write_string_with_format(2, j as u16, h, &head)?;
        ws.set_column_width(j as u16, *w)?;
    }
    ws.set_row_height(
        2,
        sheets::row_height(heads.iter().zip(&widths).map(|(h, w)| (h.as_str(), *w))),
    )?;
    for (i, l) in lines.iter().enumerate() {
        let r = (i + 3) as u32;
        let mut row: Vec<String> = vec![(i + 1).to_string(), l.name.to_owned()];
        for p in &cfg.campaign.projects {
            row.push(
                l.form
                    .as_ref()
                    .and_then(|f| f.texts.iter().find(|(c, _)| *c == p.code))
                    .map(|(_, t)| t.clone())
                    .unwrap_or_default(),
            );
        }
        match &l.form {
            Some(f) => row.extend([f.file.clone(), when(f.received_at, cfg.tz)]),
            None if l.assessed => row.extend(["未报送".to_owned(), String::new()]),
            None => row.extend(["不参加本年度考核".to_owned(), String::new()]),
        }
        for (j, v) in row.iter().enumerate() {
            let f = if j == 0 { &center } else { &cell };
            ws.write_string_with_format(r, j as u16, v, f)?;
        }
        let h = sheets::row_height(row.iter().zip(&widths).map(|(v, w)| (v.as_str(), *w)));
        ws.set_row_height(r, h.min(MAX_ROW_PT))?;
    }
    ws.set_freeze_panes(3, 2)?;
    sheets::landscape(
        ws,
        &sheets::Titles {
            rows: (2, 2),
            columns: Some((0, 1)),
        },
    )
}

fn missing_sheet(
    wb: &mut Workbook,
    cfg: &Config,
    lines: &[Line<'_>],
    until: DateTime<Utc>,
) -> Result<()> {
    let head = sheets::head();
    let cell = sheets::cell();
    let ws = wb.add_worksheet();
    ws.set_name("未报送工作开展情况表的单位")
        .context("bad sheet name")?;
    let missing: Vec<&Line<'_>> = lines
        .iter()
        .filter(|l| l.assessed && l.form.is_none())
        .collect();
    ws.write_string_with_format(
        0,
        0,
        format!(
            "未报送工作开展情况表的单位（截至{}，共 {} 个）",
            when(until, cfg.tz),
            missing.len()
        ),
        &sheets::title(),
    )?;
    let widths = [NO_WIDTH, UNIT_WIDTH * 1.5, 36.0];
    for (j, (h, w)) in ["序号", "单位", "联系邮箱"].iter().zip(widths).enumerate() {
        ws.write_string_with_format(2, j as u16, *h, &head)?;
        ws.set_column_width(j as u16, w)?;
    }
    for (i, l) in missing.iter().enumerate() {
        let r = (i + 3) as u32;
        ws.write_string_with_format(r, 0, (i + 1).to_string(), &cell)?;
        ws.write_string_with_format(r, 1, l.name, &cell)?;
        ws.write_string_with_format(r, 2, l.contacts.join("\n"), &cell)?;
        ws.set_row_height(
            r,
            sheets::row_height([(l.contacts.join("\n").as_str(), 36.0)]),
        )?;
    }
    // Three narrow columns: portrait, like a list to tick off.
    sheets::portrait(
        ws,
        &sheets::Titles {
            rows: (2, 2),
            columns: None,
        },
    )
}

#[cfg(test)]
#[path = "forms_tests.rs"]
mod tests;
