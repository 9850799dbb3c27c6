//! The personal data access log (Decree 13/2023/NĐ-CP) for administrators: who read the
//! dossiers of one person, when, what, why and from where; the same list as
//! `GET /api/v1/admin/personal-data-reads`, with its CSV export.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_domain::auth::Action;
use serde::Deserialize;

use super::super::kit::{Ctx, Page, urlencode};
use motcua_app::access_log::{self, Read};
use motcua_app::calendar::format_vn_instant;

/// One read, as shown.
struct Row {
    at: String,
    username: String,
    dossier: String,
    what: &'static str,
    reason: String,
    ip: String,
}

#[derive(Template)]
#[template(path = "ui/admin/access_log.html")]
struct AccessLog {
    p: Page,
    id_number: String,
    error: Option<String>,
    rows: Option<Vec<Row>>,
    csv: String,
}

#[derive(Deserialize)]
pub(crate) struct LogQuery {
    so_dinh_danh: Option<String>,
}

pub(crate) async fn show(ctx: Ctx, Query(q): Query<LogQuery>) -> Response {
    let caller = match ctx.admin() {
        Ok(c) => c.clone(),
        Err(r) => return r,
    };
    // The same gate as the API: system administrators.
    if let Err(e) = crate::auth::require(&caller, Action::ManageUsers { agency: None }) {
        return ctx.error(&e);
    }
    let id_number: String = q
        .so_dinh_danh
        .unwrap_or_default()
        .trim()
        .chars()
        .take(20)
        .collect();
    let (status, rows, error) = if id_number.is_empty() {
        (StatusCode::OK, None, None)
    } else {
        match access_log::reads_of(&ctx.state, &id_number).await {
            Ok(reads) => {
                let rows = reads
                    .into_iter()
                    .map(|r| Row {
                        at: format_vn_instant(r.at),
                        username: r.username,
                        dossier: r.dossier_code,
                        what: Read::label_vi(&r.what),
                        reason: r.reason,
                        ip: r.ip,
                    })
                    .collect();
                (StatusCode::OK, Some(rows), None)
            }
            Err(
                e @ motcua_app::AppError::Invalid {
                    kind: motcua_app::InvalidKind::Unprocessable,
                    ..
                },
            ) => (StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.message_vi())),
            Err(e) => return ctx.error(&e),
        }
    };
    let csv = format!(
        "/api/v1/admin/personal-data-reads?format=csv&id_number={}",
        urlencode(&id_number)
    );
    ctx.render_status(
        status,
        AccessLog {
            p: ctx.page(),
            id_number,
            error,
            rows,
            csv,
        },
    )
}
