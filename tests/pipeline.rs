//! Understanding every message, end to end: the sample mail goes into the
//! real Dovecot, `mailroom run --once` fetches and classifies it, and
//! `mailroom export` must carry every label of tests/data/corpus/expected.json
//! (including the flags that need the ledger: resubmission, duplicate_delivery).

mod common;

use std::collections::{BTreeSet, HashMap};

use common::*;
use serde_json::Value;

/// The strings of a JSON list, in their order (flags have a fixed order).
fn in_order(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The strings of a JSON list, sorted (projects and items are sets).
fn strs(v: &Value) -> Vec<String> {
    let mut out = in_order(v);
    out.sort();
    out
}

fn message_id_of_file(path: &std::path::Path) -> String {
    let raw = std::fs::read(path).expect("sample");
    mailroom::ledger::messages::message_id_of(&raw).expect("sample has a Message-ID")
}

/// (filename, sha256, zip members) of each attachment in a label or export entry.
fn attachment_set(v: &Value) -> BTreeSet<(String, String, Vec<String>)> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["filename"].as_str().unwrap_or("").to_owned(),
                a["sha256"].as_str().unwrap_or("").to_owned(),
                a["members"]
                    .as_array()
                    .map(|m| {
                        m.iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// (department, message_id) → export entry
fn by_delivery(export: &Value) -> HashMap<(String, String), Value> {
    export["submissions"]
        .as_array()
        .expect("submissions")
        .iter()
        .map(|e| {
            (
                (
                    e["department"].as_str().unwrap_or("").to_owned(),
                    e["message_id"].as_str().unwrap_or("").to_owned(),
                ),
                e.clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_corpus_through_the_whole_pipeline_matches_every_label() {
    let app = TestApp::new("pipeline");
    app.load_corpus().await;
    let out = app.run_once();
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    let export = app.export();
    assert_eq!(export["campaign"]["id"], "dg-2017");
    let got = by_delivery(&export);
    let mut failures = Vec::new();
    let corpus = corpus();
    assert_eq!(got.len(), corpus.len(), "one export entry per delivery");
    for (path, e) in &corpus {
        let file = e["file"].as_str().unwrap_or("");
        let dept = e["department"].as_str().unwrap_or("").to_owned();
        let mid = message_id_of_file(path);
        let Some(d) = got.get(&(dept.clone(), mid.clone())) else {
            failures.push(format!("{file}: no delivery for {dept}/{mid}"));
            continue;
        };
        let x = &e["expect"];
        let mut diff = Vec::new();
        let mut check = |what: &str, want: String, have: String| {
            if want != have {
                diff.push(format!("{what}: want {want}, have {have}"));
            }
        };
        check("kind", x["kind"].to_string(), d["kind"].to_string());
        if x["kind"] == "submission" {
            check("unit", x["unit"].to_string(), d["unit"].to_string());
        }
        check(
            "projects",
            format!("{:?}", strs(&x["projects"])),
            format!("{:?}", strs(&d["projects"])),
        );
        check(
            "items",
            format!("{:?}", strs(&x["items"])),
            format!("{:?}", strs(&d["items"])),
        );
        check("late", x["late"].to_string(), d["late"].to_string());
        check(
            "misrouted",
            x["misrouted"].to_string(),
            d["misrouted"].to_string(),
        );
        // Flags in the README's order, including the relational ones.
        let want_flags = in_order(&x["flags"]);
        let have_flags = in_order(&d["flags"]);
        check(
            "flags",
            format!("{want_flags:?}"),
            format!("{have_flags:?}"),
        );
        let receipt = d["receipt"].as_str().unwrap_or("");
        let wants_receipt = x["receipt"].as_bool().unwrap_or(false);
        if wants_receipt == receipt.starts_with("suppressed:") || receipt == "none" {
            diff.push(format!("receipt: want {wants_receipt}, have {receipt}"));
        }
        let want_att = attachment_set(&x["attachments"]);
        let have_att = attachment_set(&d["attachments"]);
        if want_att != have_att {
            diff.push(format!("attachments: want {want_att:?}, have {have_att:?}"));
        }
        // The message is stored byte for byte, content-addressed, and every
        // attachment is found in it again: the raw message is its one copy.
        let raw = std::fs::read(path).expect("corpus file");
        let sha = sha256_hex(&raw);
        let stored = app
            .data_dir()
            .join("raw")
            .join(&sha[..2])
            .join(format!("{sha}.eml"));
        match std::fs::read(&stored) {
            Ok(bytes) if bytes == raw => {
                let again: Vec<String> =
                    mailroom::inspect::inspect(&bytes, &mailroom::inspect::Limits::default())
                        .attachments
                        .into_iter()
                        .map(|a| a.sha256)
                        .collect();
                for a in d["attachments"].as_array().into_iter().flatten() {
                    let sha = a["sha256"].as_str().unwrap_or("");
                    if !again.iter().any(|s| s == sha) {
                        diff.push(format!(
                            "attachment {sha} not found in {}",
                            stored.display()
                        ));
                    }
                }
            }
            _ => diff.push(format!("message not stored at {}", stored.display())),
        }
        if d["received_at"]
            .as_str()
            .is_some_and(|t| !t.ends_with("+08:00"))
        {
            diff.push(format!("received_at not in +08:00: {}", d["received_at"]));
        }
        if !diff.is_empty() {
            failures.push(format!("{file} ({dept}):\n    {}", diff.join("\n    ")));
        }
        // One decision line per delivery, grep-able by Message-ID.
        let lines = log
            .lines()
            .filter(|l| {
                l.contains("classified")
                    && l.contains(&mid)
                    && l.contains(&format!("department={dept}"))
            })
            .count();
        if lines != 1 {
            failures.push(format!(
                "{file}: {lines} decision log lines for {dept}/{mid}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The copy delivered to two mailboxes gets one receipt between them.
    let outbox = app.outbox();
    let receipts: Vec<&Value> = outbox.iter().filter(|o| o["kind"] == "receipt").collect();
    let subs: BTreeSet<&str> = corpus
        .iter()
        .filter(|(_, e)| e["expect"]["receipt"] == true)
        .map(|(_, e)| e["file"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        receipts.len(),
        subs.len(),
        "one receipt per submitted message"
    );
}

#[tokio::test]
async fn reprocess_gives_identical_results_and_keeps_manual_decisions() {
    let app = TestApp::new("reprocess");
    app.load_corpus().await;
    app.run_once();
    let strip = |mut v: Value| {
        v["generated_at"] = Value::Null;
        v
    };
    let before = strip(app.export());
    let out = app.run(&["reprocess"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        strip(app.export()),
        before,
        "nothing changed, nothing differs"
    );

    // The unknown-unit sample: a clerk decides it came from 虎门 (item 3.2)
    // and remembers the sender for next time.
    let unknown = before["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .find(|e| {
            e["kind"] == "submission"
                && e["unit"].is_null()
                && e["items"] == serde_json::json!(["3.2"])
        })
        .expect("the unknown-unit sample")
        .clone();
    let id = unknown["ledger_id"].to_string();
    let sender = unknown["from"].as_str().expect("from").to_owned();
    let out = app.run(&[
        "assign",
        &id,
        "--unit",
        "humen",
        "--items",
        "3.2,4.1",
        "--remember-sender",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = |export: &Value| {
        let e = export["submissions"]
            .as_array()
            .expect("list")
            .iter()
            .find(|e| e["ledger_id"] == unknown["ledger_id"])
            .expect("still there")
            .clone();
        assert_eq!(e["unit"], "humen");
        assert_eq!(e["unit_source"], "manual");
        assert_eq!(e["items"], serde_json::json!(["3.2", "4.1"]));
        assert_eq!(e["projects"], serde_json::json!(["3", "4"]));
    };
    check(&app.export());
    let out = app.run(&["reprocess"]);
    assert!(out.status.success());
    check(&app.export());
    let units = std::fs::read_to_string(app.dir.path().join("units.toml")).expect("units");
    assert!(
        units.contains(&sender),
        "sender remembered in the units file"
    );
    assert!(units.contains("# Units assessed"), "comments kept");
    // After the change the sender identifies the unit by itself.
    let out = app.run(&["reprocess"]);
    assert!(out.status.success());
    let e = app.export();
    let other = e["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["ledger_id"] == unknown["ledger_id"])
        .expect("entry")
        .clone();
    assert!(
        !other["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .any(|f| f == "unknown_sender")
    );
    // Reprocessing never sends receipts for old mail.
    let bad = app.run(&["assign", &id, "--unit", "nosuchunit"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[tokio::test]
async fn csv_and_xlsx_exports_open_in_a_spreadsheet() {
    use calamine::{Reader, Xlsx, open_workbook};
    let app = TestApp::new("xlsx");
    app.load_corpus().await;
    app.run_once();
    let csv = app.run(&["export", "--format", "csv"]);
    assert!(csv.status.success());
    assert!(
        csv.stdout.starts_with("\u{feff}".as_bytes()),
        "BOM for Excel"
    );
    let text = String::from_utf8_lossy(&csv.stdout);
    assert_eq!(text.lines().count(), 1 + corpus().len());
    assert!(text.contains("石碣镇2017年智慧团建工作情况.pdf"));

    let path = app.dir.path().join("export.xlsx");
    let out = app.run(&[
        "export",
        "--format",
        "xlsx",
        "--out",
        path.to_str().expect("path"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut wb: Xlsx<_> = open_workbook(&path).expect("opens with calamine");
    assert_eq!(
        wb.sheet_names(),
        vec!["报送记录".to_owned(), "单位×项目".to_owned()]
    );
    let subs = wb.worksheet_range("报送记录").expect("sheet");
    assert_eq!(subs.height(), 1 + corpus().len());
    let m = wb.worksheet_range("单位×项目").expect("sheet");
    // Row 4 onwards: one row per assessed unit (40 of 42: two agencies are too young).
    assert_eq!(m.height() - 4, 40);
    let row_of = |name: &str| {
        (0..m.height())
            .find(|r| m.get((*r, 0)).map(|c| c.to_string()) == Some(name.to_owned()))
            .expect("unit row")
    };
    let qingxi = row_of("清溪镇团委");
    // Project (四): only the late 1+100 material → 逾期.
    assert_eq!(
        m.get((qingxi, 4)).map(|c| c.to_string()).as_deref(),
        Some("逾期")
    );
    let nancheng = row_of("南城街道团工委");
    // The overview form alone is not material for a project; it fills the form column.
    assert_eq!(
        m.get((nancheng, 1)).map(|c| c.to_string()).as_deref(),
        Some("未收")
    );
    assert_eq!(
        m.get((nancheng, 6)).map(|c| c.to_string()).as_deref(),
        Some("已收")
    );
}

#[tokio::test]
async fn garbage_is_kept_flagged_and_never_stops_the_pipeline() {
    let app = TestApp::new("garbage");
    let mut junk: Vec<u8> = (0..20_000).map(|_| fastrand::u8(..)).collect();
    junk.extend_from_slice(b"\r\n");
    app.append("org", &junk, "2018-01-22T10:00:00+08:00").await;
    app.append("org", b"Subject: \xff\xfe\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBAo=\r\n", "2018-01-22T10:01:00+08:00").await;
    app.append("org", &synthetic(1, 2000), "2018-01-22T10:02:00+08:00")
        .await;
    let out = app.run_once();
    let log = String::from_utf8_lossy(&out.stderr);
    let export = app.export();
    assert_eq!(
        export["submissions"].as_array().map(Vec::len),
        Some(3),
        "{log}"
    );
    assert_eq!(log.matches(" classified ").count(), 3, "{log}");
}
