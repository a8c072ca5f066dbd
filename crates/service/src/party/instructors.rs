//! Party-building instructors (党建指导员, `001`): source, training,
//! assessment, and the organizations they serve, within a load limit.

use hongling_domain::audit::AuditAction;
use hongling_domain::party::coverage::{Assessment, InstructorSource, InstructorStatus};
pub use hongling_domain::party::inputs::InstructorInput;
use hongling_domain::party::records::{InstructorDraft, check_instructor_load};
use hongling_domain::policy::Param;
use hongling_domain::registry::OrgStatus;
use hongling_store::party::entity::{instructor, instructor_assignment};
use hongling_store::registry::entity::social_org;
use hongling_store::{begin_write, to_db};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Party;
use super::{require_party_reader, require_party_writer};
use crate::Ref;
use crate::input::Reader;
use crate::refs::unreachable;
use crate::{CurrentUser, Error, Principal, Result};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstructorView {
    pub id: i64,
    pub name: String,
    #[schema(value_type = hongling_domain::party::coverage::InstructorSource)]
    pub source: String,
    pub source_label: String,
    /// the region subtree served
    pub region_code: String,
    /// the region's name (township, community…)
    pub region_name: String,
    pub employer: String,
    pub phone: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    /// organizations served now
    pub load: i32,
    /// the load limit (own, else the policy profile's)
    pub max_orgs: i32,
    pub max_orgs_own: Option<i32>,
    pub appointed_on: Option<String>,
    /// active, inactive
    #[schema(value_type = hongling_domain::party::coverage::InstructorStatus)]
    pub status: String,
    /// excellent, competent, basic, incompetent, or empty
    #[schema(schema_with = hongling_domain::party::coverage::Assessment::schema_or_empty)]
    pub assessment: String,
    pub assessment_label: String,
    pub assessment_year: Option<i32>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstructorDetail {
    #[serde(flatten)]
    pub instructor: InstructorView,
    pub orgs: Vec<Ref>,
}

fn instructor_json(m: &instructor::Model) -> serde_json::Value {
    json!({
        "name": m.name, "source": m.source, "region_code": m.region_code, "employer": m.employer,
        "max_orgs": m.max_orgs, "appointed_on": m.appointed_on, "status": m.status,
        "assessment": m.assessment, "assessment_year": m.assessment_year,
    })
}

impl Party<'_> {
    async fn instructor_model(&self, me: &CurrentUser, id: i64) -> Result<instructor::Model> {
        require_party_reader(me)?;
        let m = instructor::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)?;
        if me.scope.region.contains_str(&m.region_code) { Ok(m) } else { Err(Error::NotFound) }
    }

    /// May the caller keep this instructor's records: a region writer, for
    /// instructors of their subtree (a city's instructors are the city's).
    pub(crate) fn edits_instructor(&self, me: &CurrentUser, m: &instructor::Model) -> bool {
        super::may_write_party(me) && me.scope.region.contains_str(&m.region_code)
    }

    /// The load limit of an instructor: their own, else the profile's.
    pub(crate) async fn instructor_limit(&self, m: &instructor::Model) -> Result<i32> {
        let mut profiles = super::refresh::Profiles::load(&self.db, self.today()).await?;
        Ok(limit_of(m, &mut profiles))
    }
}

/// The load limit of an instructor with the profiles of many regions at hand.
pub(crate) fn limit_of(m: &instructor::Model, profiles: &mut super::refresh::Profiles) -> i32 {
    m.max_orgs.unwrap_or_else(|| profiles.get(&m.region_code).count(Param::InstructorMaxOrgs) as i32)
}

impl Party<'_> {
    pub(crate) async fn instructor_views(&self, rows: Vec<instructor::Model>) -> Result<Vec<InstructorView>> {
        let region_labels = self.region_labels(&rows.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
        let mut profiles = super::refresh::Profiles::load(&self.db, self.today()).await?;
        let mut out = Vec::new();
        for m in rows {
            let limit = limit_of(&m, &mut profiles);
            out.push(InstructorView {
                id: m.id,
                source_label: InstructorSource::parse(&m.source).map(InstructorSource::label).unwrap_or("").to_owned(),
                assessment_label: Assessment::parse(&m.assessment).map(Assessment::label).unwrap_or("").to_owned(),
                name: m.name,
                source: m.source,
                region_name: region_labels.get(&m.region_code).cloned().unwrap_or_default(),
                region_code: m.region_code,
                employer: m.employer,
                phone: m.phone,
                longitude: m.lon_e6.map(|v| v as f64 / 1e6),
                latitude: m.lat_e6.map(|v| v as f64 / 1e6),
                load: m.load,
                max_orgs: limit,
                max_orgs_own: m.max_orgs,
                appointed_on: crate::input::fmt_date(m.appointed_on),
                status: m.status,
                assessment: m.assessment,
                assessment_year: m.assessment_year,
                version: m.version,
            });
        }
        Ok(out)
    }

    pub async fn get_instructor(&self, me: &CurrentUser, id: i64) -> Result<InstructorDetail> {
        let m = self.instructor_model(me, id).await?;
        let ids: Vec<i64> = instructor_assignment::Entity::find()
            .select_only()
            .column(instructor_assignment::Column::OrgId)
            .filter(instructor_assignment::Column::InstructorId.eq(id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let orgs = social_org::Entity::find()
            .filter(social_org::Column::Id.is_in(ids))
            .order_by_asc(social_org::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| Ref { id: o.id, name: o.name })
            .collect();
        let instructor = self.instructor_views(vec![m]).await?.pop().ok_or(Error::NotFound)?;
        Ok(InstructorDetail { instructor, orgs })
    }

    /// Read an input into an active model: the draft and its rules come from
    /// the domain; here the region exists and lies in the caller's scope.
    async fn check_instructor(
        &self,
        me: &CurrentUser,
        i: &InstructorInput,
        existing: Option<&instructor::Model>,
    ) -> Result<instructor::ActiveModel> {
        let d = InstructorDraft::read(i, self.today())?;
        let kept = existing.is_some_and(|m| m.region_code == d.region_code);
        if !kept && !self.region_in_scope(&self.db, Some(me), &d.region_code).await? {
            return Err(Error::invalid("region_code", unreachable("区划")));
        }
        let mut am: instructor::ActiveModel = match existing {
            Some(m) => m.clone().into(),
            None => instructor::ActiveModel { version: Set(1), load: Set(0), ..Default::default() },
        };
        am.name = Set(d.name);
        am.source = Set(d.source.as_str().to_owned());
        am.region_code = Set(d.region_code);
        am.employer = Set(d.employer);
        am.phone = Set(d.phone);
        am.lon_e6 = Set(d.coords.map(|c| c.0));
        am.lat_e6 = Set(d.coords.map(|c| c.1));
        am.max_orgs = Set(d.max_orgs);
        am.appointed_on = Set(d.appointed_on);
        am.status = Set(d.status.as_str().to_owned());
        am.assessment = Set(d.assessment.map(|a| a.as_str()).unwrap_or("").to_owned());
        am.assessment_year = Set(d.assessment_year);
        Ok(am)
    }

    pub async fn create_instructor(&self, me: &CurrentUser, i: &InstructorInput) -> Result<instructor::Model> {
        require_party_writer(me)?;
        let mut am = self.check_instructor(me, i, None).await?;
        let now = to_db(self.now());
        am.created_at = Set(now);
        am.updated_at = Set(now);
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = am.insert(&txn).await?;
        let summary = format!("登记党建指导员：{}", m.name);
        self.audit(
            &txn,
            &by,
            AuditAction::InstructorCreate,
            "instructor",
            m.id,
            &m.region_code,
            summary,
            None,
            Some(instructor_json(&m)),
        )
        .await?;
        txn.commit().await?;
        Ok(m)
    }

    pub async fn update_instructor(&self, me: &CurrentUser, id: i64, i: &InstructorInput) -> Result<instructor::Model> {
        require_party_writer(me)?;
        let old = self.instructor_model(me, id).await?;
        if i.version.is_some_and(|v| v != old.version) {
            return Err(Error::Conflict("该记录已被他人修改，请刷新页面后重新编辑".into()));
        }
        let mut am = self.check_instructor(me, i, Some(&old)).await?;
        am.version = Set(old.version + 1);
        am.updated_at = Set(to_db(self.now()));
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = am.update(&txn).await?;
        // an instructor taken off duty no longer covers their organizations
        if m.status != old.status {
            let orgs = self.instructor_org_ids(&txn, id).await?;
            self.refresh_orgs(&txn, &orgs, self.today()).await?;
        }
        let summary = format!("修改党建指导员：{}", m.name);
        let (b, a) = (instructor_json(&old), instructor_json(&m));
        self.audit(
            &txn,
            &by,
            AuditAction::InstructorUpdate,
            "instructor",
            id,
            &m.region_code,
            summary,
            Some(b),
            Some(a),
        )
        .await?;
        txn.commit().await?;
        Ok(m)
    }

    async fn instructor_org_ids(&self, conn: &impl ConnectionTrait, id: i64) -> Result<Vec<i64>> {
        Ok(instructor_assignment::Entity::find()
            .select_only()
            .column(instructor_assignment::Column::OrgId)
            .filter(instructor_assignment::Column::InstructorId.eq(id))
            .into_tuple()
            .all(conn)
            .await?)
    }

    /// Assign organizations to an instructor and end assignments, within the
    /// instructor's region and load limit.
    pub async fn assign_instructor(&self, me: &CurrentUser, id: i64, add: &[i64], remove: &[i64]) -> Result<()> {
        require_party_writer(me)?;
        let m = self.instructor_model(me, id).await?;
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        self.assign_in(&txn, me, &m, add, remove).await?;
        let summary = format!("调整党建指导员联系组织：{}（新增 {} 个，解除 {} 个）", m.name, add.len(), remove.len());
        let after = json!({"added": add, "removed": remove});
        self.audit(
            &txn,
            &by,
            AuditAction::InstructorAssign,
            "instructor",
            id,
            &m.region_code,
            summary,
            None,
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The assignment itself, inside a transaction (also used by the planner).
    pub(crate) async fn assign_in(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        m: &instructor::Model,
        add: &[i64],
        remove: &[i64],
    ) -> Result<()> {
        if m.status != InstructorStatus::Active.as_str() && !add.is_empty() {
            return Err(Error::Conflict("该党建指导员已停止履职，不能再联系组织".into()));
        }
        let current = self.instructor_org_ids(conn, m.id).await?;
        // an id typed twice counts once (it used to hit the unique key: a 500)
        let mut new: Vec<i64> = Vec::with_capacity(add.len());
        for o in add {
            if !current.contains(o) && !new.contains(o) {
                new.push(*o);
            }
        }
        let mut remove = remove.to_vec();
        remove.sort_unstable();
        remove.dedup();
        let remove = remove.as_slice();
        let load = current.iter().filter(|o| !remove.contains(o)).count() + new.len();
        let limit = self.instructor_limit(m).await?;
        let mut c = Reader::new();
        c.add(check_instructor_load(load, limit));
        // what is added must be an organization the caller may name; what is
        // removed, one the instructor serves now (the same answer for any other id)
        let orgs = self.visible_orgs(conn, me, &new).await?;
        for id in &new {
            match orgs.iter().find(|o| o.id == *id) {
                Some(o) if o.status != OrgStatus::Active.as_str() => {
                    c.bad("org_ids", format!("社会组织 {id} 不存在、不在您的管辖范围内或不是正常状态"))
                }
                Some(o) if !o.region_code.starts_with(&m.region_code) => {
                    c.bad("org_ids", format!("“{}”不在该指导员的指导区域内", o.name))
                }
                Some(_) => {}
                None => c.bad("org_ids", format!("社会组织 {id} 不存在、不在您的管辖范围内或不是正常状态")),
            }
        }
        for id in remove.iter().filter(|o| !current.contains(o)) {
            c.bad("org_ids", format!("社会组织 {id} 不是该指导员联系的组织"));
        }
        c.finish(())?;
        let today = self.today();
        for id in &new {
            instructor_assignment::ActiveModel { org_id: Set(*id), instructor_id: Set(m.id), since: Set(today) }
                .insert(conn)
                .await?;
        }
        if !remove.is_empty() {
            instructor_assignment::Entity::delete_many()
                .filter(instructor_assignment::Column::InstructorId.eq(m.id))
                .filter(instructor_assignment::Column::OrgId.is_in(remove.iter().copied()))
                .exec(conn)
                .await?;
        }
        let q = Query::update()
            .table(instructor::Entity)
            .value(instructor::Column::Load, load as i32)
            .and_where(instructor::Column::Id.eq(m.id))
            .take();
        conn.execute(&q).await?;
        let touched: Vec<i64> = new.iter().chain(remove).copied().collect();
        self.refresh_orgs(conn, &touched, today).await?;
        Ok(())
    }
}
