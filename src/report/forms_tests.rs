use calamine::{Data, Reader, Xlsx};

use super::*;
use crate::inspect::{Attachment, FileKind, Form, FormRow, Origin};
use crate::report::testing::{at, config};

fn found(unit: &str, file: &str, received: &str, texts: &[(&str, &str)]) -> Found {
    Found {
        unit: unit.into(),
        file: file.into(),
        received_at: at(received),
        texts: texts
            .iter()
            .map(|(c, t)| ((*c).to_owned(), (*t).to_owned()))
            .collect(),
    }
}

fn row(ordinal: u8, text: &str) -> FormRow {
    FormRow {
        ordinal: Some(ordinal),
        label: format!("（{ordinal}）"),
        filled: !text.is_empty(),
        text: text.into(),
    }
}

fn attachment(name: &str, forms: Vec<Form>) -> Attachment {
    Attachment {
        filename: name.into(),
        name_missing: false,
        safe_filename: name.into(),
        content_type: "application/octet-stream".into(),
        size: 0,
        sha256: String::new(),
        bytes: Vec::new(),
        origin: Origin::Part,
        forwarded: None,
        inline: false,
        kind: FileKind::Zip,
        unreadable: None,
        unopened: None,
        members: None,
        suspicious: None,
        forms,
        unsafe_name: false,
    }
}

#[test]
fn every_unit_in_registry_order_with_its_latest_form() {
    let cfg = config();
    let l = lines(
        &cfg,
        vec![
            found(
                "shipai",
                "旧.xlsx",
                "2018-01-20T10:00:00+08:00",
                &[("1", "旧")],
            ),
            found(
                "shipai",
                "新.doc",
                "2018-01-22T10:00:00+08:00",
                &[("2", "新")],
            ),
            found(
                "nancheng",
                "南城.xlsx",
                "2018-01-21T10:00:00+08:00",
                &[("1", "甲")],
            ),
        ],
    );
    let ids: Vec<&str> = l.iter().map(|l| l.unit_id).collect();
    let registry: Vec<&str> = cfg.units.units.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, registry);
    let shipai = l.iter().find(|l| l.unit_id == "shipai").expect("shipai");
    let f = shipai.form.as_ref().expect("a form");
    // The later form replaces the earlier one whole.
    assert_eq!((f.file.as_str(), f.texts.len()), ("新.doc", 1));
    assert_eq!(l.iter().filter(|l| l.form.is_some()).count(), 2);
    assert!(
        !l.iter()
            .find(|l| l.unit_id == "jtjt")
            .expect("jtjt")
            .assessed
    );
}

#[test]
fn the_form_with_most_projects_is_the_messages_form_and_members_are_named() {
    let cfg = config();
    let member = Form {
        member: Some("材料/工作开展情况表.doc".into()),
        unit: None,
        rows: vec![row(1, "宣讲12场"), row(2, ""), row(3, "平台建设")],
    };
    let lone = Form {
        member: None,
        unit: None,
        rows: vec![row(1, "只有一项")],
    };
    let insp = Inspection {
        attachments: vec![
            attachment("表.xlsx", vec![lone]),
            attachment("材料.zip", vec![member]),
        ],
        ..Inspection::default()
    };
    let at_ = at("2018-01-22T10:00:00+08:00");
    let f = from_inspection(&cfg, "shipai", at_, &insp).expect("a form");
    assert_eq!(f.file, "材料.zip（材料/工作开展情况表.doc）");
    assert_eq!(
        f.texts,
        vec![
            ("1".to_owned(), "宣讲12场".to_owned()),
            ("3".to_owned(), "平台建设".to_owned())
        ]
    );
    let blank = Inspection {
        attachments: vec![attachment(
            "空表.xlsx",
            vec![Form {
                rows: vec![row(1, "")],
                ..Form::default()
            }],
        )],
        ..Inspection::default()
    };
    assert_eq!(from_inspection(&cfg, "shipai", at_, &blank), None);
}

#[test]
fn the_workbook_has_the_texts_and_the_units_without_a_form() {
    let cfg = config();
    let until = at("2018-01-27T08:00:00+08:00");
    let l = lines(
        &cfg,
        vec![found(
            "shipai",
            "石排.docx",
            "2018-01-22T10:00:00+08:00",
            &[("1", "宣讲12场。\n覆盖1500人次。"), ("3", "平台建设")],
        )],
    );
    let bytes = xlsx(&cfg, &l, until).expect("xlsx");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("reads back");
    assert_eq!(
        wb.sheet_names(),
        vec!["工作开展情况表汇总", "未报送工作开展情况表的单位"]
    );
    let s = wb.worksheet_range("工作开展情况表汇总").expect("summary");
    let text = |r: u32, c: u32| match s.get_value((r, c)) {
        Some(Data::String(t)) => t.clone(),
        _ => String::new(),
    };
    assert_eq!(text(2, 1), "单位");
    assert_eq!(text(2, 2), "（一）青少年思想引领及青年人才工作");
    assert_eq!(text(2, 7), "报送文件");
    let r = 3 + cfg
        .units
        .units
        .iter()
        .position(|u| u.id == "shipai")
        .expect("shipai") as u32;
    assert_eq!(text(r, 1), "石排镇团委");
    assert_eq!(text(r, 2), "宣讲12场。\n覆盖1500人次。");
    assert_eq!(text(r, 3), "");
    assert_eq!(text(r, 4), "平台建设");
    assert_eq!(text(r, 7), "石排.docx");
    assert_eq!(text(r, 8), "2018年1月22日 10:00");
    assert_eq!(text(3, 7), "未报送");
    let m = wb
        .worksheet_range("未报送工作开展情况表的单位")
        .expect("missing");
    let names: Vec<String> = m
        .rows()
        .skip(3)
        .filter_map(|r| r.get(1).map(|c| c.to_string()))
        .collect();
    let assessed = cfg
        .units
        .units
        .iter()
        .filter(|u| u.is_assessed(cfg.campaign.campaign.agencies_established_before))
        .count();
    assert_eq!(names.len(), assessed - 1);
    assert!(!names.iter().any(|n| n == "石排镇团委"));
}
