//! Random secrets and password hashing.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;
use rand::RngCore;
use sha2::{Digest, Sha256};

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

use crate::{Error, Result};

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// SHA-256 of a token, as stored in the database.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A generated password: 16 characters, letters and digits without look-alikes,
/// always with both letters and digits.
pub fn generate_password() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::rng();
    loop {
        let pw: String = (0..16)
            .map(|i| {
                let set = if i % 4 == 3 { DIGITS } else { LETTERS };
                set[rng.random_range(0..set.len())] as char
            })
            .collect();
        if pw.chars().any(|c| c.is_ascii_digit()) {
            return pw;
        }
    }
}

/// Argon2id hash (PHC string). CPU-heavy: called from `spawn_blocking`.
pub fn hash_password(pw: &str) -> Result<String> {
    Argon2::default().hash_password(pw.as_bytes()).map(|h| h.to_string()).map_err(Error::internal)
}

pub fn verify_password(pw: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(pw.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Argon2 takes about 19 MiB and a core for a moment. At most one hash per
/// core runs at a time; the others wait here (holding no memory), and a wait
/// longer than `HASH_WAIT` is answered "too many requests" instead of
/// piling up. Each server bounds its own memory: this is not shared state.
fn hashing() -> &'static Arc<Semaphore> {
    static S: OnceLock<Arc<Semaphore>> = OnceLock::new();
    S.get_or_init(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2))))
}

/// How long a password check may wait for a free core.
pub const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn on_hashing_core<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let permit = match tokio::time::timeout(HASH_WAIT, hashing().clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return Err(Error::internal(e)),
        Err(_) => {
            tracing::warn!("password hashing busy: request refused");
            return Err(Error::Throttled(5));
        }
    };
    tokio::task::spawn_blocking(move || {
        let out = f();
        drop(permit);
        out
    })
    .await
    .map_err(Error::internal)
}

pub async fn hash_password_async(pw: String) -> Result<String> {
    on_hashing_core(move || hash_password(&pw)).await?
}

pub async fn verify_password_async(pw: String, phc: String) -> Result<bool> {
    on_hashing_core(move || verify_password(&pw, &phc)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password("Correct-horse-42").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Correct-horse-42", &h));
        assert!(!verify_password("correct-horse-42", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn generated_passwords_pass_policy() {
        for _ in 0..50 {
            let p = generate_password();
            assert!(hongling_domain::auth::check_password("someone", &p).is_ok(), "{p}");
        }
        assert_ne!(random_token(), random_token());
        assert_eq!(token_hash("a").len(), 64);
    }
}
