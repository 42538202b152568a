//! Scheduled mail: each department's daily digest and the reminders to
//! units, on cron schedules evaluated in the campaign's time zone.
//!
//! Every run is recorded in the same transaction that queues its mail, keyed
//! by the slot it stands for, so a run is never sent twice. A job remembers
//! the last slot it handled; after downtime all missed slots collapse into a
//! single run at start-up (one digest, not one per missed day), and a missed
//! reminder is sent only while the deadline has not passed. A job seen for
//! the first time starts from now: installing mailroom mid-campaign does not
//! replay the past.

pub mod digest;
pub mod remind;
pub mod slots;

use std::collections::HashSet;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tracing::{error, info, warn};

use crate::config::Config;
use crate::config::service::parse_cron;
use crate::daemon::App;
use crate::ledger::messages::{fmt_time, parse_time};
use crate::outbox::{self, FileAttachment, OutKind, Outgoing};
use crate::report::{self, DeliveryView, form};

/// Longest the scheduler sleeps before looking at the clock again: cheap,
/// and it makes wall-clock jumps and suspend harmless.
const MAX_NAP: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    Digest(String),
    Reminders,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub kind: JobKind,
    pub schedules: Vec<cron::Schedule>,
}

/// The jobs this configuration asks for (the config was validated, so the
/// cron expressions parse; a bad one is logged and skipped anyway).
pub fn jobs(cfg: &Config) -> Vec<Job> {
    let parse = |e: &str| match parse_cron(e) {
        Ok(s) => Some(s),
        Err(err) => {
            error!(error = %err, "bad schedule skipped");
            None
        }
    };
    let mut out = Vec::new();
    if cfg.service.digest.enabled {
        for mb in &cfg.service.mailboxes {
            out.push(Job {
                name: format!("digest:{}", mb.department),
                kind: JobKind::Digest(mb.department.clone()),
                schedules: parse(&cfg.service.digest.schedule).into_iter().collect(),
            });
        }
    }
    if cfg.service.reminders.enabled {
        out.push(Job {
            name: "reminders".into(),
            kind: JobKind::Reminders,
            schedules: cfg
                .reminder_schedule()
                .iter()
                .filter_map(|e| parse(e))
                .collect(),
        });
    }
    out
}

/// What a step did for one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// First time seen: watching from now on.
    Started(String),
    Ran {
        job: String,
        slot: DateTime<Utc>,
        missed: usize,
        mails: usize,
    },
    Skipped {
        job: String,
        slot: DateTime<Utc>,
        reason: String,
    },
}

/// Runs every job that is due at `app.now()`. Public so tests and
/// `run --once` can drive the schedule deterministically.
pub async fn step(app: &App) -> Result<Vec<Outcome>> {
    let now = app.now();
    let cfg = &app.config;
    let mut out = Vec::new();
    let mut deliveries: Option<Vec<DeliveryView>> = None;
    for job in jobs(cfg) {
        let state: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT last_slot, last_run FROM schedule_state WHERE job = ?")
                .bind(&job.name)
                .fetch_optional(&app.ledger.pool)
                .await
                .context("cannot read schedule state")?;
        let Some((last_slot, last_run)) = state else {
            sqlx::query(
                "INSERT INTO schedule_state (job, last_slot, last_run) VALUES (?, ?, ?)
                 ON CONFLICT (job) DO NOTHING",
            )
            .bind(&job.name)
            .bind(fmt_time(now))
            .bind(fmt_time(now))
            .execute(&app.ledger.pool)
            .await
            .context("cannot start schedule")?;
            info!(job = %job.name, "schedule started");
            out.push(Outcome::Started(job.name.clone()));
            continue;
        };
        let last = parse_time(&last_slot)?;
        let mut due: Vec<DateTime<Utc>> = job
            .schedules
            .iter()
            .flat_map(|s| slots::due(s, cfg.tz, last, now))
            .collect();
        due.sort();
        due.dedup();
        let Some(&slot) = due.last() else { continue };
        let missed = due.len() - 1;
        let since = match last_run {
            Some(t) => parse_time(&t)?,
            None => last,
        };
        if deliveries.is_none() {
            deliveries = Some(report::deliveries(&app.ledger.pool).await?);
        }
        let all = deliveries.as_deref().unwrap_or_default();
        let (mails, skipped) = match &job.kind {
            JobKind::Digest(dept) => {
                let resolved = report::review::resolved(&app.ledger.pool).await?;
                (
                    vec![digest_mail(
                        cfg,
                        all,
                        &resolved,
                        dept,
                        since,
                        now,
                        slot,
                        outbox::account_hold(&app.ledger.pool, dept).await?,
                        forms_summary(app, all, dept, now).await?,
                    )?],
                    None,
                )
            }
            JobKind::Reminders => {
                if now >= cfg.campaign.campaign.deadline.with_timezone(&Utc) {
                    (Vec::new(), Some("the deadline has passed".to_owned()))
                } else {
                    (reminder_mails(cfg, all, now, slot)?, None)
                }
            }
        };
        let mut tx = crate::ledger::begin_write(&app.ledger.pool).await?;
        // Another process may have run this slot meanwhile: check inside the lock.
        let (current,): (String,) =
            sqlx::query_as("SELECT last_slot FROM schedule_state WHERE job = ?")
                .bind(&job.name)
                .fetch_one(&mut *tx)
                .await
                .context("cannot read schedule state")?;
        if parse_time(&current)? >= slot {
            continue;
        }
        let mut queued = 0;
        let gap = spread_gap(cfg, job.kind, mails.len());
        for (i, m) in mails.iter().enumerate() {
            let not_before = now + gap * i as i32;
            if outbox::enqueue(&mut tx, m, not_before, now, None).await?.1 {
                queued += 1;
            }
        }
        let outcome = match &skipped {
            Some(r) => format!("skipped: {r}"),
            None => format!("queued {queued}"),
        };
        sqlx::query(
            "INSERT INTO schedule_runs (job, slot, ran_at, covered_from, missed, outcome)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job, slot) DO NOTHING",
        )
        .bind(&job.name)
        .bind(fmt_time(slot))
        .bind(fmt_time(now))
        .bind(fmt_time(since))
        .bind(missed as i64)
        .bind(&outcome)
        .execute(&mut *tx)
        .await
        .context("cannot record the run")?;
        sqlx::query("UPDATE schedule_state SET last_slot = ?, last_run = ? WHERE job = ?")
            .bind(fmt_time(slot))
            .bind(fmt_time(now))
            .bind(&job.name)
            .execute(&mut *tx)
            .await
            .context("cannot advance the schedule")?;
        tx.commit().await.context("cannot commit the run")?;
        match skipped {
            Some(reason) => {
                info!(job = %job.name, slot = %slot, missed, reason = %reason, "scheduled run skipped");
                out.push(Outcome::Skipped {
                    job: job.name.clone(),
                    slot,
                    reason,
                });
            }
            None => {
                if missed > 0 {
                    warn!(job = %job.name, slot = %slot, missed, "slots missed while down: one run stands for them");
                }
                info!(job = %job.name, slot = %slot, mails = queued, "scheduled run queued");
                out.push(Outcome::Ran {
                    job: job.name.clone(),
                    slot,
                    missed,
                    mails: queued,
                });
                app.events.notify_outbox();
            }
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
pub fn digest_mail(
    cfg: &Config,
    all: &[DeliveryView],
    resolved: &HashSet<String>,
    dept: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    slot: DateTime<Utc>,
    sending: Option<outbox::AccountHold>,
    forms: Option<FileAttachment>,
) -> Result<Outgoing> {
    let mut d = digest::build(cfg, all, resolved, dept, since, now);
    d.sending = sending;
    let xlsx = digest::xlsx(cfg, &d)?;
    let from = cfg
        .sender_address(dept)
        .unwrap_or_else(|| "mailroom@localhost.invalid".into());
    Ok(Outgoing {
        kind: OutKind::Digest,
        dedupe_key: format!("digest:{dept}:{}", fmt_time(slot)),
        department: dept.to_owned(),
        from_name: "考核材料报送汇总".into(),
        from,
        to: cfg.digest_recipients(dept),
        subject: digest::subject(cfg, &d),
        text: digest::text(cfg, &d),
        html: digest::html(cfg, &d),
        attachments: std::iter::once(FileAttachment {
            filename: digest::filename(cfg, &d),
            content_type: form::XLSX_MIME.into(),
            bytes: xlsx,
        })
        .chain(forms)
        .collect(),
        in_reply_to: None,
        references: Vec::new(),
    })
}

pub fn reminder_mails(
    cfg: &Config,
    all: &[DeliveryView],
    now: DateTime<Utc>,
    slot: DateTime<Utc>,
) -> Result<Vec<Outgoing>> {
    let dept = &cfg.service.reminders.department;
    let from = cfg
        .sender_address(dept)
        .unwrap_or_else(|| "mailroom@localhost.invalid".into());
    let from_name = cfg
        .department(dept)
        .map_or_else(|| "团市委".into(), |d| format!("团市委{}", d.name));
    let blank = form::blank(&cfg.campaign)?;
    let mut out = Vec::new();
    for r in remind::due(cfg, all) {
        if r.unit.contacts.is_empty() {
            warn!(unit = %r.unit.id, "no contact address: reminder not sent (add contacts in units.toml)");
            continue;
        }
        let (subject, text, html) = remind::render(cfg, &r, now);
        out.push(Outgoing {
            kind: OutKind::Reminder,
            dedupe_key: format!("reminder:{}:{}", fmt_time(slot), r.unit.id),
            department: dept.clone(),
            from_name: from_name.clone(),
            from: from.clone(),
            to: r.unit.contacts.clone(),
            subject,
            text,
            html,
            attachments: vec![FileAttachment {
                filename: form::filename(&cfg.campaign),
                content_type: form::XLSX_MIME.into(),
                bytes: blank.clone(),
            }],
            in_reply_to: None,
            references: Vec::new(),
        });
    }
    Ok(out)
}

/// The next instant any job is due, for sleeping until it.
pub fn next_due(cfg: &Config, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    jobs(cfg)
        .iter()
        .flat_map(|j| {
            j.schedules
                .iter()
                .filter_map(|s| slots::next(s, cfg.tz, now))
        })
        .min()
}

/// The daemon task.
pub async fn run(app: App, cancel: CancellationToken) {
    loop {
        if let Err(e) = step(&app).await {
            error!(error = %format!("{e:#}"), "scheduled run failed");
        }
        let now = app.now();
        let nap = next_due(&app.config, now)
            .and_then(|t| (t - now).to_std().ok())
            .map_or(MAX_NAP, |d| d.min(MAX_NAP) + Duration::from_millis(50));
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(nap) => {}
        }
    }
}

/// `mailroom digest --preview`: the digest as it would go out now.
pub async fn preview_digest(app: &App, dept: &str) -> Result<Outgoing> {
    let now = app.now();
    let last: Option<(Option<String>,)> =
        sqlx::query_as("SELECT last_run FROM schedule_state WHERE job = ?")
            .bind(format!("digest:{dept}"))
            .fetch_optional(&app.ledger.pool)
            .await
            .context("cannot read schedule state")?;
    let since = match last.and_then(|(t,)| t) {
        Some(t) => parse_time(&t)?,
        None => now - chrono::Duration::days(1),
    };
    let all = report::deliveries(&app.ledger.pool).await?;
    digest_mail(
        &app.config,
        &all,
        &report::review::resolved(&app.ledger.pool).await?,
        dept,
        since,
        now,
        now,
        outbox::account_hold(&app.ledger.pool, dept).await?,
        forms_summary(app, &all, dept, now).await?,
    )
}

/// The overview forms collated (`report::forms`), when this digest carries
/// them (see [`digest::carries_forms`]). Read from the raw messages, so
/// built here, where the ledger and the workers are, not in `digest_mail`.
async fn forms_summary(
    app: &App,
    all: &[DeliveryView],
    dept: &str,
    until: DateTime<Utc>,
) -> Result<Option<FileAttachment>> {
    if !digest::carries_forms(&app.config, dept, until) {
        return Ok(None);
    }
    Ok(Some(FileAttachment {
        filename: report::forms::FILENAME.into(),
        content_type: form::XLSX_MIME.into(),
        bytes: report::forms::summary(app, all, until).await?,
    }))
}

/// `mailroom remind --preview`: the reminders that would go out now.
pub async fn preview_reminders(app: &App) -> Result<Vec<Outgoing>> {
    let now = app.now();
    if now >= app.config.campaign.campaign.deadline.with_timezone(&Utc) {
        return Ok(Vec::new());
    }
    let all = report::deliveries(&app.ledger.pool).await?;
    reminder_mails(&app.config, &all, now, now)
}

/// `mailroom remind --preview --json`: what each reminder that would go out
/// now says, as data.
pub async fn preview_reminder_summaries(app: &App) -> Result<Vec<remind::Summary>> {
    let now = app.now();
    if now >= app.config.campaign.campaign.deadline.with_timezone(&Utc) {
        return Ok(Vec::new());
    }
    let all = report::deliveries(&app.ledger.pool).await?;
    Ok(remind::due(&app.config, &all)
        .iter()
        // As `reminder_mails`: a unit without an address gets none.
        .filter(|r| !r.unit.contacts.is_empty())
        .map(|r| remind::summary(&app.config, r))
        .collect())
}

/// Reminders of one run leave one after another over
/// `[reminders] spread_minutes` (never past the deadline: a reminder due
/// after it is dropped by the outbox), not as one burst from one account.
fn spread_gap(cfg: &Config, kind: JobKind, mails: usize) -> chrono::Duration {
    if !matches!(kind, JobKind::Reminders) || mails < 2 {
        return chrono::Duration::zero();
    }
    let window = chrono::Duration::minutes(i64::from(cfg.service.reminders.spread_minutes));
    window / mails as i32
}
