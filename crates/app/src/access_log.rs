//! The personal data access log (Decree 13/2023/NĐ-CP): every read of a dossier's personal
//! data by staff (the dossier's JSON, its officers' page, a document download, a form with the
//! applicant's data) is recorded by the request that reads it, before the data is sent: who,
//! when, which dossier, from where (address, user agent). The store commits the rows in the
//! background, many to a transaction, and refuses the read while it cannot write them; a
//! clean stop writes every queued row (the window is described in the store's
//! `access_log_sql.rs`). Reads by the dossier's own applicant are not staff reads and
//! are not recorded. Administrators list the reads of one person's dossiers by ID number.

use chrono::Utc;
use motcua_domain::dossier::CitizenId;
use motcua_store::{DossierRow, PersonalDataRead};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dossiers::{applicant_key, owner_of};
use crate::error::AppError;
use crate::state::App;

/// The longest user agent kept.
pub const MAX_USER_AGENT_CHARS: usize = 300;
/// The most reads one listing returns.
pub const MAX_LISTED: i64 = 10_000;

/// Where a request comes from: the client's address and user agent.
#[derive(Debug, Clone, Default)]
pub struct ReadOrigin {
    pub ip: String,
    pub user_agent: String,
}

/// A dossier read by `caller`: found by its code, the read authorised (see
/// [`App::readable`]) and recorded.
pub async fn read_dossier(
    state: &App,
    caller: &Caller,
    code: &str,
    what: Read,
    origin: &ReadOrigin,
) -> Result<DossierRow, AppError> {
    let row = state.dossier(code).await?;
    state.readable(caller, &row).await?;
    record(state, caller, &row, what, origin).await?;
    Ok(row)
}

/// What of a dossier was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Dossier,
    Document,
    Form,
    /// An officer's look-up of the documents held for a person, by ID number.
    ReuseLookup,
    /// An officer's attaching of a person's held document to a dossier (sử dụng lại).
    Reuse,
}

impl Read {
    pub fn as_str(self) -> &'static str {
        match self {
            Read::Dossier => "dossier",
            Read::Document => "document",
            Read::Form => "form",
            Read::ReuseLookup => "reuse_lookup",
            Read::Reuse => "reuse",
        }
    }

    pub fn label_vi(s: &str) -> &'static str {
        match s {
            "dossier" => "Xem hồ sơ",
            "document" => "Tải tệp giấy tờ",
            "form" => "Xem, in biểu mẫu",
            "reuse_lookup" => "Tra cứu giấy tờ để sử dụng lại",
            "reuse" => "Sử dụng lại giấy tờ vào hồ sơ",
            _ => "Khác",
        }
    }
}

/// Records a read of `row`'s personal data by `caller`, unless the caller is its applicant.
/// Call after the read is authorised and before the data is sent.
pub async fn record(
    state: &App,
    caller: &Caller,
    row: &DossierRow,
    what: Read,
    origin: &ReadOrigin,
) -> Result<(), AppError> {
    record_why(state, caller, row, what, "", origin).await
}

/// [`record`] with the reason the reader gave.
pub async fn record_why(
    state: &App,
    caller: &Caller,
    row: &DossierRow,
    what: Read,
    reason: &str,
    origin: &ReadOrigin,
) -> Result<(), AppError> {
    if owner_of(row)? == Some(caller.user.id) {
        return Ok(());
    }
    state
        .store
        .record_personal_data_read(&PersonalDataRead {
            id: Uuid::now_v7(),
            at: Utc::now(),
            user_id: caller.user.id,
            username: caller.user.username.clone(),
            dossier_id: row.id,
            dossier_code: row.code.clone(),
            applicant_key: row.applicant_key.clone(),
            what: what.as_str().to_string(),
            reason: reason.to_string(),
            ip: origin.ip.clone(),
            user_agent: origin.user_agent.clone(),
        })
        .await?;
    Ok(())
}

/// The reads of the dossiers of the person with this ID number, newest first (administrators;
/// the caller's authorisation is the handler's).
pub async fn reads_of(state: &App, id_number: &str) -> Result<Vec<PersonalDataRead>, AppError> {
    let id = CitizenId::parse(id_number.trim())
        .map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
    Ok(state
        .store
        .personal_data_reads(&applicant_key(id.as_str()), MAX_LISTED)
        .await?)
}

/// The reads as CSV (UTF-8 with BOM, so spreadsheet programs read the Vietnamese right).
pub fn csv(reads: &[PersonalDataRead]) -> Result<Vec<u8>, AppError> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let internal = |e: csv::Error| AppError::Internal(e.to_string());
    w.write_record([
        "thoi_diem",
        "tai_khoan",
        "ho_so",
        "noi_dung",
        "ly_do",
        "dia_chi_ip",
        "trinh_duyet",
    ])
    .map_err(internal)?;
    for r in reads {
        w.write_record([
            crate::calendar::format_vn_instant(r.at).as_str(),
            &r.username,
            &r.dossier_code,
            Read::label_vi(&r.what),
            &r.reason,
            &r.ip,
            &r.user_agent,
        ])
        .map_err(internal)?;
    }
    w.into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))
}
