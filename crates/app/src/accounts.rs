//! Accounts and agencies: creating agencies and users, and administering existing accounts
//! (their grants, roles with agencies, and disabling). Authorisation is the caller's job
//! (handlers call `auth::require` first; the CLI is the local operator).

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
            kind: "agency_code_taken",
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
    /// citizen, receiving_officer, specialist, leader, admin, partner (a post office or
    /// community digital team that lodges postal dossiers for citizens)
    pub role: String,
    /// Agency code the role is scoped to; required for officers, specialists, leaders and
    /// partners (whose grant reaches the agencies below it).
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
        // A partner lodges where its grant reaches: a province's post office, the province.
        (Role::Partner, None) => Err(AppError::invalid(
            "agency_required",
            "Đối tác (bưu điện, tổ công nghệ số) phải gắn với cơ quan, địa bàn mà đối tác nộp \
             hồ sơ thay công dân.",
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
            kind: "id_number_taken",
            message: "Số định danh cá nhân này đã gắn với một tài khoản khác.".into(),
        },
        DbError::Conflict(_) => AppError::Conflict {
            kind: "username_taken",
            message: format!("Tên đăng nhập \"{username}\" đã tồn tại."),
        },
        e => e.into(),
    })
}

fn not_found(e: DbError) -> AppError {
    match e {
        DbError::NotFound => AppError::NotFound("tài khoản"),
        e => e.into(),
    }
}

/// Adds a role (with its agency) to an account; refuses a grant it already has.
pub async fn add_grant(
    store: &dyn Store,
    user: &User,
    role: &str,
    agency_code: Option<&str>,
) -> Result<User, AppError> {
    let grant = resolve_grant(store, role, agency_code).await?;
    if user.grants.contains(&grant) {
        return Err(AppError::invalid(
            "grant_exists",
            "Tài khoản đã có vai trò này tại cơ quan này.",
        ));
    }
    let mut grants = user.grants.clone();
    grants.push(grant);
    store
        .set_user_grants(user.id, &grants)
        .await
        .map_err(not_found)
}

/// Removes the grant at `index`: an account keeps at least one role, and an administrator
/// does not take away their own administration.
pub async fn remove_grant(
    store: &dyn Store,
    user: &User,
    index: usize,
    by: &User,
) -> Result<User, AppError> {
    let Some(removed) = user.grants.get(index) else {
        return Err(AppError::invalid(
            "unknown_grant",
            "Không tìm thấy vai trò cần bỏ.",
        ));
    };
    if user.grants.len() == 1 {
        return Err(AppError::invalid(
            "last_grant",
            "Tài khoản phải có ít nhất một vai trò; hãy khóa tài khoản nếu không dùng nữa.",
        ));
    }
    if user.id == by.id && removed.role == Role::Admin {
        return Err(AppError::invalid(
            "own_admin_grant",
            "Không thể tự bỏ quyền quản trị của chính mình.",
        ));
    }
    let grants: Vec<Grant> = user
        .grants
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, g)| g.clone())
        .collect();
    store
        .set_user_grants(user.id, &grants)
        .await
        .map_err(not_found)
}

/// Disables or re-enables an account; nobody disables their own.
pub async fn set_disabled(
    store: &dyn Store,
    user: &User,
    disabled: bool,
    by: &User,
) -> Result<User, AppError> {
    if disabled && user.id == by.id {
        return Err(AppError::invalid(
            "own_account",
            "Không thể tự khóa tài khoản của chính mình.",
        ));
    }
    store
        .set_user_disabled(user.id, disabled)
        .await
        .map_err(not_found)
}

/// A change to an existing account, as an administrator asks it.
#[derive(Debug, Clone)]
pub enum AccountChange {
    /// Add a role, at an agency (by code) or system-wide.
    AddGrant {
        role: String,
        agency_code: Option<String>,
    },
    /// Remove the role at this index of the account's grants.
    RemoveGrant(usize),
    /// Lock or unlock the account.
    SetDisabled(bool),
    /// Require (or not) the second factor (TOTP) of a staff account (#20).
    RequireTotp(bool),
}

impl crate::state::App {
    /// Whether `caller` may manage accounts with a role in `agency` (`None`: system-wide).
    pub async fn may_manage_users(
        &self,
        caller: &crate::auth::Caller,
        agency: Option<Uuid>,
    ) -> Result<(), AppError> {
        use motcua_domain::auth::Action;
        match agency {
            Some(id) => {
                let scope = crate::auth::ResolvedScope::of(self, id).await?;
                crate::auth::require(
                    caller,
                    Action::ManageUsers {
                        agency: Some(scope.scope()),
                    },
                )
            }
            None => crate::auth::require(caller, Action::ManageUsers { agency: None }),
        }
    }

    /// Changes the account `username` as `caller`, who must manage every agency it has a
    /// role in (and the agency of a role added); every session is looked up again after.
    pub async fn change_account(
        &self,
        caller: &crate::auth::Caller,
        username: &str,
        change: AccountChange,
    ) -> Result<User, AppError> {
        let user = match self.store.user_by_username(username).await {
            Ok((u, _)) => u,
            Err(DbError::NotFound) => return Err(AppError::NotFound("tài khoản")),
            Err(e) => return Err(e.into()),
        };
        for g in &user.grants {
            self.may_manage_users(caller, g.agency).await?;
        }
        let store = self.store.as_ref();
        let user = match change {
            AccountChange::AddGrant { role, agency_code } => {
                let agency = match agency_code.as_deref() {
                    None => None,
                    Some(c) => Some(
                        store
                            .get_agency_by_code(c)
                            .await
                            .map_err(|e| match e {
                                DbError::NotFound => AppError::invalid(
                                    "unknown_agency",
                                    format!("Không tìm thấy cơ quan có mã \"{c}\"."),
                                ),
                                e => e.into(),
                            })?
                            .id,
                    ),
                };
                self.may_manage_users(caller, agency).await?;
                add_grant(store, &user, &role, agency_code.as_deref()).await?
            }
            AccountChange::RemoveGrant(index) => {
                remove_grant(store, &user, index, &caller.user).await?
            }
            AccountChange::SetDisabled(disabled) => {
                set_disabled(store, &user, disabled, &caller.user).await?
            }
            AccountChange::RequireTotp(required) => {
                crate::totp::set_required(store, &user, required).await?;
                user
            }
        };
        self.changed(crate::changes::Changed::Accounts).await;
        Ok(user)
    }
}

/// The personal identification number a new account is bound to: a structurally valid number,
/// for citizen accounts only (staff act for their agency, not as a person lodging dossiers).
fn account_id_number(role: Role, id_number: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(raw) = id_number.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if role != Role::Citizen {
        return Err(AppError::field(
            "id_number_citizen_only",
            "id_number",
            "Chỉ tài khoản công dân được gắn số định danh cá nhân.",
        ));
    }
    let id = motcua_domain::dossier::CitizenId::parse(raw)
        .map_err(|e| AppError::field(e.code(), "id_number", e.message_vi()))?;
    Ok(Some(id.as_str().to_string()))
}

/// Agencies and accounts as the web pages and the API read and change them.
impl crate::state::App {
    /// Creates an agency as `caller`, who must manage agencies below its parent (system-wide
    /// without one).
    pub async fn create_agency_as(
        &self,
        caller: &crate::auth::Caller,
        input: CreateAgency,
    ) -> Result<Agency, AppError> {
        use motcua_domain::auth::Action;
        match &input.parent_code {
            None => crate::auth::require(caller, Action::ManageAgencies { parent: None })?,
            Some(code) => {
                let parent =
                    self.store
                        .get_agency_by_code(code.trim())
                        .await
                        .map_err(|e| match e {
                            DbError::NotFound => AppError::invalid(
                                "unknown_parent",
                                format!("Không tìm thấy cơ quan cấp trên \"{code}\"."),
                            ),
                            e => e.into(),
                        })?;
                let scope = crate::auth::ResolvedScope::of(self, parent.id).await?;
                crate::auth::require(
                    caller,
                    Action::ManageAgencies {
                        parent: Some(scope.scope()),
                    },
                )?;
            }
        }
        create_agency(self.store.as_ref(), input).await
    }

    /// Creates an account as `caller`, who must manage accounts of `agency` (the agency of
    /// the role given, resolved by the adapter; `None`: system-wide).
    pub async fn create_user_as(
        &self,
        caller: &crate::auth::Caller,
        agency: Option<Uuid>,
        input: CreateUser,
    ) -> Result<User, AppError> {
        self.may_manage_users(caller, agency).await?;
        create_user(self.store.as_ref(), input).await
    }

    /// A page of the accounts with a role in `agency` (`None`: all), for a caller who may
    /// manage them.
    pub async fn list_users_as(
        &self,
        caller: &crate::auth::Caller,
        agency: Option<Uuid>,
        limit: i64,
        offset: i64,
    ) -> Result<motcua_store::Page<User>, AppError> {
        self.may_manage_users(caller, agency).await?;
        Ok(self.store.list_users(agency, limit, offset).await?)
    }

    /// The account of `username`.
    pub async fn user_by_username(&self, username: &str) -> Result<User, AppError> {
        match self.store.user_by_username(username).await {
            Ok((u, _)) => Ok(u),
            Err(DbError::NotFound) => Err(AppError::NotFound("tài khoản")),
            Err(e) => Err(e.into()),
        }
    }

    /// The staff of an agency (at most `limit`), for choosing who handles a dossier.
    pub async fn staff_of(&self, agency: Uuid, limit: i64) -> Result<Vec<User>, AppError> {
        Ok(self.store.list_users(Some(agency), limit, 0).await?.items)
    }

    /// The agency of `id`.
    pub async fn agency_by_id(&self, id: Uuid) -> Result<Agency, AppError> {
        self.store.get_agency(id).await.map_err(|e| match e {
            DbError::NotFound => AppError::NotFound("cơ quan"),
            e => e.into(),
        })
    }

    /// The agencies directly below `parent`, by name (at most 2,000).
    pub async fn child_agencies(&self, parent: Uuid) -> Result<Vec<Agency>, AppError> {
        let mut list = self
            .store
            .list_agencies(&motcua_store::AgencyQuery {
                parent: Some(parent),
                limit: 2000,
                ..Default::default()
            })
            .await?
            .items;
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }

    /// A page of agencies.
    pub async fn list_agencies(
        &self,
        q: &motcua_store::AgencyQuery,
    ) -> Result<motcua_store::Page<Agency>, AppError> {
        Ok(self.store.list_agencies(q).await?)
    }

    /// How much the administration holds: agencies, accounts, procedures (any status), and
    /// the years with an official calendar, sorted.
    pub async fn admin_counts(&self) -> Result<AdminCounts, AppError> {
        let store = self.store.as_ref();
        let agencies = store
            .list_agencies(&motcua_store::AgencyQuery {
                limit: 1,
                ..Default::default()
            })
            .await?
            .total;
        let users = store.list_users(None, 1, 0).await?.total;
        let procedures = store
            .list_procedures(&motcua_store::ProcedureSearch {
                any_status: true,
                limit: 1,
                ..Default::default()
            })
            .await?
            .total;
        let mut official_years: Vec<i32> = store
            .holiday_schedules()
            .await?
            .iter()
            .map(|y| y.schedule.year)
            .collect();
        official_years.sort_unstable();
        Ok(AdminCounts {
            agencies,
            users,
            procedures,
            official_years,
        })
    }

    /// The front page's figures: provinces and communes today, agencies.
    pub async fn home_counts(&self) -> Result<(i64, i64, i64), AppError> {
        use motcua_domain::units::Level;
        let count_units = |level| async move {
            self.store
                .search_units(&motcua_store::UnitQuery {
                    q: None,
                    parent: None,
                    level: Some(level),
                    at: motcua_domain::vn_time::today(),
                    limit: 1,
                })
                .await
                .map(|p| p.total)
        };
        let provinces = count_units(Level::Province).await?;
        let communes = count_units(Level::Commune).await?;
        let agencies = self
            .store
            .list_agencies(&motcua_store::AgencyQuery {
                limit: 1,
                ..Default::default()
            })
            .await?
            .total;
        Ok((provinces, communes, agencies))
    }

    /// Administrative units matching a query.
    pub async fn search_units(
        &self,
        q: &motcua_store::UnitQuery,
    ) -> Result<motcua_store::Page<motcua_store::UnitRow>, AppError> {
        Ok(self.store.search_units(q).await?)
    }

    /// One administrative unit with its lineage (for a commune: the communes merged into it
    /// in 2025, or those it went into).
    pub async fn unit_with_lineage(
        &self,
        id: &str,
    ) -> Result<(motcua_store::UnitRow, Vec<motcua_store::LineageRow>), AppError> {
        let unit = self.store.get_unit(id).await.map_err(|e| match e {
            DbError::NotFound => AppError::NotFound("đơn vị hành chính"),
            e => e.into(),
        })?;
        let lineage = if unit.level == "commune" {
            let era = if unit.era == "legacy" {
                motcua_domain::units::Era::Legacy
            } else {
                motcua_domain::units::Era::TwoTier2025
            };
            self.store.unit_lineage(&unit.code, era).await?
        } else {
            Vec::new()
        };
        Ok((unit, lineage))
    }
}

/// The figures of the administration's front page.
#[derive(Debug, Clone)]
pub struct AdminCounts {
    pub agencies: i64,
    pub users: i64,
    pub procedures: i64,
    pub official_years: Vec<i32>,
}
