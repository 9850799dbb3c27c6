//! Bearer tokens for other systems: `POST /auth/token` with a username and password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use motcua_store::SessionKind;
use serde::{Deserialize, Serialize};

use crate::api::responses::{Forbidden, TooManyRequests, Unauthorized};
use crate::auth::{self, Acting, ClientIp};
use crate::error::{ApiJson, ApiResult};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// The current code of the account's second factor (TOTP, 6 digits), for accounts that
    /// use one.
    #[serde(default)]
    pub totp: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Exchange a username and password for a bearer token. Failed attempts are rate-limited.
#[utoipa::path(post, path = "/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), Unauthorized, Forbidden, TooManyRequests))]
pub async fn issue_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let user = auth::login(&state, req.username.trim(), &req.password, ip).await?;
    state
        .check_token_second_factor(&user, req.totp.as_deref())
        .await?;
    let (token, expires_at) = auth::open_session(&state, &user, SessionKind::Api).await?;
    Ok(Json(TokenResponse { token, expires_at }))
}

/// Revoke the bearer token (or session) the request is made with.
#[utoipa::path(delete, path = "/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204), Unauthorized))]
pub async fn revoke_token(Acting(state, caller): Acting) -> ApiResult<StatusCode> {
    state.sign_out(&caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}
