//! Secrets the database keeps sealed with the server's key: the second factor's shared
//! secrets (RFC 6238 needs the secret itself, so it cannot be hashed like a password). A copy of
//! the database or a backup alone does not give them away; the key lives outside it
//! (`secrets_key`, or `<data_dir>/secrets.key`).
//!
//! XChaCha20-Poly1305 with a random 24-byte nonce; the associated data binds a sealed value to
//! what it belongs to (the account), so a value copied to another row does not open. Stored as
//! `v1:` and the base64 of nonce and ciphertext. A value without the prefix, written before
//! secrets were sealed, is read as it is and sealed when next written.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

use crate::AppError;

const PREFIX: &str = "v1:";
const NONCE_BYTES: usize = 24;

/// The server's 32-byte key for sealed secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretsKey([u8; 32]);

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(***)")
    }
}

impl Default for SecretsKey {
    /// A new random key: for tests and embedding only (the binary always configures one, or
    /// keeps one in its data directory), since what it seals does not open after a restart.
    fn default() -> Self {
        SecretsKey::random()
    }
}

impl SecretsKey {
    pub fn random() -> SecretsKey {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        SecretsKey(key)
    }

    /// From configuration: the base64 of 32 bytes.
    pub fn parse(text: &str) -> Result<SecretsKey, String> {
        let bytes = B64
            .decode(text.trim())
            .map_err(|_| "secrets_key is not base64".to_string())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "secrets_key must be 32 bytes (44 characters of base64)".to_string())?;
        Ok(SecretsKey(key))
    }

    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// Seals `plain` for `aad` (what it belongs to).
    pub fn seal(&self, aad: &[u8], plain: &str) -> String {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad,
                },
            )
            .expect("XChaCha20-Poly1305 seals any message");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{PREFIX}{}", B64.encode(out))
    }

    /// Opens a value [`SecretsKey::seal`] made for `aad`; a value from before sealing is
    /// answered as it is. Another key, another `aad` or a changed value: an error.
    pub fn open(&self, aad: &[u8], stored: &str) -> Result<String, AppError> {
        let Some(text) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let broken = || {
            AppError::Internal(
                "a sealed secret does not open with this server's key (secrets_key)".into(),
            )
        };
        let bytes = B64.decode(text).map_err(|_| broken())?;
        if bytes.len() < NONCE_BYTES {
            return Err(broken());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher()
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map_err(|_| broken())?;
        String::from_utf8(plain).map_err(|_| broken())
    }

    /// Whether `stored` is sealed (not a value from before sealing).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_owner() {
        let key = SecretsKey::random();
        let sealed = key.seal(b"user-1", "JBSWY3DPEHPK3PXP");
        assert!(SecretsKey::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(key.open(b"user-1", &sealed).unwrap(), "JBSWY3DPEHPK3PXP");
        // Each seal has its own nonce.
        assert_ne!(sealed, key.seal(b"user-1", "JBSWY3DPEHPK3PXP"));
        // Another owner, another key, a changed value: refused.
        assert!(key.open(b"user-2", &sealed).is_err());
        assert!(SecretsKey::random().open(b"user-1", &sealed).is_err());
        let mut bytes = B64.decode(&sealed[PREFIX.len()..]).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        let tampered = format!("{PREFIX}{}", B64.encode(bytes));
        assert!(key.open(b"user-1", &tampered).is_err());
        assert!(key.open(b"user-1", "v1:###").is_err());
        // A value from before sealing reads as it is.
        assert_eq!(
            key.open(b"user-1", "JBSWY3DPEHPK3PXP").unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
    }

    #[test]
    fn keys_are_read_from_base64_of_32_bytes() {
        let key = SecretsKey::random();
        assert_eq!(SecretsKey::parse(&key.to_base64()).unwrap(), key);
        assert!(SecretsKey::parse("ngắn").is_err());
        assert!(SecretsKey::parse(&B64.encode([7u8; 16])).is_err());
        assert_eq!(format!("{key:?}"), "SecretsKey(***)");
    }
}
