//! When to try again, and when a recipient has had enough: pure functions
//! over times, unit-tested without a clock.

use chrono::{DateTime, Duration, Utc};

/// First retry after a transient failure; doubles up to the cap.
const RETRY_FIRST: Duration = Duration::seconds(30);
const RETRY_CAP: Duration = Duration::hours(1);

/// After `attempts` failed tries (1 = the first failure), when to try again,
/// or `None` when the mail has been retried for `retry_for` and is given up.
pub fn next_attempt(
    created: DateTime<Utc>,
    now: DateTime<Utc>,
    attempts: u32,
    retry_for: Duration,
) -> Option<DateTime<Utc>> {
    if now - created >= retry_for {
        return None;
    }
    let exp = attempts.saturating_sub(1).min(16);
    let delay = (RETRY_FIRST * 2i32.pow(exp)).min(RETRY_CAP);
    // A little jitter so a backlog after an outage is not one burst.
    let jitter = Duration::milliseconds(fastrand::i64(0..=delay.num_milliseconds() / 10));
    Some(now + delay + jitter)
}

/// Given the times mail was sent to one recipient, whether one more may go
/// now; otherwise the earliest time it may.
pub fn rate_limit(
    sent: &[DateTime<Utc>],
    now: DateTime<Utc>,
    per_hour: u32,
    per_day: u32,
) -> Result<(), DateTime<Utc>> {
    let window = |len: Duration, max: u32| -> Option<DateTime<Utc>> {
        let mut recent: Vec<DateTime<Utc>> =
            sent.iter().copied().filter(|t| *t > now - len).collect();
        if (recent.len() as u32) < max {
            return None;
        }
        recent.sort();
        // The oldest sends leave the window first; after enough of them have
        // left, there is room again.
        let idx = recent.len() - max as usize;
        Some(recent[idx] + len)
    };
    match (
        window(Duration::hours(1), per_hour),
        window(Duration::days(1), per_day),
    ) {
        (None, None) => Ok(()),
        (a, b) => Err(a.max(b).unwrap_or(now)),
    }
}

/// Why an account's budget says "not now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverBudget {
    /// `per_15min` mails in the last 15 minutes.
    Quarter,
    /// `per_day` mails since the day began.
    Day,
}

/// Given when one account sent its mail lately (at least the last day),
/// whether one more may go now; otherwise until when it waits and why.
/// The day is the provider's: from `day_start` (00:00 in the campaign's
/// zone) to `day_end`.
pub fn account_budget(
    sent: &[DateTime<Utc>],
    now: DateTime<Utc>,
    per_15min: u32,
    per_day: u32,
    day_start: DateTime<Utc>,
    day_end: DateTime<Utc>,
) -> Result<(), (DateTime<Utc>, OverBudget)> {
    let today = sent.iter().filter(|t| **t >= day_start).count();
    if today >= per_day as usize {
        return Err((day_end, OverBudget::Day));
    }
    let quarter = Duration::minutes(15);
    let mut recent: Vec<DateTime<Utc>> = sent
        .iter()
        .copied()
        .filter(|t| *t > now - quarter)
        .collect();
    if recent.len() >= per_15min as usize && per_15min > 0 {
        recent.sort();
        // Room again once enough of the oldest have left the window.
        let until = recent[recent.len() - per_15min as usize] + quarter;
        return Err((until.min(day_end).max(now), OverBudget::Quarter));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_budget_paces_by_quarter_hour_and_stops_for_the_day() {
        let day_start = t(0, 0) - Duration::hours(8);
        let day_end = day_start + Duration::days(1);
        let sent: Vec<_> = (0..10).map(|i| t(9, 0) + Duration::seconds(i)).collect();
        // Ten in the window: the eleventh waits until the first leaves it.
        assert_eq!(
            account_budget(&sent, t(9, 5), 10, 50, day_start, day_end),
            Err((t(9, 15), OverBudget::Quarter))
        );
        assert_eq!(
            account_budget(&sent, t(9, 16), 10, 50, day_start, day_end),
            Ok(())
        );
        // The day's budget: waits until the provider's midnight.
        assert_eq!(
            account_budget(&sent, t(9, 30), 10, 10, day_start, day_end),
            Err((day_end, OverBudget::Day))
        );
        // Mail of yesterday does not count against today.
        let old: Vec<_> = (0..10)
            .map(|i| day_start - Duration::minutes(i + 1))
            .collect();
        assert_eq!(
            account_budget(&old, t(9, 30), 10, 10, day_start, day_end),
            Ok(())
        );
    }
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2018, 1, 25, h, m, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn retries_back_off_and_stop_after_the_retry_period() {
        let created = t(0, 0);
        let first = next_attempt(created, t(0, 1), 1, Duration::hours(48)).expect("retry");
        assert!(
            first >= t(0, 1) + Duration::seconds(30) && first <= t(0, 1) + Duration::seconds(33)
        );
        let later = next_attempt(created, t(5, 0), 12, Duration::hours(48)).expect("retry");
        assert!(
            later <= t(5, 0) + Duration::minutes(66),
            "capped at an hour"
        );
        assert_eq!(
            next_attempt(
                created,
                created + Duration::hours(48),
                40,
                Duration::hours(48)
            ),
            None
        );
    }

    #[test]
    fn rate_limit_holds_until_the_window_frees() {
        let sent: Vec<_> = (0..5).map(|i| t(9, i * 10)).collect();
        // Five in the last hour: the sixth waits until the first leaves the window.
        assert_eq!(rate_limit(&sent, t(9, 50), 5, 20), Err(t(10, 0)));
        assert_eq!(rate_limit(&sent, t(10, 1), 5, 20), Ok(()));
        assert_eq!(rate_limit(&sent[..4], t(9, 50), 5, 20), Ok(()));
        // Twenty in a day.
        let day: Vec<_> = (0..20).map(|i| t(0, 0) + Duration::hours(i)).collect();
        assert_eq!(
            rate_limit(&day, t(20, 30), 5, 20),
            Err(t(0, 0) + Duration::days(1))
        );
    }
}
