//! The ledger: SQLite (through sqlx, schema in `migrations/`) plus the
//! content-addressed files under the data directory. Raw bytes are durable
//! before any row points at them, so every later stage can be re-derived.

pub mod blobs;
pub mod messages;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use blobs::{BlobKind, BlobStore, Staged, StagingFile};
pub use messages::{MessageRow, NewMessage, Recorded, Source};

/// How long a writer waits for another (the daemon and an `ingest` or
/// `assign` run side by side) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Write transactions of this process take turns here before SQLite sees
/// them. SQLite's own wait for its write lock is a busy handler that sleeps
/// and polls (up to 100 ms a nap): two busy writers, the download recording
/// batches and the intake recording what it understood, starve each other
/// in those naps (8.6 s of a 15 s first run went to them). A FIFO queue
/// hands the lock over the moment it is free. Other processes (an `ingest`
/// beside the daemon) still meet the busy handler, rarely.
static WRITE_TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A write transaction holding this process's turn (see `WRITE_TURN`).
/// Derefs to the connection, like a `sqlx::Transaction`.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// A write transaction that takes SQLite's write lock at once (`BEGIN
/// IMMEDIATE`): a deferred transaction that upgrades to writing can fail
/// with SQLITE_BUSY without waiting for the busy timeout. Waiting for the
/// turn is bounded like SQLite's own wait, so a bug that nests two write
/// transactions fails instead of hanging.
pub async fn begin_write(pool: &SqlitePool) -> Result<WriteTx> {
    let turn = tokio::time::timeout(BUSY_TIMEOUT, WRITE_TURN.lock())
        .await
        .context("cannot begin a write transaction: another one held the turn too long")?;
    let tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .context("cannot begin a write transaction")?;
    Ok(WriteTx { tx, _turn: turn })
}

#[derive(Debug, Clone)]
pub struct Ledger {
    pub pool: SqlitePool,
    pub blobs: BlobStore,
}

impl Ledger {
    /// Opens (creating if needed) the database and data directory and applies
    /// pending migrations.
    pub async fn open(database_url: &str, data_dir: &Path) -> Result<Ledger> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        private_dir(data_dir)?;
        let opts = SqliteConnectOptions::from_str(database_url)
            .with_context(|| format!("bad database_url {database_url:?}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses at most the last commits on power loss,
            // never consistency; those messages are simply fetched again
            // (the server keeps them: mailroom never deletes mail).
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let db_path = Path::new(opts.get_filename()).to_owned();
        if let Some(parent) = db_path.parent() {
            std::fs::create_dir_all(parent).with_context(|| {
                format!("cannot create database directory {}", parent.display())
            })?;
        }
        // Switching a fresh database to WAL and migrating it need a lock that
        // SQLite's busy handler does not wait for: when the daemon and an
        // administrator's command open a new ledger at the same moment, one
        // of them sees SQLITE_BUSY. Retry that, and only that.
        let started = std::time::Instant::now();
        let pool = loop {
            match connect_and_migrate(opts.clone()).await {
                Ok(pool) => break pool,
                Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                    tracing::debug!(error = %format!("{e:#}"), "database busy while opening; retrying");
                    tokio::time::sleep(Duration::from_millis(50 + fastrand::u64(..200))).await;
                }
                Err(e) => {
                    return Err(e.context(format!("cannot open database {database_url}")));
                }
            }
        };
        // A database created before umask was set (or copied in from a
        // backup) keeps its old mode; the ledger holds the units' mail.
        private_file(&db_path)?;
        let blobs = BlobStore::open(data_dir)?;
        Ok(Ledger { pool, blobs })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

async fn connect_and_migrate(opts: SqliteConnectOptions) -> Result<SqlitePool> {
    let pool = SqlitePoolOptions::new()
        // SQLite has one writer; a few readers are plenty.
        .max_connections(4)
        .connect_with(opts.clone())
        .await
        .context("cannot connect")?;
    // sqlx's migration lock is a no-op on SQLite: two processes starting on a
    // fresh database would both run migration 1. Serialise them with an
    // advisory lock on a file next to the database.
    let lock_path = format!("{}.migrate.lock", opts.get_filename().display());
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open {lock_path}"))?;
    let lock = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        lock.lock()?;
        Ok(lock)
    })
    .await
    .context("lock task failed")?
    .with_context(|| format!("cannot lock {lock_path}"))?;
    let migrated = sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .context("cannot apply database migrations");
    drop(lock);
    migrated?;
    Ok(pool)
}

fn is_busy(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<sqlx::Error>().is_some_and(|e| match e {
            sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("5") | Some("517")),
            _ => false,
        }) || c.to_string().contains("database is locked")
    })
}

/// The data directory is owner-only (0700). `main` sets umask 077 so that
/// everything created in it is too; this also closes an existing
/// installation whose directory was created 0755 before that.
fn private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot make {} private (0700)", dir.display()))?;
    }
    Ok(())
}

/// The database file owner-only (0600), when it exists (an in-memory or
/// unusual `database_url` has no file to fix).
fn private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot make {} private (0600)", path.display()))?;
    }
    Ok(())
}
