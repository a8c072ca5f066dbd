//! The wire format of the M2 record forms and JSON bodies: what a form or an
//! API client sends, as text (so a failed submit keeps what was typed). Read
//! into typed drafts by [`super::records`]; the services re-export them.

use crate::party::coverage::{
    Assessment, ChannelKind, FundKind, InstructorSource, InstructorStatus, MemberType, PartyLifeKind, PartyOrgType,
};
use crate::party::records::Gender;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::input::{de_flag, de_text};

/// A member to create, or the new content of one. The ID number is only
/// written when given: an empty field keeps the recorded one. A member
/// needs `party_org_id` or `employer_org_id` (or both).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MemberInput {
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    /// male, female, or "" (not recorded)
    #[serde(default)]
    #[schema(schema_with = Gender::schema_or_empty)]
    pub gender: String,
    /// formal or probationary
    #[serde(default)]
    #[schema(value_type = MemberType, required = true)]
    pub member_type: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub joined_on: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub formal_on: Option<String>,
    #[serde(default)]
    pub posts: String,
    /// the social organization the member works in
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub employer_org_id: Option<String>,
    /// the party organization the member belongs to
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub party_org_id: Option<String>,
    /// 18-character resident ID number (stored encrypted)
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: String,
    /// YYYY-MM-DD: the member left (transferred out); they no longer count
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub left_on: Option<String>,
    pub version: Option<i32>,
}

/// A party organization to create, or the new content of one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PartyOrgInput {
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    /// committee, general_branch, branch, joint_branch
    #[serde(default)]
    #[schema(value_type = PartyOrgType, required = true)]
    pub org_type: String,
    /// where it is (usually the residence of the organization it covers)
    #[serde(default)]
    #[schema(required = true)]
    pub region_code: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub channel_id: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<String>,
    /// YYYY-MM-DD
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub founded_on: Option<String>,
    /// a member of this party organization
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub secretary_member_id: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub secretary_since: Option<String>,
    #[serde(default, deserialize_with = "de_flag")]
    pub venue_place: bool,
    #[serde(default, deserialize_with = "de_flag")]
    pub venue_facilities: bool,
    #[serde(default, deserialize_with = "de_flag")]
    pub venue_sign: bool,
    #[serde(default, deserialize_with = "de_flag")]
    pub venue_flag: bool,
    #[serde(default, deserialize_with = "de_flag")]
    pub venue_books: bool,
    #[serde(default, deserialize_with = "de_flag")]
    pub venue_rules: bool,
    #[serde(default)]
    pub brand: String,
    #[serde(default, deserialize_with = "de_flag")]
    pub is_demonstration: bool,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub star_rating: Option<String>,
    /// create only: the organizations it covers
    #[serde(default)]
    pub org_ids: Vec<i64>,
    /// update only: the version read
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct InstructorInput {
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    /// retired_cadre, agency_cadre, party_worker, community_worker, org_backbone, other
    #[serde(default)]
    #[schema(value_type = InstructorSource, required = true)]
    pub source: String,
    #[serde(default)]
    #[schema(required = true)]
    pub region_code: String,
    #[serde(default)]
    pub employer: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<f64>)]
    pub longitude: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<f64>)]
    pub latitude: Option<String>,
    /// own load limit (empty: the policy profile's)
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub max_orgs: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub appointed_on: Option<String>,
    /// active or inactive ("" is active)
    #[serde(default)]
    #[schema(schema_with = InstructorStatus::schema_or_empty)]
    pub status: String,
    /// the latest yearly assessment, or "" (none yet)
    #[serde(default)]
    #[schema(schema_with = Assessment::schema_or_empty)]
    pub assessment: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub assessment_year: Option<String>,
    pub version: Option<i32>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PartyLifeInput {
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = i64, required = true)]
    pub party_org_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = PartyLifeKind, required = true)]
    pub kind: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = String, required = true)]
    pub held_on: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub topic: String,
    /// 实到人数; blank when not recorded (not zero)
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub attendees: Option<String>,
    /// 应到人数; blank when not recorded (not zero)
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub expected: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct FundInput {
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = i64, required = true)]
    pub party_org_id: Option<String>,
    #[serde(default)]
    #[schema(value_type = FundKind, required = true)]
    pub kind: String,
    /// yuan, e.g. "3000" or "1250.50"
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = String, required = true)]
    pub amount: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = String, required = true)]
    pub received_on: Option<String>,
    #[serde(default)]
    pub doc_no: String,
    #[serde(default)]
    pub note: String,
}

/// A training attended by a member (e.g. a secretary's rotation training) or
/// an instructor: one of `member_id` and `instructor_id`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TrainingInput {
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub member_id: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub instructor_id: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub title: String,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = String, required = true)]
    pub trained_on: Option<String>,
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i32>)]
    pub hours: Option<String>,
    #[serde(default)]
    pub organizer: String,
}

/// A management channel; a hub channel (`hub_org`) needs `hub_org_id`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChannelInput {
    #[serde(default)]
    #[schema(value_type = ChannelKind, required = true)]
    pub kind: String,
    #[serde(default)]
    #[schema(required = true)]
    pub name: String,
    #[serde(default)]
    #[schema(required = true)]
    pub region_code: String,
    /// hub_org only: the hub organization
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<i64>)]
    pub hub_org_id: Option<String>,
}
