//! The daily digest to a department (科室): what arrived since the last one,
//! the unit × item matrix for its items, and what needs a person. HTML with
//! tables, a plain-text alternative, and the matrix as xlsx for Excel/WPS.

use std::collections::HashSet;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rust_xlsxwriter::Workbook;

use crate::clean::{clean_filename, clean_text};
use crate::config::Config;
use crate::outbox::receipt::escape;
use crate::report::matrix::{self, Cell, Matrix};
use crate::report::review::{self, Item};
use crate::report::{DeliveryView, export};

pub struct Digest<'a> {
    pub department: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Submissions to this department's mailbox stored in (since, until].
    pub arrivals: Vec<&'a DeliveryView>,
    /// Those of the arrivals the provider filed as spam: the clerk marks
    /// their senders as not spam, or the units' next mail goes there too.
    pub in_junk: Vec<&'a DeliveryView>,
    pub matrix: Matrix,
    pub needs: Vec<Item>,
    /// The department's sending account is held by its server (set by the
    /// caller, who reads the outbox).
    pub sending: Option<crate::outbox::AccountHold>,
}

/// One sentence for the clerk when the department's mailbox may not send:
/// receipts are late for a reason the provider gave, not lost.
pub fn sending_line(cfg: &Config, d: &Digest<'_>) -> Option<String> {
    let h = d.sending.as_ref()?;
    let at = h.until.with_timezone(&cfg.tz);
    let when = format!(
        "{}月{}日 {}",
        at.format("%-m"),
        at.format("%-d"),
        at.format("%-H:%M")
    );
    Some(if h.quota {
        format!(
            "本科室邮箱今日发信额度已用完，剩余 {} 封回执将于 {when} 起自动发出，无需重发。",
            h.receipts
        )
    } else {
        format!(
            "本科室邮箱暂时无法发信（邮件服务商限制），剩余 {} 封回执将于 {when} 起自动重试。",
            h.receipts
        )
    })
}

/// The items a department is responsible for, in campaign order.
pub fn items_of(cfg: &Config, department: &str) -> Vec<String> {
    cfg.campaign
        .items()
        .filter(|(_, i)| i.departments.iter().any(|d| d == department))
        .map(|(_, i)| i.code.clone())
        .collect()
}

pub fn build<'a>(
    cfg: &Config,
    deliveries: &'a [DeliveryView],
    resolved: &HashSet<String>,
    department: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Digest<'a> {
    let arrivals: Vec<&DeliveryView> = deliveries
        .iter()
        .filter(|d| {
            d.department == department
                && d.is_submission()
                && d.fetched_at > since
                && d.fetched_at <= until
        })
        .collect();
    let in_junk = arrivals
        .iter()
        .copied()
        .filter(|d| d.flags.iter().any(|f| f == "in_junk"))
        .collect();
    // The matrix counts what had arrived by the digest's time.
    let upto: Vec<DeliveryView> = deliveries
        .iter()
        .filter(|d| d.fetched_at <= until)
        .cloned()
        .collect();
    Digest {
        department: department.to_owned(),
        since,
        until,
        arrivals,
        in_junk,
        matrix: matrix::by_items(cfg, &upto, &items_of(cfg, department)),
        needs: review::for_department(cfg, &upto, resolved, department),
        sending: None,
    }
}

fn dept_name(cfg: &Config, id: &str) -> String {
    cfg.department(id)
        .map_or_else(|| id.to_owned(), |d| d.name.clone())
}

fn unit_name(cfg: &Config, id: Option<&str>) -> String {
    id.and_then(|u| cfg.units.get(u))
        .map_or_else(|| "（未识别单位）".to_owned(), |u| u.name.clone())
}

pub fn subject(cfg: &Config, d: &Digest<'_>) -> String {
    let late = d.arrivals.iter().filter(|a| a.late).count();
    format!(
        "【每日汇总】{} {}：新收 {} 件，逾期 {} 件，待处理 {} 件",
        dept_name(cfg, &d.department),
        d.until.with_timezone(&cfg.tz).format("%Y-%m-%d"),
        d.arrivals.len(),
        late,
        d.needs.len()
    )
}

fn arrival_line(cfg: &Config, a: &DeliveryView) -> (String, String, String, String, String) {
    let what = if a.items.is_empty() {
        a.projects
            .iter()
            .map(|p| format!("（{p}）"))
            .collect::<Vec<_>>()
            .join("、")
    } else {
        a.items.join("、")
    };
    let files: Vec<String> = a
        .attachments
        .iter()
        .map(|f| clean_filename(&f.display_name()))
        .collect();
    (
        unit_name(cfg, a.unit.as_deref()),
        if what.is_empty() { "—".into() } else { what },
        a.received_at
            .with_timezone(&cfg.tz)
            .format("%m-%d %H:%M")
            .to_string(),
        if files.is_empty() {
            "（无附件）".into()
        } else {
            files.join("；")
        },
        if a.late {
            "逾期".into()
        } else {
            "按时".into()
        },
    )
}

/// The request to the clerk about mail the provider filed as spam.
const JUNK_NOTE: &str = "以下邮件被邮箱服务商归入垃圾邮件（已正常收取、计入），请在网页邮箱的“垃圾邮件”中将发件人标记为“不是垃圾邮件”，以免该单位以后的邮件继续被拦截：";

/// Who sent a message: the unit, and the address it came from.
fn sender_line(cfg: &Config, a: &DeliveryView) -> String {
    format!(
        "{}（{}）",
        unit_name(cfg, a.unit.as_deref()),
        clean_text(a.from.as_deref().unwrap_or("未知发件人"))
    )
}

pub fn text(cfg: &Config, d: &Digest<'_>) -> String {
    let mut t = String::new();
    let m = &d.matrix;
    t.push_str(&format!(
        "{} 每日汇总（{} 至 {}）\n\n",
        dept_name(cfg, &d.department),
        d.since.with_timezone(&cfg.tz).format("%m-%d %H:%M"),
        d.until.with_timezone(&cfg.tz).format("%m-%d %H:%M")
    ));
    t.push_str(&format!(
        "本科室负责子项的报送情况：已收 {}，逾期 {}，未收 {}（{} 个单位 × {} 列）\n\n",
        m.count(Cell::OnTime),
        m.count(Cell::Late),
        m.count(Cell::Missing),
        m.units.len(),
        m.columns.len()
    ));
    if let Some(line) = sending_line(cfg, d) {
        t.push_str(&format!("■ 发信情况\n  {line}\n\n"));
    }
    t.push_str(&format!("■ 新收材料（{} 件）\n", d.arrivals.len()));
    for a in &d.arrivals {
        let (u, what, at, files, late) = arrival_line(cfg, a);
        t.push_str(&format!("  · {at} {u}：{what}【{late}】 {files}\n"));
    }
    if !d.in_junk.is_empty() {
        t.push_str(&format!(
            "\n■ 被归入垃圾邮件（{} 件）\n{JUNK_NOTE}\n",
            d.in_junk.len()
        ));
        for a in &d.in_junk {
            t.push_str(&format!(
                "  · {}：{}\n",
                sender_line(cfg, a),
                clean_text(&a.subject)
            ));
        }
    }
    t.push_str(&format!("\n■ 待处理（{} 件）\n", d.needs.len()));
    for n in &d.needs {
        t.push_str(&format!(
            "  · [{}] {} {}：{}\n    {}\n",
            n.ledger_id,
            n.reason.zh(),
            unit_name(cfg, n.unit.as_deref()),
            clean_text(&n.subject),
            n.action
        ));
    }
    t.push('\n');
    t.push_str(&crate::report::status::render(
        cfg,
        m,
        "■ 各单位报送情况（表格见附件 xlsx）",
    ));
    t
}

pub fn html(cfg: &Config, d: &Digest<'_>) -> String {
    let m = &d.matrix;
    let td = "style=\"border:1px solid #ccc;padding:2px 6px\"";
    let mut h = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"font-family:sans-serif;font-size:14px\">",
    );
    h.push_str(&format!(
        "<h2 style=\"font-size:18px\">{} 每日汇总</h2><p>{} 至 {}</p>",
        escape(&dept_name(cfg, &d.department)),
        d.since.with_timezone(&cfg.tz).format("%Y-%m-%d %H:%M"),
        d.until.with_timezone(&cfg.tz).format("%Y-%m-%d %H:%M")
    ));
    h.push_str(&format!(
        "<p><b>已收 {}</b>　<b style=\"color:#b36b00\">逾期 {}</b>　<b style=\"color:#b00020\">未收 {}</b>　新收 {} 件　待处理 {} 件</p>",
        m.count(Cell::OnTime),
        m.count(Cell::Late),
        m.count(Cell::Missing),
        d.arrivals.len(),
        d.needs.len()
    ));
    h.push_str("<h3>新收材料</h3>");
    if d.arrivals.is_empty() {
        h.push_str("<p>无</p>");
    } else {
        h.push_str(&format!("<table style=\"border-collapse:collapse\"><tr><th {td}>时间</th><th {td}>单位</th><th {td}>子项</th><th {td}>文件</th><th {td}>按时/逾期</th></tr>"));
        for a in &d.arrivals {
            let (u, what, at, files, late) = arrival_line(cfg, a);
            h.push_str(&format!(
                "<tr><td {td}>{at}</td><td {td}>{}</td><td {td}>{}</td><td {td}>{}</td><td {td}>{late}</td></tr>",
                escape(&u),
                escape(&what),
                escape(&files)
            ));
        }
        h.push_str("</table>");
    }
    if let Some(line) = sending_line(cfg, d) {
        h.push_str(&format!("<h3>发信情况</h3><p>{}</p>", escape(&line)));
    }
    if !d.in_junk.is_empty() {
        h.push_str(&format!(
            "<h3>被归入垃圾邮件（{} 件）</h3><p>{}</p><ul>",
            d.in_junk.len(),
            escape(JUNK_NOTE)
        ));
        for a in &d.in_junk {
            h.push_str(&format!(
                "<li>{}：{}</li>",
                escape(&sender_line(cfg, a)),
                escape(&clean_text(&a.subject))
            ));
        }
        h.push_str("</ul>");
    }
    h.push_str("<h3>待处理</h3>");
    if d.needs.is_empty() {
        h.push_str("<p>无</p>");
    } else {
        h.push_str("<ul>");
        for n in &d.needs {
            h.push_str(&format!(
                "<li>[{}] <b>{}</b> {}：{}<br><code>{}</code></li>",
                n.ledger_id,
                n.reason.zh(),
                escape(&unit_name(cfg, n.unit.as_deref())),
                escape(&clean_text(&n.subject)),
                escape(&n.action)
            ));
        }
        h.push_str("</ul>");
    }
    h.push_str("<h3>各单位报送情况</h3><table style=\"border-collapse:collapse\"><tr><th ");
    h.push_str(td);
    h.push_str(">单位</th>");
    for (code, title) in &m.columns {
        let head = if code == matrix::FORM {
            title.clone()
        } else {
            code.clone()
        };
        h.push_str(&format!(
            "<th {td} title=\"{}\">{}</th>",
            escape(title),
            escape(&head)
        ));
    }
    h.push_str("</tr>");
    for (i, (_, uname)) in m.units.iter().enumerate() {
        h.push_str(&format!("<tr><td {td}>{}</td>", escape(uname)));
        for c in &m.cells[i] {
            let bg = match c {
                Cell::OnTime => "#e2f0d9",
                Cell::Late => "#ffe699",
                Cell::Missing => "#f8cbad",
            };
            h.push_str(&format!(
                "<td style=\"border:1px solid #ccc;padding:2px 6px;background:{bg}\">{}</td>",
                c.zh()
            ));
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></body></html>");
    h
}

/// The attachment: the matrix and the arrivals, for Excel or WPS.
pub fn xlsx(cfg: &Config, d: &Digest<'_>) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    export::matrix_sheet(
        &mut wb,
        "报送情况",
        &format!(
            "{}：{} 负责子项报送情况（截至 {}）",
            cfg.campaign.campaign.title,
            dept_name(cfg, &d.department),
            d.until.with_timezone(&cfg.tz).format("%Y-%m-%d %H:%M")
        ),
        &d.matrix,
    )?;
    let arrivals: Vec<DeliveryView> = d.arrivals.iter().map(|a| (*a).clone()).collect();
    export::submissions_sheet(&mut wb, cfg, "新收材料", &arrivals)?;
    wb.save_to_buffer()
        .context("cannot write the digest's workbook")
}

pub fn filename(cfg: &Config, d: &Digest<'_>) -> String {
    format!(
        "{}报送情况{}.xlsx",
        dept_name(cfg, &d.department),
        d.until.with_timezone(&cfg.tz).format("%Y%m%d")
    )
}
