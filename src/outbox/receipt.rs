//! The receipt (回执) a unit gets for each submission: plain data in, subject
//! plus plain text and HTML out. It reads like an official receipt: a short
//! subject that carries the outcome (a phone shows its first twenty
//! characters), a first paragraph that says what arrived and whether the
//! unit still has something to do, what to do, whom to call, and a 落款.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::clean::clean_filename;

mod outcome;
mod words;

pub use outcome::{Outcome, subject};

pub use words::{date, dept_full, human_size, late_by, machine_text, when};

/// A file as the unit sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLine {
    pub name: String,
    pub size: u64,
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
    /// Office lock files (`~$报告.xlsx`): written by Word/Excel while a file
    /// is open, a few hundred bytes, never the material. `nothing_else`:
    /// no other usable file came with them.
    LockFiles {
        files: Vec<String>,
        nothing_else: bool,
    },
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

/// The longest subject: what a phone's mail list shows of it, and then some.
pub const MAX_SUBJECT: usize = 32;

const ORDINALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// "（三）" for project code "3".
pub fn project_ordinal(code: &str) -> String {
    code.parse::<usize>()
        .ok()
        .and_then(|n| ORDINALS.get(n.wrapping_sub(1)))
        .map_or_else(|| format!("（{code}）"), |o| format!("（{o}）"))
}

/// "（三）“网上共青团”建设工作" or "考核" when nothing was recognised.
fn what_arrived(f: &ReceiptFacts) -> String {
    if f.projects.is_empty() {
        "考核材料".into()
    } else {
        let p = f
            .projects
            .iter()
            .map(|(c, t)| format!("{}{t}", project_ordinal(c)))
            .collect::<Vec<_>>()
            .join("、");
        format!("{p}材料")
    }
}

/// The first paragraph: who received what, when, and whether the unit is
/// done. The tag in front is never 【按时】 when something is asked.
fn opening(f: &ReceiptFacts, outcome: &Outcome) -> String {
    let depts = words::dept_names(&f.received_by);
    let at = when(f.arrived, f.tz);
    let deadline = when(f.deadline, f.tz);
    let late = f.arrived > f.deadline;
    let files = if f.files.is_empty() {
        String::new()
    } else {
        format!("（文件{}个）", f.files.len())
    };
    let got = format!(
        "团市委{depts}于{at}收到贵单位报送的{}{files}",
        what_arrived(f)
    );
    let timing = if late {
        format!(
            "晚于截止时间（{deadline}）{}",
            late_by(f.arrived - f.deadline)
        )
    } else {
        "在截止时间前送达".to_owned()
    };
    let resend_by = if late {
        String::new()
    } else {
        format!("，并于{deadline}前发送")
    };
    match outcome {
        Outcome::NeedsFix(why) => format!(
            "【需补正】{got}，{timing}，但{why}，报送尚未完成。请按下列要求补正{resend_by}。"
        ),
        Outcome::Misrouted(to) => format!(
            "【请改发】{got}，{timing}，但所报项目由{to}负责，本科室不能代为登记。请将材料发送到负责科室{resend_by}。"
        ),
        Outcome::PartlyElsewhere(_) => format!(
            "【{}，部分需另发】{got}，{timing}；其中部分项目由其他科室负责，请另行发送{resend_by}。",
            if late { "逾期" } else { "按时" }
        ),
        Outcome::UnitUnknown => format!(
            "【请注明单位】{got}，{timing}，但未能识别报送单位。请写明单位名称后重新发送{resend_by}。"
        ),
        Outcome::Held => {
            format!("【待核对】{got}，{timing}。材料已登记，工作人员核对后计入，无需重新发送。")
        }
        Outcome::Filed => format!("【存档】{got}，{timing}。材料已登记存档。"),
        Outcome::Late => format!(
            "【逾期】{got}，{timing}。按通知要求，逾期报送的材料不纳入本年度评优范围；材料已登记存档。"
        ),
        Outcome::OnTime => {
            format!("【按时】{got}，{timing}，材料已登记，无需再次发送。")
        }
    }
}

/// One paragraph per line; the HTML and text forms are built from the same
/// lines so they never disagree.
fn lines(f: &ReceiptFacts) -> Vec<Line> {
    let outcome = Outcome::of(f);
    let mut out = Vec::new();
    out.push(Line::Para(match &f.unit_name {
        Some(u) => format!("{u}："),
        None => "您好：".to_owned(),
    }));
    if outcome.asks() {
        out.push(Line::Warn(opening(f, &outcome)));
    } else {
        out.push(Line::Para(opening(f, &outcome)));
    }
    let (asks, notes): (Vec<&Problem>, Vec<&Problem>) = f.problems.iter().partition(|p| {
        matches!(
            p,
            Problem::NoAttachments
                | Problem::OnlyLink
                | Problem::LockFiles {
                    nothing_else: true,
                    ..
                }
                | Problem::Unreadable { .. }
                | Problem::PasswordProtected { .. }
                | Problem::ArchiveRefused { .. }
                | Problem::Misrouted { .. }
                | Problem::PartlyElsewhere { .. }
                | Problem::UnitUnknown
                | Problem::SenderUnverified
        )
    });
    if !asks.is_empty() {
        out.push(Line::Heading("需要贵单位办理".into()));
        for (n, p) in asks.iter().enumerate() {
            out.push(Line::Warn(format!(
                "{}．{}",
                n + 1,
                words::problem_text(p, f)
            )));
        }
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
            .map(|(_, t)| t.clone())
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
    out.push(Line::Heading(format!("收到的文件（{}个）", f.files.len())));
    if f.files.is_empty() {
        out.push(Line::Bullet("无".into()));
    }
    for file in &f.files {
        out.push(Line::Bullet(format!(
            "{}（{}）",
            clean_filename(&file.name),
            human_size(file.size)
        )));
    }
    if !notes.is_empty() {
        out.push(Line::Heading("说明".into()));
        for p in notes {
            out.push(Line::Bullet(words::problem_text(p, f)));
        }
    }
    let contacts: Vec<String> = f
        .received_by
        .iter()
        .filter(|d| !d.phone.is_empty())
        .map(|d| {
            if d.contact.is_empty() {
                format!("{}（电话{}）", d.name, d.phone)
            } else {
                format!("{}{}（电话{}）", d.name, d.contact, d.phone)
            }
        })
        .collect();
    out.push(Line::Para(if contacts.is_empty() {
        "如有疑问，请致电相关科室（联系方式见考核通知）。本邮件为系统自动发送的回执，请勿直接回复。"
            .into()
    } else {
        format!(
            "如有疑问，请联系团市委{}。本邮件为系统自动发送的回执，请勿直接回复。",
            contacts.join("、")
        )
    }));
    let signer = f
        .received_by
        .first()
        .map_or_else(String::new, |d| d.name.clone());
    out.push(Line::Sign(format!("共青团东莞市委员会{signer}")));
    out.push(Line::Sign(date(f.arrived, f.tz)));
    out
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

enum Line {
    Para(String),
    Heading(String),
    Bullet(String),
    Warn(String),
    /// The 落款, right-aligned as on paper.
    Sign(String),
}

/// The 落款 sits at the right as on paper; plain text can only indent it.
pub const SIGN_INDENT: &str = "　　　　　　　　　　";

/// Fonts that carry Simplified Chinese on each platform: without them a
/// phone may pick a Japanese face and set the punctuation Japanese-style.
pub const CJK_FONTS: &str = "'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif";

/// The start of every HTML mail mailroom writes to people: Chinese, phone
/// width, Chinese fonts.
pub fn html_open(title: &str, body_style: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title></head>\
         <body style=\"font-family:{CJK_FONTS};{body_style}\">",
        escape(title)
    )
}

pub fn render(f: &ReceiptFacts) -> Rendered {
    let subject = subject(f);
    let mut text = String::new();
    let mut html = html_open(
        &subject,
        "font-size:15px;line-height:1.7;max-width:40em;margin:0 auto;padding:0 12px",
    );
    for l in &lines(f) {
        match l {
            Line::Para(s) => {
                // A paragraph after a list stands apart from it.
                if !text.is_empty() && !text.ends_with("\n\n") {
                    text.push('\n');
                }
                text.push_str(s);
                text.push_str("\n\n");
                html.push_str(&format!("<p>{}</p>", escape(s)));
            }
            Line::Heading(s) => {
                if !text.ends_with("\n\n") {
                    text.push('\n');
                }
                text.push_str(&format!("■ {s}\n"));
                html.push_str(&format!(
                    "<h3 style=\"font-size:16px;margin:1em 0 .3em\">{}</h3>",
                    escape(s)
                ));
            }
            Line::Bullet(s) => {
                text.push_str(&format!("  · {s}\n"));
                html.push_str(&format!(
                    "<div style=\"margin-left:1em;text-indent:-1em\">· {}</div>",
                    escape(s)
                ));
            }
            Line::Warn(s) => {
                text.push_str(&format!("{s}\n\n"));
                html.push_str(&format!(
                    "<p style=\"color:#b00020\"><b>{}</b></p>",
                    escape(s)
                ));
            }
            Line::Sign(s) => {
                text.push_str(&format!("{SIGN_INDENT}{s}\n"));
                html.push_str(&format!(
                    "<div style=\"text-align:right\">{}</div>",
                    escape(s)
                ));
            }
        }
    }
    html.push_str("</body></html>");
    Rendered {
        subject,
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
