//! Single sign-on's SQL (the [`Identities`] port). Part of the one SQL body (included from
//! `sql.rs`, compiled once per backend).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::super::begin_write;
use super::{SqlStore, UserRecord};
use crate::port::{Identities, IdentityKey, LoginChallenge, OidcFlow, Profile, TotpState};
use crate::{DbResult, NewUser, User};

const USER_COLUMNS: &str =
    "u.id, u.username, u.full_name, u.password_hash, u.disabled, u.created_at, u.id_number";

#[derive(sqlx::FromRow)]
struct FlowRow {
    state_hash: String,
    provider: String,
    pkce_verifier: String,
    nonce: String,
    next_path: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

#[async_trait]
impl Identities for SqlStore {
    async fn create_oidc_flow(&self, f: &OidcFlow) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        sqlx::query("DELETE FROM oidc_flows WHERE expires_at <= $1")
            .bind(f.created_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO oidc_flows (state_hash, provider, pkce_verifier, nonce, next_path, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&f.state_hash)
        .bind(&f.provider)
        .bind(&f.pkce_verifier)
        .bind(&f.nonce)
        .bind(&f.next_path)
        .bind(f.created_at)
        .bind(f.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn take_oidc_flow(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<Option<OidcFlow>> {
        let row: Option<FlowRow> = sqlx::query_as(
            "DELETE FROM oidc_flows WHERE state_hash = $1 RETURNING state_hash, provider, \
             pkce_verifier, nonce, next_path, created_at, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(&self.write_pool)
        .await?;
        Ok(row.filter(|r| r.expires_at > now).map(|r| OidcFlow {
            state_hash: r.state_hash,
            provider: r.provider,
            pkce_verifier: r.pkce_verifier,
            nonce: r.nonce,
            next_path: r.next_path,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }))
    }

    async fn user_by_identity(&self, key: &IdentityKey) -> DbResult<Option<User>> {
        let r: Option<UserRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM user_identities i JOIN users u ON u.id = i.user_id \
             WHERE i.provider = $1 AND i.subject = $2"
        )))
        .bind(&key.provider)
        .bind(&key.subject)
        .fetch_optional(&self.pool)
        .await?;
        match r {
            Some(r) => Ok(Some(self.user_from(r).await?.0)),
            None => Ok(None),
        }
    }

    async fn user_by_id_number(&self, id_number: &str) -> DbResult<Option<User>> {
        let r: Option<UserRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id_number = $1"
        )))
        .bind(id_number)
        .fetch_optional(&self.pool)
        .await?;
        match r {
            Some(r) => Ok(Some(self.user_from(r).await?.0)),
            None => Ok(None),
        }
    }

    async fn create_linked_user(
        &self,
        u: &NewUser,
        key: &IdentityKey,
        profile: &Profile,
    ) -> DbResult<User> {
        let mut tx = begin_write(&self.write_pool).await?;
        sqlx::query(
            "INSERT INTO users (id, username, full_name, password_hash, disabled, created_at, \
             id_number) VALUES ($1, $2, $3, $4, FALSE, $5, $6)",
        )
        .bind(u.id)
        .bind(&u.username)
        .bind(&u.full_name)
        .bind(&u.password_hash)
        .bind(u.created_at)
        .bind(&u.id_number)
        .execute(&mut *tx)
        .await?;
        for g in &u.grants {
            sqlx::query("INSERT INTO user_roles (user_id, role, agency_id) VALUES ($1, $2, $3)")
                .bind(u.id)
                .bind(g.role.as_str())
                .bind(g.agency)
                .execute(&mut *tx)
                .await?;
        }
        insert_identity(&mut tx, u.id, key, u.created_at).await?;
        upsert_profile(&mut tx, u.id, profile, u.created_at).await?;
        tx.commit().await?;
        crate::port::Accounts::get_user(self, u.id).await
    }

    async fn link_identity(
        &self,
        user: Uuid,
        key: &IdentityKey,
        profile: Option<&Profile>,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        insert_identity(&mut tx, user, key, now).await?;
        if let Some(p) = profile {
            upsert_profile(&mut tx, user, p, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_profile(&self, user: Uuid, profile: &Profile, now: DateTime<Utc>) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        upsert_profile(&mut tx, user, profile, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn profile(&self, user: Uuid) -> DbResult<Profile> {
        let row: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT birth_date, address FROM user_profiles WHERE user_id = $1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row
            .map(|(birth_date, address)| Profile {
                birth_date,
                address,
            })
            .unwrap_or_default())
    }

    async fn set_session_provider(&self, token_hash: &str, provider: &str) -> DbResult<()> {
        sqlx::query("INSERT INTO session_providers (token_hash, provider) VALUES ($1, $2)")
            .bind(token_hash)
            .bind(provider)
            .execute(&self.write_pool)
            .await?;
        Ok(())
    }

    async fn session_provider(&self, token_hash: &str) -> DbResult<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT provider FROM session_providers WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(p,)| p))
    }

    async fn totp_state(&self, user: Uuid) -> DbResult<TotpState> {
        let row: Option<(Option<String>, bool, bool, i64)> = sqlx::query_as(
            "SELECT secret, enabled, required, last_step FROM user_totp WHERE user_id = $1",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|(secret, enabled, required, last_step)| TotpState {
                secret,
                enabled,
                required,
                last_step,
            })
            .unwrap_or_default())
    }

    async fn set_totp_secret(&self, user: Uuid, secret: &str, now: DateTime<Utc>) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO user_totp (user_id, secret, enabled, required, last_step, updated_at) \
             VALUES ($1, $2, FALSE, FALSE, 0, $3) ON CONFLICT (user_id) DO UPDATE SET \
             secret = excluded.secret, enabled = FALSE, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(secret)
        .bind(now)
        .execute(&self.write_pool)
        .await?;
        Ok(())
    }

    async fn enable_totp(&self, user: Uuid, step: i64, now: DateTime<Utc>) -> DbResult<()> {
        let n = sqlx::query(
            "UPDATE user_totp SET enabled = TRUE, last_step = $2, updated_at = $3 \
             WHERE user_id = $1 AND secret IS NOT NULL",
        )
        .bind(user)
        .bind(step)
        .bind(now)
        .execute(&self.write_pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(crate::DbError::NotFound);
        }
        Ok(())
    }

    async fn disable_totp(&self, user: Uuid, now: DateTime<Utc>) -> DbResult<()> {
        sqlx::query(
            "UPDATE user_totp SET secret = NULL, enabled = FALSE, updated_at = $2 \
             WHERE user_id = $1",
        )
        .bind(user)
        .bind(now)
        .execute(&self.write_pool)
        .await?;
        Ok(())
    }

    async fn set_totp_required(
        &self,
        user: Uuid,
        required: bool,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO user_totp (user_id, secret, enabled, required, last_step, updated_at) \
             VALUES ($1, NULL, FALSE, $2, 0, $3) ON CONFLICT (user_id) DO UPDATE SET \
             required = excluded.required, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(required)
        .bind(now)
        .execute(&self.write_pool)
        .await?;
        Ok(())
    }

    async fn accept_totp_step(&self, user: Uuid, step: i64) -> DbResult<bool> {
        let n = sqlx::query(
            "UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2 \
             AND enabled",
        )
        .bind(user)
        .bind(step)
        .execute(&self.write_pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    async fn create_login_challenge(&self, c: &LoginChallenge, now: DateTime<Utc>) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        sqlx::query("DELETE FROM login_challenges WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO login_challenges (token_hash, user_id, next_path, attempts, expires_at) \
             VALUES ($1, $2, $3, 0, $4)",
        )
        .bind(&c.token_hash)
        .bind(c.user_id)
        .bind(&c.next_path)
        .bind(c.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn login_challenge(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> DbResult<Option<LoginChallenge>> {
        let row: Option<(String, Uuid, String, i32, DateTime<Utc>)> = sqlx::query_as(
            "SELECT token_hash, user_id, next_path, attempts, expires_at FROM login_challenges \
             WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.write_pool)
        .await?;
        Ok(row.map(
            |(token_hash, user_id, next_path, attempts, expires_at)| LoginChallenge {
                token_hash,
                user_id,
                next_path,
                attempts,
                expires_at,
            },
        ))
    }

    async fn fail_login_challenge(&self, token_hash: &str) -> DbResult<i32> {
        let row: Option<(i32,)> = sqlx::query_as(
            "UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1 \
             RETURNING attempts",
        )
        .bind(token_hash)
        .fetch_optional(&self.write_pool)
        .await?;
        Ok(row.map_or(i32::MAX, |(n,)| n))
    }

    async fn delete_login_challenge(&self, token_hash: &str) -> DbResult<()> {
        sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.write_pool)
            .await?;
        Ok(())
    }

    async fn live_sessions(&self, user: Uuid, now: DateTime<Utc>) -> DbResult<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2")
                .bind(user)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    async fn end_other_sessions(&self, user: Uuid, keep: &str) -> DbResult<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2 RETURNING token_hash",
        )
        .bind(user)
        .bind(keep)
        .fetch_all(&self.write_pool)
        .await?;
        Ok(rows.into_iter().map(|(h,)| h).collect())
    }
}

async fn insert_identity(
    tx: &mut sqlx::Transaction<'static, super::super::Db>,
    user: Uuid,
    key: &IdentityKey,
    now: DateTime<Utc>,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO user_identities (provider, subject, user_id, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(&key.provider)
    .bind(&key.subject)
    .bind(user)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn upsert_profile(
    tx: &mut sqlx::Transaction<'static, super::super::Db>,
    user: Uuid,
    p: &Profile,
    now: DateTime<Utc>,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO user_profiles (user_id, birth_date, address, updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
         birth_date = excluded.birth_date, address = excluded.address, \
         updated_at = excluded.updated_at",
    )
    .bind(user)
    .bind(&p.birth_date)
    .bind(&p.address)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
