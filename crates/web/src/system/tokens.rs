//! 我的 API 令牌: a user's own API tokens (made, last used, expiry, state),
//! a form to make one (shown once) and 撤销 on each.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::auth::TokenStatus;
use hongling_service::auth::Flash;
use hongling_service::{Error, Principal};
use serde::Deserialize;

use super::{PageUser, render};
use crate::AppState;
use crate::error::WebError;
use crate::routes::Routes;
use crate::ui::{Cell, DetailPage, Field, InlineForm, Secret, Table, attach};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/account/tokens", Action::Account, tokens)
        .post("/account/tokens", Action::Account, token_create)
        .post("/account/tokens/{id}/revoke", Action::Account, token_revoke)
}

/// An instant in Beijing time, as every time on the pages.
fn when(t: time::OffsetDateTime) -> String {
    hongling_service::auth::local_time(t)
}

async fn tokens_page(
    st: &AppState,
    pu: &PageUser,
    secret: Option<String>,
    errors: &[hongling_service::FieldError],
    name: &str,
    days: &str,
) -> Result<Response, WebError> {
    let me = Principal::User(pu.user.clone());
    let list = st.app.tokens_of(&me, &pu.user.username).await?;
    let mut layout = pu.layout(st, "", "我的 API 令牌").await.crumb("我的 API 令牌", None);
    if secret.is_some() {
        layout.flash = Some(Flash::ok("令牌已创建。"));
    }
    let mut page = DetailPage::new(layout, "我的 API 令牌");
    page.note = "其他系统（省级平台、12345 热线、数据共享交换平台）以令牌调用本系统的接口：请求头 Authorization: Bearer <令牌>，权限与本账号相同。令牌只在创建时显示一次，系统只保存其摘要；不再使用的令牌请立即撤销，修改密码后全部令牌失效。".into();
    let rate = st.app.api_rate.max;
    page.facts = vec![
        ("账号".into(), format!("{}（{}）", pu.user.display_name, pu.user.username)),
        (
            "调用频率上限".into(),
            if rate > 0 { format!("每分钟 {rate} 次（本账号全部令牌合计）") } else { "不限".into() },
        ),
    ];
    let mut table = Table::new("token-table", vec!["名称", "前缀", "创建时间", "最近使用", "到期时间", "状态", "操作"])
        .titled("令牌");
    table.rows = list
        .iter()
        .map(|t| {
            let class = match t.status {
                TokenStatus::Active => "hl-tag-green",
                TokenStatus::Expired => "hl-tag-grey",
                TokenStatus::Revoked => "hl-tag-orange",
            };
            let action = if t.status == TokenStatus::Active {
                Cell::post(
                    "撤销",
                    format!("/account/tokens/{}/revoke", t.id),
                    format!("撤销令牌“{}”（{}）？使用它的系统将立即无法调用接口。", t.name, t.prefix),
                )
            } else {
                Cell::default()
            };
            vec![
                Cell::text(t.name.clone()),
                Cell::text(format!("{}…", t.prefix)),
                Cell::text(when(t.created_at)),
                Cell::text(t.last_used_at.map(when).unwrap_or_else(|| "从未使用".into())),
                Cell::text(when(t.expires_at)),
                Cell::tag(t.status.label(), class),
                action,
            ]
        })
        .collect();
    page.tables = vec![table];
    let mut fields = vec![
        Field::text("name", "令牌名称", name).required().placeholder("如：省级平台数据交换"),
        Field::text("days", "有效期（天）", days).hint(format!("1–{} 天", st.app.tokens.max_days)),
    ];
    let errors = attach(&mut fields, errors);
    page.error = errors.first().cloned();
    page.forms = vec![InlineForm {
        id: "token-form",
        action: "/account/tokens".into(),
        title: "新建令牌".into(),
        fields,
        submit: "创建".into(),
        confirm: String::new(),
        get: false,
    }];
    page.secret = secret.map(|s| Secret {
        label: "请立即复制并妥善保存：令牌 ".into(),
        value: s,
        note: "仅显示这一次，系统不保存明文".into(),
    });
    Ok(render(&page))
}

async fn tokens(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    let days = st.app.tokens.default_days.to_string();
    tokens_page(&st, &pu, None, &[], "", &days).await
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
    #[serde(default)]
    days: String,
}

async fn token_create(State(st): State<AppState>, pu: PageUser, Form(f): Form<NewToken>) -> Result<Response, WebError> {
    let days = match f.days.trim() {
        "" => Ok(None),
        d => d.parse::<i64>().map(Some).map_err(|_| Error::invalid("days", "有效期应为整数天数")),
    };
    let created = match days {
        Ok(_) if f.name.trim().is_empty() => Err(Error::invalid("name", "请填写令牌名称，以便日后辨认")),
        Ok(days) => st.app.create_token(&Principal::User(pu.user.clone()), &pu.user.username, &f.name, days).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(token) => {
            let days = st.app.tokens.default_days.to_string();
            tokens_page(&st, &pu, Some(token), &[], "", &days).await
        }
        Err(Error::Invalid(errors)) => {
            let mut res = tokens_page(&st, &pu, None, &errors, &f.name, &f.days).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn token_revoke(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let t = st.app.revoke_token(&Principal::User(pu.user.clone()), &pu.user.username, &id.to_string()).await?;
    let text = format!("已撤销令牌“{}”（{}…），使用它的系统将无法再调用接口。", t.name, t.prefix);
    Ok(pu.redirect(&st, "/account/tokens", Flash::ok(text)).await)
}
