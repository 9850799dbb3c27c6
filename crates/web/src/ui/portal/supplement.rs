//! The applicant's supplement sent online (`POST /tra-cuu/{ma}/bo-sung`, multipart): one file
//! per item the officer asked for (`file_{i}`, `i` the item's place in the request) and a
//! note. The application layer checks everything before it writes anything
//! ([`motcua_app::state::App::supplement_online`]); a refusal shows the dossier's page again
//! with the message next to the form.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use motcua_app::AppError;
use motcua_app::dossiers;
use motcua_app::online::MAX_SUPPLEMENT_FILES;

use super::lookup::{Shown, show};
use crate::auth::ClientIp;
use crate::state::AppState;
use crate::ui::form::{OrPage, UiResult, Upload};
use crate::ui::kit::urlencode;

pub async fn submit(
    State(state): State<AppState>,
    ip: ClientIp,
    Path(code): Path<String>,
    Upload(ctx, caller, body, _): Upload,
) -> UiResult {
    let Some(caller) = caller else {
        let back = urlencode(&format!("/tra-cuu/{code}"));
        return Ok(Redirect::to(&format!("/dang-nhap?next={back}")).into_response());
    };
    let limit = state.config.max_upload_bytes;
    let total = limit.saturating_mul(MAX_SUPPLEMENT_FILES) + 1024 * 1024;
    let form = body
        .read(&ctx, |n| n.starts_with("file_"), limit, total)
        .await?;
    let note = Some(form.text("note").to_owned()).filter(|n| !n.trim().is_empty());
    let version = form.text("version").trim().parse().unwrap_or(-1);
    let row = state.dossier(code.trim()).await.or_page(&ctx)?;
    let asked = dossiers::state_of(&row)
        .or_page(&ctx)?
        .open_request
        .map(|r| r.missing)
        .unwrap_or_default();
    let files: Vec<_> = form
        .files
        .into_iter()
        .filter_map(|(name, bytes)| {
            let i = name.strip_prefix("file_")?.parse::<usize>().ok()?;
            Some((asked.get(i)?.clone(), bytes))
        })
        .collect();
    let sent = if form.too_large.is_empty() {
        state
            .supplement_online(&caller, &row.code, version, files, note, limit)
            .await
    } else {
        Err(motcua_app::documents::too_large(limit))
    };
    match sent {
        Ok(row) => Ok(
            Redirect::to(&format!("/tra-cuu/{}?da_bo_sung=1", urlencode(&row.code)))
                .into_response(),
        ),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let shown = Shown {
                supplement_error: Some(e.message_vi()),
                ..Shown::default()
            };
            let page = show(ctx, state, ip, row.code, shown).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Ok(ctx.error(&e)),
    }
}
