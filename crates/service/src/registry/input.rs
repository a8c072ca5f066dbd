//! The registry record as forms and JSON bodies send it: one wire format for
//! the create/edit form and `POST`/`PUT /api/v1/orgs`, turned into the
//! domain's `OrgDraft` with per-field Chinese errors. The record rules then
//! run on the draft (`check_draft`, pure), and the service adds what needs
//! the database.

use hongling_domain::registry::{Category, OrgDraft, OrgKind, RegistrationMode, StatusAction};
use hongling_store::registry::entity::social_org;
use serde::Deserialize;
use time::Date;
use utoipa::ToSchema;

use crate::FieldError;
use crate::input::{de_flag, de_opt_i32, de_text};

/// A social organization to register, or the new content of one. Unknown
/// fields are refused (a misspelt field cannot silently blank another).
/// Besides the fields marked required, registering needs `uscc` (a
/// registered organization that is not an application), `legal_rep` (a
/// registered organization) and `supervisory_unit_id` (category `other`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgInput {
    /// 18 characters; may be empty for filed organizations and applications
    #[serde(default)]
    pub uscc: String,
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    /// association, foundation, service_institution
    #[serde(default)]
    #[schema(value_type = OrgKind, required = true)]
    pub kind: String,
    /// registered, filed
    #[serde(default, alias = "mode")]
    #[schema(value_type = RegistrationMode, required = true)]
    pub registration_mode: String,
    /// registered: industry_association, science_tech, charity, community_service or other
    /// (dual management: needs `supervisory_unit_id`); filed: the community service types
    #[serde(default)]
    #[schema(value_type = Category, required = true)]
    pub category: String,
    #[serde(default)]
    pub industry: String,
    /// the region code (or name) of the registration authority
    #[serde(default)]
    #[schema(required = true)]
    pub authority_region: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub supervisory_unit_id: Option<String>,
    /// 行业管理部门 (a unit of the managed list): recorded apart from the
    /// 业务主管单位; it does not move the organization into its channel
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub industry_department_id: Option<String>,
    /// 已脱钩 (registered only; then no `supervisory_unit_id`): party building
    /// by the comprehensive party committee
    #[serde(default, deserialize_with = "de_flag")]
    pub decoupled: bool,
    /// the residence's region code (or name), down to the community
    #[serde(default)]
    #[schema(required = true)]
    pub region_code: String,
    #[serde(default)]
    pub address: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<f64>)]
    pub longitude: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<f64>)]
    pub latitude: Option<String>,
    #[serde(default)]
    pub legal_rep: String,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub founded_on: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub staff_count: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub member_count: Option<String>,
    #[serde(default, deserialize_with = "de_flag")]
    pub charter_party_clause: bool,
    #[serde(default, deserialize_with = "de_flag")]
    pub is_hub: bool,
    #[serde(default, deserialize_with = "de_flag")]
    pub is_brand: bool,
    #[serde(default)]
    pub incubator: String,
    /// create only: an application (成立申请) without a code yet
    #[serde(default, deserialize_with = "de_flag")]
    pub applying: bool,
    /// update only: the version read, to refuse overwriting a newer change
    #[serde(default, deserialize_with = "de_opt_i32")]
    #[schema(value_type = Option<i32>)]
    pub version: Option<i32>,
    /// update only: the date the change took effect (default today)
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub effective_on: Option<String>,
    /// update only: why
    #[serde(default)]
    pub reason: String,
}

/// A closed-set value by identifier or label; empty is None.
fn choice<T>(v: &str, f: &str, what: &str, parse: fn(&str) -> Option<T>, bad: &mut dyn FnMut(&str, &str)) -> Option<T> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let r = parse(v);
    if r.is_none() {
        bad(f, what);
    }
    r
}

fn date(s: &Option<String>, field: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    let s = s.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    match Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError { field: field.into(), message: "日期格式应为 YYYY-MM-DD".into() });
            None
        }
    }
}

impl OrgInput {
    /// The draft, or the fields that could not even be read (a number that is
    /// not one, a date in another format, a kind that does not exist).
    pub fn draft(&self) -> Result<OrgDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut bad = |f: &str, m: &str| errors.push(FieldError { field: f.into(), message: m.into() });
        let int = |v: &Option<String>, f: &str, bad: &mut dyn FnMut(&str, &str)| -> Option<i32> {
            let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
            // the range (no negative counts) is the record rules' to say
            match s.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    bad(f, "请填写整数");
                    None
                }
            }
        };
        let float = |v: &Option<String>, f: &str, bad: &mut dyn FnMut(&str, &str)| -> Option<f64> {
            let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
            match s.parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    bad(f, "请填写数字，如 118.582184");
                    None
                }
            }
        };
        let kind: Option<OrgKind> =
            choice(&self.kind, "kind", "组织类型应为社会团体、基金会或社会服务机构", OrgKind::parse_loose, &mut bad);
        let mode: Option<RegistrationMode> = choice(
            &self.registration_mode,
            "registration_mode",
            "登记方式应为登记或备案",
            RegistrationMode::parse,
            &mut bad,
        );
        let category: Option<Category> = choice(&self.category, "category", "类别不存在", Category::parse, &mut bad);
        let unit = match self.supervisory_unit_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    bad("supervisory_unit_id", "请从建议中选择业务主管单位");
                    None
                }
            },
        };
        let department = match self.industry_department_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => match s.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    bad("industry_department_id", "请从建议中选择行业管理部门");
                    None
                }
            },
        };
        let staff_count = int(&self.staff_count, "staff_count", &mut bad);
        let member_count = int(&self.member_count, "member_count", &mut bad);
        let longitude = float(&self.longitude, "longitude", &mut bad);
        let latitude = float(&self.latitude, "longitude", &mut bad);
        let founded_on = date(&self.founded_on, "founded_on", &mut errors);
        let d = OrgDraft {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            kind,
            mode,
            category,
            industry: self.industry.clone(),
            authority_region: self.authority_region.trim().to_owned(),
            supervisory_unit_id: unit,
            industry_department_id: department,
            decoupled: self.decoupled,
            region_code: self.region_code.trim().to_owned(),
            address: self.address.clone(),
            longitude,
            latitude,
            legal_rep: self.legal_rep.clone(),
            founded_on,
            staff_count,
            member_count,
            charter_party_clause: self.charter_party_clause,
            is_hub: self.is_hub,
            is_brand: self.is_brand,
            incubator: self.incubator.clone(),
        };
        if errors.is_empty() { Ok(d) } else { Err(errors) }
    }

    /// The date an edit took effect, if given.
    pub fn effective_on(&self) -> Result<Option<Date>, Vec<FieldError>> {
        let mut errors = Vec::new();
        let d = date(&self.effective_on, "effective_on", &mut errors);
        if errors.is_empty() { Ok(d) } else { Err(errors) }
    }

    /// The input an edit form starts from.
    pub fn of(m: &social_org::Model) -> Self {
        let num = |v: Option<i32>| v.map(|n| n.to_string());
        let coord = |v: Option<i64>| v.map(|n| format!("{:.6}", n as f64 / 1e6));
        OrgInput {
            uscc: m.uscc.clone().unwrap_or_default(),
            name: m.name.clone(),
            kind: m.kind.clone(),
            registration_mode: m.registration_mode.clone(),
            category: m.category.clone(),
            industry: m.industry.clone(),
            authority_region: m.authority_region.clone(),
            supervisory_unit_id: m.supervisory_unit_id.map(|n| n.to_string()),
            industry_department_id: m.industry_department_id.map(|n| n.to_string()),
            decoupled: m.decoupled,
            region_code: m.region_code.clone(),
            address: m.address.clone(),
            longitude: coord(m.lon_e6),
            latitude: coord(m.lat_e6),
            legal_rep: m.legal_rep.clone(),
            founded_on: m.founded_on.map(|d| d.to_string()),
            staff_count: num(m.staff_count),
            member_count: num(m.member_count),
            charter_party_clause: m.charter_party_clause,
            is_hub: m.is_hub,
            is_brand: m.is_brand,
            incubator: m.incubator.clone(),
            applying: m.status == hongling_domain::registry::OrgStatus::Applying.as_str(),
            version: Some(m.version),
            effective_on: None,
            reason: String::new(),
        }
    }
}

/// A life-cycle action as the status form and `POST /api/v1/orgs/{id}/status` send it.
/// Every action but `approve` also needs `doc_no`; `approve` needs `uscc`
/// when the application has no credit code yet.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// approve, deregister, revoke, revoke_licence, reinstate
    #[serde(default)]
    #[schema(value_type = StatusAction, required = true)]
    pub action: String,
    #[serde(default)]
    #[schema(required = true)]
    pub reason: String,
    /// 决定文书号 (all but approve)
    #[serde(default)]
    pub doc_no: String,
    /// YYYY-MM-DD, default today
    #[serde(default, alias = "on", deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub date: Option<String>,
    /// approve: the credit code assigned
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub uscc: Option<String>,
}

impl StatusInput {
    /// The action and its date, or what could not be read.
    pub fn parse(&self) -> Result<(hongling_domain::registry::StatusAction, Option<Date>), Vec<FieldError>> {
        let mut errors = Vec::new();
        let action = hongling_domain::registry::StatusAction::parse(&self.action);
        if action.is_none() {
            errors.push(FieldError {
                field: "action".into(),
                message: "action 应为 approve、deregister、revoke、revoke_licence 或 reinstate".into(),
            });
        }
        let on = date(&self.date, "date", &mut errors);
        match action {
            Some(a) if errors.is_empty() => Ok((a, on)),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_json_read_alike_and_misspelt_fields_are_refused() {
        let json: OrgInput =
            serde_json::from_str(r#"{"name":"测试协会","kind":"association","registration_mode":"registered","staff_count":12,"is_hub":true}"#)
                .expect("json");
        let form: OrgInput = serde_json::from_str(
            r#"{"name":"测试协会","kind":"社会团体","mode":"registered","staff_count":"12","is_hub":"on"}"#,
        )
        .expect("form");
        assert_eq!(json.draft().expect("draft"), form.draft().expect("draft"));
        assert!(serde_json::from_str::<OrgInput>(r#"{"name":"x","adress":"y"}"#).is_err());
    }

    #[test]
    fn unreadable_fields_say_which() {
        let i = OrgInput {
            staff_count: Some("三十".into()),
            founded_on: Some("2020/1/1".into()),
            kind: "公司".into(),
            ..Default::default()
        };
        let errs = i.draft().expect_err("errors");
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "staff_count", "founded_on"]);
    }
}
