//! The daily digest to a department (科室): what arrived since the last one,
//! the unit × item matrix for its items, and what needs a person. HTML with
//! tables, a plain-text alternative, and the matrix as xlsx for Excel/WPS.
//! Everything a clerk reads is Chinese: what to do is said in words (the
//! commands are in `mailroom review`), projects are numbered as in the
//! notice, times carry their date and year.
//!
//! `until` is "as of": the matrix counts mail by when it arrived up to then,
//! so a digest for a past day (`--now`) shows that day's picture even though
//! the mail was fetched later.

mod html;

pub use html::html;

use std::collections::HashSet;

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use rust_xlsxwriter::Workbook;

use crate::clean::{clean_filename, clean_text};
use crate::config::Config;
use crate::outbox::receipt::{date, project_ordinal, when};
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
    // The last digest may lie after `until` (a preview for a past day): the
    // window then is the day before, never one that runs backwards.
    let since = if since < until {
        since
    } else {
        until - Duration::days(1)
    };
    let arrivals: Vec<&DeliveryView> = deliveries
        .iter()
        .filter(|d| d.department == department && d.is_submission() && is_new(d, since, until))
        .collect();
    let in_junk = arrivals
        .iter()
        .copied()
        .filter(|d| d.flags.iter().any(|f| f == "in_junk"))
        .collect();
    // The matrix counts what had arrived by the digest's time.
    let upto: Vec<DeliveryView> = deliveries
        .iter()
        .filter(|d| d.received_at <= until)
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

/// New in the window: arrived in it, or arrived before it but fetched only
/// in it (a mailbox unreachable overnight) — never mail that arrived after
/// the digest's time.
fn is_new(d: &DeliveryView, since: DateTime<Utc>, until: DateTime<Utc>) -> bool {
    d.received_at <= until
        && ((d.received_at > since) || (d.fetched_at > since && d.fetched_at <= until))
}

pub(crate) fn dept_name(cfg: &Config, id: &str) -> String {
    cfg.department(id)
        .map_or_else(|| id.to_owned(), |d| d.name.clone())
}

pub(crate) fn unit_name(cfg: &Config, id: Option<&str>) -> String {
    id.and_then(|u| cfg.units.get(u))
        .map_or_else(|| "（未识别单位）".to_owned(), |u| u.name.clone())
}

pub fn subject(cfg: &Config, d: &Digest<'_>) -> String {
    let late = d.arrivals.iter().filter(|a| a.late).count();
    format!(
        "【每日汇总】{} {}：新收 {} 件，逾期 {} 件，待处理 {} 件",
        dept_name(cfg, &d.department),
        date(d.until, cfg.tz),
        d.arrivals.len(),
        late,
        d.needs.len()
    )
}

/// One arrival: (unit, what, when, files, 按时/逾期, and whether it counts).
pub(crate) fn arrival_line(
    cfg: &Config,
    a: &DeliveryView,
) -> (String, String, String, String, &'static str) {
    use crate::report::received::Material;
    let what = if a.items.is_empty() {
        a.projects
            .iter()
            .map(|p| project_ordinal(p))
            .collect::<Vec<_>>()
            .join("")
    } else {
        // As the notice cites them: （二）1．加强团的基层基础.
        a.items
            .iter()
            .map(|code| match cfg.campaign.item(code) {
                Some((p, i)) => format!(
                    "{}{}．{}",
                    project_ordinal(&p.code),
                    code.rsplit('.').next().unwrap_or(code),
                    i.title
                ),
                None => code.clone(),
            })
            .collect::<Vec<_>>()
            .join("；")
    };
    let files: Vec<String> = a
        .attachments
        .iter()
        .map(|f| clean_filename(&f.display_name()))
        .collect();
    (
        unit_name(cfg, a.unit.as_deref()),
        if what.is_empty() {
            "未识别项目".into()
        } else {
            what
        },
        when(a.received_at, cfg.tz),
        if files.is_empty() {
            "（无附件）".into()
        } else {
            files.join("；")
        },
        // Mail whose material does not count says so where the clerk
        // looks, not only in the matrix.
        match (a.received().material, a.late) {
            (Material::Files, false) => "按时",
            (Material::Files, true) => "逾期",
            (Material::Link, false) => "按时，链接待下载",
            (Material::Link, true) => "逾期，链接待下载",
            (Material::Nothing, false) => "按时，无可用附件，未计入",
            (Material::Nothing, true) => "逾期，无可用附件，未计入",
        },
    )
}

/// "2017年12月4日 8:00至2017年12月6日 8:31".
pub fn window(cfg: &Config, d: &Digest<'_>) -> String {
    format!("{}至{}", when(d.since, cfg.tz), when(d.until, cfg.tz))
}

/// The request to the clerk about mail the provider filed as spam.
pub(crate) const JUNK_NOTE: &str = "以下邮件被邮箱服务商归入垃圾邮件（已正常收取、计入），请在网页邮箱的“垃圾邮件”中将发件人标记为“不是垃圾邮件”，以免该单位以后的邮件继续被拦截：";

/// Who sent a message: the unit, and the address it came from.
pub(crate) fn sender_line(cfg: &Config, a: &DeliveryView) -> String {
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
        "{}每日汇总（{}）\n\n",
        dept_name(cfg, &d.department),
        window(cfg, d)
    ));
    t.push_str(&format!(
        "截至{}，本科室负责子项的报送情况：已收 {}，逾期 {}，链接待下载 {}，未收 {}（{} 个单位 × {} 列）\n\n",
        when(d.until, cfg.tz),
        m.count(Cell::OnTime),
        m.count(Cell::Late),
        m.count(Cell::Link),
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
            "  · 登记号{} {} {}：{}\n    {}\n",
            n.ledger_id,
            n.reason.zh(),
            unit_name(cfg, n.unit.as_deref()),
            clean_text(&n.subject),
            n.advice
        ));
    }
    t.push('\n');
    t.push_str(&crate::report::status::render(
        cfg,
        m,
        "■ 各单位报送情况（表格见附件）",
    ));
    t
}

/// The attachment: the matrix and the arrivals, for Excel or WPS.
pub fn xlsx(cfg: &Config, d: &Digest<'_>) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    export::matrix_sheet(
        &mut wb,
        "报送情况",
        &format!(
            "{}：{}负责子项报送情况（截至{}）",
            cfg.campaign.campaign.title,
            dept_name(cfg, &d.department),
            when(d.until, cfg.tz)
        ),
        &d.matrix,
    )?;
    let arrivals: Vec<DeliveryView> = d.arrivals.iter().map(|a| (*a).clone()).collect();
    export::submissions_sheet(&mut wb, cfg, "新收材料", &arrivals)?;
    wb.save_to_buffer()
        .context("cannot write the digest's workbook")
}

/// The department that collates the year's assessment (notice, 四（四）
/// 结果汇总: 团市委组织部): its digest carries every unit's overview form
/// side by side (`report::forms`) once the deadline has passed, when the
/// forms are all in and it starts its work.
pub const COLLATOR: &str = "org";

/// Whether the digest of `department` at `until` carries the forms summary.
pub fn carries_forms(cfg: &Config, department: &str, until: DateTime<Utc>) -> bool {
    department == COLLATOR && until >= cfg.campaign.campaign.deadline.with_timezone(&Utc)
}

pub fn filename(cfg: &Config, d: &Digest<'_>) -> String {
    format!(
        "{}报送情况{}.xlsx",
        dept_name(cfg, &d.department),
        d.until.with_timezone(&cfg.tz).format("%Y%m%d")
    )
}
