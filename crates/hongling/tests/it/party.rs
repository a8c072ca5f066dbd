//! Party-organization coverage (M2): policy profiles, coverage rules and
//! breaches through the services, figures, the planner and its acceptance,
//! scope, ID-number masking and the audited reveal, the API and exports.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_service::party::figures::CoverageQuery;
use hongling_service::party::instructors::InstructorInput;
use hongling_service::party::life::TrainingInput;
use hongling_service::party::members::MemberInput;
use hongling_service::party::planner::{AcceptInput, AcceptInstructor, AcceptJointBranch};
use hongling_service::party::records::PartyOrgInput;
use hongling_service::policy::PolicyInput;
use hongling_service::{CurrentUser, Principal};
use time::Duration;

use hongling_service::list::Listing;
use hongling_service::party::lists::{BreachList, MemberList, PartyOrgList};
use hongling_service::system::lists::AuditList;

use crate::support::*;

const WENHUI: &str = "370502001011"; // 文汇街道东营社区
const WENHUI2: &str = "370502001013"; // 文汇街道中王屋社区
const HUANGHE: &str = "370502002002"; // 黄河路街道南王屋社区
const KENLI: &str = "370505001001"; // 垦利区

struct Fixture {
    t: TestApp,
    reg: CurrentUser,
    party: CurrentUser,
    n: std::cell::Cell<u32>,
}

impl Fixture {
    async fn new() -> Fixture {
        let t = TestApp::new().await;
        let reg = t.user("reg", Role::Registrar, "3705", PW).await;
        let party = t.user("party", Role::PartyOffice, "3705", PW).await;
        Fixture { reg: t.current(reg).await, party: t.current(party).await, t, n: std::cell::Cell::new(0) }
    }

    /// A registered organization at a place (imported style: no 三同步 flag unless `fresh`).
    async fn org(&self, name: &str, region: &str, lon: f64, lat: f64) -> i64 {
        let n = self.n.get() + 1;
        self.n.set(n);
        let mut d = draft(name, &code('1', &region[..6], &format!("MJB{n:05}")), region);
        d.longitude = Some(lon);
        d.latitude = Some(lat);
        let m =
            self.t.app.registry().create_org(&Principal::User(self.reg.clone()), d, false).await.expect("create org");
        m.id
    }

    async fn members(&self, employer: i64, formal: usize) {
        for i in 0..formal {
            let input = MemberInput {
                name: format!("党员{employer}-{i}"),
                member_type: "formal".into(),
                employer_org_id: Some(employer.to_string()),
                ..Default::default()
            };
            self.t.app.party().create_member(&self.party, &input).await.expect("member");
        }
    }

    async fn mode(&self, id: i64) -> (String, i32, bool) {
        let o = self.t.app.registry().get_org(&self.reg, id).await.expect("org");
        (o.coverage_mode, o.breach_count, o.sync_pending)
    }

    async fn rules(&self, id: i64) -> Vec<String> {
        let p = self.t.app.party().org_party(&self.party, id).await.expect("org party");
        p.breaches.into_iter().map(|b| b.rule).collect()
    }

    async fn party_org(&self, name: &str, kind: &str, region: &str, orgs: Vec<i64>) -> i64 {
        let i = PartyOrgInput {
            name: name.into(),
            org_type: kind.into(),
            region_code: region.into(),
            org_ids: orgs,
            ..Default::default()
        };
        self.t.app.party().create_party_org(&self.party, &i).await.expect("party org").id
    }

    fn q(region: &str) -> CoverageQuery {
        CoverageQuery { region: Some(region.into()), ..Default::default() }
    }
}

#[tokio::test]
async fn coverage_rules_follow_the_records() {
    let f = Fixture::new().await;
    // a newly registered organization waits for 三同步
    let a = f.org("东营区爱心助老协会", WENHUI, 118.58, 37.45).await;
    assert_eq!(f.mode(a).await, ("uncovered".into(), 1, true));
    assert_eq!(f.rules(a).await, ["sync_uncovered"]);
    // three formal members but no party organization of its own
    f.members(a, 3).await;
    let mut rules = f.rules(a).await;
    rules.sort();
    assert_eq!(rules, ["needs_standalone", "sync_uncovered"]);
    let o = f.t.app.registry().get_org(&f.reg, a).await.expect("org");
    assert_eq!(o.formal_members, 3);
    // its own branch: standalone, no breach, 三同步 met; the members joined it
    let p = f.party_org("东营区爱心助老协会党支部", "branch", WENHUI, vec![a]).await;
    assert_eq!(f.mode(a).await, ("standalone".into(), 0, false));
    let d = f.t.app.party().get_party_org(&f.party, p).await.expect("party org");
    assert_eq!((d.org.covered_orgs, d.org.formal_members), (1, 3));
    // dissolving the branch uncovers it again; 三同步 stays met (it is no longer new)
    f.t.app.party().dissolve_party_org(&f.party, p, None, "测试撤销").await.expect("dissolve");
    assert_eq!(f.mode(a).await.0, "uncovered");
    assert_eq!(f.rules(a).await, ["needs_standalone"]);

    // an instructor covers an organization with no member; the load limit holds
    let b = f.org("东营区邻里互助服务中心", WENHUI, 118.581, 37.451).await;
    let inst =
        f.t.app
            .party()
            .create_instructor(
                &f.party,
                &InstructorInput {
                    name: "王指导".into(),
                    source: "retired_cadre".into(),
                    region_code: "370502001".into(),
                    max_orgs: Some("1".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("instructor");
    // issue 10, finding 10: an id typed twice counts once (it was a unique-key 500)
    f.t.app.party().assign_instructor(&f.party, inst.id, &[b, b], &[]).await.expect("assign");
    assert_eq!(f.mode(b).await, ("instructor".into(), 0, false));
    assert_eq!(f.t.app.party().get_instructor(&f.party, inst.id).await.expect("detail").instructor.load, 1);
    let over = f.t.app.party().assign_instructor(&f.party, inst.id, &[a], &[]).await.expect_err("over the limit");
    assert!(over.field_errors()[0].message.contains("上限"), "{:?}", over.field_errors());
    // outside the instructor's township
    let far = f.org("东营区黄河路文化促进会", HUANGHE, 118.6, 37.4).await;
    f.t.app.party().assign_instructor(&f.party, inst.id, &[], &[b, b]).await.expect("unassign");
    let e = f.t.app.party().assign_instructor(&f.party, inst.id, &[far], &[]).await.expect_err("region");
    assert!(e.field_errors()[0].message.contains("指导区域"), "{:?}", e.field_errors());

    // "1+N": a host with a party organization leads an organization without one
    let host = f.org("东营区红心志愿者协会", WENHUI2, 118.59, 37.46).await;
    f.members(host, 4).await;
    f.party_org("东营区红心志愿者协会党支部", "branch", WENHUI2, vec![host]).await;
    f.t.app.party().set_host(&f.party, b, Some(host)).await.expect("host");
    assert_eq!(f.mode(b).await.0, "host_led");
    let bad = f.t.app.party().set_host(&f.party, b, Some(far)).await.expect_err("host without party org");
    assert_eq!(bad.code(), "invalid");
    // every change above was audited
    assert!(f.t.audit_count().await >= 10);
}

#[tokio::test]
async fn joint_branch_rules_and_the_profile() {
    let f = Fixture::new().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let id = f.org(&format!("文汇街道第{i}文化协会"), WENHUI, 118.58 + f64::from(i) * 0.001, 37.45).await;
        f.members(id, 1).await;
        ids.push(id);
    }
    // two organizations, one formal member each: too few together
    let j = f.party_org("文汇街道社会组织联合党支部", "joint_branch", "370502001", ids[..2].to_vec()).await;
    let d = f.t.app.party().get_party_org(&f.party, j).await.expect("j");
    assert_eq!(d.breaches.iter().map(|b| b.rule.as_str()).collect::<Vec<_>>(), ["joint_branch_too_few"]);
    assert_eq!(f.mode(ids[0]).await.0, "joint_branch");
    // six organizations: more than the five the profile allows
    f.t.app.party().change_covered_orgs(&f.party, j, &ids[2..], &[]).await.expect("add");
    let d = f.t.app.party().get_party_org(&f.party, j).await.expect("j");
    assert_eq!(d.breaches.iter().map(|b| b.rule.as_str()).collect::<Vec<_>>(), ["joint_branch_too_large"]);
    assert!(d.breaches[0].detail.contains('6') && d.breaches[0].detail.contains('5'));
    // raise the limit for the county from tomorrow: today's state is unchanged, tomorrow's follows
    let tomorrow = (hongling_service::registry::orgs::local_today(f.t.app.now()) + Duration::days(1)).to_string();
    let input = PolicyInput {
        region: "370502".into(),
        param: "joint_branch_max_orgs".into(),
        value: Some("6".into()),
        effective_from: Some(tomorrow),
        basis: "测试文件".into(),
    };
    f.t.app.set_policy(&f.party, &input).await.expect("set policy");
    let today = f.t.app.today();
    f.t.app.party().refresh_coverage(&Principal::Cli, "370502", today).await.expect("refresh");
    assert_eq!(f.t.app.party().get_party_org(&f.party, j).await.expect("j").breaches.len(), 1);
    f.t.clock.advance(Duration::days(1));
    f.t.app.run_due_jobs("test").await.expect("daily");
    assert!(
        f.t.app.party().get_party_org(&f.party, j).await.expect("j").breaches.is_empty(),
        "6 ≤ 6 from the new date"
    );
    // an organization already covered cannot be taken by another party organization
    let other = f.org("文汇街道其他协会", WENHUI, 118.58, 37.45).await;
    let e =
        f.t.app
            .party()
            .create_party_org(
                &f.party,
                &PartyOrgInput {
                    name: "重复覆盖测试党支部".into(),
                    org_type: "joint_branch".into(),
                    region_code: "370502001".into(),
                    org_ids: vec![ids[0], other],
                    ..Default::default()
                },
            )
            .await
            .expect_err("taken");
    assert!(e.field_errors()[0].message.contains("已由"), "{:?}", e.field_errors());
}

#[tokio::test]
async fn secretary_training_deadlines_come_with_time() {
    let f = Fixture::new().await;
    let a = f.org("东营区科普作家协会", WENHUI, 118.58, 37.45).await;
    f.members(a, 3).await;
    let p = f.party_org("东营区科普作家协会党支部", "branch", WENHUI, vec![a]).await;
    let members = list::<MemberList>(&f.t.app, &f.party, &[("party_org_id", p.to_string())]).await;
    let sec = members.items[0].id;
    let d = f.t.app.party().get_party_org(&f.party, p).await.expect("p");
    let mut input = PartyOrgInput {
        name: d.org.name.clone(),
        org_type: "branch".into(),
        region_code: WENHUI.into(),
        secretary_member_id: Some(sec.to_string()),
        version: Some(d.org.version),
        ..Default::default()
    };
    f.t.app.party().update_party_org(&f.party, p, &input).await.expect("secretary");
    // a new secretary has 90 days to be trained
    assert!(f.t.app.party().get_party_org(&f.party, p).await.expect("p").breaches.is_empty());
    f.t.clock.advance(Duration::days(91));
    f.t.app.run_due_jobs("test").await.expect("daily");
    let rules: Vec<String> =
        f.t.app.party().get_party_org(&f.party, p).await.expect("p").breaches.into_iter().map(|b| b.rule).collect();
    assert_eq!(rules, ["new_secretary_untrained"]);
    // the training clears it at once
    let on = f.t.app.today().to_string();
    let t = TrainingInput {
        member_id: Some(sec.to_string()),
        title: "书记轮训班".into(),
        trained_on: Some(on),
        ..Default::default()
    };
    f.t.app.party().create_training(&f.party, &t).await.expect("training");
    assert!(f.t.app.party().get_party_org(&f.party, p).await.expect("p").breaches.is_empty());
    // 000§1 per calendar year (issue 11 item 16): trained in 2026, so mid-2027 is fine
    f.t.clock.advance(Duration::days(400));
    f.t.app.run_due_jobs("test").await.expect("daily");
    assert!(f.t.app.party().get_party_org(&f.party, p).await.expect("p").breaches.is_empty());
    // when 2027 has ended without a training: the rotation rule
    f.t.clock.advance(Duration::days(180));
    f.t.app.run_due_jobs("test").await.expect("daily");
    let rules: Vec<String> =
        f.t.app.party().get_party_org(&f.party, p).await.expect("p").breaches.into_iter().map(|b| b.rule).collect();
    assert_eq!(rules, ["secretary_untrained"]);
    // a stale version of the form is refused
    input.version = Some(1);
    assert_eq!(f.t.app.party().update_party_org(&f.party, p, &input).await.expect_err("stale").code(), "conflict");
}

#[tokio::test]
async fn figures_by_region_and_year() {
    let f = Fixture::new().await;
    let a = f.org("文汇甲协会", WENHUI, 118.58, 37.45).await;
    let b = f.org("文汇乙协会", WENHUI2, 118.58, 37.45).await;
    let c = f.org("黄河路丙协会", HUANGHE, 118.6, 37.4).await;
    let _d = f.org("垦利丁协会", KENLI, 118.5, 37.6).await;
    f.members(a, 3).await;
    f.party_org("文汇甲协会党支部", "branch", WENHUI, vec![a]).await;
    f.members(b, 1).await;
    f.members(c, 2).await;
    f.party_org("东营区联合党支部", "joint_branch", "370502", vec![b, c]).await;
    let city = f.t.app.party().coverage(&f.party, &Fixture::q("3705")).await.expect("city");
    assert_eq!((city.organizations, city.covered), (4, 3));
    assert_eq!((city.by_mode.standalone, city.by_mode.joint_branch, city.by_mode.uncovered), (1, 2, 1));
    assert!((city.coverage_rate - 0.75).abs() < 1e-9 && (city.standalone_rate - 0.25).abs() < 1e-9);
    // the drill-down: counties, then the townships of 东营区
    let counties = f.t.app.party().coverage_children(&f.party, &Fixture::q("3705")).await.expect("children");
    let dyq = counties.iter().find(|r| r.key == "370502").expect("东营区");
    assert_eq!((dyq.organizations, dyq.covered, dyq.name.as_str()), (3, 3, "东营区"));
    assert_eq!(counties.iter().find(|r| r.key == "370505").expect("垦利区").by_mode.uncovered, 1);
    let towns = f.t.app.party().coverage_children(&f.party, &Fixture::q("370502")).await.expect("towns");
    assert_eq!(towns.iter().find(|r| r.key == "370502001").expect("文汇").organizations, 2);
    // breaches: the uncovered new organization still waits for 三同步
    let breaches = list::<BreachList>(&f.t.app, &f.party, &[("region", "3705")]).await;
    assert_eq!(city.breaches, breaches.total);
    assert!(
        breaches
            .items
            .iter()
            .any(|b| b.org.as_ref().is_some_and(|o| o.name == "垦利丁协会") && b.rule == "sync_uncovered")
    );
    // by channel: all registered directly, so the comprehensive party committee
    let by = f.t.app.party().coverage_by(&f.party, &Fixture::q("3705"), "channel").await.expect("by");
    assert_eq!(by.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), ["comprehensive_committee"]);
    // a filter given by its Chinese label filters like its identifier (it used to match nothing)
    for (mode, channel) in [("registered", "comprehensive_committee"), ("登记", "社会组织综合党委")] {
        let q = CoverageQuery { mode: Some(mode.into()), channel: Some(channel.into()), ..Fixture::q("3705") };
        assert_eq!(f.t.app.party().coverage(&f.party, &q).await.expect("filtered").organizations, 4, "{mode}");
    }
    // year-end figures use that year's profile; the live ones stay live
    let n = f.t.app.party().snapshot_year(2025).await.expect("snapshot");
    assert!(n > 0);
    let mut q = Fixture::q("3705");
    q.year = Some(2025);
    let past = f.t.app.party().coverage(&f.party, &q).await.expect("past");
    assert_eq!(past.year, Some(2025));
    assert_eq!(past.organizations, 4, "organizations founded by the end of 2025 count in its figures");
}

#[tokio::test]
async fn the_planner_proposes_and_acceptance_creates_the_records() {
    let f = Fixture::new().await;
    // five organizations of 文汇街道 with 1–2 formal members, two far away in 垦利区, three without members
    let mut near = Vec::new();
    for (i, n) in [1usize, 2, 1, 1, 2].iter().enumerate() {
        let id = f.org(&format!("文汇{i}号服务中心"), WENHUI, 118.58 + i as f64 * 0.002, 37.45).await;
        f.members(id, *n).await;
        near.push(id);
    }
    let far = f.org("垦利远方协会", KENLI, 118.9, 37.8).await;
    f.members(far, 1).await;
    let mut bare = Vec::new();
    for i in 0..3 {
        bare.push(f.org(&format!("文汇无党员{i}号协会"), WENHUI2, 118.59, 37.46 + f64::from(i) * 0.001).await);
    }
    let inst =
        f.t.app
            .party()
            .create_instructor(
                &f.party,
                &InstructorInput {
                    name: "李指导".into(),
                    source: "party_worker".into(),
                    region_code: "370502001".into(),
                    longitude: Some("118.59".into()),
                    latitude: Some("37.46".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("instructor");
    let plan = f.t.app.party().plan_coverage(&f.party, "3705").await.expect("plan");
    assert_eq!(plan.joint_candidates, 6);
    assert_eq!(plan.instructor_candidates, 3);
    assert!(!plan.joint_branches.is_empty());
    for j in &plan.joint_branches {
        assert!(j.formal_members >= 3 && j.orgs.len() >= 2 && j.orgs.len() <= 5, "{j:?}");
        assert!(!j.orgs.contains(&far), "垦利 is too far from 文汇");
        assert!(j.explanation.contains("正式党员"), "{}", j.explanation);
    }
    let again = f.t.app.party().plan_coverage(&f.party, "3705").await.expect("plan");
    assert_eq!(serde_json::to_value(&plan).expect("j"), serde_json::to_value(&again).expect("j"), "deterministic");
    assert_eq!(plan.instructors.len(), 1);
    assert_eq!(plan.instructors[0].instructor, inst.id);

    // an edited proposal that breaks the rules is refused, and nothing is written
    let before = f.t.app.party().coverage(&f.party, &Fixture::q("3705")).await.expect("c");
    let bad = AcceptInput::JointBranch(AcceptJointBranch { orgs: vec![near[0], far], ..Default::default() });
    let e = f.t.app.party().accept_plan(&f.party, &bad).await.expect_err("too far, too few");
    let msgs: Vec<String> = e.field_errors().iter().map(|x| x.message.clone()).collect();
    assert!(msgs.iter().any(|m| m.contains("公里")) && msgs.iter().any(|m| m.contains("不足")), "{msgs:?}");
    assert_eq!(f.t.app.party().coverage(&f.party, &Fixture::q("3705")).await.expect("c").covered, before.covered);

    // accepting the first proposal creates the joint branch with its members, in one go
    let first = plan.joint_branches[0].clone();
    let audits = f.t.audit_count().await;
    let ok = AcceptInput::JointBranch(AcceptJointBranch {
        orgs: first.orgs.clone(),
        name: "文汇街道第一联合党支部".into(),
        founded_on: None,
    });
    let done = f.t.app.party().accept_plan(&f.party, &ok).await.expect("accept");
    assert_eq!(f.t.audit_count().await, audits + 1);
    assert_eq!(done.members_joined as u32, first.formal_members);
    let j = f.t.app.party().get_party_org(&f.party, done.party_org_id.expect("id")).await.expect("j");
    assert_eq!((j.org.org_type.as_str(), j.org.covered_orgs as usize), ("joint_branch", first.orgs.len()));
    assert!(j.breaches.is_empty(), "{:?}", j.breaches);
    let after = f.t.app.party().coverage(&f.party, &Fixture::q("3705")).await.expect("c");
    assert_eq!(after.covered, before.covered + first.orgs.len() as u64);
    assert_eq!(after.by_mode.joint_branch, before.by_mode.joint_branch + first.orgs.len() as u64);
    // accepting it twice is refused
    assert_eq!(f.t.app.party().accept_plan(&f.party, &ok).await.expect_err("again").code(), "invalid");
    // the instructor proposal
    let ip = &plan.instructors[0];
    let ok = AcceptInput::Instructor(AcceptInstructor { instructor: ip.instructor, orgs: ip.orgs.clone() });
    f.t.app.party().accept_plan(&f.party, &ok).await.expect("accept instructor");
    for id in &ip.orgs {
        assert_eq!(f.mode(*id).await.0, "instructor");
    }
    let next = f.t.app.party().plan_coverage(&f.party, "3705").await.expect("plan");
    assert!(next.joint_branches.iter().all(|p| p.orgs.iter().all(|o| !first.orgs.contains(o))));
}

#[tokio::test]
async fn scope_limits_every_read_and_write() {
    let f = Fixture::new().await;
    let a = f.org("文汇某协会", WENHUI, 118.58, 37.45).await;
    f.members(a, 3).await;
    let p = f.party_org("文汇某协会党支部", "branch", WENHUI, vec![a]).await;
    let k = f.org("垦利某协会", KENLI, 118.5, 37.6).await;
    f.members(k, 3).await;
    let pk = f.party_org("垦利某协会党支部", "branch", KENLI, vec![k]).await;
    // a township worker: their township only; another region answers 404
    let wid = f.t.user("wenhui", Role::Grassroots, "370502001", PW).await;
    let wenhui = f.t.current(wid).await;
    let c = f.t.app.party().coverage(&wenhui, &CoverageQuery::default()).await.expect("own");
    assert_eq!(c.organizations, 1);
    for region in ["370505", "3705"] {
        assert_eq!(
            f.t.app.party().coverage(&wenhui, &Fixture::q(region)).await.expect_err("other").code(),
            "not_found"
        );
        // a region filter outside the scope: refused like one that does not exist
        let raw = [("region".to_owned(), region.to_owned())];
        let e = f.t.app.list_query(&wenhui, BreachList::spec(), &raw, true).await.expect_err("x");
        assert_eq!(e.code(), "invalid");
        assert!(e.to_string().contains("不存在或不在您的管辖范围内"), "{e}");
        assert_eq!(f.t.app.effective_policy(&wenhui, Some(region), None).await.expect_err("x").code(), "not_found");
        assert_eq!(f.t.app.party().plan_coverage(&wenhui, region).await.expect_err("x").code(), "not_found");
    }
    assert_eq!(f.t.app.party().get_party_org(&wenhui, pk).await.expect_err("other county").code(), "not_found");
    assert!(f.t.app.party().get_party_org(&wenhui, p).await.is_ok());
    // a registrar reads, but does not keep, party records
    assert!(f.t.app.party().coverage(&f.reg, &CoverageQuery::default()).await.is_ok());
    assert_eq!(f.t.app.party().plan_coverage(&f.reg, "3705").await.expect_err("read only").code(), "forbidden");
    // a party secretary: their own party organization and its members, nothing else
    let (sec_user, _) =
        f.t.app
            .system()
            .create_user(
                &Principal::Cli,
                hongling_service::system::users::NewUser {
                    username: "sec".into(),
                    display_name: "书记".into(),
                    role: Role::PartySecretary,
                    scope: hongling_service::system::users::ScopeInput::PartyOrg(p),
                    password: Some(PW.into()),
                },
            )
            .await
            .expect("secretary");
    let sec = f.t.current(sec_user.id).await;
    let own = list::<PartyOrgList>(&f.t.app, &sec, ALL).await;
    assert_eq!(own.items.iter().map(|x| x.id).collect::<Vec<_>>(), [p]);
    assert_eq!(f.t.app.party().get_party_org(&sec, pk).await.expect_err("other").code(), "not_found");
    assert_eq!(
        f.t.app.party().coverage(&sec, &CoverageQuery::default()).await.expect_err("no region").code(),
        "forbidden"
    );
    let m = list::<MemberList>(&f.t.app, &sec, ALL).await;
    assert_eq!(m.total, 3);
    // the secretary edits their own record and adds a member to it, not elsewhere
    let d = f.t.app.party().get_party_org(&sec, p).await.expect("own");
    let input = PartyOrgInput {
        name: d.org.name.clone(),
        brand: "红心向党".into(),
        venue_flag: true,
        version: Some(d.org.version),
        ..Default::default()
    };
    let up = f.t.app.party().update_party_org(&sec, p, &input).await.expect("own edit");
    assert_eq!((up.brand.as_str(), up.org_type.as_str(), up.region_code.as_str()), ("红心向党", "branch", WENHUI));
    let add = MemberInput {
        name: "新党员".into(),
        member_type: "probationary".into(),
        party_org_id: Some(pk.to_string()),
        ..Default::default()
    };
    let m = f.t.app.party().create_member(&sec, &add).await.expect("into own");
    assert_eq!(m.party_org_id, Some(p), "a secretary's member goes into their own party organization");
    // over HTTP, another scope's records and regions answer 404
    let token = f.t.app.create_token(&Principal::Cli, "wenhui", "t", None).await.expect("token");
    let mut b = f.t.browser();
    let r = b.api_get("/api/v1/coverage?region=370505", Some(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = b.api_get(&format!("/api/v1/party-orgs/{pk}"), Some(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // a list filtered by a region outside the scope: an input error, worded as for one that does not exist
    let r = b.api_get("/api/v1/coverage/breaches?region=3705", Some(&token)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = b.api_get("/api/v1/policy?region=510104", Some(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = b.api_send("POST", "/api/v1/coverage/plan", &token, serde_json::json!({"region": "370505"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn id_numbers_are_encrypted_masked_and_revealed_with_an_audit() {
    let f = Fixture::new().await;
    let a = f.org("文汇身份测试协会", WENHUI, 118.58, 37.45).await;
    let idno = "11010519491231002X";
    let mut input = MemberInput {
        name: "张红".into(),
        member_type: "formal".into(),
        employer_org_id: Some(a.to_string()),
        id_number: Some("11010519491231002x".into()),
        ..Default::default()
    };
    let m = f.t.app.party().create_member(&f.party, &input).await.expect("member");
    assert_eq!(m.id_number_mask, "110105********002X");
    assert!(m.id_number_enc.as_deref().is_some_and(|e| e.starts_with("sm4gcm1:") && !e.contains("1101051949")));
    // the same number twice is refused; a wrong check character is explained
    input.name = "重复".into();
    let e = f.t.app.party().create_member(&f.party, &input).await.expect_err("dup");
    assert!(e.field_errors()[0].message.contains("已登记"), "{:?}", e.field_errors());
    input.id_number = Some("110105194912310021".into());
    let e = f.t.app.party().create_member(&f.party, &input).await.expect_err("check");
    assert!(e.field_errors()[0].message.contains("校验位"), "{:?}", e.field_errors());
    // pages and the API show the mask only
    let token = f.t.app.create_token(&Principal::Cli, "party", "t", None).await.expect("token");
    let mut b = f.t.browser();
    let r = b.api_get(&format!("/api/v1/party-members/{}", m.id), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("110105********002X") && !r.body.contains(idno), "{}", r.body);
    // a reveal needs a reason and leaves an audit entry without the number
    let e = f.t.app.party().reveal_id_number(&f.party, m.id, "").await.expect_err("reason");
    assert_eq!(e.code(), "invalid");
    let r = b
        .api_send(
            "POST",
            &format!("/api/v1/party-members/{}/reveal", m.id),
            &token,
            serde_json::json!({"reason": "组织关系转接"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["id_number"], idno);
    let admin = f.t.user("admin", Role::Admin, "3705", PW).await;
    let admin = f.t.current(admin).await;
    let log = list::<AuditList>(&f.t.app, &admin, &[("action", "party_member.reveal")]).await;
    assert_eq!(log.total, 1);
    assert!(log.items[0].entry.summary.contains("组织关系转接"));
    let all = list::<AuditList>(&f.t.app, &admin, &[("per_page", "200")]).await;
    for entry in &all.items {
        let e = &entry.entry;
        let text = format!("{} {} {}", e.summary, e.before_json, e.after_json);
        assert!(!text.contains(idno) && !text.contains("11010519491231"), "personal data in the audit log: {text}");
    }
    // a reader who may not edit cannot reveal
    assert_eq!(f.t.app.party().reveal_id_number(&f.reg, m.id, "查看").await.expect_err("reader").code(), "forbidden");
    // a second server with the same key reads it; without the key nothing can be stored or revealed
    let second = f.t.second_instance().await;
    assert_eq!(second.party().reveal_id_number(&f.party, m.id, "核对").await.expect("same key"), idno);
    let keyless = second.with_data_key(None);
    assert_eq!(keyless.party().reveal_id_number(&f.party, m.id, "核对").await.expect_err("no key").code(), "invalid");
    let first17 = "37050219850612001";
    let valid = format!("{first17}{}", hongling_domain::idcard::check_char(first17.as_bytes()).expect("digits"));
    input.id_number = Some(valid);
    let e = keyless.party().create_member(&f.party, &input).await;
    assert!(e.is_err_and(|e| e.field_errors().iter().any(|x| x.message.contains("密钥"))));
}

#[tokio::test]
async fn policy_profiles_are_shipped_inherited_and_audited() {
    let f = Fixture::new().await;
    let admin = f.t.user("admin37", Role::Admin, "37", PW).await;
    let province = f.t.current(admin).await;
    // 薛城区 inherits nothing from 东营市; both have their shipped values
    let xc = f.t.app.effective_policy(&province, Some("370403001"), None).await.expect("xc");
    let get = |v: &hongling_service::policy::PolicyView, k: &str| {
        v.values.iter().find(|x| x.param == k).cloned().expect("param")
    };
    assert_eq!(get(&xc, "standalone_min_formal").source_region.as_deref(), Some("370403"));
    // our own default says so; 全国默认 only where a national rule sets the value (issue 11 item 7)
    assert_eq!(get(&xc, "instructor_max_orgs").source_name, "本系统默认值");
    let dy = f.t.app.effective_policy(&province, Some("370502"), None).await.expect("dy");
    let urban = get(&dy, "urban_community_orgs");
    assert_eq!(
        (urban.value, urban.source_region.as_deref(), urban.display.as_str()),
        (Some(12), Some("3705"), "12 个")
    );
    let in2021 =
        f.t.app
            .effective_policy(&province, Some("370502"), Some(time::macros::date!(2021 - 06 - 01)))
            .await
            .expect("2021");
    assert_eq!(get(&in2021, "urban_community_orgs").value, Some(10), "the 2020 document's value applied then");
    // setting a value: checked, audited, visible in the history; clearing it inherits again
    let bad = PolicyInput {
        region: "370502".into(),
        param: "joint_branch_max_orgs".into(),
        value: Some("1".into()),
        ..Default::default()
    };
    assert_eq!(f.t.app.set_policy(&f.party, &bad).await.expect_err("range").code(), "invalid");
    let set = PolicyInput { value: Some("4".into()), basis: "东区党建〔2026〕1号".into(), ..bad.clone() };
    let audits = f.t.audit_count().await;
    f.t.app.set_policy(&f.party, &set).await.expect("set");
    assert_eq!(f.t.audit_count().await, audits + 1);
    let dy = f.t.app.effective_policy(&f.party, Some("370502001"), None).await.expect("dy");
    assert_eq!(
        (get(&dy, "joint_branch_max_orgs").value, get(&dy, "joint_branch_max_orgs").source_region.as_deref()),
        (Some(4), Some("370502"))
    );
    let hist = f.t.app.policy_entries_for(&f.party, Some("370502")).await.expect("history");
    assert_eq!(hist[0].basis, "东区党建〔2026〕1号");
    f.t.clock.advance(Duration::days(1));
    let clear = PolicyInput { value: None, ..bad };
    f.t.app.set_policy(&f.party, &clear).await.expect("clear");
    let dy = f.t.app.effective_policy(&f.party, Some("370502"), None).await.expect("dy");
    assert_eq!(get(&dy, "joint_branch_max_orgs").value, Some(5));
    // only party offices and administrators set values; outside the scope is not found
    assert_eq!(f.t.app.set_policy(&f.reg, &set).await.expect_err("registrar").code(), "forbidden");
    let other = PolicyInput { region: "5118".into(), ..set };
    assert_eq!(f.t.app.set_policy(&f.party, &other).await.expect_err("scope").code(), "not_found");
}

#[tokio::test]
async fn api_pages_export_and_openapi() {
    let f = Fixture::new().await;
    let a = f.org("文汇接口测试协会", WENHUI, 118.58, 37.45).await;
    f.members(a, 1).await;
    let b = f.org("文汇接口测试中心", WENHUI2, 118.581, 37.451).await;
    f.members(b, 2).await;
    let token = f.t.app.create_token(&Principal::Cli, "party", "t", None).await.expect("token");
    let mut br = f.t.browser();
    let r = br.api_get("/api/v1/coverage?region=370502", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = r.json();
    assert_eq!(j["organizations"], 2);
    assert_eq!(j["by_mode"]["uncovered"], 2);
    assert_eq!(j["coverage_rate"], 0.0);
    for k in ["covered", "standalone_rate", "breaches"] {
        assert!(j.get(k).is_some(), "{k} in {j}");
    }
    let r = br.api_get("/api/v1/coverage/breaches?region=370502&rule=sync_uncovered", Some(&token)).await;
    assert_eq!(r.json()["total"], 2);
    assert_eq!(r.json()["items"][0]["rule"], "sync_uncovered");
    assert!(r.json()["items"][0]["org"]["name"].as_str().is_some_and(|n| n.contains("接口测试")));
    let r = br.api_get("/api/v1/policy?region=510104", Some(&token)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = br.api_get("/api/v1/policy?region=370502", Some(&token)).await;
    let v = r.json();
    let joint = v["values"]
        .as_array()
        .expect("values")
        .iter()
        .find(|x| x["param"] == "joint_branch_max_orgs")
        .cloned()
        .expect("param");
    // 003§2: 东营市 ships no branch size of its own; the national rule applies (issue 11 item 15)
    assert_eq!(
        (joint["value"].clone(), joint["source_region"].clone(), joint["source_kind"].clone()),
        (serde_json::json!(5), serde_json::Value::Null, serde_json::json!("national_rule"))
    );
    let r = br.api_send("POST", "/api/v1/coverage/plan", &token, serde_json::json!({"region": "370502"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let plan = r.json();
    let orgs = plan["joint_branches"][0]["orgs"].clone();
    assert_eq!(orgs, serde_json::json!([a, b]));
    assert_eq!(plan["joint_branches"][0]["formal_members"], 3);
    assert!(plan["joint_branches"][0]["explanation"].as_str().is_some_and(|e| e.contains("文汇")));
    assert!(plan["instructors"].is_array());
    // a crafted page form with an unknown proposal kind creates nothing
    br.login("party", PW).await;
    br.get("/party/plan?region=370502").await;
    let (sa, sb) = (a.to_string(), b.to_string());
    let r = br
        .post(
            "/party/plan/accept",
            &[("kind", "bogus"), ("region", "370502"), ("orgs", &sa), ("orgs", &sb), ("name", "伪造联合党支部")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("方案类型不正确"), "{}", r.body);
    let r = br.api_get("/api/v1/coverage?region=370502", Some(&token)).await;
    assert_eq!(r.json()["covered"], 0, "nothing was created");
    let r = br
        .api_send("POST", "/api/v1/coverage/plan/accept", &token, serde_json::json!({"joint_branch": {"orgs": orgs}}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = br.api_get("/api/v1/coverage?region=370502", Some(&token)).await;
    assert_eq!(
        (r.json()["covered"].clone(), r.json()["coverage_rate"].clone()),
        (serde_json::json!(2), serde_json::json!(1.0))
    );
    // pages render
    br.login("party", PW).await;
    for page in [
        "/party/coverage",
        "/party/coverage?region=370502",
        "/party/plan?region=370502",
        "/party/orgs",
        "/party/members",
        "/party/instructors",
        "/party/life",
        "/party/funds",
        "/party/trainings",
        "/party/channels",
        "/system/policy",
        "/party/coverage/breaches",
        "/party/coverage/orgs",
    ] {
        let r = br.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
    }
    let r = br.get("/party/coverage").await;
    assert!(r.body.contains("覆盖率") && r.body.contains("coverage-data") && r.body.contains("东营区"));
    // a region outside the scope: the same answer as one that does not exist
    let r = br.get("/party/coverage?region=510104").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不存在或不在您的管辖范围内") && !r.body.contains("锦江区"), "{}", r.body);
    // the four seed localities' shipped profiles are shown on the policy page to everyone, on request
    let policy = br.get("/system/policy?others=1").await.body;
    for place in ["东营市", "雅安市", "薛城区", "锦江区"] {
        assert!(policy.contains(place), "{place} on the policy page");
    }
    // a form with an error keeps what was typed and says what is wrong
    let r = br.post("/party/orgs", &[("name", "表单测试党支部"), ("org_type", ""), ("region_code", "370502001")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("表单测试党支部") && r.body.contains("请选择党组织类型"));
    // the export: three sheets, audited
    let audits = f.t.audit_count().await;
    let r = br.get("/party/coverage/export?region=370502").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(f.t.audit_count().await, audits + 1);
    let bytes = {
        let req = axum::http::Request::get("/party/coverage/export?region=370502")
            .header(
                axum::http::header::COOKIE,
                br.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "),
            )
            .body(axum::body::Body::empty())
            .expect("req");
        let res = tower::ServiceExt::oneshot(br.router.clone(), req).await.expect("res");
        http_body_util::BodyExt::collect(res.into_body()).await.expect("body").to_bytes()
    };
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    assert_eq!(wb.sheet_names(), ["按区域", "按管理渠道", "违规清单"]);
    let regions = wb.worksheet_range("按区域").expect("sheet");
    let rows: Vec<Vec<String>> = regions.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "区域/渠道");
    // counts and rates are numbers (formatted #,##0 and 0.0% in the workbook), not text
    assert!(rows.iter().any(|r| r[0] == "文汇街道" && r[1] == "2" && r[8] == "1"), "{rows:?}");
    let rate = regions.rows().find(|r| r[0] == "文汇街道").map(|r| r[8].clone());
    assert!(matches!(rate, Some(calamine::Data::Float(x)) if (x - 1.0).abs() < 1e-9), "{rate:?}");
    // the OpenAPI document describes the coverage API
    let doc = br.api_get("/api/v1/openapi.json", None).await.json();
    for path in [
        "/api/v1/coverage",
        "/api/v1/coverage/breaches",
        "/api/v1/policy",
        "/api/v1/coverage/plan",
        "/api/v1/coverage/plan/accept",
        "/api/v1/party-orgs",
        "/api/v1/party-members/{id}/reveal",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} in the OpenAPI document");
    }
}

#[tokio::test]
async fn channels_follow_the_rules_and_the_profile() {
    let f = Fixture::new().await;
    let unit =
        f.t.app.registry().create_supervisory_unit(&Principal::Cli, "东营区体育局", "370502").await.expect("unit").id;
    // like 锦江区: a supervisory unit runs party building only with at least 2 organizations here
    let input = PolicyInput {
        region: "370502".into(),
        param: "supervisor_channel_min_orgs".into(),
        value: Some("2".into()),
        basis: "测试".into(),
        ..Default::default()
    };
    f.t.app.set_policy(&f.party, &input).await.expect("policy");
    let mut ids = Vec::new();
    for i in 0..2 {
        let n = 900 + i;
        let mut d = draft(&format!("东营区第{i}篮球协会"), &code('1', "370502", &format!("MJC{n:05}")), WENHUI);
        d.category = Some(hongling_domain::registry::Category::Other);
        d.supervisory_unit_id = Some(unit);
        let m = f.t.app.registry().create_org(&Principal::User(f.reg.clone()), d, false).await.expect("org");
        ids.push(m.id);
        let kind = f.t.app.registry().get_org(&f.reg, m.id).await.expect("org").channel_kind;
        // the first has a unit with one organization: its township; the second makes two
        assert_eq!(kind, if i == 0 { "township" } else { "supervisory_unit" });
    }
    f.t.app.party().refresh_coverage(&Principal::Cli, "370502", f.t.app.today()).await.expect("refresh");
    for id in &ids {
        assert_eq!(f.t.app.registry().get_org(&f.reg, *id).await.expect("org").channel_kind, "supervisory_unit");
    }
    // a directly registered organization: the comprehensive party committee of its authority
    let a = f.org("东营区公益慈善协会", WENHUI, 118.58, 37.45).await;
    let p = f.t.app.party().org_party(&f.party, a).await.expect("party");
    assert_eq!(p.channel.expect("channel").name, "东营区社会组织综合党委");
    // assigned by hand to an industry committee, and back to the rules
    let ch =
        f.t.app
            .party()
            .create_channel(
                &f.party,
                &hongling_service::party::records::ChannelInput {
                    kind: "industry_committee".into(),
                    name: "东营区体育行业党委".into(),
                    region_code: "370502".into(),
                    hub_org_id: None,
                },
            )
            .await
            .expect("channel");
    f.t.app.party().set_org_channel(&f.party, a, Some(ch.id)).await.expect("assign");
    f.t.app.party().refresh_coverage(&Principal::Cli, "370502", f.t.app.today()).await.expect("refresh");
    let o = f.t.app.registry().get_org(&f.reg, a).await.expect("org");
    assert_eq!((o.channel_kind.as_str(), o.channel_id, o.channel_manual), ("industry_committee", Some(ch.id), true));
    f.t.app.party().set_org_channel(&f.party, a, None).await.expect("back");
    assert_eq!(f.t.app.registry().get_org(&f.reg, a).await.expect("org").channel_kind, "comprehensive_committee");
}
