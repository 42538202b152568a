//! Deadline day through the NetEase SMTP emulator: 150 submissions from 42
//! senders reach 组织部 in the two hours before 08:00 on 2018-01-26, while
//! its account may send 10 mails in 15 minutes and 50 a day (mailroom's
//! budget and the emulator's quota agree). mailroom's clock (`--now`) and
//! the emulator's account clock are moved together, across two midnights,
//! from one queued mail's time to the next: nothing reads the wall clock.
//!
//! What must hold: every submission gets exactly one receipt and none is
//! marked failed; no reminder or digest went while an older receipt still
//! waited; the account never went over its budget (from the emulator's
//! own log: no 451 MI:SFQ or 554 MI:STC, and its accepted mail counted per
//! 15 minutes and per day).

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use common::*;
use serde_json::Value;

const SUBMISSIONS: usize = 150;
const SENDERS: usize = 42;
const PER_15MIN: usize = 10;
const PER_DAY: usize = 50;

fn parse(t: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(t)
        .expect("rfc3339")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn deadline_day_under_a_small_quota_loses_nothing_and_answers_receipts_first() {
    let opts = AppOptions {
        schedules: true,
        paced: true,
        extra_service: format!(
            "[outbox]\nper_15min = {PER_15MIN}\nper_day = {PER_DAY}\n\
             [receipts]\nmax_per_hour = 100\nmax_per_day = 100\n"
        ),
        ..AppOptions::default()
    };
    let (app, accounts) = via_netease("deadline", opts);
    let org = app.user("org").to_owned();
    let shanghai = FixedOffset::east_opt(8 * 3600).expect("offset");
    let start = parse("2018-01-26T06:00:00+08:00");
    let mut s = app.env.imap(&org).await;
    for n in 0..SUBMISSIONS {
        let unit = format!("{}-unit{}@example.test", app.tag, n % SENDERS);
        let arrival = (start + Duration::seconds((n * 7200 / SUBMISSIONS) as i64))
            .with_timezone(&shanghai)
            .to_rfc3339();
        append_with(&mut s, "INBOX", &submission_from(&unit, &org, n), &arrival).await;
    }
    s.logout().await.ok();

    let quota = |now: DateTime<Utc>| {
        serde_json::json!({
            "per_15min": PER_15MIN, "per_day": PER_DAY,
            "now": now.with_timezone(&shanghai).to_rfc3339(),
        })
    };
    let mut now = parse("2018-01-26T08:00:30+08:00");
    let end = parse("2018-01-29T12:00:00+08:00");
    let mut runs = 0;
    loop {
        account(&accounts, &org, &quota(now));
        let out = app.run(&["run", "--once", "--now", &now.to_rfc3339()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        runs += 1;
        let queued: Vec<Value> = app
            .outbox()
            .into_iter()
            .filter(|o| o["state"] == "queued")
            .collect();
        if !queued.iter().any(|o| o["kind"] == "receipt") {
            break;
        }
        // On to the next time a queued mail may go, a minute past it so the
        // emulator's clock (running from the file's write) is past it too.
        let next = queued
            .iter()
            .filter_map(|o| o["not_before"].as_str())
            .map(parse)
            .min()
            .expect("queued mail has a time");
        now = next.max(now) + Duration::minutes(1);
        assert!(now < end && runs < 60, "still queued at {now}: {queued:#?}");
    }

    let outbox = app.outbox();
    let receipts: Vec<&Value> = outbox.iter().filter(|o| o["kind"] == "receipt").collect();
    assert_eq!(receipts.len(), SUBMISSIONS, "one receipt per submission");
    assert!(
        receipts.iter().all(|o| o["state"] == "sent"),
        "none failed, none left: {receipts:#?}"
    );
    // Receipts first: nothing else went from the same account while an
    // older receipt waited (the other departments' digests leave from
    // their own accounts).
    for other in outbox
        .iter()
        .filter(|o| o["kind"] != "receipt" && o["department"] == "org")
    {
        let Some(sent) = other["sent_at"].as_str().map(parse) else {
            continue;
        };
        for r in &receipts {
            let created = parse(r["created_at"].as_str().expect("created"));
            let r_sent = parse(r["sent_at"].as_str().expect("sent"));
            assert!(
                created > sent || r_sent <= sent,
                "{} went at {sent} before receipt {} (queued {created}, sent {r_sent})",
                other["kind"],
                r["id"]
            );
        }
    }
    // A reminder is never sent after the deadline.
    let deadline = parse("2018-01-26T17:30:00+08:00");
    for o in outbox.iter().filter(|o| o["kind"] == "reminder") {
        if let Some(sent) = o["sent_at"].as_str().map(parse) {
            assert!(sent <= deadline, "{o:#}");
        }
    }

    // The emulator's view: never asked past the quota, each receipt once.
    let events = netease_events(&org);
    let refused: Vec<&Value> = events
        .iter()
        .filter(|e| {
            matches!(e["event"].as_str(), Some("mail" | "rcpt" | "data"))
                && e["code"].as_u64().is_some_and(|c| c >= 400)
        })
        .collect();
    assert!(
        refused.is_empty(),
        "went over the server's limits: {refused:#?}"
    );
    let accepted: Vec<(DateTime<Utc>, String)> = events
        .iter()
        .filter(|e| e["event"] == "data" && e["code"] == 250)
        .map(|e| {
            (
                parse(e["time"].as_str().expect("account clock")),
                e["message_id"]
                    .as_str()
                    .unwrap_or("")
                    .trim_matches(['<', '>'])
                    .to_owned(),
            )
        })
        .collect();
    let mut per_id: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, id) in &accepted {
        *per_id.entry(id).or_default() += 1;
    }
    for r in &receipts {
        let id = r["message_id"].as_str().expect("message id");
        let id = id.trim_matches(['<', '>']);
        assert_eq!(per_id.get(id), Some(&1), "receipt {id} accepted once");
    }
    let mut per_day: BTreeMap<String, usize> = BTreeMap::new();
    for (t, _) in &accepted {
        *per_day
            .entry(t.with_timezone(&shanghai).date_naive().to_string())
            .or_default() += 1;
        let window = accepted
            .iter()
            .filter(|(u, _)| *u <= *t && *u > *t - Duration::minutes(15))
            .count();
        assert!(window <= PER_15MIN, "{window} in the 15 minutes up to {t}");
    }
    assert!(
        per_day.values().all(|n| *n <= PER_DAY),
        "per day: {per_day:?}"
    );
    assert!(per_day.len() >= 3, "across two midnights: {per_day:?}");
}
