//! What counts as received, through the real pipeline: a refused zip, only
//! a download link, only an Office lock file, no attachment, and a readable
//! file among broken ones — each case's effect on the matrix (`status
//! --json`), the reminders (`remind --preview --json`) and the digest, and
//! how a person marks link material received (`review --resolve`).

mod common;

use std::io::Write as _;

use common::*;
use serde_json::Value;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<</Type/Catalog>>\nendobj\n%%EOF\n";
const ZIP: &str = "application/zip";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const ON_TIME: &str = "2018-01-22T10:00:00+08:00";
const NOW: &str = "2018-01-22T12:00:00+08:00";

/// A message to org with a body and attachments (name, content type,
/// bytes); its Message-ID follows from the subject and the sender.
fn mail(from: &str, subject: &str, body: &str, files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let id = format!(
        "{}{}@received.test",
        &sha256_hex(subject.as_bytes())[..16],
        from.replace('@', ".")
    );
    submission(&id, from, subject, body, files)
}

/// 石排's report as a readable PDF: the control case that counts.
fn readable_pdf() -> Vec<u8> {
    mail(
        "dgshipaitw@126.com",
        "石排镇团委智慧团建工作情况",
        "见附件",
        &[("石排智慧团建工作情况.pdf", "application/pdf", PDF)],
    )
}

/// A zip whose one member expands far beyond the ratio mailroom accepts:
/// refused, never unpacked.
fn refused_zip(member: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file(member, opts).expect("start");
    w.write_all(&vec![0u8; 4 << 20]).expect("write");
    w.finish().expect("finish").into_inner()
}

/// Imports a message; the refused zip's unit also gets its receipt, to
/// check that the receipt and the reminder tell it the same.
fn ingest(app: &TestApp, name: &str, raw: &[u8], at: &str) {
    app.ingest_one(name, raw, at, name == "refused.eml");
}

fn json_of(app: &TestApp, args: &[&str]) -> Value {
    serde_json::from_str(&app.stdout_of(args)).expect("json")
}

/// The state of (unit, column) in a `status --json` matrix.
fn cell(m: &Value, unit: &str, column: &str) -> String {
    let units = m["units"].as_array().expect("units");
    let row = units
        .iter()
        .position(|u| u[0] == unit)
        .unwrap_or_else(|| panic!("{unit} in the matrix"));
    let col = m["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .position(|c| c[0] == column)
        .unwrap_or_else(|| panic!("{column} in the matrix"));
    m["cells"][row][col].as_str().unwrap_or("").to_owned()
}

fn missing_items(reminders: &Value, unit: &str) -> Vec<String> {
    reminders
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["unit"] == unit)
        .map(|r| {
            r["missing_items"]
                .as_array()
                .expect("codes")
                .iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The six cases, one unit each, all on time for 3.2 (智慧团建, org's).
fn ingest_cases(app: &TestApp) {
    let zip = refused_zip("石碣镇智慧团建工作情况.docx");
    ingest(
        app,
        "refused.eml",
        &mail(
            "shijietw@163.com",
            "石碣镇团委智慧团建工作情况",
            "见附件",
            &[("石碣镇智慧团建工作情况.zip", ZIP, &zip)],
        ),
        ON_TIME,
    );
    ingest(
        app,
        "link.eml",
        &mail(
            "guanchengtw@163.com",
            "莞城街道团工委智慧团建工作情况",
            "附件较大，请从以下链接下载：https://mail.163.com/large-attachment-download/index.html?p=X&file=abc",
            &[],
        ),
        ON_TIME,
    );
    let lock: Vec<u8> = std::iter::repeat_n(b'x', 165).collect();
    ingest(
        app,
        "lock.eml",
        &mail(
            "dgnanchengtw@126.com",
            "南城街道团工委智慧团建工作情况",
            "见附件",
            &[("~$南城智慧团建工作情况.xlsx", XLSX, &lock)],
        ),
        ON_TIME,
    );
    ingest(
        app,
        "bare.eml",
        &mail(
            "dgwanjiangtw@126.com",
            "万江街道团工委智慧团建工作情况",
            "材料已按要求报送。",
            &[],
        ),
        ON_TIME,
    );
    let zip = refused_zip("茶山线上线下青年活动.docx");
    ingest(
        app,
        "mixed.eml",
        &mail(
            "chashantw@163.com",
            "茶山镇团委考核材料",
            "见附件",
            &[
                ("茶山智慧团建工作情况.pdf", "application/pdf", PDF),
                ("~$茶山与青年互动情况.xlsx", XLSX, &lock),
                ("茶山线上线下青年活动.zip", ZIP, &zip),
            ],
        ),
        ON_TIME,
    );
    ingest(app, "good.eml", &readable_pdf(), ON_TIME);
}

#[test]
fn only_usable_material_counts_in_the_matrix_reminders_and_digest() {
    let app = TestApp::new("received-rule");
    ingest_cases(&app);

    // The matrix: org's items, and projects.
    let m = json_of(&app, &["status", "--department", "org", "--json"]);
    for (unit, want) in [
        ("shijie", "missing"),
        ("guancheng", "link"),
        ("nancheng", "missing"),
        ("wanjiang", "missing"),
        ("chashan", "on_time"),
        ("shipai", "on_time"),
    ] {
        assert_eq!(cell(&m, unit, "3.2"), want, "{unit} 3.2");
    }
    // The lock file and the refused zip beside the readable file credit
    // nothing; the readable file credits its item.
    assert_eq!(cell(&m, "chashan", "4.2"), "missing");
    assert_eq!(cell(&m, "chashan", "4.3"), "missing");
    let p = json_of(&app, &["status", "--json"]);
    assert_eq!(cell(&p, "shijie", "3"), "missing");
    assert_eq!(cell(&p, "guancheng", "3"), "link");
    assert_eq!(cell(&p, "chashan", "3"), "on_time");
    assert_eq!(cell(&p, "chashan", "4"), "missing");
    let text = app.stdout_of(&["status", "--department", "org"]);
    assert!(text.contains("链 链接待下载"), "{text}");

    // The reminders ask again for what did not usably arrive; a link is
    // asked for as missing.
    let r = json_of(&app, &["remind", "--preview", "--json", "--now", NOW]);
    for unit in ["shijie", "guancheng", "nancheng", "wanjiang"] {
        let missing = missing_items(&r, unit);
        assert!(missing.iter().any(|i| i == "3.2"), "{unit}: {missing:?}");
        assert_eq!(missing.len(), 16, "{unit} has nothing usable: {missing:?}");
    }
    let chashan = missing_items(&r, "chashan");
    assert!(!chashan.iter().any(|i| i == "3.2"), "{chashan:?}");
    assert!(chashan.iter().any(|i| i == "4.2") && chashan.iter().any(|i| i == "4.3"));
    assert!(!missing_items(&r, "shipai").iter().any(|i| i == "3.2"));
    // Told by its receipt to resend, the unit is told by the reminder that
    // it still lacks every item, not one fewer.
    let receipt = app
        .outbox()
        .into_iter()
        .find(|o| o["kind"] == "receipt")
        .expect("the refused zip's receipt");
    assert!(
        receipt["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("【需补正】石碣镇团委")),
        "{receipt}"
    );
    let shijie = app.stdout_of(&["remind", "--preview", "--unit", "shijie", "--now", NOW]);
    assert!(shijie.contains("尚缺17项"), "{shijie}");
    assert!(
        shijie.contains("“智慧团建”工作情况（未附可用文件，未计为已收，请按回执要求重新发送）"),
        "{shijie}"
    );
    let guancheng = app.stdout_of(&["remind", "--preview", "--unit", "guancheng", "--now", NOW]);
    assert!(
        guancheng.contains("（仅有下载链接，未计为已收，请将文件作为附件发送）"),
        "{guancheng}"
    );

    // The digest: the link in its own count, each arrival's standing.
    let digest = app.stdout_of(&["digest", "--department", "org", "--preview", "--now", NOW]);
    assert!(digest.contains("链接待下载 1，"), "{digest}");
    for want in [
        "石碣镇团委：（三）2．“智慧团建”工作情况【按时，无可用附件，未计入】",
        "莞城街道团工委：（三）2．“智慧团建”工作情况【按时，链接待下载】",
        "南城街道团工委：（三）2．“智慧团建”工作情况【按时，无可用附件，未计入】",
        "万江街道团工委：（三）2．“智慧团建”工作情况【按时，无可用附件，未计入】",
        "石排镇团委：（三）2．“智慧团建”工作情况【按时】",
    ] {
        assert!(digest.contains(want), "{want} in\n{digest}");
    }
    assert!(digest.contains("链接待下载 莞城街道团工委"), "{digest}");
    let html = app.stdout_of(&[
        "digest",
        "--department",
        "org",
        "--preview",
        "--html",
        "--now",
        NOW,
    ]);
    assert!(html.contains(">链</td>"), "the link cell is marked");
}

#[test]
fn a_person_marks_link_material_received_but_not_a_refused_zip() {
    let app = TestApp::new("received-resolve");
    ingest_cases(&app);
    let review = json_of(&app, &["review", "--json"]);
    let id_of = |unit: &str, reason: &str| -> String {
        review
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["unit"] == unit && i["reason"] == reason)
            .and_then(|i| i["ledger_id"].as_i64())
            .unwrap_or_else(|| panic!("{unit} {reason} in {review:#}"))
            .to_string()
    };
    let link = id_of("guancheng", "link_only");
    let zip = id_of("shijie", "archive_refused");
    for id in [&link, &zip] {
        app.stdout_of(&["review", "--resolve", id]);
    }
    let m = json_of(&app, &["status", "--department", "org", "--json"]);
    assert_eq!(cell(&m, "guancheng", "3.2"), "on_time");
    assert_eq!(cell(&m, "shijie", "3.2"), "missing", "the unit must resend");
    let r = json_of(&app, &["remind", "--preview", "--json", "--now", NOW]);
    assert!(!missing_items(&r, "guancheng").iter().any(|i| i == "3.2"));
    assert!(missing_items(&r, "shijie").iter().any(|i| i == "3.2"));
}

#[test]
fn the_late_log_lists_late_mail_with_what_its_material_supports() {
    let app = TestApp::new("received-late");
    let lock: Vec<u8> = std::iter::repeat_n(b'x', 165).collect();
    let late = "2018-01-27T09:00:00+08:00";
    ingest(
        &app,
        "lock.eml",
        &mail(
            "dghenglitw@126.com",
            "横沥镇团委智慧团建工作情况",
            "见附件",
            &[("~$横沥智慧团建工作情况.xlsx", XLSX, &lock)],
        ),
        late,
    );
    ingest(&app, "good.eml", &readable_pdf(), late);
    let entries = json_of(&app, &["late", "--json"]);
    let of = |unit: &str| -> Value {
        entries
            .as_array()
            .expect("entries")
            .iter()
            .find(|e| e["unit"] == unit)
            .cloned()
            .unwrap_or_else(|| panic!("{unit} in {entries:#}"))
    };
    assert_eq!(of("hengli")["material"], "nothing");
    assert_eq!(of("hengli")["items"], serde_json::json!([]));
    assert_eq!(of("shipai")["material"], "files");
    assert_eq!(of("shipai")["items"], serde_json::json!(["3.2"]));
    let text = app.stdout_of(&["late"]);
    assert!(text.contains("(no usable files)"), "{text}");
    let m = json_of(&app, &["status", "--department", "org", "--json"]);
    assert_eq!(cell(&m, "hengli", "3.2"), "missing");
    assert_eq!(cell(&m, "shipai", "3.2"), "late");
}
