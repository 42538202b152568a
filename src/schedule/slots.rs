//! Which scheduled slots are due: pure functions over a cron schedule and
//! instants, so catch-up after downtime is tested without a clock.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use cron::Schedule;

/// The slots in `(last, now]`, evaluated in the campaign's zone.
pub fn due(
    schedule: &Schedule,
    tz: Tz,
    last: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    schedule
        .after(&last.with_timezone(&tz))
        .map(|t| t.with_timezone(&Utc))
        // A schedule can produce millions of slots over a long outage (every
        // second…); only the latest matters, and the count for the log.
        .take_while(|t| *t <= now)
        .take(100_000)
        .collect()
}

/// The next slot after `now`, for sleeping until it.
pub fn next(schedule: &Schedule, tz: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule
        .after(&now.with_timezone(&tz))
        .next()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::service::{default_reminders, parse_cron};
    use chrono::TimeZone;

    fn sh(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        chrono_tz::Asia::Shanghai
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn digest_slots_are_local_time_and_downtime_collapses() {
        let s = parse_cron("0 30 8 * * *").expect("cron");
        let tz = chrono_tz::Asia::Shanghai;
        // Down from Wednesday 08:00 to Friday 09:00: two digest times missed.
        let d = due(&s, tz, sh(2018, 1, 24, 8, 0), sh(2018, 1, 26, 9, 0));
        assert_eq!(
            d,
            vec![
                sh(2018, 1, 24, 8, 30),
                sh(2018, 1, 25, 8, 30),
                sh(2018, 1, 26, 8, 30)
            ]
        );
        assert!(
            due(&s, tz, sh(2018, 1, 26, 8, 30), sh(2018, 1, 26, 9, 0)).is_empty(),
            "a slot is handled once"
        );
        assert_eq!(
            next(&s, tz, sh(2018, 1, 26, 9, 0)),
            Some(sh(2018, 1, 27, 8, 30))
        );
    }

    #[test]
    fn default_reminders_are_seven_three_one_days_before_and_the_morning_of() {
        let deadline =
            chrono::DateTime::parse_from_rfc3339("2018-01-26T17:30:00+08:00").expect("t");
        let tz = chrono_tz::Asia::Shanghai;
        let exprs = default_reminders(deadline, tz);
        assert_eq!(
            exprs,
            [
                "0 0 9 19 1 * 2018",
                "0 0 9 23 1 * 2018",
                "0 0 9 25 1 * 2018",
                "0 0 9 26 1 * 2018"
            ]
        );
        let all: Vec<_> = exprs
            .iter()
            .flat_map(|e| {
                due(
                    &parse_cron(e).expect("cron"),
                    tz,
                    sh(2018, 1, 1, 0, 0),
                    sh(2018, 12, 31, 0, 0),
                )
            })
            .collect();
        assert_eq!(
            all,
            vec![
                sh(2018, 1, 19, 9, 0),
                sh(2018, 1, 23, 9, 0),
                sh(2018, 1, 25, 9, 0),
                sh(2018, 1, 26, 9, 0)
            ]
        );
        // Across a month boundary.
        let d2 = chrono::DateTime::parse_from_rfc3339("2019-02-02T17:30:00+08:00").expect("t");
        assert_eq!(default_reminders(d2, tz)[0], "0 0 9 26 1 * 2019");
    }

    #[test]
    fn numeric_weekdays_and_five_field_crons_are_refused() {
        assert!(parse_cron("0 0 9 * * 1-5").unwrap_err().contains("by name"));
        assert!(
            parse_cron("30 8 * * *")
                .unwrap_err()
                .contains("seconds first")
        );
        assert!(parse_cron("0 0 9 * * Mon-Fri").is_ok());
    }
}
