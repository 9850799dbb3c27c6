//! Cache invalidation, in one place: after a write, a service (or an adapter that wrote
//! through one) says what changed, and this module decides which of this process's caches
//! forget what. Another process sees the change within the caches' time to live (see
//! [`crate::lookups`]).

use uuid::Uuid;

use crate::state::App;

/// What a write changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// A procedure was created, edited, published or abolished: search and records.
    Catalogue,
    /// Which agencies apply which procedures (the receivers ranked at the counter).
    Receivers,
    /// The official calendar (a year's days off and make-up working days).
    Calendar,
    /// The office hours of one agency.
    OfficeHours(Uuid),
    /// Accounts' grants or their disabling: every session is looked up again.
    Accounts,
    /// One session ended (its token's hash).
    SignedOut(String),
}

impl App {
    /// Forgets what `change` made stale.
    pub async fn changed(&self, change: Changed) {
        match change {
            Changed::Catalogue => {
                self.search.invalidate();
                self.lookups.forget_catalogue();
            }
            Changed::Receivers => self.search.forget_receivers(),
            Changed::Calendar => self.calendar.invalidate(),
            Changed::OfficeHours(agency) => self.lookups.forget_office_hours(agency).await,
            Changed::Accounts => self.lookups.forget_sessions(),
            Changed::SignedOut(token_hash) => self.lookups.forget_session(&token_hash).await,
        }
    }
}
