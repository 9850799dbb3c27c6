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

pub(crate) mod dossier;
pub(crate) mod queue;
pub(crate) mod result;
