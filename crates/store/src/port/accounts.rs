//! Accounts: users and their grants.

use async_trait::async_trait;
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Accounts: Send + Sync {
    async fn create_user(&self, u: &NewUser) -> DbResult<User>;
    async fn user_by_username(&self, username: &str) -> DbResult<(User, String)>;
    async fn get_user(&self, id: Uuid) -> DbResult<User>;
    async fn list_users(
        &self,
        agency: Option<Uuid>,
        limit: i64,
        offset: i64,
    ) -> DbResult<Page<User>>;
    /// Replaces an account's grants (roles with their agencies) in one transaction.
    async fn set_user_grants(
        &self,
        id: Uuid,
        grants: &[motcua_domain::auth::Grant],
    ) -> DbResult<User>;
    /// Disables (no sign-in, sessions refused) or re-enables an account.
    async fn set_user_disabled(&self, id: Uuid, disabled: bool) -> DbResult<User>;
}
