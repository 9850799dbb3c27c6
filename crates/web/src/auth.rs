//! Authentication (passwords, sessions, bearer tokens, login rate limit) and the one
//! authorisation gate, [`require`], which asks the domain rule `Principal::may`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use chrono::{Duration as ChronoDuration, Utc};
use motcua_domain::auth::{Action, Principal, Scope};
use motcua_store::{DbError, NewSession, SessionKind, User};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "motcua_session";

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
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Opens a session for `user` and returns the secret to hand to the client.
pub async fn open_session(
    state: &AppState,
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

/// Reads one cookie from the request headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
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

/// `Option<Caller>`: `None` for anonymous requests. A bad or expired credential is anonymous.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(MaybeCaller(Some(c.clone())));
        }
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let secret = match bearer {
            Some(b) => Some(b),
            None => cookie(parts, SESSION_COOKIE),
        };
        let Some(secret) = secret else {
            return Ok(MaybeCaller(None));
        };
        let token_hash = hash_secret(secret);
        match state
            .lookups
            .session(state.store.as_ref(), &token_hash)
            .await?
        {
            Some(found) => {
                let (user, kind) = (*found).clone();
                let caller = Caller {
                    user,
                    kind,
                    token_hash,
                };
                parts.extensions.insert(caller.clone());
                Ok(MaybeCaller(Some(caller)))
            }
            None => Ok(MaybeCaller(None)),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        MaybeCaller::from_request_parts(parts, state)
            .await?
            .0
            .ok_or(AppError::Unauthenticated)
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
    pub async fn of(state: &AppState, agency: Uuid) -> Result<Self, AppError> {
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

/// The authorisation gate: every handler that needs a permission calls this, and only this.
pub fn require(caller: &Caller, action: Action<'_>) -> Result<(), AppError> {
    if caller.principal().may(&action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The client's address: the socket peer (a reverse proxy should be configured to pass the
/// original address; we do not trust forwarded headers by default).
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip())
}

/// The client's address as an extractor.
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

/// Counts failed logins per username and per address in a sliding window; too many → 429.
pub struct LoginLimiter {
    window: Duration,
    per_user: usize,
    per_ip: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    pub fn new(window: Duration, per_user: usize, per_ip: usize) -> Self {
        LoginLimiter {
            window,
            per_user,
            per_ip,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(username: &str, ip: Option<IpAddr>) -> [(String, bool); 2] {
        [
            (format!("u:{}", username.to_lowercase()), true),
            (
                format!("ip:{}", ip.map(|i| i.to_string()).unwrap_or_default()),
                false,
            ),
        ]
    }

    /// `Err(seconds to wait)` when this username or address is locked out.
    pub fn check(&self, username: &str, ip: Option<IpAddr>) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("limiter lock");
        for (key, is_user) in Self::keys(username, ip) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < self.window);
                let limit = if is_user { self.per_user } else { self.per_ip };
                if times.len() >= limit {
                    let oldest = times[0];
                    let wait = self.window.saturating_sub(now.duration_since(oldest));
                    return Err(wait.as_secs().max(1));
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, username: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        let mut map = self.failures.lock().expect("limiter lock");
        if map.len() > 100_000 {
            map.retain(|_, v| {
                v.last()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for (key, _) in Self::keys(username, ip) {
            map.entry(key).or_default().push(now);
        }
    }

    pub fn record_success(&self, username: &str) {
        let mut map = self.failures.lock().expect("limiter lock");
        map.remove(&format!("u:{}", username.to_lowercase()));
    }
}

/// A fixed-window request limit per client address (the public look-up, where no account
/// holds a caller to account).
pub struct RateLimiter {
    per_minute: u32,
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when `ip` used up its minute.
    pub fn check(&self, ip: Option<IpAddr>) -> Result<(), u64> {
        let Some(ip) = ip else { return Ok(()) };
        let now = Instant::now();
        let mut map = self.windows.lock().expect("rate limiter lock");
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let entry = map.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= Duration::from_secs(60) {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            return Err(60u64
                .saturating_sub(now.duration_since(entry.0).as_secs())
                .max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Checks credentials under the rate limit. Returns the user on success.
pub async fn login(
    state: &AppState,
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
            state.limiter.record_success(username);
            Ok(user)
        }
        _ => {
            state.limiter.record_failure(username, ip);
            Err(AppError::Invalid {
                status: axum::http::StatusCode::UNAUTHORIZED,
                code: "invalid_credentials",
                message: "Tên đăng nhập hoặc mật khẩu không đúng.".into(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_locks_a_username_after_repeated_failures() {
        let l = LoginLimiter::new(Duration::from_secs(60), 3, 100);
        for _ in 0..3 {
            assert!(l.check("Alice", None).is_ok());
            l.record_failure("alice", None);
        }
        assert!(l.check("ALICE", None).is_err());
        assert!(l.check("bob", None).is_ok());
        l.record_success("alice");
        assert!(l.check("alice", None).is_ok());
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
