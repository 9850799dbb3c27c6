//! The application layer of motcua: one service per area, called by the JSON API, the web
//! pages and the command line alike. A service validates its typed input, authorises what is
//! not a pure rule, loads state, calls the domain, persists through the store, and answers
//! with typed output or an [`AppError`]. Caches and their invalidation, the notice worker and
//! the documents' blob store live here. Nothing here knows HTTP: no axum, askama, http or
//! tower types.

pub mod access_log;
pub mod accounts;
pub mod acting;
pub mod auth;
pub mod blobs;
pub mod calendar;
pub mod catalogue;
pub mod changes;
pub mod documents;
pub mod dossiers;
pub mod error;
pub mod feedback;
pub mod forms;
pub mod gauges;
pub mod hall;
pub mod held;
pub mod lookups;
pub mod notices;
pub mod notify;
pub mod online;
pub mod payments;
pub mod queues;
pub mod sealed;
pub mod state;
pub mod stats;
// Webhooks for other systems (#21).
pub mod webhooks;
// Single sign-on (#20).
pub mod sso;
pub mod totp;
// The citizen's data store (#20).
pub mod data_store;
pub mod profile;

pub use error::{AppError, InvalidKind};
pub use state::{App, Config};

/// Today's date in Vietnam (UTC+7, no daylight saving).
pub fn vn_today() -> chrono::NaiveDate {
    motcua_domain::vn_time::today()
}
