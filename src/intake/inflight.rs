//! Which messages this process is understanding right now, kept in a small
//! file per process (`<data_dir>/inflight/<pid>`), rewritten as batches
//! start and are recorded.
//!
//! A process that dies (SIGKILL, an abort, the OOM killer) leaves its file
//! behind; the next one to start folds it into the ledger: each message in
//! it gets one more `understand_attempts`, cleared again when the message is
//! recorded. A message that keeps being in flight when mailroom dies is
//! quarantined (see `understand`). A file, not a row: an UPDATE before each
//! batch competed for SQLite's one writer with the recording of the batch
//! before it and stalled the pipeline (ingest ran 40 % slower). The file
//! only has to survive the process, not a power cut, so it is not fsynced.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use sqlx::SqlitePool;

pub(super) struct Inflight {
    path: PathBuf,
    ids: Mutex<BTreeSet<i64>>,
}

impl Inflight {
    pub fn new(data_dir: &Path) -> Result<Inflight> {
        let dir = data_dir.join("inflight");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Inflight {
            path: dir.join(std::process::id().to_string()),
            ids: Mutex::new(BTreeSet::new()),
        })
    }

    /// These messages are about to be understood.
    pub fn start(&self, ids: &[i64]) -> Result<()> {
        self.update(|set| set.extend(ids.iter().copied()))
    }

    /// These messages are recorded (or given up).
    pub fn done(&self, ids: &[i64]) -> Result<()> {
        self.update(|set| {
            for id in ids {
                set.remove(id);
            }
        })
    }

    fn update(&self, f: impl FnOnce(&mut BTreeSet<i64>)) -> Result<()> {
        let mut set = self.ids.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut set);
        if set.is_empty() {
            return match std::fs::remove_file(&self.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(e).with_context(|| format!("cannot remove {}", self.path.display()))
                }
                _ => Ok(()),
            };
        }
        let text: String = set.iter().map(|id| format!("{id}\n")).collect();
        let tmp = self.path.with_extension("new");
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.path)
            .with_context(|| format!("cannot replace {}", self.path.display()))
    }
}

/// Folds the files of processes that died into `understand_attempts`.
pub(super) async fn fold_dead(pool: &SqlitePool, data_dir: &Path) -> Result<()> {
    let dir = data_dir.join("inflight");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        let path = entry.path();
        let Some(pid) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists() {
            continue; // a live process's work
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let ids: Vec<i64> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
        if !ids.is_empty() {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            // Ids were parsed as integers: safe to inline.
            sqlx::query(&format!(
                "UPDATE messages SET understand_attempts = understand_attempts + 1 WHERE id IN ({})",
                list.join(",")
            ))
            .execute(pool)
            .await
            .context("cannot count interrupted understanding")?;
            tracing::warn!(
                pid,
                messages = ids.len(),
                "a previous mailroom process died while understanding these messages; they will be tried again"
            );
        }
        std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}
