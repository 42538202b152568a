//! Command-line contract: exit codes and messages a clerk can act on.

mod common;

use common::*;

#[test]
fn check_config_accepts_the_shipped_example_with_secrets_set() {
    let app = TestApp::new("cfg-ok");
    let out = app.run(&["check-config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("OK (5 departments, 16 items, 42 units, 5 mailboxes"),
        "{text}"
    );
}

#[test]
fn check_config_reports_every_problem_with_file_and_key_and_exits_2() {
    let app = TestApp::new("cfg-bad");
    let cfg = std::fs::read_to_string(&app.config).expect("config");
    let cfg = cfg
        .replacen("department = \"school\"", "department = \"finance\"", 1)
        .replacen("tls = \"plain\"", "tls = \"plain\"\ncolour = \"blue\"", 1);
    std::fs::write(&app.config, cfg).expect("write");
    let units = app.dir.path().join("units.toml");
    let text = std::fs::read_to_string(&units).expect("units");
    std::fs::write(
        &units,
        text.replacen("id = \"nancheng\"", "id = \"guancheng\"", 1),
    )
    .expect("write");

    let out = app.run(&["check-config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    // The unknown key stops the service file from parsing at all; the units
    // file is still checked and reported in the same run.
    assert!(
        text.contains("mailroom.toml: line") && text.contains("unknown field `colour`"),
        "{text}"
    );
    assert!(
        text.contains("units.toml: unit[1].id: unit id \"guancheng\" is used twice"),
        "{text}"
    );

    // `run` refuses to start on a bad configuration, with the same exit code.
    let out = app.run(&["run", "--once"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unset_password_variable_is_a_configuration_error() {
    let app = TestApp::new("cfg-secret");
    let out = app.run_with_env(&["check-config"], &[("MAILENV_PASSWORD", "")]);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mailroom"));
    let out2 = cmd
        .arg("--config")
        .arg(&app.config)
        .arg("check-config")
        .env_remove("MAILENV_PASSWORD")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out2.stdout);
    assert_eq!(out2.status.code(), Some(2), "{text}");
    assert!(text.contains("mailbox[0].imap.password_env: environment variable MAILENV_PASSWORD (password_env) is not set"), "{text}");
    // An empty value is still "set"; the server will refuse it at login.
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bad_arguments_exit_2() {
    let app = TestApp::new("cli-args");
    let out = app.run(&["run", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let out = app.run(&[
        "ingest",
        "--department",
        "org",
        "--received-at",
        "yesterday",
        "x.eml",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn many_processes_opening_a_fresh_ledger_at_once_all_succeed() {
    // The daemon starting while an administrator runs a command: the
    // migrations must be applied once, and nobody may see "database is locked".
    let app = TestApp::new("open-race");
    let children: Vec<_> = (0..8)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_mailroom"))
                .arg("--config")
                .arg(&app.config)
                .args(["messages", "--json"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_with_the_message_fields() {
    let app = TestApp::new("jsonlog");
    app.append("org", &sample_gbk(), "2018-01-24T11:02:36+08:00")
        .await;
    let out = app.run(&["--log-format", "json", "run", "--once"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let stored = lines
        .iter()
        .find(|l| l["fields"]["message"] == "stored message")
        .expect("stored line");
    assert_eq!(stored["fields"]["department"], "org");
    assert_eq!(stored["fields"]["uid"], 1);
    assert_eq!(
        stored["fields"]["message_id"],
        "1516762953.1768@sl.dg.gov.test"
    );
    assert!(stored["fields"]["size"].as_u64().is_some());
    let classified = lines
        .iter()
        .find(|l| l["fields"]["message"] == "classified")
        .expect("decision line");
    assert_eq!(classified["fields"]["unit"], "shilong");
    assert_eq!(classified["fields"]["flags"], "unknown_sender,malformed");
    assert!(!text.contains(&app.env.password), "no secrets in logs");
}

fn sample_gbk() -> Vec<u8> {
    std::fs::read(repo().join("tests/data/corpus/046-shilong-raw-gbk-headers.eml")).expect("sample")
}
