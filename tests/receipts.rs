//! Receipts through the real Postfix into the real Dovecot: exactly one per
//! submission, none to robots, none lost when SMTP is down or the process is
//! killed, bounces matched back to the receipt they return.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use mail_parser::{MessageParser, MimeHeaders};

const WAIT: Duration = Duration::from_secs(30);

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/data/corpus").join(name)).expect("sample")
}

/// The test's org address and a unit address that has sent `n` submissions
/// to it.
async fn unit_submits(app: &TestApp, n: usize) -> (String, String) {
    let org = app.user("org").to_owned();
    let unit = format!("{}-unit@example.test", app.tag);
    for i in 0..n {
        app.append(
            "org",
            &submission_from(&unit, &org, i),
            "2018-01-22T10:00:00+08:00",
        )
        .await;
    }
    (org, unit)
}

fn parse(raw: &[u8]) -> mail_parser::Message<'_> {
    MessageParser::default().parse(raw).expect("parses")
}

#[tokio::test]
async fn on_time_and_late_submissions_get_exactly_one_threaded_receipt_each() {
    let app = TestApp::new("rcpt");
    let on_time = sample("001-shijie-zhihuituanjian.eml");
    let late = sample("009-qingxi-late.eml");
    app.append("org", &on_time, "2018-01-19T10:23:48+08:00")
        .await;
    app.append("org", &late, "2018-01-29T09:12:08+08:00").await;
    let out = app.run_once();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.lines()
            .any(|l| l.contains("WARN") && l.contains("late submission") && l.contains("qingxi")),
        "late log line: {log}"
    );
    let from = app.user("org").to_owned();
    for (raw, recipient, late) in [
        (&on_time, "shijietw@163.com", false),
        (&late, "qingxitw@163.com", true),
    ] {
        let orig = parse(raw);
        let orig_id = orig.message_id().expect("id").to_owned();
        let got = app
            .env
            .wait_for(recipient, 1, WAIT, |m| {
                is_from(m, &from) && m.in_reply_to().as_text() == Some(&orig_id)
            })
            .await;
        assert_eq!(got.len(), 1, "exactly one receipt to {recipient}");
        let r = parse(&got[0]);
        let subject = r.subject().unwrap_or("");
        assert!(
            subject.chars().count() <= 32,
            "short enough for a phone: {subject}"
        );
        assert!(header_text(&r, "Auto-Submitted") == "auto-replied");
        assert_eq!(header_text(&r, "X-Auto-Response-Suppress"), "All");
        assert!(header_text(&r, "References").contains(&orig_id));
        let text = r.body_text(0).unwrap_or_default().to_string();
        assert!(r.body_html(0).is_some(), "HTML alternative");
        assert_eq!(text.contains("【逾期】"), late, "{text}");
        assert_eq!(text.contains("【按时】"), !late, "{text}");
        if late {
            assert_eq!(subject, "【逾期】清溪镇团委考核材料已收到");
            assert!(text.contains("不纳入本年度评优范围"));
        } else {
            assert_eq!(subject, "【回执】石碣镇团委考核材料已收到（按时）");
            assert!(text.contains("石碣镇2017年智慧团建工作情况.pdf"));
            assert!(text.contains("（三）“网上共青团”建设工作：“智慧团建”工作情况"));
            assert!(text.contains("2018年1月19日 10:23"), "{text}");
            assert!(!text.contains("b3b4895e60ec"), "no checksum: {text}");
        }
    }
    // A second pass sends nothing more.
    app.run_once();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let again = app.env.fetch_all("shijietw@163.com").await;
    let mine = again
        .iter()
        .filter(|raw| is_from(&parse(raw), &from))
        .count();
    assert_eq!(mine, 1);
    let late_cmd = app.run(&["late", "--json"]);
    let entries: serde_json::Value = serde_json::from_slice(&late_cmd.stdout).expect("json");
    assert_eq!(entries.as_array().map(Vec::len), Some(1));
    assert_eq!(entries[0]["unit"], "qingxi");
    assert_eq!(entries[0]["late_by"], "2d 15h 42m");
}

#[tokio::test]
async fn robots_get_no_receipt_and_an_auto_responder_cannot_start_a_loop() {
    let app = TestApp::new("noloop");
    for (f, dept, at) in [
        (
            "021-autoreply-auto-submitted.eml",
            "org",
            "2018-01-22T09:01:32+08:00",
        ),
        (
            "022-autoreply-qq-no-header.eml",
            "publicity",
            "2018-01-25T08:44:53+08:00",
        ),
        ("023-bounce-postfix.eml", "org", "2018-01-22T09:00:20+08:00"),
        (
            "024-newsletter-bulk.eml",
            "publicity",
            "2018-01-19T10:00:04+08:00",
        ),
        (
            "039-shijie-question.eml",
            "org",
            "2018-01-18T10:06:17+08:00",
        ),
    ] {
        app.append(dept, &sample(f), at).await;
    }
    // Submissions that must not be answered either: a no-reply sender, the
    // department's own address, and the null reverse path.
    let org = app.user("org").to_owned();
    app.append(
        "org",
        &submission_from("noreply@oa.example.test", &org, 1),
        "2018-01-22T10:00:00+08:00",
    )
    .await;
    app.append(
        "org",
        &submission_from(&org, &org, 2),
        "2018-01-22T10:00:00+08:00",
    )
    .await;
    let mut null = b"Return-Path: <>\r\n".to_vec();
    null.extend(submission_from("someone@example.test", &org, 3));
    app.append("org", &null, "2018-01-22T10:00:00+08:00").await;
    app.run_once();
    let export = app.export();
    let receipts: Vec<String> = export["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["receipt"].as_str().unwrap_or("").to_owned())
        .collect();
    let mut want = vec![
        "suppressed:auto_reply",
        "suppressed:auto_reply",
        "suppressed:bounce",
        "suppressed:other",
        "suppressed:other",
        "suppressed:noreply_address",
        "suppressed:own_address",
        "suppressed:null_sender",
    ];
    let mut have: Vec<&str> = receipts.iter().map(String::as_str).collect();
    want.sort();
    have.sort();
    assert_eq!(have, want);
    assert!(app.outbox().is_empty(), "nothing queued");

    // Now a real submission: one receipt. The unit's auto-responder answers
    // it (QQ style, no Auto-Submitted header), and the receipt itself lands
    // back in a watched mailbox: neither gets an answer.
    let unit = format!("{}-unit@example.test", app.tag);
    app.append(
        "org",
        &submission_from(&unit, &org, 4),
        "2018-01-22T11:00:00+08:00",
    )
    .await;
    app.run_once();
    let got = app.env.wait_for(&unit, 1, WAIT, |m| is_from(m, &org)).await;
    assert_eq!(got.len(), 1);
    let receipt = parse(&got[0]);
    let auto = format!(
        "From: {unit}\r\nTo: {org}\r\nSubject: =?UTF-8?B?6Ieq5Yqo5Zue5aSNOg==?= {}\r\nMessage-ID: <auto-{}@example.test>\r\nIn-Reply-To: <{}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n您好，我现在有事不在，一会再和您联系。\r\n",
        "receipt",
        app.tag,
        receipt.message_id().unwrap_or("")
    );
    app.append("org", auto.as_bytes(), "2018-01-22T11:01:00+08:00")
        .await;
    app.append("school", &got[0], "2018-01-22T11:01:00+08:00")
        .await;
    app.run_once();
    app.run_once();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let total = app.env.fetch_all(&unit).await.len();
    assert_eq!(total, 1, "still exactly one mail to the unit");
    let kinds: Vec<String> = app.export()["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|e| e["received_at"] == "2018-01-22T11:01:00+08:00")
        .map(|e| {
            format!(
                "{}/{}/{}",
                e["kind"].as_str().unwrap_or(""),
                e["receipt"].as_str().unwrap_or(""),
                e["subject"]
            )
        })
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("auto_reply/suppressed:auto_reply/")),
        "{kinds:?}"
    );
    assert!(
        kinds
            .iter()
            .any(|k| k.starts_with("other/suppressed:other/\"【回执】")),
        "our own receipt is other: {kinds:?}"
    );
}

#[tokio::test]
async fn one_message_in_two_mailboxes_gets_one_receipt_naming_both() {
    let app = TestApp::new("twobox");
    let raw = sample("016-gaj-to-cc.eml");
    app.append("school", &raw, "2018-01-23T11:20:34+08:00")
        .await;
    app.append("org", &raw, "2018-01-23T11:20:34+08:00").await;
    app.run_once();
    let school = app.user("school").to_owned();
    let org = app.user("org").to_owned();
    let got = app
        .env
        .wait_for("dggaj_tw@163.com", 1, WAIT, |m| {
            is_from(m, &school) || is_from(m, &org)
        })
        .await;
    assert_eq!(got.len(), 1, "one receipt for the two deliveries");
    let text = parse(&got[0]).body_text(0).unwrap_or_default().to_string();
    assert!(
        text.contains("团市委组织部、学校部") || text.contains("团市委学校部、组织部"),
        "{text}"
    );
}

#[tokio::test]
async fn a_second_copy_arriving_later_is_waited_for_in_the_daemon() {
    let opts = AppOptions {
        extra_service: "[receipts]\nco_delivery_wait_secs = 60\n".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("cowait", MailEnv::shared(), opts);
    let raw = sample("016-gaj-to-cc.eml");
    let mut daemon = app.spawn_daemon(&[]);
    app.append("school", &raw, "2018-01-23T11:20:34+08:00")
        .await;
    assert!(
        wait_until(WAIT, || app.outbox().iter().any(|o| o["held_reason"]
            .as_str()
            .is_some_and(|h| h.contains("waiting for the copy"))))
        .await,
        "receipt held for the second copy: {}",
        daemon.log_text()
    );
    app.append("org", &raw, "2018-01-23T11:20:34+08:00").await;
    assert!(
        wait_until(WAIT, || app.outbox().iter().any(|o| o["state"] == "sent")).await,
        "sent once the second copy arrived: {}",
        daemon.log_text()
    );
    daemon.stop();
    let outbox = app.outbox();
    assert_eq!(outbox.len(), 1);
    let school = app.user("school").to_owned();
    let got = app
        .env
        .wait_for("dggaj_tw@163.com", 1, WAIT, |m| is_from(m, &school))
        .await;
    assert_eq!(got.len(), 1);
    let text = parse(&got[0]).body_text(0).unwrap_or_default().to_string();
    assert!(text.contains("团市委组织部、学校部"), "names both: {text}");
}

/// An SMTP outage of several minutes with 200 receipts queued: the account
/// waits as a whole (one mail probes, one warning is written), and the
/// moment the server takes a mail again every waiting receipt goes, in the
/// same pass, not each at its own backoff timer. (How fast that pass is:
/// BENCHMARKS.md, the deadline-day simulation.)
#[tokio::test]
async fn receipts_queue_while_smtp_is_down_and_all_go_out_once_when_it_returns() {
    const N: usize = 200;
    let private = PrivateEnv::start(1, false);
    let env = private.env.clone();
    let opts = AppOptions {
        extra_service: "[receipts]\nmax_per_hour = 1000\nmax_per_day = 1000\n".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("smtpdown", env.clone(), opts);
    let stop = env.script(&["stop-postfix"]);
    assert!(stop.status.success());
    let (org, unit) = unit_submits(&app, N).await;
    let t0 = chrono::Utc::now();
    let at = |mins: i64| (t0 + chrono::Duration::minutes(mins)).to_rfc3339();
    let mut log = String::new();
    // Down at the start and for the next minutes: each run probes once.
    for mins in [0, 1, 2, 4] {
        let out = app.run(&["run", "--once", "--now", &at(mins)]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        log.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(
        app.export()["submissions"].as_array().map(Vec::len),
        Some(N),
        "submissions recorded"
    );
    let outbox = app.outbox();
    assert_eq!(outbox.len(), N);
    assert!(
        outbox.iter().all(|o| o["state"] == "queued"
            && o["held_reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("server unreachable"))),
        "the whole account waits: {outbox:#?}"
    );
    let probed = outbox.iter().filter(|o| o["attempts"] != 0).count();
    assert_eq!(probed, 1, "one mail probes for the account: {outbox:#?}");
    let warnings = log.lines().filter(|l| l.contains(" WARN ")).count();
    assert_eq!(
        log.matches("the SMTP server cannot be reached").count(),
        1,
        "said once, not per mail or attempt: {log}"
    );
    assert!(
        warnings <= 2,
        "{warnings} warnings in a four-run outage: {log}"
    );

    assert!(env.script(&["start-postfix"]).status.success());
    let back = at(5);
    let out = app.run(&["run", "--once", "--now", &back]);
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains("the sending account accepts mail again"),
        "{log}"
    );
    // Every receipt went in this one run: none waited for a timer of its
    // own (the old per-mail backoff left them due over minutes).
    let outbox = app.outbox();
    assert!(outbox.iter().all(|o| o["state"] == "sent"), "{outbox:#?}");
    let got = env.wait_for(&unit, N, WAIT, |m| is_from(m, &org)).await;
    assert_eq!(got.len(), N, "all delivered");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(env.fetch_all(&unit).await.len(), N, "each once");
}

#[tokio::test]
async fn sigkill_while_draining_sends_every_receipt_at_most_one_twice() {
    // First with SMTP pointing at a closed port: everything is fetched,
    // classified and queued, nothing sent.
    let opts = AppOptions {
        extra_service: "[receipts]\nmax_per_hour = 1000\nmax_per_day = 1000\n".into(),
        smtp_port: Some(9),
        ..AppOptions::default()
    };
    let app = TestApp::with("killdrain", MailEnv::shared(), opts);
    let org = app.user("org").to_owned();
    let unit = format!("{}-unit@example.test", app.tag);
    const N: usize = 300;
    let mut s = app.env.imap(&org).await;
    for n in 0..N {
        append_with(
            &mut s,
            "INBOX",
            &submission_from(&unit, &org, n),
            "2018-01-22T10:00:00+08:00",
        )
        .await;
    }
    s.logout().await.ok();
    let out = app.run(&["run", "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        app.outbox()
            .iter()
            .filter(|o| o["state"] == "queued")
            .count(),
        N
    );
    // Then the real SMTP server, with the clock past the retry times: the
    // daemon drains the queue and is killed in the middle of it.
    let cfg = std::fs::read_to_string(&app.config).expect("cfg");
    std::fs::write(
        &app.config,
        cfg.replace("port = 9\n", &format!("port = {}\n", app.env.smtp_port)),
    )
    .expect("cfg");
    let soon = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let mut daemon = app.spawn_daemon(&[("MAILROOM_NOW", soon.as_str())]);
    let db = app.data_dir().join("mailroom.db");
    let sent = |db: &std::path::Path| -> usize {
        let o = std::process::Command::new("sqlite3")
            .arg(db)
            .arg("SELECT count(*) FROM outbox WHERE state = 'sent'")
            .output()
            .expect("sqlite3");
        String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    };
    let caught = wait_until(Duration::from_secs(60), || {
        let n = sent(&db);
        n > 20 && n < N
    })
    .await;
    daemon.kill9();
    assert!(caught, "killed mid-drain (sent {} of {N})", sent(&db));
    let later = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let out = app.run(&["run", "--once", "--now", &later]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sent(&db), N);
    let got = app
        .env
        .wait_for(&unit, N, Duration::from_secs(90), |m| is_from(m, &org))
        .await;
    let mut per_original: HashMap<String, usize> = HashMap::new();
    for raw in &got {
        let m = parse(raw);
        *per_original
            .entry(m.in_reply_to().as_text().unwrap_or("").to_owned())
            .or_default() += 1;
    }
    assert_eq!(per_original.len(), N, "every submission got its receipt");
    let twice = per_original.values().filter(|c| **c > 1).count();
    assert!(twice <= 1, "{twice} receipts sent more than once");
    assert!(per_original.values().all(|c| *c <= 2));
}

#[tokio::test]
async fn a_receipt_to_a_missing_address_bounces_and_the_bounce_is_matched() {
    let app = TestApp::new("bounce");
    let org = app.user("org").to_owned();
    let ghost = format!("nosuch-{}@example.test", app.tag);
    app.append(
        "org",
        &submission_from(&ghost, &org, 1),
        "2018-01-22T10:00:00+08:00",
    )
    .await;
    app.run_once();
    assert_eq!(app.outbox()[0]["state"], "sent");
    // Postfix accepts, fails to deliver, and returns a DSN to our own mailbox.
    let dsn = app
        .env
        .wait_for(&org, 1, WAIT, |m| {
            m.content_type()
                .is_some_and(|c| c.subtype() == Some("report"))
        })
        .await;
    assert_eq!(dsn.len(), 1, "the DSN came back to the department mailbox");
    app.run_once();
    let outbox = app.outbox();
    assert_eq!(outbox.len(), 1, "no receipt for the bounce");
    assert_eq!(outbox[0]["state"], "bounced");
    assert!(
        outbox[0]["bounce"]
            .as_str()
            .is_some_and(|b| b.contains(&ghost)),
        "{outbox:#?}"
    );
    let export = app.export();
    let subs = export["submissions"].as_array().expect("list");
    let first = subs
        .iter()
        .find(|e| e["kind"] == "submission")
        .expect("submission");
    assert_eq!(first["receipt"], "bounced");
    let bounce = subs
        .iter()
        .find(|e| e["kind"] == "bounce")
        .expect("bounce delivery");
    assert_eq!(bounce["receipt"], "suppressed:bounce");
}

#[tokio::test]
async fn the_misrouted_sample_is_told_where_it_belongs() {
    let app = TestApp::new("misrouted");
    app.append(
        "publicity",
        &sample("013-tangxia-misrouted.eml"),
        "2018-01-24T16:20:22+08:00",
    )
    .await;
    app.run_once();
    let from = app.user("publicity").to_owned();
    let got = app
        .env
        .wait_for("dgtangxiatw@126.com", 1, WAIT, |m| is_from(m, &from))
        .await;
    assert_eq!(got.len(), 1);
    let text = parse(&got[0]).body_text(0).unwrap_or_default().to_string();
    assert!(
        text.contains("组织部（联系人莫镇源，电话22114722，邮箱tswzzb3@126.com）"),
        "{text}"
    );
    assert!(text.contains("系统不会自动转发"), "{text}");
}

#[tokio::test]
async fn the_per_recipient_limit_holds_and_logs_the_excess() {
    let app = TestApp::new("ratelimit");
    unit_submits(&app, 7).await;
    let out = app.run_once();
    let log = String::from_utf8_lossy(&out.stderr);
    let outbox = app.outbox();
    assert_eq!(outbox.iter().filter(|o| o["state"] == "sent").count(), 5);
    let held: Vec<_> = outbox.iter().filter(|o| o["state"] == "queued").collect();
    assert_eq!(held.len(), 2);
    assert!(held.iter().all(|o| {
        o["held_reason"]
            .as_str()
            .is_some_and(|h| h.contains("rate limit"))
    }));
    assert!(
        log.contains("receipt held by the per-recipient limit"),
        "{log}"
    );
    // Held, not lost: once the hour has passed they go, and arrive.
    let t0 = chrono::Utc::now();
    let later = (t0 + chrono::Duration::minutes(61)).to_rfc3339();
    let out = app.run(&["run", "--once", "--now", &later]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outbox = app.outbox();
    assert!(outbox.iter().all(|o| o["state"] == "sent"), "{outbox:#?}");
    let org = app.user("org").to_owned();
    let unit = format!("{}-unit@example.test", app.tag);
    let got = app.env.wait_for(&unit, 7, WAIT, |m| is_from(m, &org)).await;
    assert_eq!(got.len(), 7, "the held two delivered later");
}

#[tokio::test]
async fn old_mail_and_a_quiet_first_run_get_no_receipts() {
    let app = TestApp::new("quiet");
    let org = app.user("org").to_owned();
    let unit = format!("{}-unit@example.test", app.tag);
    // Last year's mail still in the mailbox: before the notice, never answered.
    app.append(
        "org",
        &submission_from(&unit, &org, 1),
        "2016-11-20T10:00:00+08:00",
    )
    .await;
    // This campaign's mail, imported on a first run without receipts.
    app.append(
        "org",
        &submission_from(&unit, &org, 2),
        "2018-01-20T10:00:00+08:00",
    )
    .await;
    let out = app.run(&["run", "--once", "--no-receipts"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut receipts: Vec<String> = app.export()["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["receipt"].as_str().unwrap_or("").to_owned())
        .collect();
    receipts.sort();
    assert_eq!(
        receipts,
        ["suppressed:before_campaign", "suppressed:imported"]
    );
    assert!(app.outbox().is_empty());
    // New mail afterwards is answered as usual.
    app.append(
        "org",
        &submission_from(&unit, &org, 3),
        "2018-01-21T10:00:00+08:00",
    )
    .await;
    app.run_once();
    assert_eq!(app.outbox().len(), 1);
}

#[tokio::test]
async fn a_message_a_person_declares_a_submission_gets_its_receipt() {
    let app = TestApp::new("assignrcpt");
    // The question sample: "other", no receipt.
    app.append(
        "org",
        &sample("039-shijie-question.eml"),
        "2018-01-18T10:06:17+08:00",
    )
    .await;
    app.run_once();
    let e = app.export()["submissions"][0].clone();
    assert_eq!(e["receipt"], "suppressed:other");
    // A clerk decides it was 石碣's submission for 2.1 after all.
    let out = app.run(&[
        "assign",
        &e["ledger_id"].to_string(),
        "--unit",
        "shijie",
        "--items",
        "2.1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let e = app.export()["submissions"][0].clone();
    assert_eq!(e["kind"], "submission");
    assert_eq!(e["receipt"], "queued");
    app.run_once();
    assert_eq!(app.export()["submissions"][0]["receipt"], "sent");
    // Reprocessing keeps the decision and sends nothing more.
    assert!(app.run(&["reprocess"]).status.success());
    app.run_once();
    assert_eq!(app.outbox().len(), 1);
}

/// A submission with a Reply-To header added after From.
fn with_reply_to(raw: Vec<u8>, reply_to: &str) -> (Vec<u8>, String) {
    let text = String::from_utf8(raw).expect("utf-8 fixture");
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: <"))
        .and_then(|l| l.strip_suffix('>'))
        .expect("message id")
        .to_owned();
    let text = text.replacen("\r\nTo: ", &format!("\r\nReply-To: {reply_to}\r\nTo: "), 1);
    (text.into_bytes(), id)
}

#[tokio::test]
async fn receipts_go_to_from_unless_reply_to_is_a_known_sender_of_the_same_unit() {
    let app = TestApp::new("replyto");
    let org = app.user("org").to_owned();
    let clerk = format!("{}-clerk@example.test", app.tag);
    // Registered sender of 石碣 (shijie), Reply-To somewhere else: a forged
    // campaign-looking mail must not make the department answer elsewhere.
    let (forged, forged_id) = with_reply_to(
        submission_from("shijietw@163.com", &org, 1),
        &format!("{}-attacker@elsewhere.test", app.tag),
    );
    // A clerk's personal box naming 石碣 in the subject, Reply-To the
    // registered sender of another unit (清溪): not the same unit, so From.
    let (other_unit, other_unit_id) =
        with_reply_to(submission_from(&clerk, &org, 2), "qingxitw@163.com");
    // The same clerk, Reply-To 石碣's own registered address: honoured.
    let (same_unit, same_unit_id) =
        with_reply_to(submission_from(&clerk, &org, 3), "ShijieTW@163.com");
    for raw in [&forged, &other_unit, &same_unit] {
        app.append("org", raw, "2018-01-22T10:00:00+08:00").await;
    }
    app.run_once();
    let outbox = app.outbox();
    let to_of = |id: &str| -> Vec<String> {
        let row = outbox
            .iter()
            .find(|r| r["dedupe_key"] == format!("receipt:{id}"))
            .unwrap_or_else(|| panic!("no receipt for {id}: {outbox:?}"));
        serde_json::from_str(row["recipients"].as_str().expect("recipients")).expect("json")
    };
    assert_eq!(to_of(&forged_id), ["shijietw@163.com"]);
    assert_eq!(to_of(&other_unit_id), [clerk.to_ascii_lowercase()]);
    assert_eq!(to_of(&same_unit_id), ["shijietw@163.com"]);
}
