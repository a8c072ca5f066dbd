//! Attachments (附件), shared by every module: files kept in the database
//! (`attachments`, m0018) so that any server can serve them and a backup
//! holds them.
//!
//! A module stores a file inside the transaction of its own change with
//! [`Hongling::store_attachment`], naming the record it belongs to
//! (`owner_kind`, `owner_id`) and, for an organization's record, the
//! organization and its region. The content decides what the file is (PDF,
//! PNG, JPEG: `hongling_domain::attachment`), not its name; at most
//! 10 MiB. Storing writes the audit entry `attachment.add` in the same
//! transaction.
//!
//! Who may download: whoever may see the organization the file belongs to
//! (region readers by the file's region; an organization's account, its own;
//! a supervisory unit, its organizations' files; a party organization, its
//! covered organizations'). A file with no organization is visible to region
//! scopes over its region only. Anyone else's id answers 404. The owning
//! module decides who may *add* files (it calls `store_attachment` only after
//! its own permission check).

use hongling_domain::attachment::{self, FileKind};
use hongling_domain::audit::AuditAction;
use hongling_domain::role::ScopeKind;
use hongling_store::entity::attachment as att;
use hongling_store::registry::entity::social_org;
use hongling_store::to_db;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::{CurrentUser, Error, Hongling, Principal, Result};

/// A file to store (see [`Hongling::store_attachment`]).
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// the owning record's kind, `annual_report`, `rectification`, `spot_check`…
    pub owner_kind: &'static str,
    pub owner_id: i64,
    pub org_id: Option<i64>,
    /// the organization's (or the record's) region
    pub region_code: String,
    /// the name the browser sent (cleaned before it is kept)
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// What a page or the API shows of a stored file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentRef {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, lowercase hex
    pub sha256: String,
    pub uploaded_by: String,
    /// Beijing time
    pub uploaded_at: String,
}

impl AttachmentRef {
    /// The download address.
    pub fn href(&self) -> String {
        format!("/attachments/{}", self.id)
    }

    /// "审计报告.pdf（1.2 MB）"
    pub fn label(&self) -> String {
        format!("{}（{}）", self.filename, size_text(self.size_bytes))
    }
}

/// A size in words: 532 KB, 1.2 MB.
pub fn size_text(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    }
}

fn view(m: &att::Model) -> AttachmentRef {
    AttachmentRef {
        id: m.id,
        filename: m.filename.clone(),
        content_type: m.content_type.clone(),
        size_bytes: m.size_bytes,
        sha256: m.sha256.clone(),
        uploaded_by: m.uploaded_by_name.clone(),
        uploaded_at: crate::auth::local_time(m.uploaded_at.assume_utc()),
    }
}

/// The columns of a list of files (the content is not read).
#[derive(sea_orm::FromQueryResult)]
struct Meta {
    id: i64,
    filename: String,
    content_type: String,
    size_bytes: i64,
    sha256: String,
    uploaded_by_name: String,
    uploaded_at: time::PrimitiveDateTime,
}

/// A downloaded file.
pub struct AttachmentFile {
    pub meta: AttachmentRef,
    pub bytes: Vec<u8>,
}

/// The facade: `app.attachments()`.
pub struct Attachments<'a>(pub(crate) &'a Hongling);

impl std::ops::Deref for Attachments<'_> {
    type Target = Hongling;
    fn deref(&self) -> &Hongling {
        self.0
    }
}

impl Hongling {
    pub fn attachments(&self) -> Attachments<'_> {
        Attachments(self)
    }

    /// Keep a file within the caller's transaction, after the owning
    /// module's permission check. Refused (422 on the field `file`) when it
    /// is empty, too large or not a PDF, PNG or JPEG.
    pub async fn store_attachment(
        &self,
        conn: &impl ConnectionTrait,
        by: &Principal,
        a: NewAttachment,
    ) -> Result<AttachmentRef> {
        let kind: FileKind = attachment::check(&a.bytes).map_err(|m| Error::invalid("file", m))?;
        let filename = attachment::clean_name(&a.filename, kind);
        let sha256 = hex::encode(Sha256::digest(&a.bytes));
        let size = a.bytes.len() as i64;
        let actor_name = match by {
            Principal::User(u) => u.display_name.clone(),
            other => other.actor_name(),
        };
        let m = att::ActiveModel {
            owner_kind: Set(a.owner_kind.to_owned()),
            owner_id: Set(a.owner_id),
            org_id: Set(a.org_id),
            region_code: Set(a.region_code.clone()),
            filename: Set(filename.clone()),
            content_type: Set(kind.content_type().to_owned()),
            size_bytes: Set(size),
            sha256: Set(sha256.clone()),
            content: Set(a.bytes),
            uploaded_by: Set(by.actor_id()),
            uploaded_by_name: Set(actor_name.chars().take(64).collect()),
            uploaded_at: Set(to_db(self.now())),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        self.audit(
            conn,
            by,
            AuditAction::AttachmentAdd,
            "attachment",
            m.id,
            &a.region_code,
            format!("上传附件“{filename}”（{}）", size_text(size)),
            None,
            Some(serde_json::json!({
                "owner_kind": a.owner_kind, "owner_id": a.owner_id, "filename": filename,
                "size_bytes": size, "sha256": sha256,
            })),
        )
        .await?;
        Ok(view(&m))
    }

    /// The files `me` may download, as a condition.
    pub(crate) fn attachment_visibility(&self, me: &CurrentUser) -> Condition {
        match me.scope.kind {
            ScopeKind::Region => crate::pick::subtree(att::Column::RegionCode, me.scope.region.as_str()),
            _ => Condition::all().add(
                att::Column::OrgId.in_subquery(
                    Query::select()
                        .column(social_org::Column::Id)
                        .from(social_org::Entity)
                        .cond_where(self.org_visibility(me))
                        .take(),
                ),
            ),
        }
    }
}

impl Attachments<'_> {
    /// The files of one record that `me` may download, oldest first (no content).
    pub async fn of(&self, me: &CurrentUser, owner_kind: &str, owner_id: i64) -> Result<Vec<AttachmentRef>> {
        let rows = att::Entity::find()
            .select_only()
            .columns([
                att::Column::Id,
                att::Column::Filename,
                att::Column::ContentType,
                att::Column::SizeBytes,
                att::Column::Sha256,
                att::Column::UploadedByName,
                att::Column::UploadedAt,
            ])
            .filter(att::Column::OwnerKind.eq(owner_kind))
            .filter(att::Column::OwnerId.eq(owner_id))
            .filter(self.attachment_visibility(me))
            .order_by_asc(att::Column::Id)
            .into_model::<Meta>()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| AttachmentRef {
                id: m.id,
                filename: m.filename,
                content_type: m.content_type,
                size_bytes: m.size_bytes,
                sha256: m.sha256,
                uploaded_by: m.uploaded_by_name,
                uploaded_at: crate::auth::local_time(m.uploaded_at.assume_utc()),
            })
            .collect())
    }

    /// One file with its content, for download (404 outside `me`'s scope).
    pub async fn open(&self, me: &CurrentUser, id: i64) -> Result<AttachmentFile> {
        let m = att::Entity::find_by_id(id)
            .filter(self.attachment_visibility(me))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        Ok(AttachmentFile { meta: view(&m), bytes: m.content })
    }
}
