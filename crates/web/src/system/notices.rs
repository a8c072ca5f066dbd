//! 站内通知: the inbox of the signed-in account (the bell in the shell), and
//! opening a notice (marks it read, goes to the page it is about).

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_service::auth::Flash;
use hongling_service::notices::NoticeList;

use super::PageUser;
use crate::AppState;
use crate::error::WebError;
use crate::routes::Routes;
use crate::ui::Button;
use crate::ui::list::{ListView, pairs};

pub(super) fn routes() -> Routes {
    Routes::new().get("/notices", Action::Account, notices).get("/notices/{id}", Action::Account, notice_open).post(
        "/notices/read-all",
        Action::Account,
        notices_read_all,
    )
}

async fn notices(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let view = ListView::load::<NoticeList>(&st, &pu.user, "/notices", "notice-table", &raw, &["q", "unread"], &[])
        .await?
        .actions(|m| vec![("查看", format!("/notices/{}", m.id))]);
    let layout = pu.layout(&st, "notices", "站内通知").await.crumb("站内通知", None);
    let unread = st.app.notices().unread(&pu.user).await?;
    let mut buttons = vec![];
    if unread > 0 {
        buttons.push(Button::post(format!("全部标为已读（{unread}）"), "/notices/read-all", "将全部通知标为已读？"));
    }
    Ok(view.page(layout, "", buttons).render())
}

/// Open a notice: mark it read and go to its page (the inbox if it has none).
async fn notice_open(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let n = st.app.notices().open(&pu.user, id).await?;
    let to = if n.link.is_empty() { "/notices".to_owned() } else { n.link };
    Ok(Redirect::to(&to).into_response())
}

async fn notices_read_all(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    let n = st.app.notices().read_all(&pu.user).await?;
    Ok(pu.redirect(&st, "/notices", Flash::ok(format!("已将 {n} 条通知标为已读。"))).await)
}
