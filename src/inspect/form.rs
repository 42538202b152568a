//! Finds the overview form (工作开展情况表) in table rows, whatever produced
//! them (xlsx, xls, ods, docx): the 填表单位 value — after a colon in the same
//! cell or in the next cell — and which project rows have a work description.
//! Project titles are matched later by classify (they are configuration);
//! here rows are recognised by ordinal (（一）..（五）) or by layout.

use super::{Form, FormRow};

/// Characters of one row's text kept. The notice's form leaves a cell per
/// project; what units write there runs to a page or two (a few thousand
/// characters). Past this the text is cut with a mark, so a pasted report
/// cannot make the inspection (and the pipe from the worker) huge.
pub(crate) const MAX_ROW_CHARS: usize = 8_000;
/// Characters of row text kept over a whole form: a sheet with thousands
/// of rows under a form's header keeps only its first rows' text.
const MAX_FORM_CHARS: usize = 48_000;
/// Marks a cut text, in the register of the notice.
const CUT: &str = "……（以下从略）";

const UNIT_LABELS: &[&str] = &["填表单位", "填报单位", "报送单位", "单位名称"];
/// Where the unit value stops when more follows on the same line.
const VALUE_STOPS: &[&str] = &[
    "填表人",
    "填表时间",
    "填表日期",
    "填报人",
    "填报时间",
    "报送时间",
    "日期",
    "时间",
    "联系人",
    "联系电话",
    "电话",
    "（盖章）",
    "(盖章)",
    "盖章",
];

/// 一..五, （三）, (3), 3、 as a whole cell or as the cell's prefix.
pub(crate) fn ordinal(cell: &str) -> Option<(u8, usize)> {
    let t: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    let mut chars = t.char_indices().peekable();
    let mut bracket = false;
    if let Some((_, c)) = chars.peek()
        && matches!(c, '（' | '(' | '[' | '【')
    {
        bracket = true;
        chars.next();
    }
    let (_, d) = chars.next()?;
    let n = match d {
        '一' | '1' | '１' => 1,
        '二' | '2' | '２' => 2,
        '三' | '3' | '３' => 3,
        '四' | '4' | '４' => 4,
        '五' | '5' | '５' => 5,
        _ => return None,
    };
    let next = chars.next();
    match next {
        None => Some((n, t.len())),
        Some((i, c)) if bracket && matches!(c, '）' | ')' | ']' | '】') => {
            Some((n, i + c.len_utf8()))
        }
        Some((i, c)) if !bracket && matches!(c, '、' | '.' | '．' | '，') => {
            // "3.2" is an item number, not the third row.
            let rest = &t[i + c.len_utf8()..];
            if rest.starts_with(|x: char| x.is_ascii_digit()) {
                None
            } else {
                Some((n, i + c.len_utf8()))
            }
        }
        _ => None,
    }
}

/// Empty, or only "/" and similar placeholders: the row is not filled in.
pub(crate) fn is_placeholder(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    t.is_empty()
        || t == "无"
        || t.chars().all(|c| {
            matches!(
                c,
                '/' | '／' | '\\' | '-' | '—' | '－' | '_' | '.' | '。' | '、' | '…'
            )
        })
}

fn cut_value(s: &str) -> String {
    let mut v = s.trim_start_matches(|c: char| c == ':' || c == '：' || c.is_whitespace());
    for stop in ["\n", "\t", "  ", "\u{3000}\u{3000}"] {
        if let Some(p) = v.find(stop) {
            v = &v[..p];
        }
    }
    for stop in VALUE_STOPS {
        if let Some(p) = v.find(stop) {
            v = &v[..p];
        }
    }
    v.trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '：' | '，' | ',' | '_'))
        .to_owned()
}

fn find_unit(rows: &[Vec<String>]) -> (bool, Option<String>) {
    let mut seen = false;
    for row in rows {
        for (ci, cell) in row.iter().enumerate() {
            for label in UNIT_LABELS {
                let Some(p) = cell.find(label) else {
                    continue;
                };
                seen = true;
                let v = cut_value(&cell[p + label.len()..]);
                if !v.is_empty() {
                    return (true, Some(v));
                }
                if let Some(next) = row[ci + 1..].iter().find(|c| !c.trim().is_empty()) {
                    let v = cut_value(next);
                    if !v.is_empty() && !UNIT_LABELS.iter().any(|l| v.contains(l)) {
                        return (true, Some(v));
                    }
                }
            }
        }
    }
    (seen, None)
}

/// The column of the work description, from the header row (序号 | 考核项目 | 工作开展情况).
fn header(rows: &[Vec<String>]) -> Option<(usize, usize)> {
    for (ri, row) in rows.iter().enumerate() {
        let norm: Vec<String> = row.iter().map(|c| c.split_whitespace().collect()).collect();
        let proj = norm
            .iter()
            .position(|c| c.contains("考核项目") || c == "项目");
        let desc = norm.iter().position(|c| {
            c.contains("开展情况") || c.contains("工作情况") || c.contains("完成情况")
        });
        if let (Some(_), Some(d)) = (proj, desc) {
            return Some((ri, d));
        }
    }
    None
}

/// The description cells as written: each trimmed, placeholders ("/", "无")
/// and repeats (a merged cell read twice) dropped, one per line.
fn row_text(desc: &[&String]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for d in desc {
        let t = d.trim();
        if !is_placeholder(t) && parts.last() != Some(&t) {
            parts.push(t);
        }
    }
    parts.join("\n")
}

/// Adds `more` to a row's text on a new line, within [`MAX_ROW_CHARS`] for
/// the row and `budget` for the form.
fn append(text: &mut String, more: &str, budget: &mut usize) {
    if more.is_empty() || text.ends_with(CUT) {
        return;
    }
    let sep = usize::from(!text.is_empty());
    let room = MAX_ROW_CHARS
        .saturating_sub(text.chars().count() + sep)
        .min((*budget).saturating_sub(sep));
    if room == 0 {
        return;
    }
    if sep == 1 {
        text.push('\n');
    }
    let n = more.chars().count();
    if n <= room {
        text.push_str(more);
        *budget -= n + sep;
    } else {
        let keep = room.saturating_sub(CUT.chars().count());
        text.extend(more.chars().take(keep));
        text.push_str(CUT);
        *budget = budget.saturating_sub(room + sep);
    }
}

pub(crate) fn find(rows: &[Vec<String>], member: Option<String>) -> Option<Form> {
    let (labelled, unit) = find_unit(rows);
    let titled = rows.iter().flatten().any(|c| {
        c.split_whitespace()
            .collect::<String>()
            .contains("工作开展情况表")
    });
    let head = header(rows);
    let start = head.map_or(0, |(ri, _)| ri + 1);
    let mut out_rows: Vec<FormRow> = Vec::new();
    let mut budget = MAX_FORM_CHARS;
    for row in rows.iter().skip(start) {
        let cells: Vec<(usize, &String)> = row
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.trim().is_empty())
            .collect();
        let Some(&(first_i, first)) = cells.first() else {
            continue;
        };
        let (ord, ord_end) = match ordinal(first) {
            Some((n, end)) => (Some(n), end),
            None => (None, 0),
        };
        let first_compact: String = first.split_whitespace().collect();
        let label_in_first = ord.is_some() && ord_end < first_compact.len();
        let (label, desc): (String, Vec<&String>) = match head {
            Some((_, dcol)) => {
                let label = row
                    .iter()
                    .take(dcol)
                    .map(|c| c.trim())
                    .collect::<Vec<_>>()
                    .join(" ");
                (label, row.iter().skip(dcol).collect())
            }
            None if ord.is_some() && !label_in_first => {
                let title = cells.get(1).map(|(_, c)| c.as_str()).unwrap_or("");
                let skip = if cells.len() > 1 { 2 } else { 1 };
                (
                    format!("{} {}", first.trim(), title.trim()),
                    cells.iter().skip(skip).map(|(_, c)| *c).collect(),
                )
            }
            None => (
                first.trim().to_owned(),
                cells.iter().skip(1).map(|(_, c)| *c).collect(),
            ),
        };
        let _ = first_i;
        if label.trim().is_empty() {
            // Under the header, a row with no label continues the row above
            // (a project's cell split over several rows, the label merged).
            if head.is_some()
                && let Some(prev) = out_rows.last_mut()
            {
                append(&mut prev.text, &row_text(&desc), &mut budget);
            }
            continue;
        }
        // Without an ordinal the row may still carry a project title; the
        // classifier decides. Rows with neither are not kept unless the
        // layout (header) says this is the project table.
        if ord.is_none() && head.is_none() {
            continue;
        }
        let filled = !desc.iter().all(|d| is_placeholder(d));
        let mut text = String::new();
        append(&mut text, &row_text(&desc), &mut budget);
        out_rows.push(FormRow {
            ordinal: ord,
            label: label.split_whitespace().collect::<Vec<_>>().join(" "),
            filled,
            text,
        });
    }
    let ordinals = out_rows.iter().filter(|r| r.ordinal.is_some()).count();
    if !(labelled || titled || (head.is_some() && ordinals >= 3)) {
        return None;
    }
    if !labelled && !titled && ordinals == 0 {
        return None;
    }
    Some(Form {
        member,
        unit,
        rows: out_rows,
    })
}

#[cfg(test)]
#[path = "form_tests.rs"]
mod tests;
