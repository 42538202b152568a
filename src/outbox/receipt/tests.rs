use chrono::TimeZone;

use super::*;

fn org() -> Dept {
    Dept {
        name: "组织部".into(),
        mailbox: "tswzzb3@126.com".into(),
        contact: "莫镇源".into(),
        phone: "22114722".into(),
    }
}

fn facts() -> ReceiptFacts {
    let tz: Tz = chrono_tz::Asia::Shanghai;
    ReceiptFacts {
        campaign_title: "2017年度东莞共青团工作考核".into(),
        unit_name: Some("虎门镇团委".into()),
        received_by: vec![org()],
        projects: vec![("3".into(), "“网上共青团”建设工作".into())],
        items: vec![("3.2".into(), "“智慧团建”工作情况".into())],
        files: vec![FileLine {
            name: "虎门镇智慧团建工作情况.pdf".into(),
            size: 204_800,
        }],
        arrived: tz
            .with_ymd_and_hms(2018, 1, 19, 8, 3, 48)
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
fn on_time_receipt_names_unit_items_files_time_contact_and_signature() {
    let r = render(&facts());
    assert_eq!(r.subject, "【回执】虎门镇团委考核材料已收到（按时）");
    assert!(r.text.starts_with("虎门镇团委：\n\n【按时】团市委组织部于2018年1月19日 8:03收到贵单位报送的（三）“网上共青团”建设工作材料（文件1个），在截止时间前送达，材料已登记"), "{}", r.text);
    assert!(
        r.text.contains("请联系团市委组织部莫镇源（电话22114722）"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("（三）“网上共青团”建设工作：“智慧团建”工作情况")
    );
    assert!(
        r.text.contains("虎门镇智慧团建工作情况.pdf（200KB）"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("共青团东莞市委员会组织部\n　"),
        "{}",
        r.text
    );
    assert!(r.text.trim_end().ends_with("2018年1月19日"), "{}", r.text);
    assert!(!r.text.contains("逾期"));
    assert!(r.html.contains("<p>虎门镇团委：</p>"));
}

#[test]
fn late_receipt_says_late_and_by_how_much() {
    let mut f = facts();
    f.arrived = f.deadline + chrono::Duration::seconds(70);
    let r = render(&f);
    assert_eq!(r.subject, "【逾期】虎门镇团委考核材料已收到");
    assert!(
        r.text.contains("晚于截止时间（2018年1月26日 17:30）1分钟"),
        "{}",
        r.text
    );
    assert!(r.text.contains("不纳入本年度评优范围"));
    f.arrived = f.deadline + chrono::Duration::hours(63) + chrono::Duration::minutes(42);
    assert!(
        render(&f)
            .text
            .contains("晚于截止时间（2018年1月26日 17:30）2天15小时")
    );
}

/// Each outcome: its word in a subject a phone shows whole.
#[test]
fn subjects_are_short_and_carry_the_outcome() {
    let mut cases: Vec<(&str, ReceiptFacts)> = Vec::new();
    cases.push(("按时", facts()));
    let mut late = facts();
    late.arrived = late.deadline + chrono::Duration::days(1);
    cases.push(("逾期", late));
    for p in [
        Problem::NoAttachments,
        Problem::OnlyLink,
        Problem::LockFiles {
            files: vec!["~$表.xlsx".into()],
            nothing_else: true,
        },
        Problem::Unreadable {
            files: vec!["表.xlsx".into()],
        },
        Problem::ArchiveRefused {
            files: vec!["材料.zip".into()],
        },
    ] {
        let mut f = facts();
        f.problems = vec![p];
        cases.push(("需补正", f));
    }
    let mut mis = facts();
    mis.problems = vec![Problem::Misrouted {
        belongs_to: vec![org()],
    }];
    cases.push(("改发", mis));
    let mut unknown = facts();
    unknown.unit_name = None;
    unknown.problems = vec![Problem::UnitUnknown];
    cases.push(("注明单位", unknown));
    let more: Vec<(&str, ReceiptFacts)> = cases
        .iter()
        .map(|(w, f)| {
            let mut long = f.clone();
            if long.unit_name.is_some() {
                long.unit_name = Some("东莞实业投资控股集团团委".into());
            }
            (*w, long)
        })
        .collect();
    cases.extend(more);
    for (word, f) in &cases {
        let s = subject(f);
        assert!(s.chars().count() <= MAX_SUBJECT, "{s}");
        assert!(s.contains(word), "{word} in {s}");
    }
}

#[test]
fn on_time_never_stands_alone_when_something_is_asked() {
    for p in [
        Problem::NoAttachments,
        Problem::OnlyLink,
        Problem::LockFiles {
            files: vec!["~$报告.xlsx".into()],
            nothing_else: true,
        },
        Problem::PartlyElsewhere { also: vec![org()] },
        Problem::UnitUnknown,
    ] {
        let mut f = facts();
        f.problems = vec![p];
        let r = render(&f);
        assert!(!r.text.contains("【按时】"), "{}", r.text);
        assert!(!r.subject.contains("（按时）"), "{}", r.subject);
        assert!(r.text.contains("需要贵单位办理"), "{}", r.text);
    }
}

#[test]
fn a_lock_file_is_called_a_lock_file() {
    let mut f = facts();
    f.files = vec![FileLine {
        name: "~$望牛墩镇工作开展情况表.xlsx".into(),
        size: 165,
    }];
    f.problems = vec![Problem::LockFiles {
        files: vec!["~$望牛墩镇工作开展情况表.xlsx".into()],
        nothing_else: true,
    }];
    let r = render(&f);
    assert!(r.text.contains("附件为临时文件"), "{}", r.text);
    assert!(
        r.text.contains("是 Office 临时文件，不是材料本身"),
        "{}",
        r.text
    );
    assert!(
        !r.text.contains("损坏") && !r.text.contains("密码"),
        "{}",
        r.text
    );
    assert!(r.text.contains("（165字节）"), "{}", r.text);
}

#[test]
fn a_late_resubmission_keeps_the_on_time_version() {
    let mut f = facts();
    f.problems = vec![Problem::Resubmission];
    f.arrived = f.deadline + chrono::Duration::hours(2);
    let late = render(&f).text;
    assert!(late.contains("此前按时报送的材料继续有效"), "{late}");
    assert!(late.contains("供科室参考"), "{late}");
    assert!(!late.contains("替代"), "{late}");
    f.arrived = f.deadline - chrono::Duration::hours(2);
    let on_time = render(&f).text;
    assert!(on_time.contains("此前报送的材料继续保留"), "{on_time}");
    assert!(!on_time.contains("替代"), "{on_time}");
}

#[test]
fn misrouting_names_the_right_department_with_contact_and_phone() {
    let mut f = facts();
    f.received_by = vec![Dept {
        name: "宣传部".into(),
        mailbox: "2219564@163.com".into(),
        contact: "邓杓均".into(),
        phone: "22228086".into(),
    }];
    f.problems = vec![Problem::Misrouted {
        belongs_to: vec![org()],
    }];
    let r = render(&f);
    assert_eq!(r.subject, "【请改发】虎门镇团委材料应发送至组织部");
    assert!(
        r.text
            .contains("请将材料发送到组织部（联系人莫镇源，电话22114722，邮箱tswzzb3@126.com）"),
        "{}",
        r.text
    );
    assert!(r.text.contains("共青团东莞市委员会宣传部"), "{}", r.text);
}

#[test]
fn problems_say_what_to_do() {
    let mut f = facts();
    f.unit_name = None;
    f.projects.clear();
    f.items.clear();
    f.problems = vec![
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
        Problem::UnsafeFilename,
    ];
    let r = render(&f);
    assert!(r.text.starts_with("您好："), "{}", r.text);
    for needle in [
        "请在邮件标题中写明单位名称",
        "邮件中没有附件",
        "请将文件作为附件重新发送",
        "“表.xlsx”",
        "“材料.zip”",
        "不在考核范围内",
        "无需重新发送",
    ] {
        assert!(r.text.contains(needle), "missing {needle:?} in\n{}", r.text);
    }
}

/// What a unit reads holds no command, no checksum and no directory.
#[test]
fn no_commands_checksums_or_paths_in_any_receipt() {
    let mut f = facts();
    f.files = vec![
        FileLine {
            name: "C:\\Documents and Settings\\Administrator\\桌面\\望牛墩镇材料.docx".into(),
            size: 20_000,
        },
        FileLine {
            name: "/home/user/材料/表.xlsx".into(),
            size: 20_000,
        },
    ];
    let all = [
        vec![],
        vec![Problem::Misrouted {
            belongs_to: vec![org()],
        }],
        vec![Problem::Unreadable {
            files: vec!["D:\\材料\\表.xlsx".into()],
        }],
        vec![Problem::UnitUnknown, Problem::Resubmission],
        vec![Problem::Quarantined, Problem::SenderUnverified],
    ];
    for problems in all {
        f.problems = problems;
        let r = render(&f);
        for part in [&r.subject, &r.text] {
            assert!(
                machine_text(part).is_empty(),
                "{:?} in {part}",
                machine_text(part)
            );
            assert!(
                !part.contains("Documents and Settings") && !part.contains("/home"),
                "{part}"
            );
        }
        assert!(r.text.contains("望牛墩镇材料.docx"), "{}", r.text);
        assert!(r.html.contains("<html lang=\"zh-CN\">"), "{}", r.html);
        assert!(r.html.contains("Noto Sans CJK SC"), "{}", r.html);
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
        },
        FileLine {
            name: "请访问 http://evil.example/领奖 <b>x.pdf".into(),
            size: 10,
        },
        FileLine {
            name: format!("{}.pdf", "长".repeat(300)),
            size: 10,
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
            "以下文件设置了密码，系统无法打开：“表.xls”。请取消密码，将未加密的文件重新发送"
        ),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("以下文件无法打开（文件可能已损坏或格式无法识别）：“坏.docx”")
    );
    assert!(!r.text.contains("大.xlsx"));
}
