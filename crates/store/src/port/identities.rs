//! Single sign-on (issue #20): sign-ins under way at an OpenID Connect provider, the identities
//! an account has there, what the provider said of the person, and the provider of a session.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::*;

/// A sign-in under way: kept from the redirect to the provider until its callback, once.
#[derive(Debug, Clone)]
pub struct OidcFlow {
    /// Hex SHA-256 of the `state` parameter the browser carries there and back.
    pub state_hash: String,
    pub provider: String,
    pub pkce_verifier: String,
    pub nonce: String,
    /// Where the person goes after signing in (a local path).
    pub next_path: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What is known of a person beyond the account: filled from the provider's verified claims.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub address: Option<String>,
}

/// An identity at a provider: the provider's id and the person's subject there.
#[derive(Debug, Clone)]
pub struct IdentityKey {
    pub provider: String,
    pub subject: String,
}

#[async_trait]
pub trait Identities: Send + Sync {
    /// Keeps a sign-in under way (and forgets those expired before `flow.created_at`).
    async fn create_oidc_flow(&self, flow: &OidcFlow) -> DbResult<()>;
    /// Takes the sign-in of a state's hash: it is gone after, whatever the answer. `None`:
    /// unknown, used already, or expired at `now`.
    async fn take_oidc_flow(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<Option<OidcFlow>>;

    /// The account an identity is linked to.
    async fn user_by_identity(&self, key: &IdentityKey) -> DbResult<Option<User>>;
    /// The account bound to a personal identification number.
    async fn user_by_id_number(&self, id_number: &str) -> DbResult<Option<User>>;
    /// Creates an account already linked to an identity, with its profile, in one transaction.
    async fn create_linked_user(
        &self,
        user: &NewUser,
        key: &IdentityKey,
        profile: &Profile,
    ) -> DbResult<User>;
    /// Links an identity to an existing account (and sets its profile when one is given), in
    /// one transaction.
    async fn link_identity(
        &self,
        user: Uuid,
        key: &IdentityKey,
        profile: Option<&Profile>,
        now: DateTime<Utc>,
    ) -> DbResult<()>;
    /// Replaces an account's profile.
    async fn set_profile(&self, user: Uuid, profile: &Profile, now: DateTime<Utc>) -> DbResult<()>;
    /// An account's profile (empty when nothing is known).
    async fn profile(&self, user: Uuid) -> DbResult<Profile>;

    /// Remembers the provider a session was opened through.
    async fn set_session_provider(&self, token_hash: &str, provider: &str) -> DbResult<()>;
    /// The provider a session was opened through, if any.
    async fn session_provider(&self, token_hash: &str) -> DbResult<Option<String>>;
}
