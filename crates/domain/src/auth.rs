//! Authentication rules: password policy and session expiry (login
//! throttling is in `throttle`).
//! Time is always a parameter.

use time::{Duration, OffsetDateTime};

/// Server-side sessions end after an idle period or an absolute lifetime.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
    /// `last_seen` is written at most this often, to spare the database.
    pub touch_every: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle: Duration::minutes(30), absolute: Duration::hours(12), touch_every: Duration::seconds(60) }
    }
}

impl SessionPolicy {
    pub fn is_live(&self, created: OffsetDateTime, last_seen: OffsetDateTime, now: OffsetDateTime) -> bool {
        now < last_seen + self.idle && now < created + self.absolute
    }

    pub fn needs_touch(&self, last_seen: OffsetDateTime, now: OffsetDateTime) -> bool {
        now - last_seen >= self.touch_every
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("用户名应为 3–32 位字母、数字、下划线、点或短横线")]
    BadUsername,
    #[error("密码至少 10 位，且须同时包含字母和数字")]
    WeakPassword,
    #[error("密码不能包含用户名")]
    PasswordContainsUsername,
    #[error("密码过长（最多 128 位）")]
    PasswordTooLong,
}

pub fn check_username(u: &str) -> Result<(), CredentialError> {
    let ok_len = (3..=32).contains(&u.chars().count());
    let ok_chars = u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok_len && ok_chars { Ok(()) } else { Err(CredentialError::BadUsername) }
}

pub fn check_password(username: &str, pw: &str) -> Result<(), CredentialError> {
    let n = pw.chars().count();
    if n > 128 {
        return Err(CredentialError::PasswordTooLong);
    }
    let letters = pw.chars().any(|c| c.is_alphabetic());
    let digits = pw.chars().any(|c| c.is_ascii_digit());
    if n < 10 || !letters || !digits {
        return Err(CredentialError::WeakPassword);
    }
    if !username.is_empty() && pw.to_lowercase().contains(&username.to_lowercase()) {
        return Err(CredentialError::PasswordContainsUsername);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn session_idle_and_absolute_expiry() {
        let p = SessionPolicy::default();
        let t0 = datetime!(2026-01-01 08:00 UTC);
        assert!(p.is_live(t0, t0, t0 + Duration::minutes(29)));
        assert!(!p.is_live(t0, t0, t0 + Duration::minutes(30)));
        // kept alive by activity, but not past the absolute lifetime
        assert!(p.is_live(t0, t0 + Duration::hours(11), t0 + Duration::hours(11) + Duration::minutes(10)));
        assert!(!p.is_live(t0, t0 + Duration::hours(12), t0 + Duration::hours(12) + Duration::minutes(1)));
    }

    #[test]
    fn password_rules() {
        assert!(check_password("clerk", "abc123").is_err());
        assert!(check_password("clerk", "abcdefghijk").is_err());
        assert!(check_password("clerk", "clerk123456").is_err());
        assert!(check_password("clerk", "Hl-2026-river").is_ok());
        assert!(check_username("zhang.san").is_ok());
        assert!(check_username("张三").is_err());
        assert!(check_username("ab").is_err());
    }
}
