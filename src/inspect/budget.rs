//! Structural checks before a spreadsheet parser builds anything.
//!
//! calamine builds a dense grid per sheet: an .xls whose DIMENSIONS record
//! declares 0..0xFFFFFFFF rows, or with one cell at A1 and one at IV65536,
//! or an .ods whose repeat attributes expand to millions of cells, makes it
//! reserve gigabytes from a few kilobytes (an allocation failure aborts the
//! process; see `intake::worker`). An .xlsx with millions of empty shared
//! strings does the same through the string table it loads at open. These
//! checks read only the structure (records, attributes, element counts) and
//! refuse a file whose grid or tables would exceed
//! [`Limits::max_grid_cells`]; the file is then kept but not opened.

use std::io::{BufReader, Cursor};

use quick_xml::events::{BytesStart, Event};

use super::Limits;
use super::archive;

/// Why a file was not opened: it would cost more than the budget.
pub(crate) type OverBudget = String;

/// Why a spreadsheet or document gave no rows.
pub(crate) enum ReadError {
    /// Corrupt, encrypted, not what its name says.
    Unreadable(String),
    /// Its structure is beyond the budget: not opened.
    OverBudget(String),
}

/// Elements open at once in an Office XML part. Real documents nest a few
/// dozen (tables in tables); quick-xml keeps every open name, so a part
/// nesting 600,000 tables would cost tens of megabytes.
pub(crate) const MAX_XML_DEPTH: usize = 1000;

/// BIFF8 records that put a cell in calamine's grid (blank cells are not
/// kept by calamine, so BLANK/MULBLANK do not count).
const CELL_RECORDS: [u16; 8] = [
    0x0203, // NUMBER
    0x0204, // LABEL
    0x00D6, // RSTRING
    0x0205, // BOOLERR
    0x027E, // RK
    0x00FD, // LABELSST
    0x0006, // FORMULA
    0x00BD, // MULRK
];
const BOF: u16 = 0x0809;
const DIMENSIONS: u16 = 0x0200;

/// The extent of one sheet, as declared and as used.
#[derive(Default, Debug)]
struct Extent {
    declared: u64,
    min: Option<(u32, u32)>,
    max: (u32, u32),
}

impl Extent {
    fn cell(&mut self, row: u32, col: u32) {
        let (r0, c0) = self.min.unwrap_or((row, col));
        self.min = Some((r0.min(row), c0.min(col)));
        self.max = (self.max.0.max(row), self.max.1.max(col));
    }

    /// Cells calamine would reserve or fill for this sheet.
    fn grid(&self) -> u64 {
        let used = match self.min {
            Some((r0, c0)) => {
                (u64::from(self.max.0 - r0) + 1).saturating_mul(u64::from(self.max.1 - c0) + 1)
            }
            None => 0,
        };
        used.max(self.declared)
    }
}

/// An .xls (or WPS .et) workbook's Workbook stream: every sheet's declared
/// dimensions and the bounding box of its cells, from its records.
pub(crate) fn xls(stream: &[u8], limits: &Limits) -> Result<(), OverBudget> {
    let mut total: u64 = 0;
    let mut sheet = Extent::default();
    let mut pos = 0usize;
    while let Some(head) = stream.get(pos..pos + 4) {
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let Some(data) = stream.get(pos + 4..pos + 4 + len) else {
            break;
        };
        pos += 4 + len;
        let u16_at = |o: usize| data.get(o..o + 2).map(|s| u16::from_le_bytes([s[0], s[1]]));
        match typ {
            BOF => {
                total = total.saturating_add(sheet.grid());
                sheet = Extent::default();
            }
            DIMENSIONS => {
                if let Some(cells) = calamine_reserve(data) {
                    sheet.declared = sheet.declared.max(cells);
                }
            }
            t if CELL_RECORDS.contains(&t) => {
                if let (Some(r), Some(c)) = (u16_at(0), u16_at(2)) {
                    sheet.cell(u32::from(r), u32::from(c));
                    if t == 0x00BD
                        && let Some(last) = data.len().checked_sub(2).and_then(u16_at)
                    {
                        sheet.cell(u32::from(r), u32::from(last));
                    }
                }
            }
            _ => {}
        }
        if total.saturating_add(sheet.grid()) > limits.max_grid_cells {
            return Err(format!(
                "the workbook declares or spans more than {} cells",
                limits.max_grid_cells
            ));
        }
    }
    Ok(())
}

/// The cells calamine 0.38 reserves for a DIMENSIONS record, computed the
/// way it does (`xls.rs`, `parse_dimensions` and the `reserve` after it),
/// wrapping arithmetic included: a BIFF5 record of 10 bytes has 16-bit
/// rows, and a first row after the last wraps its row count to four
/// billion. The fuzzer found both; reading only the BIFF8 layout with
/// saturating subtraction saw no cells at all. `None`: calamine refuses
/// the record (no reservation).
fn calamine_reserve(r: &[u8]) -> Option<u64> {
    let u16_at = |o: usize| {
        r.get(o..o + 2)
            .map(|s| u32::from(u16::from_le_bytes([s[0], s[1]])))
    };
    let u32_at = |o: usize| {
        r.get(o..o + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    };
    let (rf, rl, mut cf, cl) = match r.len() {
        10 => (u16_at(0)?, u16_at(2)?, u16_at(4)?, u16_at(6)?),
        14 | 16 => (u32_at(0)?, u32_at(4)?, u16_at(8)?, u16_at(10)?),
        _ => return None,
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (rows, cols) = if 1 <= rl && 1 <= cl {
        (
            (rl - 1).wrapping_sub(rf).wrapping_add(1),
            (cl - 1).wrapping_sub(cf).wrapping_add(1),
        )
    } else {
        (1, 1)
    };
    Some(u64::from(rows).saturating_mul(u64::from(cols)))
}

/// An .ods: every table's repeated rows and columns, expanded as calamine
/// would (the bounding box of cells with content, after repeats).
pub(crate) fn ods(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let Ok(mut za) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Some(content) = archive::stream_entry(&mut za, "content.xml", limits) else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    // Deeply nested hostile XML must not grow a stack of open names.
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    // Per table: rows so far (expanded), first/last row with content, widest
    // column with content.
    let mut rows: u64 = 0;
    let mut first: Option<u64> = None;
    let mut last: u64 = 0;
    let mut width: u64 = 0;
    // Per row: its repeat count, columns so far, last column with content.
    let mut row_repeat: u64 = 1;
    let mut col: u64 = 0;
    let mut row_width: u64 = 0;
    let mut depth = 0usize;
    let table_grid = |first: Option<u64>, last: u64, width: u64| match first {
        Some(f) => (last - f + 1).saturating_mul(width),
        None => 0,
    };
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) if depth > 0 => return Err(truncated("content.xml")),
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        if too_deep(&ev, &mut depth) {
            return Err(ReadError::OverBudget(format!(
                "content.xml nests more than {MAX_XML_DEPTH} elements deep"
            )));
        }
        match &ev {
            Event::Start(e) | Event::Empty(e) => match e.name().into_inner() {
                "table:table" => {
                    total = total.saturating_add(table_grid(first, last, width));
                    (rows, first, last, width) = (0, None, 0, 0);
                }
                "table:table-row" => {
                    row_repeat = repeat(e, "table:number-rows-repeated");
                    (col, row_width) = (0, 0);
                    if matches!(ev, Event::Empty(_)) {
                        rows = rows.saturating_add(row_repeat);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" => {
                    let n = repeat(e, "table:number-columns-repeated");
                    col = col.saturating_add(n);
                    let has_value = matches!(ev, Event::Start(_))
                        || e.try_get_attribute("office:value-type")
                            .ok()
                            .flatten()
                            .is_some();
                    if has_value {
                        row_width = col;
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().into_inner() == "table:table-row" => {
                if row_width > 0 {
                    first.get_or_insert(rows);
                    last = rows.saturating_add(row_repeat - 1);
                    width = width.max(row_width);
                }
                rows = rows.saturating_add(row_repeat);
            }
            _ => {}
        }
        if total.saturating_add(table_grid(first, last, width)) > limits.max_grid_cells {
            return Err(ReadError::OverBudget(format!(
                "the spreadsheet's repeated rows and columns expand to more than {} cells",
                limits.max_grid_cells
            )));
        }
        buf.clear();
    }
    Ok(())
}

fn repeat(e: &BytesStart<'_>, attr: &str) -> u64 {
    e.try_get_attribute(attr)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// An .xlsx: calamine loads the shared-string table and the cell formats at
/// open, reserving what `<sst uniqueCount>` declares; count their entries
/// (streaming) and read the declaration first.
pub(crate) fn xlsx(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let Ok(mut za) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    for (path, element) in [("xl/sharedStrings.xml", "si"), ("xl/styles.xml", "xf")] {
        let Some(part) = archive::stream_entry(&mut za, path, limits) else {
            continue;
        };
        if count_elements(part, path, element, limits.max_grid_cells)? > limits.max_grid_cells {
            return Err(ReadError::OverBudget(format!(
                "{path} holds more than {} entries",
                limits.max_grid_cells
            )));
        }
    }
    Ok(())
}

/// The largest number written as `name="digits"` (or `'digits'`) in a raw
/// tag, however broken its other attributes.
fn declared_number(tag: &str, name: &str) -> u64 {
    let mut best = 0u64;
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        rest = &rest[at + name.len()..];
        let value = rest
            .trim_start()
            .strip_prefix('=')
            .map(|v| v.trim_start().trim_start_matches(['"', '\'']));
        if let Some(v) = value {
            let digits: String = v
                .chars()
                .take_while(char::is_ascii_digit)
                .take(20)
                .collect();
            best = best.max(digits.parse::<u64>().unwrap_or(u64::MAX));
        }
    }
    best
}

/// Follows the nesting of an XML stream; true once it is deeper than
/// [`MAX_XML_DEPTH`].
pub(crate) fn too_deep(ev: &Event<'_>, depth: &mut usize) -> bool {
    match ev {
        Event::Start(_) => *depth += 1,
        Event::End(_) => *depth = depth.saturating_sub(1),
        _ => {}
    }
    *depth > MAX_XML_DEPTH
}

/// calamine's readers loop until they see their closing tag and never look
/// for the end of the file: a part cut short (a damaged download, a crafted
/// zip) made one spin forever (found by `bench/fuzz.sh`).
fn truncated(part: &str) -> ReadError {
    ReadError::Unreadable(format!(
        "{part} ends before its elements close (a damaged or truncated file)"
    ))
}

/// Elements of this local name, counting stops just past `stop`; a
/// declared `uniqueCount` past `stop` counts as that many.
fn count_elements(
    xml: impl std::io::Read,
    part: &str,
    local: &str,
    stop: u64,
) -> Result<u64, ReadError> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(xml));
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut n = 0u64;
    let mut depth = 0usize;
    loop {
        let ev = reader.read_event_into(&mut buf);
        if ev.as_ref().is_ok_and(|e| too_deep(e, &mut depth)) {
            // Counted as over the budget: no workbook part nests like this.
            return Ok(u64::MAX);
        }
        match ev {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = e.local_name();
                if name.into_inner() == local {
                    n += 1;
                } else if name.into_inner() == "sst" {
                    // What calamine reserves (`count` is references, not
                    // entries, and may be large in a legitimate workbook).
                    // Read from the raw tag: calamine finds the attribute
                    // in a tag whose other attributes are malformed, where
                    // a strict attribute parser gives up (found by the
                    // fuzzer).
                    let declared = declared_number(&e, "uniqueCount");
                    n = n.max(declared);
                }
                if n > stop {
                    return Ok(n);
                }
            }
            Ok(Event::Eof) if depth > 0 => return Err(truncated(part)),
            Ok(Event::Eof) | Err(_) => return Ok(n),
            Ok(_) => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
