use std::io::Write;

use super::*;

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A stored zip with raw name bytes, flags and declared sizes as given.
/// (raw name, flags, data, declared uncompressed size)
type Entry<'a> = (&'a [u8], u16, &'a [u8], Option<u32>);

fn raw_zip(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, flags, data, declared) in entries {
        let off = out.len() as u32;
        let size = declared.unwrap_or(data.len() as u32);
        let crc = crc32(data);
        let mut h = b"PK\x03\x04".to_vec();
        h.extend(20u16.to_le_bytes());
        h.extend(flags.to_le_bytes());
        h.extend(0u16.to_le_bytes()); // stored
        h.extend([0, 0, 0x21, 0]); // time, date
        h.extend(crc.to_le_bytes());
        h.extend((data.len() as u32).to_le_bytes());
        h.extend(size.to_le_bytes());
        h.extend((name.len() as u16).to_le_bytes());
        h.extend(0u16.to_le_bytes());
        h.extend(*name);
        out.extend(&h);
        out.extend(*data);
        let mut c = b"PK\x01\x02".to_vec();
        c.extend(20u16.to_le_bytes());
        c.extend(20u16.to_le_bytes());
        c.extend(flags.to_le_bytes());
        c.extend(0u16.to_le_bytes());
        c.extend([0, 0, 0x21, 0]);
        c.extend(crc.to_le_bytes());
        c.extend((data.len() as u32).to_le_bytes());
        c.extend(size.to_le_bytes());
        c.extend((name.len() as u16).to_le_bytes());
        c.extend([0u8; 8]);
        c.extend(0u32.to_le_bytes());
        c.extend(off.to_le_bytes());
        c.extend(*name);
        central.extend(c);
    }
    let cd_off = out.len() as u32;
    out.extend(&central);
    out.extend(b"PK\x05\x06");
    out.extend([0u8; 4]);
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd_off.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[test]
fn gbk_names_without_flag_and_utf8_names_without_flag() {
    let gbk = encoding_rs::GB18030
        .encode("中堂镇/3.2智慧团建/录入.xlsx")
        .0
        .into_owned();
    let mac = "黄江镇/说明.txt".as_bytes();
    let flagged = "茶山镇/照片.jpg".as_bytes();
    let z = raw_zip(&[
        (&gbk, 0, b"x", None),
        (mac, 0, b"y", None),
        (flagged, 0x0800, b"z", None),
        (b"dir/", 0, b"", None),
    ]);
    let s = scan(&z, &Limits::default(), 0).expect("a zip");
    assert_eq!(
        s.member_paths(),
        vec![
            "中堂镇/3.2智慧团建/录入.xlsx",
            "黄江镇/说明.txt",
            "茶山镇/照片.jpg"
        ]
    );
    assert!(s.suspicious.is_none());
}

#[test]
fn declared_ratio_and_total_are_judged_before_reading() {
    let limits = Limits::default();
    // 400 MiB declared from 4 KiB stored: ratio far above 100:1.
    let bomb = raw_zip(&[(b"video.mp4", 0, &[0u8; 4096], Some(400 << 20))]);
    let s = scan(&bomb, &limits, 0).expect("a zip");
    assert!(s.suspicious.as_deref().is_some_and(|w| w.contains("ratio")));
    assert_eq!(s.member_paths(), vec!["video.mp4"]);
    // Many moderately compressible entries adding up past the total.
    let small = Limits {
        max_total_uncompressed: 10,
        ..Limits::default()
    };
    let z = raw_zip(&[(b"a", 0, b"123456", None), (b"b", 0, b"123456", None)]);
    assert!(scan(&z, &small, 0).expect("a zip").suspicious.is_some());
    // Entry count.
    let few = Limits {
        max_entries: 1,
        ..Limits::default()
    };
    assert!(scan(&z, &few, 0).expect("a zip").suspicious.is_some());
}

#[test]
fn unsafe_member_paths_are_reported() {
    let z = raw_zip(&[(b"../../evil.sh", 0, b"x", None)]);
    let s = scan(&z, &Limits::default(), 0).expect("a zip");
    assert_eq!(s.unsafe_member.as_deref(), Some("../../evil.sh"));
}

#[test]
fn a_lying_header_cannot_make_us_decompress_more_than_declared() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("zeros.bin", opts).expect("start");
    w.write_all(&vec![0u8; 100_000]).expect("write");
    let mut z = w.finish().expect("finish").into_inner();
    // Declare 10 bytes uncompressed in both headers.
    z[22..26].copy_from_slice(&10u32.to_le_bytes());
    let c = z
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("central header");
    z[c + 24..c + 28].copy_from_slice(&10u32.to_le_bytes());
    let limits = Limits::default();
    let r = read_entry(&z, 0, 10, &limits);
    assert!(
        matches!(r, Err(ReadError::TooBig(_))),
        "{:?} {:?}",
        r.as_ref().map(|b| b.len()),
        &z[..40]
    );
    assert!(verify_actual(&z, &limits).is_err());
}

#[test]
fn nested_zip_is_checked() {
    let inner = raw_zip(&[(b"big.bin", 0, &[0u8; 4096], Some(400 << 20))]);
    let outer = raw_zip(&[(b"inner.zip", 0, &inner, None)]);
    let s = scan(&outer, &Limits::default(), 0).expect("a zip");
    assert!(
        s.suspicious
            .as_deref()
            .is_some_and(|w| w.contains("nested"))
    );
}
