//! Party organizations.

use axum::Form;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::party::coverage::{PartyOrgStatus, PartyOrgType};
use hongling_service::auth::Flash;
use hongling_service::list::{Pick, Value};
use hongling_service::party::lists::{FundList, MemberList, PartyLifeList, PartyOrgList};
use hongling_service::party::records::PartyOrgInput;
use hongling_service::party::{may_read_party, may_write_party, own_party_org};
use hongling_service::{Error, FieldError};
use serde::Deserialize;

use super::life::embedded;
use crate::AppState;
use crate::error::WebError;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};
use crate::ui::{
    Button, Cell, Conflict, DetailPage, Field, FormPage, InlineForm, Kind, Tab, Table, attach, options, picker,
};

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/orgs", Action::PartyRecordsRead, party_orgs)
        .post("/party/orgs", Action::PartyOrgsWrite, party_org_create)
        .get("/party/orgs/new", Action::PartyOrgsWrite, party_org_new)
        .get("/party/orgs/{id}", Action::PartyRecordsRead, party_org_detail)
        .post("/party/orgs/{id}", Action::PartyOrgEdit, party_org_update)
        .get("/party/orgs/{id}/edit", Action::PartyOrgEdit, party_org_edit)
        .post("/party/orgs/{id}/cover", Action::PartyOrgsWrite, party_org_cover)
        .post("/party/orgs/{id}/dissolve", Action::PartyOrgsWrite, party_org_dissolve)
        .get("/party/orgs/export", Action::PartyRecordsRead, party_orgs_export)
}

/// The search form of region readers (a party organization's own people see theirs).
const FORM: &[&str] = &["q", "region", "org_type", "status", "stars", "breaches"];

async fn party_orgs(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let form: &[&str] = if may_read_party(&pu.user) { FORM } else { &[] };
    let view = ListView::load::<PartyOrgList>(&st, &pu.user, "/party/orgs", "party-org-table", &raw, form, &[]).await?;
    let stars = view.query.as_ref().is_some_and(|q| q.get("stars").is_some());
    let mut buttons = vec![];
    if pu.user.can(Action::PartyOrgsWrite) {
        buttons.push(Button::primary("新建党组织", "/party/orgs/new"));
    }
    buttons.extend(export_button(&pu.user, Action::PartyRecordsRead, view.export_href("/party/orgs/export")));
    let title = if stars { "评星定级" } else { "党组织" };
    let layout = crumbs(pu.layout(&st, if stars { "stars" } else { "party_orgs" }, title).await, title, None);
    Ok(view.page(layout, "", buttons).render())
}

async fn party_orgs_export(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    crate::ui::list::export::<PartyOrgList>(&st, &pu.user, raw.as_deref()).await
}

async fn party_org_fields(
    st: &AppState,
    pu: &PageUser,
    i: &PartyOrgInput,
    full: bool,
    channels: &[(String, String)],
) -> Result<Vec<Field>, WebError> {
    let mut f =
        vec![Field::text("name", "党组织名称", i.name.clone()).required().placeholder("如：东营市某协会党支部")];
    if full {
        f.push(
            Field::select(
                "org_type",
                "类型",
                i.org_type.clone(),
                options(PartyOrgType::ALL.iter().map(|t| (t.as_str(), t.label())), Some("请选择")),
            )
            .required(),
        );
        f.push(
            picker::region(st, "region_code", "所在区划", &i.region_code)
                .await?
                .required()
                .hint("输入街道、社区名称中的字可选择"),
        );
        f.push(Field::select("channel_id", "管理渠道", opt_s(&i.channel_id), channels.to_vec()));
        f.push(
            picker::field(st, &pu.user, "parent_id", "上级党组织", Pick::PartyOrgs, &opt_s(&i.parent_id))
                .await?
                .hint("党总支、党委下设支部时填写"),
        );
        f.push(Field::new("founded_on", "成立日期", Kind::Date, opt_s(&i.founded_on)));
    }
    f.push(
        picker::field(st, &pu.user, "secretary_member_id", "书记", Pick::Members, &opt_s(&i.secretary_member_id))
            .await?
            .hint("须为本党组织的党员：输入姓名，从建议中选择"),
    );
    f.push(Field::new("secretary_since", "书记任职日期", Kind::Date, opt_s(&i.secretary_since)));
    f.push(Field::text("brand", "党建品牌", i.brand.clone()).placeholder("一支部一品牌"));
    if full {
        f.push(Field::select(
            "star_rating",
            "评星定级",
            opt_s(&i.star_rating),
            (0..=5).map(|s| (s.to_string(), if s == 0 { "未评定".into() } else { format!("{s} 星") })).collect(),
        ));
        f.push(Field::check("is_demonstration", "党建示范点", i.is_demonstration));
    }
    for (name, label, on) in [
        ("venue_place", "有场所", i.venue_place),
        ("venue_facilities", "有设施", i.venue_facilities),
        ("venue_sign", "有标识", i.venue_sign),
        ("venue_flag", "有党旗", i.venue_flag),
        ("venue_books", "有书报", i.venue_books),
        ("venue_rules", "有制度", i.venue_rules),
    ] {
        f.push(Field::check(name, label, on));
    }
    Ok(f)
}

async fn channel_options(st: &AppState, pu: &PageUser) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "（不指定）".to_owned())];
    if let Ok(list) = st.app.party().channel_choices(&pu.user).await {
        v.extend(list.into_iter().map(|(id, name)| (id.to_string(), name)));
    }
    v
}

async fn party_org_form(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    i: &PartyOrgInput,
    errors: &[FieldError],
    version: Option<i32>,
) -> Result<FormPage, WebError> {
    let full = pu.user.can(Action::PartyOrgsWrite);
    let mut fields = party_org_fields(st, pu, i, full, &channel_options(st, pu).await).await?;
    let rest = attach(&mut fields, errors);
    Ok(FormPage {
        layout: crumbs(pu.layout(st, "party_orgs", title).await, "党组织", Some("/party/orgs"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/orgs".into(),
        action,
        fields,
        hidden: version.map(|v| vec![("version", v.to_string())]).unwrap_or_default(),
        errors: rest,
        submit: "保存".into(),
        confirm: String::new(),
        note: String::new(),
        conflict: None,
    })
}

async fn party_org_new(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    let i = PartyOrgInput {
        org_type: "branch".into(),
        region_code: pu.user.scope.region.to_string(),
        ..Default::default()
    };
    Ok(render(&party_org_form(&st, &pu, "新建党组织", "/party/orgs".into(), &i, &[], None).await?))
}

async fn party_org_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<PartyOrgInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_party_org(&pu.user, &i).await {
        Ok(p) => Ok(pu
            .redirect(&st, &format!("/party/orgs/{}", p.id), Flash::ok("已新建党组织，覆盖情况已重新计算。"))
            .await),
        Err(Error::Invalid(e)) => {
            Ok(form_response(party_org_form(&st, &pu, "新建党组织", "/party/orgs".into(), &i, &e, None).await?))
        }
        Err(e) => Err(e.into()),
    }
}

async fn party_org_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let i = party_org_input(&st, &pu, id).await?;
    Ok(render(&party_org_form(&st, &pu, "修改党组织", format!("/party/orgs/{id}"), &i, &[], i.version).await?))
}

/// The edit form's input of a party organization as saved.
async fn party_org_input(st: &AppState, pu: &PageUser, id: i64) -> Result<PartyOrgInput, WebError> {
    let d = st.app.party().get_party_org(&pu.user, id).await?;
    let p = &d.org;
    let flag = |k: &str| p.venue.iter().any(|v| v.key == k && v.ok);
    Ok(PartyOrgInput {
        name: p.name.clone(),
        org_type: p.org_type.clone(),
        region_code: p.region_code.clone(),
        channel_id: p.channel.as_ref().map(|c| c.id.to_string()),
        parent_id: p.parent.as_ref().map(|c| c.id.to_string()),
        founded_on: p.founded_on.clone(),
        secretary_member_id: p.secretary.as_ref().map(|c| c.id.to_string()),
        secretary_since: p.secretary_since.clone(),
        venue_place: flag("venue_place"),
        venue_facilities: flag("venue_facilities"),
        venue_sign: flag("venue_sign"),
        venue_flag: flag("venue_flag"),
        venue_books: flag("venue_books"),
        venue_rules: flag("venue_rules"),
        brand: p.brand.clone(),
        is_demonstration: p.is_demonstration,
        star_rating: Some(p.star_rating.to_string()),
        org_ids: vec![],
        version: Some(p.version),
    })
}

async fn party_org_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(i): Form<PartyOrgInput>,
) -> Result<Response, WebError> {
    match st.app.party().update_party_org(&pu.user, id, &i).await {
        Ok(_) => {
            Ok(pu.redirect(&st, &format!("/party/orgs/{id}"), Flash::ok("已保存修改，覆盖情况已重新计算。")).await)
        }
        Err(Error::Invalid(e)) => Ok(form_response(
            party_org_form(&st, &pu, "修改党组织", format!("/party/orgs/{id}"), &i, &e, i.version).await?,
        )),
        Err(Error::Conflict(m)) => {
            // a colleague saved first: keep the input, carry the new version, show theirs
            let theirs = party_org_input(&st, &pu, id).await?;
            if i.version.is_none_or(|v| Some(v) == theirs.version) {
                return Err(Error::Conflict(m).into());
            }
            let action = format!("/party/orgs/{id}");
            let mut page = party_org_form(&st, &pu, "修改党组织", action.clone(), &i, &[], theirs.version).await?;
            let full = pu.user.can(Action::PartyOrgsWrite);
            let saved = party_org_fields(&st, &pu, &theirs, full, &channel_options(&st, &pu).await).await?;
            let c = Conflict::between(&mut page.fields, &saved, &[], format!("{action}/edit"));
            page = page.with_conflict(c);
            let mut res = render(&page);
            *res.status_mut() = axum::http::StatusCode::CONFLICT;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn party_org_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<TabQuery>,
) -> Result<Response, WebError> {
    let d = st.app.party().get_party_org(&pu.user, id).await?;
    let p = &d.org;
    let tab = q.tab.clone().unwrap_or_else(|| "info".into());
    let region = st.app.region_display_name(&p.region_code).await?;
    let venue_ok = p.venue.iter().filter(|v| v.ok).count();
    let mut facts = vec![];
    if tab == "info" {
        facts = vec![
            ("类型".to_owned(), p.org_type_label.clone()),
            ("所在区域".to_owned(), region),
            ("管理渠道".to_owned(), p.channel.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "—".into())),
            ("上级党组织".to_owned(), p.parent.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "—".into())),
            ("成立日期".to_owned(), p.founded_on.clone().unwrap_or_else(|| "—".into())),
            (
                "书记".to_owned(),
                p.secretary
                    .as_ref()
                    .map(|s| format!("{}（{} 起）", s.name, p.secretary_since.clone().unwrap_or_default()))
                    .unwrap_or_else(|| "空缺".into()),
            ),
            ("覆盖组织".to_owned(), format!("{} 个", p.covered_orgs)),
            ("党员".to_owned(), format!("正式 {} 名，预备 {} 名", p.formal_members, p.probationary_members)),
            (
                "“六有”阵地".to_owned(),
                format!(
                    "{venue_ok}/6：{}",
                    p.venue
                        .iter()
                        .map(|v| format!("{}{}", v.label, if v.ok { "✓" } else { "✗" }))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ),
            ("党建品牌".to_owned(), if p.brand.is_empty() { "—".into() } else { p.brand.clone() }),
            (
                "评星定级".to_owned(),
                if p.star_rating > 0 { "★".repeat(p.star_rating as usize) } else { "未评定".into() },
            ),
            ("党建示范点".to_owned(), if p.is_demonstration { "是".into() } else { "否".into() }),
        ];
    }
    let mut tables = Vec::new();
    let mut forms = Vec::new();
    let active = p.status == PartyOrgStatus::Active.as_str();
    let writer = pu.user.can(Action::PartyOrgsWrite) && active;
    match tab.as_str() {
        "orgs" => {
            let mut t = Table::new("covered-orgs", vec!["组织名称", "正式党员", "纳入日期"]);
            for o in &d.orgs {
                t.rows.push(vec![
                    Cell::link(o.name.clone(), format!("/party/coverage/orgs/{}", o.id)),
                    Cell::num(o.formal_members.into()),
                    Cell::text(o.since.clone()),
                ]);
            }
            tables.push(t);
            if writer {
                forms.push(InlineForm {
                    id: "cover-form",
                    action: format!("/party/orgs/{id}/cover"),
                    title: "调整覆盖的组织：输入组织名称，从建议中选择（可选多个）".into(),
                    fields: vec![
                        Field::multi_picker("add", "纳入", "/pick/orgs", vec![]),
                        Field::multi_picker("remove", "移出", "/pick/orgs", vec![]),
                    ],
                    submit: "保存".into(),
                    confirm: String::new(),
                    get: false,
                });
            }
        }
        "members" => {
            let t = embedded::<MemberList>(
                &st,
                &pu.user,
                "party-org-members",
                "党员",
                vec![("party_org_id", Value::Id(id))],
            )
            .await?;
            tables.push(t);
        }
        "life" => {
            tables.push(
                embedded::<PartyLifeList>(
                    &st,
                    &pu.user,
                    "life-table",
                    "组织生活（最近 10 次）",
                    vec![("party_org_id", Value::Id(id))],
                )
                .await?,
            );
        }
        "funds" => {
            tables.push(
                embedded::<FundList>(
                    &st,
                    &pu.user,
                    "fund-table",
                    "党建经费（最近 10 笔）",
                    vec![("party_org_id", Value::Id(id))],
                )
                .await?,
            );
            let check = st.app.party().fund_check(&pu.user, id).await?;
            let mut t =
                Table::new("fund-check", vec!["项目", "应到位", "已到位", "情况"]).titled("经费保障核对（按政策参数）");
            if let Some(due) = check.startup_due_yuan {
                let ok = check.startup_received_fen >= due * 100;
                t.rows.push(vec![
                    Cell::text("新建党组织工作经费"),
                    Cell::text(format!("{} 元", crate::fmt::thousands(due))),
                    Cell::text(format!("{} 元", crate::fmt::money(check.startup_received_fen))),
                    if ok { Cell::tag("已到位", "hl-tag-green") } else { Cell::tag("不足", "hl-tag-orange") },
                ]);
            }
            if let Some(note) = &check.startup_note {
                t.rows.push(vec![
                    Cell::text("新建党组织工作经费"),
                    Cell::text("—"),
                    Cell::text(format!("{} 元", hongling_service::party::life::format_fen(check.startup_received_fen))),
                    Cell::text(note.clone()),
                ]);
            }
            if let Some(due) = check.education_due_yuan {
                let ok = check.education_received_fen >= due * 100;
                t.rows.push(vec![
                    Cell::text("本年度党员教育培训经费"),
                    Cell::text(format!("{} 元", crate::fmt::thousands(due))),
                    Cell::text(format!("{} 元", crate::fmt::money(check.education_received_fen))),
                    if ok { Cell::tag("已到位", "hl-tag-green") } else { Cell::tag("不足", "hl-tag-orange") },
                ]);
            }
            tables.push(t);
        }
        _ => {
            let mut t = Table::new("party-org-breaches", vec!["规则", "情况", "发现日期"]).titled("违规提示");
            for b in &d.breaches {
                t.rows.push(vec![
                    Cell::tag(b.rule_label.clone(), "hl-tag-red"),
                    Cell::text(b.detail.clone()),
                    Cell::text(b.since.clone()),
                ]);
            }
            tables.push(t);
            if writer {
                forms.push(InlineForm {
                    id: "dissolve-form",
                    action: format!("/party/orgs/{id}/dissolve"),
                    title: "撤销党组织".into(),
                    fields: vec![Field::text("reason", "撤销原因", "").placeholder("如：所在社会组织注销")],
                    submit: "撤销".into(),
                    confirm: "确定撤销该党组织？其覆盖的组织将解除覆盖。".into(),
                    get: false,
                });
            }
        }
    }
    let tabs = Tab::of(
        &format!("/party/orgs/{id}"),
        &[("info", "基本信息"), ("orgs", "覆盖组织"), ("members", "党员"), ("life", "组织生活"), ("funds", "党建经费")],
        &tab,
    );
    let mut tags = vec![];
    if !active {
        tags.push(("已撤销".to_owned(), "hl-tag-grey"));
    }
    if p.breach_count > 0 {
        tags.push((format!("违规 {} 项", p.breach_count), "hl-tag-red"));
    }
    if p.is_demonstration {
        tags.push(("示范点".to_owned(), "hl-tag-green"));
    }
    let mut buttons = vec![];
    let can_edit =
        may_write_party(&pu.user) || own_party_org(&pu.user) == Some(id) && pu.user.can(Action::PartyOrgEdit);
    if can_edit && active {
        buttons.push(Button::primary("修改", format!("/party/orgs/{id}/edit")));
        buttons.push(Button::new("登记党员", format!("/party/members/new?party_org_id={id}")));
        buttons.push(Button::new("记录组织生活", format!("/party/life?party_org_id={id}")));
    }
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "party_orgs", &p.name).await, "党组织", Some("/party/orgs"))
            .crumb(p.name.clone(), None),
        error: None,
        title: p.name.clone(),
        tags,
        subtitle: p.org_type_label.clone(),
        buttons,
        tabs,
        facts,
        tables,
        forms,
        secret: None,
        query: None,
        note: String::new(),
    }))
}

async fn party_org_cover(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (add, remove) = (picker::ids(&f, "add"), picker::ids(&f, "remove"));
    let to = format!("/party/orgs/{id}?tab=orgs");
    match st.app.party().change_covered_orgs(&pu.user, id, &add, &remove).await {
        Ok(()) => Ok(pu.redirect(&st, &to, Flash::ok("已调整覆盖的组织，覆盖情况已重新计算。")).await),
        Err(e @ Error::Invalid(_)) => {
            let msg: Vec<String> = e.field_errors().iter().map(|f| f.message.clone()).collect();
            Ok(pu.redirect(&st, &to, Flash::error(msg.join("；"))).await)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct ReasonForm {
    #[serde(default)]
    pub reason: String,
}

async fn party_org_dissolve(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    let to = format!("/party/orgs/{id}");
    match st.app.party().dissolve_party_org(&pu.user, id, None, &f.reason).await {
        Ok(()) => Ok(pu.redirect(&st, &to, Flash::ok("已撤销该党组织，其覆盖的组织已解除。")).await),
        Err(e @ Error::Invalid(_)) => Ok(pu.redirect(&st, &to, Flash::error(e.to_string())).await),
        Err(e) => Err(e.into()),
    }
}
