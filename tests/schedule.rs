//! Reminders and digests on their cron schedules, with the clock moved
//! (`--now`), through the real Postfix into the real Dovecot.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::*;
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(repo().join("tests/data/corpus").join(name)).expect("sample")
}

fn once_at(app: &TestApp, now: &str) -> String {
    let out = app.run(&["run", "--once", "--now", now]);
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "run --once --now {now}: {log}");
    log
}

fn of_kind(app: &TestApp, kind: &str) -> Vec<Value> {
    app.outbox()
        .into_iter()
        .filter(|o| o["kind"] == kind)
        .collect()
}

#[tokio::test]
async fn reminders_go_to_exactly_the_units_missing_material_once_and_never_after_the_deadline() {
    let app = TestApp::with_schedules("remind");
    app.append(
        "org",
        &sample("001-shijie-zhihuituanjian.eml"),
        "2018-01-17T10:23:48+08:00",
    )
    .await;
    app.append(
        "org",
        &sample("003-nancheng-overview-form.eml"),
        "2018-01-17T09:41:29+08:00",
    )
    .await;
    once_at(&app, "2018-01-18T08:00:00+08:00");
    assert!(
        of_kind(&app, "reminder").is_empty(),
        "nothing before the first slot"
    );
    // 南城 sent the form; a clerk records that its mail covered every item.
    let export = app.export();
    let nancheng = export["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .find(|e| e["unit"] == "nancheng")
        .expect("nancheng")["ledger_id"]
        .to_string();
    let all_items = "1.1,1.2,1.3,2.1,2.2,2.3,3.1,3.2,3.3,4.1,4.2,4.3,5.1,5.2,5.3,5.4";
    let out = app.run(&[
        "assign", &nancheng, "--unit", "nancheng", "--items", all_items,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let preview = app.run(&["remind", "--preview", "--now", "2018-01-19T09:00:05+08:00"]);
    let preview_text = String::from_utf8_lossy(&preview.stdout);
    assert!(
        preview_text.contains("39 reminder(s) would be sent"),
        "{preview_text}"
    );
    assert!(
        of_kind(&app, "reminder").is_empty(),
        "a preview sends nothing"
    );

    once_at(&app, "2018-01-19T09:00:05+08:00");
    let reminders = of_kind(&app, "reminder");
    // 42 units: 2 agencies too young to be assessed, 南城 has everything.
    assert_eq!(reminders.len(), 39);
    let to: BTreeSet<String> = reminders
        .iter()
        .flat_map(|r| {
            serde_json::from_str::<Vec<String>>(r["recipients"].as_str().unwrap_or("[]"))
                .unwrap_or_default()
        })
        .collect();
    for absent in ["dgnanchengtw@126.com", "dgjttw@126.com", "dgsytztw@163.com"] {
        assert!(!to.contains(absent), "no reminder to {absent}");
    }
    assert!(to.contains("shijietw@163.com") && to.contains("liaobutuanwei@dg.gov.test"));
    assert!(
        reminders.iter().all(|r| r["state"] == "sent"),
        "sent through Postfix"
    );

    // 石碣's reminder: everything but 3.2, with the mailboxes, what it sent, the blank form.
    let from = app.user("org").to_owned();
    let got = app
        .env
        .wait_for("shijietw@163.com", 1, WAIT, |m| {
            is_from(m, &from) && header_text(m, "X-Mailroom-Kind") == "reminder"
        })
        .await;
    assert_eq!(got.len(), 1);
    let m = MessageParser::default().parse(&got[0]).expect("parse");
    assert_eq!(header_text(&m, "Auto-Submitted"), "auto-generated");
    let text = m.body_text(0).unwrap_or_default().to_string();
    // Grouped by the department to send to, with its contact and phone.
    let missing_part = text.split("已收到的材料").next().unwrap_or("");
    assert!(
        missing_part.contains("■ 组织部（联系人莫镇源，电话22114722）")
            && missing_part.contains("· 发送至：tswzzb3@126.com"),
        "{text}"
    );
    assert!(missing_part.contains("（二）1．加强团的基层基础"), "{text}");
    assert!(
        missing_part.contains("（一）1．深入学习贯彻党的十九大精神系列工作（也可发送学校部）"),
        "{text}"
    );
    assert!(
        !missing_part.contains("（三）2．“智慧团建”工作情况"),
        "3.2 was received: {text}"
    );
    assert!(text.contains("已收到的材料（1件）"), "{text}");
    assert!(text.contains("2018年1月26日 17:30"), "{text}");
    let att = m.attachments().next().expect("the blank form");
    assert_eq!(
        att.attachment_name(),
        Some("2017年东莞共青团工作开展情况表.xlsx")
    );
    let path = app.dir.path().join("form.xlsx");
    std::fs::write(&path, att.contents()).expect("write");
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("opens");
    let sheet = wb.worksheet_range("工作开展情况表").expect("sheet");
    assert_eq!(
        sheet.get((0, 0)).map(|c| c.to_string()).as_deref(),
        Some("2017年东莞共青团工作开展情况表")
    );

    // The same slot again: nothing more. After the deadline: nothing at all.
    once_at(&app, "2018-01-19T09:30:00+08:00");
    assert_eq!(of_kind(&app, "reminder").len(), 39, "not sent twice");
    let log = once_at(&app, "2018-01-27T09:00:00+08:00");
    assert_eq!(
        of_kind(&app, "reminder").len(),
        39,
        "none after the deadline"
    );
    assert!(
        log.contains("scheduled run skipped") && log.contains("the deadline has passed"),
        "{log}"
    );
}

/// Whether a delivery brought usable material, by the README's rule: a
/// file that is not empty, not an Office lock file (`~$…`), not unreadable
/// or refused, and, for an archive, holds something besides lock files.
/// Judged per message, not per file: the corpus's org matrix needs no
/// finer rule (`report::received` is checked against a reference for that).
fn usable_material(e: &Value) -> bool {
    e["attachments"].as_array().into_iter().flatten().any(|a| {
        let base = |n: &str| n.rsplit(['/', '\\']).next().unwrap_or("").to_owned();
        let name = a["filename"].as_str().unwrap_or("");
        let problem = a["problem"].as_str().unwrap_or("");
        let members_ok = match a["members"].as_array() {
            None => true,
            Some(m) => m
                .iter()
                .filter_map(|x| x.as_str())
                .any(|n| !n.ends_with('/') && !base(n).starts_with("~$")),
        };
        a["size"].as_i64().unwrap_or(0) > 0
            && !base(name).starts_with("~$")
            && !problem.contains("lock file")
            && !problem.starts_with("unreadable")
            && !problem.starts_with("suspicious")
            && members_ok
    })
}

/// The matrix a clerk expects for one department, computed from the export
/// with the documented rules (independently of the service's own code).
fn expected_matrix(export: &Value, items: &[&str]) -> BTreeMap<(String, String), String> {
    let mut m = BTreeMap::new();
    for e in export["submissions"].as_array().expect("list") {
        if e["kind"] != "submission" || e["unit"].is_null() {
            continue;
        }
        let unit = e["unit"].as_str().unwrap_or("").to_owned();
        if !usable_material(e) {
            continue;
        }
        let eitems: Vec<&str> = e["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .collect();
        let eprojects: Vec<&str> = e["projects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .collect();
        let form_only: Vec<&str> = e["form_projects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .collect();
        for item in items {
            let project = &item[..1];
            // Project-level material counts for its items, unless only the
            // overview form named the project (the form is its own column).
            let covered = eitems.contains(item)
                || (eprojects.contains(&project)
                    && !eitems.iter().any(|i| i.starts_with(project))
                    && !form_only.contains(&project));
            if covered {
                let v = if e["late"] == true {
                    "逾期"
                } else {
                    "已收"
                };
                let slot = m
                    .entry((unit.clone(), item.to_string()))
                    .or_insert_with(|| v.to_owned());
                if v == "已收" {
                    *slot = "已收".into();
                }
            }
        }
    }
    m
}

#[tokio::test]
async fn the_org_digest_matches_the_export_and_its_xlsx_holds_the_same_matrix() {
    let app = TestApp::with_schedules("digest");
    once_at(&app, "2018-01-18T08:00:00+08:00");
    app.load_corpus().await;
    once_at(&app, "2018-01-29T10:00:00+08:00");
    let digests = of_kind(&app, "digest");
    assert_eq!(
        digests.len(),
        5,
        "one per department, the missed days collapsed into one"
    );
    let org = app.user("org").to_owned();
    let got = app
        .env
        .wait_for(&org, 1, WAIT, |m| {
            header_text(m, "X-Mailroom-Kind") == "digest"
        })
        .await;
    assert_eq!(got.len(), 1);
    let m = MessageParser::default().parse(&got[0]).expect("parse");
    let subject = m.subject().unwrap_or("").to_owned();
    let export = app.export();
    // Submissions to org stored since the schedule started: all of org's sample mail.
    let to_org: Vec<&Value> = export["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|e| e["department"] == "org" && e["kind"] == "submission")
        .collect();
    let late = to_org.iter().filter(|e| e["late"] == true).count();
    assert!(
        subject.contains(&format!("新收 {} 件，逾期 {} 件", to_org.len(), late)),
        "{subject} (org got {} submissions, {late} late)",
        to_org.len()
    );
    let html = m.body_html(0).expect("html").to_string();
    assert!(html.contains("<table"), "an HTML table");
    let text = m.body_text(0).expect("text").to_string();
    assert!(text.contains("■ 待处理"), "{text}");
    assert!(
        text.contains("未识别报送单位"),
        "the unknown-unit sample needs a person: {text}"
    );

    // The xlsx: the same matrix as the export says.
    let att = m
        .attachments()
        .find(|a| a.attachment_name().is_some_and(|n| n.ends_with(".xlsx")))
        .expect("xlsx");
    let path = app.dir.path().join("digest.xlsx");
    std::fs::write(&path, att.contents()).expect("write");
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).expect("opens with calamine");
    let sheet = wb.worksheet_range("报送情况").expect("matrix sheet");
    let org_items = ["1.3", "2.1", "2.3", "3.2", "4.1", "4.2", "4.3", "5.4"];
    let want = expected_matrix(&export, &org_items);
    let units: BTreeMap<String, String> = toml::from_str::<toml::Table>(
        &std::fs::read_to_string(repo().join("config/units.toml")).expect("units"),
    )
    .expect("toml")["unit"]
        .as_array()
        .expect("units")
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap_or("").to_owned(),
                u["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let (mut on_time, mut late_n, mut missing) = (0, 0, 0);
    for r in 4..sheet.height() {
        let name = sheet.get((r, 0)).map(|c| c.to_string()).unwrap_or_default();
        let uid = units
            .get(&name)
            .unwrap_or_else(|| panic!("unit row {name}"));
        for (j, item) in org_items.iter().enumerate() {
            let have = sheet
                .get((r, j + 1))
                .map(|c| c.to_string())
                .unwrap_or_default();
            let expect = want
                .get(&(uid.clone(), item.to_string()))
                .cloned()
                .unwrap_or_else(|| "未收".into());
            assert_eq!(have, expect, "{name} {item}");
            match expect.as_str() {
                "已收" => on_time += 1,
                "逾期" => late_n += 1,
                _ => missing += 1,
            }
        }
    }
    assert!(on_time > 0 && late_n > 0, "the samples give both");
    let counts = sheet.get((1, 0)).map(|c| c.to_string()).unwrap_or_default();
    // The counts line includes the form column; check the item part is consistent.
    assert!(counts.starts_with("已收 "), "{counts}");
    let _ = missing;

    // The digest arrives in org's own mailbox: not a submission, no receipt.
    let before = of_kind(&app, "receipt").len();
    once_at(&app, "2018-01-29T10:05:00+08:00");
    let export = app.export();
    let own = export["submissions"]
        .as_array()
        .expect("list")
        .iter()
        .find(|e| {
            e["subject"]
                .as_str()
                .is_some_and(|s| s.starts_with("【每日汇总】组织部"))
        })
        .expect("the digest was fetched back");
    assert_eq!(own["kind"], "other");
    assert_eq!(own["receipt"], "suppressed:other");
    assert_eq!(of_kind(&app, "receipt").len(), before);
}

#[tokio::test]
async fn downtime_over_two_digest_times_sends_one_digest_on_start() {
    let app = TestApp::with_schedules("downtime");
    once_at(&app, "2018-01-20T08:00:00+08:00");
    once_at(&app, "2018-01-20T08:31:00+08:00");
    assert_eq!(
        of_kind(&app, "digest").len(),
        5,
        "the 20th's digest, one per department"
    );
    // Down from the 20th 08:31 until the 22nd 09:00: the 21st and 22nd 08:30 missed.
    let log = once_at(&app, "2018-01-22T09:00:00+08:00");
    let digests = of_kind(&app, "digest");
    assert_eq!(digests.len(), 10, "one more each, not two");
    assert!(log.contains("slots missed while down"), "{log}");
    once_at(&app, "2018-01-22T09:30:00+08:00");
    assert_eq!(of_kind(&app, "digest").len(), 10, "and not again");
}

#[tokio::test]
async fn a_reminder_held_up_past_the_deadline_is_dropped_and_a_stale_digest_is_replaced() {
    // SMTP unreachable (port 9 refuses at once) while the mail is queued.
    let opts = AppOptions {
        schedules: true,
        smtp_port: Some(9),
        ..AppOptions::default()
    };
    let app = TestApp::with("stale", MailEnv::shared(), opts);
    once_at(&app, "2018-01-25T08:00:00+08:00");
    once_at(&app, "2018-01-25T09:00:05+08:00");
    once_at(&app, "2018-01-26T08:35:00+08:00");
    let reminders = of_kind(&app, "reminder");
    assert!(!reminders.is_empty(), "the D-1 reminders were queued");
    assert!(reminders.iter().all(|r| r["state"] == "queued"));
    // SMTP back, but only after the deadline (17:30 on the 26th).
    let config = std::fs::read_to_string(&app.config).expect("config");
    let smtp = format!("port = {}\ntls = \"plain\"\nauth", app.env.smtp_port);
    std::fs::write(
        &app.config,
        config.replace("port = 9\ntls = \"plain\"\nauth", &smtp),
    )
    .expect("config");
    let log = once_at(&app, "2018-01-26T18:00:00+08:00");
    let reminders = of_kind(&app, "reminder");
    assert!(
        reminders.iter().all(|r| r["state"] == "failed"
            && r["last_error"]
                .as_str()
                .is_some_and(|e| e.starts_with("dropped, not sent"))),
        "{reminders:#?}"
    );
    assert!(log.contains("not sent: no longer true"), "{log}");
    // Each department had two digests waiting: the newer goes, the older
    // is replaced.
    let digests = of_kind(&app, "digest");
    let mut by_dept: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in &digests {
        by_dept
            .entry(d["department"].as_str().unwrap_or("").to_owned())
            .or_default()
            .push(d["state"].as_str().unwrap_or("").to_owned());
    }
    assert_eq!(by_dept.len(), 5, "{digests:#?}");
    for (dept, mut states) in by_dept {
        states.sort();
        assert_eq!(states, ["failed", "sent"], "{dept}: {digests:#?}");
    }
}
