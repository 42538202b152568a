//! Walks the mail-parser part tree and decides what is material: files the
//! sender meant to deliver, as opposed to body text, signature logos and
//! S/MIME signatures. Transfer decoding is redone from the raw bytes so the
//! sha256 is of the file the sender meant (PHPMailer's `8bit` base64 in 031).

use mail_parser::{Message, MessageParser, PartType};
use sha2::{Digest, Sha256};

use super::cte::{b64, looks_base64, qp, trim_crlf};
use super::names::{self, HeaderParams, decode_8bit, parse_params};
use super::{
    Attachment, Forwarded, Inspection, Limits, Origin, ProblemKind, content, dsn, headers, links,
    tnef,
};

/// The MIME headers of one part, decoded from raw bytes.
struct PartInfo {
    ctype: String,
    ct: HeaderParams,
    cd: Option<HeaderParams>,
    cte: String,
    cid: Option<String>,
}

impl PartInfo {
    fn read(msg: &Message<'_>, idx: usize) -> PartInfo {
        let get = |name: &str| {
            headers::raw_values(msg, idx, name)
                .first()
                .map(|b| decode_8bit(b).0)
        };
        let ct = get("Content-Type")
            .map(|v| parse_params(&v))
            .unwrap_or_default();
        let ctype = if ct.value.contains('/') {
            ct.value.clone()
        } else {
            "text/plain".to_owned()
        };
        PartInfo {
            ctype,
            ct,
            cd: get("Content-Disposition").map(|v| parse_params(&v)),
            cte: get("Content-Transfer-Encoding")
                .map(|v| v.trim().to_ascii_lowercase())
                .unwrap_or_default(),
            cid: get("Content-ID").map(|v| {
                v.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .trim()
                    .to_ascii_lowercase()
            }),
        }
    }

    fn filename(&self) -> Option<String> {
        let from_cd = self.cd.as_ref().and_then(|d| d.get("filename"));
        from_cd
            .or_else(|| self.ct.get("name"))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    fn is_attachment_disposition(&self) -> bool {
        self.cd.as_ref().is_some_and(|d| d.value == "attachment")
    }

    fn is_inline_disposition(&self) -> bool {
        self.cd.as_ref().is_some_and(|d| d.value == "inline")
    }
}

struct Walker<'l> {
    limits: &'l Limits,
    parts: usize,
    /// Bodies mail-parser already decoded (base64, without an encoding
    /// problem), moved out of its parts, by the part's address: used
    /// instead of decoding the same bytes a second time, so a message's
    /// files are held once, not twice, while it is inspected.
    decoded: std::collections::HashMap<usize, Vec<u8>>,
}

/// Moves the decoded bodies of the top-level base64 parts out of `msg`.
fn take_decoded(msg: &mut Message<'_>) -> std::collections::HashMap<usize, Vec<u8>> {
    let mut out = std::collections::HashMap::new();
    for p in &mut msg.parts {
        if p.encoding != mail_parser::Encoding::Base64 || p.is_encoding_problem {
            continue;
        }
        let key = std::ptr::from_ref::<mail_parser::MessagePart<'_>>(p) as usize;
        if let PartType::Binary(body) | PartType::InlineBinary(body) = &mut p.body {
            out.insert(key, std::mem::take(body).into_owned());
        }
    }
    out
}

/// Per-message state: the `cid:` references of its HTML and where its files go.
struct Scope {
    cids: Vec<String>,
    forwarded: Option<usize>,
    depth: usize,
}

pub(crate) fn inspect_raw(raw: &[u8], limits: &Limits) -> Inspection {
    let mut insp = Inspection::default();
    // mail-parser builds every part before `max_parts` can stop the walk: a
    // message of 20,000 tiny parts costs a hundred megabytes. Every part
    // needs a boundary line, so count those first.
    let delimiters = delimiter_lines(raw, limits.max_parts.saturating_mul(2));
    if delimiters > limits.max_parts.saturating_mul(2) {
        let mut insp = super::inspect_headers(raw);
        insp.problem(
            ProblemKind::Malformed,
            format!(
                "more than {} MIME boundary lines: the body was not parsed",
                limits.max_parts.saturating_mul(2)
            ),
            None,
        );
        return insp;
    }
    let hidden = encoded_forwards(raw, ENCODED_NESTING);
    if hidden > limits.max_message_depth {
        let mut insp = super::inspect_headers(raw);
        insp.problem(
            ProblemKind::Malformed,
            format!(
                "more than {} forwarded messages inside an encoded message part: the body was not parsed",
                limits.max_message_depth
            ),
            None,
        );
        return insp;
    }
    let Some(mut msg) = MessageParser::default().parse(raw) else {
        insp.problem(
            ProblemKind::Malformed,
            "no message header could be parsed".into(),
            None,
        );
        return insp;
    };
    insp.headers = headers::read(&msg);
    let (text, html) = message_text(&msg);
    insp.body_text = super::cap_text(text, limits.max_body_chars);
    insp.body_html = super::cap_text(html, limits.max_body_chars);
    let decoded = take_decoded(&mut msg);
    let mut w = Walker {
        limits,
        parts: 0,
        decoded,
    };
    let scope = Scope {
        cids: cid_refs(&msg),
        forwarded: None,
        depth: 0,
    };
    w.part(&mut insp, &msg, 0, &scope, false);
    links::scan(&mut insp);
    dsn::detect(&mut insp);
    insp
}

/// The message's own body text (plain preferred, else HTML converted) and
/// raw HTML, from mail-parser's body lists.
fn message_text(msg: &Message<'_>) -> (String, String) {
    let mut text = String::new();
    let mut html = String::new();
    for id in &msg.text_body {
        match msg.parts.get(*id as usize).map(|p| &p.body) {
            Some(PartType::Text(t)) => push_para(&mut text, t),
            Some(PartType::Html(h)) => {
                push_para(&mut text, &mail_parser::decoders::html::html_to_text(h))
            }
            _ => {}
        }
    }
    for id in &msg.html_body {
        if let Some(PartType::Html(h)) = msg.parts.get(*id as usize).map(|p| &p.body) {
            push_para(&mut html, h);
        }
    }
    if text.trim().is_empty() && !html.is_empty() {
        text = mail_parser::decoders::html::html_to_text(&html);
    }
    (text, html)
}

fn push_para(out: &mut String, s: &str) {
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(s);
}

/// Content-IDs referenced from the message's HTML (signature logos).
fn cid_refs(msg: &Message<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for p in &msg.parts {
        if let PartType::Html(h) = &p.body {
            let lower = h.to_ascii_lowercase();
            let mut rest = lower.as_str();
            while let Some(i) = rest.find("cid:") {
                let tail = &rest[i + 4..];
                let end = tail
                    .find(['"', '\'', ' ', '>', ')', '\r', '\n'])
                    .unwrap_or(tail.len());
                out.push(String::from_utf8_lossy(&percent(&tail[..end])).into_owned());
                rest = &tail[end..];
            }
        }
    }
    out
}

fn percent(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(names::hex),
                b.get(i + 2).copied().and_then(names::hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

impl Walker<'_> {
    fn part(
        &mut self,
        insp: &mut Inspection,
        msg: &Message<'_>,
        idx: usize,
        scope: &Scope,
        in_report: bool,
    ) {
        self.parts += 1;
        if self.parts > self.limits.max_parts {
            if self.parts == self.limits.max_parts + 1 {
                insp.problem(
                    ProblemKind::Malformed,
                    format!(
                        "more than {} MIME parts; the rest ignored",
                        self.limits.max_parts
                    ),
                    None,
                );
            }
            return;
        }
        let Some(part) = msg.parts.get(idx) else {
            return;
        };
        if headers::has_raw_8bit(msg, idx) {
            insp.problem(
                ProblemKind::Malformed,
                "raw 8-bit bytes in a header (not encoded as RFC 2047)".into(),
                None,
            );
        }
        let info = PartInfo::read(msg, idx);
        match &part.body {
            PartType::Multipart(children) => {
                self.check_closing_boundary(insp, msg, idx, &info);
                let report = info.ctype == "multipart/report";
                if report && idx == 0 && scope.depth == 0 {
                    insp.report_type = info.ct.get("report-type").map(|s| s.to_ascii_lowercase());
                }
                for &c in children {
                    // mail-parser numbers children after their parent; anything
                    // else would be a cycle.
                    if (c as usize) > idx {
                        self.part(insp, msg, c as usize, scope, in_report || report);
                    }
                }
            }
            PartType::Message(inner) => {
                if in_report {
                    dsn::returned_message(insp, inner);
                } else {
                    self.forwarded(insp, inner, scope);
                }
            }
            _ => self.leaf(insp, msg, idx, &info, scope, in_report),
        }
    }

    fn forwarded(&mut self, insp: &mut Inspection, inner: &Message<'_>, scope: &Scope) {
        let depth = scope.depth + 1;
        if depth > self.limits.max_message_depth {
            insp.problem(
                ProblemKind::Malformed,
                format!("forwarded messages nested deeper than {}", depth - 1),
                None,
            );
            return;
        }
        let h = headers::read(inner);
        let (text, _) = message_text(inner);
        let text = super::cap_text(text, self.limits.max_body_chars);
        insp.forwarded.push(Forwarded {
            subject: h.subject,
            from: h.from,
            date: h.date,
            message_id: h.message_id,
            body_text: text,
            depth,
        });
        let inner_scope = Scope {
            cids: cid_refs(inner),
            forwarded: Some(insp.forwarded.len() - 1),
            depth,
        };
        self.part(insp, inner, 0, &inner_scope, false);
    }

    fn check_closing_boundary(
        &self,
        insp: &mut Inspection,
        msg: &Message<'_>,
        idx: usize,
        info: &PartInfo,
    ) {
        let (Some(b), Some(part)) = (info.ct.get("boundary"), msg.parts.get(idx)) else {
            return;
        };
        let raw = msg.raw_message.as_ref();
        let from = (part.offset_body as usize).min(raw.len());
        let needle = format!("--{b}--");
        if !contains(&raw[from..], needle.as_bytes()) {
            insp.problem(
                ProblemKind::Malformed,
                format!("{} has no closing boundary", info.ctype),
                None,
            );
        }
    }

    fn leaf(
        &mut self,
        insp: &mut Inspection,
        msg: &Message<'_>,
        idx: usize,
        info: &PartInfo,
        scope: &Scope,
        in_report: bool,
    ) {
        let Some(part) = msg.parts.get(idx) else {
            return;
        };
        let ct = info.ctype.as_str();
        let name = info.filename();
        let lname = name.as_deref().unwrap_or("").to_ascii_lowercase();
        if ct.starts_with("multipart/") {
            insp.problem(
                ProblemKind::Malformed,
                format!("{ct} whose boundary never occurs"),
                None,
            );
        }
        if in_report
            && matches!(
                ct,
                "message/delivery-status"
                    | "message/global-delivery-status"
                    | "text/rfc822-headers"
                    | "message/rfc822"
                    | "message/global-headers"
                    | "message/disposition-notification"
            )
        {
            dsn::report_part(insp, ct, part.contents());
            return;
        }
        let signature = matches!(
            ct,
            "application/pkcs7-signature"
                | "application/x-pkcs7-signature"
                | "application/pgp-signature"
        ) || lname == "smime.p7s"
            || (lname.ends_with(".asc") && ct.contains("pgp"));
        if signature {
            insp.skipped_parts.push(format!("{ct} (signature)"));
            return;
        }
        if ct.starts_with("image/")
            && let Some(cid) = &info.cid
            && scope.cids.iter().any(|r| r == cid)
        {
            insp.skipped_parts
                .push(format!("{ct} referenced from the HTML (signature logo)"));
            return;
        }
        // A meeting invitation (Outlook, QQ calendar): not material, and the
        // message is an invitation rather than a delivery.
        if matches!(ct, "text/calendar" | "application/ics") || lname.ends_with(".ics") {
            insp.skipped_parts
                .push(format!("{ct} (a calendar invitation)"));
            insp.calendar = true;
            return;
        }
        let is_text = ct.starts_with("text/plain") || ct.starts_with("text/html");
        if is_text && name.is_none() && !info.is_attachment_disposition() {
            return; // body text, already collected
        }
        if ct == "text/enriched" && name.is_none() {
            return;
        }
        let bytes = self.decode(insp, msg, idx, info);
        if name.is_none() && bytes.is_empty() {
            return;
        }
        let tnef = matches!(ct, "application/ms-tnef" | "application/vnd.ms-tnef")
            || lname == "winmail.dat";
        if tnef {
            let (files, broken) = tnef::parse(&bytes);
            if let Some(why) = broken {
                insp.problem(
                    ProblemKind::UnreadableAttachment,
                    format!("{lname}: {why}"),
                    None,
                );
            }
            if !files.is_empty() {
                for f in files {
                    self.add(
                        insp,
                        f.name,
                        false,
                        "application/octet-stream",
                        f.data,
                        Origin::Tnef,
                        scope,
                        false,
                    );
                }
                return;
            }
        }
        let (filename, missing) = match name {
            Some(n) => (n, false),
            None => (format!("part{idx}.{}", ext_for(ct)), true),
        };
        let inline = info.is_inline_disposition();
        self.add(
            insp,
            filename,
            missing,
            ct,
            bytes,
            Origin::Part,
            scope,
            inline,
        );
    }

    /// Transfer-decodes a leaf part from the raw bytes.
    fn decode(
        &mut self,
        insp: &mut Inspection,
        msg: &Message<'_>,
        idx: usize,
        info: &PartInfo,
    ) -> Vec<u8> {
        let Some(part) = msg.parts.get(idx) else {
            return Vec::new();
        };
        let raw_all = msg.raw_message.as_ref();
        let (s, e) = (part.offset_body as usize, part.offset_end as usize);
        let Some(raw) = raw_all.get(s..e.max(s)) else {
            return part.contents().to_vec();
        };
        let key = std::ptr::from_ref::<mail_parser::MessagePart<'_>>(part) as usize;
        match info.cte.as_str() {
            "base64" if self.decoded.contains_key(&key) => {
                self.decoded.remove(&key).unwrap_or_default()
            }
            "base64" => match b64(raw) {
                Some(b) => b,
                None => {
                    insp.problem(
                        ProblemKind::Malformed,
                        "Content-Transfer-Encoding base64 but the body is not base64".into(),
                        None,
                    );
                    raw.to_vec()
                }
            },
            _ => {
                let body = trim_crlf(raw);
                // A file whose body is plainly base64 under a declared 7bit,
                // 8bit, binary or quoted-printable encoding (OA systems get
                // this wrong): decode what the sender meant, and say so.
                if !info.ctype.starts_with("text/")
                    && !info.ctype.starts_with("message/")
                    && looks_base64(body)
                    && let Some(b) = b64(body)
                {
                    insp.problem(
                        ProblemKind::Malformed,
                        format!(
                            "Content-Transfer-Encoding {} but the body is base64",
                            if info.cte.is_empty() {
                                "absent"
                            } else {
                                &info.cte
                            }
                        ),
                        None,
                    );
                    return b;
                }
                if info.cte == "quoted-printable" {
                    return qp(raw);
                }
                body.to_vec()
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        insp: &mut Inspection,
        filename: String,
        name_missing: bool,
        ct: &str,
        bytes: Vec<u8>,
        origin: Origin,
        scope: &Scope,
        inline: bool,
    ) {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let found = content::analyse(&filename, &bytes, self.limits);
        let idx = insp.attachments.len();
        // Bidi overrides make `报告\u{202e}xcod.exe` display as `报告exe.docx`;
        // control characters have no place in a name and can drive a
        // terminal. Flagged like a path escape: stored under the safe name,
        // shown cleaned, and the receipt tells the unit.
        let hidden_chars = crate::clean::has_unsafe_chars(&filename);
        let unsafe_name =
            names::is_unsafe_path(&filename) || hidden_chars || found.unsafe_member.is_some();
        if hidden_chars {
            insp.problem(
                ProblemKind::UnsafeFilename,
                format!("attachment name {filename:?} contains control or bidi characters"),
                Some(idx),
            );
        }
        if names::is_unsafe_path(&filename) {
            insp.problem(
                ProblemKind::UnsafeFilename,
                format!("attachment name {filename:?} escapes a directory"),
                Some(idx),
            );
        }
        if let Some(m) = &found.unsafe_member {
            insp.problem(
                ProblemKind::UnsafeFilename,
                format!("zip member {m:?} in {filename:?} escapes a directory"),
                Some(idx),
            );
        }
        if let Some(why) = &found.unreadable {
            insp.problem(
                ProblemKind::UnreadableAttachment,
                format!("{filename}: {why}"),
                Some(idx),
            );
        }
        if let Some(why) = &found.unopened {
            insp.problem(
                ProblemKind::UnopenedAttachment,
                format!("{filename}: {why}"),
                Some(idx),
            );
        }
        if let Some(why) = &found.suspicious {
            insp.problem(
                ProblemKind::SuspiciousArchive,
                format!("{filename}: {why}"),
                Some(idx),
            );
        }
        insp.attachments.push(Attachment {
            safe_filename: names::safe_filename(&filename),
            // Nothing was sent as a name: say so, rather than pass off the
            // name made up for storage as the sender's.
            filename: if name_missing {
                String::new()
            } else {
                filename
            },
            name_missing,
            content_type: ct.to_owned(),
            size: bytes.len() as u64,
            sha256,
            bytes,
            origin,
            forwarded: scope.forwarded,
            inline,
            kind: found.kind,
            unreadable: found.unreadable,
            unopened: found.unopened,
            members: found.members,
            suspicious: found.suspicious,
            forms: found.forms,
            unsafe_name,
        });
    }
}

/// Levels of base64/quoted-printable `message/rfc822` that mail-parser
/// decodes and parses (its `MAX_NESTED_ENCODED`).
const ENCODED_NESTING: usize = 3;

/// Forwarded messages hidden inside `message/rfc822` parts sent base64 or
/// quoted-printable (which RFC 2046 forbids, and some clients do anyway).
/// mail-parser decodes such a part and copies every part nested in it once
/// per enclosing level: a chain of 2,000 forwards in one base64 part grows
/// a 1 MB mail to 1.5 GB. Counting them first costs one decode.
fn encoded_forwards(raw: &[u8], levels: usize) -> usize {
    const CT: &[u8] = b"message/rfc822";
    if levels == 0 {
        return 0;
    }
    let mut found = 0usize;
    let mut from = 0usize;
    let mut parts = 0;
    while let Some(pos) = find_ci(&raw[from..], CT).map(|p| p + from) {
        from = pos + CT.len();
        parts += 1;
        if parts > 64 {
            break;
        }
        // The part's header block: back to the blank line before, forward
        // to the blank line after.
        let start = rfind(&raw[..pos], b"\n\n")
            .or_else(|| rfind(&raw[..pos], b"\n\r\n"))
            .unwrap_or(0);
        let Some(end) = find(&raw[pos..], b"\n\r\n")
            .or_else(|| find(&raw[pos..], b"\n\n"))
            .map(|e| pos + e)
        else {
            break;
        };
        let block = &raw[start..end];
        let base64 = find_ci(block, b"base64").is_some();
        if !base64 && find_ci(block, b"quoted-printable").is_none() {
            continue;
        }
        let body_start = (end + 1..raw.len())
            .find(|&i| raw[i] == b'\n')
            .map_or(raw.len(), |i| i + 1);
        let body_end = find(&raw[body_start..], b"\n--").map_or(raw.len(), |e| body_start + e);
        let body = &raw[body_start..body_end];
        let decoded = if base64 {
            use base64::Engine as _;
            let clean: Vec<u8> = body
                .iter()
                .copied()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/'))
                .collect();
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(&clean[..clean.len() - clean.len() % 4])
                .unwrap_or_default()
        } else {
            // Quoted-printable keeps the text readable enough to count.
            body.to_vec()
        };
        found += 1 + count_ci(&decoded, CT) + encoded_forwards(&decoded, levels - 1);
        from = from.max(body_end);
    }
    found
}

// The searches below run over every byte of every message (a 50 MB mail
// is 50 MB of base64): memchr's SIMD search, not a window per byte.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

/// ASCII case-insensitive search. It jumps between occurrences of one byte
/// of the needle that has no case (`/` in `message/rfc822`, `-` in
/// `quoted-printable`), or of either case of its first letter.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let anchor = needle
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(0);
    let (lo, up) = (
        needle[anchor].to_ascii_lowercase(),
        needle[anchor].to_ascii_uppercase(),
    );
    let last_start = hay.len() - needle.len();
    let mut from = anchor;
    while from < hay.len() {
        let i = from + memchr::memchr2(lo, up, &hay[from..])?;
        let start = i - anchor;
        if start > last_start {
            return None;
        }
        if hay[start..start + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(start);
        }
        from = i + 1;
    }
    None
}

fn count_ci(hay: &[u8], needle: &[u8]) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(i) = find_ci(&hay[from..], needle) {
        n += 1;
        from += i + 1;
    }
    n
}

/// Lines that start with `--` (MIME boundary delimiters, and the odd
/// signature separator), counting stops just past `stop`.
fn delimiter_lines(raw: &[u8], stop: usize) -> usize {
    let mut n = usize::from(raw.starts_with(b"--"));
    for _ in memchr::memmem::find_iter(raw, b"\n--") {
        n += 1;
        if n > stop {
            break;
        }
    }
    n
}

fn ext_for(ct: &str) -> &'static str {
    match ct {
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "application/pdf" => "pdf",
        "application/zip" => "zip",
        "text/plain" => "txt",
        "text/html" => "html",
        "message/rfc822" => "eml",
        _ => "bin",
    }
}

pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(hay, needle).is_some()
}

#[cfg(test)]
mod search_tests {
    use super::{count_ci, find_ci};

    fn naive(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len())
            .position(|w| w.eq_ignore_ascii_case(needle))
    }

    #[test]
    fn case_insensitive_search_agrees_with_the_obvious_one() {
        let hays: [&[u8]; 6] = [
            b"Content-Type: MESSAGE/RFC822\r\n",
            b"message/rfc82",
            b"xx/rfc822 message/rfc822 Message/Rfc822",
            b"",
            b"quoted-printablE and Quoted-Printable",
            b"/////message//rfc822/message/rfc822",
        ];
        for hay in hays {
            for needle in [&b"message/rfc822"[..], b"quoted-printable", b"base64", b"m"] {
                assert_eq!(
                    find_ci(hay, needle),
                    naive(hay, needle),
                    "{hay:?} {needle:?}"
                );
                let expected = hay
                    .windows(needle.len())
                    .filter(|w| w.eq_ignore_ascii_case(needle))
                    .count();
                assert_eq!(count_ci(hay, needle), expected);
            }
        }
    }
}
