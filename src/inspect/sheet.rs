//! Spreadsheets (xlsx, xls, ods, WPS .et) through calamine. The specific
//! reader is called (not `open_workbook_auto`), so a password or a corrupt
//! file keeps its own error instead of "cannot detect file format".

use std::io::Cursor;

use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsx, open_workbook_from_rs};

use super::{FileKind, Limits};

/// Rows of cell text, one list per sheet.
pub(crate) type Sheets = Vec<Vec<Vec<String>>>;

pub(crate) use super::budget::ReadError as Error;

pub(crate) fn read(bytes: &[u8], kind: FileKind, limits: &Limits) -> Result<Sheets, Error> {
    let checked = match kind {
        FileKind::Xls => {
            // calamine's own container reader follows a looping sector
            // chain until memory runs out; ours stops.
            let stream = super::cfb::stream(bytes, &["Workbook", "Book"])
                .map_err(|e| Error::Unreadable(format!("corrupt OLE container: {e}")))?;
            // Past FILEPASS the records are ciphertext: say why, rather than
            // what calamine makes of them.
            if super::protect::xls_encrypted(&stream) {
                return Err(Error::Unreadable(super::protect::reason("workbook")));
            }
            super::budget::xls(&stream, limits).map_err(Error::OverBudget)
        }
        FileKind::Ods => super::budget::ods(bytes, limits),
        FileKind::Xlsx => super::budget::xlsx(bytes, limits),
        _ => Ok(()),
    };
    checked?;
    // calamine is a large parser fed hostile bytes: a panic there is an
    // unreadable file, not a dead daemon.
    match std::panic::catch_unwind(|| read_inner(bytes, kind, limits)) {
        Ok(r) => r.map_err(Error::Unreadable),
        Err(_) => Err(Error::Unreadable(
            "the spreadsheet reader failed on this file".into(),
        )),
    }
}

fn read_inner(bytes: &[u8], kind: FileKind, limits: &Limits) -> Result<Sheets, String> {
    let cur = Cursor::new(bytes);
    match kind {
        FileKind::Xlsx => {
            let mut wb: Xlsx<_> = open_workbook_from_rs(cur)
                .map_err(|e: calamine::XlsxError| describe(&e.to_string()))?;
            Ok(xlsx_sheets(&mut wb, limits))
        }
        FileKind::Xls => {
            let mut wb: Xls<_> = open_workbook_from_rs(cur)
                .map_err(|e: calamine::XlsError| describe(&e.to_string()))?;
            Ok(all_sheets(&mut wb, limits))
        }
        FileKind::Ods => {
            let mut wb: Ods<_> = open_workbook_from_rs(cur)
                .map_err(|e: calamine::OdsError| describe(&e.to_string()))?;
            Ok(all_sheets(&mut wb, limits))
        }
        _ => Err("not a spreadsheet".into()),
    }
}

fn describe(e: &str) -> String {
    if e.to_ascii_lowercase().contains("password") {
        super::protect::reason("workbook")
    } else {
        format!("the workbook cannot be opened: {e}")
    }
}

fn all_sheets<RS, R>(wb: &mut R, limits: &Limits) -> Sheets
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
{
    let mut out = Vec::new();
    let mut cells = 0usize;
    for name in wb.sheet_names() {
        let Ok(range) = wb.worksheet_range(&name) else {
            continue;
        };
        let mut rows = Vec::new();
        for row in range.rows() {
            cells += row.len();
            if cells > limits.max_cells {
                break;
            }
            rows.push(row.iter().map(cell_text).collect());
        }
        out.push(rows);
        if cells > limits.max_cells {
            break;
        }
    }
    out
}

/// xlsx is read cell by cell: a sheet declaring cells at A1 and XFD1048576
/// would make a dense `Range` of 17 billion cells.
fn xlsx_sheets<RS: std::io::Read + std::io::Seek>(wb: &mut Xlsx<RS>, limits: &Limits) -> Sheets {
    let mut out = Vec::new();
    let mut cells = 0usize;
    for name in wb.sheet_names() {
        let Ok(mut reader) = wb.worksheet_cells_reader(&name) else {
            continue;
        };
        let mut sparse: std::collections::BTreeMap<(u32, u32), String> = Default::default();
        while let Ok(Some(cell)) = reader.next_cell() {
            cells += 1;
            if cells > limits.max_cells {
                break;
            }
            let text = match cell.get_value() {
                DataRef::Empty => continue,
                DataRef::String(s) => s.clone(),
                DataRef::SharedString(s) => (*s).to_owned(),
                DataRef::Int(i) => i.to_string(),
                DataRef::Float(f) => f.to_string(),
                DataRef::Bool(b) => b.to_string(),
                DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
                DataRef::DateTime(d) => d.to_string(),
                DataRef::Error(e) => e.to_string(),
            };
            sparse.insert(cell.get_position(), text);
        }
        out.push(dense_rows(sparse));
        if cells > limits.max_cells {
            break;
        }
    }
    out
}

/// Rows in order; within a row, cells in column order with gaps kept as "".
fn dense_rows(sparse: std::collections::BTreeMap<(u32, u32), String>) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cur_row: Option<u32> = None;
    for ((r, c), text) in sparse {
        if cur_row != Some(r) {
            rows.push(Vec::new());
            cur_row = Some(r);
        }
        if let Some(row) = rows.last_mut() {
            // Gaps beyond a few columns are collapsed: column positions only
            // matter relative to each other for the form.
            let want = (c as usize).min(row.len() + 4);
            while row.len() < want {
                row.push(String::new());
            }
            row.push(text);
        }
    }
    rows
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}
