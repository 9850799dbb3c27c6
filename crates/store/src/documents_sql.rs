//! Documents (part of the one SQL body, included from `sql.rs`): the files a dossier command
//! attached, recorded in the same transaction as its events and projection; a dossier's
//! files; the files held for a person (re-use); and which hashes are known (the document
//! store's sweep of unreferenced files).
//!
//! The bytes are not here: the web layer's document store holds them under their hash and
//! writes them before the transaction (see `motcua_web::blobs`). A `documents` row exists only
//! once a dossier row refers to the file, so "no row" means "no dossier holds it".

use sqlx::{Pool, QueryBuilder};
use uuid::Uuid;

use super::super::{Db, begin_write};
use crate::DbResult;
use crate::document_models::{DocumentLink, DocumentQuery, DocumentRecord};
use crate::models::DossierWrite;

/// Hashes named in one `IN (...)` list.
const HASHES: usize = 500;

const SELECT: &str = "SELECT dd.dossier_id, d.code AS dossier_code, d.procedure_code, dd.seq, \
     dd.component, dd.sha256, f.media_type, f.size, dd.source, dd.reused_from, dd.result_code, \
     dd.owner_id, dd.created_at, dd.valid_until, a.name AS issuer \
     FROM dossier_documents dd JOIN dossiers d ON d.id = dd.dossier_id \
     JOIN documents f ON f.sha256 = dd.sha256 LEFT JOIN agencies a ON a.id = d.agency_id";

/// Appends a command (as `append_dossier`) and records the files it attached, in ONE
/// transaction: a stale version, a constraint or any error leaves nothing of either.
pub(super) async fn append(
    pool: &Pool<Db>,
    expected: i32,
    w: &DossierWrite,
    links: &[DocumentLink],
) -> DbResult<()> {
    let mut tx = begin_write(pool).await?;
    super::dossier_writes::append(&mut tx, w, expected).await?;
    insert_links(&mut tx, w, links).await?;
    tx.commit().await?;
    Ok(())
}

/// Records the files a command attached (the `documents` row once per file), in `tx`.
pub(super) async fn insert_links(
    tx: &mut sqlx::Transaction<'static, Db>,
    w: &DossierWrite,
    links: &[DocumentLink],
) -> DbResult<()> {
    for l in links {
        sqlx::query(
            "INSERT INTO documents (sha256, media_type, size, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&l.sha256)
        .bind(&l.media_type)
        .bind(l.size)
        .bind(l.created_at)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO dossier_documents (dossier_id, seq, component, sha256, source, reused_from, \
             result_code, owner_id, created_at, valid_until) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(w.row.id)
        .bind(l.seq)
        .bind(&l.component)
        .bind(&l.sha256)
        .bind(&l.source)
        .bind(&l.reused_from)
        .bind(&l.result_code)
        .bind(l.owner_id)
        .bind(l.created_at)
        .bind(&l.valid_until)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A dossier's files, in the order they were attached.
pub(super) async fn list(pool: &Pool<Db>, dossier: Uuid) -> DbResult<Vec<DocumentRecord>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE dd.dossier_id = $1 ORDER BY dd.seq"
    )))
    .bind(dossier)
    .fetch_all(pool)
    .await?)
}

/// Files held for a person or an account, newest first.
pub(super) async fn find(pool: &Pool<Db>, q: &DocumentQuery) -> DbResult<Vec<DocumentRecord>> {
    let mut qb = QueryBuilder::<Db>::new(SELECT);
    qb.push(" WHERE 1 = 1");
    if let Some(key) = &q.applicant_key {
        qb.push(" AND d.applicant_key = ").push_bind(key.clone());
    }
    if let Some(owner) = q.owner {
        qb.push(" AND dd.owner_id = ").push_bind(owner);
    }
    if let Some(sha) = &q.sha256 {
        qb.push(" AND dd.sha256 = ").push_bind(sha.clone());
    }
    if let Some(id) = q.exclude_dossier {
        qb.push(" AND dd.dossier_id <> ").push_bind(id);
    }
    if q.reusable_only {
        qb.push(
            " AND (dd.source = 'result' OR (dd.source IN ('scanned', 'uploaded') \
             AND d.received_at IS NOT NULL))",
        );
    }
    qb.push(" ORDER BY dd.created_at DESC, d.code, dd.seq LIMIT ")
        .push_bind(q.limit.clamp(1, 1000));
    Ok(qb.build_query_as().fetch_all(pool).await?)
}

/// Which of `hashes` have a `documents` row.
pub(super) async fn known(pool: &Pool<Db>, hashes: &[String]) -> DbResult<Vec<String>> {
    let mut out = Vec::new();
    for chunk in hashes.chunks(HASHES) {
        let mut qb = QueryBuilder::<Db>::new("SELECT sha256 FROM documents WHERE sha256 IN (");
        let mut sep = qb.separated(", ");
        for h in chunk {
            sep.push_bind(h.clone());
        }
        qb.push(")");
        let rows: Vec<(String,)> = qb.build_query_as().fetch_all(pool).await?;
        out.extend(rows.into_iter().map(|(h,)| h));
    }
    Ok(out)
}
