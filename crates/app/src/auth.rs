//! Authentication (passwords, sessions, bearer tokens, login rate limit) and the one
//! authorisation gate, [`require`], which asks the domain rule `Principal::may`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use chrono::{Duration as ChronoDuration, Utc};
use motcua_domain::auth::{Action, Principal, Scope};
use motcua_store::{DbError, NewSession, SessionKind, User};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, InvalidKind};
use crate::state::App;

/// Hashes a password with argon2id (default parameters: 19 MiB, 2 passes), off the async
/// threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies a password; with `None` (unknown user) it still spends the same time.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let h = hash.unwrap_or_else(|| {
            DUMMY
                .get_or_init(|| {
                    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
                    Argon2::default()
                        .hash_password(b"not a password", &salt)
                        .map(|h| h.to_string())
                        .unwrap_or_default()
                })
                .clone()
        });
        let ok = PasswordHash::new(&h)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// Checks the password rules for new accounts.
pub fn check_password_strength(password: &str) -> Result<(), AppError> {
    if password.chars().count() < 8 {
        return Err(AppError::invalid(
            "weak_password",
            "Mật khẩu phải có ít nhất 8 ký tự.",
        ));
    }
    Ok(())
}

/// A new random secret (256 bits, base64url) and the hex SHA-256 stored in its place.
pub fn new_secret(prefix: &str) -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = hash_secret(&secret);
    (secret, hash)
}

pub fn hash_secret(secret: &str) -> String {
    motcua_store::hex(&Sha256::digest(secret.as_bytes()))
}

/// The CSRF token of a browser session: HMAC-SHA256 keyed by the session's secret (the
/// `HttpOnly` cookie), so it is bound to the session, changes at every sign-in, and needs no
/// server-side state shared between processes.
pub fn csrf_token(session_secret: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(session_secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(b"motcua csrf v1");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Opens a session for `user` and returns the secret to hand to the client.
pub async fn open_session(
    state: &App,
    user: &User,
    kind: SessionKind,
) -> Result<(String, chrono::DateTime<Utc>), AppError> {
    let (secret, token_hash) = new_secret(if kind == SessionKind::Api { "mc_" } else { "" });
    let now = Utc::now();
    let ttl = match kind {
        SessionKind::Api => state.config.token_ttl_hours,
        SessionKind::Browser => state.config.session_ttl_hours,
    };
    let expires_at = now + ChronoDuration::hours(ttl as i64);
    state
        .store
        .create_session(&NewSession {
            token_hash,
            user_id: user.id,
            kind,
            created_at: now,
            expires_at,
        })
        .await?;
    Ok((secret, expires_at))
}

impl App {
    /// Ends a session (or revokes an API token) by its token's hash.
    pub async fn sign_out(&self, token_hash: &str) -> Result<(), AppError> {
        self.store.delete_session(token_hash).await?;
        self.changed(crate::changes::Changed::SignedOut(token_hash.to_string()))
            .await;
        Ok(())
    }

    /// Counts one more attempt to prove being a dossier's applicant in the minute `window`;
    /// answers the attempts of that minute so far.
    pub async fn proof_attempts(&self, dossier: Uuid, window: i64) -> Result<i64, AppError> {
        Ok(self
            .store
            .hit_rate_window(&format!("proof:{dossier}"), window)
            .await?)
    }

    /// The user and kind of the session of a token's hash (`None`: no such live session).
    pub async fn session_of(
        &self,
        token_hash: &str,
    ) -> Result<Option<std::sync::Arc<(User, SessionKind)>>, AppError> {
        Ok(self
            .lookups
            .session(self.store.as_ref(), token_hash)
            .await?)
    }
}

/// The authenticated caller, from a bearer token or the session cookie.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub kind: SessionKind,
    pub token_hash: String,
}

impl Caller {
    pub fn principal(&self) -> Principal {
        Principal {
            grants: self.user.grants.clone(),
        }
    }
}

/// The agency a scoped action acts on, resolved with its ancestors.
pub struct ResolvedScope {
    pub agency: Uuid,
    pub ancestors: Vec<Uuid>,
}

/// Agencies' ancestors, remembered: an agency's place in the tree is set when it is created
/// and no operation moves it, so an answer never goes stale.
#[derive(Default)]
pub struct AncestorCache {
    map: Mutex<HashMap<Uuid, std::sync::Arc<Vec<Uuid>>>>,
}

impl AncestorCache {
    pub async fn get(
        &self,
        store: &dyn motcua_store::Store,
        agency: Uuid,
    ) -> Result<std::sync::Arc<Vec<Uuid>>, AppError> {
        if let Some(a) = self.map.lock().expect("ancestor cache").get(&agency) {
            return Ok(a.clone());
        }
        let ancestors = std::sync::Arc::new(store.agency_ancestors(agency).await?);
        let mut map = self.map.lock().expect("ancestor cache");
        if map.len() > 200_000 {
            map.clear();
        }
        map.insert(agency, ancestors.clone());
        Ok(ancestors)
    }
}

impl ResolvedScope {
    pub async fn of(state: &App, agency: Uuid) -> Result<Self, AppError> {
        let ancestors = state.ancestors.get(state.store.as_ref(), agency).await?;
        Ok(ResolvedScope {
            agency,
            ancestors: ancestors.to_vec(),
        })
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            agency: self.agency,
            ancestors: &self.ancestors,
        }
    }
}

/// The agencies whose one-stop desk `caller` staffs (receiving officer grants).
pub fn desk_agency_ids(caller: &Caller) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = caller
        .user
        .grants
        .iter()
        .filter(|g| g.role == motcua_domain::auth::Role::ReceivingOfficer)
        .filter_map(|g| g.agency)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Those agencies, by code.
pub async fn desk_agencies(
    app: &App,
    caller: &Caller,
) -> Result<Vec<motcua_store::Agency>, AppError> {
    let mut out = Vec::new();
    for id in desk_agency_ids(caller) {
        out.push(app.store.get_agency(id).await?);
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// The authorisation gate: every handler that needs a permission calls this, and only this.
pub fn require(caller: &Caller, action: Action<'_>) -> Result<(), AppError> {
    if caller.principal().may(&action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Failed sign-ins in fixed windows, per (username, address) and per address; too many → 429.
/// A username is never a key by itself, so failures from one address never lock its owner
/// out elsewhere. Keys are 16-byte hashes (a username of any length costs the same) and each
/// map holds at most [`LoginLimiter::MAX_KEYS`] entries, so the limiter's memory is bounded.
pub struct LoginLimiter {
    window: Duration,
    per_user_and_ip: u32,
    per_ip: u32,
    failures: Mutex<HashMap<[u8; 16], (Instant, u32)>>,
}

impl LoginLimiter {
    /// Keys kept at most (about 40 bytes each).
    pub const MAX_KEYS: usize = 100_000;

    pub fn new(window: Duration, per_user_and_ip: u32, per_ip: u32) -> Self {
        LoginLimiter {
            window,
            per_user_and_ip,
            per_ip,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn key(parts: &[&[u8]]) -> [u8; 16] {
        let mut h = Sha256::new();
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        let mut k = [0u8; 16];
        k.copy_from_slice(&h.finalize()[..16]);
        k
    }

    /// The pair key and the address key, each with its limit.
    fn keys(&self, username: &str, ip: Option<IpAddr>) -> [([u8; 16], u32); 2] {
        let ip = ip.map(|i| i.to_string()).unwrap_or_default();
        let user = username.trim().to_lowercase();
        [
            (
                Self::key(&[b"u+ip", user.as_bytes(), ip.as_bytes()]),
                self.per_user_and_ip,
            ),
            (Self::key(&[b"ip", ip.as_bytes()]), self.per_ip),
        ]
    }

    /// `Err(seconds to wait)` when this username from this address, or this address, is
    /// locked out.
    pub fn check(&self, username: &str, ip: Option<IpAddr>) -> Result<(), u64> {
        let now = Instant::now();
        let map = self.failures.lock().expect("limiter lock");
        for (key, limit) in self.keys(username, ip) {
            if let Some((start, count)) = map.get(&key) {
                let age = now.duration_since(*start);
                if age < self.window && *count >= limit {
                    return Err(self.window.saturating_sub(age).as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, username: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("limiter lock");
        if map.len() >= Self::MAX_KEYS {
            map.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        for (key, _) in self.keys(username, ip) {
            if map.len() >= Self::MAX_KEYS && !map.contains_key(&key) {
                continue; // full of live keys: the address limit of the others still holds
            }
            let entry = map.entry(key).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 = entry.1.saturating_add(1);
        }
    }

    pub fn record_success(&self, username: &str, ip: Option<IpAddr>) {
        let [(pair, _), _] = self.keys(username, ip);
        self.failures.lock().expect("limiter lock").remove(&pair);
    }

    /// Keys held now (for tests of the bound).
    pub fn len(&self) -> usize {
        self.failures.lock().expect("limiter lock").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A fixed-window request limit per client address (the public look-up and statistics, where
/// no account holds a caller to account), counted in the database so that it holds across
/// every process serving the same database.
pub struct RateLimiter {
    per_minute: u32,
    /// The last window this process pruned older windows before.
    pruned: std::sync::atomic::AtomicI64,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            pruned: std::sync::atomic::AtomicI64::new(0),
        }
    }

    /// `Err(seconds to wait)` when `ip` used up its minute. One upsert per request; when the
    /// database cannot count, the request passes (and the failure is logged).
    pub async fn check(
        &self,
        store: &dyn motcua_store::Store,
        ip: Option<IpAddr>,
    ) -> Result<(), u64> {
        let Some(ip) = ip else { return Ok(()) };
        let now = Utc::now().timestamp();
        let window = now.div_euclid(60);
        let hits = match store.hit_rate_window(&format!("lookup:{ip}"), window).await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %e, "rate limit not counted");
                return Ok(());
            }
        };
        use std::sync::atomic::Ordering;
        if self.pruned.swap(window, Ordering::Relaxed) < window
            && let Err(e) = store.prune_rate_windows(window - 1).await
        {
            tracing::warn!(error = %e, "rate windows not pruned");
        }
        if hits > i64::from(self.per_minute) {
            return Err((60 - now.rem_euclid(60)).max(1) as u64);
        }
        Ok(())
    }
}

/// Checks credentials under the rate limit. Returns the user on success.
pub async fn login(
    state: &App,
    username: &str,
    password: &str,
    ip: Option<IpAddr>,
) -> Result<User, AppError> {
    if let Err(wait) = state.limiter.check(username, ip) {
        return Err(AppError::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let found = match state.store.user_by_username(username).await {
        Ok(found) => Some(found),
        Err(DbError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let hash = found.as_ref().map(|(_, h)| h.clone());
    let ok = verify_password(password.to_string(), hash).await;
    match found {
        Some((user, _)) if ok && !user.disabled => {
            state.limiter.record_success(username, ip);
            Ok(user)
        }
        _ => {
            state.limiter.record_failure(username, ip);
            Err(AppError::refused(
                InvalidKind::Credentials,
                "invalid_credentials",
                "Tên đăng nhập hoặc mật khẩu không đúng.",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_locks_a_username_from_one_address_only() {
        let l = LoginLimiter::new(Duration::from_secs(60), 3, 100);
        let attacker: IpAddr = "203.0.113.9".parse().unwrap();
        let owner: IpAddr = "198.51.100.7".parse().unwrap();
        for _ in 0..3 {
            assert!(l.check("Alice", Some(attacker)).is_ok());
            l.record_failure("alice", Some(attacker));
        }
        assert!(l.check("ALICE", Some(attacker)).is_err());
        assert!(
            l.check("alice", Some(owner)).is_ok(),
            "the owner elsewhere signs in"
        );
        assert!(l.check("bob", Some(attacker)).is_ok());
        l.record_success("alice", Some(attacker));
        assert!(l.check("alice", Some(attacker)).is_ok());
    }

    #[test]
    fn limiter_locks_an_address_trying_many_usernames() {
        let l = LoginLimiter::new(Duration::from_secs(60), 3, 10);
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        for i in 0..10 {
            l.record_failure(&format!("user{i}"), Some(ip));
        }
        assert!(l.check("someone-else", Some(ip)).is_err());
        assert!(l.check("someone-else", None).is_ok());
    }

    #[test]
    fn limiter_memory_is_bounded_whatever_the_usernames() {
        let l = LoginLimiter::new(Duration::from_secs(60), 3, u32::MAX);
        let long = "x".repeat(200);
        for i in 0..(LoginLimiter::MAX_KEYS + 500) {
            l.record_failure(&format!("{long}{i}"), None);
        }
        assert!(l.len() <= LoginLimiter::MAX_KEYS);
    }

    #[test]
    fn csrf_tokens_are_bound_to_the_session() {
        let (a, b) = (new_secret("").0, new_secret("").0);
        assert_eq!(csrf_token(&a), csrf_token(&a));
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert_ne!(csrf_token(&a), hash_secret(&a));
        assert!(same_secret(&csrf_token(&a), &csrf_token(&a)));
        assert!(!same_secret(&csrf_token(&a), &csrf_token(&b)));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn secrets_are_stored_hashed() {
        let (secret, hash) = new_secret("mc_");
        assert!(secret.starts_with("mc_"));
        assert_eq!(hash, hash_secret(&secret));
        assert_eq!(hash.len(), 64);
        assert_ne!(new_secret("").0, new_secret("").0);
    }
}
