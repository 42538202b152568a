use std::io::Write;

use super::*;

const END: u32 = 0xFFFF_FFFE;
const FREE: u32 = 0xFFFF_FFFF;

/// A version-3 compound file with one stream in regular sectors: sector 0
/// the FAT, sector 1 the directory, then the stream (≥ 4096 bytes, so not
/// in the mini stream).
fn cfb_with(name: &str, mut data: Vec<u8>) -> Vec<u8> {
    let size = data.len().max(4096);
    data.resize(size, 0);
    let n = size.div_ceil(512);
    assert!(n + 2 <= 128, "one FAT sector");
    let mut b = vec![0u8; 512];
    b[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    b[0x18..0x1A].copy_from_slice(&0x3Eu16.to_le_bytes());
    b[0x1A..0x1C].copy_from_slice(&3u16.to_le_bytes());
    b[0x1C..0x1E].copy_from_slice(&0xFFFEu16.to_le_bytes());
    b[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
    b[0x20..0x22].copy_from_slice(&6u16.to_le_bytes());
    b[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
    b[0x30..0x34].copy_from_slice(&1u32.to_le_bytes());
    b[0x38..0x3C].copy_from_slice(&4096u32.to_le_bytes());
    b[0x3C..0x40].copy_from_slice(&END.to_le_bytes());
    b[0x44..0x48].copy_from_slice(&END.to_le_bytes());
    for i in 0..109 {
        let v = if i == 0 { 0 } else { FREE };
        b[0x4C + i * 4..0x50 + i * 4].copy_from_slice(&v.to_le_bytes());
    }
    let mut fat = vec![FREE; 128];
    fat[0] = 0xFFFF_FFFD;
    fat[1] = END;
    for i in 0..n {
        fat[2 + i] = if i + 1 == n { END } else { (3 + i) as u32 };
    }
    b.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    let mut dir = vec![0u8; 512];
    let entry = |d: &mut [u8], name: &str, kind: u8, start: u32, size: u32| {
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        for (i, u) in units.iter().enumerate() {
            d[i * 2..i * 2 + 2].copy_from_slice(&u.to_le_bytes());
        }
        d[0x40..0x42].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
        d[0x42] = kind;
        d[0x44..0x48].copy_from_slice(&FREE.to_le_bytes());
        d[0x48..0x4C].copy_from_slice(&FREE.to_le_bytes());
        d[0x4C..0x50].copy_from_slice(&FREE.to_le_bytes());
        d[0x74..0x78].copy_from_slice(&start.to_le_bytes());
        d[0x78..0x7C].copy_from_slice(&size.to_le_bytes());
    };
    entry(&mut dir[..128], "Root Entry", 5, END, 0);
    entry(&mut dir[128..256], name, 2, 2, size as u32);
    b.extend(dir);
    b.extend(data);
    b.resize(512 + (2 + n) * 512, 0);
    b
}

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend((data.len() as u16).to_le_bytes());
    r.extend(data);
    r
}

fn number(row: u16, col: u16) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend(col.to_le_bytes());
    d.extend([0u8; 10]);
    record(0x0203, &d)
}

fn dimensions(rows: u32, cols: u16) -> Vec<u8> {
    let mut d = 0u32.to_le_bytes().to_vec();
    d.extend(rows.to_le_bytes());
    d.extend(0u16.to_le_bytes());
    d.extend(cols.to_le_bytes());
    d.extend([0u8; 2]);
    record(0x0200, &d)
}

/// A Workbook stream: one sheet substream with these records.
fn workbook(records: &[Vec<u8>]) -> Vec<u8> {
    let mut s = record(0x0809, &[0u8; 16]);
    for r in records {
        s.extend(r);
    }
    s.extend(record(0x000A, &[]));
    s
}

#[test]
fn the_cfb_reader_reads_back_a_stream() {
    let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    let b = cfb_with("Workbook", data.clone());
    assert!(crate::inspect::cfb::stream(&workbook(&[]), &["Workbook"]).is_err());
    let got = crate::inspect::cfb::stream(&b, &["Workbook"]).expect("stream");
    assert_eq!(&got[..5000], &data[..]);
}

#[test]
fn an_xls_declaring_a_huge_sheet_is_not_opened() {
    let l = Limits::default();
    assert!(super::xls(&workbook(&small_sheet()), &l).is_ok());
    let huge = workbook(&[dimensions(u32::MAX, 0xFFFF), number(0, 0)]);
    assert!(super::xls(&huge, &l).is_err());
}

fn small_sheet() -> Vec<Vec<u8>> {
    vec![dimensions(40, 8), number(0, 0), number(39, 7)]
}

#[test]
fn an_xls_with_two_far_apart_cells_is_not_opened() {
    let l = Limits::default();
    // No DIMENSIONS at all: the cells' bounding box decides.
    let far = workbook(&[number(0, 0), number(65535, 255)]);
    let e = super::xls(&far, &l).expect_err("16.7 M cells");
    assert!(e.contains("cells"), "{e}");
}

fn zip_with(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in parts {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("start");
        w.write_all(body.as_bytes()).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

fn ods_table(rows_repeated: u64, cols_repeated: u64) -> Vec<u8> {
    let content = format!(
        r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="a"><table:table-row table:number-rows-repeated="{rows_repeated}"><table:table-cell table:number-columns-repeated="{cols_repeated}" office:value-type="float" office:value="1"/></table:table-row><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip_with(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", &content),
    ])
}

#[test]
fn ods_repeats_count_as_the_cells_they_expand_to_but_trailing_blanks_do_not() {
    let l = Limits::default();
    // LibreOffice ends every sheet with a million repeated blank rows.
    assert!(ods(&ods_table(30, 10), &l).is_ok());
    assert!(ods(&ods_table(4096, 4096), &l).is_err());
    assert!(ods(&ods_table(1, 1_000_000), &l).is_err());
}

#[test]
fn an_xlsx_with_millions_of_shared_strings_is_not_opened() {
    let l = Limits::default();
    let few = format!("<sst>{}</sst>", "<si><t>x</t></si>".repeat(100));
    let many = format!("<sst>{}</sst>", "<si/>".repeat(600_000));
    assert!(xlsx(&zip_with(&[("xl/sharedStrings.xml", &few)]), &l).is_ok());
    assert!(xlsx(&zip_with(&[("xl/sharedStrings.xml", &many)]), &l).is_err());
    let declared = r#"<sst count="5" uniqueCount="1000000000000"><si><t>x</t></si></sst>"#;
    assert!(xlsx(&zip_with(&[("xl/sharedStrings.xml", declared)]), &l).is_err());
    // A malformed attribute before it does not hide it (calamine still reads it).
    let broken =
        r#"<sst " ens="x" eformats.org/ss" uniqueCount="1000000000000"><si><t>x</t></si></sst>"#;
    assert!(xlsx(&zip_with(&[("xl/sharedStrings.xml", broken)]), &l).is_err());
}

#[test]
fn a_part_cut_short_is_unreadable_not_handed_to_calamine() {
    // calamine's ods reader loops forever on a table that never closes.
    let l = Limits::default();
    let cut = r#"<office:document-content><office:body><office:spreadsheet><table:table table:name="a"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;
    let ods_cut = zip_with(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", cut),
    ]);
    assert!(matches!(ods(&ods_cut, &l), Err(ReadError::Unreadable(_))));
    let sst_cut = zip_with(&[("xl/sharedStrings.xml", "<sst><si><t>x")]);
    assert!(matches!(xlsx(&sst_cut, &l), Err(ReadError::Unreadable(_))));
}

#[test]
fn dimensions_are_read_as_calamine_reads_them() {
    let biff8 = |rf: u32, rl: u32, cf: u16, cl: u16| {
        let mut d = Vec::new();
        d.extend_from_slice(&rf.to_le_bytes());
        d.extend_from_slice(&rl.to_le_bytes());
        d.extend_from_slice(&cf.to_le_bytes());
        d.extend_from_slice(&cl.to_le_bytes());
        d.extend_from_slice(&[0, 0]);
        d
    };
    let biff5 = |rf: u16, rl: u16, cf: u16, cl: u16| {
        [rf, rl, cf, cl, 0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<u8>>()
    };
    // An ordinary sheet: rows 0..10, columns 0..4 (last is exclusive).
    assert_eq!(calamine_reserve(&biff8(0, 10, 0, 4)), Some(40));
    // The fuzzer's shapes: a BIFF5 record of 10 bytes (16-bit rows), and a
    // first row after the last, whose count wraps to four billion.
    assert_eq!(
        calamine_reserve(&biff5(0, 65535, 0, 255)),
        Some(65535 * 255)
    );
    assert_eq!(
        calamine_reserve(&biff8(7, 3, 0, 2)),
        Some(u64::from(3u32.wrapping_sub(7)) * 2)
    );
    // Columns past 0xFF, or before the first, start at 0, as in calamine.
    assert_eq!(calamine_reserve(&biff8(0, 1, 300, 2)), Some(2));
    // Empty sheets reserve one cell; other lengths are refused.
    assert_eq!(calamine_reserve(&biff8(0, 0, 0, 0)), Some(1));
    assert_eq!(calamine_reserve(&[0; 12]), None);
}

#[test]
fn the_fuzzers_xls_is_not_opened() {
    // A workbook stream with a BOF and a 10-byte DIMENSIONS record declaring
    // 65,535 × 255 cells: over any budget, so calamine never sees it.
    let mut stream = Vec::new();
    let mut record = |typ: u16, data: &[u8]| {
        stream.extend_from_slice(&typ.to_le_bytes());
        stream.extend_from_slice(&(data.len() as u16).to_le_bytes());
        stream.extend_from_slice(data);
    };
    record(0x0809, &[0; 16]);
    let dims: Vec<u8> = [0u16, 65535, 0, 255, 0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    record(0x0200, &dims);
    assert!(xls(&stream, &Limits::default()).is_err());
}
