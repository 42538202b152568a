//! Word 97–2003 (.doc) and WPS Writer (.wps) attachments, and
//! password-protected files of every kind, through inspect + classify (no
//! mail server). The fixtures are in tests/data/doc (see its make.py).

mod labels;

use chrono::{DateTime, Utc};
use mailroom::classify::{Classification, Context, Flag, Kind, UnitSource, classify};
use mailroom::inspect::{FileKind, Inspection, Limits, PASSWORD_PROTECTED, inspect};

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/doc")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn b64(data: &[u8]) -> String {
    use base64::Engine as _;
    let s = base64::engine::general_purpose::STANDARD.encode(data);
    s.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A message from `from` with `subject` and one attachment `name`.
fn message(from: &str, subject: &str, name: &str, data: &[u8]) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: tswzzb3@126.com\r\nSubject: =?UTF-8?B?{subj}?=\r\n\
         Date: Mon, 22 Jan 2018 10:00:00 +0800\r\nMessage-ID: <doc-{n}@doc.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n请查收附件。\r\n\
         --b\r\nContent-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename*=utf-8''{fname}\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}\r\n--b--\r\n",
        subj = b64(subject.as_bytes()),
        n = name.len(),
        fname = name
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>(),
        body = b64(data),
    )
    .into_bytes()
}

fn run(raw: &[u8]) -> (Inspection, Classification) {
    let (campaign, units) = labels::config();
    let own: Vec<String> = campaign
        .departments
        .iter()
        .map(|d| d.mailbox.clone())
        .collect();
    let arrived: DateTime<Utc> = DateTime::parse_from_rfc3339("2018-01-22T10:00:00+08:00")
        .expect("date")
        .with_timezone(&Utc);
    let insp = inspect(raw, &Limits::default());
    let ctx = Context::new(&campaign, &units, "org", arrived, &own);
    let c = classify(&insp, &ctx);
    (insp, c)
}

/// Nothing but the form names the unit or the projects: an unregistered
/// sender, a subject and body that name neither.
fn form_message(name: &str, data: &[u8]) -> Vec<u8> {
    message("someone@example.org", "工作开展情况表", name, data)
}

#[test]
fn doc_form_names_the_unit_and_its_filled_projects() {
    for name in ["工作开展情况表.doc", "工作开展情况表.wps"] {
        let data = fixture(if name.ends_with(".doc") {
            "form.doc"
        } else {
            "form.wps"
        });
        let (insp, c) = run(&form_message(name, &data));
        let a = insp.attachments.first().expect("the attachment");
        assert_eq!(a.kind, FileKind::Doc, "{name}");
        assert_eq!(a.unreadable, None, "{name}");
        assert_eq!(c.kind, Kind::Submission, "{name}: {:?}", c.reasons);
        assert_eq!(c.unit.as_deref(), Some("shipai"), "{name}: {:?}", c.reasons);
        assert_eq!(c.unit_source, Some(UnitSource::Form), "{name}");
        assert!(c.has_form, "{name}");
        assert_eq!(c.projects, vec!["1", "3"], "{name}: {:?}", c.reasons);
        assert_eq!(c.form_projects, vec!["1", "3"], "{name}");
        // The remark below the table names 青年之声 (item 3.1): free text
        // inside documents is never evidence for items (corpus label rules),
        // for .doc as for .docx.
        assert!(c.items.is_empty(), "{name}: {:?}", c.items);
        assert!(!c.flags.contains(&Flag::UnreadableAttachment), "{name}");
    }
}

#[test]
fn doc_form_inside_a_zip_is_found() {
    let mut zip = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("材料/工作开展情况表.doc", opts)
            .expect("zip entry");
        std::io::Write::write_all(&mut w, &fixture("form.doc")).expect("zip write");
        w.finish().expect("zip finish");
    }
    let (insp, c) = run(&form_message("材料.zip", &zip));
    let forms = &insp.attachments.first().expect("the zip").forms;
    assert_eq!(forms.len(), 1, "{forms:?}");
    assert_eq!(
        forms.first().and_then(|f| f.member.as_deref()),
        Some("材料/工作开展情况表.doc")
    );
    assert_eq!(c.unit.as_deref(), Some("shipai"));
}

#[test]
fn password_protected_files_are_unreadable_with_the_password_reason() {
    for (fixture_name, name) in [
        ("protected.doc", "智慧团建工作材料.doc"),
        ("protected.xls", "智慧团建统计表.xls"),
        ("protected.docx", "智慧团建工作材料.docx"),
        ("protected.xlsx", "智慧团建统计表.xlsx"),
        ("protected.pdf", "智慧团建工作材料.pdf"),
    ] {
        let raw = message(
            "dgshipaitw@126.com",
            "石排镇团委智慧团建工作材料",
            name,
            &fixture(fixture_name),
        );
        let (insp, c) = run(&raw);
        let a = insp.attachments.first().expect("the attachment");
        let why = a.unreadable.as_deref().unwrap_or("");
        assert!(why.starts_with(PASSWORD_PROTECTED), "{name}: {why:?}");
        assert!(
            c.flags.contains(&Flag::UnreadableAttachment),
            "{name}: {:?}",
            c.flags
        );
        assert_eq!(c.kind, Kind::Submission, "{name}");
        assert!(
            insp.problems
                .iter()
                .any(|p| p.detail.contains(PASSWORD_PROTECTED)),
            "{name}: {:?}",
            insp.problems
        );
    }
}

#[test]
fn a_damaged_doc_is_unreadable_not_protected() {
    let mut data = fixture("form.doc");
    data.truncate(4096);
    let (insp, c) = run(&form_message("工作开展情况表.doc", &data));
    let why = insp
        .attachments
        .first()
        .and_then(|a| a.unreadable.clone())
        .unwrap_or_default();
    assert!(
        !why.is_empty() && !why.starts_with(PASSWORD_PROTECTED),
        "{why}"
    );
    assert!(c.flags.contains(&Flag::UnreadableAttachment));
}
