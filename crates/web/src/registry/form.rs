//! Create and edit a registry record: the shared form page, pickers for the
//! regions and the supervisory unit, per-field Chinese errors.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::registry::{Category, OrgKind, RegistrationMode};
use hongling_service::auth::Flash;
use hongling_service::list::Pick;
use hongling_service::registry::input::OrgInput;
use hongling_service::{Error, FieldError, Principal};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::extract::FormInput;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Conflict, Field, FormPage, Kind, attach, options, picker};

pub(super) fn routes() -> Routes {
    Routes::new().get("/registry/orgs/new", Action::RegistryWrite, new_form).get(
        "/registry/orgs/{id}/edit",
        Action::RegistryWrite,
        edit_form,
    )
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// Categories, each with the registration mode it belongs to (the domain's
/// `Category::fits`): the page offers only those of the chosen mode.
fn category_field(value: String) -> Field {
    let mut options = vec![(String::new(), "请选择".to_owned())];
    let mut when = vec![String::new()];
    for c in Category::ALL {
        let mode = RegistrationMode::ALL.iter().copied().find(|m| c.fits(*m)).unwrap_or(RegistrationMode::Registered);
        options.push((c.as_str().to_owned(), c.label().to_owned()));
        when.push(mode.as_str().to_owned());
    }
    Field::select("category", "类别", value, options).depends_on("registration_mode", when)
}

async fn fields(st: &AppState, pu: &PageUser, f: &OrgInput, editing: bool) -> Result<Vec<Field>, WebError> {
    let mut v = vec![
        Field::text("name", "组织名称", f.name.clone()).required(),
        Field::text("uscc", "统一社会信用代码", f.uscc.clone()).hint(if f.applying {
            "成立申请可暂不填写，准予登记时填写"
        } else {
            "登记的社会组织必填；备案的社区社会组织可不填"
        }),
        Field::select(
            "kind",
            "组织类型",
            f.kind.clone(),
            options(OrgKind::ALL.iter().map(|k| (k.as_str(), k.label())), Some("请选择")),
        )
        .required(),
        Field::select(
            "registration_mode",
            "登记方式",
            f.registration_mode.clone(),
            options(RegistrationMode::ALL.iter().map(|k| (k.as_str(), k.label())), None),
        )
        .required(),
        category_field(f.category.clone())
            .required()
            .hint("登记的：行业协会商会、科技类、公益慈善类、城乡社区服务类直接登记，其他类别须有业务主管单位；备案的：社区社会组织的服务类型"),
        picker::field(st, &pu.user, "supervisory_unit_id", "业务主管单位", Pick::Units, &opt(&f.supervisory_unit_id))
            .await?
            .hint("直接登记和已脱钩的不填；输入单位名称中的字，从建议中选择"),
        picker::field(
            st,
            &pu.user,
            "industry_department_id",
            "行业管理部门",
            Pick::Units,
            &opt(&f.industry_department_id),
        )
        .await?
        .hint("直接登记、已脱钩的行业协会商会等可记录行业管理部门；不改变党建管理渠道（由社会组织综合党委负责）"),
        Field::check("decoupled", "已脱钩（与原业务主管单位脱钩，党建由社会组织综合党委负责）", f.decoupled),
        Field::text("industry", "所属行业", f.industry.clone()),
        picker::region(st, "authority_region", "登记管理机关", &f.authority_region)
            .await?
            .required()
            .hint("登记管理机关所在区划：市、区县民政局或街道"),
        picker::region(st, "region_code", "住所所在区划", &f.region_code)
            .await?
            .required()
            .hint("输入社区、村或街道名称中的字，如“胜利”，从建议中选择"),
        Field::text("address", "住所地址", f.address.clone()),
        Field::text("longitude", "经度", opt(&f.longitude)).placeholder("如 118.582184"),
        Field::text("latitude", "纬度", opt(&f.latitude)).placeholder("如 37.448963"),
        Field::text("legal_rep", "法定代表人/负责人", f.legal_rep.clone()),
        Field::new("founded_on", "成立日期", Kind::Date, opt(&f.founded_on)),
        Field::new("staff_count", "从业人员数", Kind::Number, opt(&f.staff_count)),
        Field::new("member_count", "会员数", Kind::Number, opt(&f.member_count)),
        Field::text("incubator", "孵化基地", f.incubator.clone()),
        Field::check("charter_party_clause", "章程含党建内容（党建入章）", f.charter_party_clause),
        Field::check("is_hub", "枢纽型组织", f.is_hub),
        Field::check("is_brand", "品牌组织", f.is_brand),
    ];
    if editing {
        v.push(Field::new("effective_on", "变更生效日期", Kind::Date, opt(&f.effective_on)).hint("不填为今天"));
        v.push(Field::text("reason", "变更事由", f.reason.clone()).placeholder("如：换届选举、住所迁移"));
    }
    Ok(v)
}

async fn form_page(
    st: &AppState,
    pu: &PageUser,
    action: String,
    f: &OrgInput,
    errors: &[FieldError],
    editing: bool,
) -> Result<Response, WebError> {
    form_page_with(st, pu, action, f, errors, editing, None).await
}

/// The form page; `theirs`: the record as a colleague saved it since the
/// clerk opened the form (an edit conflict), shown beside the input.
async fn form_page_with(
    st: &AppState,
    pu: &PageUser,
    action: String,
    f: &OrgInput,
    errors: &[FieldError],
    editing: bool,
    theirs: Option<(&OrgInput, String)>,
) -> Result<Response, WebError> {
    let title = if editing {
        "变更登记事项"
    } else if f.applying {
        "受理成立申请"
    } else {
        "新增登记"
    };
    let mut fields = fields(st, pu, f, editing).await?;
    let rest = attach(&mut fields, errors);
    let mut hidden = vec![];
    if let Some(v) = f.version {
        hidden.push(("version", v.to_string()));
    }
    if f.applying {
        hidden.push(("applying", "1".to_owned()));
    }
    let mut page = FormPage {
        layout: pu
            .layout(st, "orgs", title)
            .await
            .crumb("社会组织", None)
            .crumb("登记管理", Some("/registry/orgs"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        action,
        fields,
        hidden,
        errors: rest,
        cancel: "/registry/orgs".into(),
        submit: "保存".into(),
        confirm: String::new(),
        note: String::new(),
        conflict: None,
    };
    let conflicted = theirs.is_some();
    if let Some((t, who)) = theirs {
        let saved = self::fields(st, pu, t, editing).await?;
        let c = Conflict::between(&mut page.fields, &saved, &["effective_on", "reason"], page.action.clone() + "/edit");
        page = page.with_conflict(c.saved_by(who));
    }
    let mut res = render(&page);
    if conflicted {
        *res.status_mut() = axum::http::StatusCode::CONFLICT;
    } else if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize)]
struct NewQuery {
    applying: Option<String>,
}

async fn new_form(State(st): State<AppState>, pu: PageUser, Query(q): Query<NewQuery>) -> Result<Response, WebError> {
    let f = OrgInput {
        registration_mode: RegistrationMode::Registered.as_str().into(),
        kind: OrgKind::Association.as_str().into(),
        authority_region: pu.user.scope.region.to_string(),
        charter_party_clause: true,
        applying: q.applying.is_some_and(|a| !a.is_empty()),
        ..Default::default()
    };
    form_page(&st, &pu, "/registry/orgs".into(), &f, &[], false).await
}

pub(super) async fn create(
    State(st): State<AppState>,
    pu: PageUser,
    FormInput(f): FormInput<OrgInput>,
) -> Result<Response, WebError> {
    let d = match f.draft() {
        Ok(d) => d,
        Err(errs) => return form_page(&st, &pu, "/registry/orgs".into(), &f, &errs, false).await,
    };
    match st.app.registry().create_org(&Principal::User(pu.user.clone()), d, f.applying).await {
        Ok(m) => {
            let msg = if f.applying {
                "已受理成立申请。"
            } else {
                "已登记，三同步待落实的情况已推送党建工作机构。"
            };
            Ok(pu.redirect(&st, &format!("/registry/orgs/{}", m.id), Flash::ok(msg)).await)
        }
        Err(Error::Invalid(e)) => form_page(&st, &pu, "/registry/orgs".into(), &f, &e, false).await,
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let org = st.app.registry().get_org(&pu.user, id).await?;
    form_page(&st, &pu, format!("/registry/orgs/{id}"), &OrgInput::of(&org), &[], true).await
}

pub(super) async fn update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    FormInput(f): FormInput<OrgInput>,
) -> Result<Response, WebError> {
    let action = format!("/registry/orgs/{id}");
    let (d, effective) = match (f.draft(), f.effective_on()) {
        (Ok(d), Ok(e)) => (d, e),
        (a, b) => {
            let errs: Vec<FieldError> = a.err().into_iter().flatten().chain(b.err().into_iter().flatten()).collect();
            return form_page(&st, &pu, action, &f, &errs, true).await;
        }
    };
    match st.app.registry().update_org(&pu.user, id, d, f.version, effective, f.reason.trim()).await {
        Ok(m) => {
            // an edit that changed nothing returns the record as it was
            let msg = if Some(m.version) == f.version {
                "内容未改变，未记录变更。"
            } else {
                "已保存变更，变更记录已留存。"
            };
            Ok(pu.redirect(&st, &action, Flash::ok(msg)).await)
        }
        Err(Error::Invalid(e)) => form_page(&st, &pu, action, &f, &e, true).await,
        Err(Error::Conflict(m)) => {
            // a colleague saved first: keep the input, carry the new version,
            // show their values beside it
            let cur = st.app.registry().get_org(&pu.user, id).await?;
            if f.version.is_none_or(|v| v == cur.version) {
                return Err(Error::Conflict(m).into());
            }
            let theirs = OrgInput::of(&cur);
            let last = st.app.registry().org_history(&pu.user, id).await?.into_iter().max_by_key(|e| e.id);
            let who = last.map(|e| format!("{}，{}", e.actor, crate::fmt::datetime(e.at))).unwrap_or_default();
            let mine = OrgInput { version: Some(cur.version), ..f };
            form_page_with(&st, &pu, action, &mine, &[], true, Some((&theirs, who))).await
        }
        Err(e) => Err(e.into()),
    }
}
