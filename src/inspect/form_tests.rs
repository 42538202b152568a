use super::*;

fn rows(r: &[&[&str]]) -> Vec<Vec<String>> {
    r.iter()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn ordinals() {
    assert_eq!(ordinal("（三）").map(|x| x.0), Some(3));
    assert_eq!(ordinal("(5)").map(|x| x.0), Some(5));
    assert_eq!(ordinal("二、").map(|x| x.0), Some(2));
    assert_eq!(ordinal("4").map(|x| x.0), Some(4));
    assert_eq!(ordinal("3.2智慧团建"), None);
    assert_eq!(ordinal("序号"), None);
    assert_eq!(ordinal("（六）"), None);
}

#[test]
fn placeholders() {
    assert!(is_placeholder(" / "));
    assert!(is_placeholder("／"));
    assert!(is_placeholder(""));
    assert!(is_placeholder("无"));
    assert!(!is_placeholder("开展活动3场"));
}

#[test]
fn unit_after_colon_or_in_next_cell() {
    let f = find(
        &rows(&[
            &["2017年东莞共青团工作开展情况表"],
            &["填表单位：石排镇团委   填表时间：2018年1月"],
        ]),
        None,
    )
    .expect("a form");
    assert_eq!(f.unit.as_deref(), Some("石排镇团委"));
    let f = find(&rows(&[&["填表单位", "", "凤岗镇团委"]]), None).expect("a form");
    assert_eq!(f.unit.as_deref(), Some("凤岗镇团委"));
}

#[test]
fn filled_rows_by_header_column() {
    let f = find(
        &rows(&[
            &["2017年东莞共青团工作开展情况表"],
            &["填表单位："],
            &["序号", "考核项目", "工作开展情况"],
            &["（一）", "青少年思想引领及青年人才工作", "开展活动"],
            &["（二）", "推进和落实共青团深化改革工作", "/"],
            &["（三）", "“网上共青团”建设工作"],
        ]),
        None,
    )
    .expect("a form");
    assert_eq!(f.unit, None);
    let filled: Vec<(Option<u8>, bool)> = f.rows.iter().map(|r| (r.ordinal, r.filled)).collect();
    assert_eq!(
        filled,
        vec![(Some(1), true), (Some(2), false), (Some(3), false)]
    );
}

#[test]
fn an_ordinary_table_is_not_a_form() {
    assert!(
        find(
            &rows(&[&["类别", "应录入", "已录入"], &["团员", "10", "9"]]),
            None
        )
        .is_none()
    );
}

#[test]
fn rows_keep_what_was_written_continuations_included() {
    let f = find(
        &rows(&[
            &["2017年东莞共青团工作开展情况表"],
            &["序号", "考核项目", "工作开展情况"],
            &[
                "（一）",
                "青少年思想引领",
                " 开展宣讲12场。\n覆盖1500人次。 ",
            ],
            &["", "", "另组织主题团日4次。"],
            &["（二）", "深化改革", "／"],
        ]),
        None,
    )
    .expect("a form");
    let texts: Vec<&str> = f.rows.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(
        texts,
        vec!["开展宣讲12场。\n覆盖1500人次。\n另组织主题团日4次。", ""]
    );
}

#[test]
fn a_long_text_is_cut_with_a_mark() {
    let long = "团".repeat(MAX_ROW_CHARS * 2);
    let f = find(
        &rows(&[
            &["序号", "考核项目", "工作开展情况"],
            &["（一）", "甲", &long],
            &["（二）", "乙", &long],
            &["（三）", "丙", "短"],
        ]),
        None,
    )
    .expect("a form");
    let first = &f.rows[0].text;
    assert_eq!(first.chars().count(), MAX_ROW_CHARS);
    assert!(first.ends_with(CUT));
    assert!(f.rows.iter().all(|r| r.filled));
    assert_eq!(f.rows[2].text, "短");
}
