//! Throttling rules: how many attempts a client may make in a window, and
//! what a login attempt is refused for. Counting happens in the database (so
//! several servers share the counters); the decisions are here, with the time
//! passed in.
//!
//! Login follows the OWASP Authentication Cheat Sheet: failures slow down and
//! refuse the *client address* that makes them, never lock the account for
//! everyone. A username that many addresses guess at is protected too, but an
//! address that has not failed on it in the window still gets its attempt, so
//! nobody can keep another person out of their account.

use time::OffsetDateTime;

/// At most `max` hits per fixed window of `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

impl Limit {
    pub const fn new(max: i64, window_secs: i64) -> Self {
        Self { max, window_secs }
    }

    /// The window `now` falls in, as the Unix second it starts at.
    pub fn window(&self, now: OffsetDateTime) -> i64 {
        let t = now.unix_timestamp();
        t - t.rem_euclid(self.window_secs.max(1))
    }

    /// Seconds until the window of `now` ends (at least 1).
    pub fn retry_after(&self, now: OffsetDateTime) -> i64 {
        (self.window(now) + self.window_secs.max(1) - now.unix_timestamp()).max(1)
    }

    /// Is a count of `hits` (this one included) still within the limit?
    pub fn allows(&self, hits: i64) -> bool {
        self.max <= 0 || hits <= self.max
    }

    /// Has a count of `hits` already used the whole limit?
    pub fn exhausted(&self, hits: i64) -> bool {
        self.max > 0 && hits >= self.max
    }
}

/// The counters of a login: each is a database bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginCounter {
    /// every attempt from one client address (a flood)
    Attempts,
    /// failures from one client address, whatever the username
    AddressFailures,
    /// failures on one username from one client address (a guesser)
    PairFailures,
    /// failures on one username from every address (distributed guessing)
    UserFailures,
}

impl LoginCounter {
    /// Short prefix of the bucket name. `UserFailures` and `PairFailures` begin
    /// with the username's key so that an unlock can clear both.
    pub fn prefix(self) -> &'static str {
        match self {
            LoginCounter::Attempts => "login.a",
            LoginCounter::AddressFailures => "login.fa",
            LoginCounter::PairFailures => "login.fu",
            LoginCounter::UserFailures => "login.fu",
        }
    }
}

/// The login throttle's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// attempts per client address (a whole office behind one NAT address
    /// logging in at 8:30 stays well below it)
    pub attempts: Limit,
    pub address_failures: Limit,
    pub pair_failures: Limit,
    pub user_failures: Limit,
    /// extra wait before answering a failure, per earlier failure of the same
    /// username from the same address, in milliseconds (capped at 4 steps)
    pub delay_step_ms: u64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            attempts: Limit::new(30, 60),
            address_failures: Limit::new(50, 15 * 60),
            pair_failures: Limit::new(5, 15 * 60),
            user_failures: Limit::new(50, 60 * 60),
            delay_step_ms: 250,
        }
    }
}

/// What the counters of one attempt held before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginCounts {
    /// attempts from the address in the current window, this one included
    pub attempts: i64,
    pub address_failures: i64,
    pub pair_failures: i64,
    pub user_failures: i64,
}

/// May the attempt go on to the password check?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginVerdict {
    Check,
    /// Refused before the password is looked at; retry after this many seconds.
    Refuse {
        counter: LoginCounter,
        retry_after: i64,
    },
}

impl LoginThrottle {
    pub fn limit(&self, c: LoginCounter) -> Limit {
        match c {
            LoginCounter::Attempts => self.attempts,
            LoginCounter::AddressFailures => self.address_failures,
            LoginCounter::PairFailures => self.pair_failures,
            LoginCounter::UserFailures => self.user_failures,
        }
    }

    /// The verdict on an attempt, from the counters before its password is checked.
    /// The username-wide counter refuses only addresses that have themselves
    /// failed on that username in the window: the account's owner, from an
    /// address of their own, still gets in.
    pub fn verdict(&self, c: &LoginCounts, now: OffsetDateTime) -> LoginVerdict {
        let refuse =
            |counter: LoginCounter| LoginVerdict::Refuse { counter, retry_after: self.limit(counter).retry_after(now) };
        if !self.attempts.allows(c.attempts) {
            return refuse(LoginCounter::Attempts);
        }
        if self.address_failures.exhausted(c.address_failures) {
            return refuse(LoginCounter::AddressFailures);
        }
        if self.pair_failures.exhausted(c.pair_failures) {
            return refuse(LoginCounter::PairFailures);
        }
        if self.user_failures.exhausted(c.user_failures) && c.pair_failures > 0 {
            return refuse(LoginCounter::UserFailures);
        }
        LoginVerdict::Check
    }

    /// How long to wait before answering a failure, given the failures of the
    /// same username from the same address before it.
    pub fn failure_delay_ms(&self, pair_failures_before: i64) -> u64 {
        self.delay_step_ms.saturating_mul(pair_failures_before.clamp(0, 4) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-01 08:30:17 UTC);

    #[test]
    fn windows_are_fixed_and_retry_points_at_their_end() {
        let l = Limit::new(3, 60);
        assert_eq!(l.window(NOW) % 60, 0);
        assert_eq!(l.retry_after(NOW), 60 - 17);
        assert!(l.allows(3) && !l.allows(4));
        assert!(!l.exhausted(2) && l.exhausted(3));
        assert!(Limit::new(0, 60).allows(1_000_000), "0 means unlimited");
    }

    #[test]
    fn a_guesser_is_refused_after_five_failures_on_a_username() {
        let t = LoginThrottle::default();
        let mut c = LoginCounts { attempts: 1, ..Default::default() };
        for _ in 0..5 {
            assert_eq!(t.verdict(&c, NOW), LoginVerdict::Check);
            c.pair_failures += 1;
        }
        assert!(matches!(t.verdict(&c, NOW), LoginVerdict::Refuse { counter: LoginCounter::PairFailures, .. }));
    }

    #[test]
    fn the_owner_from_a_clean_address_is_never_kept_out() {
        let t = LoginThrottle::default();
        let c = LoginCounts { attempts: 1, address_failures: 0, pair_failures: 0, user_failures: 10_000 };
        assert_eq!(t.verdict(&c, NOW), LoginVerdict::Check);
        let c = LoginCounts { pair_failures: 1, ..c };
        assert!(matches!(t.verdict(&c, NOW), LoginVerdict::Refuse { counter: LoginCounter::UserFailures, .. }));
    }

    #[test]
    fn a_flood_from_one_address_is_refused() {
        let t = LoginThrottle::default();
        let c = LoginCounts { attempts: 31, ..Default::default() };
        assert!(matches!(
            t.verdict(&c, NOW),
            LoginVerdict::Refuse { counter: LoginCounter::Attempts, retry_after: 43 }
        ));
    }

    #[test]
    fn failures_slow_down_up_to_a_cap() {
        let t = LoginThrottle::default();
        assert_eq!(t.failure_delay_ms(0), 0);
        assert_eq!(t.failure_delay_ms(2), 500);
        assert_eq!(t.failure_delay_ms(99), 1000);
    }

    proptest! {
        #[test]
        fn retry_after_is_within_the_window(secs in 0i64..4_000_000_000, w in 1i64..100_000) {
            let now = OffsetDateTime::from_unix_timestamp(secs).expect("in range");
            let l = Limit::new(1, w);
            let r = l.retry_after(now);
            prop_assert!(r >= 1 && r <= w);
            prop_assert!(l.window(now) <= secs && secs < l.window(now) + w);
        }

        #[test]
        fn counts_under_every_limit_are_checked(a in 0i64..=30, fa in 0i64..50, p in 0i64..5, u in 0i64..50) {
            let t = LoginThrottle::default();
            let c = LoginCounts { attempts: a, address_failures: fa, pair_failures: p, user_failures: u };
            prop_assert_eq!(t.verdict(&c, NOW), LoginVerdict::Check);
        }
    }
}
