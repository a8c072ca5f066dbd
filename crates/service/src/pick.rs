//! Pickers: a region, an organization, a party organization, a member… is
//! chosen by typing part of its name and choosing a suggestion, never by
//! typing a code or an id. Suggestions and names are limited to what the
//! caller may see (the same conditions as the lists). A value typed without
//! choosing is resolved by its exact name (or code); a name that matches
//! nothing or several records is a clear error instead of a silent filter.

use std::collections::HashMap;

use hongling_domain::RegionCode;
use hongling_domain::enums::Labelled;
use hongling_domain::party::coverage::InstructorStatus;
use hongling_domain::region::subtree_range;
use hongling_store::entity::{region, user};
use hongling_store::party::entity::{instructor, party_channel, party_member, party_org, party_org_org};
use hongling_store::registry::entity::{social_org, supervisory_unit};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::list::{Pick, like_safe};
use crate::{CurrentUser, Hongling, Result};

/// A suggestion: the value to store, what to show, and a second line.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Choice {
    /// The record id, or the region code.
    pub value: String,
    pub label: String,
    /// Where it is, its code…
    pub hint: String,
}

pub(crate) fn subtree(col: impl ColumnTrait, code: &str) -> Condition {
    let (lo, hi) = subtree_range(code);
    Condition::all().add(col.gte(lo)).add(col.lt(hi))
}

/// Records of a subtree and of the regions above it (units and channels of a
/// city serve its counties).
fn subtree_or_above(col: impl ColumnTrait + Copy, code: &RegionCode) -> Condition {
    let mut above: Vec<String> = code.ancestors().into_iter().map(String::from).collect();
    above.push(code.to_string());
    Condition::any().add(col.is_in(above)).add(subtree(col, code.as_str()))
}

/// The unit a supervisor reads for (scope `unit:ID`): `Some(id)`, `Some(0)`
/// for a supervisor account not yet given its unit (it sees nothing), `None`
/// for any other scope.
pub(crate) fn supervised_unit(me: &CurrentUser) -> Option<i64> {
    (me.scope.kind == hongling_domain::role::ScopeKind::Unit).then_some(me.scope.ref_id.unwrap_or(0))
}

/// The ids of the organizations a unit supervises.
pub(crate) fn unit_org_ids(unit: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(social_org::Column::Id)
        .from(social_org::Entity)
        .and_where(social_org::Column::SupervisoryUnitId.eq(unit))
        .take()
}

/// The ids of the party organizations covering an organization a unit supervises.
pub(crate) fn unit_party_org_ids(unit: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(party_org_org::Column::PartyOrgId)
        .from(party_org_org::Entity)
        .and_where(party_org_org::Column::OrgId.in_subquery(unit_org_ids(unit)))
        .take()
}

/// The ids of the members working at an organization a unit supervises.
pub(crate) fn unit_member_ids(unit: i64) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(party_member::Column::Id)
        .from(party_member::Entity)
        .and_where(party_member::Column::EmployerOrgId.in_subquery(unit_org_ids(unit)))
        .take()
}

/// Nothing at all (a scope that sees no records of a kind).
fn nothing() -> Condition {
    Condition::all().add(sea_orm::sea_query::ExprTrait::eq(sea_orm::sea_query::Expr::val(1), 0))
}

impl Hongling {
    /// The organizations the caller may see: their subtree, their own
    /// organization, those their party organization covers, or those their
    /// supervisory unit supervises.
    pub fn org_visibility(&self, me: &CurrentUser) -> Condition {
        use hongling_domain::role::ScopeKind;
        match me.scope.kind {
            ScopeKind::Region => subtree(social_org::Column::RegionCode, me.scope.region.as_str()),
            ScopeKind::Org => Condition::all().add(social_org::Column::Id.eq(me.scope.ref_id.unwrap_or(0))),
            ScopeKind::PartyOrg => Condition::all().add(
                social_org::Column::Id.in_subquery(
                    Query::select()
                        .column(party_org_org::Column::OrgId)
                        .from(party_org_org::Entity)
                        .and_where(party_org_org::Column::PartyOrgId.eq(me.scope.ref_id.unwrap_or(0)))
                        .take(),
                ),
            ),
            ScopeKind::Unit => {
                Condition::all().add(social_org::Column::Id.in_subquery(unit_org_ids(supervised_unit(me).unwrap_or(0))))
            }
        }
    }

    /// The party organizations the caller may see: their subtree (region
    /// readers of party records), their own and its direct children, or (a
    /// supervisor) those covering an organization of their unit.
    pub fn party_org_visibility(&self, me: &CurrentUser) -> Condition {
        if crate::party::may_read_party(me) {
            return subtree(party_org::Column::RegionCode, me.scope.region.as_str());
        }
        if let Some(unit) = supervised_unit(me) {
            return Condition::all().add(party_org::Column::Id.in_subquery(unit_party_org_ids(unit)));
        }
        match crate::party::own_party_org(me) {
            Some(own) => Condition::any().add(party_org::Column::Id.eq(own)).add(party_org::Column::ParentId.eq(own)),
            None => nothing(),
        }
    }

    /// The members the caller may see: their subtree, their own party
    /// organization's, or (a supervisor) those working at an organization of
    /// their unit.
    pub fn member_visibility(&self, me: &CurrentUser) -> Condition {
        if crate::party::may_read_party(me) {
            return subtree(party_member::Column::RegionCode, me.scope.region.as_str());
        }
        if let Some(unit) = supervised_unit(me) {
            return Condition::all().add(party_member::Column::EmployerOrgId.in_subquery(unit_org_ids(unit)));
        }
        match crate::party::own_party_org(me) {
            Some(own) => Condition::all().add(party_member::Column::PartyOrgId.eq(own)),
            None => nothing(),
        }
    }

    pub fn instructor_visibility(&self, me: &CurrentUser) -> Condition {
        if crate::party::may_read_party(me) {
            return subtree_or_above(instructor::Column::RegionCode, &me.scope.region);
        }
        nothing()
    }

    pub fn unit_visibility(&self, me: &CurrentUser) -> Condition {
        match me.scope.kind {
            hongling_domain::role::ScopeKind::Region => {
                subtree_or_above(supervisory_unit::Column::RegionCode, &me.scope.region)
            }
            hongling_domain::role::ScopeKind::Unit => {
                Condition::all().add(supervisory_unit::Column::Id.eq(supervised_unit(me).unwrap_or(0)))
            }
            _ => nothing(),
        }
    }

    pub fn channel_visibility(&self, me: &CurrentUser) -> Condition {
        if crate::party::may_read_party(me) {
            return subtree_or_above(party_channel::Column::RegionCode, &me.scope.region);
        }
        nothing()
    }

    /// Accounts an administrator manages (scopes inside their subtree); an
    /// audit reader sees the same names to filter the log by person.
    pub fn user_visibility(&self, me: &CurrentUser) -> Condition {
        // administrators manage them; audit readers choose a person to filter the log by
        if me.can(hongling_domain::Action::UsersManage) || me.can(hongling_domain::Action::AuditRead) {
            return subtree(user::Column::ScopeRegion, me.scope.region.as_str());
        }
        nothing()
    }

    /// Users a region-wide reader of party figures may assign a breach to: enabled accounts of a
    /// region scope inside the caller's subtree whose role reads party figures too.
    pub fn assignee_visibility(&self, me: &CurrentUser) -> Condition {
        if !crate::party::may_read_party(me) {
            return nothing();
        }
        let roles: Vec<&str> = hongling_domain::Role::ALL
            .into_iter()
            .filter(|r| crate::party::reads_party(*r))
            .map(|r| r.as_str())
            .collect();
        subtree(user::Column::ScopeRegion, me.scope.region.as_str())
            .add(user::Column::ScopeKind.eq(hongling_domain::role::ScopeKind::Region.as_str()))
            .add(user::Column::Disabled.eq(false))
            .add(user::Column::Role.is_in(roles))
    }

    fn users_of(&self, kind: Pick, me: &CurrentUser) -> Condition {
        if kind == Pick::Assignees { self.assignee_visibility(me) } else { self.user_visibility(me) }
    }

    /// Suggestions for a picker: records whose name contains `q`, visible to
    /// the caller, at most `limit`.
    pub async fn pick(&self, me: &CurrentUser, kind: Pick, q: &str, limit: u64) -> Result<Vec<Choice>> {
        let q = like_safe(q);
        if q.is_empty() {
            return Ok(vec![]);
        }
        let limit = limit.clamp(1, 50);
        let digits = q.chars().all(|c| c.is_ascii_digit());
        let id: i64 = if digits { q.parse().unwrap_or(0) } else { 0 };
        Ok(match kind {
            Pick::Orgs => {
                let mut c = Condition::any()
                    .add(social_org::Column::NameSearch.contains(hongling_domain::registry::search_form(&q)));
                if q.len() >= 2 && q.chars().all(|c| c.is_ascii_alphanumeric()) {
                    let up = q.to_ascii_uppercase();
                    c = c.add(
                        Condition::all()
                            .add(social_org::Column::Uscc.gte(up.clone()))
                            .add(social_org::Column::Uscc.lt(format!("{up}~"))),
                    );
                }
                let rows = social_org::Entity::find()
                    .filter(self.org_visibility(me))
                    .filter(c)
                    .order_by_asc(social_org::Column::Name)
                    .limit(limit)
                    .all(&self.db)
                    .await?;
                let labels =
                    self.region_labels(&rows.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
                rows.into_iter()
                    .map(|r| Choice {
                        value: r.id.to_string(),
                        hint: [labels.get(&r.region_code).cloned().unwrap_or_default(), r.uscc.unwrap_or_default()]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(" · "),
                        label: r.name,
                    })
                    .collect()
            }
            Pick::PartyOrgs => {
                let rows = party_org::Entity::find()
                    .filter(self.party_org_visibility(me))
                    .filter(
                        Condition::any()
                            .add(party_org::Column::Name.contains(q.as_str()))
                            .add(party_org::Column::Id.eq(id)),
                    )
                    .order_by_asc(party_org::Column::Name)
                    .limit(limit)
                    .all(&self.db)
                    .await?;
                let labels =
                    self.region_labels(&rows.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
                rows.into_iter()
                    .map(|r| Choice {
                        value: r.id.to_string(),
                        hint: labels.get(&r.region_code).cloned().unwrap_or_default(),
                        label: r.name,
                    })
                    .collect()
            }
            Pick::Members => {
                let rows = party_member::Entity::find()
                    .filter(self.member_visibility(me))
                    .filter(party_member::Column::LeftOn.is_null())
                    .filter(party_member::Column::Name.contains(q.as_str()))
                    .order_by_asc(party_member::Column::Name)
                    .limit(limit)
                    .all(&self.db)
                    .await?;
                let parties = self.names_of_party_orgs(rows.iter().filter_map(|r| r.party_org_id)).await?;
                rows.into_iter()
                    .map(|r| Choice {
                        value: r.id.to_string(),
                        hint: r
                            .party_org_id
                            .and_then(|p| parties.get(&p).cloned())
                            .unwrap_or_else(|| "未编入党组织".into()),
                        label: r.name,
                    })
                    .collect()
            }
            Pick::Instructors => {
                let rows = instructor::Entity::find()
                    .filter(self.instructor_visibility(me))
                    .filter(instructor::Column::Status.eq(InstructorStatus::Active.as_str()))
                    .filter(instructor::Column::Name.contains(q.as_str()))
                    .order_by_asc(instructor::Column::Name)
                    .limit(limit)
                    .all(&self.db)
                    .await?;
                let labels =
                    self.region_labels(&rows.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
                rows.into_iter()
                    .map(|r| Choice {
                        value: r.id.to_string(),
                        hint: format!(
                            "{} · 已联系 {} 个组织",
                            labels.get(&r.region_code).cloned().unwrap_or_default(),
                            r.load
                        ),
                        label: r.name,
                    })
                    .collect()
            }
            Pick::Units => {
                let rows = supervisory_unit::Entity::find()
                    .filter(self.unit_visibility(me))
                    .filter(supervisory_unit::Column::Name.contains(q.as_str()))
                    .order_by_asc(supervisory_unit::Column::Name)
                    .limit(limit)
                    .all(&self.db)
                    .await?;
                let labels =
                    self.region_labels(&rows.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
                rows.into_iter()
                    .map(|r| Choice {
                        value: r.id.to_string(),
                        hint: labels.get(&r.region_code).cloned().unwrap_or_default(),
                        label: r.name,
                    })
                    .collect()
            }
            Pick::Channels => {
                let rows = party_channel::Entity::find()
                    .filter(self.channel_visibility(me))
                    .filter(party_channel::Column::Name.contains(q.as_str()))
                    .order_by_asc(party_channel::Column::Name)
                    .limit(limit)
                    .all(&self.db)
                    .await?;
                rows.into_iter()
                    .map(|r| Choice {
                        value: r.id.to_string(),
                        hint: hongling_domain::party::coverage::ChannelKind::parse(&r.kind)
                            .map(|k| k.label())
                            .unwrap_or("")
                            .to_owned(),
                        label: r.name,
                    })
                    .collect()
            }
            Pick::Users | Pick::Assignees => {
                let rows = user::Entity::find()
                    .filter(self.users_of(kind, me))
                    .filter(
                        Condition::any()
                            .add(user::Column::Username.contains(q.as_str()))
                            .add(user::Column::DisplayName.contains(q.as_str())),
                    )
                    .order_by_asc(user::Column::Username)
                    .limit(limit)
                    .all(&self.db)
                    .await?;
                rows.into_iter()
                    .map(|r| Choice {
                        value: r.id.to_string(),
                        hint: format!(
                            "{} · {}",
                            r.username,
                            hongling_domain::Role::parse(&r.role).map(|x| x.label()).unwrap_or("")
                        ),
                        label: r.display_name,
                    })
                    .collect()
            }
        })
    }

    /// The names of chosen records (to show a picker's current value).
    pub async fn pick_labels(&self, me: &CurrentUser, kind: Pick, ids: &[i64]) -> Result<HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let ids = ids.to_vec();
        let pairs = match kind {
            Pick::Orgs => {
                use social_org::Column as C;
                self.names_of::<social_org::Entity>(C::Id, C::Name, self.org_visibility(me), ids).await?
            }
            Pick::PartyOrgs => {
                use party_org::Column as C;
                self.names_of::<party_org::Entity>(C::Id, C::Name, self.party_org_visibility(me), ids).await?
            }
            Pick::Members => {
                use party_member::Column as C;
                self.names_of::<party_member::Entity>(C::Id, C::Name, self.member_visibility(me), ids).await?
            }
            Pick::Instructors => {
                use instructor::Column as C;
                self.names_of::<instructor::Entity>(C::Id, C::Name, self.instructor_visibility(me), ids).await?
            }
            Pick::Units => {
                use supervisory_unit::Column as C;
                self.names_of::<supervisory_unit::Entity>(C::Id, C::Name, self.unit_visibility(me), ids).await?
            }
            Pick::Channels => {
                use party_channel::Column as C;
                self.names_of::<party_channel::Entity>(C::Id, C::Name, self.channel_visibility(me), ids).await?
            }
            Pick::Users | Pick::Assignees => {
                use user::Column as C;
                self.names_of::<user::Entity>(C::Id, C::DisplayName, self.users_of(kind, me), ids).await?
            }
        };
        Ok(pairs.into_iter().collect())
    }

    /// (id, name) of the records among `ids` that `visible` lets the caller see.
    async fn names_of<E: sea_orm::EntityTrait>(
        &self,
        id: E::Column,
        name: E::Column,
        visible: Condition,
        ids: Vec<i64>,
    ) -> Result<Vec<(i64, String)>> {
        Ok(E::find()
            .select_only()
            .columns([id, name])
            .filter(visible)
            .filter(id.is_in(ids))
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// A value typed into a picker: an id the caller may see, or an exact
    /// name (for organizations also a credit code) that names exactly one
    /// such record. Err: the message for the field.
    pub async fn resolve_pick(&self, me: &CurrentUser, kind: Pick, text: &str) -> Result<Result<i64, String>> {
        let text = text.trim();
        if let Ok(id) = text.parse::<i64>() {
            return Ok(if self.pick_labels(me, kind, &[id]).await?.contains_key(&id) {
                Ok(id)
            } else {
                Err(format!("所选{}不存在或不在您的管辖范围内", kind.noun()))
            });
        }
        let exact: Vec<i64> = match kind {
            Pick::Orgs => {
                let code = text.to_ascii_uppercase();
                social_org::Entity::find()
                    .select_only()
                    .column(social_org::Column::Id)
                    .filter(self.org_visibility(me))
                    .filter(
                        Condition::any().add(social_org::Column::Name.eq(text)).add(social_org::Column::Uscc.eq(code)),
                    )
                    .limit(5)
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
            Pick::PartyOrgs => {
                party_org::Entity::find()
                    .select_only()
                    .column(party_org::Column::Id)
                    .filter(self.party_org_visibility(me))
                    .filter(party_org::Column::Name.eq(text))
                    .limit(5)
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
            Pick::Members => {
                party_member::Entity::find()
                    .select_only()
                    .column(party_member::Column::Id)
                    .filter(self.member_visibility(me))
                    .filter(party_member::Column::Name.eq(text))
                    .filter(party_member::Column::LeftOn.is_null())
                    .limit(5)
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
            Pick::Instructors => {
                instructor::Entity::find()
                    .select_only()
                    .column(instructor::Column::Id)
                    .filter(self.instructor_visibility(me))
                    .filter(instructor::Column::Name.eq(text))
                    .limit(5)
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
            Pick::Units => {
                supervisory_unit::Entity::find()
                    .select_only()
                    .column(supervisory_unit::Column::Id)
                    .filter(self.unit_visibility(me))
                    .filter(supervisory_unit::Column::Name.eq(text))
                    .limit(5)
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
            Pick::Channels => {
                party_channel::Entity::find()
                    .select_only()
                    .column(party_channel::Column::Id)
                    .filter(self.channel_visibility(me))
                    .filter(party_channel::Column::Name.eq(text))
                    .limit(5)
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
            Pick::Users | Pick::Assignees => {
                user::Entity::find()
                    .select_only()
                    .column(user::Column::Id)
                    .filter(self.users_of(kind, me))
                    .filter(
                        Condition::any().add(user::Column::Username.eq(text)).add(user::Column::DisplayName.eq(text)),
                    )
                    .limit(5)
                    .into_tuple()
                    .all(&self.db)
                    .await?
            }
        };
        Ok(match exact.as_slice() {
            [id] => Ok(*id),
            [] => Err(format!("未找到名为“{text}”的{}，请输入名称的一部分后从建议中选择", kind.noun())),
            _ => Err(format!("有多个名为“{text}”的{}，请从建议中选择", kind.noun())),
        })
    }

    /// Region suggestions inside the caller's subtree (names or a code prefix).
    pub async fn pick_regions(&self, me: &CurrentUser, q: &str, limit: u64) -> Result<Vec<Choice>> {
        let q = like_safe(q);
        let Some(own) = me.scope.region_subtree() else { return Ok(vec![]) };
        if q.is_empty() {
            return Ok(vec![]);
        }
        let rows = if q.chars().all(|c| c.is_ascii_digit()) {
            // a code or its beginning: within the subtree only
            let (lo, hi) = if own.as_str().starts_with(q.as_str()) {
                subtree_range(own.as_str())
            } else if q.starts_with(own.as_str()) {
                (q.clone(), format!("{q}~"))
            } else {
                return Ok(vec![]);
            };
            region::Entity::find()
                .filter(region::Column::Code.gte(lo))
                .filter(region::Column::Code.lt(hi))
                .order_by_asc(region::Column::Code)
                .limit(limit.clamp(1, 50))
                .all(&self.db)
                .await?
        } else {
            self.search_regions(me, &q, limit.clamp(1, 50)).await?
        };
        let labels = self.region_labels(&rows.iter().map(|r| r.code.clone()).collect::<Vec<_>>()).await?;
        Ok(rows
            .into_iter()
            .map(|r| Choice {
                label: r.name.clone(),
                hint: format!("{} · {}", labels.get(&r.code).cloned().unwrap_or_default(), r.code),
                value: r.code,
            })
            .collect())
    }

    /// A region typed or chosen: a code inside the caller's subtree, or a
    /// name (东营区, 文汇街道, 东营市东营区) that names exactly one region there.
    pub async fn resolve_region(&self, me: &CurrentUser, text: &str) -> Result<Result<String, String>> {
        let text = text.trim();
        let Some(own) = me.scope.region_subtree() else {
            return Ok(Err("当前账号不能按区域查询".into()));
        };
        let code_part: String = text.chars().take_while(char::is_ascii_digit).collect();
        if !code_part.is_empty() {
            return Ok(match RegionCode::parse(&code_part) {
                Ok(c) if own.contains(&c) && self.region(c.as_str()).await?.is_some() => Ok(c.to_string()),
                Ok(_) => Err(format!("区划“{code_part}”不存在或不在您的管辖范围内")),
                Err(_) => Err(format!("“{code_part}”不是有效的行政区划代码")),
            });
        }
        // the last name of the text (东营市东营区 → 东营区 with 东营市 above it)
        let rows = region::Entity::find()
            .filter(subtree(region::Column::Code, own.as_str()))
            .filter(
                Condition::any()
                    .add(region::Column::Name.eq(text))
                    .add(region::Column::Name.eq(last_region_name(text))),
            )
            .order_by_asc(region::Column::Level)
            .limit(20)
            .all(&self.db)
            .await?;
        let mut matches = Vec::new();
        for r in rows {
            if r.name == text {
                matches.push(r.code);
                continue;
            }
            // a full or partial path: the names above must be part of the text
            if let Ok(code) = RegionCode::parse(&r.code) {
                let full = self.region_full_name(&code).await?;
                if full.ends_with(text) || text.ends_with(&r.name) && full.contains(&text[..text.len() - r.name.len()])
                {
                    matches.push(r.code);
                }
            }
        }
        matches.dedup();
        Ok(match matches.as_slice() {
            [code] => Ok(code.clone()),
            [] => Err(format!("在您的管辖范围内未找到名为“{text}”的行政区划，请输入名称后从建议中选择")),
            many => {
                let labels = self.region_labels(many).await?;
                Err(format!(
                    "有 {} 个名为“{text}”的行政区划（{}），请从建议中选择",
                    many.len(),
                    many.iter()
                        .take(5)
                        .map(|c| labels.get(c).cloned().unwrap_or_else(|| c.clone()))
                        .collect::<Vec<_>>()
                        .join("、")
                ))
            }
        })
    }

    /// The display name of a region code (for a picker's current value).
    pub async fn region_label(&self, code: &str) -> Result<String> {
        Ok(self.region_labels(&[code.to_owned()]).await?.remove(code).unwrap_or_default())
    }

    async fn names_of_party_orgs(&self, ids: impl Iterator<Item = i64>) -> Result<HashMap<i64, String>> {
        let ids: Vec<i64> = ids.collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let pairs: Vec<(i64, String)> = party_org::Entity::find()
            .select_only()
            .columns([party_org::Column::Id, party_org::Column::Name])
            .filter(party_org::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(pairs.into_iter().collect())
    }
}

/// The last administrative name in a path such as 山东省东营市东营区文汇街道.
fn last_region_name(text: &str) -> String {
    let ends = ["街道", "镇", "乡", "区", "县", "市", "社区", "村", "旗", "盟", "州", "省"];
    let chars: Vec<char> = text.chars().collect();
    // find the start of the last component: after the previous component's suffix
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().collect();
        if let Some(e) = ends.iter().find(|e| rest.starts_with(**e)) {
            let next = i + e.chars().count();
            if next < chars.len() {
                start = next;
            }
            i = next;
        } else {
            i += 1;
        }
    }
    chars[start..].iter().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn last_region_name_of_paths() {
        assert_eq!(super::last_region_name("东营区"), "东营区");
        assert_eq!(super::last_region_name("东营市东营区"), "东营区");
        assert_eq!(super::last_region_name("山东省东营市东营区文汇街道"), "文汇街道");
        assert_eq!(super::last_region_name("文汇街道东营社区"), "东营社区");
    }
}
