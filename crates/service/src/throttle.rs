//! Throttling with counters in the database (`throttle_hits`), so every
//! server on one database sees the same counts: the login throttle (per
//! client address, per username and per pair) and the API rate limit (per
//! user). The limits and verdicts are domain rules (`hongling_domain::throttle`).
//!
//! Bucket names never hold an address or a username in clear: both go in as
//! the first 16 hex digits of a SHA-256 (`throttle_hits` is not personal data).

use hongling_domain::throttle::{Limit, LoginCounter, LoginCounts, LoginThrottle, LoginVerdict};
use hongling_store::throttle as store;
use sea_orm::ConnectionTrait;
use time::OffsetDateTime;

use crate::secret::token_hash;
use crate::{Error, Hongling, Result};

fn short(s: &str) -> String {
    token_hash(s)[..16].to_owned()
}

/// The throttle buckets of one login attempt.
pub(crate) struct LoginKeys {
    user: String,
    addr: String,
}

impl LoginKeys {
    pub(crate) fn new(username: &str, client: &str) -> Self {
        Self { user: short(&format!("u:{}", username.trim().to_lowercase())), addr: short(&format!("a:{client}")) }
    }

    fn bucket(&self, c: LoginCounter) -> String {
        match c {
            LoginCounter::Attempts | LoginCounter::AddressFailures => format!("{}:{}", c.prefix(), self.addr),
            LoginCounter::UserFailures => format!("{}:{}", c.prefix(), self.user),
            LoginCounter::PairFailures => format!("{}:{}:{}", c.prefix(), self.user, self.addr),
        }
    }

    /// Every bucket of the username (its own and the pairs): an unlock clears these.
    fn user_prefix(&self) -> String {
        format!("{}:{}", LoginCounter::UserFailures.prefix(), self.user)
    }
}

const FAILURES: [LoginCounter; 3] =
    [LoginCounter::AddressFailures, LoginCounter::PairFailures, LoginCounter::UserFailures];

impl Hongling {
    /// Count a login attempt and decide whether its password may be checked.
    /// A refusal is `Error::Throttled`, the same for known and unknown usernames.
    pub(crate) async fn login_gate(&self, keys: &LoginKeys, now: OffsetDateTime) -> Result<LoginCounts> {
        let t: &LoginThrottle = &self.login_throttle;
        let attempts = store::hit(&self.db, &keys.bucket(LoginCounter::Attempts), t.attempts.window(now), 1).await?;
        let buckets: Vec<(String, i64)> = FAILURES.iter().map(|c| (keys.bucket(*c), t.limit(*c).window(now))).collect();
        let refs: Vec<(&str, i64)> = buckets.iter().map(|(b, w)| (b.as_str(), *w)).collect();
        let n = store::counts(&self.db, &refs).await?;
        let counts = LoginCounts {
            attempts,
            address_failures: n.first().copied().unwrap_or(0),
            pair_failures: n.get(1).copied().unwrap_or(0),
            user_failures: n.get(2).copied().unwrap_or(0),
        };
        match t.verdict(&counts, now) {
            LoginVerdict::Check => Ok(counts),
            LoginVerdict::Refuse { counter, retry_after } => {
                tracing::info!(?counter, retry_after, "login refused by the throttle");
                Err(Error::Throttled(retry_after))
            }
        }
    }

    /// Count a failed password check (a login, or the current password of a
    /// change-password form) in the caller's transaction.
    pub(crate) async fn login_failed(
        &self,
        conn: &impl ConnectionTrait,
        keys: &LoginKeys,
        now: OffsetDateTime,
    ) -> Result<()> {
        for c in FAILURES {
            store::hit(conn, &keys.bucket(c), self.login_throttle.limit(c).window(now), 1).await?;
        }
        Ok(())
    }

    /// The wait before a failure is answered: it grows with the failures of
    /// the same username from the same address.
    pub(crate) async fn failure_pause(&self, counts: &LoginCounts) {
        let ms = self.login_throttle.failure_delay_ms(counts.pair_failures);
        if ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    }

    /// A successful login forgets the failures of that username from that address.
    pub(crate) async fn login_succeeded(&self, conn: &impl ConnectionTrait, keys: &LoginKeys) -> Result<()> {
        store::clear_prefix(conn, &keys.bucket(LoginCounter::PairFailures)).await?;
        Ok(())
    }

    /// Forget every failure counted against a username (an administrator's unlock).
    pub(crate) async fn clear_login_failures(&self, conn: &impl ConnectionTrait, username: &str) -> Result<u64> {
        Ok(store::clear_prefix(conn, &LoginKeys::new(username, "").user_prefix()).await?)
    }

    /// Failed logins on each username in the current window (every address),
    /// for the user pages, in order.
    pub async fn login_failures_of(&self, usernames: &[&str]) -> Result<Vec<i64>> {
        let w = self.login_throttle.user_failures.window(self.now());
        let buckets: Vec<String> =
            usernames.iter().map(|u| LoginKeys::new(u, "").bucket(LoginCounter::UserFailures)).collect();
        let keys: Vec<(&str, i64)> = buckets.iter().map(|b| (b.as_str(), w)).collect();
        Ok(store::counts(&self.db, &keys).await?)
    }

    /// Count one API call of a user and refuse it past the per-minute limit.
    /// A database error here lets the call through (and is logged): the limit
    /// protects the service, it must not become a way for it to fail.
    pub async fn api_call(&self, user_id: i64) -> Result<()> {
        let limit: Limit = self.api_rate;
        if limit.max <= 0 {
            return Ok(());
        }
        let now = self.now();
        match store::hit(&self.db, &format!("api.u:{user_id}"), limit.window(now), 1).await {
            Ok(n) if limit.allows(n) => Ok(()),
            Ok(_) => Err(Error::Throttled(limit.retry_after(now))),
            Err(e) => {
                tracing::warn!(error = %e, "API rate counter unavailable; call let through");
                Ok(())
            }
        }
    }

    /// Delete the counters of windows that ended more than a day ago.
    pub async fn purge_throttle(&self) -> Result<u64> {
        let before = self.now().unix_timestamp() - 2 * 24 * 3600;
        Ok(store::purge(&self.db, before).await?)
    }
}
