//! The envelope headers of a message (outer or forwarded), decoded from the
//! raw bytes: OA systems write raw GBK into Subject and From (sample 046),
//! which mail-parser turns into U+FFFD, so text headers are re-read here.

use chrono::{DateTime, FixedOffset};
use mail_parser::{HeaderValue, Message, MessageParser};

use super::names::{decode_8bit, decode_header_bytes, unfold};
use super::{Headers, Mailbox};

/// Raw value bytes of every header named `name` (case-insensitive), in order.
pub(crate) fn raw_values<'a>(msg: &'a Message<'_>, part: usize, name: &str) -> Vec<&'a [u8]> {
    let raw = msg.raw_message.as_ref();
    let Some(p) = msg.parts.get(part) else {
        return Vec::new();
    };
    p.headers
        .iter()
        .filter(|h| h.name.as_str().eq_ignore_ascii_case(name))
        .filter_map(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
        .collect()
}

pub(crate) fn first_text(msg: &Message<'_>, part: usize, name: &str) -> Option<String> {
    raw_values(msg, part, name)
        .first()
        .map(|b| decode_header_bytes(b).0)
}

/// Whether the header block of `part` has raw 8-bit bytes. Headers must be
/// ASCII (RFC 5322; encoded words for anything else): OA systems that write
/// raw GBK or UTF-8 are flagged `malformed` (the labelling rule), even though
/// the text is still decoded (UTF-8 first, else GB18030).
pub(crate) fn has_raw_8bit(msg: &Message<'_>, part: usize) -> bool {
    let raw = msg.raw_message.as_ref();
    msg.parts.get(part).is_some_and(|p| {
        raw.get(p.offset_header as usize..p.offset_body as usize)
            .is_some_and(|b| !b.is_ascii())
    })
}

/// Parses an address header value through mail-parser after decoding the raw
/// bytes ourselves, so 8-bit GBK display names survive.
pub(crate) fn addresses(raw: &[u8]) -> Vec<Mailbox> {
    let (text, _) = decode_8bit(raw);
    let text = unfold(&text);
    let mini = format!("To: {}\r\n\r\n", text.trim());
    let Some(m) = MessageParser::default().parse_headers(mini.as_bytes()) else {
        return Vec::new();
    };
    let Some(addr) = m.to() else {
        return Vec::new();
    };
    addr.iter()
        .filter_map(|a| {
            let address = a.address.as_deref()?.trim().to_ascii_lowercase();
            if address.is_empty() {
                return None;
            }
            let name = a
                .name
                .as_deref()
                .map(|n| n.trim().trim_matches('"').trim().to_owned())
                .filter(|n| !n.is_empty());
            Some(Mailbox { address, name })
        })
        .collect()
}

fn all_addresses(msg: &Message<'_>, name: &str) -> Vec<Mailbox> {
    raw_values(msg, 0, name)
        .into_iter()
        .flat_map(addresses)
        .collect()
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

pub(crate) fn date(msg: &Message<'_>) -> Option<DateTime<FixedOffset>> {
    let d = msg.date()?;
    let secs = (i32::from(d.tz_hour) * 3600 + i32::from(d.tz_minute) * 60)
        * if d.tz_before_gmt { -1 } else { 1 };
    let off = FixedOffset::east_opt(secs)?;
    if d.year < 1970 || d.month == 0 || d.day == 0 {
        return None;
    }
    DateTime::from_timestamp(d.to_timestamp(), 0).map(|t| t.with_timezone(&off))
}

/// The decoded headers of `msg` (part 0 is the message's own header block).
pub(crate) fn read(msg: &Message<'_>) -> Headers {
    let mut h = Headers {
        message_id: msg.message_id().map(|s| s.trim().to_owned()),
        subject: first_text(msg, 0, "Subject").unwrap_or_default(),
        from: all_addresses(msg, "From").into_iter().next(),
        sender: all_addresses(msg, "Sender").into_iter().next(),
        reply_to: all_addresses(msg, "Reply-To"),
        to: all_addresses(msg, "To"),
        cc: all_addresses(msg, "Cc"),
        date: date(msg),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        ..Headers::default()
    };
    if let Some(rp) = raw_values(msg, 0, "Return-Path").first() {
        let v = decode_8bit(rp).0;
        let inner: String = v
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_owned();
        h.return_path_null = inner.is_empty();
        h.return_path = Some(inner.to_ascii_lowercase());
    }
    let text = |name: &str| first_text(msg, 0, name).map(|s| s.trim().to_owned());
    h.auto_submitted = text("Auto-Submitted");
    h.precedence = text("Precedence");
    h.list_id = text("List-Id");
    h.list_unsubscribe = text("List-Unsubscribe");
    h.auth_results = raw_values(msg, 0, "Authentication-Results")
        .into_iter()
        .take(super::auth::MAX_HEADERS)
        .filter_map(|b| super::auth::parse(&unfold(&decode_8bit(b).0)))
        .collect();
    if let Some(p) = msg.parts.first() {
        let raw = msg.raw_message.as_ref();
        for hd in &p.headers {
            let name = hd.name.as_str();
            let lname = name.to_ascii_lowercase();
            let value = || {
                raw.get(hd.offset_start as usize..hd.offset_end as usize)
                    .map(|b| decode_header_bytes(b).0)
                    .unwrap_or_default()
            };
            if lname.starts_with("x-mailroom-") {
                h.mailroom.push((name.to_owned(), value()));
            } else if lname.starts_with("x-auto")
                || lname.contains("autorespon")
                || lname.contains("autoreply")
            {
                h.auto_headers.push((name.to_owned(), value()));
            }
        }
    }
    h
}

/// Headers of a message whose body could not be analysed.
pub(crate) fn headers_only(raw: &[u8]) -> Option<Headers> {
    MessageParser::default()
        .parse_headers(raw)
        .map(|m| read(&m))
}
