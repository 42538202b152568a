//! `[digest]` and `[reminders]`: what is sent on a schedule, and when.

use serde::Deserialize;

/// The daily digest to each department.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestSettings {
    pub enabled: bool,
    /// Cron (sec min hour day month weekday, optional year) in the campaign's time
    /// zone. Weekdays by name (Mon-Fri): numbers differ between cron dialects.
    pub schedule: String,
    /// Recipients per department id; default: the department's own mailbox.
    pub recipients: std::collections::BTreeMap<String, Vec<String>>,
}

impl Default for DigestSettings {
    fn default() -> Self {
        DigestSettings {
            enabled: true,
            schedule: "0 30 8 * * *".into(),
            recipients: Default::default(),
        }
    }
}

/// Reminders to units that still miss something.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReminderSettings {
    pub enabled: bool,
    /// Cron expressions; default: 09:00 seven, three and one day before the
    /// deadline, and on the deadline's morning.
    pub schedule: Option<Vec<String>>,
    /// The department whose mailbox sends them (组织部 collects the results).
    pub department: String,
    /// A run's reminders leave one after another over this many minutes,
    /// not as one burst from one account (forty mails at 09:00 is what
    /// NetEase answers with 451 MI:SFQ).
    pub spread_minutes: u32,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            enabled: true,
            schedule: None,
            department: "org".into(),
            spread_minutes: 120,
        }
    }
}

/// The default reminder times for a deadline (in the campaign's zone).
pub fn default_reminders(
    deadline: chrono::DateTime<chrono::FixedOffset>,
    tz: chrono_tz::Tz,
) -> Vec<String> {
    use chrono::Datelike;
    let day = deadline.with_timezone(&tz).date_naive();
    [7, 3, 1, 0]
        .iter()
        .map(|d| {
            let t = day - chrono::Duration::days(*d);
            format!("0 0 9 {} {} * {}", t.day(), t.month(), t.year())
        })
        .collect()
}

/// Parses a cron expression the way the scheduler does, refusing numeric
/// weekdays (the `cron` crate counts Sunday = 1, classic cron Sunday = 0).
pub fn parse_cron(expr: &str) -> Result<cron::Schedule, String> {
    use std::str::FromStr;
    let fields: Vec<&str> = expr.split_whitespace().collect();
    if fields.len() < 6 {
        return Err(format!(
            "{expr:?} has {} fields; write seconds first: \"sec min hour day month weekday\", e.g. \"0 30 8 * * *\" for 08:30 daily",
            fields.len()
        ));
    }
    if fields[5].chars().any(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{expr:?}: write weekdays by name (Mon-Fri), not number: cron dialects disagree on what 1 means"
        ));
    }
    cron::Schedule::from_str(expr)
        .map_err(|e| format!("{expr:?} is not a valid cron expression: {e}"))
}
