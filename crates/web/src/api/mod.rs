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
pub mod params;
mod payments;
mod procedures;
pub mod responses;

mod session;
mod stats;
mod units;
mod users;
// Webhooks (#21).
mod webhooks;
// The citizen's data store (#20).
mod data_store;

use axum::Router;
use axum::routing::{delete, get, post, put};
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::routes;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    routes::table([
        ("/units", get(units::search)),
        ("/units/{id}", get(units::get_one)),
        ("/agencies", get(agencies::list)),
        ("/agencies", post(agencies::create)),
        ("/agencies/{code}", get(agencies::get_one)),
        ("/auth/token", post(session::issue_token)),
        ("/auth/token", delete(session::revoke_token)),
        ("/me", get(users::me)),
        ("/users", get(users::list)),
        ("/users", post(users::create)),
        ("/calendar/holidays/{year}", get(calendar::holidays)),
        ("/calendar/years/{year}", put(calendar::set_year)),
        ("/calendar/years/{year}", delete(calendar::delete_year)),
        ("/calendar/lunar", get(calendar::lunar)),
        ("/calendar/solar", get(calendar::solar)),
        ("/calendar/due", get(calendar::due)),
        (
            "/agencies/{code}/office-hours",
            get(calendar::get_office_hours),
        ),
        (
            "/agencies/{code}/office-hours",
            put(calendar::set_office_hours),
        ),
        ("/procedures", get(procedures::search)),
        ("/procedures", post(procedures::create)),
        ("/procedures/stats", get(procedures::stats)),
        ("/procedures/export", get(procedures::export)),
        ("/procedures/{code}", get(procedures::get_one)),
        ("/procedures/{code}", put(procedures::amend)),
        ("/procedures/{code}/publish", post(procedures::publish)),
        ("/procedures/{code}/abolish", post(procedures::abolish)),
        (
            "/agencies/{code}/procedures",
            get(procedures::agency_procedures),
        ),
        (
            "/agencies/{code}/procedures/{procedure}",
            put(procedures::apply),
        ),
        ("/stats/report", get(stats::report)),
        ("/stats/dashboard", get(stats::dashboard)),
        ("/index", get(stats::index)),
        ("/index/ranking", get(stats::ranking)),
        ("/public/stats", get(stats::public)),
        ("/admin/outbox", get(outbox::list)),
        ("/admin/personal-data-reads", get(access_log::list)),
        ("/admin/outbox/{id}/retry", post(outbox::retry)),
    ])
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
    routes::table([
        ("/dossiers/{code}/payment", get(payments::get_payment)),
        (
            "/dossiers/{code}/payment/online",
            post(payments::start_online),
        ),
        (
            "/dossiers/{code}/payment/counter",
            post(payments::record_counter),
        ),
        ("/dossiers/{code}/payment/refund", post(payments::refund)),
        ("/dossiers/{code}/payment/adjust", post(payments::adjust)),
        ("/dossiers/{code}/payment/receipt", get(payments::receipt)),
        ("/payments/vnpay/ipn", get(payments::vnpay_ipn)),
        ("/payments/vnpay/return", get(payments::vnpay_return)),
        (
            "/agencies/{code}/payment-gateway",
            put(payments::put_gateway),
        ),
        ("/admin/payments/reconcile", post(payments::reconcile)),
        (
            "/agencies/{code}/bank-account",
            get(payments::get_bank_account),
        ),
        (
            "/agencies/{code}/bank-account",
            put(payments::put_bank_account),
        ),
        ("/dossiers/{code}/payment/vietqr", get(payments::vietqr)),
        (
            "/agencies/{code}/payments/statement",
            post(payments::import_statement),
        ),
        (
            "/agencies/{code}/payments/report",
            get(payments::daily_report),
        ),
    ])
}

/// Dossiers: lodging, actions, documents, forms, the public look-up.
fn dossier_routes() -> Router<AppState> {
    routes::table([
        ("/dossiers", get(dossiers::queue)),
        ("/dossiers", post(dossiers::create)),
        ("/partner/dossiers", get(dossiers::lodged_by_partner)),
        ("/dossiers/{code}", get(dossiers::get_one)),
        ("/dossiers/{code}/actions/{action}", post(dossiers::act)),
        // Uploads read their body themselves, up to `max_upload_bytes`.
        (
            "/dossiers/{code}/documents",
            get(documents::list)
                .post(documents::upload)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        ("/dossiers/{code}/documents/reuse", post(documents::reuse)),
        (
            "/dossiers/{code}/documents/{sha256}",
            get(documents::download),
        ),
        (
            "/dossiers/{code}/result-file",
            post(documents::result_file).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        ("/documents/reusable", get(documents::reusable)),
        ("/me/documents", get(documents::mine)),
        ("/me/data-store", get(data_store::mine)),
        ("/me/data-store/{sha256}", get(data_store::file)),
        ("/users/{username}/verification", post(data_store::verify)),
        ("/me/contact", get(data_store::contact)),
        ("/me/contact", put(data_store::set_contact)),
        ("/me/sessions", get(data_store::sessions)),
        ("/me/sessions/{id}", delete(data_store::end_session)),
        ("/dossiers/{code}/forms/{kind}", get(forms::dossier_form)),
        ("/agencies/{code}/register", get(forms::register)),
        ("/public/dossiers/{code}", get(dossiers::public)),
    ])
}

/// The waiting hall: tickets, counters calling, the board.
fn hall_routes() -> Router<AppState> {
    routes::table([
        ("/hall/{agency}/tickets", post(hall::issue)),
        ("/hall/tickets/{token}", get(hall::ticket)),
        ("/hall/{agency}/board", get(hall::board)),
        ("/hall/{agency}/counters/{counter}/call", post(hall::call)),
        (
            "/hall/{agency}/counters/{counter}/finish",
            post(hall::finish),
        ),
        ("/hall/{agency}/areas", put(hall::set_areas)),
        ("/hall/{agency}/stats", get(hall::stats)),
    ])
}

/// Citizen feedback (phản ánh, kiến nghị): submission with photos, staff acts, published answers.
fn feedback_routes() -> Router<AppState> {
    routes::table([
        // A submission with photos reads its body itself, up to five uploads.
        (
            "/feedback",
            get(feedback::queue)
                .post(feedback::submit)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        ("/feedback/{code}", get(feedback::get_one)),
        ("/feedback/{code}/actions", post(feedback::act)),
        ("/feedback/{code}/photos/{sha256}", get(feedback::photo)),
        ("/public/feedback", get(feedback::published)),
        ("/public/feedback/{code}", get(feedback::public)),
    ])
}

/// Webhook subscriptions and their deliveries (#21).
fn webhook_routes() -> Router<AppState> {
    routes::table([
        ("/webhooks", get(webhooks::list)),
        ("/webhooks", post(webhooks::create)),
        ("/webhooks/{id}", get(webhooks::get_one)),
        ("/webhooks/{id}", put(webhooks::update)),
        ("/webhooks/{id}/secrets", post(webhooks::rotate)),
        ("/webhooks/{id}/secrets/old", delete(webhooks::retire)),
        ("/webhooks/{id}/deliveries", get(webhooks::deliveries)),
        (
            "/webhooks/{id}/deliveries/{delivery}/replay",
            post(webhooks::replay),
        ),
        ("/dossiers/{code}/portal-sync", get(webhooks::portal_sync)),
        ("/transfers", post(webhooks::receive_transfer)),
        (
            "/transfers/{code}/documents/{sha256}",
            get(webhooks::transferred_file),
        ),
    ])
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
