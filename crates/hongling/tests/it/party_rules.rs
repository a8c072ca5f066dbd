//! The M2 record rules through the services: each refusal names the field
//! with its Chinese message, and nothing is written (no row, no audit entry).
//! The rules themselves are unit-tested in `hongling_domain::party::records`.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_service::party::instructors::InstructorInput;
use hongling_service::party::life::{FundInput, PartyLifeInput, TrainingInput};
use hongling_service::party::members::MemberInput;
use hongling_service::party::records::{ChannelInput, PartyOrgInput};
use hongling_service::{CurrentUser, Error, Principal};
use hongling_store::party::entity::{
    instructor, party_channel, party_fund, party_life, party_member, party_org, training,
};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::support::*;

const WENHUI: &str = "370502001011"; // 文汇街道东营社区

struct Fixture {
    t: TestApp,
    party: CurrentUser,
    reg: CurrentUser,
}

/// The rows of every M2 record table and the audit entries: a refusal changes none.
#[derive(Debug, PartialEq, Eq)]
struct Written {
    party_orgs: u64,
    members: u64,
    instructors: u64,
    life: u64,
    funds: u64,
    trainings: u64,
    channels: u64,
    audit: i64,
}

impl Fixture {
    async fn new() -> Fixture {
        let t = TestApp::new().await;
        let reg = t.user("reg", Role::Registrar, "3705", PW).await;
        let party = t.user("party", Role::PartyOffice, "3705", PW).await;
        Fixture { party: t.current(party).await, reg: t.current(reg).await, t }
    }

    async fn org(&self, name: &str, body: &str) -> i64 {
        let d = draft(name, &code('1', &WENHUI[..6], body), WENHUI);
        self.t.app.registry().create_org(&Principal::User(self.reg.clone()), d, false).await.expect("org").id
    }

    async fn party_org(&self, name: &str, orgs: Vec<i64>) -> i64 {
        let i = PartyOrgInput {
            name: name.into(),
            org_type: "branch".into(),
            region_code: WENHUI.into(),
            org_ids: orgs,
            ..Default::default()
        };
        self.t.app.party().create_party_org(&self.party, &i).await.expect("party org").id
    }

    async fn member(&self, name: &str, party_org: i64) -> i64 {
        let i = MemberInput {
            name: name.into(),
            member_type: "formal".into(),
            party_org_id: Some(party_org.to_string()),
            ..Default::default()
        };
        self.t.app.party().create_member(&self.party, &i).await.expect("member").id
    }

    async fn written(&self) -> Written {
        let db = &self.t.app.db;
        Written {
            party_orgs: party_org::Entity::find().count(db).await.expect("n"),
            members: party_member::Entity::find().count(db).await.expect("n"),
            instructors: instructor::Entity::find().count(db).await.expect("n"),
            life: party_life::Entity::find().count(db).await.expect("n"),
            funds: party_fund::Entity::find().count(db).await.expect("n"),
            trainings: training::Entity::find().count(db).await.expect("n"),
            channels: party_channel::Entity::find().count(db).await.expect("n"),
            audit: self.t.audit_count().await,
        }
    }
}

/// The one field error of a refusal, as (field, message).
fn only_error<T: std::fmt::Debug>(r: Result<T, Error>) -> (String, String) {
    let e = r.expect_err("refused");
    assert_eq!(e.code(), "invalid", "{e:?}");
    let f = e.field_errors();
    assert_eq!(f.len(), 1, "{f:?}");
    (f[0].field.clone(), f[0].message.clone())
}

fn fe(field: &str, message: &str) -> (String, String) {
    (field.to_owned(), message.to_owned())
}

#[tokio::test]
async fn the_secretary_is_a_member_of_the_party_organization() {
    let f = Fixture::new().await;
    let a = f.org("文汇规则甲协会", "MJR00001").await;
    let b = f.org("文汇规则乙协会", "MJR00002").await;
    let p = f.party_org("文汇规则甲协会党支部", vec![a]).await;
    let q = f.party_org("文汇规则乙协会党支部", vec![b]).await;
    let other = f.member("乙支部党员", q).await;
    let own = f.member("甲支部党员", p).await;
    let before = f.written().await;
    let d = f.t.app.party().get_party_org(&f.party, p).await.expect("p");
    let input = |sec: i64| PartyOrgInput {
        name: d.org.name.clone(),
        org_type: "branch".into(),
        region_code: WENHUI.into(),
        secretary_member_id: Some(sec.to_string()),
        version: Some(d.org.version),
        ..Default::default()
    };
    for sec in [other, 999_999] {
        let r = f.t.app.party().update_party_org(&f.party, p, &input(sec)).await;
        assert_eq!(only_error(r), fe("secretary_member_id", "书记须为本党组织的党员"), "member {sec}");
    }
    assert_eq!(f.written().await, before);
    let after = f.t.app.party().get_party_org(&f.party, p).await.expect("p");
    assert!(after.org.secretary.is_none() && after.org.version == d.org.version, "the record is unchanged");
    // a member of its own: accepted, in post from today
    let up = f.t.app.party().update_party_org(&f.party, p, &input(own)).await.expect("own member");
    assert_eq!((up.secretary_member_id, up.secretary_since), (Some(own), Some(f.t.app.today())));
}

#[tokio::test]
async fn member_dates_formal_not_before_joining_none_for_probationary_none_in_the_future() {
    let f = Fixture::new().await;
    let a = f.org("文汇日期协会", "MJR00011").await;
    let base = MemberInput {
        name: "李明".into(),
        member_type: "formal".into(),
        employer_org_id: Some(a.to_string()),
        joined_on: Some("2019-06-01".into()),
        ..Default::default()
    };
    let before = f.written().await;
    let cases = [
        (
            MemberInput { formal_on: Some("2019-05-31".into()), ..base.clone() },
            fe("formal_on", "转正日期不能早于入党日期"),
        ),
        (
            MemberInput { member_type: "probationary".into(), formal_on: Some("2020-06-01".into()), ..base.clone() },
            fe("formal_on", "预备党员尚无转正日期"),
        ),
        (MemberInput { joined_on: Some("2026-03-03".into()), ..base.clone() }, fe("joined_on", "日期不能晚于今天")),
        (
            MemberInput { joined_on: Some("2019/06/01".into()), ..base.clone() },
            fe("joined_on", "日期格式应为 YYYY-MM-DD"),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(only_error(f.t.app.party().create_member(&f.party, &input).await), expected);
    }
    assert_eq!(f.written().await, before, "nothing was written");
    // the same rules on an update
    let m = f.t.app.party().create_member(&f.party, &base).await.expect("valid");
    let later = MemberInput { formal_on: Some("2018-01-01".into()), version: Some(m.version), ..base.clone() };
    let r = f.t.app.party().update_member(&f.party, m.id, &later).await;
    assert_eq!(only_error(r), fe("formal_on", "转正日期不能早于入党日期"));
    let ok = MemberInput { formal_on: Some("2020-06-01".into()), version: Some(m.version), ..base };
    let m = f.t.app.party().update_member(&f.party, m.id, &ok).await.expect("formal a year later");
    assert_eq!(m.formal_on, Some(time::macros::date!(2020 - 06 - 01)));
}

#[tokio::test]
async fn one_covering_party_organization_per_organization() {
    let f = Fixture::new().await;
    let a = f.org("文汇覆盖协会", "MJR00021").await;
    let b = f.org("文汇另一协会", "MJR00022").await;
    let p = f.party_org("文汇覆盖协会党支部", vec![a]).await;
    let before = f.written().await;
    let other = PartyOrgInput {
        name: "文汇重复覆盖党支部".into(),
        org_type: "joint_branch".into(),
        region_code: WENHUI.into(),
        org_ids: vec![b, a],
        ..Default::default()
    };
    let r = f.t.app.party().create_party_org(&f.party, &other).await;
    assert_eq!(only_error(r), fe("org_ids", "“文汇覆盖协会”已由“文汇覆盖协会党支部”覆盖，请先从原党组织移出"));
    assert_eq!(f.written().await, before, "not even the party organization was kept");
    // the same when adding to an existing party organization
    let q = f.party_org("文汇另一协会党支部", vec![b]).await;
    let before = f.written().await;
    let r = f.t.app.party().change_covered_orgs(&f.party, q, &[a], &[]).await;
    assert_eq!(only_error(r), fe("org_ids", "“文汇覆盖协会”已由“文汇覆盖协会党支部”覆盖，请先从原党组织移出"));
    assert_eq!(f.written().await, before);
    // once removed there, it may move; an organization listed twice is linked once
    f.t.app.party().change_covered_orgs(&f.party, p, &[], &[a]).await.expect("remove");
    f.t.app.party().change_covered_orgs(&f.party, q, &[a, a], &[]).await.expect("move");
    let d = f.t.app.party().get_party_org(&f.party, q).await.expect("q");
    assert_eq!(d.orgs.iter().map(|o| o.id).collect::<Vec<_>>(), [a, b]);
}

#[tokio::test]
async fn attendance_is_not_above_the_expected_count_and_a_blank_is_not_zero() {
    let f = Fixture::new().await;
    let a = f.org("文汇生活协会", "MJR00031").await;
    let p = f.party_org("文汇生活协会党支部", vec![a]).await;
    let base = PartyLifeInput {
        party_org_id: Some(p.to_string()),
        kind: "themed_day".into(),
        held_on: Some("2026-02-28".into()),
        topic: "学习党章".into(),
        ..Default::default()
    };
    let before = f.written().await;
    let over = PartyLifeInput { attendees: Some("13".into()), expected: Some("12".into()), ..base.clone() };
    let r = f.t.app.party().create_party_life(&f.party, &over).await;
    assert_eq!(only_error(r), fe("attendees", "实到人数不能多于应到人数"));
    let future = PartyLifeInput { held_on: Some("2026-03-03".into()), ..base.clone() };
    assert_eq!(
        only_error(f.t.app.party().create_party_life(&f.party, &future).await),
        fe("held_on", "日期不能晚于今天")
    );
    assert_eq!(f.written().await, before, "nothing was written");
    // blank counts are stored as not recorded, not as zero, and give no rate
    let blank = f.t.app.party().create_party_life(&f.party, &base).await.expect("blank counts");
    assert_eq!((blank.attendees, blank.expected), (None, None));
    let half = PartyLifeInput { attendees: Some("9".into()), ..base.clone() };
    let half = f.t.app.party().create_party_life(&f.party, &half).await.expect("attendees only");
    assert_eq!((half.attendees, half.expected), (Some(9), None));
    let zero = PartyLifeInput { attendees: Some("0".into()), expected: Some("12".into()), ..base.clone() };
    let zero = f.t.app.party().create_party_life(&f.party, &zero).await.expect("a typed zero");
    assert_eq!((zero.attendees, zero.expected), (Some(0), Some(12)));
    let full = PartyLifeInput { attendees: Some("9".into()), expected: Some("12".into()), ..base };
    let full = f.t.app.party().create_party_life(&f.party, &full).await.expect("both");
    let rows = list::<hongling_service::party::lists::PartyLifeList>(&f.t.app, &f.party, ALL).await.items;
    let rate = |id: i64| rows.iter().find(|r| r.id == id).map(|r| (r.attendees, r.expected, r.attendance_rate));
    assert_eq!(rate(blank.id), Some((None, None, None)));
    assert_eq!(rate(half.id), Some((Some(9), None, None)));
    assert_eq!(rate(zero.id), Some((Some(0), Some(12), Some(0.0))));
    assert_eq!(rate(full.id), Some((Some(9), Some(12), Some(0.75))));
    // over the API: blank counts are null, an error names its field
    let token = f.t.app.create_token(&Principal::Cli, "party", "t", None).await.expect("token");
    let mut b = f.t.browser();
    let body = serde_json::json!({"party_org_id": p, "kind": "party_lecture", "held_on": "2026-02-27", "topic": "党课", "attendees": "", "expected": null});
    let r = b.api_send("POST", "/api/v1/party-life", &token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = b.api_get(&format!("/api/v1/party-life?party_org_id={p}&kind=party_lecture"), Some(&token)).await;
    let item = r.json()["items"][0].clone();
    assert_eq!(
        (item["attendees"].clone(), item["attendance_rate"].clone()),
        (serde_json::Value::Null, serde_json::Value::Null)
    );
    let body = serde_json::json!({"party_org_id": p, "kind": "party_lecture", "held_on": "2026-02-27", "topic": "党课", "attendees": 5, "expected": 4});
    let r = b.api_send("POST", "/api/v1/party-life", &token, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["fields"], serde_json::json!([{"field": "attendees", "message": "实到人数不能多于应到人数"}]));
    // the list page renders records with blank counts
    b.login("party", PW).await;
    let page = b.get("/party/life").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("学习党章"));
}

#[tokio::test]
async fn party_org_instructor_fund_training_and_channel_field_rules() {
    let f = Fixture::new().await;
    let a = f.org("文汇字段协会", "MJR00041").await;
    let p = f.party_org("文汇字段协会党支部", vec![]).await;
    let before = f.written().await;
    // star rating 0–5
    let stars = PartyOrgInput {
        name: "文汇星级党支部".into(),
        org_type: "branch".into(),
        region_code: WENHUI.into(),
        star_rating: Some("6".into()),
        ..Default::default()
    };
    assert_eq!(
        only_error(f.t.app.party().create_party_org(&f.party, &stars).await),
        fe("star_rating", "应在 0 至 5 之间")
    );
    // an instructor's own load limit 1–100
    let inst = InstructorInput {
        name: "赵指导".into(),
        source: "party_worker".into(),
        region_code: "370502001".into(),
        max_orgs: Some("101".into()),
        ..Default::default()
    };
    let r = f.t.app.party().create_instructor(&f.party, &inst).await;
    assert_eq!(only_error(r), fe("max_orgs", "应在 1 至 100 之间"));
    // funds: a positive amount with at most two decimals, and a known kind
    let fund = FundInput {
        party_org_id: Some(p.to_string()),
        kind: "startup".into(),
        amount: Some("3000.005".into()),
        received_on: Some("2026-01-10".into()),
        ..Default::default()
    };
    let r = f.t.app.party().create_fund(&f.party, &fund).await;
    assert_eq!(only_error(r), fe("amount", "金额应为正数，最多两位小数，如 3000 或 1250.50"));
    let r =
        f.t.app
            .party()
            .create_fund(&f.party, &FundInput { kind: "gift".into(), amount: Some("3000".into()), ..fund.clone() })
            .await;
    assert_eq!(only_error(r), fe("kind", "请选择经费类别"));
    // a training is of a member or an instructor, not both
    let m = f.member("培训党员", p).await;
    let before_training = f.written().await;
    let both = TrainingInput {
        member_id: Some(m.to_string()),
        instructor_id: Some("1".into()),
        title: "书记轮训".into(),
        trained_on: Some("2026-02-01".into()),
        ..Default::default()
    };
    let r = f.t.app.party().create_training(&f.party, &both).await;
    assert_eq!(only_error(r), fe("member_id", "请选择参训的党员或党建指导员（二选一）"));
    assert_eq!(f.written().await, before_training);
    // a hub channel names its hub organization
    let hub = ChannelInput {
        kind: "hub_org".into(),
        name: "文汇枢纽党委".into(),
        region_code: "370502001".into(),
        hub_org_id: None,
    };
    let r = f.t.app.party().create_channel(&f.party, &hub).await;
    assert_eq!(only_error(r), fe("hub_org_id", "枢纽型社会组织党组织须指明枢纽组织"));
    let mut expected = before;
    expected.members += 1;
    expected.audit += 1;
    assert_eq!(f.written().await, expected, "only the member added on purpose was written");
    // and with valid input each is written
    let ok = ChannelInput { hub_org_id: Some(a.to_string()), ..hub };
    assert_eq!(f.t.app.party().create_channel(&f.party, &ok).await.expect("hub").hub_org_id, Some(a));
    let fund = f.t.app.party().create_fund(&f.party, &FundInput { amount: Some("3,000.5元".into()), ..fund }).await;
    assert_eq!(fund.expect("fund").amount_fen, 300_050);
}

/// Per-field errors reach a form page and the API alike.
#[tokio::test]
async fn field_errors_over_http() {
    let f = Fixture::new().await;
    let a = f.org("文汇接口协会", "MJR00051").await;
    let token = f.t.app.create_token(&Principal::Cli, "party", "t", None).await.expect("token");
    let mut b = f.t.browser();
    let body = serde_json::json!({
        "name": "周红", "member_type": "probationary", "employer_org_id": a, "joined_on": "2025-07-01", "formal_on": "2026-01-01"
    });
    let r = b.api_send("POST", "/api/v1/party-members", &token, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["code"], "invalid");
    assert_eq!(r.json()["fields"], serde_json::json!([{"field": "formal_on", "message": "预备党员尚无转正日期"}]));
    b.login("party", PW).await;
    assert_eq!(b.get("/party/members/new").await.status, StatusCode::OK);
    let a_s = a.to_string();
    let fields = [
        ("name", "周红"),
        ("member_type", "formal"),
        ("employer_org_id", a_s.as_str()),
        ("joined_on", "2025-07-01"),
        ("formal_on", "2025-06-30"),
    ];
    let r = b.post("/party/members", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("转正日期不能早于入党日期") && r.body.contains("周红"), "the form keeps what was typed");
    assert_eq!(party_member::Entity::find().count(&f.t.app.db).await.expect("n"), 0);
}

/// m0007: existing party-life rows keep their counts; the zeros earlier
/// releases stored for blank fields become "not recorded".
#[tokio::test]
async fn the_migration_makes_blank_attendance_not_recorded() {
    use hongling_store::migration::Migrator;
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{Alias, Query};
    use sea_orm_migration::MigratorTrait;
    let f = Fixture::new().await;
    let a = f.org("文汇迁移协会", "MJR00061").await;
    let p = f.party_org("文汇迁移协会党支部", vec![a]).await;
    let db = &f.t.app.db;
    let all = Migrator::migrations();
    let at = all.iter().position(|m| m.name() == "m0007_party_rules").expect("m0007");
    Migrator::down(db, Some((all.len() - at) as u32)).await.expect("down");
    let now = hongling_store::to_db(f.t.app.now());
    let day = time::macros::date!(2026 - 01 - 15);
    for (topic, attendees, expected) in [("空白", 0, 0), ("只填实到", 7, 0), ("无人出席", 0, 10), ("正常", 8, 10)]
    {
        let q = Query::insert()
            .into_table(Alias::new("party_life"))
            .columns(
                [
                    "party_org_id",
                    "kind",
                    "held_on",
                    "topic",
                    "attendees",
                    "expected",
                    "region_code",
                    "actor",
                    "created_at",
                ]
                .map(Alias::new),
            )
            .values([
                p.into(),
                "themed_day".into(),
                day.into(),
                topic.into(),
                attendees.into(),
                expected.into(),
                WENHUI.into(),
                "旧版本".into(),
                now.into(),
            ])
            .expect("values")
            .take();
        db.execute(&q).await.expect("an old row");
    }
    Migrator::up(db, None).await.expect("up");
    let mut rows: Vec<(String, Option<i32>, Option<i32>)> = party_life::Entity::find()
        .all(db)
        .await
        .expect("rows")
        .into_iter()
        .map(|r| (r.topic, r.attendees, r.expected))
        .collect();
    rows.sort();
    let want = |t: &str, a: Option<i32>, e: Option<i32>| (t.to_owned(), a, e);
    let mut expected = vec![
        want("空白", None, None),
        want("只填实到", Some(7), None),
        want("无人出席", Some(0), Some(10)),
        want("正常", Some(8), Some(10)),
    ];
    expected.sort();
    assert_eq!(rows, expected);
}
