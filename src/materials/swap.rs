//! Replacing the tree with a freshly built one, so a reader never finds it
//! half written.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Puts `fresh` where `tree` is. With a tree already there the two are
/// exchanged in one step (renameat2 RENAME_EXCHANGE), so a reader never
/// finds the folder missing; the old one is then removed.
pub(super) fn swap(fresh: &Path, tree: &Path) -> Result<()> {
    if !tree.exists() {
        return std::fs::rename(fresh, tree)
            .with_context(|| format!("cannot move the tree to {}", tree.display()));
    }
    if !exchange(fresh, tree) {
        let aside = aside(tree);
        std::fs::rename(tree, &aside)
            .with_context(|| format!("cannot move {} aside", tree.display()))?;
        std::fs::rename(fresh, tree)
            .with_context(|| format!("cannot move the tree to {}", tree.display()))?;
        return std::fs::remove_dir_all(&aside)
            .with_context(|| format!("cannot remove {}", aside.display()));
    }
    std::fs::remove_dir_all(fresh)
        .with_context(|| format!("cannot remove the old tree {}", fresh.display()))
}

fn aside(tree: &Path) -> PathBuf {
    let mut s = tree.as_os_str().to_owned();
    s.push(format!(".old-{}", std::process::id()));
    PathBuf::from(s)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let (Ok(a), Ok(b)) = (
        std::ffi::CString::new(a.as_os_str().as_bytes()),
        std::ffi::CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: two valid NUL-terminated paths; renameat2 only reads them.
    unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        ) == 0
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

/// Removes the half-built trees of builds that died (killed at the memory
/// limit, a crash): `.<name>.new-<pid>` and `<name>.old-<pid>` whose
/// process is gone. A build still running keeps its own.
pub(super) fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let fresh = format!(".{name}.new-");
    let old = format!("{name}.old-");
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let pid = n
            .strip_prefix(&fresh)
            .or_else(|| n.strip_prefix(&old))
            .and_then(|p| p.parse::<i32>().ok());
        // SAFETY: signal 0 only asks whether the process exists.
        if let Some(pid) = pid
            && unsafe { libc::kill(pid, 0) } != 0
            && let Err(err) = std::fs::remove_dir_all(e.path())
        {
            tracing::warn!(path = %e.path().display(), error = %err, "cannot remove a stale tree");
        }
    }
}
