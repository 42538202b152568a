//! Chinese names for the codes the ledger keeps (a message's kind, its
//! flags, its receipt's state), for what clerks read: workbooks. JSON, CSV
//! and the terminal keep the codes, which are the contract.
//!
//! Matching on the classifier's enums (rather than on strings) makes a new
//! flag or kind a compile error here until it has a name.

use std::borrow::Cow;

use crate::classify::{Flag, Kind};

/// The name of a message's kind.
pub fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Submission => "报送材料",
        Kind::AutoReply => "自动回复",
        Kind::Bounce => "退信",
        Kind::Other => "其他邮件",
    }
}

/// The name of a flag. The review queue uses the same words for the same
/// facts ([`crate::report::review::Reason::zh`]).
pub fn flag(f: Flag) -> &'static str {
    match f {
        Flag::UnknownSender => "发件邮箱未登记",
        Flag::NotAssessed => "不在考核范围",
        Flag::NoAttachments => "无附件",
        Flag::ExternalLink => "仅有下载链接",
        Flag::UnreadableAttachment => "附件无法打开",
        Flag::UnopenedAttachment => "附件过大或结构复杂，未自动读取",
        Flag::SuspiciousArchive => "压缩包被拒绝解压",
        Flag::UnsafeFilename => "文件名含不安全字符",
        Flag::Quarantined => "邮件无法自动处理，已隔离",
        Flag::SenderUnverified => "发件人未通过身份验证，暂不计入",
        Flag::InJunk => "被邮箱服务商归入垃圾邮件（已正常收取）",
        Flag::Resubmission => "重复报送（以新版本为准）",
        Flag::DuplicateDelivery => "同一邮件发送至多个科室",
        Flag::Malformed => "邮件格式有误",
    }
}

/// A code as the ledger stores it (`"in_junk"`) parsed into its enum.
fn parse<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

/// The name of a kind code; a code this build does not know stays as it is.
pub fn kind_code(code: &str) -> Cow<'_, str> {
    parse(code).map_or(Cow::Borrowed(code), |k| Cow::Borrowed(kind(k)))
}

/// The names of flag codes, joined for one cell.
pub fn flag_codes(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| parse(c).map_or(c.as_str(), |f| flag(f)))
        .collect::<Vec<_>>()
        .join("；")
}

/// Why no receipt was sent (`suppressed:<reason>`, decided at intake).
fn suppression(reason: &str) -> Cow<'_, str> {
    Cow::Borrowed(match reason {
        "auto_reply" => "自动回复邮件",
        "bounce" => "退信",
        "other" => "非报送邮件",
        "before_campaign" => "通知印发前的邮件",
        "disabled" => "回执功能未开启",
        "reprocessed" => "重新处理，不重复发送",
        "imported" => "导入的既往邮件",
        "null_sender" => "系统发出的邮件",
        "no_sender" => "无发件人地址",
        "noreply_address" => "发件地址不接收回复",
        "own_address" => "本系统邮箱发出",
        other => return Cow::Borrowed(other),
    })
}

/// The name of a receipt state (`sent`, `queued`, `failed`, `bounced`,
/// `suppressed:<reason>`, `none`).
pub fn receipt(state: &str) -> Cow<'_, str> {
    if let Some(reason) = state.strip_prefix("suppressed:") {
        return Cow::Owned(format!("未发送（{}）", suppression(reason)));
    }
    Cow::Borrowed(match state {
        "sent" => "已发送",
        "queued" => "待发送",
        "failed" => "发送失败",
        "bounced" => "被退回",
        "none" => "无",
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_get_chinese_names_and_unknown_codes_stay_readable() {
        assert_eq!(kind_code("submission"), "报送材料");
        assert_eq!(kind_code("auto_reply"), "自动回复");
        assert_eq!(kind_code("something_new"), "something_new");
        assert_eq!(
            flag_codes(&["unknown_sender".into(), "unreadable_attachment".into()]),
            "发件邮箱未登记；附件无法打开"
        );
        assert_eq!(flag_codes(&[]), "");
        assert_eq!(flag_codes(&["later_flag".into()]), "later_flag");
        assert_eq!(receipt("suppressed:other"), "未发送（非报送邮件）");
        assert_eq!(receipt("suppressed:imported"), "未发送（导入的既往邮件）");
        assert_eq!(receipt("suppressed:why_not"), "未发送（why_not）");
        assert_eq!(receipt("sent"), "已发送");
        assert_eq!(receipt("none"), "无");
    }

    #[test]
    fn every_flag_has_a_chinese_name() {
        // The README lists every flag code; each parses and has a name
        // without Latin letters.
        let all = [
            "unknown_sender",
            "not_assessed",
            "no_attachments",
            "external_link",
            "unreadable_attachment",
            "unopened_attachment",
            "suspicious_archive",
            "unsafe_filename",
            "quarantined",
            "sender_unverified",
            "in_junk",
            "resubmission",
            "duplicate_delivery",
            "malformed",
        ];
        for code in all {
            let f: Flag = parse(code).unwrap_or_else(|| panic!("{code} does not parse"));
            assert!(!flag(f).chars().any(|c| c.is_ascii_alphabetic()), "{code}");
        }
    }
}
