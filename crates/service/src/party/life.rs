//! Party life (三会一课, themed party days), party funds and training records.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;

use hongling_domain::party::coverage::{FundCheck, FundKind, PartyLifeKind, check_funds};
pub use hongling_domain::party::inputs::{FundInput, PartyLifeInput, TrainingInput};
use hongling_domain::party::records::{FundDraft, PartyLifeDraft, Trainee, TrainingDraft, attendance_rate};
pub use hongling_domain::party::records::{format_fen, parse_yuan};
use hongling_store::party::entity::{party_fund, party_life, party_org, training};
use hongling_store::{begin_write, to_db};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Party;
use crate::Ref;
use crate::{CurrentUser, Error, Principal, Result};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyLifeView {
    pub id: i64,
    pub party_org: Ref,
    /// branch_assembly, committee_meeting, group_meeting, party_lecture, themed_day
    #[schema(value_type = hongling_domain::party::coverage::PartyLifeKind)]
    pub kind: String,
    pub kind_label: String,
    pub held_on: String,
    pub topic: String,
    /// null when not recorded (a blank is not zero)
    pub attendees: Option<i32>,
    pub expected: Option<i32>,
    /// attendees / expected, 0..1 (null unless both are recorded)
    pub attendance_rate: Option<f64>,
    pub actor: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundView {
    pub id: i64,
    pub party_org: Ref,
    /// dues_refund, startup, education, other
    #[schema(value_type = hongling_domain::party::coverage::FundKind)]
    pub kind: String,
    pub kind_label: String,
    /// yuan, two decimals
    pub amount: String,
    pub amount_fen: i64,
    pub received_on: String,
    pub doc_no: String,
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
        attendance_rate: attendance_rate(r.attendees, r.expected),
        actor: r.actor,
    }
}

impl Party<'_> {
    /// The party organization a record is about, if the caller may add records to it:
    /// region writers in their subtree, a secretary their own. One answer for
    /// missing, out of scope and not kept.
    async fn writable_party_org(&self, me: &CurrentUser, id: i64) -> Result<party_org::Model> {
        match self.visible_party_org(&self.db, me, id).await? {
            Some(p) if self.edits_party_org(me, &p) => Ok(p),
            _ => Err(Error::invalid("party_org_id", "党组织不存在或无权维护")),
        }
    }

    pub async fn create_party_life(&self, me: &CurrentUser, i: &PartyLifeInput) -> Result<party_life::Model> {
        let d = PartyLifeDraft::read(i, self.today())?;
        let p = self.writable_party_org(me, d.party_org_id).await?;
        let PartyLifeDraft { kind, held_on: held, topic, attendees, expected, .. } = d;
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
        self.audit(
            &txn,
            &by,
            AuditAction::PartyLifeCreate,
            "party_life",
            m.id,
            &p.region_code,
            summary,
            None,
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(m)
    }

    /// Record funds received; kept by region writers (party offices, townships).
    pub async fn create_fund(&self, me: &CurrentUser, i: &FundInput) -> Result<party_fund::Model> {
        super::require_party_writer(me)?;
        let d = FundDraft::read(i, self.today())?;
        let p = self.writable_party_org(me, d.party_org_id).await?;
        let FundDraft { kind, amount_fen: fen, received_on: on, doc_no, note, .. } = d;
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = party_fund::ActiveModel {
            party_org_id: Set(p.id),
            kind: Set(kind.as_str().to_owned()),
            amount_fen: Set(fen),
            received_on: Set(on),
            doc_no: Set(doc_no),
            note: Set(note),
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
        self.audit(
            &txn,
            &by,
            AuditAction::PartyFundCreate,
            "party_fund",
            m.id,
            &p.region_code,
            summary,
            None,
            Some(after),
        )
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
        // the start-up standard in force when the party organization was founded (`000§1`)
        let at_founding = match p.founded_on {
            Some(d) => Some((d, self.profile(&p.region_code, d).await?)),
            None => None,
        };
        Ok(check_funds(&profile, at_founding.as_ref().map(|(d, pr)| (*d, pr)), members, startup, education))
    }

    /// Record a training of a member (a secretary's rotation training counts
    /// for the training rules at once) or of an instructor.
    pub async fn create_training(&self, me: &CurrentUser, i: &TrainingInput) -> Result<training::Model> {
        let d = TrainingDraft::read(i, self.today())?;
        let (member, inst, region) = match d.trainee {
            Trainee::Member(mid) => match self.visible_member(&self.db, me, mid).await? {
                Some(m) if self.edits_member(me, &m) => (Some(mid), None, m.region_code),
                _ => return Err(Error::invalid("member_id", "党员不存在或无权维护")),
            },
            Trainee::Instructor(iid) => match self.visible_instructor(&self.db, me, iid).await? {
                Some(x) if self.edits_instructor(me, &x) => (None, Some(iid), x.region_code),
                _ => return Err(Error::invalid("instructor_id", "党建指导员不存在或无权维护")),
            },
        };
        let TrainingDraft { title, trained_on: on, hours, organizer, .. } = d;
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = training::ActiveModel {
            member_id: Set(member),
            instructor_id: Set(inst),
            title: Set(title),
            trained_on: Set(on),
            hours: Set(hours),
            organizer: Set(organizer),
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
        self.audit(&txn, &by, AuditAction::TrainingCreate, "training", m.id, &region, summary, None, Some(after))
            .await?;
        txn.commit().await?;
        Ok(m)
    }
}
