//! Attachments on pages: the download route, reading a multipart form with
//! files, and the table of a record's files. The files themselves are the
//! service's (`hongling_service::attachments`): kept in the database,
//! recognised by content, downloadable by whoever may see the organization.

use std::collections::HashMap;

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use hongling_domain::Action;
use hongling_service::Error;
use hongling_service::attachments::AttachmentRef;

use crate::AppState;
use crate::error::WebError;
use crate::page::PageUser;
use crate::routes::Routes;
use crate::ui::{Cell, Table};

pub(crate) fn routes() -> Routes {
    Routes::new().get("/attachments/{id}", Action::Home, download)
}

/// `filename*=UTF-8''…` of RFC 5987: every byte outside the unreserved set
/// percent-encoded.
fn rfc5987(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A file, as a download: never shown inline, so an uploaded file cannot run
/// as a page of this site.
async fn download(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let f = st.app.attachments().open(&pu.user, id).await?;
    let ext = f.meta.filename.rsplit('.').next().unwrap_or("bin").to_owned();
    Ok((
        [
            (header::CONTENT_TYPE, f.meta.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"attachment.{ext}\"; filename*=UTF-8''{}", rfc5987(&f.meta.filename)),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_owned()),
            (header::HeaderName::from_static("x-content-type-options"), "nosniff".to_owned()),
        ],
        f.bytes,
    )
        .into_response())
}

/// A file received in a form.
pub struct UploadedFile {
    /// the form field it came in
    pub field: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A multipart form: its text fields and its files (empty file inputs
/// skipped). Too large or broken uploads are a 422 on `file` with a Chinese
/// message; nothing is kept.
#[derive(Default)]
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub files: Vec<UploadedFile>,
}

impl Upload {
    pub async fn read(mut mp: Multipart) -> Result<Self, Error> {
        let broken = || Error::invalid("file", "上传未完成或文件过大，请重新选择文件");
        let mut out = Upload::default();
        loop {
            let Some(field) = mp.next_field().await.map_err(|_| broken())? else { break };
            let name = field.name().unwrap_or("").to_owned();
            match field.file_name().map(str::to_owned) {
                Some(filename) => {
                    let bytes = field.bytes().await.map_err(|_| broken())?;
                    if bytes.len() > hongling_domain::attachment::MAX_BYTES {
                        return Err(Error::invalid(
                            "file",
                            format!(
                                "文件过大：每个附件不超过 {} MB",
                                hongling_domain::attachment::MAX_BYTES / 1024 / 1024
                            ),
                        ));
                    }
                    if !bytes.is_empty() {
                        out.files.push(UploadedFile { field: name, filename, bytes: bytes.to_vec() });
                    }
                }
                None => {
                    let text = field.text().await.map_err(|_| broken())?;
                    out.fields.insert(name, text);
                }
            }
        }
        Ok(out)
    }

    /// A text field ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

/// The table of a record's files (name linking to the download, size, who, when).
pub fn table(id: &'static str, title: &str, files: &[AttachmentRef]) -> Table {
    let mut t = Table::new(id, vec!["文件", "大小", "上传人", "上传时间"]).titled(title);
    t.rows = files
        .iter()
        .map(|f| {
            vec![
                Cell::link(f.filename.clone(), f.href()),
                Cell::text(hongling_service::attachments::size_text(f.size_bytes)),
                Cell::text(f.uploaded_by.clone()),
                Cell::text(f.uploaded_at.clone()),
            ]
        })
        .collect();
    t
}
