//! Supervisory units (业务主管单位): the shared list page with a form to add one.

use axum::Form;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_service::auth::Flash;
use hongling_service::registry::lists::UnitList;
use hongling_service::{Error, FieldError, Principal};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::page::PageUser;
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};
use crate::ui::{Field, InlineForm, attach, picker};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/registry/units", Action::UnitsRead, units)
        .post("/registry/units", Action::UnitsWrite, unit_create)
        .get("/registry/units/export", Action::UnitsRead, units_export)
}

#[derive(Deserialize, Default)]
struct UnitForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    region: String,
}

async fn units_page(
    st: &AppState,
    pu: &PageUser,
    raw: &[(String, String)],
    f: UnitForm,
    errors: &[FieldError],
) -> Result<Response, WebError> {
    let view = ListView::load::<UnitList>(st, &pu.user, "/registry/units", "unit-table", raw, &["q", "region"], &[])
        .await?
        .actions(|u| vec![("查看所管组织", format!("/registry/orgs?supervisory_unit_id={}", u.unit.id))]);
    let mut forms = vec![];
    let mut rest = vec![];
    if pu.user.can(Action::UnitsWrite) {
        let mut fields = vec![
            Field::text("name", "单位名称", f.name.clone()).placeholder("如 东营市教育局"),
            picker::region(st, "region", "所在区划", &f.region).await?,
        ];
        // the service names the region field region_code
        let errors: Vec<FieldError> = errors
            .iter()
            .map(|e| FieldError {
                field: if e.field == "region_code" { "region".into() } else { e.field.clone() },
                message: e.message.clone(),
            })
            .collect();
        rest = attach(&mut fields, &errors);
        forms.push(InlineForm {
            id: "unit-form",
            action: "/registry/units".into(),
            title: "新增业务主管单位".into(),
            fields,
            submit: "保存".into(),
            confirm: String::new(),
            get: false,
        });
    }
    let export = export_button(&pu.user, Action::UnitsRead, view.export_href("/registry/units/export"));
    let layout = pu.layout(st, "units", "业务主管单位").await.crumb("社会组织", None).crumb("业务主管单位", None);
    let mut page = view.page(layout, "", export.into_iter().collect()).forms(forms);
    page.errors.extend(rest);
    let mut res = page.render();
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn units(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let f = UnitForm { region: pu.user.scope.region.to_string(), ..Default::default() };
    units_page(&st, &pu, &pairs(raw.as_deref()), f, &[]).await
}

async fn unit_create(State(st): State<AppState>, pu: PageUser, Form(f): Form<UnitForm>) -> Result<Response, WebError> {
    let region = match st.app.resolve_region(&pu.user, &f.region).await? {
        Ok(code) => code,
        Err(m) => {
            let e = vec![FieldError { field: "region".into(), message: m }];
            return units_page(&st, &pu, &[], f, &e).await;
        }
    };
    match st.app.registry().create_supervisory_unit(&Principal::User(pu.user.clone()), &f.name, &region).await {
        Ok(u) => Ok(pu.redirect(&st, "/registry/units", Flash::ok(format!("已新增业务主管单位：{}", u.name))).await),
        Err(Error::Invalid(e)) => units_page(&st, &pu, &[], f, &e).await,
        Err(e) => Err(e.into()),
    }
}

async fn units_export(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    crate::ui::list::export::<UnitList>(&st, &pu.user, raw.as_deref()).await
}
