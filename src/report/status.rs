//! `mailroom status`: the matrix in the terminal, units down, projects (or a
//! department's items) across: ✓ 已收, 逾 逾期, 链 链接待下载, · 未收.

use super::DeliveryView;
use super::columns::{pad, width};
use super::matrix::{self, Cell, Matrix};
use crate::config::Config;

fn mark(c: Cell) -> &'static str {
    match c {
        Cell::OnTime => "✓",
        Cell::Late => "逾",
        Cell::Link => "链",
        Cell::Missing => "·",
    }
}

pub fn matrix_for(cfg: &Config, deliveries: &[DeliveryView], department: Option<&str>) -> Matrix {
    match department {
        Some(d) => matrix::by_items(cfg, deliveries, &crate::schedule::digest::items_of(cfg, d)),
        None => matrix::by_project(cfg, deliveries),
    }
}

pub fn render(cfg: &Config, m: &Matrix, title: &str) -> String {
    let mut out = format!(
        "{title}\n已收 {}　逾期 {}　链接待下载 {}　未收 {}（✓ 已收，逾 逾期，链 链接待下载，· 未收）\n\n",
        m.count(Cell::OnTime),
        m.count(Cell::Late),
        m.count(Cell::Link),
        m.count(Cell::Missing)
    );
    let uw = m
        .units
        .iter()
        .map(|(_, n)| width(n))
        .max()
        .unwrap_or(4)
        .max(4)
        + 2;
    out.push_str(&pad("", uw));
    for (code, _) in &m.columns {
        let h = if code == matrix::FORM {
            "表"
        } else {
            code.as_str()
        };
        out.push_str(&pad(h, 5));
    }
    out.push('\n');
    for (i, (_, name)) in m.units.iter().enumerate() {
        out.push_str(&pad(name, uw));
        for c in &m.cells[i] {
            out.push_str(&pad(mark(*c), 5));
        }
        out.push('\n');
    }
    out.push('\n');
    for (code, t) in &m.columns {
        let h = if code == matrix::FORM {
            "表"
        } else {
            code.as_str()
        };
        out.push_str(&format!("  {h}：{t}\n"));
    }
    let _ = cfg;
    out
}
