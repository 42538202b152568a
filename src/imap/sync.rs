//! One synchronisation pass over a mailbox: each watched folder in turn
//! ([`pass_all`], on the one connection the mailbox has), and in each folder
//! everything above the last UID kept is downloaded in batches, made
//! durable, recorded, then marked ([`pass`]). A message over
//! `fetch.piece_mb` is a batch of its own and comes down in pieces
//! straight into its file (`download::Download::in_pieces`), so memory never holds
//! a whole large message.
//!
//! The pass reconciles against the whole folder by UID, never against
//! `UNSEEN` or a date window: a message a clerk already read in webmail, or
//! one that arrived during a week of downtime, is still kept. It never sets
//! `\Seen` (`BODY.PEEK[]`) and never deletes or moves anything.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use async_imap::types::Flag;
use futures::TryStreamExt;
use tokio::time::timeout;
use tracing::{Instrument, info, warn};

use super::MailboxCtx;
use super::connect::{COMMAND_TIMEOUT, Session};
use super::download::Download;
use super::folders::{self, Folder};
use super::uidset::{self, Batch};
use crate::ledger::Staged;
use crate::ledger::messages::{self as ledger_messages, NewMessage, Recorded, UidScope};

/// Base allowance for any download; the size-dependent part is added.
const FETCH_TIMEOUT_BASE: Duration = Duration::from_secs(60);
/// Slowest transfer rate we wait for before calling a connection dead
/// (bytes per second): a 64 MB message over a poor link still completes.
const FETCH_MIN_RATE: u64 = 64 * 1024;
/// The keyword set on messages once they are safely kept. Informational for
/// humans and other tools; the ledger, not the keyword, is the truth.
pub const STORED_KEYWORD: &str = "$Stored";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PassReport {
    pub stored: usize,
    pub known: usize,
    pub skipped: usize,
    /// New mail in the folder IDLE would watch, found after the pass (see
    /// `arrived_since`): pass again instead of waiting.
    pub arrived_meanwhile: bool,
}

impl PassReport {
    fn add(&mut self, other: &PassReport) {
        self.stored += other.stored;
        self.known += other.known;
        self.skipped += other.skipped;
    }
}

/// Passes over every watched folder of the mailbox, in order: the ordinary
/// folders first (a message found both there and in a junk folder is kept
/// as not junk), then the junk folders. A configured folder the server does
/// not have is reported (see [`folders::resolve`]) and the others are still
/// passed; any other error ends the pass, as for one folder.
///
/// Afterwards, when the caller is going to IDLE (`then_idle`), the first
/// folder is selected again, since IDLE watches the selected folder and new
/// submissions arrive in INBOX (the junk folders are looked at on every
/// pass), and mail that reached it during the pass is reported.
pub async fn pass_all(
    session: &mut Session,
    ctx: &MailboxCtx,
    then_idle: bool,
) -> Result<PassReport> {
    let watched = folders::resolve(session, ctx).await?;
    let mut report = PassReport::default();
    for folder in &watched {
        let r = pass(session, ctx, folder)
            .instrument(tracing::debug_span!("folder", folder = %folder.name, junk = folder.junk))
            .await?;
        report.add(&r);
    }
    if let (true, Some(first)) = (then_idle, watched.first()) {
        if watched.len() > 1 {
            timeout(COMMAND_TIMEOUT, session.select(&first.wire))
                .await
                .context("timed out selecting the folder to wait on")?
                .with_context(|| format!("cannot select folder {:?}", first.name))?;
            drain_unsolicited(session);
        }
        report.arrived_meanwhile = arrived_since(session, ctx, first).await?;
    }
    Ok(report)
}

/// Whether mail reached `folder` (selected) after the pass listed it.
/// IDLE reports only what happens once it has started: a submission that
/// arrived while the junk folders were being passed, or whose `EXISTS` came
/// with an earlier command's answer (dropped with the other unsolicited
/// responses), would otherwise wait for the next news or IDLE's 25-minute
/// cap.
async fn arrived_since(session: &mut Session, ctx: &MailboxCtx, folder: &Folder) -> Result<bool> {
    let last = ledger_messages::sync_state(&ctx.ledger.pool, &ctx.department, &folder.name)
        .await?
        .map_or(0, |(_, last)| last);
    Ok(!list_new(session, last).await?.is_empty())
}

/// Time allowed for the next message of a batch to arrive.
pub fn fetch_timeout(size: u64) -> Duration {
    FETCH_TIMEOUT_BASE + Duration::from_secs(size / FETCH_MIN_RATE)
}

/// One folder: selects it and keeps what is new in it.
pub async fn pass(session: &mut Session, ctx: &MailboxCtx, folder: &Folder) -> Result<PassReport> {
    let dept = ctx.department.as_str();
    let mailbox = timeout(COMMAND_TIMEOUT, session.select(&folder.wire))
        .await
        .context("timed out selecting the folder")?
        .with_context(|| format!("cannot select folder {:?}", folder.name))?;
    drain_unsolicited(session);
    let uidvalidity = mailbox
        .uid_validity
        .ok_or_else(|| anyhow!("server reported no UIDVALIDITY for {:?}", folder.name))?;
    let scope = UidScope {
        department: dept,
        folder: &folder.name,
        uidvalidity,
    };
    let keywords_allowed = mailbox.permanent_flags.iter().any(|f| match f {
        Flag::MayCreate => true,
        Flag::Custom(k) => k == STORED_KEYWORD,
        _ => false,
    });

    let last_uid = match ledger_messages::sync_state(&ctx.ledger.pool, dept, &folder.name).await? {
        Some((v, last)) if v == uidvalidity => last,
        Some((old, _)) => {
            // Every UID we knew is void. Start from the beginning; messages
            // already kept are recognised by Message-ID and content.
            warn!(
                department = dept,
                folder = %folder.name,
                old_uidvalidity = old,
                new_uidvalidity = uidvalidity,
                "UIDVALIDITY changed: rescanning the whole folder"
            );
            ledger_messages::reset_sync_state(&ctx.ledger.pool, scope).await?;
            0
        }
        None => {
            ledger_messages::reset_sync_state(&ctx.ledger.pool, scope).await?;
            0
        }
    };
    let mut report = PassReport::default();
    if mailbox.exists == 0 {
        return Ok(report);
    }

    let pending = list_new(session, last_uid).await?;
    if pending.is_empty() {
        return Ok(report);
    }
    let failures: HashMap<u32, u32> = ledger_messages::failure_counts(&ctx.ledger.pool, scope)
        .await?
        .into_iter()
        .collect();
    let max_bytes = ctx.fetch.max_message_mb * 1024 * 1024;
    let piece = ctx.fetch.piece_mb * 1024 * 1024;
    let batches = uidset::plan(
        &pending,
        ctx.fetch.batch_messages,
        ctx.fetch.batch_mb * 1024 * 1024,
        // Alone: too large to inspect, downloaded in pieces, or failed before.
        |uid, size| {
            let size = u64::from(size);
            size > max_bytes || size > piece || failures.contains_key(&uid)
        },
    );
    for batch in batches {
        if batch.isolated {
            let (uid, size) = batch.messages[0];
            let attempts = failures.get(&uid).copied().unwrap_or(0);
            if attempts >= ctx.fetch.max_attempts {
                tracing::error!(
                    department = dept,
                    folder = %folder.name,
                    uid,
                    size,
                    attempts,
                    "giving up on a message that failed to download {attempts} times; it stays on the server and is listed by `mailroom messages`"
                );
                ledger_messages::skip_message(&ctx.ledger.pool, scope, uid).await?;
                report.skipped += 1;
                continue;
            }
        }
        let n = fetch_batch(session, ctx, folder, scope, &batch, max_bytes).await?;
        report.stored += n.stored;
        report.known += n.known;
        if keywords_allowed {
            // The keyword is for humans; the ledger is the truth. A server
            // that refuses it (NO/BAD) costs a warning, not a reconnect; a
            // dead connection still ends the pass.
            if let Err(e) = mark_stored(session, &batch.uids()).await {
                let refused = e.chain().any(|c| {
                    matches!(
                        c.downcast_ref::<async_imap::error::Error>(),
                        Some(async_imap::error::Error::No(_) | async_imap::error::Error::Bad(_))
                    )
                });
                if !refused {
                    return Err(e);
                }
                warn!(department = dept, error = %format!("{e:#}"), "server refused the $Stored keyword; messages are kept regardless");
            }
        }
        ctx.events.notify_stored();
    }
    Ok(report)
}

/// UIDs above `last_uid` with their sizes, ascending.
async fn list_new(session: &mut Session, last_uid: u32) -> Result<Vec<(u32, u32)>> {
    let range = format!("{}:*", last_uid.saturating_add(1));
    let mut out = Vec::new();
    {
        let stream = timeout(
            COMMAND_TIMEOUT,
            session.uid_fetch(&range, "(UID RFC822.SIZE)"),
        )
        .await
        .context("timed out listing new messages")?
        .context("cannot list new messages")?;
        futures::pin_mut!(stream);
        while let Some(item) = timeout(COMMAND_TIMEOUT, stream.try_next())
            .await
            .context("timed out listing new messages")?
            .context("cannot list new messages")?
        {
            // `N:*` returns the highest message even when it is below N.
            if let (Some(uid), Some(size)) = (item.uid, item.size)
                && uid > last_uid
            {
                out.push((uid, size));
            }
        }
    }
    drain_unsolicited(session);
    out.sort_unstable();
    out.dedup_by_key(|(u, _)| *u);
    Ok(out)
}

/// Downloads one batch, makes it durable and records it. On any error the
/// staged files are removed and nothing is recorded except the failure.
async fn fetch_batch(
    session: &mut Session,
    ctx: &MailboxCtx,
    folder: &Folder,
    scope: UidScope<'_>,
    batch: &Batch,
    max_bytes: u64,
) -> Result<PassReport> {
    let dept = ctx.department.as_str();
    let wanted = batch.uids();
    let set = uidset::format(&wanted);
    let mut staged: Vec<(Staged, NewMessage)> = Vec::with_capacity(wanted.len());
    let piece = ctx.fetch.piece_mb * 1024 * 1024;
    let t0 = std::time::Instant::now();
    let span =
        tracing::debug_span!("fetch_batch", department = dept, folder = %folder.name, uids = %set);
    let download = Download {
        ctx,
        folder,
        scope,
        max_bytes,
    };
    let result = match batch.messages[..] {
        [(uid, size)] if u64::from(size) > piece => {
            download
                .in_pieces(session, uid, size, piece, &mut staged)
                .instrument(span)
                .await
        }
        _ => {
            download
                .whole(session, &set, &wanted, batch.max_size(), &mut staged)
                .instrument(span)
                .await
        }
    };
    drain_unsolicited(session);

    let (mut blobs, messages): (Vec<Staged>, Vec<NewMessage>) = staged.into_iter().unzip();
    if let Err(e) = result {
        ctx.ledger.blobs.discard(blobs);
        // Blame the first message that did not arrive: if it keeps failing it
        // is fetched alone next time, and eventually skipped.
        let got: Vec<u32> = messages.iter().filter_map(|m| m.uid).collect();
        if let Some(&(uid, size)) = batch.messages.iter().find(|(u, _)| !got.contains(u)) {
            let attempts = ledger_messages::record_failure(
                &ctx.ledger.pool,
                scope,
                uid,
                Some(size),
                &format!("{e:#}"),
            )
            .await?;
            warn!(department = dept, folder = %folder.name, uid, size, attempts, error = %format!("{e:#}"), "download failed");
        }
        return Err(e);
    }
    let missing: Vec<u32> = wanted
        .iter()
        .copied()
        .filter(|u| !messages.iter().any(|m| m.uid == Some(*u)))
        .collect();
    if !missing.is_empty() {
        // UIDs are never reused: a message expunged between listing and
        // fetching is simply gone.
        warn!(department = dept, folder = %folder.name, uids = %uidset::format(&missing), "messages vanished before they could be downloaded (expunged by someone else)");
    }
    let t1 = std::time::Instant::now();
    crate::util::blocking(|| ctx.ledger.blobs.commit(&mut blobs))?;
    let t2 = std::time::Instant::now();
    let last = wanted.iter().copied().max().unwrap_or(0);
    let recorded = ledger_messages::record_batch(
        &ctx.ledger.pool,
        Some((scope, last)),
        &messages,
        ctx.clock.now(),
    )
    .await?;
    tracing::debug!(
        department = dept,
        messages = messages.len(),
        download_ms = (t1 - t0).as_millis() as u64,
        durable_ms = (t2 - t1).as_millis() as u64,
        record_ms = t2.elapsed().as_millis() as u64,
        "batch stored"
    );
    let mut report = PassReport::default();
    for (m, r) in messages.iter().zip(&recorded) {
        match r {
            Recorded::New(id) => {
                report.stored += 1;
                info!(
                    department = dept,
                    folder = %folder.name,
                    in_junk = folder.junk,
                    uid = m.uid,
                    message_id = m.message_id.as_deref().unwrap_or(""),
                    size = m.size,
                    ledger_id = id,
                    oversize = m.oversize,
                    "stored message"
                );
            }
            Recorded::Known => {
                report.known += 1;
                tracing::debug!(
                    department = dept,
                    folder = %folder.name,
                    uid = m.uid,
                    message_id = m.message_id.as_deref().unwrap_or(""),
                    "already kept (the same message in another folder or under an earlier UIDVALIDITY)"
                );
            }
        }
        if m.oversize {
            warn!(
                department = dept,
                folder = %folder.name,
                uid = m.uid,
                size = m.size,
                "message exceeds fetch.max_message_mb: kept raw, marked oversize"
            );
        }
    }
    Ok(report)
}

async fn mark_stored(session: &mut Session, uids: &[u32]) -> Result<()> {
    let set = uidset::format(uids);
    {
        let stream = timeout(
            COMMAND_TIMEOUT,
            session.uid_store(&set, format!("+FLAGS.SILENT ({STORED_KEYWORD})")),
        )
        .await
        .context("timed out setting the $Stored keyword")?
        .context("cannot set the $Stored keyword")?;
        futures::pin_mut!(stream);
        while timeout(COMMAND_TIMEOUT, stream.try_next())
            .await
            .context("timed out setting the $Stored keyword")?
            .context("cannot set the $Stored keyword")?
            .is_some()
        {}
    }
    drain_unsolicited(session);
    Ok(())
}

/// async-imap queues unsolicited responses in a bounded channel and drops
/// new ones silently once it is full; we re-list by UID each pass anyway, so
/// just keep it empty.
pub(super) fn drain_unsolicited(session: &mut Session) {
    while session.unsolicited_responses.try_recv().is_ok() {}
}
