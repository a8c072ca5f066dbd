//! Party life (三会一课, themed party days), party funds and training records.

use std::collections::HashMap;

use hongling_domain::party::coverage::{FundCheck, FundKind, PartyLifeKind, check_funds};
use hongling_store::party::entity::{instructor, party_fund, party_life, party_member, party_org, training};
use hongling_store::{begin_write, to_db};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Party;
use super::may_write_party;
use crate::Ref;
use crate::input::{Check, de_text};
use crate::{CurrentUser, Error, Principal, Result};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyLifeView {
    pub id: i64,
    pub party_org: Ref,
    /// branch_assembly, committee_meeting, group_meeting, party_lecture, themed_day
    pub kind: String,
    pub kind_label: String,
    pub held_on: String,
    pub topic: String,
    pub attendees: i32,
    pub expected: i32,
    /// attendees / expected, 0..1 (null without an expected number)
    pub attendance_rate: Option<f64>,
    pub actor: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PartyLifeInput {
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = i64)]
    pub party_org_id: Option<String>,
    #[serde(default)]
    pub kind: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = String)]
    pub held_on: Option<String>,
    #[serde(default)]
    pub topic: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = i32)]
    pub attendees: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = i32)]
    pub expected: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundView {
    pub id: i64,
    pub party_org: Ref,
    /// dues_refund, startup, education, other
    pub kind: String,
    pub kind_label: String,
    /// yuan, two decimals
    pub amount: String,
    pub amount_fen: i64,
    pub received_on: String,
    pub doc_no: String,
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FundInput {
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = i64)]
    pub party_org_id: Option<String>,
    #[serde(default)]
    pub kind: String,
    /// yuan, e.g. "3000" or "1250.50"
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = String)]
    pub amount: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = String)]
    pub received_on: Option<String>,
    #[serde(default)]
    pub doc_no: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrainingView {
    pub id: i64,
    pub member: Option<Ref>,
    pub instructor: Option<Ref>,
    pub title: String,
    pub trained_on: String,
    pub hours: i32,
    pub organizer: String,
}

/// A training attended by a member (e.g. a secretary's rotation training) or an instructor.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TrainingInput {
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub member_id: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub instructor_id: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = String)]
    pub trained_on: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub hours: Option<String>,
    #[serde(default)]
    pub organizer: String,
}

/// "1250.5" → 125050 fen.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let s = s.trim().trim_end_matches('元').trim().replace(',', "");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let y: i64 = int.parse().ok()?;
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    y.checked_mul(100)?.checked_add(f)
}

/// A party life record as pages and the API show it.
pub(crate) fn party_life_view(r: party_life::Model, names: &HashMap<i64, String>) -> PartyLifeView {
    PartyLifeView {
        id: r.id,
        party_org: Ref { id: r.party_org_id, name: names.get(&r.party_org_id).cloned().unwrap_or_default() },
        kind_label: PartyLifeKind::parse(&r.kind).map(PartyLifeKind::label).unwrap_or("").to_owned(),
        kind: r.kind,
        held_on: r.held_on.to_string(),
        topic: r.topic,
        attendees: r.attendees,
        expected: r.expected,
        attendance_rate: (r.expected > 0).then(|| f64::from(r.attendees) / f64::from(r.expected)),
        actor: r.actor,
    }
}

pub fn format_fen(f: i64) -> String {
    format!("{}.{:02}", f / 100, (f % 100).abs())
}

impl Party<'_> {
    /// The party organization a record is about, if the caller may add records to it:
    /// region writers in their subtree, a secretary their own.
    async fn writable_party_org(
        &self,
        me: &CurrentUser,
        c: &mut Check,
        raw: &Option<String>,
    ) -> Result<Option<party_org::Model>> {
        let Some(id) = c.id("party_org_id", raw) else {
            if raw.is_none() {
                c.bad("party_org_id", "请选择党组织");
            }
            return Ok(None);
        };
        let p = party_org::Entity::find_by_id(id).one(&self.db).await?;
        match p {
            Some(p)
                if self.edits_party_org(me, &p)
                    || (may_write_party(me) && me.scope.region.contains_str(&p.region_code)) =>
            {
                Ok(Some(p))
            }
            _ => {
                c.bad("party_org_id", "党组织不存在或无权维护");
                Ok(None)
            }
        }
    }

    pub async fn create_party_life(&self, me: &CurrentUser, i: &PartyLifeInput) -> Result<party_life::Model> {
        let mut c = Check::default();
        let p = self.writable_party_org(me, &mut c, &i.party_org_id).await?;
        let kind = c.choice("kind", &i.kind, PartyLifeKind::parse, "活动类型");
        let held = c.required_date("held_on", &i.held_on, self.today(), "活动日期");
        let topic = c.text("topic", &i.topic, "主题", 200);
        let attendees = c.int("attendees", &i.attendees, 0, 100_000).unwrap_or(0) as i32;
        let expected = c.int("expected", &i.expected, 0, 100_000).unwrap_or(0) as i32;
        if expected > 0 && attendees > expected {
            c.bad("attendees", "实到人数不能多于应到人数");
        }
        c.finish()?;
        let (Some(p), Some(kind), Some(held)) = (p, kind, held) else { return Err(Error::internal("checked")) };
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = party_life::ActiveModel {
            party_org_id: Set(p.id),
            kind: Set(kind.as_str().to_owned()),
            held_on: Set(held),
            topic: Set(topic),
            attendees: Set(attendees),
            expected: Set(expected),
            region_code: Set(p.region_code.clone()),
            actor: Set(by.actor_name()),
            created_at: Set(to_db(self.now())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let summary = format!("记录组织生活：{} {}（{}）", p.name, kind.label(), held);
        let after = json!({"party_org_id": p.id, "kind": m.kind, "held_on": held, "topic": m.topic, "attendees": attendees, "expected": expected});
        self.audit(&txn, &by, "party_life.create", "party_life", m.id, &p.region_code, summary, None, Some(after))
            .await?;
        txn.commit().await?;
        Ok(m)
    }

    /// Record funds received; kept by region writers (party offices, townships).
    pub async fn create_fund(&self, me: &CurrentUser, i: &FundInput) -> Result<party_fund::Model> {
        super::require_party_writer(me)?;
        let mut c = Check::default();
        let p = self.writable_party_org(me, &mut c, &i.party_org_id).await?;
        let kind = c.choice("kind", &i.kind, FundKind::parse, "经费类别");
        let fen = match i.amount.as_deref().map(parse_yuan) {
            Some(Some(f)) if f > 0 => Some(f),
            Some(_) => {
                c.bad("amount", "金额应为正数，最多两位小数，如 3000 或 1250.50");
                None
            }
            None => {
                c.bad("amount", "请填写金额");
                None
            }
        };
        let on = c.required_date("received_on", &i.received_on, self.today(), "到账日期");
        c.finish()?;
        let (Some(p), Some(kind), Some(fen), Some(on)) = (p, kind, fen, on) else {
            return Err(Error::internal("checked"));
        };
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = party_fund::ActiveModel {
            party_org_id: Set(p.id),
            kind: Set(kind.as_str().to_owned()),
            amount_fen: Set(fen),
            received_on: Set(on),
            doc_no: Set(i.doc_no.trim().chars().take(100).collect()),
            note: Set(i.note.trim().chars().take(200).collect()),
            region_code: Set(p.region_code.clone()),
            actor: Set(by.actor_name()),
            created_at: Set(to_db(self.now())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let summary = format!("登记党建经费：{} {} {} 元", p.name, kind.label(), format_fen(fen));
        let after =
            json!({"party_org_id": p.id, "kind": m.kind, "amount_fen": fen, "received_on": on, "doc_no": m.doc_no});
        self.audit(&txn, &by, "party_fund.create", "party_fund", m.id, &p.region_code, summary, None, Some(after))
            .await?;
        txn.commit().await?;
        Ok(m)
    }

    /// Funds a party organization should have had, against what it received (`000§1`, `004`).
    pub async fn fund_check(&self, me: &CurrentUser, party_org_id: i64) -> Result<FundCheck> {
        let p = self.party_org_model(me, party_org_id).await?;
        let today = self.today();
        let profile = self.profile(&p.region_code, today).await?;
        let funds = party_fund::Entity::find().filter(party_fund::Column::PartyOrgId.eq(p.id)).all(&self.db).await?;
        let startup: i64 = funds.iter().filter(|f| f.kind == FundKind::Startup.as_str()).map(|f| f.amount_fen).sum();
        let education: i64 = funds
            .iter()
            .filter(|f| f.kind == FundKind::Education.as_str() && f.received_on.year() == today.year())
            .map(|f| f.amount_fen)
            .sum();
        let members = (p.formal_members + p.probationary_members).max(0) as u32;
        Ok(check_funds(&profile, members, startup, education))
    }

    /// Record a training of a member (a secretary's rotation training counts
    /// for the training rules at once) or of an instructor.
    pub async fn create_training(&self, me: &CurrentUser, i: &TrainingInput) -> Result<training::Model> {
        let mut c = Check::default();
        let member = c.id("member_id", &i.member_id);
        let inst = c.id("instructor_id", &i.instructor_id);
        let mut region = String::new();
        match (member, inst) {
            (Some(_), Some(_)) | (None, None) => c.bad("member_id", "请选择参训的党员或党建指导员（二选一）"),
            (Some(mid), None) => match party_member::Entity::find_by_id(mid).one(&self.db).await? {
                Some(m) if self.edits_member(me, &m) => region = m.region_code,
                _ => c.bad("member_id", "党员不存在或无权维护"),
            },
            (None, Some(iid)) => match instructor::Entity::find_by_id(iid).one(&self.db).await? {
                Some(x) if may_write_party(me) && me.scope.region.contains_str(&x.region_code) => {
                    region = x.region_code
                }
                _ => c.bad("instructor_id", "党建指导员不存在或无权维护"),
            },
        }
        let title = c.text("title", &i.title, "培训名称", 200);
        let on = c.required_date("trained_on", &i.trained_on, self.today(), "培训日期");
        let hours = c.int("hours", &i.hours, 0, 1000).unwrap_or(0) as i32;
        c.finish()?;
        let on = on.ok_or_else(|| Error::internal("checked"))?;
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = training::ActiveModel {
            member_id: Set(member),
            instructor_id: Set(inst),
            title: Set(title),
            trained_on: Set(on),
            hours: Set(hours),
            organizer: Set(i.organizer.trim().chars().take(100).collect()),
            region_code: Set(region.clone()),
            actor: Set(by.actor_name()),
            created_at: Set(to_db(self.now())),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let Some(mid) = member {
            let parties: Vec<i64> = party_org::Entity::find()
                .select_only()
                .column(party_org::Column::Id)
                .filter(party_org::Column::SecretaryMemberId.eq(mid))
                .into_tuple()
                .all(&txn)
                .await?;
            self.refresh_party_orgs(&txn, &parties, self.today()).await?;
        }
        let summary = format!("登记培训：{}（{}）", m.title, on);
        let after =
            json!({"member_id": member, "instructor_id": inst, "title": m.title, "trained_on": on, "hours": hours});
        self.audit(&txn, &by, "training.create", "training", m.id, &region, summary, None, Some(after)).await?;
        txn.commit().await?;
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_amounts() {
        assert_eq!(parse_yuan("3000"), Some(300_000));
        assert_eq!(parse_yuan("1,250.5"), Some(125_050));
        assert_eq!(parse_yuan("12.34元"), Some(1234));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-5"), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(format_fen(125_050), "1250.50");
    }
}
