//! Scope, user administration, audit log, API document, CLI.

use axum::http::StatusCode;
use hongling_domain::{RegionCode, Role};
use hongling_service::system::users::{NewUser, ScopeInput};
use hongling_service::{CurrentUser, Principal};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::support::*;

async fn current(t: &TestApp, id: i64) -> CurrentUser {
    let m = hongling_store::entity::user::Entity::find_by_id(id).one(&t.app.db).await.expect("q").expect("user");
    hongling_service::auth::current_user(&m).expect("current user")
}

#[tokio::test]
async fn builtin_regions_are_loaded() {
    let t = TestApp::new().await;
    let r = t.app.region("370502001").await.expect("q").expect("township exists");
    assert_eq!(r.parent_code.as_deref(), Some("370502"));
    let v = t.app.region("370502001011").await.expect("q").expect("demo village exists");
    assert_eq!(v.level, 5);
    assert_eq!(v.urban_rural.as_deref(), Some("urban"));
    let full = t.app.region_full_name(&RegionCode::parse("370502").expect("c")).await.expect("name");
    assert_eq!(full, "山东省东营市东营区");
}

#[tokio::test]
async fn another_county_is_not_found() {
    let t = TestApp::new().await;
    let dyq_admin = t.user("dyqadmin", Role::Admin, "370502", PW).await;
    let kenli_user = t.user("kenliclerk", Role::Registrar, "370505", PW).await;
    let own_user = t.user("dyqclerk", Role::Registrar, "370502", PW).await;
    let mut b = t.browser();
    b.login("dyqadmin", PW).await;
    assert_eq!(b.get(&format!("/system/users/{own_user}")).await.status, StatusCode::OK);
    let r = b.get(&format!("/system/users/{kenli_user}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("kenliclerk"));
    // the list shows only the subtree
    let r = b.get("/system/users").await;
    assert!(r.body.contains("dyqclerk") && !r.body.contains("kenliclerk"));
    // regions: pages and API
    assert_eq!(b.get("/system/regions?code=370505").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/system/regions?code=370502001").await.status, StatusCode::OK);
    let r = b.api_get("/api/v1/regions/370505", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
    let r = b.api_get("/api/v1/regions/370502", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["children"].as_array().is_some_and(|c| !c.is_empty()));
    // and the service itself
    let me = current(&t, dyq_admin).await;
    assert_eq!(t.app.system().get_user(&me, kenli_user).await.expect_err("404").code(), "not_found");
    let reset = t.app.system().reset_password(&me, kenli_user).await;
    assert_eq!(reset.expect_err("404").code(), "not_found");
}

#[tokio::test]
async fn admin_creates_users_only_inside_scope() {
    let t = TestApp::new().await;
    let admin = t.user("cadmin", Role::Admin, "370502", PW).await;
    let me = current(&t, admin).await;
    let by = Principal::User(me.clone());
    let new = |scope: &str| NewUser {
        username: format!("u{scope}"),
        display_name: "某某".into(),
        role: Role::Registrar,
        scope: ScopeInput::Region(RegionCode::parse(scope).expect("c")),
        password: None,
    };
    let e = t.app.system().create_user(&by, new("3705")).await.expect_err("city is above the county");
    assert_eq!(e.field_errors()[0].message, "权限范围超出您的管辖区域");
    let e = t.app.system().create_user(&by, new("370505")).await.expect_err("another county");
    assert_eq!(e.code(), "invalid");
    let (u, pw) = t.app.system().create_user(&by, new("370502001")).await.expect("a township inside");
    assert!(pw.is_some());
    assert_eq!(u.scope_region, "370502001");
    // a registrar cannot manage users at all
    let clerk = t.user("someclerk", Role::Registrar, "370502", PW).await;
    let clerk = current(&t, clerk).await;
    let e = t
        .app
        .list::<hongling_service::system::lists::UserList>(&clerk, &Default::default())
        .await
        .expect_err("forbidden");
    assert_eq!(e.code(), "forbidden");
    // a duplicate username is a field error, not a crash
    let e = t.app.system().create_user(&by, new("370502001")).await.expect_err("dup");
    assert_eq!(e.field_errors()[0].message, "用户名已存在");
}

#[tokio::test]
async fn audit_is_written_in_the_same_transaction() {
    let t = TestApp::new().await;
    let admin = t.user("auditadmin", Role::Admin, "3705", PW).await;
    let me = current(&t, admin).await;
    let before = t.audit_count().await;
    // a failed change leaves no audit entry
    let dup = NewUser {
        username: "auditadmin".into(),
        display_name: "重复".into(),
        role: Role::Registrar,
        scope: ScopeInput::Region(RegionCode::parse("3705").expect("c")),
        password: None,
    };
    t.app.system().create_user(&Principal::User(me.clone()), dup).await.expect_err("duplicate");
    assert_eq!(t.audit_count().await, before);
    // a successful change writes exactly one entry with before and after
    let other = t.user("auditee", Role::Registrar, "3705", PW).await;
    let n = t.audit_count().await;
    t.app.system().set_user_disabled(&me, other, true).await.expect("disable");
    assert_eq!(t.audit_count().await, n + 1);
    let page = list::<hongling_service::system::lists::AuditList>(&t.app, &me, &[("action", "user.disable")]).await;
    let e = &page.items[0].entry;
    assert_eq!(e.actor, "auditadmin");
    assert!(e.before_json.contains("\"disabled\":false") && e.after_json.contains("\"disabled\":true"));
    assert!(!e.after_json.contains("argon2"), "no password hash in the log");
    // a failed audit write fails the change: break the chain head, then try
    t.app.db.execute_unprepared("DELETE FROM audit_head").await.expect("break head");
    let r = t.app.system().set_user_disabled(&me, other, false).await;
    assert_eq!(r.expect_err("audit failure fails the change").code(), "internal");
    let still = hongling_store::entity::user::Entity::find_by_id(other).one(&t.app.db).await.expect("q").expect("u");
    assert!(still.disabled, "the change was rolled back");
}

/// Issue 10, finding 4: every column of an entry is covered, a deleted
/// middle or tail entry is found (the head is compared), and an exported
/// digest proves later that nothing before it changed.
#[tokio::test]
async fn audit_chain_verifies_and_detects_tampering() {
    let t = TestApp::new().await;
    t.user("chain1", Role::Registrar, "3705", PW).await;
    t.user("chain2", Role::Registrar, "3705", PW).await;
    t.app.login("chain1", PW, "10.9.0.1").await.expect("login");
    t.user("chain3", Role::Registrar, "3705", PW).await;
    let r = t.app.verify_audit_chain(None).await.expect("verify");
    assert_eq!((r.entries, r.broken_at), (4, None), "{:?}", r.problem);
    let digest = t.app.audit_digest().await.expect("digest");
    assert!(digest.contains("hongling-audit-digest seq=4 sm3="), "{digest}");
    let d = hongling_domain::audit::Digest::parse(&digest).expect("parses");
    assert_eq!(t.app.verify_audit_chain(Some(&d)).await.expect("verify").broken_at, None);

    // each column, changed alone, breaks the chain at that entry
    let columns = [
        "at = '2020-01-01 00:00:00'",
        "actor_user_id = 999",
        "actor = 'someone'",
        "action = 'user.delete'",
        "entity_type = 'org'",
        "entity_id = '77'",
        "region_code = '3706'",
        "summary = '篡改'",
        "before_json = '{}'",
        "after_json = '{}'",
        "prev_hash = '00'",
        "hash = 'ff'",
        "hash_v = 1",
    ];
    for set in columns {
        let db = &t.app.db;
        let saved = hongling_store::entity::audit_log::Entity::find_by_id(2i64).one(db).await.expect("q").expect("row");
        db.execute_unprepared(&format!("UPDATE audit_log SET {set} WHERE seq = 2")).await.expect("tamper");
        let r = t.app.verify_audit_chain(None).await.expect("verify");
        assert_eq!(r.broken_at, Some(2), "{set}: {:?}", r.problem);
        let am: hongling_store::entity::audit_log::ActiveModel = saved.into();
        am.reset_all().update(db).await.expect("restore");
        assert_eq!(t.app.verify_audit_chain(None).await.expect("verify").broken_at, None, "restored after {set}");
    }

    // a deleted middle entry
    let db = &t.app.db;
    let saved = hongling_store::entity::audit_log::Entity::find_by_id(3i64).one(db).await.expect("q").expect("row");
    db.execute_unprepared("DELETE FROM audit_log WHERE seq = 3").await.expect("delete");
    let r = t.app.verify_audit_chain(None).await.expect("verify");
    assert_eq!(r.broken_at, Some(3), "{:?}", r.problem);
    assert!(r.problem.unwrap_or_default().contains("删除"));
    let am: hongling_store::entity::audit_log::ActiveModel = saved.into();
    am.reset_all().insert(db).await.expect("put back");

    // the newest entry deleted: the head tells
    db.execute_unprepared("DELETE FROM audit_log WHERE seq = 4").await.expect("delete tail");
    let r = t.app.verify_audit_chain(None).await.expect("verify");
    assert_eq!(r.broken_at, Some(4), "{:?}", r.problem);
    assert!(t.app.audit_digest().await.is_err(), "no digest of a broken chain");
    // even with the head rewritten to match, the exported digest tells
    db.execute_unprepared("UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)")
        .await
        .expect("rewrite head");
    assert_eq!(t.app.verify_audit_chain(None).await.expect("verify").broken_at, None, "consistent without the digest");
    let r = t.app.verify_audit_chain(Some(&d)).await.expect("verify");
    assert_eq!(r.broken_at, Some(4), "the digest shows entry 4 is gone");
}

#[tokio::test]
async fn audit_page_is_scoped_and_filtered() {
    let t = TestApp::new().await;
    t.user("cityadmin", Role::Admin, "3705", PW).await;
    t.user("dyqadmin2", Role::Admin, "370502", PW).await;
    t.user("kenli2", Role::Registrar, "370505", PW).await;
    let mut b = t.browser();
    b.login("dyqadmin2", PW).await;
    let r = b.get("/system/audit").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("dyqadmin2") && !r.body.contains("kenli2"), "county admin sees its county only");
    let r = b.get("/system/audit?action=auth.login").await;
    assert!(r.body.contains("用户 dyqadmin2 登录") && !r.body.contains("新增用户 dyqadmin2"));
    let mut city = t.browser();
    city.login("cityadmin", PW).await;
    assert!(city.get("/system/audit").await.body.contains("kenli2"));
    let mut clerk = t.browser();
    clerk.login("kenli2", PW).await;
    assert_eq!(clerk.get("/system/audit").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn security_headers_and_openapi() {
    let t = TestApp::new().await;
    let mut b = t.browser();
    let r = b.get("/login").await;
    let h = &r.headers;
    assert!(h["content-security-policy"].to_str().expect("s").contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    let r = b.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    assert!(doc["paths"]["/api/v1/me"]["get"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // every operation: a description saying who may call it, every answer described,
    // no parameter in the path that the path does not have
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let what = format!("{method} {path}");
            let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(
                op["summary"].as_str().is_some_and(chinese),
                "{what}: no Chinese summary (crates/web/src/openapi.rs)"
            );
            assert!(op["description"].as_str().is_some_and(|s| s.contains("权限") || s.contains("公开")), "{what}");
            for (status, resp) in op["responses"].as_object().expect("responses") {
                assert!(resp["description"].is_string(), "{what} {status}: no description");
            }
            assert!(op["responses"]["500"].is_object(), "{what}: 500 documented");
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    assert!(path.contains(&format!("{{{}}}", p["name"].as_str().unwrap_or(""))), "{what}: {p}");
                }
            }
        }
    }
    assert!(doc["paths"]["/api/v1/openapi.json"]["get"].is_object(), "the document lists itself");
    let r = b.get("/healthz").await;
    assert_eq!(r.json()["status"], "ok");
    let r = b.get("/static/vendor/htmx-2.0.11.min.js").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(b.get("/no/such/page").await.body.contains("页面不存在"));
    assert_eq!(b.get("/api/v1/nothing").await.json()["code"], "not_found");
}

#[tokio::test]
async fn cli_user_add_token_create_and_api() {
    let t = TestApp::new().await;
    let exe = env!("CARGO_BIN_EXE_hongling");
    let url = &t.db.cfg.url;
    let mut envs: Vec<(&str, String)> = vec![("HONGLING_DATABASE_URL", url.clone()), ("HONGLING_LOG", "warn".into())];
    if let Some(schema) = &t.db.cfg.schema {
        // the CLI reaches a test schema through the search_path option of the URL
        let sep = if url.contains('?') { '&' } else { '?' };
        envs[0].1 = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    }
    let run = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .args(args)
            .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["user", "add", "--username", "cliuser", "--role", "registrar", "--scope", "370502"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("初始密码"), "{out}");
    let (ok, _, err) = run(&["user", "add", "--username", "cliuser2", "--role", "nosuchrole", "--scope", "3705"]);
    assert!(!ok && err.contains("未知角色"), "{err}");
    let (ok, token, err) = run(&["token", "create", "--username", "cliuser"]);
    assert!(ok, "{err}");
    let token = token.trim();
    assert!(token.starts_with("hl_"));
    let mut b = t.browser();
    let r = b.api_get("/api/v1/me", Some(token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["username"], "cliuser");
    let (ok, out, err) = run(&["audit", "verify"]);
    assert!(ok && out.contains("哈希链与链头一致"), "{out}{err}");
    // a digest kept outside, checked later
    let (ok, digest, err) = run(&["audit", "digest"]);
    assert!(ok && digest.contains("hongling-audit-digest seq=2 sm3="), "{digest}{err}");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("digest.txt");
    std::fs::write(&file, &digest).expect("write");
    let (ok, out, err) = run(&["audit", "verify", "--digest", &file.display().to_string()]);
    assert!(ok && out.contains("与外部摘要（第 2 条）一致"), "{out}{err}");
    // unlock from the command line
    for _ in 0..5 {
        t.app.login("cliuser", "bad-password-9", "10.7.0.1").await.expect_err("fails");
    }
    assert_eq!(t.app.login("cliuser", "bad-password-9", "10.7.0.1").await.expect_err("x").code(), "too_many_requests");
    let (ok, out, err) = run(&["user", "unlock", "cliuser"]);
    assert!(ok && out.contains("已解除用户 cliuser 的登录限制"), "{out}{err}");
    assert_eq!(t.app.login("cliuser", "bad-password-9", "10.7.0.1").await.expect_err("x").code(), "bad_credentials");
    let (ok, _, err) = run(&["user", "unlock", "nobody"]);
    assert!(!ok && err.contains("不存在"), "{err}");
    // a supervisor is given its unit (unit:ID), not a region
    let unit =
        t.app.registry().create_supervisory_unit(&Principal::Cli, "东营市教育局", "3705").await.expect("unit").id;
    let (ok, _, err) = run(&["user", "add", "--username", "cliunit", "--role", "supervisor", "--scope", "3705"]);
    assert!(!ok && err.contains("业务主管单位"), "{err}");
    let scope = format!("unit:{unit}");
    let (ok, out, err) = run(&["user", "add", "--username", "cliunit", "--role", "supervisor", "--scope", &scope]);
    assert!(ok, "{out}{err}");
    // `user set`: a supervisor migrated by m0012 without its unit is given one
    t.app
        .db
        .execute_unprepared("UPDATE users SET scope_ref_id = NULL WHERE username = 'cliunit'")
        .await
        .expect("as migrated");
    let (ok, out, err) = run(&["user", "set", "cliunit", "--scope", &scope, "--display-name", "东营市教育局"]);
    assert!(ok && out.contains(&format!("unit:{unit}")), "{out}{err}");
    let u = hongling_store::entity::user::Entity::find()
        .filter(hongling_store::entity::user::Column::Username.eq("cliunit"))
        .one(&t.app.db)
        .await
        .expect("q")
        .expect("user");
    assert_eq!((u.scope_ref_id, u.display_name.as_str()), (Some(unit), "东营市教育局"));
    let n = t.audit_count().await;
    let (ok, _, err) = run(&["user", "set", "cliunit", "--role", "registrar"]);
    assert!(!ok && err.contains("行政区域"), "a registrar needs a region: {err}");
    let (ok, _, err) = run(&["user", "set", "cliunit", "--scope", "unit:999999"]);
    assert!(!ok && err.contains("业务主管单位不存在"), "{err}");
    let (ok, _, err) = run(&["user", "set", "nobody", "--role", "registrar"]);
    assert!(!ok && err.contains("不存在"), "{err}");
    let (ok, _, err) = run(&["user", "set", "cliunit"]);
    assert!(!ok && err.contains("--role"), "{err}");
    assert_eq!(t.audit_count().await, n, "refusals write nothing");
    let (ok, out, err) = run(&["user", "set", "cliuser", "--role", "grassroots", "--scope", "370502001"]);
    assert!(ok && out.contains("镇街/社区工作人员"), "{out}{err}");
    assert_eq!(t.audit_count().await, n + 1);
}

/// The OpenAPI document is kept in `docs/openapi.json` so that every change to
/// it shows in review, and CI validates that file. Refresh it with
/// `UPDATE_SNAPSHOTS=1 cargo test -p hongling --test it openapi_snapshot`.
#[tokio::test]
async fn openapi_snapshot() {
    let t = TestApp::new().await;
    let mut b = t.browser();
    let doc = b.get("/api/v1/openapi.json").await.json();
    let text = serde_json::to_string_pretty(&doc).expect("json") + "\n";
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&file, &text).expect("write the snapshot");
    }
    let saved = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        saved == text,
        "the OpenAPI document differs from docs/openapi.json: run `UPDATE_SNAPSHOTS=1 cargo test -p hongling --test it openapi_snapshot` and review the diff"
    );
}

/// The `required` lists of the document's request bodies say what the
/// server enforces. For every `PUT`: its example without one required field
/// is 422 naming exactly that field (what `ApiPut` checks), and without a
/// field that is not required it is answered as the whole example is (the
/// record does not exist here: the extractor let it through). For every
/// `POST`: its example without a required field is 422 naming it.
#[tokio::test]
async fn openapi_required_lists_are_what_the_server_enforces() {
    let t = TestApp::new().await;
    // an administrator of 东营区: the permission matrix lets every request reach its extractors
    t.user("contract", Role::Admin, "370502", PW).await;
    let tok = t.app.create_token(&Principal::Cli, "contract", "required", None).await.expect("token");
    // decisions on proposals are a registrar leader's (the second person)
    t.user("contract_leader", Role::RegistrarLeader, "370502", PW).await;
    let leader_tok = t.app.create_token(&Principal::Cli, "contract_leader", "required", None).await.expect("token");
    let mut b = t.browser();
    let doc = b.get("/api/v1/openapi.json").await.json();
    let example = |path: &str, method: &str| {
        let p = format!("/paths/{}/{method}/requestBody/content/application~1json/example", path.replace('/', "~1"));
        doc.pointer(&p).cloned().unwrap_or_else(|| panic!("{method} {path}: no request example"))
    };
    // the organization of the registry's example, for its status action
    let r = b.api_send("POST", "/api/v1/orgs", &tok, example("/api/v1/orgs", "post")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let org = r.json()["id"].as_i64().expect("id").to_string();
    let named = |r: &Resp| -> Vec<String> {
        let j = r.json();
        j["fields"].as_array().into_iter().flatten().filter_map(|f| f["field"].as_str().map(str::to_owned)).collect()
    };
    let (mut puts, mut posts) = (0, 0);
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Some(media) = op.pointer("/requestBody/content/application~1json") else { continue };
            let what = format!("{method} {path}");
            let full = media["example"].clone();
            let name = media["schema"]["$ref"].as_str().and_then(|r| r.rsplit('/').next()).expect("a named schema");
            let schema = &doc["components"]["schemas"][name];
            // AcceptInput is a choice of two objects: serde reads its variants (orgs, instructor)
            let Some(props) = schema["properties"].as_object() else { continue };
            let required: Vec<&str> =
                schema["required"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).collect();
            let id = if path == "/api/v1/orgs/{id}/status" { org.as_str() } else { "999999" };
            let tok = if path.starts_with("/api/v1/org-decisions") { &leader_tok } else { &tok };
            let uri = path.replace("{id}", id);
            let m = method.to_uppercase();
            if method == "put" {
                puts += 1;
                let whole = b.api_send(&m, &uri, tok, full.clone()).await;
                assert!(!whole.body.contains("缺少字段"), "{what}: the example is whole: {}", whole.body);
                for f in props.keys() {
                    let mut body = full.clone();
                    body.as_object_mut().expect("object").remove(f);
                    let r = b.api_send(&m, &uri, tok, body).await;
                    if required.contains(&f.as_str()) {
                        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what} without {f}: {}", r.body);
                        assert_eq!(named(&r), std::slice::from_ref(f), "{what} without {f}: {}", r.body);
                    } else {
                        assert_eq!(r.status, whole.status, "{what} without {f}, which is not required: {}", r.body);
                    }
                }
            } else {
                posts += 1;
                for f in required {
                    let mut body = full.clone();
                    body.as_object_mut().expect("object").remove(f);
                    let r = b.api_send(&m, &uri, tok, body).await;
                    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{what} without {f}: {}", r.body);
                    assert!(named(&r).iter().any(|n| n == f), "{what} without {f}: {}", r.body);
                }
            }
        }
    }
    assert_eq!(puts, 6, "every PUT of the API");
    assert!(posts >= 15, "{posts}");
}

/// Issue 10, finding 10: a database file Hongling creates is its owner's
/// alone (it holds personal data); the demo's data directory too.
#[cfg(unix)]
#[tokio::test]
async fn a_new_sqlite_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("private.db");
    let db = hongling_store::connect(&hongling_service::DbConfig::new(format!("sqlite://{}", path.display())))
        .await
        .expect("connect");
    hongling_store::migrate(&db).await.expect("migrate");
    let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    for side in ["private.db-wal", "private.db-shm"] {
        if let Ok(m) = std::fs::metadata(dir.path().join(side)) {
            assert_eq!(m.permissions().mode() & 0o077, 0, "{side}: {:o}", m.permissions().mode());
        }
    }
}

/// Issue 10, finding 10: `password123` and the person's own name are refused.
#[tokio::test]
async fn common_passwords_and_own_names_are_refused() {
    let t = TestApp::new().await;
    let admin = t.user("pwadmin", Role::Admin, "3705", PW).await;
    let me = t.current(admin).await;
    for (pw, why) in [("password123", "过于常见"), ("Zhangsan-2026", "姓名"), ("pwclerk-2026x", "用户名")] {
        let new = NewUser {
            username: "pwclerk".into(),
            display_name: "zhangsan".into(),
            role: Role::Registrar,
            scope: ScopeInput::Region(RegionCode::parse("3705").expect("code")),
            password: Some(pw.into()),
        };
        let e = t.app.system().create_user(&Principal::User(me.clone()), new).await.expect_err(pw);
        assert!(e.to_string().contains(why), "{pw}: {e}");
    }
    let mut b = t.browser();
    b.login("pwadmin", PW).await;
    b.get("/account/password").await;
    let r = b.post("/account/password", &[("current", PW), ("new", "password123")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("过于常见"), "{}", r.body);
}

#[test]
fn cli_spot_check_verify_recomputes_a_published_draw() {
    use hongling_domain::spot_check::{Candidate, candidates_csv, candidates_sha256, draw};
    let exe = env!("CARGO_BIN_EXE_hongling");
    let dir = std::env::temp_dir().join(format!("hl-draw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let list: Vec<Candidate> = (0..40)
        .map(|i| Candidate {
            credit_code: format!("51370500MJD{i:07}"),
            stratum: ["association", "foundation"][i % 2].into(),
        })
        .collect();
    let csv = candidates_csv(&list).expect("csv");
    let sha = candidates_sha256(&csv);
    let drawn: String = draw(&list, "2026-12-01 双色球 2026138", 500)
        .expect("draw")
        .iter()
        .map(|d| format!("{}\n", d.credit_code))
        .collect();
    let (cands, drawn_file) = (dir.join("candidates.csv"), dir.join("drawn.txt"));
    std::fs::write(&cands, &csv).expect("write");
    std::fs::write(&drawn_file, &drawn).expect("write");
    let run = |file: &std::path::Path, seed: &str, digest: &str| {
        let out = std::process::Command::new(exe)
            .args(["spot-check", "verify"])
            .arg(file)
            .args(["--seed", seed, "--ratio-bp", "500", "--digest", digest, "--drawn"])
            .arg(&drawn_file)
            .env("HONGLING_LOG", "warn")
            .output()
            .expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = run(&cands, "2026-12-01 双色球 2026138", &sha);
    assert!(ok && out.contains("抽取结果与公布的名单一致") && out.contains("SHA-256 一致"), "{out}");
    assert!(out.contains("抽取 2 个"), "⌈20 × 5%⌉ = 1 in each of two strata: {out}");
    // another seed, a changed list, a wrong digest: each is said
    let (ok, out) = run(&cands, "another seed", &sha);
    assert!(!ok && out.contains("与公布的名单不一致"), "{out}");
    let tampered = dir.join("tampered.csv");
    std::fs::write(&tampered, csv.replacen("51370500MJD0000003,foundation\n", "", 1)).expect("write");
    let (ok, out) = run(&tampered, "2026-12-01 双色球 2026138", &sha);
    assert!(!ok && out.contains("与公布的 SHA-256 不一致"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
