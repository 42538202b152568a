//! The administrator's commands: status, review, digest and reminder previews.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::{UsageError, known_department};
use crate::clean::{clean_multiline, clean_text, say};
use crate::clock::Clock;
use crate::config::Config;
use crate::daemon::App;
use crate::outbox::Outgoing;
use crate::report::{self, review, status};

pub async fn status(
    cfg: Config,
    clock: Clock,
    department: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    if let Some(d) = department {
        known_department(&cfg, d)?;
    }
    let app = App::open(cfg, clock).await?;
    let deliveries = report::deliveries(&app.ledger.pool).await?;
    let m = status::matrix_for(&app.config, &deliveries, department);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&m).context("cannot encode JSON")?
        );
    } else {
        let title = match department.and_then(|d| app.config.department(d)) {
            Some(d) => format!(
                "{}：{} 负责的子项",
                app.config.campaign.campaign.title, d.name
            ),
            None => format!("{}：各单位 × 考核项目", app.config.campaign.campaign.title),
        };
        print!(
            "{}",
            clean_multiline(&status::render(&app.config, &m, &title))
        );
        // A sending account its server has held explains receipts that
        // have not gone out yet.
        for d in &app.config.campaign.departments {
            if let Some(h) = crate::outbox::account_hold(&app.ledger.pool, &d.id).await? {
                println!(
                    "sending: {} ({}) is held until {}{}; {} receipt(s) wait",
                    d.name,
                    d.mailbox,
                    h.until
                        .with_timezone(&app.config.tz)
                        .format("%Y-%m-%d %H:%M"),
                    if h.quota {
                        " (daily quota used up)"
                    } else {
                        ""
                    },
                    h.receipts
                );
            }
        }
    }
    app.ledger.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn review(
    cfg: Config,
    clock: Clock,
    resolve: Option<&str>,
    note: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let app = App::open(cfg, clock).await?;
    if let Some(message) = resolve {
        let key = crate::intake::resolve_message(&app, message).await?;
        sqlx::query(
            "INSERT INTO reviews (message_key, resolved_at, note) VALUES (?, ?, ?)
             ON CONFLICT (message_key) DO UPDATE SET resolved_at = excluded.resolved_at, note = excluded.note",
        )
        .bind(&key)
        .bind(crate::ledger::messages::fmt_time(app.now()))
        .bind(note)
        .execute(&app.ledger.pool)
        .await
        .context("cannot record the review")?;
        say!("resolved {}", clean_text(&key));
        app.ledger.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let deliveries = report::deliveries(&app.ledger.pool).await?;
    let resolved = review::resolved(&app.ledger.pool).await?;
    let items = review::items(&app.config, &deliveries, &resolved);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&items).context("cannot encode JSON")?
        );
    } else {
        for i in &items {
            say!("{}", super::print::review_item(&app.config, i));
        }
        let info = items.iter().filter(|i| i.reason.is_info()).count();
        println!(
            "{} item(s) need a person, {info} for information",
            items.len() - info
        );
    }
    app.ledger.close().await;
    Ok(ExitCode::SUCCESS)
}

fn print_mail(o: &Outgoing, full: bool) {
    say!("From: {} <{}>", o.from_name, o.from);
    say!("To: {}", clean_text(&o.to.join(", ")));
    say!("Subject: {}", clean_text(&o.subject));
    for a in &o.attachments {
        say!(
            "Attachment: {} ({} bytes)",
            clean_text(&a.filename),
            a.bytes.len()
        );
    }
    if full {
        say!("\n{}", o.text);
    }
}

/// Writes a previewed mail's attachments into `dir`.
fn save_attachments(o: &Outgoing, dir: &std::path::Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for a in &o.attachments {
        // The name is ours (digest and form names), but keep it one level deep.
        let name = std::path::Path::new(&a.filename)
            .file_name()
            .context("attachment without a file name")?;
        let path = dir.join(name);
        std::fs::write(&path, &a.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

pub async fn digest(
    cfg: Config,
    clock: Clock,
    department: &str,
    how: PreviewOutput,
) -> Result<ExitCode> {
    known_department(&cfg, department)?;
    let app = App::open(cfg, clock).await?;
    let mail = crate::schedule::preview_digest(&app, department).await?;
    if let Some(dir) = &how.attachments_to {
        save_attachments(&mail, dir)?;
    }
    if how.html {
        println!("{}", mail.html);
    } else {
        print_mail(&mail, true);
        println!("(preview: nothing was sent)");
    }
    app.ledger.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `mailroom forms --out FILE`: the overview forms collated as of now.
pub async fn forms(cfg: Config, clock: Clock, out: &std::path::Path) -> Result<ExitCode> {
    let app = App::open(cfg, clock).await?;
    let deliveries = report::deliveries(&app.ledger.pool).await?;
    let now = app.now();
    let found = report::forms::collect(&app, &deliveries, now).await?;
    let lines = report::forms::lines(&app.config, found);
    let bytes = report::forms::xlsx(&app.config, &lines, now)?;
    app.ledger.close().await;
    std::fs::write(out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
    let sent = lines.iter().filter(|l| l.form.is_some()).count();
    let missing = lines
        .iter()
        .filter(|l| l.assessed && l.form.is_none())
        .count();
    say!(
        "{sent} unit(s) sent an overview form, {missing} assessed unit(s) none: {}",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// How `digest --preview` and `remind --preview` print.
#[derive(Debug, Clone)]
pub struct PreviewOutput {
    pub json: bool,
    pub html: bool,
    pub attachments_to: Option<std::path::PathBuf>,
}

pub async fn remind(
    cfg: Config,
    clock: Clock,
    unit: Option<&str>,
    how: PreviewOutput,
) -> Result<ExitCode> {
    if let Some(u) = unit
        && cfg.units.get(u).is_none()
    {
        return Err(UsageError(format!("--unit {u:?} is not a unit id")).into());
    }
    let app = App::open(cfg, clock).await?;
    if how.json {
        let mut all = crate::schedule::preview_reminder_summaries(&app).await?;
        all.retain(|s| unit.is_none_or(|u| u == s.unit));
        println!(
            "{}",
            serde_json::to_string_pretty(&all).context("cannot encode JSON")?
        );
        app.ledger.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let mails = crate::schedule::preview_reminders(&app).await?;
    if mails.is_empty() && !how.html {
        println!(
            "no reminders would be sent now (everything received, or the deadline has passed)"
        );
    }
    for m in &mails {
        let for_unit = m.dedupe_key.rsplit(':').next().unwrap_or("");
        match unit {
            Some(u) if u != for_unit => continue,
            Some(_) if how.attachments_to.is_some() => {
                if let Some(dir) = &how.attachments_to {
                    save_attachments(m, dir)?;
                }
                if how.html {
                    println!("{}", m.html);
                } else {
                    print_mail(m, true);
                }
            }
            Some(_) if how.html => println!("{}", m.html),
            Some(_) => print_mail(m, true),
            None => say!(
                "{:<14} {:<40} {}",
                for_unit,
                clean_text(&m.to.join(",")),
                clean_text(&m.subject)
            ),
        }
    }
    if !how.html {
        println!(
            "{} reminder(s) would be sent (preview: nothing was sent)",
            mails.len()
        );
    }
    app.ledger.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `mailroom materials`: rebuilds the tree; with `out`, zips it (or one
/// department's folder).
pub async fn materials(
    cfg: Config,
    department: Option<&str>,
    out: Option<&std::path::Path>,
) -> Result<ExitCode> {
    if let Some(d) = department {
        known_department(&cfg, d)?;
    }
    let ledger = crate::ledger::Ledger::open(&cfg.database_url, &cfg.data_dir).await?;
    let t = std::time::Instant::now();
    let summary = match out {
        Some(out) => crate::materials::zip(&cfg, &ledger.pool, department, out).await,
        None => crate::materials::rebuild(&cfg, &ledger.pool).await,
    };
    ledger.close().await;
    let s = summary?;
    println!(
        "{}: {} file(s) placed, {} written, {} linked, {} message(s) opened, in {:.1}s",
        cfg.materials_dir().display(),
        s.placements,
        s.files,
        s.linked,
        s.parsed,
        t.elapsed().as_secs_f64()
    );
    for m in &s.missing {
        println!("not found on re-reading: {}", crate::clean::clean_text(m));
    }
    if let Some(out) = out {
        println!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}
