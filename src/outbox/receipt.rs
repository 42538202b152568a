//! The receipt (回执) a unit gets for each submission: plain data in, subject
//! plus plain text and HTML out. Chinese, short lines, readable on a phone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::clean::clean_filename;

/// A file as the unit sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// A department, as named in the notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dept {
    pub name: String,
    pub mailbox: String,
    /// Contact person and phone, as the notice gives them (may be empty).
    pub contact: String,
    pub phone: String,
}

/// What a receipt may need to explain, each with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Sent to a department that is not responsible; not forwarded.
    Misrouted {
        belongs_to: Vec<Dept>,
    },
    /// Part of the material belongs to other departments as well.
    PartlyElsewhere {
        also: Vec<Dept>,
    },
    UnitUnknown,
    NoAttachments,
    OnlyLink,
    Unreadable {
        files: Vec<String>,
    },
    /// Files saved with a password: the unit is asked for a copy without
    /// one rather than told the file may be damaged (see
    /// [`unreadable_problems`]).
    PasswordProtected {
        files: Vec<String>,
    },
    ArchiveRefused {
        files: Vec<String>,
    },
    NotAssessed,
    Resubmission,
    UnsafeFilename,
    /// Files kept but not opened (over the inspection budget).
    Unopened {
        files: Vec<String>,
    },
    /// The message could not be understood automatically (see
    /// `intake::understand`); a person checks it.
    Quarantined,
    /// SPF, DKIM and DMARC all failed: not counted until a person confirms.
    SenderUnverified,
}

#[derive(Debug, Clone)]
pub struct ReceiptFacts {
    pub campaign_title: String,
    /// The unit's canonical name, when recognised.
    pub unit_name: Option<String>,
    /// Departments whose mailboxes received the message.
    pub received_by: Vec<Dept>,
    /// Project titles, in code order: ("（三）", "“网上共青团”建设工作").
    pub projects: Vec<(String, String)>,
    /// Items: ("3.2", "“智慧团建”工作情况").
    pub items: Vec<(String, String)>,
    pub files: Vec<FileLine>,
    pub arrived: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub tz: Tz,
    pub problems: Vec<Problem>,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

const ORDINALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// "（三）" for project code "3".
pub fn project_ordinal(code: &str) -> String {
    code.parse::<usize>()
        .ok()
        .and_then(|n| ORDINALS.get(n.wrapping_sub(1)))
        .map_or_else(|| format!("（{code}）"), |o| format!("（{o}）"))
}

fn human_size(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.0} KB", n as f64 / 1024.0)
    } else {
        format!("{n} 字节")
    }
}

fn late_by(d: chrono::Duration) -> String {
    let mins = d.num_minutes();
    if d.num_days() >= 1 {
        format!("{} 天 {} 小时", d.num_days(), d.num_hours() % 24)
    } else if d.num_hours() >= 1 {
        format!("{} 小时 {} 分钟", d.num_hours(), mins % 60)
    } else {
        format!("{} 分钟", mins.max(1))
    }
}

fn dept_list(ds: &[Dept]) -> String {
    ds.iter()
        .map(|d| format!("{}（{}）", d.name, d.mailbox))
        .collect::<Vec<_>>()
        .join("、")
}

/// Subject: `回执：已收到虎门镇团委报送的“网上共青团”建设工作材料`.
pub fn subject(f: &ReceiptFacts) -> String {
    let who = f.unit_name.as_deref().unwrap_or("贵单位");
    let what = if f.projects.is_empty() {
        "考核".to_owned()
    } else {
        f.projects
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("、")
    };
    format!("回执：已收到{who}报送的{what}材料")
}

/// One paragraph per line; the HTML and text forms are built from the same
/// lines so they never disagree.
fn lines(f: &ReceiptFacts) -> Vec<Line> {
    let mut out = Vec::new();
    let who = f.unit_name.as_deref().unwrap_or("贵单位");
    out.push(Line::Para(format!("{who}：")));
    let arrived = f.arrived.with_timezone(&f.tz);
    let depts = f
        .received_by
        .iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    out.push(Line::Para(format!(
        "团市委{depts}已于 {} 收到贵单位报送的{}材料。本邮件为系统自动回执，请勿直接回复。",
        arrived.format("%Y年%m月%d日 %H:%M:%S"),
        f.campaign_title
    )));
    let deadline = f.deadline.with_timezone(&f.tz);
    if f.arrived > f.deadline {
        out.push(Line::Warn(format!(
            "【逾期】截止时间为 {}，本次材料晚到 {}。按通知要求，逾期报送的材料不纳入本年度评优范围（逾期不报将不纳入本年度评优范围）。",
            deadline.format("%Y年%m月%d日 %H:%M"),
            late_by(f.arrived - f.deadline)
        )));
    } else {
        out.push(Line::Para(format!(
            "【按时】在截止时间（{}）前送达。",
            deadline.format("%Y年%m月%d日 %H:%M")
        )));
    }
    out.push(Line::Heading("识别到的考核项目".into()));
    if f.projects.is_empty() && f.items.is_empty() {
        out.push(Line::Bullet(
            "未能从标题、附件名或工作开展情况表中识别出考核项目。".into(),
        ));
    }
    for (code, title) in &f.projects {
        let items: Vec<String> = f
            .items
            .iter()
            .filter(|(c, _)| c.split('.').next() == Some(code.as_str()))
            .map(|(c, t)| format!("{c} {t}"))
            .collect();
        if items.is_empty() {
            out.push(Line::Bullet(format!("{}{title}", project_ordinal(code))));
        } else {
            out.push(Line::Bullet(format!(
                "{}{title}：{}",
                project_ordinal(code),
                items.join("；")
            )));
        }
    }
    out.push(Line::Heading(format!("收到的文件（{} 个）", f.files.len())));
    for file in &f.files {
        out.push(Line::Bullet(format!(
            "{}（{}，校验码 {}）",
            clean_filename(&file.name),
            human_size(file.size),
            &file.sha256[..file.sha256.len().min(12)]
        )));
    }
    if !f.problems.is_empty() {
        out.push(Line::Heading("需要注意".into()));
    }
    for p in &f.problems {
        out.push(Line::Warn(problem_text(p)));
    }
    let contacts: Vec<String> = f
        .received_by
        .iter()
        .filter(|d| !d.phone.is_empty())
        .map(|d| format!("{} {}（电话 {}）", d.name, d.contact, d.phone))
        .collect();
    out.push(Line::Para(if contacts.is_empty() {
        "如对以上内容有疑问，请致电相关科室（联系方式见考核通知）。".into()
    } else {
        format!("如对以上内容有疑问，请联系团市委{}。", contacts.join("、"))
    }));
    out
}

fn problem_text(p: &Problem) -> String {
    match p {
        Problem::Misrouted { belongs_to } => format!(
            "本材料所属考核项目的负责科室是{}，不是收件科室。系统不会自动转发，请将材料发送到{}。",
            belongs_to
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            dept_list(belongs_to)
        ),
        Problem::PartlyElsewhere { also } => format!(
            "部分材料属于其他科室负责的项目，请另行发送到{}（系统不会自动转发）。",
            dept_list(also)
        ),
        Problem::UnitUnknown => "未能识别报送单位。请在邮件标题中写明单位名称（如“××镇团委”）后重新发送。".into(),
        Problem::NoAttachments => "邮件中没有附件。请将工作开展情况表和支撑材料作为附件重新发送。".into(),
        Problem::OnlyLink => "邮件中只有下载链接（超大附件/网盘），没有附件。链接会过期，请将文件作为附件发送（文件过大可压缩或分多封邮件发送）。".into(),
        Problem::Unreadable { files } => format!(
            "以下文件无法打开（文件损坏或设置了密码）：{}。请去除密码或重新导出后再次发送。",
            shown_names(files)
        ),
        Problem::PasswordProtected { files } => format!(
            "以下文件设置了密码，系统无法打开：{}。请取消密码，将未加密的文件重新发送（无需在邮件中告知密码）。",
            shown_names(files)
        ),
        Problem::ArchiveRefused { files } => format!(
            "以下压缩包解压后体积异常，系统未予解压：{}。请直接发送其中的文件，或重新压缩后发送。",
            shown_names(files)
        ),
        Problem::NotAssessed => "根据通知，考核对象为各镇（街道）团委和成立一年以上的厂局团委，贵单位本年度不在考核范围内；材料已登记存档。".into(),
        Problem::Resubmission => "贵单位此前已报送过同一项目的材料，本次材料将作为更新版本，替代之前的版本。".into(),
        Problem::UnsafeFilename => "有附件的文件名包含路径（如“../”或盘符）或不可见的控制字符，已按安全文件名保存；建议修改文件名后重新发送。".into(),
        Problem::Unopened { files } => format!(
            "以下文件内容较大或结构复杂，系统未自动读取，已转工作人员人工核对，无需重新发送：{}。",
            files.join("、")
        ),
        Problem::Quarantined => "邮件已收到并登记，但系统未能自动读取邮件内容，已转工作人员人工核对，无需重新发送；如需补正，工作人员将另行联系。".into(),
        Problem::SenderUnverified => "本邮件未通过邮件服务商的发件人身份验证，材料暂不计入，待工作人员核实。如本邮件确为贵单位发送，请致电相关科室说明。".into(),
    }
}

/// The problems for unreadable files, from each file's name and its
/// recorded problem (`unreadable: <reason>`): password-protected files (the
/// reason starts with [`crate::inspect::PASSWORD_PROTECTED`]) get their own
/// request, any others the general one.
pub fn unreadable_problems<'a>(files: impl IntoIterator<Item = (String, &'a str)>) -> Vec<Problem> {
    let (mut locked, mut other) = (Vec::new(), Vec::new());
    for (name, problem) in files {
        let Some(reason) = problem.strip_prefix("unreadable:") else {
            continue;
        };
        if reason
            .trim_start()
            .starts_with(crate::inspect::PASSWORD_PROTECTED)
        {
            locked.push(name);
        } else {
            other.push(name);
        }
    }
    let mut out = Vec::new();
    if !locked.is_empty() {
        out.push(Problem::PasswordProtected { files: locked });
    }
    if !other.is_empty() {
        out.push(Problem::Unreadable { files: other });
    }
    out
}

/// File names as the receipt shows them (see [`clean_filename`]: the unit
/// chose these names, and the receipt leaves from an official mailbox).
fn shown_names(files: &[String]) -> String {
    files
        .iter()
        .map(|f| clean_filename(f))
        .collect::<Vec<_>>()
        .join("、")
}

enum Line {
    Para(String),
    Heading(String),
    Bullet(String),
    Warn(String),
}

pub fn render(f: &ReceiptFacts) -> Rendered {
    let lines = lines(f);
    let mut text = String::new();
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head>\
         <body style=\"font-family:sans-serif;font-size:15px;line-height:1.6;max-width:40em\">",
    );
    for l in &lines {
        match l {
            Line::Para(s) => {
                text.push_str(s);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>", escape(s)));
            }
            Line::Heading(s) => {
                text.push_str(&format!("■ {s}\n"));
                html.push_str(&format!(
                    "<h3 style=\"font-size:16px;margin:1em 0 .3em\">{}</h3>",
                    escape(s)
                ));
            }
            Line::Bullet(s) => {
                text.push_str(&format!("  · {s}\n"));
                html.push_str(&format!(
                    "<div style=\"margin-left:1em\">· {}</div>",
                    escape(s)
                ));
            }
            Line::Warn(s) => {
                text.push_str(&format!("\n！{s}\n"));
                html.push_str(&format!(
                    "<p style=\"color:#b00020\"><b>！</b>{}</p>",
                    escape(s)
                ));
            }
        }
    }
    html.push_str("</body></html>");
    Rendered {
        subject: subject(f),
        text,
        html,
    }
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests;
