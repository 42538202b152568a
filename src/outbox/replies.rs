//! What an SMTP server's refusal asks of mailroom. One table, for NetEase's
//! text codes (help_spam_16, quoted in public projects' issue threads) and
//! QQ's recipient-side limits; anything it does not know keeps the plain
//! rule: 4xx try again, 5xx give up on that mail.
//!
//! The distinction that matters on deadline day: `554 MI:STC` ("当天不再
//! 接受") says nothing is wrong with the mail, only that the account has
//! sent enough today. Treated as a 5xx it lost every later receipt; it now
//! parks the account until midnight.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Try this mail again after the usual backoff, or no sooner than this.
    RetryMail(Option<Duration>),
    /// Everything from this account waits this long (the account is busy).
    DeferAccount(Duration),
    /// Nothing more from this account until 00:00 in the campaign's zone.
    ParkAccountUntilMidnight,
    /// This mail cannot be sent as it is; the rest of the account goes on.
    FailMail,
    /// Login or permission refused: every mail of the account waits for a
    /// person (retrying a wrong password gets the address blocked).
    StopAccount,
}

/// One row of the table: a text the reply contains (case-insensitive), the
/// reply classes it applies to (4 or 5; 0 for either), and the action.
struct Rule {
    text: &'static str,
    class: u16,
    action: Action,
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        text: "MI:STC",
        class: 0,
        action: Action::ParkAccountUntilMidnight,
        why: "the account's daily sending quota is used up",
    },
    Rule {
        text: "RP:TRC",
        class: 0,
        action: Action::ParkAccountUntilMidnight,
        why: "the account's daily recipient quota is used up",
    },
    Rule {
        text: "MI:SFQ",
        class: 0,
        action: Action::DeferAccount(Duration::minutes(15)),
        why: "too many mails from the account in 15 minutes",
    },
    Rule {
        text: "RP:QRC",
        class: 0,
        action: Action::DeferAccount(Duration::minutes(10)),
        why: "too many recipients in a short time",
    },
    Rule {
        text: "HL:IFC",
        class: 0,
        action: Action::DeferAccount(Duration::minutes(10)),
        why: "too many mails from this address in a short time",
    },
    Rule {
        text: "HL:ICC",
        class: 0,
        action: Action::DeferAccount(Duration::minutes(10)),
        why: "too many connections",
    },
    Rule {
        text: "MI:DMC",
        class: 0,
        action: Action::RetryMail(None),
        why: "too many mails on one connection (a new one is opened)",
    },
    Rule {
        text: "RP:DRC",
        class: 0,
        action: Action::RetryMail(None),
        why: "too many recipients on one connection (a new one is opened)",
    },
    Rule {
        text: "DT:SPM",
        class: 4,
        action: Action::RetryMail(Some(Duration::minutes(2))),
        why: "temporarily suspected as spam",
    },
    Rule {
        text: "DT:SPM",
        class: 5,
        action: Action::FailMail,
        why: "the content was judged spam",
    },
    Rule {
        text: "DT:SUM",
        class: 0,
        action: Action::StopAccount,
        why: "the sender address differs from the login (configuration)",
    },
    Rule {
        text: "Mail from must equal authorized user",
        class: 0,
        action: Action::StopAccount,
        why: "the sender address differs from the login (configuration)",
    },
    Rule {
        text: "Illegal Attachment",
        class: 0,
        action: Action::FailMail,
        why: "an attachment type the provider refuses",
    },
    Rule {
        text: "User has no permission",
        class: 0,
        action: Action::StopAccount,
        why: "SMTP is not enabled for the account",
    },
    Rule {
        text: "frequency limited",
        class: 0,
        action: Action::RetryMail(Some(Duration::minutes(30))),
        why: "the recipient's provider limits mail from us",
    },
];

/// The action for a reply (`code` when the server gave one) and a short
/// reason for the log and `mailroom outbox`.
pub fn classify(code: Option<u16>, text: &str) -> (Action, &'static str) {
    let class = code.map_or(0, |c| c / 100);
    let lower = text.to_ascii_lowercase();
    for r in RULES {
        if (r.class == 0 || r.class == class) && lower.contains(&r.text.to_ascii_lowercase()) {
            return (r.action, r.why);
        }
    }
    match (code, class) {
        (Some(535), _) => (
            Action::StopAccount,
            "authentication failed (the authorisation code)",
        ),
        (_, 5) => (Action::FailMail, "refused by the server"),
        _ => (Action::RetryMail(None), "a temporary failure"),
    }
}

/// The reply code in an error text such as lettre's "permanent error (554):
/// MI:STC …": the first three-digit number starting with 4 or 5.
pub fn code_in(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(2)).find_map(|i| {
        let w = &b[i..i + 3];
        let boundary = |j: usize| b.get(j).is_none_or(|c| !c.is_ascii_digit());
        (matches!(w[0], b'4' | b'5')
            && w[1].is_ascii_digit()
            && w[2].is_ascii_digit()
            && (i == 0 || boundary(i - 1))
            && boundary(i + 3))
        .then(|| std::str::from_utf8(w).ok()?.parse().ok())
        .flatten()
    })
}

/// The next midnight after `now` in the campaign's zone: when NetEase's
/// daily quotas start again.
pub fn next_midnight(now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local = now.with_timezone(&tz).date_naive() + Duration::days(1);
    tz.from_local_datetime(&local.and_time(NaiveTime::MIN))
        .earliest()
        .map_or(now + Duration::days(1), |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netease_codes_map_to_account_or_mail_actions() {
        let c = |s: &str| classify(code_in(s), s).0;
        assert_eq!(
            c("permanent error (554): MI:STC 发件人当天发信数量超过限制"),
            Action::ParkAccountUntilMidnight
        );
        assert_eq!(c("550 RP:TRC"), Action::ParkAccountUntilMidnight);
        assert_eq!(
            c("transient error (451): MI:SFQ"),
            Action::DeferAccount(Duration::minutes(15))
        );
        assert_eq!(
            c("451 DT:SPM, please try again"),
            Action::RetryMail(Some(Duration::minutes(2)))
        );
        assert_eq!(
            c("554 DT:SPM 发送的邮件内容包含了未被许可的信息"),
            Action::FailMail
        );
        assert_eq!(c("552 Illegal Attachment"), Action::FailMail);
        assert_eq!(c("535 Error: authentication failed"), Action::StopAccount);
        assert_eq!(c("550 User has no permission"), Action::StopAccount);
        assert_eq!(
            c("553 Mail from must equal authorized user"),
            Action::StopAccount
        );
        assert_eq!(c("450 MI:DMC"), Action::RetryMail(None));
        // Unknown replies keep the plain rule.
        assert_eq!(c("421 4.3.2 try later"), Action::RetryMail(None));
        assert_eq!(c("550 5.1.1 no such user"), Action::FailMail);
        assert_eq!(c("connection refused"), Action::RetryMail(None));
    }

    #[test]
    fn the_code_is_found_in_lettre_and_plain_texts_but_not_in_longer_numbers() {
        assert_eq!(code_in("permanent error (554): MI:STC"), Some(554));
        assert_eq!(code_in("451 MI:SFQ"), Some(451));
        assert_eq!(code_in("id 15540 at 2018"), None);
        assert_eq!(code_in("no code"), None);
    }

    #[test]
    fn quotas_start_again_at_midnight_in_the_campaign_zone() {
        let tz: chrono_tz::Tz = "Asia/Shanghai".parse().expect("zone");
        let now = DateTime::parse_from_rfc3339("2018-01-26T10:00:00+08:00")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(
            next_midnight(now, tz),
            DateTime::parse_from_rfc3339("2018-01-27T00:00:00+08:00").expect("time")
        );
    }
}
