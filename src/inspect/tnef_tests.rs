use super::*;

fn attr(level: u8, id: u32, data: &[u8]) -> Vec<u8> {
    let mut v = vec![level];
    v.extend(id.to_le_bytes());
    v.extend((data.len() as u32).to_le_bytes());
    v.extend(data);
    let sum: u32 = data.iter().map(|&b| u32::from(b)).sum();
    v.extend(((sum & 0xFFFF) as u16).to_le_bytes());
    v
}

fn tnef(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut v = SIGNATURE.to_le_bytes().to_vec();
    v.extend(0x0001u16.to_le_bytes());
    for p in parts {
        v.extend(p);
    }
    v
}

fn long_name_props(name: &str) -> Vec<u8> {
    let units: Vec<u8> = name
        .encode_utf16()
        .chain([0])
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let mut v = 1u32.to_le_bytes().to_vec();
    v.extend(0x001Fu16.to_le_bytes());
    v.extend(PR_ATTACH_LONG_FILENAME.to_le_bytes());
    v.extend(1u32.to_le_bytes());
    v.extend((units.len() as u32).to_le_bytes());
    v.extend(&units);
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
    v
}

#[test]
fn names_from_unicode_long_filename_else_gbk_title() {
    let gbk_title = encoding_rs::GB18030.encode("学做.doc").0.into_owned();
    let mut title = gbk_title.clone();
    title.push(0);
    let t = tnef(&[
        attr(1, 0x0008_8008, b"IPM.Microsoft Mail.Note\0"),
        attr(2, 0x0006_9002, &[1, 0, 0, 0]),
        attr(2, 0x0001_8010, &title),
        attr(2, 0x0006_800F, b"first"),
        attr(2, 0x0006_9005, &long_name_props("学做教育实践总结.docx")),
        attr(2, 0x0006_9002, &[1, 0, 0, 0]),
        attr(2, 0x0001_8010, &title),
        attr(2, 0x0006_800F, b"second"),
    ]);
    let (files, broken) = parse(&t);
    assert_eq!(broken, None);
    assert_eq!(
        files,
        vec![
            TnefFile {
                name: "学做教育实践总结.docx".into(),
                data: b"first".to_vec()
            },
            TnefFile {
                name: "学做.doc".into(),
                data: b"second".to_vec()
            },
        ]
    );
}

#[test]
fn not_tnef_or_truncated_gives_what_is_complete() {
    assert!(parse(b"PK\x03\x04").0.is_empty());
    let mut t = tnef(&[
        attr(2, 0x0006_9002, &[1, 0, 0, 0]),
        attr(2, 0x0006_800F, b"whole"),
        attr(2, 0x0006_9002, &[1, 0, 0, 0]),
        attr(2, 0x0006_800F, b"cut off here"),
    ]);
    t.truncate(t.len() - 6);
    let (files, broken) = parse(&t);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].data, b"whole");
    assert!(broken.is_some_and(|b| b.contains("past the end")));
}
