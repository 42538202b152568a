use super::*;

#[test]
fn rfc2047_gb2312_label_decodes_gbk_only_characters() {
    // 道滘 in GBK under a GB2312 label (Foxmail, sample 019).
    let w = "=?GB2312?B?tcCc8tXyzcXOrw==?=";
    assert_eq!(decode_words(w), "道滘镇团委");
}

#[test]
fn rfc2047_joins_adjacent_words_split_inside_a_character() {
    // "石碣" in GBK split after the first byte of 碣.
    let gbk = encoding_rs::GB18030.encode("石碣").0.into_owned();
    let b = base64::engine::general_purpose::STANDARD;
    let w = format!(
        "=?gbk?B?{}?= =?gbk?B?{}?=",
        b.encode(&gbk[..3]),
        b.encode(&gbk[3..])
    );
    assert_eq!(decode_words(&w), "石碣");
}

#[test]
fn rfc2047_q_and_big5() {
    assert_eq!(decode_words("=?utf-8?Q?=E5=9B=A2_a?="), "团 a");
    let big5 = encoding_rs::BIG5.encode("團委").0.into_owned();
    let w = format!(
        "=?big5?B?{}?=",
        base64::engine::general_purpose::STANDARD.encode(big5)
    );
    assert_eq!(decode_words(&w), "團委");
}

#[test]
fn raw_8bit_is_utf8_else_gb18030() {
    let gbk = encoding_rs::GB18030.encode("石龙镇").0.into_owned();
    assert_eq!(decode_8bit(&gbk), ("石龙镇".to_owned(), true));
    assert_eq!(
        decode_8bit("石龙镇".as_bytes()),
        ("石龙镇".to_owned(), false)
    );
}

#[test]
fn rfc2231_continuations_join_bytes_before_decoding() {
    // Apple Mail splits the percent-encoded UTF-8 in the middle of 碣.
    let v = "attachment;\r\n filename*0*=utf-8''%E7%9F%B3%E7%A2;\r\n filename*1*=%A3.pdf";
    let p = parse_params(v);
    assert_eq!(p.value, "attachment");
    assert_eq!(p.get("filename"), Some("石碣.pdf"));
}

#[test]
fn rfc2231_wins_and_2047_inside_quotes_is_decoded() {
    let p = parse_params("application/pdf; name=\"=?UTF-8?B?5Zui5aeU?=.pdf\"");
    assert_eq!(p.get("name"), Some("团委.pdf"));
    let p = parse_params("attachment; filename=\"x.pdf\"; filename*=utf-8''%E5%9B%A2.pdf");
    assert_eq!(p.get("filename"), Some("团.pdf"));
}

#[test]
fn quoted_windows_paths_keep_backslashes() {
    let p = parse_params("attachment; filename=\"C:\\Users\\a.xlsx\"");
    assert_eq!(p.get("filename"), Some("C:\\Users\\a.xlsx"));
    assert!(is_unsafe_path("C:\\Users\\a.xlsx"));
}

#[test]
fn unsafe_paths() {
    assert!(is_unsafe_path("../../etc/passwd.xlsx"));
    assert!(is_unsafe_path("/etc/passwd"));
    assert!(is_unsafe_path("a/../../b"));
    assert!(is_unsafe_path("\\\\server\\share\\x"));
    assert!(!is_unsafe_path("材料/3.2智慧团建/录入.xlsx"));
    assert!(!is_unsafe_path("a..b.pdf"));
}

#[test]
fn safe_filenames() {
    assert_eq!(safe_filename("../../etc/passwd.xlsx"), "passwd.xlsx");
    assert_eq!(safe_filename("a\u{0}b\u{202e}c.pdf"), "a_b_c.pdf");
    assert_eq!(safe_filename(".."), "attachment");
    assert_eq!(safe_filename("x:y?.pdf"), "x_y_.pdf");
    assert_eq!(safe_filename("con.txt"), "_con.txt");
    let long = format!("{}.pdf", "长".repeat(300));
    let s = safe_filename(&long);
    assert_eq!(s.chars().count(), 120);
    assert!(s.ends_with(".pdf"));
}

#[test]
fn extensions() {
    assert_eq!(extension("a/b.XLSX"), "xlsx");
    assert_eq!(extension("noext"), "");
}
