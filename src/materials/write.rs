//! Writing a planned tree into an empty directory. Files come out of the
//! raw messages (the one copy of every file sent), re-parsed with the
//! inspection code; a zip is unpacked under the same bounds inspection
//! uses. Equal contents are written once and hard-linked.
//!
//! The previous tree's manifest (`.mailroom.json`: attachment sha256 →
//! where its content sits) lets an update link unchanged files from the
//! old tree instead of re-parsing every message: only new messages are
//! opened. Content addressing keeps that exactly what a fresh build writes.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::layout::{Material, Placement, member_paths, unpack_dir};
use crate::inspect::{self, Limits};

pub const MANIFEST: &str = ".mailroom.json";

/// Where an attachment's content sits in a tree (paths relative to it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Stored {
    /// The file whole.
    Whole(String),
    /// A zip unpacked: (member path below the unpack folder, file in the tree).
    Members(Vec<(String, String)>),
}

pub type Manifest = BTreeMap<String, Stored>;

pub fn read_manifest(tree: &Path) -> Manifest {
    // A missing or unreadable manifest only costs a full build.
    fs::read(tree.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

#[derive(Debug, Default)]
pub struct Written {
    /// Placement index → what the catalogue links to (the file, or the
    /// folder a zip was unpacked into), relative to the tree.
    pub links: HashMap<usize, PathBuf>,
    pub files: usize,
    pub linked: usize,
    /// Messages re-parsed (not found in the old tree).
    pub parsed: usize,
    pub missing: Vec<String>,
}

struct Builder<'a> {
    root: &'a Path,
    old_root: &'a Path,
    old: &'a Manifest,
    manifest: Manifest,
    /// Content sha256 → first file written with it.
    by_content: HashMap<String, PathBuf>,
    out: Written,
}

impl Builder<'_> {
    /// Writes (or links) `bytes` at `rel`.
    fn put(
        &mut self,
        rel: &Path,
        sha: &str,
        bytes: Option<&[u8]>,
        old: Option<&str>,
    ) -> Result<()> {
        let dest = self.root.join(rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        if let Some(first) = self.by_content.get(sha) {
            link_or_copy(first, &dest)?;
            self.out.linked += 1;
            return Ok(());
        }
        match (bytes, old) {
            (Some(b), _) => {
                fs::write(&dest, b).with_context(|| format!("cannot write {}", dest.display()))?
            }
            (None, Some(o)) => link_or_copy(&self.old_root.join(o), &dest)?,
            (None, None) => anyhow::bail!("no content for {}", dest.display()),
        }
        self.out.files += 1;
        self.by_content.insert(sha.to_owned(), dest);
        Ok(())
    }

    /// Places one attachment: from the old tree when its manifest has it.
    fn place_from_old(&mut self, i: usize, p: &Placement, m: &Material) -> Result<bool> {
        let Some(stored) = self.old.get(&m.sha256).cloned() else {
            return Ok(false);
        };
        if !stored_present(self.old_root, &stored) {
            return Ok(false);
        }
        match &stored {
            Stored::Whole(o) => {
                self.put(&p.path, &m.sha256, None, Some(o))?;
                self.record(i, m, p.path.clone(), Stored::Whole(rel_str(&p.path)));
            }
            Stored::Members(list) => {
                let dir = unpack_dir(&p.path);
                let mut now = Vec::new();
                for (member, o) in list {
                    let rel = dir.join(member);
                    let sha = format!("{}:{member}", m.sha256);
                    self.put(&rel, &sha, None, Some(o))?;
                    now.push((member.clone(), rel_str(&rel)));
                }
                self.record(i, m, dir, Stored::Members(now));
            }
        }
        Ok(true)
    }

    /// Places one attachment from its bytes, unpacking a zip. An archive
    /// that cannot be unpacked whole is kept as the zip.
    fn place_bytes(&mut self, i: usize, p: &Placement, m: &Material, bytes: &[u8]) -> Result<()> {
        let is_zip = crate::inspect::names::extension(&m.safe_filename) == "zip";
        if is_zip {
            match self.unpack(i, p, m, bytes) {
                Ok(()) => return Ok(()),
                Err(why) => tracing::debug!(file = %m.safe_filename, %why, "kept as a zip"),
            }
        }
        self.put(&p.path, &m.sha256, Some(bytes), None)?;
        self.record(i, m, p.path.clone(), Stored::Whole(rel_str(&p.path)));
        Ok(())
    }

    /// Unpacks a zip into the folder of its name, one member in memory at a
    /// time; on failure removes what it wrote and says why.
    fn unpack(
        &mut self,
        i: usize,
        p: &Placement,
        m: &Material,
        bytes: &[u8],
    ) -> Result<(), String> {
        let members = inspect::zip_member_names(bytes, &Limits::default())?;
        let dir = unpack_dir(&p.path);
        let stem = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let names: Vec<&str> = members.iter().map(String::as_str).collect();
        let paths: HashMap<&str, Option<PathBuf>> = names
            .iter()
            .copied()
            .zip(member_paths(&names, &stem))
            .collect();
        let mut now = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut written = Vec::new();
        let result = inspect::zip_members_each(bytes, &Limits::default(), &mut |name, data| {
            let Some(Some(rel_member)) = paths.get(name) else {
                return Ok(());
            };
            let member = rel_str(rel_member);
            // Two members that clean to one name: the first wins.
            if !seen.insert(member.clone()) {
                return Ok(());
            }
            let rel = dir.join(rel_member);
            let sha = hex::encode(Sha256::digest(data));
            let fresh = !self.by_content.contains_key(&sha);
            self.put(&rel, &sha, Some(data), None)
                .map_err(|e| format!("{e:#}"))?;
            if fresh {
                written.push(sha);
            }
            now.push((member, rel_str(&rel)));
            Ok(())
        });
        match result {
            Ok(()) => {
                self.out.links.insert(i, dir.clone());
                self.manifest
                    .entry(m.sha256.clone())
                    .or_insert(Stored::Members(now));
                Ok(())
            }
            Err(why) => {
                for sha in written {
                    self.by_content.remove(&sha);
                }
                let _ = fs::remove_dir_all(self.root.join(&dir));
                Err(why)
            }
        }
    }

    fn record(&mut self, i: usize, m: &Material, link: PathBuf, stored: Stored) {
        self.out.links.insert(i, link);
        self.manifest.entry(m.sha256.clone()).or_insert(stored);
    }
}

fn stored_present(root: &Path, s: &Stored) -> bool {
    match s {
        Stored::Whole(p) => root.join(p).is_file(),
        Stored::Members(list) => list.iter().all(|(_, p)| root.join(p).is_file()),
    }
}

fn rel_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A hard link (equal content, one copy on disk); a copy where the file
/// system refuses links.
fn link_or_copy(from: &Path, to: &Path) -> Result<()> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to)
        .map(|_| ())
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))
}

/// Limits for finding the files in a message again: the message is taken
/// apart exactly as inspection does (same parts, same order, same bytes),
/// but no file is opened (no spreadsheet, document or form reading): the
/// tree needs the bytes only, and opening is most of inspection's time
/// and memory.
fn finding_only() -> Limits {
    Limits {
        max_inspect_size: 0,
        ..Limits::default()
    }
}

/// Writes every placement into `root` (empty), taking unchanged content
/// from `old_root` per `old`.
pub fn build(
    data_dir: &Path,
    materials: &[Material],
    placements: &[Placement],
    root: &Path,
    old_root: &Path,
    old: &Manifest,
) -> Result<Written> {
    let mut b = Builder {
        root,
        old_root,
        old,
        manifest: Manifest::new(),
        by_content: HashMap::new(),
        out: Written::default(),
    };
    // Placements grouped by raw message, so each message is parsed once.
    let mut by_raw: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in placements.iter().enumerate() {
        by_raw
            .entry(materials[p.source].raw_path.as_str())
            .or_default()
            .push(i);
    }
    for (raw, idx) in by_raw {
        let mut parsed: Option<inspect::Inspection> = None;
        for i in idx {
            let p = &placements[i];
            let m = &materials[p.source];
            if b.place_from_old(i, p, m)? {
                continue;
            }
            if parsed.is_none() {
                let path = data_dir.join(raw);
                let bytes =
                    fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
                parsed = Some(inspect::inspect(&bytes, &finding_only()));
                b.out.parsed += 1;
            }
            let att = parsed
                .as_ref()
                .and_then(|ins| ins.attachments.get(m.ordinal))
                .filter(|a| a.sha256 == m.sha256);
            match att {
                Some(a) => b.place_bytes(i, p, m, &a.bytes)?,
                // The ledger and a re-parse disagree (an older parser split
                // the message differently): said, never guessed.
                None => b.out.missing.push(format!("{raw} #{}", m.ordinal)),
            }
        }
    }
    let manifest = serde_json::to_vec_pretty(&b.manifest).context("cannot encode the manifest")?;
    let mpath = root.join(MANIFEST);
    fs::write(&mpath, manifest).with_context(|| format!("cannot write {}", mpath.display()))?;
    Ok(b.out)
}
