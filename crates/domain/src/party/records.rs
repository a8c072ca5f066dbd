//! The M2 records as drafts, and the rules a record satisfies by itself or
//! with facts the service looks up (`003`, `004`, `001`).
//!
//! Each input (the wire format, [`super::inputs`]) is read into a typed draft
//! by a pure function with per-field Chinese errors; the rules that need a
//! lookup (the secretary's party organization, the organizations' current
//! covering party organization) take the looked-up facts as parameters. The
//! services keep only what needs the database: records exist and lie in the
//! caller's scope, uniqueness, and those lookups.

use time::Date;

use super::coverage::{
    Assessment, ChannelKind, FundKind, InstructorSource, InstructorStatus, MemberType, PartyLifeKind, PartyOrgType,
};
use super::inputs::{
    ChannelInput, FundInput, InstructorInput, MemberInput, PartyLifeInput, PartyOrgInput, TrainingInput,
};
use crate::enums::labelled_enum;
use crate::idcard;
use crate::input::{Reader, Violation, clip, region_digits};

/// A draft, or every field that is wrong.
pub type Read<T> = Result<T, Vec<Violation>>;

labelled_enum!(
    /// 性别
    Gender {
        Male = "male", "男";
        Female = "female", "女";
    }
);

/// Text limits shared by forms and the rules.
pub const NAME_MAX: usize = 50;
pub const ORG_NAME_MAX: usize = 100;
/// An instructor's own load limit (organizations), when set.
pub const INSTRUCTOR_MAX_ORGS: (i32, i32) = (1, 100);
/// 评星定级: 0 (not rated) to 5 stars.
pub const STAR_RATING: (i32, i32) = (0, 5);
/// Attendance counts of a party-life record.
pub const ATTENDANCE_MAX: i32 = 100_000;
/// Hours of a training.
pub const TRAINING_HOURS_MAX: i32 = 1000;
/// The age from which one may join the party (党章第一条：年满十八岁).
pub const MIN_JOINING_AGE: i32 = 18;
/// Assessments are recorded from this year on.
pub const ASSESSMENT_FIRST_YEAR: i32 = 2000;

// ---------- members ----------

/// A party member as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDraft {
    pub name: String,
    pub gender: Option<Gender>,
    pub member_type: MemberType,
    /// 入党日期
    pub joined_on: Option<Date>,
    /// 转正日期
    pub formal_on: Option<Date>,
    /// 党内职务
    pub posts: String,
    pub party_org_id: Option<i64>,
    pub employer_org_id: Option<i64>,
    /// Checked and normalized; None keeps the recorded number.
    pub id_number: Option<String>,
    pub phone: String,
    /// Left (transferred out) on.
    pub left_on: Option<Date>,
}

impl MemberDraft {
    /// Read a member. `own_party_org`: the caller keeps the members of this
    /// party organization only (a secretary), so the member belongs to it
    /// whatever was sent; None for region writers, who choose.
    pub fn read(i: &MemberInput, today: Date, own_party_org: Option<i64>) -> Read<MemberDraft> {
        let mut r = Reader::new();
        let name = r.text("name", &i.name, "姓名", NAME_MAX);
        let gender = r.optional_choice::<Gender>("gender", &i.gender, "性别应为 male 或 female");
        let member_type = r.choice::<MemberType>("member_type", &i.member_type, "党员类别（正式党员或预备党员）");
        let joined_on = r.date("joined_on", i.joined_on.as_deref(), today);
        let formal_on = r.date("formal_on", i.formal_on.as_deref(), today);
        if let Some(t) = member_type {
            r.add(check_member_dates(t, joined_on, formal_on));
        }
        let posts = r.optional_text("posts", &i.posts, "党内职务", 100);
        let phone = clip(&i.phone, 32);
        let left_on = r.date("left_on", i.left_on.as_deref(), today);
        let party_org_id = match own_party_org {
            Some(own) => Some(own),
            None => r.id("party_org_id", i.party_org_id.as_deref()),
        };
        let employer_org_id = r.id("employer_org_id", i.employer_org_id.as_deref());
        let placed = party_org_id.is_some() || employer_org_id.is_some();
        let unreadable = r.violations().iter().any(|v| matches!(v.field, "party_org_id" | "employer_org_id"));
        if !placed && !unreadable {
            r.bad("party_org_id", "请填写所在党组织或工作单位");
        }
        let id_number = match i.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(raw) => match idcard::parse(raw, today) {
                Ok(n) => Some(n),
                Err(m) => {
                    r.bad("id_number", m);
                    None
                }
            },
        };
        // the Party Constitution admits from the age of eighteen (党章第一条)
        if let (Some(n), Some(j)) = (&id_number, joined_on)
            && let Some(adult) = idcard::birth_date(n).and_then(|b| idcard::turns(b, MIN_JOINING_AGE))
            && j < adult
        {
            r.bad("joined_on", "入党日期早于年满十八周岁之日（按公民身份号码中的出生日期），请核对");
        }
        let Some(member_type) = member_type else { return r.fail() };
        r.finish(MemberDraft {
            name,
            gender,
            member_type,
            joined_on,
            formal_on,
            posts,
            party_org_id,
            employer_org_id,
            id_number,
            phone,
            left_on,
        })
    }
}

/// A member's dates: the formal date (转正) is not before the joining date
/// (入党), and a probationary member (预备党员) has no formal date yet.
/// (Neither date may be after today: the reader refuses that.)
pub fn check_member_dates(t: MemberType, joined: Option<Date>, formal: Option<Date>) -> Vec<Violation> {
    let mut out = Vec::new();
    if let (Some(j), Some(f)) = (joined, formal)
        && f < j
    {
        out.push(Violation::new("formal_on", "转正日期不能早于入党日期"));
    }
    if t == MemberType::Probationary && formal.is_some() {
        out.push(Violation::new("formal_on", "预备党员尚无转正日期"));
    }
    out
}

// ---------- party organizations ----------

/// A party organization as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyOrgDraft {
    pub name: String,
    /// What only region writers set; None when a secretary edits their own.
    pub frame: Option<PartyOrgFrame>,
    pub secretary_member_id: Option<i64>,
    /// As given; see [`secretary_since`] for a new secretary without a date.
    pub secretary_since: Option<Date>,
    /// The "六有" items, in the order of [`super::coverage::VENUE_ITEMS`].
    pub venue: [bool; 6],
    pub brand: String,
    /// Create only: the organizations it covers, each once, in the order given.
    pub org_ids: Vec<i64>,
}

/// The parts of a party organization's record that region writers keep:
/// type, place, channel, parent, founding, demonstration site and stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyOrgFrame {
    pub org_type: PartyOrgType,
    pub region_code: String,
    pub channel_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub founded_on: Option<Date>,
    pub is_demonstration: bool,
    pub star_rating: i32,
}

impl PartyOrgDraft {
    /// Read a party organization. `whole`: the caller keeps the whole record
    /// (a region writer); a secretary's edit reads the rest only.
    pub fn read(i: &PartyOrgInput, today: Date, whole: bool) -> Read<PartyOrgDraft> {
        let mut r = Reader::new();
        let name = r.text("name", &i.name, "党组织名称", ORG_NAME_MAX);
        let frame = if whole {
            let org_type = r.choice::<PartyOrgType>("org_type", &i.org_type, "党组织类型");
            let region_code = region_digits(&i.region_code);
            if region_code.is_empty() {
                r.bad("region_code", "请选择党组织所在区划");
            }
            let channel_id = r.id("channel_id", i.channel_id.as_deref());
            let parent_id = r.id("parent_id", i.parent_id.as_deref());
            let founded_on = r.date("founded_on", i.founded_on.as_deref(), today);
            let star_rating = r.int32("star_rating", i.star_rating.as_deref(), STAR_RATING.0, STAR_RATING.1);
            org_type.map(|org_type| PartyOrgFrame {
                org_type,
                region_code,
                channel_id,
                parent_id,
                founded_on,
                is_demonstration: i.is_demonstration,
                star_rating: star_rating.unwrap_or(0),
            })
        } else {
            None
        };
        let secretary_member_id = r.id("secretary_member_id", i.secretary_member_id.as_deref());
        let secretary_since = r.date("secretary_since", i.secretary_since.as_deref(), today);
        let brand = r.optional_text("brand", &i.brand, "党建品牌名称", 100);
        let mut org_ids: Vec<i64> = Vec::with_capacity(i.org_ids.len());
        for id in &i.org_ids {
            if !org_ids.contains(id) {
                org_ids.push(*id);
            }
        }
        r.finish(PartyOrgDraft {
            name,
            frame,
            secretary_member_id,
            secretary_since,
            venue: [i.venue_place, i.venue_facilities, i.venue_sign, i.venue_flag, i.venue_books, i.venue_rules],
            brand,
            org_ids,
        })
    }
}

/// The secretary is a member of the party organization. `this`: the party
/// organization (None while it is created: it has no members yet);
/// `member_party_org`: the party organization the proposed secretary belongs
/// to now, as the service found it (None: no such member, or one who left or
/// belongs to none).
pub fn check_secretary(this: Option<i64>, member_party_org: Option<i64>) -> Option<Violation> {
    match (this, member_party_org) {
        (Some(a), Some(b)) if a == b => None,
        _ => Some(Violation::new("secretary_member_id", "书记须为本党组织的党员")),
    }
}

/// When the secretary took the post: the date given; a new secretary
/// (`changed`) without one takes it today.
pub fn secretary_since(changed: bool, secretary: Option<i64>, given: Option<Date>, today: Date) -> Option<Date> {
    if changed { given.or(secretary.map(|_| today)) } else { given }
}

/// An organization a party organization is to cover, with the party
/// organization that covers it now (id, and name when the caller may see
/// it), as the service found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoveredNow<'a> {
    pub org_name: &'a str,
    pub covered_by: Option<(i64, Option<&'a str>)>,
}

/// At most one covering party organization per organization: an organization
/// covered by another party organization than `this` (None: one being
/// created) must be removed there first (no silent moves). The message names
/// that party organization when the caller may see it.
pub fn check_single_cover(this: Option<i64>, orgs: &[CoveredNow<'_>]) -> Vec<Violation> {
    orgs.iter()
        .filter_map(|o| match o.covered_by {
            Some((other, name)) if Some(other) != this => Some(Violation::new(
                "org_ids",
                match name {
                    Some(name) => format!("“{}”已由“{}”覆盖，请先从原党组织移出", o.org_name, name),
                    None => format!("“{}”已由其他党组织覆盖，请先从原党组织移出", o.org_name),
                },
            )),
            _ => None,
        })
        .collect()
}

// ---------- instructors ----------

/// An instructor as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructorDraft {
    pub name: String,
    pub source: InstructorSource,
    /// The region subtree served.
    pub region_code: String,
    pub employer: String,
    pub phone: String,
    /// Longitude and latitude in millionths of a degree.
    pub coords: Option<(i64, i64)>,
    /// Own load limit; None: the policy profile's.
    pub max_orgs: Option<i32>,
    pub appointed_on: Option<Date>,
    pub status: InstructorStatus,
    pub assessment: Option<Assessment>,
    pub assessment_year: Option<i32>,
}

impl InstructorDraft {
    pub fn read(i: &InstructorInput, today: Date) -> Read<InstructorDraft> {
        let mut r = Reader::new();
        let name = r.text("name", &i.name, "姓名", NAME_MAX);
        let source = r.choice::<InstructorSource>("source", &i.source, "来源");
        let region_code = region_digits(&i.region_code);
        if region_code.is_empty() {
            r.bad("region_code", "请选择指导区域");
        }
        let coords = r.coords(i.longitude.as_deref(), i.latitude.as_deref());
        let (lo, hi) = INSTRUCTOR_MAX_ORGS;
        let max_orgs = r.int32("max_orgs", i.max_orgs.as_deref(), lo, hi);
        let appointed_on = r.date("appointed_on", i.appointed_on.as_deref(), today);
        let status = match i.status.trim() {
            "" => Some(InstructorStatus::Active),
            s => match InstructorStatus::parse(s) {
                None => {
                    r.bad("status", "状态应为 active 或 inactive");
                    None
                }
                x => x,
            },
        };
        let assessment =
            r.optional_choice::<Assessment>("assessment", &i.assessment, "考核结果应为优秀、称职、基本称职或不称职");
        let assessment_year =
            r.int32("assessment_year", i.assessment_year.as_deref(), ASSESSMENT_FIRST_YEAR, today.year());
        let (Some(source), Some(status)) = (source, status) else { return r.fail() };
        r.finish(InstructorDraft {
            name,
            source,
            region_code,
            employer: clip(&i.employer, 100),
            phone: clip(&i.phone, 32),
            coords,
            max_orgs,
            appointed_on,
            status,
            assessment,
            assessment_year,
        })
    }
}

/// An instructor serves at most `limit` organizations (own limit, else the
/// profile's): `load` is the number after the change.
pub fn check_instructor_load(load: usize, limit: i32) -> Option<Violation> {
    (i64::try_from(load).unwrap_or(i64::MAX) > i64::from(limit))
        .then(|| Violation::new("org_ids", format!("超过该指导员的联系上限 {limit} 个（调整后为 {load} 个）")))
}

// ---------- party life, funds, trainings ----------

/// A party-life record (三会一课, themed party day) as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyLifeDraft {
    pub party_org_id: i64,
    pub kind: PartyLifeKind,
    pub held_on: Date,
    pub topic: String,
    /// 实到; None when not recorded (a blank is not zero)
    pub attendees: Option<i32>,
    /// 应到; None when not recorded
    pub expected: Option<i32>,
}

impl PartyLifeDraft {
    pub fn read(i: &PartyLifeInput, today: Date) -> Read<PartyLifeDraft> {
        let mut r = Reader::new();
        let party_org_id = r.required_id("party_org_id", i.party_org_id.as_deref(), "党组织");
        let kind = r.choice::<PartyLifeKind>("kind", &i.kind, "活动类型");
        let held_on = r.required_date("held_on", i.held_on.as_deref(), today, "活动日期");
        let topic = r.text("topic", &i.topic, "主题", 200);
        let attendees = r.int32("attendees", i.attendees.as_deref(), 0, ATTENDANCE_MAX);
        let expected = r.int32("expected", i.expected.as_deref(), 0, ATTENDANCE_MAX);
        r.add(check_attendance(attendees, expected));
        let (Some(party_org_id), Some(kind), Some(held_on)) = (party_org_id, kind, held_on) else {
            return r.fail();
        };
        r.finish(PartyLifeDraft { party_org_id, kind, held_on, topic, attendees, expected })
    }
}

/// Attendance is not above the expected count (when both are recorded).
pub fn check_attendance(attendees: Option<i32>, expected: Option<i32>) -> Option<Violation> {
    match (attendees, expected) {
        (Some(a), Some(e)) if a > e => Some(Violation::new("attendees", "实到人数不能多于应到人数")),
        _ => None,
    }
}

/// Attendees / expected, 0..1; None when either is not recorded (or nobody
/// was expected).
pub fn attendance_rate(attendees: Option<i32>, expected: Option<i32>) -> Option<f64> {
    match (attendees, expected) {
        (Some(a), Some(e)) if e > 0 => Some(f64::from(a) / f64::from(e)),
        _ => None,
    }
}

/// Funds received by a party organization, as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundDraft {
    pub party_org_id: i64,
    pub kind: FundKind,
    /// Positive, in fen.
    pub amount_fen: i64,
    pub received_on: Date,
    pub doc_no: String,
    pub note: String,
}

impl FundDraft {
    pub fn read(i: &FundInput, today: Date) -> Read<FundDraft> {
        let mut r = Reader::new();
        let party_org_id = r.required_id("party_org_id", i.party_org_id.as_deref(), "党组织");
        let kind = r.choice::<FundKind>("kind", &i.kind, "经费类别");
        let amount_fen = match i.amount.as_deref().map(parse_yuan) {
            Some(Some(f)) if f > 0 => Some(f),
            Some(_) => {
                r.bad("amount", "金额应为正数，最多两位小数，如 3000 或 1250.50");
                None
            }
            None => {
                r.bad("amount", "请填写金额");
                None
            }
        };
        let received_on = r.required_date("received_on", i.received_on.as_deref(), today, "到账日期");
        let (Some(party_org_id), Some(kind), Some(amount_fen), Some(received_on)) =
            (party_org_id, kind, amount_fen, received_on)
        else {
            return r.fail();
        };
        r.finish(FundDraft {
            party_org_id,
            kind,
            amount_fen,
            received_on,
            doc_no: clip(&i.doc_no, 100),
            note: clip(&i.note, 200),
        })
    }
}

/// "1250.5" → 125050 fen; at most two decimals, no sign ("元" and thousands
/// separators allowed).
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('元').trim().replace(',', "");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let y: i64 = int.parse().ok()?;
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    y.checked_mul(100)?.checked_add(f)
}

/// 125050 fen → "1250.50".
pub fn format_fen(f: i64) -> String {
    let sign = if f < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (f / 100).abs(), (f % 100).abs())
}

/// Who attended a training: a member (a secretary's rotation training counts
/// for the training rules) or an instructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trainee {
    Member(i64),
    Instructor(i64),
}

/// A training as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingDraft {
    pub trainee: Trainee,
    pub title: String,
    pub trained_on: Date,
    pub hours: i32,
    pub organizer: String,
}

impl TrainingDraft {
    pub fn read(i: &TrainingInput, today: Date) -> Read<TrainingDraft> {
        let mut r = Reader::new();
        let member = r.id("member_id", i.member_id.as_deref());
        let instructor = r.id("instructor_id", i.instructor_id.as_deref());
        let trainee = match (member, instructor) {
            (Some(m), None) => Some(Trainee::Member(m)),
            (None, Some(x)) => Some(Trainee::Instructor(x)),
            _ => {
                if r.is_ok() {
                    r.bad("member_id", "请选择参训的党员或党建指导员（二选一）");
                }
                None
            }
        };
        let title = r.text("title", &i.title, "培训名称", 200);
        let trained_on = r.required_date("trained_on", i.trained_on.as_deref(), today, "培训日期");
        let hours = r.int32("hours", i.hours.as_deref(), 0, TRAINING_HOURS_MAX).unwrap_or(0);
        let (Some(trainee), Some(trained_on)) = (trainee, trained_on) else {
            return r.fail();
        };
        r.finish(TrainingDraft { trainee, title, trained_on, hours, organizer: clip(&i.organizer, 100) })
    }
}

// ---------- channels ----------

/// A management channel as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDraft {
    pub kind: ChannelKind,
    pub name: String,
    pub region_code: String,
    /// The hub organization of a hub channel (none for the other kinds).
    pub hub_org_id: Option<i64>,
}

impl ChannelDraft {
    pub fn read(i: &ChannelInput) -> Read<ChannelDraft> {
        let mut r = Reader::new();
        let name = r.text("name", &i.name, "渠道名称", ORG_NAME_MAX);
        let kind = r.choice::<ChannelKind>("kind", &i.kind, "渠道类型");
        let region_code = region_digits(&i.region_code);
        if region_code.is_empty() {
            r.bad("region_code", "请选择渠道所在区划");
        }
        let hub = r.id("hub_org_id", i.hub_org_id.as_deref());
        if kind == Some(ChannelKind::HubOrg) && hub.is_none() && r.violations().iter().all(|v| v.field != "hub_org_id")
        {
            r.bad("hub_org_id", "枢纽型社会组织党组织须指明枢纽组织");
        }
        let Some(kind) = kind else { return r.fail() };
        let hub_org_id = if kind == ChannelKind::HubOrg { hub } else { None };
        r.finish(ChannelDraft { kind, name, region_code, hub_org_id })
    }
}

#[cfg(test)]
#[path = "records_tests.rs"]
mod tests;
