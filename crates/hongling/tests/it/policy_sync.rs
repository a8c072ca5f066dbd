//! Shipped policy profiles as versioned data: a new release's shipped values
//! reach an existing database on start, without touching what a locality set.

use hongling_domain::Role;
use hongling_domain::policy::{Param, PolicyEntry, shipped};
use hongling_service::policy::{PolicyInput, PolicyView};
use hongling_store::entity::{audit_log, policy_value};
use hongling_store::policy::{PolicySync, sync_builtin_policy};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use time::macros::date;

use crate::support::*;

/// The shipped list of an "older release": without 雅安市's 3A target and
/// 薛城区's joint-branch limit (added since), with 东营市's 2023 urban target
/// at 11 under a seed code (changed since), and with a value for 薛城区 this
/// release no longer ships.
fn older_release() -> Vec<PolicyEntry> {
    let mut old: Vec<PolicyEntry> = shipped()
        .into_iter()
        .filter(|e| !(e.region == "5118" && e.param == Param::Grade3aShareTarget))
        .filter(|e| !(e.region == "370403" && e.param == Param::JointBranchMaxOrgs))
        .collect();
    let urban = old
        .iter_mut()
        .find(|e| e.region == "3705" && e.param == Param::UrbanCommunityOrgs && e.effective_from.year() == 2023)
        .expect("东营市 2023");
    urban.value = Some(11);
    urban.basis = "东营市（000§12）".into();
    old.push(PolicyEntry {
        seq: 99,
        region: "370403".into(),
        param: Param::SecretaryTrainingsPerYear,
        value: Some(2),
        effective_from: date!(2020 - 12 - 07),
        basis: "薛城区（003）".into(),
        builtin: true,
    });
    old
}

async fn builtin_rows(db: &DatabaseConnection) -> Vec<policy_value::Model> {
    policy_value::Entity::find()
        .filter(policy_value::Column::Builtin.eq(true))
        .order_by_asc(policy_value::Column::Id)
        .all(db)
        .await
        .expect("rows")
}

async fn sync_entries(db: &DatabaseConnection) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("policy.sync"))
        .order_by_asc(audit_log::Column::Seq)
        .all(db)
        .await
        .expect("audit")
}

fn value(v: &PolicyView, k: &str) -> (Option<i64>, Option<String>) {
    let x = v.values.iter().find(|x| x.param == k).expect("param");
    (x.value, x.source_region.clone())
}

fn find<'a>(rows: &'a [policy_value::Model], region: &str, p: Param) -> Vec<&'a policy_value::Model> {
    rows.iter().filter(|r| r.region_code == region && r.param == p.key()).collect()
}

#[tokio::test]
async fn a_new_release_reaches_an_existing_database_without_touching_local_values() {
    let t = TestApp::new().await;
    let db = t.app.db.clone();
    let now = time::OffsetDateTime::now_utc();
    // a fresh database has every shipped value after start
    let rows = builtin_rows(&db).await;
    assert_eq!(rows.len(), shipped().len());
    assert!(rows.iter().all(|r| !r.basis.contains('§')), "bases name documents");
    assert!(sync_entries(&db).await.is_empty(), "a new installation loads them like the built-in regions");
    // the database of an older release
    let old = older_release();
    sync_builtin_policy(&db, &old, now).await.expect("older release");
    assert_eq!(builtin_rows(&db).await.len(), old.len());
    // a locality's own values: 东营市 its urban target from 2021 (before the
    // shipped 2023 value), 薛城区 its joint-branch limit on the very date of
    // the value the new release ships
    let admin = t.user("admin37", Role::Admin, "37", PW).await;
    let admin = t.current(admin).await;
    let own = |region: &str, param: &str, v: &str, from: &str| PolicyInput {
        region: region.into(),
        param: param.into(),
        value: Some(v.into()),
        effective_from: Some(from.into()),
        basis: "东营市本级文件".into(),
    };
    t.app.set_policy(&admin, &own("3705", "urban_community_orgs", "15", "2021-01-01")).await.expect("东营市");
    t.app.set_policy(&admin, &own("370403", "joint_branch_max_orgs", "4", "2020-12-07")).await.expect("薛城区");
    let local_before: Vec<policy_value::Model> = policy_value::Entity::find()
        .filter(policy_value::Column::Builtin.eq(false))
        .order_by_asc(policy_value::Column::Id)
        .all(&db)
        .await
        .expect("own");
    assert_eq!(local_before.len(), 2);
    let audits_before = t.audit_count().await;
    let syncs_before = sync_entries(&db).await.len();

    // the new release starts
    let r: PolicySync = sync_builtin_policy(&db, &shipped(), now).await.expect("sync");
    let keys = |v: &[hongling_store::policy::ShippedValue]| {
        v.iter().map(|x| (x.region.clone(), x.param.clone())).collect::<Vec<_>>()
    };
    assert_eq!(keys(&r.added), [("5118".to_owned(), "grade_3a_share_target".to_owned())]);
    assert_eq!(r.changed.len(), 1);
    assert_eq!((r.changed[0].0.value, r.changed[0].1.value), (Some(11), Some(12)));
    assert_eq!(keys(&r.removed), [("370403".to_owned(), "secretary_trainings_per_year".to_owned())]);
    assert_eq!(keys(&r.skipped), [("370403".to_owned(), "joint_branch_max_orgs".to_owned())], "own row kept");

    let rows = builtin_rows(&db).await;
    assert_eq!(rows.len(), shipped().len() - 1, "all shipped but the one the locality set itself");
    // the new value is there
    let grade = find(&rows, "5118", Param::Grade3aShareTarget);
    assert_eq!((grade.len(), grade[0].value, grade[0].actor.as_str()), (1, Some(1000), "系统内置"));
    // the changed built-in value is updated, with its basis
    let urban: Vec<_> = find(&rows, "3705", Param::UrbanCommunityOrgs)
        .into_iter()
        .filter(|r| r.effective_from == date!(2023 - 12 - 31))
        .collect();
    assert_eq!(urban.len(), 1);
    assert_eq!(urban[0].value, Some(12));
    assert!(urban[0].basis.contains("《关于党建引领社会组织助力黄河流域生态保护和高质量发展的指导意见》"));
    // the removed built-in value is gone
    assert!(find(&rows, "370403", Param::SecretaryTrainingsPerYear).is_empty());
    // no shipped row over the locality's own row
    assert!(find(&rows, "370403", Param::JointBranchMaxOrgs).is_empty());
    // the locality's own rows are untouched
    let local_after: Vec<policy_value::Model> = policy_value::Entity::find()
        .filter(policy_value::Column::Builtin.eq(false))
        .order_by_asc(policy_value::Column::Id)
        .all(&db)
        .await
        .expect("own");
    assert_eq!(local_after, local_before);

    // one audit entry, by 系统升级, naming what changed
    assert_eq!(t.audit_count().await, audits_before + 1);
    let entries = sync_entries(&db).await;
    assert_eq!(entries.len(), syncs_before + 1);
    let e = entries.last().expect("entry");
    assert_eq!((e.actor.as_str(), e.actor_user_id, e.entity_type.as_str()), ("系统升级", None, "policy_value"));
    for part in
        ["新增 1 项", "雅安市", "3A以上等级社会组织占比目标", "更新 1 项", "由 11 个 改为 12 个", "删除不再内置的 1 项"]
    {
        assert!(e.summary.contains(part), "{part} in {}", e.summary);
    }
    assert!(hongling_store::audit::verify_chain(&db, None).await.expect("chain").broken_at.is_none());

    // what resolves: the locality's own values win over shipped values of the
    // same date (薛城区) and of a later date (东营市 2023); the new value applies
    let xc = t.app.effective_policy(&admin, Some("370403"), None).await.expect("薛城区");
    assert_eq!(value(&xc, "joint_branch_max_orgs"), (Some(4), Some("370403".to_owned())));
    assert_eq!(value(&xc, "secretary_trainings_per_year"), (Some(1), None), "national again");
    let dy = t.app.effective_policy(&admin, Some("370502"), None).await.expect("东营区");
    assert_eq!(value(&dy, "urban_community_orgs"), (Some(15), Some("3705".to_owned())));
    let dy2020 =
        t.app.effective_policy(&admin, Some("370502"), Some(date!(2020 - 06 - 01))).await.expect("东营区 2020");
    assert_eq!(value(&dy2020, "urban_community_orgs"), (Some(10), Some("3705".to_owned())), "before the own value");
    let ya = t.app.effective_policy(&admin, Some("511802"), None).await;
    assert!(ya.is_err(), "outside the province admin's scope");
    let profile = t.app.profile("511802", t.app.today()).await.expect("雅安市");
    assert_eq!(profile.get(Param::Grade3aShareTarget), Some(1000));

    // a second start changes nothing and writes nothing
    let again = sync_builtin_policy(&db, &shipped(), now).await.expect("again");
    assert!(!again.changed_anything(), "{again:?}");
    assert_eq!(again.skipped.len(), 1);
    assert_eq!(t.audit_count().await, audits_before + 1);
    assert_eq!(builtin_rows(&db).await, rows);
    // nor does a server start (migrate) of the same release
    let second = t.second_instance().await;
    drop(second);
    assert_eq!(t.audit_count().await, audits_before + 1);
}

/// Two servers of a new release starting at once on an older database: the
/// values are inserted once, and one audit entry records it.
#[tokio::test]
async fn servers_starting_at_once_sync_once() {
    let t = TestApp::new().await;
    let now = time::OffsetDateTime::now_utc();
    sync_builtin_policy(&t.app.db, &older_release(), now).await.expect("older release");
    let syncs_before = sync_entries(&t.app.db).await.len();
    let a = hongling_store::connect(&t.db.cfg).await.expect("a");
    let b = hongling_store::connect(&t.db.cfg).await.expect("b");
    let list = shipped();
    let (ra, rb) = tokio::join!(sync_builtin_policy(&a, &list, now), sync_builtin_policy(&b, &list, now));
    let (ra, rb) = (ra.expect("a"), rb.expect("b"));
    assert!(ra.changed_anything() != rb.changed_anything(), "one of them did the work: {ra:?} {rb:?}");
    assert_eq!(builtin_rows(&t.app.db).await.len(), list.len());
    assert_eq!(sync_entries(&t.app.db).await.len(), syncs_before + 1);
}

/// The unique index on shipped rows (m0006): a second shipped row of the same
/// region, parameter and date is refused; a locality's rows are not limited.
#[tokio::test]
async fn one_shipped_row_per_region_param_and_date() {
    use sea_orm::{ActiveModelTrait, Set};
    let t = TestApp::new().await;
    let row = |builtin: bool| policy_value::ActiveModel {
        region_code: Set("3705".into()),
        param: Set(Param::VillageOrgs.key().into()),
        value: Set(Some(2)),
        effective_from: Set(date!(2020 - 04 - 15)),
        basis: Set("重复".into()),
        builtin: Set(builtin),
        actor: Set("测试".into()),
        created_at: Set(hongling_store::to_db(time::OffsetDateTime::now_utc())),
        ..Default::default()
    };
    let e = row(true).insert(&t.app.db).await.expect_err("duplicate shipped row");
    assert!(hongling_store::is_unique_violation(&e), "{e}");
    row(false).insert(&t.app.db).await.expect("a locality's row");
    row(false).insert(&t.app.db).await.expect("and its correction of the same day");
}

/// Two servers of an older release could both load the shipped values into a
/// new database; m0006 keeps the first of each before it builds the index.
#[tokio::test]
async fn the_migration_keeps_one_of_duplicated_shipped_rows() {
    use hongling_store::migration::Migrator;
    use sea_orm::{ActiveModelTrait, Set};
    use sea_orm_migration::MigratorTrait;
    let t = TestApp::new().await;
    let db = &t.app.db;
    let all = Migrator::migrations();
    let at = all.iter().position(|m| m.name() == "m0006_policy").expect("m0006");
    Migrator::down(db, Some((all.len() - at) as u32)).await.expect("down");
    let first = builtin_rows(db).await;
    for e in shipped() {
        policy_value::ActiveModel {
            region_code: Set(e.region),
            param: Set(e.param.key().into()),
            value: Set(e.value),
            effective_from: Set(e.effective_from),
            basis: Set(e.basis),
            builtin: Set(true),
            actor: Set("系统内置".into()),
            created_at: Set(hongling_store::to_db(time::OffsetDateTime::now_utc())),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("a duplicate, before m0006");
    }
    assert_eq!(builtin_rows(db).await.len(), 2 * shipped().len());
    Migrator::up(db, None).await.expect("up");
    assert_eq!(builtin_rows(db).await, first, "the first of each kept");
    let again = sync_builtin_policy(db, &shipped(), time::OffsetDateTime::now_utc()).await.expect("sync");
    assert!(!again.changed_anything());
}
