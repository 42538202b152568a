//! The outcome of a submission as the unit must read it first, and the
//! subject that carries it (a phone's mail list shows about twenty
//! characters of a subject).

use super::{Dept, MAX_SUBJECT, Problem, ReceiptFacts};

/// What the receipt says happened, most pressing first: the unit acts on
/// the subject, so the subject names the one thing it must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing usable arrived (no attachment, a link, lock files, files that
    /// do not open, a refused archive): the unit must send again.
    NeedsFix(&'static str),
    /// All of it belongs to other departments.
    Misrouted(String),
    /// Part of it belongs to other departments as well.
    PartlyElsewhere(String),
    UnitUnknown,
    /// Kept; a person checks it before it counts.
    Held,
    /// The unit is not assessed this year: filed only.
    Filed,
    Late,
    OnTime,
}

impl Outcome {
    pub fn of(f: &ReceiptFacts) -> Outcome {
        let late = f.arrived > f.deadline;
        for p in &f.problems {
            let why = match p {
                Problem::NoAttachments => "邮件未附材料",
                Problem::OnlyLink => "材料为下载链接",
                Problem::LockFiles {
                    nothing_else: true, ..
                } => "附件为临时文件",
                Problem::Unreadable { .. } => "附件无法打开",
                Problem::PasswordProtected { .. } => "附件设置了密码",
                Problem::ArchiveRefused { .. } => "压缩包未能解压",
                _ => continue,
            };
            return Outcome::NeedsFix(why);
        }
        let first_dept = |ds: &[Dept]| match ds {
            [] => String::new(),
            [d] => d.name.clone(),
            [d, ..] => format!("{}等", d.name),
        };
        for p in &f.problems {
            if let Problem::Misrouted { belongs_to } = p {
                return Outcome::Misrouted(first_dept(belongs_to));
            }
        }
        if f.problems.contains(&Problem::UnitUnknown) {
            return Outcome::UnitUnknown;
        }
        for p in &f.problems {
            if let Problem::PartlyElsewhere { also } = p {
                return Outcome::PartlyElsewhere(first_dept(also));
            }
        }
        if f.problems
            .iter()
            .any(|p| matches!(p, Problem::Quarantined | Problem::SenderUnverified))
        {
            return Outcome::Held;
        }
        if f.problems.contains(&Problem::NotAssessed) {
            return Outcome::Filed;
        }
        if late { Outcome::Late } else { Outcome::OnTime }
    }

    /// Whether the unit has to do something.
    pub fn asks(&self) -> bool {
        matches!(
            self,
            Outcome::NeedsFix(_)
                | Outcome::Misrouted(_)
                | Outcome::PartlyElsewhere(_)
                | Outcome::UnitUnknown
        )
    }
}

/// Subject: `【回执】望牛墩镇团委考核材料已收到（按时）`. A long unit name is
/// left out rather than the outcome cut off.
pub fn subject(f: &ReceiptFacts) -> String {
    let make = |who: &str| match Outcome::of(f) {
        Outcome::NeedsFix(why) => format!("【需补正】{who}{why}，请重新发送"),
        Outcome::Misrouted(to) => format!("【请改发】{who}材料应发送至{to}"),
        Outcome::PartlyElsewhere(to) => format!("【需另发】{who}部分材料应发送至{to}"),
        Outcome::UnitUnknown => "【请注明单位】考核材料已收到，未能识别报送单位".to_owned(),
        Outcome::Held => format!("【回执】{who}考核材料已收到（待核对）"),
        Outcome::Filed => format!("【回执】{who}材料已收到（存档）"),
        Outcome::Late => format!("【逾期】{who}考核材料已收到"),
        Outcome::OnTime => format!("【回执】{who}考核材料已收到（按时）"),
    };
    let full = make(f.unit_name.as_deref().unwrap_or(""));
    if full.chars().count() <= MAX_SUBJECT {
        full
    } else {
        make("")
    }
}
