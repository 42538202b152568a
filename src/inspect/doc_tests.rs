use super::*;
use crate::inspect::{FileKind, Limits, PASSWORD_PROTECTED, content};

/// Where crafted documents keep their text in `WordDocument` (after the FIB).
const TEXT_AT: usize = 1024;

/// A version-3 compound file holding `streams`, each padded to 4096 bytes
/// so no mini stream is needed (as tests/data/hostile/make.py builds them).
fn cfb(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
    const SS: usize = 512;
    const FREE: u32 = 0xFFFF_FFFF;
    const END: u32 = 0xFFFF_FFFE;
    const FATSECT: u32 = 0xFFFF_FFFD;
    let mut data = Vec::new();
    let mut starts = Vec::new();
    let mut fat: Vec<u32> = Vec::new();
    for (_, s) in streams {
        let mut s = s.clone();
        let size = s.len().max(4096);
        s.resize(size.div_ceil(SS) * SS, 0);
        let first = data.len() / SS;
        let n = s.len() / SS;
        starts.push((first as u32, size as u64));
        for i in 0..n {
            fat.push(if i + 1 < n {
                (first + i + 1) as u32
            } else {
                END
            });
        }
        data.extend(s);
    }
    let n_data = data.len() / SS;
    let n_dir = (streams.len() + 1).div_ceil(4);
    let mut n_fat = 1;
    while n_data + n_dir + n_fat > n_fat * (SS / 4) {
        n_fat += 1;
    }
    for i in 0..n_dir {
        fat.push(if i + 1 < n_dir {
            (n_data + i + 1) as u32
        } else {
            END
        });
    }
    fat.extend(std::iter::repeat_n(FATSECT, n_fat));
    fat.resize(n_fat * SS / 4, FREE);
    let entry = |name: &str, typ: u8, child: u32, start: u32, size: u64, right: u32| {
        let mut e: Vec<u8> = name
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        let len = e.len() as u16;
        e.resize(64, 0);
        e.extend(len.to_le_bytes());
        e.extend([typ, 1]);
        for x in [FREE, right, child] {
            e.extend(x.to_le_bytes());
        }
        e.extend([0; 36]);
        e.extend(start.to_le_bytes());
        e.extend(size.to_le_bytes());
        e
    };
    let mut dir = entry("Root Entry", 5, 1, END, 0, FREE);
    for (i, (name, _)) in streams.iter().enumerate() {
        let right = if i + 1 < streams.len() {
            i as u32 + 2
        } else {
            FREE
        };
        let (start, size) = starts[i];
        dir.extend(entry(name, 2, FREE, start, size, right));
    }
    dir.resize(n_dir * SS, 0);
    let mut h = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    h.resize(24, 0);
    for x in [0x3Eu16, 3, 0xFFFE, 9, 6] {
        h.extend(x.to_le_bytes());
    }
    h.resize(0x2C, 0);
    let fat_first = (n_data + n_dir) as u32;
    for x in [n_fat as u32, n_data as u32, 0, 0x1000, END, 0, END, 0] {
        h.extend(x.to_le_bytes());
    }
    for i in 0..109u32 {
        h.extend(
            if (i as usize) < n_fat {
                fat_first + i
            } else {
                FREE
            }
            .to_le_bytes(),
        );
    }
    assert_eq!(h.len(), 512);
    h.extend(data);
    h.extend(dir);
    h.extend(fat.iter().flat_map(|x| x.to_le_bytes()));
    h
}

/// A piece of crafted text: 8-bit bytes, or UTF-16.
enum Part<'a> {
    Bytes8(&'a [u8]),
    Utf16(&'a str),
}

/// A Word 97 FIB (FibBase, 14 words, 22 longs, 93 pairs) with these flags,
/// `ccpText`, and pairs.
fn fib_bytes(flags: u16, ccp_text: u32, pairs: &[(usize, u32, u32)]) -> Vec<u8> {
    let mut w = vec![0u8; 32];
    w[0..2].copy_from_slice(&0xA5ECu16.to_le_bytes());
    w[2..4].copy_from_slice(&0xC1u16.to_le_bytes());
    w[0x0A..0x0C].copy_from_slice(&flags.to_le_bytes());
    w.extend(14u16.to_le_bytes());
    w.extend([0; 28]);
    w.extend(22u16.to_le_bytes());
    let mut lw = [0u32; 22];
    lw[3] = ccp_text;
    w.extend(lw.iter().flat_map(|x| x.to_le_bytes()));
    w.extend(93u16.to_le_bytes());
    let mut rg = [0u32; 186];
    for &(i, fc, lcb) in pairs {
        rg[2 * i] = fc;
        rg[2 * i + 1] = lcb;
    }
    w.extend(rg.iter().flat_map(|x| x.to_le_bytes()));
    w
}

/// A .doc (table stream 1Table) whose main text is `parts`, one piece each.
/// `edit` may change the CLX and `ccpText` before they are stored.
fn doc_with(parts: &[Part<'_>], flags: u16, edit: impl FnOnce(&mut Vec<u8>, &mut u32)) -> Vec<u8> {
    let mut text = Vec::new();
    let mut cps = vec![0u32];
    let mut pcds = Vec::new();
    for p in parts {
        let at = (TEXT_AT + text.len()) as u32;
        let (fc, n) = match p {
            Part::Bytes8(b) => {
                text.extend_from_slice(b);
                ((at * 2) | FC_COMPRESSED, b.len())
            }
            Part::Utf16(s) => {
                let units: Vec<u16> = s.encode_utf16().collect();
                text.extend(units.iter().flat_map(|u| u.to_le_bytes()));
                (at, units.len())
            }
        };
        cps.push(cps.last().copied().unwrap_or(0) + n as u32);
        pcds.extend([0, 0]);
        pcds.extend(fc.to_le_bytes());
        pcds.extend([0, 0]);
    }
    let mut plc: Vec<u8> = cps.iter().flat_map(|c| c.to_le_bytes()).collect();
    plc.extend(pcds);
    let mut clx = vec![2];
    clx.extend((plc.len() as u32).to_le_bytes());
    clx.extend(plc);
    let mut ccp = cps.last().copied().unwrap_or(0);
    edit(&mut clx, &mut ccp);
    let mut word = fib_bytes(flags, ccp, &[(CLX, 0, clx.len() as u32)]);
    word.resize(TEXT_AT, 0);
    word.extend(text);
    let table = if flags & F_WHICH_TBL_STM != 0 {
        "1Table"
    } else {
        "0Table"
    };
    cfb(&[("WordDocument", word), (table, clx)])
}

fn doc(parts: &[Part<'_>]) -> Vec<u8> {
    doc_with(parts, F_WHICH_TBL_STM, |_, _| {})
}

fn rows_of(bytes: &[u8]) -> Vec<Vec<String>> {
    match read(bytes) {
        Ok(r) => r,
        Err(ReadError::Unreadable(e) | ReadError::OverBudget(e)) => panic!("not read: {e}"),
    }
}

fn unreadable_reason(bytes: &[u8]) -> String {
    match read(bytes) {
        Ok(r) => panic!("read, expected a failure: {r:?}"),
        Err(ReadError::Unreadable(e)) => e,
        Err(ReadError::OverBudget(e)) => panic!("over budget, expected unreadable: {e}"),
    }
}

fn strings(r: &[&[&str]]) -> Vec<Vec<String>> {
    r.iter()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn cp1252_and_utf16_pieces_make_one_text() {
    let d = doc(&[
        Part::Bytes8(b"Report \x93draft\x94 \x80 5\r"),
        Part::Utf16("填表单位：石排镇团委\r"),
        Part::Bytes8(b"end"),
    ]);
    assert_eq!(
        rows_of(&d),
        strings(&[&["Report “draft” € 5"], &["填表单位：石排镇团委"], &["end"]])
    );
}

#[test]
fn cells_and_rows_without_paragraph_properties() {
    // No bin table: a mark right after a cell mark ends the row.
    let d = doc(&[Part::Utf16(
        "工作开展情况表\r序号\x07考核项目\x07工作开展情况\x07\x07（一）\x07思想引领\x07开展活动\x07\x07after\r",
    )]);
    assert_eq!(
        rows_of(&d),
        strings(&[
            &["工作开展情况表"],
            &["序号", "考核项目", "工作开展情况"],
            &["（一）", "思想引领", "开展活动"],
            &["after"],
        ])
    );
}

#[test]
fn fields_show_their_result_and_controls_are_dropped() {
    let d = doc(&[Part::Utf16(
        "见\u{13} HYPERLINK \"http://x\" \u{14}链接\u{15}文字\u{1}\ta\u{b}b\r",
    )]);
    assert_eq!(rows_of(&d), strings(&[&["见链接文字 a\nb"]]));
}

#[test]
fn the_zero_table_stream_is_used_when_the_fib_says_so() {
    let d = doc_with(&[Part::Utf16("正文\r")], 0, |_, _| {});
    assert_eq!(rows_of(&d), strings(&[&["正文"]]));
}

#[test]
fn text_past_ccp_text_is_not_main_text() {
    let d = doc_with(
        &[Part::Utf16("正文\r页眉\r")],
        F_WHICH_TBL_STM,
        |_, ccp| {
            *ccp = 3;
        },
    );
    assert_eq!(rows_of(&d), strings(&[&["正文"]]));
}

#[test]
fn encrypted_fib_is_password_protected() {
    let d = doc_with(
        &[Part::Utf16("x\r")],
        F_WHICH_TBL_STM | F_ENCRYPTED,
        |_, _| {},
    );
    assert!(unreadable_reason(&d).starts_with(PASSWORD_PROTECTED));
}

#[test]
fn word95_and_other_streams_are_unreadable() {
    let mut word = fib_bytes(0, 0, &[]);
    word[0..2].copy_from_slice(&WORD95_IDENT.to_le_bytes());
    let d = cfb(&[("WordDocument", word), ("1Table", vec![2])]);
    assert!(unreadable_reason(&d).contains("Word 6.0/95"));
    let d = cfb(&[("Contents", vec![1, 2, 3])]);
    assert!(unreadable_reason(&d).contains("WordDocument"));
}

// ---------------------------------------------------------------- hostile

#[test]
fn truncated_piece_table_fails() {
    let d = doc_with(
        &[Part::Utf16("正文正文\r")],
        F_WHICH_TBL_STM,
        |clx, _| {
            clx.truncate(clx.len() - 5);
        },
    );
    assert!(unreadable_reason(&d).contains("piece table"));
    let d = doc_with(&[Part::Utf16("正文\r")], F_WHICH_TBL_STM, |clx, _| {
        clx.truncate(3);
    });
    assert!(unreadable_reason(&d).contains("cut short"));
}

#[test]
fn piece_pointing_past_the_stream_fails() {
    let d = doc_with(&[Part::Utf16("正文\r")], F_WHICH_TBL_STM, |clx, _| {
        // The one PCD's fc, after the two CPs.
        clx[5 + 8 + 2..5 + 8 + 6].copy_from_slice(&0x3FFF_0000u32.to_le_bytes());
    });
    assert!(unreadable_reason(&d).contains("past the WordDocument stream"));
}

#[test]
fn huge_counts_fail_without_allocating() {
    // A piece table declaring 4 GB.
    let d = doc_with(&[Part::Utf16("正文\r")], F_WHICH_TBL_STM, |clx, _| {
        clx[1..5].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    });
    assert!(unreadable_reason(&d).contains("runs past the table stream"));
    // One piece of two billion characters at the start of the stream.
    let d = doc_with(&[Part::Utf16("正文\r")], F_WHICH_TBL_STM, |clx, ccp| {
        clx[9..13].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
        *ccp = u32::MAX;
    });
    assert!(unreadable_reason(&d).contains("past the WordDocument stream"));
    // Many pieces over the same bytes: more text than the stream holds.
    let pieces: Vec<Part<'_>> = (0..64).map(|_| Part::Bytes8(&[b'x'; 100])).collect();
    let d = doc_with(&pieces, F_WHICH_TBL_STM, |clx, ccp| {
        let n = 64;
        *ccp = 64 * 4000;
        for i in 0..n {
            let at = 5 + 4 * (n + 1) + 8 * i + 2;
            clx[at..at + 4]
                .copy_from_slice(&(((TEXT_AT as u32) * 2) | FC_COMPRESSED).to_le_bytes());
        }
        let cps = 5;
        for i in 0..=n {
            let at = cps + 4 * i;
            clx[at..at + 4].copy_from_slice(&((i as u32) * 4000).to_le_bytes());
        }
    });
    let why = unreadable_reason(&d);
    assert!(why.contains("more text") || why.contains("past"), "{why}");
}

#[test]
fn pieces_out_of_order_fail() {
    let d = doc_with(
        &[Part::Utf16("甲\r"), Part::Utf16("乙\r")],
        F_WHICH_TBL_STM,
        |clx, _| {
            clx[5 + 4..5 + 8].copy_from_slice(&9u32.to_le_bytes());
        },
    );
    assert!(unreadable_reason(&d).contains("out of order"));
}

#[test]
fn clx_without_a_piece_table_fails() {
    for clx in [vec![], vec![7, 0, 0], vec![1, 0xFF, 0xFF, 1]] {
        let d = doc_with(&[Part::Utf16("x\r")], F_WHICH_TBL_STM, |c, _| {
            *c = clx.clone()
        });
        let why = unreadable_reason(&d);
        assert!(why.contains("piece table") || why.contains("CLX"), "{why}");
    }
}

#[test]
fn garbage_paragraph_properties_give_text_not_a_panic() {
    // The bin table sends every paragraph to a "page" that holds the text
    // and then filler: whatever it says, the text is still read.
    let text = "序号\x07项目\x07\x07正文\r";
    let d = doc(&[Part::Utf16(text)]);
    let container = Container::parse(&d).expect("parses");
    let word = container.stream("WordDocument").expect("word");
    let mut table = container.stream("1Table").expect("table");
    let clx_len = u32::try_from(table.len()).expect("small");
    for x in [0u32, 0xFFFF_FFFF, 2, 0xFFFF_FFFF] {
        table.extend(x.to_le_bytes());
    }
    let pairs = [(CLX, 0, clx_len), (PLCF_BTE_PAPX, clx_len, 16)];
    let fib = fib_bytes(F_WHICH_TBL_STM, 9, &pairs);
    let text_end = TEXT_AT + 2 * text.encode_utf16().count();
    for fill in [0x00, 0x01, 0x02, 0x1D, 0x7F, 0xFF] {
        let mut w = word.clone();
        w[..fib.len()].copy_from_slice(&fib);
        w[text_end..3 * PAGE].fill(fill);
        let d = cfb(&[("WordDocument", w), ("1Table", table.clone())]);
        let rows = rows_of(&d);
        assert!(
            rows.iter().flatten().any(|c| c.contains("正文")),
            "{rows:?}"
        );
    }
}

#[test]
fn text_is_read_up_to_its_cap() {
    let big = vec![b'x'; MAX_TEXT_CHARS + 1000];
    let d = doc(&[Part::Bytes8(&big)]);
    let rows = rows_of(&d);
    let chars: usize = rows.iter().flatten().map(|c| c.chars().count()).sum();
    assert_eq!(chars, MAX_TEXT_CHARS);
}

// ---------------------------------------------------------------- fixtures

const FORM_DOC: &[u8] = include_bytes!("../../tests/data/doc/form.doc");
const FORM_WPS: &[u8] = include_bytes!("../../tests/data/doc/form.wps");
const FORM_DOCX: &[u8] = include_bytes!("../../tests/data/doc/form.docx");

fn form_of(name: &str, bytes: &[u8]) -> crate::inspect::Form {
    let a = content::analyse(name, bytes, &Limits::default());
    assert_eq!(a.unreadable, None, "{name}");
    assert_eq!(a.unopened, None, "{name}");
    assert_eq!(a.forms.len(), 1, "{name}: {:?}", a.forms);
    a.forms.into_iter().next().expect("one form")
}

#[test]
fn form_doc_is_read_like_the_docx() {
    let f = form_of("工作开展情况表.doc", FORM_DOC);
    assert_eq!(f, form_of("工作开展情况表.docx", FORM_DOCX));
    assert_eq!(f.unit.as_deref(), Some("石排镇团委"));
    // The remark paragraph after the table is a row without an ordinal, in
    // the docx as here.
    let filled: Vec<(Option<u8>, bool)> = f
        .rows
        .iter()
        .filter(|r| r.ordinal.is_some())
        .map(|r| (r.ordinal, r.filled))
        .collect();
    assert_eq!(
        filled,
        vec![
            (Some(1), true),
            (Some(2), false),
            (Some(3), true),
            (Some(4), false),
            (Some(5), false)
        ]
    );
}

#[test]
fn form_doc_keeps_cells_rows_and_paragraphs() {
    let rows = rows_of(FORM_DOC);
    assert_eq!(
        rows.first(),
        Some(&vec!["2017年东莞共青团工作开展情况表".to_owned()])
    );
    assert!(rows.contains(&vec![
        "（一）".to_owned(),
        "青少年思想引领及青年人才工作".to_owned(),
        "组织学习十九大精神宣讲12场。\n覆盖团员青年1500人次。".to_owned(),
    ]));
    assert!(rows.contains(&vec![
        "（四）".to_owned(),
        "服务青少年成长发展工作".to_owned(),
        String::new(),
    ]));
    assert!(
        rows.iter()
            .flatten()
            .any(|c| c.contains("青年之声平台建设")),
        "{rows:?}"
    );
}

#[test]
fn wps_is_read_as_a_doc() {
    let a = content::analyse("工作开展情况表.wps", FORM_WPS, &Limits::default());
    assert_eq!(a.kind, FileKind::Doc);
    assert_eq!(a.forms, vec![form_of("工作开展情况表.doc", FORM_DOC)]);
}

#[test]
fn damaged_fixtures_fail_bounded_never_panic() {
    // Every prefix on a sector boundary, and a byte flipped every 97 bytes.
    for cut in (0..FORM_DOC.len()).step_by(512) {
        let _ = read(&FORM_DOC[..cut]);
    }
    for at in (0..FORM_DOC.len()).step_by(97) {
        let mut d = FORM_DOC.to_vec();
        d[at] ^= 0xA5;
        let _ = read(&d);
    }
}

#[test]
fn encrypted_files_of_every_kind_are_password_protected() {
    for (name, bytes) in [
        (
            "材料.doc",
            &include_bytes!("../../tests/data/doc/protected.doc")[..],
        ),
        (
            "材料.xls",
            &include_bytes!("../../tests/data/doc/protected.xls")[..],
        ),
        (
            "材料.docx",
            &include_bytes!("../../tests/data/doc/protected.docx")[..],
        ),
        (
            "材料.xlsx",
            &include_bytes!("../../tests/data/doc/protected.xlsx")[..],
        ),
        (
            "材料.pdf",
            &include_bytes!("../../tests/data/doc/protected.pdf")[..],
        ),
    ] {
        let a = content::analyse(name, bytes, &Limits::default());
        let why = a.unreadable.unwrap_or_default();
        assert!(why.starts_with(PASSWORD_PROTECTED), "{name}: {why:?}");
    }
    // Their unprotected relatives are not.
    for (name, bytes) in [("表.doc", FORM_DOC), ("表.docx", FORM_DOCX)] {
        assert_eq!(
            content::analyse(name, bytes, &Limits::default()).unreadable,
            None
        );
    }
}
