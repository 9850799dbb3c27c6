//! Service functions shared by the API, the UI and the CLI: validate input, call the domain,
//! persist through the store. Authorisation is the caller's job (handlers call
//! `auth::require` first; the CLI is the local operator).

pub mod access_log;
pub mod calendar;
pub mod catalogue;
pub mod documents;
pub mod dossiers;
pub mod forms;
pub mod notices;
pub mod stats;
pub mod users;

use chrono::Utc;
use motcua_domain::agency::{AgencyCode, AgencyKind};
use motcua_domain::auth::{Grant, Role};
use motcua_store::{Agency, Conflict, DbError, NewAgency, NewUser, Store, User};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::{check_password_strength, hash_password};
use crate::error::AppError;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAgency {
    /// Electronic identifier code, e.g. `000.00.06.H56`.
    pub code: String,
    pub name: String,
    /// ministry, province_committee, department, commune_committee, service_centre, vertical_branch
    pub kind: String,
    /// Code of the parent agency, if any.
    pub parent_code: Option<String>,
    /// Administrative unit id (e.g. `2025:province:38`) the agency serves.
    pub unit_id: Option<String>,
}

pub async fn create_agency(store: &dyn Store, input: CreateAgency) -> Result<Agency, AppError> {
    let code = AgencyCode::parse(&input.code).map_err(|_| {
        AppError::invalid(
            "invalid_agency_code",
            format!(
                "Mã định danh cơ quan \"{}\" không đúng định dạng (ví dụ: 000.00.06.H56).",
                input.code.trim()
            ),
        )
    })?;
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 300 {
        return Err(AppError::invalid(
            "invalid_name",
            "Tên cơ quan không được để trống và tối đa 300 ký tự.",
        ));
    }
    let kind = AgencyKind::parse(&input.kind).ok_or_else(|| {
        AppError::invalid(
            "invalid_agency_kind",
            format!("Loại cơ quan \"{}\" không hợp lệ.", input.kind),
        )
    })?;
    let parent = match &input.parent_code {
        Some(p) => Some(
            store
                .get_agency_by_code(p.trim())
                .await
                .map_err(|e| match e {
                    DbError::NotFound => AppError::invalid(
                        "unknown_parent",
                        format!("Không tìm thấy cơ quan cấp trên \"{p}\"."),
                    ),
                    e => e.into(),
                })?,
        ),
        None => None,
    };
    let unit = match &input.unit_id {
        Some(u) => Some(store.get_unit(u.trim()).await.map_err(|e| match e {
            DbError::NotFound => AppError::invalid(
                "unknown_unit",
                format!("Không tìm thấy đơn vị hành chính \"{u}\"."),
            ),
            e => e.into(),
        })?),
        None => None,
    };
    let province_code = unit
        .as_ref()
        .map(|u| u.province_code.clone())
        .or_else(|| parent.as_ref().and_then(|p| p.province_code.clone()));
    let new = NewAgency {
        id: Uuid::now_v7(),
        code: code.to_string(),
        name,
        kind,
        parent_id: parent.map(|p| p.id),
        unit_id: unit.map(|u| u.id),
        province_code,
        created_at: Utc::now(),
    };
    store.create_agency(&new).await.map_err(|e| match e {
        DbError::Conflict(_) => AppError::Conflict {
            code: "agency_code_taken",
            message: format!("Mã định danh {code} đã được dùng cho cơ quan khác."),
        },
        e => e.into(),
    })
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub username: String,
    pub full_name: Option<String>,
    pub password: String,
    /// citizen, receiving_officer, specialist, leader, admin
    pub role: String,
    /// Agency code the role is scoped to; required for officers, specialists and leaders.
    pub agency_code: Option<String>,
    /// A citizen account's personal identification number (12 digits), checked by the
    /// administrator against the person's card: online dossiers carry it. Citizens only.
    #[serde(default)]
    pub id_number: Option<String>,
}

/// Parses the role and agency of a new account into a grant.
pub async fn resolve_grant(
    store: &dyn Store,
    role: &str,
    agency_code: Option<&str>,
) -> Result<Grant, AppError> {
    let role = Role::parse(role).ok_or_else(|| {
        AppError::invalid("invalid_role", format!("Vai trò \"{role}\" không hợp lệ."))
    })?;
    let agency = match agency_code {
        Some(code) => Some(
            store
                .get_agency_by_code(code.trim())
                .await
                .map_err(|e| match e {
                    DbError::NotFound => AppError::invalid(
                        "unknown_agency",
                        format!("Không tìm thấy cơ quan có mã \"{code}\"."),
                    ),
                    e => e.into(),
                })?
                .id,
        ),
        None => None,
    };
    match (role, agency) {
        (Role::ReceivingOfficer | Role::Specialist | Role::Leader, None) => Err(AppError::invalid(
            "agency_required",
            "Cán bộ, chuyên viên và lãnh đạo phải gắn với một cơ quan.",
        )),
        (Role::Citizen, Some(_)) => Err(AppError::invalid(
            "agency_not_allowed",
            "Tài khoản công dân không gắn với cơ quan.",
        )),
        (role, agency) => Ok(Grant { role, agency }),
    }
}

pub async fn create_user(store: &dyn Store, input: CreateUser) -> Result<User, AppError> {
    let username = input.username.trim().to_lowercase();
    let valid_name = (3..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !valid_name {
        return Err(AppError::invalid(
            "invalid_username",
            "Tên đăng nhập dài 3–64 ký tự, chỉ gồm chữ không dấu, số và . _ - @",
        ));
    }
    check_password_strength(&input.password)?;
    let grant = resolve_grant(store, &input.role, input.agency_code.as_deref()).await?;
    let id_number = account_id_number(grant.role, input.id_number.as_deref())?;
    let full_name = input.full_name.unwrap_or_default().trim().to_string();
    let password_hash = hash_password(input.password).await?;
    let new = NewUser {
        id: Uuid::now_v7(),
        full_name: if full_name.is_empty() {
            username.clone()
        } else {
            full_name
        },
        username: username.clone(),
        password_hash,
        grants: vec![grant],
        created_at: Utc::now(),
        id_number,
    };
    store.create_user(&new).await.map_err(|e| match e {
        DbError::Conflict(Conflict::IdNumberTaken) => AppError::Conflict {
            code: "id_number_taken",
            message: "Số định danh cá nhân này đã gắn với một tài khoản khác.".into(),
        },
        DbError::Conflict(_) => AppError::Conflict {
            code: "username_taken",
            message: format!("Tên đăng nhập \"{username}\" đã tồn tại."),
        },
        e => e.into(),
    })
}

/// The personal identification number a new account is bound to: a structurally valid number,
/// for citizen accounts only (staff act for their agency, not as a person lodging dossiers).
fn account_id_number(role: Role, id_number: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(raw) = id_number.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if role != Role::Citizen {
        return Err(AppError::InvalidField {
            code: "id_number_citizen_only",
            field: "id_number".into(),
            message: "Chỉ tài khoản công dân được gắn số định danh cá nhân.".into(),
        });
    }
    let id = motcua_domain::dossier::CitizenId::parse(raw).map_err(|e| AppError::InvalidField {
        code: e.code(),
        field: "id_number".into(),
        message: e.message_vi(),
    })?;
    Ok(Some(id.as_str().to_string()))
}
