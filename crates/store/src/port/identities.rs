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

/// An account's second factor (TOTP, RFC 6238).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotpState {
    /// The shared secret, base32; `None`: not set up.
    pub secret: Option<String>,
    /// Set up and confirmed with a code: password sign-ins ask for a code.
    pub enabled: bool,
    /// Required by an administrator: a password sign-in sets it up first.
    pub required: bool,
    /// The last time step a code was accepted for (no code is accepted twice).
    pub last_step: i64,
}

/// A password sign-in waiting for its second factor.
#[derive(Debug, Clone)]
pub struct LoginChallenge {
    pub token_hash: String,
    pub user_id: Uuid,
    pub next_path: String,
    pub attempts: i32,
    pub expires_at: DateTime<Utc>,
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

    // The second factor (#20).
    /// An account's second factor (the default when nothing is set).
    async fn totp_state(&self, user: Uuid) -> DbResult<TotpState>;
    /// Keeps a new secret, not yet confirmed (`enabled` false).
    async fn set_totp_secret(&self, user: Uuid, secret: &str, now: DateTime<Utc>) -> DbResult<()>;
    /// Confirms the secret with the code of `step`: enabled from now on.
    async fn enable_totp(&self, user: Uuid, step: i64, now: DateTime<Utc>) -> DbResult<()>;
    /// Forgets the secret (the requirement stays).
    async fn disable_totp(&self, user: Uuid, now: DateTime<Utc>) -> DbResult<()>;
    /// Sets whether an administrator requires the second factor.
    async fn set_totp_required(
        &self,
        user: Uuid,
        required: bool,
        now: DateTime<Utc>,
    ) -> DbResult<()>;
    /// Accepts the code of `step` if no code of that step or later was: `false` otherwise.
    async fn accept_totp_step(&self, user: Uuid, step: i64) -> DbResult<bool>;
    /// Keeps a sign-in waiting for its second factor (forgets those expired by `now`).
    async fn create_login_challenge(&self, c: &LoginChallenge, now: DateTime<Utc>) -> DbResult<()>;
    /// The live challenge of a hash.
    async fn login_challenge(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<Option<LoginChallenge>>;
    /// Counts a wrong code; answers the attempts so far.
    async fn fail_login_challenge(&self, token_hash: &str) -> DbResult<i32>;
    async fn delete_login_challenge(&self, token_hash: &str) -> DbResult<()>;

    // Sessions of the person's own page (#20).
    /// The live sessions (browser and API) of an account.
    async fn live_sessions(&self, user: Uuid, now: DateTime<Utc>) -> DbResult<i64>;
    /// Ends every session of an account but `keep`; answers the hashes ended.
    async fn end_other_sessions(&self, user: Uuid, keep: &str) -> DbResult<Vec<String>>;
}
