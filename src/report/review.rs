//! What needs a person: unknown units, misrouted material, files that could
//! not be opened, refused archives, receipts that bounced. Each item says
//! what to do. Pure: deliveries in, items out. Some items are information
//! only (a submission the provider filed as spam): the material counts as
//! usual, and the digest reports them in a section of their own.

use std::collections::HashSet;

use serde::Serialize;

use super::{DeliveryView, labels};
use crate::classify::Flag;
use crate::config::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    UnknownUnit,
    Misrouted,
    /// Material for a department that reached only other mailboxes.
    ForOtherDepartment,
    UnreadableAttachment,
    ArchiveRefused,
    /// Only a download link: its items count once a person has the files.
    LinkOnly,
    ReceiptBounced,
    /// Files kept but not opened (over the inspection budget).
    UnopenedAttachment,
    /// Could not be understood automatically; recorded from its headers.
    Quarantined,
    /// SPF, DKIM and DMARC all failed; not counted until assigned.
    SenderUnverified,
    /// Found in the provider's junk folder: counted as usual; the clerk
    /// marks the sender as not spam so the unit's next mail reaches INBOX.
    InJunk,
}

impl Reason {
    pub fn zh(self) -> &'static str {
        match self {
            Reason::UnknownUnit => "未识别报送单位",
            Reason::Misrouted => "误投到本科室",
            Reason::ForOtherDepartment => "本科室材料投到了其他科室",
            // The same facts as flags: one wording (workbooks show the flags).
            Reason::UnreadableAttachment => labels::flag(Flag::UnreadableAttachment),
            Reason::ArchiveRefused => labels::flag(Flag::SuspiciousArchive),
            Reason::LinkOnly => "链接待下载",
            Reason::ReceiptBounced => "回执被退回（单位邮箱可能有误）",
            Reason::UnopenedAttachment => labels::flag(Flag::UnopenedAttachment),
            Reason::Quarantined => labels::flag(Flag::Quarantined),
            Reason::SenderUnverified => labels::flag(Flag::SenderUnverified),
            Reason::InJunk => labels::flag(Flag::InJunk),
        }
    }

    /// Information, not a problem: nothing waits for the person.
    pub fn is_info(self) -> bool {
        matches!(self, Reason::InJunk)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub ledger_id: i64,
    pub message_key: String,
    pub department: String,
    pub received_at: String,
    pub unit: Option<String>,
    pub from: Option<String>,
    pub subject: String,
    pub reason: Reason,
    /// What to do, as a command where there is one (for `review`).
    pub action: String,
    /// What to do, in words, for the department's digest: clerks read mail
    /// on their phones, and commands belong in `review`, not in mail.
    pub advice: String,
}

impl Item {
    fn new(
        cfg: &Config,
        d: &DeliveryView,
        reason: Reason,
        (action, advice): (String, String),
    ) -> Item {
        Item {
            ledger_id: d.ledger_id,
            message_key: d.message_key.clone(),
            department: d.department.clone(),
            received_at: super::export::local(d.received_at, cfg.tz),
            unit: d.unit.clone(),
            from: d.from.clone(),
            subject: d.subject.clone(),
            reason,
            action,
            advice,
        }
    }
}

/// Message keys a person has marked as dealt with (`mailroom review --resolve`).
pub async fn resolved(pool: &sqlx::SqlitePool) -> anyhow::Result<HashSet<String>> {
    use anyhow::Context as _;
    let rows: Vec<(String,)> = sqlx::query_as("SELECT message_key FROM reviews")
        .fetch_all(pool)
        .await
        .context("cannot read reviews")?;
    Ok(rows.into_iter().map(|(k,)| k).collect())
}

/// Every open review item (resolved message keys left out).
pub fn items(cfg: &Config, deliveries: &[DeliveryView], resolved: &HashSet<String>) -> Vec<Item> {
    let mut out = Vec::new();
    for d in deliveries.iter().filter(|d| d.is_submission()) {
        if resolved.contains(&d.message_key) {
            continue;
        }
        let mut push = |reason: Reason, action: String, advice: String| {
            out.push(Item::new(cfg, d, reason, (action, advice)))
        };
        let id = d.ledger_id;
        if d.unit.is_none() {
            push(
                Reason::UnknownUnit,
                format!("mailroom assign {id} --unit UNIT_ID [--remember-sender]"),
                "请核对发件人和材料内容，确认报送单位后在系统中指定单位。".to_owned(),
            );
        }
        if d.misrouted {
            let to: Vec<String> = d
                .expected_departments
                .iter()
                .filter_map(|x| {
                    cfg.department(x)
                        .map(|dep| format!("{} {}", dep.name, dep.mailbox))
                })
                .collect();
            let zh_to: Vec<String> = d
                .expected_departments
                .iter()
                .filter_map(|x| cfg.department(x))
                .map(|dep| {
                    format!(
                        "{}（{}，电话{}，邮箱{}）",
                        dep.name, dep.contact, dep.phone, dep.mailbox
                    )
                })
                .collect();
            push(
                Reason::Misrouted,
                format!(
                    "the unit was told to send it to {}; if the items are wrong: mailroom assign {id} --unit UNIT --items CODES; else mailroom review --resolve {id}",
                    to.join(", ")
                ),
                format!(
                    "回执已请该单位改发至{}。如系统识别的考核项目有误，请核对后在系统中重新指定；无误则在系统中标记为已处理。",
                    zh_to.join("；")
                ),
            );
        }
        let has = |f: &str| d.flags.iter().any(|x| x == f);
        if has("unreadable_attachment") {
            push(
                Reason::UnreadableAttachment,
                format!(
                    "the receipt asked the unit to resend; when it has: mailroom review --resolve {id}"
                ),
                if only_lock_files(d) {
                    "附件是 Office 临时文件，不是材料本身；回执已请该单位发送材料原文件，收到后请在系统中标记为已处理。"
                } else {
                    "回执已请该单位去除密码或重新导出后再次发送；收到新材料后请在系统中标记为已处理。"
                }
                .to_owned(),
            );
        }
        if has("suspicious_archive") {
            push(
                Reason::ArchiveRefused,
                format!(
                    "the receipt asked the unit to send the files unpacked; then: mailroom review --resolve {id}"
                ),
                "回执已请该单位直接发送压缩包内的文件；收到后请在系统中标记为已处理。".to_owned(),
            );
        }
        // Link-only material counts as missing until a person has the
        // files: resolving it is what marks its items received.
        if d.received().material == super::received::Material::Link {
            push(
                Reason::LinkOnly,
                format!(
                    "only a download link; the receipt asked for the files as attachments. If you download them from the link in webmail, mark its items received: mailroom review --resolve {id}"
                ),
                "邮件中只有下载链接，相应子项暂按未收统计，回执已请该单位以附件形式重新发送。如已从链接下载到材料，请在系统中标记为已处理，相应子项即计为已收。"
                    .to_owned(),
            );
        }
        if has("unopened_attachment") {
            push(
                Reason::UnopenedAttachment,
                format!(
                    "open the file in the stored message (mailroom export lists its path); then: mailroom review --resolve {id}"
                ),
                "附件已保存但未自动读取，请打开原邮件中的附件核对；核对后在系统中标记为已处理。"
                    .to_owned(),
            );
        }
        if has("quarantined") {
            push(
                Reason::Quarantined,
                format!(
                    "read the message in webmail; to try again: mailroom reprocess --message {id}; or record it: mailroom assign {id} --unit UNIT --items CODES"
                ),
                "请在网页邮箱中阅读原邮件，核对单位和考核项目后在系统中指定。".to_owned(),
            );
        }
        if has("sender_unverified") {
            push(
                Reason::SenderUnverified,
                format!(
                    "confirm with the unit by phone that it sent this; then: mailroom assign {id} --unit UNIT; if forged: mailroom review --resolve {id} --note forged"
                ),
                "请致电该单位核实邮件是否由其发送；确认后在系统中指定单位，如系冒用请标记为已处理并注明。".to_owned()
            );
        }
        if has("in_junk") {
            push(
                Reason::InJunk,
                format!(
                    "in webmail, open the junk folder and mark {} as not spam (这不是垃圾邮件), so the unit's next mail reaches INBOX; then: mailroom review --resolve {id}",
                    d.from.as_deref().unwrap_or("the sender")
                ),
                format!(
                    "请在网页邮箱的“垃圾邮件”中将发件人{}标记为“不是垃圾邮件”，以免该单位以后的邮件继续被拦截；然后在系统中标记为已处理。",
                    d.from.as_deref().unwrap_or("（未知）")
                ),
            );
        }
        if d.receipt == "bounced" {
            push(
                Reason::ReceiptBounced,
                format!(
                    "check the unit's address ({}); fix contacts in units.toml; then: mailroom review --resolve {id}",
                    d.from.as_deref().unwrap_or("?")
                ),
                format!(
                    "回执被退回，请核对该单位的联系邮箱（{}），更新单位通讯录后在系统中标记为已处理。",
                    d.from.as_deref().unwrap_or("未知")
                ),
            );
        }
    }
    out
}

/// Whether every file that could not be opened is an Office lock file
/// (`~$报告.xlsx`): the unit sent the wrong file, not a damaged one.
fn only_lock_files(d: &DeliveryView) -> bool {
    let unreadable: Vec<_> = d
        .attachments
        .iter()
        .filter(|a| {
            a.problem
                .as_deref()
                .is_some_and(|p| p.starts_with("unreadable"))
        })
        .collect();
    !unreadable.is_empty()
        && unreadable
            .iter()
            .all(|a| super::received::is_lock_file(&a.filename, a.problem.as_deref()))
}

/// The items a department's digest shows: its own mailbox's problems, plus
/// material for it that only reached other departments. Information items
/// are left out: the digest reports those among the arrivals.
pub fn for_department(
    cfg: &Config,
    deliveries: &[DeliveryView],
    resolved: &HashSet<String>,
    department: &str,
) -> Vec<Item> {
    let mut out: Vec<Item> = items(cfg, deliveries, resolved)
        .into_iter()
        .filter(|i| i.department == department && !i.reason.is_info())
        .collect();
    let here: HashSet<&str> = deliveries
        .iter()
        .filter(|d| d.department == department)
        .map(|d| d.message_key.as_str())
        .collect();
    let mut seen = HashSet::new();
    for d in deliveries.iter().filter(|d| {
        d.is_submission()
            && d.department != department
            && d.expected_departments.iter().any(|x| x == department)
            && !here.contains(d.message_key.as_str())
            && !resolved.contains(&d.message_key)
    }) {
        // Items with several responsible departments (1.1, 1.3) are fine in
        // any of them: only material none of whose items the receiving
        // department handles counts as landed elsewhere.
        if !d.misrouted || !seen.insert(d.message_key.clone()) {
            continue;
        }
        out.push(Item::new(
            cfg,
            d,
            Reason::ForOtherDepartment,
            (
                format!(
                    "received by {}; the unit was told to send it here. Ask it, or take the file from mailroom (ledger id {})",
                    cfg.department(&d.department)
                        .map_or(d.department.as_str(), |x| x.name.as_str()),
                    d.ledger_id
                ),
                format!(
                    "该材料发到了{}，回执已请该单位改发本科室。可联系该单位，或向{}索取（登记号{}）。",
                    cfg.department(&d.department)
                        .map_or(d.department.as_str(), |x| x.name.as_str()),
                    cfg.department(&d.department)
                        .map_or(d.department.as_str(), |x| x.name.as_str()),
                    d.ledger_id
                ),
            ),
        ));
    }
    out
}
