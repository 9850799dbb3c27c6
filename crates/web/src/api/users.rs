//! Accounts: one's own, and administration of staff and citizens.

use axum::Json;
use axum::http::StatusCode;
use motcua_domain::auth::Action;
use motcua_store::User;
use serde::{Deserialize, Serialize};

use crate::api::agencies::agency_id;
use crate::api::params::Paging;
use crate::api::responses::{Conflict, Forbidden, Unauthorized, Unprocessable};
use crate::auth::{Acting, Caller, require};
use crate::error::{ApiJson, ApiQuery, ApiResult};
use motcua_app::accounts::CreateUser;

/// The caller's own account and roles.
#[utoipa::path(get, path = "/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = Object), Unauthorized))]
pub async fn me(caller: Caller) -> ApiResult<Json<User>> {
    require(&caller, Action::ReadSelf)?;
    Ok(Json(caller.user))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UserParams {
    /// Only accounts with a role in this agency (code).
    pub agency: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UserList {
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<User>,
    pub total: i64,
}

/// List accounts (administrators).
#[utoipa::path(get, path = "/users", params(UserParams, Paging), tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserList), Unauthorized, Forbidden))]
pub async fn list(
    Acting(state, caller): Acting,
    ApiQuery(p): ApiQuery<UserParams>,
    ApiQuery(page): ApiQuery<Paging>,
) -> ApiResult<Json<UserList>> {
    let agency = agency_id(&state, p.agency.as_deref()).await?;
    let (limit, offset) = (page.limit(50, 500), page.offset());
    let users = state.list_users_as(&caller, agency, limit, offset).await?;
    Ok(Json(UserList {
        items: users.items,
        total: users.total,
    }))
}

/// Create an account (administrators; agency administrators within their subtree).
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser, security(("bearer" = [])),
    responses((status = 201, body = Object), Unauthorized, Forbidden, Conflict, Unprocessable))]
pub async fn create(
    Acting(state, caller): Acting,
    ApiJson(input): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let agency = agency_id(&state, input.agency_code.as_deref()).await?;
    let user = state.create_user_as(&caller, agency, input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}
