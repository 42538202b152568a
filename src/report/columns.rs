//! Text columns for the terminal listings, measured in display columns:
//! a Chinese character takes two, so `format!("{:<20}")` (which counts
//! characters) shifts every column after a unit name. Widths come from
//! `unicode-width` (East Asian Width, ambiguous characters narrow, as most
//! terminals draw them).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The width the listings are laid out for: readable without wrapping in a
/// 100-column terminal.
pub const SCREEN: usize = 100;

/// Display width of a string in a terminal.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` followed by spaces up to `w` columns (left-aligned); never cut.
pub fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// Spaces then `s`, up to `w` columns (right-aligned); never cut.
pub fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// `s` cut to at most `w` columns, ending in "…" when something was left out.
pub fn fit(s: &str, w: usize) -> String {
    if width(s) <= w {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        // One column is kept for the ellipsis.
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// `s` broken into lines of at most `w` columns: at spaces where there are
/// some, anywhere in a run without them (Chinese text has none). A word
/// longer than a line is broken too.
pub fn wrap(s: &str, w: usize) -> Vec<String> {
    wrap_to(s, w, w)
}

/// [`wrap`] with a first line of `first` columns and the rest of `rest`
/// (a first line that follows a label, continuation lines indented).
fn wrap_to(s: &str, first: usize, rest: usize) -> Vec<String> {
    let limit = |lines: &Vec<String>| if lines.is_empty() { first } else { rest }.max(2);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in s.split(' ').filter(|x| !x.is_empty()) {
        let ww = width(word);
        if used > 0 && used + 1 + ww <= limit(&lines) {
            line.push(' ');
            line.push_str(word);
            used += 1 + ww;
            continue;
        }
        // A Latin word (an address, a command) moves to the next line
        // whole; Chinese may break between any two characters.
        let breakable = word.chars().any(|c| c.width() == Some(2));
        if used > 0 && ww <= rest.max(2) && !breakable {
            lines.push(std::mem::take(&mut line));
            line.push_str(word);
            used = ww;
            continue;
        }
        // Chinese, or too long for any line: fill character by character,
        // starting on the current line.
        if used > 0 {
            line.push(' ');
            used += 1;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > limit(&lines) && used > 0 {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `s` as lines within `w` columns, the first starting at column `first`
/// (after a label) and the others indented by `indent` spaces.
pub fn wrap_indented(s: &str, first: usize, indent: usize, w: usize) -> String {
    let lines = wrap_to(s, w.saturating_sub(first), w.saturating_sub(indent));
    lines.join(&format!("\n{}", " ".repeat(indent)))
}

#[cfg(test)]
#[path = "columns_tests.rs"]
mod tests;
