//! The personal data access log's SQL. Part of the one SQL body (included from `sql.rs`,
//! compiled once per backend).

use sqlx::Pool;

use super::super::Db;
use crate::{DbResult, PersonalDataRead};

pub(super) async fn record(pool: &Pool<Db>, r: &PersonalDataRead) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO personal_data_reads \
         (id, at, user_id, username, dossier_id, dossier_code, applicant_key, what, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(r.id)
    .bind(r.at)
    .bind(r.user_id)
    .bind(&r.username)
    .bind(r.dossier_id)
    .bind(&r.dossier_code)
    .bind(&r.applicant_key)
    .bind(&r.what)
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
        "SELECT id, at, user_id, username, dossier_id, dossier_code, applicant_key, what, ip, \
         user_agent FROM personal_data_reads WHERE applicant_key = $1 \
         ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(applicant_key)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
