//! Party life, funds and trainings: lists with an inline form to record one.

use axum::Form;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::party::coverage::{FundKind, PartyLifeKind};
use hongling_service::auth::Flash;
use hongling_service::list::{ListQuery, Listing, Pick, Value};
use hongling_service::party::life::{FundInput, PartyLifeInput, TrainingInput};
use hongling_service::party::lists::{FundList, PartyLifeList, TrainingList};
use hongling_service::party::own_party_org;
use hongling_service::{CurrentUser, Error, FieldError, PageRequest};

use super::crumbs;
use crate::AppState;
use crate::error::WebError;
use crate::page::PageUser;
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};
use crate::ui::picker;
use crate::ui::{Field, InlineForm, Kind, Table, attach, options};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/life", Action::PartyRecordsRead, life)
        .post("/party/life", Action::PartyLifeWrite, life_create)
        .get("/party/life/export", Action::PartyRecordsRead, life_export)
        .get("/party/funds", Action::PartyRecordsRead, funds)
        .post("/party/funds", Action::PartyFundsWrite, fund_create)
        .get("/party/funds/export", Action::PartyRecordsRead, funds_export)
        .get("/party/trainings", Action::PartyRecordsRead, trainings)
        .post("/party/trainings", Action::PartyLifeWrite, training_create)
        .get("/party/trainings/export", Action::PartyRecordsRead, trainings_export)
}

/// A short table of a list's records for a detail page (e.g. a party
/// organization's party life), in the list's own columns.
pub(super) async fn embedded<L: Listing>(
    st: &AppState,
    me: &CurrentUser,
    id: &'static str,
    title: &str,
    values: Vec<(&'static str, Value)>,
) -> Result<Table, WebError> {
    let mut q = ListQuery { page: PageRequest::new(None, Some(10)), ..Default::default() };
    for (n, v) in values {
        q.set(n, v);
    }
    let page = st.app.list::<L>(me, &q).await?;
    Ok(crate::ui::list::table_of::<L>(id, &page.items).titled(title))
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The list page of an activity list with its inline form (and the errors
/// of a refused submission under their fields).
#[allow(clippy::too_many_arguments)]
async fn activity_page<L: Listing>(
    st: &AppState,
    pu: &PageUser,
    raw: &[(String, String)],
    key: &'static str,
    base: &str,
    table: &'static str,
    title: &str,
    form: Option<InlineForm>,
    errors: &[FieldError],
) -> Result<Response, WebError> {
    let view = ListView::load::<L>(
        st,
        &pu.user,
        base,
        table,
        raw,
        &["region", "party_org_id", "kind", "member_id", "from", "until"],
        &[],
    )
    .await?;
    let mut forms = Vec::new();
    let mut rest = Vec::new();
    if let Some(mut f) = form {
        rest = attach(&mut f.fields, errors);
        forms.push(f);
    }
    let export = export_button(&pu.user, Action::PartyRecordsRead, view.export_href(&format!("{base}/export")));
    let layout = crumbs(pu.layout(st, key, title).await, title, None);
    let mut page = view.page(layout, "", export.into_iter().collect()).forms(forms);
    page.errors.extend(rest);
    let invalid = !errors.is_empty();
    let mut res = page.render();
    if invalid {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

// ---------- party life ----------

async fn life_form(st: &AppState, me: &CurrentUser, i: &PartyLifeInput) -> Result<InlineForm, WebError> {
    Ok(InlineForm {
        id: "life-form",
        action: "/party/life".into(),
        title: "记录组织生活（三会一课、主题党日）".into(),
        fields: vec![
            picker::field(st, me, "party_org_id", "党组织", Pick::PartyOrgs, &opt(&i.party_org_id)).await?,
            Field::select(
                "kind",
                "类型",
                i.kind.clone(),
                options(PartyLifeKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            ),
            Field::new("held_on", "日期", Kind::Date, opt(&i.held_on)),
            Field::text("topic", "主题", i.topic.clone()),
            Field::text("expected", "应到", opt(&i.expected)),
            Field::text("attendees", "实到", opt(&i.attendees)),
        ],
        submit: "保存".into(),
        confirm: String::new(),
        get: false,
    })
}

async fn life_page(
    st: &AppState,
    pu: &PageUser,
    raw: &[(String, String)],
    i: PartyLifeInput,
    errors: &[FieldError],
) -> Result<Response, WebError> {
    let form = match pu.user.can(Action::PartyLifeWrite) {
        true => Some(life_form(st, &pu.user, &i).await?),
        false => None,
    };
    activity_page::<PartyLifeList>(st, pu, raw, "life", "/party/life", "life-table", "组织生活", form, errors).await
}

async fn life(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let chosen = raw.iter().find(|(k, _)| k == "party_org_id").map(|(_, v)| v.clone());
    let form = PartyLifeInput {
        party_org_id: chosen.or(own_party_org(&pu.user).map(|p| p.to_string())),
        kind: PartyLifeKind::BranchAssembly.as_str().into(),
        ..Default::default()
    };
    life_page(&st, &pu, &raw, form, &[]).await
}

async fn life_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<PartyLifeInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_party_life(&pu.user, &i).await {
        Ok(_) => Ok(pu.redirect(&st, "/party/life", Flash::ok("已记录组织生活。")).await),
        Err(Error::Invalid(e)) => life_page(&st, &pu, &[], i, &e).await,
        Err(e) => Err(e.into()),
    }
}

async fn life_export(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    crate::ui::list::export::<PartyLifeList>(&st, &pu.user, raw.as_deref()).await
}

// ---------- funds ----------

async fn funds_page(
    st: &AppState,
    pu: &PageUser,
    raw: &[(String, String)],
    i: FundInput,
    errors: &[FieldError],
) -> Result<Response, WebError> {
    let form = if pu.user.can(Action::PartyFundsWrite) {
        Some(InlineForm {
            id: "fund-form",
            action: "/party/funds".into(),
            title: "登记党建经费（党费返还、新建党组织工作经费、党员教育培训经费）".into(),
            fields: vec![
                picker::field(st, &pu.user, "party_org_id", "党组织", Pick::PartyOrgs, &opt(&i.party_org_id)).await?,
                Field::select(
                    "kind",
                    "类别",
                    i.kind.clone(),
                    options(FundKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
                ),
                Field::text("amount", "金额（元）", opt(&i.amount)),
                Field::new("received_on", "到账日期", Kind::Date, opt(&i.received_on)),
                Field::text("doc_no", "文号", i.doc_no.clone()),
            ],
            submit: "保存".into(),
            confirm: String::new(),
            get: false,
        })
    } else {
        None
    };
    activity_page::<FundList>(st, pu, raw, "funds", "/party/funds", "fund-table", "党建经费", form, errors).await
}

async fn funds(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let chosen = raw.iter().find(|(k, _)| k == "party_org_id").map(|(_, v)| v.clone());
    let i = FundInput { party_org_id: chosen, kind: FundKind::DuesRefund.as_str().into(), ..Default::default() };
    funds_page(&st, &pu, &raw, i, &[]).await
}

async fn fund_create(State(st): State<AppState>, pu: PageUser, Form(i): Form<FundInput>) -> Result<Response, WebError> {
    match st.app.party().create_fund(&pu.user, &i).await {
        Ok(_) => Ok(pu.redirect(&st, "/party/funds", Flash::ok("已登记党建经费。")).await),
        Err(Error::Invalid(e)) => funds_page(&st, &pu, &[], i, &e).await,
        Err(e) => Err(e.into()),
    }
}

async fn funds_export(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    crate::ui::list::export::<FundList>(&st, &pu.user, raw.as_deref()).await
}

// ---------- trainings ----------

async fn trainings_page(
    st: &AppState,
    pu: &PageUser,
    raw: &[(String, String)],
    i: TrainingInput,
    errors: &[FieldError],
) -> Result<Response, WebError> {
    let form = if pu.user.can(Action::PartyLifeWrite) {
        let mut fields =
            vec![picker::field(st, &pu.user, "member_id", "参训党员", Pick::Members, &opt(&i.member_id)).await?];
        if pu.user.can(Action::InstructorsRead) {
            fields.push(
                picker::field(st, &pu.user, "instructor_id", "或党建指导员", Pick::Instructors, &opt(&i.instructor_id))
                    .await?,
            );
        }
        fields.extend([
            Field::text("title", "培训名称", i.title.clone()),
            Field::new("trained_on", "日期", Kind::Date, opt(&i.trained_on)),
            Field::text("hours", "学时", opt(&i.hours)),
            Field::text("organizer", "主办单位", i.organizer.clone()),
        ]);
        Some(InlineForm {
            id: "training-form",
            action: "/party/trainings".into(),
            title: "登记培训（书记轮训、新任书记培训、党建指导员培训）".into(),
            fields,
            submit: "保存".into(),
            confirm: String::new(),
            get: false,
        })
    } else {
        None
    };
    activity_page::<TrainingList>(
        st,
        pu,
        raw,
        "trainings",
        "/party/trainings",
        "training-table",
        "培训记录",
        form,
        errors,
    )
    .await
}

async fn trainings(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    trainings_page(&st, &pu, &raw, TrainingInput::default(), &[]).await
}

async fn training_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<TrainingInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_training(&pu.user, &i).await {
        Ok(_) => Ok(pu.redirect(&st, "/party/trainings", Flash::ok("已登记培训。")).await),
        Err(Error::Invalid(e)) => trainings_page(&st, &pu, &[], i, &e).await,
        Err(e) => Err(e.into()),
    }
}

async fn trainings_export(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    crate::ui::list::export::<TrainingList>(&st, &pu.user, raw.as_deref()).await
}
