//! The result recorded from the dossier's page (`POST /ho-so/{ma}/ket-qua`, multipart): its
//! number, and the electronic result's file when one is chosen (PDF, JPEG, PNG). With a file
//! it goes through the same service as the API's `POST /api/v1/dossiers/{code}/result-file`;
//! without one, as the `record_result` action with a paper result.

use std::collections::HashMap;

use axum::extract::Path;
use serde_json::json;

use super::dossier::{answer, run_action};
use crate::error::ApiError;
use crate::ui::form::{Officer, UiResult, Upload};

pub async fn submit(
    Path(code): Path<String>,
    Upload(ctx, caller, body, _): Upload<Officer>,
) -> UiResult {
    let limit = ctx.state.config.max_upload_bytes;
    let form = body
        .read(&ctx, |n| n == "file", limit, limit + 64 * 1024)
        .await?;
    let mut values: HashMap<String, String> = HashMap::new();
    for (k, v) in form.texts {
        values.entry(k).or_insert(v);
    }
    let version = values
        .get("version")
        .and_then(|v| v.trim().parse::<i32>().ok())
        .unwrap_or(-1);
    let result_code = values
        .get("result_code")
        .map_or("", String::as_str)
        .trim()
        .to_string();
    let outcome = if !form.too_large.is_empty() {
        Err(motcua_app::documents::too_large(limit).into())
    } else if let Some((_, bytes)) = form.files.into_iter().next() {
        ctx.state
            .upload_result(&caller, &code, version, &result_code, async { Ok(bytes) })
            .await
            .map(|_| ())
            .map_err(ApiError::from)
    } else {
        let fields = json!({
            "version": version,
            "result_code": result_code,
            "form": {"form": "paper"},
        });
        run_action(&ctx.state, &caller, &code, "record_result", fields).await
    };
    Ok(answer(&ctx, &caller, &code, "record_result", values, outcome).await)
}
