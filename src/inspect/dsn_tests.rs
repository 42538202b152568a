use super::*;
use crate::inspect::{Headers, Mailbox};

#[test]
fn delivery_status_fields() {
    let mut insp = Inspection {
        report_type: Some("delivery-status".into()),
        ..Inspection::default()
    };
    let body = b"Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; a@b.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <a@b.test>:\r\n    User unknown\r\n";
    report_part(&mut insp, "message/delivery-status", body);
    report_part(
        &mut insp,
        "text/rfc822-headers",
        b"Subject: x\r\nMessage-ID: <r-1@mailroom.test>\r\n",
    );
    detect(&mut insp);
    let r = insp.dsn.expect("a report");
    assert!(r.structured);
    assert_eq!(r.original_message_id.as_deref(), Some("r-1@mailroom.test"));
    assert_eq!(r.recipients.len(), 1);
    assert_eq!(r.recipients[0].address, "a@b.test");
    assert_eq!(r.recipients[0].status.as_deref(), Some("5.1.1"));
    assert!(
        r.recipients[0]
            .diagnostic
            .as_deref()
            .is_some_and(|d| d.contains("User unknown"))
    );
}

#[test]
fn plain_mailer_daemon_text() {
    let mut insp = Inspection {
        headers: Headers {
            from: Some(Mailbox { address: "mailer-daemon@mx.test".into(), name: None }),
            subject: "failure notice".into(),
            ..Headers::default()
        },
        body_text: "I wasn't able to deliver your message.\n<x@y.test>:\nSorry, no mailbox here by that name. (#5.1.1)\n\nMessage-ID: <orig@mailroom.test>\n".into(),
        ..Inspection::default()
    };
    detect(&mut insp);
    let r = insp.dsn.expect("a plain bounce");
    assert!(!r.structured);
    assert_eq!(r.original_message_id.as_deref(), Some("orig@mailroom.test"));
    assert_eq!(r.recipients[0].address, "x@y.test");
    assert_eq!(r.recipients[0].status.as_deref(), Some("5.1.1"));
}

#[test]
fn an_ordinary_message_is_no_bounce() {
    let mut insp = Inspection {
        body_text: "附件是材料，请查收。".into(),
        ..Inspection::default()
    };
    detect(&mut insp);
    assert!(insp.dsn.is_none());
}
