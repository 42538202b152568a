//! Getting one batch's bytes into staged files (see `sync` for what
//! happens around it): the messages of a batch each whole in one response,
//! or one large message in pieces written to its file as they arrive.

use std::time::Duration;

use anyhow::{Context, Result};
use async_imap::types::Fetch;
use chrono::Utc;
use futures::TryStreamExt;
use tokio::time::timeout;
use tracing::warn;

use super::MailboxCtx;
use super::connect::Session;
use super::folders::Folder;
use super::sync::{drain_unsolicited, fetch_timeout};
use crate::ledger::messages::{self as ledger_messages, NewMessage, Source, UidScope};
use crate::ledger::{BlobKind, Staged};

/// What a download needs to know to stage what arrives.
pub(super) struct Download<'a> {
    pub ctx: &'a MailboxCtx,
    pub folder: &'a Folder,
    pub scope: UidScope<'a>,
    pub max_bytes: u64,
}

impl Download<'_> {
    /// The ledger's description of a message just staged.
    fn message(
        &self,
        uid: u32,
        internal_date: Option<chrono::DateTime<chrono::FixedOffset>>,
        message_id: Option<String>,
        blob: &Staged,
    ) -> NewMessage {
        let internal_date = match internal_date {
            Some(d) => d.with_timezone(&Utc),
            None => {
                warn!(
                    department = %self.ctx.department,
                    uid, "server gave no INTERNALDATE; using the download time"
                );
                self.ctx.clock.now()
            }
        };
        NewMessage {
            department: self.ctx.department.clone(),
            source: Source::Imap,
            folder: Some(self.folder.name.clone()),
            uidvalidity: Some(self.scope.uidvalidity),
            uid: Some(uid),
            message_id,
            internal_date,
            size: blob.size,
            sha256: blob.sha256.clone(),
            raw_path: blob.rel_path.clone(),
            oversize: blob.size > self.max_bytes,
            in_junk: self.folder.junk,
        }
    }

    /// The messages of `set`, each whole in one response.
    pub async fn whole(
        &self,
        session: &mut Session,
        set: &str,
        wanted: &[u32],
        max_size: u32,
        staged: &mut Vec<(Staged, NewMessage)>,
    ) -> Result<()> {
        let query = "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[])";
        each_fetched(
            session,
            set,
            query,
            fetch_timeout(u64::from(max_size)),
            |fetch| {
                // Unsolicited FETCH responses (flag changes) carry no body.
                let (Some(uid), Some(body)) = (fetch.uid, fetch.body()) else {
                    return Ok(());
                };
                if !wanted.contains(&uid) || staged.iter().any(|(_, m)| m.uid == Some(uid)) {
                    return Ok(());
                }
                let blob =
                    crate::util::blocking(|| self.ctx.ledger.blobs.stage(BlobKind::Raw, body))?;
                let msg = self.message(
                    uid,
                    fetch.internal_date(),
                    ledger_messages::message_id_of(body),
                    &blob,
                );
                staged.push((blob, msg));
                Ok(())
            },
        )
        .await
    }

    /// One large message, `piece` bytes at a time, each piece written to
    /// the staged file as it arrives: the connection's buffer never holds
    /// more than one piece. The message ends with the first short piece
    /// (RFC 3501 §6.4.5: a partial fetch past the end returns what is
    /// left, or nothing), not at the size the listing announced.
    pub async fn in_pieces(
        &self,
        session: &mut Session,
        uid: u32,
        announced: u32,
        piece: u64,
        staged: &mut Vec<(Staged, NewMessage)>,
    ) -> Result<()> {
        let item_timeout = fetch_timeout(piece);
        let mut file = crate::util::blocking(|| self.ctx.ledger.blobs.stage_pieces(BlobKind::Raw))?;
        let mut internal_date = None;
        let mut message_id = None;
        loop {
            let offset = file.size();
            let query = format!("(UID INTERNALDATE BODY.PEEK[]<{offset}.{piece}>)");
            let mut got: Option<usize> = None;
            each_fetched(session, &uid.to_string(), &query, item_timeout, |fetch| {
                if fetch.uid != Some(uid) || got.is_some() {
                    return Ok(());
                }
                // Past the end a server may answer NIL instead of "".
                let Some(body) = fetch.body() else {
                    if fetch.internal_date().is_some() {
                        got = Some(0);
                    }
                    return Ok(());
                };
                if offset == 0 {
                    internal_date = fetch.internal_date();
                    message_id = ledger_messages::message_id_of(body);
                }
                crate::util::blocking(|| file.write(body))?;
                got = Some(body.len());
                Ok(())
            })
            .await?;
            match got {
                // Expunged before the first piece: gone, like a message
                // missing from a batch.
                None if offset == 0 => return Ok(()),
                None => anyhow::bail!(
                    "message {uid} vanished after {offset} bytes of it were downloaded"
                ),
                Some(n) if (n as u64) < piece => break,
                Some(_) => {}
            }
            // A server that never ends a message cannot fill the disk.
            if file.size() > u64::from(announced).max(piece).saturating_mul(2) {
                anyhow::bail!("message {uid} is still growing after {} bytes", file.size());
            }
        }
        let blob = crate::util::blocking(|| file.finish())?;
        let msg = self.message(uid, internal_date, message_id, &blob);
        staged.push((blob, msg));
        Ok(())
    }
}

/// Runs one `UID FETCH` and hands each response to `each` as it arrives,
/// every step within `item_timeout`; unsolicited responses are dropped
/// afterwards.
async fn each_fetched(
    session: &mut Session,
    set: &str,
    query: &str,
    item_timeout: Duration,
    mut each: impl FnMut(&Fetch) -> Result<()>,
) -> Result<()> {
    {
        let stream = timeout(item_timeout, session.uid_fetch(set, query))
            .await
            .context("timed out starting the download")?
            .context("UID FETCH failed")?;
        futures::pin_mut!(stream);
        while let Some(fetch) = timeout(item_timeout, stream.try_next())
            .await
            .context("timed out downloading a message")?
            .context("download failed")?
        {
            each(&fetch)?;
        }
    }
    drain_unsolicited(session);
    Ok(())
}
