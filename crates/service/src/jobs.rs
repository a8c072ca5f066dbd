//! Background job runs, claimed in the database so that one server of
//! several runs each (`job_runs`, unique `job, run_key`).

use hongling_store::entity::job_run;
use hongling_store::{is_unique_violation, to_db};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::{Hongling, Principal, Result};

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

impl Hongling {
    /// Claim a job run: true for the one server that inserted the row first.
    pub async fn claim_job(&self, job: &str, key: &str, region: &str, by: &Principal) -> Result<Option<i64>> {
        let r = job_run::ActiveModel {
            job: Set(job.to_owned()),
            run_key: Set(key.to_owned()),
            region_code: Set(region.to_owned()),
            actor: Set(by.actor_name()),
            started_at: Set(to_db(self.now())),
            finished_at: Set(None),
            result: Set(String::new()),
            ..Default::default()
        }
        .insert(&self.db)
        .await;
        match r {
            Ok(m) => Ok(Some(m.id)),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn finish_job(&self, id: i64, result: &str) -> Result<()> {
        let q = Query::update()
            .table(Alias::new("job_runs"))
            .value(Alias::new("finished_at"), to_db(self.now()))
            .value(Alias::new("result"), result)
            .and_where(col("id").eq(id))
            .take();
        self.db.execute(&q).await?;
        Ok(())
    }

    /// The latest runs of a job, newest first.
    pub async fn job_runs(&self, job: &str, limit: u64) -> Result<Vec<job_run::Model>> {
        Ok(job_run::Entity::find()
            .filter(job_run::Column::Job.eq(job))
            .order_by_desc(job_run::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
