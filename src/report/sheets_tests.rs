//! The workbooks as a printer sees them: the page setup in each sheet's
//! XML, the print titles in the workbook's defined names, and Chinese
//! where a clerk reads.

use std::collections::HashSet;
use std::io::{Cursor, Read};

use calamine::{Reader, Xlsx};

use crate::report::testing::{at, config, delivery};
use crate::report::{DeliveryView, export, form};

fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).expect("xlsx is a zip");
    let mut out = String::new();
    zip.by_name(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_to_string(&mut out)
        .expect("utf-8 part");
    out
}

/// The attributes of the first `<tag …>` element in `xml`.
fn element<'a>(xml: &'a str, tag: &str) -> &'a str {
    let start = xml
        .find(&format!("<{tag} "))
        .unwrap_or_else(|| panic!("no <{tag}> in {xml}"));
    let end = xml[start..].find('>').expect("closed") + start;
    &xml[start..end]
}

/// What a sheet prints on every page (quotes around sheet names dropped:
/// writers add them only where a name needs them).
fn print_titles(workbook: &str, sheet: usize) -> String {
    let open = format!("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{sheet}\">");
    let start = workbook
        .find(&open)
        .unwrap_or_else(|| panic!("no print titles for sheet {sheet}: {workbook}"))
        + open.len();
    let end = workbook[start..].find("</definedName>").expect("closed") + start;
    workbook[start..end].replace('\'', "")
}

/// A4, fit to one page wide and any number tall, in `orientation`.
fn assert_printable(sheet: &str, orientation: &str) {
    let setup = element(sheet, "pageSetup");
    assert!(
        setup.contains(&format!("orientation=\"{orientation}\"")),
        "{setup}"
    );
    assert!(setup.contains("paperSize=\"9\""), "A4: {setup}");
    // fitToWidth defaults to 1 and may be left out.
    assert!(
        !setup.contains("fitToWidth") || setup.contains("fitToWidth=\"1\""),
        "{setup}"
    );
    assert!(setup.contains("fitToHeight=\"0\""), "{setup}");
    assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{sheet}");
    assert!(
        sheet.contains("&amp;P") && sheet.contains("&amp;N"),
        "page numbers"
    );
}

/// Deliveries with every kind of cell the issue saw in English.
fn deliveries() -> Vec<DeliveryView> {
    let mut on_time = delivery(1, Some("shijie"), &["3.2"], "2018-01-20T10:00:00+08:00");
    on_time.flags = vec!["unknown_sender".into(), "unreadable_attachment".into()];
    let mut other = delivery(2, None, &[], "2018-01-21T10:00:00+08:00");
    other.kind = "other".into();
    other.receipt = "suppressed:other".into();
    let mut late = delivery(3, Some("shilong"), &["2.1"], "2018-01-27T10:00:00+08:00");
    late.receipt = "queued".into();
    vec![on_time, other, late]
}

#[test]
fn workbooks_print_settings_present_and_values_in_chinese() {
    let cfg = config();
    let bytes = export::xlsx(&cfg, &deliveries()).expect("export");

    // Sheet 1: the deliveries; sheet 2: the matrix. Both landscape.
    let subs = part(&bytes, "xl/worksheets/sheet1.xml");
    let matrix = part(&bytes, "xl/worksheets/sheet2.xml");
    assert_printable(&subs, "landscape");
    assert_printable(&matrix, "landscape");
    // The header row and the unit column(s) print on every page.
    let wb = part(&bytes, "xl/workbook.xml");
    assert_eq!(print_titles(&wb, 0), "报送记录!$A:$B,报送记录!$1:$1");
    assert_eq!(print_titles(&wb, 1), "单位×项目!$A:$A,单位×项目!$4:$4");
    // Borders and wrapped text.
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<left style=\"thin\">"), "{styles}");
    assert!(styles.contains("wrapText=\"1\""), "{styles}");
    assert!(styles.contains("vertical=\"top\""), "{styles}");

    let mut book = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
    let sheet = book.worksheet_range("报送记录").expect("deliveries sheet");
    let cell = |r: usize, c: usize| sheet.get((r, c)).map(|x| x.to_string()).unwrap_or_default();
    let head: Vec<String> = (0..15).map(|c| cell(0, c)).collect();
    let col = |name: &str| head.iter().position(|h| h == name).expect(name);
    assert_eq!(&head[..2], ["编号", "报送单位"]);
    assert_eq!(cell(1, col("报送单位")), "石碣镇团委");
    assert_eq!(cell(1, col("类型")), "报送材料");
    assert_eq!(cell(1, col("标记")), "发件邮箱未登记；附件无法打开");
    assert_eq!(cell(1, col("回执")), "已发送");
    assert_eq!(cell(2, col("类型")), "其他邮件");
    assert_eq!(cell(2, col("回执")), "未发送（非报送邮件）");
    assert_eq!(cell(3, col("回执")), "待发送");
    for r in 1..=3 {
        for c in ["类型", "标记", "回执"] {
            let v = cell(r, col(c));
            assert!(
                !v.chars().any(|x| x.is_ascii_alphabetic()),
                "{c} row {r}: {v}"
            );
        }
    }
    let m = book.worksheet_range("单位×项目").expect("matrix sheet");
    // The header row holds whole titles (wrapped, not cut).
    assert_eq!(
        m.get((3, 1)).map(|x| x.to_string()).as_deref(),
        Some("1 青少年思想引领及青年人才工作")
    );
}

#[test]
fn the_digest_workbook_prints_like_the_export() {
    let cfg = config();
    let all = deliveries();
    let d = crate::schedule::digest::build(
        &cfg,
        &all,
        &HashSet::new(),
        "org",
        at("2018-01-19T17:00:00+08:00"),
        at("2018-01-27T17:00:00+08:00"),
    );
    let bytes = crate::schedule::digest::xlsx(&cfg, &d).expect("digest workbook");
    assert_printable(&part(&bytes, "xl/worksheets/sheet1.xml"), "landscape");
    assert_printable(&part(&bytes, "xl/worksheets/sheet2.xml"), "landscape");
    let wb = part(&bytes, "xl/workbook.xml");
    assert_eq!(print_titles(&wb, 0), "报送情况!$A:$A,报送情况!$4:$4");
    assert_eq!(print_titles(&wb, 1), "新收材料!$A:$B,新收材料!$1:$1");
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
    let m = book.worksheet_range("报送情况").expect("matrix");
    // Whole item titles ("2.1 加强团的基层基" was all a printout showed).
    let (_, item) = cfg.campaign.item("2.1").expect("item 2.1");
    assert_eq!(
        m.get((3, 2)).map(|x| x.to_string()),
        Some(format!("2.1 {}", item.title))
    );
    let arrivals = book.worksheet_range("新收材料").expect("arrivals");
    // Submissions only: the first and the late one.
    assert_eq!(arrivals.height(), 3);
    assert_eq!(
        arrivals.get((1, 4)).map(|x| x.to_string()).as_deref(),
        Some("报送材料")
    );
    assert_eq!(
        arrivals.get((2, 14)).map(|x| x.to_string()).as_deref(),
        Some("待发送")
    );
}

#[test]
fn the_blank_form_prints_on_one_portrait_page_like_the_notice() {
    let cfg = config();
    let bytes = form::blank(&cfg.campaign).expect("form");
    let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
    assert_printable(&sheet, "portrait");
    // "附件" at the top left, as in the notice.
    assert!(
        sheet.contains("<oddHeader>&amp;L附件</oddHeader>"),
        "{sheet}"
    );
    // The project rows start with room to write and no fixed height: they
    // fit again to the text typed into them.
    for r in 4..=8 {
        let row = element(&sheet, &format!("row r=\"{r}\""));
        assert!(!row.contains("customHeight"), "{row}");
        assert!(row.contains("ht=\"120\""), "{row}");
    }
    // All rows on one page: A4 is 841.89 pt tall, less 0.75 in margins.
    let total: f64 = sheet
        .match_indices(" ht=\"")
        .map(|(i, m)| {
            let v = &sheet[i + m.len()..];
            v[..v.find('"').expect("quote")]
                .parse::<f64>()
                .expect("height")
        })
        .sum();
    assert!(total <= 841.89 - 2.0 * 54.0, "{total} pt");
    // Still the form our own reader knows, and still empty.
    let raw = format!(
        "From: a@b.cn\r\nSubject: form\r\nMIME-Version: 1.0\r\nContent-Type: {}; name=\"f.xlsx\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        form::XLSX_MIME,
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes)
    );
    let insp = crate::inspect::inspect(raw.as_bytes(), &crate::inspect::Limits::default());
    let forms = &insp.attachments[0].forms;
    assert_eq!(forms.len(), 1, "{:?}", insp.attachments[0]);
    assert!(forms[0].rows.iter().all(|r| !r.filled));
    let wb = part(&bytes, "xl/workbook.xml");
    assert_eq!(print_titles(&wb, 0), "工作开展情况表!$3:$3");
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("vertical=\"top\""), "{styles}");
    // The three columns fit the printable width of portrait A4 (8.27 in
    // less 0.7 in margins each side, 96 px an inch) at full size.
    let widths: f64 = sheet
        .match_indices("<col ")
        .map(|(i, _)| {
            let c = &sheet[i..i + sheet[i..].find('>').expect("col")];
            let w = c.split("width=\"").nth(1).expect("width");
            w[..w.find('"').expect("quote")]
                .parse::<f64>()
                .expect("number")
        })
        // The XML width includes the cell padding: 7 px a character.
        .map(|w| w * 7.0)
        .sum();
    assert!(widths <= (8.27 - 1.4) * 96.0, "{widths} px");
}

#[test]
fn the_forms_summary_prints_like_the_export() {
    use crate::report::forms;
    let cfg = config();
    let found = forms::Found {
        unit: "shipai".into(),
        file: "石排.docx".into(),
        received_at: at("2018-01-22T10:00:00+08:00"),
        texts: vec![("1".into(), "宣讲12场".into())],
    };
    let lines = forms::lines(&cfg, vec![found]);
    let bytes = forms::xlsx(&cfg, &lines, at("2018-01-29T08:00:00+08:00")).expect("summary");
    assert_printable(&part(&bytes, "xl/worksheets/sheet1.xml"), "landscape");
    assert_printable(&part(&bytes, "xl/worksheets/sheet2.xml"), "portrait");
    let wb = part(&bytes, "xl/workbook.xml");
    // The header row and the 序号/单位 columns on every page.
    assert_eq!(
        print_titles(&wb, 0),
        "工作开展情况表汇总!$A:$B,工作开展情况表汇总!$3:$3"
    );
    assert_eq!(print_titles(&wb, 1), "未报送工作开展情况表的单位!$3:$3");
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<left style=\"thin\">"), "{styles}");
    assert!(styles.contains("wrapText=\"1\""), "{styles}");
    assert!(styles.contains("vertical=\"top\""), "{styles}");
}
