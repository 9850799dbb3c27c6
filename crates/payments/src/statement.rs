//! Bank statement import: a statement's credit lines (CSV or XLSX as banks export them) matched to the
//! transfers motcua asked for by VietQR (dossier code as the transfer content, exact amount),
//! with a report of what matched, what did not and why. Parsing reads the file; matching is a
//! pure function over the rows.
//!
//! Columns are found by their header (in the first rows: banks put titles above it), whatever
//! the bank's order, without diacritics or case:
//! the date ("ngày giao dịch", "ngày", "date"), the credit ("ghi có", "số tiền ghi có",
//! "credit"), the content ("nội dung", "diễn giải", "mô tả", "description") and optionally the
//! bank's reference ("số tham chiếu", "mã giao dịch", "reference"). Amounts may group thousands
//! with "." or ",". Banks often drop the dots and dashes of the content, so codes are compared
//! on letters and digits only.

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Most rows read from one statement.
pub const MAX_ROWS: usize = 100_000;
/// Longest content kept per row, in characters.
pub const MAX_CONTENT_CHARS: usize = 500;

/// One credit or debit line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    pub date: String,
    /// Credited đồng; `None` for a debit or an empty credit cell.
    pub credit_vnd: Option<u64>,
    pub content: String,
    pub reference: String,
}

/// A transfer motcua waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedTransfer {
    /// The dossier code, the transfer content asked for.
    pub code: String,
    pub amount_vnd: u64,
}

/// Why a credit line matched nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatched {
    /// The content names no awaited dossier code.
    NoCode,
    /// The content names several awaited codes.
    SeveralCodes { codes: Vec<String> },
    /// The code is awaited for another amount.
    WrongAmount { code: String, expected: u64 },
    /// The code was already paid by an earlier line of the statement.
    AlreadyMatched { code: String, line: usize },
}

impl Unmatched {
    /// Vietnamese explanation for the report.
    pub fn message_vi(&self) -> String {
        match self {
            Unmatched::NoCode => "Nội dung chuyển khoản không chứa mã hồ sơ đang chờ nộp".into(),
            Unmatched::SeveralCodes { codes } => {
                format!("Nội dung chứa nhiều mã hồ sơ: {}", codes.join(", "))
            }
            Unmatched::WrongAmount { code, expected } => format!(
                "Số tiền không khớp với khoản phải nộp của hồ sơ {code} ({} đồng)",
                motcua_domain::text::group_thousands(&expected.to_string())
            ),
            Unmatched::AlreadyMatched { code, line } => {
                format!("Hồ sơ {code} đã được đối chiếu với dòng {line}")
            }
        }
    }
}

/// The outcome of matching a statement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MatchReport {
    /// (line, code): credits that pay an awaited transfer.
    pub matched: Vec<(usize, String)>,
    /// (line, why): credits that pay nothing awaited.
    pub unmatched: Vec<(usize, Unmatched)>,
    /// Awaited codes no line paid.
    pub still_awaited: Vec<String>,
    /// Debit or empty lines, skipped.
    pub skipped: usize,
}

/// Why a statement cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("the statement has no {0} column")]
    MissingColumn(&'static str),
    #[error("line {line}: {message}")]
    Row { line: usize, message: String },
    #[error("more than {MAX_ROWS} rows")]
    TooManyRows,
    #[error("CSV: {0}")]
    Csv(String),
    #[error("XLSX: {0}")]
    Xlsx(String),
}

impl StatementError {
    pub fn code(&self) -> &'static str {
        match self {
            StatementError::MissingColumn(_) => "statement_missing_column",
            StatementError::Row { .. } => "statement_bad_row",
            StatementError::TooManyRows => "statement_too_many_rows",
            StatementError::Csv(_) | StatementError::Xlsx(_) => "statement_unreadable",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            StatementError::MissingColumn(c) => format!("Sao kê thiếu cột {c}."),
            StatementError::Row { line, message } => format!("Dòng {line}: {message}"),
            StatementError::TooManyRows => format!("Sao kê có quá {MAX_ROWS} dòng."),
            StatementError::Csv(_) => "Không đọc được tệp sao kê (CSV).".into(),
            StatementError::Xlsx(_) => "Không đọc được tệp sao kê (XLSX).".into(),
        }
    }
}

/// Lowercase, no diacritics, single spaces.
fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| if c == 'đ' || c == 'Đ' { 'd' } else { c })
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Letters and digits only, uppercase: how codes are compared.
fn key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

const DATE: [&str; 3] = ["ngay giao dich", "ngay", "date"];
const CREDIT: [&str; 4] = ["so tien ghi co", "ghi co", "credit", "co"];
const CONTENT: [&str; 5] = [
    "noi dung",
    "dien giai",
    "mo ta",
    "noi dung giao dich",
    "description",
];
const REFERENCE: [&str; 4] = ["so tham chieu", "ma giao dich", "so but toan", "reference"];

fn column(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|n| header.iter().position(|h| h == n))
}

/// An amount cell: "1.500.000", "1,500,000", "1500000", "1.500.000 VND"; empty is `None`.
fn amount(cell: &str) -> Result<Option<u64>, String> {
    let t = cell
        .trim()
        .trim_end_matches("VND")
        .trim_end_matches("đ")
        .trim();
    if t.is_empty() || t == "0" {
        return Ok(None);
    }
    motcua_domain::catalogue::parse::number::parse_grouped_integer(t)
        .and_then(|v| u64::try_from(v).ok())
        .map(Some)
        .ok_or_else(|| format!("số tiền không hợp lệ: \"{}\"", cell.trim()))
}

/// Reads a CSV statement (comma or semicolon separated, UTF-8, a header row).
pub fn parse_csv(data: &str) -> Result<Vec<StatementRow>, StatementError> {
    let first = data.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(data.trim_start_matches('\u{feff}').as_bytes());
    let mut table = Vec::new();
    for record in reader.records() {
        if table.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(StatementError::TooManyRows);
        }
        let record = record.map_err(|e| StatementError::Csv(e.to_string()))?;
        table.push(record.iter().map(str::to_owned).collect());
    }
    rows_from_table(table)
}

/// Reads the first sheet of an XLSX statement. Title rows above the header are skipped.
pub fn parse_xlsx(bytes: &[u8]) -> Result<Vec<StatementRow>, StatementError> {
    use calamine::{Data, Reader, Xlsx};
    let mut book =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| StatementError::Xlsx(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| StatementError::Xlsx("no sheet".into()))?
        .map_err(|e| StatementError::Xlsx(e.to_string()))?;
    if range.height() > MAX_ROWS + HEADER_SEARCH_ROWS {
        return Err(StatementError::TooManyRows);
    }
    let cell = |c: &Data| match c {
        // Amounts typed as numbers: whole đồng.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    };
    rows_from_table(range.rows().map(|r| r.iter().map(cell).collect()).collect())
}

/// Rows searched for the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// The statement rows of a table whose header is among its first [`HEADER_SEARCH_ROWS`] rows.
fn rows_from_table(table: Vec<Vec<String>>) -> Result<Vec<StatementRow>, StatementError> {
    let mut missing = StatementError::MissingColumn("ngày giao dịch");
    let mut found = None;
    for (n, row) in table.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let header: Vec<String> = row.iter().map(|h| fold(h)).collect();
        let cols = (
            column(&header, &DATE),
            column(&header, &CREDIT),
            column(&header, &CONTENT),
        );
        match cols {
            (Some(d), Some(c), Some(t)) => {
                found = Some((n, d, c, t, column(&header, &REFERENCE)));
                break;
            }
            // Remember what the most complete candidate lacks.
            (Some(_), None, _) => missing = StatementError::MissingColumn("ghi có"),
            (Some(_), Some(_), None) => missing = StatementError::MissingColumn("nội dung"),
            _ => {}
        }
    }
    let (header_at, date, credit, content, reference) = found.ok_or(missing)?;
    let mut rows = Vec::new();
    for (n, record) in table.iter().enumerate().skip(header_at + 1) {
        let line = n + 1;
        if rows.len() >= MAX_ROWS {
            return Err(StatementError::TooManyRows);
        }
        let cell = |i: usize| record.get(i).map_or("", |c| c.trim()).to_owned();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let credit_vnd =
            amount(&cell(credit)).map_err(|message| StatementError::Row { line, message })?;
        rows.push(StatementRow {
            line,
            date: cell(date),
            credit_vnd,
            content: cell(content).chars().take(MAX_CONTENT_CHARS).collect(),
            reference: reference.map(cell).unwrap_or_default(),
        });
    }
    Ok(rows)
}

/// Matches credit lines to awaited transfers: a line pays a transfer when its content names
/// exactly one awaited code and its credit is exactly the amount; each transfer is paid once
/// (the first such line).
pub fn match_rows(rows: &[StatementRow], expected: &[ExpectedTransfer]) -> MatchReport {
    let keys: Vec<(String, &ExpectedTransfer)> =
        expected.iter().map(|e| (key(&e.code), e)).collect();
    let mut paid_by: BTreeMap<&str, usize> = BTreeMap::new();
    let mut report = MatchReport::default();
    for row in rows {
        let Some(credit) = row.credit_vnd else {
            report.skipped += 1;
            continue;
        };
        let content = key(&row.content);
        let mut named: Vec<&ExpectedTransfer> = keys
            .iter()
            .filter(|(k, _)| !k.is_empty() && content.contains(k.as_str()))
            .map(|(_, e)| *e)
            .collect();
        named.dedup_by(|a, b| a.code == b.code);
        let why = match named.as_slice() {
            [] => Unmatched::NoCode,
            [e] if e.amount_vnd != credit => Unmatched::WrongAmount {
                code: e.code.clone(),
                expected: e.amount_vnd,
            },
            [e] => match paid_by.get(e.code.as_str()) {
                Some(line) => Unmatched::AlreadyMatched {
                    code: e.code.clone(),
                    line: *line,
                },
                None => {
                    paid_by.insert(&e.code, row.line);
                    report.matched.push((row.line, e.code.clone()));
                    continue;
                }
            },
            several => Unmatched::SeveralCodes {
                codes: several.iter().map(|e| e.code.clone()).collect(),
            },
        };
        report.unmatched.push((row.line, why));
    }
    report.still_awaited = expected
        .iter()
        .filter(|e| !paid_by.contains_key(e.code.as_str()))
        .map(|e| e.code.clone())
        .collect();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "\u{feff}STT;Ngày giao dịch;Số tham chiếu;Ghi nợ;Ghi có;Nội dung\n\
        1;07/04/2026;FT001;;1.500.000;NGUYEN VAN A chuyen tien 0000006H562604070001\n\
        2;07/04/2026;FT002;;1.500.000;000.00.06.H56-260407-0001 nop lan 2\n\
        3;07/04/2026;FT003;;200.000;000.00.06.H56-260407-0002\n\
        4;07/04/2026;FT004;50.000;;phi ngan hang\n\
        5;07/04/2026;FT005;;300.000;ung ho quy\n\
        6;07/04/2026;FT006;;100.000;000.00.06.H56-260407-0003 va 000.00.06.H56-260407-0004\n";

    fn expected() -> Vec<ExpectedTransfer> {
        [
            ("000.00.06.H56-260407-0001", 1_500_000),
            ("000.00.06.H56-260407-0002", 250_000),
            ("000.00.06.H56-260407-0003", 100_000),
            ("000.00.06.H56-260407-0004", 100_000),
            ("000.00.06.H56-260407-0005", 40_000),
        ]
        .into_iter()
        .map(|(c, a)| ExpectedTransfer {
            code: c.into(),
            amount_vnd: a,
        })
        .collect()
    }

    #[test]
    fn a_statement_matched_with_reasons() {
        let rows = parse_csv(CSV).unwrap();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows[0].credit_vnd, Some(1_500_000));
        assert_eq!(rows[0].reference, "FT001");
        assert_eq!(rows[3].credit_vnd, None);
        let r = match_rows(&rows, &expected());
        assert_eq!(r.matched, vec![(2, "000.00.06.H56-260407-0001".to_owned())]);
        assert_eq!(
            r.unmatched,
            vec![
                (
                    3,
                    Unmatched::AlreadyMatched {
                        code: "000.00.06.H56-260407-0001".into(),
                        line: 2
                    }
                ),
                (
                    4,
                    Unmatched::WrongAmount {
                        code: "000.00.06.H56-260407-0002".into(),
                        expected: 250_000
                    }
                ),
                (6, Unmatched::NoCode),
                (
                    7,
                    Unmatched::SeveralCodes {
                        codes: vec![
                            "000.00.06.H56-260407-0003".into(),
                            "000.00.06.H56-260407-0004".into()
                        ]
                    }
                ),
            ]
        );
        assert_eq!(r.skipped, 1);
        assert_eq!(r.still_awaited.len(), 4);
        assert!(r.unmatched[1].1.message_vi().contains("250.000 đồng"));
    }

    #[test]
    fn comma_files_and_bad_input() {
        let rows =
            parse_csv("Date,Description,Credit\n2026-04-07,\"X, Y\",\"1,500,000\"\n").unwrap();
        assert_eq!(rows[0].credit_vnd, Some(1_500_000));
        assert_eq!(rows[0].content, "X, Y");
        assert_eq!(
            parse_csv("Ngày,Nội dung\n1,2\n").unwrap_err(),
            StatementError::MissingColumn("ghi có")
        );
        let e = parse_csv("Ngày;Nội dung;Ghi có\n1;x;abc\n").unwrap_err();
        assert_eq!(e.code(), "statement_bad_row");
        assert_eq!(e.message_vi(), "Dòng 2: số tiền không hợp lệ: \"abc\"");
    }

    #[test]
    fn an_xlsx_statement_with_a_title_above_the_header() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet
            .write_string(0, 0, "SAO KÊ TÀI KHOẢN 0011001234567")
            .unwrap();
        for (c, h) in ["Ngày giao dịch", "Số tham chiếu", "Ghi có", "Diễn giải"]
            .iter()
            .enumerate()
        {
            sheet.write_string(2, c as u16, *h).unwrap();
        }
        sheet.write_string(3, 0, "07/04/2026").unwrap();
        sheet.write_string(3, 1, "FT009").unwrap();
        sheet.write_number(3, 2, 1_500_000.0).unwrap();
        sheet
            .write_string(3, 3, "MBVCB.1 000.00.06.H56-260407-0001")
            .unwrap();
        sheet.write_string(4, 0, "07/04/2026").unwrap();
        sheet.write_number(4, 2, 0.5).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let e = parse_xlsx(&bytes).unwrap_err();
        assert_eq!(
            e,
            StatementError::Row {
                line: 5,
                message: "số tiền không hợp lệ: \"0.5\"".into()
            }
        );
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Ngày").unwrap();
        sheet.write_string(0, 1, "Ghi có").unwrap();
        sheet.write_string(0, 2, "Nội dung").unwrap();
        sheet.write_string(1, 0, "07/04/2026").unwrap();
        sheet.write_number(1, 1, 1_500_000.0).unwrap();
        sheet
            .write_string(1, 2, "000.00.06.H56-260407-0001")
            .unwrap();
        let rows = parse_xlsx(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].line, rows[0].credit_vnd), (2, Some(1_500_000)));
        let r = match_rows(&rows, &expected());
        assert_eq!(r.matched, vec![(2, "000.00.06.H56-260407-0001".to_owned())]);
        assert_eq!(
            parse_xlsx(b"not a workbook").unwrap_err().code(),
            "statement_unreadable"
        );
    }
}
