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
    /// The processes that look inside messages.
    pub workers: Arc<intake::worker::Pool>,
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
            workers: Arc::new(worker_pool(&config)?),
            config: Arc::new(config),
            ledger,
            events: Arc::new(Events::default()),
            clock,
        })
    }

    /// Ends a command that understood messages: the workers are waited for
    /// (so their peak memory is known) and the ledger closed. The
    /// `resources` line is what the hostile-mail tests check the memory
    /// budget against.
    pub async fn close(&self) {
        self.workers.shutdown().await;
        let (own, workers) = intake::worker::peak_rss_kb();
        info!(peak_rss_kb = own, worker_peak_rss_kb = workers, "resources");
        self.ledger.close().await;
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
    pub async fn run_once(&self, mode: intake::Mode) -> Result<OnceReport> {
        let ctxs = self.mailbox_ctxs();
        let fetched = CancellationToken::new();
        let started = std::time::Instant::now();
        let fetch = async {
            let r = futures::future::join_all(ctxs.iter().map(imap::sync_once)).await;
            info!(
                fetch_ms = started.elapsed().as_millis() as u64,
                "every mailbox fetched"
            );
            fetched.cancel();
            r
        };
        // Understanding overlaps fetching: what one batch stored is
        // understood and recorded while the next one downloads (a first run
        // over a mailbox of ten thousand messages), and once more after the
        // last batch.
        let understand = async {
            let mut processed = 0;
            loop {
                let last = fetched.is_cancelled();
                processed += intake::process_pending_as(self, mode).await?.processed;
                if last {
                    return anyhow::Ok(processed);
                }
                tokio::select! {
                    _ = fetched.cancelled() => {}
                    _ = self.events.stored() => {}
                }
            }
        };
        let (results, processed) = tokio::join!(fetch, understand);
        crate::materials::refresh_if_dirty(&self.config, &self.ledger.pool).await;
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
        report.processed = processed?;
        schedule::step(self).await?;
        let clock = self.clock;
        report.sent = outbox::drain(&self.config, &self.ledger.pool, move || clock.now()).await?;
        Ok(report)
    }

    /// Starts every task of this configuration under `token`.
    fn spawn_tasks(&self, token: &CancellationToken) -> TaskTracker {
        let tracker = TaskTracker::new();
        for ctx in self.mailbox_ctxs() {
            tracker.spawn(imap::watch(ctx, token.clone()));
        }
        tracker.spawn(intake::run(self.clone(), token.clone()));
        tracker.spawn(schedule::run(self.clone(), token.clone()));
        let clock = self.clock;
        tracker.spawn(outbox::run_sender(
            self.config.clone(),
            self.ledger.pool.clone(),
            self.events.outbox.clone(),
            move || clock.now(),
            token.clone(),
        ));
        tracker.close();
        tracker
    }

    /// Runs every task until `signals.shutdown` fires, then waits (bounded)
    /// for them. On `signals.reload` the configuration is read again: if it
    /// is valid, the tasks stop and start again with it; if not, the errors
    /// are logged and the running configuration stays.
    pub async fn run_daemon(mut self, signals: Signals) -> Result<()> {
        loop {
            let generation = signals.shutdown.child_token();
            let tracker = self.spawn_tasks(&generation);
            info!(
                mailboxes = self.config.service.mailboxes.len(),
                config = %self.config.path.display(),
                "mailroom running"
            );
            let next = loop {
                tokio::select! {
                    _ = signals.shutdown.cancelled() => break None,
                    _ = signals.reload.notified() => {
                        match Config::load(&self.config.path, crate::config::Secrets::Check) {
                            Ok(cfg) => {
                                if cfg.database_url != self.config.database_url || cfg.data_dir != self.config.data_dir {
                                    warn!("database_url and data_dir changes take effect only after a restart");
                                }
                                break Some(cfg);
                            }
                            Err(e) => {
                                for p in e.problems.iter().filter(|p| p.fatal) {
                                    error!(problem = %p, "reload refused: configuration error");
                                }
                                warn!("keeping the running configuration");
                            }
                        }
                    }
                }
            };
            generation.cancel();
            if tokio::time::timeout(SHUTDOWN_GRACE, tracker.wait())
                .await
                .is_err()
            {
                warn!(
                    grace_secs = SHUTDOWN_GRACE.as_secs(),
                    "tasks did not stop in time"
                );
            }
            match next {
                Some(cfg) => {
                    info!("configuration reloaded");
                    self.workers.shutdown().await;
                    self.workers = Arc::new(worker_pool(&cfg)?);
                    self.config = Arc::new(cfg);
                }
                None => {
                    info!("shut down");
                    self.workers.shutdown().await;
                    self.ledger.close().await;
                    return Ok(());
                }
            }
        }
    }
}

/// Inspection workers as the configuration sets them; the executable is
/// this one (`mailroom inspect-worker`).
fn worker_pool(config: &Config) -> Result<intake::worker::Pool> {
    let exe = std::env::current_exe()
        .map_err(|e| anyhow::anyhow!("cannot find mailroom's own executable: {e}"))?;
    Ok(intake::worker::Pool::new(intake::worker::Settings {
        exe,
        memory_bytes: config.worker_memory_bytes(),
        timeout: Duration::from_secs(config.service.intake.worker_timeout_secs),
    }))
}

/// What the daemon listens to.
#[derive(Clone, Default)]
pub struct Signals {
    /// SIGTERM (systemd stop) or SIGINT (Ctrl-C).
    pub shutdown: CancellationToken,
    /// SIGHUP (systemctl reload).
    pub reload: Arc<tokio::sync::Notify>,
}

/// Wires SIGTERM/SIGINT to `shutdown` and SIGHUP to `reload`.
pub fn listen_for_signals(signals: &Signals) {
    let shutdown = signals.shutdown.clone();
    let reload = signals.reload.clone();
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut term, mut hup) = match (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(t), Ok(h)) => (t, h),
            _ => {
                warn!("cannot listen for SIGTERM/SIGHUP; only Ctrl-C stops the daemon");
                let _ = tokio::signal::ctrl_c().await;
                shutdown.cancel();
                return;
            }
        };
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = term.recv() => break,
                _ = hup.recv() => {
                    info!("SIGHUP: reloading the configuration");
                    reload.notify_one();
                }
            }
        }
        info!("shutting down");
        shutdown.cancel();
    });
}
