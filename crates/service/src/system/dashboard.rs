//! Figures for the dashboard, all from SQL aggregates.

use hongling_store::regions;
use serde::Serialize;

use super::System;
use crate::{CurrentUser, Result};

#[derive(Debug, Clone, Serialize, Default)]
pub struct DashboardFigures {
    pub region_name: String,
    pub counties: i64,
    pub townships: i64,
    pub villages: i64,
    pub urban_communities: i64,
    pub users: u64,
    /// registered organizations in normal status
    pub registered_active: i64,
    /// filed community organizations in normal status
    pub filed_active: i64,
    /// applications under review
    pub applying: i64,
    /// registered, waiting for party coverage (三同步)
    pub sync_pending: i64,
    /// deregistered, revoked or licence revoked
    pub closed: i64,
    /// under guidance, interview or key supervision
    pub supervised: i64,
}

impl System<'_> {
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
        let c = hongling_store::registry::orgs::registry_counts(&self.db, prefix.as_str()).await?;
        f.registered_active = c.registered_active;
        f.filed_active = c.filed_active;
        f.applying = c.applying;
        f.sync_pending = c.sync_pending;
        f.closed = c.closed;
        f.supervised = c.supervised;
        Ok(f)
    }
}
