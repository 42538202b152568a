use chrono::TimeZone;

use super::*;

fn facts() -> ReceiptFacts {
    let tz: Tz = chrono_tz::Asia::Shanghai;
    ReceiptFacts {
        campaign_title: "2017年度东莞共青团工作考核".into(),
        unit_name: Some("虎门镇团委".into()),
        received_by: vec![Dept {
            name: "组织部".into(),
            mailbox: "tswzzb3@126.com".into(),
            contact: "莫镇源".into(),
            phone: "22114722".into(),
        }],
        projects: vec![("3".into(), "“网上共青团”建设工作".into())],
        items: vec![("3.2".into(), "“智慧团建”工作情况".into())],
        files: vec![FileLine {
            name: "虎门镇智慧团建工作情况.pdf".into(),
            size: 204_800,
            sha256: "b3b4895e60ece5f1bf56f53856e63e1a7f4ba1bfd20a98cc364df8521883b846".into(),
        }],
        arrived: tz
            .with_ymd_and_hms(2018, 1, 19, 10, 23, 48)
            .single()
            .expect("time")
            .with_timezone(&Utc),
        deadline: tz
            .with_ymd_and_hms(2018, 1, 26, 17, 30, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc),
        tz,
        problems: vec![],
    }
}

#[test]
fn on_time_receipt_names_unit_items_files_and_time() {
    let r = render(&facts());
    assert_eq!(
        r.subject,
        "回执：已收到虎门镇团委报送的“网上共青团”建设工作材料"
    );
    assert!(r.text.contains("虎门镇团委："));
    assert!(
        r.text
            .contains("团市委组织部已于 2018年01月19日 10:23:48 收到")
    );
    assert!(r.text.contains("【按时】"));
    assert!(
        r.text
            .contains("请联系团市委组织部 莫镇源（电话 22114722）"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("（三）“网上共青团”建设工作：3.2 “智慧团建”工作情况")
    );
    assert!(
        r.text
            .contains("虎门镇智慧团建工作情况.pdf（200 KB，校验码 b3b4895e60ec）")
    );
    assert!(!r.text.contains("逾期"));
    assert!(r.html.contains("<p>虎门镇团委：</p>"));
}

#[test]
fn late_receipt_says_late_and_by_how_much() {
    let mut f = facts();
    f.arrived = f.deadline + chrono::Duration::seconds(70);
    let r = render(&f);
    assert!(
        r.text
            .contains("【逾期】截止时间为 2018年01月26日 17:30，本次材料晚到 1 分钟"),
        "{}",
        r.text
    );
    assert!(r.text.contains("不纳入本年度评优范围"));
    f.arrived = f.deadline + chrono::Duration::hours(63) + chrono::Duration::minutes(42);
    assert!(render(&f).text.contains("晚到 2 天 15 小时"));
}

#[test]
fn problems_say_what_to_do() {
    let mut f = facts();
    f.unit_name = None;
    f.projects.clear();
    f.items.clear();
    f.problems = vec![
        Problem::Misrouted {
            belongs_to: vec![Dept {
                name: "组织部".into(),
                mailbox: "tswzzb3@126.com".into(),
                contact: String::new(),
                phone: String::new(),
            }],
        },
        Problem::UnitUnknown,
        Problem::NoAttachments,
        Problem::OnlyLink,
        Problem::Unreadable {
            files: vec!["表.xlsx".into()],
        },
        Problem::ArchiveRefused {
            files: vec!["材料.zip".into()],
        },
        Problem::NotAssessed,
        Problem::Resubmission,
    ];
    let r = render(&f);
    assert_eq!(r.subject, "回执：已收到贵单位报送的考核材料");
    for needle in [
        "系统不会自动转发，请将材料发送到组织部（tswzzb3@126.com）",
        "请在邮件标题中写明单位名称",
        "邮件中没有附件",
        "请将文件作为附件发送",
        "表.xlsx",
        "材料.zip",
        "不在考核范围内",
        "替代之前的版本",
    ] {
        assert!(r.text.contains(needle), "missing {needle:?} in\n{}", r.text);
    }
}

#[test]
fn html_is_escaped() {
    let mut f = facts();
    f.files[0].name = "<script>.pdf".into();
    let r = render(&f);
    assert!(r.html.contains("&lt;script&gt;.pdf"));
    assert!(!r.html.contains("<script>"));
}

#[test]
fn ordinals() {
    assert_eq!(project_ordinal("3"), "（三）");
    assert_eq!(project_ordinal("x"), "（x）");
}

#[test]
fn hostile_file_names_are_shown_cleaned_and_never_as_links() {
    let mut f = facts();
    f.files = vec![
        FileLine {
            name: "..\\..\\报告\u{202e}xcod.exe".into(),
            size: 10,
            sha256: "ab".repeat(32),
        },
        FileLine {
            name: "请访问 http://evil.example/领奖 <b>x.pdf".into(),
            size: 10,
            sha256: "cd".repeat(32),
        },
        FileLine {
            name: format!("{}.pdf", "长".repeat(300)),
            size: 10,
            sha256: "ef".repeat(32),
        },
    ];
    f.problems = vec![Problem::Unreadable {
        files: vec!["mailto:x@evil.example\u{7}.xls".into()],
    }];
    let r = render(&f);
    for part in [&r.text, &r.html] {
        assert!(!part.contains('\u{202e}') && !part.contains('\u{7}'));
        assert!(!part.contains("http://") && !part.contains("mailto:"));
        assert!(!part.contains("..\\"), "{part}");
        assert!(!part.contains(&"长".repeat(60)), "capped");
    }
    assert!(r.text.contains("报告xcod.exe"), "{}", r.text);
    assert!(r.text.contains("mailto：x＠evil.example.xls"), "{}", r.text);
    assert!(r.html.contains("领奖 &lt;b&gt;x.pdf"), "{}", r.html);
    assert!(!r.html.contains("<b>x"));
}

#[test]
fn password_protected_files_are_asked_for_without_the_password() {
    let problems = unreadable_problems([
        (
            "表.xls".to_owned(),
            "unreadable: 设置了密码 (workbook with a password: cannot be opened)",
        ),
        ("坏.docx".to_owned(), "unreadable: corrupt document: x"),
        ("大.xlsx".to_owned(), "unopened: too many cells"),
    ]);
    assert_eq!(
        problems,
        vec![
            Problem::PasswordProtected {
                files: vec!["表.xls".into()]
            },
            Problem::Unreadable {
                files: vec!["坏.docx".into()]
            },
        ]
    );
    let mut f = facts();
    f.problems = problems;
    let r = render(&f);
    assert!(
        r.text.contains(
            "以下文件设置了密码，系统无法打开：表.xls。请取消密码，将未加密的文件重新发送"
        ),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("以下文件无法打开（文件损坏或设置了密码）：坏.docx")
    );
    assert!(!r.text.contains("大.xlsx"));
}
