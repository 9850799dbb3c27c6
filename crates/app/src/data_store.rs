//! The citizen's data store (kho quản lý dữ liệu điện tử của tổ chức, cá nhân, Decree
//! 45/2020/NĐ-CP art. 16) and its use (#20): what a person holds across dossiers and agencies
//! (the electronic results and checked papers of every dossier of their ID number), every
//! re-use of it with the consent it was given under (Decree 13/2023/NĐ-CP: who, what, for which
//! dossier, when, why), and the verification of a local citizen account at the counter, which
//! binds it to the number the store is found by.

use chrono::Utc;
use motcua_domain::auth::Role;
use motcua_domain::dossier::CitizenId;
use motcua_store::{AccountVerification, DbError, ReuseRecord};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Caller;
use crate::calendar::format_vn_instant;
use crate::documents::{self as docs, DocumentView};
use crate::error::AppError;
use crate::state::App;

/// Most re-uses listed.
const REUSES_LIMIT: i64 = 200;
/// The longest description of the document an officer saw.
pub const MAX_VERIFY_DOCUMENT_CHARS: usize = 200;

/// One use of the person's data in a dossier.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReuseView {
    /// The dossier it was used for.
    pub dossier: String,
    /// The component it stands for there.
    pub component: String,
    /// The file (hex SHA-256).
    pub sha256: String,
    /// The dossier it was taken from.
    pub from_dossier: String,
    /// Who used it (the account's name then).
    pub by: String,
    /// citizen or receiving_officer.
    pub role: String,
    /// The role in Vietnamese.
    pub role_label: String,
    /// Why.
    pub purpose: String,
    /// online (the person chose it when lodging) or in_person (the person, present at the
    /// counter, agreed).
    pub consent: String,
    /// The consent in Vietnamese.
    pub consent_label: String,
    /// When, Vietnam time (YYYY-MM-DDTHH:MM).
    pub at: String,
}

/// A citizen's data store: what they hold and every use of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DataStoreView {
    /// The personal identification number the store is kept under.
    pub id_number: String,
    /// Electronic results and checked papers, newest first, one entry per file (at most 200).
    pub documents: Vec<DocumentView>,
    /// Every re-use of them, with its consent, newest first (at most 200).
    pub reuses: Vec<ReuseView>,
}

/// An officer's verification of a local citizen account at the counter.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// The personal identification number on the card the officer saw (12 digits).
    pub id_number: String,
    /// The document seen: its kind and number, e.g. "Căn cước số 038190004321" (1–200 characters).
    pub document: String,
}

/// A verification as recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VerificationView {
    pub username: String,
    pub id_number: String,
    /// The officer who saw the card (username).
    pub officer: String,
    pub document: String,
    /// When, Vietnam time (YYYY-MM-DDTHH:MM).
    pub at: String,
}

fn consent_label(consent: &str) -> &'static str {
    match consent {
        "online" => "Người dân tự chọn khi nộp trực tuyến",
        _ => "Người dân có mặt tại Bộ phận Một cửa và đồng ý",
    }
}

fn reuse_view(r: &ReuseRecord) -> ReuseView {
    let role_label = Role::parse(&r.actor_role)
        .map(|r| r.label_vi())
        .unwrap_or("—");
    ReuseView {
        dossier: r.dossier_code.clone(),
        component: r.component.clone(),
        sha256: r.sha256.clone(),
        from_dossier: r.from_dossier.clone(),
        by: r.actor_name.clone(),
        role: r.actor_role.clone(),
        role_label: role_label.to_string(),
        purpose: r.purpose.clone(),
        consent: r.consent.clone(),
        consent_label: consent_label(&r.consent).to_string(),
        at: format_vn_instant(r.created_at),
    }
}

impl App {
    /// The signed-in citizen's data store (403 for other roles, 403 `account_not_bound` for an
    /// account not yet tied to a person).
    pub async fn data_store(&self, caller: &Caller) -> Result<DataStoreView, AppError> {
        if !caller.user.roles().contains(&Role::Citizen) {
            return Err(AppError::Forbidden);
        }
        let store = self.store.as_ref();
        let id = crate::dossiers::own_id_number(store, caller.user.id, "").await?;
        let key = crate::dossiers::applicant_key(id.as_str());
        let documents = docs::reusable_of_owner(store, caller.user.id).await?;
        let reuses = store.reuses_of(&key, REUSES_LIMIT).await?;
        Ok(DataStoreView {
            id_number: id.to_string(),
            documents,
            reuses: reuses.iter().map(reuse_view).collect(),
        })
    }

    /// A file of the signed-in citizen's data store and its bytes (404 when it is not theirs).
    pub async fn held_file(
        &self,
        caller: &Caller,
        sha256: &str,
    ) -> Result<(motcua_store::DocumentRecord, bytes::Bytes), AppError> {
        if !caller.user.roles().contains(&Role::Citizen) {
            return Err(AppError::Forbidden);
        }
        docs::open_held(self.store.as_ref(), &self.blobs, caller.user.id, sha256).await
    }

    /// A receiving officer (or an administrator) who saw the person's card verifies the local
    /// citizen account `username`: it is bound to the card's number, recorded with the officer,
    /// the instant and the document. Refused: 403 for other roles, 404 for an unknown account,
    /// 422 `not_a_citizen_account`, `invalid_id_number`, `document_required`; 409
    /// `account_already_bound`, `id_number_taken` (another account holds the number).
    pub async fn verify_account(
        &self,
        caller: &Caller,
        username: &str,
        input: &VerifyInput,
    ) -> Result<VerificationView, AppError> {
        let principal = caller.principal();
        if !principal.has_role(Role::ReceivingOfficer) && !principal.has_role(Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let account = self.user_by_username(username.trim()).await?;
        if account.roles() != [Role::Citizen] {
            return Err(AppError::field(
                "not_a_citizen_account",
                "username",
                "Chỉ xác thực tài khoản của công dân.",
            ));
        }
        let id = CitizenId::parse(input.id_number.trim())
            .map_err(|e| AppError::field(e.code(), "id_number", e.message_vi()))?;
        let document = motcua_domain::input::nfc(input.document.trim());
        if document.is_empty() || document.chars().count() > MAX_VERIFY_DOCUMENT_CHARS {
            return Err(AppError::field(
                "document_required",
                "document",
                format!(
                    "Ghi giấy tờ đã kiểm tra (loại và số, ví dụ «Căn cước số …»), không quá \
                     {MAX_VERIFY_DOCUMENT_CHARS} ký tự."
                ),
            ));
        }
        motcua_domain::input::check("document", &document).map_err(|e| AppError::text(&e))?;
        if account.id_number.is_some() {
            return Err(already_bound());
        }
        let v = AccountVerification {
            id: Uuid::now_v7(),
            user_id: account.id,
            id_number: id.to_string(),
            officer_id: caller.user.id,
            document,
            verified_at: Utc::now(),
        };
        match self.store.verify_account(&v).await {
            Ok(()) => {}
            Err(DbError::NotFound) => return Err(already_bound()),
            Err(DbError::Conflict(_)) => {
                return Err(AppError::conflict(
                    "id_number_taken",
                    "Số định danh cá nhân này đã gắn với một tài khoản khác.",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        self.changed(crate::changes::Changed::Accounts).await;
        tracing::info!(user = %account.id, officer = %caller.user.id, "citizen account verified at the counter");
        Ok(VerificationView {
            username: account.username,
            id_number: v.id_number,
            officer: caller.user.username.clone(),
            document: v.document,
            at: format_vn_instant(v.verified_at),
        })
    }

    /// The verifications of the signed-in account at the counter.
    pub async fn my_verifications(
        &self,
        caller: &Caller,
    ) -> Result<Vec<VerificationView>, AppError> {
        let store = self.store.as_ref();
        let mut out = Vec::new();
        for v in store.verifications_of(caller.user.id).await? {
            let officer = store
                .get_user(v.officer_id)
                .await
                .map(|u| u.full_name)
                .unwrap_or_default();
            out.push(VerificationView {
                username: caller.user.username.clone(),
                id_number: v.id_number,
                officer,
                document: v.document,
                at: format_vn_instant(v.verified_at),
            });
        }
        Ok(out)
    }
}

fn already_bound() -> AppError {
    AppError::conflict(
        "account_already_bound",
        "Tài khoản đã được xác thực, gắn với số định danh cá nhân.",
    )
}
