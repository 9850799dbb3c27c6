//! Documents attached to dossiers (see `documents_sql.rs`); the bytes live in the blob store, not here.

use async_trait::async_trait;
use uuid::Uuid;

use crate::*;

#[async_trait]
pub trait Documents: Send + Sync {
    /// Appends a command's events as [`Dossiers::append_dossier`] does (same `Conflict`) and
    /// records the files it attached (each file once in `documents`; the dossier, event and
    /// component in `dossier_documents`), all in ONE transaction.
    async fn append_dossier_documents(
        &self,
        expected_seq: i32,
        write: &DossierWrite,
        links: &[DocumentLink],
    ) -> DbResult<()>;
    /// A dossier's files, in the order they were attached.
    async fn dossier_documents(&self, dossier: Uuid) -> DbResult<Vec<DocumentRecord>>;
    /// Files held for a person or an account (every filter of `q`), newest first.
    async fn find_documents(&self, q: &DocumentQuery) -> DbResult<Vec<DocumentRecord>>;
    /// Which of these hashes some dossier holds (a `documents` row).
    async fn known_documents(&self, sha256: &[String]) -> DbResult<Vec<String>>;
}
