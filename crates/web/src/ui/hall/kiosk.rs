//! The kiosk (`/boc-so/{centre}`): one large button per service area, and the ticket it gives
//! (`/boc-so/ve/{token}`): the number, the area, how many wait before it, a QR of the page
//! itself, printable on a 58 or 80 mm receipt printer.

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use motcua_app::hall::{self, AreaQueue, TicketView};
use serde::Deserialize;

use crate::auth::ClientIp;
use crate::error::ApiPath;
use crate::ui::form::Posted;
use crate::ui::kit::{Ctx, Page};

#[derive(Template)]
#[template(path = "ui/hall/kiosk.html")]
struct Kiosk {
    p: Page,
    agency_code: String,
    agency_name: String,
    areas: Vec<AreaQueue>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/hall/ticket.html")]
struct TicketPage {
    p: Page,
    t: TicketView,
    qr_svg: String,
    /// When it was taken: `08:05 07/12/2026`.
    issued: String,
    /// Print at once (the kiosk just gave it).
    print: bool,
    /// The receipt printer's paper: 58 or 80 (mm).
    paper: u32,
}

#[derive(Deserialize)]
pub struct IssueForm {
    #[serde(default)]
    area: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TicketQuery {
    r#in: Option<String>,
    kho: Option<u32>,
}

async fn kiosk(ctx: &Ctx, code: &str, error: Option<String>) -> Response {
    let board = match hall::board(&ctx.state, code, Utc::now()).await {
        Ok(b) => b,
        Err(e) => return ctx.error(&e),
    };
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    ctx.render_status(
        status,
        Kiosk {
            p: ctx.page(),
            agency_code: board.agency_code,
            agency_name: board.agency_name,
            areas: board.areas,
            error,
        },
    )
}

pub async fn page(ctx: Ctx, ApiPath(code): ApiPath<String>) -> Response {
    kiosk(&ctx, &code, None).await
}

pub async fn issue(
    ClientIp(ip): ClientIp,
    ApiPath(code): ApiPath<String>,
    Posted(ctx, _, f, _): Posted<IssueForm>,
) -> Response {
    match hall::issue(&ctx.state, &code, &f.area, ip, Utc::now()).await {
        Ok(t) => ctx.finish(Redirect::to(&format!("/boc-so/ve/{}?in=1", t.token)).into_response()),
        Err(e @ motcua_app::AppError::Invalid { .. }) => {
            let msg = crate::error::ApiError::from(e).message_vi();
            kiosk(&ctx, &code, Some(msg)).await
        }
        Err(e) => ctx.error(&e),
    }
}

pub async fn ticket(
    ctx: Ctx,
    ApiPath(token): ApiPath<String>,
    axum::extract::Query(q): axum::extract::Query<TicketQuery>,
) -> Response {
    let t = match hall::ticket_view(&ctx.state, &token).await {
        Ok(t) => t,
        Err(e) => return ctx.error(&e),
    };
    let url = format!(
        "{}/boc-so/ve/{}",
        ctx.state.config.public_url.trim_end_matches('/'),
        t.token
    );
    let qr_svg = motcua_forms::QrMatrix::encode(&url)
        .map(|m| m.svg("30mm", &t.label))
        .unwrap_or_default();
    let issued = chrono::NaiveDateTime::parse_from_str(&t.issued_at, "%Y-%m-%dT%H:%M")
        .map(|d| d.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_else(|_| t.issued_at.clone());
    let mut res = ctx.render(TicketPage {
        p: ctx.page(),
        issued,
        t,
        qr_svg,
        print: q.r#in.is_some(),
        paper: if q.kho == Some(58) { 58 } else { 80 },
    });
    // The page is the person's: no cache may keep it for another.
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}
