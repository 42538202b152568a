//! `mailroom export`: the ledger as JSON (a stable contract), CSV, or an
//! xlsx a clerk opens in Excel or WPS.
//!
//! The JSON form is `{"campaign": …, "generated_at": …, "submissions": […]}`
//! with one entry per delivery (a message in a department mailbox).

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;
use serde_json::{Value, json};

use super::matrix::{self, Cell, Matrix};
use super::{AttachmentView, DeliveryView};
use crate::clean::{clean_text, csv_cell, sheet_text};
use crate::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format_ {
    Json,
    Csv,
    Xlsx,
}

/// RFC 3339 in the campaign's zone (+08:00), to the second.
pub fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

#[derive(Serialize)]
struct Entry<'a> {
    ledger_id: i64,
    message_id: Option<&'a str>,
    department: &'a str,
    received_at: String,
    from: Option<&'a str>,
    subject: &'a str,
    kind: &'a str,
    unit: Option<&'a str>,
    unit_source: Option<&'a str>,
    projects: &'a [String],
    /// Projects evidenced only by filled rows of the overview form.
    form_projects: &'a [String],
    items: &'a [String],
    late: bool,
    /// The Date header minus the arrival time, when they disagree by more
    /// than an hour (the Date header never decides lateness).
    #[serde(skip_serializing_if = "Option::is_none")]
    date_skew_secs: Option<i64>,
    misrouted: bool,
    expected_departments: &'a [String],
    flags: &'a [String],
    attachments: &'a [AttachmentView],
    receipt: &'a str,
}

pub fn json(cfg: &Config, deliveries: &[DeliveryView], now: DateTime<Utc>) -> Result<String> {
    let c = &cfg.campaign.campaign;
    let entries: Vec<Entry> = deliveries
        .iter()
        .map(|d| Entry {
            ledger_id: d.ledger_id,
            message_id: d.message_id.as_deref(),
            department: &d.department,
            received_at: local(d.received_at, cfg.tz),
            from: d.from.as_deref(),
            subject: &d.subject,
            kind: &d.kind,
            unit: d.unit.as_deref(),
            unit_source: d.unit_source.as_deref(),
            projects: &d.projects,
            form_projects: &d.form_projects,
            items: &d.items,
            late: d.late,
            date_skew_secs: d.date_skew_secs,
            misrouted: d.misrouted,
            expected_departments: &d.expected_departments,
            flags: &d.flags,
            attachments: &d.attachments,
            receipt: &d.receipt,
        })
        .collect();
    let doc: Value = json!({
        "campaign": {
            "id": c.id,
            "title": c.title,
            "deadline": c.deadline.to_rfc3339(),
            "timezone": c.timezone,
        },
        "generated_at": local(now, cfg.tz),
        "submissions": entries,
    });
    serde_json::to_string_pretty(&doc).context("cannot encode JSON")
}

const CSV_HEADER: [&str; 17] = [
    "ledger_id",
    "message_id",
    "department",
    "received_at",
    "from",
    "subject",
    "kind",
    "unit",
    "unit_source",
    "projects",
    "items",
    "late",
    "misrouted",
    "expected_departments",
    "flags",
    "attachments",
    "receipt",
];

/// CSV with a UTF-8 byte-order mark: without it Excel opens Chinese text as
/// mojibake. Lists are joined with ";". Every cell goes through
/// [`csv_cell`]: one line, no control or bidi characters, and a leading `'`
/// on anything a spreadsheet would take for a formula (subjects and file
/// names are the sender's choice).
pub fn csv(cfg: &Config, deliveries: &[DeliveryView]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&CSV_HEADER.join(","));
    out.push_str("\r\n");
    for d in deliveries {
        let files: Vec<String> = d.attachments.iter().map(|a| a.display_name()).collect();
        let row = [
            d.ledger_id.to_string(),
            d.message_id.clone().unwrap_or_default(),
            d.department.clone(),
            local(d.received_at, cfg.tz),
            d.from.clone().unwrap_or_default(),
            d.subject.clone(),
            d.kind.clone(),
            d.unit.clone().unwrap_or_default(),
            d.unit_source.clone().unwrap_or_default(),
            d.projects.join(";"),
            d.items.join(";"),
            d.late.to_string(),
            d.misrouted.to_string(),
            d.expected_departments.join(";"),
            d.flags.join(";"),
            files.join(";"),
            d.receipt.clone(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_cell(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

fn dept_name(cfg: &Config, id: &str) -> String {
    cfg.department(id)
        .map_or_else(|| id.to_owned(), |d| d.name.clone())
}

fn unit_name(cfg: &Config, id: Option<&str>) -> String {
    match id {
        Some(u) => cfg
            .units
            .get(u)
            .map_or_else(|| u.to_owned(), |x| x.name.clone()),
        None => "（未识别）".into(),
    }
}

/// Writes a matrix sheet: units down, columns across, counts on top.
pub fn matrix_sheet(wb: &mut Workbook, name: &str, title: &str, m: &Matrix) -> Result<()> {
    let bold = Format::new().set_bold();
    let late = Format::new().set_background_color(rust_xlsxwriter::Color::RGB(0xFFE699));
    let missing = Format::new().set_background_color(rust_xlsxwriter::Color::RGB(0xF8CBAD));
    let ws = wb.add_worksheet();
    ws.set_name(name).context("bad sheet name")?;
    ws.write_string_with_format(0, 0, title, &bold)?;
    ws.write_string(
        1,
        0,
        format!(
            "已收 {}　逾期 {}　未收 {}",
            m.count(Cell::OnTime),
            m.count(Cell::Late),
            m.count(Cell::Missing)
        ),
    )?;
    ws.write_string_with_format(3, 0, "单位", &bold)?;
    for (j, (code, t)) in m.columns.iter().enumerate() {
        let head = if code == matrix::FORM {
            t.clone()
        } else {
            format!("{code} {t}")
        };
        ws.write_string_with_format(3, (j + 1) as u16, head, &bold)?;
        ws.set_column_width((j + 1) as u16, 14)?;
    }
    ws.set_column_width(0, 24)?;
    for (i, (_, uname)) in m.units.iter().enumerate() {
        let r = (i + 4) as u32;
        ws.write_string(r, 0, uname)?;
        for (j, c) in m.cells[i].iter().enumerate() {
            let col = (j + 1) as u16;
            match c {
                Cell::OnTime => ws.write_string(r, col, c.zh())?,
                Cell::Late => ws.write_string_with_format(r, col, c.zh(), &late)?,
                Cell::Missing => ws.write_string_with_format(r, col, c.zh(), &missing)?,
            };
        }
    }
    ws.set_freeze_panes(4, 1)?;
    Ok(())
}

/// Writes the deliveries as a sheet a clerk can filter.
pub fn submissions_sheet(
    wb: &mut Workbook,
    cfg: &Config,
    name: &str,
    deliveries: &[DeliveryView],
) -> Result<()> {
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(name).context("bad sheet name")?;
    let heads = [
        "编号",
        "收件科室",
        "到达时间",
        "报送单位",
        "类型",
        "项目",
        "子项",
        "逾期",
        "误投",
        "应投科室",
        "标记",
        "文件",
        "发件人",
        "标题",
        "回执",
    ];
    for (j, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &bold)?;
    }
    for (i, d) in deliveries.iter().enumerate() {
        let r = (i + 1) as u32;
        let files: Vec<String> = d
            .attachments
            .iter()
            .map(|a| clean_text(&a.display_name()).into_owned())
            .collect();
        let expected: Vec<String> = d
            .expected_departments
            .iter()
            .map(|x| dept_name(cfg, x))
            .collect();
        ws.write_number(r, 0, d.ledger_id as f64)?;
        ws.write_string(r, 1, dept_name(cfg, &d.department))?;
        ws.write_string(
            r,
            2,
            d.received_at
                .with_timezone(&cfg.tz)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        )?;
        ws.write_string(r, 3, unit_name(cfg, d.unit.as_deref()))?;
        ws.write_string(r, 4, &d.kind)?;
        ws.write_string(r, 5, d.projects.join("、"))?;
        ws.write_string(r, 6, d.items.join("、"))?;
        ws.write_string(r, 7, if d.late { "是" } else { "" })?;
        ws.write_string(r, 8, if d.misrouted { "是" } else { "" })?;
        ws.write_string(r, 9, expected.join("、"))?;
        ws.write_string(r, 10, d.flags.join(", "))?;
        // Text from the sender: cleaned and within Excel's cell limit.
        ws.write_string(r, 11, sheet_text(&files.join("；")))?;
        ws.write_string(r, 12, sheet_text(d.from.as_deref().unwrap_or("")))?;
        ws.write_string(r, 13, sheet_text(&d.subject))?;
        ws.write_string(r, 14, &d.receipt)?;
    }
    for (j, w) in [6, 10, 20, 18, 11, 10, 14, 6, 6, 14, 24, 40, 26, 40, 14]
        .iter()
        .enumerate()
    {
        ws.set_column_width(j as u16, *w)?;
    }
    ws.autofilter(0, 0, deliveries.len() as u32, (heads.len() - 1) as u16)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

pub fn xlsx(cfg: &Config, deliveries: &[DeliveryView]) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    submissions_sheet(&mut wb, cfg, "报送记录", deliveries)?;
    let m = matrix::by_project(cfg, deliveries);
    matrix_sheet(
        &mut wb,
        "单位×项目",
        &format!("{}：各单位材料报送情况", cfg.campaign.campaign.title),
        &m,
    )?;
    wb.save_to_buffer().context("cannot write xlsx")
}
