//! Reminders to assessed units that still miss something: per item, the
//! departments (and mailboxes) to send it to; what the unit already sent;
//! the deadline. Pure: deliveries in, reminders out.

use chrono::{DateTime, Utc};

use crate::config::{Config, Unit};
use crate::outbox::receipt::{escape, project_ordinal};
use crate::report::DeliveryView;
use crate::report::matrix::covers_item;

/// What one unit still owes.
#[derive(Debug, Clone)]
pub struct Reminder<'a> {
    pub unit: &'a Unit,
    /// Item codes not received at all (on time or late).
    pub missing: Vec<String>,
    /// No filled overview form received from the unit.
    pub form_missing: bool,
    /// What arrived from the unit: (arrival, department id, subject, items/projects).
    pub sent: Vec<&'a DeliveryView>,
}

/// Every assessed unit that misses something, in units-file order. Units
/// that sent everything and agencies that are not assessed get none.
pub fn due<'a>(cfg: &'a Config, deliveries: &'a [DeliveryView]) -> Vec<Reminder<'a>> {
    let cutoff = cfg.campaign.campaign.agencies_established_before;
    cfg.units
        .units
        .iter()
        .filter(|u| u.is_assessed(cutoff))
        .filter_map(|u| {
            let sent: Vec<&DeliveryView> = deliveries
                .iter()
                .filter(|d| d.counts() && d.unit.as_deref() == Some(u.id.as_str()))
                .collect();
            let missing: Vec<String> = cfg
                .campaign
                .items()
                .map(|(_, i)| i.code.clone())
                .filter(|code| !sent.iter().any(|d| covers_item(d, code, &d.form_projects)))
                .collect();
            let form_missing = !sent.iter().any(|d| d.has_form);
            (!missing.is_empty() || form_missing).then_some(Reminder {
                unit: u,
                missing,
                form_missing,
                sent,
            })
        })
        .collect()
}

pub fn subject(cfg: &Config, r: &Reminder<'_>) -> String {
    let deadline = cfg.campaign.campaign.deadline.with_timezone(&cfg.tz);
    let n = r.missing.len() + usize::from(r.form_missing);
    format!(
        "提醒：{}请于{}前报送{}材料（尚缺 {} 项）",
        r.unit.name,
        deadline.format("%-m月%-d日%H:%M"),
        cfg.campaign.campaign.title,
        n
    )
}

enum Line {
    Para(String),
    Heading(String),
    Bullet(String),
}

fn lines(cfg: &Config, r: &Reminder<'_>, now: DateTime<Utc>) -> Vec<Line> {
    let c = &cfg.campaign;
    let deadline = c.campaign.deadline.with_timezone(&cfg.tz);
    let left = c.campaign.deadline.with_timezone(&Utc) - now;
    let mut out = vec![
        Line::Para(format!("{}：", r.unit.name)),
        Line::Para(format!(
            "根据《关于做好{}的通知》，请于 {} 前，将工作开展情况表和支撑材料分项目以电子文档形式发送到相关考核项目的对应科室。逾期不报将不纳入本年度评优范围。距截止还有约 {} 天 {} 小时。",
            c.campaign.title,
            deadline.format("%Y年%m月%d日 %H:%M"),
            left.num_days().max(0),
            (left.num_hours() % 24).max(0)
        )),
        Line::Heading("尚未收到的材料".into()),
    ];
    for (p, item) in c.items().filter(|(_, i)| r.missing.contains(&i.code)) {
        let to: Vec<String> = item
            .departments
            .iter()
            .filter_map(|d| c.department(d))
            .map(|d| format!("{} {}", d.name, d.mailbox))
            .collect();
        out.push(Line::Bullet(format!(
            "{}{} · {} {} → 发送至：{}",
            project_ordinal(&p.code),
            p.title,
            item.code,
            item.title,
            to.join(" 或 ")
        )));
    }
    if r.form_missing {
        out.push(Line::Bullet(format!(
            "{}（附件为空白表格，填写后随材料一并发送）",
            c.campaign.form_heading
        )));
    }
    out.push(Line::Heading(format!(
        "已收到的材料（{} 件）",
        r.sent.len()
    )));
    if r.sent.is_empty() {
        out.push(Line::Bullet("暂无".into()));
    }
    for d in &r.sent {
        let what = if d.items.is_empty() {
            d.projects
                .iter()
                .map(|p| project_ordinal(p))
                .collect::<Vec<_>>()
                .join("")
        } else {
            d.items.join("、")
        };
        out.push(Line::Bullet(format!(
            "{} {}收：{}（{}）",
            d.received_at
                .with_timezone(&cfg.tz)
                .format("%m月%d日 %H:%M"),
            cfg.department(&d.department)
                .map_or(d.department.as_str(), |x| x.name.as_str()),
            if what.is_empty() {
                "未识别项目".into()
            } else {
                what
            },
            crate::clean::clean_text(&d.subject)
        )));
    }
    out.push(Line::Para(
        "本邮件由系统自动发送，请勿直接回复；材料请按上表发送到对应科室邮箱。如已报送，请忽略本提醒或致电对应科室核实。".into(),
    ));
    out
}

pub fn render(cfg: &Config, r: &Reminder<'_>, now: DateTime<Utc>) -> (String, String, String) {
    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"font-family:sans-serif;font-size:15px;line-height:1.6;max-width:40em\">",
    );
    for l in lines(cfg, r, now) {
        match l {
            Line::Para(s) => {
                text.push_str(&s);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>", escape(&s)));
            }
            Line::Heading(s) => {
                text.push_str(&format!("■ {s}\n"));
                html.push_str(&format!("<h3 style=\"font-size:16px\">{}</h3>", escape(&s)));
            }
            Line::Bullet(s) => {
                text.push_str(&format!("  · {s}\n"));
                html.push_str(&format!(
                    "<div style=\"margin-left:1em\">· {}</div>",
                    escape(&s)
                ));
            }
        }
    }
    text.push('\n');
    html.push_str("</body></html>");
    (subject(cfg, r), text, html)
}
