//! Authentication rules: password policy and session expiry (login
//! throttling is in `throttle`).
//! Time is always a parameter.

use time::{Duration, OffsetDateTime};

use crate::enums::labelled_enum;

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

/// API tokens live a limited time: `default_days` unless asked otherwise,
/// at most `max_days`.
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    pub default_days: i64,
    pub max_days: i64,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self { default_days: 365, max_days: 3 * 365 }
    }
}

labelled_enum! {
    /// A token's state (状态).
    TokenStatus {
        Active = "active", "有效";
        Expired = "expired", "已过期";
        Revoked = "revoked", "已撤销";
    }
}

impl TokenPolicy {
    /// The lifetime asked for, checked: `None` is the default.
    pub fn days(&self, asked: Option<i64>) -> Result<i64, String> {
        match asked {
            None => Ok(self.default_days),
            Some(d) if (1..=self.max_days).contains(&d) => Ok(d),
            Some(_) => Err(format!("有效期应为 1 到 {} 天", self.max_days)),
        }
    }

    /// When a token expires (tokens made before expiry existed: a year after they were made).
    pub fn expires(&self, created: OffsetDateTime, expires_at: Option<OffsetDateTime>) -> OffsetDateTime {
        expires_at.unwrap_or(created + Duration::days(self.default_days))
    }

    pub fn status(
        &self,
        created: OffsetDateTime,
        expires_at: Option<OffsetDateTime>,
        revoked: bool,
        now: OffsetDateTime,
    ) -> TokenStatus {
        if revoked {
            TokenStatus::Revoked
        } else if now >= self.expires(created, expires_at) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
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
    #[error("密码过于常见（如 password123、1qaz2wsx3edc），容易被猜中，请换一个")]
    CommonPassword,
    #[error("密码不能包含姓名")]
    PasswordContainsName,
}

/// The letters of passwords that lists of leaked passwords are full of:
/// a password whose letters are one of these and whose other characters are
/// only digits and punctuation (`password123`, `Admin@2026`, `1qaz2wsx3edc`,
/// `woaini1314`) is refused.
const COMMON_WORDS: &[&str] = &[
    "a",
    "aa",
    "aaa",
    "ab",
    "abc",
    "abcd",
    "abcde",
    "abcdef",
    "abcdefg",
    "admin",
    "administrator",
    "aini",
    "asd",
    "asdf",
    "asdfg",
    "asdfgh",
    "asdfghjkl",
    "baseball",
    "beijing",
    "changeme",
    "china",
    "dongying",
    "dragon",
    "football",
    "guest",
    "hello",
    "hl",
    "hongling",
    "iloveyou",
    "letmein",
    "li",
    "liwei",
    "login",
    "love",
    "master",
    "monkey",
    "p",
    "pass",
    "passw",
    "passwd",
    "password",
    "passwrd",
    "princess",
    "psswrd",
    "pw",
    "pwd",
    "q",
    "qaz",
    "qazwsx",
    "qazwsxedc",
    "qq",
    "qw",
    "qwe",
    "qweasd",
    "qweasdzxc",
    "qwer",
    "qwert",
    "qwerty",
    "qwertyu",
    "qwertyuiop",
    "root",
    "secret",
    "shandong",
    "sunshine",
    "superman",
    "sys",
    "system",
    "test",
    "trustno",
    "user",
    "w",
    "wang",
    "wangwei",
    "welcome",
    "whatever",
    "wo",
    "woaini",
    "x",
    "xx",
    "z",
    "zaq",
    "zaqwsx",
    "zaqxsw",
    "zhang",
    "zhangwei",
    "zxc",
    "zxcv",
    "zxcvb",
    "zxcvbn",
    "zxcvbnm",
];

/// Is this a password every guessing list starts with?
pub fn is_common_password(pw: &str) -> bool {
    let letters: String = pw.chars().filter(|c| c.is_alphabetic()).collect::<String>().to_lowercase();
    let rest_is_simple =
        pw.chars().filter(|c| !c.is_alphabetic()).all(|c| c.is_ascii_digit() || c.is_ascii_punctuation());
    let digits: String = pw.chars().filter(char::is_ascii_digit).collect();
    // digits in a run (123456, 1111, 2468…) add nothing either
    rest_is_simple && COMMON_WORDS.contains(&letters.as_str()) || letters.chars().count() <= 1 && !digits.is_empty()
}

pub fn check_username(u: &str) -> Result<(), CredentialError> {
    let ok_len = (3..=32).contains(&u.chars().count());
    let ok_chars = u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok_len && ok_chars { Ok(()) } else { Err(CredentialError::BadUsername) }
}

/// The rules of a new password: 10 to 128 characters with letters and
/// digits, not a common password, and without the username or the person's
/// name (`display_name`).
pub fn check_password(username: &str, display_name: &str, pw: &str) -> Result<(), CredentialError> {
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
    let name = display_name.trim().to_lowercase();
    if name.chars().count() >= 2 && pw.to_lowercase().contains(&name) {
        return Err(CredentialError::PasswordContainsName);
    }
    if is_common_password(pw) {
        return Err(CredentialError::CommonPassword);
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
    fn tokens_expire() {
        let p = TokenPolicy::default();
        let t0 = datetime!(2026-01-01 08:00 UTC);
        assert_eq!(p.days(None), Ok(365));
        assert_eq!(p.days(Some(30)), Ok(30));
        assert!(p.days(Some(0)).is_err() && p.days(Some(5000)).is_err() && p.days(Some(-1)).is_err());
        let exp = Some(t0 + Duration::days(30));
        assert_eq!(p.status(t0, exp, false, t0 + Duration::days(29)), TokenStatus::Active);
        assert_eq!(p.status(t0, exp, false, t0 + Duration::days(30)), TokenStatus::Expired);
        assert_eq!(p.status(t0, exp, true, t0), TokenStatus::Revoked);
        assert_eq!(p.status(t0, None, false, t0 + Duration::days(366)), TokenStatus::Expired, "legacy tokens: a year");
    }

    #[test]
    fn password_rules() {
        assert!(check_password("clerk", "", "abc123").is_err());
        assert!(check_password("clerk", "", "abcdefghijk").is_err());
        assert_eq!(check_password("clerk", "", "clerk123456"), Err(CredentialError::PasswordContainsUsername));
        assert!(check_password("clerk", "", "Hl-2026-river").is_ok());
        // issue 10: common passwords and the person's own name
        for pw in [
            "password123",
            "Password1234",
            "P@ssw0rd2026",
            "1qaz2wsx3edc",
            "qwerty123456",
            "woaini1314520",
            "Admin@123456",
            "a1234567890",
            "Hongling2026!",
        ] {
            assert_eq!(check_password("clerk", "", pw), Err(CredentialError::CommonPassword), "{pw}");
        }
        assert_eq!(check_password("clerk", "张伟", "张伟1985abcde"), Err(CredentialError::PasswordContainsName));
        assert!(check_password("clerk", "张伟", "river-2026-Tide").is_ok());
        assert!(check_username("zhang.san").is_ok());
        assert!(check_username("张三").is_err());
        assert!(check_username("ab").is_err());
    }
}
