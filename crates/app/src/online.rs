//! Online lodging by a citizen through the portal's form: the account's own ID number, the
//! hourly limit, the dossier, then its files (uploaded or re-used from the citizen's held
//! documents). The JSON API lodges through [`crate::acting`]; this is the form's sequence,
//! whose refusals the page shows next to the form.

use bytes::Bytes;
use motcua_domain::auth::Role;
use motcua_domain::dossier::{Actor, CitizenId, DossierAction, MAX_COMPONENT_CHARS};
use uuid::Uuid;

use crate::acting::ActRequest;
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
                        consent: true,
                    };
                    let basis = docs::ReuseBasis::online(&caller.user.full_name, code);
                    docs::reuse(
                        self.store.as_ref(),
                        &self.blobs,
                        &calendar,
                        &row,
                        actor,
                        &input,
                        &basis,
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

/// The most files one online supplement carries.
pub const MAX_SUPPLEMENT_FILES: usize = 20;

impl App {
    /// The applicant answers a supplement request from their dossier's page: `files` are
    /// (item asked for, bytes). Everything is checked before anything is written (the caller
    /// owns the dossier, it waits for them at `version`, each file names an item asked for and
    /// passes the content and size check); then the files are attached and the supplement is
    /// sent, which resumes the clock. Returns the dossier after.
    pub async fn supplement_online(
        &self,
        caller: &Caller,
        code: &str,
        version: i32,
        files: Vec<(String, Bytes)>,
        note: Option<String>,
        limit: usize,
    ) -> Result<motcua_store::DossierRow, AppError> {
        let row = self.dossier(code).await?;
        let state = dossiers::state_of(&row)?;
        if state.owner != Some(caller.user.id) || !caller.user.roles().contains(&Role::Citizen) {
            return Err(AppError::Forbidden);
        }
        let Some(request) = state.open_request.as_ref() else {
            return Err(AppError::conflict(
                "not_awaiting_supplement",
                "Hồ sơ không ở trạng thái chờ bổ sung.",
            ));
        };
        if row.seq != version {
            return Err(AppError::conflict(
                "stale_dossier",
                "Hồ sơ vừa được cập nhật. Vui lòng tải lại trang và gửi lại.",
            ));
        }
        if files.is_empty() {
            return Err(AppError::field(
                "supplement_files_required",
                "files",
                "Chọn ít nhất một tệp cho giấy tờ được yêu cầu bổ sung.",
            ));
        }
        if files.len() > MAX_SUPPLEMENT_FILES {
            return Err(AppError::field(
                "too_many_files",
                "files",
                format!("Mỗi lần bổ sung gửi tối đa {MAX_SUPPLEMENT_FILES} tệp."),
            ));
        }
        for (item, bytes) in &files {
            if !request.missing.iter().any(|m| m == item) {
                return Err(AppError::field(
                    "not_asked",
                    "files",
                    format!("«{item}» không nằm trong danh sách giấy tờ cần bổ sung."),
                ));
            }
            docs::inspect(bytes, limit).await?;
        }
        let mut documents: Vec<String> = Vec::new();
        let uploads = files
            .into_iter()
            .map(|(item, bytes)| {
                let component = item.chars().take(MAX_COMPONENT_CHARS).collect();
                if !documents.contains(&item) {
                    documents.push(item);
                }
                OnlineFile::Upload { component, bytes }
            })
            .collect();
        self.attach_online(caller, code, uploads, limit).await?;
        let row = self.dossier(code).await?;
        let action = DossierAction::ProvideSupplement { documents, note };
        self.act(caller, code, row.seq, ActRequest::Other(Box::new(action)))
            .await
    }
}
