//! Issue 11, items 4 and 5: the planner at county scale (proposals by township, a township's
//! proposals accepted in one all-or-nothing step, readable unique names) and breaches with a
//! life (first seen kept, closed not deleted, assignment and follow-up log, scope, filters).

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_service::party::breaches::{BreachAssignInput, BreachNoteInput};
use hongling_service::party::lists::BreachList;
use hongling_service::party::members::MemberInput;
use hongling_service::party::planner::AcceptTownship;
use hongling_service::party::records::PartyOrgInput;
use hongling_service::{CurrentUser, Principal};
use time::Duration;

use crate::support::*;

const WENHUI: &str = "370502001011"; // 文汇街道
const HUANGHE: &str = "370502002002"; // 黄河路街道
const KENLI_TOWN: &str = "370505001"; // a township of 垦利区

struct Fx {
    t: TestApp,
    reg: CurrentUser,
    party: CurrentUser,
    n: std::cell::Cell<u32>,
}

impl Fx {
    async fn new() -> Fx {
        let t = TestApp::new().await;
        let reg = t.user("reg", Role::Registrar, "3705", PW).await;
        let party = t.user("party", Role::PartyOffice, "370502", PW).await;
        Fx { reg: t.current(reg).await, party: t.current(party).await, t, n: std::cell::Cell::new(0) }
    }

    async fn org(&self, name: &str, region: &str, lon: f64, lat: f64, formal: usize) -> i64 {
        let n = self.n.get() + 1;
        self.n.set(n);
        let mut d = draft(name, &code('1', &region[..6], &format!("MFU{n:05}")), region);
        d.longitude = Some(lon);
        d.latitude = Some(lat);
        let id = self.t.app.registry().create_org(&Principal::User(self.reg.clone()), d, false).await.expect("org").id;
        for i in 0..formal {
            let input = MemberInput {
                name: format!("党员{id}-{i}"),
                member_type: "formal".into(),
                employer_org_id: Some(id.to_string()),
                ..Default::default()
            };
            self.t.app.party().create_member(&self.party, &input).await.expect("member");
        }
        id
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

    async fn breaches(&self, pairs: &[(&str, &str)]) -> Vec<hongling_service::party::breaches::BreachView> {
        list::<BreachList>(&self.t.app, &self.party, pairs).await.items
    }
}

#[tokio::test]
async fn a_townships_proposals_are_accepted_together_or_not_at_all() {
    let f = Fx::new().await;
    // 文汇街道: eight organizations with 1 formal member each, close together; 黄河路街道: three
    for i in 0..8 {
        f.org(&format!("文汇{i}号服务中心"), WENHUI, 118.58 + f64::from(i) * 0.001, 37.45, 1).await;
    }
    for i in 0..3 {
        f.org(&format!("黄河路{i}号协会"), HUANGHE, 118.52 + f64::from(i) * 0.001, 37.46, 1).await;
    }
    // an existing party organization already has the plain name of 文汇街道's branch
    let plain = "文汇街道公益慈善类社会组织联合党支部";
    let other = f.org("文汇已建协会", WENHUI, 118.60, 37.45, 3).await;
    f.party_org(plain, vec![other]).await;

    let plan = f.t.app.party().plan_coverage(&f.party, "370502").await.expect("plan");
    let towns: Vec<&str> = plan.townships.iter().map(|t| t.code.as_str()).collect();
    assert_eq!(towns, ["370502001", "370502002"]);
    let wenhui: Vec<_> = plan.joint_branches.iter().filter(|j| j.township == "370502001").collect();
    assert!(wenhui.len() >= 2, "{wenhui:?}");
    let names: Vec<&str> = plan.joint_branches.iter().map(|j| j.suggested_name.as_str()).collect();
    let unique: std::collections::HashSet<&&str> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
    for n in &names {
        assert!(n.ends_with("联合党支部") && !n.chars().any(|c| c.is_ascii_digit()) && !n.contains('（'), "{n}");
        assert_ne!(*n, plain, "taken by an existing party organization");
    }
    assert_eq!(wenhui[0].suggested_name, "文汇街道公益慈善类社会组织第二联合党支部");
    assert_eq!(wenhui[1].suggested_name, "文汇街道公益慈善类社会组织第三联合党支部");
    let keys: Vec<String> = wenhui.iter().map(|j| j.key()).collect();
    let input = |town: &str, keys: Vec<String>| AcceptTownship {
        region: "370502".into(),
        township: town.into(),
        proposals: keys,
    };

    // out of scope: another county's township (404), and a 垦利 office cannot accept 东营区's
    let e = f.t.app.party().accept_township(&f.party, &input(KENLI_TOWN, keys.clone())).await.expect_err("scope");
    assert_eq!(e.code(), "not_found");
    let kenli = f.t.current(f.t.user("kenli", Role::PartyOffice, "370505", PW).await).await;
    let e = f.t.app.party().accept_township(&kenli, &input("370502001", keys.clone())).await.expect_err("scope");
    assert_eq!(e.code(), "not_found");

    // what the clerk confirmed is no longer the plan: nothing is written, the change is reported
    let audits = f.t.audit_count().await;
    let mut stale = keys.clone();
    stale[0] = "j:999999,1000000".into();
    let e = f.t.app.party().accept_township(&f.party, &input("370502001", stale)).await.expect_err("stale");
    assert_eq!(e.code(), "conflict");
    assert!(e.to_string().contains("未作任何更改"), "{e}");
    assert_eq!(f.t.audit_count().await, audits);

    // two clerks accept at once: one wins, the other changes nothing
    let (one, two) = (input("370502001", keys.clone()), input("370502001", keys.clone()));
    let (pa, pb) = (f.t.app.party(), f.t.app.party());
    let (a, b) = tokio::join!(pa.accept_township(&f.party, &one), pb.accept_township(&f.party, &two));
    assert!(a.is_ok() != b.is_ok(), "exactly one wins: {a:?} {b:?}");
    let done = a.or(b).expect("one");
    assert_eq!(f.t.audit_count().await, audits + 1, "one audit entry for the township");
    assert_eq!(done.branches.len(), wenhui.len());
    assert_eq!(done.branches[0].name, "文汇街道公益慈善类社会组织第二联合党支部");
    assert!(done.summary().contains("文汇街道") && done.summary().contains("联合党支部"), "{}", done.summary());
    // 黄河路街道 is untouched; 文汇街道 has nothing left to accept
    let after = f.t.app.party().plan_coverage(&f.party, "370502").await.expect("plan");
    assert!(after.joint_branches.iter().all(|j| j.township != "370502001"));
    assert!(after.joint_branches.iter().any(|j| j.township == "370502002"));
    let e = f.t.app.party().accept_township(&f.party, &input("370502001", keys.clone())).await.expect_err("twice");
    assert_eq!(e.code(), "conflict");

    // the page: grouped by township, paged, accept-all stays on the township
    let mut br = f.t.browser();
    br.login("party", PW).await;
    let r = br.get("/party/plan?region=370502&town=370502002&page=999999").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("按乡镇（街道）") && r.body.contains("id=\"town-370502002\""));
    let fields = form_fields(&r.body, "accept-town");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = br.post("/party/plan/accept-township", &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.location.clone().expect("location");
    assert!(to.contains("town=370502002") && to.ends_with("#town-370502002"), "{to}");
    let page = br.get(to.split('#').next().unwrap_or("")).await;
    assert!(page.body.contains("已采纳黄河路街道的全部方案"), "flash");
    // bad input: an unknown township is not found, a crafted form changes nothing
    let csrf = csrf_in(&page.body).expect("csrf");
    let r = br
        .post_raw(
            "/party/plan/accept-township",
            &[("_csrf", &csrf), ("region", "370502"), ("town", "370505001"), ("proposals", "j:1,2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_breach_keeps_its_first_day_is_followed_up_and_closes_with_its_history() {
    let f = Fx::new().await;
    let day1 = f.t.app.today();
    // three formal members and no party organization of its own: needs_standalone
    let a = f.org("文汇三党员协会", WENHUI, 118.58, 37.45, 3).await;
    let first = f.breaches(&[("rule", "needs_standalone")]).await;
    assert_eq!(first.len(), 1);
    let id = first[0].id;
    assert_eq!((first[0].since.clone(), first[0].days_open), (day1.to_string(), 1));

    // days later the daily recompute keeps it in place, with its first day
    f.t.clock.advance(Duration::days(3));
    let by = Principal::Job;
    f.t.app.party().refresh_coverage(&by, "3705", f.t.app.today()).await.expect("recompute");
    let again = f.breaches(&[("rule", "needs_standalone")]).await;
    assert_eq!((again[0].id, again[0].since.clone(), again[0].days_open), (id, day1.to_string(), 4));

    // assignment: to a user in scope; not to one outside it (the same answer as a missing user)
    let worker = f.t.user("worker", Role::Grassroots, "370502001", PW).await;
    let outsider = f.t.user("outsider", Role::PartyOffice, "370505", PW).await;
    let audits = f.t.audit_count().await;
    for bad in [outsider, 999_999] {
        let e =
            f.t.app
                .party()
                .assign_breach(&f.party, id, &BreachAssignInput { assignee_id: Some(bad) })
                .await
                .expect_err("out of scope");
        assert_eq!(e.field_errors()[0].field, "assignee_id");
        assert_eq!(e.to_string(), "责任人不存在或不在您的管辖范围内");
    }
    assert_eq!(f.t.audit_count().await, audits, "bad input changes nothing");
    f.t.app
        .party()
        .assign_breach(&f.party, id, &BreachAssignInput { assignee_id: Some(worker) })
        .await
        .expect("assign");
    let e =
        f.t.app.party().add_breach_note(&f.party, id, &BreachNoteInput { text: "  ".into() }).await.expect_err("empty");
    assert_eq!(e.code(), "invalid");
    f.t.app
        .party()
        .add_breach_note(&f.party, id, &BreachNoteInput { text: "已约谈负责人，拟单独组建党支部".into() })
        .await
        .expect("note");
    assert_eq!(f.t.audit_count().await, audits + 2, "each change audited");
    let mine = f.breaches(&[("assignee_id", &worker.to_string())]).await;
    assert_eq!(mine.iter().map(|b| b.id).collect::<Vec<_>>(), [id]);
    assert_eq!(mine[0].assignee.as_ref().map(|u| u.name.as_str()), Some("worker"));

    // another scope: the breach is not found, for reading and for writing
    let kenli = f.t.current(outsider).await;
    assert_eq!(f.t.app.party().get_breach(&kenli, id).await.expect_err("scope").code(), "not_found");
    let e =
        f.t.app.party().add_breach_note(&kenli, id, &BreachNoteInput { text: "x".into() }).await.expect_err("scope");
    assert_eq!(e.code(), "not_found");

    // the cause is fixed: its own party organization. The breach closes, and keeps its history
    f.t.clock.advance(Duration::days(1));
    f.party_org("文汇三党员协会党支部", vec![a]).await;
    assert!(f.breaches(&[("rule", "needs_standalone")]).await.is_empty(), "no longer open");
    // (its 三同步 breach closes with it: registered through the system, now covered)
    let closed = f.breaches(&[("status", "closed"), ("rule", "needs_standalone")]).await;
    assert_eq!(closed.iter().map(|b| b.id).collect::<Vec<_>>(), [id]);
    assert_eq!(closed[0].closed_on.as_deref(), Some(f.t.app.today().to_string().as_str()));
    assert_eq!((closed[0].since.clone(), closed[0].days_open), (day1.to_string(), 5));
    let d = f.t.app.party().get_breach(&f.party, id).await.expect("detail");
    let kinds: Vec<&str> = d.log.iter().map(|l| l.kind.as_str()).collect();
    assert_eq!(kinds, ["assign", "note", "close"]);
    assert_eq!(d.log[2].actor, "系统");
    // a closed breach is not assigned any more
    let e =
        f.t.app
            .party()
            .assign_breach(&f.party, id, &BreachAssignInput { assignee_id: None })
            .await
            .expect_err("closed");
    assert_eq!(e.code(), "conflict");

    // the rule fires again later: a new breach, first seen that day; the closed one stays
    f.t.clock.advance(Duration::days(2));
    let p = f.t.app.party().org_party(&f.party, a).await.expect("org").party_org.expect("covered").id;
    f.t.app.party().dissolve_party_org(&f.party, p, None, "测试撤销").await.expect("dissolve");
    let open = f.breaches(&[("rule", "needs_standalone")]).await;
    assert_eq!(open.len(), 1);
    assert_ne!(open[0].id, id);
    assert_eq!(open[0].since, f.t.app.today().to_string());
    assert_eq!(f.breaches(&[("status", "closed"), ("rule", "needs_standalone")]).await.len(), 1);

    // pages and exports: filters in the URL, an unknown value is an input error, another scope 404
    let mut br = f.t.browser();
    br.login("party", PW).await;
    let r = br.get("/party/coverage/breaches?status=closed").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("已关闭") && r.body.contains("文汇三党员协会"));
    assert!(r.body.contains("5 天"), "days open");
    for bad in ["status=maybe", "rule=nothing", "assignee_id=abc"] {
        let r = br.get(&format!("/party/coverage/breaches?{bad}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let r = br.get("/party/coverage/breaches/export?status=closed&rule=sync_uncovered").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = br.get(&format!("/party/coverage/breaches/{id}")).await;
    assert!(r.body.contains("已约谈负责人") && r.body.contains("自动关闭"), "history on the page");
    let mut other = f.t.browser();
    other.login("outsider", PW).await;
    assert_eq!(other.get(&format!("/party/coverage/breaches/{id}")).await.status, StatusCode::NOT_FOUND);
    let page = other.get("/party/coverage/breaches").await;
    let csrf = csrf_in(&page.body).expect("csrf");
    let r = other.post_raw(&format!("/party/coverage/breaches/{id}/note"), &[("_csrf", &csrf), ("text", "x")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
