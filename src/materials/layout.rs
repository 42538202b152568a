//! Where each file goes in the tree: pure functions over plain data, so the
//! layout is decided (and tested) without a ledger or a disk.
//!
//! `<科室>/<item code> <short title>/<unit>/<file>` for the newest version,
//! `…/<unit>/历次版本/<arrival>/<file>` for older ones, a `【逾期】` prefix on
//! late files, and `<科室>/待核对/<arrival> 编号<ledger id> <unit>/<file>` for
//! material whose unit or item is not known (or not yet believed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::config::Config;

/// Folder of material waiting for a person's decision, in each 科室.
pub const PENDING: &str = "待核对";
/// Folder of superseded versions, in each unit's folder.
pub const EARLIER: &str = "历次版本";
/// Prefix of a file that arrived after the deadline.
pub const LATE: &str = "【逾期】";
/// The catalogue in each 科室's folder.
pub const CATALOGUE: &str = "目录.xlsx";

/// One stored attachment with what the ledger says about its message.
#[derive(Debug, Clone)]
pub struct Material {
    pub ledger_id: i64,
    pub message_key: String,
    /// The department whose mailbox it reached.
    pub landed: String,
    pub received_at: DateTime<Utc>,
    pub unit: Option<String>,
    /// The attachment's own items, else its message's.
    pub items: Vec<String>,
    pub late: bool,
    /// Counts as the unit's material (not waiting for a person to confirm
    /// an unverified sender or a quarantine).
    pub believed: bool,
    pub receipt: String,
    /// The raw message (relative to the data directory) and the file's
    /// index in its inspection.
    pub raw_path: String,
    pub ordinal: usize,
    pub safe_filename: String,
    pub sha256: String,
}

/// Where a material file is filed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    /// Under an item, for a unit.
    Filed { item: String, unit: String },
    /// Waiting in 待核对 (unit or item unknown).
    Pending,
}

/// One file of the tree (a zip is unpacked below `path` with its stem as
/// the folder, see `write`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Relative to the tree's root.
    pub path: PathBuf,
    pub department: String,
    pub slot: Slot,
    /// The newest version of its unit's item (always true in 待核对).
    pub current: bool,
    /// Index into the materials given to [`plan`].
    pub source: usize,
}

/// Cleans one path component for the tree: the export's safe name, plus
/// `#` (a hyperlink anchor in the catalogue) made full-width.
pub fn component(name: &str) -> String {
    crate::inspect::names::safe_filename(&name.replace('#', "＃"))
}

/// `2018-01-26 17.30.05` in the campaign's zone: sorts as text, and has no
/// `:` (not allowed in Windows names).
pub fn arrival_label(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H.%M.%S").to_string()
}

/// The folder name of an item: `3.2 智慧团建`.
pub fn item_folder(code: &str, short: &str) -> String {
    component(&format!("{code} {short}"))
}

/// The file's path relative to the tree's root.
#[allow(clippy::too_many_arguments)] // the layout's whole input, spelled out
pub fn file_path(
    department: &str,
    item: Option<&str>,
    unit: &str,
    file: &str,
    arrival: &str,
    late: bool,
    current: bool,
) -> PathBuf {
    let name = component(&if late {
        format!("{LATE}{file}")
    } else {
        file.to_owned()
    });
    let mut p = PathBuf::from(component(department));
    match item {
        Some(item) => {
            p.push(item);
            p.push(component(unit));
            if !current {
                p.push(EARLIER);
                p.push(component(arrival));
            }
        }
        None => {
            p.push(PENDING);
            p.push(component(&format!("{arrival} {unit}")));
        }
    }
    p.push(name);
    p
}

/// Every placement of every material, sorted by path; names made unique
/// within their folder (`name (2).pdf`). One copy per message (the first
/// delivery of it), once per 科室 responsible for each of its items.
pub fn plan(cfg: &Config, materials: &[Material]) -> Vec<Placement> {
    let c = &cfg.campaign;
    let dept_name = |id: &str| c.department(id).map_or(id.to_owned(), |d| d.name.clone());
    let mut seen = BTreeSet::new();
    // (department, slot) → sources, for versions.
    let mut out: Vec<(String, Slot, usize)> = Vec::new();
    for (i, m) in materials.iter().enumerate() {
        if !seen.insert((m.message_key.clone(), m.ordinal)) {
            continue;
        }
        let unit = m.unit.as_deref().and_then(|u| cfg.units.get(u));
        let items: Vec<(&str, &[String])> = m
            .items
            .iter()
            .filter_map(|code| {
                c.item(code)
                    .map(|(_, it)| (it.code.as_str(), &it.departments[..]))
            })
            .collect();
        match (unit, m.believed && !items.is_empty()) {
            (Some(u), true) => {
                for (code, depts) in &items {
                    for d in depts.iter() {
                        let slot = Slot::Filed {
                            item: code.to_string(),
                            unit: u.name.clone(),
                        };
                        out.push((d.clone(), slot, i));
                    }
                }
            }
            _ => {
                let mut depts: BTreeSet<&str> = items
                    .iter()
                    .flat_map(|(_, d)| d.iter().map(String::as_str))
                    .collect();
                if depts.is_empty() {
                    depts.insert(&m.landed);
                }
                for d in depts {
                    out.push((d.to_owned(), Slot::Pending, i));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    // The newest message of each (department, item, unit) is current.
    let mut newest: BTreeMap<(&str, &Slot), (DateTime<Utc>, i64)> = BTreeMap::new();
    for (d, slot, i) in &out {
        let m = &materials[*i];
        let e = newest
            .entry((d.as_str(), slot))
            .or_insert((m.received_at, m.ledger_id));
        *e = (*e).max((m.received_at, m.ledger_id));
    }
    let mut placements: Vec<Placement> = out
        .iter()
        .map(|(d, slot, i)| {
            let m = &materials[*i];
            let current = *slot == Slot::Pending
                || newest.get(&(d.as_str(), slot)) == Some(&(m.received_at, m.ledger_id));
            let arrival = arrival_label(m.received_at, cfg.tz);
            let path = match slot {
                Slot::Filed { item, unit } => {
                    let short = c
                        .item(item)
                        .map(|(_, it)| it.short.clone().unwrap_or_else(|| it.title.clone()))
                        .unwrap_or_default();
                    file_path(
                        &dept_name(d),
                        Some(&item_folder(item, &short)),
                        unit,
                        &m.safe_filename,
                        &arrival,
                        m.late,
                        current,
                    )
                }
                Slot::Pending => {
                    let who = m
                        .unit
                        .as_deref()
                        .and_then(|u| cfg.units.get(u))
                        .map_or("单位未识别".to_owned(), |u| u.name.clone());
                    file_path(
                        &dept_name(d),
                        None,
                        &format!("编号{} {who}", m.ledger_id),
                        &m.safe_filename,
                        &arrival,
                        m.late,
                        true,
                    )
                }
            };
            Placement {
                path,
                department: d.clone(),
                slot: slot.clone(),
                current,
                source: *i,
            }
        })
        .collect();
    placements.sort_by(|a, b| {
        (
            &a.path,
            materials[a.source].ledger_id,
            materials[a.source].ordinal,
        )
            .cmp(&(
                &b.path,
                materials[b.source].ledger_id,
                materials[b.source].ordinal,
            ))
    });
    unique_names(&mut placements);
    placements
}

/// `a.pdf`, `a (2).pdf`, `a (3).pdf`: two files of one name in one folder
/// (two messages the same minute, two parts named alike) both kept.
fn unique_names(placements: &mut [Placement]) {
    let mut taken: std::collections::HashSet<PathBuf> = Default::default();
    // The last number given for each name, so many equal names stay linear.
    let mut last: std::collections::HashMap<PathBuf, usize> = Default::default();
    for p in placements.iter_mut() {
        if taken.insert(p.path.clone()) {
            continue;
        }
        let n = last.entry(p.path.clone()).or_insert(1);
        loop {
            *n += 1;
            let candidate = numbered(&p.path, *n);
            if taken.insert(candidate.clone()) {
                p.path = candidate;
                break;
            }
        }
    }
}

fn numbered(path: &std::path::Path, n: usize) -> PathBuf {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (stem, ext) = match name.rfind('.') {
        Some(p) if p > 0 => (&name[..p], &name[p..]),
        _ => (name.as_str(), ""),
    };
    path.with_file_name(format!("{stem} ({n}){ext}"))
}

/// The folder a zip's members are unpacked into: the zip's path without
/// its extension (`材料.zip` → `材料/`).
pub fn unpack_dir(zip_path: &std::path::Path) -> PathBuf {
    zip_path.with_extension("")
}

/// A member's path below the unpack folder: every component cleaned, empty
/// and dot components dropped, so nothing lands outside the folder.
pub fn member_path(member: &str) -> Option<PathBuf> {
    let parts: Vec<String> = member
        .split(['/', '\\'])
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "." && *c != "..")
        .map(component)
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(parts.iter().collect())
}

/// The members' paths below the unpack folder. A zip made by
/// right-clicking a folder holds that folder (`材料.zip` → `材料/…`): its
/// one top folder is dropped when it repeats the zip's name, rather than
/// nesting `材料/材料/`.
pub fn member_paths(members: &[&str], zip_stem: &str) -> Vec<Option<PathBuf>> {
    let paths: Vec<Option<PathBuf>> = members.iter().map(|m| member_path(m)).collect();
    let top = std::ffi::OsStr::new(zip_stem);
    let nested = !paths.is_empty()
        && paths.iter().all(|p| {
            p.as_ref()
                .is_some_and(|p| p.components().count() > 1 && p.iter().next() == Some(top))
        });
    if !nested {
        return paths;
    }
    paths
        .into_iter()
        .map(|p| p.and_then(|p| p.strip_prefix(zip_stem).ok().map(PathBuf::from)))
        .collect()
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
