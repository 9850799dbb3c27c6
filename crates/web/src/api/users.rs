//! Accounts: one's own, and administration of staff and citizens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use motcua_domain::auth::Action;
use motcua_store::User;
use serde::{Deserialize, Serialize};

use crate::api::agencies::agency_by_code;
use crate::auth::{Caller, require};
use crate::error::{ApiJson, ApiQuery, ApiResult};
use crate::state::AppState;
use motcua_app::accounts::CreateUser;

/// The caller's own account and roles.
#[utoipa::path(get, path = "/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = crate::error::ApiErrorBody)))]
pub async fn me(caller: Caller) -> ApiResult<Json<User>> {
    require(&caller, Action::ReadSelf)?;
    Ok(Json(caller.user))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserParams {
    /// Only accounts with a role in this agency (code).
    pub agency: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<User>,
    pub total: i64,
}

/// List accounts (administrators).
#[utoipa::path(get, path = "/users", params(UserParams), tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserList), (status = 401, body = crate::error::ApiErrorBody),
        (status = 403, body = crate::error::ApiErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<UserParams>,
) -> ApiResult<Json<UserList>> {
    let agency = match &p.agency {
        Some(code) => Some(agency_by_code(&state, code).await?.id),
        None => None,
    };
    let page = state
        .list_users_as(
            &caller,
            agency,
            p.limit.unwrap_or(50).clamp(1, 500),
            p.offset.unwrap_or(0).max(0),
        )
        .await?;
    Ok(Json(UserList {
        items: page.items,
        total: page.total,
    }))
}

/// Create an account (administrators; agency administrators within their subtree).
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser, security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 401, body = crate::error::ApiErrorBody),
        (status = 403, body = crate::error::ApiErrorBody), (status = 409, body = crate::error::ApiErrorBody),
        (status = 422, body = crate::error::ApiErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let agency = match &input.agency_code {
        Some(code) => Some(agency_by_code(&state, code).await?.id),
        None => None,
    };
    let user = state.create_user_as(&caller, agency, input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}
