//! The HTTP side of authentication: the session cookie and bearer token of a request, the
//! caller as an extractor, the client's address. Passwords, sessions and the authorisation
//! gate are the application layer's ([`motcua_app::auth`]).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
pub use motcua_app::access_log::ReadOrigin;
pub use motcua_app::auth::*;

use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "motcua_session";

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// Reads one cookie from headers.
pub fn cookie_in<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Option<Caller>`: `None` for anonymous requests. A bad or expired credential is anonymous.
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(MaybeCaller(Some(c.clone())));
        }
        let secret = match bearer(&parts.headers) {
            Some(b) => Some(b),
            None => cookie(parts, SESSION_COOKIE),
        };
        let Some(secret) = secret else {
            return Ok(MaybeCaller(None));
        };
        let token_hash = hash_secret(secret);
        match state.session_of(&token_hash).await? {
            Some(found) => {
                let ua = parts
                    .headers
                    .get(axum::http::header::USER_AGENT)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()))
                    .unwrap_or_default();
                state.touch_session(&token_hash, &ua).await;
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
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        MaybeCaller::from_request_parts(parts, state)
            .await?
            .0
            .ok_or(ApiError::Unauthenticated)
    }
}

/// The application and the signed-in caller an API operation acts for, in one extractor:
/// `Acting(state, caller)` is `State(state)` and a [`Caller`] (401 without one).
pub struct Acting(pub AppState, pub Caller);

impl FromRequestParts<AppState> for Acting {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Acting(state.clone(), caller))
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

/// Where a request comes from, for the personal data access log.
impl FromRequestParts<AppState> for ReadOrigin {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientIp(None));
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(motcua_app::access_log::MAX_USER_AGENT_CHARS)
            .collect();
        Ok(ReadOrigin {
            ip: ip.map(|i| i.to_string()).unwrap_or_default(),
            user_agent,
        })
    }
}
