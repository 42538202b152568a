use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| (*x).to_owned()).collect()
}

fn file<'a>(name: &'a str, size: i64, problem: Option<&'a str>, items: &'a [String]) -> File<'a> {
    File {
        name,
        size,
        problem,
        members: None,
        items,
    }
}

fn message<'a>(items: &'a [String], projects: &'a [String], files: Vec<File<'a>>) -> Message<'a> {
    Message {
        items,
        projects,
        files,
        link_only: false,
        unseen: false,
        by_hand: false,
        resolved: false,
    }
}

const LOCK: &str = "unreadable: an Office lock file (~$…), not the document";
const REFUSED: &str = "suspicious: 3 entries expand to 40 GB";

#[test]
fn lock_files_are_told_apart_from_damaged_files() {
    assert!(is_lock_file("~$表.xlsx", Some(LOCK)));
    assert!(is_lock_file("D:\\材料\\~$表.xlsx", Some("unreadable: x")));
    assert!(is_lock_file("表.xlsx", Some(LOCK)));
    assert!(!is_lock_file(
        "表.xlsx",
        Some("unreadable: corrupt or truncated zip container")
    ));
    assert!(!is_lock_file("a~$b.xlsx", None));
}

#[test]
fn which_files_are_usable() {
    let none: Vec<String> = Vec::new();
    assert!(usable(&file("报告.docx", 5000, None, &none)));
    assert!(usable(&file(
        "大表.xlsx",
        5000,
        Some("unopened: too many cells"),
        &none
    )));
    assert!(!usable(&file("~$报告.docx", 165, None, &none)));
    assert!(!usable(&file("空.pdf", 0, None, &none)));
    assert!(!usable(&file(
        "坏.docx",
        900,
        Some("unreadable: corrupt"),
        &none
    )));
    assert!(!usable(&file("材料.zip", 900, Some(REFUSED), &none)));
    let locks = s(&["材料/", "材料/~$表.xlsx"]);
    let mut zip = file("材料.zip", 900, None, &none);
    zip.members = Some(&locks);
    assert!(!usable(&zip), "an archive of lock files only");
    let fine = s(&["材料/", "材料/~$表.xlsx", "材料/表.xlsx"]);
    zip.members = Some(&fine);
    assert!(usable(&zip));
    let empty: Vec<String> = Vec::new();
    zip.members = Some(&empty);
    assert!(!usable(&zip), "an empty archive");
}

#[test]
fn each_case_of_the_issue() {
    let items = s(&["4.1", "4.2"]);
    let projects = s(&["4"]);
    let named = s(&["4.1", "4.2"]);
    let none: Vec<String> = Vec::new();
    // A refused zip whose name mentions the items: nothing.
    let m = message(
        &items,
        &projects,
        vec![file("4.1 4.2.zip", 900, Some(REFUSED), &named)],
    );
    assert_eq!(received(&m).material, Material::Nothing);
    assert!(received(&m).items.is_empty());
    // Only a lock file: nothing.
    let m = message(
        &items,
        &projects,
        vec![file("~$4.1.xlsx", 165, Some(LOCK), &none)],
    );
    assert_eq!(received(&m).material, Material::Nothing);
    // No attachment at all: nothing.
    let m = message(&items, &projects, Vec::new());
    assert_eq!(received(&m).material, Material::Nothing);
    // Only a link: link, until a person marks it.
    let mut m = message(&items, &projects, Vec::new());
    m.link_only = true;
    assert_eq!(received(&m).material, Material::Link);
    assert_eq!(received(&m).items, items);
    m.resolved = true;
    assert_eq!(received(&m).material, Material::Files);
    m.resolved = false;
    m.by_hand = true;
    assert_eq!(received(&m).material, Material::Files);
    // Resolving a refused zip does not make it material.
    let mut m = message(
        &items,
        &projects,
        vec![file("a.zip", 900, Some(REFUSED), &none)],
    );
    m.resolved = true;
    m.by_hand = true;
    assert_eq!(received(&m).material, Material::Nothing);
}

#[test]
fn a_readable_file_among_broken_ones_counts_for_what_it_supports() {
    let items = s(&["3.1", "4.1", "4.2"]);
    let projects = s(&["3", "4"]);
    let i31 = s(&["3.1"]);
    let i41 = s(&["4.1"]);
    let i42 = s(&["4.2"]);
    let m = message(
        &items,
        &projects,
        vec![
            file("3.1.zip", 900, Some(REFUSED), &i31),
            file("4.1.docx", 9000, None, &i41),
            file("~$4.2.xlsx", 165, Some(LOCK), &i42),
        ],
    );
    let r = received(&m);
    assert_eq!(r.material, Material::Files);
    assert_eq!(r.items, s(&["4.1"]));
    // Project 3 is dropped, or it would read as "all of project 3".
    assert_eq!(r.projects, s(&["4"]));
    // Items no file names (the subject's) count with the usable file.
    let subject_only = s(&["4.1", "4.3"]);
    let m = message(
        &subject_only,
        &projects,
        vec![
            file("材料.pdf", 9000, None, &[]),
            file("坏.pdf", 9, Some("unreadable: x"), &[]),
        ],
    );
    assert_eq!(received(&m).items, subject_only);
}

#[test]
fn a_quarantined_message_counts_once_assigned_by_hand() {
    let items = s(&["1.1"]);
    let projects = s(&["1"]);
    let mut m = message(&items, &projects, Vec::new());
    m.unseen = true;
    assert_eq!(received(&m).material, Material::Nothing);
    m.by_hand = true;
    assert_eq!(received(&m).material, Material::Files);
}

// ---- the rule against a plain reference implementation ----

const NAMES: [&str; 6] = [
    "材料.pdf",
    "~$表.xlsx",
    "D:\\桌面\\~$报告.docx",
    "汇总.zip",
    "表~$.xlsx",
    "4.1 活动.docx",
];
const PROBLEMS: [Option<&str>; 6] = [
    None,
    None,
    Some("unreadable: corrupt or truncated zip container"),
    Some(LOCK),
    Some(REFUSED),
    Some("unopened: too many cells"),
];
const SIZES: [i64; 4] = [0, 165, 4096, 900_000];
const ITEMS: [&str; 5] = ["1.1", "1.2", "3.1", "4.1", "4.2"];

struct Owned {
    names: Vec<&'static str>,
    sizes: Vec<i64>,
    problems: Vec<Option<&'static str>>,
    members: Vec<Option<Vec<String>>>,
    file_items: Vec<Vec<String>>,
    items: Vec<String>,
    projects: Vec<String>,
    flags: [bool; 4],
}

fn subset(rng: &mut fastrand::Rng) -> Vec<String> {
    ITEMS
        .iter()
        .filter(|_| rng.u8(0..3) == 0)
        .map(|x| (*x).to_owned())
        .collect()
}

fn random(rng: &mut fastrand::Rng) -> Owned {
    let n = rng.usize(0..4);
    let members = [
        None,
        None,
        Some(Vec::new()),
        Some(s(&["a/", "a/~$b.xlsx"])),
        Some(s(&["a/", "a/b.pdf"])),
    ];
    let file_items: Vec<Vec<String>> = (0..n).map(|_| subset(rng)).collect();
    let mut items = subset(rng);
    for fi in &file_items {
        for i in fi {
            if !items.contains(i) {
                items.push(i.clone());
            }
        }
    }
    let mut projects: Vec<String> = Vec::new();
    for i in &items {
        let p = i.split('.').next().unwrap_or("").to_owned();
        if !projects.contains(&p) {
            projects.push(p);
        }
    }
    if rng.bool() {
        projects.push("5".into());
    }
    Owned {
        names: (0..n).map(|_| NAMES[rng.usize(0..NAMES.len())]).collect(),
        sizes: (0..n).map(|_| SIZES[rng.usize(0..SIZES.len())]).collect(),
        problems: (0..n)
            .map(|_| PROBLEMS[rng.usize(0..PROBLEMS.len())])
            .collect(),
        members: (0..n)
            .map(|_| members[rng.usize(0..members.len())].clone())
            .collect(),
        file_items,
        items,
        projects,
        flags: [rng.bool(), rng.bool(), rng.bool(), rng.bool()],
    }
}

fn view(o: &Owned) -> Message<'_> {
    Message {
        items: &o.items,
        projects: &o.projects,
        files: (0..o.names.len())
            .map(|k| File {
                name: o.names[k],
                size: o.sizes[k],
                problem: o.problems[k],
                members: o.members[k].as_deref(),
                items: &o.file_items[k],
            })
            .collect(),
        link_only: o.flags[0],
        unseen: o.flags[1],
        by_hand: o.flags[2],
        resolved: o.flags[3],
    }
}

/// The rule as the README states it, written out plainly.
fn reference(o: &Owned) -> (Material, Vec<String>, Vec<String>) {
    let mut ok = Vec::new();
    for k in 0..o.names.len() {
        let base = o.names[k].split(['/', '\\']).next_back().unwrap_or("");
        let problem = o.problems[k].unwrap_or("");
        let lock = base.starts_with("~$") || problem.contains("lock file");
        let refused = problem.starts_with("unreadable") || problem.starts_with("suspicious");
        let mut holds_something = true;
        if let Some(m) = &o.members[k] {
            holds_something = false;
            for n in m {
                let b = n.split('/').next_back().unwrap_or("");
                if !n.ends_with('/') && !b.starts_with("~$") {
                    holds_something = true;
                }
            }
        }
        ok.push(o.sizes[k] > 0 && !lock && !refused && holds_something);
    }
    let [link, unseen, by_hand, resolved] = o.flags;
    if !ok.contains(&true) {
        if o.names.is_empty() && link {
            let m = if by_hand || resolved {
                Material::Files
            } else {
                Material::Link
            };
            return (m, o.items.clone(), o.projects.clone());
        }
        if o.names.is_empty() && unseen && by_hand {
            return (Material::Files, o.items.clone(), o.projects.clone());
        }
        return (Material::Nothing, Vec::new(), Vec::new());
    }
    let mut items = Vec::new();
    let mut dropped = Vec::new();
    for i in &o.items {
        let mut good = 0;
        let mut bad = 0;
        for (k, usable) in ok.iter().enumerate() {
            if o.file_items[k].contains(i) {
                if *usable {
                    good += 1;
                } else {
                    bad += 1;
                }
            }
        }
        if bad == 0 || good > 0 {
            items.push(i.clone());
        } else {
            dropped.push(i.clone());
        }
    }
    let mut projects = Vec::new();
    for p in &o.projects {
        let prefix = format!("{p}.");
        let lost = dropped.iter().any(|i| i.starts_with(&prefix));
        let kept = items.iter().any(|i| i.starts_with(&prefix));
        if !lost || kept {
            projects.push(p.clone());
        }
    }
    (Material::Files, items, projects)
}

#[test]
fn the_rule_agrees_with_the_reference_on_random_messages() {
    let mut rng = fastrand::Rng::with_seed(20180126);
    for round in 0..20_000 {
        let o = random(&mut rng);
        let r = received(&view(&o));
        let (material, items, projects) = reference(&o);
        assert_eq!(
            (r.material, &r.items, &r.projects),
            (material, &items, &projects),
            "round {round}: names {:?} sizes {:?} problems {:?} members {:?} file items {:?} items {:?} flags {:?}",
            o.names,
            o.sizes,
            o.problems,
            o.members,
            o.file_items,
            o.items,
            o.flags
        );
        // What is credited was named; nothing is credited without material.
        assert!(r.items.iter().all(|i| o.items.contains(i)));
        assert!(r.projects.iter().all(|p| o.projects.contains(p)));
        if r.material == Material::Nothing {
            assert!(r.items.is_empty() && r.projects.is_empty());
        }
    }
}

#[test]
fn another_usable_file_never_takes_an_item_away() {
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..5_000 {
        let mut o = random(&mut rng);
        o.flags = [false; 4];
        let before = received(&view(&o));
        o.names.push("补充材料.pdf");
        o.sizes.push(4096);
        o.problems.push(None);
        o.members.push(None);
        o.file_items.push(Vec::new());
        let after = received(&view(&o));
        assert_eq!(after.material, Material::Files);
        assert!(before.items.iter().all(|i| after.items.contains(i)));
    }
}
