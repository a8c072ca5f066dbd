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
use hongling_service::registry::import::{ImportState, ImportSummary};

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/registry/import", Action::RegistryImport, import_page)
        .post("/registry/import", Action::RegistryImport, import_upload)
        .get("/registry/import/template", Action::RegistryImport, import_template)
        .get("/registry/import/{job}", Action::RegistryImport, import_preview)
        .get("/registry/import/{job}/progress", Action::RegistryImport, import_progress)
        .post("/registry/import/{job}/commit", Action::RegistryImport, import_commit)
        .post("/registry/import/{job}/discard", Action::RegistryImport, import_discard)
}

#[derive(Template)]
#[template(path = "registry/org_import.html")]
struct ImportPage {
    layout: Layout,
    error: Option<String>,
    job: Option<Job>,
    s: Option<ImportSummary>,
    shown: Vec<(usize, String, String)>,
    more: usize,
    max_mb: usize,
}

/// A job as its page shows it.
struct Job {
    id: i64,
    status: String,
    file_name: String,
    /// The phase while running; why it ended (failed) or went back (previewed).
    progress: String,
    running: bool,
    /// Seconds since upload, as the progress card shows them.
    elapsed: String,
}

impl Job {
    fn of(st: &AppState, j: &ImportState) -> Self {
        let secs = (st.app.now() - j.created_at).whole_seconds().max(0);
        Job {
            id: j.id,
            status: j.status.as_str().to_owned(),
            file_name: j.file_name.clone(),
            progress: j.progress.clone(),
            running: j.status.is_running(),
            elapsed: if secs < 60 { format!("{secs} 秒") } else { format!("{} 分 {} 秒", secs / 60, secs % 60) },
        }
    }
}

/// The progress card alone, which the page asks for every two seconds while
/// the job runs.
#[derive(Template)]
#[template(path = "registry/org_import_progress.html")]
struct ProgressCard {
    job: Job,
}

async fn import_render(
    st: &AppState,
    pu: &PageUser,
    error: Option<(StatusCode, String)>,
    job: Option<ImportState>,
) -> Result<Response, WebError> {
    let s = job.as_ref().and_then(|j| j.summary.clone());
    let shown: Vec<(usize, String, String)> = s
        .as_ref()
        .map(|s| s.rejected.iter().take(1000).map(|r| (r.line, r.name.clone(), r.reasons.join("；"))).collect())
        .unwrap_or_default();
    let more = s.as_ref().map(|s| s.rejected.len().saturating_sub(1000)).unwrap_or(0);
    let status = error.as_ref().map(|e| e.0);
    let mut res = render(&ImportPage {
        layout: pu.layout(st, "org_import", "导入").await.crumb("社会组织", Some("/registry/orgs")).crumb("导入", None),
        error: error.map(|e| e.1),
        job: job.as_ref().map(|j| Job::of(st, j)),
        s,
        shown,
        more,
        max_mb: hongling_service::registry::import::MAX_IMPORT_BYTES / 1024 / 1024,
    });
    if let Some(status) = status {
        *res.status_mut() = status;
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

/// An upload answers at once: the file is kept and read in the background,
/// and the browser goes to the job's page, which follows the read.
async fn import_upload(State(st): State<AppState>, pu: PageUser, mut mp: Multipart) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let bad = StatusCode::UNPROCESSABLE_ENTITY;
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("file") {
                    let name = field.file_name().unwrap_or("upload").to_owned();
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(_) => {
                            let why = "上传未完成或文件过大，请重试".to_owned();
                            return import_render(&st, &pu, Some((bad, why)), None).await;
                        }
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                let why = "上传内容无法读取，请重新选择文件".to_owned();
                return import_render(&st, &pu, Some((bad, why)), None).await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let why = "请选择要导入的 .xlsx 或 .csv 文件".to_owned();
        return import_render(&st, &pu, Some((bad, why)), None).await;
    };
    match st.app.registry().start_import(&pu.user, &name, bytes).await {
        Ok(id) => Ok(Redirect::to(&format!("/registry/import/{id}")).into_response()),
        Err(Error::Invalid(e)) => {
            let msg = e.into_iter().map(|x| x.message).collect::<Vec<_>>().join("；");
            import_render(&st, &pu, Some((bad, msg)), None).await
        }
        // this server reads as many files as it may: say so on the form
        Err(e @ Error::Busy(_)) => {
            import_render(&st, &pu, Some((StatusCode::TOO_MANY_REQUESTS, e.to_string())), None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn import_preview(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let j = st.app.registry().import_state(&pu.user, job).await?;
    import_render(&st, &pu, None, Some(j)).await
}

/// The progress card while the job runs; once it has ended, htmx is told to
/// reload the page, which then shows the result.
async fn import_progress(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let j = st.app.registry().import_state(&pu.user, job).await?;
    if j.status.is_running() {
        return Ok(render(&ProgressCard { job: Job::of(&st, &j) }));
    }
    Ok(([("HX-Refresh", "true")], StatusCode::NO_CONTENT).into_response())
}

async fn import_commit(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    match st.app.registry().start_commit(&pu.user, job).await {
        Ok(()) => Ok(Redirect::to(&format!("/registry/import/{job}")).into_response()),
        Err(e @ Error::Busy(_)) => {
            let j = st.app.registry().import_state(&pu.user, job).await?;
            import_render(&st, &pu, Some((StatusCode::TOO_MANY_REQUESTS, e.to_string())), Some(j)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn import_discard(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    st.app.registry().discard_import(&pu.user, job).await?;
    Ok(Redirect::to(&format!("/registry/import/{job}")).into_response())
}
