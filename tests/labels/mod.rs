//! Runs a labelled mail set (a folder of .eml files plus expected.json in the

//! corpus README's format) through inspect + classify and reports a diff per
//! failing delivery.

// Each test crate uses a part of this module.
#![allow(dead_code)]

use std::path::Path;

use chrono::{DateTime, Utc};
use mailroom::classify::{Context, Kind, classify};
use mailroom::config::{CampaignFile, UnitsFile};
use mailroom::inspect::{Limits, inspect};
use serde_json::Value;

pub fn config() -> (CampaignFile, UnitsFile) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let read =
        |f: &str| std::fs::read_to_string(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let campaign: CampaignFile =
        toml::from_str(&read("campaign-2017.toml")).expect("campaign file parses");
    let units: UnitsFile = toml::from_str(&read("units.toml")).expect("units file parses");
    (campaign, units)
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn json<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

/// Checks every delivery of `dir/expected.json`; returns (deliveries, failures).
pub fn run(dir: &str) -> (usize, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let (campaign, units) = config();
    let own: Vec<String> = campaign
        .departments
        .iter()
        .map(|d| d.mailbox.clone())
        .collect();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json readable"),
    )
    .expect("expected.json parses");
    let entries = expected.as_array().expect("expected.json is a list");
    let limits = Limits::default();
    let mut failures = Vec::new();
    for e in entries {
        let file = e["file"].as_str().unwrap_or("?");
        let department = e["department"].as_str().unwrap_or("?");
        let arrived: DateTime<Utc> =
            DateTime::parse_from_rfc3339(e["internaldate"].as_str().unwrap_or(""))
                .expect("internaldate is RFC 3339")
                .with_timezone(&Utc);
        let raw = std::fs::read(dir.join(file)).unwrap_or_else(|err| panic!("{file}: {err}"));
        let insp = inspect(&raw, &limits);
        let ctx = Context::new(&campaign, &units, department, arrived, &own);
        let c = classify(&insp, &ctx);
        let x = &e["expect"];
        let mut diffs = Vec::new();
        let mut check = |what: &str, want: Value, got: Value| {
            if want != got {
                diffs.push(format!("  {what}: expected {want}, got {got}"));
            }
        };
        check("kind", x["kind"].clone(), json(&c.kind));
        if c.kind == Kind::Submission || x["kind"] == "submission" {
            check("unit", x["unit"].clone(), json(&c.unit));
        }
        check("projects", x["projects"].clone(), json(&c.projects));
        check("items", x["items"].clone(), json(&c.items));
        check("late", x["late"].clone(), json(&c.late));
        check("misrouted", x["misrouted"].clone(), json(&c.misrouted));
        check("receipt", x["receipt"].clone(), json(&c.wants_receipt()));
        let ledger = ["resubmission", "duplicate_delivery"];
        let want_flags: Vec<String> = strs(&x["flags"])
            .into_iter()
            .filter(|f| !ledger.contains(&f.as_str()))
            .collect();
        check("flags", json(&want_flags), json(&c.flags));
        let mut want_att: Vec<(String, String, Vec<String>)> = x["attachments"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| {
                        (
                            v["filename"].as_str().unwrap_or("").to_owned(),
                            v["sha256"].as_str().unwrap_or("").to_owned(),
                            strs(&v["members"]),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut got_att: Vec<(String, String, Vec<String>)> = c
            .materials()
            .into_iter()
            .filter_map(|i| insp.attachments.get(i))
            .map(|a| {
                (
                    a.filename.clone(),
                    a.sha256.clone(),
                    a.members.clone().unwrap_or_default(),
                )
            })
            .collect();
        want_att.sort();
        got_att.sort();
        check("attachments", json(&want_att), json(&got_att));
        if !diffs.is_empty() {
            failures.push(format!(
                "{file} ({department}):\n{}\n  reasons: {}",
                diffs.join("\n"),
                c.reasons.join(" | ")
            ));
        }
    }
    (entries.len(), failures)
}
