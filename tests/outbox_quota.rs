//! Sending through the NetEase SMTP emulator (deploy/local/netease-smtp.py):
//! a daily quota answered with `554 MI:STC` parks the account until
//! midnight instead of failing every later receipt, and the queue goes out
//! once the day turns. Both clocks are moved (`--now` and the emulator's
//! account file), never read from the wall.

mod common;

use common::*;
use serde_json::Value;

fn app_via_netease(name: &str) -> (TestApp, std::path::PathBuf) {
    via_netease(name, AppOptions::default())
}

#[tokio::test]
async fn a_used_up_daily_quota_parks_the_account_until_midnight_and_loses_nothing() {
    let (app, accounts) = app_via_netease("quota");
    let org = app.user("org").to_owned();
    account(
        &accounts,
        &org,
        &serde_json::json!({"per_day": 1, "now": "2018-01-26T10:00:00+08:00"}),
    );
    for n in 0..3 {
        let unit = format!("{}-unit{n}@example.test", app.tag);
        app.append(
            "org",
            &submission_from(&unit, &org, n),
            "2018-01-22T10:00:00+08:00",
        )
        .await;
    }
    let out = app.run(&["run", "--once", "--now", "2018-01-26T10:00:00+08:00"]);
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{log}");
    let outbox = app.outbox();
    let state = |s: &str| outbox.iter().filter(|o| o["state"] == s).count();
    assert_eq!(
        (state("sent"), state("queued"), state("failed")),
        (1, 2, 0),
        "{outbox:#?}"
    );
    for o in outbox.iter().filter(|o| o["state"] == "queued") {
        assert_eq!(
            o["not_before"], "2018-01-26T16:00:00Z",
            "midnight in Shanghai: {o:#}"
        );
        assert!(
            o["held_reason"]
                .as_str()
                .is_some_and(|r| r.contains("daily quota")),
            "{o:#}"
        );
    }
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("ERROR") && l.contains("daily sending quota used up"))
            .count(),
        1,
        "said once: {log}"
    );
    // `mailroom outbox` says per account what waits, and until when.
    let listing = app.run(&["outbox"]);
    let text = String::from_utf8_lossy(&listing.stdout).to_string();
    assert!(
        text.lines().any(
            |l| l.contains("1 sent, 2 queued; waits until 01-27 00:00:00")
                && l.contains("daily quota used up")
        ),
        "{text}"
    );
    // `status` and the department's digest say why receipts are late.
    let status = app.run(&["status", "--now", "2018-01-26T10:05:00+08:00"]);
    let text = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(
        text.contains("is held until 2018-01-27 00:00 (daily quota used up); 2 receipt(s) wait"),
        "{text}"
    );
    let digest = app.run(&[
        "digest",
        "--department",
        "org",
        "--preview",
        "--now",
        "2018-01-26T10:05:00+08:00",
    ]);
    let text = String::from_utf8_lossy(&digest.stdout).to_string();
    assert!(
        text.contains("本科室邮箱今日发信额度已用完，剩余 2 封回执将于 1月27日 0:00 起自动发出"),
        "{text}"
    );
    let refused = netease_events(&org)
        .iter()
        .filter(|e| e["code"] == 554)
        .count();
    assert_eq!(refused, 1, "the parked account is not asked again");

    // The next day: both clocks past midnight, a fresh quota.
    account(
        &accounts,
        &org,
        &serde_json::json!({"per_day": 10, "now": "2018-01-27T00:05:00+08:00"}),
    );
    let out = app.run(&["run", "--once", "--now", "2018-01-27T00:05:00+08:00"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outbox = app.outbox();
    assert!(outbox.iter().all(|o| o["state"] == "sent"), "{outbox:#?}");
    for n in 0..3 {
        let unit = format!("{}-unit{n}@example.test", app.tag);
        let got = app
            .env
            .wait_for(&unit, 1, std::time::Duration::from_secs(30), |m| {
                is_from(m, &org)
            })
            .await;
        assert_eq!(got.len(), 1, "exactly one receipt to {unit}");
    }
}

/// `n` submissions from `n` units to 组织部, whose account the emulator
/// runs with `acct` (its clock at `now`, as mailroom's `--now`).
async fn submissions(name: &str, n: usize, acct: Value) -> (TestApp, std::path::PathBuf, String) {
    let (app, accounts) = app_via_netease(name);
    let org = app.user("org").to_owned();
    account(&accounts, &org, &acct);
    for i in 0..n {
        let unit = format!("{}-unit{i}@example.test", app.tag);
        app.append(
            "org",
            &submission_from(&unit, &org, i),
            "2018-01-22T10:00:00+08:00",
        )
        .await;
    }
    (app, accounts, org)
}

/// `run --once` at `now`; its log.
fn once_at(app: &TestApp, now: &str) -> String {
    let out = app.run(&["run", "--once", "--now", now]);
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{log}");
    log
}

fn states(app: &TestApp) -> (usize, usize, usize) {
    let outbox = app.outbox();
    let n = |s: &str| outbox.iter().filter(|o| o["state"] == s).count();
    (n("sent"), n("queued"), n("failed"))
}

#[tokio::test]
async fn a_busy_account_waits_fifteen_minutes_as_a_whole() {
    let t0 = "2018-01-26T10:00:00+08:00";
    let (app, accounts, org) =
        submissions("busy", 3, serde_json::json!({"per_15min": 1, "now": t0})).await;
    let log = once_at(&app, t0);
    assert_eq!(states(&app), (1, 2, 0));
    for o in app.outbox().iter().filter(|o| o["state"] == "queued") {
        // Fifteen minutes from the 451 (mailroom's clock runs on from
        // `--now` while the pass works).
        let at = o["not_before"].as_str().unwrap_or("");
        assert!(
            ("2018-01-26T02:15:00Z".."2018-01-26T02:15:30Z").contains(&at),
            "{o:#}"
        );
        assert!(
            o["held_reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("account busy")),
            "{o:#}"
        );
    }
    assert_eq!(
        log.matches("the sending account's mail waits").count(),
        1,
        "{log}"
    );
    let asked = netease_events(&org)
        .iter()
        .filter(|e| e["code"] == 451)
        .count();
    assert_eq!(asked, 1, "a queue of two does not knock twice");
    let t1 = "2018-01-26T10:16:00+08:00";
    account(
        &accounts,
        &org,
        &serde_json::json!({"per_15min": 2, "now": t1}),
    );
    once_at(&app, t1);
    assert_eq!(states(&app), (3, 0, 0));
}

#[tokio::test]
async fn a_temporary_spam_suspicion_is_retried_after_two_minutes() {
    let t0 = "2018-01-26T10:00:00+08:00";
    let (app, accounts, org) =
        submissions("spm451", 2, serde_json::json!({"spm_every": 2, "now": t0})).await;
    once_at(&app, t0);
    assert_eq!(states(&app), (1, 1, 0));
    let queued: Vec<Value> = app
        .outbox()
        .into_iter()
        .filter(|o| o["state"] == "queued")
        .collect();
    assert!(
        queued[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("DT:SPM")),
        "{queued:#?}"
    );
    let at = queued[0]["not_before"].as_str().unwrap_or("");
    assert!(
        at >= "2018-01-26T02:02:00Z",
        "at least two minutes later: {at}"
    );
    let t1 = "2018-01-26T10:05:00+08:00";
    account(
        &accounts,
        &org,
        &serde_json::json!({"spm_every": 2, "now": t1}),
    );
    once_at(&app, t1);
    assert_eq!(states(&app), (2, 0, 0));
}

#[tokio::test]
async fn content_judged_spam_fails_that_mail_alone_with_a_reason() {
    let t0 = "2018-01-26T10:00:00+08:00";
    let (app, _accounts, _org) = submissions(
        "spm554",
        3,
        serde_json::json!({"spm_marker": "zhtj-1.pdf", "now": t0}),
    )
    .await;
    let log = once_at(&app, t0);
    assert_eq!(states(&app), (2, 0, 1), "the others still go");
    let failed: Vec<Value> = app
        .outbox()
        .into_iter()
        .filter(|o| o["state"] == "failed")
        .collect();
    let err = failed[0]["last_error"].as_str().unwrap_or("");
    assert!(
        err.starts_with("the content was judged spam") && err.contains("(554): DT:SPM"),
        "a reason a person can act on: {err}"
    );
    assert!(log.contains("the server refused the mail"), "{log}");
}

#[tokio::test]
async fn a_refused_login_stops_the_account_and_says_so_once_per_start() {
    let t0 = "2018-01-26T10:00:00+08:00";
    let (app, _accounts, org) = submissions(
        "auth535",
        3,
        serde_json::json!({"password": "not-the-code", "now": t0}),
    )
    .await;
    let log = once_at(&app, t0);
    assert_eq!(states(&app), (0, 3, 0), "nothing lost");
    assert!(
        app.outbox().iter().all(|o| o["held_reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("account stopped"))),
        "{:#?}",
        app.outbox()
    );
    let stopped = log
        .lines()
        .filter(|l| l.contains("ERROR") && l.contains("refuses mailroom"))
        .count();
    assert_eq!(stopped, 1, "{log}");
    let logins = |app: &TestApp| {
        let _ = app;
        netease_events(&org)
            .iter()
            .filter(|e| e["event"] == "auth")
            .count()
    };
    assert_eq!(
        logins(&app),
        1,
        "not retried: that gets the address blocked"
    );
    // A restart is a person saying it is fixed: one more try, and if the
    // login is still refused, one more ERROR.
    let log = once_at(&app, "2018-01-26T10:30:00+08:00");
    assert_eq!(logins(&app), 2);
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("ERROR") && l.contains("refuses mailroom"))
            .count(),
        1,
        "{log}"
    );
    assert_eq!(states(&app), (0, 3, 0));
}

/// The crash window, made deterministic: the emulator has accepted and
/// relayed the first receipt but holds its 250 back (`hold_before_reply`)
/// while the test SIGKILLs the daemon. mailroom never learned that mail was
/// taken, so after the restart it sends that one again, exactly once, and
/// every other receipt exactly once.
#[tokio::test]
async fn killed_between_the_servers_250_and_the_ledger_one_mail_goes_twice_and_no_other() {
    const N: usize = 6;
    let t0 = "2018-01-26T10:00:00+08:00";
    let (app, accounts, org) = submissions(
        "crash",
        N,
        serde_json::json!({"hold_before_reply": true, "hold_seconds": 120, "now": t0}),
    )
    .await;
    let accepted_dir = accounts.parent().expect("emulator dir").join("accepted");
    let mut daemon = app.spawn_daemon(&[("MAILROOM_NOW", t0)]);
    let find = || {
        std::fs::read_dir(&accepted_dir)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(org.as_str())))
    };
    assert!(
        wait_until(std::time::Duration::from_secs(60), || find().is_some()).await,
        "the emulator holds the first 250: {}",
        daemon.log_text()
    );
    let marker = find().expect("marker");
    daemon.kill9();
    let held: Value =
        serde_json::from_str(std::fs::read_to_string(&marker).expect("marker").trim())
            .expect("marker json");
    let held_id = held["message_id"].as_str().expect("message id").to_owned();
    account(&accounts, &org, &serde_json::json!({"now": t0}));
    std::fs::remove_file(&marker).expect("release the hold");

    once_at(&app, "2018-01-26T10:01:00+08:00");
    assert_eq!(states(&app), (N, 0, 0));
    let mut accepted: std::collections::BTreeMap<String, usize> = Default::default();
    for e in netease_events(&org) {
        if e["event"] == "data" && e["code"] == 250 {
            *accepted
                .entry(e["message_id"].as_str().unwrap_or("").to_owned())
                .or_default() += 1;
        }
    }
    assert_eq!(accepted.len(), N, "{accepted:#?}");
    for (id, n) in &accepted {
        let expected = if *id == held_id { 2 } else { 1 };
        assert_eq!(*n, expected, "{id}: {accepted:#?}");
    }
}

/// `552 Illegal Attachment`: the provider refuses a file type. Here the
/// emulator refuses .xlsx, so the reminders (which carry the blank overview
/// form) fail, each alone and with the reason, while the receipt (no
/// attachment) from the same account goes.
#[tokio::test]
async fn an_illegal_attachment_fails_that_mail_alone_with_a_reason() {
    let t0 = "2018-01-19T09:00:05+08:00";
    let opts = AppOptions {
        schedules: true,
        ..AppOptions::default()
    };
    let (app, accounts) = via_netease("illegal", opts);
    let org = app.user("org").to_owned();
    account(
        &accounts,
        &org,
        &serde_json::json!({"illegal_extensions": [".xlsx"], "now": t0}),
    );
    let unit = format!("{}-unit@example.test", app.tag);
    app.append(
        "org",
        &submission_from(&unit, &org, 1),
        "2018-01-19T08:00:00+08:00",
    )
    .await;
    // A first pass before the reminder slot: the schedule starts counting
    // from a process's first start, not from the campaign's beginning.
    once_at(&app, "2018-01-19T08:30:30+08:00");
    let log = once_at(&app, t0);
    let outbox = app.outbox();
    let kind_state = |k: &str, s: &str| {
        outbox
            .iter()
            .filter(|o| o["kind"] == k && o["state"] == s)
            .count()
    };
    assert_eq!(kind_state("receipt", "sent"), 1, "{outbox:#?}");
    let failed: Vec<&Value> = outbox
        .iter()
        .filter(|o| o["kind"] == "reminder" && o["state"] == "failed")
        .collect();
    assert!(!failed.is_empty(), "{outbox:#?}");
    assert_eq!(kind_state("reminder", "sent"), 0);
    for o in &failed {
        let err = o["last_error"].as_str().unwrap_or("");
        assert!(
            err.starts_with("an attachment type the provider refuses") && err.contains("552"),
            "{err}"
        );
    }
    assert!(log.contains("the server refused the mail"), "{log}");
}

/// NetEase takes mail over implicit TLS (465) and STARTTLS: both through
/// the emulator with the test CA, logging in as the account. (mailroom
/// opens these connections itself, for TCP_NODELAY; see `outbox::smtp`.)
#[tokio::test]
async fn receipts_go_over_implicit_tls_and_starttls() {
    for (mode, port_var) in [
        ("implicit", "MAILENV_NETEASE_SMTPS_PORT"),
        ("starttls", "MAILENV_NETEASE_SMTP_PORT"),
    ] {
        let t0 = "2018-01-26T10:00:00+08:00";
        let (app, accounts, org) =
            submissions(&format!("tls{mode}"), 2, serde_json::json!({"now": t0})).await;
        let env = MailEnv::shared();
        let plain_port = &env.vars["MAILENV_NETEASE_SMTP_PORT"];
        let config = std::fs::read_to_string(&app.config).expect("config");
        let config = config.replace(
            &format!(
                "[mailbox.smtp]\nhost = \"{}\"\nport = {plain_port}\ntls = \"plain\"\n",
                env.host
            ),
            &format!(
                "[mailbox.smtp]\nhost = \"localhost\"\nport = {}\ntls = \"{mode}\"\nca_file = \"{}\"\n",
                env.vars[port_var],
                env.ca_file.display()
            ),
        );
        assert!(config.contains(&format!("tls = \"{mode}\"")), "{config}");
        std::fs::write(&app.config, config).expect("config");
        account(&accounts, &org, &serde_json::json!({"now": t0}));
        once_at(&app, t0);
        assert_eq!(states(&app), (2, 0, 0), "{mode}: {:#?}", app.outbox());
        let tls = netease_events(&org)
            .iter()
            .filter(|e| e["event"] == "data" && e["code"] == 250 && e["tls"] == true)
            .count();
        assert_eq!(tls, 2, "{mode}: both over TLS");
    }
}
