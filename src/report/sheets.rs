//! What every workbook mailroom writes (the export, the digest's
//! attachment, the blank overview form) has in common on paper: A4, one
//! page wide however many columns, the header row (and the unit column) on
//! every page, borders, wrapped and top-aligned text. Clerks print these
//! sheets to file them or take them to a meeting; Excel's defaults (US
//! Letter, portrait, columns spilling onto further pages, no borders) made
//! that useless.

use std::io::{Cursor, Read, Write};
use std::ops::RangeInclusive;

use anyhow::{Context, Result};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet};

use super::columns;

/// Excel's paper size code for A4.
pub const A4: u8 = 9;

/// Rows and columns printed on every page.
pub struct Titles {
    /// The header row (first, last).
    pub rows: (u32, u32),
    /// The columns that say which unit a row is about (first, last).
    pub columns: Option<(u16, u16)>,
}

/// Page numbers at the foot, so loose pages go back in order.
const FOOTER: &str = "&C第 &P 页，共 &N 页";

fn common(ws: &mut Worksheet, titles: &Titles) -> Result<()> {
    ws.set_paper_size(A4);
    // One page wide, as many pages tall as the rows need.
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(titles.rows.0, titles.rows.1)?;
    if let Some((first, last)) = titles.columns {
        ws.set_repeat_columns(first, last)?;
    }
    ws.set_footer(FOOTER);
    ws.set_print_center_horizontally(true);
    Ok(())
}

/// Landscape A4: the matrix and the list of deliveries, whose columns
/// outnumber what portrait holds legibly.
pub fn landscape(ws: &mut Worksheet, titles: &Titles) -> Result<()> {
    ws.set_landscape();
    // Narrow margins: more of the page for the table, scaled down less.
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
    common(ws, titles)
}

/// Portrait A4, the layout of the overview form in the notice's
/// attachment.
pub fn portrait(ws: &mut Worksheet, titles: &Titles) -> Result<()> {
    ws.set_portrait();
    common(ws, titles)
}

/// Header cells: bold, wrapped (long item titles show whole), bordered,
/// shaded.
pub fn head() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
}

/// Body cells: bordered, wrapped, top-aligned (a row grows with its
/// longest cell and every cell reads from the top).
pub fn cell() -> Format {
    Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
}

/// A sheet's title line above the table.
pub fn title() -> Format {
    Format::new().set_bold().set_font_size(14)
}

/// Points a line of 11-point text takes, Chinese fonts included.
const LINE_PT: f64 = 15.0;

/// How many lines `text` takes wrapped in a column `chars` wide (Excel's
/// unit: the width of a digit, 7 pixels at 11 points). A Chinese
/// character is 11 points, 14.7 pixels: a little over two digits; Latin
/// text wraps at words and wastes some of each line.
pub fn lines(text: &str, chars: f64) -> usize {
    let usable = (chars - 0.5).max(1.0);
    text.split('\n')
        .map(|l| ((columns::width(l) as f64 * 1.05) / usable).ceil().max(1.0) as usize)
        .sum()
}

/// The height of a row holding these (text, column width) cells: its
/// longest cell, whole. Set explicitly because LibreOffice and WPS print a
/// row at its stored height, cutting what does not fit, whatever Excel
/// would have made of it.
pub fn row_height<'a>(cells: impl IntoIterator<Item = (&'a str, f64)>) -> f64 {
    let n = cells
        .into_iter()
        .map(|(t, w)| lines(t, w))
        .max()
        .unwrap_or(1);
    n as f64 * LINE_PT + 3.0
}

/// Marks `rows` (1-based, as in the sheet's XML) of the worksheet part
/// `part` as sized automatically: the height stays as written, and Excel,
/// WPS and LibreOffice fit the row again when someone types into it.
/// rust_xlsxwriter marks every row given a height as fixed
/// (`customHeight="1"`), which is what cut off long text in the form.
pub fn refit_on_edit(xlsx: &[u8], part: &str, rows: RangeInclusive<u32>) -> Result<Vec<u8>> {
    let mut src = zip::ZipArchive::new(Cursor::new(xlsx)).context("cannot reread the workbook")?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..src.len() {
        let entry = src.by_index_raw(i).context("cannot reread the workbook")?;
        let name = entry.name().context("a workbook part has no name")?;
        if name != part {
            out.raw_copy_file(entry)
                .context("cannot copy a workbook part")?;
            continue;
        }
        drop(entry);
        let mut xml = String::new();
        src.by_index(i)
            .context("cannot reread the worksheet")?
            .read_to_string(&mut xml)
            .context("cannot reread the worksheet")?;
        for r in rows.clone() {
            let open = format!("<row r=\"{r}\" ");
            let Some(start) = xml.find(&open) else {
                continue;
            };
            let Some(len) = xml[start..].find('>') else {
                continue;
            };
            let tag = xml[start..start + len].replace(" customHeight=\"1\"", "");
            xml.replace_range(start..start + len, &tag);
        }
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file(part, options)
            .context("cannot rewrite the worksheet")?;
        out.write_all(xml.as_bytes())
            .context("cannot rewrite the worksheet")?;
    }
    Ok(out
        .finish()
        .context("cannot finish the workbook")?
        .into_inner())
}

#[cfg(test)]
#[path = "sheets_tests.rs"]
mod tests;
