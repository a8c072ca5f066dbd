//! Queries over social organizations: scoped filters, name search, grams,
//! change events.

use hongling_domain::region::subtree_range;
use hongling_domain::registry::{OrgStatus, RegistrationMode, SupervisionClass, name_grams, search_form};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::entity::{org_event, org_name_gram, social_org};

/// Text for a `LIKE` pattern: the wildcard and escape characters removed.
pub fn like_safe(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect()
}

/// The credit-code form of a query, if it could be (a prefix of) a code.
fn code_prefix(q: &str) -> Option<String> {
    let up: String = search_form(q).to_ascii_uppercase();
    (up.len() >= 2 && up.len() <= 18 && up.chars().all(|c| c.is_ascii_alphanumeric())).then_some(up)
}

/// Name search: every gram of the query must be in the name (read from the
/// gram index within the scope's subtree), and for longer queries the name
/// must contain the query as a whole.
fn name_condition(q: &str, lo: &str, hi: &str) -> Option<Condition> {
    let form = like_safe(&search_form(q));
    if form.is_empty() {
        return None;
    }
    let grams = name_grams(&form);
    let mut c = Condition::all();
    if grams.is_empty() {
        return Some(c.add(social_org::Column::NameSearch.contains(form.as_str())));
    }
    // at most three grams (first, middle, last): each is a posting list to
    // read; the substring check below makes the match exact anyway
    let picked: Vec<&String> = if grams.len() <= 3 {
        grams.iter().collect()
    } else {
        let chars: Vec<char> = form.chars().collect();
        let at = |i: usize| -> String { chars[i..i + 2].iter().collect() };
        let wanted = [at(0), at(chars.len() / 2 - 1), at(chars.len() - 2)];
        grams.iter().filter(|g| wanted.contains(g)).collect()
    };
    for g in picked {
        let sub = Query::select()
            .column(org_name_gram::Column::OrgId)
            .from(org_name_gram::Entity)
            .and_where(Expr::col(org_name_gram::Column::Gram).eq(g.as_str()))
            .and_where(Expr::col(org_name_gram::Column::RegionCode).gte(lo))
            .and_where(Expr::col(org_name_gram::Column::RegionCode).lt(hi))
            .take();
        c = c.add(social_org::Column::Id.in_subquery(sub));
    }
    if form.chars().count() > 2 {
        c = c.add(social_org::Column::NameSearch.contains(form.as_str()));
    }
    Some(c)
}

/// Name or credit-code search within a region subtree: a code prefix over
/// the unique code index, a name over the gram index (see `name_condition`).
pub fn search_condition(text: &str, region_prefix: &str) -> Option<Condition> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let (lo, hi) = subtree_range(region_prefix);
    let mut any = Condition::any();
    let mut used = false;
    let code = code_prefix(text);
    if let Some(p) = &code {
        any = any.add(
            Condition::all()
                .add(social_org::Column::Uscc.gte(p.as_str()))
                .add(social_org::Column::Uscc.lt(format!("{p}~"))),
        );
        used = true;
    }
    // letters and digits together are a code, not a name: the code index alone
    // answers it (an OR with the name grams would scan the table)
    let looks_like_code = code.as_ref().is_some_and(|p| p.chars().any(|c| c.is_ascii_digit()));
    if !looks_like_code && let Some(n) = name_condition(text, &lo, &hi) {
        any = any.add(n);
        used = true;
    }
    used.then_some(any)
}

/// The count of a two-character name search with no other filter, read from
/// the gram index alone (no join), capped at `cap + 1`; None when the search
/// is not of that form.
pub async fn count_single_gram(
    conn: &impl ConnectionTrait,
    text: &str,
    region_prefix: &str,
    cap: u64,
) -> Result<Option<u64>, DbErr> {
    let text = text.trim();
    let grams = name_grams(&like_safe(&search_form(text)));
    let is_code = code_prefix(text).is_some_and(|p| p.chars().any(|c| c.is_ascii_digit()));
    if is_code || search_form(text).chars().count() != 2 || grams.len() != 1 {
        return Ok(None);
    }
    let (lo, hi) = subtree_range(region_prefix);
    let inner = Query::select()
        .column(org_name_gram::Column::OrgId)
        .from(org_name_gram::Entity)
        .and_where(Expr::col(org_name_gram::Column::Gram).eq(grams[0].as_str()))
        .and_where(Expr::col(org_name_gram::Column::RegionCode).gte(lo))
        .and_where(Expr::col(org_name_gram::Column::RegionCode).lt(hi))
        .limit(cap + 1)
        .take();
    let stmt = Query::select().expr_as(Expr::cust("COUNT(*)"), "n").from_subquery(inner, "t").take();
    let row = conn.query_one(&stmt).await?;
    Ok(Some(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0) as u64))
}

/// Replace an organization's grams (after a create, rename or move).
pub async fn replace_grams(conn: &impl ConnectionTrait, org_id: i64, region: &str, name: &str) -> Result<(), DbErr> {
    conn.execute(
        &Query::delete()
            .from_table(org_name_gram::Entity)
            .and_where(Expr::col(org_name_gram::Column::OrgId).eq(org_id))
            .take(),
    )
    .await?;
    insert_grams(conn, &[(org_id, region.to_owned(), name.to_owned())]).await
}

/// Insert the grams of many organizations at once (imports, generation).
pub async fn insert_grams(conn: &impl ConnectionTrait, orgs: &[(i64, String, String)]) -> Result<(), DbErr> {
    let mut rows: Vec<(String, String, i64)> = Vec::new();
    for (id, region, name) in orgs {
        for g in name_grams(name) {
            rows.push((g, region.clone(), *id));
        }
    }
    for chunk in rows.chunks(300) {
        let mut ins = Query::insert();
        ins.into_table(org_name_gram::Entity).columns([
            org_name_gram::Column::Gram,
            org_name_gram::Column::RegionCode,
            org_name_gram::Column::OrgId,
        ]);
        for (g, r, id) in chunk {
            ins.values_panic([g.clone().into(), r.clone().into(), (*id).into()]);
        }
        conn.execute(&ins).await?;
    }
    Ok(())
}

pub async fn delete_grams_of(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    for chunk in ids.chunks(500) {
        conn.execute(
            &Query::delete()
                .from_table(org_name_gram::Entity)
                .and_where(Expr::col(org_name_gram::Column::OrgId).is_in(chunk.iter().copied()))
                .take(),
        )
        .await?;
    }
    Ok(())
}

pub async fn history(conn: &impl ConnectionTrait, org_id: i64) -> Result<Vec<org_event::Model>, DbErr> {
    org_event::Entity::find()
        .filter(org_event::Column::OrgId.eq(org_id))
        .order_by_desc(org_event::Column::EffectiveOn)
        .order_by_desc(org_event::Column::Id)
        .all(conn)
        .await
}

/// The last change effective on or before `date`.
pub async fn event_as_of(
    conn: &impl ConnectionTrait,
    org_id: i64,
    date: time::Date,
) -> Result<Option<org_event::Model>, DbErr> {
    org_event::Entity::find()
        .filter(org_event::Column::OrgId.eq(org_id))
        .filter(org_event::Column::EffectiveOn.lte(date))
        .order_by_desc(org_event::Column::EffectiveOn)
        .order_by_desc(org_event::Column::Id)
        .one(conn)
        .await
}

/// Registry figures for a subtree, in one aggregate query.
#[derive(Debug, Clone, Default)]
pub struct RegistryCounts {
    pub registered_active: i64,
    pub filed_active: i64,
    pub applying: i64,
    pub sync_pending: i64,
    pub closed: i64,
    pub supervised: i64,
}

/// The dashboard's counts of a region subtree, or of one supervisory unit's
/// organizations wherever they lie (`unit`, with prefix "").
pub async fn registry_counts(
    conn: &impl ConnectionTrait,
    prefix: &str,
    unit: Option<i64>,
) -> Result<RegistryCounts, DbErr> {
    use social_org::Column as C;
    let (lo, hi) = subtree_range(prefix);
    let active = || C::Status.eq(OrgStatus::Active.as_str());
    // SUM(CASE …) is the same SQL on both databases
    let count = |when: Condition, name: &str| -> (Expr, Alias) {
        (Into::<Expr>::into(Expr::case(when, 1).finally(0)).sum().if_null(0), Alias::new(name))
    };
    let closed = [OrgStatus::Deregistered, OrgStatus::Revoked, OrgStatus::LicenceRevoked].map(OrgStatus::as_str);
    let mut q = Query::select();
    for (expr, name) in [
        count(
            Condition::all().add(active()).add(C::RegistrationMode.eq(RegistrationMode::Registered.as_str())),
            "registered_active",
        ),
        count(
            Condition::all().add(active()).add(C::RegistrationMode.eq(RegistrationMode::Filed.as_str())),
            "filed_active",
        ),
        count(Condition::all().add(C::Status.eq(OrgStatus::Applying.as_str())), "applying"),
        count(Condition::all().add(C::SyncPending.eq(true)).add(active()), "sync_pending"),
        count(Condition::all().add(C::Status.is_in(closed)), "closed"),
        count(
            Condition::all().add(C::SupervisionClass.ne(SupervisionClass::Normal.as_str())).add(active()),
            "supervised",
        ),
    ] {
        q.expr_as(expr, name);
    }
    q.from(social_org::Entity).and_where(C::RegionCode.gte(lo)).and_where(C::RegionCode.lt(hi));
    if let Some(u) = unit {
        q.and_where(C::SupervisoryUnitId.eq(u));
    }
    let row = conn.query_one(&q).await?;
    let Some(r) = row else { return Ok(RegistryCounts::default()) };
    let get = |c: &str| -> Result<i64, DbErr> { r.try_get::<i64>("", c) };
    Ok(RegistryCounts {
        registered_active: get("registered_active")?,
        filed_active: get("filed_active")?,
        applying: get("applying")?,
        sync_pending: get("sync_pending")?,
        closed: get("closed")?,
        supervised: get("supervised")?,
    })
}
