//! Issue 11, items 1 and 10: the audit log a leader can read (actions in
//! Chinese, people by name, records as links, changed fields, filters in the
//! database, export) and user administration (name, role, scope, disable,
//! all scoped and audited in the change's transaction).

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_domain::audit::AuditAction;
use hongling_service::Principal;
use hongling_service::system::lists::AuditList;
use hongling_service::system::users::{ScopeInput, UserChange};
use hongling_store::entity::{audit_log, user};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, QuerySelect};

use crate::support::*;

fn q(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).expect("query")
}

/// The table of a list page (without the search form's choice lists).
fn table(html: &str, id: &str) -> String {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}"));
    let end = html[start..].find("</table>").map(|e| start + e).unwrap_or(html.len());
    html[start..end].to_owned()
}

async fn set_display_name(t: &TestApp, id: i64, name: &str) {
    t.app
        .system()
        .update_user(&Principal::Cli, id, UserChange { display_name: Some(name.into()), ..Default::default() })
        .await
        .expect("name");
}

async fn user_row(t: &TestApp, id: i64) -> user::Model {
    user::Entity::find_by_id(id).one(&t.app.db).await.expect("q").expect("user")
}

async fn actions_stored(t: &TestApp) -> Vec<String> {
    audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Action)
        .distinct()
        .into_tuple::<String>()
        .all(&t.app.db)
        .await
        .expect("q")
}

/// Every action string the code writes is a variant of the one labelled
/// table: no source file passes an action as a string literal, and every
/// action stored by a run through the modules has its Chinese name.
#[tokio::test]
async fn every_action_written_has_a_chinese_name() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut offenders = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                if !p.ends_with("tests") && !p.ends_with("target") {
                    stack.push(p);
                }
                continue;
            }
            if p.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).expect("read");
            let lines: Vec<&str> = text.lines().collect();
            // inside a `.audit(` call, up to the end of its statement
            let mut in_call = false;
            for (i, line) in lines.iter().enumerate() {
                if line.contains("#[cfg(test)]") {
                    break; // unit tests below
                }
                if line.contains(".audit(") {
                    in_call = true;
                }
                let inside = in_call;
                if line.trim_end().ends_with(';') {
                    in_call = false;
                }
                // an audit write: `.audit(` / `NewEntry {` / `action:` / EXPORT_AUDIT, and the lines after it
                let writes = |l: &str| {
                    l.contains(".audit(")
                        || l.contains("NewEntry {")
                        || l.contains("EXPORT_AUDIT")
                        || l.contains("action: \"")
                };
                if !(writes(line) || inside) {
                    continue;
                }
                let literal = line.split('"').skip(1).step_by(2).find(|s| {
                    let mut parts = s.split('.');
                    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None)
                        if !a.is_empty() && !b.is_empty()
                            && s.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.'))
                });
                if let Some(l) = literal {
                    offenders.push(format!("{}:{}: \"{l}\"", p.display(), i + 1));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "audit actions written as strings (use AuditAction): {offenders:#?}");

    // a run through the modules: every stored action has its name
    let t = TestApp::new().await;
    let admin = t.user("auditall", Role::Admin, "3705", PW).await;
    let reg = t.user("auditreg", Role::Registrar, "3705", PW).await;
    let me = t.current(admin).await;
    let by = Principal::User(t.current(reg).await);
    let c = code('1', "370502", "MJA00071");
    let org =
        t.app.registry().create_org(&by, draft("东营区审计测试协会", &c, "370502001011"), false).await.expect("org");
    t.app.system().set_user_disabled(&me, reg, true).await.expect("disable");
    t.app.system().set_user_disabled(&me, reg, false).await.expect("enable");
    t.app.system().reset_password(&me, reg).await.expect("reset");
    set_display_name(&t, reg, "登记员甲").await;
    let mut b = t.browser();
    b.login("auditall", PW).await;
    b.get(&format!("/registry/orgs/{}", org.id)).await;
    assert_eq!(b.get("/system/audit/export").await.status, StatusCode::OK);
    for a in actions_stored(&t).await {
        assert!(AuditAction::parse(&a).is_some(), "the stored action {a} has no Chinese name");
    }
}

#[tokio::test]
async fn the_audit_log_reads_in_chinese_and_filters() {
    let t = TestApp::new().await;
    let city = t.user("cityboss", Role::Admin, "3705", PW).await;
    let county = t.user("dyqboss", Role::Admin, "370502", PW).await;
    let leader = t.user("dyqleader", Role::RegistrarLeader, "370502", PW).await;
    let clerk = t.user("dyqclerk", Role::Registrar, "370502", PW).await;
    let kenli = t.user("klclerk", Role::Registrar, "370505", PW).await;
    set_display_name(&t, county, "张主任").await;
    set_display_name(&t, clerk, "李登记").await;
    let boss = t.current(county).await;
    // the county administrator makes the clerk a township worker
    let change = UserChange {
        role: Some(Role::Grassroots),
        scope: Some(ScopeInput::Region(hongling_domain::RegionCode::parse("370502001").expect("c"))),
        ..Default::default()
    };
    t.app.system().update_user(&Principal::User(boss.clone()), clerk, change).await.expect("update");
    let by = Principal::User(t.current(kenli).await);
    let c = code('1', "370505", "MJA00072");
    t.app.registry().create_org(&by, draft("垦利区审计测试协会", &c, "370505"), false).await.expect("org");

    let mut b = t.browser();
    b.login("dyqboss", PW).await;
    let r = b.get("/system/audit").await;
    assert_eq!(r.status, StatusCode::OK);
    let tbl = table(&r.body, "audit-table");
    assert!(tbl.contains("修改用户") && tbl.contains("张主任"), "{tbl}");
    assert!(!tbl.contains("user.update") && !tbl.contains("垦利区审计测试协会"), "Chinese, own county only");
    assert!(tbl.contains(&format!("href=\"/system/users/{clerk}\"")), "the record links to the user's page");
    assert!(tbl.contains("用户：李登记"), "the record by name");

    // filters: a Chinese action, the identifier, the person, the record, dates
    let upd = q(&[("action", "修改用户")]);
    let page = b.get(&format!("/system/audit?{upd}")).await;
    let tbl = table(&page.body, "audit-table");
    assert!(tbl.contains("李登记") && !tbl.contains(">登录<"), "{tbl}");
    let me = t.current(county).await;
    let by_id = list::<AuditList>(&t.app, &me, &[("action", "user.update")]).await;
    let by_label = list::<AuditList>(&t.app, &me, &[("action", "修改用户")]).await;
    assert_eq!(by_id.total, by_label.total);
    let mine = list::<AuditList>(&t.app, &me, &[("actor", county.to_string().as_str())]).await;
    assert!(mine.total >= 2 && mine.items.iter().all(|r| r.entry.actor_user_id == Some(county)));
    let named = list::<AuditList>(&t.app, &me, &[("actor", "张主任")]).await;
    assert_eq!(named.total, mine.total, "a person chosen by name");
    let rec =
        list::<AuditList>(&t.app, &me, &[("entity_type", "用户"), ("entity_id", clerk.to_string().as_str())]).await;
    assert!(rec.total >= 2 && rec.items.iter().all(|r| r.entry.entity_id == clerk.to_string()));
    let today = t.app.today().to_string();
    let dated = list::<AuditList>(&t.app, &me, &[("from", today.as_str()), ("until", today.as_str())]).await;
    assert_eq!(dated.total, list::<AuditList>(&t.app, &me, ALL).await.total);
    let past = list::<AuditList>(&t.app, &me, &[("until", "2020-01-01")]).await;
    assert_eq!(past.total, 0);

    // misspelt or unknown values are clear errors; huge pages are refused or empty
    for (query, says) in [
        ("action=user.updat", "操作类型没有“user.updat”这一项"),
        ("entity_type=usr", "对象类型没有“usr”这一项"),
        ("from=2026-13-01", "开始日期应为 YYYY-MM-DD"),
        ("actor=%E6%97%A0%E6%AD%A4%E4%BA%BA", "无此人"),
        ("page=99999999999", "页码"),
    ] {
        let r = b.get(&format!("/system/audit?{query}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(r.body.contains(says), "{query}: {says}");
    }
    let r = b.get("/system/audit?page=1000000").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("暂无数据"));
    let r = b.api_get("/api/v1/me", None).await;
    assert_eq!(r.status, StatusCode::OK);

    // one entry: its changed fields with Chinese names, roles by name
    let seq = by_id.items[0].entry.seq;
    let r = b.get(&format!("/system/audit/{seq}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let changes = table(&r.body, "audit-changes");
    for want in ["字段", "修改前", "修改后", "角色", "登记管理机关工作人员", "镇街/社区工作人员", "权限范围所在区域"]
    {
        assert!(changes.contains(want), "{want}: {changes}");
    }
    assert!(!changes.contains("用户名"), "unchanged fields are not listed");
    assert!(r.body.contains(&format!("/system/users/{clerk}")), "a link to the record");
    // another county's entry, a missing one, not a number: 404
    let mut kb = t.browser();
    kb.login("cityboss", PW).await;
    let all = list::<AuditList>(&t.app, &t.current(city).await, &[("entity_type", "social_org")]).await;
    let kenli_seq = all.items[0].entry.seq;
    assert_eq!(kb.get(&format!("/system/audit/{kenli_seq}")).await.status, StatusCode::OK);
    assert_eq!(b.get(&format!("/system/audit/{kenli_seq}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/system/audit/99999999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/system/audit/abc").await.status, StatusCode::NOT_FOUND);

    // a registrar leader reads the log: records link where they may open them (not users' pages)
    let mut lb = t.browser();
    lb.login("dyqleader", PW).await;
    let tbl = table(&lb.get("/system/audit").await.body, "audit-table");
    assert!(tbl.contains("李登记") && !tbl.contains("href=\"/system/users/"), "{tbl}");
    let _ = leader;
    // a clerk may not
    let mut cb = t.browser();
    cb.login("klclerk", PW).await;
    assert_eq!(cb.get(&format!("/system/audit/{seq}")).await.status, StatusCode::FORBIDDEN);

    // export: same filters, same scope, audited itself
    let before = t.audit_count().await;
    let r = b.get(&format!("/system/audit/export?{upd}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(t.audit_count().await, before + 1);
    let last = audit_log::Entity::find().order_by_desc(audit_log::Column::Seq).one(&t.app.db).await.expect("q");
    let last = last.expect("entry");
    assert_eq!(last.action, "audit.export");
    assert!(last.after_json.contains("user.update"), "the filter is recorded: {}", last.after_json);
    let r = b.get("/system/audit/export?action=nope").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(t.audit_count().await, before + 1, "a refused export writes nothing");
}

#[tokio::test]
async fn admins_change_name_role_and_scope_inside_their_subtree() {
    let t = TestApp::new().await;
    t.user("cadm", Role::Admin, "3705", PW).await;
    let admin = t.user("dadm", Role::Admin, "370502", PW).await;
    let target = t.user("dworker", Role::Registrar, "370502", PW).await;
    let other = t.user("kworker", Role::Registrar, "370505", PW).await;
    let leader = t.user("dlead", Role::RegistrarLeader, "370502", PW).await;
    let token = t.app.create_token(&Principal::Cli, "dworker", "exchange", None).await.expect("token");
    let mut victim = t.browser();
    victim.login("dworker", PW).await;
    assert_eq!(victim.get("/").await.status, StatusCode::OK);

    let mut b = t.browser();
    b.login("dadm", PW).await;
    let r = b.get(&format!("/system/users/{target}/edit")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("修改用户：dworker"));
    // another county's user: 404 on every path
    for path in ["edit"] {
        assert_eq!(b.get(&format!("/system/users/{other}/{path}")).await.status, StatusCode::NOT_FOUND);
    }
    let n = t.audit_count().await;
    for path in ["edit", "disable", "enable", "reset-password", "unlock"] {
        let r = b.post(&format!("/system/users/{other}/{path}"), &[("display_name", "x"), ("role", "registrar")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(t.audit_count().await, n);
    assert_eq!(user_row(&t, other).await.display_name, "kworker");

    // a scope outside the subtree, a role of the wrong scope kind, an unknown role, a blank name: refused, nothing changes
    let before = user_row(&t, target).await;
    for (fields, field_msg) in [
        (vec![("display_name", "王五"), ("role", "registrar"), ("scope", "3705")], "不在您的管辖范围"),
        (vec![("display_name", "王五"), ("role", "registrar"), ("scope", "370505")], "不在您的管辖范围"),
        (vec![("display_name", "王五"), ("role", "root"), ("scope", "370502")], "请选择角色"),
        (vec![("display_name", " "), ("role", "registrar"), ("scope", "370502")], "请填写姓名"),
        (vec![("display_name", "王五"), ("role", "supervisor"), ("scope", "370502")], "业务主管单位"),
    ] {
        let r = b.post(&format!("/system/users/{target}/edit"), &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(r.body.contains(field_msg), "{fields:?}: {field_msg}");
    }
    // the service refuses a scope above the administrator's own, whatever the page sent
    let me = t.current(admin).await;
    let up = ScopeInput::Region(hongling_domain::RegionCode::parse("3705").expect("c"));
    let e = t
        .app
        .system()
        .update_user(&Principal::User(me.clone()), target, UserChange { scope: Some(up), ..Default::default() })
        .await
        .expect_err("above");
    assert_eq!(e.field_errors()[0].message, "权限范围超出您的管辖区域");
    assert_eq!(user_row(&t, target).await, before);
    assert_eq!(t.audit_count().await, n);
    // the administrator may not change their own role or scope
    let r = b
        .post(
            &format!("/system/users/{admin}/edit"),
            &[("display_name", "dadm"), ("role", "registrar"), ("scope", "370502")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不能修改自己的角色或权限范围"));
    // a registrar leader manages no users
    let mut lb = t.browser();
    lb.login("dlead", PW).await;
    assert_eq!(
        lb.post(&format!("/system/users/{target}/edit"), &[("role", "admin")]).await.status,
        StatusCode::FORBIDDEN
    );
    let e = t
        .app
        .system()
        .update_user(
            &Principal::User(t.current(leader).await),
            target,
            UserChange { role: Some(Role::Admin), ..Default::default() },
        )
        .await
        .expect_err("not an admin");
    assert_eq!(e.code(), "forbidden");

    // the change: a township worker of 文汇街道, renamed; sessions and tokens end; one entry
    let n = t.audit_count().await;
    let fields = [("display_name", "王五"), ("role", "grassroots"), ("scope", "370502001")];
    let r = b.post(&format!("/system/users/{target}/edit"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(b.get(&format!("/system/users/{target}")).await.body.contains("令牌已失效"));
    let u = user_row(&t, target).await;
    assert_eq!(
        (u.display_name.as_str(), u.role.as_str(), u.scope_region.as_str()),
        ("王五", "grassroots", "370502001")
    );
    assert_eq!(t.audit_count().await, n + 1);
    let log = list::<AuditList>(&t.app, &me, &[("action", "user.update")]).await;
    assert_eq!(log.total, 1);
    let labels: Vec<&str> = log.items[0].changes.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, vec!["姓名", "角色", "权限范围所在区域"]);
    let r = victim.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the session ended");
    assert_eq!(b.api_get("/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED, "the token ended");
    // the same request twice: nothing more is written
    let r = b.post(&format!("/system/users/{target}/edit"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(b.get(&format!("/system/users/{target}")).await.body.contains("没有需要保存的修改"));
    assert_eq!(t.audit_count().await, n + 1);
    // a new name alone keeps the sessions
    victim.login("dworker", PW).await;
    let r = b
        .post(
            &format!("/system/users/{target}/edit"),
            &[("display_name", "王五六"), ("role", "grassroots"), ("scope", "370502001")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(victim.get("/").await.status, StatusCode::OK);

    // disable and enable: each once, twice writes nothing, disabling ends tokens
    let token = t.app.create_token(&Principal::Cli, "dworker", "exchange", None).await.expect("token");
    let n = t.audit_count().await;
    for _ in 0..2 {
        assert_eq!(b.post(&format!("/system/users/{target}/disable"), &[]).await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(t.audit_count().await, n + 1);
    assert_eq!(b.api_get("/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(victim.get("/").await.status, StatusCode::SEE_OTHER);
    for _ in 0..2 {
        assert_eq!(b.post(&format!("/system/users/{target}/enable"), &[]).await.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(t.audit_count().await, n + 2);
    assert!(!user_row(&t, target).await.disabled);
}

/// Issue 10's leftover: a supervisor account migrated by m0012 has no unit;
/// an administrator gives it one on the form.
#[tokio::test]
async fn a_supervisor_without_its_unit_is_given_one() {
    let t = TestApp::new().await;
    t.user("uadm", Role::Admin, "3705", PW).await;
    let unit =
        t.app.registry().create_supervisory_unit(&Principal::Cli, "东营市民政局", "3705").await.expect("unit").id;
    let far = t.app.registry().create_supervisory_unit(&Principal::Cli, "雅安市民政局", "5118").await.expect("unit").id;
    let sup = t.user("oldsup", Role::Registrar, "3705", PW).await;
    // as m0012 left it: a unit scope without a unit
    t.app
        .db
        .execute_unprepared(&format!(
            "UPDATE users SET role = 'supervisor', scope_kind = 'unit', scope_ref_id = NULL WHERE id = {sup}"
        ))
        .await
        .expect("as migrated");
    let mut b = t.browser();
    b.login("uadm", PW).await;
    assert!(b.get(&format!("/system/users/{sup}")).await.body.contains("未指定"));
    let r = b.get(&format!("/system/users/{sup}/edit")).await;
    assert_eq!(r.status, StatusCode::OK);
    let far_text = far.to_string();
    let r = b
        .post(
            &format!("/system/users/{sup}/edit"),
            &[("display_name", "民政局"), ("role", "supervisor"), ("scope_unit", &far_text)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a unit outside the subtree");
    let unit_text = unit.to_string();
    let r = b
        .post(
            &format!("/system/users/{sup}/edit"),
            &[("display_name", "民政局"), ("role", "supervisor"), ("scope_unit", &unit_text)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let u = user_row(&t, sup).await;
    assert_eq!((u.scope_kind.as_str(), u.scope_ref_id), ("unit", Some(unit)));
    assert!(b.get(&format!("/system/users/{sup}")).await.body.contains("业务主管单位：东营市民政局"));
}
