//! Official forms: a dossier's receipt, supplement request, refusal, apology, stop notice and
//! control sheet, and an agency's register, as A4 HTML (print from the browser) or PDF.

use axum::extract::Query;
use axum::response::Response;
use chrono::NaiveDate;
use motcua_domain::auth::Action;
use serde::Deserialize;

use crate::api::responses::{Forbidden, NotFound, Unprocessable};
use crate::auth::{Acting, ResolvedScope};
use crate::download::rendered;
use crate::error::ApiError;
use crate::error::ApiPath as Path;
use crate::error::ApiResult;
use motcua_app::forms::{self, Format};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FormParams {
    /// `html` (default) or `pdf`.
    pub format: Option<String>,
}

/// A form of a dossier, in the form set in force on its receipt date (Circular 01/2018 or
/// 03/2025): `receipt`, `supplement_request`, `refusal`, `apology`, `stop_notice`,
/// `control_sheet`. For those who may read the dossier.
#[utoipa::path(get, path = "/dossiers/{code}/forms/{kind}", params(FormParams), tag = "forms",
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", description = "the form (PDF or HTML)"),
        Forbidden, NotFound,
        (status = 409, body = crate::error::ApiErrorBody, description = "the form does not apply to this dossier")))]
pub async fn dossier_form(
    Acting(state, caller): Acting,
    origin: motcua_app::access_log::ReadOrigin,
    Path((code, kind)): Path<(String, String)>,
    Query(p): Query<FormParams>,
) -> ApiResult<Response> {
    let format = Format::parse(p.format.as_deref())?;
    let kind = forms::kind(&kind)?;
    let read = motcua_app::access_log::Read::Form;
    let row = motcua_app::access_log::read_dossier(&state, &caller, &code, read, &origin).await?;
    Ok(rendered(
        forms::dossier_form(&state, &row, kind, format).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegisterParams {
    /// First day (YYYY-MM-DD), Vietnam time.
    pub from: NaiveDate,
    /// Last day (YYYY-MM-DD), included.
    pub to: NaiveDate,
    /// `html` (default) or `pdf`.
    pub format: Option<String>,
}

/// The register (sổ theo dõi hồ sơ) of the dossiers an agency received between two days, for
/// its receiving officers and those who oversee it.
#[utoipa::path(get, path = "/agencies/{code}/register", params(RegisterParams), tag = "forms",
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", description = "the register (PDF or HTML)"),
        Forbidden, Unprocessable))]
pub async fn register(
    Acting(state, caller): Acting,
    Path(code): Path<String>,
    Query(p): Query<RegisterParams>,
) -> ApiResult<Response> {
    let format = Format::parse(p.format.as_deref())?;
    if p.to < p.from || (p.to - p.from).num_days() > 366 {
        return Err(ApiError::invalid(
            "invalid_period",
            "Khoảng thời gian không hợp lệ (từ ngày phải trước đến ngày, tối đa một năm).",
        ));
    }
    let agency = crate::api::agencies::agency_by_code(&state, &code).await?;
    let scope = ResolvedScope::of(&state, agency.id).await?;
    let principal = caller.principal();
    if !(principal.may(&Action::Receive(scope.scope()))
        || principal.may(&Action::Oversee(scope.scope())))
    {
        return Err(ApiError::Forbidden);
    }
    Ok(rendered(
        forms::register(&state, &agency, p.from, p.to, format).await?,
    ))
}
