//! Party organizations.

use crate::AppState;
use crate::error::WebError;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Button, Cell, DetailPage, Field, FormPage, InlineForm, Kind, ListPage, Tab, Table, attach, options};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_domain::party::coverage::PartyOrgType;
use hongling_service::party::life::ActivityFilter;
use hongling_service::party::members::MemberFilter;
use hongling_service::party::records::{PartyOrgFilter, PartyOrgInput};
use hongling_service::party::{may_read_party, may_write_party, own_party_org};
use hongling_service::{Error, FieldError, PageRequest};
use serde::Deserialize;

use super::life::{fund_table, life_table};
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
}

#[derive(Deserialize, Default)]
struct PartyOrgListQuery {
    region: Option<String>,
    q: Option<String>,
    org_type: Option<String>,
    status: Option<String>,
    stars: Option<String>,
    breaches: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

async fn party_orgs(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<PartyOrgListQuery>,
) -> Result<Response, WebError> {
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let f = PartyOrgFilter {
        region: region.clone(),
        q: nonempty(&q.q),
        org_type: nonempty(&q.org_type),
        channel_id: None,
        status: nonempty(&q.status),
        stars: q.stars.as_deref().and_then(|s| s.parse().ok()),
        breaches: q.breaches.as_deref().map(|b| b == "1"),
    };
    let page = st.app.party().list_party_orgs(&pu.user, &f, PageRequest::new(q.page, None)).await?;
    let labels = st.app.region_labels(&page.items.iter().map(|o| o.region_code.clone()).collect::<Vec<_>>()).await?;
    let mut table = Table::new(
        "party-org-table",
        vec!["党组织名称", "类型", "所在区域", "书记", "覆盖组织", "党员（正式/预备）", "星级", "违规", "操作"],
    );
    for p in &page.items {
        table.rows.push(vec![
            Cell::link(p.name.clone(), format!("/party/orgs/{}", p.id))
                .sub(p.channel.as_ref().map(|c| c.name.clone()).unwrap_or_default()),
            Cell::text(p.org_type_label.clone()),
            Cell::text(labels.get(&p.region_code).cloned().unwrap_or_default()),
            Cell::text(p.secretary.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "—".into())),
            Cell::num(p.covered_orgs.into()),
            Cell::text(format!("{} / {}", p.formal_members, p.probationary_members)),
            Cell::text(if p.star_rating > 0 { "★".repeat(p.star_rating as usize) } else { "—".into() }),
            if p.breach_count > 0 { Cell::tag(p.breach_count.to_string(), "hl-tag-red") } else { Cell::text("—") },
            Cell::link("查看", format!("/party/orgs/{}", p.id)),
        ]);
    }
    let pairs = vec![
        ("region", opt_s(&region)),
        ("q", opt_s(&q.q)),
        ("org_type", opt_s(&q.org_type)),
        ("status", opt_s(&q.status)),
        ("stars", opt_s(&q.stars)),
        ("breaches", opt_s(&q.breaches)),
    ];
    let mut buttons = vec![];
    if may_write_party(&pu.user) {
        buttons.push(Button::primary("新建党组织", "/party/orgs/new"));
    }
    let active = if q.stars.is_some() { "stars" } else { "party_orgs" };
    Ok(render(&ListPage {
        layout: crumbs(
            pu.layout(&st, active, "党组织").await,
            if q.stars.is_some() { "评星定级" } else { "党组织" },
            None,
        ),
        notice: notice(q.ok.as_deref()),
        heading: String::new(),
        intro: String::new(),
        action: "/party/orgs".into(),
        search: if may_read_party(&pu.user) {
            vec![
                Field::text("q", "党组织名称", opt_s(&q.q)),
                Field::picker("region", "区域", "/pick/regions", opt_s(&region), opt_s(&region)),
                Field::select(
                    "org_type",
                    "类型",
                    opt_s(&q.org_type),
                    options(PartyOrgType::ALL.iter().map(|t| (t.as_str(), t.label())), Some("全部")),
                ),
                Field::select(
                    "status",
                    "状态",
                    opt_s(&q.status),
                    vec![(String::new(), "正常".into()), ("dissolved".into(), "已撤销".into())],
                ),
                Field::select(
                    "stars",
                    "星级",
                    opt_s(&q.stars),
                    (0..=5)
                        .map(|s| {
                            (
                                if s == 0 { String::new() } else { s.to_string() },
                                if s == 0 { "全部".into() } else { format!("{s} 星及以上") },
                            )
                        })
                        .collect(),
                ),
                Field::select(
                    "breaches",
                    "违规",
                    opt_s(&q.breaches),
                    vec![(String::new(), "全部".into()), ("1".into(), "仅看有违规的".into())],
                ),
            ]
        } else {
            vec![]
        },
        buttons,
        pager: Some(pager_of("/party/orgs", &pairs, &page)),
        table,
        forms: vec![],
        errors: vec![],
    }))
}

fn party_org_fields(i: &PartyOrgInput, full: bool, channels: &[(String, String)]) -> Vec<Field> {
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
            Field::picker("region_code", "所在区划", "/pick/regions", i.region_code.clone(), i.region_code.clone())
                .required()
                .hint("输入街道、社区名称中的字可选择"),
        );
        f.push(Field::select("channel_id", "管理渠道", opt_s(&i.channel_id), channels.to_vec()));
        f.push(Field::text("parent_id", "上级党组织编号", opt_s(&i.parent_id)).hint("党总支、党委下设支部时填写"));
        f.push(Field::new("founded_on", "成立日期", Kind::Date, opt_s(&i.founded_on)));
    }
    f.push(
        Field::text("secretary_member_id", "书记（党员编号）", opt_s(&i.secretary_member_id))
            .hint("须为本党组织的党员；在党员列表中可查到编号"),
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
    f
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
) -> FormPage {
    let full = may_write_party(&pu.user);
    let mut fields = party_org_fields(i, full, &channel_options(st, pu).await);
    let rest = attach(&mut fields, errors);
    FormPage {
        layout: crumbs(pu.layout(st, "party_orgs", title).await, "党组织", Some("/party/orgs"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/orgs".into(),
        action,
        fields,
        hidden: version.map(|v| vec![("version", v.to_string())]).unwrap_or_default(),
        errors: rest,
    }
}

async fn party_org_new(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    require(may_write_party(&pu.user), "只有党建工作机构可以新建党组织")?;
    let i = PartyOrgInput {
        org_type: "branch".into(),
        region_code: pu.user.scope.region.to_string(),
        ..Default::default()
    };
    Ok(render(&party_org_form(&st, &pu, "新建党组织", "/party/orgs".into(), &i, &[], None).await))
}

async fn party_org_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<PartyOrgInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_party_org(&pu.user, &i).await {
        Ok(p) => Ok(Redirect::to(&format!("/party/orgs/{}?ok=created", p.id)).into_response()),
        Err(Error::Invalid(e)) => {
            Ok(form_response(party_org_form(&st, &pu, "新建党组织", "/party/orgs".into(), &i, &e, None).await))
        }
        Err(e) => Err(e.into()),
    }
}

async fn party_org_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let d = st.app.party().get_party_org(&pu.user, id).await?;
    let p = &d.org;
    let flag = |k: &str| p.venue.iter().any(|v| v.key == k && v.ok);
    let i = PartyOrgInput {
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
    };
    Ok(render(&party_org_form(&st, &pu, "修改党组织", format!("/party/orgs/{id}"), &i, &[], Some(p.version)).await))
}

async fn party_org_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(i): Form<PartyOrgInput>,
) -> Result<Response, WebError> {
    match st.app.party().update_party_org(&pu.user, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/party/orgs/{id}?ok=updated")).into_response()),
        Err(Error::Invalid(e)) => Ok(form_response(
            party_org_form(&st, &pu, "修改党组织", format!("/party/orgs/{id}"), &i, &e, i.version).await,
        )),
        Err(e) => Err(e.into()),
    }
}

async fn party_org_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
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
    let writer = may_write_party(&pu.user) && p.status == "active";
    match tab.as_str() {
        "orgs" => {
            let mut t = Table::new("covered-orgs", vec!["编号", "组织名称", "正式党员", "纳入日期"]);
            for o in &d.orgs {
                t.rows.push(vec![
                    Cell::text(o.id.to_string()),
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
                    title: "调整覆盖的组织（填社会组织编号，多个用逗号分隔）".into(),
                    fields: vec![
                        Field::text("add", "纳入", "").placeholder("如 12,15"),
                        Field::text("remove", "移出", ""),
                    ],
                    submit: "保存".into(),
                    confirm: String::new(),
                });
            }
        }
        "members" => {
            let page = st
                .app
                .party()
                .list_members(
                    &pu.user,
                    &MemberFilter { party_org_id: Some(id), ..Default::default() },
                    PageRequest::new(None, Some(200)),
                )
                .await?;
            let mut t = Table::new(
                "party-org-members",
                vec!["姓名", "类别", "党内职务", "工作单位", "入党日期", "公民身份号码"],
            );
            for m in &page.items {
                t.rows.push(vec![
                    Cell::link(m.name.clone(), format!("/party/members/{}", m.id)),
                    Cell::text(m.member_type_label.clone()),
                    Cell::text(m.posts.clone()),
                    Cell::text(m.employer_org.as_ref().map(|o| o.name.clone()).unwrap_or_default()),
                    date_cell(&m.joined_on),
                    Cell::text(m.id_number_masked.clone()),
                ]);
            }
            tables.push(t);
        }
        "life" => {
            let page = st
                .app
                .party()
                .list_party_life(
                    &pu.user,
                    &ActivityFilter { party_org_id: Some(id), ..Default::default() },
                    PageRequest::new(None, Some(100)),
                )
                .await?;
            tables.push(life_table(&page.items));
        }
        "funds" => {
            let page = st
                .app
                .party()
                .list_funds(
                    &pu.user,
                    &ActivityFilter { party_org_id: Some(id), ..Default::default() },
                    PageRequest::new(None, Some(100)),
                )
                .await?;
            tables.push(fund_table(&page.items));
            let check = st.app.party().fund_check(&pu.user, id).await?;
            let mut t =
                Table::new("fund-check", vec!["项目", "应到位", "已到位", "情况"]).titled("经费保障核对（按政策参数）");
            if let Some(due) = check.startup_due_yuan {
                let ok = check.startup_received_fen >= due * 100;
                t.rows.push(vec![
                    Cell::text("新建党组织工作经费"),
                    Cell::text(format!("{due} 元")),
                    Cell::text(format!("{} 元", hongling_service::party::life::format_fen(check.startup_received_fen))),
                    if ok { Cell::tag("已到位", "hl-tag-green") } else { Cell::tag("不足", "hl-tag-orange") },
                ]);
            }
            if let Some(due) = check.education_due_yuan {
                let ok = check.education_received_fen >= due * 100;
                t.rows.push(vec![
                    Cell::text("本年度党员教育培训经费"),
                    Cell::text(format!("{due} 元")),
                    Cell::text(format!(
                        "{} 元",
                        hongling_service::party::life::format_fen(check.education_received_fen)
                    )),
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
                });
            }
        }
    }
    let tabs =
        [("info", "基本信息"), ("orgs", "覆盖组织"), ("members", "党员"), ("life", "组织生活"), ("funds", "党建经费")]
            .iter()
            .map(|(k, l)| Tab { label: (*l).into(), href: format!("/party/orgs/{id}?tab={k}"), active: tab == *k })
            .collect();
    let mut tags = vec![];
    if p.status != "active" {
        tags.push(("已撤销".to_owned(), "hl-tag-grey"));
    }
    if p.breach_count > 0 {
        tags.push((format!("违规 {} 项", p.breach_count), "hl-tag-red"));
    }
    if p.is_demonstration {
        tags.push(("示范点".to_owned(), "hl-tag-green"));
    }
    let mut buttons = vec![];
    let can_edit = may_write_party(&pu.user)
        || own_party_org(&pu.user) == Some(id) && pu.user.role == hongling_domain::Role::PartySecretary;
    if can_edit && p.status == "active" {
        buttons.push(Button::primary("修改", format!("/party/orgs/{id}/edit")));
        buttons.push(Button::new("登记党员", format!("/party/members/new?party_org_id={id}")));
        buttons.push(Button::new("记录组织生活", format!("/party/life?party_org_id={id}")));
    }
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "party_orgs", &p.name).await, "党组织", Some("/party/orgs"))
            .crumb(p.name.clone(), None),
        notice: notice(q.ok.as_deref()),
        error: q.error.clone(),
        title: p.name.clone(),
        tags,
        subtitle: format!("编号 {id} · {}", p.org_type_label),
        buttons,
        tabs,
        facts,
        tables,
        forms,
        revealed: None,
    }))
}

#[derive(Deserialize)]
pub(super) struct CoverForm {
    #[serde(default)]
    pub add: String,
    #[serde(default)]
    pub remove: String,
}

async fn party_org_cover(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CoverForm>,
) -> Result<Response, WebError> {
    match st.app.party().change_covered_orgs(&pu.user, id, &ids(&f.add), &ids(&f.remove)).await {
        Ok(()) => Ok(Redirect::to(&format!("/party/orgs/{id}?tab=orgs&ok=covered")).into_response()),
        Err(e @ Error::Invalid(_)) => {
            let msg: Vec<String> = e.field_errors().iter().map(|f| f.message.clone()).collect();
            Ok(Redirect::to(&format!(
                "/party/orgs/{id}?{}",
                serde_urlencoded::to_string([("tab", "orgs"), ("error", &msg.join("；"))]).unwrap_or_default()
            ))
            .into_response())
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
    match st.app.party().dissolve_party_org(&pu.user, id, None, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/party/orgs/{id}?ok=dissolved")).into_response()),
        Err(e @ Error::Invalid(_)) => Ok(Redirect::to(&format!(
            "/party/orgs/{id}?{}",
            serde_urlencoded::to_string([("error", e.to_string())]).unwrap_or_default()
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}
