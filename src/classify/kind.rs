//! Submission, auto-reply, bounce or other. Order matters: mailroom's own
//! mail first, then delivery reports (a DSN is a bounce even with
//! Auto-Submitted), auto-replies, bulk mail, and only then submissions.

use super::items::Identified;
use super::text::strip_quotes;
use super::unit::UnitResult;
use super::{Context, Kind};
use crate::inspect::Inspection;

const AUTO_SUBJECTS: &[&str] = &[
    "自动回复",
    "自動回覆",
    "自動回復",
    "自动答复",
    "自动应答",
    "假期自动回复",
    "休假",
    "不在办公室",
    "auto reply",
    "auto-reply",
    "autoreply",
    "automatic reply",
    "auto response",
    "autoresponse",
    "out of office",
    "out of the office",
    "ooo:",
    "vacation reply",
    "on vacation",
    "abwesend",
    "已读:",
    "已读：",
    "read:",
    "read receipt",
    "已阅读",
    "回执：您的邮件已收到",
];

const AUTO_BODIES: &[&str] = &[
    "这是来自qq邮箱的假期自动回复邮件",
    "这是一封自动回复邮件",
    "此邮件为自动回复",
    "此为自动回复",
    "本邮件为自动回复",
    "自动回复",
    "i am out of the office",
    "i'm out of the office",
    "i am currently out of the office",
    "i will be out of the office",
    "out of office",
    "on annual leave",
    "limited access to email",
];

/// Words that show a message belongs to the assessment at all.
const CAMPAIGN_WORDS: &[&str] = &[
    "考核",
    "材料",
    "情况表",
    "工作情况",
    "团委",
    "团工委",
    "共青团",
    "支撑",
    "报送",
    "工作开展",
];

/// Explicit claims of delivered material.
const STRONG_CLAIMS: &[&str] = &[
    "请查收",
    "请查阅",
    "请审阅",
    "请收阅",
    "请接收",
    "请下载",
    "见附件",
    "详见附件",
    "附件是",
    "附件为",
    "附件中",
    "附件里",
    "附件：",
    "附件:",
    "现将",
    "报上",
    "随信附",
    "随邮件附",
    "已上传",
    "超大附件",
    "网盘",
    "提取码",
];

const WEAK_CLAIMS: &[&str] = &["附件", "报送", "发送", "提交", "上报", "材料", "情况表"];

const QUESTIONS: &[&str] = &[
    "请问", "是否", "能否", "可否", "咨询", "怎么", "如何", "吗？", "吗?", "吗", "？",
];

/// Executable or script attachments: never assessment material.
const SPAM_EXTENSIONS: &[&str] = &[
    "exe", "scr", "bat", "cmd", "com", "js", "vbs", "lnk", "jar", "msi", "ps1", "hta",
];

fn has_any(hay: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| hay.contains(n))
}

fn is_daemon(addr: &str) -> bool {
    let local = addr.split('@').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        local.as_str(),
        "mailer-daemon" | "postmaster" | "mail-daemon" | "mailerdaemon"
    )
}

/// Text without URLs (a `?` in a download link is not a question).
fn without_urls(s: &str) -> String {
    s.split_whitespace()
        .filter(|w| !w.contains("://"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every file is the notice itself (named with its number or title) or a
/// blank overview form (no unit, no filled row), and at least one is the
/// notice: a unit passing the notice on, not delivering anything.
fn forwards_the_notice(insp: &Inspection, ctx: &Context<'_>) -> bool {
    let meta = &ctx.campaign.campaign;
    let names_notice = |name: &str| {
        (!meta.notice_number.is_empty() && name.contains(&meta.notice_number))
            || (!meta.notice_title.is_empty() && name.contains(&meta.notice_title))
    };
    let blank_form = |a: &crate::inspect::Attachment| {
        !a.forms.is_empty()
            && a.forms
                .iter()
                .all(|f| f.unit.is_none() && !f.rows.iter().any(|r| r.filled))
    };
    insp.attachments.iter().any(|a| names_notice(&a.filename))
        && insp
            .attachments
            .iter()
            .all(|a| names_notice(&a.filename) || blank_form(a))
}

pub(crate) fn decide(
    insp: &Inspection,
    ctx: &Context<'_>,
    unit: &UnitResult,
    found: &Identified,
) -> (Kind, String) {
    let h = &insp.headers;
    let from = h.from.as_ref().map(|m| m.address.as_str()).unwrap_or("");
    if h.mailroom
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("x-mailroom-kind"))
        || (!h.mailroom.is_empty()
            && ctx
                .own_addresses
                .iter()
                .any(|a| a.eq_ignore_ascii_case(from)))
    {
        return (
            Kind::Other,
            "kind other: mailroom's own outgoing mail (X-Mailroom-Kind)".into(),
        );
    }
    if insp.dsn.is_some() {
        return (
            Kind::Bounce,
            "kind bounce: delivery status notification".into(),
        );
    }
    if is_daemon(from) {
        return (Kind::Bounce, format!("kind bounce: sent by {from}"));
    }
    let subject = h.subject.to_lowercase();
    let body = strip_quotes(&insp.body_text).to_lowercase();
    let materials = !insp.attachments.is_empty();
    let auto_submitted = h
        .auto_submitted
        .as_deref()
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty() && v != "no");
    // Bulk and list mail is "other" even when it also says auto-generated
    // (system notices, newsletters); only a real auto-reply wins over it.
    let bulk = h.list_id.is_some()
        || h.list_unsubscribe.is_some()
        || h.precedence
            .as_deref()
            .is_some_and(|p| matches!(p.to_ascii_lowercase().as_str(), "bulk" | "list" | "junk"));
    if let Some(v) = &auto_submitted
        && (v.starts_with("auto-replied") || (!materials && !bulk))
    {
        return (
            Kind::AutoReply,
            format!("kind auto_reply: Auto-Submitted: {v}"),
        );
    }
    if let Some((n, _)) = h.auto_headers.iter().find(|(n, _)| {
        let l = n.to_ascii_lowercase();
        l.starts_with("x-autoreply") || l.starts_with("x-autorespond") || l == "x-autogenerated"
    }) {
        return (Kind::AutoReply, format!("kind auto_reply: {n} header"));
    }
    if h.precedence
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case("auto_reply"))
    {
        return (
            Kind::AutoReply,
            "kind auto_reply: Precedence: auto_reply".into(),
        );
    }
    if insp
        .report_type
        .as_deref()
        .is_some_and(|r| r.contains("disposition-notification"))
    {
        return (
            Kind::AutoReply,
            "kind auto_reply: read receipt (MDN)".into(),
        );
    }
    if let Some(s) = AUTO_SUBJECTS.iter().find(|s| subject.contains(*s)) {
        return (
            Kind::AutoReply,
            format!("kind auto_reply: subject says {s:?}"),
        );
    }
    if !materials && let Some(s) = AUTO_BODIES.iter().find(|s| body.contains(*s)) {
        return (Kind::AutoReply, format!("kind auto_reply: body says {s:?}"));
    }
    if h.return_path_null && !materials {
        return (Kind::Bounce, "kind bounce: null return path".into());
    }
    if h.list_id.is_some() || h.list_unsubscribe.is_some() {
        return (
            Kind::Other,
            "kind other: mailing list (List-Id/List-Unsubscribe)".into(),
        );
    }
    if let Some(p) = h.precedence.as_deref()
        && matches!(p.to_ascii_lowercase().as_str(), "bulk" | "list" | "junk")
    {
        return (Kind::Other, format!("kind other: Precedence: {p}"));
    }

    let names: String = insp
        .attachments
        .iter()
        .map(|a| a.filename.as_str())
        .chain(insp.forwarded.iter().map(|f| f.subject.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    let relevant = unit.any_evidence
        || unit.registered.is_some()
        || !found.projects.is_empty()
        || !found.items.is_empty()
        || insp.attachments.iter().any(|a| !a.forms.is_empty())
        || has_any(&subject, CAMPAIGN_WORDS)
        || has_any(&body, CAMPAIGN_WORDS)
        || has_any(&names, CAMPAIGN_WORDS);
    if insp.calendar {
        return (
            Kind::Other,
            "kind other: a calendar invitation, not material".into(),
        );
    }
    let text = without_urls(&format!("{subject}\n{body}"));
    let question = has_any(&text, QUESTIONS) || text.contains('?');
    if materials && forwards_the_notice(insp, ctx) {
        return (
            Kind::Other,
            "kind other: forwards the notice itself (its document and blank forms), delivers no material".into(),
        );
    }
    if materials
        && question
        && !has_any(&text, STRONG_CLAIMS)
        && insp
            .attachments
            .iter()
            .all(|a| a.kind == crate::inspect::FileKind::Image)
    {
        return (
            Kind::Other,
            "kind other: a question with a screenshot, no material claimed".into(),
        );
    }
    if materials {
        // Files with no sign of the campaign at all (no unit, project, item,
        // form or campaign word anywhere): advertising or unrelated mail, not
        // assessment material. Nothing is lost: it is kept and exported as
        // "other".
        if !relevant {
            return (
                Kind::Other,
                "kind other: attachments with no sign of the campaign (no unit, project, item, form or campaign word)".into(),
            );
        }
        let executable = |a: &crate::inspect::Attachment| {
            let ext = crate::inspect::names::extension(&a.filename);
            SPAM_EXTENSIONS.contains(&ext.as_str())
        };
        if insp.attachments.iter().all(executable) {
            return (
                Kind::Other,
                "kind other: only executable attachments (never assessment material)".into(),
            );
        }
        return (
            Kind::Submission,
            format!(
                "kind submission: {} file(s) attached",
                insp.attachments.len()
            ),
        );
    }
    if !insp.links.is_empty() && relevant {
        return (
            Kind::Submission,
            "kind submission: material as a download link".into(),
        );
    }
    if has_any(&text, STRONG_CLAIMS) && relevant {
        return (
            Kind::Submission,
            "kind submission: says material is attached, none is".into(),
        );
    }
    if !question
        && relevant
        && has_any(&text, WEAK_CLAIMS)
        && (!found.items.is_empty() || !found.projects.is_empty() || unit.any_evidence)
    {
        return (
            Kind::Submission,
            "kind submission: names material, none attached".into(),
        );
    }
    if question {
        return (
            Kind::Other,
            "kind other: a question without material".into(),
        );
    }
    (
        Kind::Other,
        "kind other: no material and no claim of any".into(),
    )
}
