//! Configuration: defaults, then the TOML file, then `HONGLING_*` environment
//! variables, then command-line flags (each overrides the one before).
//! Every key is documented in `config.example.toml`.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: Server,
    pub database: Database,
    pub security: Security,
    pub jobs: Jobs,
    pub log: Log,
}

/// Keys. `Debug` never prints them.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Security {
    /// 64 hexadecimal characters: the key that encrypts personal data (ID numbers).
    pub data_key: String,
    /// Or a file holding it (e.g. a mounted secret).
    pub data_key_file: String,
    /// API calls per user and minute (0: no limit).
    pub api_rate_per_minute: i64,
}

impl Default for Security {
    fn default() -> Self {
        Self {
            data_key: String::new(),
            data_key_file: String::new(),
            api_rate_per_minute: hongling_service::DEFAULT_API_RATE_PER_MINUTE,
        }
    }
}

impl std::fmt::Debug for Security {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Security")
            .field("data_key", &if self.data_key.is_empty() { "" } else { "***" })
            .field("data_key_file", &self.data_key_file)
            .field("api_rate_per_minute", &self.api_rate_per_minute)
            .finish()
    }
}

impl Security {
    /// The configured data key, if any.
    pub fn key(&self) -> anyhow::Result<Option<hongling_service::crypto::DataKey>> {
        let hex = if !self.data_key.trim().is_empty() {
            self.data_key.trim().to_owned()
        } else if !self.data_key_file.trim().is_empty() {
            std::fs::read_to_string(self.data_key_file.trim())
                .with_context(|| format!("无法读取数据加密密钥文件 {}", self.data_key_file))?
                .trim()
                .to_owned()
        } else {
            return Ok(None);
        };
        hongling_service::crypto::DataKey::from_hex(&hex).map(Some).map_err(|m| anyhow::anyhow!(m))
    }
}

/// Background jobs (`hongling_service::jobs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Jobs {
    /// Run the job worker inside `serve` (scheduled jobs and queued runs).
    /// Off when a separate `hongling jobs worker` process does it. (`daily`
    /// is its name in earlier releases.)
    #[serde(alias = "daily")]
    pub worker: bool,
    /// The hour (Beijing time, 0–23) of the daily jobs.
    pub daily_hour: u8,
    /// The share of time a job may work (0.05–1): 0.5 pauses after each
    /// batch as long as the batch took; 1 does not pause.
    pub duty: f64,
    /// Organizations per batch (and per write transaction).
    pub batch: usize,
    /// Seconds between the worker's looks for due and queued runs.
    pub poll_secs: u64,
}

impl Default for Jobs {
    fn default() -> Self {
        let d = hongling_service::jobs::JobsConfig::default();
        Self { worker: true, daily_hour: d.daily_hour, duty: d.duty, batch: d.batch, poll_secs: 5 }
    }
}

impl Jobs {
    pub fn service(&self) -> anyhow::Result<hongling_service::jobs::JobsConfig> {
        if self.daily_hour > 23 {
            anyhow::bail!("jobs.daily_hour 应为 0–23，而不是 {}", self.daily_hour);
        }
        if !(self.duty > 0.0 && self.duty <= 1.0) {
            anyhow::bail!("jobs.duty 应大于 0 且不超过 1，而不是 {}", self.duty);
        }
        if self.batch == 0 {
            anyhow::bail!("jobs.batch 应为正整数");
        }
        Ok(hongling_service::jobs::JobsConfig { daily_hour: self.daily_hour, duty: self.duty, batch: self.batch })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Server {
    pub addr: String,
    pub secure_cookies: bool,
    pub max_body_mb: usize,
    /// The header a trusted reverse proxy sets to the client's address ("" for none).
    pub client_ip_header: String,
    /// Strict-Transport-Security max-age in seconds on answers over TLS (0: none).
    pub hsts_max_age: u64,
}

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub max_connections: u32,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("url", &hongling_service::redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    pub level: String,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            addr: "127.0.0.1:8080".into(),
            secure_cookies: false,
            max_body_mb: 20,
            client_ip_header: String::new(),
            hsts_max_age: 0,
        }
    }
}

impl Default for Database {
    fn default() -> Self {
        Self { url: "sqlite://hongling.db".into(), max_connections: 16 }
    }
}

impl Default for Log {
    fn default() -> Self {
        Self { level: "info".into() }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_bool(name: &str, v: &str) -> anyhow::Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => anyhow::bail!("{name} 应为 true 或 false，而不是 {v:?}"),
    }
}

impl Config {
    /// Load the file (if given) and apply the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let mut cfg = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("无法读取配置文件 {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("配置文件 {} 格式有误", p.display()))?
            }
            None => Config::default(),
        };
        cfg.apply_env()?;
        Ok(cfg)
    }

    fn apply_env(&mut self) -> anyhow::Result<()> {
        if let Some(v) = env("HONGLING_ADDR") {
            self.server.addr = v;
        }
        if let Some(v) = env("HONGLING_SECURE_COOKIES") {
            self.server.secure_cookies = parse_bool("HONGLING_SECURE_COOKIES", &v)?;
        }
        if let Some(v) = env("HONGLING_MAX_BODY_MB") {
            self.server.max_body_mb = v.parse().context("HONGLING_MAX_BODY_MB 应为整数")?;
        }
        if let Some(v) = env("HONGLING_HSTS_MAX_AGE") {
            self.server.hsts_max_age = v.parse().context("HONGLING_HSTS_MAX_AGE 应为秒数（整数）")?;
        }
        if let Some(v) = env("HONGLING_CLIENT_IP_HEADER") {
            self.server.client_ip_header = v;
        }
        if let Some(v) = env("HONGLING_API_RATE_PER_MINUTE") {
            self.security.api_rate_per_minute = v.parse().context("HONGLING_API_RATE_PER_MINUTE 应为整数")?;
        }
        if let Some(v) = env("HONGLING_DATABASE_URL") {
            self.database.url = v;
        }
        if let Some(v) = env("HONGLING_DB_MAX_CONNECTIONS") {
            self.database.max_connections = v.parse().context("HONGLING_DB_MAX_CONNECTIONS 应为整数")?;
        }
        if let Some(v) = env("HONGLING_DATA_KEY") {
            self.security.data_key = v;
        }
        if let Some(v) = env("HONGLING_DATA_KEY_FILE") {
            self.security.data_key_file = v;
        }
        for name in ["HONGLING_JOBS_DAILY", "HONGLING_JOBS_WORKER"] {
            if let Some(v) = env(name) {
                self.jobs.worker = parse_bool(name, &v)?;
            }
        }
        if let Some(v) = env("HONGLING_JOBS_DAILY_HOUR") {
            self.jobs.daily_hour = v.parse().context("HONGLING_JOBS_DAILY_HOUR 应为 0–23 的整数")?;
        }
        if let Some(v) = env("HONGLING_JOBS_DUTY") {
            self.jobs.duty = v.parse().context("HONGLING_JOBS_DUTY 应为 0 到 1 之间的小数")?;
        }
        if let Some(v) = env("HONGLING_JOBS_BATCH") {
            self.jobs.batch = v.parse().context("HONGLING_JOBS_BATCH 应为正整数")?;
        }
        if let Some(v) = env("HONGLING_JOBS_POLL_SECS") {
            self.jobs.poll_secs = v.parse().context("HONGLING_JOBS_POLL_SECS 应为整数")?;
        }
        if let Some(v) = env("HONGLING_LOG") {
            self.log.level = v;
        }
        Ok(())
    }

    pub fn db(&self) -> hongling_service::DbConfig {
        let mut c = hongling_service::DbConfig::new(self.database.url.clone());
        c.max_connections = self.database.max_connections;
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_lists_every_key_and_parses() {
        let text = include_str!("../../../config.example.toml");
        let cfg: Config = toml::from_str(text).expect("example parses");
        assert_eq!(cfg.server.addr, "127.0.0.1:8080");
        assert!(cfg.jobs.worker);
        assert!(cfg.jobs.service().is_ok());
        let old: Config = toml::from_str("[jobs]\ndaily = false\n").expect("the earlier name parses");
        assert!(!old.jobs.worker);
        assert!(format!("{:?}", Database { url: "postgres://u:pw@h/db".into(), max_connections: 1 }).contains("***"));
    }
}
