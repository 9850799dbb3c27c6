//! Roles and the one authorisation rule of motcua: who may do what, where.
//!
//! A user holds grants: a [`Role`] either system-wide (agency `None`) or scoped to one agency.
//! Staff grants reach the agency itself and, for leaders and administrators, the agencies below
//! it (a provincial leader watches every department and commune of the province). Every
//! handler asks [`Principal::may`]; nothing else decides.

use serde::{Deserialize, Serialize};

pub type AgencyId = uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Công dân, doanh nghiệp.
    Citizen,
    /// Cán bộ tiếp nhận (Bộ phận Một cửa).
    ReceivingOfficer,
    /// Chuyên viên xử lý.
    Specialist,
    /// Lãnh đạo.
    Leader,
    /// Quản trị hệ thống.
    Admin,
    /// Đối tác nộp hồ sơ thay công dân: a post office of the public postal service (bưu chính
    /// công ích, Decision 45/2016/QĐ-TTg) or a community digital team, with its own API
    /// credential. It lodges postal dossiers for citizens who authorised it, at the agencies
    /// its grant reaches, and follows them; it receives nothing and decides nothing.
    Partner,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Citizen,
        Role::ReceivingOfficer,
        Role::Specialist,
        Role::Leader,
        Role::Admin,
        Role::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::ReceivingOfficer => "receiving_officer",
            Role::Specialist => "specialist",
            Role::Leader => "leader",
            Role::Admin => "admin",
            Role::Partner => "partner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Citizen => "Công dân",
            Role::ReceivingOfficer => "Cán bộ tiếp nhận",
            Role::Specialist => "Chuyên viên",
            Role::Leader => "Lãnh đạo",
            Role::Admin => "Quản trị hệ thống",
            Role::Partner => "Đối tác nộp hồ sơ thay (bưu chính, tổ công nghệ số)",
        }
    }

    /// Staff of an agency: not citizens, and not partners (who work for citizens, from
    /// outside).
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Citizen | Role::Partner)
    }

    /// Whether a grant of this role on an agency also reaches the agencies below it (a
    /// province's post office lodges at every agency of the province).
    fn reaches_subtree(self) -> bool {
        matches!(self, Role::Leader | Role::Admin | Role::Partner)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    /// `None`: system-wide (only meaningful for administrators and citizens).
    pub agency: Option<AgencyId>,
}

/// What a caller wants to do. Scoped actions name the agency they act on, with its ancestors
/// (nearest first), so the rule can be decided without I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<'a> {
    /// Read one's own account.
    ReadSelf,
    /// Create or change agencies under `parent` (`None`: a top-level agency).
    ManageAgencies { parent: Option<Scope<'a>> },
    /// Create accounts, grant roles, list users.
    ManageUsers { agency: Option<Scope<'a>> },
    /// Receive dossiers at an agency's counter.
    Receive(Scope<'a>),
    /// Work a step of an agency's internal process.
    Process(Scope<'a>),
    /// Approve and sign for an agency.
    Approve(Scope<'a>),
    /// Read an agency's dossiers, queues and statistics.
    Oversee(Scope<'a>),
    /// Submit a dossier online as a citizen.
    SubmitOnline,
    /// Lodge a dossier at an agency for a citizen who authorised it, as a partner (post
    /// office, community digital team).
    LodgeFor(Scope<'a>),
    /// Edit the official holiday schedules (system administrators).
    ManageCalendar,
    /// Create, amend, publish and abolish procedures (system administrators).
    ManageCatalogue,
    /// See the notices to citizens and their delivery, and send failed ones again (system
    /// administrators).
    ManageNotices,
    /// Configure an agency: the procedures it applies and their workflows, office hours.
    ConfigureAgency(Scope<'a>),
}

/// An agency with its ancestors, nearest first.
#[derive(Debug, Clone, PartialEq, Eq, Copy)]
pub struct Scope<'a> {
    pub agency: AgencyId,
    pub ancestors: &'a [AgencyId],
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    fn system_admin(&self) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == Role::Admin && g.agency.is_none())
    }

    /// Whether any grant of one of `roles` reaches `scope`.
    fn reaches(&self, roles: &[Role], scope: &Scope<'_>) -> bool {
        self.grants.iter().any(|g| {
            roles.contains(&g.role)
                && match g.agency {
                    None => g.role == Role::Admin,
                    Some(a) => {
                        a == scope.agency
                            || (g.role.reaches_subtree() && scope.ancestors.contains(&a))
                    }
                }
        })
    }

    /// The authorisation rule. `true` when this principal may perform `action`.
    pub fn may(&self, action: &Action<'_>) -> bool {
        use Role::*;
        match action {
            Action::ReadSelf => !self.grants.is_empty(),
            Action::ManageAgencies { parent: None }
            | Action::ManageUsers { agency: None }
            | Action::ManageCalendar
            | Action::ManageCatalogue
            | Action::ManageNotices => self.system_admin(),
            Action::ConfigureAgency(s) => self.reaches(&[Admin], s),
            Action::ManageAgencies { parent: Some(s) }
            | Action::ManageUsers { agency: Some(s) } => self.reaches(&[Admin], s),
            Action::Receive(s) => self.reaches(&[ReceivingOfficer], s),
            Action::Process(s) => self.reaches(&[Specialist, Leader], s),
            Action::Approve(s) => self.reaches(&[Leader], s),
            Action::Oversee(s) => self.reaches(&[ReceivingOfficer, Specialist, Leader, Admin], s),
            Action::SubmitOnline => self.has_role(Citizen),
            Action::LodgeFor(s) => self.reaches(&[Partner], s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVINCE: AgencyId = AgencyId::from_bytes([1; 16]);
    const DEPT: AgencyId = AgencyId::from_bytes([2; 16]);
    const OTHER: AgencyId = AgencyId::from_bytes([3; 16]);

    fn who(role: Role, agency: Option<AgencyId>) -> Principal {
        Principal {
            grants: vec![Grant { role, agency }],
        }
    }

    #[test]
    fn leaders_reach_down_officers_do_not() {
        let dept = Scope {
            agency: DEPT,
            ancestors: &[PROVINCE],
        };
        assert!(who(Role::Leader, Some(PROVINCE)).may(&Action::Oversee(dept)));
        assert!(who(Role::Leader, Some(PROVINCE)).may(&Action::Approve(dept)));
        assert!(!who(Role::Specialist, Some(PROVINCE)).may(&Action::Process(dept)));
        assert!(who(Role::Specialist, Some(DEPT)).may(&Action::Process(dept)));
        assert!(!who(Role::Specialist, Some(DEPT)).may(&Action::Approve(dept)));
        assert!(!who(Role::ReceivingOfficer, Some(OTHER)).may(&Action::Receive(dept)));
        assert!(!who(Role::Citizen, None).may(&Action::Oversee(dept)));
    }

    #[test]
    fn only_system_admins_manage_top_level() {
        assert!(who(Role::Admin, None).may(&Action::ManageAgencies { parent: None }));
        assert!(!who(Role::Admin, Some(PROVINCE)).may(&Action::ManageAgencies { parent: None }));
        let dept = Scope {
            agency: DEPT,
            ancestors: &[PROVINCE],
        };
        assert!(who(Role::Admin, Some(PROVINCE)).may(&Action::ManageUsers { agency: Some(dept) }));
        assert!(
            !who(Role::Leader, Some(PROVINCE)).may(&Action::ManageUsers { agency: Some(dept) })
        );
    }

    #[test]
    fn citizens_submit_staff_do_not() {
        assert!(who(Role::Citizen, None).may(&Action::SubmitOnline));
        assert!(!who(Role::Leader, Some(DEPT)).may(&Action::SubmitOnline));
        assert!(!Principal { grants: vec![] }.may(&Action::ReadSelf));
    }

    #[test]
    fn partners_lodge_within_their_grant_and_nothing_else() {
        let dept = Scope {
            agency: DEPT,
            ancestors: &[PROVINCE],
        };
        let other = Scope {
            agency: OTHER,
            ancestors: &[],
        };
        let post = who(Role::Partner, Some(PROVINCE));
        assert!(post.may(&Action::LodgeFor(dept)));
        assert!(!post.may(&Action::LodgeFor(other)));
        assert!(
            !who(Role::Partner, Some(DEPT)).may(&Action::LodgeFor(Scope {
                agency: PROVINCE,
                ancestors: &[],
            }))
        );
        assert!(!post.may(&Action::Receive(dept)));
        assert!(!post.may(&Action::Oversee(dept)));
        assert!(!post.may(&Action::SubmitOnline));
        assert!(!who(Role::ReceivingOfficer, Some(DEPT)).may(&Action::LodgeFor(dept)));
        assert!(!Role::Partner.is_staff());
    }
}
