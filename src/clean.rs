//! Text from outside (subjects, addresses, file names, server messages) on
//! its way to a person: into a mail, an export, or a terminal. Every such
//! place calls one of these functions, so the rule lives here once.
//!
//! What is removed and why:
//! - C0 and C1 control characters and DEL: a terminal obeys escape
//!   sequences (`\x1b[2J`, OSC 8 hyperlinks, colour that hides text), a CR
//!   overwrites what came before on the same line, and a spreadsheet cell
//!   beginning with TAB or CR is read as a formula by some programs.
//! - Bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069,
//!   U+200E/U+200F, U+061C): `报告\u{202e}xcod.exe` displays as
//!   `报告exe.docx` (the "Trojan Source"/RLO trick); nothing a unit
//!   legitimately sends needs them in a subject or a file name.

use std::borrow::Cow;

/// File names shown in receipts and digests are cut to this many characters:
/// a 250-character name is either a mistake or an attempt to push the
/// receipt's real text off the screen of a phone.
pub const MAX_SHOWN_FILENAME: usize = 60;

/// Bidirectional formatting characters (embedding, override, isolate, marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character that must not reach a person's screen: C0/C1 controls, DEL
/// (all `char::is_control`) and bidi formatting characters.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

pub fn has_unsafe_chars(s: &str) -> bool {
    s.chars().any(is_unsafe_char)
}

/// One line of text: line breaks and tabs become a space (so words stay
/// apart and a subject cannot forge a second row in a listing), every other
/// unsafe character is dropped.
pub fn clean_text(s: &str) -> Cow<'_, str> {
    if !has_unsafe_chars(s) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter_map(|c| match c {
                '\n' | '\r' | '\t' => Some(' '),
                c if is_unsafe_char(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// Text of several lines (a mail body, a terminal table): keeps `\n`, turns
/// a tab into a space, drops every other unsafe character (a stray `\r` in
/// `\r\n` included, which leaves the `\n`).
pub fn clean_multiline(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_unsafe_char(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .filter_map(|c| match c {
                '\n' => Some('\n'),
                '\t' => Some(' '),
                c if is_unsafe_char(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// A file name as a unit sent it, for showing in a receipt or digest: the
/// last path component only (a name is never a path to follow), cleaned,
/// at most [`MAX_SHOWN_FILENAME`] characters with the extension kept after
/// an ellipsis, and defanged so no mail client turns it into a link.
///
/// Defanging: a receipt leaves from an official mailbox, so a link in it
/// would carry that authority to whatever the sender named the file. Link
/// recognisers (in the HTML part as well as clients that linkify plain
/// text) start a link at a scheme (`http:`, `mailto:`, `javascript:`), an
/// `@` address or `www.`. The base name already has no `/`; `:` and `@`
/// become their full-width forms (`：` `＠`, ordinary punctuation in
/// Chinese text, and `:` is not even allowed in a Windows file name), and
/// the dot of `www.` becomes `．`. The name stays readable and
/// recognisable; no zero-width characters are inserted (they would be
/// invisible in the receipt and break copy-paste of the name).
pub fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned = clean_text(base);
    let trimmed = cleaned.trim();
    let shown = cap_keeping_extension(trimmed, MAX_SHOWN_FILENAME);
    defang(&shown)
}

/// At most `max` characters; a longer name keeps its head and, after `…`,
/// its extension (up to 10 characters), so `.exe` is never hidden.
fn cap_keeping_extension(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_owned();
    }
    let ext = match s.rfind('.') {
        Some(p) if s[p..].chars().count() <= 10 => &s[p..],
        _ => "",
    };
    let keep = max.saturating_sub(ext.chars().count() + 1);
    let head: String = s.chars().take(keep).collect();
    format!("{head}…{ext}")
}

fn defang(s: &str) -> String {
    let mut out = s.replace(':', "：").replace('@', "＠");
    // Case-insensitive "www." anywhere (after a space or at the start).
    let lower = out.to_ascii_lowercase();
    if lower.contains("www.") {
        let mut fixed = String::with_capacity(out.len());
        let mut i = 0;
        while let Some(p) = lower[i..].find("www.") {
            let at = i + p;
            fixed.push_str(&out[i..at + 3]);
            fixed.push('．');
            i = at + 4;
        }
        fixed.push_str(&out[i..]);
        out = fixed;
    }
    out
}

/// One CSV cell: cleaned to one line, then protected against formula
/// injection the way OWASP recommends: a cell whose first character is
/// `=`, `+`, `-`, `@` (or TAB/CR, which `clean_text` has already turned
/// into spaces) gets a leading `'`, which Excel, WPS and LibreOffice show
/// as text and do not evaluate. Leading spaces are looked past, since some
/// importers trim them before deciding. Then RFC 4180 quoting.
pub fn csv_cell(s: &str) -> String {
    let line = clean_text(s);
    let first = line.trim_start_matches(' ').chars().next();
    let guarded: Cow<'_, str> = if matches!(first, Some('=' | '+' | '-' | '@')) {
        Cow::Owned(format!("'{line}"))
    } else {
        line
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded.into_owned()
    }
}

/// Text for one spreadsheet (xlsx) cell: one line, cleaned, and within the
/// 32,767 characters Excel allows in a cell (rust_xlsxwriter refuses longer
/// strings, which would make one hostile subject fail the whole export).
pub fn sheet_text(s: &str) -> String {
    const MAX_CELL: usize = 32_767;
    let line = clean_text(s);
    if line.chars().count() <= MAX_CELL {
        return line.into_owned();
    }
    let mut t: String = line.chars().take(MAX_CELL - 1).collect();
    t.push('…');
    t
}

/// `println!` for the terminal listings: the whole line goes through
/// [`clean_multiline`], so nothing a sender wrote can drive the terminal.
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::clean::clean_multiline(&format!($($arg)*)))
    };
}
pub(crate) use say;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_removed() {
        let s = "a\u{202e}b\u{2066}c\u{200f}d\u{061c}e\u{1b}[2Jf\u{7f}g\u{85}h\u{0}i";
        assert_eq!(clean_text(s), "abcde[2Jfghi");
        assert_eq!(clean_text("line1\r\nline2\tx"), "line1  line2 x");
        assert!(matches!(clean_text("普通文本 ok"), Cow::Borrowed(_)));
        assert_eq!(clean_multiline("a\r\nb\u{1b}c\td"), "a\nbc d");
        for c in [
            '\u{202a}', '\u{202d}', '\u{2069}', '\u{200e}', '\u{9f}', '\u{1}',
        ] {
            assert!(is_unsafe_char(c), "{c:?}");
        }
        assert!(!is_unsafe_char('\u{200b}') && !is_unsafe_char('石'));
    }

    #[test]
    fn filenames_are_base_names_capped_and_defanged() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\a\\报表.xlsx"), "报表.xlsx");
        assert_eq!(clean_filename("报告\u{202e}xcod.exe"), "报告xcod.exe");
        assert_eq!(clean_filename("http://evil.example/x"), "x");
        assert_eq!(
            clean_filename("请访问 www.evil.example 领取.pdf"),
            "请访问 www．evil.example 领取.pdf"
        );
        assert_eq!(clean_filename("mailto:a@b.cn.pdf"), "mailto：a＠b.cn.pdf");
        let long = format!("{}.exe", "长".repeat(200));
        let shown = clean_filename(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN_FILENAME);
        assert!(shown.ends_with("….exe"), "{shown}");
        assert_eq!(clean_filename("  \u{7}正常.pdf "), "正常.pdf");
    }

    #[test]
    fn csv_cells_cannot_start_a_formula() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2+3"), "'-2+3");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\t=1"), "' =1");
        assert_eq!(csv_cell("\r=1"), "' =1");
        assert_eq!(csv_cell("  =1"), "'  =1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("x\u{1b}y"), "xy");
        assert_eq!(csv_cell("2018-01-22"), "2018-01-22");
    }

    #[test]
    fn sheet_text_fits_a_cell() {
        let s = "题".repeat(40_000);
        assert_eq!(sheet_text(&s).chars().count(), 32_767);
        assert_eq!(sheet_text("a\u{202e}b"), "ab");
    }
}
