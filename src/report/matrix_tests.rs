use super::*;
use crate::report::testing::{config, delivery};

fn link_only(id: i64, unit: &str, items: &[&str], at: &str) -> DeliveryView {
    let mut d = delivery(id, Some(unit), items, at);
    d.attachments.clear();
    d.flags = vec!["external_link".into()];
    d
}

fn cell(m: &Matrix, unit: &str, code: &str) -> Cell {
    let r = m.units.iter().position(|(u, _)| u == unit).expect("unit");
    let c = m
        .columns
        .iter()
        .position(|(x, _)| x == code)
        .expect("column");
    m.cells[r][c]
}

const ON_TIME: &str = "2018-01-22T10:00:00+08:00";
const LATE: &str = "2018-01-27T10:00:00+08:00";

#[test]
fn a_link_is_its_own_cell_below_received_material() {
    let cfg = config();
    let items = vec!["3.2".to_owned(), "4.1".to_owned()];
    let ds = [
        link_only(1, "shijie", &["3.2", "4.1"], ON_TIME),
        // A late file for 4.1 beats the on-time link.
        delivery(2, Some("shijie"), &["4.1"], LATE),
    ];
    let m = by_items(&cfg, &ds, &items);
    assert_eq!(cell(&m, "shijie", "3.2"), Cell::Link);
    assert_eq!(cell(&m, "shijie", "4.1"), Cell::Late);
    assert_eq!(m.count(Cell::Link), 1);
    let p = by_project(&cfg, &ds);
    assert_eq!(cell(&p, "shijie", "3"), Cell::Link);
    assert_eq!(cell(&p, "shijie", "4"), Cell::Late);
    // Resolved by a person: received, on time by its arrival.
    let mut resolved = ds.clone();
    resolved[0].resolved = true;
    let m = by_items(&cfg, &resolved, &items);
    assert_eq!(cell(&m, "shijie", "3.2"), Cell::OnTime);
    assert_eq!(cell(&m, "shijie", "4.1"), Cell::OnTime);
}

#[test]
fn broken_material_leaves_the_cell_missing() {
    let cfg = config();
    let mut zip = delivery(1, Some("shijie"), &["3.2"], ON_TIME);
    zip.attachments[0].problem = Some("suspicious: ratio 1000:1".into());
    zip.flags = vec!["suspicious_archive".into()];
    let mut lock = delivery(2, Some("nancheng"), &["3.2"], ON_TIME);
    lock.attachments[0].filename = "~$智慧团建.xlsx".into();
    lock.attachments[0].size = 165;
    let mut bare = delivery(3, Some("wanjiang"), &["3.2"], ON_TIME);
    bare.attachments.clear();
    bare.flags = vec!["no_attachments".into()];
    let ds = [zip, lock, bare];
    let m = by_items(&cfg, &ds, &["3.2".to_owned()]);
    for unit in ["shijie", "nancheng", "wanjiang"] {
        assert_eq!(cell(&m, unit, "3.2"), Cell::Missing, "{unit}");
    }
    let due = crate::schedule::remind::due(&cfg, &ds);
    for unit in ["shijie", "nancheng", "wanjiang"] {
        let r = due.iter().find(|r| r.unit.id == unit).expect("reminded");
        assert!(r.missing.iter().any(|i| i == "3.2"), "{unit}");
    }
}

#[test]
fn reminders_count_a_link_as_missing() {
    let cfg = config();
    let ds = [link_only(1, "shijie", &["3.2"], ON_TIME)];
    let due = crate::schedule::remind::due(&cfg, &ds);
    let r = due
        .iter()
        .find(|r| r.unit.id == "shijie")
        .expect("reminded");
    assert!(r.missing.iter().any(|i| i == "3.2"));
    assert_eq!(r.sent.len(), 1, "still listed as arrived");
}
