//! One message cannot stop the others: a message whose inspection kills its
//! worker is quarantined, answered once and listed for review while the
//! mail around it flows; a forged registered sender is not believed.
//! Through the real Dovecot and Postfix.

mod common;

use std::time::Duration;

use common::*;
use mail_parser::MessageParser;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

/// A submission whose PDF is `mb` megabytes (base64 in the message).
fn submission_with_file(from: &str, to: &str, subject: &str, id: &str, mb: usize) -> Vec<u8> {
    use base64::Engine as _;
    let mut bytes = b"%PDF-1.4\n".to_vec();
    let mut rng = fastrand::Rng::with_seed(7);
    bytes.extend((0..mb << 20).map(|_| rng.u8(..)));
    let body = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut lines = String::with_capacity(body.len() + body.len() / 38);
    for chunk in body.as_bytes().chunks(76) {
        lines.push_str(std::str::from_utf8(chunk).expect("base64 is ascii"));
        lines.push_str("\r\n");
    }
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <{id}>\r\nDate: Mon, 22 Jan 2018 10:00:00 +0800\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attachment\r\n--b\r\nContent-Type: application/pdf; name=\"zhtj.pdf\"\r\nContent-Disposition: attachment; filename=\"zhtj.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{lines}--b--\r\n",
        base64::engine::general_purpose::STANDARD.encode(subject.as_bytes()),
    )
    .into_bytes()
}

fn delivery<'a>(export: &'a Value, message_id: &str) -> &'a Value {
    export["submissions"]
        .as_array()
        .expect("submissions")
        .iter()
        .find(|d| {
            d["message_id"]
                .as_str()
                .is_some_and(|m| m.contains(message_id))
        })
        .unwrap_or_else(|| panic!("no delivery for {message_id} in {export:#}"))
}

fn review(app: &TestApp) -> Vec<Value> {
    let out = app.run(&["review", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .expect("review json")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The cell of `unit` in the project matrix (`status --json`).
fn cell(app: &TestApp, unit: &str, project: &str) -> String {
    let out = app.run(&["status", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Value = serde_json::from_slice(&out.stdout).expect("status json");
    let row = m["units"]
        .as_array()
        .expect("units")
        .iter()
        .position(|u| u[0] == unit)
        .expect("unit row");
    let col = m["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .position(|c| c[0] == project)
        .expect("project column");
    m["cells"][row][col].as_str().expect("cell").to_owned()
}

#[tokio::test]
async fn a_message_that_kills_its_worker_is_quarantined_and_the_others_flow() {
    // Workers get 64 MB of address space; understanding a message with a
    // 24 MB file needs more, so its worker dies every time (an allocation
    // failure aborts it), exactly as a crafted attachment would.
    let opts = AppOptions {
        extra_service: "[intake]\nworker_memory_mb = 64\n".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("poison", MailEnv::shared(), opts);
    let org = app.user("org").to_owned();
    let tag = &app.tag;
    let good_before = submission_from("shijietw@163.com", &org, 1);
    let poison_id = format!("poison-{tag}@example.test");
    let poison = submission_with_file(
        "qingxitw@163.com",
        &org,
        "清溪镇团委智慧团建工作材料",
        &poison_id,
        24,
    );
    let good_after = submission_from("dgnanchengtw@126.com", &org, 2);
    for raw in [&good_before, &poison, &good_after] {
        app.append("org", raw, "2018-01-22T10:00:00+08:00").await;
    }
    let out = app.run_once();
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(log.contains("message quarantined"), "{log}");
    assert_eq!(
        log.matches("inspecting this message failed").count(),
        2,
        "tried twice, then set aside: {log}"
    );

    let export = app.export();
    let subs = export["submissions"].as_array().expect("submissions");
    assert_eq!(subs.len(), 3, "every message recorded: {export:#}");
    for d in subs {
        let f = flags(d);
        let is_poison = d["message_id"]
            .as_str()
            .is_some_and(|m| m.contains("poison-"));
        assert_eq!(f.contains(&"quarantined".to_owned()), is_poison, "{d:#}");
        assert!(
            d["receipt"] == "sent" || d["receipt"] == "queued",
            "every message is answered: {d:#}"
        );
    }
    let p = delivery(&export, &poison_id);
    assert_eq!(p["unit"], "qingxi", "the headers still name the unit");
    let msgs = app.messages();
    let row = msgs
        .iter()
        .find(|m| {
            m["message_id"]
                .as_str()
                .is_some_and(|id| id.contains("poison-"))
        })
        .expect("stored");
    assert!(
        row["quarantined"].as_str().is_some_and(|r| !r.is_empty()),
        "{row:#}"
    );
    let ledger_id = row["id"].as_i64().expect("id").to_string();

    // The unit is told its mail arrived and a person will check it: once.
    let receipts = app
        .env
        .wait_for("qingxitw@163.com", 1, WAIT, |m| {
            is_from(m, &org) && m.in_reply_to().as_text() == Some(poison_id.as_str())
        })
        .await;
    assert_eq!(receipts.len(), 1);
    let r = MessageParser::default()
        .parse(&receipts[0])
        .expect("receipt");
    let text = r.body_text(0).unwrap_or_default().to_string();
    assert!(text.contains("人工核对"), "{text}");

    let items = review(&app);
    assert!(
        items.iter().any(|i| i["reason"] == "quarantined"
            && i["ledger_id"] == ledger_id.parse::<i64>().expect("id")),
        "listed for review: {items:#?}"
    );
    // Quarantined material does not count until a person decides.
    assert_eq!(cell(&app, "qingxi", "3"), "missing");
    assert_eq!(cell(&app, "shijie", "3"), "on_time");

    // A restart and a reprocess leave it alone: no worker dies again.
    let again = app.run_once();
    let log = String::from_utf8_lossy(&again.stderr).to_string();
    assert!(!log.contains("inspecting this message failed"), "{log}");
    let re = app.run(&["reprocess"]);
    let log = String::from_utf8_lossy(&re.stderr).to_string();
    assert!(re.status.success(), "{log}");
    assert!(!log.contains("inspecting this message failed"), "{log}");
    assert!(flags(delivery(&app.export(), &poison_id)).contains(&"quarantined".to_owned()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let all = app.env.fetch_all("qingxitw@163.com").await;
    let answered = all
        .iter()
        .filter_map(|raw| MessageParser::default().parse(raw))
        .filter(|m| is_from(m, &org) && m.in_reply_to().as_text() == Some(poison_id.as_str()))
        .count();
    assert_eq!(answered, 1, "answered once");

    // With room enough, a person's retry understands it.
    let config = std::fs::read_to_string(&app.config).expect("config");
    std::fs::write(
        &app.config,
        config.replace("worker_memory_mb = 64", "worker_memory_mb = 1024"),
    )
    .expect("config");
    let retry = app.run(&["reprocess", "--message", &ledger_id]);
    assert!(
        retry.status.success(),
        "{}",
        String::from_utf8_lossy(&retry.stderr)
    );
    let p = flags(delivery(&app.export(), &poison_id));
    assert!(!p.contains(&"quarantined".to_owned()), "{p:?}");
    assert_eq!(cell(&app, "qingxi", "3"), "on_time");
}

#[tokio::test]
async fn a_forged_registered_sender_is_flagged_and_not_counted_until_assigned() {
    let opts = AppOptions {
        extra_service: "[intake]\ntrusted_authserv_ids = [\"mailroom.test\"]\n".into(),
        ..AppOptions::default()
    };
    let app = TestApp::with("forged", MailEnv::shared(), opts);
    let org = app.user("org").to_owned();
    let raw = submission_from("shijietw@163.com", &org, 1);
    let forged = [
        b"Authentication-Results: mx.mailroom.test; spf=fail smtp.mailfrom=shijietw@163.com; dkim=none; dmarc=fail header.from=163.com\r\n".as_slice(),
        &raw,
    ]
    .concat();
    // The same forgery vouched for by a server nobody configured: ignored.
    let raw2 = submission_from("dgnanchengtw@126.com", &org, 2);
    let unvouched = [
        b"Authentication-Results: evil.example; spf=fail; dkim=fail; dmarc=fail\r\n".as_slice(),
        &raw2,
    ]
    .concat();
    app.append("org", &forged, "2018-01-22T10:00:00+08:00")
        .await;
    app.append("org", &unvouched, "2018-01-22T10:00:00+08:00")
        .await;
    let out = app.run_once();
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        log.lines().any(|l| l.contains("classified")
            && l.contains("sender_unverified")
            && l.contains("authentication failed")),
        "the decision line says so: {log}"
    );
    let export = app.export();
    let subs = export["submissions"].as_array().expect("submissions");
    let f = subs
        .iter()
        .find(|d| d["from"].as_str().is_some_and(|a| a.contains("shijietw")))
        .expect("forged delivery");
    assert!(flags(f).contains(&"sender_unverified".to_owned()), "{f:#}");
    let n = subs
        .iter()
        .find(|d| {
            d["from"]
                .as_str()
                .is_some_and(|a| a.contains("dgnanchengtw"))
        })
        .expect("other delivery");
    assert!(!flags(n).contains(&"sender_unverified".to_owned()), "{n:#}");
    assert_eq!(cell(&app, "shijie", "3"), "missing", "not counted");
    assert_eq!(cell(&app, "nancheng", "3"), "on_time");
    let id = f["ledger_id"].to_string();
    assert!(
        review(&app)
            .iter()
            .any(|i| i["reason"] == "sender_unverified" && i["ledger_id"] == f["ledger_id"]),
        "listed for review"
    );
    // A person confirms by phone and assigns it: now it counts.
    let a = app.run(&["assign", &id, "--unit", "shijie"]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(cell(&app, "shijie", "3"), "on_time");
}
