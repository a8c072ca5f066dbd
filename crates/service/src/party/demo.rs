//! Party records for the demo jurisdiction: party organizations, members
//! (some with encrypted ID numbers), instructors, "1+N" hosts, party life,
//! funds and training, so that coverage is realistic (about 90%) with a
//! visible set of breaches and uncovered organizations for the planner.

use hongling_domain::audit::AuditAction;
use std::collections::BTreeMap;

use hongling_domain::idcard;
use hongling_domain::party::coverage::{
    Assessment, ChannelKind, FundKind, InstructorSource, InstructorStatus, MemberType, PartyLifeKind, PartyOrgStatus,
    PartyOrgType,
};
use hongling_domain::party::records::{Gender, MIN_JOINING_AGE};
use hongling_domain::region::subtree_range;
use hongling_domain::registry::{Category, OrgStatus, RegistrationMode};
use hongling_store::begin_write;
use hongling_store::party::entity::{
    host_link, instructor, instructor_assignment, party_channel, party_fund, party_life, party_member, party_org,
    party_org_org, training,
};
use hongling_store::registry::entity::social_org;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};
use time::{Date, Duration};

use super::Party;
use crate::{Principal, Result};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗",
];
const GIVEN: &[&str] = &[
    "建国", "立新", "红梅", "海燕", "志强", "丽华", "文博", "春梅", "国庆", "秀兰", "振华", "晓东", "敏", "静", "磊",
    "勇", "娟", "涛", "军", "芳",
];
const TOPICS: &[&str] = &[
    "学习贯彻党的二十大精神",
    "黄河流域生态保护和高质量发展专题学习",
    "“不忘初心、牢记使命”主题党日",
    "党员志愿服务进社区",
    "重温入党誓词",
    "党风廉政建设专题党课",
    "社会组织参与乡村振兴研讨",
    "学习《中国共产党章程》",
];
const BRANDS: &[&str] = &["红心向党", "党建+公益", "红色引擎", "一支部一品牌·黄河口先锋", "红领服务站", "初心驿站"];

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn person(rng: &mut StdRng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

/// A valid resident ID number born in the region.
fn id_number(rng: &mut StdRng, region6: &str, today: Date) -> Option<String> {
    let year = rng.random_range(1955..2000);
    let first17 = format!(
        "{region6}{year:04}{:02}{:02}{:03}",
        rng.random_range(1..=12),
        rng.random_range(1..=28),
        rng.random_range(1..999)
    );
    let n = format!("{first17}{}", idcard::check_char(first17.as_bytes())?);
    idcard::parse(&n, today).ok()
}

/// A joint branch's name: 文汇街道社会组织第一联合党支部; the county comes
/// first where two counties have a township of the same name. `label` is
/// the region's label, "县 乡镇".
fn joint_name(label: &str, nth: u32, used: &mut std::collections::HashSet<String>) -> String {
    let nth = crate::registry::generate::chinese_number(nth);
    let town = label.split(' ').next_back().unwrap_or(label);
    let name = format!("{town}社会组织第{nth}联合党支部");
    if used.insert(name.clone()) {
        return name;
    }
    let name = format!("{}社会组织第{nth}联合党支部", label.replace(' ', ""));
    used.insert(name.clone());
    name
}

fn days_ago(rng: &mut StdRng, today: Date, lo: i64, hi: i64) -> Date {
    today - Duration::days(rng.random_range(lo..hi))
}

/// Members to create: (employer, party org index or none, formal?)
struct MemberPlan {
    employer: i64,
    region: String,
    party: Option<usize>,
    formal: bool,
}

/// A party organization to create: its type, region, organizations covered.
struct PartyPlan {
    name: String,
    kind: PartyOrgType,
    region: String,
    orgs: Vec<i64>,
    founded: Date,
}

impl Party<'_> {
    /// Fill the demo jurisdiction's party records once. Returns the number of
    /// party organizations created (0 when there were some already).
    pub async fn seed_demo_party(&self, region: &str) -> Result<usize> {
        let n = self.seed_party(region).await?;
        if n == 0 {
            return Ok(0);
        }
        // last year's year-end figures, so that past figures can be compared
        let last = self.today().year() - 1;
        if let Some(job) = self.claim_job("coverage.snapshot", &last.to_string(), "", &Principal::Cli).await? {
            let rows = self.snapshot_year(last).await?;
            self.finish_job(job, &format!("{last} 年末统计 {rows} 行（演示数据）")).await?;
        }
        hongling_store::optimize(&self.db, true).await?;
        Ok(n)
    }

    /// `hongling generate --party`: party records for every county under a
    /// region, county by county (each like the demo's), for scale tests.
    pub async fn generate_party(&self, region: &str, mut progress: impl FnMut(&str, usize)) -> Result<usize> {
        let code = hongling_domain::RegionCode::parse(region).map_err(|_| crate::Error::NotFound)?;
        let counties: Vec<String> = if code.level() >= hongling_domain::RegionLevel::County {
            vec![region.to_owned()]
        } else {
            let (lo, hi) = subtree_range(region);
            hongling_store::entity::region::Entity::find()
                .filter(hongling_store::entity::region::Column::Code.gte(lo))
                .filter(hongling_store::entity::region::Column::Code.lt(hi))
                .filter(hongling_store::entity::region::Column::Level.eq(3))
                .order_by_asc(hongling_store::entity::region::Column::Code)
                .all(&self.db)
                .await?
                .into_iter()
                .map(|r| r.code)
                .collect()
        };
        let mut total = 0;
        for c in counties {
            let n = self.seed_party(&c).await?;
            total += n;
            progress(&c, n);
        }
        hongling_store::optimize(&self.db, true).await?;
        Ok(total)
    }

    /// Party records of one region (a city for the demo, a county for scale
    /// tests), once: nothing is done when the region has party organizations.
    async fn seed_party(&self, region: &str) -> Result<usize> {
        let (lo, hi) = subtree_range(region);
        if party_org::Entity::find()
            .filter(party_org::Column::RegionCode.gte(lo.as_str()))
            .filter(party_org::Column::RegionCode.lt(hi.as_str()))
            .count(&self.db)
            .await?
            > 0
        {
            return Ok(0);
        }
        let today = self.today();
        // channels first, so the industry committee can be assigned by hand
        self.refresh_coverage(&Principal::Cli, region, today).await?;
        let orgs = social_org::Entity::find()
            .filter(social_org::Column::RegionCode.gte(lo.as_str()))
            .filter(social_org::Column::RegionCode.lt(hi.as_str()))
            .filter(social_org::Column::Status.eq(OrgStatus::Active.as_str()))
            .order_by_asc(social_org::Column::Id)
            .all(&self.db)
            .await?;
        let seed = region.bytes().fold(0x3705_2026u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut rng = StdRng::seed_from_u64(seed);
        let region_name = self.region(region).await?.map(|r| r.name).unwrap_or_default();
        let organizer = format!("{region_name}社会组织综合党委");
        let region6: String = format!("{region:0<6}").chars().take(6).collect();
        let mut parties: Vec<PartyPlan> = Vec::new();
        let mut members: Vec<MemberPlan> = Vec::new();
        let mut joint_pool: BTreeMap<String, Vec<(i64, u32)>> = BTreeMap::new();
        let mut needs_instructor: Vec<&social_org::Model> = Vec::new();
        let mut hosts: Vec<i64> = Vec::new();
        let mut hosted: Vec<i64> = Vec::new();
        let mut fresh: Vec<i64> = Vec::new();
        for o in &orgs {
            let registered = o.registration_mode == RegistrationMode::Registered.as_str();
            let roll: f64 = rng.random();
            let town: String = o.region_code.chars().take(9).collect();
            let (standalone_share, joint_share) = if registered { (0.38, 0.22) } else { (0.0, 0.08) };
            if roll < standalone_share {
                let formal = rng.random_range(3..16u32);
                // a few have enough members but no party organization yet
                let build = rng.random_bool(0.96);
                let idx = parties.len();
                if build {
                    let kind = if formal >= 12 { PartyOrgType::GeneralBranch } else { PartyOrgType::Branch };
                    parties.push(PartyPlan {
                        name: format!(
                            "{}{}",
                            o.name,
                            if kind == PartyOrgType::GeneralBranch { "党总支" } else { "党支部" }
                        ),
                        kind,
                        region: o.region_code.clone(),
                        orgs: vec![o.id],
                        founded: days_ago(&mut rng, today, 60, 3000),
                    });
                    hosts.push(o.id);
                }
                for _ in 0..formal {
                    members.push(MemberPlan {
                        employer: o.id,
                        region: o.region_code.clone(),
                        party: build.then_some(idx),
                        formal: true,
                    });
                }
                for _ in 0..rng.random_range(0..3) {
                    members.push(MemberPlan {
                        employer: o.id,
                        region: o.region_code.clone(),
                        party: build.then_some(idx),
                        formal: false,
                    });
                }
            } else if roll < standalone_share + joint_share {
                let formal = rng.random_range(1..3u32);
                for _ in 0..formal {
                    members.push(MemberPlan {
                        employer: o.id,
                        region: o.region_code.clone(),
                        party: None,
                        formal: true,
                    });
                }
                joint_pool.entry(town).or_default().push((o.id, formal));
            } else {
                let r: f64 = rng.random();
                if o.founded_on.is_some_and(|d| d > today - Duration::days(300))
                    && registered
                    && fresh.len() < 20
                    && r < 0.5
                {
                    fresh.push(o.id);
                } else if r < 0.80 {
                    needs_instructor.push(o);
                } else if r < 0.90 {
                    hosted.push(o.id);
                } else if !registered && o.id.rem_euclid(5) == 0 {
                    // `002` 三: a 党小组 in a community organization with one formal member
                    let idx = parties.len();
                    parties.push(PartyPlan {
                        name: format!("{}党小组", o.name),
                        kind: PartyOrgType::PartyGroup,
                        region: o.region_code.clone(),
                        orgs: vec![o.id],
                        founded: today - Duration::days(200),
                    });
                    members.push(MemberPlan {
                        employer: o.id,
                        region: o.region_code.clone(),
                        party: Some(idx),
                        formal: true,
                    });
                }
            }
        }
        // joint branches per township: groups reaching 3 formal members; about
        // one in seven organizations is left for the planner
        let mut joint_count = 0;
        let mut joint_names = std::collections::HashSet::new();
        let town_codes: Vec<String> = joint_pool.keys().cloned().collect();
        let town_names = self.region_labels(&town_codes).await?;
        for (town, pool) in &joint_pool {
            let mut group: Vec<(i64, u32)> = Vec::new();
            let mut in_town = 0;
            for (id, n) in pool {
                if rng.random_bool(0.14) {
                    continue;
                }
                group.push((*id, *n));
                let sum: u32 = group.iter().map(|g| g.1).sum();
                // a few branches stay too small or grow too large: visible breaches
                let oversize = joint_count % 40 == 7;
                let done = if oversize { group.len() >= 6 } else { sum >= 3 || group.len() >= 5 };
                if done {
                    joint_count += 1;
                    in_town += 1;
                    let n = parties.len();
                    parties.push(PartyPlan {
                        name: joint_name(
                            town_names.get(town).map(String::as_str).unwrap_or(town),
                            in_town,
                            &mut joint_names,
                        ),
                        kind: PartyOrgType::JointBranch,
                        region: town.clone(),
                        orgs: group.iter().map(|g| g.0).collect(),
                        founded: days_ago(&mut rng, today, 90, 2000),
                    });
                    let short = joint_count % 25 == 3;
                    for m in members.iter_mut().filter(|m| group.iter().any(|g| g.0 == m.employer)) {
                        // in a few branches one member kept their party relation elsewhere
                        if !(short && m.party.is_none() && rng.random_bool(0.5)) {
                            m.party = Some(n);
                        }
                    }
                    group.clear();
                }
            }
        }
        let txn = begin_write(&self.db).await?;
        let now = hongling_store::to_db(self.now());
        // party organizations
        let mut ids: Vec<i64> = Vec::with_capacity(parties.len());
        for chunk in parties.chunks(200) {
            let models: Vec<party_org::ActiveModel> = chunk
                .iter()
                .map(|p| party_org::ActiveModel {
                    name: Set(p.name.clone()),
                    org_type: Set(p.kind.as_str().to_owned()),
                    region_code: Set(p.region.clone()),
                    founded_on: Set(Some(p.founded)),
                    status: Set(PartyOrgStatus::Active.as_str().into()),
                    venue_place: Set(rng.random_bool(0.8)),
                    venue_facilities: Set(rng.random_bool(0.7)),
                    venue_sign: Set(rng.random_bool(0.85)),
                    venue_flag: Set(rng.random_bool(0.9)),
                    venue_books: Set(rng.random_bool(0.6)),
                    venue_rules: Set(rng.random_bool(0.75)),
                    brand: Set(if rng.random_bool(0.12) { pick(&mut rng, BRANDS).to_string() } else { String::new() }),
                    is_demonstration: Set(rng.random_bool(0.04)),
                    star_rating: Set(rng.random_range(0..6)),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .collect();
            ids.extend(
                party_org::Entity::insert_many(models).exec_with_returning(&txn).await?.into_iter().map(|m| m.id),
            );
        }
        let links: Vec<party_org_org::ActiveModel> = parties
            .iter()
            .zip(&ids)
            .flat_map(|(p, id)| {
                p.orgs.iter().map(move |o| party_org_org::ActiveModel {
                    org_id: Set(*o),
                    party_org_id: Set(*id),
                    since: Set(p.founded),
                })
            })
            .collect();
        insert_chunks(&txn, links).await?;
        // members; a third with an encrypted ID number
        let mut member_rows = Vec::with_capacity(members.len());
        let mut seen = std::collections::HashSet::new();
        for m in &members {
            let region = m.party.map(|i| parties[i].region.clone()).unwrap_or_else(|| m.region.clone());
            let joined = days_ago(&mut rng, today, 400, 12000);
            let mut am = party_member::ActiveModel {
                name: Set(person(&mut rng)),
                gender: Set(if rng.random_bool(0.5) { Gender::Male } else { Gender::Female }.as_str().into()),
                member_type: Set(if m.formal { MemberType::Formal } else { MemberType::Probationary }.as_str().into()),
                joined_on: Set(Some(if m.formal { joined } else { days_ago(&mut rng, today, 30, 330) })),
                formal_on: Set(m.formal.then(|| joined + Duration::days(365))),
                posts: Set(String::new()),
                employer_org_id: Set(Some(m.employer)),
                party_org_id: Set(m.party.map(|i| ids[i])),
                region_code: Set(region),
                id_number_mask: Set(String::new()),
                // 11 digits; the draw is unchanged so that the rest of the demo stays the same
                phone: Set(format!(
                    "1{}{:08}",
                    rng.random_range(30..90),
                    rng.random_range(0..1_000_000_000u64) % 100_000_000
                )),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            if let (Some(key), true) = (&self.data_key, rng.random_bool(0.35))
                && let Some(n) = id_number(&mut rng, &region6, today)
                && seen.insert(n.clone())
            {
                am.id_number_enc = Set(Some(key.encrypt(&n)?));
                am.id_number_mask = Set(idcard::mask(&n));
                am.id_number_hmac = Set(Some(key.lookup_hash(&n)?));
                // nobody joins before eighteen: move the dates after the birthday
                if let (Set(Some(j)), Some(adult)) =
                    (am.joined_on.clone(), idcard::birth_date(&n).and_then(|b| idcard::turns(b, MIN_JOINING_AGE)))
                    && j < adult
                {
                    let shift = adult - j;
                    am.joined_on = Set(Some(adult));
                    if let Set(Some(f)) = am.formal_on.clone() {
                        am.formal_on = Set(Some(std::cmp::min(f + shift, today)));
                    }
                }
            }
            member_rows.push(am);
        }
        let mut member_ids: Vec<(i64, Option<i64>, bool)> = Vec::with_capacity(member_rows.len());
        while !member_rows.is_empty() {
            let rest = member_rows.split_off(member_rows.len().min(200));
            let chunk = std::mem::replace(&mut member_rows, rest);
            for m in party_member::Entity::insert_many(chunk).exec_with_returning(&txn).await? {
                member_ids.push((m.id, m.party_org_id, m.member_type == MemberType::Formal.as_str()));
            }
        }
        // secretaries, their training, party life and funds
        let mut trainings = Vec::new();
        let mut lives = Vec::new();
        let mut funds = Vec::new();
        for (i, (p, pid)) in parties.iter().zip(&ids).enumerate() {
            let Some((sec, _, _)) = member_ids.iter().find(|(_, party, formal)| *party == Some(*pid) && *formal) else {
                continue;
            };
            let roll: f64 = rng.random();
            // most secretaries have been in post for years and were trained this year;
            // some were not trained for over a year; a few new ones are not trained yet
            let since = if roll < 0.03 {
                days_ago(&mut rng, today, 100, 200)
            } else {
                Ord::max(days_ago(&mut rng, today, 400, 2500), p.founded)
            };
            let q = Query::update()
                .table(party_org::Entity)
                .value(party_org::Column::SecretaryMemberId, *sec)
                .value(party_org::Column::SecretarySince, since)
                .and_where(party_org::Column::Id.eq(*pid))
                .take();
            txn.execute(&q).await?;
            let q = Query::update()
                .table(party_member::Entity)
                .value(party_member::Column::Posts, "书记")
                .and_where(party_member::Column::Id.eq(*sec))
                .take();
            txn.execute(&q).await?;
            if roll >= 0.03 {
                let trained = if roll < 0.11 {
                    days_ago(&mut rng, today, 380, 700)
                } else if since > today - Duration::days(365) {
                    // a secretary new this year was trained after taking the post
                    Ord::min(since + Duration::days(rng.random_range(10..60)), today)
                } else {
                    days_ago(&mut rng, today, 5, 300)
                };
                trainings.push(training::ActiveModel {
                    member_id: Set(Some(*sec)),
                    instructor_id: Set(None),
                    title: Set(format!("{}年度社会组织党组织书记轮训班", trained.year())),
                    trained_on: Set(trained),
                    hours: Set(16),
                    organizer: Set(organizer.clone()),
                    region_code: Set(p.region.clone()),
                    actor: Set("演示数据".into()),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
            let expected = member_ids.iter().filter(|(_, party, _)| *party == Some(*pid)).count() as i32;
            for _ in 0..rng.random_range(4..10) {
                let kind = *pick(&mut rng, PartyLifeKind::ALL);
                lives.push(party_life::ActiveModel {
                    party_org_id: Set(*pid),
                    kind: Set(kind.as_str().into()),
                    held_on: Set(days_ago(&mut rng, today, 1, 360)),
                    topic: Set(pick(&mut rng, TOPICS).to_string()),
                    attendees: Set(Some(Ord::max(expected - rng.random_range(0..2), 1))),
                    expected: Set(Some(Ord::max(expected, 1))),
                    region_code: Set(p.region.clone()),
                    actor: Set("演示数据".into()),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
            let fund = |kind: FundKind, fen: i64, on: Date, doc: String| party_fund::ActiveModel {
                party_org_id: Set(*pid),
                kind: Set(kind.as_str().into()),
                amount_fen: Set(fen),
                received_on: Set(on),
                doc_no: Set(doc),
                note: Set(String::new()),
                region_code: Set(p.region.clone()),
                actor: Set("演示数据".into()),
                created_at: Set(now),
                ..Default::default()
            };
            funds.push(fund(
                FundKind::DuesRefund,
                i64::from(expected) * 2400,
                days_ago(&mut rng, today, 10, 200),
                format!("东组字〔{}〕{}号", today.year(), 10 + i % 50),
            ));
            if p.founded > today - Duration::days(730) {
                // most new party organizations received their 3,000 yuan; a few less
                let fen = if i % 9 == 4 { 200_000 } else { 300_000 };
                funds.push(fund(
                    FundKind::Startup,
                    fen,
                    p.founded + Duration::days(30),
                    format!("东组字〔{}〕{}号", p.founded.year(), 60 + i % 30),
                ));
            }
        }
        insert_chunks(&txn, trainings).await?;
        insert_chunks(&txn, lives).await?;
        insert_chunks(&txn, funds).await?;
        // instructors: one per township for community organizations, and a few county ones
        let mut towns: BTreeMap<String, Vec<&social_org::Model>> = BTreeMap::new();
        for o in &needs_instructor {
            towns.entry(o.region_code.chars().take(9).collect()).or_default().push(o);
        }
        let mut instr_rows = Vec::new();
        let mut plan: Vec<(usize, Vec<i64>, String)> = Vec::new();
        for (town, list) in &towns {
            let (lon, lat) = centre(list);
            // instructors of up to eight organizations each, with a limit of ten
            for (k, group) in list.chunks(8).enumerate() {
                let source =
                    if k % 3 == 0 { InstructorSource::CommunityWorker } else { *pick(&mut rng, InstructorSource::ALL) };
                plan.push((instr_rows.len(), group.iter().map(|o| o.id).collect(), town.clone()));
                instr_rows.push(instructor::ActiveModel {
                    name: Set(person(&mut rng)),
                    source: Set(source.as_str().into()),
                    region_code: Set(town.clone()),
                    employer: Set("乡镇（街道）党（工）委".into()),
                    phone: Set(format!("13{:09}", rng.random_range(0..1_000_000_000u64))),
                    lon_e6: Set(lon.map(|v| v + rng.random_range(-3000..3000))),
                    lat_e6: Set(lat.map(|v| v + rng.random_range(-3000..3000))),
                    max_orgs: Set(Some(10)),
                    appointed_on: Set(Some(days_ago(&mut rng, today, 200, 2000))),
                    status: Set(InstructorStatus::Active.as_str().into()),
                    assessment: Set(pick(
                        &mut rng,
                        &[Assessment::Excellent, Assessment::Competent, Assessment::Competent, Assessment::Basic],
                    )
                    .as_str()
                    .into()),
                    assessment_year: Set(Some(today.year() - 1)),
                    load: Set(0),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
            }
        }
        // county instructors with capacity for the planner, near the county's organizations
        let counties: Vec<String> = if region.len() >= 6 {
            vec![region.chars().take(6).collect()]
        } else {
            let mut c: Vec<String> =
                orgs.iter().filter(|o| o.region_code.len() >= 6).map(|o| o.region_code[..6].to_owned()).collect();
            c.sort();
            c.dedup();
            c
        };
        for county in &counties {
            let local: Vec<&social_org::Model> = orgs.iter().filter(|o| o.region_code.starts_with(county)).collect();
            let (clon, clat) = centre(&local);
            for _ in 0..3 {
                instr_rows.push(instructor::ActiveModel {
                    name: Set(person(&mut rng)),
                    source: Set(InstructorSource::RetiredCadre.as_str().into()),
                    region_code: Set(county.into()),
                    employer: Set("县（区）社会组织综合党委".into()),
                    phone: Set(format!("13{:09}", rng.random_range(0..1_000_000_000u64))),
                    lon_e6: Set(clon.map(|v| v + rng.random_range(-20_000..20_000))),
                    lat_e6: Set(clat.map(|v| v + rng.random_range(-20_000..20_000))),
                    max_orgs: Set(None),
                    appointed_on: Set(Some(days_ago(&mut rng, today, 30, 1500))),
                    status: Set(InstructorStatus::Active.as_str().into()),
                    assessment: Set(String::new()),
                    assessment_year: Set(None),
                    load: Set(0),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
            }
        }
        let mut instr_ids = Vec::new();
        while !instr_rows.is_empty() {
            let rest = instr_rows.split_off(instr_rows.len().min(200));
            let chunk = std::mem::replace(&mut instr_rows, rest);
            instr_ids.extend(
                instructor::Entity::insert_many(chunk).exec_with_returning(&txn).await?.into_iter().map(|m| m.id),
            );
        }
        let mut assignments = Vec::new();
        let mut itrain = Vec::new();
        for (idx, orgs, town) in &plan {
            let iid = instr_ids[*idx];
            for o in orgs {
                assignments.push(instructor_assignment::ActiveModel {
                    org_id: Set(*o),
                    instructor_id: Set(iid),
                    since: Set(days_ago(&mut rng, today, 30, 900)),
                });
            }
            let q = Query::update()
                .table(instructor::Entity)
                .value(instructor::Column::Load, orgs.len() as i32)
                .and_where(instructor::Column::Id.eq(iid))
                .take();
            txn.execute(&q).await?;
            if rng.random_bool(0.7) {
                itrain.push(training::ActiveModel {
                    member_id: Set(None),
                    instructor_id: Set(Some(iid)),
                    title: Set("党建指导员业务培训".into()),
                    trained_on: Set(days_ago(&mut rng, today, 10, 330)),
                    hours: Set(8),
                    organizer: Set(organizer.clone()),
                    region_code: Set(town.clone()),
                    actor: Set("演示数据".into()),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
        }
        insert_chunks(&txn, assignments).await?;
        insert_chunks(&txn, itrain).await?;
        // "1+N": hosts with a party organization in the same township lead some
        let mut host_rows = Vec::new();
        for o in hosted {
            if let Some(h) = hosts.get(rng.random_range(0..hosts.len().max(1))) {
                host_rows.push(host_link::ActiveModel {
                    org_id: Set(o),
                    host_org_id: Set(*h),
                    since: Set(days_ago(&mut rng, today, 30, 700)),
                });
            }
        }
        insert_chunks(&txn, host_rows).await?;
        // newly registered organizations still waiting for 三同步
        if !fresh.is_empty() {
            let q = Query::update()
                .table(social_org::Entity)
                .value(social_org::Column::SyncPending, true)
                .and_where(social_org::Column::Id.is_in(fresh))
                .take();
            txn.execute(&q).await?;
        }
        // an industry committee runs the party building of most industry associations
        let industry = party_channel::ActiveModel {
            kind: Set(ChannelKind::IndustryCommittee.as_str().into()),
            name: Set(format!("{region_name}行业协会商会党委")),
            region_code: Set(region.to_owned()),
            supervisory_unit_id: Set(None),
            hub_org_id: Set(None),
            created_at: Set(now),
            ..Default::default()
        };
        let industry = party_channel::Entity::insert(industry).exec_with_returning(&txn).await?;
        let q = Query::update()
            .table(social_org::Entity)
            .value(social_org::Column::ChannelId, industry.id)
            .value(social_org::Column::ChannelKind, ChannelKind::IndustryCommittee.as_str())
            .value(social_org::Column::ChannelManual, true)
            .and_where(social_org::Column::Category.eq(Category::IndustryAssociation.as_str()))
            .and_where(social_org::Column::RegionCode.gte(lo.as_str()))
            .and_where(social_org::Column::RegionCode.lt(hi.as_str()))
            .and_where(Expr::col(social_org::Column::Id).modulo(3).ne(0))
            .take();
        txn.execute(&q).await?;
        let summary = format!(
            "生成演示党建数据：党组织 {} 个，党员 {} 名，党建指导员 {} 名",
            ids.len(),
            member_ids.len(),
            instr_ids.len()
        );
        self.audit(&txn, &Principal::Cli, AuditAction::PartyDemo, "party_org", region, region, summary, None, None)
            .await?;
        txn.commit().await?;
        self.refresh_coverage(&Principal::Cli, region, today).await?;
        self.backdate_breaches(region, today, seed).await?;
        Ok(ids.len())
    }

    /// The demo's breaches as if the system had found them over the past months (a running
    /// system finds them day by day and keeps each one's first day).
    async fn backdate_breaches(&self, region: &str, today: Date, seed: u64) -> Result<()> {
        use hongling_store::party::entity::coverage_breach;
        use sea_orm::QuerySelect;
        let (lo, hi) = subtree_range(region);
        let ids: Vec<i64> = coverage_breach::Entity::find()
            .select_only()
            .column(coverage_breach::Column::Id)
            .filter(coverage_breach::Column::RegionCode.gte(lo.as_str()))
            .filter(coverage_breach::Column::RegionCode.lt(hi.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut rng = StdRng::seed_from_u64(seed ^ 0xb2ea);
        let txn = begin_write(&self.db).await?;
        for id in ids {
            let q = Query::update()
                .table(coverage_breach::Entity)
                .value(coverage_breach::Column::Since, days_ago(&mut rng, today, 0, 150))
                .and_where(coverage_breach::Column::Id.eq(id))
                .take();
            txn.execute(&q).await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// Insert many rows in chunks.
async fn insert_chunks<A>(conn: &impl ConnectionTrait, mut rows: Vec<A>) -> Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(200));
        let chunk = std::mem::replace(&mut rows, rest);
        A::Entity::insert_many(chunk).exec(conn).await?;
    }
    Ok(())
}

fn centre(list: &[&social_org::Model]) -> (Option<i64>, Option<i64>) {
    let pts: Vec<(i64, i64)> = list.iter().filter_map(|o| Some((o.lon_e6?, o.lat_e6?))).collect();
    if pts.is_empty() {
        return (None, None);
    }
    let n = pts.len() as i64;
    (Some(pts.iter().map(|p| p.0).sum::<i64>() / n), Some(pts.iter().map(|p| p.1).sum::<i64>() / n))
}
