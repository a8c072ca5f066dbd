//! Background jobs: the states of a run, what started it, schedules and the
//! pacing rule. Time is passed in, so when a job is due and when it runs
//! next are plain functions (the registry of jobs is in the service layer).

use time::{Date, Duration, Month, OffsetDateTime, Time, UtcOffset};

use crate::enums::labelled_enum;

labelled_enum! {
    /// Where a run stands (`job_runs.status`).
    RunStatus {
        Queued = "queued", "排队中";
        Running = "running", "运行中";
        Succeeded = "succeeded", "成功";
        Failed = "failed", "失败";
    }
}

labelled_enum! {
    /// What started a run (`job_runs.trigger_kind`).
    Trigger {
        Schedule = "schedule", "定时";
        Manual = "manual", "手动";
        Policy = "policy", "政策参数变更";
    }
}

/// A running run whose server has not reported for this long is taken to
/// have died with its server and is marked failed.
pub const STALE_AFTER: Duration = Duration::minutes(10);

/// How often a running run reports that it is alive (at most).
pub const HEARTBEAT_EVERY: Duration = Duration::seconds(30);

/// When a job runs by itself. Hours are Beijing time (UTC+8), like every
/// date the users see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Once a day, from `hour`:00; the run's key is the date.
    Daily { hour: u8 },
    /// Once a year, from 1 January at `hour`:00, for the year before; the
    /// run's key is that year.
    YearEnd { hour: u8 },
    /// Only when queued (a policy change, an administrator's 立即运行).
    OnDemand,
}

fn beijing() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC)
}

fn at(date: Date, hour: u8) -> OffsetDateTime {
    let t = Time::from_hms(hour.min(23), 0, 0).unwrap_or(Time::MIDNIGHT);
    date.with_time(t).assume_offset(beijing())
}

fn new_year(year: i32, hour: u8) -> Option<OffsetDateTime> {
    Date::from_calendar_date(year, Month::January, 1).ok().map(|d| at(d, hour))
}

impl Schedule {
    /// In words, for the jobs page and `hongling jobs list`.
    pub fn describe(self) -> String {
        match self {
            Schedule::Daily { hour } => format!("每天 {hour:02}:00"),
            Schedule::YearEnd { hour } => format!("每年 1 月 1 日 {hour:02}:00（上一年）"),
            Schedule::OnDemand => "按需（政策参数变更或手动）".to_owned(),
        }
    }

    /// The key of the period `now` lies in: the run of that period is the
    /// row `(job, key)`, which only one server can insert. None: on demand.
    pub fn key(self, now: OffsetDateTime) -> Option<String> {
        let local = now.to_offset(beijing());
        match self {
            Schedule::Daily { .. } => Some(local.date().to_string()),
            Schedule::YearEnd { .. } => Some((local.year() - 1).to_string()),
            Schedule::OnDemand => None,
        }
    }

    /// From when the run of `now`'s period is due.
    fn period_start(self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let local = now.to_offset(beijing());
        match self {
            Schedule::Daily { hour } => Some(at(local.date(), hour)),
            Schedule::YearEnd { hour } => new_year(local.year(), hour),
            Schedule::OnDemand => None,
        }
    }

    /// When the period after `now`'s starts.
    fn next_period_start(self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let local = now.to_offset(beijing());
        match self {
            Schedule::Daily { hour } => local.date().next_day().map(|d| at(d, hour)),
            Schedule::YearEnd { hour } => new_year(local.year() + 1, hour),
            Schedule::OnDemand => None,
        }
    }

    /// Is the run of `now`'s period due, given whether it exists (`claimed`)?
    pub fn due(self, now: OffsetDateTime, claimed: bool) -> bool {
        !claimed && self.period_start(now).is_some_and(|s| now >= s)
    }

    /// When the job runs next: the start of this period while its run is
    /// still to be made (in the past when it is due now), else the start of
    /// the next period. None for jobs that only run when queued.
    pub fn next_run(self, now: OffsetDateTime, claimed: bool) -> Option<OffsetDateTime> {
        if claimed { self.next_period_start(now) } else { self.period_start(now) }
    }
}

/// Has a running run gone silent for too long (its server died)?
pub fn is_stale(last_seen: OffsetDateTime, now: OffsetDateTime) -> bool {
    now - last_seen > STALE_AFTER
}

/// The pause after a batch that took `work`, so that a job uses at most the
/// `duty` share (0.05–1) of the time: 0.5 pauses as long as the batch took,
/// 1 does not pause.
pub fn pause_after(work: std::time::Duration, duty: f64) -> std::time::Duration {
    let duty = if duty.is_finite() { duty.clamp(0.05, 1.0) } else { 1.0 };
    work.mul_f64((1.0 - duty) / duty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const DAILY: Schedule = Schedule::Daily { hour: 2 };

    #[test]
    fn daily_key_is_the_beijing_date() {
        // 2026-03-01 17:00 UTC is 2026-03-02 01:00 in Beijing
        assert_eq!(DAILY.key(datetime!(2026-03-01 17:00 UTC)).as_deref(), Some("2026-03-02"));
        assert_eq!(DAILY.key(datetime!(2026-03-01 15:59 UTC)).as_deref(), Some("2026-03-01"));
        assert_eq!(Schedule::OnDemand.key(datetime!(2026-03-01 15:59 UTC)), None);
    }

    #[test]
    fn daily_is_due_from_its_hour_until_claimed() {
        let before = datetime!(2026-03-01 17:30 UTC); // 01:30 Beijing
        let after = datetime!(2026-03-01 18:00 UTC); // 02:00 Beijing
        assert!(!DAILY.due(before, false));
        assert!(DAILY.due(after, false));
        assert!(!DAILY.due(after, true));
        assert!(!Schedule::OnDemand.due(after, false));
    }

    #[test]
    fn daily_next_run() {
        let before = datetime!(2026-03-01 17:30 UTC);
        assert_eq!(DAILY.next_run(before, false), Some(datetime!(2026-03-02 02:00 +8)));
        // missed today (no server was up at 02:00): due now, shown as today's time
        let noon = datetime!(2026-03-02 04:00 UTC);
        assert_eq!(DAILY.next_run(noon, false), Some(datetime!(2026-03-02 02:00 +8)));
        // done today: tomorrow, also across a month's end
        assert_eq!(DAILY.next_run(noon, true), Some(datetime!(2026-03-03 02:00 +8)));
        assert_eq!(DAILY.next_run(datetime!(2026-02-28 04:00 UTC), true), Some(datetime!(2026-03-01 02:00 +8)));
        assert_eq!(Schedule::OnDemand.next_run(noon, true), None);
    }

    #[test]
    fn year_end_runs_once_a_year_for_the_year_before() {
        let y = Schedule::YearEnd { hour: 3 };
        let jan1 = datetime!(2027-01-01 00:00 +8);
        assert_eq!(y.key(jan1).as_deref(), Some("2026"));
        assert!(!y.due(jan1, false), "before 03:00");
        assert!(y.due(datetime!(2027-01-01 03:00 +8), false));
        assert!(y.due(datetime!(2027-06-01 12:00 +8), false), "missed: due until made");
        assert_eq!(y.next_run(datetime!(2027-06-01 12:00 +8), true), Some(datetime!(2028-01-01 03:00 +8)));
    }

    #[test]
    fn stale_after_ten_silent_minutes() {
        let t = datetime!(2026-03-02 04:00 UTC);
        assert!(!is_stale(t, t + Duration::minutes(10)));
        assert!(is_stale(t, t + Duration::minutes(11)));
    }

    #[test]
    fn pause_follows_the_duty_cycle() {
        let ms = std::time::Duration::from_millis;
        assert_eq!(pause_after(ms(200), 0.5), ms(200));
        assert_eq!(pause_after(ms(200), 1.0), ms(0));
        assert_eq!(pause_after(ms(100), 0.25), ms(300));
        assert_eq!(pause_after(ms(100), 0.0), ms(1900), "at least 5% of the time");
        assert_eq!(pause_after(ms(100), f64::NAN), ms(0));
    }
}
