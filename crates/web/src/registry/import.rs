//! Import.

use crate::AppState;
use crate::error::WebError;
use crate::layout::Layout;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_service::Error;
use hongling_service::registry::import::ImportSummary;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/registry/import", Action::RegistryImport, import_page)
        .post("/registry/import", Action::RegistryImport, import_upload)
        .get("/registry/import/template", Action::RegistryImport, import_template)
        .get("/registry/import/{job}", Action::RegistryImport, import_preview)
        .post("/registry/import/{job}/commit", Action::RegistryImport, import_commit)
        .post("/registry/import/{job}/discard", Action::RegistryImport, import_discard)
}

#[derive(Template)]
#[template(path = "registry/org_import.html")]
struct ImportPage {
    layout: Layout,
    error: Option<String>,
    job: Option<i64>,
    status: String,
    s: Option<ImportSummary>,
    shown: Vec<(usize, String, String)>,
    more: usize,
    max_mb: usize,
}

async fn import_render(
    st: &AppState,
    pu: &PageUser,
    error: Option<String>,
    job: Option<(i64, String, ImportSummary)>,
) -> Result<Response, WebError> {
    let (job_id, status, s) = match job {
        Some((id, status, s)) => (Some(id), status, Some(s)),
        None => (None, String::new(), None),
    };
    let shown: Vec<(usize, String, String)> = s
        .as_ref()
        .map(|s| s.rejected.iter().take(1000).map(|r| (r.line, r.name.clone(), r.reasons.join("；"))).collect())
        .unwrap_or_default();
    let more = s.as_ref().map(|s| s.rejected.len().saturating_sub(1000)).unwrap_or(0);
    let failed = error.is_some();
    let mut res = render(&ImportPage {
        layout: pu.layout(st, "org_import", "导入").await.crumb("社会组织", None).crumb("导入", None),
        error,
        job: job_id,
        status,
        s,
        shown,
        more,
        max_mb: hongling_service::registry::import::MAX_IMPORT_BYTES / 1024 / 1024,
    });
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn import_page(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    import_render(&st, &pu, None, None).await
}

async fn import_template(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    Ok(crate::page::xlsx_response(st.app.registry().import_template()?, "社会组织导入模板.xlsx"))
}

async fn import_upload(State(st): State<AppState>, pu: PageUser, mut mp: Multipart) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("file") {
                    let name = field.file_name().unwrap_or("upload").to_owned();
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(_) => {
                            return import_render(&st, &pu, Some("上传未完成或文件过大，请重试".into()), None).await;
                        }
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return import_render(&st, &pu, Some("上传内容无法读取，请重新选择文件".into()), None).await,
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return import_render(&st, &pu, Some("请选择要导入的 .xlsx 或 .csv 文件".into()), None).await;
    };
    match st.app.registry().preview_import(&pu.user, &name, bytes).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/registry/import/{id}")).into_response()),
        Err(Error::Invalid(e)) => {
            let msg = e.into_iter().map(|x| x.message).collect::<Vec<_>>().join("；");
            import_render(&st, &pu, Some(msg), None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn import_preview(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let (j, s) = st.app.registry().import_job(&pu.user, job).await?;
    import_render(&st, &pu, None, Some((j.id, j.status, s))).await
}

async fn import_commit(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    st.app.registry().commit_import(&pu.user, job).await?;
    Ok(Redirect::to(&format!("/registry/import/{job}")).into_response())
}

async fn import_discard(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    st.app.registry().discard_import(&pu.user, job).await?;
    Ok(Redirect::to(&format!("/registry/import/{job}")).into_response())
}
