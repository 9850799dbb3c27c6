//! The workspace of specialists and leaders: the work queues (`/xu-ly`), the officers' dossier
//! page with the actions the caller may take now (`/ho-so/{ma}`), and bulk assignment.
//!
//! Handlers stay thin: the queue lists dossiers through the same service as
//! `GET /api/v1/dossiers` (with the agencies the caller may oversee, checked with
//! [`Principal::may`] by the application layer); every action goes through the same service
//! method as `POST /api/v1/dossiers/{code}/actions/{action}` (`App::act`: the calendar inputs,
//! the acting role and the optimistic concurrency are exactly the API's); which actions are
//! offered is asked of the state machine ([`motcua_domain::dossier::decide`]) and of
//! [`Principal::may`], never decided per role here.
//!
//! [`Principal::may`]: motcua_domain::auth::Principal::may

mod dossier;
mod queue;
mod result;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/xu-ly", get(queue::page))
        .route("/xu-ly/phan-cong", post(queue::bulk_assign))
        .route("/ho-so/{ma}", get(dossier::page))
        .route("/ho-so/{ma}/thao-tac/{action}", post(dossier::act))
        .route(
            "/ho-so/{ma}/ket-qua",
            // The upload reads its body itself, bounded by the upload limit.
            post(result::submit).layer(axum::extract::DefaultBodyLimit::disable()),
        )
}
