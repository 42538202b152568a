//! The words people read: receipts, the departments' digests and the
//! reminders, as the binary produces them from ingested mail. Subjects
//! short and carrying the outcome; no command, checksum or path in any
//! body; a digest for a past day counts by arrival and its window runs
//! forward; reminders grouped by the department to send to.

mod common;

use common::*;
use mailroom::outbox::receipt::machine_text;
use serde_json::Value;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<</Type/Catalog>>\nendobj\n%%EOF\n";

/// A message from `from` to org with the given subject and attachments
/// (name, content type, bytes).
fn mail(id: &str, from: &str, subject: &str, files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    submission(id, from, subject, "见附件", files)
}

/// Nothing for machines, and no English words, in what people read.
fn assert_for_people(what: &str, body: &str) {
    assert!(
        machine_text(body).is_empty(),
        "{what}: {:?} in\n{body}",
        machine_text(body)
    );
    for english in ["on time", "late ", "missing", "unit", "resolve", "assign"] {
        assert!(!body.contains(english), "{what}: {english:?} in\n{body}");
    }
}

fn shijie_3_2() -> Vec<u8> {
    mail(
        "shijie-32@words.test",
        "shijietw@163.com",
        "石碣镇团委智慧团建工作情况",
        &[("石碣镇智慧团建工作情况.pdf", "application/pdf", PDF)],
    )
}

#[test]
fn receipt_subjects_carry_the_outcome_for_lock_files_windows_paths_and_late_mail() {
    let app = TestApp::new("words-receipts");
    let lock: Vec<u8> = std::iter::repeat_n(b'x', 165).collect();
    app.ingest_one(
        "lock.eml",
        &mail(
            "lock@words.test",
            "shijietw@163.com",
            "石碣镇团委智慧团建工作情况",
            &[(
                "~$石碣镇工作开展情况表.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &lock,
            )],
        ),
        "2018-01-22T10:00:00+08:00",
        true,
    );
    app.ingest_one(
        "path.eml",
        &mail(
            "path@words.test",
            "guanchengtw@163.com",
            "莞城街道团工委智慧团建工作情况",
            &[(
                "C:\\Documents and Settings\\Administrator\\桌面\\莞城智慧团建工作情况.pdf",
                "application/pdf",
                PDF,
            )],
        ),
        "2018-01-22T10:05:00+08:00",
        true,
    );
    app.ingest_one(
        "late.eml",
        &mail(
            "late@words.test",
            "dgnanchengtw@126.com",
            "南城街道团工委智慧团建工作情况",
            &[("南城智慧团建工作情况.pdf", "application/pdf", PDF)],
        ),
        "2018-01-27T09:00:00+08:00",
        true,
    );
    let subjects: Vec<String> = app
        .outbox()
        .iter()
        .filter(|o| o["kind"] == "receipt")
        .map(|o| o["subject"].as_str().unwrap_or("").to_owned())
        .collect();
    let want = [
        "【需补正】石碣镇团委附件为临时文件，请重新发送",
        "【回执】莞城街道团工委考核材料已收到（按时）",
        "【逾期】南城街道团工委考核材料已收到",
    ];
    for w in want {
        assert!(subjects.iter().any(|s| s == w), "{w} in {subjects:?}");
    }
    for s in &subjects {
        assert!(s.chars().count() <= 32, "{s}");
    }
    // The clerks read the same diagnosis, in words.
    let digest = app.stdout_of(&[
        "digest",
        "--department",
        "org",
        "--preview",
        "--now",
        "2018-01-22T12:00:00+08:00",
    ]);
    assert!(
        digest.contains("附件是 Office 临时文件，不是材料本身；回执已请该单位发送材料原文件"),
        "{digest}"
    );
    let body = digest
        .split("\n\n")
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n\n");
    assert_for_people(
        "digest",
        body.trim_end_matches("(preview: nothing was sent)\n"),
    );
}

#[test]
fn a_digest_for_a_past_day_counts_by_arrival_and_its_window_runs_forward() {
    let app = TestApp::with_schedules("words-digest");
    app.ingest_one(
        "shijie.eml",
        &shijie_3_2(),
        "2018-01-19T10:00:00+08:00",
        false,
    );
    app.ingest_one(
        "late.eml",
        &mail(
            "nancheng-late@words.test",
            "dgnanchengtw@126.com",
            "南城街道团工委智慧团建工作情况",
            &[("南城智慧团建工作情况.pdf", "application/pdf", PDF)],
        ),
        "2018-01-27T09:00:00+08:00",
        false,
    );
    // The schedule starts (its last run recorded) after both arrivals.
    let out = app.run(&["run", "--once", "--now", "2018-01-29T10:00:00+08:00"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let digest = |now: &str, html: bool| {
        let mut args = vec!["digest", "--department", "org", "--preview", "--now", now];
        if html {
            args.push("--html");
        }
        app.stdout_of(&args)
    };
    let past = digest("2018-01-20T08:00:00+08:00", false);
    assert!(
        past.contains("组织部每日汇总（2018年1月19日 8:00至2018年1月20日 8:00）"),
        "{past}"
    );
    assert!(
        past.contains("已收 1，逾期 0"),
        "counted by arrival: {past}"
    );
    assert!(past.contains("■ 新收材料（1 件）"), "{past}");
    assert!(
        past.contains("石碣镇团委：（三）2．“智慧团建”工作情况【按时】"),
        "{past}"
    );
    assert!(!past.contains("南城街道团工委："), "arrived later: {past}");
    let body = past.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
    assert_for_people(
        "digest",
        body.trim_end_matches("(preview: nothing was sent)\n"),
    );

    let later = digest("2018-01-28T08:00:00+08:00", false);
    assert!(later.contains("已收 1，逾期 1"), "{later}");
    assert!(
        later.contains("南城街道团工委：（三）2．“智慧团建”工作情况【逾期】"),
        "{later}"
    );

    let html = digest("2018-01-28T08:00:00+08:00", true);
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"),
        "{html}"
    );
    assert!(html.contains("word-break:keep-all") && html.contains("white-space:nowrap"));
    assert!(html.contains("各列对应子项"), "an item legend: {html}");
    assert!(
        html.contains("border-left:4px solid #b36b00"),
        "late highlighted"
    );
    assert!(machine_text(&html).is_empty(), "{:?}", machine_text(&html));
}

#[test]
fn reminders_group_what_is_missing_by_the_department_to_send_it_to() {
    let app = TestApp::new("words-remind");
    app.ingest_one(
        "shijie.eml",
        &shijie_3_2(),
        "2018-01-17T10:23:48+08:00",
        false,
    );
    let now = "2018-01-19T09:00:00+08:00";
    let json: Value =
        serde_json::from_str(&app.stdout_of(&["remind", "--preview", "--json", "--now", now]))
            .expect("json");
    let all = json.as_array().expect("list");
    assert_eq!(all.len(), 40, "every assessed unit with an address");
    let shijie = all.iter().find(|r| r["unit"] == "shijie").expect("shijie");
    assert_eq!(shijie["to"], serde_json::json!(["shijietw@163.com"]));
    assert_eq!(shijie["form_missing"], true);
    let missing: Vec<&str> = shijie["missing_items"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(missing.len(), 15);
    assert!(!missing.contains(&"3.2"));
    let groups = shijie["departments"].as_array().expect("groups");
    let org = groups
        .iter()
        .find(|g| g["department"] == "org")
        .expect("org");
    assert_eq!(org["contact"], "莫镇源");
    assert_eq!(org["phone"], "22114722");
    assert_eq!(org["mailbox"], "tswzzb3@126.com");
    let mut grouped: Vec<&str> = groups
        .iter()
        .flat_map(|g| g["items"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    grouped.sort();
    let mut want = missing.clone();
    want.sort();
    assert_eq!(grouped, want, "each missing item once");

    let text = app.stdout_of(&["remind", "--preview", "--unit", "shijie", "--now", now]);
    let body = text.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
    let body = body.split("reminder(s) would be sent").next().unwrap_or("");
    assert!(
        body.contains("■ 组织部（联系人莫镇源，电话22114722）\n  · 发送至：tswzzb3@126.com"),
        "{body}"
    );
    assert!(body.contains("（二）1．加强团的基层基础"), "{body}");
    assert!(body.contains("随发往各科室的邮件一并附上"), "{body}");
    assert!(
        !body.contains("推进和落实共青团深化改革工作"),
        "no project title repeated per item: {body}"
    );
    assert!(body.contains("共青团东莞市委员会组织部"), "{body}");
    assert_for_people("reminder", body);
    let html = app.stdout_of(&[
        "remind",
        "--preview",
        "--unit",
        "shijie",
        "--html",
        "--now",
        now,
    ]);
    assert!(html.contains("<html lang=\"zh-CN\">"), "{html}");
}
