//! Fixtures for the report tests: the shipped configuration and deliveries
//! made by hand, at fixed times (never the wall clock).

use chrono::{DateTime, Utc};

use super::DeliveryView;
use crate::config::{Config, Secrets};

/// The shipped example configuration (five departments, 42 units).
pub(crate) fn config() -> Config {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["campaign-2017.toml", "units.toml", "mailroom.example.toml"] {
        std::fs::copy(repo.join(f), dir.path().join(f)).expect("copy");
    }
    Config::load(&dir.path().join("mailroom.example.toml"), Secrets::Skip)
        .unwrap_or_else(|e| panic!("example config invalid:\n{e}"))
}

pub(crate) fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("fixed time")
        .with_timezone(&Utc)
}

/// A submission from `unit` for `items` to the org department's mailbox.
pub(crate) fn delivery(
    id: i64,
    unit: Option<&str>,
    items: &[&str],
    received: &str,
) -> DeliveryView {
    let received_at = at(received);
    DeliveryView {
        ledger_id: id,
        uid: Some(id),
        message_id: Some(format!("m{id}@example.test")),
        message_key: format!("key{id}"),
        department: "org".into(),
        received_at,
        fetched_at: received_at,
        from: Some("someone@example.test".into()),
        subject: "材料".into(),
        kind: "submission".into(),
        unit: unit.map(str::to_owned),
        unit_source: unit.map(|_| "sender".to_owned()),
        projects: items
            .iter()
            .filter_map(|i| i.split('.').next())
            .map(str::to_owned)
            .collect(),
        form_projects: Vec::new(),
        has_form: false,
        items: items.iter().map(|i| (*i).to_owned()).collect(),
        late: received_at > at("2018-01-26T17:30:00+08:00"),
        date_skew_secs: None,
        misrouted: false,
        expected_departments: vec!["org".into()],
        flags: Vec::new(),
        // One readable file naming the items: material that counts.
        attachments: vec![super::AttachmentView {
            filename: "材料.pdf".into(),
            safe_filename: "材料.pdf".into(),
            size: 4096,
            sha256: "00".repeat(32),
            content_type: "application/pdf".into(),
            items: items.iter().map(|i| (*i).to_owned()).collect(),
            members: None,
            problem: None,
        }],
        receipt: "sent".into(),
        reasons: Vec::new(),
        resolved: false,
    }
}
