//! The in-app notice inbox (站内通知), shared by every module.
//!
//! A module sends a notice inside the transaction of the change or the job
//! run that causes it, with [`Hongling::notify`]: to one account (`user_id`) or
//! to every account of an organization (`org_id`). A `dedup_key` makes a
//! reminder idempotent: the same key is stored once, however often a job
//! runs (the insert is `ON CONFLICT DO NOTHING` on a unique index, so two
//! servers sending it at once still store one).
//!
//! Who sees a notice: the account it names, and, for an organization's
//! notice, every account whose scope is that organization. Reading is
//! shared: a notice to an organization opened by one of its accounts is read
//! for all of them. Marking read is the reader's own state, not a change of
//! records, and is not audited.

use hongling_domain::Action;
use hongling_domain::role::ScopeKind;
use hongling_store::entity::notice;
use hongling_store::to_db;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::sync::LazyLock;

use crate::list::{Bind, Cell, Filter, ListQuery, ListSpec, Listing, Record, Tone, Value};
use crate::{CurrentUser, Error, Hongling, Result};

/// A notice to send (see [`Hongling::notify`]).
#[derive(Debug, Clone, Default)]
pub struct NewNotice {
    /// every account of this organization
    pub org_id: Option<i64>,
    /// this account
    pub user_id: Option<i64>,
    /// what sends it, `module.what` (`annual_report.reminder`)
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    /// the page it is about, a same-site path
    pub link: Option<String>,
    /// sent once per key (`annual_report.reminder:2025:123:d30`)
    pub dedup_key: Option<String>,
}

/// The facade of the inbox: `app.notices()`.
pub struct Notices<'a>(pub(crate) &'a Hongling);

impl std::ops::Deref for Notices<'_> {
    type Target = Hongling;
    fn deref(&self) -> &Hongling {
        self.0
    }
}

/// Truncate to `max` characters (the columns' lengths).
fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

impl Hongling {
    pub fn notices(&self) -> Notices<'_> {
        Notices(self)
    }

    /// Send a notice within the caller's transaction. `Ok(false)` when a
    /// notice with the same `dedup_key` exists already (nothing written).
    pub async fn notify(&self, conn: &impl ConnectionTrait, n: NewNotice) -> Result<bool> {
        if n.org_id.is_none() && n.user_id.is_none() {
            return Err(Error::Conflict("通知没有接收人".into()));
        }
        let link = n.link.filter(|l| l.starts_with('/') && !l.starts_with("//")).unwrap_or_default();
        let am = notice::ActiveModel {
            org_id: Set(n.org_id),
            user_id: Set(n.user_id),
            kind: Set(clip(n.kind, 48)),
            title: Set(clip(&n.title, 200)),
            body: Set(n.body),
            link: Set(clip(&link, 300)),
            dedup_key: Set(n.dedup_key.map(|k| clip(&k, 160))),
            created_at: Set(to_db(self.now())),
            read_at: Set(None),
            ..Default::default()
        };
        let done = notice::Entity::insert(am)
            .on_conflict(OnConflict::column(notice::Column::DedupKey).do_nothing().to_owned())
            .exec_without_returning(conn)
            .await?;
        Ok(done > 0)
    }

    /// The notices `me` receives, as a condition.
    pub(crate) fn notice_visibility(&self, me: &CurrentUser) -> Condition {
        let mut c = Condition::any().add(notice::Column::UserId.eq(me.id));
        if me.scope.kind == ScopeKind::Org
            && let Some(org) = me.scope.ref_id
        {
            c = c.add(notice::Column::OrgId.eq(org));
        }
        c
    }
}

impl Notices<'_> {
    /// How many unread notices `me` has (the bell in the shell).
    pub async fn unread(&self, me: &CurrentUser) -> Result<u64> {
        Ok(notice::Entity::find()
            .filter(self.notice_visibility(me))
            .filter(notice::Column::ReadAt.is_null())
            .count(&self.db)
            .await?)
    }

    /// Open one of `me`'s notices: marks it read and answers it (404 for
    /// anyone else's).
    pub async fn open(&self, me: &CurrentUser, id: i64) -> Result<notice::Model> {
        let m = notice::Entity::find_by_id(id)
            .filter(self.notice_visibility(me))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        if m.read_at.is_none() {
            notice::Entity::update_many()
                .col_expr(notice::Column::ReadAt, sea_orm::sea_query::Expr::value(to_db(self.now())))
                .filter(notice::Column::Id.eq(id))
                .filter(notice::Column::ReadAt.is_null())
                .exec(&self.db)
                .await?;
        }
        Ok(m)
    }

    /// Mark all of `me`'s notices read; answers how many were unread.
    pub async fn read_all(&self, me: &CurrentUser) -> Result<u64> {
        let done = notice::Entity::update_many()
            .col_expr(notice::Column::ReadAt, sea_orm::sea_query::Expr::value(to_db(self.now())))
            .filter(self.notice_visibility(me))
            .filter(notice::Column::ReadAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected)
    }
}

/// The inbox (站内通知) of the caller, newest first.
pub struct NoticeList;

static NOTICES: LazyLock<ListSpec<notice::Entity, notice::Model>> = LazyLock::new(|| {
    use notice::Column as C;
    ListSpec::<notice::Entity, notice::Model>::new("notices", "站内通知")
        .filter(Filter::search("q", "标题"), Bind::Contains(C::Title))
        .filter(Filter::flag("unread", "状态", "仅看未读"), Bind::With(unread))
        .sorted("created_at", "时间", C::CreatedAt, |m| {
            Cell::text(crate::auth::local_time(m.created_at.assume_utc()))
        })
        .column("title", "标题", |m| Cell::link(m.title.clone(), Record::Notice, m.id))
        .column("body", "内容", |m| Cell::text(m.body.clone()))
        .column("status", "状态", |m| {
            if m.read_at.is_some() {
                Cell::Tag("已读".into(), Tone::Grey)
            } else {
                Cell::Tag("未读".into(), Tone::Red)
            }
        })
});

fn unread(v: &Value) -> Condition {
    match v {
        Value::Flag(true) => Condition::all().add(notice::Column::ReadAt.is_null()),
        _ => Condition::all(),
    }
}

impl Listing for NoticeList {
    type Entity = notice::Entity;
    type Row = notice::Model;

    fn spec() -> &'static ListSpec<notice::Entity, notice::Model> {
        &NOTICES
    }

    fn scope(app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::Account)?;
        Ok(app.notice_visibility(me))
    }

    async fn rows(_app: &Hongling, _me: &CurrentUser, models: Vec<notice::Model>) -> Result<Vec<notice::Model>> {
        Ok(models)
    }
}
