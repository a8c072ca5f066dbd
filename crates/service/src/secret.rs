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

/// Argon2 takes about 19 MiB and a core for a moment. Hashes run on a few
/// threads of their own, one per core: at most that many at a time, and the
/// memory each thread's allocator keeps after a hash is reused by its next
/// one (on tokio's blocking pool every new thread kept its own 19 MiB, and a
/// flood of logins grew the server by gigabytes). Requests wait for a free
/// thread holding no memory; a wait longer than `HASH_WAIT` is answered "too
/// many requests" instead of piling up. Each server bounds its own memory:
/// this is not shared state.
struct HashPool {
    slots: Arc<Semaphore>,
    jobs: std::sync::mpsc::SyncSender<Box<dyn FnOnce() + Send>>,
}

fn hash_pool() -> &'static HashPool {
    static P: OnceLock<HashPool> = OnceLock::new();
    P.get_or_init(|| {
        let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let (tx, rx) = std::sync::mpsc::sync_channel::<Box<dyn FnOnce() + Send>>(n);
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("hongling-hash-{i}")).spawn(move || {
                loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(f) => f(),
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password-hashing thread");
            }
        }
        HashPool { slots: Arc::new(Semaphore::new(n)), jobs: tx }
    })
}

/// How long a password check may wait for a free hashing thread.
pub const HASH_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn on_hashing_core<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    let pool = hash_pool();
    let permit = match tokio::time::timeout(HASH_WAIT, pool.slots.clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return Err(Error::internal(e)),
        Err(_) => {
            tracing::warn!("password hashing busy: request refused");
            return Err(Error::Throttled(5));
        }
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Box<dyn FnOnce() + Send> = Box::new(move || {
        let out = f();
        drop(permit);
        let _ = tx.send(out);
    });
    // never blocks: a permit guarantees room in the channel
    pool.jobs.try_send(job).map_err(|_| Error::internal("password-hashing threads unavailable"))?;
    rx.await.map_err(|_| Error::internal("password hashing was interrupted"))
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
            assert!(hongling_domain::auth::check_password("someone", "", &p).is_ok(), "{p}");
        }
        assert_ne!(random_token(), random_token());
        assert_eq!(token_hash("a").len(), 64);
    }
}
