use super::*;

fn units() -> UnitsFile {
    toml::from_str(include_str!("../../config/units.toml")).expect("units.toml parses")
}

fn ids(m: &UnitMatcher, text: &str) -> Vec<String> {
    m.find(text).into_iter().map(|h| h.unit).collect()
}

#[test]
fn canonical_formal_alias_and_derived_names() {
    let u = units();
    let m = UnitMatcher::new(&u);
    assert_eq!(
        ids(&m, "共青团东莞市大朗镇委员会关于报送材料的函"),
        ["dalang"]
    );
    assert_eq!(ids(&m, "东城街道团工委-2017年度考核材料"), ["dongcheng"]);
    assert_eq!(ids(&m, "东莞邮政团委2017年度材料"), ["yz"]);
    assert_eq!(
        ids(&m, "共青团广东电网有限责任公司东莞供电局委员会"),
        ["gdj"]
    );
    assert_eq!(ids(&m, "东莞市卫生和计划生育局团委"), ["wjj"]);
}

#[test]
fn longest_match_and_look_alike_places() {
    let u = units();
    let m = UnitMatcher::new(&u);
    assert_eq!(ids(&m, "大岭山镇团委"), ["dalingshan"]);
    assert_eq!(ids(&m, "大朗镇团委"), ["dalang"]);
    assert_eq!(ids(&m, "石龙镇"), ["shilong"]);
    assert_eq!(ids(&m, "石碣镇"), ["shijie"]);
    // 交投集团 (jtjt) and 交通局 (jtj) are different agencies.
    assert_eq!(ids(&m, "交投集团团委"), ["jtjt"]);
    assert_eq!(ids(&m, "市交通局团委"), ["jtj"]);
}

#[test]
fn short_names_need_a_boundary() {
    let u = units();
    let m = UnitMatcher::new(&u);
    assert!(
        ids(&m, "助力广东城市文明建设").is_empty(),
        "东城 inside 广东城市"
    );
    assert!(
        ids(&m, "系统运行正常平稳").is_empty(),
        "常平 inside 正常平稳"
    );
    assert!(ids(&m, "联合公安局开展禁毒宣传").is_empty());
    assert_eq!(ids(&m, "东城 志愿服务"), ["dongcheng"]);
    assert_eq!(ids(&m, "东莞石龙青年之声"), ["shilong"]);
}

#[test]
fn traditional_characters_and_homophone_typos() {
    let u = units();
    let m = UnitMatcher::new(&u);
    assert_eq!(ids(&m, "橫瀝鎮團委"), ["hengli"]);
    assert_eq!(ids(&m, "麻冲镇团委"), ["machong"]);
    assert_eq!(ids(&m, "石竭镇团委"), ["shijie"]);
    assert_eq!(ids(&m, "道窖镇"), ["daojiao"]);
    assert_eq!(ids(&m, "高步镇团委"), ["gaobu"]);
}

#[test]
fn department_names_are_not_units() {
    let u = units();
    let m = UnitMatcher::new(&u);
    assert!(ids(&m, "团市委组织部、宣传部、学校部、两新团工委").is_empty());
}
