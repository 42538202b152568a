use super::*;
use crate::report::columns::width;
use crate::report::review::{Item, Reason};
use crate::report::testing::config;

fn outbox_row_with(subject: &str, note: Option<&str>) -> crate::outbox::OutboxRow {
    crate::outbox::OutboxRow {
        id: 1234,
        kind: "receipt".into(),
        dedupe_key: "receipt:k".into(),
        department: "org".into(),
        mail_from: "tswzzb3@126.com".into(),
        recipients: r#"["shijietw@163.com","shijie-backup@163.com"]"#.into(),
        subject: subject.into(),
        message_id: "<r1@mailroom>".into(),
        state: "failed".into(),
        attempts: 3,
        not_before: "2018-01-26T09:00:00Z".into(),
        created_at: "2018-01-26T09:00:00Z".into(),
        sent_at: None,
        last_error: note.map(str::to_owned),
        held_reason: None,
        bounce: None,
    }
}

#[test]
fn an_outbox_row_is_one_line_within_100_columns_and_the_problem_follows_whole() {
    let subject =
        "回执：已收到虎门镇团委报送的“网上共青团”建设工作材料（3.1 智慧团建系统录入情况）";
    let note = "552 Illegal Attachment: the message contains an attachment the provider refuses (DT:SPM 163 smtp14,EsCowAD3b_Rn), try again later or remove it";
    let row = outbox_row(&outbox_row_with(subject, Some(note)), "01-26 17:00:00");
    let lines: Vec<&str> = row.lines().collect();
    for l in &lines {
        assert!(width(l) <= SCREEN, "{} columns: {l}", width(l));
    }
    assert!(lines[0].starts_with(" 1234  receipt  failed     3  01-26 17:00:00  "));
    assert!(
        lines[0].contains("回执：已收到") && lines[0].ends_with('…'),
        "{}",
        lines[0]
    );
    assert!(lines.len() >= 3, "{row}");
    let rest: Vec<&str> = lines[1..].iter().map(|l| l.trim()).collect();
    assert_eq!(rest.join(" "), format!("[{note}]"));
    // No problem: one line.
    let plain = outbox_row(
        &outbox_row_with("【每日汇总】组织部", None),
        "01-26 17:00:00",
    );
    assert_eq!(plain.lines().count(), 1);
    assert!(plain.ends_with("【每日汇总】组织部"), "{plain}");
}

#[test]
fn a_review_item_wraps_within_100_columns() {
    let cfg = config();
    let item = Item {
        ledger_id: 17,
        message_key: "k".into(),
        department: "org".into(),
        received_at: "2018-01-26T16:02:11+08:00".into(),
        unit: Some("sytz".into()),
        from: Some("someone.with.a.long.address@subsidiary.example.test".into()),
        subject: "东莞实业投资控股集团团委关于报送2017年度共青团工作考核材料（项目一至项目五）的函".into(),
        reason: Reason::InJunk,
        action: "in webmail, open the junk folder and mark someone.with.a.long.address@subsidiary.example.test as not spam (这不是垃圾邮件), so the unit's next mail reaches INBOX; then: mailroom review --resolve 17".into(),
        advice: "请在网页邮箱的垃圾邮件文件夹中将该发件人标记为非垃圾邮件。".into(),
    };
    let text = review_item(&cfg, &item);
    for l in text.lines() {
        assert!(width(l) <= SCREEN, "{} columns: {l}", width(l));
    }
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("[17] 被邮箱服务商归入垃圾邮件"),
        "{text}"
    );
    assert!(text.contains("      from someone.with.a.long.address@subsidiary.example.test — "));
    assert!(text.contains("      → in webmail,"), "{text}");
    assert!(text.contains("mailroom review --resolve 17"), "{text}");
    // Nothing is lost to the wrapping.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    assert!(squeeze(&text).contains(&squeeze(&item.subject)), "{text}");
    assert!(squeeze(&text).contains(&squeeze(&item.action)), "{text}");
}
