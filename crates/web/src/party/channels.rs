//! Management channels (党建管理渠道): the list and a form to add one.

use axum::Form;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::party::coverage::ChannelKind;
use hongling_service::auth::Flash;
use hongling_service::list::Pick;
use hongling_service::party::lists::ChannelList;
use hongling_service::party::records::ChannelInput;
use hongling_service::{Error, FieldError};

use super::{crumbs, opt_s};
use crate::AppState;
use crate::error::WebError;
use crate::page::PageUser;
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};
use crate::ui::{Field, InlineForm, attach, options, picker};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/channels", Action::ChannelsRead, channels)
        .post("/party/channels", Action::ChannelsWrite, channel_create)
        .get("/party/channels/export", Action::ChannelsRead, channels_export)
}

async fn channels_page(
    st: &AppState,
    pu: &PageUser,
    raw: &[(String, String)],
    i: ChannelInput,
    errors: &[FieldError],
) -> Result<Response, WebError> {
    let view = ListView::load::<ChannelList>(
        st,
        &pu.user,
        "/party/channels",
        "channel-table",
        raw,
        &["q", "kind", "region"],
        &[],
    )
    .await?
    .actions(|c| vec![("查看组织", format!("/party/coverage/orgs?channel_id={}", c.id))]);
    let mut forms = vec![];
    let mut rest = vec![];
    if pu.user.can(Action::ChannelsWrite) {
        let mut fields = vec![
            Field::select(
                "kind",
                "类型",
                i.kind.clone(),
                options(ChannelKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            ),
            Field::text("name", "名称", i.name.clone()),
            picker::region(st, "region_code", "所在区划", &i.region_code).await?,
            picker::field(st, &pu.user, "hub_org_id", "枢纽组织", Pick::Orgs, &opt_s(&i.hub_org_id)).await?,
        ];
        rest = attach(&mut fields, errors);
        forms.push(InlineForm {
            id: "channel-form",
            action: "/party/channels".into(),
            title: "新增管理渠道（行业党委、枢纽型社会组织党组织等）".into(),
            fields,
            submit: "保存".into(),
            confirm: String::new(),
            get: false,
        });
    }
    let export = export_button(&pu.user, Action::ChannelsRead, view.export_href("/party/channels/export"));
    let layout = crumbs(pu.layout(st, "channels", "管理渠道").await, "管理渠道", None);
    let mut page = view
        .page(layout, "党建管理渠道", export.into_iter().collect())
        .intro("有业务主管单位的由主管单位党组织负责；直接登记的由社会组织综合党委负责；社区社会组织由镇街、社区党组织兜底")
        .forms(forms);
    page.errors.extend(rest);
    let mut res = page.render();
    if !errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn channels(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let i = ChannelInput {
        kind: ChannelKind::IndustryCommittee.as_str().into(),
        region_code: pu.user.scope.region.to_string(),
        ..Default::default()
    };
    channels_page(&st, &pu, &pairs(raw.as_deref()), i, &[]).await
}

async fn channel_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<ChannelInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_channel(&pu.user, &i).await {
        Ok(_) => Ok(pu.redirect(&st, "/party/channels", Flash::ok("已新增管理渠道。")).await),
        Err(Error::Invalid(e)) => channels_page(&st, &pu, &[], i, &e).await,
        Err(e) => Err(e.into()),
    }
}

async fn channels_export(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    crate::ui::list::export::<ChannelList>(&st, &pu.user, raw.as_deref()).await
}
