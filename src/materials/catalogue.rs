//! `目录.xlsx` in each 科室's folder: one row per file, by unit then item,
//! with a link to the file (relative, so it still works in a copy or a
//! zip of the folder), arrival time, on time or late, and the receipt.

use std::path::{Component, Path};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Url, Workbook};

use super::layout::{Material, Placement, Slot};
use crate::config::Config;
use crate::report::{labels, sheets};

const HEAD: [(&str, f64); 8] = [
    ("单位", 18.0),
    ("考核项目", 22.0),
    ("文件", 40.0),
    ("版本", 8.0),
    ("到达时间", 18.0),
    ("是否逾期", 8.0),
    ("回执", 10.0),
    ("备注", 24.0),
];

/// The workbook for `department`, built from that 科室's placements;
/// `links` gives each placement's target relative to the tree.
pub fn workbook(
    cfg: &Config,
    department: &str,
    materials: &[Material],
    placements: &[(usize, &Placement)],
    links: &std::collections::HashMap<usize, std::path::PathBuf>,
) -> Result<Vec<u8>> {
    let c = &cfg.campaign;
    let dept_name = |id: &str| c.department(id).map_or(id.to_owned(), |d| d.name.clone());
    let mut wb = Workbook::new();
    // Fixed document dates: a rebuild writes the same bytes.
    let as_of = materials
        .iter()
        .map(|m| m.received_at)
        .max()
        .unwrap_or_else(|| c.campaign.deadline.with_timezone(&Utc));
    wb.set_properties(&DocProperties::new().set_creation_datetime(&excel_time(as_of)?));
    let ws = wb.add_worksheet();
    ws.set_name("材料目录").context("cannot name the sheet")?;
    sheets::landscape(
        ws,
        &sheets::Titles {
            rows: (1, 1),
            columns: Some((0, 0)),
        },
    )?;
    let title = format!(
        "{}{}材料目录（截至{}）",
        c.campaign.title,
        dept_name(department),
        local(as_of, cfg)
    );
    ws.write_with_format(0, 0, title, &sheets::title())
        .context("cannot write the title")?;
    for (col, (h, w)) in HEAD.iter().enumerate() {
        let col = col as u16;
        ws.write_with_format(1, col, *h, &sheets::head())
            .context("cannot write the header")?;
        ws.set_column_width(col, *w)
            .context("cannot size a column")?;
    }
    let mut rows: Vec<&(usize, &Placement)> = placements.iter().collect();
    rows.sort_by_key(|(_, p)| (p.slot.clone(), !p.current, p.path.clone()));
    let cell = sheets::cell();
    for (n, (i, p)) in rows.into_iter().enumerate() {
        let r = n as u32 + 2;
        let m = &materials[p.source];
        let (unit, item) = match &p.slot {
            Slot::Filed { item, unit } => {
                let title = c
                    .item(item)
                    .map_or(item.clone(), |(_, it)| format!("{item} {}", it.title));
                (unit.clone(), title)
            }
            Slot::Pending => ("（待核对）".to_owned(), m.items.join("、")),
        };
        let target = links.get(i).unwrap_or(&p.path);
        let inside = below_department(target);
        let shown = inside.to_string_lossy().replace('\\', "/");
        let mut note = Vec::new();
        if m.landed != p.department {
            note.push(format!("寄至{}邮箱", dept_name(&m.landed)));
        }
        if p.slot == Slot::Pending {
            note.push(format!(
                "编号{}：用 mailroom assign 确定单位和项目",
                m.ledger_id
            ));
        }
        let texts = [
            unit,
            item,
            String::new(),
            if p.current { "最新" } else { "历次" }.to_owned(),
            local(m.received_at, cfg),
            if m.late { "逾期" } else { "按时" }.to_owned(),
            labels::receipt(&m.receipt).into_owned(),
            note.join("；"),
        ];
        for (col, t) in texts.iter().enumerate() {
            if col == 2 {
                continue;
            }
            ws.write_with_format(r, col as u16, t.as_str(), &cell)
                .context("cannot write a row")?;
        }
        ws.write_url_with_format(
            r,
            2,
            Url::new(format!("file:///{shown}")).set_text(&shown),
            &cell,
        )
        .context("cannot write a link")?;
        let height = sheets::row_height(texts.iter().zip(HEAD).map(|(t, (_, w))| (t.as_str(), w)));
        ws.set_row_height(
            r,
            height.max(sheets::row_height([(shown.as_str(), HEAD[2].1)])),
        )
        .context("cannot size a row")?;
    }
    ws.set_freeze_panes(2, 1)
        .context("cannot freeze the header")?;
    wb.save_to_buffer().context("cannot build the catalogue")
}

fn excel_time(t: DateTime<Utc>) -> Result<ExcelDateTime> {
    use chrono::{Datelike, Timelike};
    ExcelDateTime::from_ymd(t.year() as u16, t.month() as u8, t.day() as u8)
        .and_then(|d| d.and_hms(t.hour() as u16, t.minute() as u8, t.second() as f64))
        .context("cannot date the catalogue")
}

fn local(t: DateTime<Utc>, cfg: &Config) -> String {
    t.with_timezone(&cfg.tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The path without its first component (the 科室's folder the workbook
/// sits in).
fn below_department(p: &Path) -> std::path::PathBuf {
    p.components()
        .skip(1)
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect()
}
