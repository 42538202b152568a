//! The digest as HTML, laid out for a phone first: arrivals as short
//! blocks rather than a wide table, a compact matrix whose unit names never
//! break (a name split one character per line cannot be read), and a
//! legend that names every item column.

use super::{
    Digest, JUNK_NOTE, arrival_line, dept_name, sender_line, sending_line, unit_name, window,
};
use crate::clean::clean_text;
use crate::config::Config;
use crate::outbox::receipt::{escape, html_open, when};
use crate::report::matrix::{self, Cell};

const LATE_BG: &str = "#ffe699";
const MISSING_BG: &str = "#f8cbad";
const ON_TIME_BG: &str = "#e2f0d9";
const LINK_BG: &str = "#ddebf7";

/// The mark in a matrix cell: one character, so nine columns fit a phone.
fn mark(c: Cell) -> (&'static str, &'static str) {
    match c {
        Cell::OnTime => ("✓", ON_TIME_BG),
        Cell::Late => ("逾", LATE_BG),
        Cell::Link => ("链", LINK_BG),
        Cell::Missing => ("·", MISSING_BG),
    }
}

pub fn html(cfg: &Config, d: &Digest<'_>) -> String {
    let m = &d.matrix;
    let dept = dept_name(cfg, &d.department);
    let mut h = html_open(
        &format!("{dept}每日汇总"),
        "font-size:14px;line-height:1.6;max-width:48em;margin:0 auto;padding:0 8px",
    );
    h.push_str(&format!(
        "<h2 style=\"font-size:18px;margin:.6em 0 .2em\">{}每日汇总</h2><p style=\"margin:0 0 .6em;color:#555\">{}</p>",
        escape(&dept),
        escape(&window(cfg, d))
    ));
    h.push_str(&format!(
        "<p>截至{}：<b>已收 {}</b>　<b style=\"color:#b36b00\">逾期 {}</b>　<b style=\"color:#2f5597\">链接待下载 {}</b>　<b style=\"color:#b00020\">未收 {}</b><br>新收 {} 件　待处理 {} 件</p>",
        escape(&when(d.until, cfg.tz)),
        m.count(Cell::OnTime),
        m.count(Cell::Late),
        m.count(Cell::Link),
        m.count(Cell::Missing),
        d.arrivals.len(),
        d.needs.len()
    ));
    if let Some(line) = sending_line(cfg, d) {
        h.push_str(&format!("<h3>发信情况</h3><p>{}</p>", escape(&line)));
    }
    h.push_str(&format!("<h3>新收材料（{} 件）</h3>", d.arrivals.len()));
    if d.arrivals.is_empty() {
        h.push_str("<p>无</p>");
    }
    for a in &d.arrivals {
        let (u, what, at, files, late) = arrival_line(cfg, a);
        // Late arrivals stand out: the clerk has to decide about them.
        let style = if a.late {
            format!("background:{LATE_BG};border-left:4px solid #b36b00")
        } else {
            "border-left:4px solid #9bc28a".to_owned()
        };
        h.push_str(&format!(
            "<div style=\"{style};padding:4px 8px;margin:6px 0\"><b style=\"white-space:nowrap;word-break:keep-all\">{}</b>　{}　<b>{late}</b><br>{}<br><span style=\"color:#555;font-size:13px\">{}</span></div>",
            escape(&u),
            escape(&at),
            escape(&what),
            escape(&files)
        ));
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
    h.push_str(&format!("<h3>待处理（{} 件）</h3>", d.needs.len()));
    if d.needs.is_empty() {
        h.push_str("<p>无</p>");
    }
    for n in &d.needs {
        h.push_str(&format!(
            "<div style=\"padding:4px 8px;margin:6px 0;border-left:4px solid #b00020\"><b>{}</b>　<span style=\"white-space:nowrap;word-break:keep-all\">{}</span>　登记号{}<br>{}<br>{}</div>",
            n.reason.zh(),
            escape(&unit_name(cfg, n.unit.as_deref())),
            n.ledger_id,
            escape(&clean_text(&n.subject)),
            escape(&n.advice)
        ));
    }
    matrix_html(&mut h, d);
    h.push_str("</body></html>");
    h
}

fn matrix_html(h: &mut String, d: &Digest<'_>) {
    let m = &d.matrix;
    let cell = "border:1px solid #ccc;padding:1px 3px;text-align:center";
    h.push_str("<h3>各单位报送情况</h3>");
    h.push_str(&format!(
        "<p style=\"font-size:13px\">图例：<span style=\"background:{ON_TIME_BG};padding:0 4px\">✓</span> 已收　<span style=\"background:{LATE_BG};padding:0 4px\">逾</span> 逾期　<span style=\"background:{LINK_BG};padding:0 4px\">链</span> 链接待下载（未计为已收）　<span style=\"background:{MISSING_BG};padding:0 4px\">·</span> 未收</p>"
    ));
    h.push_str("<div style=\"overflow-x:auto\"><table style=\"border-collapse:collapse;font-size:12px\"><tr><th style=\"border:1px solid #ccc;padding:1px 3px\">单位</th>");
    for (code, title) in &m.columns {
        let head = if code == matrix::FORM {
            "表".to_owned()
        } else {
            code.clone()
        };
        h.push_str(&format!(
            "<th style=\"{cell};white-space:nowrap\" title=\"{}\">{}</th>",
            escape(title),
            escape(&head)
        ));
    }
    h.push_str("</tr>");
    for (i, (_, uname)) in m.units.iter().enumerate() {
        h.push_str(&format!(
            "<tr><td style=\"border:1px solid #ccc;padding:1px 3px;white-space:nowrap;word-break:keep-all\">{}</td>",
            escape(uname)
        ));
        for c in &m.cells[i] {
            let (mk, bg) = mark(*c);
            h.push_str(&format!("<td style=\"{cell};background:{bg}\">{mk}</td>"));
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></div>");
    // The legend: the columns are item codes, to keep the table narrow.
    h.push_str("<p style=\"font-size:13px;margin-top:.6em\"><b>各列对应子项</b></p><div style=\"font-size:13px\">");
    for (code, title) in &m.columns {
        let head = if code == matrix::FORM { "表" } else { code };
        h.push_str(&format!(
            "<div><b style=\"display:inline-block;min-width:2.5em\">{}</b>{}</div>",
            escape(head),
            escape(title)
        ));
    }
    h.push_str("</div>");
}
