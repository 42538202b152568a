//! The ingest foundation against a real Dovecot: every message kept once,
//! byte for byte, through crashes, restarts and UIDVALIDITY changes.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::*;

fn count(app: &TestApp) -> usize {
    app.messages().len()
}

#[tokio::test]
async fn five_mailboxes_stored_once_each_byte_for_byte() {
    let app = TestApp::new("five");
    let mut appended: Vec<(String, String)> = Vec::new(); // (department, sha256)
    for (path, e) in corpus() {
        let raw = std::fs::read(&path).expect("read sample");
        let dept = e["department"].as_str().expect("department");
        app.append(dept, &raw, e["internaldate"].as_str().expect("date"))
            .await;
        appended.push((dept.to_owned(), sha256_hex(&raw)));
    }
    app.run_once();
    let rows = app.messages();
    assert_eq!(rows.len(), appended.len(), "one row per delivery");

    let mut want: Vec<_> = appended.clone();
    let mut got: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            let raw = app.raw_file(r);
            let sha = sha256_hex(&raw);
            assert_eq!(
                sha,
                r["sha256"].as_str().expect("sha"),
                "file matches its row"
            );
            (r["department"].as_str().expect("dept").to_owned(), sha)
        })
        .collect();
    want.sort();
    got.sort();
    assert_eq!(
        got, want,
        "raw files are byte-identical to what was appended"
    );
    for dept in DEPARTMENTS {
        assert!(
            rows.iter().any(|r| r["department"] == dept),
            "mailbox {dept} was fetched"
        );
    }

    // A second pass finds nothing new.
    app.run_once();
    assert_eq!(count(&app), appended.len());

    // INTERNALDATE is kept as the arrival time (UTC in the ledger).
    let late = rows
        .iter()
        .find(|r| r["department"] == "org" && r["internal_date"] == "2018-01-29T01:12:08Z");
    assert!(
        late.is_some(),
        "INTERNALDATE 2018-01-29T09:12:08+08:00 kept: {rows:#?}"
    );

    // Fetching never sets \Seen; stored messages carry the $Stored keyword.
    let mut s = app.env.imap(app.user("org")).await;
    let flags = flags_of(&mut s, "INBOX").await;
    assert!(!flags.is_empty());
    for (uid, f) in &flags {
        assert!(
            !f.iter().any(|x| x.contains("Seen")),
            "uid {uid} has \\Seen: {f:?}"
        );
        assert!(
            f.iter().any(|x| x.contains("$Stored")),
            "uid {uid} lacks $Stored: {f:?}"
        );
    }
}

#[tokio::test]
async fn crlf_and_raw_8bit_gbk_headers_are_preserved() {
    let app = TestApp::new("gbk");
    let raw = std::fs::read(repo().join("tests/data/corpus/046-shilong-raw-gbk-headers.eml"))
        .expect("sample");
    assert!(
        raw.iter().any(|b| *b >= 0x80),
        "the sample has 8-bit header bytes"
    );
    app.append("org", &raw, "2018-01-24T11:02:36+08:00").await;
    app.run_once();
    let rows = app.messages();
    assert_eq!(rows.len(), 1);
    assert_eq!(app.raw_file(&rows[0]), raw);
}

#[tokio::test]
async fn sigkill_mid_fetch_loses_nothing_and_duplicates_nothing() {
    let opts = AppOptions {
        extra_service: "[fetch]\nbatch_messages = 10\n".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("kill", MailEnv::shared(), opts);
    const N: usize = 300;
    let mut s = app.env.imap(app.user("org")).await;
    let mut shas = HashSet::new();
    for n in 0..N {
        let raw = synthetic(n, 20_000 + (n % 7) * 1000);
        shas.insert(sha256_hex(&raw));
        append_with(&mut s, "INBOX", &raw, "2018-01-22T10:00:00+08:00").await;
    }
    s.logout().await.ok();

    let mut daemon = app.spawn_daemon(&[]);
    let db = app.data_dir().join("mailroom.db");
    let partial = wait_until(Duration::from_secs(60), || {
        let n = sqlite_count(&db);
        n > 0 && n < N
    })
    .await;
    daemon.kill9();
    let at_kill = sqlite_count(&db);
    assert!(
        partial,
        "caught the daemon mid-fetch (had {at_kill} of {N})"
    );

    app.run_once();
    let rows = app.messages();
    assert_eq!(rows.len(), N, "every message exactly once after restart");
    let uids: HashSet<_> = rows.iter().map(|r| r["uid"].as_i64()).collect();
    assert_eq!(uids.len(), N, "no UID twice");
    let got: HashSet<String> = rows.iter().map(|r| sha256_hex(&app.raw_file(r))).collect();
    assert_eq!(got, shas, "every stored file is complete");
    let tmp: Vec<_> = std::fs::read_dir(app.data_dir().join("tmp"))
        .expect("tmp dir")
        .collect();
    assert!(tmp.is_empty(), "no partial file left: {tmp:?}");
}

/// Row count read straight from SQLite (the CLI would contend with the daemon's lock-free reads anyway).
fn sqlite_count(db: &std::path::Path) -> usize {
    let out = std::process::Command::new("sqlite3")
        .arg(db)
        .arg("SELECT count(*) FROM messages")
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse()
            .unwrap_or(0),
        _ => 0,
    }
}

#[tokio::test]
async fn daemon_reconnects_after_dovecot_restart() {
    let private = PrivateEnv::start(2, true);
    let env = private.env.clone();
    let app = TestApp::with("restart", env.clone(), AppOptions::default());
    let mut daemon = app.spawn_daemon(&[]);
    app.append("org", &synthetic(1, 2000), "2018-01-22T10:00:00+08:00")
        .await;
    assert!(
        wait_until(Duration::from_secs(30), || count(&app) == 1).await,
        "first message: {}",
        daemon.log_text()
    );

    let out = env.script(&["restart-dovecot"]);
    assert!(out.status.success());
    app.append("org", &synthetic(2, 2000), "2018-01-22T10:01:00+08:00")
        .await;
    let ok = wait_until(Duration::from_secs(45), || count(&app) == 2).await;
    let log = daemon.log_text();
    assert!(ok, "message appended after the restart was stored:\n{log}");
    assert!(
        log.contains("reconnecting"),
        "the reconnect is logged:\n{log}"
    );
    let status = daemon.stop();
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
}

#[tokio::test]
async fn new_uidvalidity_rescans_without_duplicates() {
    let opts = AppOptions {
        folder: "Submissions".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("uidv", MailEnv::shared(), opts);
    let user = app.user("org").to_owned();
    let msgs: Vec<Vec<u8>> = (0..5).map(|n| synthetic(n, 3000)).collect();
    // Every department watches "Submissions" in this test.
    for dept in DEPARTMENTS {
        let mut other = app.env.imap(app.user(dept)).await;
        other.create("Submissions").await.expect("create");
        other.logout().await.ok();
    }
    let mut s = app.env.imap(&user).await;
    for m in &msgs {
        append_with(&mut s, "Submissions", m, "2018-01-22T10:00:00+08:00").await;
    }
    let before = s.select("Submissions").await.expect("select").uid_validity;
    app.run_once();
    assert_eq!(count(&app), 5);

    // Delete and recreate the folder: the server hands out a new UIDVALIDITY.
    s.select("INBOX").await.expect("select");
    s.delete("Submissions").await.expect("delete");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    s.create("Submissions").await.expect("create");
    for m in &msgs {
        append_with(&mut s, "Submissions", m, "2018-01-22T10:00:00+08:00").await;
    }
    // Mail that arrived during the change is included.
    let extra = synthetic(99, 3000);
    append_with(&mut s, "Submissions", &extra, "2018-01-22T11:00:00+08:00").await;
    let after = s.select("Submissions").await.expect("select").uid_validity;
    assert_ne!(before, after, "the server changed UIDVALIDITY");
    s.logout().await.ok();

    let out = app.run_once();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("UIDVALIDITY changed"), "{log}");
    let rows = app.messages();
    assert_eq!(
        rows.len(),
        6,
        "five known messages kept once, one new: {rows:#?}"
    );
    let shas: HashSet<_> = rows
        .iter()
        .map(|r| r["sha256"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(shas.len(), 6);
    app.run_once();
    assert_eq!(count(&app), 6);
}

#[tokio::test]
async fn thirty_megabyte_message_and_oversize_marking() {
    let opts = AppOptions {
        extra_service: "[fetch]\nmax_message_mb = 20\n".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("big", MailEnv::shared(), opts);
    let big = synthetic(1, 30 * 1024 * 1024);
    let small = synthetic(2, 5000);
    app.append("school", &big, "2018-01-22T10:00:00+08:00")
        .await;
    app.append("school", &small, "2018-01-22T10:01:00+08:00")
        .await;
    app.run_once();
    let rows = app.messages();
    assert_eq!(rows.len(), 2);
    let big_row = rows
        .iter()
        .find(|r| r["size"].as_u64() > Some(1_000_000))
        .expect("big row");
    assert_eq!(
        big_row["oversize"], 1,
        "over fetch.max_message_mb: kept but marked"
    );
    assert_eq!(sha256_hex(&app.raw_file(big_row)), sha256_hex(&big));
    let small_row = rows
        .iter()
        .find(|r| r["size"].as_u64() < Some(1_000_000))
        .expect("small");
    assert_eq!(small_row["oversize"], 0);
}

/// Messages over `fetch.piece_mb` come down in pieces written straight to
/// their file. The sizes sit on and around the piece boundaries: exactly
/// one and two pieces (the last request returns nothing), one byte over,
/// one byte short. Each must be stored byte for byte, with the header read
/// from the first piece.
#[tokio::test]
async fn large_messages_come_down_in_pieces_byte_for_byte() {
    const MB: usize = 1024 * 1024;
    let opts = AppOptions {
        extra_service: "[fetch]\npiece_mb = 1\n".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("pieces", MailEnv::shared(), opts);
    let sizes = [MB, 2 * MB, 2 * MB + 1, 3 * MB - 1, 5000];
    let mut sent = Vec::new();
    for (i, &size) in sizes.iter().enumerate() {
        let mut m = synthetic(i + 1, size);
        m.truncate(size);
        app.append("school", &m, "2018-01-22T10:00:00+08:00").await;
        sent.push(m);
    }
    app.run_once();
    let rows = app.messages();
    assert_eq!(rows.len(), sizes.len());
    for m in &sent {
        let row = rows
            .iter()
            .find(|r| r["sha256"].as_str() == Some(sha256_hex(m).as_str()))
            .unwrap_or_else(|| panic!("the {}-byte message is stored whole", m.len()));
        assert_eq!(row["size"].as_u64(), Some(m.len() as u64));
        assert_eq!(app.raw_file(row), *m);
        assert!(
            row["message_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("synthetic-")),
            "Message-ID read from the first piece: {row}"
        );
    }
    app.run_once();
    assert_eq!(count(&app), sizes.len(), "nothing fetched twice");
}

#[tokio::test]
async fn wrong_password_is_a_clear_error_and_the_others_keep_working() {
    let opts = AppOptions {
        password_env: HashMap::from([("publicity".to_owned(), "WRONG_PASSWORD".to_owned())]),
        ..AppOptions::default()
    };
    let app = TestApp::with("badpw", MailEnv::shared(), opts);
    for (i, dept) in DEPARTMENTS.iter().enumerate() {
        app.append(dept, &synthetic(i, 1000), "2018-01-22T10:00:00+08:00")
            .await;
    }
    let out = app.run_with_env(
        &["run", "--once"],
        &[("WRONG_PASSWORD", "not-the-password")],
    );
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed mailbox is a runtime failure:\n{log}"
    );
    let error_lines: Vec<_> = log.lines().filter(|l| l.contains("ERROR")).collect();
    assert!(
        error_lines
            .iter()
            .any(|l| l.contains("publicity") && l.contains("login refused")),
        "clear ERROR line naming the mailbox:\n{log}"
    );
    assert!(
        !log.contains("not-the-password"),
        "the password never appears in logs"
    );
    let rows = app.messages();
    let depts: HashSet<_> = rows
        .iter()
        .map(|r| r["department"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        depts.len(),
        4,
        "the other four mailboxes were fetched: {depts:?}"
    );
    assert!(!depts.contains("publicity"));
}

#[tokio::test]
async fn unreachable_host_backs_off_without_busy_looping() {
    // Port 9 on loopback: nothing listens (connection refused at once, the
    // case most likely to produce a busy loop).
    let opts = AppOptions {
        endpoints: HashMap::from([("liangxin".to_owned(), ("127.0.0.1".to_owned(), 9))]),
        ..AppOptions::default()
    };
    let app = TestApp::with("unreach", MailEnv::shared(), opts);
    app.append("org", &synthetic(1, 1000), "2018-01-22T10:00:00+08:00")
        .await;
    let mut daemon = app.spawn_daemon(&[]);
    assert!(
        wait_until(Duration::from_secs(30), || count(&app) == 1).await,
        "the other mailboxes keep working:\n{}",
        daemon.log_text()
    );
    tokio::time::sleep(Duration::from_secs(8)).await;
    daemon.stop();
    let log = daemon.log_text();
    let retries = log
        .lines()
        .filter(|l| l.contains("liangxin") && l.contains("reconnecting"))
        .count();
    // Backoff 2 s, 4 s, 8 s … (±25%): a handful of attempts in ~10 s, not hundreds.
    assert!(
        (1..=5).contains(&retries),
        "{retries} reconnect attempts:\n{log}"
    );
    assert!(log.contains("retry_in_secs"), "the delay is logged");
}

#[tokio::test]
async fn ingest_imports_files_once_with_the_given_arrival_time() {
    let app = TestApp::new("ingest");
    let files: Vec<String> = corpus()
        .iter()
        .take(5)
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .collect();
    let mut args = vec![
        "ingest",
        "--department",
        "org",
        "--received-at",
        "2018-01-26T17:31:00+08:00",
    ];
    args.extend(files.iter().map(String::as_str));
    let out = app.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = app.run(&args);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("already present 5"));
    let rows = app.messages();
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter()
            .all(|r| r["internal_date"] == "2018-01-26T09:31:00Z" && r["source"] == "ingest")
    );

    let bad = app.run(&["ingest", "--department", "finance", &files[0]]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "unknown department is a usage error"
    );
}

async fn fetch_over_tls(mode: &str) {
    let opts = AppOptions {
        tls: Some(mode.to_owned()),
        ..AppOptions::default()
    };
    let app = TestApp::with(&format!("tls-{mode}"), MailEnv::shared(), opts);
    app.append("office", &synthetic(1, 4000), "2018-01-22T10:00:00+08:00")
        .await;
    let out = app.run_once();
    assert!(String::from_utf8_lossy(&out.stderr).contains("stored message"));
    assert_eq!(count(&app), 1);
}

#[tokio::test]
async fn implicit_tls_verifies_the_server_certificate() {
    fetch_over_tls("implicit").await;
}

#[tokio::test]
async fn starttls_upgrades_before_login() {
    fetch_over_tls("starttls").await;
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    let app = TestApp::with(
        "tls-untrusted",
        MailEnv::shared(),
        AppOptions {
            tls: Some("implicit".into()),
            ..AppOptions::default()
        },
    );
    // Drop the ca_file lines: the self-signed certificate is then untrusted.
    let cfg = std::fs::read_to_string(&app.config).expect("config");
    let cfg: String = cfg
        .lines()
        .filter(|l| !l.starts_with("ca_file"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&app.config, cfg).expect("config");
    let out = app.run(&["run", "--once"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(log.contains("TLS handshake with localhost failed"), "{log}");
}
