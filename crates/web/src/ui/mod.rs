//! The Vietnamese web UI, server-rendered with askama; htmx (served from `/static`) makes
//! parts of pages update in place, and every page also works without JavaScript.
//!
//! Areas, one module each, with their templates under `templates/ui/<area>/`:
//! - [`session`]: home, sign in and out, language;
//! - [`portal`]: the public service portal (procedures, online submission, look-up, rating);
//! - [`counter`]: the one-stop desk (receiving, receipts, returns, the register);
//! - [`hall`]: the counter hall (kiosk tickets, the counters' calls, the display board);
//! - [`workspace`]: queues and the dossier page for specialists and leaders;
//! - [`admin`]: agencies, staff, procedures and workflows, holidays;
//! - [`dashboards`]: the leaders' operations view and the public statistics page;
//! - [`feedback`]: citizen feedback: submit, follow, published answers, the staff's queue.

pub mod admin;
pub mod applicant;
pub mod assets;
pub mod bank;
pub mod counter;
pub mod dashboards;
pub mod feedback;
pub mod form;
pub mod hall;
pub mod i18n;
pub mod kit;
pub mod payments;
pub mod portal;
pub mod session;
// Single sign-on (#20).
pub mod account;
pub mod sso;
pub mod totp;
pub mod workspace;

use axum::Router;

use crate::state::AppState;

pub use kit::{error_page, not_found};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(assets::router())
        .merge(session::router())
        .merge(portal::router())
        .merge(counter::router())
        .merge(hall::router())
        .merge(workspace::router())
        .merge(admin::router())
        .merge(dashboards::router())
        .merge(feedback::router())
        .merge(payments::router())
        .merge(bank::router())
        .merge(sso::router())
        .merge(totp::router())
        .merge(account::router())
}
