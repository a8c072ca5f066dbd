//! Community-organization targets (for M10, issue 11 item 13): how many
//! community social organizations (社区社会组织) the communities of a region
//! have against the profile's targets.
//!
//! The seeds state the community targets as **averages** over a region's
//! communities (`000§12` 城市社区平均拥有不少于12个; `001` 城市社区平均拥有不少于12个、
//! 农村社区平均拥有不少于7个; `002` 二（二） 每个城市社区平均不少于10个、每个农村社区平均不少于5个),
//! not a minimum for each community: a region meets the urban target when
//! the urban communities' organizations divided by the urban communities
//! reach it, even if one community has fewer. The village target (`002`
//! 每个行政村实现“一村一组织”) is per village. Administrative villages and rural
//! communities are different units: each unit has one [`CommunityKind`], so
//! the per-village value and the per-rural-community value never apply to
//! the same unit.

use serde::{Deserialize, Serialize};

use crate::policy::{Param, Profile};
use crate::region::UrbanRural;

/// The kind of a village-level unit, for the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommunityKind {
    /// 城市社区 (居委会)
    UrbanCommunity,
    /// 农村社区: a rural unit that is not an administrative village
    RuralCommunity,
    /// 行政村 (村委会)
    AdministrativeVillage,
}

impl CommunityKind {
    /// The kind of a village-level region from its urban/rural class and its
    /// name: a rural unit named 村委会 / 村民委员会 / …村 is an administrative
    /// village; any other rural unit (…社区, …居委会 in a township) a rural
    /// community; an urban one an urban community. `None` when the class is unknown.
    pub fn classify(class: Option<UrbanRural>, name: &str) -> Option<Self> {
        let n = name.trim();
        match class? {
            UrbanRural::Urban => Some(Self::UrbanCommunity),
            UrbanRural::Rural if n.ends_with("村委会") || n.ends_with("村民委员会") || n.ends_with('村') => {
                Some(Self::AdministrativeVillage)
            }
            UrbanRural::Rural => Some(Self::RuralCommunity),
        }
    }

    /// The parameter that applies to a unit of this kind.
    pub fn param(self) -> Param {
        match self {
            Self::UrbanCommunity => Param::UrbanCommunityOrgs,
            Self::RuralCommunity => Param::RuralCommunityOrgs,
            Self::AdministrativeVillage => Param::VillageOrgs,
        }
    }
}

/// The units of one kind in a region: how many there are and how many
/// community organizations they have (both from SQL aggregates), and how
/// many units have fewer than the per-unit target (villages only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub units: u64,
    pub orgs: u64,
    /// Units with fewer organizations than the target (needed for the per-village target).
    pub units_below: u64,
}

/// How a region stands against one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetCheck {
    pub kind: CommunityKind,
    pub target: i64,
    /// Organizations per unit (averages) or per unit each (villages).
    pub average: f64,
    /// Met: the average reaches the target (communities) or no village is below it.
    pub met: bool,
    pub detail: String,
}

/// Check a region's communities against the profile: urban and rural
/// communities on their average, administrative villages each. A kind
/// without units or without a target in force is left out.
pub fn check_targets(profile: &Profile, counts: &[(CommunityKind, KindCounts)]) -> Vec<TargetCheck> {
    let mut out = Vec::new();
    for (kind, c) in counts {
        let Some(target) = profile.get(kind.param()) else { continue };
        if c.units == 0 {
            continue;
        }
        let average = c.orgs as f64 / c.units as f64;
        let (met, detail) = match kind {
            CommunityKind::AdministrativeVillage => {
                (c.units_below == 0, format!("{} 个行政村中 {} 个不足 {} 个（每村）", c.units, c.units_below, target))
            }
            _ => (
                average >= target as f64,
                format!("{} 个社区平均 {:.1} 个，目标平均不少于 {} 个", c.units, average, target),
            ),
        };
        out.push(TargetCheck { kind: *kind, target, average, met, detail });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{resolve, shipped};
    use proptest::prelude::*;
    use time::macros::date;

    /// `000§12`, `001`, `002`: an average, not a minimum per community.
    #[test]
    fn seed_002_urban_target_is_an_average() {
        let dy = resolve(&shipped(), "370502", date!(2021 - 06 - 01)); // 10 from 2020-04-15 (002)
        // three urban communities with 4, 12 and 14: average 10, met though one has 4
        let c = KindCounts { units: 3, orgs: 30, units_below: 1 };
        let r = check_targets(&dy, &[(CommunityKind::UrbanCommunity, c)]);
        assert_eq!(r.len(), 1);
        assert!(r[0].met && (r[0].average - 10.0).abs() < 1e-9, "{r:?}");
        let r =
            check_targets(&dy, &[(CommunityKind::UrbanCommunity, KindCounts { units: 3, orgs: 29, units_below: 0 })]);
        assert!(!r[0].met);
    }

    /// `002` 二（二）: 5 per rural community on average, 1 in each administrative
    /// village; `001`: 7 per rural community (雅安市). The two never meet in one unit.
    #[test]
    fn seed_002_villages_and_rural_communities_are_different_units() {
        assert_eq!(
            CommunityKind::classify(Some(UrbanRural::Rural), "王家村村委会"),
            Some(CommunityKind::AdministrativeVillage)
        );
        assert_eq!(CommunityKind::classify(Some(UrbanRural::Rural), "新华社区"), Some(CommunityKind::RuralCommunity));
        assert_eq!(CommunityKind::classify(Some(UrbanRural::Urban), "新华社区"), Some(CommunityKind::UrbanCommunity));
        assert_eq!(CommunityKind::classify(None, "新华社区"), None);
        let dy = resolve(&shipped(), "370502", date!(2024 - 06 - 01));
        let r = check_targets(
            &dy,
            &[
                (CommunityKind::RuralCommunity, KindCounts { units: 2, orgs: 10, units_below: 1 }),
                (CommunityKind::AdministrativeVillage, KindCounts { units: 4, orgs: 4, units_below: 1 }),
            ],
        );
        assert_eq!(r[0].target, 5);
        assert!(r[0].met, "5 on average over rural communities");
        assert_eq!(r[1].target, 1);
        assert!(!r[1].met, "one village has none: 一村一组织 is per village");
        // 雅安市: 7 per rural community, no village value
        let ya = resolve(&shipped(), "511802", date!(2024 - 06 - 01));
        let r = check_targets(
            &ya,
            &[(CommunityKind::AdministrativeVillage, KindCounts { units: 4, orgs: 0, units_below: 4 })],
        );
        assert!(r.is_empty(), "雅安市 sets no per-village value; 7 does not apply to villages");
        assert_eq!(CommunityKind::RuralCommunity.param(), Param::RuralCommunityOrgs);
        assert_eq!(CommunityKind::AdministrativeVillage.param(), Param::VillageOrgs);
    }

    proptest! {
        /// An average target is met exactly when orgs ≥ target × units, however
        /// the organizations are spread over the communities.
        #[test]
        fn average_target_depends_only_on_totals(units in 1u64..500, orgs in 0u64..10_000, below in 0u64..500) {
            let dy = resolve(&shipped(), "370502", date!(2024 - 06 - 01));
            let c = KindCounts { units, orgs, units_below: below.min(units) };
            let r = check_targets(&dy, &[(CommunityKind::UrbanCommunity, c)]);
            prop_assert_eq!(r[0].met, orgs >= 12 * units);
        }
    }
}
