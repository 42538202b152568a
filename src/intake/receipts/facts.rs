//! What a receipt says about a message: the facts `outbox::receipt`
//! renders, read from its deliveries and attachments and the campaign.

use chrono::Utc;

use super::Delivery;
use crate::classify::Flag;
use crate::config::Config;
use crate::intake::record::AttachmentRow;
use crate::outbox::receipt::{Dept, FileLine, Problem, ReceiptFacts};
use crate::report::received::is_lock_file;

fn dept(cfg: &Config, id: &str) -> Dept {
    match cfg.department(id) {
        Some(d) => Dept {
            name: d.name.clone(),
            mailbox: d.mailbox.clone(),
            contact: d.contact.clone(),
            phone: d.phone.clone(),
        },
        None => Dept {
            name: id.to_owned(),
            mailbox: String::new(),
            contact: String::new(),
            phone: String::new(),
        },
    }
}

pub(super) fn facts(
    cfg: &Config,
    rep: &Delivery,
    deliveries: &[Delivery],
    files: &[AttachmentRow],
) -> ReceiptFacts {
    let c = &rep.detail.classification;
    let campaign = &cfg.campaign;
    let mut received: Vec<String> = deliveries.iter().map(|d| d.department.clone()).collect();
    received.sort_by_key(|id| campaign.departments.iter().position(|d| &d.id == id));
    received.dedup();
    let projects = c
        .projects
        .iter()
        .filter_map(|p| campaign.project(p).map(|pr| (p.clone(), pr.title.clone())))
        .collect();
    let items = c
        .items
        .iter()
        .filter_map(|i| {
            campaign
                .item(i)
                .map(|(_, it)| (i.clone(), it.title.clone()))
        })
        .collect();
    let mut problems = Vec::new();
    // Per item (or project named without items): which of them no receiving
    // department is responsible for.
    let mut elsewhere: Vec<String> = Vec::new();
    let mut units_of_material = 0;
    let mut misplaced = 0;
    let mut consider = |depts: &[String]| {
        units_of_material += 1;
        if !depts.iter().any(|d| received.contains(d)) {
            misplaced += 1;
            elsewhere.extend(depts.iter().cloned());
        }
    };
    for i in &c.items {
        if let Some((_, it)) = campaign.item(i) {
            consider(&it.departments);
        }
    }
    for p in &c.projects {
        if let Some(pr) = campaign.project(p)
            && !pr.items.iter().any(|it| c.items.contains(&it.code))
            && !c.form_projects.contains(p)
        {
            let ds: Vec<String> = pr
                .items
                .iter()
                .flat_map(|it| it.departments.clone())
                .collect();
            consider(&ds);
        }
    }
    elsewhere.sort_by_key(|id| campaign.departments.iter().position(|d| &d.id == id));
    elsewhere.dedup();
    let elsewhere: Vec<Dept> = elsewhere.iter().map(|d| dept(cfg, d)).collect();
    if misplaced > 0 && misplaced == units_of_material {
        problems.push(Problem::Misrouted {
            belongs_to: elsewhere,
        });
    } else if misplaced > 0 {
        problems.push(Problem::PartlyElsewhere { also: elsewhere });
    }
    if rep.unit.is_none() {
        problems.push(Problem::UnitUnknown);
    }
    let mut flags = rep.flags.clone();
    for d in deliveries {
        flags.extend(d.flags.iter().copied());
    }
    let has = |f: Flag| flags.contains(&f);
    if has(Flag::NoAttachments) {
        problems.push(Problem::NoAttachments);
    }
    if has(Flag::ExternalLink) {
        problems.push(Problem::OnlyLink);
    }
    if has(Flag::UnreadableAttachment) {
        let (locks, unreadable): (Vec<&AttachmentRow>, Vec<&AttachmentRow>) = files
            .iter()
            .filter(|f| {
                f.problem
                    .as_deref()
                    .is_some_and(|p| p.starts_with("unreadable"))
            })
            .partition(|f| is_lock_file(&f.filename, f.problem.as_deref()));
        if !locks.is_empty() {
            problems.push(Problem::LockFiles {
                files: locks.iter().map(|f| f.display_name()).collect(),
                nothing_else: !files.iter().any(usable),
            });
        }
        // The flag without a file to name (recorded before per-file
        // problems were kept): say so rather than stay silent.
        // Password-protected files get their own request (an unprotected
        // copy, no password in the mail); any others the general one.
        let split = crate::outbox::receipt::unreadable_problems(
            unreadable
                .iter()
                .map(|f| (f.display_name(), f.problem.as_deref().unwrap_or(""))),
        );
        if !split.is_empty() {
            problems.extend(split);
        } else if locks.is_empty() {
            problems.push(Problem::Unreadable { files: Vec::new() });
        }
    }
    if has(Flag::SuspiciousArchive) {
        problems.push(Problem::ArchiveRefused {
            files: problem_files(files, "suspicious"),
        });
    }
    if has(Flag::UnsafeFilename) && !only_directories(files) {
        problems.push(Problem::UnsafeFilename);
    }
    if has(Flag::UnopenedAttachment) {
        problems.push(Problem::Unopened {
            files: problem_files(files, "unopened"),
        });
    }
    if has(Flag::Quarantined) {
        problems.push(Problem::Quarantined);
    }
    if has(Flag::SenderUnverified) {
        problems.push(Problem::SenderUnverified);
    }
    if has(Flag::NotAssessed) {
        problems.push(Problem::NotAssessed);
    }
    if has(Flag::Resubmission) {
        problems.push(Problem::Resubmission);
    }
    ReceiptFacts {
        campaign_title: campaign.campaign.title.clone(),
        unit_name: rep
            .unit
            .as_ref()
            .and_then(|u| cfg.units.get(u))
            .map(|u| u.name.clone()),
        received_by: received.iter().map(|d| dept(cfg, d)).collect(),
        projects,
        items,
        files: files
            .iter()
            .map(|f| FileLine {
                name: f.display_name(),
                size: f.size as u64,
            })
            .collect(),
        arrived: deliveries
            .iter()
            .map(|d| d.received_at)
            .min()
            .unwrap_or(rep.received_at),
        deadline: campaign.campaign.deadline.with_timezone(&Utc),
        tz: cfg.tz,
        problems,
    }
}

/// Whether a recorded file is usable material, by the rule the matrix and
/// the reminders apply: the receipt says "nothing else arrived" exactly
/// when they will count nothing.
fn usable(f: &AttachmentRow) -> bool {
    let members: Option<Vec<String>> = f
        .members
        .as_deref()
        .map(|m| serde_json::from_str(m).unwrap_or_default());
    crate::report::received::usable(&crate::report::received::File {
        name: &f.filename,
        size: f.size,
        problem: f.problem.as_deref(),
        members: members.as_deref(),
        items: &[],
    })
}

/// Whether every unsafe name is only a directory path the sender's mail
/// program left in (`C:\Documents and Settings\…\桌面\表.xlsx`): the
/// receipt shows the base name and nothing is wrong with the material.
/// Names that climb out (`..`) or hide characters still get a word.
fn only_directories(files: &[AttachmentRow]) -> bool {
    use crate::inspect::names::is_unsafe_path;
    let unsafe_names: Vec<&AttachmentRow> = files
        .iter()
        .filter(|f| is_unsafe_path(&f.filename) || crate::clean::has_unsafe_chars(&f.filename))
        .collect();
    !unsafe_names.is_empty()
        && unsafe_names.iter().all(|f| {
            !crate::clean::has_unsafe_chars(&f.filename)
                && !f.filename.split(['/', '\\']).any(|c| c.trim() == "..")
        })
}

/// Names of the files whose recorded problem starts with `word`.
fn problem_files(files: &[AttachmentRow], word: &str) -> Vec<String> {
    files
        .iter()
        .filter(|f| f.problem.as_deref().is_some_and(|p| p.starts_with(word)))
        .map(AttachmentRow::display_name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, problem: Option<&str>) -> AttachmentRow {
        AttachmentRow {
            message_row: 1,
            ordinal: 0,
            filename: name.into(),
            safe_filename: "x".into(),
            size: 165,
            sha256: "00".repeat(32),
            content_type: "application/octet-stream".into(),
            path: String::new(),
            items: "[]".into(),
            members: None,
            problem: problem.map(str::to_owned),
        }
    }

    #[test]
    fn nothing_else_means_nothing_usable() {
        // A file too large to open is still material; a lock file is not.
        assert!(usable(&file("大表.xlsx", Some("unopened: too many cells"))));
        assert!(!usable(&file("~$表.xlsx", None)));
        let mut zip = file("材料.zip", None);
        zip.members = Some(r#"["材料/","材料/~$表.xlsx"]"#.into());
        assert!(!usable(&zip));
    }

    #[test]
    fn a_directory_in_a_file_name_is_no_problem_but_climbing_out_is() {
        let windows = "C:\\Documents and Settings\\Administrator\\桌面\\望牛墩镇材料.docx";
        assert!(only_directories(&[
            file(windows, None),
            file("b.pdf", None)
        ]));
        assert!(only_directories(&[file("/home/user/表.xlsx", None)]));
        assert!(!only_directories(&[file("..\\..\\表.xlsx", None)]));
        assert!(!only_directories(&[
            file(windows, None),
            file("报告\u{202e}xcod.exe", None)
        ]));
        // The flag with no name to explain it (a zip member): keep the word.
        assert!(!only_directories(&[file("b.pdf", None)]));
    }
}
