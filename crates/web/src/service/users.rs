//! Administration of existing accounts: their grants (roles with agencies) and disabling.
//! Authorisation is the caller's job, as everywhere in `service`.

use motcua_domain::auth::{Grant, Role};
use motcua_store::{DbError, Store, User};

use crate::error::AppError;

fn not_found(e: DbError) -> AppError {
    match e {
        DbError::NotFound => AppError::NotFound("tài khoản"),
        e => e.into(),
    }
}

/// Adds a role (with its agency) to an account; refuses a grant it already has.
pub async fn add_grant(
    store: &dyn Store,
    user: &User,
    role: &str,
    agency_code: Option<&str>,
) -> Result<User, AppError> {
    let grant = super::resolve_grant(store, role, agency_code).await?;
    if user.grants.contains(&grant) {
        return Err(AppError::invalid(
            "grant_exists",
            "Tài khoản đã có vai trò này tại cơ quan này.",
        ));
    }
    let mut grants = user.grants.clone();
    grants.push(grant);
    store
        .set_user_grants(user.id, &grants)
        .await
        .map_err(not_found)
}

/// Removes the grant at `index`: an account keeps at least one role, and an administrator
/// does not take away their own administration.
pub async fn remove_grant(
    store: &dyn Store,
    user: &User,
    index: usize,
    by: &User,
) -> Result<User, AppError> {
    let Some(removed) = user.grants.get(index) else {
        return Err(AppError::invalid(
            "unknown_grant",
            "Không tìm thấy vai trò cần bỏ.",
        ));
    };
    if user.grants.len() == 1 {
        return Err(AppError::invalid(
            "last_grant",
            "Tài khoản phải có ít nhất một vai trò; hãy khóa tài khoản nếu không dùng nữa.",
        ));
    }
    if user.id == by.id && removed.role == Role::Admin {
        return Err(AppError::invalid(
            "own_admin_grant",
            "Không thể tự bỏ quyền quản trị của chính mình.",
        ));
    }
    let grants: Vec<Grant> = user
        .grants
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, g)| g.clone())
        .collect();
    store
        .set_user_grants(user.id, &grants)
        .await
        .map_err(not_found)
}

/// Disables or re-enables an account; nobody disables their own.
pub async fn set_disabled(
    store: &dyn Store,
    user: &User,
    disabled: bool,
    by: &User,
) -> Result<User, AppError> {
    if disabled && user.id == by.id {
        return Err(AppError::invalid(
            "own_account",
            "Không thể tự khóa tài khoản của chính mình.",
        ));
    }
    store
        .set_user_disabled(user.id, disabled)
        .await
        .map_err(not_found)
}
