//! The national public-service portal crawl format (one JSON object per line, with the
//! crawler's field names: `ma_thu_tuc`, `ten_thu_tuc`, `cach_thuc_thuc_hien`, ...). Table fields
//! are the page's text with the cells run together; each table has its own parser:
//! [`channels`] (`cach_thuc_thuc_hien`), [`components`] (`thanh_phan_ho_so`), [`legal`]
//! (`can_cu_phap_ly`) and [`fields`] (levels, applicants, steps, related procedures, results).
//!
//! Field values are cleaned first (Unicode NFC, non-breaking spaces), so composed and decomposed
//! Vietnamese compare equal. The portal's "Không có thông tin" placeholder becomes an empty text.

pub mod channels;
pub mod components;
pub mod fields;
pub mod legal;

use serde_json::{Map, Value};

use super::infer;
use super::issue::{Finding, ImportError, IssueKind, ParseIssue, ParsedProcedure};
use super::model::Procedure;
use super::scan::{clean, squash, text_or_empty};

/// Parses one line of the crawl. A record without code or name is an error; everything else
/// yields a procedure, with issues for what could not be read with certainty.
pub fn parse_dvc_record(json_line: &str) -> Result<ParsedProcedure, ImportError> {
    let value: Value =
        serde_json::from_str(json_line).map_err(|e| ImportError::InvalidJson(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(ImportError::InvalidJson("not an object".to_owned()));
    };
    parse_dvc_object(&map)
}

/// Parses every non-blank line of a JSONL text; yields the 1-based line number with each result.
pub fn parse_dvc_lines(
    jsonl: &str,
) -> impl Iterator<Item = (usize, Result<ParsedProcedure, ImportError>)> + '_ {
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| (n + 1, parse_dvc_record(l)))
}

/// Parses one record already decoded as a JSON object.
pub fn parse_dvc_object(map: &Map<String, Value>) -> Result<ParsedProcedure, ImportError> {
    let get = |key: &str| -> String {
        match map.get(key) {
            Some(Value::String(s)) => clean(s),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let code = squash(&get("ma_thu_tuc"));
    if code.is_empty() {
        return Err(ImportError::MissingCode);
    }
    let name = squash(&get("ten_thu_tuc"));
    if name.is_empty() {
        return Err(ImportError::MissingName);
    }
    let mut issues: Vec<ParseIssue> = Vec::new();
    let mut collect = |field: &str, found: Vec<Finding>| {
        issues.extend(found.into_iter().map(|f| f.in_field(field)));
    };
    if !is_portal_code(&code) {
        collect(
            "ma_thu_tuc",
            vec![Finding::new(
                IssueKind::UnusualCode,
                format!("code \"{code}\" is not d.dddddd"),
            )],
        );
    }
    let (levels, found) = fields::parse_levels(&get("cap_thuc_hien"));
    collect("cap_thuc_hien", found);
    let (channels, found) = channels::parse_channel_table(&get("cach_thuc_thuc_hien"));
    collect("cach_thuc_thuc_hien", found);
    let (components, found) = components::parse_component_table(&get("thanh_phan_ho_so"));
    collect("thanh_phan_ho_so", found);
    let (legal_basis, found) = legal::parse_legal_table(&get("can_cu_phap_ly"));
    collect("can_cu_phap_ly", found);

    let (online_level, online_level_stated) = infer::online_level(&name, &channels);
    let eligible_full_online = infer::eligible_full_online(online_level, &channels, &components);
    let has_financial_obligation = infer::has_financial_obligation(&channels);
    let formality_id = squash(&get("formality_id"));
    let procedure = Procedure {
        code,
        name,
        decision_number: squash(&get("so_quyet_dinh")),
        kind: text_or_empty(&squash(&get("loai_thu_tuc"))),
        field: text_or_empty(&squash(&get("linh_vuc"))),
        levels,
        applicant_types: fields::parse_applicant_types(&get("doi_tuong_thuc_hien")),
        competent_body: text_or_empty(&squash(&get("co_quan_co_tham_quyen"))),
        implementing_body: text_or_empty(&squash(&get("co_quan_thuc_hien"))),
        delegated_body: text_or_empty(&squash(&get("co_quan_duoc_uy_quyen"))),
        coordinating_body: text_or_empty(&squash(&get("co_quan_phoi_hop"))),
        reception_address: text_or_empty(&squash(&get("dia_chi_tiep_nhan"))),
        related_procedures: fields::parse_related(&get("thu_tuc_lien_quan")),
        steps: fields::parse_steps(&get("trinh_tu_thuc_hien")),
        channels,
        components,
        legal_basis,
        result: fields::parse_results(&get("ket_qua_xu_ly")),
        requirements: text_or_empty(&get("yeu_cau_dieu_kien")),
        online_level,
        online_level_stated,
        eligible_full_online,
        has_financial_obligation,
        source_url: squash(&get("detail_url")),
        agency_folder: squash(&get("agency_folder")),
        formality_id: (!formality_id.is_empty()).then_some(formality_id),
    };
    Ok(ParsedProcedure { procedure, issues })
}

/// "d.dddddd", the form of every code in the crawl.
fn is_portal_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 8 && b[0].is_ascii_digit() && b[1] == b'.' && b[2..].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::super::model::{Channel, Level, OnlineLevel};
    use super::*;

    fn record(extra: &str) -> String {
        format!(
            r#"{{"ma_thu_tuc": "1.000253", "ten_thu_tuc": "Đăng ký thường trú", "cap_thuc_hien": "Cấp xã",
            "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp7 NgàyKhông có thông tinNộp trực tiếp tại trụ sở Công an cấp xã",
            "thanh_phan_ho_so": "--Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai thay đổi thông tin cư trú1 bản chính",
            "can_cu_phap_ly": "Tên văn bản pháp lýMã văn bảnLuật Cư trú68/2020/QH14",
            "ket_qua_xu_ly": "Xác nhận đăng kýMã: KQ.G09.000001Từ khóaKhông có thông tin",
            "co_quan_thuc_hien": "Công an\u00a0cấp xã", "formality_id": "" {extra}}}"#
        )
    }

    #[test]
    fn a_whole_record() {
        let p = parse_dvc_record(&record("")).unwrap();
        let r = &p.procedure;
        assert_eq!(r.code, "1.000253");
        assert_eq!(r.levels, vec![Level::Commune]);
        assert_eq!(r.channels.len(), 1);
        assert_eq!(r.channels[0].channel, Channel::Counter);
        assert_eq!(r.components[0].name, "Tờ khai thay đổi thông tin cư trú");
        assert_eq!(r.legal_basis[0].number.as_deref(), Some("68/2020/QH14"));
        assert_eq!(r.result[0].result_code.as_deref(), Some("KQ.G09.000001"));
        assert_eq!(r.implementing_body, "Công an cấp xã");
        assert_eq!(r.online_level, OnlineLevel::None);
        assert_eq!(r.formality_id, None);
        assert!(!r.has_financial_obligation);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        assert!(!p.needs_review());
    }

    #[test]
    fn errors() {
        let e = parse_dvc_record(r#"{"ten_thu_tuc": "X"}"#).unwrap_err();
        assert_eq!(e.code(), "catalogue.missing_code");
        assert_eq!(e.message_vi(), "Bản ghi thiếu mã thủ tục hành chính.");
        let e = parse_dvc_record(r#"{"ma_thu_tuc": "1.000001", "ten_thu_tuc": "  "}"#).unwrap_err();
        assert_eq!(e, ImportError::MissingName);
        assert_eq!(e.message_vi(), "Bản ghi thiếu tên thủ tục hành chính.");
        assert_eq!(
            parse_dvc_record("[1]").unwrap_err().code(),
            "catalogue.invalid_json"
        );
        assert_eq!(
            parse_dvc_record("{").unwrap_err().code(),
            "catalogue.invalid_json"
        );
    }

    #[test]
    fn lines() {
        let text = format!("{}\n\n{{}}\n", record("").replace('\n', " "));
        let got: Vec<_> = parse_dvc_lines(&text)
            .map(|(n, r)| (n, r.is_ok()))
            .collect();
        assert_eq!(got, vec![(1, true), (3, false)]);
    }
}
