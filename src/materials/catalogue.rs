//! `目录.xlsx` in each 科室's folder: a unit × item grid (the newest
//! arrival, on time or late, linked to the unit's folder), then one row
//! per file, by unit then item, with a link to the file, arrival time, on
//! time or late, and the receipt. Links are relative, so they still work
//! in a copy or an unpacked zip of the folder.

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
    grid(cfg, department, materials, placements, &mut wb, as_of)?;
    let ws = wb.add_worksheet();
    ws.set_name("文件清单").context("cannot name the sheet")?;
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
        let link = inside.to_string_lossy().replace('\\', "/");
        // The unit and item (or the ledger number) have their columns: the
        // cell names the file, with its version folder, short enough to read.
        let shown = inside
            .components()
            .skip(2)
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
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
            Url::new(format!("file:///{link}")).set_text(&shown),
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

/// The first sheet: unit × this 科室's items, each cell the newest
/// arrival (按时/逾期 and the time), linked to the unit's folder for the
/// item; blank where nothing came.
fn grid(
    cfg: &Config,
    department: &str,
    materials: &[Material],
    placements: &[(usize, &Placement)],
    wb: &mut Workbook,
    as_of: DateTime<Utc>,
) -> Result<()> {
    let c = &cfg.campaign;
    let items: Vec<(&str, String)> = c
        .items()
        .filter(|(_, it)| it.departments.iter().any(|d| d == department))
        .map(|(_, it)| {
            let short = it.short.clone().unwrap_or_else(|| it.title.clone());
            (it.code.as_str(), short)
        })
        .collect();
    let ws = wb.add_worksheet();
    ws.set_name("单位×项目").context("cannot name the sheet")?;
    sheets::landscape(
        ws,
        &sheets::Titles {
            rows: (1, 1),
            columns: Some((0, 0)),
        },
    )?;
    let name = c
        .department(department)
        .map_or(department, |d| d.name.as_str());
    let title = format!("{name}收到的材料（截至{}）", local(as_of, cfg));
    ws.write_with_format(0, 0, title, &sheets::title())
        .context("cannot write the title")?;
    ws.write_with_format(1, 0, "单位", &sheets::head())
        .context("cannot write the header")?;
    ws.set_column_width(0, 20.0)
        .context("cannot size a column")?;
    let mut heads = Vec::new();
    for (n, (code, short)) in items.iter().enumerate() {
        let col = n as u16 + 1;
        let head = format!("{code} {short}");
        ws.write_with_format(1, col, head.as_str(), &sheets::head())
            .context("cannot write the header")?;
        ws.set_column_width(col, 16.0)
            .context("cannot size a column")?;
        heads.push(head);
    }
    // Long item names wrap: the header row is as tall as the longest.
    ws.set_row_height(
        1,
        sheets::row_height(heads.iter().map(|h| (h.as_str(), 16.0))),
    )
    .context("cannot size the header")?;
    // (item, unit) → its newest file (any of them: they share the message).
    let mut newest = std::collections::HashMap::new();
    for (i, p) in placements {
        if let Slot::Filed { item, unit } = &p.slot
            && p.current
        {
            newest
                .entry((item.as_str(), unit.as_str()))
                .or_insert((*i, *p));
        }
    }
    let cell = sheets::cell();
    for (r, u) in cfg.units.units.iter().enumerate() {
        let row = r as u32 + 2;
        ws.write_with_format(row, 0, u.name.as_str(), &cell)
            .context("cannot write a unit")?;
        for (n, (code, short)) in items.iter().enumerate() {
            let col = n as u16 + 1;
            let newest = newest.get(&(*code, u.name.as_str()));
            match newest {
                Some((_, p)) => {
                    let m = &materials[p.source];
                    let text = format!(
                        "{} {}",
                        if m.late { "逾期" } else { "按时" },
                        local(m.received_at, cfg)
                    );
                    let folder = super::layout::item_folder(code, short);
                    let target = format!("{folder}/{}", super::layout::component(&u.name));
                    ws.write_url_with_format(
                        row,
                        col,
                        Url::new(format!("file:///{target}")).set_text(text),
                        &cell,
                    )
                    .context("cannot write a link")?;
                }
                None => {
                    ws.write_with_format(row, col, "", &cell)
                        .context("cannot write a cell")?;
                }
            }
        }
    }
    ws.set_freeze_panes(2, 1)
        .context("cannot freeze the header")?;
    Ok(())
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
