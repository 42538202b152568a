use std::path::PathBuf;

use super::*;

#[test]
fn a_current_file_sits_in_its_units_item_folder() {
    let p = file_path(
        "组织部",
        Some(&item_folder("3.2", "智慧团建")),
        "石碣镇团委",
        "石碣镇2017年智慧团建工作情况.pdf",
        "2018-01-20 10.00.00",
        false,
        true,
    );
    assert_eq!(
        p,
        PathBuf::from("组织部/3.2 智慧团建/石碣镇团委/石碣镇2017年智慧团建工作情况.pdf")
    );
}

#[test]
fn an_older_late_version_goes_under_its_arrival_time_and_is_marked() {
    let p = file_path(
        "组织部",
        Some("3.2 智慧团建"),
        "石碣镇团委",
        "材料.pdf",
        "2018-01-27 09.00.00",
        true,
        false,
    );
    assert_eq!(
        p,
        PathBuf::from(
            "组织部/3.2 智慧团建/石碣镇团委/历次版本/2018-01-27 09.00.00/【逾期】材料.pdf"
        )
    );
}

#[test]
fn undecided_material_waits_in_pending_with_its_ledger_number() {
    let p = file_path(
        "宣传部",
        None,
        "编号12 单位未识别",
        "a.doc",
        "2018-01-20 10.00.00",
        false,
        true,
    );
    assert_eq!(
        p,
        PathBuf::from("宣传部/待核对/2018-01-20 10.00.00 编号12 单位未识别/a.doc")
    );
}

#[test]
fn hostile_names_stay_inside_their_folder() {
    let p = file_path(
        "组织部",
        Some("3.2 智慧团建"),
        "../../etc",
        "../../x#1.pdf",
        "t",
        false,
        true,
    );
    assert!(p.starts_with("组织部/3.2 智慧团建"));
    assert!(!p.components().any(|c| c.as_os_str() == ".."));
    assert_eq!(p.file_name().and_then(|n| n.to_str()), Some("x＃1.pdf"));
    assert_eq!(
        member_path("../a/./b\\..\\c.txt"),
        Some(PathBuf::from("a/b/c.txt"))
    );
    assert_eq!(member_path("/"), None);
    assert_eq!(member_path("C:\\x.txt"), Some(PathBuf::from("C_/x.txt")));
}

#[test]
fn arrival_labels_use_the_campaign_zone_and_no_colons() {
    let t = chrono::DateTime::parse_from_rfc3339("2018-01-26T09:30:05Z")
        .map(|t| t.with_timezone(&chrono::Utc))
        .expect("a valid time");
    assert_eq!(
        arrival_label(t, chrono_tz::Asia::Shanghai),
        "2018-01-26 17.30.05"
    );
}

#[test]
fn same_names_in_one_folder_are_numbered() {
    assert_eq!(
        numbered(std::path::Path::new("a/b.pdf"), 2),
        PathBuf::from("a/b (2).pdf")
    );
    assert_eq!(
        numbered(std::path::Path::new("a/b"), 3),
        PathBuf::from("a/b (3)")
    );
    assert_eq!(
        unpack_dir(std::path::Path::new("a/材料.zip")),
        PathBuf::from("a/材料")
    );
}

#[test]
fn a_zip_of_one_folder_named_like_it_is_not_nested_twice() {
    let got = member_paths(&["材料/a.pdf", "材料/图/b.jpg"], "材料");
    assert_eq!(
        got,
        vec![
            Some(PathBuf::from("a.pdf")),
            Some(PathBuf::from("图/b.jpg"))
        ]
    );
    let kept = member_paths(&["其他/a.pdf", "b.pdf"], "材料");
    assert_eq!(
        kept,
        vec![
            Some(PathBuf::from("其他/a.pdf")),
            Some(PathBuf::from("b.pdf"))
        ]
    );
}

#[test]
fn many_equal_names_are_numbered_in_order() {
    let mk = |path: &str| Placement {
        path: PathBuf::from(path),
        department: "org".into(),
        slot: Slot::Pending,
        current: true,
        source: 0,
    };
    let mut ps = vec![
        mk("d/a.pdf"),
        mk("d/a.pdf"),
        mk("d/a (2).pdf"),
        mk("d/a.pdf"),
    ];
    unique_names(&mut ps);
    let got: Vec<_> = ps.iter().map(|p| p.path.clone()).collect();
    assert_eq!(
        got,
        ["d/a.pdf", "d/a (2).pdf", "d/a (2) (2).pdf", "d/a (3).pdf"].map(PathBuf::from)
    );
}
