//! The command line. Exit codes: 0 success, 2 bad configuration or
//! arguments, 1 runtime failure.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::clock::Clock;
use crate::config::{Config, ConfigError, Secrets};
use crate::daemon::{self, App};
use crate::ledger::messages;
use crate::telemetry::LogFormat;

mod admin;
mod print;

#[derive(Debug, Parser)]
#[command(
    name = "mailroom",
    version,
    about = "Email intake for the annual assessment: keeps, classifies and acknowledges every submission."
)]
pub struct Cli {
    /// The service configuration file.
    #[arg(
        long,
        short,
        env = "MAILROOM_CONFIG",
        default_value = "/etc/mailroom/mailroom.toml",
        global = true
    )]
    pub config: PathBuf,
    /// Log format on stderr: readable text, or one JSON object per line.
    #[arg(
        long,
        value_enum,
        default_value = "text",
        global = true,
        env = "MAILROOM_LOG_FORMAT"
    )]
    pub log_format: LogFormat,
    /// Pretend it is this instant (RFC 3339), for previews and tests; the
    /// clock keeps running from there.
    #[arg(long, global = true, env = "MAILROOM_NOW")]
    pub now: Option<DateTime<chrono::FixedOffset>>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Watch every department mailbox (the daemon).
    Run {
        /// One pass over every mailbox, then exit (tests, cron-style deployments).
        #[arg(long)]
        once: bool,
        /// With --once: record everything but answer nothing (a first run over
        /// mailboxes that already hold this campaign's mail).
        #[arg(long, requires = "once")]
        no_receipts: bool,
    },
    /// Import saved messages (.eml) into a department, through the same pipeline.
    Ingest {
        /// Department id from the campaign file.
        #[arg(long)]
        department: String,
        /// Arrival time (RFC 3339); default: each file's modification time.
        #[arg(long)]
        received_at: Option<DateTime<chrono::FixedOffset>>,
        /// Classify and record, but send no receipts (importing old mail).
        #[arg(long)]
        no_receipts: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List what the ledger holds.
    Messages {
        #[arg(long)]
        json: bool,
    },
    /// Validate the configuration and print every problem found.
    CheckConfig,
    /// Re-classify every stored message from its raw file with the current
    /// configuration (after adding a sender address or a keyword).
    /// Quarantined messages are left alone unless named with --message.
    Reprocess {
        /// Retry this quarantined message (ledger id or Message-ID) only.
        #[arg(long)]
        message: Option<String>,
    },
    /// Record a person's decision about a message; reprocessing keeps it.
    Assign {
        /// Ledger id (from `mailroom review` / `messages`) or Message-ID.
        message: String,
        /// Unit id from the units file.
        #[arg(long)]
        unit: String,
        /// Item codes, comma-separated (e.g. 3.2,4.1); default: keep the classifier's.
        #[arg(long, value_delimiter = ',')]
        items: Option<Vec<String>>,
        /// Also add the message's sender to the unit's senders in the units file.
        #[arg(long)]
        remember_sender: bool,
    },
    /// Everything the ledger knows, per delivery: JSON (a stable contract),
    /// CSV, or an xlsx workbook for Excel/WPS.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: crate::report::export::Format_,
        /// Write here instead of standard output (required for xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Every unit's overview form (工作开展情况表) side by side, as an xlsx
    /// workbook: what each unit wrote per project in its latest form, and
    /// the units that sent none.
    Forms {
        /// The workbook to write (e.g. 工作开展情况表汇总.xlsx).
        #[arg(long)]
        out: PathBuf,
    },
    /// Submissions that arrived after the deadline.
    Late {
        #[arg(long)]
        json: bool,
    },
    /// The unit × project matrix (or a department's items): on time, late, missing.
    Status {
        /// Show this department's items instead of the five projects.
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// What needs a person (unknown units, misrouted mail, unreadable files,
    /// refused archives, bounced receipts), each with the command to resolve it.
    Review {
        /// Mark a message (ledger id or Message-ID) as dealt with.
        #[arg(long)]
        resolve: Option<String>,
        /// A note to keep with --resolve.
        #[arg(long, requires = "resolve")]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The daily digest of a department, as it would go out now.
    Digest {
        #[arg(long)]
        department: String,
        /// Print it; send nothing (digests go out on their schedule).
        #[arg(long, required = true)]
        preview: bool,
        /// Print the HTML part instead of the text (to look at it in a browser).
        #[arg(long)]
        html: bool,
        /// Also write the attachments (the workbook) into this directory.
        #[arg(long)]
        attachments_to: Option<PathBuf>,
    },
    /// The reminders that would go out now, to units still missing material.
    Remind {
        /// Print them; send nothing (reminders go out on their schedule).
        #[arg(long, required = true)]
        preview: bool,
        /// Print the whole text for this unit only.
        #[arg(long)]
        unit: Option<String>,
        /// Per reminder: unit id, recipients, missing item codes, whether the
        /// overview form is missing, and the items grouped by department.
        #[arg(long, conflicts_with = "html")]
        json: bool,
        /// With --unit: print the HTML part instead of the text.
        #[arg(long, requires = "unit")]
        html: bool,
        /// With --unit: also write the attachments (the blank form) into this directory.
        #[arg(long, requires = "unit")]
        attachments_to: Option<PathBuf>,
    },
    /// The materials tree (`<科室>/<item>/<unit>/<file>`): bring it up to
    /// date from the ledger, or zip it (one 科室, or all) for sharing.
    Materials {
        /// Build the tree afresh from the ledger and swap it in.
        #[arg(long, required_unless_present = "out")]
        rebuild: bool,
        /// With --out: only this department's folder.
        #[arg(long, requires = "out")]
        department: Option<String>,
        /// Write a zip (UTF-8 names) here.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Outgoing mail: what is queued, sent, failed or bounced.
    Outbox {
        #[arg(long)]
        json: bool,
    },
    /// Internal: the process that looks inside messages (started by
    /// mailroom itself, one per core; see `intake::worker`).
    #[command(hide = true)]
    InspectWorker,
}

/// Runs the parsed command; the caller has set up logging.
pub async fn run(cli: Cli) -> ExitCode {
    match dispatch(cli).await {
        Ok(code) => code,
        Err(e) => {
            if let Some(cfg) = e.downcast_ref::<ConfigError>() {
                eprintln!("{cfg}");
                eprintln!("mailroom: the configuration has errors; nothing was done");
                return ExitCode::from(2);
            }
            if let Some(usage) = e.downcast_ref::<UsageError>() {
                eprintln!("mailroom: {usage}");
                return ExitCode::from(2);
            }
            tracing::error!(error = %format!("{e:#}"), "mailroom failed");
            ExitCode::from(1)
        }
    }
}

/// Refuses a department id the campaign does not have, listing the known ones.
pub(crate) fn known_department(cfg: &Config, id: &str) -> Result<()> {
    if cfg.department(id).is_none() {
        return Err(UsageError(format!(
            "--department {id:?} is not a department id (known: {})",
            cfg.campaign
                .departments
                .iter()
                .map(|d| d.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    }
    Ok(())
}

/// A well-formed command that makes no sense for this configuration.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn load(cli: &Cli, secrets: Secrets) -> Result<Config> {
    let cfg = Config::load(&cli.config, secrets)?;
    for w in &cfg.warnings {
        tracing::warn!(file = %w.file.display(), key = %w.key, "{}", w.message);
    }
    Ok(cfg)
}

fn clock(cli: &Cli) -> Clock {
    match cli.now {
        Some(t) => Clock::starting_at(t.with_timezone(&Utc)),
        None => Clock::system(),
    }
}

async fn dispatch(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::CheckConfig => check_config(&cli),
        // main.rs runs the worker before starting the runtime; this arm only
        // serves a library caller.
        Command::InspectWorker => Ok(crate::intake::worker::serve()),
        Command::Run { once, no_receipts } => {
            let app = App::open(load(&cli, Secrets::Check)?, clock(&cli)).await?;
            if *once {
                let mode = if *no_receipts {
                    crate::intake::Mode::Import
                } else {
                    crate::intake::Mode::Live
                };
                let report = app.run_once(mode).await?;
                app.close().await;
                if report.failed_mailboxes.is_empty() {
                    Ok(ExitCode::SUCCESS)
                } else {
                    Ok(ExitCode::from(1))
                }
            } else {
                let signals = daemon::Signals::default();
                daemon::listen_for_signals(&signals);
                app.run_daemon(signals).await?;
                Ok(ExitCode::SUCCESS)
            }
        }
        Command::Ingest {
            department,
            received_at,
            no_receipts,
            files,
        } => {
            let cfg = load(&cli, Secrets::Skip)?;
            known_department(&cfg, department)?;
            let max = cfg.service.fetch.max_message_mb * 1024 * 1024;
            let app = App::open(cfg, clock(&cli)).await?;
            let report = crate::ingest::ingest_files(
                &app.ledger,
                app.now(),
                department,
                received_at.map(|t| t.with_timezone(&Utc)),
                files,
                max,
            )
            .await?;
            let mode = if *no_receipts {
                crate::intake::Mode::Import
            } else {
                crate::intake::Mode::Live
            };
            let processed = crate::intake::process_pending_as(&app, mode).await?;
            crate::materials::refresh_if_dirty(&app.config, &app.ledger.pool).await;
            app.close().await;
            println!(
                "stored {}, already present {}, failed {}; classified {}",
                report.stored, report.known, report.failed, processed.processed
            );
            Ok(if report.failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Export { format, out } => {
            use crate::report::export::{self, Format_};
            let app = App::open(load(&cli, Secrets::Skip)?, clock(&cli)).await?;
            let deliveries = crate::report::deliveries(&app.ledger.pool).await?;
            let bytes = match format {
                Format_::Json => export::json(&app.config, &deliveries, app.now())?.into_bytes(),
                Format_::Csv => export::csv(&app.config, &deliveries).into_bytes(),
                Format_::Xlsx => export::xlsx(&app.config, &deliveries)?,
            };
            app.ledger.close().await;
            match out {
                Some(path) => std::fs::write(path, &bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None if *format == Format_::Xlsx => {
                    return Err(UsageError("--format xlsx needs --out FILE.xlsx".into()).into());
                }
                None => {
                    use std::io::Write;
                    std::io::stdout()
                        .write_all(&bytes)
                        .context("cannot write to standard output")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { department, json } => {
            admin::status(
                load(&cli, Secrets::Skip)?,
                clock(&cli),
                department.as_deref(),
                *json,
            )
            .await
        }
        Command::Review {
            resolve,
            note,
            json,
        } => {
            admin::review(
                load(&cli, Secrets::Skip)?,
                clock(&cli),
                resolve.as_deref(),
                note.as_deref(),
                *json,
            )
            .await
        }
        Command::Forms { out } => admin::forms(load(&cli, Secrets::Skip)?, clock(&cli), out).await,
        Command::Digest {
            department,
            html,
            attachments_to,
            ..
        } => {
            let how = admin::PreviewOutput {
                json: false,
                html: *html,
                attachments_to: attachments_to.clone(),
            };
            admin::digest(load(&cli, Secrets::Skip)?, clock(&cli), department, how).await
        }
        Command::Remind {
            unit,
            json,
            html,
            attachments_to,
            ..
        } => {
            let how = admin::PreviewOutput {
                json: *json,
                html: *html,
                attachments_to: attachments_to.clone(),
            };
            admin::remind(
                load(&cli, Secrets::Skip)?,
                clock(&cli),
                unit.as_deref(),
                how,
            )
            .await
        }
        Command::Late { json } => {
            let app = App::open(load(&cli, Secrets::Skip)?, clock(&cli)).await?;
            let deliveries = crate::report::deliveries(&app.ledger.pool).await?;
            let entries = crate::report::late::entries(&app.config, &deliveries);
            if *json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&entries).context("cannot encode JSON")?
                );
            } else {
                crate::report::late::print(&app.config, &entries);
            }
            app.ledger.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Reprocess { message } => {
            let app = App::open(load(&cli, Secrets::Skip)?, clock(&cli)).await?;
            let r = match message {
                Some(m) => {
                    let key = crate::intake::resolve_message(&app, m).await?;
                    crate::intake::retry_quarantined(&app, &key).await?
                }
                None => crate::intake::reprocess(&app).await?,
            };
            crate::materials::refresh_if_dirty(&app.config, &app.ledger.pool).await;
            app.close().await;
            println!(
                "re-classified {} message(s), {} submission(s)",
                r.processed, r.submissions
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Assign {
            message,
            unit,
            items,
            remember_sender,
        } => {
            let cfg = load(&cli, Secrets::Skip)?;
            if cfg.units.get(unit).is_none() {
                return Err(UsageError(format!(
                    "--unit {unit:?} is not a unit id in the units file"
                ))
                .into());
            }
            if let Some(items) = items
                && let Some(bad) = items.iter().find(|i| cfg.campaign.item(i).is_none())
            {
                return Err(UsageError(format!(
                    "--items: {bad:?} is not an item code (1.1 … 5.4)"
                ))
                .into());
            }
            let app = App::open(cfg, clock(&cli)).await?;
            let out =
                crate::intake::assign(&app, message, unit, items.clone(), *remember_sender).await?;
            crate::materials::refresh(&app.config, &app.ledger.pool).await;
            app.ledger.close().await;
            println!(
                "assigned {} to unit {unit}; {} deliver{} re-classified",
                crate::clean::clean_text(&out.message_key),
                out.deliveries,
                if out.deliveries == 1 { "y" } else { "ies" }
            );
            if let Some(path) = out.remembered {
                println!(
                    "added sender {} to {unit} in {} (the daemon picks it up on reload: systemctl reload mailroom)",
                    crate::clean::clean_text(&out.sender.unwrap_or_default()),
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Materials {
            department, out, ..
        } => {
            admin::materials(
                load(&cli, Secrets::Skip)?,
                department.as_deref(),
                out.as_deref(),
            )
            .await
        }
        Command::Outbox { json } => {
            let app = App::open(load(&cli, Secrets::Skip)?, clock(&cli)).await?;
            let rows = crate::outbox::list(&app.ledger.pool).await?;
            if *json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).context("cannot encode JSON")?
                );
            } else {
                print::outbox_table(&app.config, &rows);
            }
            app.ledger.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Messages { json } => {
            let app = App::open(load(&cli, Secrets::Skip)?, clock(&cli)).await?;
            let rows = messages::list(&app.ledger.pool).await?;
            let skipped = messages::skipped(&app.ledger.pool).await?;
            if *json {
                let out = serde_json::json!({ "messages": rows, "skipped": skipped });
                println!(
                    "{}",
                    serde_json::to_string_pretty(&out).context("cannot encode JSON")?
                );
            } else {
                print::messages_table(&app.config, &rows, &skipped);
            }
            app.ledger.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check_config(cli: &Cli) -> Result<ExitCode> {
    match Config::load(&cli.config, Secrets::Check) {
        Ok(cfg) => {
            for w in &cfg.warnings {
                println!("{w}");
            }
            println!(
                "{}: OK ({} departments, {} items, {} units, {} mailboxes; deadline {})",
                cfg.path.display(),
                cfg.campaign.departments.len(),
                cfg.campaign.items().count(),
                cfg.units.units.len(),
                cfg.service.mailboxes.len(),
                cfg.campaign.campaign.deadline.with_timezone(&cfg.tz)
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{e}");
            let n = e.problems.iter().filter(|p| p.fatal).count();
            println!("{}: {n} error(s)", cli.config.display());
            Ok(ExitCode::from(2))
        }
    }
}
