//! Bank statement import: a statement's credit lines (CSV as banks export it) matched to the
//! transfers motcua asked for by VietQR (dossier code as the transfer content, exact amount),
//! with a report of what matched, what did not and why. Parsing reads the file; matching is a
//! pure function over the rows.
//!
//! Columns are found by their header, whatever the bank's order, without diacritics or case:
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
}

impl StatementError {
    pub fn code(&self) -> &'static str {
        match self {
            StatementError::MissingColumn(_) => "statement_missing_column",
            StatementError::Row { .. } => "statement_bad_row",
            StatementError::TooManyRows => "statement_too_many_rows",
            StatementError::Csv(_) => "statement_unreadable",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            StatementError::MissingColumn(c) => format!("Sao kê thiếu cột {c}."),
            StatementError::Row { line, message } => format!("Dòng {line}: {message}"),
            StatementError::TooManyRows => format!("Sao kê có quá {MAX_ROWS} dòng."),
            StatementError::Csv(_) => "Không đọc được tệp sao kê (CSV).".into(),
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
        .flexible(true)
        .from_reader(data.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| StatementError::Csv(e.to_string()))?
        .iter()
        .map(fold)
        .collect();
    let date = column(&header, &DATE).ok_or(StatementError::MissingColumn("ngày giao dịch"))?;
    let credit = column(&header, &CREDIT).ok_or(StatementError::MissingColumn("ghi có"))?;
    let content = column(&header, &CONTENT).ok_or(StatementError::MissingColumn("nội dung"))?;
    let reference = column(&header, &REFERENCE);
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        if rows.len() >= MAX_ROWS {
            return Err(StatementError::TooManyRows);
        }
        let record = record.map_err(|e| StatementError::Csv(e.to_string()))?;
        let cell = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
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
}
