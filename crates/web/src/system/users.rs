//! Users.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use hongling_domain::role::ScopeKind;
use hongling_domain::{Action, RegionCode, Role};
use hongling_service::auth::Flash;
use hongling_service::list::Pick;
use hongling_service::system::lists::UserList;
use hongling_service::system::users::{NewUser, ScopeInput, UserChange};
use hongling_service::{Error, FieldError};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::routes::Routes;
use crate::ui::list::{ListView, pairs};
use crate::ui::{Button, DetailPage, Field, FormPage, Kind, Secret, attach, picker};

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/system/users", Action::UsersManage, users)
        .post("/system/users", Action::UsersManage, user_create)
        .get("/system/users/new", Action::UsersManage, user_new)
        .get("/system/users/{id}", Action::UsersManage, user_detail)
        .get("/system/users/{id}/edit", Action::UsersManage, user_edit)
        .post("/system/users/{id}/edit", Action::UsersManage, user_update)
        .post("/system/users/{id}/disable", Action::UsersManage, user_disable)
        .post("/system/users/{id}/enable", Action::UsersManage, user_enable)
        .post("/system/users/{id}/reset-password", Action::UsersManage, user_reset)
        .post("/system/users/{id}/unlock", Action::UsersManage, user_unlock)
}

async fn users(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let view = ListView::load::<UserList>(
        &st,
        &pu.user,
        "/system/users",
        "user-table",
        &raw,
        &["q", "role", "region", "disabled"],
        &[],
    )
    .await?
    .actions(|r| {
        vec![("查看", format!("/system/users/{}", r.user.id)), ("修改", format!("/system/users/{}/edit", r.user.id))]
    });
    let layout = pu.layout(&st, "users", "用户").await.crumb("系统管理", None).crumb("用户", None);
    Ok(view.page(layout, "", vec![Button::primary("新增用户", "/system/users/new")]).render())
}

/// The new-user form as typed.
#[derive(Deserialize, Default)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    /// a region (region-scoped roles)
    #[serde(default)]
    scope: String,
    /// an organization (organization accounts)
    #[serde(default)]
    scope_org: String,
    /// a party organization (secretaries and members)
    #[serde(default)]
    scope_party_org: String,
    /// a supervisory unit (supervisors)
    #[serde(default)]
    scope_unit: String,
    password: Option<String>,
}

/// The account a form changes: its id and username (none: a new account).
type Editing<'a> = Option<(i64, &'a str)>;

async fn user_form(
    st: &AppState,
    pu: &PageUser,
    f: &UserForm,
    errors: &[FieldError],
    editing: Editing<'_>,
) -> Result<FormPage, WebError> {
    let roles = Role::ALL
        .iter()
        .filter(|r| pu.user.role.may_grant_role(**r))
        .map(|r| (r.as_str().to_owned(), r.label().to_owned()))
        .collect();
    let mut fields = vec![];
    if editing.is_none() {
        fields.push(
            Field::text("username", "用户名", f.username.clone())
                .required()
                .hint("3–32 位字母、数字、下划线、点或短横线"),
        );
    }
    fields.extend([
        Field::text("display_name", "姓名", f.display_name.clone()).required(),
        Field::select("role", "角色", f.role.clone(), roles).required(),
        picker::region(st, "scope", "权限范围：区域", &f.scope)
            .await?
            .hint("区域账号（管理员、登记机关、综合党委、镇街等）填写"),
        picker::field(st, &pu.user, "scope_org", "或：社会组织", Pick::Orgs, &f.scope_org)
            .await?
            .hint("社会组织账号填写：输入组织名称，从建议中选择"),
        picker::field(st, &pu.user, "scope_party_org", "或：党组织", Pick::PartyOrgs, &f.scope_party_org)
            .await?
            .hint("党组织书记、党员账号填写"),
        picker::field(st, &pu.user, "scope_unit", "或：业务主管单位", Pick::Units, &f.scope_unit)
            .await?
            .hint("业务主管单位账号填写：只能查看该单位主管的社会组织及其党组织、党员"),
    ]);
    if editing.is_none() {
        fields.push(
            Field::new("password", "初始密码", Kind::Password, String::new()).hint("留空则由系统生成，仅显示一次"),
        );
    }
    let rest = attach(&mut fields, errors);
    let layout = pu.layout(st, "users", "用户").await.crumb("系统管理", None).crumb("用户", Some("/system/users"));
    Ok(match editing {
        None => FormPage {
            layout: layout.crumb("新增", None),
            title: "新增用户".into(),
            action: "/system/users".into(),
            fields,
            hidden: vec![],
            errors: rest,
            cancel: "/system/users".into(),
            submit: "保存".into(),
            confirm: String::new(),
            note: String::new(),
            conflict: None,
        },
        Some((id, username)) => FormPage {
            layout: layout.crumb(username.to_owned(), Some(&format!("/system/users/{id}"))).crumb("修改", None),
            title: format!("修改用户：{username}"),
            action: format!("/system/users/{id}/edit"),
            fields,
            hidden: vec![],
            errors: rest,
            cancel: format!("/system/users/{id}"),
            submit: "保存".into(),
            confirm: "确定保存？如角色或权限范围有变化，该用户的登录会话和 API 令牌将立即失效。".into(),
            note: String::new(),
            conflict: None,
        },
    })
}

/// The service names the scope "scope": put its errors under the field the role uses.
fn scope_errors_under_their_field(role: &str, errors: &mut [FieldError]) {
    if let Some(role) = Role::parse(role) {
        let field = match role.scope_kind() {
            ScopeKind::Region => "scope",
            ScopeKind::Org => "scope_org",
            ScopeKind::PartyOrg => "scope_party_org",
            ScopeKind::Unit => "scope_unit",
        };
        for e in errors.iter_mut().filter(|e| e.field == "scope") {
            e.field = field.to_owned();
        }
    }
}

async fn user_new(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    let form = UserForm {
        role: Role::Registrar.as_str().into(),
        scope: pu.user.scope.region.to_string(),
        ..Default::default()
    };
    Ok(render(&user_form(&st, &pu, &form, &[], None).await?))
}

async fn user_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let u = st.app.system().get_user(&pu.user, id).await?;
    let id_text = |r: Option<i64>| r.map(|i| i.to_string()).unwrap_or_default();
    let mut form = UserForm { display_name: u.display_name.clone(), role: u.role.clone(), ..Default::default() };
    match Role::parse(&u.role).map(Role::scope_kind) {
        Some(ScopeKind::Org) => form.scope_org = id_text(u.scope_ref_id),
        Some(ScopeKind::PartyOrg) => form.scope_party_org = id_text(u.scope_ref_id),
        Some(ScopeKind::Unit) => form.scope_unit = id_text(u.scope_ref_id),
        _ => form.scope = u.scope_region.clone(),
    }
    Ok(render(&user_form(&st, &pu, &form, &[], Some((id, &u.username))).await?))
}

async fn user_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> Result<Response, WebError> {
    // out of scope answers 404 before anything is read from the form
    let u = st.app.system().get_user(&pu.user, id).await?;
    let result = async {
        let role = Role::parse(&f.role).ok_or_else(|| Error::invalid("role", "请选择角色"))?;
        let scope = scope_of(&st, &pu, &f, role).await?;
        let change = UserChange { display_name: Some(f.display_name.clone()), role: Some(role), scope: Some(scope) };
        st.app.system().update_user(&hongling_service::Principal::User(pu.user.clone()), id, change).await
    }
    .await;
    match result {
        Ok(after) => {
            let granted = after.role != u.role
                || after.scope_kind != u.scope_kind
                || after.scope_region != u.scope_region
                || after.scope_ref_id != u.scope_ref_id;
            let msg = if granted {
                "已保存。角色或权限范围已变更，该用户的登录会话和 API 令牌已失效。"
            } else if after.display_name != u.display_name {
                "已保存。"
            } else {
                "没有需要保存的修改。"
            };
            Ok(pu.redirect(&st, &format!("/system/users/{id}"), Flash::ok(msg)).await)
        }
        Err(Error::Invalid(mut errors)) => {
            scope_errors_under_their_field(&f.role, &mut errors);
            let mut res = render(&user_form(&st, &pu, &f, &errors, Some((id, &u.username))).await?);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// The scope asked for: by the role's kind of scope, from its field; a name
/// typed without choosing is resolved.
async fn scope_of(st: &AppState, pu: &PageUser, f: &UserForm, role: Role) -> Result<ScopeInput, Error> {
    let (field, text, kind) = match role.scope_kind() {
        ScopeKind::Region => {
            return match st.app.resolve_region(&pu.user, &f.scope).await? {
                _ if f.scope.trim().is_empty() => Err(Error::invalid("scope", "请选择该账号的权限范围（区域）")),
                Ok(code) => Ok(ScopeInput::Region(RegionCode::parse(&code).map_err(Error::internal)?)),
                Err(m) => Err(Error::invalid("scope", m)),
            };
        }
        ScopeKind::Org => ("scope_org", f.scope_org.as_str(), Pick::Orgs),
        ScopeKind::PartyOrg => ("scope_party_org", f.scope_party_org.as_str(), Pick::PartyOrgs),
        ScopeKind::Unit => ("scope_unit", f.scope_unit.as_str(), Pick::Units),
    };
    if text.trim().is_empty() {
        return Err(Error::invalid(field, format!("该角色的权限范围应为一个{}，请选择", kind.noun())));
    }
    match st.app.resolve_pick(&pu.user, kind, text).await? {
        Ok(id) => Ok(match kind {
            Pick::Orgs => ScopeInput::Org(id),
            Pick::Units => ScopeInput::Unit(id),
            _ => ScopeInput::PartyOrg(id),
        }),
        Err(m) => Err(Error::invalid(field, m)),
    }
}

async fn user_create(State(st): State<AppState>, pu: PageUser, Form(f): Form<UserForm>) -> Result<Response, WebError> {
    let result = async {
        let role = Role::parse(&f.role).ok_or_else(|| Error::invalid("role", "请选择角色"))?;
        let scope = scope_of(&st, &pu, &f, role).await?;
        let password = f.password.clone().filter(|p| !p.is_empty());
        st.app
            .system()
            .create_user(
                &hongling_service::Principal::User(pu.user.clone()),
                NewUser { username: f.username.clone(), display_name: f.display_name.clone(), role, scope, password },
            )
            .await
    }
    .await;
    match result {
        Ok((u, secret)) => match secret {
            Some(s) => user_detail_page(&st, &pu, u.id, Some("已新增用户。".into()), Some(s)).await,
            None => Ok(pu.redirect(&st, &format!("/system/users/{}", u.id), Flash::ok("已新增用户。")).await),
        },
        Err(Error::Invalid(mut errors)) => {
            scope_errors_under_their_field(&f.role, &mut errors);
            let mut res = render(&user_form(&st, &pu, &UserForm { password: None, ..f }, &errors, None).await?);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn user_detail_page(
    st: &AppState,
    pu: &PageUser,
    id: i64,
    notice: Option<String>,
    secret: Option<String>,
) -> Result<Response, WebError> {
    let u = st.app.system().get_user(&pu.user, id).await?;
    let r = st.app.user_rows(&pu.user, vec![u]).await?.pop().ok_or(Error::NotFound)?;
    let mut layout = pu
        .layout(st, "users", "用户详情")
        .await
        .crumb("系统管理", None)
        .crumb("用户", Some("/system/users"))
        .crumb(r.user.username.clone(), None);
    if let Some(n) = notice {
        // shown on this very page (it carries the new password), not after a redirect
        layout.flash = Some(Flash::ok(n));
    }
    let mut page = DetailPage::new(layout, format!("{}（{}）", r.user.display_name, r.user.username));
    page.tags.push(if r.user.disabled {
        ("已停用".to_owned(), "hl-tag-grey")
    } else if r.login_restricted {
        ("登录受限".to_owned(), "hl-tag-orange")
    } else {
        ("正常".to_owned(), "hl-tag-green")
    });
    page.facts = vec![
        ("用户名".to_owned(), r.user.username.clone()),
        ("姓名".to_owned(), r.user.display_name.clone()),
        ("角色".to_owned(), Role::parse(&r.user.role).map(Role::label).unwrap_or("未知角色").to_owned()),
        ("权限范围".to_owned(), r.scope),
        ("创建时间".to_owned(), fmt::datetime(r.user.created_at)),
        ("更新时间".to_owned(), fmt::datetime(r.user.updated_at)),
        ("本小时登录失败".to_owned(), format!("{} 次", r.login_failures)),
    ];
    let base = format!("/system/users/{id}");
    page.buttons.push(Button::primary("修改", format!("{base}/edit")));
    if id != pu.user.id {
        page.buttons.push(if r.user.disabled {
            Button::post("启用", format!("{base}/enable"), "确定启用该用户？").class("btn-success")
        } else {
            Button::post("停用", format!("{base}/disable"), "确定停用该用户？停用后其会话立即失效。")
                .class("btn-warning")
        });
    }
    page.buttons.push(
        Button::post(
            "重置密码",
            format!("{base}/reset-password"),
            "确定重置该用户的密码？新密码只显示一次，该用户的其他登录和 API 令牌将失效。",
        )
        .class("btn-outline-danger"),
    );
    if r.login_failures > 0 {
        page.buttons.push(Button::post(
            "解除登录限制",
            format!("{base}/unlock"),
            "确定清除该用户的登录失败记录？被限制的地址可以立即再次尝试登录。",
        ));
    }
    page.buttons.push(Button::new("操作记录", format!("/system/audit?entity_type=user&entity_id={id}")));
    page.buttons.push(Button::new("返回列表", "/system/users"));
    page.secret = secret.map(|s| Secret {
        label: "请立即记录并转交该用户：密码 ".into(),
        value: s,
        note: "仅显示这一次，系统不保存明文".into(),
    });
    Ok(render(&page))
}

async fn user_detail(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    user_detail_page(&st, &pu, id, None, None).await
}

async fn user_disable(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    st.app.system().set_user_disabled(&pu.user, id, true).await?;
    Ok(pu.redirect(&st, &format!("/system/users/{id}"), Flash::ok("已停用该用户，其登录会话已失效。")).await)
}

async fn user_enable(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    st.app.system().set_user_disabled(&pu.user, id, false).await?;
    Ok(pu.redirect(&st, &format!("/system/users/{id}"), Flash::ok("已启用该用户。")).await)
}

async fn user_reset(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let (_, pw) = st.app.system().reset_password(&pu.user, id).await?;
    user_detail_page(
        &st,
        &pu,
        id,
        Some("密码已重置，该用户的其他登录和 API 令牌已失效，登录限制已解除。".into()),
        Some(pw),
    )
    .await
}

async fn user_unlock(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    st.app.system().unlock_user(&pu.user, id).await?;
    Ok(pu.redirect(&st, &format!("/system/users/{id}"), Flash::ok("已解除该用户的登录限制。")).await)
}
