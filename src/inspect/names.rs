//! Header and filename decoding as Chinese mail clients actually send it:
//! RFC 2047 words (also wrongly inside quoted parameters), RFC 2231
//! continuations, raw 8-bit GBK, and the GB2312 label on GBK text.
//! Plus the storage-safe name and the path-escape check.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use encoding_rs::{BIG5, Encoding, GB18030, UTF_8};

/// Base64 as mail software writes it: padding optional, trailing bits tolerated.
pub(crate) const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The encoding for a MIME charset label. GB2312/GBK labels are routinely put
/// on GBK text (滘, 埗 are not in GB2312), so every GB label decodes as GB18030.
pub fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().trim_matches('"').to_ascii_lowercase();
    let l = l.split('*').next().unwrap_or("");
    match l {
        "gb2312" | "gbk" | "x-gbk" | "cp936" | "ms936" | "windows-936" | "euc-cn" | "gb_2312"
        | "gb_2312-80" | "csgb2312" | "chinese" | "iso-ir-58" | "gb18030" | "x-gb18030"
        | "hz-gb-2312" => Some(GB18030),
        "big5" | "big5-hkscs" | "cp950" | "x-big5" | "cn-big5" | "csbig5" => Some(BIG5),
        "utf8" | "utf-8" | "unicode-1-1-utf-8" => Some(UTF_8),
        other => Encoding::for_label(other.as_bytes()),
    }
}

/// Bytes without a trustworthy label: UTF-8 when valid, else GB18030 (the
/// only other encoding Chinese clients write). Returns whether it was not UTF-8.
pub fn decode_8bit(bytes: &[u8]) -> (String, bool) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), false),
        Err(_) => (
            GB18030.decode_without_bom_handling(bytes).0.into_owned(),
            true,
        ),
    }
}

/// Bytes with a charset label; an unknown or ASCII/Latin-1 label on 8-bit
/// bytes falls back to the UTF-8-else-GB18030 guess.
pub fn decode_with_label(label: &str, bytes: &[u8]) -> String {
    let l = label.trim().to_ascii_lowercase();
    let western = matches!(l.as_str(), "us-ascii" | "ascii" | "iso-8859-1" | "latin1");
    match encoding_for(&l) {
        Some(enc) if !western || bytes.is_ascii() => {
            enc.decode_without_bom_handling(bytes).0.into_owned()
        }
        _ => decode_8bit(bytes).0,
    }
}

/// Removes header folding (CRLF followed by white space keeps the white space).
pub fn unfold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {}
            '\n' => {
                if !matches!(chars.peek(), Some(' ') | Some('\t')) {
                    out.push(' ');
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// One RFC 2047 encoded word found in a string.
struct Word<'a> {
    start: usize,
    end: usize,
    charset: &'a str,
    bytes: Vec<u8>,
}

fn parse_word(s: &str, start: usize) -> Option<Word<'_>> {
    let rest = s.get(start + 2..)?;
    let q1 = rest.find('?')?;
    let charset = &rest[..q1];
    if charset.is_empty() || charset.len() > 40 || charset.contains(char::is_whitespace) {
        return None;
    }
    let after = &rest[q1 + 1..];
    let mut it = after.chars();
    let enc = it.next()?.to_ascii_lowercase();
    if it.next()? != '?' {
        return None;
    }
    let text_start = q1 + 3;
    let text = rest.get(text_start..)?;
    let close = text.find("?=")?;
    let payload = &text[..close];
    if payload.contains(char::is_whitespace) && enc == 'q' {
        return None;
    }
    let bytes = match enc {
        'b' => {
            let clean: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
            LENIENT_B64.decode(clean.trim_end_matches('=')).ok()?
        }
        'q' => decode_q(payload),
        _ => return None,
    };
    Some(Word {
        start,
        end: start + 2 + text_start + close + 2,
        charset,
        bytes,
    })
}

fn decode_q(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'='),
            },
            c => out.push(c),
        }
        i += 1;
    }
    out
}

pub(crate) fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes RFC 2047 encoded words anywhere in `s`. Adjacent words with the
/// same charset are joined as bytes first: Foxmail and QQ split one GBK
/// character across two words.
pub fn decode_words(s: &str) -> String {
    if !s.contains("=?") {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    let mut pending: Option<(String, Vec<u8>)> = None;
    let mut search = 0;
    while let Some(rel) = s.get(search..).and_then(|r| r.find("=?")) {
        let at = search + rel;
        match parse_word(s, at) {
            Some(w) => {
                let gap = &s[pos..w.start];
                let joinable = gap.chars().all(char::is_whitespace);
                match pending.take() {
                    Some((cs, mut bytes)) if joinable && cs.eq_ignore_ascii_case(w.charset) => {
                        bytes.extend_from_slice(&w.bytes);
                        pending = Some((cs, bytes));
                    }
                    Some((cs, bytes)) => {
                        out.push_str(&decode_with_label(&cs, &bytes));
                        if !joinable {
                            out.push_str(gap);
                        }
                        pending = Some((w.charset.to_owned(), w.bytes));
                    }
                    None => {
                        out.push_str(gap);
                        pending = Some((w.charset.to_owned(), w.bytes));
                    }
                }
                pos = w.end;
                search = w.end;
            }
            None => search = at + 2,
        }
    }
    if let Some((cs, bytes)) = pending {
        out.push_str(&decode_with_label(&cs, &bytes));
    }
    out.push_str(s.get(pos..).unwrap_or(""));
    out
}

/// A decoded unstructured header value (Subject, display names).
pub fn decode_header_bytes(raw: &[u8]) -> (String, bool) {
    let (text, non_utf8) = decode_8bit(raw);
    (decode_words(unfold(&text).trim()), non_utf8)
}

/// A structured header value such as Content-Type: the main value and its
/// parameters, with RFC 2231 continuations joined and decoded.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HeaderParams {
    pub value: String,
    pub params: Vec<(String, String)>,
}

impl HeaderParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits `value; a=b; c="d"` respecting quotes. Backslash escapes only a
/// quote or a backslash: Outlook writes Windows paths unescaped.
fn split_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur_name = String::new();
    let mut cur_val = String::new();
    let mut in_name = true;
    let mut in_quote = false;
    let mut was_quoted = false;
    let mut chars = s.chars().peekable();
    let mut first = true;
    let push = |name: &mut String, val: &mut String, out: &mut Vec<(String, String)>| {
        out.push((name.trim().to_owned(), std::mem::take(val)));
        name.clear();
    };
    while let Some(c) = chars.next() {
        if in_quote {
            match c {
                '"' => in_quote = false,
                '\\' if matches!(chars.peek(), Some('"') | Some('\\')) => {
                    if let Some(n) = chars.next() {
                        cur_val.push(n);
                    }
                }
                c => cur_val.push(c),
            }
            continue;
        }
        match c {
            ';' => {
                if first {
                    out.push((String::new(), cur_name.trim().to_owned()));
                    cur_name.clear();
                    first = false;
                } else if !cur_name.trim().is_empty() {
                    let v = if was_quoted {
                        cur_val.clone()
                    } else {
                        cur_val.trim().to_owned()
                    };
                    cur_val = v;
                    push(&mut cur_name, &mut cur_val, &mut out);
                } else {
                    cur_val.clear();
                }
                in_name = true;
                was_quoted = false;
            }
            '=' if in_name && !first => in_name = false,
            '"' if !in_name && cur_val.trim().is_empty() => {
                cur_val.clear();
                in_quote = true;
                was_quoted = true;
            }
            c if in_name => cur_name.push(c),
            c => {
                if !was_quoted {
                    cur_val.push(c)
                }
            }
        }
    }
    if first {
        out.push((String::new(), cur_name.trim().to_owned()));
    } else if !cur_name.trim().is_empty() {
        let v = if was_quoted {
            cur_val
        } else {
            cur_val.trim().to_owned()
        };
        out.push((cur_name.trim().to_owned(), v));
    }
    out
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Parses a structured MIME header value (already decoded to text).
pub fn parse_params(value: &str) -> HeaderParams {
    let raw = split_params(&unfold(value));
    let mut out = HeaderParams::default();
    // (base name, index, encoded, text)
    let mut ext: Vec<(String, u32, bool, String)> = Vec::new();
    for (i, (name, val)) in raw.into_iter().enumerate() {
        if i == 0 {
            out.value = val.trim().to_ascii_lowercase();
            continue;
        }
        let name = name.to_ascii_lowercase();
        if let Some(star) = name.find('*') {
            let base = name[..star].to_owned();
            let rest = &name[star + 1..];
            let encoded = rest.ends_with('*') || rest.is_empty();
            let idx = rest.trim_end_matches('*').parse::<u32>().unwrap_or(0);
            ext.push((base, idx, encoded, val));
        } else if !out.params.iter().any(|(n, _)| *n == name) {
            out.params.push((name, decode_words(&val)));
        }
    }
    ext.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut i = 0;
    while i < ext.len() {
        let base = ext[i].0.clone();
        let mut charset = String::new();
        let mut bytes = Vec::new();
        while i < ext.len() && ext[i].0 == base {
            let (_, idx, encoded, val) = &ext[i];
            if *encoded {
                let mut v = val.as_str();
                if *idx == 0 {
                    let mut parts = v.splitn(3, '\'');
                    if let (Some(cs), Some(_lang), Some(text)) =
                        (parts.next(), parts.next(), parts.next())
                    {
                        charset = cs.to_owned();
                        v = text;
                    }
                }
                bytes.extend(percent_decode(v));
            } else {
                bytes.extend_from_slice(val.as_bytes());
            }
            i += 1;
        }
        let text = if charset.is_empty() {
            decode_8bit(&bytes).0
        } else {
            decode_with_label(&charset, &bytes)
        };
        // RFC 2231 wins over the plain form of the same parameter.
        out.params.retain(|(n, _)| *n != base);
        out.params.push((base, decode_words(&text)));
    }
    out
}

/// A name that can be stored anywhere: last path component only, no control
/// or reserved characters, no `..`, at most `MAX_SAFE` characters with the
/// extension kept.
pub fn safe_filename(name: &str) -> String {
    const MAX_SAFE: usize = 120;
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut s: String = last
        .chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if crate::clean::is_unsafe_char(c) => '_',
            c => c,
        })
        .collect();
    while s.contains("..") {
        s = s.replace("..", ".");
    }
    let s = s
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_owned();
    let mut s = if s.is_empty() {
        "attachment".to_owned()
    } else {
        s
    };
    let stem = s.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.ends_with(|c: char| c.is_ascii_digit()));
    if reserved {
        s.insert(0, '_');
    }
    if s.chars().count() <= MAX_SAFE {
        return s;
    }
    let ext = match s.rfind('.') {
        Some(p) if s.len() - p <= 12 => s[p..].to_owned(),
        _ => String::new(),
    };
    let keep = MAX_SAFE - ext.chars().count();
    let stem: String = s.chars().take(keep).collect();
    format!("{stem}{ext}")
}

/// Whether a name as sent would escape a storage directory: absolute path,
/// drive letter, UNC path or a `..` component.
pub fn is_unsafe_path(name: &str) -> bool {
    let n = name.trim();
    if n.starts_with('/') || n.starts_with('\\') {
        return true;
    }
    let b = n.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return true;
    }
    n.split(['/', '\\']).any(|c| c.trim() == "..")
}

/// The lower-case extension of a file name, without the dot.
pub fn extension(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    match last.rfind('.') {
        Some(p) if p + 1 < last.len() => last[p + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

#[cfg(test)]
#[path = "names_tests.rs"]
mod tests;
