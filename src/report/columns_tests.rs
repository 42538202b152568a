use super::*;

#[test]
fn chinese_takes_two_columns_and_padding_counts_columns_not_characters() {
    assert_eq!(width("石碣镇团委"), 10);
    assert_eq!(width("org"), 3);
    // Curly quotes are ambiguous-width: narrow, as terminals draw them.
    assert_eq!(width("“两新”团工委"), 1 + 4 + 1 + 2 * 3);
    // The same field width lines up whatever the script.
    let a = pad("石碣镇团委", 14);
    let b = pad("Shijie", 14);
    assert_eq!(width(&a), 14);
    assert_eq!(width(&b), 14);
    assert_eq!(a, "石碣镇团委    ");
    assert_eq!(pad_left("东城", 6), "  东城");
    // Too long: kept whole, the next column moves rather than losing text.
    assert_eq!(
        pad("东莞市虎门港管理委员会团委", 4),
        "东莞市虎门港管理委员会团委"
    );
}

#[test]
fn rows_of_mixed_names_line_up_column_by_column() {
    let rows = [
        ("石碣镇团委", "org"),
        ("Unit A", "school"),
        ("东城街道团工委", "x"),
    ];
    let lines: Vec<String> = rows
        .iter()
        .map(|(u, d)| format!("{}|{}|", pad(u, 16), pad(d, 7)))
        .collect();
    for l in &lines {
        assert_eq!(width(l), 16 + 1 + 7 + 1, "{l}");
        assert_eq!(l.find('|').map(|p| width(&l[..p])), Some(16), "{l}");
    }
}

#[test]
fn fit_cuts_by_columns_and_marks_the_cut() {
    assert_eq!(fit("回执：已收到虎门镇团委报送的材料", 11), "回执：已收…");
    assert_eq!(width(&fit("回执：已收到虎门镇团委报送的材料", 11)), 11);
    assert_eq!(fit("short", 10), "short");
    assert_eq!(fit("abcdefghij", 5), "abcd…");
    // A wide character that would straddle the limit is left out whole.
    assert_eq!(fit("a回执", 3), "a…");
}

#[test]
fn wrap_breaks_at_spaces_and_inside_chinese_runs() {
    assert_eq!(
        wrap("mailroom review --resolve 12", 16),
        ["mailroom review", "--resolve 12"]
    );
    let zh = wrap("请在网页邮箱的垃圾邮件中将发件人标记为不是垃圾邮件", 20);
    assert!(zh.iter().all(|l| width(l) <= 20), "{zh:?}");
    assert_eq!(
        zh.concat(),
        "请在网页邮箱的垃圾邮件中将发件人标记为不是垃圾邮件"
    );
    assert_eq!(wrap("", 10), [""]);
    // Chinese after a Latin word continues on the same line.
    assert_eq!(
        wrap("from a@b.cn — 石碣镇团委材料", 20),
        ["from a@b.cn — 石碣镇", "团委材料"]
    );
    let long = "x".repeat(25);
    assert_eq!(wrap(&long, 10).len(), 3);
}

#[test]
fn wrapped_text_with_a_label_stays_within_the_screen() {
    let action = "in webmail, open the junk folder and mark someone@example.test as not spam (这不是垃圾邮件), so the unit's next mail reaches INBOX; then: mailroom review --resolve 17";
    let text = format!("      → {}", wrap_indented(action, 8, 8, SCREEN));
    for l in text.lines() {
        assert!(width(l) <= SCREEN, "{} columns: {l}", width(l));
    }
    assert!(text.lines().count() >= 2);
    assert!(text.lines().skip(1).all(|l| l.starts_with("        ")));
    let words: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(
        words[1..].join(" "),
        action.split_whitespace().collect::<Vec<_>>().join(" ")
    );
}
