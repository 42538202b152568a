//! Intake through the Coremail emulator (deploy/local/coremail-imap.py),
//! which answers as 126.com/163.com do: no IDLE, no UIDNEXT, ID required,
//! NetEase's login error text, two connections per account. Whatever
//! `MAILROOM_TEST_IMAP` says, these tests always go through the front.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use serde_json::Value;

fn through_coremail(env: &MailEnv, extra_service: &str) -> AppOptions {
    let endpoints = DEPARTMENTS
        .iter()
        .map(|d| (d.to_string(), (env.host.clone(), env.coremail_imap_port)))
        .collect();
    AppOptions {
        endpoints,
        extra_service: extra_service.to_owned(),
        ..AppOptions::default()
    }
}

/// The emulator's events about one IMAP user.
fn events(env: &MailEnv, user: &str) -> Vec<Value> {
    std::fs::read_to_string(&env.coremail_log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| {
            // Before login the emulator knows the user as `login`.
            [&e["user"], &e["login"]]
                .iter()
                .any(|v| v.as_str().is_some_and(|u| u.eq_ignore_ascii_case(user)))
        })
        .collect()
}

fn count(events: &[Value], kind: &str) -> usize {
    events.iter().filter(|e| e["event"] == kind).count()
}

#[tokio::test]
async fn the_id_command_names_client_version_vendor_and_support_email_exactly() {
    let env = MailEnv::shared();
    let app = TestApp::with("cm-id", env.clone(), through_coremail(&env, ""));
    app.append("org", &synthetic(1, 1000), "2018-01-22T10:00:00+08:00")
        .await;
    app.run_once();
    assert_eq!(app.messages().len(), 1, "fetched through the front");
    let user = app.user("org").to_owned();
    let ids: Vec<Value> = events(&env, &user)
        .into_iter()
        .filter(|e| e["event"] == "id")
        .collect();
    assert_eq!(ids.len(), 1, "one ID per connection");
    use base64::Engine as _;
    let wire = base64::engine::general_purpose::STANDARD
        .decode(ids[0]["line_b64"].as_str().expect("line_b64"))
        .expect("base64");
    let wire = String::from_utf8(wire).expect("ascii");
    let (_tag, command) = wire.split_once(' ').expect("tagged");
    assert_eq!(
        command,
        format!(
            "ID (\"name\" \"mailroom\" \"version\" \"{}\" \"vendor\" \"mailroom\" \"support-email\" \"{user}\")\r\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(ids[0]["unlocks"], true, "the front accepted it");
}

#[tokio::test]
async fn without_idle_the_daemon_polls_one_connection_and_answers_within_the_interval() {
    let env = MailEnv::shared();
    let app = TestApp::with("cm-poll", env.clone(), through_coremail(&env, ""));
    let org = app.user("org").to_owned();
    let mut daemon = app.spawn_daemon(&[]);
    assert!(
        wait_until(Duration::from_secs(20), || daemon
            .log_text()
            .matches("connected")
            .count()
            >= 5)
        .await,
        "{}",
        daemon.log_text()
    );
    assert!(
        daemon.log_text().contains("idle=false"),
        "the front offers no IDLE: {}",
        daemon.log_text()
    );
    let unit = format!("{}-unit@example.test", app.tag);
    app.append(
        "org",
        &submission_from(&unit, &org, 1),
        "2018-01-22T10:00:00+08:00",
    )
    .await;
    // The harness polls every 5 s: the receipt is there well within two.
    let got = app
        .env
        .wait_for(&unit, 1, Duration::from_secs(15), |m| is_from(m, &org))
        .await;
    assert_eq!(got.len(), 1, "{}", daemon.log_text());
    // Several polls later, still the one connection per mailbox.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let ev = events(&env, &org);
    assert_eq!(
        count(&ev, "login_ok"),
        1,
        "never reconnects to poll: {ev:#?}"
    );
    assert_eq!(count(&ev, "disconnect"), 0, "{ev:#?}");
    daemon.stop();
}

#[tokio::test]
async fn a_refused_login_is_retried_once_then_the_mailbox_stops_and_says_so_once() {
    let env = MailEnv::shared();
    let mut opts = through_coremail(&env, "[fetch]\nlogin_retry_secs = 1\n");
    opts.password_env = HashMap::from([("publicity".to_owned(), "WRONG_PASSWORD".to_owned())]);
    let app = TestApp::with("cm-badpw", env.clone(), opts);
    for (i, dept) in DEPARTMENTS.iter().enumerate() {
        app.append(dept, &synthetic(i, 1000), "2018-01-22T10:00:00+08:00")
            .await;
    }
    let mut daemon = app.spawn_daemon(&[("WRONG_PASSWORD", "not-the-password")]);
    assert!(
        wait_until(Duration::from_secs(30), || {
            daemon.log_text().contains("this mailbox is stopped")
        })
        .await,
        "{}",
        daemon.log_text()
    );
    // Long enough for a retry storm to show, if there were one.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let log = daemon.log_text();
    daemon.stop();
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("ERROR") && l.contains("login refused"))
        .collect();
    assert_eq!(errors.len(), 1, "said once:\n{log}");
    assert!(errors[0].contains("publicity"), "{log}");
    assert!(!log.contains("not-the-password"));
    let ev = events(&env, app.user("publicity"));
    assert_eq!(
        count(&ev, "login_fail"),
        2,
        "one retry, then nothing: {ev:#?}"
    );
    let depts: std::collections::HashSet<String> = app
        .messages()
        .iter()
        .filter_map(|r| r["department"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        depts.len(),
        4,
        "the other mailboxes kept working: {depts:?}"
    );
}
