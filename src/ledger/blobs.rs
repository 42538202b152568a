//! Content-addressed files under the data directory.
//!
//! Raw messages are stored as `raw/<ab>/<sha256>.eml` where `ab` is the
//! first two hex digits. They are the only copy of each file a unit sent:
//! attachments are found in them again when needed, never stored twice. Bytes are first written to `tmp/`, then
//! made durable *as a batch* (one `syncfs` instead of one `fsync` per file:
//! ten thousand messages should not cost ten thousand journal commits), then
//! renamed into place, then the directory entries are made durable with a
//! second `syncfs`. Only after that may a database row point at the file.
//!
//! A file at its final path is therefore always complete; a crash leaves at
//! most orphans in `tmp/`, removed at the next start.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

/// What a blob is; decides its top-level directory. Raw messages only,
/// today; earlier versions also kept a copy of every attachment, in
/// `attachments/`, which the code no longer writes or reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    Raw,
}

impl BlobKind {
    fn dir(self) -> &'static str {
        match self {
            BlobKind::Raw => "raw",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            BlobKind::Raw => ".eml",
        }
    }
}

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    tmp: PathBuf,
}

/// Bytes written to `tmp/` but not yet durable or in place.
#[derive(Debug)]
pub struct Staged {
    pub sha256: String,
    pub size: u64,
    /// Path relative to the data directory, valid once committed.
    pub rel_path: PathBuf,
    tmp: Option<PathBuf>,
}

impl BlobStore {
    /// Creates the directory layout and removes temporary files left by a
    /// process that no longer runs (a crash or SIGKILL mid-batch).
    pub fn open(root: &Path) -> Result<BlobStore> {
        let tmp = root.join("tmp");
        for dir in [root.to_owned(), tmp.clone(), root.join("raw")] {
            fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create directory {}", dir.display()))?;
        }
        let store = BlobStore {
            root: root.to_owned(),
            tmp,
        };
        store.remove_orphans()?;
        Ok(store)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn path_of(&self, rel: &Path) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &Path) -> Result<Vec<u8>> {
        let p = self.path_of(rel);
        fs::read(&p).with_context(|| format!("cannot read {}", p.display()))
    }

    /// Temporary names carry the writer's pid, so a second process (an
    /// `ingest` next to the daemon) never deletes the first one's files.
    fn remove_orphans(&self) -> Result<()> {
        let entries = fs::read_dir(&self.tmp)
            .with_context(|| format!("cannot list {}", self.tmp.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", self.tmp.display()))?;
            let name = entry.file_name();
            let pid = name
                .to_str()
                .and_then(|n| n.split('-').next())
                .and_then(|p| p.parse::<u32>().ok());
            let alive = pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists());
            if !alive || pid == Some(std::process::id()) {
                let path = entry.path();
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove orphan {}", path.display()))?;
                tracing::debug!(path = %path.display(), "removed orphaned temporary file");
            }
        }
        Ok(())
    }

    /// Hashes and writes `bytes` to a temporary file (not yet durable). If the
    /// content is already stored, nothing is written.
    pub fn stage(&self, kind: BlobKind, bytes: &[u8]) -> Result<Staged> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let rel_path = Path::new(kind.dir())
            .join(&sha256[..2])
            .join(format!("{sha256}{}", kind.suffix()));
        let size = bytes.len() as u64;
        let final_path = self.root.join(&rel_path);
        // A file at its final path is complete by construction (renamed only
        // after it was durable); the size check guards against a file an
        // administrator truncated by hand.
        if fs::metadata(&final_path).is_ok_and(|m| m.len() == size) {
            return Ok(Staged {
                sha256,
                size,
                rel_path,
                tmp: None,
            });
        }
        let tmp = self.tmp.join(format!(
            "{}-{}-{}",
            std::process::id(),
            &sha256[..16],
            fastrand::u64(..)
        ));
        let mut f =
            File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        Ok(Staged {
            sha256,
            size,
            rel_path,
            tmp: Some(tmp),
        })
    }

    /// A staged file written piece by piece, for a message too large to
    /// hold in memory at once (see `imap::sync`). Its name and hash are
    /// known only at the end ([`StagingFile::finish`]).
    pub fn stage_pieces(&self, kind: BlobKind) -> Result<StagingFile> {
        let tmp = self.tmp.join(format!(
            "{}-pieces-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        let file =
            File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        Ok(StagingFile {
            root: self.root.clone(),
            kind,
            file: Some(file),
            tmp,
            hasher: Sha256::new(),
            size: 0,
        })
    }

    /// Makes every staged file durable and moves it into place. After this
    /// returns, rows may reference the files.
    pub fn commit(&self, staged: &mut [Staged]) -> Result<()> {
        if staged.iter().all(|s| s.tmp.is_none()) {
            return Ok(());
        }
        self.sync()?;
        for s in staged.iter_mut() {
            let Some(tmp) = s.tmp.take() else { continue };
            let dest = self.root.join(&s.rel_path);
            if let Some(dir) = dest.parent() {
                fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create directory {}", dir.display()))?;
            }
            fs::rename(&tmp, &dest)
                .with_context(|| format!("cannot move {} to {}", tmp.display(), dest.display()))?;
        }
        // The renames themselves (directory entries) must be durable too.
        self.sync()
    }

    /// Drops staged files that will not be committed (a failed batch).
    pub fn discard(&self, staged: Vec<Staged>) {
        for s in staged {
            if let Some(tmp) = s.tmp {
                let _ = fs::remove_file(tmp);
            }
        }
    }

    /// One `syncfs(2)` flushes every file and directory entry written on the
    /// data directory's filesystem: data and metadata of the whole batch.
    fn sync(&self) -> Result<()> {
        let dir = File::open(&self.root)
            .with_context(|| format!("cannot open {}", self.root.display()))?;
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: `dir` is an open descriptor for the duration of the call.
            let rc = unsafe { libc::syncfs(dir.as_raw_fd()) };
            if rc != 0 {
                return Err(std::io::Error::last_os_error())
                    .with_context(|| format!("syncfs on {} failed", self.root.display()));
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            // Without syncfs, fsync every file in tmp and the directories.
            for entry in fs::read_dir(&self.tmp)? {
                File::open(entry?.path())?.sync_all()?;
            }
            dir.sync_all()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_bytes_share_one_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(dir.path()).expect("open");
        let mut a = vec![store.stage(BlobKind::Raw, b"hello").expect("stage")];
        store.commit(&mut a).expect("commit");
        let mut b = vec![store.stage(BlobKind::Raw, b"hello").expect("stage")];
        assert!(
            b[0].tmp.is_none(),
            "already stored content is not rewritten"
        );
        store.commit(&mut b).expect("commit");
        assert_eq!(a[0].rel_path, b[0].rel_path);
        assert_eq!(store.read(&a[0].rel_path).expect("read"), b"hello");
        assert!(
            a[0].rel_path
                .to_string_lossy()
                .ends_with("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.eml")
        );
        assert_eq!(fs::read_dir(dir.path().join("tmp")).expect("ls").count(), 0);
    }

    #[test]
    fn pieces_are_stored_like_the_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(dir.path()).expect("open");
        let mut f = store.stage_pieces(BlobKind::Raw).expect("stage");
        for piece in [&b"hel"[..], b"", b"lo"] {
            f.write(piece).expect("write");
        }
        let mut a = vec![f.finish().expect("finish")];
        assert_eq!(a[0].size, 5);
        store.commit(&mut a).expect("commit");
        let whole = store.stage(BlobKind::Raw, b"hello").expect("stage");
        assert_eq!(whole.rel_path, a[0].rel_path);
        assert_eq!(whole.sha256, a[0].sha256);
        // Already stored: the second copy's temporary file goes.
        let mut again = store.stage_pieces(BlobKind::Raw).expect("stage");
        again.write(b"hello").expect("write");
        assert!(again.finish().expect("finish").tmp.is_none());
        // Abandoned (a failed download): nothing is left behind.
        let mut dropped = store.stage_pieces(BlobKind::Raw).expect("stage");
        dropped.write(b"partial").expect("write");
        drop(dropped);
        assert_eq!(fs::read_dir(dir.path().join("tmp")).expect("ls").count(), 0);
    }

    #[test]
    fn orphans_of_dead_processes_are_removed_at_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("tmp")).expect("mkdir");
        // pid 0 is never a live user process.
        fs::write(dir.path().join("tmp/0-abc-1"), b"partial").expect("write");
        BlobStore::open(dir.path()).expect("open");
        assert_eq!(fs::read_dir(dir.path().join("tmp")).expect("ls").count(), 0);
    }

    #[test]
    fn discarded_batches_leave_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = BlobStore::open(dir.path()).expect("open");
        let staged = vec![store.stage(BlobKind::Raw, b"x").expect("stage")];
        store.discard(staged);
        assert_eq!(fs::read_dir(dir.path().join("tmp")).expect("ls").count(), 0);
    }
}

/// A temporary file being written piece by piece; removed again unless
/// [`finish`](StagingFile::finish)ed (a failed download leaves nothing).
#[derive(Debug)]
pub struct StagingFile {
    root: PathBuf,
    kind: BlobKind,
    file: Option<File>,
    tmp: PathBuf,
    hasher: Sha256,
    size: u64,
}

impl StagingFile {
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let Some(f) = self.file.as_mut() else {
            anyhow::bail!("{} is already finished", self.tmp.display());
        };
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", self.tmp.display()))?;
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The file as staged, like [`BlobStore::stage`]: content already
    /// stored is not kept twice.
    pub fn finish(mut self) -> Result<Staged> {
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let rel_path = Path::new(self.kind.dir())
            .join(&sha256[..2])
            .join(format!("{sha256}{}", self.kind.suffix()));
        drop(self.file.take());
        let stored = fs::metadata(self.root.join(&rel_path)).is_ok_and(|m| m.len() == self.size);
        let tmp = if stored {
            fs::remove_file(&self.tmp)
                .with_context(|| format!("cannot remove {}", self.tmp.display()))?;
            None
        } else {
            Some(self.tmp.clone())
        };
        // Handed over: Drop must not remove it now.
        self.tmp = PathBuf::new();
        Ok(Staged {
            sha256,
            size: self.size,
            rel_path,
            tmp,
        })
    }
}

impl Drop for StagingFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}
