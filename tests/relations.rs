//! The incremental relation flags (coverage index, indexed lookups) must
//! always agree with the plain full recomputation in `intake::relations`,
//! whatever order and batches deliveries are recorded in, and when
//! recorded deliveries change (reprocess, assign).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{TimeZone, Utc};
use mailroom::classify::{Classification, Flag, Kind};
use mailroom::inspect::Headers;
use mailroom::intake::record;
use mailroom::intake::relations::{self, Sub};
use mailroom::ledger::messages::{NewMessage, Recorded, Source, record_batch};
use mailroom::ledger::{BlobKind, Ledger};

const UNITS: [&str; 3] = ["shijie", "humen", "liaobu"];
const DEPTS: [&str; 3] = ["org", "school", "publicity"];
const ITEMS: [&str; 5] = ["3.2", "4.1", "1.3", "5.1", "2.1"];

#[derive(Clone, Debug)]
struct Spec {
    row: i64,
    key: String,
    dept: String,
    at: chrono::DateTime<Utc>,
    unit: Option<String>,
    items: Vec<String>,
    projects: Vec<String>,
    form_projects: Vec<String>,
}

fn random_spec(row: i64, key: String) -> Spec {
    let mut items: Vec<String> = ITEMS
        .iter()
        .filter(|_| fastrand::u8(..4) == 0)
        .map(|s| s.to_string())
        .collect();
    items.sort();
    let mut projects: Vec<String> = items.iter().map(|i| i[..1].to_owned()).collect();
    if fastrand::u8(..5) == 0 {
        projects.push("4".into()); // named without items
    }
    let mut form_projects = Vec::new();
    if fastrand::u8(..6) == 0 {
        for p in ["1", "2", "5"] {
            if !projects.contains(&p.to_owned()) {
                form_projects.push(p.to_owned());
                projects.push(p.to_owned());
            }
        }
    }
    projects.sort();
    projects.dedup();
    Spec {
        row,
        key,
        dept: DEPTS[fastrand::usize(..DEPTS.len())].into(),
        at: Utc
            .with_ymd_and_hms(2018, 1, 20, 0, 0, 0)
            .single()
            .expect("time")
            + chrono::Duration::minutes(fastrand::i64(0..30)),
        unit: (fastrand::u8(..8) != 0).then(|| UNITS[fastrand::usize(..UNITS.len())].into()),
        items,
        projects,
        form_projects,
    }
}

fn class(s: &Spec) -> Classification {
    Classification {
        kind: Kind::Submission,
        unit: s.unit.clone(),
        unit_source: None,
        projects: s.projects.clone(),
        form_projects: s.form_projects.clone(),
        has_form: !s.form_projects.is_empty(),
        items: s.items.clone(),
        attachments: vec![],
        late: false,
        date_skew_secs: None,
        expected_departments: vec![],
        misrouted: false,
        flags: vec![],
        reasons: vec![],
    }
}

/// The flags the plain full recomputation gives.
fn expected(specs: &HashMap<i64, Spec>) -> HashMap<i64, Vec<Flag>> {
    let subs: Vec<(Option<String>, Sub)> = specs
        .values()
        .map(|s| {
            (
                s.unit.clone(),
                Sub {
                    row: s.row,
                    message_key: s.key.clone(),
                    department: s.dept.clone(),
                    received_at: mailroom::ledger::messages::fmt_time(s.at),
                    items: s.items.clone(),
                    projects: s.projects.clone(),
                    form_projects: s.form_projects.clone(),
                },
            )
        })
        .collect();
    let mut resub = HashSet::new();
    for u in UNITS {
        let of: Vec<Sub> = subs
            .iter()
            .filter(|(x, _)| x.as_deref() == Some(u))
            .map(|(_, s)| s.clone())
            .collect();
        resub.extend(relations::resubmissions(&of));
    }
    let all: Vec<Sub> = subs.into_iter().map(|(_, s)| s).collect();
    let dup = relations::duplicate_deliveries(&all);
    specs
        .keys()
        .map(|r| {
            let mut f = Vec::new();
            if resub.contains(r) {
                f.push(Flag::Resubmission);
            }
            if dup.contains(r) {
                f.push(Flag::DuplicateDelivery);
            }
            (*r, f)
        })
        .collect()
}

#[tokio::test]
async fn incremental_flags_equal_the_full_recomputation() {
    for seed in 0..12u64 {
        fastrand::seed(seed);
        let dir = tempfile::tempdir().expect("tempdir");
        let db = format!("sqlite://{}", dir.path().join("t.db").display());
        let ledger = Ledger::open(&db, dir.path()).await.expect("ledger");
        // Messages to hang deliveries on.
        let n = 40;
        let mut rows = Vec::new();
        for i in 0..n {
            let staged = ledger
                .blobs
                .stage(BlobKind::Raw, format!("m{i}").as_bytes())
                .expect("stage");
            let m = NewMessage {
                department: "org".into(),
                source: Source::Ingest,
                folder: None,
                uidvalidity: None,
                uid: None,
                message_id: Some(format!("m{i}")),
                internal_date: Utc::now(),
                size: staged.size,
                sha256: staged.sha256.clone(),
                raw_path: staged.rel_path.clone(),
                oversize: false,
                in_junk: false,
            };
            let mut s = vec![staged];
            ledger.blobs.commit(&mut s).expect("commit");
            match record_batch(&ledger.pool, None, &[m], Utc::now())
                .await
                .expect("record")[0]
            {
                Recorded::New(id) => rows.push(id),
                Recorded::Known => panic!("fresh"),
            }
        }
        // Some messages are delivered to two mailboxes (same key).
        let mut specs: HashMap<i64, Spec> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let key = if i > 0 && fastrand::u8(..6) == 0 {
                specs[&rows[i - 1]].key.clone()
            } else {
                format!("key{i}")
            };
            let mut s = random_spec(*row, key.clone());
            if let Some(prev) = specs.values().find(|p| p.key == key) {
                // A copy of the same message: same content, another mailbox.
                s = Spec {
                    row: *row,
                    dept: DEPTS[(DEPTS.iter().position(|d| *d == prev.dept).unwrap_or(0) + 1) % 3]
                        .into(),
                    ..prev.clone()
                };
            }
            specs.insert(*row, s);
        }
        // Record in a random order, in random batches; then change some.
        let mut order: Vec<i64> = rows.clone();
        fastrand::shuffle(&mut order);
        let mut recorded: HashMap<i64, Spec> = HashMap::new();
        let mut rounds: Vec<Vec<i64>> = Vec::new();
        while !order.is_empty() {
            let k = fastrand::usize(1..=order.len().min(7));
            rounds.push(order.drain(..k).collect());
        }
        for _ in 0..4 {
            let mut again: Vec<i64> = rows
                .iter()
                .copied()
                .filter(|_| fastrand::u8(..4) == 0)
                .collect();
            again.truncate(5);
            rounds.push(again);
        }
        for (round, batch) in rounds.iter().enumerate() {
            let mut tx = ledger.pool.begin().await.expect("tx");
            for row in batch {
                let mut s = specs[row].clone();
                if recorded.contains_key(row) {
                    // Re-recorded with a change (a person re-assigned it).
                    s = random_spec(*row, s.key.clone());
                    s.dept = specs[row].dept.clone();
                    specs.insert(*row, s.clone());
                }
                record::upsert_delivery(
                    &mut tx,
                    *row,
                    &s.key,
                    &s.dept,
                    s.at,
                    &class(&s),
                    &Headers::default(),
                    &[],
                    Utc::now(),
                )
                .await
                .expect("upsert");
                recorded.insert(*row, s);
            }
            record::refresh_relations(&mut tx, batch)
                .await
                .expect("refresh");
            tx.commit().await.expect("commit");
            // Compare everything recorded so far.
            let want = expected(&recorded);
            let got: Vec<(i64, String)> =
                sqlx::query_as("SELECT message_row, flags FROM deliveries")
                    .fetch_all(&ledger.pool)
                    .await
                    .expect("flags");
            let got: HashMap<i64, Vec<Flag>> = got
                .into_iter()
                .map(|(r, f)| (r, serde_json::from_str(&f).expect("flags json")))
                .collect();
            let keys: BTreeSet<i64> = want.keys().copied().collect();
            for r in keys {
                assert_eq!(
                    got.get(&r),
                    want.get(&r),
                    "seed {seed} round {round} row {r}: {:?}",
                    recorded[&r]
                );
            }
        }
        ledger.close().await;
    }
}
