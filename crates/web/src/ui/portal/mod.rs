//! The public service portal (Cổng dịch vụ công): the procedure catalogue with search as you
//! type, a procedure in plain Vietnamese, online submission with the files of its components,
//! the citizen's own dossiers, the public look-up by code (the receipt's QR code points at it)
//! and the citizen's rating of a returned dossier.
//!
//! - `catalogue`: `/thu-tuc`, `/thu-tuc/{ma}`;
//! - `submit`: `/thu-tuc/{ma}/nop`;
//! - `lookup`: `/tra-cuu`, `/tra-cuu/{ma}`, the rating (`/tra-cuu/{ma}/danh-gia`),
//!   `/cong-dan/ho-so`;
//! - `supplement`: the applicant's supplement sent online (`/tra-cuu/{ma}/bo-sung`).

mod catalogue;
mod lookup;
mod submit;
mod supplement;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/thu-tuc", get(catalogue::search))
        .route("/thu-tuc/{ma}", get(catalogue::procedure))
        .route(
            "/thu-tuc/{ma}/nop",
            get(submit::form).post(submit::submit).layer(
                // The upload reads its body itself, bounded per file and in total.
                axum::extract::DefaultBodyLimit::disable(),
            ),
        )
        .route("/cong-dan/ho-so", get(lookup::mine))
        .route("/tra-cuu", get(lookup::form))
        .route("/tra-cuu/{ma}", get(lookup::dossier).post(lookup::prove))
        .route("/tra-cuu/{ma}/danh-gia", post(lookup::rate))
        .route(
            "/tra-cuu/{ma}/bo-sung",
            post(supplement::submit).layer(
                // The upload reads its body itself, bounded per file and in total.
                axum::extract::DefaultBodyLimit::disable(),
            ),
        )
}

/// The online service level, in Vietnamese.
pub(crate) fn online_label(level: &str) -> &'static str {
    match level {
        "full_process" => "Dịch vụ công trực tuyến toàn trình",
        "partial" => "Dịch vụ công trực tuyến một phần",
        _ => "Không hỗ trợ nộp trực tuyến",
    }
}

/// Levels ("province,commune") in Vietnamese.
pub(crate) fn levels_label(levels: &str) -> String {
    levels
        .split([',', ';', ' '])
        .filter(|l| !l.is_empty())
        .map(|l| match l {
            "ministry" => "Cấp bộ",
            "province" => "Cấp tỉnh",
            "district" => "Cấp huyện",
            "commune" => "Cấp xã",
            "other_body" => "Cơ quan khác",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}
