//! The component table of the crawl (`thanh_phan_ho_so`): one or more groups of
//!
//! `[<case heading>]Tên giấy tờMẫu đơn, tờ khaiSố lượng` + rows of
//! `<name>[<template file>...]<n> bản chính[,<m> bản sao]`,
//!
//! with everything run together, e.g.
//! `--Tên giấy tờMẫu đơn, tờ khaiSố lượngĐơn đề nghị ...;Mẫu số 06-QĐ70.docx1 bản chính+ Bản phác thảo ...1 bản chính`.
//! "--" is the portal's empty heading.
//!
//! Rules chosen, from a survey of all 2,642 records:
//! - the quantity cell is "<digit> bản chính" with an optional ",<digits> bản sao"; in the
//!   crawl the number of originals is always a single digit, so a longer digit run ends with the
//!   quantity and starts with the end of the name ("Mẫu số 131 bản chính" is "Mẫu số 13" + 1,
//!   "năm 20240 bản chính" is "năm 2024" + 0); "01 bản chính" (a zero-padded number) is prose
//!   inside a name, never the quantity cell;
//! - a row whose text ends with a file extension carries template files; the first one starts
//!   at a template keyword or a procedure code glued to the name ("...khoáng sảnMau 02-...",
//!   ";Phụ lục I.docx", "...theo mẫu.1.004286.docx"), else after the last sentence punctuation,
//!   else at a lowercase-to-uppercase join; several files may follow each other;
//! - text after the last quantity is the next group's heading when a table header follows,
//!   otherwise a component without quantity (flagged);
//! - `reusable_from_data` is set when the row's text says the document may be taken from data
//!   the administration holds (national databases, the electronic identity account, data
//!   sharing, digitised copies); otherwise false.

use super::super::issue::{Finding, IssueKind};
use super::super::model::ComponentSpec;
use super::super::scan::{
    char_at, char_before, digit_run, digit_run_back, excerpt, is_placeholder, lower, slice, squash,
    starts_at,
};

/// The table's column headers, run together.
pub const COMPONENT_TABLE_HEADER: &str = "Tên giấy tờMẫu đơn, tờ khaiSố lượng";

const ORIGINALS: &str = " bản chính";
const COPIES: &str = " bản sao";

/// Phrases that say a document can be replaced by data already held.
const REUSE_PHRASES: [&str; 14] = [
    "khai thác thông tin",
    "khai thác được thông tin",
    "khai thác dữ liệu",
    "thay thế bằng dữ liệu",
    "kết nối, chia sẻ",
    "chia sẻ dữ liệu",
    "cơ sở dữ liệu quốc gia",
    "csdl quốc gia",
    "csdlqg",
    "tài khoản định danh điện tử",
    "ứng dụng định danh",
    "vneid",
    "đã được số hóa",
    "đã được số hoá",
];

/// Template file extensions, longest first.
const EXTENSIONS: [&str; 8] = [
    ".docx", ".xlsx", ".doc", ".xls", ".pdf", ".zip", ".rar", ".odt",
];

/// Keywords that start a template file name: (keyword, written in capitals).
const TEMPLATE_KEYWORDS: [(&str, bool); 16] = [
    ("Mẫu", false),
    ("Mau", false),
    ("mẫu", false),
    ("mau", false),
    ("Phụ lục", false),
    ("Phu luc", false),
    ("Tờ khai", false),
    ("Biểu mẫu", false),
    ("Form", false),
    ("Phiếu", false),
    ("MẪU", true),
    ("MAU", true),
    ("PHỤ LỤC", true),
    ("PL", true),
    ("TK", true),
    ("BM", true),
];

/// How far before the first extension a template name may start, in bytes.
const TEMPLATE_WINDOW: usize = 240;

/// A quantity cell found in the text.
#[derive(Debug, Clone, Copy)]
struct Quantity {
    /// Where the name before it ends.
    name_end: usize,
    originals: u32,
    copies: Option<u32>,
    end: usize,
}

/// Parses the component table.
pub fn parse_component_table(text: &str) -> (Vec<ComponentSpec>, Vec<Finding>) {
    let mut findings = Vec::new();
    let headers: Vec<usize> = text
        .match_indices(COMPONENT_TABLE_HEADER)
        .map(|(i, _)| i)
        .collect();
    let Some(&first) = headers.first() else {
        if !is_placeholder(text) {
            findings.push(Finding::new(
                IssueKind::ComponentsUnstructured,
                format!("no component table in \"{}\"", excerpt(text, 120)),
            ));
        }
        return (Vec::new(), findings);
    };
    let mut case = heading(slice(text, 0, first));
    let mut cursor = first + COMPONENT_TABLE_HEADER.len();
    let mut out = Vec::new();
    let quantities = quantities(text, cursor);
    let mut q = quantities.iter().peekable();
    for &h in headers.iter().skip(1).chain(std::iter::once(&text.len())) {
        while let Some(qty) = q.next_if(|qty| qty.end <= h) {
            if qty.name_end < cursor {
                continue;
            }
            let row = slice(text, cursor, qty.name_end);
            let raw = slice(text, cursor, qty.end);
            cursor = qty.end;
            if let Some(c) = component(row, raw, Some(qty), case.as_deref()) {
                out.push(c);
            }
        }
        let rest = slice(text, cursor, h);
        if h < text.len() {
            case = heading(rest);
            cursor = h + COMPONENT_TABLE_HEADER.len();
        } else if rest.chars().any(char::is_alphanumeric) {
            findings.push(Finding::new(
                IssueKind::ComponentWithoutQuantity,
                format!("component without quantity: \"{}\"", excerpt(rest, 120)),
            ));
            out.extend(component(rest, rest, None, case.as_deref()));
        }
    }
    (out, findings)
}

fn heading(s: &str) -> Option<String> {
    let s = squash(s);
    (!is_placeholder(&s)).then_some(s)
}

/// Every quantity cell after `from`, in order.
fn quantities(text: &str, from: usize) -> Vec<Quantity> {
    let mut out = Vec::new();
    for (j, _) in text.match_indices(ORIGINALS) {
        if j < from {
            continue;
        }
        let d0 = digit_run_back(text, j);
        let digits = slice(text, d0, j);
        let (name_end, originals) = match digits.len() {
            0 => continue,
            1 => (d0, digits),
            2 if digits.starts_with('0') => continue,
            n => (j - 1, slice(digits, n - 1, n)),
        };
        let Ok(originals) = originals.parse::<u32>() else {
            continue;
        };
        let mut end = j + ORIGINALS.len();
        let mut copies = None;
        if char_at(text, end) == Some(',') {
            let n = digit_run(text, end + 1);
            if (1..=3).contains(&n) && starts_at(text, end + 1 + n, COPIES) {
                copies = slice(text, end + 1, end + 1 + n).parse().ok();
                end += 1 + n + COPIES.len();
            }
        }
        out.push(Quantity {
            name_end,
            originals,
            copies,
            end,
        });
    }
    out
}

fn component(
    row: &str,
    raw: &str,
    qty: Option<&Quantity>,
    case: Option<&str>,
) -> Option<ComponentSpec> {
    let row = row.trim();
    if !row.chars().any(char::is_alphanumeric) {
        return None;
    }
    let (name, templates) = split_templates(row);
    let lowered = lower(row);
    Some(ComponentSpec {
        name: squash(&name),
        originals: qty.map(|q| q.originals),
        copies: qty.and_then(|q| q.copies),
        templates,
        reusable_from_data: REUSE_PHRASES.iter().any(|p| lowered.contains(p)),
        case: case.map(str::to_owned),
        text: squash(raw),
    })
}

/// End of a file extension at byte `i`, when there is one.
fn extension_at(s: &str, i: usize) -> Option<usize> {
    let rest = s.get(i..)?;
    EXTENSIONS.iter().find_map(|ext| {
        let head = rest.get(..ext.len())?;
        head.eq_ignore_ascii_case(ext).then_some(i + ext.len())
    })
}

/// Splits a row into its name and its template file names.
fn split_templates(row: &str) -> (String, Vec<String>) {
    // Extension ends, where the extension is not followed by more lowercase letters.
    let ends: Vec<(usize, usize)> = row
        .match_indices('.')
        .filter_map(|(i, _)| extension_at(row, i).map(|e| (i, e)))
        .filter(|&(_, e)| !char_at(row, e).is_some_and(|c| c.is_ascii_lowercase()))
        .collect();
    let Some(&(_, last_end)) = ends.last() else {
        return (row.to_owned(), Vec::new());
    };
    if last_end != row.len() {
        return (row.to_owned(), Vec::new());
    }
    // The chain of files ending the row: extensions close to each other.
    let mut first = ends.len() - 1;
    while first > 0 && ends[first].0 - ends[first - 1].1 <= TEMPLATE_WINDOW {
        first -= 1;
    }
    let start = template_start(row, ends[first].0);
    let mut templates = Vec::new();
    let mut from = start;
    for &(_, e) in &ends[first..] {
        if e <= from {
            continue;
        }
        let file = slice(row, from, e)
            .trim_start_matches([' ', '.', ';', ',', '-'])
            .trim();
        if !file.is_empty() {
            templates.push(file.to_owned());
        }
        from = e;
    }
    let mut name = slice(row, 0, start).trim().to_owned();
    if name.is_empty()
        && let Some(f) = templates.first()
    {
        name = f
            .rsplit_once('.')
            .map_or(f.as_str(), |(stem, _)| stem)
            .to_owned();
    }
    (name, templates)
}

/// Where the template name that ends with an extension at byte `ext` starts.
fn template_start(row: &str, ext: usize) -> usize {
    let mut lo = ext.saturating_sub(TEMPLATE_WINDOW);
    while !row.is_char_boundary(lo) {
        lo += 1;
    }
    let window = slice(row, lo, ext);
    let has_stem = |s: usize| slice(row, s, ext).chars().any(char::is_alphanumeric);
    // (a) A template keyword glued to what precedes it.
    let keyword = TEMPLATE_KEYWORDS
        .iter()
        .flat_map(|&(kw, caps)| window.match_indices(kw).map(move |(k, _)| (lo + k, caps)))
        .filter(|&(q, caps)| {
            char_before(row, q).is_some_and(|p| {
                !p.is_whitespace()
                    && !matches!(p, '(' | '-' | '_' | '/' | '[')
                    && !(caps && (p.is_uppercase() || p.is_ascii_digit()))
                    && !(p.is_alphanumeric() && !caps && starts_lowercase_word(row, q, p))
            })
        })
        .map(|(q, _)| q)
        .chain(procedure_codes(row, lo, ext))
        .filter(|&q| has_stem(q))
        .max();
    if let Some(q) = keyword {
        return q;
    }
    // (b) After the last sentence punctuation.
    let punct = window
        .char_indices()
        .filter(|&(k, c)| {
            let q = lo + k;
            let next = char_at(row, q + c.len_utf8());
            match c {
                ';' | ')' => next.is_some_and(|n| !n.is_whitespace()),
                '.' => {
                    next.is_some_and(|n| !n.is_whitespace() && !n.is_ascii_digit() && n != '.')
                        && !char_before(row, q).is_some_and(|p| p.is_ascii_digit())
                }
                _ => false,
            }
        })
        .map(|(k, c)| lo + k + c.len_utf8())
        .filter(|&q| has_stem(q))
        .max();
    if let Some(q) = punct {
        return q;
    }
    // (c) At the last lowercase-to-uppercase join.
    window
        .char_indices()
        .filter(|&(k, c)| {
            c.is_uppercase() && char_before(row, lo + k).is_some_and(char::is_lowercase)
        })
        .map(|(k, _)| lo + k)
        .filter(|&q| has_stem(q))
        .max()
        .unwrap_or(0)
}

/// Starts of procedure codes ("1.004286") in `row[lo..ext]`, which some templates are named
/// after ("...theo mẫu.1.004286.docx").
fn procedure_codes(row: &str, lo: usize, ext: usize) -> impl Iterator<Item = usize> + '_ {
    (lo..ext).filter(move |&q| {
        digit_run(row, q) == 1
            && char_at(row, q + 1) == Some('.')
            && digit_run(row, q + 2) == 6
            && !char_before(row, q).is_some_and(|p| p.is_ascii_digit())
    })
}

/// A lowercase keyword ("mẫu") glued after a letter is only a file start when the letter ends a
/// word, i.e. the keyword is not the tail of a longer lowercase word.
fn starts_lowercase_word(row: &str, q: usize, prev: char) -> bool {
    char_at(row, q).is_some_and(char::is_lowercase) && prev.is_ascii_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &str) -> Vec<ComponentSpec> {
        let (c, f) = parse_component_table(&format!("--{COMPONENT_TABLE_HEADER}{rows}"));
        assert!(f.is_empty(), "{f:?}");
        c
    }

    #[test]
    fn rows_with_templates_and_quantities() {
        // Record 1.012302.
        let c = table(
            "+ Giấy đề nghị sao, chụp hình ảnh tiền Việt Nam theo Mẫu số 06 tại Phụ lục ban hành \
             kèm theo Nghị định số 87/2023/NĐ-CP;Mẫu số 06-QĐ70.docx1 bản chính+ Bản phác thảo mẫu \
             thiết kế.1 bản chính",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].templates, vec!["Mẫu số 06-QĐ70.docx".to_owned()]);
        assert!(
            c[0].name.ends_with("Nghị định số 87/2023/NĐ-CP;"),
            "{}",
            c[0].name
        );
        assert_eq!(
            (c[0].originals, c[0].copies, c[0].case.as_deref()),
            (Some(1), None, None)
        );
        assert_eq!(c[1].name, "+ Bản phác thảo mẫu thiết kế.");
    }

    #[test]
    fn originals_and_copies() {
        // Record 1.014838.
        let c = table(
            "- Thuyết minh phương án chuyển loại rừng;.1 bản chính,1 bản sao- Văn bản đề nghị của cơ \
             quan xây dựng phương án chuyển loại rừng;.1 bản chính,1 bản sao",
        );
        assert_eq!(c.len(), 2);
        assert_eq!((c[1].originals, c[1].copies), (Some(1), Some(1)));
    }

    #[test]
    fn grouped_by_case() {
        // Record 1.013105.
        let (c, _) = parse_component_table(&format!(
            "* Trường hợp đề nghị cấp mới Giấy chứng nhận{COMPONENT_TABLE_HEADER}Văn bản đề nghị theo \
             mẫu1 bản chínhDanh sách thiết bị kiểm tra theo mẫu1 bản chínhTrường hợp phải đánh giá \
             lại{COMPONENT_TABLE_HEADER}Văn bản đề nghị kiểm tra, đánh giá lại1 bản chính"
        ));
        let got: Vec<_> = c
            .iter()
            .map(|c| (c.name.as_str(), c.case.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Văn bản đề nghị theo mẫu",
                    Some("* Trường hợp đề nghị cấp mới Giấy chứng nhận")
                ),
                (
                    "Danh sách thiết bị kiểm tra theo mẫu",
                    Some("* Trường hợp đề nghị cấp mới Giấy chứng nhận")
                ),
                (
                    "Văn bản đề nghị kiểm tra, đánh giá lại",
                    Some("Trường hợp phải đánh giá lại")
                ),
            ]
        );
    }

    #[test]
    fn quantity_digit_glued_to_the_name() {
        // Record 1.013946 ("theo Mẫu số 131 bản chính") and a zero-padded prose quantity.
        let c = table(
            "Văn bản đề nghị theo Mẫu số 131 bản chính,1 bản saoTờ khai hàng hóa nhập khẩu: 02 bản \
             chính;0 bản chínhGiấy khác theo Luật Đất đai năm 20240 bản chính,1 bản sao",
        );
        let got: Vec<_> = c.iter().map(|c| (c.name.as_str(), c.originals)).collect();
        assert_eq!(
            got,
            vec![
                ("Văn bản đề nghị theo Mẫu số 13", Some(1)),
                ("Tờ khai hàng hóa nhập khẩu: 02 bản chính;", Some(0)),
                ("Giấy khác theo Luật Đất đai năm 2024", Some(0)),
            ]
        );
    }

    #[test]
    fn template_boundaries() {
        let cases = [
            (
                "Báo cáo đóng cửa mỏ khoáng sảnMau 02-Phu luc_39.2025.TT-BNNMT_02.7.2025.doc",
                "Báo cáo đóng cửa mỏ khoáng sản",
                vec!["Mau 02-Phu luc_39.2025.TT-BNNMT_02.7.2025.doc"],
            ),
            (
                "Văn bản đề nghị gia hạn hoạt động của dự án đầu tưMẫu I.1.10.docx",
                "Văn bản đề nghị gia hạn hoạt động của dự án đầu tư",
                vec!["Mẫu I.1.10.docx"],
            ),
            (
                "Phụ lục ban hành kèm theo Nghị định số 33/2026/NĐ-CP.Mus13-PhlcIII.docx",
                "Phụ lục ban hành kèm theo Nghị định số 33/2026/NĐ-CP.",
                vec!["Mus13-PhlcIII.docx"],
            ),
            (
                "Tờ khai do cha, mẹ khai và ký tên.M01b (1).pdf",
                "Tờ khai do cha, mẹ khai và ký tên.",
                vec!["M01b (1).pdf"],
            ),
            (
                "Bảng kê chi tiết bất động sản (Mẫu số 01/BK-BĐS)01 BK-BĐS.docx",
                "Bảng kê chi tiết bất động sản (Mẫu số 01/BK-BĐS)",
                vec!["01 BK-BĐS.docx"],
            ),
            (
                "Các phụ lục theo Thông tư số 54;Phụ lục I - TT54.docxPhụ lục II -TT54.docxPhụ lục IV - TT54.docx",
                "Các phụ lục theo Thông tư số 54;",
                vec![
                    "Phụ lục I - TT54.docx",
                    "Phụ lục II -TT54.docx",
                    "Phụ lục IV - TT54.docx",
                ],
            ),
            (
                "- Đơn xin nhận con nuôi;1.nxinnhnconnui.doc",
                "- Đơn xin nhận con nuôi;",
                vec!["1.nxinnhnconnui.doc"],
            ),
            (
                "- Đơn đề nghị cấp lại theo mẫu.1.004286.docx",
                "- Đơn đề nghị cấp lại theo mẫu.",
                vec!["1.004286.docx"],
            ),
            (
                "Đơn đề nghị cấp Giấy chứng nhận cơ sở đào tạo nhân viên hàng không1.000574.docx",
                "Đơn đề nghị cấp Giấy chứng nhận cơ sở đào tạo nhân viên hàng không",
                vec!["1.000574.docx"],
            ),
            (
                "Văn bản đề nghị thay thếmẫu 84 -.docx",
                "Văn bản đề nghị thay thế",
                vec!["mẫu 84 -.docx"],
            ),
        ];
        for (row, name, templates) in cases {
            let (n, t) = split_templates(row);
            assert_eq!(n, name, "{row}");
            assert_eq!(t, templates, "{row}");
        }
    }

    #[test]
    fn reusable_and_without_quantity() {
        let (c, f) = parse_component_table(&format!(
            "--{COMPONENT_TABLE_HEADER}Giấy chứng nhận, trường hợp đã có trong Cơ sở dữ liệu quốc gia \
             về đất đai thì được thay thế bằng dữ liệu1 bản saoGhi chú cuối"
        ));
        assert_eq!(c.len(), 1);
        assert!(c[0].reusable_from_data);
        assert_eq!(c[0].originals, None);
        assert_eq!(f[0].kind, IssueKind::ComponentWithoutQuantity);
    }

    #[test]
    fn unstructured_text_is_flagged() {
        let (c, f) = parse_component_table("); nộp hồ sơ cho cơ quan BHXH.\nBước 2. Cơ quan BHXH");
        assert!(c.is_empty());
        assert_eq!(f[0].kind, IssueKind::ComponentsUnstructured);
        assert!(parse_component_table("").0.is_empty());
    }
}
