//! The procedure catalogue as a spreadsheet: one row per procedure, with Vietnamese headers and
//! values worded for people ([`crate::vi`]).

use motcua_domain::catalogue::Procedure;

use crate::vi;
use crate::{Cell, DocsError, Table, tables_xlsx};

/// Worksheet name of [`procedures_xlsx`].
pub const PROCEDURES_SHEET: &str = "Thủ tục hành chính";

/// Column headers of [`procedures_xlsx`], in order.
pub const PROCEDURE_HEADERS: [&str; 14] = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Cấp thực hiện",
    "Cơ quan thực hiện",
    "Cơ quan có thẩm quyền",
    "Mức độ DVC trực tuyến",
    "Thời hạn giải quyết",
    "Phí, lệ phí",
    "Số thành phần hồ sơ",
    "Căn cứ pháp lý",
    "Kết quả",
    "Đối tượng thực hiện",
    "Nguồn",
];

/// The catalogue as an XLSX workbook: one worksheet [`PROCEDURES_SHEET`] with the headers
/// [`PROCEDURE_HEADERS`] and one row per procedure, in the given order.
pub fn procedures_xlsx(procedures: &[Procedure]) -> Result<Vec<u8>, DocsError> {
    tables_xlsx(&[procedures_table(procedures)])
}

/// The table behind [`procedures_xlsx`], for a workbook that puts it beside other sheets.
pub fn procedures_table(procedures: &[Procedure]) -> Table {
    let mut table = Table::new(PROCEDURES_SHEET, PROCEDURE_HEADERS);
    table.rows = procedures.iter().map(procedure_row).collect();
    table
}

/// One row, in the order of [`PROCEDURE_HEADERS`].
pub fn procedure_row(p: &Procedure) -> Vec<Cell> {
    vec![
        text(&p.code),
        text(&p.name),
        text(&p.field),
        text(vi::join_list(p.levels.iter().map(|l| l.label_vi()))),
        text(&p.implementing_body),
        text(&p.competent_body),
        text(vi::online_level(p.online_level)),
        text(vi::per_channel(&p.channels, vi::channel_time)),
        text(vi::per_channel(&p.channels, vi::channel_fee)),
        Cell::Int(i64::try_from(p.components.len()).unwrap_or(i64::MAX)),
        // A document without a number is named by its title.
        text(vi::join_list(p.legal_basis.iter().map(|d| {
            d.number
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .unwrap_or(&d.title)
        }))),
        text(vi::join_list(p.result.iter().map(|r| r.name.as_str()))),
        text(vi::join_list(&p.applicant_types)),
        text(&p.source_url),
    ]
}

/// Text, or an empty cell for blank text.
fn text(s: impl AsRef<str>) -> Cell {
    let s = s.as_ref().trim();
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_owned())
    }
}
