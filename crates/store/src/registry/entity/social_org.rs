use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "social_orgs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub uscc: Option<String>,
    pub name: String,
    /// `search_form(name)`, for substring checks.
    pub name_search: String,
    pub kind: String,
    pub registration_mode: String,
    pub category: String,
    pub industry: String,
    pub authority_region: String,
    pub supervisory_unit_id: Option<i64>,
    pub region_code: String,
    pub address: String,
    /// Longitude and latitude in millionths of a degree.
    pub lon_e6: Option<i64>,
    pub lat_e6: Option<i64>,
    pub legal_rep: String,
    pub founded_on: Option<TimeDate>,
    pub staff_count: Option<i32>,
    pub member_count: Option<i32>,
    pub charter_party_clause: bool,
    pub is_hub: bool,
    pub is_brand: bool,
    pub incubator: String,
    pub status: String,
    pub status_changed_on: Option<TimeDate>,
    pub supervision_class: String,
    /// "三同步": registered but not yet covered by a party organization or instructor.
    pub sync_pending: bool,
    pub version: i32,
    pub created_at: TimeDateTime,
    pub updated_at: TimeDateTime,
    /// The management channel (M2), derived by the coverage rules unless set by hand.
    pub channel_id: Option<i64>,
    pub channel_kind: String,
    pub channel_manual: bool,
    /// Maintained by the coverage module: mode, members employed, breaches.
    pub coverage_mode: String,
    pub formal_members: i32,
    pub probationary_members: i32,
    pub breach_count: i32,
    /// 行业管理部门 (m0017): recorded apart from the 业务主管单位; plays no part in the channel.
    pub industry_department_id: Option<i64>,
    /// 已脱钩 (m0017): a decoupled organization has no 业务主管单位 (`003§1`).
    pub decoupled: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
