use chrono::TimeZone;

use super::*;

fn campaign() -> CampaignFile {
    toml::from_str(include_str!("../../config/campaign-2017.toml")).expect("campaign parses")
}

fn v(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

#[test]
fn lateness_to_the_second() {
    let c = campaign();
    let deadline = c.campaign.deadline.with_timezone(&Utc);
    let at = |h, m, s| {
        chrono::FixedOffset::east_opt(8 * 3600)
            .and_then(|o| o.with_ymd_and_hms(2018, 1, 26, h, m, s).single())
            .map(|t| t.with_timezone(&Utc))
            .expect("valid time")
    };
    assert!(!is_late(at(17, 29, 59), deadline));
    assert!(!is_late(at(17, 30, 0), deadline));
    assert!(!is_late(
        at(17, 30, 0) + chrono::Duration::milliseconds(900),
        deadline
    ));
    assert!(is_late(at(17, 30, 1), deadline));
    assert!(is_late(at(17, 30, 45), deadline));
}

#[test]
fn expected_departments_and_misrouting() {
    let c = campaign();
    // An item: its departments.
    assert_eq!(
        expected_departments(&c, &v(&["3"]), &v(&["3.2"])),
        v(&["org"])
    );
    assert!(is_misrouted(&v(&["org"]), "publicity"));
    // A project without an item: all its items' departments.
    let d = expected_departments(&c, &v(&["4"]), &v(&[]));
    assert_eq!(d, v(&["org"]));
    let d = expected_departments(&c, &v(&["5"]), &v(&[]));
    assert_eq!(d, v(&["liangxin", "office", "org", "publicity"]));
    assert!(!is_misrouted(&d, "office"));
    assert!(is_misrouted(&d, "school"));
    // Partly for another department is not misrouted.
    let d = expected_departments(&c, &v(&["1", "5"]), &v(&["1.3", "5.3"]));
    assert!(!is_misrouted(&d, "liangxin"));
    // Nothing identified: never misrouted.
    assert!(!is_misrouted(&expected_departments(&c, &[], &[]), "office"));
}

#[test]
fn flags_sort_in_readme_order() {
    let mut f = vec![
        Flag::Malformed,
        Flag::UnknownSender,
        Flag::ExternalLink,
        Flag::DuplicateDelivery,
    ];
    f.sort();
    assert_eq!(
        f,
        vec![
            Flag::UnknownSender,
            Flag::ExternalLink,
            Flag::DuplicateDelivery,
            Flag::Malformed
        ]
    );
    let json = serde_json::to_string(&Flag::UnreadableAttachment).expect("serialises");
    assert_eq!(json, "\"unreadable_attachment\"");
}
