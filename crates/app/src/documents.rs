//! Documents of dossiers (số hóa, Decree 45/2020, Circular 01/2023): a file uploaded for a
//! component (by the citizen online, scanned by the officer at the counter), the electronic
//! result with its code, a component re-used from the same person's earlier dossier, the
//! listings and the download, and the sweep of files no dossier holds.
//!
//! # No orphan file, no half-recorded document
//!
//! A file is checked by its content (PDF, JPEG, PNG signatures; the declared type and name are
//! ignored), hashed, and the command decided by the state machine *before* anything is
//! written: a refused command writes nothing. Then the file is put in the document store (if
//! it is not there yet, remembering whether this request wrote it), and the document rows go
//! in the dossier command's own transaction (events, projection, counters). If that
//! transaction fails (a stale version, a constraint, the database), the file is removed again
//! — only if this request wrote it and no dossier holds it ([`remove_unreferenced`]).
//!
//! Files are shared by content, so removing one races with another request committing the
//! same bytes. Both sides close the race with what they hold: the remover checks the database
//! before *and after* deleting and puts the bytes back if a dossier took the file meanwhile;
//! a committed request checks the file is still there and puts it back if not
//! (`keep_after_commit`). Whatever the interleaving, a committed document has its file.
//!
//! The limit: a process killed between writing the file and committing (or between a failed
//! commit and the removal) leaves a file no dossier holds. Nothing refers to it, it is never
//! served, and `motcua documents gc` ([`sweep`]) removes such files once they are older than
//! an hour (the age only spares requests still in flight; the rules above keep even those
//! safe).

use std::collections::HashSet;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use motcua_domain::auth::Role;
use motcua_domain::calendar::Calendar;
use motcua_domain::dossier::{
    Actor, CitizenId, Command, DocumentSource, DossierAction, DossierCode, MediaType, ResultForm,
};
use motcua_store::{DocumentLink, DocumentQuery, DocumentRecord, DossierRow, DossierWrite, Store};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::blobs::Blobs;
use crate::calendar::format_vn_instant;
use crate::dossiers::{applicant_key, prepare, stale, stale_or};
use crate::error::{AppError, InvalidKind};

/// What the result's row is called in a dossier's list of documents.
pub const RESULT_COMPONENT: &str = "Kết quả giải quyết";

/// Most documents listed for a person.
const HELD_LIMIT: i64 = 200;

/// A file of a dossier.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    /// The dossier's code.
    pub dossier: String,
    /// The component (thành phần hồ sơ); for the electronic result, "Kết quả giải quyết".
    pub component: String,
    /// Hex SHA-256 of the bytes: the file's name in the store and in download URLs.
    pub sha256: String,
    /// application/pdf, image/jpeg or image/png (read from the content).
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// scanned (at the counter), uploaded (online), reused (data already held) or result.
    pub source: String,
    /// The source in Vietnamese.
    pub source_label: String,
    /// Re-used: the code of the dossier it was taken from.
    pub reused_from: Option<String>,
    /// The electronic result of the dossier.
    pub result: bool,
    /// The electronic result's number (số, ký hiệu).
    pub result_code: Option<String>,
    /// The procedure of the dossier.
    pub procedure_code: String,
    /// When it was attached, Vietnam time (YYYY-MM-DDTHH:MM).
    pub at: String,
    /// The dossier event that attached it.
    pub seq: i32,
    /// Where the caller downloads it (absent where the caller may not read the dossier).
    pub download: Option<String>,
    /// Who issued it: for an electronic result, the agency that decided the dossier; absent
    /// for a digitised paper (its issuer is not recorded).
    pub issuer: Option<String>,
    /// Valid until (YYYY-MM-DD), where known.
    pub valid_until: Option<String>,
}

/// A document just attached, and the dossier's version after it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Attached {
    /// The version to name in the next action on the dossier.
    pub version: i32,
    pub document: DocumentView,
}

/// Re-use a file already held for the same person.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReuseInput {
    /// The component it stands for in this dossier.
    pub component: String,
    /// The file, as listed by `/documents/reusable` or `/me/documents`.
    pub sha256: String,
    /// The dossier version the caller saw.
    pub version: i32,
    /// Why an officer re-uses this person's file (1–500 characters; required of officers,
    /// recorded in the personal data access log). Citizens re-use their own files without one.
    #[serde(default)]
    pub reason: Option<String>,
    /// An officer confirms the person is present at the counter and agrees to this use of
    /// their data (Decree 13/2023/NĐ-CP; 422 `consent_required` otherwise). A citizen's own
    /// choice is their consent.
    #[serde(default)]
    pub consent: bool,
}

/// On what grounds a file is re-used: recorded with the re-use (Decree 13/2023/NĐ-CP).
#[derive(Debug, Clone)]
pub struct ReuseBasis {
    /// The actor's name, as recorded.
    pub actor_name: String,
    /// Why (an officer's reason; online: the dossier being lodged).
    pub purpose: String,
    /// `online` (the person chose it) or `in_person` (the person, present, agreed).
    pub consent: &'static str,
}

impl ReuseBasis {
    /// The citizen's own choice, for their dossier `code`.
    pub fn online(actor_name: &str, code: &str) -> Self {
        Self {
            actor_name: actor_name.to_string(),
            purpose: format!("Giải quyết hồ sơ {code} (người dân tự chọn khi nộp trực tuyến)"),
            consent: "online",
        }
    }
}

fn source_label(source: &str) -> &'static str {
    match source {
        "scanned" => DocumentSource::Scanned.label_vi(),
        "uploaded" => DocumentSource::Uploaded.label_vi(),
        "transferred" => "Nhận kèm hồ sơ liên thông",
        "result" => "Kết quả giải quyết điện tử",
        _ => "Sử dụng lại dữ liệu đã số hóa",
    }
}

/// The URL a document of dossier `code` is downloaded at.
pub fn download_url(code: &str, sha256: &str) -> String {
    format!("/api/v1/dossiers/{code}/documents/{sha256}")
}

pub fn view(r: &DocumentRecord, downloadable: bool) -> DocumentView {
    DocumentView {
        dossier: r.dossier_code.clone(),
        component: r.component.clone(),
        sha256: r.sha256.clone(),
        media_type: r.media_type.clone(),
        size: r.size,
        source: r.source.clone(),
        source_label: source_label(&r.source).to_string(),
        reused_from: r.reused_from.clone(),
        result: r.source == "result",
        result_code: r.result_code.clone(),
        procedure_code: r.procedure_code.clone(),
        at: format_vn_instant(r.created_at),
        seq: r.seq,
        download: downloadable.then(|| download_url(&r.dossier_code, &r.sha256)),
        issuer: if r.source == "result" {
            r.issuer.clone()
        } else {
            None
        },
        valid_until: r.valid_until.clone(),
    }
}

/// `20 MB`, `512 KB`, `1000 byte`.
pub fn human_size(n: usize) -> String {
    const MB: usize = 1024 * 1024;
    if n >= MB && n.is_multiple_of(MB) {
        format!("{} MB", n / MB)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KB", n / 1024)
    } else {
        format!("{n} byte")
    }
}

/// 413 `file_too_large`.
pub fn too_large(limit: usize) -> AppError {
    AppError::refused(
        InvalidKind::TooLarge,
        "file_too_large",
        format!(
            "Tệp vượt quá dung lượng cho phép (tối đa {}).",
            human_size(limit)
        ),
    )
}

/// What an uploaded file is: its type, read from its content, and its hex SHA-256. Empty: 422
/// `empty_file`; over `limit`: 413 `file_too_large`; not PDF, JPEG or PNG: 415
/// `unsupported_file_type`; a signature without the file behind it (an image header that does
/// not decode or is too large, a PDF without its structure): 422 `invalid_image`,
/// `image_too_large`, `invalid_pdf`.
pub async fn inspect(bytes: &Bytes, limit: usize) -> Result<(MediaType, String), AppError> {
    if bytes.is_empty() {
        return Err(AppError::invalid("empty_file", "Tệp tải lên rỗng."));
    }
    if bytes.len() > limit {
        return Err(too_large(limit));
    }
    let media_type = MediaType::sniff(bytes).ok_or_else(|| {
        AppError::refused(
            InvalidKind::UnsupportedType,
            "unsupported_file_type",
            "Chỉ nhận tệp PDF, JPEG hoặc PNG.",
        )
    })?;
    media_type
        .check_content(bytes)
        .map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
    let data = bytes.clone();
    let sha256 = tokio::task::spawn_blocking(move || crate::blobs::sha256_hex(&data))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((media_type, sha256))
}

/// Removes a file unless a dossier holds it; `true` if it was removed. Checks the database
/// before and after deleting, and puts `bytes` (read first when not given) back if a dossier
/// took the file in between.
pub async fn remove_unreferenced(
    store: &dyn Store,
    blobs: &Blobs,
    sha256: &str,
    bytes: Option<Bytes>,
) -> Result<bool, AppError> {
    let held = |s: &str| {
        let s = s.to_string();
        async move { Ok::<_, AppError>(!store.known_documents(&[s]).await?.is_empty()) }
    };
    if held(sha256).await? {
        return Ok(false);
    }
    let bytes = match bytes {
        Some(b) => b,
        None => match blobs.get(sha256).await? {
            Some(b) => b,
            None => return Ok(false),
        },
    };
    blobs.delete(sha256).await?;
    if held(sha256).await? {
        blobs.put(sha256, bytes).await?;
        return Ok(false);
    }
    Ok(true)
}

/// After a commit: the file must be there (a concurrent removal may have taken it).
async fn keep_after_commit(blobs: &Blobs, sha256: &str, bytes: Bytes) {
    let kept = match blobs.exists(sha256).await {
        Ok(true) => Ok(()),
        Ok(false) => blobs.put(sha256, bytes).await,
        Err(e) => Err(e),
    };
    if let Err(e) = kept {
        tracing::error!(sha256, error = %e, "a recorded document's file could not be confirmed");
    }
}

/// Puts the file, then runs the dossier transaction; undoes the file if the transaction fails.
#[allow(clippy::too_many_arguments)]
async fn commit_with_file(
    store: &dyn Store,
    blobs: &Blobs,
    row: &DossierRow,
    expected: i32,
    write: &DossierWrite,
    link: &DocumentLink,
    bytes: Bytes,
) -> Result<(), AppError> {
    let created = blobs.put_if_absent(&link.sha256, bytes.clone()).await?;
    // The optimistic-concurrency check is part of the commit: a stale version fails here.
    let committed = if row.seq != expected {
        Err(stale())
    } else {
        store
            .append_dossier_documents(expected, write, std::slice::from_ref(link))
            .await
            .map_err(stale_or)
    };
    match committed {
        Ok(()) => {
            keep_after_commit(blobs, &link.sha256, bytes).await;
            Ok(())
        }
        Err(e) => {
            if created
                && let Err(undo) =
                    remove_unreferenced(store, blobs, &link.sha256, Some(bytes)).await
            {
                // Left for `motcua documents gc`.
                tracing::warn!(sha256 = %link.sha256, error = %undo, "could not remove the file of a failed upload");
            }
            Err(e)
        }
    }
}

/// The document row of an attachment, from the state after it (its last document).
fn link_of(
    state: &motcua_domain::dossier::DossierState,
    source: &str,
    reused_from: Option<String>,
) -> Result<DocumentLink, AppError> {
    let d = state
        .documents
        .last()
        .ok_or_else(|| AppError::Internal("no document in the state after an attachment".into()))?;
    Ok(DocumentLink {
        seq: state.version as i32,
        component: d.component.clone(),
        sha256: d.sha256.clone(),
        media_type: d.media_type.as_str().to_string(),
        size: d.size as i64,
        source: source.to_string(),
        reused_from,
        result_code: None,
        owner_id: state.owner,
        created_at: d.at,
        valid_until: None,
    })
}

fn record_of(row: &DossierRow, link: &DocumentLink) -> DocumentRecord {
    DocumentRecord {
        dossier_id: row.id,
        dossier_code: row.code.clone(),
        procedure_code: row.procedure_code.clone(),
        seq: link.seq,
        component: link.component.clone(),
        sha256: link.sha256.clone(),
        media_type: link.media_type.clone(),
        size: link.size,
        source: link.source.clone(),
        reused_from: link.reused_from.clone(),
        result_code: link.result_code.clone(),
        owner_id: link.owner_id,
        created_at: link.created_at,
        valid_until: link.valid_until.clone(),
        issuer: None,
    }
}

/// Attaches an uploaded file to a component: the citizen's upload online, or the officer's
/// scan at the counter (the actor's role says which). `limit` is the upload size limit.
#[allow(clippy::too_many_arguments)]
pub async fn upload(
    store: &dyn Store,
    blobs: &Blobs,
    calendar: &Calendar,
    row: &DossierRow,
    expected: i32,
    actor: Actor,
    component: &str,
    bytes: Bytes,
    limit: usize,
) -> Result<Attached, AppError> {
    let source = match actor.role {
        Role::Citizen => DocumentSource::Uploaded,
        _ => DocumentSource::Scanned,
    };
    attach(
        store, blobs, calendar, row, expected, actor, component, bytes, limit, source,
    )
    .await
}

/// Attaches a file that came with a dossier from `peer` (liên thông), as this deployment's
/// system actor, at the dossier's current version.
#[allow(clippy::too_many_arguments)]
pub async fn attach_transferred(
    store: &dyn Store,
    blobs: &Blobs,
    calendar: &Calendar,
    row: &DossierRow,
    actor: Actor,
    component: &str,
    bytes: Bytes,
    limit: usize,
    peer: &str,
) -> Result<Attached, AppError> {
    let source = DocumentSource::Transferred {
        peer: peer.to_string(),
    };
    attach(
        store, blobs, calendar, row, row.seq, actor, component, bytes, limit, source,
    )
    .await
}

/// Attaches `bytes` to `component` from `source`, in one transaction with its event.
#[allow(clippy::too_many_arguments)]
async fn attach(
    store: &dyn Store,
    blobs: &Blobs,
    calendar: &Calendar,
    row: &DossierRow,
    expected: i32,
    actor: Actor,
    component: &str,
    bytes: Bytes,
    limit: usize,
    source: DocumentSource,
) -> Result<Attached, AppError> {
    let (media_type, sha256) = inspect(&bytes, limit).await?;
    let key = source.key();
    let command = Command {
        actor,
        at: Utc::now(),
        action: DossierAction::AttachDocument {
            component: component.to_string(),
            sha256,
            media_type,
            size: bytes.len() as u64,
            source,
        },
    };
    let (write, state) = prepare(store, calendar, row, command).await?;
    let link = link_of(&state, key, None)?;
    commit_with_file(store, blobs, row, expected, &write, &link, bytes).await?;
    Ok(Attached {
        version: state.version as i32,
        document: view(&record_of(row, &link), true),
    })
}

/// Records the electronic result: its number and its file (a PDF, JPEG or PNG), as
/// `record_result` with an electronic form whose file is `sha256:<hex>`.
#[allow(clippy::too_many_arguments)]
pub async fn upload_result(
    store: &dyn Store,
    blobs: &Blobs,
    calendar: &Calendar,
    row: &DossierRow,
    expected: i32,
    actor: Actor,
    result_code: &str,
    bytes: Bytes,
    limit: usize,
) -> Result<Attached, AppError> {
    let (media_type, sha256) = inspect(&bytes, limit).await?;
    let now = Utc::now();
    let command = Command {
        actor,
        at: now,
        action: DossierAction::RecordResult {
            result_code: result_code.to_string(),
            form: ResultForm::Electronic {
                file_ref: format!("sha256:{sha256}"),
            },
        },
    };
    let (write, state) = prepare(store, calendar, row, command).await?;
    let link = DocumentLink {
        seq: state.version as i32,
        component: RESULT_COMPONENT.to_string(),
        sha256,
        media_type: media_type.as_str().to_string(),
        size: bytes.len() as i64,
        source: "result".into(),
        reused_from: None,
        result_code: state.result.as_ref().map(|r| r.result_code.clone()),
        owner_id: state.owner,
        created_at: now,
        valid_until: None,
    };
    commit_with_file(store, blobs, row, expected, &write, &link, bytes).await?;
    Ok(Attached {
        version: state.version as i32,
        document: view(&record_of(row, &link), true),
    })
}

/// Attaches a file already held for the same person: a result or a checked component of
/// another of their dossiers, from the person's data store. A citizen re-uses only into a
/// dossier of their own ID number (403 otherwise: a dossier lodged for someone else under an
/// authorisation draws on nobody's store). Nothing is uploaded; the file is shared. The re-use
/// is recorded with its `basis` in the transaction that attaches it.
pub async fn reuse(
    store: &dyn Store,
    blobs: &Blobs,
    calendar: &Calendar,
    row: &DossierRow,
    actor: Actor,
    input: &ReuseInput,
    basis: &ReuseBasis,
) -> Result<Attached, AppError> {
    let sha256 = input.sha256.trim().to_ascii_lowercase();
    let not_held = || {
        AppError::invalid(
            "document_not_reusable",
            "Không có giấy tờ này trong dữ liệu đã số hóa của người nộp hồ sơ.",
        )
    };
    if actor.role == Role::Citizen && own_key(store, actor.user).await? != row.applicant_key {
        return Err(AppError::Forbidden);
    }
    if !motcua_domain::dossier::is_sha256_hex(&sha256) {
        return Err(not_held());
    }
    let held = store
        .find_documents(&DocumentQuery {
            applicant_key: Some(row.applicant_key.clone()),
            owner: None,
            sha256: Some(sha256.clone()),
            exclude_dossier: Some(row.id),
            reusable_only: true,
            limit: 1,
        })
        .await?;
    let held = held.into_iter().next().ok_or_else(not_held)?;
    if !blobs.exists(&sha256).await? {
        return Err(AppError::Internal(format!(
            "the file {sha256} of dossier {} is missing from the document store",
            held.dossier_code
        )));
    }
    let from_dossier = DossierCode::parse(&held.dossier_code)
        .map_err(|e| AppError::Internal(format!("stored dossier code: {e}")))?;
    let media_type = MediaType::parse(&held.media_type)
        .ok_or_else(|| AppError::Internal(format!("stored media type {}", held.media_type)))?;
    let command = Command {
        actor,
        at: Utc::now(),
        action: DossierAction::AttachDocument {
            component: input.component.clone(),
            sha256,
            media_type,
            size: held.size.max(0) as u64,
            source: DocumentSource::Reused {
                from_dossier: from_dossier.clone(),
            },
        },
    };
    let (write, state) = prepare(store, calendar, row, command).await?;
    let link = link_of(&state, "reused", Some(from_dossier.to_string()))?;
    if row.seq != input.version {
        return Err(stale());
    }
    let record = motcua_store::ReuseRecord {
        id: Uuid::now_v7(),
        applicant_key: row.applicant_key.clone(),
        dossier_id: row.id,
        dossier_code: row.code.clone(),
        seq: link.seq,
        component: link.component.clone(),
        sha256: link.sha256.clone(),
        from_dossier: from_dossier.to_string(),
        actor_id: actor.user,
        actor_name: basis.actor_name.clone(),
        actor_role: actor.role.as_str().to_string(),
        purpose: basis.purpose.clone(),
        consent: basis.consent.to_string(),
        created_at: link.created_at,
    };
    store
        .append_dossier_reuse(input.version, &write, &link, &record)
        .await
        .map_err(stale_or)?;
    Ok(Attached {
        version: state.version as i32,
        document: view(&record_of(row, &link), true),
    })
}

/// A dossier's documents, in the order they were attached.
pub async fn list(store: &dyn Store, row: &DossierRow) -> Result<Vec<DocumentView>, AppError> {
    Ok(store
        .dossier_documents(row.id)
        .await?
        .iter()
        .map(|r| view(r, true))
        .collect())
}

/// A document of a dossier and its bytes; 404 if the dossier does not hold that file.
pub async fn open(
    store: &dyn Store,
    blobs: &Blobs,
    row: &DossierRow,
    sha256: &str,
) -> Result<(DocumentRecord, Bytes), AppError> {
    let record = store
        .dossier_documents(row.id)
        .await?
        .into_iter()
        .find(|r| r.sha256 == sha256)
        .ok_or(AppError::NotFound("tệp"))?;
    let bytes = blobs.get(sha256).await?.ok_or_else(|| {
        AppError::Internal(format!(
            "the file {sha256} of dossier {} is missing from the document store",
            row.code
        ))
    })?;
    Ok((record, bytes))
}

/// One entry per file (the newest), in the order given.
fn distinct(records: Vec<DocumentRecord>) -> Vec<DocumentRecord> {
    let mut seen = HashSet::new();
    records
        .into_iter()
        .filter(|r| seen.insert(r.sha256.clone()))
        .collect()
}

/// What may be offered for re-use to the person with this ID number (at the counter, the
/// person shows the card): results and checked components of their dossiers, newest first.
/// Not downloadable from here: a file is read through a dossier the caller may read, once
/// attached.
pub async fn reusable_for(
    store: &dyn Store,
    id_number: &str,
) -> Result<Vec<DocumentView>, AppError> {
    let id = CitizenId::parse(id_number.trim())
        .map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
    let found = store
        .find_documents(&DocumentQuery {
            applicant_key: Some(applicant_key(id.as_str())),
            reusable_only: true,
            limit: HELD_LIMIT,
            ..DocumentQuery::default()
        })
        .await?;
    Ok(distinct(found).iter().map(|r| view(r, false)).collect())
}

/// The longest reason an officer gives for looking a person's documents up.
pub const MAX_LOOKUP_REASON_CHARS: usize = 500;

/// An officer's look-up of what is held for the person at the counter, by ID number: the
/// officer says why (1–500 characters, 422 `reason_required`), sees only dossiers lodged in
/// their own province (an agency without a province: its agency tree), and every dossier shown
/// is recorded in the personal data access log with the reason.
pub async fn reusable_for_officer(
    state: &crate::state::App,
    caller: &crate::auth::Caller,
    id_number: &str,
    reason: Option<&str>,
    origin: &crate::access_log::ReadOrigin,
) -> Result<Vec<DocumentView>, AppError> {
    let reason = lookup_reason(reason)?;
    let store = state.store.as_ref();
    let mine = officer_provinces(store, caller).await?;
    let mut shown = Vec::new();
    let mut logged: Vec<String> = Vec::new();
    for item in reusable_for(store, id_number).await? {
        let row = store.dossier_by_code(&item.dossier).await?;
        if !mine.contains(&province_scope(store, row.intake_agency_id).await?) {
            continue;
        }
        if !logged.contains(&row.code) {
            let read = crate::access_log::Read::ReuseLookup;
            crate::access_log::record_why(state, caller, &row, read, &reason, origin).await?;
            logged.push(row.code.clone());
        }
        shown.push(item);
    }
    Ok(shown)
}

/// An officer's reason for reading or re-using a person's documents: 1–500 characters of
/// plain text (422 `reason_required` otherwise).
fn lookup_reason(reason: Option<&str>) -> Result<String, AppError> {
    let reason = motcua_domain::input::nfc(reason.unwrap_or_default().trim());
    if reason.is_empty() || reason.chars().count() > MAX_LOOKUP_REASON_CHARS {
        return Err(AppError::field(
            "reason_required",
            "reason",
            format!(
                "Cần ghi lý do tra cứu, sử dụng lại giấy tờ của người này (có mặt tại Bộ phận \
                 Một cửa), không quá {MAX_LOOKUP_REASON_CHARS} ký tự."
            ),
        ));
    }
    motcua_domain::input::check("reason", &reason).map_err(|e| AppError::text(&e))?;
    Ok(reason)
}

/// The provinces (or agency trees) where the caller receives dossiers.
async fn officer_provinces(
    store: &dyn Store,
    caller: &crate::auth::Caller,
) -> Result<Vec<String>, AppError> {
    let mut mine = Vec::new();
    for grant in &caller.user.grants {
        if grant.role == motcua_domain::auth::Role::ReceivingOfficer
            && let Some(agency) = grant.agency
        {
            mine.push(province_scope(store, agency).await?);
        }
    }
    Ok(mine)
}

/// An officer attaches a file held for the person present at the counter: as [`reuse`], with
/// a reason (422 `reason_required`), only from dossiers lodged in the officer's own province
/// (what `/documents/reusable` lists; 422 `document_not_reusable` otherwise), and recorded in
/// the personal data access log against the dossier the file comes from.
pub async fn reuse_for_person(
    state: &crate::state::App,
    caller: &crate::auth::Caller,
    row: &DossierRow,
    actor: Actor,
    input: &ReuseInput,
    origin: &crate::access_log::ReadOrigin,
) -> Result<Attached, AppError> {
    let reason = lookup_reason(input.reason.as_deref())?;
    if !input.consent {
        return Err(AppError::field(
            "consent_required",
            "consent",
            "Chỉ sử dụng lại giấy tờ của người có mặt tại Bộ phận Một cửa và đồng ý: xác nhận \
             người này có mặt và đồng ý.",
        ));
    }
    let store = state.store.as_ref();
    let sha256 = input.sha256.trim().to_ascii_lowercase();
    let held = store
        .find_documents(&DocumentQuery {
            applicant_key: Some(row.applicant_key.clone()),
            sha256: Some(sha256),
            exclude_dossier: Some(row.id),
            reusable_only: true,
            limit: HELD_LIMIT,
            ..DocumentQuery::default()
        })
        .await?;
    let mine = officer_provinces(store, caller).await?;
    let mut source = None;
    for h in &held {
        let from = store.dossier_by_code(&h.dossier_code).await?;
        if mine.contains(&province_scope(store, from.intake_agency_id).await?) {
            source = Some(from);
            break;
        }
    }
    let Some(source) = source else {
        return Err(AppError::invalid(
            "document_not_reusable",
            "Không có giấy tờ này trong dữ liệu đã số hóa của người nộp hồ sơ tại tỉnh, thành phố \
             của cơ quan.",
        ));
    };
    let read = crate::access_log::Read::Reuse;
    crate::access_log::record_why(state, caller, &source, read, &reason, origin).await?;
    let calendar = state.calendar.get(store).await?;
    let basis = ReuseBasis {
        actor_name: caller.user.full_name.clone(),
        purpose: reason,
        consent: "in_person",
    };
    reuse(store, &state.blobs, &calendar, row, actor, input, &basis).await
}

/// The province an agency serves (its code), or for an agency without one the root of its
/// agency tree.
async fn province_scope(store: &dyn Store, agency: Uuid) -> Result<String, AppError> {
    let mut a = store.get_agency(agency).await?;
    for _ in 0..16 {
        if let Some(p) = &a.province_code {
            return Ok(format!("province:{p}"));
        }
        match a.parent_id {
            Some(parent) => a = store.get_agency(parent).await?,
            None => break,
        }
    }
    Ok(format!("root:{}", a.id))
}

/// The applicant key of a citizen account's bound ID number (403 `account_not_bound` when
/// it has none).
pub async fn own_key(store: &dyn Store, user: Uuid) -> Result<String, AppError> {
    let id = crate::dossiers::own_id_number(store, user, "").await?;
    Ok(applicant_key(id.as_str()))
}

/// A citizen's data store: the electronic results and checked components of every dossier of
/// their bound ID number, whoever lodged it and at whichever agency, newest first, one entry
/// per file. Downloaded through `/me/data-store/{sha256}` ([`open_held`]).
pub async fn reusable_of_owner(
    store: &dyn Store,
    user: Uuid,
) -> Result<Vec<DocumentView>, AppError> {
    let found = store
        .find_documents(&DocumentQuery {
            applicant_key: Some(own_key(store, user).await?),
            reusable_only: true,
            limit: HELD_LIMIT,
            ..DocumentQuery::default()
        })
        .await?;
    Ok(distinct(found)
        .iter()
        .map(|r| DocumentView {
            download: Some(format!("/api/v1/me/data-store/{}", r.sha256)),
            ..view(r, false)
        })
        .collect())
}

/// A file of the citizen's data store and its bytes; 404 when it is not in their store.
pub async fn open_held(
    store: &dyn Store,
    blobs: &Blobs,
    user: Uuid,
    sha256: &str,
) -> Result<(DocumentRecord, Bytes), AppError> {
    let sha256 = sha256.trim().to_ascii_lowercase();
    if !motcua_domain::dossier::is_sha256_hex(&sha256) {
        return Err(AppError::NotFound("tệp"));
    }
    let record = store
        .find_documents(&DocumentQuery {
            applicant_key: Some(own_key(store, user).await?),
            sha256: Some(sha256.clone()),
            reusable_only: true,
            limit: 1,
            ..DocumentQuery::default()
        })
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound("tệp"))?;
    let bytes = blobs.get(&sha256).await?.ok_or_else(|| {
        AppError::Internal(format!(
            "the file {sha256} is missing from the document store"
        ))
    })?;
    Ok((record, bytes))
}

/// What a sweep of the document store did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SweepReport {
    /// Files in the store.
    pub files: usize,
    /// Files some dossier holds.
    pub held: usize,
    /// Files no dossier holds, younger than the minimum age: left alone.
    pub young: usize,
    /// Files no dossier holds, removed.
    pub removed: usize,
}

/// Removes the files no dossier holds that are older than `min_age` (left by a process that
/// died between writing a file and committing its dossier command).
pub async fn sweep(
    store: &dyn Store,
    blobs: &Blobs,
    min_age: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<SweepReport, AppError> {
    let files = blobs.list().await?;
    let hashes: Vec<String> = files.iter().map(|f| f.sha256.clone()).collect();
    let held: HashSet<String> = store.known_documents(&hashes).await?.into_iter().collect();
    let mut report = SweepReport {
        files: files.len(),
        held: held.len(),
        ..SweepReport::default()
    };
    for f in files.iter().filter(|f| !held.contains(&f.sha256)) {
        if f.last_modified > now - min_age {
            report.young += 1;
        } else if remove_unreferenced(store, blobs, &f.sha256, None).await? {
            report.removed += 1;
        } else {
            report.held += 1;
        }
    }
    Ok(report)
}
