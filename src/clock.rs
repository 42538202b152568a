//! The service's idea of "now". Normally the system clock; `--now` (or
//! `MAILROOM_NOW`) moves it for previews and tests: the moved clock keeps
//! ticking from the given instant, so schedules and retries behave as they
//! would on that day.

use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    pub fn system() -> Clock {
        Clock {
            offset: Duration::zero(),
        }
    }

    /// A clock that reads `start` right now and advances in real time.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock {
            offset: start - Utc::now(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }

    pub fn is_moved(&self) -> bool {
        self.offset != Duration::zero()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_clock_keeps_ticking_from_the_given_instant() {
        let start = DateTime::parse_from_rfc3339("2018-01-19T00:30:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let c = Clock::starting_at(start);
        let a = c.now();
        assert!((a - start).num_seconds().abs() <= 1);
        assert!(c.is_moved());
        assert!(!Clock::system().is_moved());
    }
}
