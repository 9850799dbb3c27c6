//! The applicant's supplement sent online (`POST /tra-cuu/{ma}/bo-sung`, multipart): one file
//! per item the officer asked for (`file_{i}`, `i` the item's place in the request) and a
//! note. The application layer checks everything before it writes anything
//! ([`motcua_app::state::App::supplement_online`]); a refusal shows the dossier's page again
//! with the message next to the form.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use motcua_app::AppError;
use motcua_app::dossiers;
use motcua_app::online::MAX_SUPPLEMENT_FILES;

use super::lookup::{Shown, show};
use crate::auth::ClientIp;
use crate::error::ApiError;
use crate::state::AppState;
use crate::ui::form::{OrPage, UiResult, read_multipart};
use crate::ui::kit::{Ctx, urlencode};

pub async fn submit(
    ctx: Ctx,
    State(state): State<AppState>,
    ip: ClientIp,
    Path(code): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> UiResult {
    let Some(caller) = ctx.caller.clone() else {
        let back = urlencode(&format!("/tra-cuu/{code}"));
        return Ok(Redirect::to(&format!("/dang-nhap?next={back}")).into_response());
    };
    let limit = state.config.max_upload_bytes;
    let total = limit.saturating_mul(MAX_SUPPLEMENT_FILES) + 1024 * 1024;
    let form = match mp {
        Ok(mp) => read_multipart(mp, |n| n.starts_with("file_"), limit, total).await,
        Err(_) => Err(ApiError::bad_request(
            "invalid_form",
            "Biểu mẫu không hợp lệ.",
        )),
    };
    let form = match form {
        Ok(f) => f,
        // The token is in the body: a body that cannot be read is refused as a whole.
        Err(e) => return Ok(ctx.error(&e)),
    };
    let text = |key: &str| {
        form.texts
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ctx.check_csrf(&text("csrf"))?;
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
    let note = Some(text("note")).filter(|n| !n.trim().is_empty());
    let version = text("version").trim().parse().unwrap_or(-1);
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
