//! The sentences of a receipt: times, sizes, departments and what each
//! problem asks of the unit, in the register of the notice.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Dept, Problem, ReceiptFacts};
use crate::clean::clean_filename;

/// `2018年1月24日 8:31`: how a notice writes a time (no zero padding, no
/// seconds; the unit compares it with its own clock, not with a log).
pub fn when(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%Y年%-m月%-d日 %-H:%M")
        .to_string()
}

/// `2018年1月24日`: the date under the 落款.
pub fn date(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%Y年%-m月%-d日").to_string()
}

pub fn human_size(n: u64) -> String {
    if n >= 1024 * 1024 {
        format!("{:.1}MB", n as f64 / (1024.0 * 1024.0))
    } else if n >= 1024 {
        format!("{:.0}KB", n as f64 / 1024.0)
    } else {
        format!("{n}字节")
    }
}

pub fn late_by(d: chrono::Duration) -> String {
    let mins = d.num_minutes();
    if d.num_days() >= 1 {
        format!("{}天{}小时", d.num_days(), d.num_hours() % 24)
    } else if d.num_hours() >= 1 {
        format!("{}小时{}分钟", d.num_hours(), mins % 60)
    } else {
        format!("{}分钟", mins.max(1))
    }
}

/// `组织部（联系人莫镇源，电话22114722，邮箱tswzzb3@126.com）`: wherever a
/// department is named, the unit can call it or write to it.
pub fn dept_full(d: &Dept) -> String {
    let mut parts = Vec::new();
    if !d.contact.is_empty() {
        parts.push(format!("联系人{}", d.contact));
    }
    if !d.phone.is_empty() {
        parts.push(format!("电话{}", d.phone));
    }
    if !d.mailbox.is_empty() {
        parts.push(format!("邮箱{}", d.mailbox));
    }
    if parts.is_empty() {
        d.name.clone()
    } else {
        format!("{}（{}）", d.name, parts.join("，"))
    }
}

pub fn dept_names(ds: &[Dept]) -> String {
    ds.iter()
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// File names as the receipt shows them: base name only, cleaned (see
/// [`clean_filename`]: the unit chose these names, and the receipt leaves
/// from an official mailbox).
pub fn shown_names(files: &[String]) -> String {
    files
        .iter()
        .map(|f| format!("“{}”", clean_filename(f)))
        .collect::<Vec<_>>()
        .join("、")
}

/// What the unit reads about one problem, and what to do about it.
pub fn problem_text(p: &Problem, f: &ReceiptFacts) -> String {
    let late = f.arrived > f.deadline;
    match p {
        Problem::Misrouted { belongs_to } => format!(
            "本次材料所属考核项目由{}负责，不是收件科室，系统不会自动转发。请将材料发送到{}。",
            dept_names(belongs_to),
            belongs_to
                .iter()
                .map(dept_full)
                .collect::<Vec<_>>()
                .join("；")
        ),
        Problem::PartlyElsewhere { also } => format!(
            "部分材料所属考核项目由其他科室负责，系统不会自动转发，请另行发送到{}。",
            also.iter().map(dept_full).collect::<Vec<_>>().join("；")
        ),
        Problem::UnitUnknown => {
            "未能识别报送单位，材料暂未计入任何单位。请在邮件标题中写明单位名称（如“××镇团委”）后重新发送。"
                .into()
        }
        Problem::NoAttachments => {
            "邮件中没有附件。请将工作开展情况表和支撑材料作为附件重新发送。".into()
        }
        Problem::OnlyLink => {
            "邮件中只有下载链接（超大附件或网盘），没有附件。链接会过期，请将文件作为附件重新发送（文件过大的可压缩或分多封邮件发送）。"
                .into()
        }
        Problem::LockFiles {
            files,
            nothing_else,
        } => {
            if *nothing_else {
                format!(
                    "附件{}是 Office 临时文件，不是材料本身（编辑文件时自动生成，只有几百字节）。请关闭该文件后，将材料原文件作为附件重新发送。",
                    shown_names(files)
                )
            } else {
                format!(
                    "附件{}是 Office 临时文件，不是材料本身，已不予登记；其余材料已正常登记，无需重新发送。",
                    shown_names(files)
                )
            }
        }
        Problem::Unreadable { files } => format!(
            "以下文件无法打开（文件可能已损坏或格式无法识别）：{}。请检查文件，重新导出后再次发送。",
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
        Problem::NotAssessed => {
            "根据通知，考核对象为各镇（街道）团委和成立一年以上的厂局团委，贵单位本年度不在考核范围内；材料已登记存档。"
                .into()
        }
        Problem::Resubmission if late => {
            "贵单位此前已报送过同一项目的材料。此前按时报送的材料继续有效；本次逾期报送的材料已一并登记，供科室参考。"
                .into()
        }
        Problem::Resubmission => {
            "贵单位此前已报送过同一项目的材料。本次材料已一并登记，此前报送的材料继续保留，科室审核时一并查阅。"
                .into()
        }
        Problem::UnsafeFilename => {
            "个别附件的文件名含有不可见字符或路径符号，系统已按规范文件名保存，材料已登记，无需重新发送。"
                .into()
        }
        Problem::Unopened { files } => format!(
            "以下文件内容较大或结构复杂，系统未自动读取，已转工作人员人工核对，无需重新发送：{}。",
            shown_names(files)
        ),
        Problem::Quarantined => {
            "邮件已收到并登记，但系统未能自动读取邮件内容，已转工作人员人工核对，无需重新发送；如需补正，工作人员将另行联系。"
                .into()
        }
        Problem::SenderUnverified => {
            "本邮件未通过邮件服务商的发件人身份验证，材料暂不计入，待工作人员核实。如本邮件确为贵单位发送，请致电收件科室说明。"
                .into()
        }
    }
}

/// What in a text for people belongs to machines: command lines and
/// options, checksums, directory paths. Empty when the text is clean; the
/// tests of every mail a unit or a clerk reads check it.
pub fn machine_text(s: &str) -> Vec<String> {
    let mut found = Vec::new();
    for needle in [
        "mailroom ",
        "--",
        "\\",
        "../",
        ":/",
        "/home",
        "/var",
        "/tmp",
        "/work",
    ] {
        if s.contains(needle) {
            found.push(needle.to_owned());
        }
    }
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run == 64 {
            found.push("a 64-digit checksum".to_owned());
        }
    }
    found
}
