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
//!
//! [`router`] is the map of the pages: one table per group of areas, a row a path and the
//! handler of each method there, as the JSON API's router has.

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
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::routes;
use crate::state::AppState;

pub use kit::{error_page, not_found};

/// Every page's path and handlers, by area; the static files are [`assets`]'.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(assets::router())
        .merge(session_routes())
        .merge(portal_routes())
        .merge(counter_routes())
        .merge(workspace_routes())
        .merge(admin_routes())
        .merge(service_routes())
}

/// Home, sign-in and out (password, single sign-on, second factor), language, the account.
fn session_routes() -> Router<AppState> {
    routes::table([
        ("/", get(session::home)),
        ("/dang-nhap", get(session::login_page)),
        ("/dang-nhap", post(session::login_submit)),
        ("/dang-xuat", post(session::logout)),
        ("/ngon-ngu", post(session::language)),
        ("/dang-nhap/sso/{provider}", get(sso::start)),
        ("/dang-nhap/sso/{provider}/callback", get(sso::callback)),
        ("/dang-nhap/xac-thuc", get(totp::code_page)),
        ("/dang-nhap/xac-thuc", post(totp::code_submit)),
        ("/tai-khoan/xac-thuc-hai-lop", get(totp::own_page)),
        ("/tai-khoan/xac-thuc-hai-lop/bat", post(totp::turn_on)),
        ("/tai-khoan/xac-thuc-hai-lop/xac-nhan", post(totp::confirm)),
        ("/tai-khoan/xac-thuc-hai-lop/tat", post(totp::turn_off)),
        ("/tai-khoan", get(account::page)),
        ("/tai-khoan/kho-du-lieu", get(account::data_store)),
        (
            "/tai-khoan/dang-xuat-noi-khac",
            post(account::sign_out_elsewhere),
        ),
        ("/tai-khoan/lien-he", post(account::save_contact)),
        (
            "/tai-khoan/phien/{id}/dang-xuat",
            post(account::end_session),
        ),
    ])
}

/// The public service portal: procedures, online submission, look-up, rating.
fn portal_routes() -> Router<AppState> {
    routes::table([
        ("/thu-tuc", get(portal::catalogue::search)),
        ("/thu-tuc/{ma}", get(portal::catalogue::procedure)),
        // The uploads read their bodies themselves, bounded per file and in total.
        (
            "/thu-tuc/{ma}/nop",
            get(portal::submit::form)
                .post(portal::submit::submit)
                .layer(DefaultBodyLimit::disable()),
        ),
        ("/cong-dan/ho-so", get(portal::lookup::mine)),
        ("/tra-cuu", get(portal::lookup::form)),
        ("/tra-cuu/{ma}", get(portal::lookup::dossier)),
        ("/tra-cuu/{ma}", post(portal::lookup::prove)),
        ("/tra-cuu/{ma}/danh-gia", post(portal::lookup::rate)),
        (
            "/tra-cuu/{ma}/bo-sung",
            post(portal::supplement::submit).layer(DefaultBodyLimit::disable()),
        ),
    ])
}

/// The one-stop desk and its hall: intake, checks, returns, the register; tickets, calls, the board.
fn counter_routes() -> Router<AppState> {
    routes::table([
        ("/mot-cua", get(counter::desk::home)),
        (
            "/mot-cua/tiep-nhan",
            get(counter::intake::page)
                .post(counter::intake::submit)
                .layer(DefaultBodyLimit::max(counter::INTAKE_BODY_LIMIT)),
        ),
        (
            "/mot-cua/tiep-nhan/thu-tuc",
            get(counter::intake::procedures),
        ),
        (
            "/mot-cua/tiep-nhan/thanh-phan",
            get(counter::intake::components),
        ),
        ("/mot-cua/ho-so/{code}", get(counter::desk::dossier)),
        ("/mot-cua/ho-so/{code}/kiem-tra", post(counter::desk::check)),
        ("/mot-cua/ho-so/{code}/in/{kind}", get(counter::desk::print)),
        ("/mot-cua/tra-ket-qua", get(counter::returns::page)),
        (
            "/mot-cua/tra-ket-qua/{code}",
            post(counter::returns::submit),
        ),
        ("/mot-cua/so-theo-doi", get(counter::register::page)),
        ("/mot-cua/xac-thuc-tai-khoan", get(counter::verify::page)),
        ("/mot-cua/xac-thuc-tai-khoan", post(counter::verify::submit)),
        ("/boc-so/{agency}", get(hall::kiosk::page)),
        ("/boc-so/{agency}", post(hall::kiosk::issue)),
        ("/boc-so/ve/{token}", get(hall::kiosk::ticket)),
        ("/bang-goi-so/{agency}", get(hall::board::page)),
        ("/bang-goi-so/{agency}/su-kien", get(hall::board::events)),
        ("/mot-cua/boc-so", get(hall::counter::page)),
        ("/mot-cua/boc-so/quay", post(hall::counter::set_desk)),
        ("/mot-cua/boc-so/goi", post(hall::counter::call)),
        ("/mot-cua/boc-so/xong", post(hall::counter::finish)),
        ("/mot-cua/boc-so/thong-ke", get(hall::counter::stats)),
        ("/mot-cua/boc-so/khu-vuc", get(hall::counter::areas_page)),
        ("/mot-cua/boc-so/khu-vuc", post(hall::counter::set_areas)),
    ])
}

/// Specialists and leaders: queues, the dossier page, the operations view and public statistics.
fn workspace_routes() -> Router<AppState> {
    routes::table([
        ("/xu-ly", get(workspace::queue::page)),
        ("/xu-ly/phan-cong", post(workspace::queue::bulk_assign)),
        ("/ho-so/{ma}", get(workspace::dossier::page)),
        (
            "/ho-so/{ma}/thao-tac/{action}",
            post(workspace::dossier::act),
        ),
        // The upload reads its body itself, bounded by the upload limit.
        (
            "/ho-so/{ma}/ket-qua",
            post(workspace::result::submit).layer(DefaultBodyLimit::disable()),
        ),
        ("/dieu-hanh", get(dashboards::ioc)),
        ("/thong-ke", get(dashboards::public_page)),
        ("/static/stats.css", get(dashboards::stylesheet)),
    ])
}

/// Administration: agencies, staff, procedures and workflows, the calendar, the access log, webhooks.
fn admin_routes() -> Router<AppState> {
    routes::table([
        ("/quan-tri", get(admin::index)),
        ("/quan-tri/co-quan", get(admin::agencies::list)),
        ("/quan-tri/co-quan", post(admin::agencies::create)),
        ("/quan-tri/co-quan/{code}", get(admin::agencies::detail)),
        (
            "/quan-tri/co-quan/{code}/gio-lam-viec",
            post(admin::agencies::office_hours),
        ),
        ("/quan-tri/can-bo", get(admin::users::list)),
        ("/quan-tri/can-bo", post(admin::users::create)),
        ("/quan-tri/can-bo/{username}", get(admin::users::detail)),
        (
            "/quan-tri/can-bo/{username}/vai-tro",
            post(admin::users::add_grant),
        ),
        (
            "/quan-tri/can-bo/{username}/vai-tro/bo",
            post(admin::users::remove_grant),
        ),
        (
            "/quan-tri/can-bo/{username}/khoa",
            post(admin::users::disable),
        ),
        (
            "/quan-tri/can-bo/{username}/xac-thuc-hai-lop",
            post(admin::users::require_totp),
        ),
        ("/quan-tri/thu-tuc", get(admin::procedures::list)),
        (
            "/quan-tri/thu-tuc/quy-trinh",
            get(admin::procedures::pick_workflow),
        ),
        ("/quan-tri/thu-tuc/{code}", get(admin::procedures::detail)),
        (
            "/quan-tri/thu-tuc/{code}/cong-khai",
            post(admin::procedures::publish),
        ),
        (
            "/quan-tri/thu-tuc/{code}/bai-bo",
            post(admin::procedures::abolish),
        ),
        (
            "/quan-tri/thu-tuc/{code}/quy-trinh",
            get(admin::procedures::pick_workflow_of),
        ),
        (
            "/quan-tri/thu-tuc/{code}/quy-trinh/{agency}",
            get(admin::procedures::workflow),
        ),
        (
            "/quan-tri/thu-tuc/{code}/quy-trinh/{agency}",
            post(admin::procedures::save_workflow),
        ),
        ("/quan-tri/lich", get(admin::calendar::year_page)),
        ("/quan-tri/lich/han", get(admin::calendar::due)),
        ("/quan-tri/lich/{year}", post(admin::calendar::edit_year)),
        (
            "/quan-tri/lich/{year}/xoa",
            post(admin::calendar::delete_year),
        ),
        ("/quan-tri/truy-cap-du-lieu", get(admin::access_log::show)),
        ("/quan-tri/webhook", get(admin::webhooks::list)),
        ("/quan-tri/webhook", post(admin::webhooks::create)),
        ("/quan-tri/webhook/{id}", get(admin::webhooks::detail)),
        (
            "/quan-tri/webhook/{id}/doi-khoa",
            post(admin::webhooks::rotate),
        ),
        (
            "/quan-tri/webhook/{id}/bat-tat",
            post(admin::webhooks::toggle),
        ),
        (
            "/quan-tri/webhook/{id}/gui-lai/{delivery}",
            post(admin::webhooks::replay),
        ),
    ])
}

/// Citizen feedback, and fees: payment, receipts, the agencies' bank accounts.
fn service_routes() -> Router<AppState> {
    routes::table([
        ("/phan-anh", get(feedback::published)),
        (
            "/phan-anh/gui",
            get(feedback::form)
                .post(feedback::submit)
                .layer(DefaultBodyLimit::disable()),
        ),
        ("/phan-anh/{ma}", get(feedback::follow)),
        ("/phan-anh/{ma}/danh-gia", post(feedback::react)),
        ("/xu-ly/phan-anh", get(feedback::queue)),
        ("/xu-ly/phan-anh/{ma}", get(feedback::report)),
        ("/xu-ly/phan-anh/{ma}/thao-tac", post(feedback::act)),
        ("/thanh-toan/ket-qua", get(payments::returned)),
        ("/thanh-toan/{ma}", get(payments::show)),
        ("/thanh-toan/{ma}/truc-tuyen", post(payments::pay_online)),
        ("/thanh-toan/{ma}/tai-quay", post(payments::record_counter)),
        ("/thanh-toan/{ma}/bien-lai", get(payments::receipt)),
        ("/thanh-toan/{ma}/dieu-chinh", post(payments::adjust)),
        ("/thanh-toan/co-quan/{agency}/tai-khoan", get(bank::account)),
        (
            "/thanh-toan/co-quan/{agency}/tai-khoan",
            post(bank::save_account),
        ),
        (
            "/thanh-toan/co-quan/{agency}/sao-ke",
            get(bank::statement_form),
        ),
        ("/thanh-toan/co-quan/{agency}/sao-ke", post(bank::import)),
    ])
}
