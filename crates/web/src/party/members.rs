//! Members.

use crate::AppState;
use crate::error::WebError;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Button, Cell, DetailPage, Field, FormPage, InlineForm, Kind, ListPage, Table, attach, options};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_domain::party::coverage::MemberType;
use hongling_service::party::life::ActivityFilter;
use hongling_service::party::members::{MemberFilter, MemberInput};
use hongling_service::party::{may_read_party, may_write_party, own_party_org};
use hongling_service::{Error, FieldError, PageRequest};
use serde::Deserialize;

use super::life::training_table;
use super::orgs::ReasonForm;
use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/members", Action::PartyRecordsRead, members)
        .post("/party/members", Action::PartyMembersWrite, member_create)
        .get("/party/members/new", Action::PartyMembersWrite, member_new)
        .get("/party/members/{id}", Action::PartyRecordsRead, member_detail)
        .post("/party/members/{id}", Action::PartyMembersWrite, member_update)
        .get("/party/members/{id}/edit", Action::PartyMembersWrite, member_edit)
        .post("/party/members/{id}/reveal", Action::PartyMembersWrite, member_reveal)
}

#[derive(Deserialize, Default)]
struct MemberListQuery {
    region: Option<String>,
    q: Option<String>,
    party_org_id: Option<String>,
    member_type: Option<String>,
    include_left: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

async fn members(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<MemberListQuery>,
) -> Result<Response, WebError> {
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let f = MemberFilter {
        region: region.clone(),
        q: nonempty(&q.q),
        party_org_id: q.party_org_id.as_deref().and_then(|s| s.trim().parse().ok()),
        employer_org_id: None,
        member_type: nonempty(&q.member_type),
        include_left: q.include_left.as_deref().map(|s| s == "1"),
    };
    let page = st.app.party().list_members(&pu.user, &f, PageRequest::new(q.page, None)).await?;
    let mut table = Table::new(
        "member-table",
        vec!["姓名", "类别", "党内职务", "所在党组织", "工作单位", "入党日期", "公民身份号码", "操作"],
    );
    for m in &page.items {
        table.rows.push(vec![
            Cell::link(m.name.clone(), format!("/party/members/{}", m.id)).sub(if m.left_on.is_some() {
                "已转出"
            } else {
                ""
            }),
            Cell::tag(
                m.member_type_label.clone(),
                if m.member_type == "formal" { "hl-tag-green" } else { "hl-tag-orange" },
            ),
            Cell::text(m.posts.clone()),
            link(&m.party_org, "/party/orgs"),
            link(&m.employer_org, "/party/coverage/orgs"),
            date_cell(&m.joined_on),
            Cell::text(m.id_number_masked.clone()),
            Cell::link("查看", format!("/party/members/{}", m.id)),
        ]);
    }
    let pairs = vec![
        ("region", opt_s(&region)),
        ("q", opt_s(&q.q)),
        ("party_org_id", opt_s(&q.party_org_id)),
        ("member_type", opt_s(&q.member_type)),
        ("include_left", opt_s(&q.include_left)),
    ];
    let mut buttons = vec![];
    if may_write_party(&pu.user) || pu.user.role == hongling_domain::Role::PartySecretary {
        buttons.push(Button::primary("登记党员", "/party/members/new"));
    }
    Ok(render(&ListPage {
        layout: crumbs(pu.layout(&st, "members", "党员").await, "党员", None),
        notice: notice(q.ok.as_deref()),
        heading: String::new(),
        intro: String::new(),
        action: "/party/members".into(),
        search: {
            let mut f = vec![Field::text("q", "姓名", opt_s(&q.q))];
            if may_read_party(&pu.user) {
                f.push(Field::picker("region", "区域", "/pick/regions", opt_s(&region), opt_s(&region)));
                f.push(Field::text("party_org_id", "党组织编号", opt_s(&q.party_org_id)));
            }
            f.push(Field::select(
                "member_type",
                "类别",
                opt_s(&q.member_type),
                options(MemberType::ALL.iter().map(|t| (t.as_str(), t.label())), Some("全部")),
            ));
            f.push(Field::select(
                "include_left",
                "范围",
                opt_s(&q.include_left),
                vec![(String::new(), "在册党员".into()), ("1".into(), "含已转出".into())],
            ));
            f
        },
        buttons,
        pager: Some(pager_of("/party/members", &pairs, &page)),
        table,
        forms: vec![],
        errors: vec![],
    }))
}

fn member_fields(i: &MemberInput, editing: bool, full: bool) -> Vec<Field> {
    let mut f = vec![
        Field::text("name", "姓名", i.name.clone()).required(),
        Field::select(
            "gender",
            "性别",
            i.gender.clone(),
            vec![(String::new(), "未填写".into()), ("male".into(), "男".into()), ("female".into(), "女".into())],
        ),
        Field::select(
            "member_type",
            "类别",
            i.member_type.clone(),
            options(MemberType::ALL.iter().map(|t| (t.as_str(), t.label())), Some("请选择")),
        )
        .required(),
        Field::new("joined_on", "入党日期", Kind::Date, opt_s(&i.joined_on)),
        Field::new("formal_on", "转正日期", Kind::Date, opt_s(&i.formal_on)),
        Field::text("posts", "党内职务", i.posts.clone()).placeholder("如：组织委员"),
    ];
    if full {
        f.push(
            Field::text("party_org_id", "所在党组织编号", opt_s(&i.party_org_id))
                .hint("组织关系所在的党组织；尚未建立党组织的可只填工作单位"),
        );
    }
    f.push(
        Field::text("employer_org_id", "工作单位（社会组织编号）", opt_s(&i.employer_org_id))
            .hint("在社会组织中工作的党员计入该组织的党员数"),
    );
    f.push(Field::new("id_number", "公民身份号码", Kind::Password, String::new()).hint(if editing {
        "已登记的号码不显示；填写即替换，留空保持不变。号码加密保存"
    } else {
        "18 位，加密保存，页面只显示前 6 位和后 4 位"
    }));
    f.push(Field::text("phone", "联系电话", i.phone.clone()));
    if editing {
        f.push(
            Field::new("left_on", "转出日期", Kind::Date, opt_s(&i.left_on)).hint("组织关系转出后填写，不再计入党员数"),
        );
    }
    f
}

async fn member_form(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    i: &MemberInput,
    errors: &[FieldError],
    editing: bool,
) -> FormPage {
    let mut fields = member_fields(i, editing, may_write_party(&pu.user));
    let rest = attach(&mut fields, errors);
    FormPage {
        layout: crumbs(pu.layout(st, "members", title).await, "党员", Some("/party/members"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/members".into(),
        action,
        fields,
        hidden: i.version.map(|v| vec![("version", v.to_string())]).unwrap_or_default(),
        errors: rest,
    }
}

#[derive(Deserialize, Default)]
struct NewMemberQuery {
    party_org_id: Option<String>,
    employer_org_id: Option<String>,
}

async fn member_new(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<NewMemberQuery>,
) -> Result<Response, WebError> {
    let i = MemberInput {
        member_type: "formal".into(),
        party_org_id: q.party_org_id,
        employer_org_id: q.employer_org_id,
        ..Default::default()
    };
    Ok(render(&member_form(&st, &pu, "登记党员", "/party/members".into(), &i, &[], false).await))
}

async fn member_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<MemberInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_member(&pu.user, &i).await {
        Ok(m) => Ok(Redirect::to(&format!("/party/members/{}?ok=created", m.id)).into_response()),
        Err(Error::Invalid(e)) => {
            Ok(form_response(member_form(&st, &pu, "登记党员", "/party/members".into(), &i, &e, false).await))
        }
        Err(e) => Err(e.into()),
    }
}

async fn member_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let m = st.app.party().get_member(&pu.user, id).await?;
    let i = MemberInput {
        name: m.name,
        gender: m.gender,
        member_type: m.member_type,
        joined_on: m.joined_on,
        formal_on: m.formal_on,
        posts: m.posts,
        employer_org_id: m.employer_org.map(|o| o.id.to_string()),
        party_org_id: m.party_org.map(|o| o.id.to_string()),
        id_number: None,
        phone: m.phone,
        left_on: m.left_on,
        version: Some(m.version),
    };
    Ok(render(&member_form(&st, &pu, "修改党员信息", format!("/party/members/{id}"), &i, &[], true).await))
}

async fn member_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(mut i): Form<MemberInput>,
) -> Result<Response, WebError> {
    if !may_write_party(&pu.user) {
        // a secretary keeps the member in their own party organization
        i.party_org_id = own_party_org(&pu.user).map(|p| p.to_string());
    }
    match st.app.party().update_member(&pu.user, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/party/members/{id}?ok=updated")).into_response()),
        Err(Error::Invalid(e)) => {
            Ok(form_response(member_form(&st, &pu, "修改党员信息", format!("/party/members/{id}"), &i, &e, true).await))
        }
        Err(e) => Err(e.into()),
    }
}

async fn member_page(
    st: &AppState,
    pu: &PageUser,
    id: i64,
    q: &OkQuery,
    revealed: Option<String>,
    error: Option<String>,
) -> Result<DetailPage, WebError> {
    let m = st.app.party().get_member(&pu.user, id).await?;
    let gender = match m.gender.as_str() {
        "male" => "男",
        "female" => "女",
        _ => "—",
    };
    let facts = vec![
        ("类别".to_owned(), m.member_type_label.clone()),
        ("性别".to_owned(), gender.to_owned()),
        ("入党日期".to_owned(), m.joined_on.clone().unwrap_or_else(|| "—".into())),
        ("转正日期".to_owned(), m.formal_on.clone().unwrap_or_else(|| "—".into())),
        ("党内职务".to_owned(), if m.posts.is_empty() { "—".into() } else { m.posts.clone() }),
        ("所在党组织".to_owned(), m.party_org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "—".into())),
        ("工作单位".to_owned(), m.employer_org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "—".into())),
        (
            "公民身份号码".to_owned(),
            if m.id_number_masked.is_empty() { "未登记".into() } else { m.id_number_masked.clone() },
        ),
        ("联系电话".to_owned(), if m.phone.is_empty() { "—".into() } else { m.phone.clone() }),
        ("转出日期".to_owned(), m.left_on.clone().unwrap_or_else(|| "—".into())),
    ];
    let trainings = st
        .app
        .party()
        .list_trainings(
            &pu.user,
            &ActivityFilter { member_id: Some(id), ..Default::default() },
            PageRequest::new(None, Some(50)),
        )
        .await?;
    let mut forms = vec![];
    let can_edit = may_write_party(&pu.user) || pu.user.role == hongling_domain::Role::PartySecretary;
    if can_edit && !m.id_number_masked.is_empty() && revealed.is_none() {
        forms.push(InlineForm {
            id: "reveal-form",
            action: format!("/party/members/{id}/reveal"),
            title: "查看完整公民身份号码（须填写事由，记入审计日志）".into(),
            fields: vec![Field::text("reason", "事由", "").placeholder("如：办理组织关系转接")],
            submit: "查看".into(),
            confirm: String::new(),
        });
    }
    Ok(DetailPage {
        layout: crumbs(pu.layout(st, "members", &m.name).await, "党员", Some("/party/members"))
            .crumb(m.name.clone(), None),
        notice: notice(q.ok.as_deref()),
        error,
        title: m.name.clone(),
        tags: vec![(
            m.member_type_label.clone(),
            if m.member_type == "formal" { "hl-tag-green" } else { "hl-tag-orange" },
        )],
        subtitle: format!("党员编号 {id}"),
        buttons: if can_edit { vec![Button::primary("修改", format!("/party/members/{id}/edit"))] } else { vec![] },
        tabs: vec![],
        facts,
        tables: vec![training_table(&trainings.items).titled("培训记录")],
        forms,
        revealed,
    })
}

async fn member_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, WebError> {
    Ok(render(&member_page(&st, &pu, id, &q, None, None).await?))
}

async fn member_reveal(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    match st.app.party().reveal_id_number(&pu.user, id, &f.reason).await {
        Ok(n) => Ok(render(&member_page(&st, &pu, id, &OkQuery::default(), Some(n), None).await?)),
        Err(e @ Error::Invalid(_)) => {
            Ok(render(&member_page(&st, &pu, id, &OkQuery::default(), None, Some(e.to_string())).await?))
        }
        Err(e) => Err(e.into()),
    }
}
