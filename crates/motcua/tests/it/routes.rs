//! Role × endpoint: every route the router registers (read from it, see
//! `motcua_web::routes`), called by anonymous, each role, staff of another agency and of
//! another province and a second citizen, against the status this table expects. A route
//! without a row fails the test, and so does a row without a route.
//!
//! Calls carry real path values (the citizen's dossier, its agency, a published procedure)
//! and no body (`{}` for JSON, the CSRF token alone for forms): a write that gets past the
//! gate stops at validation (400/422), so 401/403 against 2xx/4xx shows who is let in.
//! `MOTCUA_ROUTES_PRINT=1` prints the table as it is, to review and paste when routes change.

use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use crate::support::{TestApp, browser, client, csrf_from, get_page};

const ABTC: &str = "1.011728";
const CENTRE: &str = "000.00.01.H38";

/// Who calls, in the order of the table's columns.
const WHO: [&str; 9] = [
    "anonymous",
    "citizen",
    "receiving_officer",
    "specialist",
    "leader",
    "admin",
    "other_agency",
    "other_province",
    "citizen2",
];

/// (method, path template, expected status per column of [`WHO`]).
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, [u16; 9])] = &[
    // anonymous, citizen, receiving officer, specialist, leader, admin, other agency,
    // other province, second citizen
    ("DELETE", "/api/v1/calendar/years/{year}", [401, 403, 403, 403, 403, 204, 403, 403, 403]),
    ("DELETE", "/api/v1/me/sessions/{id}", [401, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/admin/outbox", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/api/v1/admin/personal-data-reads", [401, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("GET", "/api/v1/agencies", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/agencies/{code}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/agencies/{code}/office-hours", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/agencies/{code}/procedures", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/agencies/{code}/register", [401, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/calendar/due", [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/calendar/holidays/{year}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/calendar/lunar", [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/calendar/solar", [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/documents/reusable", [401, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/dossiers", [401, 403, 200, 200, 200, 403, 200, 200, 403]),
    // Partners only (a post office's own list; see partners.rs).
    ("GET", "/api/v1/partner/dossiers", [401, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/dossiers/{code}", [401, 200, 200, 403, 200, 200, 403, 403, 403]),
    ("GET", "/api/v1/dossiers/{code}/documents", [401, 200, 200, 403, 200, 200, 403, 403, 403]),
    ("GET", "/api/v1/dossiers/{code}/documents/{sha256}", [401, 404, 404, 403, 404, 404, 403, 403, 403]),
    ("GET", "/api/v1/dossiers/{code}/forms/{kind}", [401, 409, 409, 403, 409, 409, 403, 403, 403]),
    ("GET", "/api/v1/feedback", [401, 403, 200, 200, 200, 403, 200, 200, 403]),
    ("GET", "/api/v1/feedback/{code}", [401, 200, 200, 403, 200, 200, 403, 403, 403]),
    ("GET", "/api/v1/feedback/{code}/photos/{sha256}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/index", [401, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/index/ranking", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/api/v1/me", [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/me/contact", [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/me/data-store", [401, 200, 403, 403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v1/me/data-store/{sha256}", [401, 404, 403, 403, 403, 403, 403, 403, 404]),
    ("GET", "/api/v1/me/documents", [401, 200, 403, 403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v1/me/sessions", [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/openapi.json", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/procedures", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/procedures/export", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/procedures/stats", [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/procedures/{code}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/public/dossiers/{code}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/public/feedback", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/public/feedback/{code}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/public/stats", [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/stats/dashboard", [401, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/stats/report", [401, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/units", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/units/{id}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/users", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/cong-dan/ho-so", [303, 200, 403, 403, 403, 403, 403, 403, 200]),
    ("GET", "/dang-nhap", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    // Single sign-on (#20): no provider is configured here.
    ("GET", "/dang-nhap/sso/{provider}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/dang-nhap/sso/{provider}/callback", [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("GET", "/dang-nhap/xac-thuc", [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET", "/dieu-hanh", [303, 403, 403, 403, 200, 200, 403, 403, 403]),
    ("GET", "/healthz", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/ho-so/{ma}", [303, 403, 200, 403, 200, 403, 403, 403, 403]),
    ("GET", "/metrics", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/mot-cua", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("GET", "/mot-cua/ho-so/{code}", [303, 403, 200, 403, 403, 403, 403, 403, 403]),
    ("GET", "/mot-cua/ho-so/{code}/in/{kind}", [303, 403, 409, 403, 403, 403, 403, 403, 403]),
    ("GET", "/mot-cua/so-theo-doi", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("GET", "/mot-cua/tiep-nhan", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("GET", "/mot-cua/tiep-nhan/thanh-phan", [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET", "/mot-cua/tiep-nhan/thu-tuc", [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("GET", "/mot-cua/tra-ket-qua", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("GET", "/mot-cua/xac-thuc-tai-khoan", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("GET", "/open311/v2/requests/{file}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/open311/v2/services/{file}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/open311/v2/tokens/{file}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/open311/v2/{file}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/phan-anh", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/phan-anh/gui", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/phan-anh/{ma}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/quan-tri", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/can-bo", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/can-bo/{username}", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/co-quan", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/co-quan/{code}", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/lich", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/lich/han", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("GET", "/quan-tri/thu-tuc", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/thu-tuc/quy-trinh", [303, 403, 403, 403, 403, 303, 403, 403, 403]),
    ("GET", "/quan-tri/thu-tuc/{code}", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/thu-tuc/{code}/quy-trinh", [303, 403, 403, 403, 403, 303, 403, 403, 403]),
    ("GET", "/quan-tri/thu-tuc/{code}/quy-trinh/{agency}", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/truy-cap-du-lieu", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/readyz", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/app.css", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/app.js", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/feedback-map.js", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/fonts/{file}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/static/htmx.min.js", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/stats.css", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/vendor/leaflet/leaflet.css", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/vendor/leaflet/leaflet.js", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/vendor/leaflet/{file}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/tai-khoan", [303, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/tai-khoan/kho-du-lieu", [303, 200, 403, 403, 403, 403, 403, 403, 200]),
    ("GET", "/tai-khoan/xac-thuc-hai-lop", [303, 403, 200, 200, 200, 200, 200, 200, 403]),
    ("GET", "/thong-ke", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/thu-tuc", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/thu-tuc/{ma}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/thu-tuc/{ma}/nop", [303, 200, 403, 403, 403, 403, 403, 403, 200]),
    ("GET", "/tra-cuu", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/tra-cuu/{ma}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/xu-ly", [303, 403, 200, 200, 200, 403, 200, 200, 403]),
    ("GET", "/xu-ly/phan-anh", [303, 403, 200, 200, 200, 403, 200, 200, 403]),
    ("GET", "/xu-ly/phan-anh/{ma}", [303, 200, 200, 403, 200, 200, 403, 403, 403]),
    ("POST", "/api/v1/admin/outbox/{id}/retry", [401, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("POST", "/api/v1/agencies", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/dossiers", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/dossiers/{code}/actions/{action}", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/dossiers/{code}/documents", [401, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("POST", "/api/v1/dossiers/{code}/documents/reuse", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/dossiers/{code}/result-file", [401, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("POST", "/api/v1/feedback", [422, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/feedback/{code}/actions", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/procedures", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/procedures/{code}/abolish", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/procedures/{code}/publish", [401, 403, 403, 403, 403, 409, 403, 403, 403]),
    ("POST", "/api/v1/users", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/users/{username}/verification", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/dang-nhap", [401, 401, 401, 401, 401, 429, 429, 429, 429]),
    ("POST", "/ho-so/{ma}/ket-qua", [303, 403, 400, 400, 400, 403, 400, 400, 403]),
    ("POST", "/dang-nhap/xac-thuc", [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/ho-so/{ma}/thao-tac/{action}", [303, 403, 422, 403, 422, 403, 403, 403, 403]),
    ("POST", "/mot-cua/ho-so/{code}/kiem-tra", [303, 403, 409, 403, 403, 403, 403, 403, 403]),
    ("POST", "/mot-cua/tiep-nhan", [303, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/mot-cua/tra-ket-qua/{code}", [303, 403, 422, 403, 403, 403, 403, 403, 403]),
    ("POST", "/mot-cua/xac-thuc-tai-khoan", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("POST", "/ngon-ngu", [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/open311/v2/{file}", [403, 403, 403, 403, 403, 403, 403, 403, 403]),
    ("POST", "/phan-anh/gui", [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("POST", "/phan-anh/{ma}/danh-gia", [303, 409, 409, 409, 409, 409, 409, 409, 409]),
    ("POST", "/quan-tri/can-bo", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/can-bo/{username}/khoa", [303, 403, 403, 403, 403, 303, 403, 403, 403]),
    ("POST", "/quan-tri/can-bo/{username}/vai-tro", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/can-bo/{username}/vai-tro/bo", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/can-bo/{username}/xac-thuc-hai-lop", [303, 403, 403, 403, 403, 303, 403, 403, 403]),
    ("POST", "/quan-tri/co-quan", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/co-quan/{code}/gio-lam-viec", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/lich/{year}", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/lich/{year}/xoa", [303, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("POST", "/quan-tri/thu-tuc/{code}/bai-bo", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/thu-tuc/{code}/cong-khai", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/thu-tuc/{code}/quy-trinh/{agency}", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/tai-khoan/dang-xuat-noi-khac", [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/tai-khoan/lien-he", [303, 303, 303, 303, 303, 303, 303, 303, 303]),
    ("POST", "/tai-khoan/phien/{id}/dang-xuat", [303, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("POST", "/tai-khoan/xac-thuc-hai-lop/bat", [303, 403, 200, 200, 200, 200, 200, 200, 403]),
    ("POST", "/tai-khoan/xac-thuc-hai-lop/tat", [303, 403, 200, 200, 200, 200, 200, 200, 403]),
    ("POST", "/tai-khoan/xac-thuc-hai-lop/xac-nhan", [303, 403, 401, 401, 401, 401, 401, 401, 403]),
    ("POST", "/thu-tuc/{ma}/nop", [400, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("POST", "/tra-cuu/{ma}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/tra-cuu/{ma}/bo-sung", [303, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("POST", "/tra-cuu/{ma}/danh-gia", [303, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/xu-ly/phan-anh/{ma}/thao-tac", [303, 409, 409, 409, 409, 409, 409, 409, 409]),
    ("POST", "/xu-ly/phan-cong", [303, 403, 422, 422, 422, 403, 422, 422, 403]),
    ("PUT", "/api/v1/agencies/{code}/office-hours", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("PUT", "/api/v1/agencies/{code}/procedures/{procedure}", [401, 403, 403, 403, 403, 409, 403, 403, 403]),
    ("PUT", "/api/v1/calendar/years/{year}", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("PUT", "/api/v1/me/contact", [401, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("PUT", "/api/v1/procedures/{code}", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("DELETE", "/api/v1/auth/token", [401, 204, 204, 204, 204, 204, 204, 204, 204]),
    ("POST", "/api/v1/auth/token", [422, 422, 422, 422, 422, 422, 422, 422, 422]),
    // The counter hall (bốc số): kiosk and board for anyone, counters for the centre's officers.
    ("GET", "/api/v1/hall/tickets/{token}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/api/v1/hall/{agency}/board", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/hall/{agency}/stats", [401, 403, 200, 403, 200, 200, 403, 403, 403]),
    ("GET", "/bang-goi-so/{agency}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/bang-goi-so/{agency}/su-kien", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/boc-so/ve/{token}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/boc-so/{agency}", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/mot-cua/boc-so", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("GET", "/mot-cua/boc-so/khu-vuc", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("GET", "/mot-cua/boc-so/thong-ke", [303, 403, 200, 403, 403, 403, 403, 200, 403]),
    ("GET", "/static/hall.css", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/static/hall.js", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/hall/{agency}/counters/{counter}/call", [401, 403, 422, 403, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/hall/{agency}/counters/{counter}/finish", [401, 403, 422, 403, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/hall/{agency}/tickets", [422, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/boc-so/{agency}", [422, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/mot-cua/boc-so/goi", [303, 403, 303, 403, 403, 403, 403, 303, 403]),
    ("POST", "/mot-cua/boc-so/khu-vuc", [303, 403, 422, 403, 403, 403, 403, 422, 403]),
    ("POST", "/mot-cua/boc-so/quay", [303, 403, 303, 403, 403, 403, 403, 303, 403]),
    ("POST", "/mot-cua/boc-so/xong", [303, 403, 303, 403, 403, 403, 403, 303, 403]),
    ("PUT", "/api/v1/hall/{agency}/areas", [401, 403, 422, 403, 403, 422, 403, 403, 403]),
    // Webhooks (#21): system administrators only.
    ("GET", "/api/v1/dossiers/{code}/portal-sync", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/api/v1/webhooks", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/api/v1/webhooks/{id}", [401, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("GET", "/api/v1/webhooks/{id}/deliveries", [401, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("POST", "/api/v1/webhooks", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/webhooks/{id}/deliveries/{delivery}/replay", [401, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("POST", "/api/v1/webhooks/{id}/secrets", [401, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("PUT", "/api/v1/webhooks/{id}", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("DELETE", "/api/v1/webhooks/{id}/secrets/old", [401, 403, 403, 403, 403, 404, 403, 403, 403]),
    // Transfers between deployments: signed per RFC 9421, no session; 404 where no peer is
    // configured (as here).
    ("POST", "/api/v1/transfers", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    // A peer's signed fetch of a transferred dossier's file: no peers configured here.
    ("GET", "/api/v1/transfers/{code}/documents/{sha256}", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/quan-tri/webhook", [303, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("GET", "/quan-tri/webhook/{id}", [303, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("POST", "/quan-tri/webhook", [303, 403, 403, 403, 403, 422, 403, 403, 403]),
    ("POST", "/quan-tri/webhook/{id}/bat-tat", [303, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("POST", "/quan-tri/webhook/{id}/doi-khoa", [303, 403, 403, 403, 403, 404, 403, 403, 403]),
    ("POST", "/quan-tri/webhook/{id}/gui-lai/{delivery}", [303, 403, 403, 403, 403, 404, 403, 403, 403]),
    // Fees and online payment (#23): the dossier's readers see its payment; the gateway's IPN
    // and return are public (signed); accounts and reconciliation are the administrators'.
    ("GET", "/api/v1/dossiers/{code}/payment", [401, 200, 200, 403, 200, 200, 403, 403, 403]),
    ("GET", "/api/v1/dossiers/{code}/payment/receipt", [401, 404, 404, 403, 404, 404, 403, 403, 403]),
    ("GET", "/api/v1/payments/vnpay/ipn", [200, 200, 200, 200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/payments/vnpay/return", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("POST", "/api/v1/admin/payments/reconcile", [401, 403, 403, 403, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/dossiers/{code}/payment/counter", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("POST", "/api/v1/dossiers/{code}/payment/online", [401, 409, 409, 403, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/dossiers/{code}/payment/refund", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("PUT", "/api/v1/agencies/{code}/payment-gateway", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("GET", "/api/v1/agencies/{code}/payments/report", [401, 400, 400, 400, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/dossiers/{code}/payment/vietqr", [401, 409, 409, 403, 409, 409, 403, 403, 403]),
    ("POST", "/api/v1/agencies/{code}/payments/statement", [401, 403, 422, 403, 403, 403, 403, 403, 403]),
    ("PUT", "/api/v1/agencies/{code}/bank-account", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    // The agency's bank account: its administrators and leaders (none set: 404); fee changes:
    // receiving officers and leaders of the dossier's agency (no lines, no reason: 422).
    ("GET", "/api/v1/agencies/{code}/bank-account", [401, 403, 403, 403, 404, 404, 403, 403, 403]),
    ("POST", "/api/v1/dossiers/{code}/payment/adjust", [401, 422, 422, 422, 422, 422, 422, 422, 422]),
    ("GET", "/thanh-toan/co-quan/{agency}/tai-khoan", [303, 403, 403, 403, 200, 200, 403, 403, 403]),
    ("POST", "/thanh-toan/co-quan/{agency}/tai-khoan", [303, 403, 403, 403, 422, 422, 403, 403, 403]),
    ("GET", "/thanh-toan/co-quan/{agency}/sao-ke", [303, 403, 200, 403, 403, 403, 403, 403, 403]),
    ("POST", "/thanh-toan/co-quan/{agency}/sao-ke", [303, 403, 400, 403, 403, 403, 403, 403, 403]),
    ("POST", "/thanh-toan/{ma}/dieu-chinh", [303, 403, 422, 403, 422, 403, 403, 403, 403]),
    ("GET", "/thanh-toan/ket-qua", [404, 404, 404, 404, 404, 404, 404, 404, 404]),
    ("GET", "/thanh-toan/{ma}", [303, 200, 200, 403, 200, 200, 403, 403, 403]),
    ("GET", "/thanh-toan/{ma}/bien-lai", [303, 404, 404, 403, 404, 404, 403, 403, 403]),
    ("POST", "/thanh-toan/{ma}/tai-quay", [303, 403, 422, 403, 403, 403, 403, 403, 403]),
    ("POST", "/thanh-toan/{ma}/truc-tuyen", [303, 409, 409, 403, 403, 403, 403, 403, 403]),
    ("POST", "/dang-xuat", [303, 303, 303, 303, 303, 303, 303, 303, 303]),
];

struct Caller {
    token: Option<String>,
    browser: Client,
    csrf: String,
}

async fn fixture() -> (TestApp, Vec<Caller>, String, String) {
    let app = TestApp::with_config(motcua_app::Config {
        lookups_per_minute: 100_000,
        ..Default::default()
    })
    .await;
    crate::catalogue::import(app.store.as_ref(), &["1.001193", ABTC]).await;
    app.agency(
        "000.00.00.H38",
        "UBND tỉnh Thanh Hóa",
        "province_committee",
        None,
    )
    .await;
    let centre = app
        .agency(
            CENTRE,
            "Trung tâm PVHCC Thanh Hóa",
            "service_centre",
            Some("000.00.00.H38"),
        )
        .await;
    app.agency(
        "000.00.02.H38",
        "Sở Tư pháp Thanh Hóa",
        "department",
        Some("000.00.00.H38"),
    )
    .await;
    app.agency(
        "000.00.03.H38",
        "Sở Y tế Thanh Hóa",
        "department",
        Some("000.00.00.H38"),
    )
    .await;
    app.agency(
        "000.00.00.H01",
        "UBND thành phố Hà Nội",
        "province_committee",
        None,
    )
    .await;
    app.agency(
        "000.00.01.H01",
        "Trung tâm PVHCC Hà Nội",
        "service_centre",
        Some("000.00.00.H01"),
    )
    .await;
    motcua_app::catalogue::apply(app.store.as_ref(), ABTC, centre.id, None)
        .await
        .expect("applied");
    let accounts = [
        ("congdan", "citizen", None),
        ("tiepnhan", "receiving_officer", Some(CENTRE)),
        ("chuyenvien", "specialist", Some("000.00.02.H38")),
        ("lanhdao", "leader", Some("000.00.00.H38")),
        ("quantri", "admin", None),
        ("chuyenvien.yte", "specialist", Some("000.00.03.H38")),
        ("tiepnhan.hn", "receiving_officer", Some("000.00.01.H01")),
        ("congdan2", "citizen", None),
    ];
    // The account the administration pages act on (not one of the callers).
    app.user("canbo.thu", "specialist", Some("000.00.02.H38"))
        .await;
    let mut callers = vec![Caller {
        token: None,
        browser: client(),
        csrf: String::new(),
    }];
    let (_, html) = get_page(&callers[0].browser, &app, "/").await;
    callers[0].csrf = csrf_from(&html);
    for (username, role, agency) in accounts {
        let token = app.user(username, role, agency).await;
        let (browser, csrf) = browser(&app, username).await;
        callers.push(Caller {
            token: Some(token),
            browser,
            csrf,
        });
    }
    let (s, d) = app
        .post(
            "/api/v1/dossiers",
            callers[1].token.as_deref(),
            json!({"procedure": ABTC, "agency": CENTRE, "channel": "online",
                "applicant": {"name": "Nguyễn Thị Hồng Nhung", "id_number": "038199012345",
                    "phone": "0912345678", "address": "Số 5 phố Lê Lợi"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().expect("code").to_string();
    // The citizen's feedback report, at the centre.
    let (s, d) = app
        .post(
            "/api/v1/feedback",
            callers[1].token.as_deref(),
            json!({"about": "dossier", "code": code, "title": "Chậm trả kết quả",
                "content": "Hồ sơ chưa được trả đúng hẹn."}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let feedback = d["code"].as_str().expect("code").to_string();
    (app, callers, code, feedback)
}

/// The path with real values for its parameters.
fn concrete(path: &str, dossier: &str, feedback: &str) -> String {
    let request_file = format!("{feedback}.json");
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("closing brace") + open;
        let name = &rest[open + 1..close];
        let before = &out;
        let value = match name {
            "code" if before.contains("feedback") => feedback,
            "ma" if before.contains("phan-anh") => feedback,
            "code" | "ma"
                if before.contains("dossiers")
                    || before.contains("ho-so")
                    || before.contains("tra-cuu")
                    || before.contains("tra-ket-qua")
                    || before.contains("thanh-toan") =>
            {
                dossier
            }
            "code" | "ma" if before.contains("procedures") || before.contains("thu-tuc") => ABTC,
            "code" | "ma" => CENTRE,
            "procedure" => ABTC,
            "agency" => CENTRE,
            "username" => "canbo.thu",
            "year" => "2025",
            "id" if before.contains("units") => "38",
            "id" => "0190a6c0-0000-7000-8000-000000000000",
            "action" => "receive",
            "sha256" => "0000000000000000000000000000000000000000000000000000000000000000",
            "kind" => "receipt",
            "file" if before.ends_with("/open311/v2/services/") => "other.json",
            "file" if before.ends_with("/open311/v2/requests/") => &request_file,
            "file" if before.ends_with("/open311/v2/tokens/") => {
                "0190a6c0-0000-7000-8000-000000000000.xml"
            }
            "file" if before.ends_with("/open311/v2/") => "requests.json",
            "file" => "khong-co.ttf",
            "token" => "khong-co",
            "counter" => "2",
            "delivery" => "0190a6c0-0000-7000-8000-000000000001",
            "provider" => "khong-co",
            other => panic!("no value for path parameter {{{other}}} in {path}"),
        };
        out.push_str(value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

async fn call(app: &TestApp, who: &Caller, method: &str, path: &str) -> u16 {
    let m = Method::from_bytes(method.as_bytes()).expect("method");
    let url = app.url(path);
    let res = if path.starts_with("/api/") {
        let mut req = client().request(m.clone(), &url);
        if let Some(t) = &who.token {
            req = req.bearer_auth(t);
        }
        if m != Method::GET {
            req = req.json(&json!({}));
        }
        req.send().await
    } else if m == Method::GET {
        who.browser.get(&url).send().await
    } else {
        who.browser
            .request(m, &url)
            .form(&[("csrf", who.csrf.as_str())])
            .send()
            .await
    };
    res.expect("request").status().as_u16()
}

#[tokio::test]
async fn every_route_answers_each_role_as_expected() {
    let (app, callers, dossier, feedback) = fixture().await;
    let state = motcua_web::AppState::new(app.store.clone(), motcua_app::Config::default());
    let routes = motcua_web::routes::list(&motcua_web::router(state));
    let print = std::env::var("MOTCUA_ROUTES_PRINT").is_ok_and(|v| v == "1");
    let mut problems = Vec::new();
    let mut table = String::new();
    // Signing out (here or elsewhere) and revoking a token end the caller's sessions: they
    // come last.
    let mut ordered = routes.clone();
    ordered.sort_by_key(|r| {
        (
            match r.path.as_str() {
                "/api/v1/auth/token" => 1,
                // Ends the API tokens too, then the browser's own session goes.
                "/tai-khoan/dang-xuat-noi-khac" => 2,
                "/dang-xuat" => 3,
                _ => 0,
            },
            r.clone(),
        )
    });
    for r in &ordered {
        let path = concrete(&r.path, &dossier, &feedback);
        let method = if r.method == "ANY" {
            "GET"
        } else {
            r.method.as_str()
        };
        let mut got = [0u16; 9];
        for (i, who) in callers.iter().enumerate() {
            got[i] = call(&app, who, method, &path).await;
        }
        table.push_str(&format!(
            "    (\"{}\", \"{}\", {:?}),\n",
            r.method, r.path, got
        ));
        match EXPECTED
            .iter()
            .find(|(m, p, _)| *m == r.method && *p == r.path)
        {
            None => problems.push(format!(
                "{} {}: no row in EXPECTED (got {got:?})",
                r.method, r.path
            )),
            Some((_, _, want)) if *want != got => {
                for i in 0..9 {
                    if want[i] != got[i] {
                        problems.push(format!(
                            "{} {} as {}: expected {}, got {}",
                            r.method, r.path, WHO[i], want[i], got[i]
                        ));
                    }
                }
            }
            Some(_) => {}
        }
    }
    for (m, p, _) in EXPECTED {
        if !routes.iter().any(|r| r.method == *m && r.path == *p) {
            problems.push(format!("{m} {p}: in EXPECTED but not a route"));
        }
    }
    if print {
        println!("{table}");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
