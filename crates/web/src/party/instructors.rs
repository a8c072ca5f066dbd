//! Instructors.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::party::coverage::{Assessment, InstructorSource, InstructorStatus};
use hongling_service::auth::Flash;
use hongling_service::list::Value;
use hongling_service::party::instructors::InstructorInput;
use hongling_service::party::lists::{InstructorList, TrainingList};
use hongling_service::{Error, FieldError};

use super::life::embedded;
use crate::AppState;
use crate::error::WebError;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};
use crate::ui::{Button, Cell, DetailPage, Field, FormPage, InlineForm, Kind, Table, attach, options, picker};

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
        .get("/party/instructors/export", Action::InstructorsRead, instructors_export)
}

async fn instructors(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let form = &["q", "region", "source", "assessment", "status", "available"];
    let view =
        ListView::load::<InstructorList>(&st, &pu.user, "/party/instructors", "instructor-table", &raw, form, &[])
            .await?;
    let mut buttons = vec![];
    if pu.user.can(Action::InstructorsWrite) {
        buttons.push(Button::primary("登记党建指导员", "/party/instructors/new"));
    }
    buttons.extend(export_button(&pu.user, Action::InstructorsRead, view.export_href("/party/instructors/export")));
    let layout = crumbs(pu.layout(&st, "instructors", "党建指导员").await, "党建指导员", None);
    Ok(view.page(layout, "", buttons).render())
}

async fn instructors_export(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    crate::ui::list::export::<InstructorList>(&st, &pu.user, raw.as_deref()).await
}

async fn instructor_fields(st: &AppState, i: &InstructorInput) -> Result<Vec<Field>, WebError> {
    Ok(vec![
        Field::text("name", "姓名", i.name.clone()).required(),
        Field::select(
            "source",
            "来源",
            i.source.clone(),
            options(InstructorSource::ALL.iter().map(|t| (t.as_str(), t.label())), Some("请选择")),
        )
        .required(),
        picker::region(st, "region_code", "指导区域", &i.region_code)
            .await?
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
            options(InstructorStatus::ALL.iter().map(|t| (t.as_str(), t.label())), None),
        ),
        Field::select(
            "assessment",
            "年度考核",
            i.assessment.clone(),
            options(Assessment::ALL.iter().map(|t| (t.as_str(), t.label())), Some("未考核")),
        ),
        Field::text("assessment_year", "考核年度", opt_s(&i.assessment_year)),
    ])
}

async fn instructor_form(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    i: &InstructorInput,
    errors: &[FieldError],
) -> Result<FormPage, WebError> {
    let mut fields = instructor_fields(st, i).await?;
    let rest = attach(&mut fields, errors);
    Ok(FormPage {
        layout: crumbs(pu.layout(st, "instructors", title).await, "党建指导员", Some("/party/instructors"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/instructors".into(),
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

async fn instructor_new(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    let i = InstructorInput {
        region_code: pu.user.scope.region.to_string(),
        status: InstructorStatus::Active.as_str().into(),
        ..Default::default()
    };
    Ok(render(&instructor_form(&st, &pu, "登记党建指导员", "/party/instructors".into(), &i, &[]).await?))
}

async fn instructor_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<InstructorInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_instructor(&pu.user, &i).await {
        Ok(m) => Ok(pu.redirect(&st, &format!("/party/instructors/{}", m.id), Flash::ok("已登记党建指导员。")).await),
        Err(Error::Invalid(e)) => {
            Ok(form_response(instructor_form(&st, &pu, "登记党建指导员", "/party/instructors".into(), &i, &e).await?))
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
    Ok(render(&instructor_form(&st, &pu, "修改党建指导员", format!("/party/instructors/{id}"), &i, &[]).await?))
}

async fn instructor_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(i): Form<InstructorInput>,
) -> Result<Response, WebError> {
    match st.app.party().update_instructor(&pu.user, id, &i).await {
        Ok(_) => Ok(pu.redirect(&st, &format!("/party/instructors/{id}"), Flash::ok("已保存修改。")).await),
        Err(Error::Invalid(e)) => Ok(form_response(
            instructor_form(&st, &pu, "修改党建指导员", format!("/party/instructors/{id}"), &i, &e).await?,
        )),
        Err(e) => Err(e.into()),
    }
}

async fn instructor_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
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
    let mut orgs = Table::new("instructor-orgs", vec!["联系的社会组织"]).titled("联系的社会组织");
    for o in &d.orgs {
        orgs.rows.push(vec![Cell::link(o.name.clone(), format!("/party/coverage/orgs/{}", o.id))]);
    }
    let trainings =
        embedded::<TrainingList>(&st, &pu.user, "training-table", "培训记录", vec![("instructor_id", Value::Id(id))])
            .await?;
    let mut forms = vec![];
    if pu.user.can(Action::InstructorsWrite) {
        forms.push(InlineForm {
            id: "assign-form",
            action: format!("/party/instructors/{id}/assign"),
            title: "调整联系组织：输入组织名称，从建议中选择（可选多个）".into(),
            fields: vec![
                Field::multi_picker("add", "新增", "/pick/orgs", vec![]),
                Field::multi_picker("remove", "解除", "/pick/orgs", vec![]),
            ],
            submit: "保存".into(),
            confirm: String::new(),
            get: false,
        });
    }
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "instructors", &m.name).await, "党建指导员", Some("/party/instructors"))
            .crumb(m.name.clone(), None),
        error: None,
        title: m.name.clone(),
        tags: vec![if m.status == InstructorStatus::Active.as_str() {
            ("在任".to_owned(), "hl-tag-green")
        } else {
            ("已离任".to_owned(), "hl-tag-grey")
        }],
        subtitle: m.source_label.clone(),
        buttons: if pu.user.can(Action::InstructorsWrite) {
            vec![Button::primary("修改", format!("/party/instructors/{id}/edit"))]
        } else {
            vec![]
        },
        tabs: vec![],
        facts,
        tables: vec![orgs, trainings],
        forms,
        secret: None,
        query: None,
        note: String::new(),
    }))
}

async fn instructor_assign(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (add, remove) = (picker::ids(&f, "add"), picker::ids(&f, "remove"));
    let to = format!("/party/instructors/{id}");
    match st.app.party().assign_instructor(&pu.user, id, &add, &remove).await {
        Ok(()) => Ok(pu.redirect(&st, &to, Flash::ok("已调整联系组织，覆盖情况已重新计算。")).await),
        Err(e @ Error::Invalid(_)) => {
            let msg: Vec<String> = e.field_errors().iter().map(|f| f.message.clone()).collect();
            Ok(pu.redirect(&st, &to, Flash::error(msg.join("；"))).await)
        }
        Err(e) => Err(e.into()),
    }
}
