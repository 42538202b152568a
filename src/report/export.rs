//! `mailroom export`: the ledger as JSON (a stable contract), CSV, or an
//! xlsx a clerk opens in Excel or WPS.
//!
//! The JSON form is `{"campaign": …, "generated_at": …, "submissions": […]}`
//! with one entry per delivery (a message in a department mailbox).

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{Color, FormatAlign, Workbook};
use serde::Serialize;
use serde_json::{Value, json};

use super::matrix::{self, Cell, Matrix};
use super::{AttachmentView, DeliveryView, labels, sheets};
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

/// The matrix's unit column: the longest unit name (12 characters) on one
/// line.
const UNIT_WIDTH: f64 = 28.0;
/// A matrix column: an item title in three or four lines.
const MARK_WIDTH: f64 = 14.0;

/// Writes a matrix sheet: units down, columns across, counts on top.
/// Printed landscape, one page wide, the header row and the unit column on
/// every page.
pub fn matrix_sheet(wb: &mut Workbook, name: &str, title: &str, m: &Matrix) -> Result<()> {
    let head = sheets::head();
    let name_cell = sheets::cell();
    let mark = sheets::cell()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let late = mark.clone().set_background_color(Color::RGB(0xFFE699));
    let missing = mark.clone().set_background_color(Color::RGB(0xF8CBAD));
    let link = mark.clone().set_background_color(Color::RGB(0xDDEBF7));
    let ws = wb.add_worksheet();
    ws.set_name(name).context("bad sheet name")?;
    ws.write_string_with_format(0, 0, title, &sheets::title())?;
    ws.write_string(
        1,
        0,
        format!(
            "已收 {}　逾期 {}　链接待下载 {}　未收 {}",
            m.count(Cell::OnTime),
            m.count(Cell::Late),
            m.count(Cell::Link),
            m.count(Cell::Missing)
        ),
    )?;
    ws.write_string_with_format(3, 0, "单位", &head)?;
    let heads: Vec<String> = m
        .columns
        .iter()
        .map(|(code, t)| {
            if code == matrix::FORM {
                t.clone()
            } else {
                format!("{code} {t}")
            }
        })
        .collect();
    for (j, h) in heads.iter().enumerate() {
        // Wrapped, never cut: the row is as tall as the longest item title.
        ws.write_string_with_format(3, (j + 1) as u16, h, &head)?;
        ws.set_column_width((j + 1) as u16, MARK_WIDTH)?;
    }
    ws.set_row_height(
        3,
        sheets::row_height(heads.iter().map(|h| (h.as_str(), MARK_WIDTH))),
    )?;
    ws.set_column_width(0, UNIT_WIDTH)?;
    for (i, (_, uname)) in m.units.iter().enumerate() {
        let r = (i + 4) as u32;
        ws.write_string_with_format(r, 0, uname, &name_cell)?;
        ws.set_row_height(r, sheets::row_height([(uname.as_str(), UNIT_WIDTH)]))?;
        for (j, c) in m.cells[i].iter().enumerate() {
            let format = match c {
                Cell::OnTime => &mark,
                Cell::Late => &late,
                Cell::Link => &link,
                Cell::Missing => &missing,
            };
            ws.write_string_with_format(r, (j + 1) as u16, c.zh(), format)?;
        }
    }
    ws.set_freeze_panes(4, 1)?;
    sheets::landscape(
        ws,
        &sheets::Titles {
            rows: (3, 3),
            columns: Some((0, 0)),
        },
    )
}

/// The deliveries sheet's columns and their widths (characters), narrow
/// enough that a landscape page holds them all at a legible scale; long
/// text wraps.
const SUBMISSION_COLUMNS: [(&str, f64); 15] = [
    ("编号", 6.0),
    ("报送单位", 22.0),
    ("收件科室", 9.0),
    ("到达时间", 12.0),
    ("类型", 8.0),
    ("项目", 8.0),
    ("子项", 10.0),
    ("逾期", 5.0),
    ("误投", 5.0),
    ("应投科室", 10.0),
    ("标记", 18.0),
    ("文件", 28.0),
    ("发件人", 18.0),
    ("标题", 28.0),
    ("回执", 12.0),
];

/// Writes the deliveries as a sheet a clerk can filter and print. Kinds,
/// flags and receipt states are in Chinese here (the codes are in the JSON
/// and CSV); the unit is the second column so it prints on every page.
pub fn submissions_sheet(
    wb: &mut Workbook,
    cfg: &Config,
    name: &str,
    deliveries: &[DeliveryView],
) -> Result<()> {
    let head = sheets::head();
    let cell = sheets::cell();
    let ws = wb.add_worksheet();
    ws.set_name(name).context("bad sheet name")?;
    for (j, (h, w)) in SUBMISSION_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, j as u16, *h, &head)?;
        ws.set_column_width(j as u16, *w)?;
    }
    ws.set_row_height(0, sheets::row_height(SUBMISSION_COLUMNS))?;
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
        let yes = |b: bool| if b { "是" } else { "" };
        let texts = [
            unit_name(cfg, d.unit.as_deref()),
            dept_name(cfg, &d.department),
            d.received_at
                .with_timezone(&cfg.tz)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            labels::kind_code(&d.kind).into_owned(),
            d.projects.join("、"),
            d.items.join("、"),
            yes(d.late).to_owned(),
            yes(d.misrouted).to_owned(),
            expected.join("、"),
            labels::flag_codes(&d.flags),
            // Text from the sender: cleaned and within Excel's cell limit.
            sheet_text(&files.join("；")),
            sheet_text(d.from.as_deref().unwrap_or("")),
            sheet_text(&d.subject),
            labels::receipt(&d.receipt).into_owned(),
        ];
        ws.write_number_with_format(r, 0, d.ledger_id as f64, &cell)?;
        for (j, t) in texts.iter().enumerate() {
            ws.write_string_with_format(r, (j + 1) as u16, t, &cell)?;
        }
        let widths = SUBMISSION_COLUMNS[1..].iter().map(|(_, w)| *w);
        ws.set_row_height(
            r,
            sheets::row_height(texts.iter().map(String::as_str).zip(widths)),
        )?;
    }
    let last_col = (SUBMISSION_COLUMNS.len() - 1) as u16;
    ws.autofilter(0, 0, deliveries.len() as u32, last_col)?;
    ws.set_freeze_panes(1, 2)?;
    sheets::landscape(
        ws,
        &sheets::Titles {
            rows: (0, 0),
            columns: Some((0, 1)),
        },
    )
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
