//! Tables for the terminal. Every line goes through [`say!`] and every
//! field a sender or server chose through [`clean_text`]: a Message-ID or
//! subject may carry escape sequences or line breaks meant for this screen.

use crate::clean::{clean_text, say};
use crate::config::Config;
use crate::ledger::messages;
use crate::report::columns::{SCREEN, fit, pad, wrap_indented};

pub(super) fn messages_table(
    cfg: &Config,
    rows: &[messages::MessageRow],
    skipped: &[messages::SkippedRow],
) {
    say!(
        "{:>6}  {:<10} {:<10} {:>7}  {:<19}  {:>9}  MESSAGE-ID",
        "ID",
        "DEPARTMENT",
        "FOLDER",
        "UID",
        "ARRIVED",
        "SIZE"
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
        let mut flag = if r.oversize != 0 { " [oversize]" } else { "" }.to_owned();
        if let Some(why) = &r.quarantined {
            flag.push_str(&format!(" [quarantined: {}]", clean_text(why)));
        }
        if r.in_junk != 0 {
            flag.push_str(" [junk]");
        }
        // Imported files have no folder; a folder name comes from the
        // server (or the configuration) and is cleaned like any other field.
        let folder = r
            .folder
            .as_deref()
            .map_or_else(|| "-".to_owned(), |f| clean_text(f).into_owned());
        say!(
            "{:>6}  {:<10} {} {:>7}  {:<19}  {:>9}  {}{}",
            r.id,
            r.department,
            // 垃圾邮件 is eight columns wide, not four characters.
            pad(&folder, 10),
            uid,
            arrived,
            r.size,
            clean_text(r.message_id.as_deref().unwrap_or("(none)")),
            flag
        );
    }
    say!("{} message(s)", rows.len());
    if !skipped.is_empty() {
        say!("\nSkipped after repeated download failures (still on the server):");
        for s in skipped {
            say!(
                "  {} {} uid {} (uidvalidity {}), {} attempts: {}",
                s.department,
                clean_text(&s.folder),
                s.uid,
                s.uidvalidity,
                s.attempts,
                clean_text(&s.last_error)
            );
        }
    }
}

/// The outbox's fixed columns, up to where the subject starts.
const OUTBOX_FIXED: usize = 5 + 2 + 8 + 1 + 8 + 1 + 3 + 2 + 14 + 2 + TO_WIDTH + 2;
const TO_WIDTH: usize = 24;

/// One outbox row as it is listed: one line within [`SCREEN`] columns (the
/// subject cut to fit; `--json` has it whole), and the problem, if any,
/// on the lines after it, wrapped, in full.
pub(super) fn outbox_row(r: &crate::outbox::OutboxRow, when: &str) -> String {
    let to: Vec<String> = serde_json::from_str(&r.recipients).unwrap_or_default();
    let mut line = format!(
        "{:>5}  {:<8} {:<8} {:>3}  {:<14}  {}  {}",
        r.id,
        r.kind,
        r.state,
        r.attempts,
        when,
        pad(&fit(&clean_text(&to.join(",")), TO_WIDTH), TO_WIDTH),
        fit(&clean_text(&r.subject), SCREEN - OUTBOX_FIXED)
    );
    if let Some(n) = r
        .bounce
        .as_deref()
        .or(r.last_error.as_deref())
        .or(r.held_reason.as_deref())
    {
        let note = format!("[{}]", clean_text(n));
        line.push_str(&format!("\n{NOTE_INDENT}"));
        line.push_str(&wrap_indented(
            &note,
            NOTE_INDENT.len(),
            NOTE_INDENT.len(),
            SCREEN,
        ));
    }
    line
}

/// Where a row's problem starts: under its KIND.
const NOTE_INDENT: &str = "       ";

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
    say!(
        "{:>5}  {:<8} {:<8} {:>3}  {:<14}  {}  SUBJECT / PROBLEM",
        "ID",
        "KIND",
        "STATE",
        "TRY",
        "WHEN",
        pad("TO", TO_WIDTH)
    );
    for r in rows {
        let when = match r.state.as_str() {
            "sent" => r.sent_at.as_deref().map(local).unwrap_or_default(),
            _ => local(&r.not_before),
        };
        say!("{}", outbox_row(r, &when));
    }
    let count = |s: &str| rows.iter().filter(|r| r.state == s).count();
    say!(
        "{} queued, {} sent, {} failed, {} bounced",
        count("queued"),
        count("sent"),
        count("failed"),
        count("bounced")
    );
    // Per sending account: what waits, and the latest reason an account
    // gave (a quota, a refused login), so a parked account shows at once.
    let mut accounts: std::collections::BTreeMap<
        &str,
        (usize, usize, Option<&crate::outbox::OutboxRow>),
    > = Default::default();
    for r in rows {
        let e = accounts.entry(r.department.as_str()).or_default();
        match r.state.as_str() {
            "queued" => e.0 += 1,
            "sent" => e.1 += 1,
            _ => {}
        }
        if r.state == "queued"
            && r.held_reason.is_some()
            && e.2.is_none_or(|h| h.not_before < r.not_before)
        {
            e.2 = Some(r);
        }
    }
    for (dept, (queued, sent, held)) in accounts {
        let from = cfg.department(dept).map_or(dept, |d| d.mailbox.as_str());
        let wait = held
            .map(|h| {
                format!(
                    "; waits until {} ({})",
                    local(&h.not_before),
                    clean_text(h.held_reason.as_deref().unwrap_or(""))
                )
            })
            .unwrap_or_default();
        say!("  {from}: {sent} sent, {queued} queued{wait}");
    }
}

/// One review item as listed: what, where, when and which unit; who sent
/// it and the subject; what to do. Each part wrapped within [`SCREEN`]
/// columns (the actions are whole command lines with an explanation).
pub(super) fn review_item(cfg: &Config, i: &crate::report::review::Item) -> String {
    let unit = i
        .unit
        .as_deref()
        .and_then(|u| cfg.units.get(u))
        .map_or("(unknown unit)", |u| u.name.as_str());
    let what = format!(
        "[{}] {} · {} · {} · {}",
        i.ledger_id,
        i.reason.zh(),
        i.department,
        &i.received_at[..16.min(i.received_at.len())].replace('T', " "),
        unit
    );
    let from = format!(
        "from {} — {}",
        clean_text(i.from.as_deref().unwrap_or("?")),
        clean_text(&i.subject)
    );
    format!(
        "{}\n      {}\n      → {}",
        wrap_indented(&what, 0, 6, SCREEN),
        wrap_indented(&from, 6, 6, SCREEN),
        wrap_indented(&clean_text(&i.action), 8, 8, SCREEN)
    )
}

#[cfg(test)]
#[path = "print_tests.rs"]
mod tests;
