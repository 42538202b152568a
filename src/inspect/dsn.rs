//! Delivery status notifications: structured (RFC 3464 multipart/report)
//! and plain-text ones (older MTAs, Chinese webmail 退信). The later stage
//! matches `original_message_id` to the receipts and reminders it sent.

use mail_parser::Message;

use super::{DeliveryReport, DsnRecipient, Inspection};

fn report(insp: &mut Inspection) -> &mut DeliveryReport {
    insp.dsn.get_or_insert_with(|| DeliveryReport {
        structured: true,
        ..DeliveryReport::default()
    })
}

fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let (n, v) = line.split_once(':')?;
    n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
}

fn strip_type(v: &str) -> String {
    // "rfc822; someone@example.com"
    v.rsplit(';')
        .next()
        .unwrap_or(v)
        .trim()
        .trim_matches(|c| c == '<' || c == '>')
        .to_ascii_lowercase()
}

fn message_id_in(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let v = field(l, "Message-ID")?;
        let v = v.trim().trim_start_matches('<');
        let v = v.split('>').next().unwrap_or(v).trim();
        (!v.is_empty()).then(|| v.to_owned())
    })
}

/// A part of a multipart/report: the per-recipient fields, or the returned headers.
pub(crate) fn report_part(insp: &mut Inspection, ct: &str, body: &[u8]) {
    let text = String::from_utf8_lossy(body).replace("\r\n", "\n");
    match ct {
        "message/delivery-status" | "message/global-delivery-status" => {
            let r = report(insp);
            // Unfold continuation lines, then read the recipient blocks.
            let mut lines: Vec<String> = Vec::new();
            for l in text.lines() {
                if l.starts_with([' ', '\t']) {
                    if let Some(last) = lines.last_mut() {
                        last.push(' ');
                        last.push_str(l.trim());
                    }
                } else {
                    lines.push(l.to_owned());
                }
            }
            let mut cur: Option<DsnRecipient> = None;
            for l in &lines {
                if let Some(v) = field(l, "Final-Recipient") {
                    if let Some(c) = cur.take() {
                        r.recipients.push(c);
                    }
                    cur = Some(DsnRecipient {
                        address: strip_type(v),
                        ..DsnRecipient::default()
                    });
                } else if let Some(c) = cur.as_mut() {
                    if let Some(v) = field(l, "Action") {
                        c.action = Some(v.to_ascii_lowercase());
                    } else if let Some(v) = field(l, "Status") {
                        c.status = Some(v.to_owned());
                    } else if let Some(v) = field(l, "Diagnostic-Code") {
                        c.diagnostic = Some(v.to_owned());
                    }
                }
            }
            if let Some(c) = cur {
                r.recipients.push(c);
            }
        }
        "text/rfc822-headers" | "message/global-headers" | "message/rfc822" => {
            if let Some(id) = message_id_in(&text) {
                report(insp).original_message_id.get_or_insert(id);
            }
        }
        _ => {}
    }
}

/// The returned message inside a multipart/report (parsed by mail-parser).
pub(crate) fn returned_message(insp: &mut Inspection, inner: &Message<'_>) {
    if let Some(id) = inner.message_id() {
        report(insp)
            .original_message_id
            .get_or_insert(id.to_owned());
    }
}

const BOUNCE_SUBJECTS: &[&str] = &[
    "undelivered mail",
    "undeliverable",
    "delivery status notification",
    "delivery failure",
    "delivery has failed",
    "mail delivery failed",
    "returned mail",
    "failure notice",
    "non-delivery",
    "退信",
    "系统退信",
    "无法投递",
    "投递失败",
    "发送失败",
    "未能送达",
    "无法送达",
];

const BOUNCE_TEXT: &[&str] = &[
    "could not be delivered",
    "was not delivered",
    "delivery to the following recipient",
    "permanent error",
    "user unknown",
    "mailbox unavailable",
    "recipient address rejected",
    "does not exist",
    "退信",
    "无法投递",
    "投递失败",
    "未能成功送达",
    "无法送达",
    "收件人地址不存在",
];

fn is_daemon(addr: &str) -> bool {
    let local = addr.split('@').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        local.as_str(),
        "mailer-daemon" | "postmaster" | "mail-daemon" | "mailerdaemon" | "mdaemon"
    )
}

/// Status codes like 5.1.1 in free text.
fn status_codes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        let parts: Vec<&str> = w.split('.').collect();
        if parts.len() == 3
            && matches!(parts[0], "2" | "4" | "5")
            && parts[1..]
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
            && !out.iter().any(|x| x == w)
        {
            out.push(w.to_owned());
        }
    }
    out
}

/// Called after the walk: keeps a structured report only for delivery-status
/// reports, and recognises plain-text bounces.
pub(crate) fn detect(insp: &mut Inspection) {
    let rt = insp.report_type.clone().unwrap_or_default();
    if insp.dsn.is_some() && rt.contains("delivery-status") {
        return;
    }
    insp.dsn = None;
    if rt.contains("disposition-notification") {
        return; // a read receipt, not a bounce
    }
    let from = insp
        .headers
        .from
        .as_ref()
        .map(|m| m.address.as_str())
        .unwrap_or("");
    let subject = insp.headers.subject.to_lowercase();
    let body = insp.body_text.to_lowercase();
    let daemon = is_daemon(from);
    let subj = BOUNCE_SUBJECTS.iter().any(|s| subject.contains(s));
    let text = BOUNCE_TEXT.iter().any(|s| body.contains(s));
    if !((daemon && (subj || text)) || (subj && text) || (insp.headers.return_path_null && subj)) {
        return;
    }
    let codes = status_codes(&insp.body_text);
    let mut recipients = Vec::new();
    for l in insp.body_text.lines() {
        let t = l.trim();
        // Postfix/qmail style "<user@host>: reason" lines.
        if let Some(rest) = t.strip_prefix('<')
            && let Some((addr, _)) = rest.split_once(">:")
            && addr.contains('@')
            && !recipients
                .iter()
                .any(|r: &DsnRecipient| r.address == addr.to_ascii_lowercase())
        {
            recipients.push(DsnRecipient {
                address: addr.to_ascii_lowercase(),
                status: codes.first().cloned(),
                diagnostic: Some(t.to_owned()),
                ..DsnRecipient::default()
            });
        }
    }
    if recipients.is_empty() && !codes.is_empty() {
        recipients.push(DsnRecipient {
            status: codes.first().cloned(),
            ..DsnRecipient::default()
        });
    }
    let original = message_id_in(&insp.body_text)
        .or_else(|| insp.forwarded.first().and_then(|f| f.message_id.clone()));
    insp.dsn = Some(DeliveryReport {
        structured: false,
        original_message_id: original,
        recipients,
    });
}

#[cfg(test)]
#[path = "dsn_tests.rs"]
mod tests;
