//! Party members: formal and probationary, their posts, employer organization
//! and party organization. ID numbers are encrypted at rest (SM4-GCM), shown
//! masked, and revealed only by an audited action with a reason.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;

use hongling_domain::idcard;
use hongling_domain::party::coverage::{MemberType, PartyOrgStatus};
pub use hongling_domain::party::inputs::MemberInput;
use hongling_domain::party::records::MemberDraft;
use hongling_store::party::entity::{party_member, party_org};
use hongling_store::registry::entity::social_org;
use hongling_store::{begin_write, is_unique_violation, to_db};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Party;
use super::{may_write_party, own_party_org};
use crate::Ref;
use crate::input::Reader;
use crate::refs::unreachable;
use crate::{CurrentUser, Error, Principal, Result};

/// A party member as pages and the API show it (the ID number masked).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub id: i64,
    pub name: String,
    /// male, female or empty
    #[schema(schema_with = hongling_domain::party::records::Gender::schema_or_empty)]
    pub gender: String,
    /// formal, probationary
    #[schema(value_type = hongling_domain::party::coverage::MemberType)]
    pub member_type: String,
    pub member_type_label: String,
    /// 入党日期
    pub joined_on: Option<String>,
    /// 转正日期
    pub formal_on: Option<String>,
    /// 党内职务
    pub posts: String,
    pub employer_org: Option<Ref>,
    pub party_org: Option<Ref>,
    pub region_code: String,
    /// the region's name (township, community…)
    pub region_name: String,
    /// e.g. 370502********123X; empty when none recorded
    pub id_number_masked: String,
    /// 联系电话: in full for those who keep the member's record (`Party::sees_phone`),
    /// else masked (138****5678)
    pub phone: String,
    /// left the organization (transferred out) on
    pub left_on: Option<String>,
    pub version: i32,
}

/// What an audit entry records of a member (the ID number only masked).
fn member_json(m: &party_member::Model) -> serde_json::Value {
    json!({
        "name": m.name, "gender": m.gender, "member_type": m.member_type, "joined_on": m.joined_on,
        "formal_on": m.formal_on, "posts": m.posts, "employer_org_id": m.employer_org_id,
        "party_org_id": m.party_org_id, "region_code": m.region_code, "id_number": m.id_number_mask,
        "left_on": m.left_on,
    })
}

impl Party<'_> {
    /// Region writers in their subtree; a secretary for their own party organization.
    pub(crate) fn edits_member(&self, me: &CurrentUser, m: &party_member::Model) -> bool {
        if may_write_party(me) {
            return me.scope.region.contains_str(&m.region_code);
        }
        me.role == hongling_domain::Role::PartySecretary
            && own_party_org(me).is_some_and(|own| m.party_org_id == Some(own))
    }

    /// Who sees a member's phone number in full: those who keep the record
    /// (the party office, administrators and township workers of the
    /// subtree; the secretary of the member's own party organization), the
    /// same people who may reveal the ID number. Everyone else (registrars,
    /// supervisors, party members, readers of other party organizations) sees
    /// it masked, on pages, in the API and in exports.
    pub(crate) fn sees_phone(&self, me: &CurrentUser, m: &party_member::Model) -> bool {
        self.edits_member(me, m)
    }

    /// A member the caller may see (the lists' condition), else `NotFound`.
    async fn member_model(&self, me: &CurrentUser, id: i64) -> Result<party_member::Model> {
        party_member::Entity::find_by_id(id)
            .filter(self.member_visibility(me))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    pub(crate) async fn member_views(
        &self,
        me: &CurrentUser,
        rows: Vec<party_member::Model>,
    ) -> Result<Vec<MemberView>> {
        let region_labels = self.region_labels(&rows.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
        let orgs: HashMap<i64, String> = social_org::Entity::find()
            .filter(social_org::Column::Id.is_in(rows.iter().filter_map(|r| r.employer_org_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let parties: HashMap<i64, String> = party_org::Entity::find()
            .filter(party_org::Column::Id.is_in(rows.iter().filter_map(|r| r.party_org_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok(rows
            .into_iter()
            .map(|m| MemberView {
                phone: if self.sees_phone(me, &m) { m.phone.clone() } else { hongling_domain::phone::mask(&m.phone) },
                id: m.id,
                member_type_label: MemberType::parse(&m.member_type).map(MemberType::label).unwrap_or("").to_owned(),
                name: m.name,
                gender: m.gender,
                member_type: m.member_type,
                joined_on: crate::input::fmt_date(m.joined_on),
                formal_on: crate::input::fmt_date(m.formal_on),
                posts: m.posts,
                employer_org: m.employer_org_id.map(|id| Ref { id, name: orgs.get(&id).cloned().unwrap_or_default() }),
                party_org: m.party_org_id.map(|id| Ref { id, name: parties.get(&id).cloned().unwrap_or_default() }),
                region_name: region_labels.get(&m.region_code).cloned().unwrap_or_default(),
                region_code: m.region_code,
                id_number_masked: m.id_number_mask,
                left_on: crate::input::fmt_date(m.left_on),
                version: m.version,
            })
            .collect())
    }

    pub async fn get_member(&self, me: &CurrentUser, id: i64) -> Result<MemberView> {
        let m = self.member_model(me, id).await?;
        self.member_views(me, vec![m]).await?.pop().ok_or(Error::NotFound)
    }

    /// Read an input into an active model: the draft and its rules come from
    /// the domain; here what needs the database (the party organization and
    /// the employer exist and lie in the caller's scope, the data key). The
    /// region is that of the party organization, else of the employer.
    ///
    /// Both references go through the shared lookups of `refs.rs`: a
    /// reference outside the caller's scope is refused like one to nothing
    /// (a secretary names the organizations their party organization covers,
    /// a region keeper those of their subtree). On an update, a reference
    /// the member already has may stay.
    async fn check_member(
        &self,
        me: &CurrentUser,
        i: &MemberInput,
        existing: Option<&party_member::Model>,
    ) -> Result<party_member::ActiveModel> {
        // a secretary keeps the members of their own party organization only
        let own = if may_write_party(me) { None } else { own_party_org(me) };
        let d = MemberDraft::read(i, self.today(), own)?;
        let mut r = Reader::new();
        let mut region = None;
        if let Some(pid) = d.party_org_id {
            let kept = existing.is_some_and(|m| m.party_org_id == Some(pid));
            let found = if kept {
                party_org::Entity::find_by_id(pid).one(&self.db).await?
            } else {
                self.visible_party_org(&self.db, me, pid).await?
            };
            match found {
                Some(p) if p.status == PartyOrgStatus::Active.as_str() => region = Some(p.region_code),
                _ => r.bad("party_org_id", unreachable("所在党组织")),
            }
        }
        if let Some(oid) = d.employer_org_id {
            let kept = existing.is_some_and(|m| m.employer_org_id == Some(oid));
            let found = if kept {
                social_org::Entity::find_by_id(oid).one(&self.db).await?
            } else {
                self.visible_org(&self.db, me, oid).await?
            };
            match found {
                Some(o) => region = region.or(Some(o.region_code)),
                None => r.bad("employer_org_id", unreachable("工作单位（社会组织）")),
            }
        }
        let key = match (&d.id_number, &self.data_key) {
            (Some(_), None) => {
                r.bad(
                    "id_number",
                    "系统未配置数据加密密钥，不能保存公民身份号码（见 config.example.toml 的 security.data_key）",
                );
                None
            }
            (_, k) => k.as_ref(),
        };
        r.finish(())?;
        let mut am: party_member::ActiveModel = match existing {
            Some(m) => m.clone().into(),
            None => party_member::ActiveModel { version: Set(1), ..Default::default() },
        };
        if let (Some(n), Some(k)) = (&d.id_number, key) {
            am.id_number_enc = Set(Some(k.encrypt(n)?));
            am.id_number_mask = Set(idcard::mask(n));
            am.id_number_hmac = Set(Some(k.lookup_hash(n)?));
        }
        am.name = Set(d.name);
        am.gender = Set(d.gender.map(|g| g.as_str()).unwrap_or("").to_owned());
        am.member_type = Set(d.member_type.as_str().to_owned());
        am.joined_on = Set(d.joined_on);
        am.formal_on = Set(d.formal_on);
        am.posts = Set(d.posts);
        am.phone = Set(d.phone);
        am.left_on = Set(d.left_on);
        am.party_org_id = Set(d.party_org_id);
        am.employer_org_id = Set(d.employer_org_id);
        am.region_code = Set(region.unwrap_or_default());
        Ok(am)
    }

    /// The party organizations whose coverage a member change affects.
    async fn after_member_change(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        before: Option<&party_member::Model>,
        after: &party_member::Model,
    ) -> Result<()> {
        let mut orgs: Vec<i64> = vec![];
        let mut parties: Vec<i64> = vec![];
        for m in before.into_iter().chain(std::iter::once(after)) {
            orgs.extend(m.employer_org_id);
            parties.extend(m.party_org_id);
        }
        // the party organizations this member is secretary of
        let sec: Vec<i64> = party_org::Entity::find()
            .select_only()
            .column(party_org::Column::Id)
            .filter(party_org::Column::SecretaryMemberId.eq(after.id))
            .into_tuple()
            .all(conn)
            .await?;
        parties.extend(sec);
        parties.extend(self.party_orgs_of_orgs(conn, &orgs).await?);
        let today = self.today();
        self.refresh_orgs(conn, &orgs, today).await?;
        self.refresh_party_orgs(conn, &parties, today).await?;
        Ok(())
    }

    pub async fn create_member(&self, me: &CurrentUser, i: &MemberInput) -> Result<party_member::Model> {
        let may =
            may_write_party(me) || me.role == hongling_domain::Role::PartySecretary && own_party_org(me).is_some();
        if !may {
            return Err(Error::Forbidden("无权登记党员"));
        }
        let mut am = self.check_member(me, i, None).await?;
        let now = to_db(self.now());
        am.created_at = Set(now);
        am.updated_at = Set(now);
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = am.insert(&txn).await.map_err(dup_id_number)?;
        self.after_member_change(&txn, None, &m).await?;
        let summary = format!("登记党员：{}", m.name);
        self.audit(
            &txn,
            &by,
            AuditAction::PartyMemberCreate,
            "party_member",
            m.id,
            &m.region_code,
            summary,
            None,
            Some(member_json(&m)),
        )
        .await?;
        txn.commit().await?;
        Ok(m)
    }

    pub async fn update_member(&self, me: &CurrentUser, id: i64, i: &MemberInput) -> Result<party_member::Model> {
        let old = self.member_model(me, id).await?;
        if !self.edits_member(me, &old) {
            return Err(Error::Forbidden("无权修改该党员信息"));
        }
        if i.version.is_some_and(|v| v != old.version) {
            return Err(Error::Conflict("该记录已被他人修改，请刷新页面后重新编辑".into()));
        }
        let mut am = self.check_member(me, i, Some(&old)).await?;
        am.version = Set(old.version + 1);
        am.updated_at = Set(to_db(self.now()));
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = am.update(&txn).await.map_err(dup_id_number)?;
        // a member who moved or left is no longer the secretary of the party organization
        if m.party_org_id != old.party_org_id || m.left_on.is_some() {
            let q = sea_orm::sea_query::Query::update()
                .table(party_org::Entity)
                .value(party_org::Column::SecretaryMemberId, Option::<i64>::None)
                .value(party_org::Column::SecretarySince, Option::<time::Date>::None)
                .and_where(party_org::Column::SecretaryMemberId.eq(id))
                .take();
            sea_orm::ConnectionTrait::execute(&txn, &q).await?;
        }
        self.after_member_change(&txn, Some(&old), &m).await?;
        let summary = format!("修改党员信息：{}", m.name);
        let (b, a) = (member_json(&old), member_json(&m));
        self.audit(
            &txn,
            &by,
            AuditAction::PartyMemberUpdate,
            "party_member",
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

    /// The full ID number, for a writer with a stated reason; the reveal is audited.
    pub async fn reveal_id_number(&self, me: &CurrentUser, id: i64, reason: &str) -> Result<String> {
        let m = self.member_model(me, id).await?;
        if !self.edits_member(me, &m) {
            return Err(Error::Forbidden("无权查看完整的公民身份号码"));
        }
        if reason.trim().chars().count() < 2 {
            return Err(Error::invalid("reason", "请填写查看事由"));
        }
        let enc = m.id_number_enc.as_deref().ok_or_else(|| Error::invalid("id_number", "未登记公民身份号码"))?;
        let key =
            self.data_key.as_ref().ok_or_else(|| Error::invalid("id_number", "系统未配置数据加密密钥，无法解密"))?;
        let plain = key.decrypt(enc)?;
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let summary = format!("查看党员完整公民身份号码：{}（事由：{}）", m.name, reason.trim());
        let after = json!({"member": m.name, "id_number": m.id_number_mask, "reason": reason.trim()});
        self.audit(
            &txn,
            &by,
            AuditAction::PartyMemberReveal,
            "party_member",
            id,
            &m.region_code,
            summary,
            None,
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(plain)
    }
}

fn dup_id_number(e: sea_orm::DbErr) -> Error {
    if is_unique_violation(&e) {
        Error::invalid("id_number", "该公民身份号码已登记为其他党员")
    } else {
        e.into()
    }
}
