//! The personal data access log's SQL, and the count behind citizens' submission limit. Part
//! of the one SQL body (included from `sql.rs`,
//! compiled once per backend).

use sqlx::Pool;

use super::super::Db;
use crate::{DbResult, PersonalDataRead};

pub(super) async fn record(pool: &Pool<Db>, r: &PersonalDataRead) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO personal_data_reads \
         (id, at, user_id, username, dossier_id, dossier_code, applicant_key, what, reason, ip, \
         user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(r.id)
    .bind(r.at)
    .bind(r.user_id)
    .bind(&r.username)
    .bind(r.dossier_id)
    .bind(&r.dossier_code)
    .bind(&r.applicant_key)
    .bind(&r.what)
    .bind(&r.reason)
    .bind(&r.ip)
    .bind(&r.user_agent)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn list(
    pool: &Pool<Db>,
    applicant_key: &str,
    limit: i64,
) -> DbResult<Vec<PersonalDataRead>> {
    Ok(sqlx::query_as(
        "SELECT id, at, user_id, username, dossier_id, dossier_code, applicant_key, what, reason, \
         ip, user_agent FROM personal_data_reads WHERE applicant_key = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(applicant_key)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

pub(super) async fn citizen_submissions_since(
    pool: &Pool<Db>,
    user: uuid::Uuid,
    since: chrono::DateTime<chrono::Utc>,
) -> DbResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM dossier_events WHERE actor_id = $1 AND at >= $2 \
         AND kind = 'submitted' AND actor_role = 'citizen'",
    )
    .bind(user)
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok(n)
}
