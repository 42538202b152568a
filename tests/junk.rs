//! Junk folders against the real Dovecot, which has Coremail's folders for
//! every user: 126.com/163.com file mail from unknown senders with
//! attachments into 垃圾邮件 (`\Junk`) or 广告邮件, so each mailbox watches
//! them too, each folder with its own UIDVALIDITY and UIDs, on one
//! connection; what is found there is answered as usual, flagged `in_junk`
//! and listed in the digest.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// The clock of every run: after the arrivals below, before the deadline.
const NOW: &str = "2018-01-22T11:00:00+08:00";
const ARRIVAL: &str = "2018-01-22T10:00:00+08:00";

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/data/corpus").join(name)).expect("sample")
}

/// `run --once` at [`NOW`]; returns its log.
fn once(app: &TestApp) -> String {
    let out = app.run(&["run", "--once", "--now", NOW]);
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "run --once: {log}");
    log
}

fn receipts(app: &TestApp) -> Vec<Value> {
    app.outbox()
        .into_iter()
        .filter(|o| o["kind"] == "receipt")
        .collect()
}

fn submissions(app: &TestApp) -> Vec<Value> {
    app.export()["submissions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_submission_filed_as_junk_is_answered_once_flagged_and_in_the_digest() {
    let app = TestApp::new("junk-one");
    let raw = sample("001-shijie-zhihuituanjian.eml");
    app.append_to("org", JUNK_FOLDER, &raw, ARRIVAL).await;
    once(&app);

    let rows = app.messages();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0]["folder"], "垃圾邮件", "{rows:#?}");
    assert_eq!(rows[0]["in_junk"], 1);
    assert_eq!(app.raw_file(&rows[0]), raw, "kept byte for byte");

    let subs = submissions(&app);
    assert_eq!(subs.len(), 1);
    let e = &subs[0];
    assert_eq!(e["kind"], "submission", "{e:#}");
    assert_eq!(e["unit"], "shijie", "{e:#}");
    assert!(flags(e).contains(&"in_junk".to_owned()), "{e:#}");
    assert_eq!(receipts(&app).len(), 1, "answered as usual");

    // A second pass: nothing new, no second receipt.
    once(&app);
    assert_eq!(app.messages().len(), 1);
    assert_eq!(receipts(&app).len(), 1);

    let out = app.run(&[
        "digest",
        "--department",
        "org",
        "--preview",
        "--now",
        "2018-01-22T20:00:00+08:00",
    ]);
    let digest = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{digest}");
    assert!(digest.contains("被归入垃圾邮件（1 件）"), "{digest}");
    assert!(
        digest.contains("以下邮件被邮箱服务商归入垃圾邮件"),
        "{digest}"
    );
    assert!(digest.contains("不是垃圾邮件"), "{digest}");
    let line = digest
        .lines()
        .skip_while(|l| !l.contains("被归入垃圾邮件（"))
        .find(|l| l.contains("shijietw@163.com"))
        .unwrap_or_else(|| panic!("a line names the sender: {digest}"));
    assert!(line.contains("石碣镇团委"), "the unit is named: {line}");
    assert!(
        !digest.contains("in_junk"),
        "Chinese for the clerk: {digest}"
    );

    let out = app.run(&["review", "--json"]);
    assert!(out.status.success());
    let items: Value = serde_json::from_slice(&out.stdout).expect("review json");
    let junk: Vec<&Value> = items
        .as_array()
        .expect("list")
        .iter()
        .filter(|i| i["reason"] == "in_junk")
        .collect();
    assert_eq!(junk.len(), 1, "{items:#}");
    assert!(
        junk[0]["action"]
            .as_str()
            .is_some_and(|a| a.contains("not spam")),
        "{items:#}"
    );
}

#[tokio::test]
async fn mail_moved_between_inbox_and_junk_is_kept_and_answered_once() {
    let app = TestApp::new("junk-move");
    let org = app.user("org").to_owned();
    let to_junk = submission_from("shijietw@163.com", &org, 1);
    let to_inbox = submission_from("dgnanchengtw@126.com", &org, 2);
    let both = submission_from("qingxitw@163.com", &org, 3);
    app.append_to("org", "INBOX", &to_junk, ARRIVAL).await;
    app.append_to("org", JUNK_FOLDER, &to_inbox, ARRIVAL).await;
    // Already in both folders at the first pass (a clerk copied it).
    app.append_to("org", "INBOX", &both, ARRIVAL).await;
    app.append_to("org", JUNK_FOLDER, &both, ARRIVAL).await;
    // As Coremail may: one UIDVALIDITY for every folder, so only the
    // folder tells the copies apart.
    for folder in ["INBOX", "垃圾邮件"] {
        app.env.set_uidvalidity(&org, folder, 1_000_001);
    }
    once(&app);
    assert_eq!(app.messages().len(), 3);
    assert_eq!(receipts(&app).len(), 3);

    // The clerk moves one message each way (the copy lands under a new UID
    // in the other folder; the original's removal does not matter here).
    app.append_to("org", JUNK_FOLDER, &to_junk, ARRIVAL).await;
    app.append_to("org", "INBOX", &to_inbox, ARRIVAL).await;
    let log = once(&app);
    let rows = app.messages();
    assert_eq!(rows.len(), 3, "no second copy: {rows:#?}\n{log}");
    assert_eq!(receipts(&app).len(), 3, "no second receipt");
    let folder_of = |raw: &[u8]| {
        let sha = sha256_hex(raw);
        let r = rows
            .iter()
            .find(|r| r["sha256"] == sha.as_str())
            .expect("row");
        (
            r["folder"].as_str().unwrap_or("").to_owned(),
            r["in_junk"].as_i64(),
        )
    };
    assert_eq!(folder_of(&to_junk), ("INBOX".into(), Some(0)));
    assert_eq!(folder_of(&to_inbox), ("垃圾邮件".into(), Some(1)));
    assert_eq!(
        folder_of(&both),
        ("INBOX".into(), Some(0)),
        "INBOX is passed first: a message found in both is not junk"
    );

    once(&app);
    assert_eq!(app.messages().len(), 3, "a further pass stores nothing");
    assert_eq!(receipts(&app).len(), 3);
}

#[tokio::test]
async fn each_folder_keeps_its_own_uids() {
    let app = TestApp::new("junk-uids");
    let a = synthetic(1, 2000);
    let b = synthetic(2, 2000);
    app.append_to("org", "INBOX", &a, ARRIVAL).await;
    app.append_to("org", JUNK_FOLDER, &b, ARRIVAL).await;
    // Dovecot gives each folder its own UIDVALIDITY; Coremail need not. With
    // the same one, only the folder keeps UID 1 of INBOX and of 垃圾邮件 apart.
    for folder in ["INBOX", "垃圾邮件"] {
        app.env.set_uidvalidity(app.user("org"), folder, 1_000_001);
    }
    let mut s = app.env.imap(app.user("org")).await;
    let inbox = flags_of(&mut s, "INBOX").await;
    let junk = flags_of(&mut s, JUNK_FOLDER).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!((inbox[0].0, junk[0].0), (1, 1), "both folders hold UID 1");
    once(&app);
    let rows = app.messages();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    let mut got: Vec<(String, i64)> = rows
        .iter()
        .map(|r| {
            (
                r["folder"].as_str().unwrap_or("").to_owned(),
                r["uid"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, [("INBOX".into(), 1), ("垃圾邮件".into(), 1)]);
    assert!(
        rows.iter().all(|r| r["uidvalidity"] == 1_000_001),
        "{rows:#?}"
    );

    // Each folder moves on from its own last UID.
    append_with(&mut s, "INBOX", &synthetic(3, 2000), ARRIVAL).await;
    append_with(&mut s, JUNK_FOLDER, &synthetic(4, 2000), ARRIVAL).await;
    s.logout().await.ok();
    once(&app);
    let rows = app.messages();
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert!(
        rows.iter()
            .any(|r| r["folder"] == "垃圾邮件" && r["uid"] == 2)
    );
    assert!(rows.iter().any(|r| r["folder"] == "INBOX" && r["uid"] == 2));
    once(&app);
    assert_eq!(app.messages().len(), 4);
}

#[tokio::test]
async fn a_junk_folder_named_in_chinese_is_watched_and_a_missing_one_is_named() {
    let app = TestApp::new("junk-named");
    app.add_imap_keys("junk_folders = [\"广告邮件\", \"没有这个文件夹\"]\n");
    let check = app.run(&["check-config"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let ad = synthetic(1, 2000);
    let ordinary = synthetic(2, 2000);
    app.append_to("org", ADS_FOLDER, &ad, ARRIVAL).await;
    app.append_to("org", "INBOX", &ordinary, ARRIVAL).await;
    let log = once(&app);
    let warning = log
        .lines()
        .find(|l| l.contains("没有这个文件夹"))
        .unwrap_or_else(|| panic!("the missing folder is named: {log}"));
    assert!(
        warning.contains("WARN") && warning.contains("does not exist"),
        "{warning}"
    );
    assert!(
        log.lines()
            .filter(|l| l.contains("没有这个文件夹"))
            .all(|l| l.contains("department")),
        "the warning says which mailbox: {log}"
    );
    let rows = app.messages();
    assert_eq!(rows.len(), 2, "INBOX and 广告邮件 still watched: {rows:#?}");
    let ad_row = rows
        .iter()
        .find(|r| r["sha256"] == sha256_hex(&ad).as_str())
        .expect("the ad folder's message");
    assert_eq!(ad_row["folder"], "广告邮件");
    assert_eq!(ad_row["in_junk"], 1);
    let ordinary_row = rows
        .iter()
        .find(|r| r["sha256"] == sha256_hex(&ordinary).as_str())
        .expect("the INBOX message");
    assert_eq!(ordinary_row["in_junk"], 0);

    let out = app.run(&["messages"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("FOLDER") && table.contains("广告邮件") && table.contains("[junk]"),
        "{table}"
    );
}

/// id, folder, uid, oversize, understand_attempts, quarantined, in_junk
type Kept = (
    i64,
    Option<String>,
    Option<i64>,
    i64,
    i64,
    Option<String>,
    i64,
);

#[tokio::test]
async fn migration_0006_keeps_rows_references_and_positions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = dir.path().join("migrations-0005");
    std::fs::create_dir(&old).expect("mkdir");
    for entry in std::fs::read_dir(repo().join("migrations")).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        if name.as_str() < "0006" {
            std::fs::copy(&path, old.join(&name)).expect("copy migration");
        }
    }
    let db = dir.path().join("mailroom.db");
    let url = format!("sqlite://{}", db.display());
    {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(opts).await.expect("old db");
        sqlx::migrate::Migrator::new(old.as_path())
            .await
            .expect("old migrations")
            .run(&pool)
            .await
            .expect("apply 0001-0005");
        for sql in [
            "INSERT INTO mailbox_state (department, uidvalidity, last_uid, updated_at)
             VALUES ('org', 1700, 3, '2018-01-22T02:00:00Z')",
            "INSERT INTO fetch_failures (department, uidvalidity, uid, size, attempts, last_error, updated_at)
             VALUES ('org', 1700, 4, 10, 2, 'timeout', '2018-01-22T02:00:00Z')",
            "INSERT INTO messages (id, department, source, uidvalidity, uid, message_id, internal_date,
                 size, sha256, raw_path, fetched_at, oversize, understand_attempts, quarantined, quarantined_at)
             VALUES (1, 'org', 'imap', 1700, 1, 'a@x', '2018-01-22T02:00:00Z', 5, 'aa', 'raw/a', '2018-01-22T02:01:00Z', 0, 0, NULL, NULL),
                    (2, 'org', 'imap', 1700, 2, 'b@x', '2018-01-22T02:00:00Z', 5, 'bb', 'raw/b', '2018-01-22T02:01:00Z', 1, 2, 'worker killed', '2018-01-22T02:02:00Z'),
                    (7, 'org', 'ingest', NULL, NULL, 'c@x', '2018-01-22T02:00:00Z', 5, 'cc', 'raw/c', '2018-01-22T02:01:00Z', 0, 0, NULL, NULL)",
            "INSERT INTO deliveries (message_row, message_key, department, received_at, kind, projects,
                 items, form_projects, late, misrouted, expected_departments, base_flags, flags, detail, classified_at)
             VALUES (1, 'a@x', 'org', '2018-01-22T02:00:00Z', 'submission', '[]', '[]', '[]', 0, 0, '[]', '[]', '[]', '{}', 'x'),
                    (7, 'c@x', 'org', '2018-01-22T02:00:00Z', 'submission', '[]', '[]', '[]', 0, 0, '[]', '[]', '[]', '{}', 'x')",
            "INSERT INTO attachments (message_row, ordinal, filename, safe_filename, size, sha256, content_type, path, items)
             VALUES (1, 0, 'a.pdf', 'a.pdf', 1, 'ff', 'application/pdf', 'att/a', '[]')",
            "INSERT INTO coverage (message_row, unit, cov, message_key, received_at)
             VALUES (1, 'shijie', 'item:1.1', 'a@x', '2018-01-22T02:00:00Z')",
        ] {
            sqlx::query(sql).execute(&pool).await.expect(sql);
        }
        pool.close().await;
    }

    let ledger = mailroom::ledger::Ledger::open(&url, &dir.path().join("data"))
        .await
        .expect("migrate to 0006");
    let pool = &ledger.pool;
    let rows = mailroom::ledger::messages::list(pool).await.expect("list");
    let got: Vec<Kept> = rows
        .iter()
        .map(|r| {
            (
                r.id,
                r.folder.clone(),
                r.uid,
                r.oversize,
                r.understand_attempts,
                r.quarantined.clone(),
                r.in_junk,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, Some("INBOX".into()), Some(1), 0, 0, None, 0),
            (
                2,
                Some("INBOX".into()),
                Some(2),
                1,
                2,
                Some("worker killed".into()),
                0
            ),
            (7, None, None, 0, 0, None, 0),
        ]
    );
    let (at,): (Option<String>,) =
        sqlx::query_as("SELECT quarantined_at FROM messages WHERE id = 2")
            .fetch_one(pool)
            .await
            .expect("quarantined_at");
    assert_eq!(at.as_deref(), Some("2018-01-22T02:02:00Z"));
    assert_eq!(
        mailroom::ledger::messages::sync_state(pool, "org", "INBOX")
            .await
            .expect("state"),
        Some((1700, 3)),
        "the position belongs to INBOX"
    );
    let (folder, attempts): (String, i64) =
        sqlx::query_as("SELECT folder, attempts FROM fetch_failures WHERE uid = 4")
            .fetch_one(pool)
            .await
            .expect("failure");
    assert_eq!((folder.as_str(), attempts), ("INBOX", 2));

    // References survived and are still enforced.
    let (n,): (i64,) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM attachments)
              + (SELECT count(*) FROM coverage)",
    )
    .fetch_one(pool)
    .await
    .expect("count");
    assert_eq!(n, 4);
    let broken: Vec<(String, i64, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(pool)
        .await
        .expect("fk check");
    assert!(broken.is_empty(), "{broken:?}");
    let orphan = sqlx::query(
        "INSERT INTO coverage (message_row, unit, cov, message_key, received_at)
         VALUES (99, 'u', 'c', 'k', 't')",
    )
    .execute(pool)
    .await;
    assert!(orphan.is_err(), "foreign keys still enforced");

    // The same UID under the same UIDVALIDITY in another folder is another message.
    sqlx::query(
        "INSERT INTO messages (department, source, folder, uidvalidity, uid, message_id,
             internal_date, size, sha256, raw_path, fetched_at, in_junk)
         VALUES ('org', 'imap', '垃圾邮件', 1700, 1, 'd@x', 't', 5, 'dd', 'raw/d', 't', 1)",
    )
    .execute(pool)
    .await
    .expect("UID 1 of another folder");
    let dup = sqlx::query(
        "INSERT INTO messages (department, source, folder, uidvalidity, uid, message_id,
             internal_date, size, sha256, raw_path, fetched_at)
         VALUES ('org', 'imap', 'INBOX', 1700, 1, 'e@x', 't', 5, 'ee', 'raw/e', 't')",
    )
    .execute(pool)
    .await;
    assert!(
        dup.is_err(),
        "(department, folder, uidvalidity, uid) is unique"
    );
    let indexes: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'messages'
         AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("indexes");
    assert_eq!(
        indexes.into_iter().map(|(n,)| n).collect::<Vec<_>>(),
        [
            "messages_by_content",
            "messages_by_message_id",
            "messages_ingest_once"
        ]
    );
    ledger.close().await;
    assert!(Path::new(&db).exists());
}

/// The same through the Coremail emulator, which answers as 126.com/163.com
/// do (ID before SELECT, no IDLE, no UIDNEXT; its LIST is Dovecot's, with
/// Coremail's folders and flags).
#[tokio::test]
async fn the_junk_folder_is_found_through_the_coremail_front() {
    let env = MailEnv::shared();
    let port: u16 = env
        .vars
        .get("MAILENV_COREMAIL_IMAP_PORT")
        .expect("mailenv.sh env prints MAILENV_COREMAIL_IMAP_PORT")
        .parse()
        .expect("port");
    let opts = AppOptions {
        endpoints: DEPARTMENTS
            .iter()
            .map(|d| (d.to_string(), (env.host.clone(), port)))
            .collect(),
        ..AppOptions::default()
    };
    let app = TestApp::with("junk-coremail", env, opts);
    let org = app.user("org").to_owned();
    let raw = submission_from("shijietw@163.com", &org, 1);
    app.append_to("org", JUNK_FOLDER, &raw, ARRIVAL).await;
    let log = once(&app);
    let rows = app.messages();
    assert_eq!(rows.len(), 1, "{log}");
    assert_eq!(rows[0]["folder"], "垃圾邮件");
    assert_eq!(rows[0]["in_junk"], 1);
    assert_eq!(receipts(&app).len(), 1);
}
