//! Writes sample receipts as HTML, one per outcome, for looking at them in
//! a browser (`deploy/local/screenshots.sh`):
//! `cargo run --example receipt_samples -- OUT_DIR`. The departments come
//! from the campaign file, so the contacts shown are the configured ones.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{TimeZone, Utc};
use mailroom::outbox::receipt::{self, Dept, FileLine, Problem, ReceiptFacts};

#[derive(serde::Deserialize)]
struct Campaign {
    department: Vec<Department>,
}

#[derive(serde::Deserialize)]
struct Department {
    id: String,
    name: String,
    mailbox: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    phone: String,
}

fn main() -> Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .context("usage: receipt_samples OUT_DIR")?,
    );
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/campaign-2017.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let campaign: Campaign = toml::from_str(&text).context("cannot parse the campaign file")?;
    let dept = |id: &str| -> Result<Dept> {
        let d = campaign
            .department
            .iter()
            .find(|d| d.id == id)
            .with_context(|| format!("no department {id}"))?;
        Ok(Dept {
            name: d.name.clone(),
            mailbox: d.mailbox.clone(),
            contact: d.contact.clone(),
            phone: d.phone.clone(),
        })
    };
    let tz = chrono_tz::Asia::Shanghai;
    let at = |d: u32, h: u32, m: u32| {
        tz.with_ymd_and_hms(2018, 1, d, h, m, 16)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .context("bad sample time")
    };
    let base = ReceiptFacts {
        campaign_title: "2017年度东莞共青团工作考核".into(),
        unit_name: Some("望牛墩镇团委".into()),
        received_by: vec![dept("org")?],
        projects: vec![
            ("2".into(), "推进和落实共青团深化改革工作".into()),
            ("3".into(), "“网上共青团”建设工作".into()),
        ],
        items: vec![
            ("2.1".into(), "加强团的基层基础".into()),
            ("3.2".into(), "“智慧团建”工作情况".into()),
        ],
        files: vec![
            FileLine {
                name: "C:\\Documents and Settings\\Administrator\\桌面\\望牛墩镇团委2017年工作开展情况表.xlsx".into(),
                size: 18_432,
            },
            FileLine {
                name: "望牛墩镇团的基层基础支撑材料.docx".into(),
                size: 2_411_724,
            },
        ],
        arrived: at(24, 8, 31)?,
        deadline: tz
            .with_ymd_and_hms(2018, 1, 26, 17, 30, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .context("bad deadline")?,
        tz,
        problems: vec![],
    };
    let mut samples = vec![("receipt-on-time", base.clone())];
    let mut late = base.clone();
    late.arrived = at(27, 9, 2)?;
    late.problems = vec![Problem::Resubmission];
    samples.push(("receipt-late", late));
    let mut misrouted = base.clone();
    misrouted.received_by = vec![dept("publicity")?];
    misrouted.problems = vec![Problem::Misrouted {
        belongs_to: vec![dept("org")?],
    }];
    samples.push(("receipt-misrouted", misrouted));
    let mut unreadable = base.clone();
    unreadable.files = vec![FileLine {
        name: "~$望牛墩镇团委2017年工作开展情况表.xlsx".into(),
        size: 165,
    }];
    unreadable.problems = vec![Problem::LockFiles {
        files: vec!["~$望牛墩镇团委2017年工作开展情况表.xlsx".into()],
        nothing_else: true,
    }];
    samples.push(("receipt-unreadable", unreadable));
    let mut unknown = base.clone();
    unknown.unit_name = None;
    unknown.problems = vec![Problem::UnitUnknown];
    samples.push(("receipt-unknown-unit", unknown));
    for (name, facts) in samples {
        let r = receipt::render(&facts);
        let file = out.join(format!("{name}.html"));
        std::fs::write(&file, &r.html)
            .with_context(|| format!("cannot write {}", file.display()))?;
        let file = out.join(format!("{name}.txt"));
        std::fs::write(&file, format!("主题：{}\n\n{}", r.subject, r.text))
            .with_context(|| format!("cannot write {}", file.display()))?;
    }
    Ok(())
}
