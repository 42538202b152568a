//! Flags that depend on other messages, as pure functions over plain data:
//! `resubmission` (the same unit sent material for the same item or project
//! before) and `duplicate_delivery` (the same message reached several
//! department mailboxes). Recomputed for the whole unit / message each time,
//! so the result does not depend on the order mail was fetched in.

use std::collections::{BTreeSet, HashMap, HashSet};

/// One submission as the relation rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sub {
    pub row: i64,
    pub message_key: String,
    pub department: String,
    /// RFC 3339 UTC; sorts chronologically.
    pub received_at: String,
    pub items: Vec<String>,
    pub projects: Vec<String>,
    pub form_projects: Vec<String>,
}

/// What a submission delivers, for comparing two of them:
/// - `item:3.2` for each identified item;
/// - `project:4` for a project named without any of its items ("项目四");
/// - `form@org` when it carries the overview form: the notice asks for the
///   form with each department's material, so sending it to several
///   departments is expected, and only sending it to the same one again is
///   a resubmission. Projects evidenced only by the form's rows are covered
///   by this key, not by `project:` keys.
pub fn coverage(s: &Sub) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = s.items.iter().map(|i| format!("item:{i}")).collect();
    for p in &s.projects {
        let has_item = s
            .items
            .iter()
            .any(|i| i.split('.').next() == Some(p.as_str()));
        if !has_item && !s.form_projects.contains(p) {
            out.insert(format!("project:{p}"));
        }
    }
    if !s.form_projects.is_empty() {
        out.insert(format!("form@{}", s.department));
    }
    out
}

/// Rows of one unit's submissions that repeat something the unit sent in an
/// earlier message (by arrival; copies of the same message do not count).
pub fn resubmissions(subs: &[Sub]) -> HashSet<i64> {
    let mut ordered: Vec<&Sub> = subs.iter().collect();
    ordered.sort_by(|a, b| (&a.received_at, a.row).cmp(&(&b.received_at, b.row)));
    let mut out = HashSet::new();
    // For each coverage key seen so far: the first message that had it, and
    // whether a second, different message had it too. One pass, linear in
    // the number of submissions (a message's own copies never count).
    let mut seen: HashMap<String, (&str, bool)> = HashMap::new();
    for s in ordered {
        let cov = coverage(s);
        if cov.iter().any(|c| {
            seen.get(c)
                .is_some_and(|(first, multi)| *multi || *first != s.message_key)
        }) {
            out.insert(s.row);
        }
        for c in cov {
            seen.entry(c)
                .and_modify(|(first, multi)| *multi |= *first != s.message_key)
                .or_insert((&s.message_key, false));
        }
    }
    out
}

/// Rows whose message reached more than one department mailbox.
pub fn duplicate_deliveries(deliveries: &[Sub]) -> HashSet<i64> {
    let mut depts: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for d in deliveries {
        depts
            .entry(&d.message_key)
            .or_default()
            .insert(&d.department);
    }
    deliveries
        .iter()
        .filter(|d| {
            depts
                .get(d.message_key.as_str())
                .is_some_and(|s| s.len() > 1)
        })
        .map(|d| d.row)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(
        row: i64,
        key: &str,
        dept: &str,
        at: &str,
        items: &[&str],
        projects: &[&str],
        form: &[&str],
    ) -> Sub {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        Sub {
            row,
            message_key: key.into(),
            department: dept.into(),
            received_at: at.into(),
            items: v(items),
            projects: v(projects),
            form_projects: v(form),
        }
    }

    #[test]
    fn a_later_message_for_the_same_project_is_a_resubmission() {
        let a = sub(1, "a", "org", "2018-01-22T02:30:07Z", &[], &["4"], &[]);
        let b = sub(2, "b", "org", "2018-01-25T07:02:46Z", &[], &["4"], &[]);
        assert_eq!(resubmissions(&[b.clone(), a.clone()]), HashSet::from([2]));
        // Same item in another department's mailbox: still the same material.
        let c = sub(
            3,
            "c",
            "publicity",
            "2018-01-24T00:00:00Z",
            &["3.2"],
            &["3"],
            &[],
        );
        let d = sub(4, "d", "org", "2018-01-25T00:00:00Z", &["3.2"], &["3"], &[]);
        assert_eq!(resubmissions(&[c, d]), HashSet::from([4]));
    }

    #[test]
    fn different_items_or_copies_of_one_message_are_not() {
        let a = sub(1, "a", "org", "2018-01-19T00:00:00Z", &["3.2"], &["3"], &[]);
        let b = sub(2, "b", "org", "2018-01-23T00:00:00Z", &["2.1"], &["2"], &[]);
        let c = sub(
            3,
            "c",
            "school",
            "2018-01-24T00:00:00Z",
            &["1.1"],
            &["1"],
            &[],
        );
        assert!(resubmissions(&[a.clone(), b, c]).is_empty());
        let a2 = sub(
            9,
            "a",
            "school",
            "2018-01-19T00:00:00Z",
            &["3.2"],
            &["3"],
            &[],
        );
        assert!(resubmissions(&[a, a2]).is_empty());
    }

    #[test]
    fn the_form_sent_to_each_department_is_expected_but_twice_to_one_is_not() {
        let all = ["1", "2", "3", "4", "5"];
        let org = sub(
            1,
            "a",
            "org",
            "2018-01-19T00:00:00Z",
            &["3.2"],
            &all,
            &["1", "2", "4", "5"],
        );
        let pub_ = sub(
            2,
            "b",
            "publicity",
            "2018-01-20T00:00:00Z",
            &["3.1"],
            &all,
            &["1", "2", "4", "5"],
        );
        assert!(resubmissions(&[org.clone(), pub_]).is_empty());
        let org_again = sub(3, "c", "org", "2018-01-21T00:00:00Z", &[], &all, &all);
        assert_eq!(resubmissions(&[org, org_again]), HashSet::from([3]));
    }

    #[test]
    fn a_project_level_submission_after_an_item_level_one_is_not_a_repeat() {
        let a = sub(1, "a", "org", "2018-01-19T00:00:00Z", &["4.1"], &["4"], &[]);
        let b = sub(2, "b", "org", "2018-01-20T00:00:00Z", &[], &["4"], &[]);
        assert!(resubmissions(&[a, b]).is_empty());
    }

    #[test]
    fn duplicates_need_two_departments() {
        let a = sub(1, "m", "school", "t", &[], &[], &[]);
        let b = sub(2, "m", "org", "t", &[], &[], &[]);
        let c = sub(3, "n", "org", "t", &[], &[], &[]);
        assert_eq!(duplicate_deliveries(&[a, b, c]), HashSet::from([1, 2]));
    }
}
