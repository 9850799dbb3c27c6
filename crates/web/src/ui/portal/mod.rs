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

pub(crate) mod catalogue;
pub(crate) mod lookup;
pub(crate) mod submit;
pub(crate) mod supplement;

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
