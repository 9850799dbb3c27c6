//! The counter hall over JSON: the kiosk's ticket (anyone), a ticket by its key, the display
//! board, and for the centre's receiving officers the counter's calls, the service areas and the
//! waiting-time statistics. The same `motcua_app::hall` service as the pages.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{NaiveDate, Utc};
use motcua_app::hall::{self, Board, CallWhat, HallStats, TicketView};
use motcua_domain::hall::{Area, TicketStatus};
use serde::Deserialize;

use crate::api::responses::{
    Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable,
};
use crate::auth::{Acting, ClientIp};
use crate::error::{ApiError, ApiJson, ApiPath as Path, ApiQuery, ApiResult};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    /// The service area's letter (`A`).
    pub area: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallInput {
    #[serde(default)]
    /// `next` (the longest waiting in the counter's areas), `again` (the counter's current
    /// ticket) or `number` (the ticket named in `number`).
    pub what: String,
    /// The ticket's label (`A012`) when `what` is `number`.
    pub number: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishInput {
    #[serde(default)]
    /// `done` (served) or `no_show`.
    pub outcome: String,
    /// The dossier received for the ticket (served only).
    pub dossier_code: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CallResult {
    /// The ticket called; `null` when nobody waits in the counter's areas.
    pub ticket: Option<TicketView>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreasInput {
    /// The kiosk's areas in order, 1 to 26.
    #[serde(default)]
    pub areas: Vec<AreaInput>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StatsParams {
    /// First day (YYYY-MM-DD, Vietnam), default today.
    pub from: Option<NaiveDate>,
    /// Last day, included; default `from`.
    pub to: Option<NaiveDate>,
}

async fn view(state: &AppState, t: &motcua_domain::hall::Ticket) -> ApiResult<TicketView> {
    Ok(hall::ticket_view(state, &t.token).await?)
}

/// Takes a number at the kiosk of a centre (anyone; an address takes at most 60 a minute).
#[utoipa::path(post, path = "/hall/{agency}/tickets", tag = "hall", request_body = IssueInput,
    params(("agency" = String, Path, description = "The centre's code")),
    responses((status = 201, body = TicketView), NotFound, Conflict, Unprocessable,
        TooManyRequests))]
pub async fn issue(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(agency): Path<String>,
    ApiJson(input): ApiJson<IssueInput>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    let t = hall::issue(&state, &agency, &input.area, ip, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &t).await?)))
}

/// A ticket by the key in its QR: its number, area, place in the queue or counter.
#[utoipa::path(get, path = "/hall/tickets/{token}", tag = "hall",
    params(("token" = String, Path, description = "The ticket's key")),
    responses((status = 200, body = TicketView), NotFound))]
pub async fn ticket(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(hall::ticket_view(&state, &token).await?))
}

/// The display board of a centre: the latest calls and the queue of each area.
#[utoipa::path(get, path = "/hall/{agency}/board", tag = "hall",
    params(("agency" = String, Path, description = "The centre's code")),
    responses((status = 200, body = Board), NotFound))]
pub async fn board(
    State(state): State<AppState>,
    Path(agency): Path<String>,
) -> ApiResult<Json<Board>> {
    Ok(Json(hall::board(&state, &agency, Utc::now()).await?))
}

/// Calls a ticket to a counter (the centre's receiving officers).
#[utoipa::path(post, path = "/hall/{agency}/counters/{counter}/call", tag = "hall",
    request_body = CallInput, security(("bearer" = [])),
    params(("agency" = String, Path, description = "The centre's code"),
        ("counter" = i32, Path, description = "The counter's number, 1-99")),
    responses((status = 200, body = CallResult), Unauthorized, Forbidden, NotFound, Conflict,
        Unprocessable))]
pub async fn call(
    Acting(state, caller): Acting,
    Path((agency, counter)): Path<(String, i32)>,
    ApiJson(input): ApiJson<CallInput>,
) -> ApiResult<Json<CallResult>> {
    let agency = hall::staffed_centre(&state, &caller, &agency).await?;
    let what = match (input.what.as_str(), input.number) {
        ("next", _) => CallWhat::Next,
        ("again", _) => CallWhat::Again,
        ("number", Some(n)) if n.len() <= 10 => CallWhat::Number(n),
        _ => {
            return Err(ApiError::invalid(
                "hall_call_invalid",
                "Cần chọn gọi số tiếp theo (next), gọi lại (again) hoặc gọi một số (number kèm số).",
            ));
        }
    };
    let t = hall::call(&state, &caller, agency.id, counter, what, Utc::now()).await?;
    let ticket = match t {
        Some(t) => Some(view(&state, &t).await?),
        None => None,
    };
    Ok(Json(CallResult { ticket }))
}

/// Closes the counter's current ticket: served (with the dossier received) or not there.
#[utoipa::path(post, path = "/hall/{agency}/counters/{counter}/finish", tag = "hall",
    request_body = FinishInput, security(("bearer" = [])),
    params(("agency" = String, Path, description = "The centre's code"),
        ("counter" = i32, Path, description = "The counter's number, 1-99")),
    responses((status = 200, body = TicketView), Unauthorized, Forbidden, NotFound, Conflict,
        Unprocessable))]
pub async fn finish(
    Acting(state, caller): Acting,
    Path((agency, counter)): Path<(String, i32)>,
    ApiJson(input): ApiJson<FinishInput>,
) -> ApiResult<Json<TicketView>> {
    let agency = hall::staffed_centre(&state, &caller, &agency).await?;
    let outcome = match input.outcome.as_str() {
        "done" => TicketStatus::Done,
        "no_show" => TicketStatus::NoShow,
        _ => {
            return Err(ApiError::invalid(
                "hall_outcome_invalid",
                "Kết quả phục vụ cần là done hoặc no_show.",
            ));
        }
    };
    let t = hall::finish(
        &state,
        &caller,
        agency.id,
        counter,
        outcome,
        input.dossier_code,
        Utc::now(),
    )
    .await?;
    Ok(Json(view(&state, &t).await?))
}

/// Sets up the kiosk's service areas of a centre (its receiving officers, administrators).
#[utoipa::path(put, path = "/hall/{agency}/areas", tag = "hall", request_body = AreasInput,
    security(("bearer" = [])),
    params(("agency" = String, Path, description = "The centre's code")),
    responses((status = 200, body = Vec<Object>), Unauthorized, Forbidden, NotFound,
        Unprocessable))]
pub async fn set_areas(
    Acting(state, caller): Acting,
    Path(agency): Path<String>,
    ApiJson(input): ApiJson<AreasInput>,
) -> ApiResult<Json<Vec<Area>>> {
    let agency = hall::agency_by_code(&state, &agency).await?;
    let areas = input
        .areas
        .into_iter()
        .take(motcua_domain::hall::MAX_AREAS + 1)
        .map(|a| Area {
            code: a.code,
            name: a.name,
        })
        .collect();
    Ok(Json(
        hall::set_areas(&state, &caller, agency.id, areas).await?,
    ))
}

/// Waiting and serving times of a centre's hall over a period, per area and counter (its
/// receiving officers, leaders, administrators).
#[utoipa::path(get, path = "/hall/{agency}/stats", tag = "hall", params(StatsParams,
        ("agency" = String, Path, description = "The centre's code")),
    security(("bearer" = [])),
    responses((status = 200, body = HallStats), Unauthorized, Forbidden, NotFound, Unprocessable))]
pub async fn stats(
    Acting(state, caller): Acting,
    Path(agency): Path<String>,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<Json<HallStats>> {
    let agency = hall::agency_by_code(&state, &agency).await?;
    let from = p.from.unwrap_or_else(motcua_app::vn_today);
    let to = p.to.unwrap_or(from);
    Ok(Json(
        hall::stats(&state, &caller, agency.id, from, to).await?,
    ))
}
