use super::*;

fn campaign() -> CampaignFile {
    toml::from_str(include_str!("../../config/campaign-2017.toml")).expect("campaign parses")
}

fn codes(f: &Found) -> (Vec<String>, Vec<String>) {
    (
        f.projects.iter().cloned().collect(),
        f.items.iter().cloned().collect(),
    )
}

fn v(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

#[test]
fn project_ordinals_in_names() {
    let c = campaign();
    assert_eq!(
        codes(&find_in_name(&c, "常平镇考核材料（项目四）")),
        (v(&["4"]), v(&[]))
    );
    assert_eq!(codes(&find_in_name(&c, "考核第三项材料")).0, v(&["3"]));
    assert_eq!(codes(&find_in_name(&c, "（二）推进材料")).0, v(&["2"]));
    assert_eq!(codes(&find_in_name(&c, "五、服务大局材料")).0, v(&["5"]));
    assert_eq!(codes(&find_in_name(&c, "(3)网上共青团")).0, v(&["3"]));
    // A copy number is not a project.
    assert!(codes(&find_in_name(&c, "活动照片(1).jpg")).0.is_empty());
}

#[test]
fn item_numbers() {
    let c = campaign();
    assert_eq!(
        codes(&find_in_name(&c, "5.4 樟木头镇工作材料.pdf")).1,
        v(&["5.4"])
    );
    assert_eq!(codes(&find_in_name(&c, "3.2.智慧团建")).1, v(&["3.2"]));
    assert!(codes(&find_in_name(&c, "V1.2版本")).1.is_empty());
    assert!(codes(&find_in_name(&c, "2017.3.2会议")).1.is_empty());
    assert!(codes(&find_in_name(&c, "资料(1.2M)")).1.is_empty());
    assert!(codes(&find_in_name(&c, "6.1 其他")).1.is_empty());
    // In running text only a free-standing number counts.
    assert!(codes(&find_in_text(&c, "同比增长1.2倍")).1.is_empty());
    assert_eq!(codes(&find_in_text(&c, "附件为 4.2 的材料")).1, v(&["4.2"]));
}

#[test]
fn keywords_ignore_punctuation_and_prefer_the_longest() {
    let c = campaign();
    assert_eq!(
        codes(&find_in_name(&c, "“学习总书记讲话，做合格共青团员”")).1,
        v(&["2.3"])
    );
    assert_eq!(codes(&find_in_name(&c, "学做教育实践")).1, v(&["2.3"]));
    assert_eq!(
        codes(&find_in_name(&c, "１＋１００团干部直接联系青年")),
        (v(&["4"]), v(&["4.1"]))
    );
    assert_eq!(
        codes(&find_in_name(&c, "团干部直接联系青年工作情况")),
        (v(&["4"]), v(&[]))
    );
    assert_eq!(
        codes(&find_in_name(&c, "网络文明志愿者名单")).1,
        v(&["1.2"])
    );
    assert_eq!(
        codes(&find_in_name(&c, "少先队和中学共青团改革工作情况")).1,
        v(&["2.2"])
    );
    assert_eq!(codes(&find_in_name(&c, "I志願服務")).1, v(&["5.1"]));
    assert_eq!(
        codes(&find_in_name(&c, "青少年思想引领及青年人才工作")),
        (v(&["1"]), v(&[]))
    );
}

#[test]
fn ordinal_then_digit_names_an_item_but_not_a_year() {
    let c = campaign();
    let f = find_in_name(&c, "考核材料（二）1.docx");
    assert!(f.items.contains("2.1"), "{f:?}");
    let f = find_in_name(&c, "（三）2017年工作总结.docx");
    assert!(f.items.is_empty(), "{f:?}");
    assert!(f.projects.contains("3"));
}

#[test]
fn amounts_and_counts_are_not_item_numbers() {
    let c = campaign();
    for name in [
        "资助金额3.2万元.xlsx",
        "增长1.5倍",
        "2.1亿元",
        "第4.1期简报",
    ] {
        let f = find_in_name(&c, name);
        assert!(f.items.is_empty(), "{name}: {f:?}");
    }
    assert!(
        find_in_name(&c, "3.2智慧团建录入情况.pdf")
            .items
            .contains("3.2")
    );
}

#[test]
fn numbered_items_right_after_a_project_are_its_items() {
    let c = campaign();
    let f = find_in_name(&c, "（三）网上共青团建设工作第二、三项材料");
    assert!(f.items.contains("3.2") && f.items.contains("3.3"), "{f:?}");
    assert!(!f.projects.contains("2"), "{f:?}");
    // Without a project before it, 第三项 is project three.
    let f = find_in_name(&c, "寮步镇第三项考核材料");
    assert!(f.projects.contains("3") && f.items.is_empty(), "{f:?}");
}
