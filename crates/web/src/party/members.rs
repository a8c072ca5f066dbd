//! Members.

use axum::Form;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::party::coverage::MemberType;
use hongling_service::auth::Flash;
use hongling_service::list::{Pick, Value};
use hongling_service::party::lists::{MemberList, TrainingList};
use hongling_service::party::members::MemberInput;
use hongling_service::party::{may_read_party, may_write_party, own_party_org};
use hongling_service::{Error, FieldError};
use serde::Deserialize;

use super::life::embedded;
use super::orgs::ReasonForm;
use crate::AppState;
use crate::error::WebError;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};
use crate::ui::{Button, Conflict, DetailPage, Field, FormPage, InlineForm, Kind, Secret, attach, options, picker};

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
        .get("/party/members/export", Action::PartyRecordsRead, members_export)
}

async fn members(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let form: &[&str] = if may_read_party(&pu.user) {
        &["q", "region", "party_org_id", "employer_org_id", "member_type", "include_left"]
    } else {
        &["q", "member_type", "include_left"]
    };
    let view = ListView::load::<MemberList>(&st, &pu.user, "/party/members", "member-table", &raw, form, &[]).await?;
    let mut buttons = vec![];
    if pu.user.can(Action::PartyMembersWrite) {
        buttons.push(Button::primary("登记党员", "/party/members/new"));
    }
    buttons.extend(export_button(&pu.user, Action::PartyRecordsRead, view.export_href("/party/members/export")));
    let layout = crumbs(pu.layout(&st, "members", "党员").await, "党员", None);
    Ok(view.page(layout, "", buttons).render())
}

async fn members_export(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    crate::ui::list::export::<MemberList>(&st, &pu.user, raw.as_deref()).await
}

async fn member_fields(
    st: &AppState,
    pu: &PageUser,
    i: &MemberInput,
    editing: bool,
    full: bool,
) -> Result<Vec<Field>, WebError> {
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
            picker::field(st, &pu.user, "party_org_id", "所在党组织", Pick::PartyOrgs, &opt_s(&i.party_org_id))
                .await?
                .hint("组织关系所在的党组织；尚未建立党组织的可只填工作单位"),
        );
    }
    f.push(
        picker::field(st, &pu.user, "employer_org_id", "工作单位（社会组织）", Pick::Orgs, &opt_s(&i.employer_org_id))
            .await?
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
    Ok(f)
}

async fn member_form(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    i: &MemberInput,
    errors: &[FieldError],
    editing: bool,
) -> Result<FormPage, WebError> {
    let mut fields = member_fields(st, pu, i, editing, may_write_party(&pu.user)).await?;
    let rest = attach(&mut fields, errors);
    Ok(FormPage {
        layout: crumbs(pu.layout(st, "members", title).await, "党员", Some("/party/members"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/members".into(),
        action,
        fields,
        hidden: i.version.map(|v| vec![("version", v.to_string())]).unwrap_or_default(),
        errors: rest,
        submit: "保存".into(),
        confirm: String::new(),
        note: String::new(),
        conflict: None,
    })
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
    Ok(render(&member_form(&st, &pu, "登记党员", "/party/members".into(), &i, &[], false).await?))
}

async fn member_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<MemberInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_member(&pu.user, &i).await {
        Ok(m) => Ok(pu
            .redirect(&st, &format!("/party/members/{}", m.id), Flash::ok("已登记党员，覆盖情况已重新计算。"))
            .await),
        Err(Error::Invalid(e)) => {
            Ok(form_response(member_form(&st, &pu, "登记党员", "/party/members".into(), &i, &e, false).await?))
        }
        Err(e) => Err(e.into()),
    }
}

async fn member_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let i = member_input(st.app.party().get_member(&pu.user, id).await?);
    Ok(render(&member_form(&st, &pu, "修改党员信息", format!("/party/members/{id}"), &i, &[], true).await?))
}

/// The edit form's input of a member as saved.
fn member_input(m: hongling_service::party::members::MemberView) -> MemberInput {
    MemberInput {
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
    }
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
        Ok(_) => {
            Ok(pu.redirect(&st, &format!("/party/members/{id}"), Flash::ok("已保存修改，覆盖情况已重新计算。")).await)
        }
        Err(Error::Invalid(e)) => Ok(form_response(
            member_form(&st, &pu, "修改党员信息", format!("/party/members/{id}"), &i, &e, true).await?,
        )),
        Err(Error::Conflict(m)) => {
            // a colleague saved first: keep the input, carry the new version, show theirs
            let cur = st.app.party().get_member(&pu.user, id).await?;
            if i.version.is_none_or(|v| v == cur.version) {
                return Err(Error::Conflict(m).into());
            }
            let theirs = member_input(cur);
            let mine = MemberInput { version: theirs.version, ..i };
            let action = format!("/party/members/{id}");
            let mut page = member_form(&st, &pu, "修改党员信息", action.clone(), &mine, &[], true).await?;
            let saved = member_fields(&st, &pu, &theirs, true, may_write_party(&pu.user)).await?;
            let c = Conflict::between(&mut page.fields, &saved, &["id_number"], format!("{action}/edit"));
            page = page.with_conflict(c);
            let mut res = render(&page);
            *res.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn member_page(
    st: &AppState,
    pu: &PageUser,
    id: i64,
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
    let trainings =
        embedded::<TrainingList>(st, &pu.user, "training-table", "培训记录", vec![("member_id", Value::Id(id))])
            .await?;
    let mut forms = vec![];
    let can_edit = pu.user.can(Action::PartyMembersWrite);
    if can_edit && !m.id_number_masked.is_empty() && revealed.is_none() {
        forms.push(InlineForm {
            id: "reveal-form",
            action: format!("/party/members/{id}/reveal"),
            title: "查看完整公民身份号码（须填写事由，记入审计日志）".into(),
            fields: vec![Field::text("reason", "事由", "").placeholder("如：办理组织关系转接")],
            submit: "查看".into(),
            confirm: String::new(),
            get: false,
        });
    }
    Ok(DetailPage {
        layout: crumbs(pu.layout(st, "members", &m.name).await, "党员", Some("/party/members"))
            .crumb(m.name.clone(), None),
        error,
        title: m.name.clone(),
        tags: vec![(
            m.member_type_label.clone(),
            if m.member_type == MemberType::Formal.as_str() { "hl-tag-green" } else { "hl-tag-orange" },
        )],
        subtitle: m.party_org.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        buttons: if can_edit { vec![Button::primary("修改", format!("/party/members/{id}/edit"))] } else { vec![] },
        tabs: vec![],
        facts,
        tables: vec![trainings],
        forms,
        secret: revealed.map(|v| Secret {
            label: "完整号码：".into(),
            value: v,
            note: "本次查看已记入审计日志，请勿截屏外传".into(),
        }),
        query: None,
        note: String::new(),
    })
}

async fn member_detail(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    Ok(render(&member_page(&st, &pu, id, None, None).await?))
}

async fn member_reveal(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    match st.app.party().reveal_id_number(&pu.user, id, &f.reason).await {
        Ok(n) => Ok(render(&member_page(&st, &pu, id, Some(n), None).await?)),
        Err(e @ Error::Invalid(_)) => {
            let mut res = render(&member_page(&st, &pu, id, None, Some(e.to_string())).await?);
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
