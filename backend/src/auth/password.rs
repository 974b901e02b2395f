//! Password hashing with argon2id, off the async threads.

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use password_hash::SaltString;
use password_hash::rand_core::OsRng;

/// Checked against when the email is unknown, so both cases take as long.
static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_blocking("not a real password").ok());

fn hash_blocking(password: &str) -> Result<String, password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes a password (argon2id, default parameters, random salt).
pub async fn hash(password: String) -> anyhow::Result<String> {
    Ok(tokio::task::spawn_blocking(move || hash_blocking(&password)).await??)
}

/// Whether `password` matches `hash`; with no hash (unknown account) it still
/// does the work, then says no.
pub async fn verify(password: String, hash: Option<String>) -> anyhow::Result<bool> {
    // An invited account has no password yet (""): as much work as any other.
    let hash = hash.filter(|h| !h.is_empty());
    Ok(tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_blocking(&password, &hash),
        None => {
            if let Some(dummy) = DUMMY_HASH.as_deref() {
                verify_blocking(&password, dummy);
            }
            false
        }
    })
    .await?)
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let hash = super::hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            super::verify("correct horse".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!super::verify("wrong".into(), Some(hash)).await.unwrap());
        assert!(!super::verify("correct horse".into(), None).await.unwrap());
    }
}
