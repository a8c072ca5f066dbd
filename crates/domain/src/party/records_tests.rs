use proptest::prelude::*;
use time::macros::date;

use super::*;

const TODAY: Date = date!(2026 - 03 - 01);

fn fields(v: &[Violation]) -> Vec<(&'static str, &str)> {
    v.iter().map(|x| (x.field, x.message.as_str())).collect()
}

fn member() -> MemberInput {
    MemberInput {
        name: "张红".into(),
        member_type: "formal".into(),
        employer_org_id: Some("7".into()),
        ..Default::default()
    }
}

#[test]
fn a_member_is_read_into_a_typed_draft() {
    let i = MemberInput {
        gender: "female".into(),
        joined_on: Some("2010-07-01".into()),
        formal_on: Some("2011-07-01".into()),
        posts: " 组织委员 ".into(),
        party_org_id: Some("3".into()),
        id_number: Some("11010519491231002x".into()),
        phone: " 0546-8888888 ".into(),
        ..member()
    };
    let d = MemberDraft::read(&i, TODAY, None).expect("valid");
    assert_eq!(d.gender, Some(Gender::Female));
    assert_eq!(d.member_type, MemberType::Formal);
    assert_eq!((d.joined_on, d.formal_on), (Some(date!(2010 - 07 - 01)), Some(date!(2011 - 07 - 01))));
    assert_eq!((d.party_org_id, d.employer_org_id), (Some(3), Some(7)));
    assert_eq!(d.id_number.as_deref(), Some("11010519491231002X"));
    assert_eq!((d.posts.as_str(), d.phone.as_str()), ("组织委员", "0546-8888888"));
}

#[test]
fn member_field_errors_are_per_field_and_in_chinese() {
    let i = MemberInput {
        name: " ".into(),
        gender: "x".into(),
        member_type: "".into(),
        joined_on: Some("2026-03-02".into()),
        employer_org_id: None,
        id_number: Some("110105194912310021".into()),
        ..Default::default()
    };
    let e = MemberDraft::read(&i, TODAY, None).expect_err("invalid");
    assert_eq!(
        fields(&e),
        [
            ("name", "请填写姓名"),
            ("gender", "性别应为 male 或 female"),
            ("member_type", "请选择党员类别（正式党员或预备党员）"),
            ("joined_on", "日期不能晚于今天"),
            ("party_org_id", "请填写所在党组织或工作单位"),
            ("id_number", "公民身份号码校验位错误，请核对"),
        ]
    );
}

#[test]
fn formal_date_not_before_joining_date() {
    let i = MemberInput { joined_on: Some("2020-05-01".into()), formal_on: Some("2020-04-30".into()), ..member() };
    let e = MemberDraft::read(&i, TODAY, None).expect_err("formal before joined");
    assert_eq!(fields(&e), [("formal_on", "转正日期不能早于入党日期")]);
    let same = MemberInput { formal_on: Some("2020-05-01".into()), ..i };
    assert!(MemberDraft::read(&same, TODAY, None).is_ok(), "the same day is allowed");
}

#[test]
fn a_probationary_member_has_no_formal_date() {
    let i = MemberInput { member_type: "probationary".into(), formal_on: Some("2025-01-01".into()), ..member() };
    let e = MemberDraft::read(&i, TODAY, None).expect_err("probationary with a formal date");
    assert_eq!(fields(&e), [("formal_on", "预备党员尚无转正日期")]);
    let ok = MemberInput { member_type: "预备党员".into(), formal_on: None, ..i };
    assert_eq!(MemberDraft::read(&ok, TODAY, None).expect("ok").member_type, MemberType::Probationary);
}

#[test]
fn member_dates_are_not_after_today() {
    let i = MemberInput { formal_on: Some("2026-03-02".into()), left_on: Some("2027-01-01".into()), ..member() };
    let e = MemberDraft::read(&i, TODAY, None).expect_err("future");
    assert_eq!(fields(&e), [("formal_on", "日期不能晚于今天"), ("left_on", "日期不能晚于今天")]);
}

#[test]
fn a_secretarys_member_belongs_to_their_own_party_organization() {
    let i = MemberInput { party_org_id: Some("99".into()), employer_org_id: None, ..member() };
    let d = MemberDraft::read(&i, TODAY, Some(5)).expect("own");
    assert_eq!(d.party_org_id, Some(5));
    let bare = MemberInput { party_org_id: None, employer_org_id: None, ..member() };
    assert!(MemberDraft::read(&bare, TODAY, Some(5)).is_ok());
    let e = MemberDraft::read(&bare, TODAY, None).expect_err("nowhere");
    assert_eq!(fields(&e), [("party_org_id", "请填写所在党组织或工作单位")]);
}

fn party_org() -> PartyOrgInput {
    PartyOrgInput {
        name: "东营区爱心协会党支部".into(),
        org_type: "branch".into(),
        region_code: "370502001011".into(),
        ..Default::default()
    }
}

#[test]
fn a_party_org_is_read_whole_or_in_part() {
    let i = PartyOrgInput {
        star_rating: Some("4".into()),
        venue_flag: true,
        org_ids: vec![3, 4, 3],
        brand: " 红心向党 ".into(),
        ..party_org()
    };
    let d = PartyOrgDraft::read(&i, TODAY, true).expect("whole");
    let frame = d.frame.expect("frame");
    assert_eq!(
        (frame.org_type, frame.region_code.as_str(), frame.star_rating),
        (PartyOrgType::Branch, "370502001011", 4)
    );
    assert_eq!(d.org_ids, [3, 4], "each organization once");
    assert_eq!(d.venue, [false, false, false, true, false, false]);
    assert_eq!(d.brand, "红心向党");
    // a secretary's edit: type and region are not theirs to set, so not read
    let own = PartyOrgInput { org_type: String::new(), region_code: String::new(), ..i };
    assert_eq!(PartyOrgDraft::read(&own, TODAY, false).expect("part").frame, None);
    let e = PartyOrgDraft::read(&own, TODAY, true).expect_err("whole needs type and region");
    assert_eq!(fields(&e), [("org_type", "请选择党组织类型"), ("region_code", "请选择党组织所在区划")]);
}

#[test]
fn star_rating_is_zero_to_five_and_blank_is_unrated() {
    let e = PartyOrgDraft::read(&PartyOrgInput { star_rating: Some("6".into()), ..party_org() }, TODAY, true)
        .expect_err("six stars");
    assert_eq!(fields(&e), [("star_rating", "应在 0 至 5 之间")]);
    let d = PartyOrgDraft::read(&party_org(), TODAY, true).expect("blank");
    assert_eq!(d.frame.map(|f| f.star_rating), Some(0));
}

#[test]
fn the_secretary_is_a_member_of_the_party_organization() {
    assert_eq!(check_secretary(Some(4), Some(4)), None);
    let v = Violation::new("secretary_member_id", "书记须为本党组织的党员");
    assert_eq!(check_secretary(Some(4), Some(5)), Some(v.clone()), "a member of another party organization");
    assert_eq!(check_secretary(Some(4), None), Some(v.clone()), "no such member, or one who left");
    assert_eq!(check_secretary(None, Some(4)), Some(v), "a new party organization has no members yet");
}

#[test]
fn a_new_secretary_takes_the_post_today_unless_dated() {
    let d = date!(2025 - 12 - 01);
    assert_eq!(secretary_since(true, Some(7), None, TODAY), Some(TODAY));
    assert_eq!(secretary_since(true, Some(7), Some(d), TODAY), Some(d));
    assert_eq!(secretary_since(true, None, None, TODAY), None);
    assert_eq!(secretary_since(false, Some(7), None, TODAY), None, "the same secretary keeps the recorded date");
}

#[test]
fn one_covering_party_organization_per_organization() {
    let orgs = [
        CoveredNow { org_name: "甲协会", covered_by: None },
        CoveredNow { org_name: "乙协会", covered_by: Some((8, Some("乙协会党支部"))) },
        CoveredNow { org_name: "丙协会", covered_by: Some((3, Some("本支部"))) },
    ];
    assert_eq!(
        check_single_cover(Some(3), &orgs),
        [Violation::new("org_ids", "“乙协会”已由“乙协会党支部”覆盖，请先从原党组织移出")]
    );
    assert!(check_single_cover(Some(8), &orgs[..2]).is_empty(), "already covered by this one");
    assert_eq!(check_single_cover(None, &orgs).len(), 2, "a new party organization takes none");
    // a covering party organization the caller may not see is not named
    let hidden = [CoveredNow { org_name: "丁协会", covered_by: Some((9, None)) }];
    assert_eq!(
        check_single_cover(Some(3), &hidden),
        [Violation::new("org_ids", "“丁协会”已由其他党组织覆盖，请先从原党组织移出")]
    );
}

fn instructor() -> InstructorInput {
    InstructorInput {
        name: "王指导".into(),
        source: "retired_cadre".into(),
        region_code: "370502001".into(),
        ..Default::default()
    }
}

#[test]
fn an_instructor_is_read_with_defaults() {
    let d = InstructorDraft::read(&instructor(), TODAY).expect("valid");
    assert_eq!((d.status, d.max_orgs, d.assessment, d.coords), (InstructorStatus::Active, None, None, None));
    let i = InstructorInput {
        status: "inactive".into(),
        assessment: "优秀".into(),
        assessment_year: Some("2025".into()),
        longitude: Some("118.58".into()),
        latitude: Some("37.45".into()),
        max_orgs: Some("3".into()),
        ..instructor()
    };
    let d = InstructorDraft::read(&i, TODAY).expect("valid");
    assert_eq!(d.status, InstructorStatus::Inactive);
    assert_eq!((d.assessment, d.assessment_year, d.max_orgs), (Some(Assessment::Excellent), Some(2025), Some(3)));
    assert_eq!(d.coords, Some((118_580_000, 37_450_000)));
}

#[test]
fn instructor_field_errors() {
    let i = InstructorInput {
        source: "".into(),
        region_code: "".into(),
        max_orgs: Some("0".into()),
        status: "busy".into(),
        assessment: "good".into(),
        assessment_year: Some("2027".into()),
        latitude: Some("37.45".into()),
        ..instructor()
    };
    let e = InstructorDraft::read(&i, TODAY).expect_err("invalid");
    assert_eq!(
        fields(&e),
        [
            ("source", "请选择来源"),
            ("region_code", "请选择指导区域"),
            ("longitude", "经度和纬度须同时填写"),
            ("max_orgs", "应在 1 至 100 之间"),
            ("status", "状态应为 active 或 inactive"),
            ("assessment", "考核结果应为优秀、称职、基本称职或不称职"),
            ("assessment_year", "应在 2000 至 2026 之间"),
        ]
    );
}

#[test]
fn an_instructor_serves_no_more_than_the_limit() {
    assert_eq!(check_instructor_load(5, 5), None);
    assert_eq!(
        check_instructor_load(6, 5),
        Some(Violation::new("org_ids", "超过该指导员的联系上限 5 个（调整后为 6 个）"))
    );
}

fn life() -> PartyLifeInput {
    PartyLifeInput {
        party_org_id: Some("3".into()),
        kind: "themed_day".into(),
        held_on: Some("2026-02-28".into()),
        topic: "学习党章".into(),
        ..Default::default()
    }
}

#[test]
fn attendance_is_not_above_the_expected_count() {
    let i = PartyLifeInput { attendees: Some("12".into()), expected: Some("11".into()), ..life() };
    let e = PartyLifeDraft::read(&i, TODAY).expect_err("more than expected");
    assert_eq!(fields(&e), [("attendees", "实到人数不能多于应到人数")]);
    let ok = PartyLifeInput { attendees: Some("11".into()), ..i };
    let d = PartyLifeDraft::read(&ok, TODAY).expect("all came");
    assert_eq!((d.attendees, d.expected), (Some(11), Some(11)));
}

#[test]
fn a_blank_attendance_is_not_zero() {
    let d = PartyLifeDraft::read(&life(), TODAY).expect("blank counts");
    assert_eq!((d.attendees, d.expected), (None, None));
    assert_eq!(attendance_rate(d.attendees, d.expected), None);
    let half = PartyLifeInput { attendees: Some("8".into()), ..life() };
    let d = PartyLifeDraft::read(&half, TODAY).expect("attendees only");
    assert_eq!((d.attendees, d.expected), (Some(8), None));
    assert_eq!(attendance_rate(d.attendees, d.expected), None, "no rate without the expected count");
    let zero = PartyLifeInput { attendees: Some("0".into()), expected: Some("10".into()), ..life() };
    let d = PartyLifeDraft::read(&zero, TODAY).expect("nobody came");
    assert_eq!(attendance_rate(d.attendees, d.expected), Some(0.0), "a typed zero is zero");
    assert_eq!(attendance_rate(Some(9), Some(12)), Some(0.75));
}

#[test]
fn party_life_field_errors() {
    let i = PartyLifeInput {
        party_org_id: None,
        kind: "picnic".into(),
        held_on: Some("2026-03-02".into()),
        topic: " ".into(),
        attendees: Some("-1".into()),
        expected: Some("abc".into()),
    };
    let e = PartyLifeDraft::read(&i, TODAY).expect_err("invalid");
    assert_eq!(
        fields(&e),
        [
            ("party_org_id", "请选择党组织"),
            ("kind", "请选择活动类型"),
            ("held_on", "日期不能晚于今天"),
            ("topic", "请填写主题"),
            ("attendees", "应在 0 至 100000 之间"),
            ("expected", "请填写整数"),
        ]
    );
}

#[test]
fn fund_amounts_and_kinds() {
    let i = FundInput {
        party_org_id: Some("3".into()),
        kind: "startup".into(),
        amount: Some("1,250.5元".into()),
        received_on: Some("2026-01-05".into()),
        doc_no: " 东民〔2026〕1号 ".into(),
        note: String::new(),
    };
    let d = FundDraft::read(&i, TODAY).expect("valid");
    assert_eq!((d.kind, d.amount_fen, d.doc_no.as_str()), (FundKind::Startup, 125_050, "东民〔2026〕1号"));
    for bad in ["0", "-5", "1.234", "abc"] {
        let e = FundDraft::read(&FundInput { amount: Some(bad.into()), ..i.clone() }, TODAY).expect_err(bad);
        assert_eq!(fields(&e), [("amount", "金额应为正数，最多两位小数，如 3000 或 1250.50")], "{bad}");
    }
    let e = FundDraft::read(&FundInput { amount: None, kind: "gift".into(), received_on: None, ..i }, TODAY)
        .expect_err("missing");
    assert_eq!(fields(&e), [("kind", "请选择经费类别"), ("amount", "请填写金额"), ("received_on", "请填写到账日期")]);
}

#[test]
fn yuan_amounts() {
    assert_eq!(parse_yuan("3000"), Some(300_000));
    assert_eq!(parse_yuan("1,250.5"), Some(125_050));
    assert_eq!(parse_yuan("12.34元"), Some(1234));
    assert_eq!(parse_yuan("1.234"), None);
    assert_eq!(parse_yuan("-5"), None);
    assert_eq!(parse_yuan("abc"), None);
    assert_eq!(parse_yuan("99999999999999999999"), None, "overflow is refused");
    assert_eq!(format_fen(125_050), "1250.50");
    assert_eq!(format_fen(-5), "-0.05");
}

#[test]
fn a_training_is_of_a_member_or_an_instructor() {
    let i = TrainingInput {
        member_id: Some("4".into()),
        title: "书记轮训".into(),
        trained_on: Some("2026-02-01".into()),
        ..Default::default()
    };
    let d = TrainingDraft::read(&i, TODAY).expect("member");
    assert_eq!((d.trainee, d.hours), (Trainee::Member(4), 0));
    let both = TrainingInput { instructor_id: Some("2".into()), ..i.clone() };
    let e = TrainingDraft::read(&both, TODAY).expect_err("both");
    assert_eq!(fields(&e), [("member_id", "请选择参训的党员或党建指导员（二选一）")]);
    let neither = TrainingInput { member_id: None, hours: Some("1001".into()), ..i };
    let e = TrainingDraft::read(&neither, TODAY).expect_err("neither");
    assert_eq!(fields(&e), [("member_id", "请选择参训的党员或党建指导员（二选一）"), ("hours", "应在 0 至 1000 之间")]);
}

#[test]
fn channel_kinds_and_the_hub() {
    let i = ChannelInput {
        kind: "hub_org".into(),
        name: "东营市社会组织孵化中心党委".into(),
        region_code: "3705".into(),
        hub_org_id: None,
    };
    let e = ChannelDraft::read(&i).expect_err("hub without its organization");
    assert_eq!(fields(&e), [("hub_org_id", "枢纽型社会组织党组织须指明枢纽组织")]);
    let d = ChannelDraft::read(&ChannelInput { hub_org_id: Some("9".into()), ..i.clone() }).expect("hub");
    assert_eq!((d.kind, d.hub_org_id), (ChannelKind::HubOrg, Some(9)));
    let d =
        ChannelDraft::read(&ChannelInput { kind: "行业党委".into(), hub_org_id: Some("9".into()), ..i.clone() })
            .expect("industry");
    assert_eq!((d.kind, d.hub_org_id), (ChannelKind::IndustryCommittee, None), "only a hub channel names a hub");
    let e = ChannelDraft::read(&ChannelInput {
        kind: "x".into(),
        name: "".into(),
        region_code: "".into(),
        hub_org_id: None,
    })
    .expect_err("invalid");
    assert_eq!(
        fields(&e),
        [("name", "请填写渠道名称"), ("kind", "请选择渠道类型"), ("region_code", "请选择渠道所在区划")]
    );
}

proptest! {
    #[test]
    fn member_dates_rule(joined in -20_000i64..0, formal in -20_000i64..0, probationary in any::<bool>()) {
        let j = TODAY + time::Duration::days(joined);
        let f = TODAY + time::Duration::days(formal);
        let t = if probationary { MemberType::Probationary } else { MemberType::Formal };
        let v = check_member_dates(t, Some(j), Some(f));
        prop_assert_eq!(v.iter().any(|x| x.message == "转正日期不能早于入党日期"), f < j);
        prop_assert_eq!(v.iter().any(|x| x.message == "预备党员尚无转正日期"), probationary);
        prop_assert!(check_member_dates(t, Some(j), None).is_empty());
    }

    #[test]
    fn attendance_rule_and_rate(a in proptest::option::of(0i32..500), e in proptest::option::of(0i32..500)) {
        let broken = check_attendance(a, e).is_some();
        prop_assert_eq!(broken, matches!((a, e), (Some(a), Some(e)) if a > e));
        match attendance_rate(a, e) {
            None => prop_assert!(a.is_none() || e.is_none() || e == Some(0)),
            Some(r) => {
                prop_assert!(r >= 0.0);
                prop_assert!(broken || r <= 1.0);
            }
        }
    }

    #[test]
    fn star_rating_range(n in -10i32..20) {
        let i = PartyOrgInput { star_rating: Some(n.to_string()), ..party_org() };
        let r = PartyOrgDraft::read(&i, TODAY, true);
        prop_assert_eq!(r.is_ok(), (0..=5).contains(&n));
    }

    #[test]
    fn instructor_limit_range(n in -5i32..200) {
        let i = InstructorInput { max_orgs: Some(n.to_string()), ..instructor() };
        let r = InstructorDraft::read(&i, TODAY);
        prop_assert_eq!(r.map(|d| d.max_orgs).ok(), (1..=100).contains(&n).then_some(Some(n)));
    }

    #[test]
    fn instructor_load_rule(load in 0usize..300, limit in 1i32..100) {
        prop_assert_eq!(check_instructor_load(load, limit).is_some(), load as i64 > i64::from(limit));
    }

    #[test]
    fn yuan_round_trip(fen in 1i64..10_000_000_000) {
        prop_assert_eq!(parse_yuan(&format_fen(fen)), Some(fen));
    }
}

#[test]
fn members_join_at_eighteen_or_older() {
    // born 31 December 1949: eighteen on 31 December 1967
    let id = Some("11010519491231002X".to_owned());
    let at = |joined: &str| MemberInput { joined_on: Some(joined.into()), id_number: id.clone(), ..member() };
    let e = MemberDraft::read(&at("1967-12-30"), TODAY, None).expect_err("seventeen");
    assert_eq!(fields(&e), [("joined_on", "入党日期早于年满十八周岁之日（按公民身份号码中的出生日期），请核对")]);
    assert!(MemberDraft::read(&at("1967-12-31"), TODAY, None).is_ok(), "on the birthday");
    // without an ID number or a joining date nothing is known to check
    assert!(MemberDraft::read(&MemberInput { joined_on: Some("1950-01-01".into()), ..member() }, TODAY, None).is_ok());
    assert!(MemberDraft::read(&MemberInput { id_number: id.clone(), ..member() }, TODAY, None).is_ok());
}

#[test]
fn birthdays_of_29_february_turn_on_1_march() {
    use crate::idcard::{birth_date, turns};
    assert_eq!(birth_date("11010519491231002X"), Some(date!(1949 - 12 - 31)));
    assert_eq!(birth_date("1101051949"), None);
    assert_eq!(turns(date!(2004 - 02 - 29), 18), Some(date!(2022 - 03 - 01)));
    assert_eq!(turns(date!(2004 - 02 - 29), 20), Some(date!(2024 - 02 - 29)));
}
