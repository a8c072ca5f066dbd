//! Instructors.

use crate::AppState;
use crate::error::WebError;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Button, Cell, DetailPage, Field, FormPage, InlineForm, Kind, ListPage, Table, attach, options};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_domain::party::coverage::{Assessment, InstructorSource};
use hongling_service::party::instructors::{InstructorFilter, InstructorInput};
use hongling_service::party::life::ActivityFilter;
use hongling_service::party::may_write_party;
use hongling_service::{Error, FieldError, PageRequest};
use serde::Deserialize;

use super::life::training_table;
use super::orgs::CoverForm;
use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/instructors", Action::InstructorsRead, instructors)
        .post("/party/instructors", Action::InstructorsWrite, instructor_create)
        .get("/party/instructors/new", Action::InstructorsWrite, instructor_new)
        .get("/party/instructors/{id}", Action::InstructorsRead, instructor_detail)
        .post("/party/instructors/{id}", Action::InstructorsWrite, instructor_update)
        .get("/party/instructors/{id}/edit", Action::InstructorsWrite, instructor_edit)
        .post("/party/instructors/{id}/assign", Action::InstructorsWrite, instructor_assign)
}

#[derive(Deserialize, Default)]
struct InstructorListQuery {
    region: Option<String>,
    q: Option<String>,
    source: Option<String>,
    status: Option<String>,
    available: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

async fn instructors(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<InstructorListQuery>,
) -> Result<Response, WebError> {
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let f = InstructorFilter {
        region: region.clone(),
        q: nonempty(&q.q),
        source: nonempty(&q.source),
        status: nonempty(&q.status),
        available: q.available.as_deref().map(|s| s == "1"),
    };
    let page = st.app.party().list_instructors(&pu.user, &f, PageRequest::new(q.page, None)).await?;
    let labels = st.app.region_labels(&page.items.iter().map(|o| o.region_code.clone()).collect::<Vec<_>>()).await?;
    let mut table =
        Table::new("instructor-table", vec!["姓名", "来源", "指导区域", "工作单位", "联系组织", "考核", "操作"]);
    for i in &page.items {
        table.rows.push(vec![
            Cell::link(i.name.clone(), format!("/party/instructors/{}", i.id)),
            Cell::text(i.source_label.clone()),
            Cell::text(labels.get(&i.region_code).cloned().unwrap_or_default()),
            Cell::text(i.employer.clone()),
            Cell::tag(
                format!("{} / {}", i.load, i.max_orgs),
                if i.load >= i.max_orgs { "hl-tag-orange" } else { "hl-tag-green" },
            ),
            Cell::text(if i.assessment.is_empty() {
                "—".into()
            } else {
                format!("{}（{}）", i.assessment_label, i.assessment_year.map(|y| y.to_string()).unwrap_or_default())
            }),
            Cell::link("查看", format!("/party/instructors/{}", i.id)),
        ]);
    }
    let pairs = vec![
        ("region", opt_s(&region)),
        ("q", opt_s(&q.q)),
        ("source", opt_s(&q.source)),
        ("status", opt_s(&q.status)),
        ("available", opt_s(&q.available)),
    ];
    let mut buttons = vec![];
    if may_write_party(&pu.user) {
        buttons.push(Button::primary("登记党建指导员", "/party/instructors/new"));
    }
    Ok(render(&ListPage {
        layout: crumbs(pu.layout(&st, "instructors", "党建指导员").await, "党建指导员", None),
        notice: notice(q.ok.as_deref()),
        heading: String::new(),
        intro: String::new(),
        action: "/party/instructors".into(),
        search: vec![
            Field::text("q", "姓名", opt_s(&q.q)),
            Field::picker("region", "区域", "/pick/regions", opt_s(&region), opt_s(&region)),
            Field::select(
                "source",
                "来源",
                opt_s(&q.source),
                options(InstructorSource::ALL.iter().map(|t| (t.as_str(), t.label())), Some("全部")),
            ),
            Field::select(
                "status",
                "状态",
                opt_s(&q.status),
                vec![(String::new(), "在岗".into()), ("inactive".into(), "停止履职".into())],
            ),
            Field::select(
                "available",
                "负荷",
                opt_s(&q.available),
                vec![(String::new(), "全部".into()), ("1".into(), "尚可增加联系组织".into())],
            ),
        ],
        buttons,
        pager: Some(pager_of("/party/instructors", &pairs, &page)),
        table,
        forms: vec![],
        errors: vec![],
    }))
}

fn instructor_fields(i: &InstructorInput) -> Vec<Field> {
    vec![
        Field::text("name", "姓名", i.name.clone()).required(),
        Field::select(
            "source",
            "来源",
            i.source.clone(),
            options(InstructorSource::ALL.iter().map(|t| (t.as_str(), t.label())), Some("请选择")),
        )
        .required(),
        Field::picker("region_code", "指导区域", "/pick/regions", i.region_code.clone(), i.region_code.clone())
            .required()
            .hint("可联系该区域内的社会组织"),
        Field::text("employer", "工作单位", i.employer.clone()),
        Field::text("phone", "联系电话", i.phone.clone()),
        Field::text("longitude", "经度", opt_s(&i.longitude)).placeholder("如 118.582184").hint("用于就近匹配"),
        Field::text("latitude", "纬度", opt_s(&i.latitude)).placeholder("如 37.448963"),
        Field::text("max_orgs", "联系组织上限", opt_s(&i.max_orgs)).hint("不填按政策参数（默认 5 个）"),
        Field::new("appointed_on", "选派日期", Kind::Date, opt_s(&i.appointed_on)),
        Field::select(
            "status",
            "状态",
            i.status.clone(),
            vec![("active".into(), "在岗".into()), ("inactive".into(), "停止履职".into())],
        ),
        Field::select(
            "assessment",
            "年度考核",
            i.assessment.clone(),
            options(Assessment::ALL.iter().map(|t| (t.as_str(), t.label())), Some("未考核")),
        ),
        Field::text("assessment_year", "考核年度", opt_s(&i.assessment_year)),
    ]
}

async fn instructor_form(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    i: &InstructorInput,
    errors: &[FieldError],
) -> FormPage {
    let mut fields = instructor_fields(i);
    let rest = attach(&mut fields, errors);
    FormPage {
        layout: crumbs(pu.layout(st, "instructors", title).await, "党建指导员", Some("/party/instructors"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/instructors".into(),
        action,
        fields,
        hidden: i.version.map(|v| vec![("version", v.to_string())]).unwrap_or_default(),
        errors: rest,
    }
}

async fn instructor_new(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    require(may_write_party(&pu.user), "只有党建工作机构可以登记党建指导员")?;
    let i = InstructorInput {
        region_code: pu.user.scope.region.to_string(),
        status: "active".into(),
        ..Default::default()
    };
    Ok(render(&instructor_form(&st, &pu, "登记党建指导员", "/party/instructors".into(), &i, &[]).await))
}

async fn instructor_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<InstructorInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_instructor(&pu.user, &i).await {
        Ok(m) => Ok(Redirect::to(&format!("/party/instructors/{}?ok=created", m.id)).into_response()),
        Err(Error::Invalid(e)) => {
            Ok(form_response(instructor_form(&st, &pu, "登记党建指导员", "/party/instructors".into(), &i, &e).await))
        }
        Err(e) => Err(e.into()),
    }
}

async fn instructor_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let d = st.app.party().get_instructor(&pu.user, id).await?;
    let m = d.instructor;
    let i = InstructorInput {
        name: m.name,
        source: m.source,
        region_code: m.region_code,
        employer: m.employer,
        phone: m.phone,
        longitude: m.longitude.map(|v| format!("{v:.6}")),
        latitude: m.latitude.map(|v| format!("{v:.6}")),
        max_orgs: m.max_orgs_own.map(|v| v.to_string()),
        appointed_on: m.appointed_on,
        status: m.status,
        assessment: m.assessment,
        assessment_year: m.assessment_year.map(|v| v.to_string()),
        version: Some(m.version),
    };
    Ok(render(&instructor_form(&st, &pu, "修改党建指导员", format!("/party/instructors/{id}"), &i, &[]).await))
}

async fn instructor_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(i): Form<InstructorInput>,
) -> Result<Response, WebError> {
    match st.app.party().update_instructor(&pu.user, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/party/instructors/{id}?ok=updated")).into_response()),
        Err(Error::Invalid(e)) => Ok(form_response(
            instructor_form(&st, &pu, "修改党建指导员", format!("/party/instructors/{id}"), &i, &e).await,
        )),
        Err(e) => Err(e.into()),
    }
}

async fn instructor_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, WebError> {
    let d = st.app.party().get_instructor(&pu.user, id).await?;
    let m = &d.instructor;
    let region = st.app.region_display_name(&m.region_code).await?;
    let facts = vec![
        ("来源".to_owned(), m.source_label.clone()),
        ("指导区域".to_owned(), region),
        ("工作单位".to_owned(), m.employer.clone()),
        ("联系电话".to_owned(), m.phone.clone()),
        ("联系组织".to_owned(), format!("{} 个（上限 {} 个）", m.load, m.max_orgs)),
        ("选派日期".to_owned(), m.appointed_on.clone().unwrap_or_else(|| "—".into())),
        (
            "年度考核".to_owned(),
            if m.assessment.is_empty() {
                "—".into()
            } else {
                format!(
                    "{}（{} 年度）",
                    m.assessment_label,
                    m.assessment_year.map(|y| y.to_string()).unwrap_or_default()
                )
            },
        ),
        (
            "坐标".to_owned(),
            match (m.longitude, m.latitude) {
                (Some(a), Some(b)) => format!("{a:.6}, {b:.6}"),
                _ => "—".into(),
            },
        ),
    ];
    let mut orgs = Table::new("instructor-orgs", vec!["编号", "联系的社会组织"]).titled("联系的社会组织");
    for o in &d.orgs {
        orgs.rows.push(vec![
            Cell::text(o.id.to_string()),
            Cell::link(o.name.clone(), format!("/party/coverage/orgs/{}", o.id)),
        ]);
    }
    let trainings = st
        .app
        .party()
        .list_trainings(
            &pu.user,
            &ActivityFilter { instructor_id: Some(id), ..Default::default() },
            PageRequest::new(None, Some(50)),
        )
        .await?;
    let mut forms = vec![];
    if may_write_party(&pu.user) {
        forms.push(InlineForm {
            id: "assign-form",
            action: format!("/party/instructors/{id}/assign"),
            title: "调整联系组织（填社会组织编号，多个用逗号分隔）".into(),
            fields: vec![Field::text("add", "新增", "").placeholder("如 12,15"), Field::text("remove", "解除", "")],
            submit: "保存".into(),
            confirm: String::new(),
        });
    }
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "instructors", &m.name).await, "党建指导员", Some("/party/instructors"))
            .crumb(m.name.clone(), None),
        notice: notice(q.ok.as_deref()),
        error: q.error.clone(),
        title: m.name.clone(),
        tags: vec![if m.status == "active" {
            ("在岗".to_owned(), "hl-tag-green")
        } else {
            ("停止履职".to_owned(), "hl-tag-grey")
        }],
        subtitle: format!("指导员编号 {id}"),
        buttons: if may_write_party(&pu.user) {
            vec![Button::primary("修改", format!("/party/instructors/{id}/edit"))]
        } else {
            vec![]
        },
        tabs: vec![],
        facts,
        tables: vec![orgs, training_table(&trainings.items).titled("培训记录")],
        forms,
        revealed: None,
    }))
}

async fn instructor_assign(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CoverForm>,
) -> Result<Response, WebError> {
    match st.app.party().assign_instructor(&pu.user, id, &ids(&f.add), &ids(&f.remove)).await {
        Ok(()) => Ok(Redirect::to(&format!("/party/instructors/{id}?ok=assigned")).into_response()),
        Err(e @ Error::Invalid(_)) => {
            let msg: Vec<String> = e.field_errors().iter().map(|f| f.message.clone()).collect();
            Ok(Redirect::to(&format!(
                "/party/instructors/{id}?{}",
                serde_urlencoded::to_string([("error", msg.join("；"))]).unwrap_or_default()
            ))
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
