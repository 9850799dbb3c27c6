//! Sessions (browser cookies and API bearer tokens) and the request limits shared by every process.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::*;

#[async_trait]
pub trait Sessions: Send + Sync {
    async fn create_session(&self, s: &NewSession) -> DbResult<()>;
    /// The user of a live session; `NotFound` when it is unknown or expired.
    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<(User, SessionKind)>;
    async fn delete_session(&self, token_hash: &str) -> DbResult<()>;
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> DbResult<u64>;

    // Request limits shared by every process (fixed windows, see `rate_windows`).
    /// Counts one hit of `key` in window number `window` (a row of an older window starts
    /// over) and returns the hits of `key` in that window, this one included.
    async fn hit_rate_window(&self, key: &str, window: i64) -> DbResult<i64>;
    /// Forgets the windows numbered before `window`.
    async fn prune_rate_windows(&self, before: i64) -> DbResult<u64>;
}
