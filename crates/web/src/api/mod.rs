//! The JSON API under `/api/v1`, described by OpenAPI at `/api/v1/openapi.json`.

mod access_log;
pub(crate) mod agencies;
mod calendar;
pub(crate) mod documents;
pub(crate) mod dossiers;
mod feedback;
mod forms;
mod hall;
mod outbox;
mod payments;
mod procedures;

mod session;
mod stats;
mod units;
mod users;
// Webhooks (#21).
mod webhooks;
// The citizen's data store (#20).
mod data_store;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(units::search))
        .route("/units/{id}", get(units::get_one))
        .route("/agencies", get(agencies::list).post(agencies::create))
        .route("/agencies/{code}", get(agencies::get_one))
        .route(
            "/auth/token",
            post(session::issue_token).delete(session::revoke_token),
        )
        .route("/me", get(users::me))
        .route("/users", get(users::list).post(users::create))
        .route("/calendar/holidays/{year}", get(calendar::holidays))
        .route(
            "/calendar/years/{year}",
            axum::routing::put(calendar::set_year).delete(calendar::delete_year),
        )
        .route("/calendar/lunar", get(calendar::lunar))
        .route("/calendar/solar", get(calendar::solar))
        .route("/calendar/due", get(calendar::due))
        .route(
            "/agencies/{code}/office-hours",
            get(calendar::get_office_hours).put(calendar::set_office_hours),
        )
        .route(
            "/procedures",
            get(procedures::search).post(procedures::create),
        )
        .route("/procedures/stats", get(procedures::stats))
        .route("/procedures/export", get(procedures::export))
        .route(
            "/procedures/{code}",
            get(procedures::get_one).put(procedures::amend),
        )
        .route("/procedures/{code}/publish", post(procedures::publish))
        .route("/procedures/{code}/abolish", post(procedures::abolish))
        .route(
            "/agencies/{code}/procedures",
            get(procedures::agency_procedures),
        )
        .route(
            "/agencies/{code}/procedures/{procedure}",
            axum::routing::put(procedures::apply),
        )
        .route("/stats/report", get(stats::report))
        .route("/stats/dashboard", get(stats::dashboard))
        .route("/index", get(stats::index))
        .route("/index/ranking", get(stats::ranking))
        .route("/public/stats", get(stats::public))
        .route("/admin/outbox", get(outbox::list))
        .route("/admin/personal-data-reads", get(access_log::list))
        .route("/admin/outbox/{id}/retry", post(outbox::retry))
        .merge(dossier_routes())
        .merge(hall_routes())
        .merge(feedback_routes())
        .merge(webhook_routes())
        .merge(payment_routes())
        .route("/openapi.json", get(openapi_json))
        .fallback(|| async { ApiError::NotFound("địa chỉ API") })
}

/// Fees and online payment (#23).
fn payment_routes() -> Router<AppState> {
    Router::new()
        .route("/dossiers/{code}/payment", get(payments::get_payment))
        .route(
            "/dossiers/{code}/payment/online",
            post(payments::start_online),
        )
        .route(
            "/dossiers/{code}/payment/counter",
            post(payments::record_counter),
        )
        .route("/dossiers/{code}/payment/refund", post(payments::refund))
        .route("/dossiers/{code}/payment/adjust", post(payments::adjust))
        .route("/dossiers/{code}/payment/receipt", get(payments::receipt))
        .route("/payments/vnpay/ipn", get(payments::vnpay_ipn))
        .route("/payments/vnpay/return", get(payments::vnpay_return))
        .route(
            "/agencies/{code}/payment-gateway",
            axum::routing::put(payments::put_gateway),
        )
        .route("/admin/payments/reconcile", post(payments::reconcile))
        .route(
            "/agencies/{code}/bank-account",
            get(payments::get_bank_account).put(payments::put_bank_account),
        )
        .route("/dossiers/{code}/payment/vietqr", get(payments::vietqr))
        .route(
            "/agencies/{code}/payments/statement",
            post(payments::import_statement),
        )
        .route(
            "/agencies/{code}/payments/report",
            get(payments::daily_report),
        )
}

/// Dossiers: lodging, actions, documents, forms, the public look-up.
fn dossier_routes() -> Router<AppState> {
    Router::new()
        .route("/dossiers", get(dossiers::queue).post(dossiers::create))
        .route("/partner/dossiers", get(dossiers::lodged_by_partner))
        .route("/dossiers/{code}", get(dossiers::get_one))
        .route("/dossiers/{code}/actions/{action}", post(dossiers::act))
        // Uploads read their body themselves, up to `max_upload_bytes`.
        .route(
            "/dossiers/{code}/documents",
            get(documents::list)
                .post(documents::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/dossiers/{code}/documents/reuse", post(documents::reuse))
        .route(
            "/dossiers/{code}/documents/{sha256}",
            get(documents::download),
        )
        .route(
            "/dossiers/{code}/result-file",
            post(documents::result_file).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/documents/reusable", get(documents::reusable))
        .route("/me/documents", get(documents::mine))
        .route("/me/data-store", get(data_store::mine))
        .route("/me/data-store/{sha256}", get(data_store::file))
        .route("/users/{username}/verification", post(data_store::verify))
        .route(
            "/me/contact",
            get(data_store::contact).put(data_store::set_contact),
        )
        .route("/me/sessions", get(data_store::sessions))
        .route(
            "/me/sessions/{id}",
            axum::routing::delete(data_store::end_session),
        )
        .route("/dossiers/{code}/forms/{kind}", get(forms::dossier_form))
        .route("/agencies/{code}/register", get(forms::register))
        .route("/public/dossiers/{code}", get(dossiers::public))
}

/// The waiting hall: tickets, counters calling, the board.
fn hall_routes() -> Router<AppState> {
    Router::new()
        .route("/hall/{agency}/tickets", post(hall::issue))
        .route("/hall/tickets/{token}", get(hall::ticket))
        .route("/hall/{agency}/board", get(hall::board))
        .route("/hall/{agency}/counters/{counter}/call", post(hall::call))
        .route(
            "/hall/{agency}/counters/{counter}/finish",
            post(hall::finish),
        )
        .route("/hall/{agency}/areas", axum::routing::put(hall::set_areas))
        .route("/hall/{agency}/stats", get(hall::stats))
}

/// Citizen feedback (phản ánh, kiến nghị): submission with photos, staff acts, published answers.
fn feedback_routes() -> Router<AppState> {
    Router::new()
        // A submission with photos reads its body itself, up to five uploads.
        .route(
            "/feedback",
            get(feedback::queue)
                .post(feedback::submit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/feedback/{code}", get(feedback::get_one))
        .route("/feedback/{code}/actions", post(feedback::act))
        .route("/feedback/{code}/photos/{sha256}", get(feedback::photo))
        .route("/public/feedback", get(feedback::published))
        .route("/public/feedback/{code}", get(feedback::public))
}

/// Webhook subscriptions and their deliveries (#21).
fn webhook_routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(webhooks::list).post(webhooks::create))
        .route(
            "/webhooks/{id}",
            get(webhooks::get_one).put(webhooks::update),
        )
        .route("/webhooks/{id}/secrets", post(webhooks::rotate))
        .route(
            "/webhooks/{id}/secrets/old",
            axum::routing::delete(webhooks::retire),
        )
        .route("/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route(
            "/webhooks/{id}/deliveries/{delivery}/replay",
            post(webhooks::replay),
        )
        .route("/dossiers/{code}/portal-sync", get(webhooks::portal_sync))
        .route("/transfers", post(webhooks::receive_transfer))
        .route(
            "/transfers/{code}/documents/{sha256}",
            get(webhooks::transferred_file),
        )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Hệ thống thông tin giải quyết thủ tục hành chính — JSON API. \
            Errors are `{\"error\": code, \"message\": Vietnamese text}`."
    ),
    paths(
        units::search, units::get_one,
        agencies::list, agencies::get_one, agencies::create,
        session::issue_token, session::revoke_token,
        users::me, users::list, users::create,
        calendar::holidays, calendar::set_year, calendar::delete_year, calendar::lunar,
        calendar::solar, calendar::due, calendar::get_office_hours, calendar::set_office_hours,
        procedures::search, procedures::get_one, procedures::create, procedures::amend,
        procedures::publish, procedures::abolish, procedures::stats, procedures::export,
        procedures::agency_procedures, procedures::apply,
        dossiers::create, dossiers::get_one, dossiers::act, dossiers::queue, dossiers::public,
        dossiers::lodged_by_partner,
        documents::upload, documents::reuse, documents::result_file, documents::list,
        documents::download, documents::reusable, documents::mine,
        forms::dossier_form, forms::register,
        feedback::submit, feedback::queue, feedback::get_one, feedback::act, feedback::photo,
        feedback::public, feedback::published,
        outbox::list, outbox::retry, access_log::list,
        stats::report, stats::dashboard, stats::index, stats::ranking, stats::public,
        hall::issue, hall::ticket, hall::board, hall::call, hall::finish, hall::set_areas,
        hall::stats,
        webhooks::list, webhooks::create, webhooks::get_one, webhooks::update, webhooks::rotate,
        webhooks::retire, webhooks::deliveries, webhooks::replay, webhooks::portal_sync,
        webhooks::receive_transfer, webhooks::transferred_file,
        payments::get_payment, payments::start_online, payments::record_counter,
        payments::refund, payments::receipt, payments::vnpay_ipn, payments::vnpay_return,
        payments::put_gateway, payments::reconcile, payments::daily_report,
        payments::put_bank_account, payments::vietqr, payments::import_statement,
        data_store::mine, data_store::file, data_store::verify, data_store::contact,
        data_store::set_contact, data_store::sessions, data_store::end_session,
        payments::adjust, payments::get_bank_account,
    ),
    components(schemas(crate::error::ApiErrorBody)),
    modifiers(&BearerAuth),
    servers((url = "/api/v1"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
