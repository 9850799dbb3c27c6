//! The legal-basis table of the crawl (`can_cu_phap_ly`):
//! `Tên văn bản pháp lýMã văn bản` + rows of `<title><number>`, run together, e.g.
//! `Luật 54/2019/QH1454/2019/QH14Thông tư quy định mức thu ...25/2022/TT-BTC`.
//!
//! Rules chosen:
//! - a document number is `<1-4 digits>/<4-digit year>/<suffix>`; the suffix is uppercase
//!   segments joined by "-" ("NĐ-CP", "TT-BTC", "QĐ-TTg"), where a "QH"-ending segment takes
//!   exactly two digits ("QH14"); letters glued after a known segment start the next title
//!   ("NĐ-CPLuật ..." is "NĐ-CP" + "Luật ...");
//! - a number is the row's number cell when the next row starts right after it (a letter) or the
//!   text ends; a number followed by a space, punctuation or another number is inside a title
//!   ("Nghị định 137/2020/NĐ-CP137/2020/NĐ-CP" is title + number);
//! - the year comes from the number, the issuer from the suffix's last part, the issue date from
//!   the title when it says "ngày dd/mm/yyyy" (or "ngày dd tháng mm năm yyyy") in that year.

use chrono::{Datelike, NaiveDate};

use super::super::issue::{Finding, IssueKind};
use super::super::model::LegalDoc;
use super::super::scan::{
    char_at, digit_run, digit_run_back, excerpt, is_placeholder, slice, squash,
};

/// The table's column headers, run together.
pub const LEGAL_TABLE_HEADER: &str = "Tên văn bản pháp lýMã văn bản";

/// Suffix segments seen in document numbers, used to cut glued titles off. Longest first within
/// a shared prefix does not matter: the longest matching prefix is taken.
const KNOWN_SEGMENTS: [&str; 52] = [
    "NĐ", "CP", "TT", "TTLT", "QĐ", "NQLT", "NQ", "QH", "UBTVQH", "L", "CTN", "PL", "BTC", "BCA",
    "BNNMT", "NHNN", "BGTVT", "BXD", "BTP", "UBND", "HĐND", "BTNMT", "BNNPTNT", "BKHĐT", "BLĐTBXH",
    "BYT", "BCT", "BQP", "BNV", "BGDĐT", "BTTTT", "VPCP", "BVHTTDL", "KTNN", "TANDTC", "VKSNDTC",
    "HĐTP", "BKHCN", "BNG", "TCHQ", "BHXH", "TCT", "BKH", "BTM", "BTS", "BGD", "BLĐ", "BTTM",
    "TTCP", "UBCKNN", "CT", "VBHN",
];

/// Issuer by the last part of the suffix.
const ISSUERS: [(&str, &str); 36] = [
    ("CP", "Chính phủ"),
    ("TTg", "Thủ tướng Chính phủ"),
    ("QH", "Quốc hội"),
    ("UBTVQH", "Ủy ban Thường vụ Quốc hội"),
    ("CTN", "Chủ tịch nước"),
    ("BTC", "Bộ Tài chính"),
    ("BCA", "Bộ Công an"),
    ("BNNMT", "Bộ Nông nghiệp và Môi trường"),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam"),
    ("BGTVT", "Bộ Giao thông vận tải"),
    ("BXD", "Bộ Xây dựng"),
    ("BTP", "Bộ Tư pháp"),
    ("BTNMT", "Bộ Tài nguyên và Môi trường"),
    ("BNNPTNT", "Bộ Nông nghiệp và Phát triển nông thôn"),
    ("BKHĐT", "Bộ Kế hoạch và Đầu tư"),
    ("BLĐTBXH", "Bộ Lao động - Thương binh và Xã hội"),
    ("BYT", "Bộ Y tế"),
    ("BCT", "Bộ Công Thương"),
    ("BQP", "Bộ Quốc phòng"),
    ("BNV", "Bộ Nội vụ"),
    ("BGDĐT", "Bộ Giáo dục và Đào tạo"),
    ("BTTTT", "Bộ Thông tin và Truyền thông"),
    ("VPCP", "Văn phòng Chính phủ"),
    ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("BKHCN", "Bộ Khoa học và Công nghệ"),
    ("BNG", "Bộ Ngoại giao"),
    ("KTNN", "Kiểm toán nhà nước"),
    ("TANDTC", "Tòa án nhân dân tối cao"),
    ("HĐTP", "Hội đồng Thẩm phán Tòa án nhân dân tối cao"),
    ("VKSNDTC", "Viện kiểm sát nhân dân tối cao"),
    ("TCHQ", "Tổng cục Hải quan"),
    ("BHXH", "Bảo hiểm xã hội Việt Nam"),
    ("TCT", "Tổng cục Thuế"),
    ("UBND", "Ủy ban nhân dân"),
    ("HĐND", "Hội đồng nhân dân"),
    ("UBCKNN", "Ủy ban Chứng khoán Nhà nước"),
];

/// A document number found in the text.
#[derive(Debug, Clone, Copy)]
struct DocNumber {
    start: usize,
    end: usize,
}

/// Parses the legal-basis table.
pub fn parse_legal_table(text: &str) -> (Vec<LegalDoc>, Vec<Finding>) {
    let mut findings = Vec::new();
    if is_placeholder(text) {
        return (Vec::new(), findings);
    }
    let Some(h) = text.find(LEGAL_TABLE_HEADER) else {
        findings.push(Finding::new(
            IssueKind::LegalBasisUnstructured,
            format!("legal basis is not a table: \"{}\"", excerpt(text, 120)),
        ));
        let numbers = doc_numbers(text);
        let doc = legal_doc(
            text,
            numbers.first().map(|n| slice(text, n.start, n.end)),
            text,
        );
        return (vec![doc], findings);
    };
    let body = slice(text, h + LEGAL_TABLE_HEADER.len(), text.len());
    let numbers = doc_numbers(body);
    let mut docs = Vec::new();
    let mut cursor = 0;
    for (k, n) in numbers.iter().enumerate() {
        if n.start < cursor || !is_number_cell(body, n, numbers.get(k + 1)) {
            continue;
        }
        let title = slice(body, cursor, n.start);
        let raw = slice(body, cursor, n.end);
        docs.push(legal_doc(title, Some(slice(body, n.start, n.end)), raw));
        cursor = n.end;
    }
    let rest = slice(body, cursor, body.len());
    if rest.chars().any(char::is_alphanumeric) {
        let inner = doc_numbers(rest);
        let number = inner.last().map(|n| slice(rest, n.start, n.end));
        if number.is_none() {
            findings.push(Finding::new(
                IssueKind::LegalDocWithoutNumber,
                format!("legal document without number: \"{}\"", excerpt(rest, 120)),
            ));
        }
        docs.push(legal_doc(rest, number, rest));
    }
    (docs, findings)
}

/// A number is the row's number cell when the next title starts right after it, or at the end.
fn is_number_cell(body: &str, n: &DocNumber, next: Option<&DocNumber>) -> bool {
    if let Some(m) = next.filter(|m| m.start == n.end) {
        // "Nghị định 137/2020/NĐ-CP137/2020/NĐ-CP": a title ending with the number it repeats.
        // Two different numbers: the second starts the next title ("...26/2005/PL-UBTVQH11 - Ưu
        // đãi người có công").
        return slice(body, n.start, n.end) != slice(body, m.start, m.end);
    }
    match char_at(body, n.end) {
        None => true,
        Some(c) => c.is_alphabetic() || c == '\n' || c == '\t',
    }
}

fn legal_doc(title: &str, number: Option<&str>, raw: &str) -> LegalDoc {
    let title = squash(title);
    let number = number.map(squash);
    let year = number.as_deref().and_then(year_of);
    let issuer = number.as_deref().and_then(issuer_of).map(str::to_owned);
    let issued = year.and_then(|y| issue_date(&title, y));
    LegalDoc {
        title: if title.is_empty() {
            number.clone().unwrap_or_default()
        } else {
            title
        },
        number,
        year,
        issued,
        issuer,
        text: squash(raw),
    }
}

fn year_of(number: &str) -> Option<i32> {
    number.split('/').nth(1)?.parse().ok()
}

fn issuer_of(number: &str) -> Option<&'static str> {
    let suffix = number.split('/').nth(2)?;
    let last = suffix.rsplit('-').next()?;
    let letters = last.trim_end_matches(|c: char| c.is_ascii_digit());
    ISSUERS
        .iter()
        .find(|(code, _)| *code == letters)
        .map(|(_, name)| *name)
}

/// "ngày 11/6/2025" or "ngày 15 tháng 5 năm 2016" in `title`, in `year`.
fn issue_date(title: &str, year: i32) -> Option<NaiveDate> {
    title
        .match_indices("ngày ")
        .find_map(|(i, _)| date_at(title, i + "ngày ".len()).filter(|d| d.year() == year))
}

fn date_at(s: &str, i: usize) -> Option<NaiveDate> {
    let number = |at: usize| -> Option<(u32, usize)> {
        let n = digit_run(s, at);
        if !(1..=4).contains(&n) {
            return None;
        }
        slice(s, at, at + n).parse().ok().map(|v| (v, at + n))
    };
    let (d, after_d) = number(i)?;
    let (m, y) = if char_at(s, after_d) == Some('/') {
        let (m, after_m) = number(after_d + 1)?;
        if char_at(s, after_m) != Some('/') {
            return None;
        }
        (m, number(after_m + 1)?.0)
    } else {
        let m_at = after_d + " tháng ".len();
        if slice(s, after_d, m_at) != " tháng " {
            return None;
        }
        let (m, after_m) = number(m_at)?;
        let y_at = after_m + " năm ".len();
        if slice(s, after_m, y_at) != " năm " {
            return None;
        }
        (m, number(y_at)?.0)
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// Every document number in `text`, left to right, not overlapping.
fn doc_numbers(text: &str) -> Vec<DocNumber> {
    let mut out: Vec<DocNumber> = Vec::new();
    for (slash, _) in text.match_indices('/') {
        // "<number>/<yyyy>/<suffix>": `slash` is the first slash.
        let floor = out.last().map_or(0, |n| n.end);
        if slash < floor {
            continue;
        }
        let start = digit_run_back(text, slash).max(floor);
        let num_len = slash - start;
        if num_len == 0 {
            continue;
        }
        // At most 4 digits: a longer run is the end of something glued before.
        let start = if num_len > 4 { slash - 4 } else { start };
        let ys = slash + 1;
        if digit_run(text, ys) != 4 || char_at(text, ys + 4) != Some('/') {
            continue;
        }
        let Some(end) = suffix_end(text, ys + 5) else {
            continue;
        };
        out.push(DocNumber { start, end });
    }
    out
}

/// End of a number's suffix starting at `i`.
fn suffix_end(text: &str, i: usize) -> Option<usize> {
    let mut pos = i;
    loop {
        let seg_start = if pos == i {
            pos
        } else if char_at(text, pos) == Some('-')
            && char_at(text, pos + 1).is_some_and(is_code_letter)
        {
            pos + 1
        } else if slice(text, pos, pos + 2) == "- "
            && char_at(text, pos + 2).is_some_and(is_code_letter)
        {
            // "21/2008/TTLT- BQP-BLĐTBXH-BTC".
            pos + 2
        } else {
            break;
        };
        let letters_len: usize = slice(text, seg_start, text.len())
            .chars()
            .take_while(|c| is_code_letter(*c))
            .map(char::len_utf8)
            .sum();
        if letters_len == 0 {
            break;
        }
        let letters_end = seg_start + letters_len;
        let letters = slice(text, seg_start, letters_end);
        let next = char_at(text, letters_end);
        let digits = digit_run(text, letters_end);
        if letters.ends_with("QH") && digits >= 2 {
            pos = letters_end + 2;
            continue;
        }
        if letters.chars().count() == 1 && (1..=3).contains(&digits) {
            // "C06" in "QĐ-BCA-C06".
            pos = letters_end + digits;
            continue;
        }
        if letters == "TT" && next == Some('g') {
            pos = letters_end + 1;
            continue;
        }
        let mut seg_end = letters_end;
        if !KNOWN_SEGMENTS.contains(&letters) {
            // Letters that run into the next title ("CPLuật", "BTCThông", "BCAQUY ĐỊNH"): keep
            // the longest known prefix, or drop the capital that starts a lowercase word.
            let known = KNOWN_SEGMENTS
                .iter()
                .filter(|k| letters.starts_with(**k))
                .max_by_key(|k| k.len());
            if let Some(k) = known {
                seg_end = seg_start + k.len();
            } else if next.is_some_and(char::is_lowercase) {
                seg_end = letters_end - letters.chars().next_back().map_or(0, char::len_utf8);
            }
        }
        if seg_end <= seg_start {
            break;
        }
        pos = seg_end;
        if seg_end < letters_end {
            break;
        }
    }
    (pos > i).then_some(pos)
}

fn is_code_letter(c: char) -> bool {
    c.is_ascii_uppercase() || c == 'Đ'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(body: &str) -> Vec<Option<String>> {
        let (docs, _) = parse_legal_table(&format!("{LEGAL_TABLE_HEADER}{body}"));
        docs.into_iter().map(|d| d.number).collect()
    }

    #[test]
    fn title_and_number_cells() {
        // Record 1.009505.
        let (docs, f) = parse_legal_table(&format!(
            "{LEGAL_TABLE_HEADER}Thông tư quy định mức thu, chế độ thu, nộp, quản lý và sử dụng lệ \
             phí trong lĩnh vực chứng khoán25/2022/TT-BTCThông tư 98/2020/TT-BTC98/2020/TT-BTCNghị \
             định 155/2020/NĐ-CP155/2020/NĐ-CPLuật 54/2019/QH1454/2019/QH14"
        ));
        assert!(f.is_empty());
        let got: Vec<_> = docs
            .iter()
            .map(|d| (d.title.as_str(), d.number.as_deref(), d.issuer.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Thông tư quy định mức thu, chế độ thu, nộp, quản lý và sử dụng lệ phí trong lĩnh vực chứng khoán",
                    Some("25/2022/TT-BTC"),
                    Some("Bộ Tài chính")
                ),
                (
                    "Thông tư 98/2020/TT-BTC",
                    Some("98/2020/TT-BTC"),
                    Some("Bộ Tài chính")
                ),
                (
                    "Nghị định 155/2020/NĐ-CP",
                    Some("155/2020/NĐ-CP"),
                    Some("Chính phủ")
                ),
                ("Luật 54/2019/QH14", Some("54/2019/QH14"), Some("Quốc hội")),
            ]
        );
        assert_eq!(docs[3].year, Some(2019));
    }

    #[test]
    fn suffixes_glued_to_the_next_title() {
        // Record 3.000379 ("...30/2013/NĐ-CPLUẬT HÀNG KHÔNG...") and common joins.
        assert_eq!(
            numbers(
                "Nghị định 64/2022/NĐ-CP64/2022/NĐ-CPvề kinh doanh vận chuyển30/2013/NĐ-CPLuật Hàng không66/2006/QH11"
            ),
            vec![
                Some("64/2022/NĐ-CP".to_owned()),
                Some("30/2013/NĐ-CP".to_owned()),
                Some("66/2006/QH11".to_owned())
            ]
        );
        assert_eq!(
            numbers("Quyết định 19/2018/QĐ-TTg19/2018/QĐ-TTgThông tư 01/2024/TT-BCA01/2024/TT-BCA"),
            vec![
                Some("19/2018/QĐ-TTg".to_owned()),
                Some("01/2024/TT-BCA".to_owned())
            ]
        );
        // Records 1.001146 (an all-capitals title) and 1.004198 (a title that starts with a
        // number), 1.003220 (a space after a dash).
        assert_eq!(
            numbers(
                "Thông tư số 22/2023/TT-BCA22/2023/TT-BCAQUY ĐỊNH MỨC THU75/2022/TT-BTCthân nhân05/2013/\
                 TT-BLĐTBXH26/2005/PL-UBTVQH11 - Ưu đãi người có công26/2005/PL-UBTVQH11Thông tư liên \
                 tịch 21/2008/TTLT- BQP-BLĐTBXH-BTC21/2008/TTLT- BQP-BLĐTBXH-BTC"
            ),
            vec![
                Some("22/2023/TT-BCA".to_owned()),
                Some("75/2022/TT-BTC".to_owned()),
                Some("05/2013/TT-BLĐTBXH".to_owned()),
                Some("26/2005/PL-UBTVQH11".to_owned()),
                Some("21/2008/TTLT- BQP-BLĐTBXH-BTC".to_owned()),
            ]
        );
    }

    #[test]
    fn issue_date_from_the_title() {
        let (docs, _) = parse_legal_table(&format!(
            "{LEGAL_TABLE_HEADER}Nghị định số 121/2025/NĐ-CP ngày 11/6/2025 của Chính phủ quy định về \
             phân quyền121/2025/NĐ-CPNghị định số 40/2016/NĐ-CP ngày 15 tháng 5 năm 2016 của Chính phủ40/2016/NĐ-CP"
        ));
        assert_eq!(docs[0].issued, NaiveDate::from_ymd_opt(2025, 6, 11));
        assert_eq!(docs[1].issued, NaiveDate::from_ymd_opt(2016, 5, 15));
    }

    #[test]
    fn not_a_table() {
        let (docs, f) =
            parse_legal_table(": Thông tư 269/2016/TT-BTC ngày 14/11/2016 của Bộ Tài chính");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].number.as_deref(), Some("269/2016/TT-BTC"));
        assert_eq!(f[0].kind, IssueKind::LegalBasisUnstructured);
        assert!(parse_legal_table("Không có thông tin").0.is_empty());
    }
}
