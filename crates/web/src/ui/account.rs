//! `/tai-khoan`: a person's own account (#20): who they are (the verified number, the profile
//! their identity provider filled), the second factor for staff, and who read the personal
//! data of their dossiers (from the access log, Decree 13/2023/NĐ-CP).

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;

use super::form::Posted;
use super::kit::{Ctx, Page};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tai-khoan", get(page))
        .route("/tai-khoan/dang-xuat-noi-khac", post(sign_out_elsewhere))
}

/// One read, as the page lists it.
struct ReadView {
    at: String,
    by: String,
    dossier: String,
    what: &'static str,
    reason: String,
}

#[derive(Template)]
#[template(path = "ui/account.html")]
struct AccountPage {
    p: Page,
    full_name: String,
    username: String,
    id_number: String,
    birth_date: String,
    address: String,
    staff: bool,
    reads: Vec<ReadView>,
    sessions: i64,
}

async fn page(ctx: Ctx) -> Response {
    let caller = match ctx.signed_in() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    let me = match ctx.state.my_account(&caller).await {
        Ok(m) => m,
        Err(e) => return ctx.error(&e),
    };
    let reads = me
        .reads
        .iter()
        .map(|r| ReadView {
            at: motcua_domain::vn_time::local(r.at)
                .format("%d/%m/%Y %H:%M")
                .to_string(),
            by: r.username.clone(),
            dossier: r.dossier_code.clone(),
            what: motcua_app::access_log::Read::label_vi(&r.what),
            reason: r.reason.clone(),
        })
        .collect();
    ctx.render(AccountPage {
        p: ctx.page(),
        full_name: me.user.full_name,
        username: me.user.username,
        id_number: me.user.id_number.unwrap_or_default(),
        birth_date: me.profile.birth_date.unwrap_or_default(),
        address: me.profile.address.unwrap_or_default(),
        staff: me.staff,
        reads,
        sessions: me.sessions,
    })
}

#[derive(Deserialize)]
struct NoFields {}

/// Signs the account out everywhere else (other browsers, API tokens).
async fn sign_out_elsewhere(Posted(ctx, _, _, _): Posted<NoFields>) -> Response {
    let caller = match ctx.signed_in() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    match ctx.state.sign_out_elsewhere(&caller).await {
        Ok(_) => Redirect::to("/tai-khoan").into_response(),
        Err(e) => ctx.error(&e),
    }
}
