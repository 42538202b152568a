//! Reminders to assessed units that still miss something, grouped by the
//! department to send it to (units send one mail per department): the
//! department's mailbox, contact and phone, the missing items as the notice
//! numbers them; where the overview form goes; what the unit already sent;
//! the deadline. Pure: deliveries in, reminders out.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::{Config, Unit};
use crate::outbox::receipt::{SIGN_INDENT, date, escape, html_open, project_ordinal, when};
use crate::report::DeliveryView;
use crate::report::matrix::receives_item;
use crate::report::received::Material;

/// What one unit still owes.
#[derive(Debug, Clone)]
pub struct Reminder<'a> {
    pub unit: &'a Unit,
    /// Item codes not received at all (on time or late): a refused archive,
    /// a lock file or only a download link do not count (`report::received`).
    pub missing: Vec<String>,
    /// No filled overview form received from the unit.
    pub form_missing: bool,
    /// What arrived from the unit: (arrival, department id, subject, items/projects).
    pub sent: Vec<&'a DeliveryView>,
    /// The missing items by the department to send them to, in the
    /// campaign's department order.
    pub groups: Vec<Group>,
}

/// The missing items one department is waiting for.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub department: String,
    pub items: Vec<String>,
}

/// An item several departments answer for (1.1, 1.3) is listed once, under
/// the first the notice names: the unit sends it there, with the others
/// named as equally valid, and is not asked to send it twice.
pub fn groups(cfg: &Config, missing: &[String]) -> Vec<Group> {
    let c = &cfg.campaign;
    let mut out: Vec<Group> = c
        .departments
        .iter()
        .map(|d| Group {
            department: d.id.clone(),
            items: Vec::new(),
        })
        .collect();
    for (_, item) in c.items().filter(|(_, i)| missing.contains(&i.code)) {
        if let Some(g) = item
            .departments
            .first()
            .and_then(|d| out.iter_mut().find(|g| &g.department == d))
        {
            g.items.push(item.code.clone());
        }
    }
    out.retain(|g| !g.items.is_empty());
    out
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
                .filter(|code| !sent.iter().any(|d| receives_item(d, code)))
                .collect();
            let form_missing = !sent
                .iter()
                .any(|d| d.has_form && d.received().material == Material::Files);
            (!missing.is_empty() || form_missing).then(|| Reminder {
                unit: u,
                groups: groups(cfg, &missing),
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
        "【提醒】{}尚缺{}项考核材料，截止{}",
        r.unit.name,
        n,
        deadline.format("%-m月%-d日 %-H:%M"),
    )
}

enum Line {
    Para(String),
    Heading(String),
    Bullet(String),
    Sign(String),
}

/// "（二）1．加强团的基层基础": the item as the notice numbers it.
fn item_label(cfg: &Config, code: &str) -> String {
    match cfg.campaign.item(code) {
        Some((p, i)) => {
            let n = code.rsplit('.').next().unwrap_or(code);
            format!("{}{n}．{}", project_ordinal(&p.code), i.title)
        }
        None => code.to_owned(),
    }
}

fn lines(cfg: &Config, r: &Reminder<'_>, now: DateTime<Utc>) -> Vec<Line> {
    let c = &cfg.campaign;
    let deadline = c.campaign.deadline.with_timezone(&Utc);
    let left = deadline - now;
    let mut out = vec![
        Line::Para(format!("{}：", r.unit.name)),
        Line::Para(format!(
            "根据《{}》（{}），请于{}前，将工作开展情况表和支撑材料分项目以电子文档形式发送到相关考核项目的对应科室，逾期不报将不纳入本年度评优范围。距截止还有约{}天{}小时。",
            c.campaign.notice_title,
            c.campaign.notice_number,
            when(deadline, cfg.tz),
            left.num_days().max(0),
            (left.num_hours() % 24).max(0)
        )),
    ];
    if !r.groups.is_empty() {
        out.push(Line::Para(format!(
            "截至{}，团市委尚未收到贵单位以下材料。请按科室分别发送，每个科室一封邮件：",
            when(now, cfg.tz)
        )));
    }
    for g in &r.groups {
        let Some(d) = c.department(&g.department) else {
            continue;
        };
        out.push(Line::Heading(format!(
            "{}（联系人{}，电话{}）",
            d.name, d.contact, d.phone
        )));
        out.push(Line::Bullet(format!("发送至：{}", d.mailbox)));
        for code in &g.items {
            let also: Vec<&str> = c
                .item(code)
                .map(|(_, i)| {
                    i.departments
                        .iter()
                        .skip(1)
                        .filter_map(|x| c.department(x))
                        .map(|x| x.name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let note = if also.is_empty() {
                String::new()
            } else {
                format!("（也可发送{}）", also.join("或"))
            };
            out.push(Line::Bullet(format!("{}{note}", item_label(cfg, code))));
        }
    }
    if r.form_missing {
        out.push(Line::Heading(c.campaign.form_heading.clone()));
        out.push(Line::Bullet(
            "尚未收到贵单位填写的工作开展情况表。本邮件附有空白表格，请填写后随发往各科室的邮件一并附上。"
                .into(),
        ));
    }
    out.push(Line::Heading(format!("已收到的材料（{}件）", r.sent.len())));
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
            d.items
                .iter()
                .map(|i| item_label(cfg, i))
                .collect::<Vec<_>>()
                .join("；")
        };
        // Mail that brought nothing usable is listed, so the unit sees it
        // arrived, with why its items are still asked for above.
        let note = match d.received().material {
            Material::Files => "",
            Material::Link => "（仅有下载链接，未计为已收，请将文件作为附件发送）",
            Material::Nothing => "（未附可用文件，未计为已收，请按回执要求重新发送）",
        };
        out.push(Line::Bullet(format!(
            "{}，{}收：{}{note}",
            when(d.received_at, cfg.tz),
            cfg.department(&d.department)
                .map_or(d.department.as_str(), |x| x.name.as_str()),
            if what.is_empty() {
                "未识别项目".into()
            } else {
                what
            },
        )));
    }
    out.push(Line::Para(
        "如已报送，请忽略本提醒，或致电对应科室核实。本邮件为系统自动发送，请勿直接回复。".into(),
    ));
    let signer = cfg
        .department(&cfg.service.reminders.department)
        .map_or_else(String::new, |d| d.name.clone());
    out.push(Line::Sign(format!("共青团东莞市委员会{signer}")));
    out.push(Line::Sign(date(now, cfg.tz)));
    out
}

/// What `remind --preview --json` shows of one reminder.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub unit: String,
    pub to: Vec<String>,
    pub missing_items: Vec<String>,
    pub form_missing: bool,
    pub departments: Vec<GroupSummary>,
}

#[derive(Debug, Serialize)]
pub struct GroupSummary {
    pub department: String,
    pub name: String,
    pub mailbox: String,
    pub contact: String,
    pub phone: String,
    pub items: Vec<String>,
}

pub fn summary(cfg: &Config, r: &Reminder<'_>) -> Summary {
    Summary {
        unit: r.unit.id.clone(),
        to: r.unit.contacts.clone(),
        missing_items: r.missing.clone(),
        form_missing: r.form_missing,
        departments: r
            .groups
            .iter()
            .filter_map(|g| {
                cfg.department(&g.department).map(|d| GroupSummary {
                    department: d.id.clone(),
                    name: d.name.clone(),
                    mailbox: d.mailbox.clone(),
                    contact: d.contact.clone(),
                    phone: d.phone.clone(),
                    items: g.items.clone(),
                })
            })
            .collect(),
    }
}

pub fn render(cfg: &Config, r: &Reminder<'_>, now: DateTime<Utc>) -> (String, String, String) {
    let subject = subject(cfg, r);
    let mut text = String::new();
    let mut html = html_open(
        &subject,
        "font-size:15px;line-height:1.7;max-width:40em;margin:0 auto;padding:0 12px",
    );
    for l in lines(cfg, r, now) {
        match l {
            Line::Para(s) => {
                if !text.is_empty() && !text.ends_with("\n\n") {
                    text.push('\n');
                }
                text.push_str(&s);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>", escape(&s)));
            }
            Line::Heading(s) => {
                if !text.ends_with("\n\n") {
                    text.push('\n');
                }
                text.push_str(&format!("■ {s}\n"));
                html.push_str(&format!(
                    "<h3 style=\"font-size:16px;margin:1em 0 .2em\">{}</h3>",
                    escape(&s)
                ));
            }
            Line::Bullet(s) => {
                text.push_str(&format!("  · {s}\n"));
                html.push_str(&format!(
                    "<div style=\"margin-left:1em;text-indent:-1em\">· {}</div>",
                    escape(&s)
                ));
            }
            Line::Sign(s) => {
                text.push_str(&format!("{SIGN_INDENT}{s}\n"));
                html.push_str(&format!(
                    "<div style=\"text-align:right\">{}</div>",
                    escape(&s)
                ));
            }
        }
    }
    text.push('\n');
    html.push_str("</body></html>");
    (subject, text, html)
}
