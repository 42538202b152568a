//! Tables for the terminal.

use crate::config::Config;
use crate::ledger::messages;

pub(super) fn messages_table(
    cfg: &Config,
    rows: &[messages::MessageRow],
    skipped: &[messages::SkippedRow],
) {
    println!(
        "{:>6}  {:<10} {:>7}  {:<19}  {:>9}  MESSAGE-ID",
        "ID", "DEPARTMENT", "UID", "ARRIVED", "SIZE"
    );
    for r in rows {
        let arrived = r
            .internal_date()
            .map(|t| {
                t.with_timezone(&cfg.tz)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|_| r.internal_date.clone());
        let uid = r.uid.map_or_else(|| "-".to_owned(), |u| u.to_string());
        let flag = if r.oversize != 0 { " [oversize]" } else { "" };
        println!(
            "{:>6}  {:<10} {:>7}  {:<19}  {:>9}  {}{}",
            r.id,
            r.department,
            uid,
            arrived,
            r.size,
            r.message_id.as_deref().unwrap_or("(none)"),
            flag
        );
    }
    println!("{} message(s)", rows.len());
    if !skipped.is_empty() {
        println!("\nSkipped after repeated download failures (still on the server):");
        for s in skipped {
            println!(
                "  {} uid {} (uidvalidity {}), {} attempts: {}",
                s.department, s.uid, s.uidvalidity, s.attempts, s.last_error
            );
        }
    }
}

pub(super) fn outbox_table(cfg: &Config, rows: &[crate::outbox::OutboxRow]) {
    let local = |t: &str| {
        crate::ledger::messages::parse_time(t)
            .map(|t| {
                t.with_timezone(&cfg.tz)
                    .format("%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|_| t.to_owned())
    };
    println!(
        "{:>5}  {:<8} {:<8} {:>3}  {:<14}  {:<30}  SUBJECT / PROBLEM",
        "ID", "KIND", "STATE", "TRY", "WHEN", "TO"
    );
    for r in rows {
        let when = match r.state.as_str() {
            "sent" => r.sent_at.as_deref().map(local).unwrap_or_default(),
            _ => local(&r.not_before),
        };
        let to: Vec<String> = serde_json::from_str(&r.recipients).unwrap_or_default();
        let note = r
            .bounce
            .as_deref()
            .or(r.last_error.as_deref())
            .or(r.held_reason.as_deref())
            .map(|n| format!("  [{n}]"))
            .unwrap_or_default();
        println!(
            "{:>5}  {:<8} {:<8} {:>3}  {:<14}  {:<30}  {}{}",
            r.id,
            r.kind,
            r.state,
            r.attempts,
            when,
            to.join(","),
            r.subject,
            note
        );
    }
    let count = |s: &str| rows.iter().filter(|r| r.state == s).count();
    println!(
        "{} queued, {} sent, {} failed, {} bounced",
        count("queued"),
        count("sent"),
        count("failed"),
        count("bounced")
    );
}
