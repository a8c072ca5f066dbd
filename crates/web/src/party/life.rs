//! Party life, funds, trainings.

use crate::AppState;
use crate::error::WebError;
use crate::layout::Pager;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Cell, Field, InlineForm, Kind, ListPage, Table, options};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_domain::party::coverage::{FundKind, PartyLifeKind};
use hongling_service::party::life::{ActivityFilter, FundInput, PartyLifeInput, TrainingInput};
use hongling_service::party::{may_write_party, own_party_org};
use hongling_service::{Error, PageRequest};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/life", Action::PartyRecordsRead, life)
        .post("/party/life", Action::PartyLifeWrite, life_create)
        .get("/party/funds", Action::PartyRecordsRead, funds)
        .post("/party/funds", Action::PartyFundsWrite, fund_create)
        .get("/party/trainings", Action::PartyRecordsRead, trainings)
        .post("/party/trainings", Action::PartyLifeWrite, training_create)
}

pub(super) fn life_table(items: &[hongling_service::party::life::PartyLifeView]) -> Table {
    let mut t = Table::new("life-table", vec!["日期", "党组织", "类型", "主题", "应到", "实到", "出席率"]);
    for r in items {
        t.rows.push(vec![
            Cell::text(r.held_on.clone()),
            Cell::link(r.party_org.name.clone(), format!("/party/orgs/{}", r.party_org.id)),
            Cell::text(r.kind_label.clone()),
            Cell::text(r.topic.clone()),
            Cell::num(r.expected.into()),
            Cell::num(r.attendees.into()),
            Cell::text(r.attendance_rate.map(pct).unwrap_or_else(|| "—".into())),
        ]);
    }
    t
}

pub(super) fn fund_table(items: &[hongling_service::party::life::FundView]) -> Table {
    let mut t = Table::new("fund-table", vec!["到账日期", "党组织", "类别", "金额（元）", "文号", "备注"]);
    for r in items {
        t.rows.push(vec![
            Cell::text(r.received_on.clone()),
            Cell::link(r.party_org.name.clone(), format!("/party/orgs/{}", r.party_org.id)),
            Cell::text(r.kind_label.clone()),
            Cell { text: r.amount.clone(), num: true, ..Default::default() },
            Cell::text(r.doc_no.clone()),
            Cell::text(r.note.clone()),
        ]);
    }
    t
}

pub(super) fn training_table(items: &[hongling_service::party::life::TrainingView]) -> Table {
    let mut t = Table::new("training-table", vec!["日期", "参训人员", "培训名称", "学时", "主办单位"]);
    for r in items {
        let who = match (&r.member, &r.instructor) {
            (Some(m), _) => Cell::link(m.name.clone(), format!("/party/members/{}", m.id)).sub("党员"),
            (None, Some(i)) => Cell::link(i.name.clone(), format!("/party/instructors/{}", i.id)).sub("党建指导员"),
            _ => Cell::text("—"),
        };
        t.rows.push(vec![
            Cell::text(r.trained_on.clone()),
            who,
            Cell::text(r.title.clone()),
            Cell::num(r.hours.into()),
            Cell::text(r.organizer.clone()),
        ]);
    }
    t
}

#[derive(Deserialize, Default)]
struct ActivityQuery {
    region: Option<String>,
    party_org_id: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

impl ActivityQuery {
    fn filter(&self) -> ActivityFilter {
        ActivityFilter {
            region: nonempty(&self.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect()),
            party_org_id: self.party_org_id.as_deref().and_then(|s| s.trim().parse().ok()),
            kind: nonempty(&self.kind),
            from: nonempty(&self.from),
            until: nonempty(&self.until),
            member_id: None,
            instructor_id: None,
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("region", opt_s(&self.region)),
            ("party_org_id", opt_s(&self.party_org_id)),
            ("kind", opt_s(&self.kind)),
            ("from", opt_s(&self.from)),
            ("until", opt_s(&self.until)),
        ]
    }

    fn search(&self, kinds: Vec<(String, String)>) -> Vec<Field> {
        vec![
            Field::picker("region", "区域", "/pick/regions", opt_s(&self.region), opt_s(&self.region)),
            Field::text("party_org_id", "党组织编号", opt_s(&self.party_org_id)),
            Field::select("kind", "类型", opt_s(&self.kind), kinds),
            Field::new("from", "起始日期", Kind::Date, opt_s(&self.from)),
            Field::new("until", "截止日期", Kind::Date, opt_s(&self.until)),
        ]
    }
}

#[allow(clippy::too_many_arguments)]
async fn activity_page(
    st: &AppState,
    pu: &PageUser,
    key: &'static str,
    title: &str,
    q: &ActivityQuery,
    search: Vec<Field>,
    table: Table,
    pager: Pager,
    form: Option<InlineForm>,
    errors: Vec<String>,
) -> ListPage {
    ListPage {
        layout: crumbs(pu.layout(st, key, title).await, title, None),
        notice: notice(q.ok.as_deref()),
        heading: String::new(),
        intro: String::new(),
        action: format!(
            "/party/{}",
            match key {
                "life" => "life",
                "funds" => "funds",
                _ => "trainings",
            }
        ),
        search,
        buttons: vec![],
        table,
        pager: Some(pager),
        forms: form.into_iter().collect(),
        errors,
    }
}

fn life_form(i: &PartyLifeInput) -> InlineForm {
    InlineForm {
        id: "life-form",
        action: "/party/life".into(),
        title: "记录组织生活（三会一课、主题党日）".into(),
        fields: vec![
            Field::text("party_org_id", "党组织编号", opt_s(&i.party_org_id)),
            Field::select(
                "kind",
                "类型",
                i.kind.clone(),
                options(PartyLifeKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            ),
            Field::new("held_on", "日期", Kind::Date, opt_s(&i.held_on)),
            Field::text("topic", "主题", i.topic.clone()),
            Field::text("expected", "应到", opt_s(&i.expected)),
            Field::text("attendees", "实到", opt_s(&i.attendees)),
        ],
        submit: "保存".into(),
        confirm: String::new(),
    }
}

async fn life_render(
    st: &AppState,
    pu: &PageUser,
    q: &ActivityQuery,
    form: PartyLifeInput,
    errors: Vec<String>,
) -> Result<ListPage, WebError> {
    let page = st.app.party().list_party_life(&pu.user, &q.filter(), PageRequest::new(q.page, None)).await?;
    let pager = Pager::new("/party/life", &q.pairs(), page.total, page.page, page.per_page);
    let may_add = may_write_party(&pu.user) || pu.user.role == hongling_domain::Role::PartySecretary;
    let kinds = options(PartyLifeKind::ALL.iter().map(|k| (k.as_str(), k.label())), Some("全部"));
    Ok(activity_page(
        st,
        pu,
        "life",
        "组织生活",
        q,
        q.search(kinds),
        life_table(&page.items),
        pager,
        may_add.then(|| life_form(&form)),
        errors,
    )
    .await)
}

async fn life(State(st): State<AppState>, pu: PageUser, Query(q): Query<ActivityQuery>) -> Result<Response, WebError> {
    let form = PartyLifeInput {
        party_org_id: q.party_org_id.clone().or(own_party_org(&pu.user).map(|p| p.to_string())),
        kind: "branch_assembly".into(),
        ..Default::default()
    };
    Ok(render(&life_render(&st, &pu, &q, form, vec![]).await?))
}

async fn life_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<PartyLifeInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_party_life(&pu.user, &i).await {
        Ok(_) => Ok(Redirect::to("/party/life?ok=created").into_response()),
        Err(Error::Invalid(e)) => {
            let mut res = render(
                &life_render(&st, &pu, &ActivityQuery::default(), i, e.into_iter().map(|e| e.message).collect())
                    .await?,
            );
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn funds_render(
    st: &AppState,
    pu: &PageUser,
    q: &ActivityQuery,
    i: FundInput,
    errors: Vec<String>,
) -> Result<ListPage, WebError> {
    let page = st.app.party().list_funds(&pu.user, &q.filter(), PageRequest::new(q.page, None)).await?;
    let pager = Pager::new("/party/funds", &q.pairs(), page.total, page.page, page.per_page);
    let form = may_write_party(&pu.user).then(|| InlineForm {
        id: "fund-form",
        action: "/party/funds".into(),
        title: "登记党建经费（党费返还、新建党组织工作经费、党员教育培训经费）".into(),
        fields: vec![
            Field::text("party_org_id", "党组织编号", opt_s(&i.party_org_id)),
            Field::select(
                "kind",
                "类别",
                i.kind.clone(),
                options(FundKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            ),
            Field::text("amount", "金额（元）", opt_s(&i.amount)),
            Field::new("received_on", "到账日期", Kind::Date, opt_s(&i.received_on)),
            Field::text("doc_no", "文号", i.doc_no.clone()),
        ],
        submit: "保存".into(),
        confirm: String::new(),
    });
    let kinds = options(FundKind::ALL.iter().map(|k| (k.as_str(), k.label())), Some("全部"));
    Ok(activity_page(st, pu, "funds", "党建经费", q, q.search(kinds), fund_table(&page.items), pager, form, errors)
        .await)
}

async fn funds(State(st): State<AppState>, pu: PageUser, Query(q): Query<ActivityQuery>) -> Result<Response, WebError> {
    let i = FundInput { party_org_id: q.party_org_id.clone(), kind: "dues_refund".into(), ..Default::default() };
    Ok(render(&funds_render(&st, &pu, &q, i, vec![]).await?))
}

async fn fund_create(State(st): State<AppState>, pu: PageUser, Form(i): Form<FundInput>) -> Result<Response, WebError> {
    match st.app.party().create_fund(&pu.user, &i).await {
        Ok(_) => Ok(Redirect::to("/party/funds?ok=created").into_response()),
        Err(Error::Invalid(e)) => {
            let mut res = render(
                &funds_render(&st, &pu, &ActivityQuery::default(), i, e.into_iter().map(|e| e.message).collect())
                    .await?,
            );
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn trainings_render(
    st: &AppState,
    pu: &PageUser,
    q: &ActivityQuery,
    i: TrainingInput,
    errors: Vec<String>,
) -> Result<ListPage, WebError> {
    let page = st.app.party().list_trainings(&pu.user, &q.filter(), PageRequest::new(q.page, None)).await?;
    let pager = Pager::new("/party/trainings", &q.pairs(), page.total, page.page, page.per_page);
    let may_add = may_write_party(&pu.user) || pu.user.role == hongling_domain::Role::PartySecretary;
    let form = may_add.then(|| InlineForm {
        id: "training-form",
        action: "/party/trainings".into(),
        title: "登记培训（书记轮训、新任书记培训、党建指导员培训）".into(),
        fields: vec![
            Field::text("member_id", "党员编号", opt_s(&i.member_id)),
            Field::text("instructor_id", "或指导员编号", opt_s(&i.instructor_id)),
            Field::text("title", "培训名称", i.title.clone()),
            Field::new("trained_on", "日期", Kind::Date, opt_s(&i.trained_on)),
            Field::text("hours", "学时", opt_s(&i.hours)),
            Field::text("organizer", "主办单位", i.organizer.clone()),
        ],
        submit: "保存".into(),
        confirm: String::new(),
    });
    let search = vec![
        Field::picker("region", "区域", "/pick/regions", opt_s(&q.region), opt_s(&q.region)),
        Field::new("from", "起始日期", Kind::Date, opt_s(&q.from)),
        Field::new("until", "截止日期", Kind::Date, opt_s(&q.until)),
    ];
    Ok(activity_page(st, pu, "trainings", "书记培训", q, search, training_table(&page.items), pager, form, errors)
        .await)
}

async fn trainings(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<ActivityQuery>,
) -> Result<Response, WebError> {
    Ok(render(&trainings_render(&st, &pu, &q, TrainingInput::default(), vec![]).await?))
}

async fn training_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<TrainingInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_training(&pu.user, &i).await {
        Ok(_) => Ok(Redirect::to("/party/trainings?ok=created").into_response()),
        Err(Error::Invalid(e)) => {
            let mut res = render(
                &trainings_render(&st, &pu, &ActivityQuery::default(), i, e.into_iter().map(|e| e.message).collect())
                    .await?,
            );
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
