//! The storage port, one trait per aggregate. [`Store`](crate::Store) is all of them: callers
//! hold an `Arc<dyn Store>`; a service that needs one aggregate may ask for that trait alone.

mod access_log;
mod accounts;
mod agencies;
mod backups;
mod calendar;
mod catalogue;
mod database;
mod documents;
mod dossiers;
mod feedback;
mod hall;
mod outbox;
mod payments;
mod sessions;
mod stats;
mod units;
// Webhooks (#21).
mod webhooks;
// Single sign-on (#20).
mod identities;
// The citizen's data store (#20).
mod data_store;

pub use access_log::AccessLog;
pub use accounts::Accounts;
pub use agencies::Agencies;
pub use backups::Backups;
pub use calendar::Calendar;
pub use catalogue::Catalogue;
pub use database::Database;
pub use documents::Documents;
pub use dossiers::Dossiers;
pub use feedback::FeedbackStore;
pub use hall::Hall;
pub use outbox::Outbox;
pub use payments::Payments;
pub use sessions::Sessions;
pub use stats::Stats;
pub use units::Units;
pub use webhooks::Webhooks;
// Single sign-on (#20).
pub use identities::{Identities, IdentityKey, LoginChallenge, OidcFlow, Profile, TotpState};
// The citizen's data store (#20).
pub use data_store::{AccountVerification, Contact, DataStore, ReuseRecord, SessionDevice};
