//! What a party organization owes and when: the regular meetings of 三会一课
//! and the themed party day by calendar period, and the end of each
//! probationary member's year. A secretary's home page lists them.
//!
//! Cadences are those of 《中国共产党支部工作条例（试行）》 (2018): 党员大会
//! 一般每季度 1 次, 支部委员会会议一般每月 1 次, 党小组会一般每月 1 次, 党课
//! 一般每季度 1 次, 主题党日每月 1 次. The probationary period is one year
//! (《中国共产党章程》第七条). They are national rules, not locality
//! parameters; time is passed in.

use time::{Date, Duration, Month};

use super::coverage::{MemberType, PartyLifeKind, PartyOrgType};

/// How often a kind of party life is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    Monthly,
    Quarterly,
}

impl Cadence {
    pub fn label(self) -> &'static str {
        match self {
            Cadence::Monthly => "每月",
            Cadence::Quarterly => "每季度",
        }
    }

    /// The calendar period containing `d`: its first and last day.
    pub fn period(self, d: Date) -> (Date, Date) {
        let first_month = match self {
            Cadence::Monthly => d.month() as u8,
            Cadence::Quarterly => (d.month() as u8 - 1) / 3 * 3 + 1,
        };
        let months = match self {
            Cadence::Monthly => 1,
            Cadence::Quarterly => 3,
        };
        let start = month_start(d.year(), first_month);
        let (ny, nm) = if first_month + months > 12 {
            (d.year() + 1, first_month + months - 12)
        } else {
            (d.year(), first_month + months)
        };
        (start, month_start(ny, nm) - Duration::days(1))
    }

    /// The period before the one containing `d`.
    pub fn previous_period(self, d: Date) -> (Date, Date) {
        let (start, _) = self.period(d);
        self.period(start - Duration::days(1))
    }

    /// This period's name as pages show it: 本月, 本季度.
    pub fn this_period(self) -> &'static str {
        match self {
            Cadence::Monthly => "本月",
            Cadence::Quarterly => "本季度",
        }
    }

    pub fn last_period(self) -> &'static str {
        match self {
            Cadence::Monthly => "上月",
            Cadence::Quarterly => "上季度",
        }
    }
}

fn month_start(year: i32, month: u8) -> Date {
    let m = Month::try_from(month).unwrap_or(Month::January);
    Date::from_calendar_date(year, m, 1).unwrap_or(Date::MIN)
}

/// The kinds of party life due from a party organization of this type, with
/// their cadence. A party committee or general branch holds its committee
/// meetings and party lectures; the assembly of all members and the themed
/// party day are the branches' (支部). Party groups (党小组会) are left out:
/// not every branch has groups, and the record does not say which have.
pub fn due_kinds(t: PartyOrgType) -> Vec<(PartyLifeKind, Cadence)> {
    let branch = matches!(t, PartyOrgType::Branch | PartyOrgType::JointBranch);
    let mut out = Vec::new();
    if branch {
        out.push((PartyLifeKind::BranchAssembly, Cadence::Quarterly));
    }
    out.push((PartyLifeKind::CommitteeMeeting, Cadence::Monthly));
    out.push((PartyLifeKind::PartyLecture, Cadence::Quarterly));
    if branch {
        out.push((PartyLifeKind::ThemedDay, Cadence::Monthly));
    }
    out
}

/// Where one duty stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyState {
    /// Held in this period.
    Done,
    /// Not yet held in this period, which ends on this day.
    Due(Date),
    /// Not held in the previous period either (the organization existed
    /// then); this period ends on this day.
    Missed(Date),
}

impl DutyState {
    pub fn tone(&self) -> &'static str {
        match self {
            DutyState::Done => "green",
            DutyState::Due(_) => "orange",
            DutyState::Missed(_) => "red",
        }
    }
}

/// A regular meeting: held `this_period` times in the current period and
/// `last_period` times in the one before; `founded` the organization's
/// founding day, if known.
pub fn life_duty(
    cadence: Cadence,
    this_period: u32,
    last_period: u32,
    founded: Option<Date>,
    today: Date,
) -> DutyState {
    let (_, end) = cadence.period(today);
    if this_period > 0 {
        return DutyState::Done;
    }
    let (prev_start, _) = cadence.previous_period(today);
    let existed = founded.is_none_or(|f| f < prev_start);
    if last_period == 0 && existed { DutyState::Missed(end) } else { DutyState::Due(end) }
}

/// How far ahead a probationary member's coming end of probation is shown.
pub const PROBATION_NOTICE_DAYS: i64 = 30;

/// The day a probationary member's year ends (预备期一年).
pub fn probation_ends(joined: Date) -> Date {
    let y = joined.year() + 1;
    Date::from_calendar_date(y, joined.month(), joined.day()).unwrap_or_else(|_| month_start(y, 3))
}

/// A probationary member's state: the year ends within the notice period
/// (`Due`), has ended without a decision on full membership (`Missed`), or
/// nothing to do yet (None). Formal members and unknown dates: None.
pub fn probation_duty(t: MemberType, joined: Option<Date>, today: Date) -> Option<DutyState> {
    if t != MemberType::Probationary {
        return None;
    }
    let ends = probation_ends(joined?);
    if ends < today {
        Some(DutyState::Missed(ends))
    } else if ends - today <= Duration::days(PROBATION_NOTICE_DAYS) {
        Some(DutyState::Due(ends))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn periods_are_calendar_months_and_quarters() {
        let d = date!(2026 - 12 - 01);
        assert_eq!(Cadence::Monthly.period(d), (date!(2026 - 12 - 01), date!(2026 - 12 - 31)));
        assert_eq!(Cadence::Quarterly.period(d), (date!(2026 - 10 - 01), date!(2026 - 12 - 31)));
        assert_eq!(Cadence::Monthly.previous_period(d), (date!(2026 - 11 - 01), date!(2026 - 11 - 30)));
        assert_eq!(
            Cadence::Quarterly.previous_period(date!(2026 - 02 - 10)),
            (date!(2025 - 10 - 01), date!(2025 - 12 - 31))
        );
        assert_eq!(Cadence::Monthly.period(date!(2028 - 02 - 10)).1, date!(2028 - 02 - 29));
    }

    #[test]
    fn a_meeting_is_done_due_or_missed() {
        let today = date!(2026 - 12 - 01);
        let end = date!(2026 - 12 - 31);
        assert_eq!(life_duty(Cadence::Monthly, 1, 0, None, today), DutyState::Done);
        assert_eq!(life_duty(Cadence::Monthly, 0, 1, None, today), DutyState::Due(end));
        assert_eq!(life_duty(Cadence::Monthly, 0, 0, None, today), DutyState::Missed(end));
        // an organization founded during last month owed nothing for it
        assert_eq!(life_duty(Cadence::Monthly, 0, 0, Some(date!(2026 - 11 - 15)), today), DutyState::Due(end));
        assert_eq!(life_duty(Cadence::Monthly, 0, 0, Some(date!(2026 - 10 - 31)), today), DutyState::Missed(end));
    }

    #[test]
    fn branches_owe_all_four_committees_two() {
        let kinds = |t| due_kinds(t).into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(kinds(PartyOrgType::JointBranch).len(), 4);
        assert_eq!(kinds(PartyOrgType::Committee), [PartyLifeKind::CommitteeMeeting, PartyLifeKind::PartyLecture]);
    }

    #[test]
    fn probation_lasts_a_year() {
        let today = date!(2026 - 12 - 01);
        let p = MemberType::Probationary;
        assert_eq!(probation_ends(date!(2024 - 02 - 29)), date!(2025 - 03 - 01));
        assert_eq!(probation_duty(p, Some(date!(2025 - 12 - 20)), today), Some(DutyState::Due(date!(2026 - 12 - 20))));
        assert_eq!(
            probation_duty(p, Some(date!(2025 - 11 - 20)), today),
            Some(DutyState::Missed(date!(2026 - 11 - 20)))
        );
        assert_eq!(probation_duty(p, Some(date!(2026 - 06 - 01)), today), None);
        assert_eq!(probation_duty(MemberType::Formal, Some(date!(2025 - 11 - 20)), today), None);
        assert_eq!(probation_duty(p, None, today), None);
    }

    proptest! {
        #[test]
        fn a_period_contains_its_day_and_follows_the_previous(y in 2000i32..2100, doy in 1u16..=365) {
            let d = Date::from_ordinal_date(y, doy).expect("day");
            for c in [Cadence::Monthly, Cadence::Quarterly] {
                let (s, e) = c.period(d);
                prop_assert!(s <= d && d <= e);
                prop_assert_eq!(s.day(), 1);
                let (_, pe) = c.previous_period(d);
                prop_assert_eq!(pe + Duration::days(1), s);
            }
        }
    }
}
