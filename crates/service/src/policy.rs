//! Policy profiles (SPEC §4): the effective values of a region with where
//! each comes from, the dated entries, and setting a value (audited).

use hongling_domain::RegionCode;
use hongling_domain::audit::AuditAction;
use hongling_domain::policy::{self, DefaultKind, Param, Source};
use hongling_store::entity::policy_value;
use hongling_store::{begin_write, policy as store_policy, regions, to_db};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;
use utoipa::ToSchema;

use crate::input::{Reader, de_text};
use crate::party::may_edit_policy;
use crate::{CurrentUser, Error, Hongling, Principal, Result};

/// One parameter as it applies to a region on a date.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyValueView {
    /// e.g. `joint_branch_max_orgs`
    #[schema(value_type = hongling_domain::policy::Param)]
    pub param: String,
    pub label: String,
    /// count, rate (basis points), yuan, days, metres, years
    #[schema(value_type = hongling_domain::policy::Unit)]
    pub unit: String,
    /// The value in force (null: none set anywhere up the tree and no national figure).
    pub value: Option<i64>,
    /// The value as pages show it, e.g. "5 个", "95%".
    pub display: String,
    /// The region the value comes from; null for the national default.
    pub source_region: Option<String>,
    /// e.g. "山东省东营市"; without a locality's value "全国默认（国家规定）"
    /// only where a national rule sets it, "本系统默认值" where the figure is
    /// this system's own, "未设定（全国无统一标准）" where there is none
    pub source_name: String,
    /// locality, national_rule, system_default or none
    pub source_kind: String,
    /// The date the value took effect (null for the national default).
    pub effective_from: Option<String>,
    /// The document it comes from.
    pub basis: String,
    /// The title of the source document (from `basis`), e.g. 薛民字〔2020〕31号《…》
    pub document: String,
    /// The clause of the document, e.g. 第2条（联合组建）
    pub clause: String,
    /// A level a locality reported, shown for reference (not a target)
    pub reference: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyView {
    pub region: String,
    pub region_name: String,
    /// The date the values are in force on (YYYY-MM-DD).
    pub date: String,
    pub values: Vec<PolicyValueView>,
}

/// A dated entry, as the history table shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PolicyEntryView {
    pub id: i64,
    pub region: String,
    pub region_name: String,
    #[schema(value_type = hongling_domain::policy::Param)]
    pub param: String,
    pub label: String,
    /// null: the region's own value was cleared (it inherits again)
    pub value: Option<i64>,
    pub display: String,
    pub effective_from: String,
    pub basis: String,
    pub builtin: bool,
    pub actor: String,
}

/// A value to set for a region from a date.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PolicyInput {
    pub region: String,
    #[schema(value_type = hongling_domain::policy::Param)]
    pub param: String,
    /// The value as typed ("5", "95%", "5 公里"); empty or null clears the
    /// region's own value so that it inherits again.
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub value: Option<String>,
    /// YYYY-MM-DD, default today; may lie in the past (a correction) or the future (a scheduled change).
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub effective_from: Option<String>,
    /// The document the value comes from.
    #[serde(default)]
    pub basis: String,
}

impl Hongling {
    /// The policy profile in force for a region on a date.
    pub async fn profile(&self, region: &str, on: Date) -> Result<policy::Profile> {
        let entries = store_policy::policy_entries(&self.db).await?;
        Ok(policy::resolve(&entries, region, on))
    }

    /// The effective values of a region inside the caller's scope (404 outside).
    pub async fn effective_policy(
        &self,
        me: &CurrentUser,
        region: Option<&str>,
        on: Option<Date>,
    ) -> Result<PolicyView> {
        let region = me.subtree(region)?;
        let on = on.unwrap_or_else(|| self.today());
        let profile = self.profile(&region, on).await?;
        let mut names = std::collections::HashMap::new();
        let mut values = Vec::new();
        for r in profile.values {
            let (source_region, source_name, effective_from, basis) = match r.source {
                Source::National => (None, r.param.default_kind().label().to_owned(), None, r.param.basis().to_owned()),
                Source::Region { code, effective_from, basis } => {
                    if !names.contains_key(&code) {
                        let n = self.region_display_name(&code).await?;
                        names.insert(code.clone(), n);
                    }
                    let name = names.get(&code).cloned().unwrap_or_default();
                    (Some(code), name, Some(effective_from.to_string()), basis)
                }
            };
            let source_kind = match (&source_region, r.param.default_kind()) {
                (Some(_), _) => "locality",
                (None, DefaultKind::NationalRule) => "national_rule",
                (None, DefaultKind::SystemDefault) => "system_default",
                (None, DefaultKind::None) => "none",
            };
            let (document, clause) = policy::split_basis(&basis);
            values.push(PolicyValueView {
                reference: r.param.is_reference(),
                source_kind: source_kind.to_owned(),
                document,
                clause,
                param: r.param.key().to_owned(),
                label: r.param.label().to_owned(),
                unit: unit_key(r.param),
                value: r.value,
                display: r.value.map(|v| r.param.format(v)).unwrap_or_else(|| "未设定".to_owned()),
                source_region,
                source_name,
                effective_from,
                basis,
            });
        }
        Ok(PolicyView { region_name: self.region_display_name(&region).await?, region, date: on.to_string(), values })
    }

    /// The entries set for a region and its ancestors (what it inherits), newest first.
    pub async fn policy_entries_for(&self, me: &CurrentUser, region: Option<&str>) -> Result<Vec<PolicyEntryView>> {
        let region = me.subtree(region)?;
        let code = RegionCode::parse(&region).map_err(|_| Error::NotFound)?;
        let mut chain: Vec<String> = code.ancestors().into_iter().map(String::from).collect();
        chain.push(region.clone());
        let rows = policy_value::Entity::find()
            .filter(policy_value::Column::RegionCode.is_in(chain))
            .order_by_desc(policy_value::Column::EffectiveFrom)
            .order_by_desc(policy_value::Column::Id)
            .all(&self.db)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let Some(p) = Param::parse(&r.param) else { continue };
            out.push(PolicyEntryView {
                id: r.id,
                region_name: self.region_display_name(&r.region_code).await?,
                region: r.region_code,
                param: r.param,
                label: p.label().to_owned(),
                value: r.value,
                display: r.value.map(|v| p.format(v)).unwrap_or_else(|| "（取消本级设定，沿用上级）".to_owned()),
                effective_from: r.effective_from.to_string(),
                basis: r.basis,
                builtin: r.builtin,
                actor: r.actor,
            });
        }
        Ok(out)
    }

    /// Set (or clear) a region's value of a parameter from a date. With the
    /// change, a run of the job `coverage.policy` is queued: a worker then
    /// re-evaluates the region's coverage state with the new values.
    pub async fn set_policy(&self, me: &CurrentUser, input: &PolicyInput) -> Result<PolicyEntryView> {
        if !may_edit_policy(me) {
            return Err(Error::Forbidden("只有党建工作机构或系统管理员可以设置政策参数"));
        }
        let region = me.subtree(Some(&input.region))?;
        let mut c = Reader::new();
        let param = c.choice_with("param", &input.param, Param::parse, "参数");
        let today = self.today();
        let from = match input.effective_from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(today),
            Some(s) => match Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")) {
                Ok(d) => Some(d),
                Err(_) => {
                    c.bad("effective_from", "日期格式应为 YYYY-MM-DD");
                    None
                }
            },
        };
        let mut value = None;
        if let (Some(p), Some(raw)) = (param, input.value.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            match p.unit().parse(raw) {
                None => c.bad("value", format!("无法识别的数值：{raw}")),
                Some(v) => match p.check(v) {
                    Ok(()) => value = Some(v),
                    Err(m) => c.bad("value", m),
                },
            }
        }
        if input.basis.chars().count() > 200 {
            c.bad("basis", "依据不能超过 200 个字");
        }
        if regions::get(&self.db, &region).await?.is_none() {
            c.bad("region", "行政区划不存在");
        }
        c.finish(())?;
        let (Some(param), Some(from)) = (param, from) else { return Err(Error::internal("checked")) };
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let row = policy_value::ActiveModel {
            region_code: Set(region.clone()),
            param: Set(param.key().to_owned()),
            value: Set(value),
            effective_from: Set(from),
            basis: Set(input.basis.trim().to_owned()),
            builtin: Set(false),
            actor: Set(by.actor_name()),
            created_at: Set(to_db(self.now())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let display = value.map(|v| param.format(v)).unwrap_or_else(|| "取消本级设定".to_owned());
        let summary = format!("设置政策参数：{} = {}（自 {} 起）", param.label(), display, from);
        let after =
            json!({"param": param.key(), "value": value, "effective_from": from.to_string(), "basis": row.basis});
        self.audit(&txn, &by, AuditAction::PolicySet, "policy_value", row.id, &region, summary, None, Some(after))
            .await?;
        let job = crate::jobs::job("coverage.policy")?;
        self.queue_run_in(&txn, job, crate::jobs::Trigger::Policy, &by, &region).await?;
        txn.commit().await?;
        Ok(PolicyEntryView {
            id: row.id,
            region_name: self.region_display_name(&region).await?,
            region,
            param: row.param,
            label: param.label().to_owned(),
            value,
            display,
            effective_from: from.to_string(),
            basis: row.basis,
            builtin: false,
            actor: row.actor,
        })
    }

    /// The profiles shipped for the seed localities (public documents; what
    /// applies to a region is `effective_policy`). With `region`, only those
    /// of the region and the regions above it (the clerk's own locality);
    /// other localities' values only on request (`None`, issue 11 item 7).
    pub async fn shipped_policy(&self, region: Option<&str>) -> Result<Vec<PolicyEntryView>> {
        let mut out = Vec::new();
        let mine = |code: &str| region.is_none_or(|r| r.starts_with(code));
        for (i, e) in policy::shipped().into_iter().enumerate().filter(|(_, e)| mine(&e.region)) {
            out.push(PolicyEntryView {
                id: i as i64,
                region_name: self.region_display_name(&e.region).await?,
                label: e.param.label().to_owned(),
                display: e.value.map(|v| e.param.format(v)).unwrap_or_default(),
                param: e.param.key().to_owned(),
                value: e.value,
                effective_from: e.effective_from.to_string(),
                basis: e.basis,
                builtin: true,
                actor: "系统内置".to_owned(),
                region: e.region,
            });
        }
        Ok(out)
    }

    /// A region's full name for pages, e.g. "山东省东营市东营区".
    pub async fn region_display_name(&self, code: &str) -> Result<String> {
        match RegionCode::parse(code) {
            Ok(c) => self.region_full_name(&c).await,
            Err(_) => Ok(code.to_owned()),
        }
    }
}

fn unit_key(p: Param) -> String {
    p.unit().as_str().to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unit_identifiers_are_serdes() {
        for u in hongling_domain::policy::Unit::ALL {
            assert_eq!(serde_json::to_value(u).ok(), Some(serde_json::Value::String(u.as_str().into())), "{u:?}");
        }
    }
}
