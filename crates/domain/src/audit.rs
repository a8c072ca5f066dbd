//! The tamper-evident audit chain: each entry's hash is SM3 over the previous
//! hash and every column of the entry, so editing or deleting a past row breaks
//! every hash after it, and the chain's head (its last sequence number and
//! hash, kept in `audit_head` and exported as a dated digest) shows when the
//! newest entries were deleted.
//!
//! Version 1 (entries written before issue 10) left out the summary and the
//! actor's user id; those entries keep their version-1 hashes (re-hashing them
//! would launder any change made to them), and every entry written since is
//! version 2. A version-1 entry after a version-2 one is itself a break.

use sm3::{Digest as _, Sm3};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash version of new entries.
pub const HASH_VERSION: i16 = 2;

/// The fields of an audit entry that the chain covers (version 2: every column).
#[derive(Debug, Clone)]
pub struct EntryFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor_user_id: Option<i64>,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub region_code: &'a str,
    pub summary: &'a str,
    pub before: &'a str,
    pub after: &'a str,
}

fn sm3_of(parts: &[&str]) -> String {
    let mut h = Sm3::new();
    for part in parts {
        // length-prefix every field so that no two entries share a text
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The hash of a new entry (version 2): the previous hash, the version and every column.
pub fn chain_hash(prev_hex: &str, e: &EntryFields<'_>) -> String {
    let user = e.actor_user_id.map(|u| u.to_string()).unwrap_or_default();
    sm3_of(&[
        prev_hex,
        "v2",
        &e.seq.to_string(),
        e.at,
        &user,
        e.actor,
        e.action,
        e.entity_type,
        e.entity_id,
        e.region_code,
        e.summary,
        e.before,
        e.after,
    ])
}

/// The hash of a version-1 entry (without the summary and the actor's user id).
pub fn chain_hash_v1(prev_hex: &str, e: &EntryFields<'_>) -> String {
    sm3_of(&[
        prev_hex,
        &e.seq.to_string(),
        e.at,
        e.actor,
        e.action,
        e.entity_type,
        e.entity_id,
        e.region_code,
        e.before,
        e.after,
    ])
}

/// The hash an entry of `version` should have, or `None` for an unknown version.
pub fn entry_hash(version: i16, prev_hex: &str, e: &EntryFields<'_>) -> Option<String> {
    match version {
        1 => Some(chain_hash_v1(prev_hex, e)),
        2 => Some(chain_hash(prev_hex, e)),
        _ => None,
    }
}

/// A dated statement of the chain's head, to keep outside the system
/// (`hongling audit digest`): a later `audit verify --digest` proves that
/// nothing up to that entry changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub seq: i64,
    pub hash: String,
}

impl Digest {
    /// One line: `hongling-audit-digest seq=… sm3=…`.
    pub fn line(&self) -> String {
        format!("hongling-audit-digest seq={} sm3={}", self.seq, self.hash)
    }

    /// Read a line written by `line` (surrounding text and a date are ignored).
    pub fn parse(text: &str) -> Option<Digest> {
        let mut seq = None;
        let mut hash = None;
        for word in text.split_whitespace() {
            if let Some(v) = word.strip_prefix("seq=") {
                seq = v.parse::<i64>().ok();
            } else if let Some(v) = word.strip_prefix("sm3=")
                && v.len() == 64
                && v.bytes().all(|b| b.is_ascii_hexdigit())
            {
                hash = Some(v.to_ascii_lowercase());
            }
        }
        Some(Digest { seq: seq?, hash: hash? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_standard_vector() {
        // GB/T 32905-2016 example 1: "abc"
        let d = <Sm3 as sm3::Digest>::digest(b"abc");
        assert_eq!(hex::encode(d), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    #[test]
    fn chain_detects_any_change() {
        let e = EntryFields {
            seq: 1,
            at: "2026-01-01 00:00:00",
            actor_user_id: Some(1),
            actor: "admin",
            action: "user.create",
            entity_type: "user",
            entity_id: "2",
            region_code: "3705",
            summary: "创建用户 clerk",
            before: "",
            after: "{}",
        };
        let h1 = chain_hash(GENESIS, &e);
        assert_eq!(h1.len(), 64);
        let changed = EntryFields { after: "{ }", ..e.clone() };
        assert_ne!(h1, chain_hash(GENESIS, &changed));
        assert_ne!(h1, chain_hash(&h1, &e));
        // field boundaries matter
        let shifted = EntryFields { actor: "admi", action: "nuser.create", ..e.clone() };
        assert_ne!(h1, chain_hash(GENESIS, &shifted));
        // version 2 covers every column, version 1 did not cover these
        for changed in [
            EntryFields { summary: "创建用户 clerk2", ..e.clone() },
            EntryFields { actor_user_id: Some(2), ..e.clone() },
            EntryFields { actor_user_id: None, ..e.clone() },
        ] {
            assert_ne!(h1, chain_hash(GENESIS, &changed));
            assert_eq!(chain_hash_v1(GENESIS, &e), chain_hash_v1(GENESIS, &changed));
        }
        assert_eq!(entry_hash(2, GENESIS, &e), Some(h1));
        assert_eq!(entry_hash(3, GENESIS, &e), None);
    }

    #[test]
    fn digests_read_back() {
        let d = Digest { seq: 42, hash: "ab".repeat(32) };
        assert_eq!(Digest::parse(&format!("2026-12-01 08:00 {}\n", d.line())), Some(d));
        assert_eq!(Digest::parse("seq=1 sm3=xyz"), None);
        assert_eq!(Digest::parse("sm3=00"), None);
    }
}
