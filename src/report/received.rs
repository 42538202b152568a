//! What counts as received: the one rule the matrix, `status`, the digests,
//! the reminders, the export and the late log all apply. Pure: plain facts
//! about one message in, what it supplies out.
//!
//! An item is received only when usable material for it arrived: at least
//! one readable file or archive member that is not an Office lock file,
//! empty, or refused. A message naming an item but bringing nothing usable
//! (no attachment, a refused archive, only `~$…` lock files) supplies
//! nothing: its unit was asked by the receipt to send again, and the
//! reminder and the 科室's matrix must say the same. A message with only a
//! download link supplies its items as "link" (链接待下载) until a person
//! has fetched the files and marked it (`review --resolve`, or `assign`).

/// Whether a file name is an Office lock file (`~$报告.xlsx`): Word and
/// Excel leave one beside an open document, and units attach it by mistake
/// in place of the document (165 bytes, no content).
pub fn is_lock_name(name: &str) -> bool {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .starts_with("~$")
}

/// An Office lock file by its name, or as the inspection described it.
pub fn is_lock_file(name: &str, problem: Option<&str>) -> bool {
    is_lock_name(name) || problem.is_some_and(|p| p.contains("lock file"))
}

/// One attached file as the rule sees it (an `attachments` row).
#[derive(Debug, Clone, Copy)]
pub struct File<'a> {
    pub name: &'a str,
    pub size: i64,
    /// `unreadable: …`, `suspicious: …` or `unopened: …`, as recorded.
    pub problem: Option<&'a str>,
    /// Archive members, when the file is an archive that was listed.
    pub members: Option<&'a [String]>,
    /// Items its name (or its members' names) mention.
    pub items: &'a [String],
}

/// Whether a file is material a person can use. Files kept but too large
/// to read automatically (`unopened`) are usable: the receipt told the unit
/// not to send them again. Unreadable ones (damaged, password-protected,
/// lock files, empty) and refused archives are not.
pub fn usable(f: &File<'_>) -> bool {
    if f.size <= 0 || is_lock_file(f.name, f.problem) {
        return false;
    }
    if f.problem
        .is_some_and(|p| p.starts_with("unreadable") || p.starts_with("suspicious"))
    {
        return false;
    }
    // An archive holding nothing, or only lock files, holds no material.
    match f.members {
        Some(m) => m.iter().any(|n| !n.ends_with('/') && !is_lock_name(n)),
        None => true,
    }
}

/// One message (delivery) as the rule sees it.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    /// Items and projects the message names (subject, body, file names).
    pub items: &'a [String],
    pub projects: &'a [String],
    pub files: Vec<File<'a>>,
    /// No attachment, but a download link (超大附件, 网盘).
    pub link_only: bool,
    /// Recorded from its headers only (quarantined): its files were never
    /// looked at, so none were recorded.
    pub unseen: bool,
    /// A person assigned it (`mailroom assign`).
    pub by_hand: bool,
    /// A person marked it dealt with (`mailroom review --resolve`).
    pub resolved: bool,
}

/// What a message supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Material {
    /// Usable files: its items count as received.
    Files,
    /// Only a download link nobody has fetched yet (链接待下载).
    Link,
    /// Nothing usable: its items count as missing.
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub material: Material,
    /// The items and projects the material supports (for `Link`, those the
    /// link is said to hold); empty for `Nothing`.
    pub items: Vec<String>,
    pub projects: Vec<String>,
}

fn project_of(item: &str) -> &str {
    item.split('.').next().unwrap_or("")
}

pub fn received(m: &Message<'_>) -> Received {
    let all = |material| Received {
        material,
        items: m.items.to_vec(),
        projects: m.projects.to_vec(),
    };
    let (good, bad): (Vec<&File<'_>>, Vec<&File<'_>>) = m.files.iter().partition(|f| usable(f));
    if good.is_empty() {
        // A person who fetched the link's files, or read a quarantined
        // message in webmail, vouches for them. Nobody can vouch for a
        // refused or empty file: the unit sends it again, and that mail counts.
        let vouched = m.by_hand || m.resolved;
        return if m.files.is_empty() && m.link_only {
            all(if vouched {
                Material::Files
            } else {
                Material::Link
            })
        } else if m.files.is_empty() && m.unseen && m.by_hand {
            all(Material::Files)
        } else {
            Received {
                material: Material::Nothing,
                items: Vec::new(),
                projects: Vec::new(),
            }
        };
    }
    // Items only unusable files name stay missing (a refused "4.2.zip"
    // beside a readable "4.1.docx"); the rest the usable files support.
    let only_bad = |item: &String| {
        bad.iter().any(|f| f.items.contains(item)) && !good.iter().any(|f| f.items.contains(item))
    };
    let (items, dropped): (Vec<String>, Vec<String>) =
        m.items.iter().cloned().partition(|i| !only_bad(i));
    // A project kept with none of its named items would read as "the whole
    // project" (项目四 covers 4.1–4.3): drop a project whose named items
    // all stayed missing.
    let projects = m
        .projects
        .iter()
        .filter(|p| {
            !dropped.iter().any(|i| project_of(i) == p.as_str())
                || items.iter().any(|i| project_of(i) == p.as_str())
        })
        .cloned()
        .collect();
    Received {
        material: Material::Files,
        items,
        projects,
    }
}

#[cfg(test)]
#[path = "received_tests.rs"]
mod tests;
