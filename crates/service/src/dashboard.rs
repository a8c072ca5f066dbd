//! Figures for the dashboard, all from SQL aggregates.

use hongling_store::regions;
use serde::Serialize;

use crate::{CurrentUser, Hongling, Result};

#[derive(Debug, Clone, Serialize, Default)]
pub struct DashboardFigures {
    pub region_name: String,
    pub counties: i64,
    pub townships: i64,
    pub villages: i64,
    pub urban_communities: i64,
    pub users: u64,
}

impl Hongling {
    pub async fn dashboard(&self, me: &CurrentUser) -> Result<DashboardFigures> {
        let prefix = match me.region_prefix() {
            Ok(p) => p.clone(),
            Err(_) => return Ok(DashboardFigures::default()),
        };
        let mut f = DashboardFigures { region_name: self.region_full_name(&prefix).await?, ..Default::default() };
        for (level, n) in regions::count_by_level(&self.db, prefix.as_str()).await? {
            match level {
                3 => f.counties = n,
                4 => f.townships = n,
                5 => f.villages = n,
                _ => {}
            }
        }
        f.urban_communities = regions::count_urban(&self.db, prefix.as_str()).await?;
        f.users = self.count_users_in(prefix.as_str()).await?;
        Ok(f)
    }
}
