//! Hostile mail meets the outputs: file names with bidi overrides and
//! control characters, formula-looking cells, escape sequences for the
//! terminal; secrets in logs at every level; file modes of the data
//! directory.

mod common;

use base64::Engine as _;
use common::*;

/// A message from `from` with the given subject and attachments (tiny PDFs).
fn mail(id: &str, from: &str, subject: &str, files: &[&str]) -> Vec<u8> {
    let pdf = "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCiUlRU9GCg==";
    let mut m = format!(
        "From: {from}\r\nTo: tswzzb3@126.com\r\nSubject: {}\r\nMessage-ID: <{id}>\r\nDate: Mon, 22 Jan 2018 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件\r\n",
        b64_word(subject)
    );
    for f in files {
        let w = b64_word(f);
        m.push_str(&format!(
            "--b\r\nContent-Type: application/pdf; name=\"{w}\"\r\nContent-Disposition: attachment; filename=\"{w}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n"
        ));
    }
    m.push_str("--b--\r\n");
    m.into_bytes()
}

fn ingest(app: &TestApp, name: &str, raw: &[u8]) {
    app.ingest_one(name, raw, "2018-01-22T10:00:00+08:00", false);
}

fn has_unsafe(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\r')
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

#[test]
fn hostile_file_names_are_flagged_kept_and_shown_clean_everywhere() {
    let app = TestApp::new("hostile-names");
    // The only file is an executable disguised by a right-to-left override
    // (it displays as "…exe.pdf"): "other" mail, which used to lose its
    // files from the export without any flag.
    ingest(
        &app,
        "rlo.eml",
        &mail(
            "rlo@example.test",
            "shijietw@163.com",
            "石碣镇团委智慧团建材料",
            &["石碣镇团委3.2\u{202e}fdp.exe"],
        ),
    );
    // A submission whose names and subject try the spreadsheet and the
    // terminal; unknown sender and unit, so it is in the review queue.
    ingest(
        &app,
        "formula.eml",
        &mail(
            "formula@example.test",
            "stranger@example.test",
            "=HYPERLINK(\"http://evil.example\",\"智慧团建\")\u{1b}[2J",
            &[
                "=1+2 智慧团建.pdf",
                "报表\u{7}\u{2066}3.2.pdf",
                "-cmd|' /C calc'!A0.pdf",
            ],
        ),
    );

    let export = app.export();
    let subs = export["submissions"].as_array().expect("submissions");
    let by_id = |id: &str| {
        subs.iter()
            .find(|s| s["message_id"] == id)
            .unwrap_or_else(|| panic!("{id} not exported: {export:#}"))
    };
    let rlo = by_id("rlo@example.test");
    assert_eq!(rlo["kind"], "other", "{rlo:#}");
    assert_eq!(
        rlo["attachments"][0]["filename"], "石碣镇团委3.2fdp.exe",
        "{rlo:#}"
    );
    assert!(
        rlo["flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "unsafe_filename")),
        "{rlo:#}"
    );
    let formula = by_id("formula@example.test");
    let names: Vec<&str> = formula["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .filter_map(|a| a["filename"].as_str())
        .collect();
    assert_eq!(
        names,
        ["=1+2 智慧团建.pdf", "报表3.2.pdf", "-cmd|' /C calc'!A0.pdf"]
    );
    assert!(
        formula["flags"]
            .as_array()
            .is_some_and(|f| f.iter().any(|x| x == "unsafe_filename")),
        "{formula:#}"
    );

    let csv = app.stdout_of(&["export", "--format", "csv"]);
    assert!(!has_unsafe(csv.trim_start_matches('\u{feff}')), "{csv:?}");
    let row = csv
        .lines()
        .find(|l| l.contains("formula@example.test"))
        .expect("csv row");
    // The subject and the file list both begin with a formula character.
    assert!(row.contains(",\"'=HYPERLINK("), "{row}");
    assert!(
        row.contains(",'=1+2 智慧团建.pdf;报表3.2.pdf;-cmd"),
        "{row}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains("rlo@example.test") && l.contains("石碣镇团委3.2fdp.exe")),
        "{csv}"
    );

    let xlsx = app.dir.path().join("out.xlsx");
    app.stdout_of(&[
        "export",
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().expect("utf-8"),
    ]);

    for args in [
        &["messages"][..],
        &["review"],
        &["late"],
        &["outbox"],
        &["status"],
    ] {
        let text = app.stdout_of(args);
        assert!(!has_unsafe(&text), "{args:?} printed {text:?}");
    }
    let review = app.stdout_of(&["review"]);
    assert!(review.contains("=HYPERLINK("), "{review}");
}

/// Every department's IMAP password comes from `var`.
fn app_with_password_var(name: &str, var: &str) -> TestApp {
    let opts = AppOptions {
        password_env: DEPARTMENTS
            .iter()
            .map(|d| (d.to_string(), var.to_owned()))
            .collect(),
        ..AppOptions::default()
    };
    TestApp::with(name, MailEnv::shared(), opts)
}

fn assert_no_secret(log: &str, secret: &str, what: &str) {
    use base64::engine::general_purpose::STANDARD;
    let quoted = secret.replace('\\', "\\\\").replace('"', "\\\"");
    for form in [
        secret.to_owned(),
        quoted.clone(),
        format!("{quoted:?}"),
        STANDARD.encode(secret),
    ] {
        assert!(
            !log.contains(&form),
            "{what}: the password ({form}) is in the log"
        );
    }
}

#[tokio::test]
async fn no_password_in_the_log_at_trace_in_either_format() {
    // A login that works (the environment's one password), with mail to
    // fetch and a receipt to send, so every protocol step is logged.
    let app = TestApp::new("secrets");
    let org = app.user("org").to_owned();
    app.append(
        "org",
        &submission_from("shijietw@163.com", &org, 1),
        "2018-01-22T10:00:00+08:00",
    )
    .await;
    for format in ["text", "json"] {
        let out = app.run_with_env(
            &["run", "--once"],
            &[("RUST_LOG", "trace"), ("MAILROOM_LOG_FORMAT", format)],
        );
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{log}");
        assert!(log.contains("TRACE") || log.contains("DEBUG"), "{log}");
        assert_no_secret(&log, &app.env.password, format);
    }
    // A distinctive password with the characters IMAP quoting escapes; the
    // server refuses it, but only after the LOGIN command went out.
    let secret = format!("Hyg\"ie\\ne-{}-授权码", fastrand::u32(..));
    let app = app_with_password_var("secrets-own", "MAILROOM_TEST_OWN_PASSWORD");
    for format in ["text", "json"] {
        let out = app.run_with_env(
            &["run", "--once"],
            &[
                ("RUST_LOG", "trace,async_imap=trace,lettre=trace"),
                ("MAILROOM_LOG_FORMAT", format),
                ("MAILROOM_TEST_OWN_PASSWORD", &secret),
            ],
        );
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(log.contains("login refused"), "{log}");
        assert_no_secret(&log, &secret, format);
        assert!(!log.contains("授权码"), "{format}: {log}");
    }
}

/// Every directory and file under `dir`, with its permission bits.
fn modes(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, u32, bool)>) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        let meta = entry.metadata().expect("metadata");
        let mode = meta.permissions().mode() & 0o777;
        out.push((entry.path(), mode, meta.is_dir()));
        if meta.is_dir() {
            modes(&entry.path(), out);
        }
    }
}

#[tokio::test]
async fn the_data_directory_is_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::new("modes");
    // An installation from before: the data directory made 0755.
    let data = app.data_dir();
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let org = app.user("org").to_owned();
    app.append(
        "org",
        &submission_from("shijietw@163.com", &org, 1),
        "2018-01-22T10:00:00+08:00",
    )
    .await;
    // The README's first run, from a shell with the usual umask 022.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" --config \"$1\" run --once --no-receipts")
        .arg(env!("CARGO_BIN_EXE_mailroom"))
        .arg(&app.config)
        .env("MAILENV_PASSWORD", &app.env.password)
        .output()
        .expect("run mailroom");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = std::fs::metadata(&data).expect("data").permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "data directory");
    let mut all = Vec::new();
    modes(&data, &mut all);
    let names: Vec<String> = all
        .iter()
        .filter_map(|(p, _, _)| p.strip_prefix(&data).ok())
        .map(|p| p.display().to_string())
        .collect();
    for expected in ["mailroom.db", "raw", "tmp"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("raw/") && n.ends_with(".eml")),
        "a raw message in {names:?}"
    );
    for (path, mode, is_dir) in &all {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{} is {mode:o}", path.display());
    }
}
