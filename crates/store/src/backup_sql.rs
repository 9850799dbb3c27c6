//! Backup SQL (part of the one SQL body, included from `sql.rs`): the row count of every table
//! and the migrations applied, read on one connection so a caller can read them inside the
//! snapshot it copies (see [`crate::Backups::snapshot_to`]).

use super::super::{Db, TABLES_SQL};
use crate::DbResult;
use crate::backup::Snapshot;

/// Every table of the schema with its row count, by name, and the migrations applied.
pub(crate) async fn snapshot_of(
    conn: &mut <Db as sqlx::Database>::Connection,
) -> DbResult<Snapshot> {
    let names: Vec<(String,)> = sqlx::query_as(TABLES_SQL).fetch_all(&mut *conn).await?;
    let mut counts = std::collections::BTreeMap::new();
    for (name,) in names {
        // The name comes from the catalogue; quoting keeps it one identifier.
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\""));
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await?;
        counts.insert(name, n);
    }
    let migrations: Vec<(i64,)> =
        sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut *conn)
            .await?;
    Ok(Snapshot {
        counts,
        migrations: migrations.into_iter().map(|(v,)| v).collect(),
    })
}
