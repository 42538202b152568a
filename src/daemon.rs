//! Wiring the stages into one process: `run --once` (one pass, then exit)
//! and `run` (the daemon: one task per mailbox until SIGTERM/SIGINT).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{error, info, warn};

use crate::clock::Clock;
use crate::config::Config;
use crate::imap::{self, Events, MailboxCtx};
use crate::ledger::Ledger;
use crate::{intake, outbox, schedule};

/// How long tasks get to finish their current step after SIGTERM before the
/// process exits anyway (systemd's own stop timeout is 90 s by default).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The service's shared state.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub ledger: Ledger,
    pub events: Arc<Events>,
    pub clock: Clock,
}

#[derive(Debug, Default)]
pub struct OnceReport {
    pub stored: usize,
    pub processed: usize,
    pub sent: usize,
    pub failed_mailboxes: Vec<String>,
}

impl App {
    pub async fn open(config: Config, clock: Clock) -> Result<App> {
        let ledger = Ledger::open(&config.database_url, &config.data_dir).await?;
        Ok(App {
            config: Arc::new(config),
            ledger,
            events: Arc::new(Events::default()),
            clock,
        })
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    fn mailbox_ctxs(&self) -> Vec<MailboxCtx> {
        self.config
            .service
            .mailboxes
            .iter()
            .map(|m| MailboxCtx {
                department: m.department.clone(),
                imap: m.imap.clone(),
                fetch: self.config.service.fetch.clone(),
                ledger: self.ledger.clone(),
                events: self.events.clone(),
                clock: self.clock,
            })
            .collect()
    }

    /// One pass over every mailbox, side by side; a failing mailbox is
    /// reported and does not stop the others.
    pub async fn run_once(&self) -> Result<OnceReport> {
        let ctxs = self.mailbox_ctxs();
        let results = futures::future::join_all(ctxs.iter().map(imap::sync_once)).await;
        let mut report = OnceReport::default();
        for (ctx, r) in ctxs.iter().zip(results) {
            match r {
                Ok(p) => {
                    report.stored += p.stored;
                    info!(department = %ctx.department, stored = p.stored, known = p.known, skipped = p.skipped, "mailbox pass complete");
                }
                Err(e) => {
                    error!(department = %ctx.department, error = %format!("{e:#}"), "mailbox pass failed");
                    report.failed_mailboxes.push(ctx.department.clone());
                }
            }
        }
        let processed = intake::process_pending(self).await?;
        report.processed = processed.processed;
        schedule::step(self).await?;
        let clock = self.clock;
        report.sent = outbox::drain(&self.config, &self.ledger.pool, move || clock.now()).await?;
        Ok(report)
    }

    /// Runs every task until `shutdown` fires, then waits (bounded) for them.
    pub async fn run_daemon(&self, shutdown: CancellationToken) -> Result<()> {
        let tracker = TaskTracker::new();
        for ctx in self.mailbox_ctxs() {
            tracker.spawn(imap::watch(ctx, shutdown.clone()));
        }
        tracker.spawn(intake::run(self.clone(), shutdown.clone()));
        tracker.spawn(schedule::run(self.clone(), shutdown.clone()));
        let clock = self.clock;
        tracker.spawn(outbox::run_sender(
            self.config.clone(),
            self.ledger.pool.clone(),
            self.events.outbox.clone(),
            move || clock.now(),
            shutdown.clone(),
        ));
        tracker.close();
        info!(
            mailboxes = self.config.service.mailboxes.len(),
            "mailroom running"
        );
        shutdown.cancelled().await;
        info!("shutting down");
        if tokio::time::timeout(SHUTDOWN_GRACE, tracker.wait())
            .await
            .is_err()
        {
            warn!(
                grace_secs = SHUTDOWN_GRACE.as_secs(),
                "tasks did not stop in time; exiting anyway"
            );
        }
        self.ledger.close().await;
        Ok(())
    }
}

/// Cancels the token on SIGTERM (systemd stop) or SIGINT (Ctrl-C).
pub fn shutdown_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = ctrl_c => {}
                        _ = term.recv() => {}
                    }
                }
                Err(e) => {
                    warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the daemon");
                    let _ = ctrl_c.await;
                }
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        token.cancel();
    });
}
