use chrono::Duration;

use super::*;
use crate::report::columns::{SCREEN, width};
use crate::report::testing::{config, delivery};

#[test]
fn durations_under_a_minute_are_in_seconds() {
    assert_eq!(humanize(Duration::seconds(45)), "45s");
    assert_eq!(humanize(Duration::seconds(0)), "0s");
    assert_eq!(humanize(Duration::seconds(-5)), "0s");
    assert_eq!(humanize(Duration::seconds(59)), "59s");
    assert_eq!(humanize(Duration::seconds(60)), "1m");
    assert_eq!(humanize(Duration::seconds(61)), "1m");
    assert_eq!(humanize(Duration::minutes(62)), "1h 2m");
    assert_eq!(
        humanize(Duration::days(2) + Duration::hours(15) + Duration::minutes(42)),
        "2d 15h 42m"
    );
}

#[test]
fn the_late_listing_lines_up_chinese_names_and_fits_100_columns() {
    let mut cfg = config();
    // A units file may give a unit its full formal name (42 columns here).
    if let Some(u) = cfg.units.units.iter_mut().find(|u| u.id == "gdj") {
        u.name = u.formal_name.clone();
    }
    let deliveries = [
        // 45 seconds after the 17:30 deadline.
        delivery(7, Some("shijie"), &["3.2"], "2018-01-26T17:30:45+08:00"),
        delivery(8, None, &["4.1", "4.2"], "2018-01-27T09:00:00+08:00"),
        delivery(9, Some("gdj"), &["5.4"], "2018-01-29T08:12:00+08:00"),
        // On time: not listed.
        delivery(10, Some("shilong"), &["1.1"], "2018-01-26T17:29:00+08:00"),
    ];
    assert!(cfg.units.get("gdj").is_some(), "the longest unit name");
    let e = entries(&cfg, &deliveries);
    assert_eq!(e.len(), 3);
    assert_eq!(e[0].late_by, "45s");
    let lines = lines(&cfg, &e);
    assert_eq!(lines.len(), 5, "{lines:#?}");
    assert_eq!(lines[4], "3 late submission(s)");
    // Every column starts at the same display column on every line.
    let starts = |l: &str| -> Vec<usize> {
        let mut out = Vec::new();
        let mut col = 0;
        let mut prev_space = false;
        for c in l.chars() {
            let space = c == ' ';
            if !space && prev_space {
                out.push(col);
            }
            prev_space = space;
            col += width(&c.to_string());
        }
        out
    };
    let head = starts(&lines[0]);
    for l in &lines[..4] {
        assert!(width(l) <= SCREEN, "{} columns: {l}", width(l));
    }
    let dept = head[1];
    for l in &lines[1..4] {
        assert!(
            starts(l).contains(&dept),
            "DEPARTMENT at column {dept}: {l}\n{}",
            lines[0]
        );
    }
    assert!(
        lines[1].contains("石碣镇团委") && lines[1].contains(" 45s "),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("(unknown)") && lines[2].ends_with(" 4.1,4.2"),
        "{}",
        lines[2]
    );
    // The longest name is cut, marked, and the line still fits.
    assert!(lines[3].contains('…'), "{}", lines[3]);
}
