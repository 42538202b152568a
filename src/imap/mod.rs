//! The IMAP fetcher: one task per department mailbox. Each task connects,
//! runs a sync pass, then waits for news (IDLE, or polling), forever; any
//! error drops the connection and reconnects with exponential backoff and
//! jitter. A failure in one mailbox never touches the others.
//!
//! The fetcher knows nothing about later stages: after each batch it rings
//! [`Events::notify_stored`], and whoever cares (the classifier) looks in the
//! ledger.

pub mod connect;
mod download;
pub mod folders;
pub mod sync;
pub mod uidset;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use async_imap::extensions::idle::IdleResponse;
use secrecy::SecretString;
use tokio::sync::Notify;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, error, info, warn};

use crate::config::{FetchSettings, ImapConfig};
use crate::ledger::Ledger;
use connect::{COMMAND_TIMEOUT, ConnectError, Session};
pub use sync::PassReport;

/// IDLE with no line at all from the server for this long means the
/// connection is dead (Dovecot says "* OK Still here" every 2 minutes).
/// Delta Chat settled on the same order of magnitude (chatmail/core#5096).
const IDLE_INACTIVITY: Duration = Duration::from_secs(5 * 60);
/// RFC 2177: servers may drop IDLE after 30 minutes; keepalives reset the
/// inactivity timer, so without this cap IDLE could last forever.
const IDLE_MAX: Duration = Duration::from_secs(25 * 60);
/// Reconnect backoff: first retry, and the ceiling.
const BACKOFF_MIN: Duration = Duration::from_secs(2);
const BACKOFF_MAX: Duration = Duration::from_secs(5 * 60);

/// Signals between stages: each stage rings the next one's bell and the
/// next one looks in the ledger; no data travels through these.
#[derive(Debug, Default)]
pub struct Events {
    stored: Notify,
    /// Something was queued in the outbox.
    pub outbox: Arc<Notify>,
}

impl Events {
    pub fn notify_stored(&self) {
        self.stored.notify_one();
    }

    pub async fn stored(&self) {
        self.stored.notified().await;
    }

    pub fn notify_outbox(&self) {
        self.outbox.notify_one();
    }
}

/// Everything one mailbox task needs.
#[derive(Clone)]
pub struct MailboxCtx {
    pub department: String,
    pub imap: ImapConfig,
    pub fetch: FetchSettings,
    pub ledger: Ledger,
    pub events: Arc<Events>,
    pub clock: crate::clock::Clock,
}

impl MailboxCtx {
    fn password(&self) -> Result<SecretString> {
        self.imap
            .password
            .resolve()
            .with_context(|| format!("no password for mailbox {}", self.department))
    }
}

/// One pass: connect, sync, log out.
pub async fn sync_once(ctx: &MailboxCtx) -> Result<PassReport> {
    let password = ctx.password()?;
    let mut conn = connect::connect(&ctx.imap, &password, ctx.fetch.id_support_email.as_deref())
        .await
        .map_err(anyhow::Error::from)?;
    let report = sync::pass_all(&mut conn.session, ctx, false).await?;
    let _ = timeout(COMMAND_TIMEOUT, conn.session.logout()).await;
    Ok(report)
}

/// Watches a mailbox until `cancel` fires.
pub async fn watch(ctx: MailboxCtx, cancel: CancellationToken) {
    let span = tracing::info_span!("mailbox", department = %ctx.department);
    async move {
        let mut backoff = Backoff::new();
        let mut refused = 0u32;
        loop {
            let err = match session(&ctx, &cancel, &mut backoff, &mut refused).await {
                Ok(()) => return,
                Err(e) => e,
            };
            let delay = match &err {
                // A wrong authorisation code does not fix itself, and an
                // address that keeps trying gets blocked by the provider:
                // one more try (the server may have had a moment), then
                // this mailbox waits for a person. Said once, as an ERROR.
                ConnectError::LoginRefused { .. } if refused == 0 => {
                    refused += 1;
                    let d = Duration::from_secs(ctx.fetch.login_retry_secs);
                    error!(department = %ctx.department, error = %format!("{err:#}"), retry_in_secs = d.as_secs(), "mailbox login refused; one more try, then this mailbox stops until the configuration is reloaded");
                    d
                }
                ConnectError::LoginRefused { .. } => {
                    warn!(department = %ctx.department, error = %format!("{err:#}"), "mailbox login refused again: this mailbox is stopped until the configuration is reloaded (systemctl reload mailroom)");
                    cancel.cancelled().await;
                    return;
                }
                ConnectError::Other(e) => {
                    let d = backoff.next_delay();
                    warn!(department = %ctx.department, error = %format!("{e:#}"), retry_in_secs = d.as_secs(), "mailbox connection failed; reconnecting");
                    d
                }
            };
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
            }
        }
    }
    .instrument(span)
    .await
}

/// One connection's life: returns Ok only when cancelled.
async fn session(
    ctx: &MailboxCtx,
    cancel: &CancellationToken,
    backoff: &mut Backoff,
    refused: &mut u32,
) -> Result<(), ConnectError> {
    let password = ctx.password()?;
    let conn = tokio::select! {
        _ = cancel.cancelled() => return Ok(()),
        c = connect::connect(&ctx.imap, &password, ctx.fetch.id_support_email.as_deref()) => c?,
    };
    *refused = 0;
    let can_idle = ctx.imap.idle && conn.capabilities.has_str("IDLE");
    info!(department = %ctx.department, host = %ctx.imap.host, idle = can_idle, "connected");
    let mut session = conn.session;
    let mut again = 0;
    loop {
        let report = tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            r = sync::pass_all(&mut session, ctx, can_idle) => r?,
        };
        // A full pass means the connection and the mailbox are healthy.
        backoff.reset();
        if report.stored + report.skipped > 0 {
            info!(department = %ctx.department, stored = report.stored, skipped = report.skipped, "pass complete");
        }
        // Mail that arrived during the pass is taken now, not after the
        // next news. Bounded, so a folder whose position cannot advance
        // (a server that keeps offering a message it will not send) never
        // spins: IDLE's own wake-ups take over after three tries.
        if can_idle && report.arrived_meanwhile && again < 3 {
            again += 1;
            continue;
        }
        again = 0;
        session = if can_idle {
            match idle(session, cancel).await? {
                Some(s) => s,
                None => return Ok(()),
            }
        } else {
            tokio::select! {
                _ = cancel.cancelled() => {
                    let _ = timeout(COMMAND_TIMEOUT, session.logout()).await;
                    return Ok(());
                }
                _ = tokio::time::sleep(Duration::from_secs(ctx.imap.poll_interval_secs)) => {}
            }
            // Polling keeps this one connection: NOOP proves it is alive
            // (and lets the server report news) before the next pass lists
            // UIDs above the last one kept. Never UIDNEXT or STATUS:
            // 163.com answers neither (chatmail/core#5043).
            timeout(COMMAND_TIMEOUT, session.noop())
                .await
                .context("timed out waiting for NOOP")?
                .context("NOOP failed: connection lost")?;
            session
        };
    }
}

/// Waits in IDLE until the server reports something, the cap expires, or we
/// are cancelled (then logs out and returns None).
async fn idle(session: Session, cancel: &CancellationToken) -> Result<Option<Session>> {
    let mut handle = session.idle();
    timeout(COMMAND_TIMEOUT, handle.init())
        .await
        .context("timed out starting IDLE")?
        .context("cannot start IDLE")?;
    let cancelled = {
        let (wait, _stop) = handle.wait_with_timeout(IDLE_INACTIVITY);
        tokio::select! {
            _ = cancel.cancelled() => true,
            r = timeout(IDLE_MAX, wait) => {
                match r {
                    Ok(Ok(IdleResponse::NewData(d))) => tracing::debug!(response = ?d.parsed(), "IDLE: server news"),
                    Ok(Ok(other)) => tracing::debug!(?other, "IDLE ended"),
                    Ok(Err(e)) => return Err(anyhow::Error::new(e).context("connection lost during IDLE")),
                    Err(_) => tracing::debug!("IDLE cap reached; re-issuing"),
                }
                false
            }
        }
    };
    let mut session = timeout(COMMAND_TIMEOUT, handle.done())
        .await
        .context("timed out ending IDLE")?
        .context("cannot end IDLE")?;
    if cancelled {
        let _ = timeout(COMMAND_TIMEOUT, session.logout()).await;
        return Ok(None);
    }
    Ok(Some(session))
}

/// Exponential backoff with ±25% jitter, so five mailboxes that lost the
/// same server do not reconnect in lockstep.
#[derive(Debug)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    pub fn new() -> Self {
        Backoff { next: BACKOFF_MIN }
    }

    pub fn reset(&mut self) {
        self.next = BACKOFF_MIN;
    }

    pub fn next_delay(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(BACKOFF_MAX);
        let jitter = 0.75 + fastrand::f64() * 0.5;
        base.mul_f64(jitter)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_a_ceiling_with_jitter() {
        let mut b = Backoff::new();
        let first = b.next_delay();
        assert!(first >= Duration::from_millis(1500) && first <= Duration::from_millis(2500));
        for _ in 0..20 {
            assert!(b.next_delay() <= BACKOFF_MAX.mul_f64(1.25));
        }
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(2500));
    }
}
