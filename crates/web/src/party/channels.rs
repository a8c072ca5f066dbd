//! Channels.

use crate::AppState;
use crate::error::WebError;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Cell, Field, InlineForm, ListPage, Table, options};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_domain::party::coverage::ChannelKind;
use hongling_service::Error;
use hongling_service::party::may_write_party;
use hongling_service::party::records::ChannelInput;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/party/channels", Action::ChannelsRead, channels).post(
        "/party/channels",
        Action::ChannelsWrite,
        channel_create,
    )
}

async fn channels_render(
    st: &AppState,
    pu: &PageUser,
    i: ChannelInput,
    errors: Vec<String>,
    ok: Option<&str>,
) -> Result<ListPage, WebError> {
    let list = st.app.party().list_channels(&pu.user).await?;
    let mut table = Table::new("channel-table", vec!["渠道名称", "类型", "区划", "社会组织", "操作"]);
    for c in &list {
        table.rows.push(vec![
            Cell::text(c.name.clone()),
            Cell::text(c.kind_label.clone()),
            Cell::text(c.region_code.clone()),
            Cell::num(c.orgs),
            Cell::link("查看组织", format!("/party/coverage/orgs?channel={}", c.kind)),
        ]);
    }
    let form = may_write_party(&pu.user).then(|| InlineForm {
        id: "channel-form",
        action: "/party/channels".into(),
        title: "新增管理渠道（行业党委、枢纽型社会组织党组织等）".into(),
        fields: vec![
            Field::select(
                "kind",
                "类型",
                i.kind.clone(),
                options(ChannelKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            ),
            Field::text("name", "名称", i.name.clone()),
            Field::text("region_code", "区划代码", i.region_code.clone()),
            Field::text("hub_org_id", "枢纽组织编号", opt_s(&i.hub_org_id)),
        ],
        submit: "保存".into(),
        confirm: String::new(),
    });
    Ok(ListPage {
        layout: crumbs(pu.layout(st, "channels", "管理渠道").await, "管理渠道", None),
        notice: notice(ok),
        heading: "党建管理渠道".into(),
        intro: "有业务主管单位的由主管单位党组织负责；直接登记的由社会组织综合党委负责；社区社会组织由镇街、社区党组织兜底（003§1）".into(),
        action: "/party/channels".into(),
        search: vec![],
        buttons: vec![],
        table,
        pager: None,
        forms: form.into_iter().collect(),
        errors,
    })
}

async fn channels(State(st): State<AppState>, pu: PageUser, Query(q): Query<OkQuery>) -> Result<Response, WebError> {
    let i = ChannelInput {
        kind: "industry_committee".into(),
        region_code: pu.user.scope.region.to_string(),
        ..Default::default()
    };
    Ok(render(&channels_render(&st, &pu, i, vec![], q.ok.as_deref()).await?))
}

async fn channel_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<ChannelInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_channel(&pu.user, &i).await {
        Ok(_) => Ok(Redirect::to("/party/channels?ok=created").into_response()),
        Err(Error::Invalid(e)) => {
            let mut res =
                render(&channels_render(&st, &pu, i, e.into_iter().map(|e| e.message).collect(), None).await?);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
