//! Annual reports (M5): the deadline and the flags a reviewer sees. Plain
//! rules with time passed in; the reviewer decides (合格 / 基本合格 / 不合格).
//!
//! Sources:
//! - deadline: the report on year Y is due by 31 May of Y + 1, the registration
//!   authority's date for 社会团体 and 民办非企业单位 (after the supervisory unit's
//!   preliminary review by 31 March); the national default of issue 12. Foundations'
//!   own rule (《基金会管理条例》) names 31 March; a locality sets its date as a
//!   policy parameter;
//! - registration minimums: 社会团体 — 全国性 10 万元, 地方性和跨行政区域 3 万元活动资金
//!   (《社会团体登记管理条例》第十条); 基金会 — 全国性公募 800 万元, 地方性公募 400 万元,
//!   非公募 200 万元原始基金 (《基金会管理条例》第八条);
//! - foundations' spending: 公募基金会 at least 70% of the previous year's income, 非公募基金会
//!   at least 8% of the previous year's fund balance (《基金会管理条例》第二十九条);
//! - general meetings and re-elections: by the charter's term (章程规定的换届年限).

use time::{Date, Month};

use crate::party::records::format_fen;
use crate::registry::OrgKind;

/// The day a report on `year` is due: 31 May of the following year unless
/// a locality sets another month and day.
pub fn due_on(year: i32, month_day: Option<(u8, u8)>) -> Date {
    let (m, d) = month_day.unwrap_or((5, 31));
    Month::try_from(m)
        .ok()
        .and_then(|m| Date::from_calendar_date(year + 1, m, d).ok())
        .unwrap_or_else(|| Date::from_calendar_date(year + 1, Month::May, 31).unwrap_or(Date::MIN))
}

/// Where a report stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    OnTime,
    /// Submitted after the due date.
    Late,
    /// Not submitted, the due date not yet passed.
    Pending,
    /// Not submitted, the due date passed.
    Missing,
}

pub fn timeliness(due: Date, submitted: Option<Date>, today: Date) -> Timeliness {
    match submitted {
        Some(s) if s <= due => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if today <= due => Timeliness::Pending,
        None => Timeliness::Missing,
    }
}

/// How far a registration reaches, for the registration minimums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    National,
    Local,
}

/// A foundation's fundraising kind (公募 / 非公募).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fundraising {
    Public,
    NonPublic,
}

/// The registration minimum of net assets in fen, where a national rule sets one.
pub fn registration_minimum_fen(kind: OrgKind, reach: Reach, fundraising: Option<Fundraising>) -> Option<i64> {
    const WAN: i64 = 10_000 * 100;
    match (kind, reach, fundraising) {
        (OrgKind::Association, Reach::National, _) => Some(10 * WAN),
        (OrgKind::Association, Reach::Local, _) => Some(3 * WAN),
        (OrgKind::Foundation, Reach::National, Some(Fundraising::Public)) => Some(800 * WAN),
        (OrgKind::Foundation, Reach::Local, Some(Fundraising::Public)) => Some(400 * WAN),
        (OrgKind::Foundation, _, Some(Fundraising::NonPublic)) => Some(200 * WAN),
        _ => None,
    }
}

/// What the review rules read from a report and the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    pub kind: OrgKind,
    pub reach: Reach,
    pub fundraising: Option<Fundraising>,
    /// The year reported on.
    pub year: i32,
    /// Net assets at the year's end (fen).
    pub net_assets_fen: i64,
    /// General meetings (会员大会/会员代表大会/理事会) held in the year.
    pub general_meetings: u32,
    /// The last re-election, and the charter's term in years.
    pub last_reelection: Option<Date>,
    pub term_years: Option<u32>,
    /// Spending on the charter's purposes in the year (fen).
    pub purpose_spending_fen: i64,
    /// The previous year's total income, and fund balance at its end (fen).
    pub previous_income_fen: Option<i64>,
    pub previous_balance_fen: Option<i64>,
    /// Party organization as the report states it, and as the coverage records have it.
    pub reported_party_org: bool,
    pub recorded_party_org: bool,
    /// Fees charged outside the published standard (industry associations, 003§10).
    pub fees_outside_standard: bool,
}

/// A problem for the reviewer, with the rule it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub rule: &'static str,
    pub message: String,
}

/// The flags of a report on `f.year`, for the reviewer (who decides).
pub fn review_flags(f: &ReportFacts) -> Vec<Flag> {
    let mut out = Vec::new();
    let year_end = Date::from_calendar_date(f.year, Month::December, 31).unwrap_or(Date::MIN);
    if let Some(min) = registration_minimum_fen(f.kind, f.reach, f.fundraising)
        && f.net_assets_fen < min
    {
        out.push(Flag {
            rule: "net_assets_below_minimum",
            message: format!(
                "年末净资产 {} 元，低于登记时的法定最低限额 {} 元",
                format_fen(f.net_assets_fen),
                format_fen(min)
            ),
        });
    }
    if f.kind != OrgKind::Foundation && f.general_meetings == 0 {
        out.push(Flag {
            rule: "no_general_meeting", message: format!("{} 年未召开会员（代表）大会或理事会", f.year)
        });
    }
    match (f.last_reelection, f.term_years) {
        (Some(last), Some(term)) if term > 0 => {
            let due = Date::from_calendar_date(last.year() + term as i32, last.month(), last.day().min(28))
                .unwrap_or(Date::MAX);
            if due < year_end {
                out.push(Flag {
                    rule: "reelection_overdue",
                    message: format!("上次换届 {last}，章程规定 {term} 年一届，应于 {due} 前换届"),
                });
            }
        }
        (None, Some(_)) => out.push(Flag { rule: "reelection_unknown", message: "未填写上次换届日期".into() }),
        _ => {}
    }
    if f.kind == OrgKind::Foundation {
        let required = match f.fundraising {
            Some(Fundraising::Public) => f.previous_income_fen.map(|i| i.saturating_mul(70) / 100),
            Some(Fundraising::NonPublic) => f.previous_balance_fen.map(|b| b.saturating_mul(8) / 100),
            None => None,
        };
        if let Some(req) = required
            && f.purpose_spending_fen < req
        {
            out.push(Flag {
                rule: "foundation_spending_below",
                message: format!(
                    "公益事业支出 {} 元，低于规定的 {} 元",
                    format_fen(f.purpose_spending_fen),
                    format_fen(req)
                ),
            });
        }
    }
    if f.reported_party_org != f.recorded_party_org {
        out.push(Flag {
            rule: "party_section_differs",
            message: if f.reported_party_org {
                "报告填写已建立党组织，党建记录中没有该组织的党组织".into()
            } else {
                "报告填写未建立党组织，党建记录中该组织已有党组织".into()
            },
        });
    }
    if f.fees_outside_standard {
        out.push(Flag {
            rule: "fees_outside_standard", message: "收费项目或标准与公示的标准不一致".into()
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts() -> ReportFacts {
        ReportFacts {
            kind: OrgKind::Association,
            reach: Reach::Local,
            fundraising: None,
            year: 2025,
            net_assets_fen: 50_000 * 100,
            general_meetings: 1,
            last_reelection: Some(date!(2023 - 06 - 01)),
            term_years: Some(5),
            purpose_spending_fen: 0,
            previous_income_fen: None,
            previous_balance_fen: None,
            reported_party_org: true,
            recorded_party_org: true,
            fees_outside_standard: false,
        }
    }

    fn rules(f: &ReportFacts) -> Vec<&'static str> {
        review_flags(f).into_iter().map(|x| x.rule).collect()
    }

    #[test]
    fn deadlines_are_31_may_unless_the_locality_says_otherwise() {
        assert_eq!(due_on(2025, None), date!(2026 - 05 - 31));
        assert_eq!(due_on(2025, Some((4, 30))), date!(2026 - 04 - 30));
        assert_eq!(due_on(2025, Some((2, 30))), date!(2026 - 05 - 31), "an impossible date falls back");
        let due = date!(2026 - 05 - 31);
        assert_eq!(timeliness(due, Some(due), date!(2026 - 07 - 01)), Timeliness::OnTime);
        assert_eq!(timeliness(due, Some(date!(2026 - 06 - 01)), date!(2026 - 07 - 01)), Timeliness::Late);
        assert_eq!(timeliness(due, None, due), Timeliness::Pending);
        assert_eq!(timeliness(due, None, date!(2026 - 06 - 01)), Timeliness::Missing);
    }

    #[test]
    fn a_sound_report_has_no_flags() {
        assert!(rules(&facts()).is_empty());
    }

    #[test]
    fn net_assets_below_the_registration_minimum() {
        // 地方性社会团体 3 万元 (社会团体登记管理条例第十条)
        let f = ReportFacts { net_assets_fen: 29_999 * 100 + 99, ..facts() };
        assert_eq!(rules(&f), ["net_assets_below_minimum"]);
        assert_eq!(rules(&ReportFacts { net_assets_fen: 30_000 * 100, ..facts() }), Vec::<&str>::new());
        // 非公募基金会 200 万元 (基金会管理条例第八条)
        assert_eq!(
            registration_minimum_fen(OrgKind::Foundation, Reach::Local, Some(Fundraising::NonPublic)),
            Some(2_000_000 * 100)
        );
        assert_eq!(registration_minimum_fen(OrgKind::ServiceInstitution, Reach::Local, None), None);
    }

    #[test]
    fn meetings_and_reelections() {
        assert_eq!(rules(&ReportFacts { general_meetings: 0, ..facts() }), ["no_general_meeting"]);
        let overdue = ReportFacts { last_reelection: Some(date!(2020 - 06 - 01)), ..facts() };
        assert_eq!(rules(&overdue), ["reelection_overdue"]);
        let within = ReportFacts { last_reelection: Some(date!(2021 - 01 - 01)), ..facts() };
        assert!(rules(&within).is_empty(), "due 2026-01-01, after the year reported on");
        assert_eq!(rules(&ReportFacts { last_reelection: None, ..facts() }), ["reelection_unknown"]);
    }

    #[test]
    fn foundations_spend_their_share() {
        let public = ReportFacts {
            kind: OrgKind::Foundation,
            fundraising: Some(Fundraising::Public),
            net_assets_fen: 5_000_000 * 100,
            previous_income_fen: Some(1_000_000 * 100),
            purpose_spending_fen: 699_999 * 100 + 99,
            ..facts()
        };
        assert_eq!(rules(&public), ["foundation_spending_below"], "70% of last year's income");
        assert!(rules(&ReportFacts { purpose_spending_fen: 700_000 * 100, ..public.clone() }).is_empty());
        let private = ReportFacts {
            fundraising: Some(Fundraising::NonPublic),
            previous_balance_fen: Some(3_000_000 * 100),
            purpose_spending_fen: 240_000 * 100,
            ..public
        };
        assert!(rules(&private).is_empty(), "8% of last year's balance");
    }

    #[test]
    fn the_party_section_against_the_records_and_fees() {
        let f = ReportFacts { reported_party_org: false, ..facts() };
        assert_eq!(rules(&f), ["party_section_differs"]);
        assert_eq!(rules(&ReportFacts { fees_outside_standard: true, ..facts() }), ["fees_outside_standard"]);
    }
}
