//! `hongling`: the one binary. Serves the web application and the API, and
//! runs the administrative commands against the same database.

mod config;

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use hongling_domain::{RegionCode, Role};
use hongling_service::jobs::{RunStatus, duration_text, worker_name};
use hongling_service::system::users::{NewUser, ScopeInput, UserChange};
use hongling_service::{Hongling, Principal, SystemClock};

use crate::config::Config;

#[derive(Parser)]
#[command(name = "hongling", version, about = "红领：社会组织党建引领与综合监管服务平台")]
struct Cli {
    /// Configuration file (TOML); see config.example.toml.
    #[arg(long, global = true, env = "HONGLING_CONFIG")]
    config: Option<PathBuf>,
    /// Database: sqlite://PATH or postgres://… (overrides the file and HONGLING_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the demo: an SQLite database in DIR with 东营市 and demo accounts.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        #[arg(long, default_value = "./hongling-demo")]
        data: PathBuf,
    },
    /// Serve the web application and the API.
    Serve {
        #[arg(long)]
        addr: Option<String>,
    },
    /// Apply database migrations and load built-in data.
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import data files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Create N synthetic organizations under a region (scale tests).
    Generate {
        #[arg(long, default_value_t = 0)]
        orgs: usize,
        #[arg(long, default_value = "3705")]
        region: String,
        /// Then party records for every county of the region (like the demo's), where there are none yet.
        #[arg(long)]
        party: bool,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Party coverage: re-evaluate, year-end figures, the planner.
    Coverage {
        #[command(subcommand)]
        command: CoverageCommand,
    },
    /// Data encryption keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Background jobs: list them, run one now, or run the worker in its own process.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Random spot checks (双随机): re-run a published draw.
    SpotCheck {
        #[command(subcommand)]
        command: SpotCheckCommand,
    },
}

#[derive(Subcommand)]
enum SpotCheckCommand {
    /// Recompute a draw from its published inputs (docs/SPOT_CHECK_DRAW.md):
    /// the candidate CSV, the seed and the ratio; no database needed. With
    /// --digest the list must have that SHA-256; with --drawn (one credit
    /// code per line, in drawn order) the draw must give exactly that list.
    Verify {
        /// The published candidate list (credit_code,stratum).
        candidates: PathBuf,
        #[arg(long)]
        seed: String,
        /// The plan's ratio in basis points (300 = 3%).
        #[arg(long)]
        ratio_bp: u64,
        /// The published SHA-256 of the candidate list.
        #[arg(long)]
        digest: Option<String>,
        /// The published drawn list, one credit code per line.
        #[arg(long)]
        drawn: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Every job with its schedule, last run and next run.
    List,
    /// Run a job now in the foreground; recorded (and audited) like any run.
    Run {
        /// The job's name (see `hongling jobs list`), e.g. coverage.daily.
        name: String,
        /// Limit it to a region's subtree (a region code; default all).
        #[arg(long, default_value = "")]
        region: String,
    },
    /// Run scheduled jobs and queued runs in this process until stopped
    /// (servers may then set `jobs.worker = false`).
    Worker,
}

#[derive(Subcommand)]
enum CoverageCommand {
    /// Re-evaluate the coverage state and breaches of a region (after bulk loads or policy changes).
    Refresh {
        #[arg(long, default_value = "")]
        region: String,
    },
    /// Store (or replace) the year-end figures of a year, evaluated with that year's policy values.
    Snapshot {
        #[arg(long)]
        year: i32,
    },
    /// Run the planner for a region and print a summary and its time (nothing is written).
    Plan {
        #[arg(long)]
        region: String,
        /// Print the whole plan as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Print a new random 256-bit data key (64 hexadecimal characters) for `security.data_key`.
    Generate,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. Without --password-stdin a password is generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        /// admin, registrar, registrar_leader, party_office, supervisor, grassroots,
        /// org_account, party_secretary, party_member, assessor, inspector
        #[arg(long)]
        role: String,
        /// A region code (e.g. 3705), or org:ID / party_org:ID / unit:ID (a supervisory unit, for supervisors).
        #[arg(long)]
        scope: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change a user's role, scope or display name (audited; a new role or
    /// scope ends the user's sessions and API tokens). Gives a supervisor
    /// account migrated without its unit the unit: `--scope unit:ID`.
    Set {
        username: String,
        /// The new role (identifiers as for `user add`).
        #[arg(long)]
        role: Option<String>,
        /// The new scope: a region code, or org:ID / party_org:ID / unit:ID.
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Clear the failed logins counted against a username (解除登录限制), so
    /// that client addresses refused for it may try again at once.
    Unlock { username: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user; printed once, stored only as a hash.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "API")]
        name: String,
        /// Days the token is valid (1–1095; default 365).
        #[arg(long)]
        days: Option<i64>,
    },
    /// List a user's tokens: prefix, name, made, last used, expiry, state.
    List {
        #[arg(long)]
        username: String,
    },
    /// Revoke a user's token, named by its id or its prefix (hl_1a2b3c4…).
    Revoke {
        #[arg(long)]
        username: String,
        token: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import regions from a CSV (or .csv.gz) with columns code,name,…
    Regions { file: PathBuf },
    /// Import social organizations from .xlsx or .csv (the import template's
    /// columns); all valid rows in one transaction, rejected rows listed.
    Orgs { file: PathBuf },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Re-compute the SM3 hash chain of the whole audit log and compare it with
    /// its head (and with a digest kept outside, if given).
    Verify {
        /// A file holding a line printed earlier by `hongling audit digest`.
        #[arg(long)]
        digest: Option<PathBuf>,
    },
    /// Print a dated digest of the chain's head (sequence number and SM3 hash)
    /// to keep outside the system: `audit verify --digest` proves later that
    /// nothing up to that entry changed.
    Digest,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(url) = &cli.database_url {
        cfg.database.url = url.clone();
    }
    init_logging(&cfg.log.level);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run(cli.command, cfg))
}

fn init_logging(level: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(level).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

async fn open(cfg: &Config) -> anyhow::Result<Hongling> {
    let key = cfg.security.key()?;
    let jobs = cfg.jobs.service()?;
    let app = Hongling::open(&cfg.db(), Arc::new(SystemClock))
        .await
        .with_context(|| format!("无法打开数据库 {}", hongling_service::redact_url(&cfg.database.url)))?;
    Ok(app.with_data_key(key).with_jobs(jobs).with_api_rate(cfg.security.api_rate_per_minute))
}

/// `hongling spot-check verify`: the draw from its published inputs.
fn spot_check_verify(
    candidates: &std::path::Path,
    seed: &str,
    ratio_bp: u64,
    digest: Option<&str>,
    drawn: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use hongling_domain::spot_check;
    let bytes = std::fs::read(candidates).with_context(|| format!("无法读取 {}", candidates.display()))?;
    let text = String::from_utf8(bytes).context("候选名单应为 UTF-8 编码的 CSV")?;
    let sha = spot_check::candidates_sha256(&text);
    println!("候选名单 SHA-256：{sha}");
    let list = spot_check::parse_candidates(&text)?;
    // the published file must be exactly the list in its canonical form
    if spot_check::candidates_csv(&list)? != text {
        bail!("候选名单不是公布时的规范格式（表头 credit_code,stratum，按信用代码升序，\\n 换行）");
    }
    if let Some(d) = digest {
        if !d.trim().eq_ignore_ascii_case(&sha) {
            bail!("候选名单与公布的 SHA-256 不一致：公布 {}，文件 {sha}", d.trim());
        }
        println!("候选名单与公布的 SHA-256 一致。");
    }
    let result = spot_check::draw(&list, seed, ratio_bp)?;
    println!("候选 {} 个，按比例 {} 个基点抽取 {} 个：", list.len(), ratio_bp, result.len());
    for d in &result {
        println!("{},{}", d.credit_code, d.stratum);
    }
    if let Some(path) = drawn {
        let published = std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?;
        let published: Vec<&str> = published.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let ours: Vec<&str> = result.iter().map(|d| d.credit_code.as_str()).collect();
        if published != ours {
            bail!("抽取结果与公布的名单不一致");
        }
        println!("抽取结果与公布的名单一致。");
    }
    Ok(())
}

async fn run(cmd: Command, mut cfg: Config) -> anyhow::Result<()> {
    match cmd {
        Command::SpotCheck { command: SpotCheckCommand::Verify { candidates, seed, ratio_bp, digest, drawn } } => {
            spot_check_verify(&candidates, &seed, ratio_bp, digest.as_deref(), drawn.as_deref())
        }
        Command::Demo { addr, data } => demo(&mut cfg, &addr, &data).await,
        Command::Serve { addr } => {
            if let Some(a) = addr {
                cfg.server.addr = a;
            }
            let app = open(&cfg).await?;
            serve(app, &cfg).await
        }
        Command::Migrate => {
            let app = open(&cfg).await?;
            println!("数据库已是最新结构（{}）。", app.backend_name());
            Ok(())
        }
        Command::User { command: UserCommand::Add { username, role, scope, display_name, password_stdin } } => {
            let app = open(&cfg).await?;
            let role = Role::parse(&role).with_context(|| format!("未知角色 {role}"))?;
            let scope = parse_scope(&scope)?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s)?;
                Some(s.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let new = NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                role,
                scope,
                password,
            };
            match app.system().create_user(&Principal::Cli, new).await {
                Ok((u, generated)) => {
                    println!("已创建用户 {}（{}，范围 {}）。", u.username, role.label(), u.scope_region);
                    if let Some(p) = generated {
                        println!("初始密码（只显示这一次）：{p}");
                    }
                    Ok(())
                }
                Err(e) => bail!(describe(&e)),
            }
        }
        Command::User { command: UserCommand::Set { username, role, scope, display_name } } => {
            if role.is_none() && scope.is_none() && display_name.is_none() {
                bail!("请至少指定 --role、--scope 或 --display-name 之一");
            }
            let role = match role {
                Some(r) => Some(Role::parse(&r).with_context(|| format!("未知角色 {r}"))?),
                None => None,
            };
            let scope = scope.as_deref().map(parse_scope).transpose()?;
            let app = open(&cfg).await?;
            match app.system().update_username(&username, UserChange { display_name, role, scope }).await {
                Ok(u) => {
                    let role = Role::parse(&u.role).map(Role::label).unwrap_or("未知角色");
                    let scope = match u.scope_ref_id {
                        Some(id) => format!("{}:{id}（区域 {}）", u.scope_kind, u.scope_region),
                        None => u.scope_region.clone(),
                    };
                    println!("用户 {}：{}，{}，范围 {}。", u.username, u.display_name, role, scope);
                    Ok(())
                }
                Err(hongling_service::Error::NotFound) => bail!("用户 {username} 不存在"),
                Err(e) => bail!(describe(&e)),
            }
        }
        Command::User { command: UserCommand::Unlock { username } } => {
            let app = open(&cfg).await?;
            match app.system().unlock_username(&username).await {
                Ok(n) => {
                    println!("已解除用户 {username} 的登录限制（清除计数 {n} 条）。");
                    Ok(())
                }
                Err(hongling_service::Error::NotFound) => bail!("用户 {username} 不存在"),
                Err(e) => bail!(describe(&e)),
            }
        }
        Command::Token { command: TokenCommand::List { username } } => {
            let app = open(&cfg).await?;
            match app.tokens_of(&Principal::Cli, &username).await {
                Ok(list) => {
                    println!("编号\t前缀\t名称\t创建时间\t最近使用\t到期时间\t状态");
                    for t in list {
                        let last =
                            t.last_used_at.map(hongling_service::auth::local_time).unwrap_or_else(|| "从未".into());
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            t.id,
                            t.prefix,
                            t.name,
                            hongling_service::auth::local_time(t.created_at),
                            last,
                            hongling_service::auth::local_time(t.expires_at),
                            t.status.label()
                        );
                    }
                    Ok(())
                }
                Err(hongling_service::Error::NotFound) => bail!("用户 {username} 不存在"),
                Err(e) => bail!(describe(&e)),
            }
        }
        Command::Token { command: TokenCommand::Revoke { username, token } } => {
            let app = open(&cfg).await?;
            match app.revoke_token(&Principal::Cli, &username, &token).await {
                Ok(t) => {
                    println!("已撤销用户 {username} 的 API 令牌 {}（{}）。", t.prefix, t.name);
                    Ok(())
                }
                Err(hongling_service::Error::NotFound) => bail!("用户 {username} 没有这个令牌：{token}"),
                Err(e) => bail!(describe(&e)),
            }
        }
        Command::Token { command: TokenCommand::Create { username, name, days } } => {
            let app = open(&cfg).await?;
            match app.create_token(&Principal::Cli, &username, &name, days).await {
                Ok(t) => {
                    println!("{t}");
                    eprintln!("API 令牌已创建（只显示这一次）。调用方式：Authorization: Bearer <令牌>");
                    Ok(())
                }
                Err(hongling_service::Error::NotFound) => bail!("用户 {username} 不存在"),
                Err(e) => bail!(describe(&e)),
            }
        }
        Command::Import { command: ImportCommand::Regions { file } } => {
            let app = open(&cfg).await?;
            let (rows, mut rejected) =
                hongling_service::read_region_file(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let read = rows.len();
            let report = app
                .import_regions(&Principal::Cli, rows, &file.display().to_string())
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            rejected.extend(report.rejected);
            println!("读取 {read} 条，导入（新增或更新）{} 条，拒绝 {} 条。", report.accepted, rejected.len());
            for r in rejected.iter().take(50) {
                println!("  第 {} 行 {}：{}", r.line, r.code, r.reason);
            }
            if rejected.len() > 50 {
                println!("  ……另有 {} 条被拒绝", rejected.len() - 50);
            }
            Ok(())
        }
        Command::Import { command: ImportCommand::Orgs { file } } => {
            let app = open(&cfg).await?;
            let bytes = std::fs::read(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let started = std::time::Instant::now();
            let s = app.registry().import_orgs_file(&name, &bytes).await.map_err(|e| anyhow::anyhow!(describe(&e)))?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "共 {} 行：新增 {}，更新 {}，未变 {}，拒绝 {}。用时 {:.1} 秒（{:.0} 行/秒）。",
                s.total,
                s.creates,
                s.updates,
                s.unchanged,
                s.rejected.len(),
                secs,
                s.total as f64 / secs.max(0.001)
            );
            for r in s.rejected.iter().take(50) {
                println!("  第 {} 行 {}：{}", r.line, r.name, r.reasons.join("；"));
            }
            if s.rejected.len() > 50 {
                println!("  ……另有 {} 行被拒绝", s.rejected.len() - 50);
            }
            Ok(())
        }
        Command::Generate { orgs, region, party } => {
            let app = open(&cfg).await?;
            if orgs > 0 {
                let started = std::time::Instant::now();
                let n = app
                    .registry()
                    .generate_orgs(orgs, &region, |done| {
                        if done % 50_000 < 5_000 {
                            eprintln!("已生成 {done} 条");
                        }
                    })
                    .await
                    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
                let secs = started.elapsed().as_secs_f64();
                println!("已生成 {n} 个社会组织，用时 {secs:.1} 秒（{:.0} 条/秒）。", n as f64 / secs.max(0.001));
            }
            if party {
                let started = std::time::Instant::now();
                let n = app
                    .party()
                    .generate_party(&region, |county, n| eprintln!("{county}：党组织 {n} 个"))
                    .await
                    .map_err(|e| anyhow::anyhow!(describe(&e)))?;
                println!("已生成党建数据：党组织 {n} 个，用时 {:.1} 秒。", started.elapsed().as_secs_f64());
            }
            Ok(())
        }
        Command::Key { command: KeyCommand::Generate } => {
            println!("{}", hongling_service::crypto::DataKey::generate_hex());
            eprintln!(
                "新的数据加密密钥（256 位）。请保存在数据库之外，并在每台服务器上配置相同的值：security.data_key 或 HONGLING_DATA_KEY。"
            );
            Ok(())
        }
        Command::Coverage { command } => {
            let app = open(&cfg).await?;
            match command {
                CoverageCommand::Refresh { region } => {
                    let started = std::time::Instant::now();
                    let (o, c, p) = app
                        .party()
                        .refresh_coverage(&Principal::Cli, region.trim(), app.today())
                        .await
                        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
                    println!(
                        "已重新计算：社会组织 {o} 个（变化 {c} 个），党组织 {p} 个，用时 {:.1} 秒。",
                        started.elapsed().as_secs_f64()
                    );
                }
                CoverageCommand::Snapshot { year } => {
                    let n = app.party().snapshot_year(year).await.map_err(|e| anyhow::anyhow!(describe(&e)))?;
                    println!("已生成 {year} 年末党建覆盖统计（{n} 行）。");
                }
                CoverageCommand::Plan { region, json } => {
                    let started = std::time::Instant::now();
                    let plan =
                        app.party().plan_region(region.trim()).await.map_err(|e| anyhow::anyhow!(describe(&e)))?;
                    let secs = started.elapsed().as_secs_f64();
                    if json {
                        println!("{}", serde_json::to_string_pretty(&plan)?);
                    }
                    let joined: usize = plan.joint_branches.iter().map(|j| j.orgs.len()).sum();
                    let assigned: usize = plan.instructors.iter().map(|i| i.orgs.len()).sum();
                    eprintln!(
                        "{}：联合组建候选 {} 个，方案 {} 个覆盖 {} 个；待选派指导员 {} 个，方案覆盖 {} 个；无法安排 {} 个。用时 {:.2} 秒（含读取数据）。",
                        plan.region_name,
                        plan.joint_candidates,
                        plan.joint_branches.len(),
                        joined,
                        plan.instructor_candidates,
                        assigned,
                        plan.unplaced.len(),
                        secs
                    );
                }
            }
            Ok(())
        }
        Command::Jobs { command } => jobs(command, &cfg).await,
        Command::Audit { command: AuditCommand::Verify { digest } } => {
            let app = open(&cfg).await?;
            let digest = match digest {
                Some(p) => {
                    let text = std::fs::read_to_string(&p).with_context(|| format!("无法读取 {}", p.display()))?;
                    let d = hongling_domain::audit::Digest::parse(&text)
                        .with_context(|| format!("{} 中没有 hongling audit digest 输出的摘要行", p.display()))?;
                    Some(d)
                }
                None => None,
            };
            let r = app.verify_audit_chain(digest.as_ref()).await.map_err(|e| anyhow::anyhow!(describe(&e)))?;
            match (r.broken_at, r.problem) {
                (None, _) => {
                    println!("审计日志完整：共 {} 条，哈希链与链头一致（SM3）。", r.entries);
                    if let Some(d) = digest {
                        println!("与外部摘要（第 {} 条）一致：此前的记录未被改动。", d.seq);
                    }
                    Ok(())
                }
                (Some(seq), p) => bail!("审计日志在第 {seq} 条处校验失败：{}", p.unwrap_or_default()),
            }
        }
        Command::Audit { command: AuditCommand::Digest } => {
            let app = open(&cfg).await?;
            println!("{}", app.audit_digest().await.map_err(|e| anyhow::anyhow!(describe(&e)))?);
            Ok(())
        }
    }
}

fn describe(e: &hongling_service::Error) -> String {
    let fields: Vec<String> = e.field_errors().iter().map(|f| format!("{}：{}", f.field, f.message)).collect();
    if fields.is_empty() { e.to_string() } else { fields.join("；") }
}

fn parse_scope(s: &str) -> anyhow::Result<ScopeInput> {
    let s = s.trim();
    if let Some(id) = s.strip_prefix("org:") {
        return Ok(ScopeInput::Org(id.parse().context("org: 后应为组织编号")?));
    }
    if let Some(id) = s.strip_prefix("party_org:") {
        return Ok(ScopeInput::PartyOrg(id.parse().context("party_org: 后应为党组织编号")?));
    }
    if let Some(id) = s.strip_prefix("unit:") {
        return Ok(ScopeInput::Unit(id.parse().context("unit: 后应为业务主管单位编号")?));
    }
    Ok(ScopeInput::Region(RegionCode::parse(s).map_err(|e| anyhow::anyhow!("--scope {s}：{e}"))?))
}

async fn demo(cfg: &mut Config, addr: &str, data: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(data).with_context(|| format!("无法创建目录 {}", data.display()))?;
    #[cfg(unix)]
    {
        // the demo's database, data key and passwords: for its owner only
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(data, std::fs::Permissions::from_mode(0o700))?;
    }
    let db = data.join("hongling.db");
    cfg.database.url = format!("sqlite://{}", db.display());
    cfg.server.addr = addr.to_owned();
    // the demo keeps its data key beside its database (a real server gets it from the configuration)
    let key_file = data.join("data.key");
    if cfg.security.data_key.is_empty() && cfg.security.data_key_file.is_empty() {
        if !key_file.exists() {
            write_private(&key_file, &format!("{}\n", hongling_service::crypto::DataKey::generate_hex()))?;
        }
        cfg.security.data_key_file = key_file.display().to_string();
    }
    let app = open(cfg).await?;
    let seeded = app
        .registry()
        .seed_demo_registry(hongling_service::system::demo::DEMO_REGION)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    if seeded > 0 {
        println!("已生成东营市演示名录：{seeded} 个社会组织。");
    }
    let parties = app
        .party()
        .seed_demo_party(hongling_service::system::demo::DEMO_REGION)
        .await
        .map_err(|e| anyhow::anyhow!(describe(&e)))?;
    if parties > 0 {
        println!("已生成东营市演示党建数据：{parties} 个党组织。");
    }
    let accounts = app.system().ensure_demo_accounts().await.map_err(|e| anyhow::anyhow!(describe(&e)))?;
    if let Some(name) = app.system().ensure_demo_proposal().await.map_err(|e| anyhow::anyhow!(describe(&e)))? {
        println!("已生成一件待审批的演示申请：注销登记“{name}”（东营区民政局提出，待 leader 审批）。");
    }
    let file = data.join("demo-accounts.txt");
    let mut known = std::fs::read_to_string(&file).unwrap_or_default();
    let fresh: Vec<_> = accounts.iter().filter(|a| a.password.is_some()).collect();
    if !fresh.is_empty() {
        for a in &fresh {
            known.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                a.username,
                a.password.as_deref().unwrap_or(""),
                a.role.label(),
                a.scope
            ));
        }
        write_private(&file, &known)?;
    }
    println!();
    println!("红领演示环境（东营市 3705）：http://{addr}/");
    println!("数据目录：{}（SQLite）", data.display());
    println!("演示账号（用户名 / 密码 / 角色 / 范围），另存于 {}：", file.display());
    for line in known.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if let [u, p, r, s] = cols[..] {
            println!("  {u:<10} {p:<18} {r}（{s}）");
        }
    }
    println!();
    serve(app, cfg).await
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

async fn serve(app: Hongling, cfg: &Config) -> anyhow::Result<()> {
    let web = hongling_web::WebConfig {
        secure_cookies: cfg.server.secure_cookies,
        hsts_max_age: cfg.server.hsts_max_age,
        max_body_bytes: cfg.server.max_body_mb * 1024 * 1024,
        client_ip_header: Some(cfg.server.client_ip_header.trim().to_owned()).filter(|h| !h.is_empty()),
    };
    if cfg.jobs.worker {
        let (worker, poll) = (app.clone(), poll(cfg));
        tokio::spawn(async move { worker.job_worker(worker_name(), poll).await });
    }
    let router = hongling_web::router(app.clone(), web);
    let listener = tokio::net::TcpListener::bind(&cfg.server.addr)
        .await
        .with_context(|| format!("无法监听 {}", cfg.server.addr))?;
    tracing::info!(addr = %cfg.server.addr, database = app.backend_name(), "hongling serving");
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

fn poll(cfg: &Config) -> std::time::Duration {
    std::time::Duration::from_secs(cfg.jobs.poll_secs.max(1))
}

fn when(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute())
}

async fn jobs(cmd: JobsCommand, cfg: &Config) -> anyhow::Result<()> {
    let app = open(cfg).await?;
    match cmd {
        JobsCommand::List => {
            for j in app.job_views().await.map_err(|e| anyhow::anyhow!(describe(&e)))? {
                println!("{}  {}", j.name, j.title);
                println!("  计划：{}", j.schedule.describe());
                match &j.last {
                    None => println!("  上次运行：尚未运行"),
                    Some(r) => println!(
                        "  上次运行：{}，{}，耗时 {}，{}",
                        when(r.started_at.assume_utc()),
                        RunStatus::parse(&r.status).map(RunStatus::label).unwrap_or(r.status.as_str()),
                        duration_text(r.duration_ms),
                        r.result
                    ),
                }
                let next = match j.next_run {
                    None => "按需".to_owned(),
                    Some(_) if j.due => "已到时间，等待后台进程运行".to_owned(),
                    Some(t) => when(t),
                };
                let queued = if j.queued > 0 { format!("（排队 {} 次）", j.queued) } else { String::new() };
                println!("  下次运行：{next}{queued}");
            }
            Ok(())
        }
        JobsCommand::Run { name, region } => {
            let region = region.trim();
            if !region.is_empty() {
                RegionCode::parse(region).map_err(|e| anyhow::anyhow!("--region {region}：{e}"))?;
            }
            let r = app
                .run_job_now(&Principal::Cli, &name, region, &worker_name())
                .await
                .map_err(|e| anyhow::anyhow!(describe(&e)))?;
            let took = duration_text(r.duration_ms);
            if r.status == RunStatus::Succeeded.as_str() {
                println!("{}（运行编号 {}）：{}，用时 {took}。", r.job, r.id, r.result);
                Ok(())
            } else {
                bail!("{}（运行编号 {}）{}，用时 {took}。", r.job, r.id, r.result)
            }
        }
        JobsCommand::Worker => {
            let name = worker_name();
            println!("后台任务进程 {name} 已启动（每 {} 秒检查一次）；按 Ctrl+C 停止。", cfg.jobs.poll_secs.max(1));
            tokio::select! {
                () = app.job_worker(name, poll(cfg)) => {}
                () = shutdown() => {}
            }
            Ok(())
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
