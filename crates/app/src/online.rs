//! Online lodging by a citizen through the portal's form: the account's own ID number, the
//! hourly limit, the dossier, then its files (uploaded or re-used from the citizen's held
//! documents). The JSON API lodges through [`crate::acting`]; this is the form's sequence,
//! whose refusals the page shows next to the form.

use bytes::Bytes;
use motcua_domain::auth::Role;
use motcua_domain::dossier::{Actor, CitizenId};
use uuid::Uuid;

use crate::auth::Caller;
use crate::documents::{self as docs, DocumentView, ReuseInput};
use crate::dossiers::{self, CreateDossier};
use crate::error::AppError;
use crate::state::App;
use motcua_store::Created;

/// A file of an online dossier: uploaded, or held already (by its SHA-256).
pub enum OnlineFile {
    Upload { component: String, bytes: Bytes },
    Reuse { component: String, sha256: String },
}

impl App {
    /// The ID number an online dossier of `user` carries: the account's own (`given` must
    /// match it when not empty).
    pub async fn own_id_number(&self, user: Uuid, given: &str) -> Result<CitizenId, AppError> {
        dossiers::own_id_number(self.store.as_ref(), user, given).await
    }

    /// The documents a citizen holds and may re-use.
    pub async fn reusable_documents(&self, user: Uuid) -> Result<Vec<DocumentView>, AppError> {
        docs::reusable_of_owner(self.store.as_ref(), user).await
    }

    /// Lodges a citizen's online dossier, within the hourly limit (refused with
    /// `InvalidKind::OverLimit`); `key` makes a resent form find the first dossier. Returns
    /// its code and whether it is new.
    pub async fn lodge_online(
        &self,
        caller: &Caller,
        input: CreateDossier,
        key: Option<&str>,
    ) -> Result<(String, bool), AppError> {
        dossiers::check_submission_limit(
            self.store.as_ref(),
            caller.user.id,
            self.config.citizen_submissions_per_hour,
        )
        .await?;
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let actor = Actor {
            user: caller.user.id,
            role: Role::Citizen,
        };
        let created = dossiers::create(
            self.store.as_ref(),
            &self.lookups,
            &calendar,
            actor,
            input,
            key,
        )
        .await?;
        Ok(match created {
            Created::New(c) => (c, true),
            Created::Existing(c) => (c, false),
        })
    }

    /// Attaches the files of a citizen's new online dossier `code`, each at most `limit`
    /// bytes, in order; returns how many.
    pub async fn attach_online(
        &self,
        caller: &Caller,
        code: &str,
        files: Vec<OnlineFile>,
        limit: usize,
    ) -> Result<usize, AppError> {
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let actor = Actor {
            user: caller.user.id,
            role: Role::Citizen,
        };
        let mut n = 0;
        for f in files {
            let row = self.dossier(code).await?;
            match f {
                OnlineFile::Upload { component, bytes } => {
                    docs::upload(
                        self.store.as_ref(),
                        &self.blobs,
                        &calendar,
                        &row,
                        row.seq,
                        actor,
                        &component,
                        bytes,
                        limit,
                    )
                    .await?;
                }
                OnlineFile::Reuse { component, sha256 } => {
                    let input = ReuseInput {
                        component,
                        sha256,
                        version: row.seq,
                        reason: None,
                    };
                    docs::reuse(
                        self.store.as_ref(),
                        &self.blobs,
                        &calendar,
                        &row,
                        actor,
                        &input,
                    )
                    .await?;
                }
            }
            n += 1;
        }
        Ok(n)
    }

    /// The status of the dossier `code`, as people read it.
    pub async fn status_label(&self, code: &str) -> Result<String, AppError> {
        let row = self.dossier(code).await?;
        Ok(dossiers::state_of(&row)
            .map(|st| st.status.label_vi().to_string())
            .unwrap_or_default())
    }
}
