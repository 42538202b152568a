//! The daemon as systemd runs it: SIGHUP re-reads the configuration,
//! SIGTERM stops it cleanly.

mod common;

use std::time::Duration;

use common::*;

fn hup(d: &Daemon) {
    std::process::Command::new("kill")
        .args(["-HUP", &d.child.id().to_string()])
        .status()
        .expect("kill -HUP");
}

#[tokio::test]
async fn sighup_reloads_the_units_file_and_refuses_a_broken_config() {
    let app = TestApp::new("reload");
    let mut daemon = app.spawn_daemon(&[]);
    let org = app.user("org").to_owned();
    let sender = format!("{}-clerk@example.test", app.tag);
    let unit_of = |n: usize| -> Option<String> {
        app.export()["submissions"]
            .as_array()
            .and_then(|a| a.get(n))
            .map(|e| e["unit_source"].as_str().unwrap_or("").to_owned())
    };
    // A submission naming no unit, from an unknown address: unit unknown.
    let plain = |n: usize| {
        format!(
            "From: {sender}\r\nTo: {org}\r\nSubject: material {n}\r\nMessage-ID: <reload-{n}-{}@example.test>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSVFT0YK\r\n--b--\r\n",
            app.tag
        )
        .into_bytes()
    };
    app.append("org", &plain(0), "2018-01-22T10:00:00+08:00")
        .await;
    assert!(
        wait_until(Duration::from_secs(30), || unit_of(0).is_some()).await,
        "{}",
        daemon.log_text()
    );
    assert_eq!(unit_of(0).as_deref(), Some(""), "no unit yet");

    // A clerk registers the address for 虎门 and reloads.
    let units = app.dir.path().join("units.toml");
    let text = std::fs::read_to_string(&units).expect("units");
    std::fs::write(
        &units,
        text.replace(
            "senders = []\ncontacts = [\"humentuanwei@dg.gov.test\"]",
            &format!("senders = [\"{sender}\"]\ncontacts = [\"humentuanwei@dg.gov.test\"]"),
        ),
    )
    .expect("write");
    hup(&daemon);
    assert!(
        wait_until(Duration::from_secs(20), || daemon
            .log_text()
            .contains("configuration reloaded"))
        .await,
        "{}",
        daemon.log_text()
    );
    app.append("org", &plain(1), "2018-01-22T10:05:00+08:00")
        .await;
    assert!(
        wait_until(Duration::from_secs(30), || unit_of(1).is_some()).await,
        "{}",
        daemon.log_text()
    );
    assert_eq!(
        unit_of(1).as_deref(),
        Some("sender"),
        "the new sender identifies the unit"
    );

    // A broken configuration is refused; the daemon keeps going.
    let cfg = std::fs::read_to_string(&app.config).expect("cfg");
    std::fs::write(&app.config, format!("{cfg}\nbogus = 1\n")).expect("write");
    hup(&daemon);
    assert!(
        wait_until(Duration::from_secs(20), || daemon
            .log_text()
            .contains("keeping the running configuration"))
        .await,
        "{}",
        daemon.log_text()
    );
    app.append("org", &plain(2), "2018-01-22T10:10:00+08:00")
        .await;
    // (The CLI refuses the broken file too, so count straight in SQLite.)
    let db = app.data_dir().join("mailroom.db");
    let classified = || {
        std::process::Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT count(*) FROM deliveries")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
            == "3"
    };
    assert!(
        wait_until(Duration::from_secs(30), classified).await,
        "still working: {}",
        daemon.log_text()
    );
    let status = daemon.stop();
    assert!(status.success());
    assert!(daemon.log_text().contains("shut down"));
}
