//! Building outgoing messages (receipts, reminders, digests) as complete
//! RFC 5322 bytes, stored in the outbox before any connection is made.

use anyhow::{Context, Result};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use crate::clean::{clean_multiline, clean_text};

/// What an outgoing mail is for; also its `X-Mailroom-Kind` header, by which
/// the classifier recognises the service's own mail arriving in a watched
/// mailbox (a digest sent to the department, a receipt cc'd back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutKind {
    Receipt,
    Reminder,
    Digest,
}

impl OutKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OutKind::Receipt => "receipt",
            OutKind::Reminder => "reminder",
            OutKind::Digest => "digest",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Everything needed to render one mail.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: OutKind,
    pub dedupe_key: String,
    pub department: String,
    pub from_name: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<FileAttachment>,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

/// A Message-ID of our own, on the sender's domain (the receipt leaves from
/// the department mailbox, so that is the natural place).
pub fn new_message_id(kind: OutKind, from: &str, now: DateTime<Utc>) -> String {
    let domain = from.rsplit_once('@').map_or("mailroom.invalid", |(_, d)| d);
    format!(
        "mailroom.{}.{}.{:016x}@{}",
        kind.as_str(),
        now.timestamp(),
        fastrand::u64(..),
        domain
    )
}

fn header(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_owned())
}

/// Renders the message. `message_id` is without angle brackets.
///
/// Every mail mailroom sends passes here, so this is the last guard that no
/// control or bidi character a sender smuggled into a subject or file name
/// reaches a recipient, whichever template put it in (see [`crate::clean`]).
pub fn compose(o: &Outgoing, message_id: &str, date: DateTime<Utc>) -> Result<Vec<u8>> {
    let from: Mailbox = Mailbox::new(
        Some(o.from_name.clone()),
        o.from
            .parse()
            .with_context(|| format!("bad From address {:?}", o.from))?,
    );
    let mut b = Message::builder()
        .from(from)
        .subject(clean_text(&o.subject).into_owned())
        .date(date.into())
        .message_id(Some(format!("<{message_id}>")))
        // RFC 3834: an automatic message; well-behaved auto-responders stay silent.
        .raw_header(header(
            "Auto-Submitted",
            match o.kind {
                OutKind::Receipt => "auto-replied",
                OutKind::Reminder | OutKind::Digest => "auto-generated",
            },
        ))
        // Outlook/Exchange: no out-of-office or read receipts in answer to this.
        .raw_header(header("X-Auto-Response-Suppress", "All"))
        .raw_header(header("X-Mailroom-Kind", o.kind.as_str()));
    for to in &o.to {
        b = b.to(to
            .parse()
            .with_context(|| format!("bad recipient {to:?}"))?);
    }
    if let Some(irt) = &o.in_reply_to {
        b = b.in_reply_to(format!("<{irt}>"));
    }
    if !o.references.is_empty() {
        let refs: Vec<String> = o.references.iter().map(|r| format!("<{r}>")).collect();
        b = b.references(refs.join(" "));
    }
    let body = MultiPart::alternative_plain_html(
        clean_multiline(&o.text).into_owned(),
        clean_multiline(&o.html).into_owned(),
    );
    let msg = if o.attachments.is_empty() {
        b.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in &o.attachments {
            mixed = mixed.singlepart(attachment(a)?);
        }
        b.multipart(mixed)
    }
    .context("cannot build the message")?;
    Ok(msg.formatted())
}

/// lettre writes the filename as RFC 2231 in Content-Disposition; older
/// Outlook and some Chinese webmail only read an RFC 2047 `name=` on the
/// Content-Type, so both are given.
fn attachment(a: &FileAttachment) -> Result<SinglePart> {
    let filename = clean_text(&a.filename).into_owned();
    let encoded = base64::engine::general_purpose::STANDARD.encode(filename.as_bytes());
    let ct = ContentType::parse(&format!(
        "{}; name=\"=?UTF-8?B?{encoded}?=\"",
        a.content_type
    ))
    .with_context(|| format!("bad content type {:?}", a.content_type))?;
    Ok(Attachment::new(filename).body(a.bytes.clone(), ct))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn receipt_headers_thread_and_silence_auto_responders() {
        let o = Outgoing {
            kind: OutKind::Receipt,
            dedupe_key: "receipt:x".into(),
            department: "org".into(),
            from_name: "组织部".into(),
            from: "tswzzb3@126.com".into(),
            to: vec!["shijietw@163.com".into()],
            subject: "回执：已收到石碣镇团委报送的材料".into(),
            text: "正文".into(),
            html: "<p>正文</p>".into(),
            attachments: vec![FileAttachment {
                filename: "2017年东莞共青团工作开展情况表.xlsx".into(),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    .into(),
                bytes: b"PK".to_vec(),
            }],
            in_reply_to: Some("orig@163.com".into()),
            references: vec!["first@163.com".into(), "orig@163.com".into()],
        };
        let date = Utc
            .with_ymd_and_hms(2018, 1, 25, 2, 0, 0)
            .single()
            .expect("date");
        let id = new_message_id(OutKind::Receipt, &o.from, date);
        assert!(id.ends_with("@126.com"));
        let raw = compose(&o, &id, date).expect("compose");
        let text = String::from_utf8_lossy(&raw);
        assert!(text.contains("Auto-Submitted: auto-replied"));
        assert!(text.contains("X-Auto-Response-Suppress: All"));
        assert!(text.contains("X-Mailroom-Kind: receipt"));
        assert!(text.contains("In-Reply-To: <orig@163.com>"));
        assert!(text.contains("References: <first@163.com> <orig@163.com>"));
        assert!(text.contains(&format!("Message-ID: <{id}>")));
        let parsed = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("parses");
        assert_eq!(parsed.subject(), Some("回执：已收到石碣镇团委报送的材料"));
        assert_eq!(parsed.body_text(0).as_deref().map(str::trim), Some("正文"));
        let att = parsed.attachments().next().expect("attachment");
        use mail_parser::MimeHeaders;
        assert_eq!(
            att.attachment_name(),
            Some("2017年东莞共青团工作开展情况表.xlsx")
        );
    }

    #[test]
    fn no_control_or_bidi_character_leaves_in_a_mail() {
        let o = Outgoing {
            kind: OutKind::Digest,
            dedupe_key: "digest:x".into(),
            department: "org".into(),
            from_name: "组织部".into(),
            from: "tswzzb3@126.com".into(),
            to: vec!["clerk@126.com".into()],
            subject: "汇总\u{1b}[2J\u{202e}exe.pdf".into(),
            text: "第一行\r\n第二\u{7}行\u{2066}".into(),
            html: "<p>a\u{202d}b\u{85}c</p>".into(),
            attachments: vec![],
            in_reply_to: None,
            references: vec![],
        };
        let date = Utc
            .with_ymd_and_hms(2018, 1, 25, 2, 0, 0)
            .single()
            .expect("date");
        let raw = compose(&o, "id@126.com", date).expect("compose");
        let parsed = mail_parser::MessageParser::default()
            .parse(&raw)
            .expect("parses");
        assert_eq!(parsed.subject(), Some("汇总[2Jexe.pdf"));
        let text = parsed.body_text(0).unwrap_or_default().to_string();
        let html = parsed.body_html(0).unwrap_or_default().to_string();
        for s in [&text, &html] {
            assert!(
                !s.chars()
                    .any(|c| c != '\n' && c != '\r' && crate::clean::is_unsafe_char(c)),
                "{s:?}"
            );
        }
        assert!(text.contains("第二行"));
        assert!(html.contains("abc"));
    }
}
