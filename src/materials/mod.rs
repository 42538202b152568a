//! The materials tree: every file units sent, laid out for people to browse
//! or share read-only — `<科室>/<item code> <short title>/<unit>/<file>` —
//! with older versions under `历次版本/`, late files marked `【逾期】`,
//! undecided material in `<科室>/待核对/`, and a `目录.xlsx` per 科室.
//!
//! The tree is derived, never a source: it is built whole from the ledger
//! (and the raw messages, the one copy of every file) into a fresh
//! directory next to it, then swapped in, so it always says exactly what
//! the ledger says and can be deleted at any time. Unchanged files are
//! hard-linked from the previous tree (its manifest), so an update only
//! opens the messages that are new.
//!
//! Files: `layout` (pure: where each file goes), `source` (the ledger
//! query), `write` (extraction, links), `catalogue` (目录.xlsx), `pack`
//! (the zip).

pub mod catalogue;
mod child;
pub mod layout;
pub mod pack;
pub mod source;
mod swap;
pub mod write;

use std::path::Path;

use anyhow::{Context, Result};
use sqlx::SqlitePool;

use crate::config::Config;

/// What a build did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub placements: usize,
    /// Files written, and further names hard-linked to them.
    pub files: usize,
    pub linked: usize,
    /// Messages re-parsed (the rest came from the previous tree).
    pub parsed: usize,
    /// Attachments the ledger lists but a re-parse did not find.
    pub missing: Vec<String>,
}

/// Builds the tree from the ledger and swaps it in place of the old one.
pub async fn rebuild(cfg: &Config, pool: &SqlitePool) -> Result<Summary> {
    let materials = source::materials(pool).await?;
    let cfg = cfg.clone();
    tokio::task::spawn_blocking(move || build_and_swap(&cfg, &materials))
        .await
        .context("the materials build stopped")?
}

/// The daemon's hook after a batch, an assignment or a reprocessing: keeps
/// the tree current when `[materials] enabled`. A failure is logged, never
/// passed on: the tree is a convenience, the ledger is what matters.
///
/// Building re-parses new messages (hostile input) and unpacks archives, so
/// the daemon runs it as a child process (`mailroom materials --rebuild`)
/// under the inspection workers' memory limit: a message that exhausts it
/// costs a tree update, never the daemon. A library caller (tests) builds
/// in process.
/// While mail keeps arriving (a first run over ten thousand messages, a
/// busy deadline afternoon), the tree is rebuilt at most this often: a
/// rebuild over a large ledger takes seconds, and rebuilding after every
/// batch held the intake up for minutes. What waits is done by the next
/// call after the interval, or at the end of the command.
const MIN_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// When the tree was last rebuilt by this process, and whether the ledger
/// has changed since.
static PACE: std::sync::Mutex<(Option<std::time::Instant>, bool)> =
    std::sync::Mutex::new((None, false));

/// The ledger changed: rebuild now, or once `MIN_INTERVAL` has passed.
pub async fn refresh_soon(cfg: &Config, pool: &SqlitePool) {
    if let Ok(mut p) = PACE.lock() {
        p.1 = true;
    }
    refresh_if_due(cfg, pool).await;
}

/// Rebuilds if the ledger changed and the interval has passed (the
/// daemon's intake calls this at least every minute).
pub async fn refresh_if_due(cfg: &Config, pool: &SqlitePool) {
    let due = PACE
        .lock()
        .map(|p| p.1 && p.0.is_none_or(|t| t.elapsed() >= MIN_INTERVAL))
        .unwrap_or(true);
    if due {
        refresh_now(cfg, pool).await;
    }
}

/// Rebuilds if the ledger changed since the last rebuild, whatever the
/// interval: the end of `run --once`, `ingest` and `reprocess`.
pub async fn refresh_if_dirty(cfg: &Config, pool: &SqlitePool) {
    if PACE.lock().map(|p| p.1).unwrap_or(true) {
        refresh_now(cfg, pool).await;
    }
}

async fn refresh_now(cfg: &Config, pool: &SqlitePool) {
    if let Ok(mut p) = PACE.lock() {
        *p = (Some(std::time::Instant::now()), false);
    }
    refresh(cfg, pool).await;
}

pub async fn refresh(cfg: &Config, pool: &SqlitePool) {
    if !cfg.service.materials.enabled {
        return;
    }
    let t = std::time::Instant::now();
    let result = match child::own_executable() {
        Some(exe) => child::rebuild(cfg, &exe).await,
        None => rebuild(cfg, pool).await.map(|s| {
            format!(
                "{} file(s) placed, {} written, {} linked, {} message(s) opened",
                s.placements, s.files, s.linked, s.parsed
            )
        }),
    };
    match result {
        Ok(what) => tracing::info!(
            ms = t.elapsed().as_millis() as u64,
            "materials tree updated: {what}"
        ),
        Err(e) => tracing::error!(error = %format!("{e:#}"), "materials tree not updated"),
    }
}

fn build_and_swap(cfg: &Config, materials: &[layout::Material]) -> Result<Summary> {
    let tree = cfg.materials_dir();
    let parent = tree
        .parent()
        .context("the materials directory has no parent")?;
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let name = tree
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "materials".into());
    swap::remove_stale(parent, &name);
    let fresh = parent.join(format!(".{name}.new-{}", std::process::id()));
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh)
            .with_context(|| format!("cannot remove {}", fresh.display()))?;
    }
    std::fs::create_dir(&fresh).with_context(|| format!("cannot create {}", fresh.display()))?;
    // Phase times in the debug log, to see where an update's time goes.
    let t = std::time::Instant::now();
    let placements = layout::plan(cfg, materials);
    let planned = t.elapsed();
    let old = write::read_manifest(&tree);
    let written = write::build(&cfg.data_dir, materials, &placements, &fresh, &tree, &old)?;
    let built = t.elapsed();
    for d in &cfg.campaign.departments {
        let mine: Vec<(usize, &layout::Placement)> = placements
            .iter()
            .enumerate()
            .filter(|(_, p)| p.department == d.id)
            .collect();
        let dir = fresh.join(layout::component(&d.name));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let book = catalogue::workbook(cfg, &d.id, materials, &mine, &written.links)?;
        let path = dir.join(layout::CATALOGUE);
        std::fs::write(&path, book).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let catalogued = t.elapsed();
    swap::swap(&fresh, &tree)?;
    tracing::debug!(
        plan_ms = planned.as_millis() as u64,
        files_ms = (built - planned).as_millis() as u64,
        catalogues_ms = (catalogued - built).as_millis() as u64,
        swap_ms = (t.elapsed() - catalogued).as_millis() as u64,
        "materials tree built"
    );
    Ok(Summary {
        placements: placements.len(),
        files: written.files,
        linked: written.linked,
        parsed: written.parsed,
        missing: written.missing,
    })
}

/// Writes the zip of one 科室's folder (or the whole tree) to `out`,
/// after bringing the tree up to date.
pub async fn zip(
    cfg: &Config,
    pool: &SqlitePool,
    department: Option<&str>,
    out: &Path,
) -> Result<Summary> {
    let summary = rebuild(cfg, pool).await?;
    let tree = cfg.materials_dir();
    let (dir, prefix) = match department.and_then(|id| cfg.department(id)) {
        Some(d) => {
            let folder = layout::component(&d.name);
            (tree.join(&folder), folder)
        }
        None => (tree, String::new()),
    };
    let out = out.to_owned();
    tokio::task::spawn_blocking(move || -> Result<()> {
        let tmp = out.with_extension("zip.part");
        let f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        let f = pack::zip_dir(&dir, &prefix, std::io::BufWriter::new(f))?;
        f.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &out).with_context(|| format!("cannot write {}", out.display()))
    })
    .await
    .context("the zip stopped")??;
    Ok(summary)
}
