//! Secrets and names: passwords hashed with Argon2id, bearer tokens that are
//! random and stored only as SHA-256 digests, and handle rules.
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::AppError;

pub const MIN_PASSWORD: usize = 10;
/// Argon2 reads all of it: a bound keeps one request from costing much.
pub const MAX_PASSWORD: usize = 256;

/// Checks a handle and gives its case-folded key: 3 to 30 letters, digits,
/// `_`, `-` or `.`, starting with a letter or digit.
pub fn handle_key(handle: &str) -> Result<String, AppError> {
    let ok = (3..=30).contains(&handle.chars().count())
        && handle.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && handle.starts_with(|c: char| c.is_ascii_alphanumeric());
    if !ok {
        return Err(AppError::bad_input(format!(
            "handle {handle:?} is not valid: use 3 to 30 letters, digits, '_', '-' or '.', starting with a letter or digit"
        )));
    }
    Ok(handle.to_ascii_lowercase())
}

pub fn check_password(password: &str) -> Result<(), AppError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD || password.len() > MAX_PASSWORD {
        return Err(AppError::bad_input(format!("the password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")));
    }
    Ok(())
}

/// Argon2id with the crate's recommended parameters, off the async threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let mut bytes = [0u8; 16];
        rand::fill(&mut bytes);
        let salt = SaltString::encode_b64(&bytes)?;
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(format!("password hashing task: {e}")))?
    .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A new bearer token: `sg_` and 32 random bytes.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("sg_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What is stored of a token.
pub fn token_digest(token: &str) -> String {
    sha256_hex(token)
}

/// Lower-case hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The token of an `Authorization: Bearer …` header value.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles() {
        assert_eq!(handle_key("Ada_Lovelace").unwrap(), "ada_lovelace");
        assert_eq!(handle_key("aproca.bsky").unwrap(), "aproca.bsky");
        for bad in ["ab", "-ada", "ada lovelace", "ädä", &"a".repeat(31), "ada;drop"] {
            assert_eq!(handle_key(bad).unwrap_err().code(), "BAD_USER_INPUT", "{bad}");
        }
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with("sg_") && a.len() > 40);
        assert_eq!(token_digest(&a).len(), 64);
        assert!(!token_digest(&a).contains(&a[3..]));
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
    }

    #[tokio::test]
    async fn passwords() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("correct horse"));
        assert!(verify_password("correct horse battery".into(), hash.clone()).await);
        assert!(!verify_password("wrong horse battery".into(), hash).await);
        assert!(check_password("short").is_err());
        assert!(check_password(&"x".repeat(257)).is_err());
    }
}
