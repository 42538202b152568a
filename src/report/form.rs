//! The blank overview form (工作开展情况表) as in the notice's attachment,
//! generated from the campaign file, attached to reminders so a unit that
//! lost it can fill it in.

use anyhow::{Context, Result};
use rust_xlsxwriter::{Format, FormatAlign, Workbook};

use super::sheets;
use crate::config::CampaignFile;
use crate::outbox::receipt::project_ordinal;

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// "2017年东莞共青团工作开展情况表.xlsx"
pub fn filename(c: &CampaignFile) -> String {
    format!("{}.xlsx", c.campaign.form_heading)
}

/// The form: heading, 填表单位, and one row per project with an empty
/// 工作开展情况 cell, laid out like the notice's table and, like it, on one
/// portrait A4 page with "附件" at the top left. The project rows start
/// with room to write but no fixed height: Excel, WPS and LibreOffice fit a
/// row to the text a unit types into it, and the printout shows all of it
/// (pages follow, with the header row, only when the text outgrows one
/// page).
pub fn blank(c: &CampaignFile) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("工作开展情况表").context("bad sheet name")?;
    let title = Format::new()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let head = sheets::head();
    let ordinal = sheets::cell().set_align(FormatAlign::Center);
    let cell = sheets::cell();
    ws.merge_range(0, 0, 0, 2, &c.campaign.form_heading, &title)?;
    ws.set_row_height(0, 36)?;
    ws.write_string(1, 0, "填表单位：")?;
    ws.set_row_height(1, 24)?;
    ws.set_row_height(2, 20)?;
    ws.write_string_with_format(2, 0, "序号", &head)?;
    ws.write_string_with_format(2, 1, "考核项目", &head)?;
    ws.write_string_with_format(2, 2, "工作开展情况", &head)?;
    for (i, p) in c.projects.iter().enumerate() {
        let r = (i + 3) as u32;
        ws.write_string_with_format(r, 0, project_ordinal(&p.code), &ordinal)?;
        ws.write_string_with_format(r, 1, &p.title, &cell)?;
        ws.write_string_with_format(r, 2, "", &cell)?;
        ws.set_row_height(
            r,
            sheets::row_height([(p.title.as_str(), TITLE_WIDTH)]).max(ROOM_PT),
        )?;
    }
    // Within the printable width of portrait A4 at full size.
    ws.set_column_width(0, 7)?;
    ws.set_column_width(1, TITLE_WIDTH)?;
    ws.set_column_width(2, 62)?;
    // The notice puts "附件" above the heading, at the top left of the page.
    ws.set_header("&L附件");
    sheets::portrait(
        ws,
        &sheets::Titles {
            rows: (2, 2),
            columns: None,
        },
    )?;
    let bytes = wb.save_to_buffer().context("cannot write the form")?;
    // The project rows start tall enough to fill the page, and fit again
    // to what a unit types (rows 4–8 in the sheet's own numbering).
    let rows = 4..=(3 + c.projects.len() as u32);
    sheets::refit_on_edit(&bytes, "xl/worksheets/sheet1.xml", rows)
}

/// The 考核项目 column.
const TITLE_WIDTH: f64 = 22.0;
/// A project row before anything is typed: room to write, five rows and
/// the heading on one portrait page.
const ROOM_PT: f64 = 120.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blank_form_is_recognised_by_our_own_form_reader_and_is_empty() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/campaign-2017.toml"),
        )
        .expect("campaign");
        let c: CampaignFile = toml::from_str(&text).expect("parses");
        let bytes = blank(&c).expect("xlsx");
        assert_eq!(filename(&c), "2017年东莞共青团工作开展情况表.xlsx");
        // Mail it to ourselves: the inspector must see a form with five
        // empty rows (a blank form counts for nothing).
        let raw = format!(
            "From: a@b.cn\r\nSubject: form\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: {XLSX_MIME}; name=\"form.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--x--\r\n",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes)
        );
        let insp = crate::inspect::inspect(raw.as_bytes(), &crate::inspect::Limits::default());
        let forms = &insp.attachments[0].forms;
        assert_eq!(forms.len(), 1, "{:?}", insp.attachments[0]);
        assert_eq!(forms[0].rows.len(), 5);
        assert!(forms[0].rows.iter().all(|r| !r.filled));
        assert_eq!(forms[0].unit, None);
    }
}
