//! The dossier lists people work from: the agencies a caller oversees, the workspace queue,
//! the one-stop desk's lists (awaiting, received today, ready to return), the register, a
//! citizen's own dossiers; and the small look-ups these pages show beside them (staff,
//! procedure names). Reads only: every change goes through [`crate::acting`].

use std::collections::HashSet;

use chrono::NaiveDate;
use motcua_domain::auth::{Action, Role};
use motcua_domain::dossier::Status;
use motcua_store::{Agency, AgencyQuery, DossierQuery, DossierRow, Page, User};
use uuid::Uuid;

use crate::auth::{Caller, ResolvedScope};
use crate::error::AppError;
use crate::state::App;

impl App {
    /// The agencies `caller` may oversee: those of their staff grants and, for leaders and
    /// administrators, the agencies below them; each one checked with [`Action::Oversee`].
    pub async fn overseeable_agencies(&self, caller: &Caller) -> Result<Vec<Agency>, AppError> {
        let mut found: Vec<Agency> = Vec::new();
        let mut seen: HashSet<Uuid> = HashSet::new();
        for g in caller.user.grants.iter().filter(|g| g.role.is_staff()) {
            let Some(id) = g.agency else { continue };
            let root = self.store.get_agency(id).await?;
            let subtree = matches!(g.role, Role::Leader | Role::Admin);
            if seen.insert(root.id) {
                found.push(root.clone());
            }
            if !subtree {
                continue;
            }
            for a in self.agencies_below(&root).await? {
                if seen.insert(a.id) {
                    found.push(a);
                }
            }
        }
        let principal = caller.principal();
        let mut out = Vec::with_capacity(found.len());
        for a in found {
            let scope = ResolvedScope::of(self, a.id).await?;
            if principal.may(&Action::Oversee(scope.scope())) {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Every agency below `root`: from the province's agencies in one read when the root has
    /// a province, otherwise two levels of children.
    async fn agencies_below(&self, root: &Agency) -> Result<Vec<Agency>, AppError> {
        let candidates: Vec<Agency> = match &root.province_code {
            Some(pc) => {
                self.store
                    .list_agencies(&AgencyQuery {
                        province_code: Some(pc.clone()),
                        limit: 20_000,
                        ..Default::default()
                    })
                    .await?
                    .items
            }
            None => {
                let mut all = Vec::new();
                let mut frontier = vec![root.id];
                for _ in 0..2 {
                    let mut next = Vec::new();
                    for parent in frontier {
                        let children = self
                            .store
                            .list_agencies(&AgencyQuery {
                                parent: Some(parent),
                                limit: 5_000,
                                ..Default::default()
                            })
                            .await?
                            .items;
                        next.extend(children.iter().map(|a| a.id));
                        all.extend(children);
                    }
                    frontier = next;
                }
                all
            }
        };
        let mut below: HashSet<Uuid> = HashSet::from([root.id]);
        let mut grew = true;
        while grew {
            grew = false;
            for a in &candidates {
                if !below.contains(&a.id) && a.parent_id.is_some_and(|p| below.contains(&p)) {
                    below.insert(a.id);
                    grew = true;
                }
            }
        }
        Ok(candidates
            .into_iter()
            .filter(|a| a.id != root.id && below.contains(&a.id))
            .collect())
    }

    /// The agencies of a work queue: `agency` when the caller oversees it, else those of the
    /// caller's staff grants (forbidden when there are none).
    pub async fn queue_agencies(
        &self,
        caller: &Caller,
        agency: Option<Uuid>,
    ) -> Result<Vec<Uuid>, AppError> {
        match agency {
            Some(id) => {
                let scope = ResolvedScope::of(self, id).await?;
                if !caller.principal().may(&Action::Oversee(scope.scope())) {
                    return Err(AppError::Forbidden);
                }
                Ok(vec![id])
            }
            None => {
                let mine: Vec<Uuid> = caller
                    .user
                    .grants
                    .iter()
                    .filter(|g| g.role.is_staff())
                    .filter_map(|g| g.agency)
                    .collect();
                if mine.is_empty() {
                    return Err(AppError::Forbidden);
                }
                Ok(mine)
            }
        }
    }

    /// The end of the next working day, Vietnam time: a dossier due before it is "due soon".
    pub async fn due_soon_limit(&self) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
        let calendar = self.current_calendar().await?;
        let today = motcua_domain::vn_time::today();
        let next = calendar
            .add_working_days(today, 1)
            .map_err(crate::calendar::calendar_error)?;
        Ok(next
            .succ_opt()
            .unwrap_or(next)
            .and_hms_opt(0, 0, 0)
            .and_then(|t| {
                t.and_local_timezone(motcua_domain::vn_time::offset())
                    .single()
            })
            .map(|t| t.with_timezone(&chrono::Utc)))
    }

    /// A page of dossiers (the caller has chosen agencies it may see).
    pub async fn list_dossiers(&self, q: &DossierQuery) -> Result<Page<DossierRow>, AppError> {
        Ok(self.store.list_dossiers(q).await?)
    }

    /// The dossiers received at an agency's desk between two days (Vietnam dates).
    pub async fn dossiers_received(
        &self,
        agency: Uuid,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DossierRow>, AppError> {
        Ok(self.store.dossiers_received(agency, from, to).await?)
    }

    /// The dossiers lodged at these desks in one of `statuses` (at most `limit`).
    pub async fn dossiers_at_intake(
        &self,
        agencies: &[Uuid],
        statuses: &[Status],
        limit: i64,
    ) -> Result<Page<DossierRow>, AppError> {
        Ok(self
            .store
            .dossiers_at_intake(agencies, statuses, limit)
            .await?)
    }

    /// The dossiers a citizen account lodged online.
    pub async fn dossiers_lodged_by(
        &self,
        user: Uuid,
        limit: i64,
        offset: i64,
    ) -> Result<Page<DossierRow>, AppError> {
        Ok(self.store.dossiers_lodged_by(user, limit, offset).await?)
    }

    /// The dossiers a partner account (a post office) lodged for citizens; partners only.
    pub async fn dossiers_lodged_by_partner(
        &self,
        caller: &crate::auth::Caller,
        limit: i64,
        offset: i64,
    ) -> Result<Page<DossierRow>, AppError> {
        if !caller
            .principal()
            .has_role(motcua_domain::auth::Role::Partner)
        {
            return Err(AppError::Forbidden);
        }
        Ok(self
            .store
            .dossiers_lodged_by_partner(caller.user.id, limit, offset)
            .await?)
    }

    /// The account of `id`.
    pub async fn user_by_id(&self, id: Uuid) -> Result<User, AppError> {
        self.store.get_user(id).await.map_err(|e| match e {
            motcua_store::DbError::NotFound => AppError::NotFound("tài khoản"),
            e => e.into(),
        })
    }

    /// The name of a procedure (empty when it cannot be read).
    pub async fn procedure_name(&self, code: &str) -> String {
        self.store
            .procedure(code)
            .await
            .map(|p| p.name)
            .unwrap_or_default()
    }

    /// The name of a procedure as in force today (empty when it cannot be read).
    pub async fn procedure_name_in_force(&self, code: &str) -> String {
        self.in_force(code, motcua_domain::vn_time::today())
            .await
            .map(|p| p.procedure.name.clone())
            .unwrap_or_default()
    }

    /// A dossier's documents, in the order they were attached.
    pub async fn dossier_documents(
        &self,
        row: &DossierRow,
    ) -> Result<Vec<crate::documents::DocumentView>, AppError> {
        crate::documents::list(self.store.as_ref(), row).await
    }

    /// A dossier's events as stored, in order (its staff page shows them all).
    pub async fn dossier_events(
        &self,
        id: Uuid,
    ) -> Result<Vec<motcua_store::StoredEvent>, AppError> {
        Ok(self.store.dossier_events(id).await?)
    }

    /// A document of a dossier with its bytes (the caller has been found to read it).
    pub async fn open_document(
        &self,
        row: &motcua_store::DossierRow,
        sha256: &str,
    ) -> Result<(motcua_store::DocumentRecord, bytes::Bytes), AppError> {
        crate::documents::open(self.store.as_ref(), &self.blobs, row, sha256).await
    }

    /// Whether an agency has applied a procedure with an internal workflow.
    pub async fn has_workflow(&self, code: &str, agency: Uuid) -> bool {
        self.store.applied_workflow(code, agency).await.is_ok()
    }
}
