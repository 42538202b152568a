//! Word documents (docx; odt alike): paragraphs and table rows from the main
//! XML part, read with quick-xml. Only used to find the overview form: the
//! free text of documents is never evidence for items.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::archive::{ZipScan, scan, stream_entry};
use super::budget::{MAX_XML_DEPTH, ReadError, too_deep};
use super::{FileKind, Limits};

/// Rows for the form finder: table rows as cells, and each paragraph outside
/// a table as a one-cell row (the 填表单位 line is a paragraph in Word).
pub(crate) fn read(
    bytes: &[u8],
    kind: FileKind,
    limits: &Limits,
) -> Result<Vec<Vec<String>>, ReadError> {
    let (part, odt) = match kind {
        FileKind::Odt => ("content.xml", true),
        _ => ("word/document.xml", false),
    };
    let unreadable = |e: String| ReadError::Unreadable(e);
    let zs: ZipScan = scan(bytes, limits, limits.max_nesting)
        .map_err(|e| unreadable(format!("corrupt document: {e}")))?;
    if !zs.entries.iter().any(|e| e.path == part) {
        return Err(unreadable(format!("the document has no {part}")));
    }
    let mut za = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(format!("corrupt document: {e}")))?;
    let xml = stream_entry(&mut za, part, limits)
        .ok_or_else(|| unreadable(format!("{part} cannot be decompressed")))?;
    // Streamed: a 30 MB document.xml is never held whole.
    rows(std::io::BufReader::new(xml), odt).ok_or_else(|| {
        ReadError::OverBudget(format!(
            "{part} nests more than {MAX_XML_DEPTH} elements deep"
        ))
    })
}

#[derive(Default)]
struct State {
    rows: Vec<Vec<String>>,
    table_depth: usize,
    row: Vec<String>,
    cell: String,
    para: String,
    in_text: bool,
}

/// `None` when the part nests deeper than [`MAX_XML_DEPTH`].
fn rows(xml: impl std::io::BufRead, odt: bool) -> Option<Vec<Vec<String>>> {
    let (tbl, tr, tc, p, t) = if odt {
        ("table", "table-row", "table-cell", "p", "")
    } else {
        ("tbl", "tr", "tc", "p", "t")
    };
    let mut r = Reader::from_reader(xml);
    // Hostile nesting (a million open elements) must not grow a stack.
    r.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut s = State::default();
    let mut depth = 0usize;
    loop {
        buf.clear();
        let ev = match r.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        if too_deep(&ev, &mut depth) {
            return None;
        }
        match ev {
            Event::Start(e) => {
                let name = e.local_name();
                let n = name.as_ref();
                if n == tbl {
                    s.table_depth += 1;
                } else if n == tr && s.table_depth == 1 {
                    s.row.clear();
                } else if n == tc && s.table_depth == 1 {
                    s.cell.clear();
                } else if n == t || (odt && (n == "p" || n == "h" || n == "span")) {
                    s.in_text = true;
                }
                if odt && n == "h" {
                    s.para.clear();
                }
            }
            Event::Empty(e) => {
                let name = e.local_name();
                let n = name.as_ref();
                if n == "tab" || n == "s" {
                    s.para.push(' ');
                } else if n == "br" || n == "line-break" {
                    s.para.push('\n');
                }
            }
            Event::Text(e) if s.in_text => {
                s.para.push_str(&e.xml10_content());
            }
            Event::GeneralRef(e) if s.in_text => {
                if let Some(c) = entity(&e) {
                    s.para.push(c);
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                let n = name.as_ref();
                if n == t && !odt {
                    s.in_text = false;
                } else if n == p || (odt && n == "h") {
                    let para = std::mem::take(&mut s.para);
                    if odt {
                        s.in_text = false;
                    }
                    if s.table_depth > 0 {
                        if !s.cell.is_empty() {
                            s.cell.push('\n');
                        }
                        s.cell.push_str(&para);
                    } else if !para.trim().is_empty() {
                        s.rows.push(vec![para]);
                    }
                } else if n == tc && s.table_depth == 1 {
                    s.row.push(std::mem::take(&mut s.cell));
                } else if n == tr && s.table_depth == 1 {
                    s.rows.push(std::mem::take(&mut s.row));
                } else if n == tbl {
                    s.table_depth = s.table_depth.saturating_sub(1);
                }
            }
            _ => {}
        }
        if s.rows.len() > 100_000 {
            break;
        }
    }
    Some(s.rows)
}

fn entity(e: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    let name: &str = e;
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        n => {
            let n = n.strip_prefix('#')?;
            let v = match n.strip_prefix('x').or_else(|| n.strip_prefix('X')) {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(v)
        }
    }
}
