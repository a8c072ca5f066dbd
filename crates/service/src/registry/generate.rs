//! Realistic synthetic registries: the demo jurisdiction's organizations and
//! `hongling generate` for scale tests. Names are composed from the real
//! township and community names of the region and plausible themes per
//! category; credit codes carry valid check characters.

use hongling_domain::audit::AuditAction;
use hongling_domain::region::subtree_range;
use hongling_domain::registry::uscc;
use hongling_domain::registry::{Category, OrgDraft, OrgKind, OrgStatus, RegistrationMode, SupervisionClass};
use hongling_store::begin_write;
use hongling_store::entity::region;
use hongling_store::registry::entity::{social_org, supervisory_unit};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use time::{Date, Duration};

use super::Registry;
use crate::{Error, Principal, Result};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马",
    "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾",
    "彭", "吕", "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英", "建国", "建华", "志强", "海燕", "玉兰", "春梅", "国庆", "红梅", "文博", "子涵",
    "浩然", "欣怡", "振华", "立新", "学军", "爱华", "淑珍",
];
const INDUSTRIES: &[&str] = &[
    "物流",
    "餐饮",
    "建筑业",
    "石油装备",
    "化工",
    "电子商务",
    "汽车维修",
    "家政服务",
    "水产养殖",
    "果蔬种植",
    "旅游",
    "广告",
    "软件和信息技术",
    "新能源",
    "农机",
    "保险",
    "房地产",
    "注册会计师",
    "律师",
    "文化创意",
    "橡胶轮胎",
    "盐业",
    "畜牧",
    "造纸",
    "纺织服装",
    "医药",
    "建材",
    "印刷",
    "环保产业",
    "健康养老",
];
const SOCIETIES: &[&str] = &[
    "石油学会",
    "化学化工学会",
    "农学会",
    "水利学会",
    "计算机学会",
    "医学会",
    "护理学会",
    "地质学会",
    "气象学会",
    "土木建筑学会",
    "机械工程学会",
    "科普作家协会",
    "生态学会",
    "湿地保护研究会",
    "黄河文化研究会",
    "心理学会",
    "数学学会",
    "中医药学会",
];
const CHARITY: &[&str] = &[
    "爱心志愿者协会",
    "慈善总会",
    "助学促进会",
    "关爱留守儿童协会",
    "义工联合会",
    "红十字志愿服务队",
    "扶残助残协会",
    "爱心公益服务中心",
    "绿色环保志愿者协会",
    "黄河口生态保护协会",
    "阳光公益服务中心",
    "春晖助学公益服务中心",
    "老年关怀协会",
];
const COMMUNITY: &[&str] = &[
    "社会工作服务中心",
    "社区养老服务中心",
    "居家养老服务中心",
    "青少年服务中心",
    "邻里中心",
    "社区发展服务中心",
    "残疾人康复服务中心",
    "婚姻家庭服务中心",
    "心理咨询服务中心",
    "社区矫正服务中心",
];
/// (name, supervisory unit) for dual-management organizations.
const DUAL: &[(&str, &str)] = &[
    ("书法家协会", "市文学艺术界联合会"),
    ("摄影家协会", "市文学艺术界联合会"),
    ("作家协会", "市文学艺术界联合会"),
    ("音乐家协会", "市文学艺术界联合会"),
    ("篮球协会", "市体育局"),
    ("围棋协会", "市体育局"),
    ("钓鱼协会", "市体育局"),
    ("马拉松协会", "市体育局"),
    ("武术协会", "市体育局"),
    ("职业培训学校", "市人力资源和社会保障局"),
    ("艺术培训学校", "市教育局"),
    ("幼儿园", "市教育局"),
    ("康复医院", "市卫生健康委员会"),
    ("中医门诊部", "市卫生健康委员会"),
    ("博物馆", "市文化和旅游局"),
    ("农业技术推广协会", "市农业农村局"),
    ("退役军人服务协会", "市退役军人事务局"),
];
const FOUNDATIONS: &[&str] = &[
    "教育发展基金会",
    "慈善基金会",
    "扶贫开发基金会",
    "见义勇为基金会",
    "文化发展基金会",
    "青少年发展基金会",
    "生态保护基金会",
];
/// (theme, service type) for filed community organizations.
const FILED: &[(&str, Category)] = &[
    ("广场舞队", Category::CultureSports),
    ("文艺队", Category::CultureSports),
    ("太极拳队", Category::CultureSports),
    ("秧歌队", Category::CultureSports),
    ("合唱团", Category::CultureSports),
    ("书画社", Category::CultureSports),
    ("读书会", Category::CultureSports),
    ("志愿服务队", Category::ResidentService),
    ("便民服务队", Category::ResidentService),
    ("平安巡逻队", Category::ResidentService),
    ("爱心服务社", Category::PublicWelfare),
    ("环保志愿服务队", Category::PublicWelfare),
    ("邻里互助会", Category::MutualAid),
    ("红白理事会", Category::MutualAid),
    ("互助养老点", Category::ElderlyCare),
    ("老年协会", Category::ElderlyCare),
    ("调解服务队", Category::Mediation),
    ("乡贤理事会", Category::Mediation),
    ("农技服务队", Category::RuralTech),
    ("种植合作互助组", Category::RuralTech),
];

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn person(rng: &mut StdRng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

/// The short form of a place name: 文汇街道 → 文汇, 胜利社区居委会 → 胜利社区,
/// 红光类似乡级单位 → 红光 (the statistical office's "township-like unit").
fn short_place(name: &str) -> String {
    let mut n = name.to_owned();
    for suffix in [
        "类似乡级单位",
        "类似居民委员会",
        "类似村民委员会",
        "类似居委会",
        "类似村委会",
        "居民委员会",
        "村民委员会",
        "居委会",
        "村委会",
    ] {
        if let Some(s) = n.strip_suffix(suffix) {
            n = s.to_owned();
            break;
        }
    }
    for suffix in ["街道办事处", "街道"] {
        if let Some(s) = n.strip_suffix(suffix) {
            return s.to_owned();
        }
    }
    n
}

/// A number in Chinese as names use it: 2 → 二, 10 → 十, 23 → 二十三, 105 → 一百零五.
pub(crate) fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n < 10 {
        return D[n as usize].to_owned();
    }
    if n < 20 {
        return format!("十{}", if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] });
    }
    if n < 100 {
        return format!("{}十{}", D[(n / 10) as usize], if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] });
    }
    if n < 1000 {
        let rest = n % 100;
        let tail = match rest {
            0 => String::new(),
            1..=9 => format!("零{}", D[rest as usize]),
            10..=19 => format!("一{}", chinese_number(rest)),
            _ => chinese_number(rest),
        };
        return format!("{}百{tail}", D[(n / 100) as usize]);
    }
    n.to_string()
}

fn random_date(rng: &mut StdRng, from_year: i32, today: Date) -> Date {
    let start = Date::from_calendar_date(from_year, time::Month::January, 1).unwrap_or(today);
    let span = (today - start).whole_days().max(1);
    // more recent organizations are more common
    let r: f64 = rng.random::<f64>().sqrt();
    start + Duration::days((r * span as f64) as i64)
}

const CODE_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A unique organization-code body from a sequence number (no I, O, S, V, Z).
fn body(prefix: char, n: u64) -> String {
    let mut s = String::new();
    let mut v = n;
    for _ in 0..7 {
        s.insert(0, CODE_CHARS[(v % 31) as usize] as char);
        v /= 31;
    }
    format!("{prefix}{s}")
}

struct Places {
    /// (code, name, parent township name) of villages/communities
    villages: Vec<(String, String, String)>,
    /// (code, name) of townships
    townships: Vec<(String, String)>,
    /// (code, name) of counties
    counties: Vec<(String, String)>,
    city: (String, String),
    /// villages of each county, by index into `villages`
    by_county: std::collections::HashMap<String, Vec<usize>>,
    /// townships of each county, by index into `townships`
    towns_by_county: std::collections::HashMap<String, Vec<usize>>,
}

/// Generation state: names already used (name + region) stay unique.
struct Gen<'a> {
    rng: StdRng,
    places: &'a Places,
    used: std::collections::HashSet<String>,
}

impl Gen<'_> {
    /// The first of `prefix + theme` not used so far, for each prefix in
    /// turn; then the last prefix with an ordinal: 文汇第二书画社, 第三….
    fn unique(&mut self, prefixes: &[String], theme: &str) -> String {
        for p in prefixes {
            let candidate = format!("{p}{theme}");
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
        let last = prefixes.last().map(String::as_str).unwrap_or("");
        let mut i = 2;
        loop {
            let c = format!("{last}第{}{theme}", chinese_number(i));
            if self.used.insert(c.clone()) {
                return c;
            }
            i += 1;
        }
    }
}

impl Registry<'_> {
    async fn places(&self, prefix: &str) -> Result<Places> {
        let (lo, hi) = subtree_range(prefix);
        let all = region::Entity::find()
            .filter(region::Column::Code.gte(lo))
            .filter(region::Column::Code.lt(hi))
            .order_by_asc(region::Column::Code)
            .all(&self.db)
            .await?;
        let root = region::Entity::find_by_id(prefix.to_owned()).one(&self.db).await?.ok_or(Error::NotFound)?;
        let names: std::collections::HashMap<String, String> =
            all.iter().map(|r| (r.code.clone(), r.name.clone())).collect();
        let mut p = Places {
            villages: vec![],
            townships: vec![],
            counties: vec![],
            city: (root.code.clone(), root.name.clone()),
            by_county: Default::default(),
            towns_by_county: Default::default(),
        };
        for r in &all {
            match r.level {
                3 => p.counties.push((r.code.clone(), r.name.clone())),
                4 => {
                    p.towns_by_county.entry(r.code[..6].to_owned()).or_default().push(p.townships.len());
                    p.townships.push((r.code.clone(), r.name.clone()))
                }
                5 => {
                    let t = r.parent_code.as_ref().and_then(|c| names.get(c)).cloned().unwrap_or_default();
                    p.by_county.entry(r.code[..6].to_owned()).or_default().push(p.villages.len());
                    p.villages.push((r.code.clone(), r.name.clone(), t))
                }
                _ => {}
            }
        }
        if p.townships.is_empty() {
            p.townships.push((root.code.clone(), root.name.clone()));
        }
        if p.counties.is_empty() {
            p.counties.push((root.code.clone(), root.name.clone()));
        }
        Ok(p)
    }

    async fn ensure_units(&self, region: &str) -> Result<std::collections::HashMap<String, i64>> {
        let mut out = std::collections::HashMap::new();
        for (_, unit) in DUAL {
            if out.contains_key(*unit) {
                continue;
            }
            let existing = supervisory_unit::Entity::find()
                .filter(supervisory_unit::Column::Name.eq(*unit))
                .filter(supervisory_unit::Column::RegionCode.eq(region))
                .one(&self.db)
                .await?;
            let id = match existing {
                Some(u) => u.id,
                None => self.create_supervisory_unit(&Principal::Cli, unit, region).await?.id,
            };
            out.insert((*unit).to_owned(), id);
        }
        Ok(out)
    }

    /// Fill the demo jurisdiction's registry once: about 3,000 registered and
    /// 6,000 filed community organizations. Returns how many were created.
    pub async fn seed_demo_registry(&self, region: &str) -> Result<usize> {
        let (lo, hi) = subtree_range(region);
        let existing = social_org::Entity::find()
            .filter(social_org::Column::RegionCode.gte(lo))
            .filter(social_org::Column::RegionCode.lt(hi))
            .count(&self.db)
            .await?;
        if existing > 0 {
            return Ok(0);
        }
        let units = self.ensure_units(region).await?;
        let places = self.places(region).await?;
        let mut g = Gen { rng: StdRng::seed_from_u64(3705), places: &places, used: Default::default() };
        let today = self.today();
        let mut drafts = Vec::new();
        for seq in 1..=3000u64 {
            drafts.push(registered(&mut g, &units, seq, today));
        }
        // one hub (联合会) per township, then community organizations
        for (code, name) in &places.townships {
            let mut d = filed_base(&mut g.rng, code, today);
            // two counties may each have a township of the same name
            let county = places.counties.iter().find(|c| code.starts_with(&c.0)).map(|c| short_place(&c.1));
            let town = short_place(name);
            let prefixes = [town.clone(), format!("{}{town}", county.unwrap_or_default())];
            d.name = g.unique(&prefixes, "社区社会组织联合会");
            d.category = Some(Category::ResidentService);
            d.is_hub = true;
            d.authority_region = code.clone();
            drafts.push((d, None, OrgStatus::Active, SupervisionClass::Normal));
        }
        while drafts.len() < 9000 {
            drafts.push(filed(&mut g, today));
        }
        let n = self.bulk_insert(drafts, "演示数据").await?;
        hongling_store::optimize(&self.db, true).await?;
        Ok(n)
    }

    /// `hongling generate`: `n` synthetic registered organizations spread over
    /// the region's villages and townships, in batches of 5,000.
    pub async fn generate_orgs(&self, n: usize, region: &str, mut progress: impl FnMut(usize)) -> Result<usize> {
        let places = self.places(region).await?;
        let units = self.ensure_units(&places.city.0).await?;
        let start = social_org::Entity::find().count(&self.db).await?;
        let mut g = Gen { rng: StdRng::seed_from_u64(start ^ 0x5eed), places: &places, used: Default::default() };
        let today = self.today();
        let mut done = 0;
        while done < n {
            let k = (n - done).min(5000);
            let mut batch = Vec::with_capacity(k);
            for i in 0..k {
                let seq = 40_000_000 + start + (done + i) as u64;
                if g.rng.random_bool(0.3) {
                    batch.push(filed(&mut g, today));
                } else {
                    batch.push(registered(&mut g, &units, seq, today));
                }
            }
            done += self.bulk_insert(batch, "generate").await?;
            progress(done);
        }
        hongling_store::optimize(&self.db, true).await?;
        Ok(done)
    }

    /// Insert prepared records with their grams and a history event, in one
    /// transaction per call.
    async fn bulk_insert(
        &self,
        drafts: Vec<(OrgDraft, Option<String>, OrgStatus, SupervisionClass)>,
        source: &str,
    ) -> Result<usize> {
        let now = self.now();
        // The entry belongs to the smallest region holding the whole batch, so
        // the clerks of that region see it in their audit log.
        let region_code = common_region(drafts.iter().map(|(d, ..)| d.region_code.as_str()));
        let txn = begin_write(&self.db).await?;
        let rows = drafts.iter().map(|(d, code, status, class)| (d, code.clone(), *status, *class));
        let n = self.insert_records(&txn, &Principal::Cli, rows, source).await?;
        hongling_store::audit::append(
            &txn,
            hongling_store::audit::NewEntry {
                at: now,
                actor_user_id: None,
                actor: Principal::Cli.actor_name(),
                action: AuditAction::OrgGenerate,
                entity_type: "social_org".into(),
                entity_id: source.into(),
                region_code,
                summary: format!("批量生成社会组织 {n} 条（{source}）"),
                before: None,
                after: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(n)
    }
}

/// The longest whole-level prefix shared by the codes (region codes grow by
/// levels of 2, 2, 2, 3 and 3 digits).
fn common_region<'a>(mut codes: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = codes.next() else { return String::new() };
    let mut len = first.len();
    for c in codes {
        len = first.bytes().zip(c.bytes()).take(len).take_while(|(a, b)| a == b).count();
    }
    [12, 9, 6, 4, 2].into_iter().find(|&l| l <= len).map(|l| first[..l].to_owned()).unwrap_or_default()
}

type Prepared = (OrgDraft, Option<String>, OrgStatus, SupervisionClass);

/// A point near the centre of the residence's township: the centre is a
/// stable hash of the township code spread over the city's extent, so that
/// organizations of one township lie within a few kilometres of each other
/// (the coverage planner groups neighbours).
fn coords(rng: &mut StdRng, region: &str) -> (Option<f64>, Option<f64>) {
    let township: String = region.chars().take(9).collect();
    let h = township.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let cx = 118.55 + ((h & 0xffff) as f64 / 65535.0 - 0.5) * 0.9;
    let cy = 37.45 + (((h >> 16) & 0xffff) as f64 / 65535.0 - 0.5) * 0.7;
    let lon = cx + rng.random_range(-0.02..0.02);
    let lat = cy + rng.random_range(-0.015..0.015);
    (Some((lon * 1e6_f64).round() / 1e6), Some((lat * 1e6_f64).round() / 1e6))
}

fn registered(g: &mut Gen<'_>, units: &std::collections::HashMap<String, i64>, seq: u64, today: Date) -> Prepared {
    let places = g.places;
    let rng = &mut g.rng;
    let city_level = rng.random_bool(0.35) || places.counties.len() == 1;
    let (auth_code, auth_name) = if city_level { places.city.clone() } else { pick(rng, &places.counties).clone() };
    let auth_short = short_place(&auth_name);
    // residence: a community or village of the authority's area when there is one
    let local: Option<&Vec<usize>> = if city_level { None } else { places.by_county.get(&auth_code) };
    let towns: Option<&Vec<usize>> = if city_level { None } else { places.towns_by_county.get(&auth_code) };
    let residence = match (local, towns) {
        (Some(ix), _) if !ix.is_empty() => {
            let v = &places.villages[*pick(rng, ix)];
            (v.0.clone(), v.1.clone())
        }
        (_, Some(ix)) if !ix.is_empty() => places.townships[*pick(rng, ix)].clone(),
        _ if city_level && !places.villages.is_empty() => {
            let v = pick(rng, &places.villages);
            (v.0.clone(), v.1.clone())
        }
        _ if !city_level => (auth_code.clone(), auth_name.clone()),
        _ => pick(rng, &places.townships).clone(),
    };
    let place = short_place(&residence.1);
    let roll: f64 = rng.random();
    let (kind, category, theme, unit) = if roll < 0.03 {
        (OrgKind::Foundation, Category::Charity, pick(rng, FOUNDATIONS).to_string(), None)
    } else if roll < 0.25 {
        let ind = pick(rng, INDUSTRIES);
        let t = if rng.random_bool(0.7) { format!("{ind}行业协会") } else { format!("{ind}商会") };
        (OrgKind::Association, Category::IndustryAssociation, t, None)
    } else if roll < 0.35 {
        (OrgKind::Association, Category::ScienceTech, pick(rng, SOCIETIES).to_string(), None)
    } else if roll < 0.52 {
        (OrgKind::Association, Category::Charity, pick(rng, CHARITY).to_string(), None)
    } else if roll < 0.75 {
        (OrgKind::ServiceInstitution, Category::CommunityService, pick(rng, COMMUNITY).to_string(), None)
    } else {
        let (n, u) = pick(rng, DUAL);
        let kind = if n.ends_with("协会") { OrgKind::Association } else { OrgKind::ServiceInstitution };
        let extra = if kind == OrgKind::ServiceInstitution {
            pick(rng, &["博雅", "育才", "启明", "仁和", "康宁", "阳光", "新华", "华信"]).to_string()
        } else {
            String::new()
        };
        (kind, Category::Other, format!("{extra}{n}"), units.get(*u).copied())
    };
    // `003§1`: some industry associations completed decoupling (脱钩); tourism and
    // culture ones record the culture and tourism bureau as their 行业管理部门,
    // which does not make it their 业务主管单位 (no random draw: the rest stays as it was)
    let decoupled = category == Category::IndustryAssociation && seq.is_multiple_of(3);
    let department = if category == Category::IndustryAssociation
        && (theme.starts_with("旅游") || theme.starts_with("文化创意"))
    {
        units.get("市文化和旅游局").copied()
    } else {
        None
    };
    let region6 = format!("{auth_code:0<6}");
    let code = uscc::build('5', kind.uscc_type(), &region6, &body(if city_level { 'M' } else { 'N' }, seq))
        .map(|c| c.to_string())
        .ok();
    let founded = random_date(rng, 1990, today);
    let (lon, lat) = coords(rng, &residence.0);
    let status_roll: f64 = rng.random();
    let status = if status_roll < 0.92 {
        OrgStatus::Active
    } else if status_roll < 0.96 {
        OrgStatus::Deregistered
    } else if status_roll < 0.985 {
        OrgStatus::Revoked
    } else {
        OrgStatus::LicenceRevoked
    };
    let c: f64 = rng.random();
    let class = if c < 0.95 {
        SupervisionClass::Normal
    } else if c < 0.98 {
        SupervisionClass::Guidance
    } else if c < 0.995 {
        SupervisionClass::Interview
    } else {
        SupervisionClass::KeySupervision
    };
    let d = OrgDraft {
        uscc: code.clone().unwrap_or_default(),
        name: String::new(),
        kind: Some(kind),
        mode: Some(RegistrationMode::Registered),
        category: Some(category),
        industry: if category == Category::IndustryAssociation { "行业服务".into() } else { String::new() },
        authority_region: auth_code,
        supervisory_unit_id: unit,
        industry_department_id: department,
        decoupled,
        region_code: residence.0,
        address: format!("{place}{}号", rng.random_range(1..300)),
        longitude: lon,
        latitude: lat,
        legal_rep: person(rng),
        founded_on: Some(founded),
        staff_count: Some(rng.random_range(1..60)),
        member_count: if kind == OrgKind::Association { Some(rng.random_range(20..800)) } else { None },
        charter_party_clause: rng.random_bool(0.7),
        is_hub: false,
        is_brand: rng.random_bool(0.05),
        incubator: String::new(),
    };
    // a community service centre is named after its place; others after
    // the authority's place first
    let prefixes = if category == Category::CommunityService {
        vec![format!("{auth_short}{place}")]
    } else {
        vec![auth_short.clone(), format!("{auth_short}{place}")]
    };
    let name = g.unique(&prefixes, &theme);
    (OrgDraft { name, ..d }, code, status, class)
}

fn filed_base(rng: &mut StdRng, region: &str, today: Date) -> OrgDraft {
    let (lon, lat) = coords(rng, region);
    OrgDraft {
        kind: Some(OrgKind::Association),
        mode: Some(RegistrationMode::Filed),
        region_code: region.to_owned(),
        authority_region: region.chars().take(9).collect(),
        legal_rep: person(rng),
        founded_on: Some(random_date(rng, 2012, today)),
        member_count: Some(rng.random_range(8..120)),
        longitude: lon,
        latitude: lat,
        ..Default::default()
    }
}

fn filed(g: &mut Gen<'_>, today: Date) -> Prepared {
    let places = g.places;
    let (code, name) = if places.villages.is_empty() {
        pick(&mut g.rng, &places.townships).clone()
    } else {
        let v = pick(&mut g.rng, &places.villages);
        (v.0.clone(), v.1.clone())
    };
    let (theme, category) = *pick(&mut g.rng, FILED);
    let mut d = filed_base(&mut g.rng, &code, today);
    let place = short_place(&name);
    d.name = g.unique(std::slice::from_ref(&place), theme);
    d.category = Some(category);
    d.is_brand = g.rng.random_bool(0.04);
    d.address = place;
    let status = if g.rng.random_bool(0.97) { OrgStatus::Active } else { OrgStatus::Deregistered };
    (d, None, status, SupervisionClass::Normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_places() {
        assert_eq!(short_place("文汇街道"), "文汇");
        assert_eq!(short_place("胜利社区居委会"), "胜利社区");
        assert_eq!(short_place("东王村委会"), "东王");
        assert_eq!(short_place("红光类似乡级单位"), "红光");
        assert_eq!(short_place("胜利油田锦霞类似居委会"), "胜利油田锦霞");
        assert_eq!(short_place("东港类似居民委员会"), "东港");
    }

    #[test]
    fn chinese_numbers() {
        let cases =
            [(2, "二"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"), (100, "一百"), (105, "一百零五")];
        for (n, want) in cases {
            assert_eq!(chinese_number(n), want);
        }
        assert_eq!(chinese_number(110), "一百一十");
        assert_eq!(chinese_number(999), "九百九十九");
    }

    #[test]
    fn generated_names_never_repeat_and_carry_no_digits() {
        let places = Places {
            villages: vec![],
            townships: vec![],
            counties: vec![],
            city: (String::new(), String::new()),
            by_county: Default::default(),
            towns_by_county: Default::default(),
        };
        let mut g = Gen { rng: StdRng::seed_from_u64(1), places: &places, used: Default::default() };
        let names: Vec<String> =
            (0..30).map(|_| g.unique(&["东营区".to_owned(), "东营区文汇".to_owned()], "书画社")).collect();
        let distinct: std::collections::HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert_eq!(names[..3], ["东营区书画社", "东营区文汇书画社", "东营区文汇第二书画社"]);
        assert!(names.iter().all(|n| !n.chars().any(|c| c.is_ascii_digit()) && !n.contains('（')), "{names:?}");
    }

    #[test]
    fn a_batch_belongs_to_its_smallest_whole_region() {
        assert_eq!(common_region(["370502001001", "370502001002"].into_iter()), "370502001");
        assert_eq!(common_region(["370502001001", "370503002001"].into_iter()), "3705");
        assert_eq!(common_region(["370502001001"].into_iter()), "370502001001");
        assert_eq!(common_region(["370502", "410101"].into_iter()), "");
        assert_eq!(common_region(std::iter::empty()), "");
    }

    #[test]
    fn code_bodies_are_unique_and_valid() {
        let a = body('M', 1);
        let b = body('M', 2);
        assert_ne!(a, b);
        assert_eq!(a.len(), 8);
        assert!(uscc::build('5', '1', "370500", &a).is_ok());
    }
}
