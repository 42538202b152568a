//! Offline import of saved messages (`mailroom ingest`) through the same
//! ledger path as the fetcher: raw bytes durable first, then the row.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use tracing::{error, info};

use crate::ledger::messages::{self, NewMessage, Recorded, Source};
use crate::ledger::{BlobKind, Ledger};

#[derive(Debug, Default)]
pub struct IngestReport {
    pub stored: usize,
    pub known: usize,
    pub failed: usize,
}

/// Imports `files` into `department`. The arrival time is `received_at`, or
/// each file's modification time (what a mail client's "save as" keeps).
pub async fn ingest_files(
    ledger: &Ledger,
    now: DateTime<Utc>,
    department: &str,
    received_at: Option<DateTime<Utc>>,
    files: &[PathBuf],
    max_message_bytes: u64,
) -> Result<IngestReport> {
    let mut report = IngestReport::default();
    // Batches bound memory and make one group of files durable at a time.
    for chunk in files.chunks(200) {
        let mut staged = Vec::new();
        let mut rows = Vec::new();
        for path in chunk {
            match stage_one(ledger, department, received_at, path, max_message_bytes) {
                Ok((s, m)) => {
                    staged.push(s);
                    rows.push((path, m));
                }
                Err(e) => {
                    report.failed += 1;
                    error!(department, file = %path.display(), error = %format!("{e:#}"), "cannot import file");
                }
            }
        }
        crate::util::blocking(|| ledger.blobs.commit(&mut staged))?;
        let batch: Vec<NewMessage> = rows.iter().map(|(_, m)| m.clone()).collect();
        let recorded = messages::record_batch(&ledger.pool, None, &batch, now).await?;
        for ((path, m), r) in rows.iter().zip(recorded) {
            match r {
                Recorded::New(id) => {
                    report.stored += 1;
                    info!(department, file = %path.display(), message_id = m.message_id.as_deref().unwrap_or(""), size = m.size, ledger_id = id, "stored message");
                }
                Recorded::Known => {
                    report.known += 1;
                    info!(department, file = %path.display(), "already imported");
                }
            }
        }
    }
    Ok(report)
}

fn stage_one(
    ledger: &Ledger,
    department: &str,
    received_at: Option<DateTime<Utc>>,
    path: &PathBuf,
    max_message_bytes: u64,
) -> Result<(crate::ledger::Staged, NewMessage)> {
    let raw = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let internal_date = match received_at {
        Some(t) => t,
        None => {
            let meta = std::fs::metadata(path)
                .with_context(|| format!("cannot stat {}", path.display()))?;
            DateTime::<Utc>::from(
                meta.modified()
                    .with_context(|| format!("no modification time for {}", path.display()))?,
            )
        }
    };
    let staged = ledger.blobs.stage(BlobKind::Raw, &raw)?;
    let msg = NewMessage {
        department: department.to_owned(),
        source: Source::Ingest,
        folder: None,
        uidvalidity: None,
        uid: None,
        message_id: messages::message_id_of(&raw),
        internal_date,
        size: staged.size,
        sha256: staged.sha256.clone(),
        raw_path: staged.rel_path.clone(),
        oversize: staged.size > max_message_bytes,
        in_junk: false,
    };
    Ok((staged, msg))
}
