//! Fidelity to the seed documents (issue 11, items 7 and 12–19): what the
//! policy page, the figures and the channels show, each test citing the
//! clause it follows (`000§1`, `003§2`, `004` …, as in the domain tests).

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_domain::registry::{Category, RegistrationMode};
use hongling_service::party::figures::CoverageQuery;
use hongling_service::party::records::PartyOrgInput;
use hongling_service::{CurrentUser, Principal};
use hongling_store::registry::entity::social_org;
use sea_orm::EntityTrait;

use crate::support::*;

const JINJIANG: &str = "510104017001"; // 水井坊社区
const WENHUI: &str = "370502001011"; // 文汇街道东营社区
const XUECHENG: &str = "370403";

async fn user(t: &TestApp, name: &str, role: Role, scope: &str) -> CurrentUser {
    let id = t.user(name, role, scope, PW).await;
    t.current(id).await
}

async fn org(t: &TestApp, reg: &CurrentUser, d: hongling_domain::registry::OrgDraft) -> social_org::Model {
    t.app.registry().create_org(&Principal::User(reg.clone()), d, false).await.expect("org")
}

async fn reload(t: &TestApp, id: i64) -> social_org::Model {
    social_org::Entity::find_by_id(id).one(&t.app.db).await.expect("q").expect("org")
}

/// Item 7 and `003§2` (item 15): the policy page of a clerk shows their own
/// locality's values with the document's title and the clause; the 3 formal
/// members come from 薛民字〔2020〕31号 第2条 for 薛城区, and from the national
/// rule (never 001, 002 or 004) for 东营市; only a national rule is called
/// 全国默认; our own figures say 本系统默认值; other localities' shipped values
/// appear only on request.
#[tokio::test]
async fn seed_003s2_policy_page_shows_the_own_locality_with_document_and_clause() {
    let t = TestApp::new().await;
    let xc = user(&t, "xcparty", Role::PartyOffice, XUECHENG).await;
    let v = t.app.effective_policy(&xc, None, None).await.expect("policy");
    assert_eq!(v.region, XUECHENG, "the clerk's own locality by default");
    let get = |v: &hongling_service::policy::PolicyView, k: &str| {
        v.values.iter().find(|x| x.param == k).cloned().expect("param")
    };
    let min = get(&v, "standalone_min_formal");
    assert_eq!(min.source_region.as_deref(), Some(XUECHENG));
    assert_eq!(min.document, "薛民字〔2020〕31号《关于加强党建引领促进社会组织高质量发展的指导意见》");
    assert!(min.clause.starts_with("第2条"), "{}", min.clause);
    let inst = get(&v, "instructor_max_orgs");
    assert_eq!((inst.source_name.as_str(), inst.source_kind.as_str()), ("本系统默认值", "system_default"));
    let fund = get(&v, "new_party_org_fund_yuan");
    assert_eq!((fund.value, fund.source_kind.as_str()), (None, "none"));
    assert!(!fund.source_name.contains("全国默认"));

    let dy = user(&t, "dyparty", Role::PartyOffice, "3705").await;
    let v = t.app.effective_policy(&dy, None, None).await.expect("policy");
    let min = get(&v, "standalone_min_formal");
    assert_eq!((min.value, min.source_kind.as_str()), (Some(3), "national_rule"));
    assert_eq!(min.source_name, "全国默认（国家规定）");
    assert_eq!(min.document, "《中国共产党章程》");
    let urban = get(&v, "urban_community_orgs");
    assert!(urban.label.contains("平均") && urban.clause.contains("平均"), "{urban:?}");

    // over HTTP: the own locality's shipped values, others on request
    let mut br = t.browser();
    br.login("dyparty", PW).await;
    let r = br.get("/system/policy").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("东民〔2020〕14号") && r.body.contains("条款"), "{}", r.body);
    for other in ["锦江区", "雅安市", "薛民字"] {
        assert!(!r.body.contains(other), "{other} only on request");
    }
    assert!(r.body.contains("查看其他地区的内置参数"));
    let r = br.get("/system/policy?others=1").await;
    for place in ["东营市", "雅安市", "薛城区", "锦江区"] {
        assert!(r.body.contains(place), "{place} on request");
    }
}

/// `004` (item 12): 锦江区's 95% and 35% are references on its registered
/// organizations; the figures compute them on that base, and no target is
/// shown for registered plus filed organizations.
#[tokio::test]
async fn seed_004_reference_rates_on_registered_organizations() {
    let t = TestApp::new().await;
    let reg = user(&t, "jjreg", Role::Registrar, "510104").await;
    let party = user(&t, "jjparty", Role::PartyOffice, "510104").await;
    let r1 = org(&t, &reg, draft("锦江测试协会一", &code('1', "510104", "JJ000001"), JINJIANG)).await;
    org(&t, &reg, draft("锦江测试协会二", &code('1', "510104", "JJ000002"), JINJIANG)).await;
    let mut filed = draft("水井坊邻里互助队", "", JINJIANG);
    filed.mode = Some(RegistrationMode::Filed);
    filed.category = Some(Category::MutualAid);
    filed.legal_rep = String::new();
    org(&t, &reg, filed.clone()).await;
    filed.name = "水井坊文体队".into();
    org(&t, &reg, filed).await;
    let i = PartyOrgInput {
        name: "锦江测试协会一党支部".into(),
        org_type: "branch".into(),
        region_code: JINJIANG.into(),
        org_ids: vec![r1.id],
        ..Default::default()
    };
    t.app.party().create_party_org(&party, &i).await.expect("party org");
    let c = t.app.party().coverage(&party, &CoverageQuery::default()).await.expect("coverage");
    assert_eq!(c.organizations, 4);
    assert_eq!(c.registered_organizations, 2);
    assert!((c.registered_party_org_rate - 0.5).abs() < 1e-9 && (c.registered_standalone_rate - 0.5).abs() < 1e-9);
    assert!((c.standalone_rate - 0.25).abs() < 1e-9, "the all-organization rate keeps its base");
    assert_eq!((c.coverage_rate_target, c.standalone_rate_target), (None, None));
    assert_eq!(c.registered_party_org_rate_reference, Some(0.95));
    assert_eq!(c.registered_standalone_rate_reference, Some(0.35));
    let mut br = t.browser();
    br.login("jjparty", PW).await;
    let r = br.get("/party/coverage").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("以登记类 2 个为基数") && r.body.contains("登记类党组织覆盖率"), "{}", r.body);
    assert!(r.body.contains("党组织覆盖率 95.0%") && r.body.contains("非目标"), "{}", r.body);
    assert!(!r.body.contains("目标 95%"), "95% is not a target");
}

/// `004` (item 17): a supervisory unit runs the party building of more than
/// 10 organizations *of the same kind* (同类…超过10家以上); 10, or 11 of mixed
/// kinds, stay with the township.
#[tokio::test]
async fn seed_004_channel_for_more_than_ten_of_the_same_kind() {
    let t = TestApp::new().await;
    let reg = user(&t, "jjreg", Role::Registrar, "510104").await;
    let unit = t.app.registry().create_supervisory_unit(&Principal::Cli, "锦江区教育局", "510104").await.expect("u").id;
    let mut ids = Vec::new();
    for n in 0..11 {
        let mut d = draft(&format!("锦江启明培训学校{n}"), &code('2', "510104", &format!("JX{n:06}")), JINJIANG);
        d.kind = Some(hongling_domain::registry::OrgKind::ServiceInstitution);
        d.category = Some(Category::Other);
        d.supervisory_unit_id = Some(unit);
        d.industry = if n == 10 { "卫生".into() } else { "教育".into() };
        ids.push(org(&t, &reg, d).await.id);
    }
    t.app.party().refresh_coverage(&Principal::Cli, "510104", t.app.today()).await.expect("refresh");
    // 10 of 教育 and 1 of 卫生: not more than 10 of one kind
    for id in &ids {
        assert_eq!(reload(&t, *id).await.channel_kind, "township", "org {id}");
    }
    let mut d = draft("锦江启明培训学校11", &code('2', "510104", "JX000011"), JINJIANG);
    d.kind = Some(hongling_domain::registry::OrgKind::ServiceInstitution);
    d.category = Some(Category::Other);
    d.supervisory_unit_id = Some(unit);
    d.industry = "教育".into();
    let last = org(&t, &reg, d).await.id;
    t.app.party().refresh_coverage(&Principal::Cli, "510104", t.app.today()).await.expect("refresh");
    for id in ids[..10].iter().chain([&last]) {
        assert_eq!(reload(&t, *id).await.channel_kind, "supervisory_unit", "11 of 教育: org {id}");
    }
    assert_eq!(reload(&t, ids[10]).await.channel_kind, "township", "the one of 卫生 is not of the kind");
}

/// `003§1` (item 18): a directly registered or decoupled organization belongs
/// to the comprehensive party committee; recording its 行业管理部门 does not
/// move it into that department's channel, and a decoupled organization has
/// no 业务主管单位. The fields are in the API.
#[tokio::test]
async fn seed_003s1_department_and_decoupling_keep_the_comprehensive_channel() {
    let t = TestApp::new().await;
    let reg = user(&t, "reg", Role::Registrar, "3705").await;
    let unit = t.app.registry().create_supervisory_unit(&Principal::Cli, "东营市商务局", "3705").await.expect("u").id;
    let mut d = draft("东营市物流行业协会", &code('1', "370502", "DC000001"), WENHUI);
    d.category = Some(Category::IndustryAssociation);
    d.decoupled = true;
    d.industry_department_id = Some(unit);
    let a = org(&t, &reg, d.clone()).await;
    assert!(a.decoupled && a.industry_department_id == Some(unit) && a.supervisory_unit_id.is_none());
    assert_eq!(reload(&t, a.id).await.channel_kind, "comprehensive_committee");
    // a decoupled organization with a 业务主管单位 is refused, on that field
    d.uscc = code('1', "370502", "DC000002");
    d.name = "东营市餐饮行业协会".into();
    d.supervisory_unit_id = Some(unit);
    let e = t.app.registry().create_org(&Principal::User(reg.clone()), d, false).await.expect_err("refused");
    assert!(e.field_errors().iter().any(|f| f.field == "supervisory_unit_id" && f.message.contains("行业管理部门")));
    // the same unit as a 业务主管单位 of a dual-management organization is its channel
    let mut d = draft("东营市电子商务促进会", &code('1', "370502", "DC000003"), WENHUI);
    d.category = Some(Category::Other);
    d.supervisory_unit_id = Some(unit);
    let dual = org(&t, &reg, d).await.id;
    assert_eq!(reload(&t, dual).await.channel_kind, "supervisory_unit");
    // the API answers both fields
    let token = t.app.create_token(&Principal::Cli, "reg", "t", None).await.expect("token");
    let mut br = t.browser();
    let r = br.api_get(&format!("/api/v1/orgs/{}", a.id), Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["decoupled"], true);
    assert_eq!(r.json()["industry_department_id"], unit);
}

/// `000§1` (item 14): the 3,000 yuan start-up funds are checked only for a
/// party organization founded since 东营市's value took effect (2022-08-18).
#[tokio::test]
async fn seed_000s1_startup_funds_only_for_new_party_orgs() {
    let t = TestApp::new().await;
    let party = user(&t, "party", Role::PartyOffice, "3705").await;
    let mk = |name: &str, founded: &str| PartyOrgInput {
        name: name.into(),
        org_type: "branch".into(),
        region_code: WENHUI.into(),
        founded_on: Some(founded.into()),
        ..Default::default()
    };
    let old = t.app.party().create_party_org(&party, &mk("老党支部", "2021-05-01")).await.expect("old").id;
    let new = t.app.party().create_party_org(&party, &mk("新党支部", "2023-05-01")).await.expect("new").id;
    let c = t.app.party().fund_check(&party, old).await.expect("check");
    assert_eq!(c.startup_due_yuan, None);
    assert!(c.shortfalls.is_empty() && c.startup_note.as_deref().is_some_and(|n| n.contains("2021-05-01")));
    let c = t.app.party().fund_check(&party, new).await.expect("check");
    assert_eq!(c.startup_due_yuan, Some(3000));
    assert_eq!(c.shortfalls.len(), 1);
    let mut br = t.browser();
    br.login("party", PW).await;
    let r = br.get(&format!("/party/orgs/{old}?tab=funds")).await;
    assert!(r.body.contains("不检查"), "the funds tab says why: {}", r.body);
}

/// `002` 三 (item 19): a 党小组 is a party-organization type; it covers a filed
/// community organization (组织覆盖) without being 单独组建. Decision: no
/// locality's profile turns 三同步 on for filed organizations, so a filed
/// organization is never `sync_pending`.
#[tokio::test]
async fn seed_002_party_group_and_no_sync_for_filed_organizations() {
    let t = TestApp::new().await;
    let reg = user(&t, "reg", Role::Registrar, "3705").await;
    let party = user(&t, "party", Role::PartyOffice, "3705").await;
    let mut d = draft("东营社区舞蹈队", "", WENHUI);
    d.mode = Some(RegistrationMode::Filed);
    d.category = Some(Category::CultureSports);
    d.legal_rep = String::new();
    let o = org(&t, &reg, d).await;
    assert!(!o.sync_pending, "三同步 is not turned on for filed organizations");
    let i = PartyOrgInput {
        name: "东营社区舞蹈队党小组".into(),
        org_type: "party_group".into(),
        region_code: WENHUI.into(),
        org_ids: vec![o.id],
        founded_on: Some("2025-03-01".into()),
        ..Default::default()
    };
    t.app.party().create_party_org(&party, &i).await.expect("党小组");
    let o = reload(&t, o.id).await;
    assert_eq!(o.coverage_mode, "joint_branch", "covered by a party organization, not its own");
}

/// `003§1` (item 18) through the import template: the 行业管理部门 column is
/// its own (no longer an alias of 业务主管单位), with 已脱钩 beside it.
#[tokio::test]
async fn seed_003s1_import_reads_the_department_apart_from_the_unit() {
    let t = TestApp::new().await;
    let reg = user(&t, "imp", Role::Registrar, "3705").await;
    t.app.registry().create_supervisory_unit(&Principal::Cli, "东营市商务局", "3705").await.expect("u");
    let headers = "统一社会信用代码,组织名称,组织类型,登记方式,类别,所属行业,登记管理机关区划代码,业务主管单位,住所区划代码,住所地址,经度,纬度,法定代表人,成立日期,从业人员数,会员数,章程含党建内容,枢纽型组织,品牌组织,孵化基地,登记状态,监管分类,行业管理部门,已脱钩";
    let uscc = code('1', "370502", "DJ000001");
    let file = format!(
        "{headers}\n{uscc},东营市汽车维修行业协会,社会团体,登记,行业协会商会,汽车维修,3705,,{WENHUI},,,,王伟,2018-03-01,3,50,是,否,否,,正常,,东营市商务局,是\n"
    );
    let (job, s) = t.app.registry().preview_import(&reg, "名录.csv", file.into_bytes()).await.expect("preview");
    assert_eq!((s.creates, s.rejected.len()), (1, 0), "{:?}", s.rejected);
    t.app.registry().commit_import(&reg, job).await.expect("commit");
    let o = social_org::Entity::find()
        .all(&t.app.db)
        .await
        .expect("q")
        .into_iter()
        .find(|o| o.uscc.as_deref() == Some(uscc.as_str()))
        .expect("imported");
    assert!(o.decoupled && o.industry_department_id.is_some() && o.supervisory_unit_id.is_none(), "{o:?}");
    assert_eq!(o.channel_kind, "comprehensive_committee");
}
