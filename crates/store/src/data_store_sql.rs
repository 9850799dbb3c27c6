//! The citizen's data store's SQL (the [`DataStore`] port): re-use records written with the
//! dossier event that attached the file, and verifications at the counter. Part of the one SQL
//! body (included from `sql.rs`, compiled once per backend).

use async_trait::async_trait;
use uuid::Uuid;

use super::super::begin_write;
use super::SqlStore;
use chrono::{DateTime, Utc};

use crate::port::{AccountVerification, Contact, DataStore, ReuseRecord, SessionDevice};
use crate::{DbError, DbResult, DocumentLink, DossierWrite};

const REUSE_COLUMNS: &str = "id, applicant_key, dossier_id, dossier_code, seq, component, sha256, \
     from_dossier, actor_id, actor_name, actor_role, purpose, consent, created_at";

#[async_trait]
impl DataStore for SqlStore {
    async fn append_dossier_reuse(
        &self,
        expected_seq: i32,
        write: &DossierWrite,
        link: &DocumentLink,
        r: &ReuseRecord,
    ) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        let written = super::dossier_writes::append(&mut tx, write, expected_seq).await;
        self.forget_row(&write.row.code);
        written?;
        super::documents_sql::insert_links(&mut tx, write, std::slice::from_ref(link)).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO document_reuses ({REUSE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        )))
        .bind(r.id)
        .bind(&r.applicant_key)
        .bind(r.dossier_id)
        .bind(&r.dossier_code)
        .bind(r.seq)
        .bind(&r.component)
        .bind(&r.sha256)
        .bind(&r.from_dossier)
        .bind(r.actor_id)
        .bind(&r.actor_name)
        .bind(&r.actor_role)
        .bind(&r.purpose)
        .bind(&r.consent)
        .bind(r.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.forget_row(&write.row.code);
        Ok(())
    }

    async fn reuses_of(&self, applicant_key: &str, limit: i64) -> DbResult<Vec<ReuseRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {REUSE_COLUMNS} FROM document_reuses WHERE applicant_key = $1 \
             ORDER BY created_at DESC, id LIMIT $2"
        )))
        .bind(applicant_key)
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?)
    }

    async fn verify_account(&self, v: &AccountVerification) -> DbResult<()> {
        let mut tx = begin_write(&self.write_pool).await?;
        let bound =
            sqlx::query("UPDATE users SET id_number = $2 WHERE id = $1 AND id_number IS NULL")
                .bind(v.user_id)
                .bind(&v.id_number)
                .execute(&mut *tx)
                .await?;
        if bound.rows_affected() != 1 {
            return Err(DbError::NotFound);
        }
        sqlx::query(
            "INSERT INTO account_verifications (id, user_id, id_number, officer_id, document, \
             verified_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(v.id)
        .bind(v.user_id)
        .bind(&v.id_number)
        .bind(v.officer_id)
        .bind(&v.document)
        .bind(v.verified_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn verifications_of(&self, user: Uuid) -> DbResult<Vec<AccountVerification>> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, id_number, officer_id, document, verified_at \
             FROM account_verifications WHERE user_id = $1 ORDER BY verified_at DESC LIMIT 50",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn contact(&self, user: Uuid) -> DbResult<Contact> {
        let c: Option<Contact> = sqlx::query_as(
            "SELECT phone, email, contact_address, notify_channel FROM user_profiles \
             WHERE user_id = $1",
        )
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        Ok(c.unwrap_or_default())
    }

    async fn set_contact(&self, user: Uuid, c: &Contact, now: DateTime<Utc>) -> DbResult<()> {
        sqlx::query(
            "INSERT INTO user_profiles (user_id, phone, email, contact_address, notify_channel, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET \
             phone = excluded.phone, email = excluded.email, \
             contact_address = excluded.contact_address, \
             notify_channel = excluded.notify_channel, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(&c.contact_address)
        .bind(&c.notify_channel)
        .bind(now)
        .execute(&self.write_pool)
        .await?;
        Ok(())
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        user_agent: &str,
        now: DateTime<Utc>,
    ) -> DbResult<()> {
        // A session ended meanwhile has no row to refer to: nothing is written.
        sqlx::query(
            "INSERT INTO session_devices (token_hash, user_agent, last_seen_at) \
             SELECT token_hash, $2, $3 FROM sessions WHERE token_hash = $1 \
             ON CONFLICT (token_hash) DO UPDATE SET user_agent = excluded.user_agent, \
             last_seen_at = excluded.last_seen_at",
        )
        .bind(token_hash)
        .bind(user_agent)
        .bind(now)
        .execute(&self.write_pool)
        .await?;
        Ok(())
    }

    async fn session_devices(
        &self,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> DbResult<Vec<SessionDevice>> {
        Ok(sqlx::query_as(
            "SELECT s.token_hash, s.kind, s.created_at, s.expires_at, d.user_agent, d.last_seen_at \
             FROM sessions s LEFT JOIN session_devices d ON d.token_hash = s.token_hash \
             WHERE s.user_id = $1 AND s.expires_at > $2 \
             ORDER BY COALESCE(d.last_seen_at, s.created_at) DESC, s.token_hash LIMIT 100",
        )
        .bind(user)
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn end_session_of(&self, user: Uuid, token_hash: &str) -> DbResult<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash = $2")
            .bind(user)
            .bind(token_hash)
            .execute(&self.write_pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
