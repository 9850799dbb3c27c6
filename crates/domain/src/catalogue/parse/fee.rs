//! Fees and charges (phí, lệ phí). The portal's fee cell is "Miễn phí", "Không có thông tin" or an
//! amount with a currency ("1,200,000 Việt Nam Đồng", "20 VNĐ", "10 USD"), optionally followed by
//! a note in parentheses; older crawls write labelled lists ("Lệ phí : 8.000 Đồng",
//! "Phí: 150.000 ĐồngXem chi tiết Phí: 500.000 ĐồngXem chi tiết") or prose.
//!
//! Rules chosen:
//! - every amount with a currency becomes a [`FeeItem`]; its kind (phí / lệ phí / giá dịch vụ)
//!   is the last such word before it in the same clause;
//! - amounts in the note that repeat the cell's amount are not counted twice;
//! - a cell amount in đồng below 1,000 is implausible (the portal sometimes states thousands):
//!   it is scaled by 1,000 when the note states the scaled figure, moved to the note's currency
//!   when the note gives the same figure in USD, and otherwise kept only as a doubtful amount;
//! - "Miễn phí" with a note that states positive amounts is not free, and is flagged;
//! - a fee in prose without any amount is kept as text and flagged;
//! - a grouped amount right after a label ("Lệ phí: 1,500,000 (…)") is an amount in đồng even
//!   without a currency word;
//! - an exemption or reduction ("Miễn phí từ ngày … đến …", "giảm 50% …") stated between an
//!   amount and the next one is that item's [`FeeItem::exemption`];
//! - a grouped number of at least 1,000 that none of these rules reads as an amount, and that is
//!   not followed by a unit ("5.700 kg", "50%"), flags the record for review
//!   ([`IssueKind::FeeUnreadAmount`]): the lines may be incomplete.

use super::super::issue::{Finding, IssueKind};
use super::super::model::{Fee, FeeItem, FeeKind, FeeSource, ForeignAmount};
use super::super::scan::{
    char_at, char_before, excerpt, is_placeholder, lower, match_ci, slice, squash,
};
use super::number::{NumberToken, number_at, parse_decimal, parse_grouped_integer};

/// The reading of a fee text.
#[derive(Debug, Clone, PartialEq)]
pub struct FeeParse {
    /// `None` when nothing is stated.
    pub fee: Option<Fee>,
    pub findings: Vec<Finding>,
}

/// Cells meaning free of charge.
const FREE_CELLS: [&str; 6] = [
    "miễn phí",
    "miễn lệ phí",
    "không thu",
    "không thu phí",
    "không thu lệ phí",
    "miễn",
];

/// Currency words, lowercase, longest first: (word, currency, multiplier).
const CURRENCIES: [(&str, Currency, i64); 9] = [
    ("việt nam đồng", Currency::Vnd, 1),
    ("triệu đồng", Currency::Vnd, 1_000_000),
    ("tỷ đồng", Currency::Vnd, 1_000_000_000),
    ("triệu", Currency::Vnd, 1_000_000),
    ("vnđ", Currency::Vnd, 1),
    ("vnd", Currency::Vnd, 1),
    ("đồng", Currency::Vnd, 1),
    ("usd", Currency::Usd, 1),
    ("đ", Currency::Vnd, 1),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Currency {
    Vnd,
    Usd,
}

/// An amount found in a text.
#[derive(Debug, Clone, PartialEq)]
struct Amount {
    vnd: Option<i64>,
    usd: Option<f64>,
    start: usize,
    end: usize,
}

/// Reads a fee text on its own (older crawls, or any free text).
pub fn parse_fee_text(text: &str) -> FeeParse {
    parse_fee(text, "")
}

/// Reads the portal's fee cell and its note (the text in parentheses after it, without them).
pub fn parse_fee(cell: &str, note: &str) -> FeeParse {
    let cell = squash(cell);
    let note = squash(note);
    let cell_lower = lower(&cell);
    let cell_lower = cell_lower.trim_end_matches(['.', ';']);
    let cell_empty = is_placeholder(&cell);
    let note_empty = is_placeholder(&note);
    if cell_empty && note_empty {
        return FeeParse {
            fee: None,
            findings: Vec::new(),
        };
    }
    let mut findings = Vec::new();
    let mut items = Vec::new();
    let mut says_free = FREE_CELLS.contains(&cell_lower);

    let cell_read = if says_free || cell_empty {
        Vec::new()
    } else {
        amounts_in(&cell)
    };
    if !says_free && !cell_empty && cell_read.is_empty() {
        if ["miễn phí", "miễn lệ phí", "không thu"]
            .iter()
            .any(|w| cell_lower.contains(w))
        {
            says_free = true;
        } else {
            findings.push(Finding::new(
                IssueKind::FeeInProse,
                format!("fee without an amount: \"{}\"", excerpt(&cell, 120)),
            ));
            items.push(FeeItem {
                exemption: None,
                kind: kind_before(&cell, cell.len()),
                amount_vnd: None,
                foreign: None,
                doubtful_amount: None,
                source: FeeSource::Cell,
                text: cell.clone(),
            });
        }
    }

    let note_all = if note_empty {
        Vec::new()
    } else {
        amounts_in(&note)
    };
    if !says_free && !cell_empty {
        // The cell's last amount runs on into the note, up to the note's first amount.
        let note_head = slice(&note, 0, note_all.first().map_or(note.len(), |a| a.start));
        for (n, a) in cell_read.iter().enumerate() {
            let mut exemption = exemption_in(scope_after(&cell, &cell_read, a));
            if exemption.is_none() && n + 1 == cell_read.len() {
                exemption = exemption_in(note_head);
            }
            items.push(item(&cell, a, FeeSource::Cell, exemption));
        }
    }
    let mut note_amounts = note_all.clone();
    // Cell amounts below 1,000 đồng: confirm the scale or the currency from the note.
    for it in items.iter_mut().filter(|i| i.source == FeeSource::Cell) {
        let Some(v) = it.amount_vnd.filter(|v| (1..1000).contains(v)) else {
            continue;
        };
        let thousand = v * 1000;
        if let Some(k) = note_amounts.iter().position(|a| a.vnd == Some(thousand)) {
            note_amounts.remove(k);
            it.amount_vnd = Some(thousand);
            findings.push(Finding::new(
                IssueKind::FeeScaled,
                format!("cell amount {v} read as {thousand} đồng, as the note states"),
            ));
        } else if let Some(k) = note_amounts.iter().position(|a| a.usd == Some(v as f64)) {
            note_amounts.remove(k);
            it.amount_vnd = None;
            it.foreign = Some(ForeignAmount {
                currency: "USD".to_owned(),
                amount: v as f64,
            });
            findings.push(Finding::new(
                IssueKind::FeeCurrencyFromNote,
                format!("cell amount {v} VNĐ read as {v} USD, as the note states"),
            ));
        } else {
            it.amount_vnd = None;
            it.doubtful_amount = Some(v);
            findings.push(Finding::new(
                IssueKind::FeeDoubtfulAmount,
                format!(
                    "amount of {v} đồng is implausibly small: \"{}\"",
                    excerpt(&it.text, 80)
                ),
            ));
        }
    }
    // Note amounts that repeat a cell amount are the same payment.
    note_amounts.retain(|a| {
        !items.iter().any(|i| {
            (a.vnd.is_some() && i.amount_vnd == a.vnd)
                || (a.usd.is_some() && i.foreign.as_ref().map(|f| f.amount) == a.usd)
        })
    });
    let from_note: Vec<FeeItem> = note_amounts
        .iter()
        .map(|a| {
            let exemption = exemption_in(scope_after(&note, &note_all, a));
            item(&note, a, FeeSource::Note, exemption)
        })
        .collect();
    let note_positive = from_note.iter().any(|i| {
        i.amount_vnd.is_some_and(|v| v > 0) || i.foreign.as_ref().is_some_and(|f| f.amount > 0.0)
    });
    if says_free && note_positive {
        findings.push(Finding::new(
            IssueKind::FeeNoteStatesAmount,
            format!(
                "cell says free but the note states amounts: \"{}\"",
                excerpt(&note, 120)
            ),
        ));
    }
    let note_has_amount = from_note
        .iter()
        .any(|i| i.amount_vnd.is_some() || i.foreign.is_some());
    if says_free && !note_has_amount && describes_payment(&note) {
        // "Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh ... quyết định)".
        says_free = false;
        findings.push(Finding::new(
            IssueKind::FeeInProse,
            format!(
                "cell says free but the note describes a payment: \"{}\"",
                excerpt(&note, 120)
            ),
        ));
        items.push(FeeItem {
            exemption: None,
            kind: kind_before(&note, note.len()),
            amount_vnd: None,
            foreign: None,
            doubtful_amount: None,
            source: FeeSource::Note,
            text: note.clone(),
        });
    }
    items.extend(from_note);
    let unread: Vec<&str> = unread_amounts(&cell, &cell_read)
        .into_iter()
        .chain(unread_amounts(&note, &note_all))
        .collect();
    if !unread.is_empty() {
        findings.push(Finding::new(
            IssueKind::FeeUnreadAmount,
            format!(
                "number(s) {} not read as an amount: \"{}\"",
                unread.join(", "),
                excerpt(&format!("{cell} {note}"), 120)
            ),
        ));
    }
    let mut fee = Fee {
        items,
        free: false,
        note,
    };
    fee.free = says_free && !fee.states_positive_amount();
    FeeParse {
        fee: Some(fee),
        findings,
    }
}

/// Exemption wordings, removed before looking for a payment in a note.
const EXEMPTIONS: [&str; 11] = [
    "không được quy định tại biểu phí, lệ phí",
    "không phải nộp lệ phí",
    "không phải nộp phí",
    "không thu lệ phí",
    "không thu phí",
    "miễn lệ phí",
    "miễn nộp phí",
    "miễn phí",
    "không thu",
    "được miễn",
    "không có",
];

/// Words that say something is to be paid (a charge set by the province, a fee schedule).
const PAYMENT_WORDS: [&str; 12] = [
    "phí",
    "giá dịch vụ",
    "mức giá",
    "biểu giá",
    "khung giá",
    "giá kiểm",
    "mức thu",
    "đồng",
    "hội đồng nhân dân",
    "ủy ban nhân dân",
    "uỷ ban nhân dân",
    "theo quy định",
];

/// Whether a note, once exemptions are removed, still speaks of a payment.
fn describes_payment(note: &str) -> bool {
    let mut l = lower(note);
    for e in EXEMPTIONS {
        l = l.replace(e, " ");
    }
    PAYMENT_WORDS.iter().any(|w| l.contains(w))
}

fn item(text: &str, a: &Amount, source: FeeSource, exemption: Option<String>) -> FeeItem {
    FeeItem {
        exemption,
        kind: kind_before(text, a.start),
        amount_vnd: a.vnd,
        foreign: a.usd.map(|amount| ForeignAmount {
            currency: "USD".to_owned(),
            amount,
        }),
        doubtful_amount: None,
        source,
        text: clause_around(text, a.start, a.end),
    }
}

/// Calls `visit` at each number that starts a word (not glued to a letter, a digit or a
/// separator), with its start; `visit` answers where the scan goes on.
fn scan_numbers<'a>(text: &'a str, mut visit: impl FnMut(usize, NumberToken<'a>) -> usize) {
    let mut i = 0;
    while i < text.len() {
        let Some(c) = char_at(text, i) else {
            break;
        };
        if c.is_ascii_digit()
            && !char_before(text, i)
                .is_some_and(|p| p.is_alphanumeric() || matches!(p, '/' | '.' | ',' | '-'))
            && let Some(num) = number_at(text, i)
        {
            i = visit(i, num).max(num.end);
            continue;
        }
        i += c.len_utf8();
    }
}

/// Every "<number> <currency>" in `text`.
fn amounts_in(text: &str) -> Vec<Amount> {
    let mut out = Vec::new();
    scan_numbers(text, |i, num| {
        match amount_after(text, i, num.text, num.end) {
            Some(a) => {
                let end = a.end;
                out.push(a);
                end
            }
            None => num.end,
        }
    });
    out
}

fn amount_after(text: &str, start: usize, digits: &str, end: usize) -> Option<Amount> {
    let at = if char_at(text, end) == Some(' ') {
        end + 1
    } else {
        end
    };
    for (word, currency, mult) in CURRENCIES {
        let Some(word_end) = match_ci(text, at, word) else {
            continue;
        };
        // A glued capitalised word may follow ("ĐồngXem chi tiết"), a lowercase one may not
        // ("đơn", "đối").
        if char_at(text, word_end).is_some_and(char::is_lowercase) {
            continue;
        }
        let (vnd, usd) = match currency {
            Currency::Vnd if mult == 1 => (Some(parse_grouped_integer(digits)?), None),
            Currency::Vnd => {
                let v = parse_grouped_integer(digits)
                    .map(|v| v as f64)
                    .or_else(|| parse_decimal(digits))?;
                let total = (v * mult as f64).round();
                if !(total.is_finite() && total < 9.0e15) {
                    return None;
                }
                (Some(total as i64), None)
            }
            Currency::Usd => {
                let v = parse_grouped_integer(digits)
                    .map(|v| v as f64)
                    .or_else(|| parse_decimal(digits))?;
                (None, Some(v))
            }
        };
        return Some(Amount {
            vnd,
            usd,
            start,
            end: word_end,
        });
    }
    // A grouped amount per unit without a currency: "8.000.000/lần".
    let grouped = digits.contains(['.', ',']);
    let per_unit =
        char_at(text, end) == Some('/') && char_at(text, end + 1).is_some_and(char::is_alphabetic);
    match parse_grouped_integer(digits) {
        Some(v) if grouped && v >= 1000 && (per_unit || after_label(text, start)) => Some(Amount {
            vnd: Some(v),
            usd: None,
            start,
            end,
        }),
        _ => None,
    }
}

/// Whether the text before byte `at` ends with a fee label and a colon: "Lệ phí: ", "Phí :".
fn after_label(text: &str, at: usize) -> bool {
    let head = lower(text.get(..at).unwrap_or(""));
    let Some(head) = head.trim_end().strip_suffix(':') else {
        return false;
    };
    let head = head.trim_end();
    head.ends_with("phí") || head.ends_with("giá")
}

/// Grouped numbers of at least 1,000 in `text` outside every amount of `read`, not followed by a
/// unit or a percent sign: amounts the rules could not read.
fn unread_amounts<'a>(text: &'a str, read: &[Amount]) -> Vec<&'a str> {
    let mut out = Vec::new();
    scan_numbers(text, |i, num| {
        let inside = read.iter().any(|a| (a.start..a.end).contains(&i));
        let grouped = num.text.contains(['.', ',']);
        let big = parse_grouped_integer(num.text).is_some_and(|v| v >= 1000);
        let unit = followed_by_unit(text.get(num.end..).unwrap_or(""));
        if !inside && grouped && big && !unit {
            out.push(num.text);
        }
        num.end
    });
    out
}

/// Unit words longer than three letters that follow a quantity ("2.000 người").
const LONG_UNITS: [&str; 6] = ["tấn", "người", "trang", "hecta", "mét", "lượt"];

/// Whether `tail` (the text after a number) starts with a unit: "%", "/…", a word of at most three
/// letters ("kg", "m2", "ha") or one of [`LONG_UNITS`].
fn followed_by_unit(tail: &str) -> bool {
    let tail = tail.trim_start();
    if tail.starts_with(['%', '/']) {
        return true;
    }
    let word: String = tail.chars().take_while(|c| c.is_alphanumeric()).collect();
    let letters = word.chars().count();
    letters > 0 && (letters <= 3 || LONG_UNITS.contains(&lower(&word).as_str()))
}

/// Words that open an exemption or a reduction.
const EXEMPTION_WORDS: [&str; 2] = ["miễn", "giảm"];

/// The exemption or reduction stated in `scope` (the text between an amount and the next), up
/// to the end of its clause or parenthesis, at most [`MAX_EXEMPTION_CHARS`] characters.
fn exemption_in(scope: &str) -> Option<String> {
    let l = lower(scope);
    let at = EXEMPTION_WORDS.iter().filter_map(|w| l.find(w)).min()?;
    // `lower` keeps byte offsets of Vietnamese letters (same lengths in both cases).
    let tail = scope.get(at..)?;
    let end = tail.find([')', ';']).unwrap_or(tail.len());
    let text = squash(tail.get(..end)?.trim_end_matches(['.', ',', ' ']));
    Some(text.chars().take(MAX_EXEMPTION_CHARS).collect())
}

/// Longest exemption text kept on an item, in characters.
pub const MAX_EXEMPTION_CHARS: usize = 300;

/// The text after amount `a` of `text`, up to the next amount of `all` (the amounts of `text`).
fn scope_after<'a>(text: &'a str, all: &[Amount], a: &Amount) -> &'a str {
    let to = all
        .iter()
        .map(|b| b.start)
        .find(|s| *s >= a.end)
        .unwrap_or(text.len());
    slice(text, a.end, to)
}

/// Separators between clauses of fee prose.
const CLAUSE_BREAKS: [&str; 6] = [";", "\n", "Xem chi tiết", ". ", "+ ", "- "];

/// The kind named last before byte `at` in the same clause.
fn kind_before(text: &str, at: usize) -> FeeKind {
    let start = clause_start(text, at);
    let clause = lower(text.get(start..at).unwrap_or(""));
    let charge = clause.rfind("lệ phí").map(|i| i + "lệ ".len());
    let fee = clause.rfind("phí");
    let price = clause.rfind("giá");
    match (fee, price) {
        (Some(f), p) if p.is_none_or(|p| f > p) => {
            if charge == Some(f) {
                FeeKind::Charge
            } else {
                FeeKind::Fee
            }
        }
        (_, Some(_)) => FeeKind::ServicePrice,
        _ => FeeKind::Unspecified,
    }
}

fn clause_start(text: &str, at: usize) -> usize {
    let head = text.get(..at).unwrap_or("");
    CLAUSE_BREAKS
        .iter()
        .filter_map(|b| head.rfind(b).map(|i| i + b.len()))
        .max()
        .unwrap_or(0)
}

fn clause_around(text: &str, start: usize, end: usize) -> String {
    let from = clause_start(text, start);
    let tail = text.get(end..).unwrap_or("");
    let to = CLAUSE_BREAKS
        .iter()
        .filter_map(|b| tail.find(b))
        .min()
        .map_or(text.len(), |k| end + k);
    squash(text.get(from..to).unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fee(cell: &str, note: &str) -> (Fee, Vec<IssueKind>) {
        let p = parse_fee(cell, note);
        (
            p.fee.expect("a fee"),
            p.findings.iter().map(|f| f.kind).collect(),
        )
    }

    #[test]
    fn free_and_nothing() {
        let (f, k) = fee("Miễn phí", "");
        assert!(f.free && f.items.is_empty() && k.is_empty());
        assert_eq!(parse_fee("Không có thông tin", "").fee, None);
        let (f, _) = fee("Miễn phí", "Không có");
        assert!(f.free);
    }

    #[test]
    fn portal_amount_cells() {
        // "Trực tuyến21 Ngày1,200,000 Việt Nam Đồng(1.200.000đ/thẻ ABTC.)" (record 1.000811).
        let (f, k) = fee("1,200,000 Việt Nam Đồng", "1.200.000đ/thẻ ABTC.");
        assert_eq!(f.items.len(), 1, "{f:?}");
        assert_eq!(f.items[0].amount_vnd, Some(1_200_000));
        assert!(!f.free && k.is_empty());
        // "10 USD(/bản)" (record 2.000815).
        let (f, _) = fee("10 USD", "/bản");
        assert_eq!(f.items[0].foreign.as_ref().map(|a| a.amount), Some(10.0));
        assert_eq!(f.items[0].amount_vnd, None);
    }

    #[test]
    fn thousands_confirmed_by_the_note() {
        // "120 VNĐ(20.000 vnđ /tờ khai)": time 1, fee 20 (thousand) (record 1.000014).
        let (f, k) = fee("20 VNĐ", "20.000 vnđ /tờ khai");
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.items[0].amount_vnd, Some(20_000));
        assert_eq!(k, vec![IssueKind::FeeScaled]);
        // Visa card fee stated "145 VNĐ" with a USD note (record of the temporary residence card).
        let (f, k) = fee(
            "145 VNĐ",
            "Thẻ tạm trú có thời hạn không quá 02 năm: 145 USD/thẻ.",
        );
        assert_eq!(f.items[0].foreign.as_ref().map(|a| a.amount), Some(145.0));
        assert_eq!(k, vec![IssueKind::FeeCurrencyFromNote]);
        let (f, k) = fee("120 VNĐ", "");
        assert_eq!(
            (f.items[0].amount_vnd, f.items[0].doubtful_amount),
            (None, Some(120))
        );
        assert_eq!(k, vec![IssueKind::FeeDoubtfulAmount]);
        assert!(f.states_positive_amount());
    }

    #[test]
    fn free_cell_with_amounts_in_the_note() {
        // Record 1.004359.
        let (f, k) = fee(
            "Miễn phí",
            "Lệ phí cấp mới 40.000đồng/lần; lệ phí cấp lại 20.000 đồng/lần.",
        );
        assert!(!f.free);
        assert_eq!(f.items.len(), 2);
        assert_eq!(f.items[0].kind, FeeKind::Charge);
        assert_eq!(f.items[0].amount_vnd, Some(40_000));
        assert_eq!(f.items[1].amount_vnd, Some(20_000));
        assert_eq!(k, vec![IssueKind::FeeNoteStatesAmount]);
    }

    #[test]
    fn labelled_lists_of_the_older_crawl() {
        let f = parse_fee_text("Lệ phí : 8.000 Đồng").fee.unwrap();
        assert_eq!(
            (f.items[0].kind, f.items[0].amount_vnd),
            (FeeKind::Charge, Some(8_000))
        );
        let f = parse_fee_text(
            "Phí: 250.000 ĐồngXem chi tiết Lệ phí: 150.000 ĐồngXem chi tiết Lệ phí: 1.500.000 ĐồngXem chi tiết",
        )
        .fee
        .unwrap();
        let got: Vec<_> = f.items.iter().map(|i| (i.kind, i.amount_vnd)).collect();
        assert_eq!(
            got,
            vec![
                (FeeKind::Fee, Some(250_000)),
                (FeeKind::Charge, Some(150_000)),
                (FeeKind::Charge, Some(1_500_000))
            ]
        );
        assert_eq!(f.total_vnd(), 1_900_000);
        let f = parse_fee_text("Phí : 50.000 Đồng").fee.unwrap();
        assert_eq!(f.items[0].kind, FeeKind::Fee);
    }

    #[test]
    fn free_cell_with_a_payment_in_the_note() {
        // Record 1.000656 and others: the charge is set by each province.
        let (f, k) = fee(
            "Miễn phí",
            "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh, thành phố trực thuộc Trung ương quyết định. \
             Miễn lệ phí đối với trường hợp đăng ký khai tử đúng hạn",
        );
        assert!(!f.free);
        assert_eq!(
            (f.items.len(), f.items[0].kind, f.items[0].amount_vnd),
            (1, FeeKind::Charge, None)
        );
        assert!(f.states_payment() && !f.states_positive_amount());
        assert_eq!(k, vec![IssueKind::FeeInProse]);
        // An exemption note keeps the fee free.
        let (f, k) = fee("Miễn phí", "- Miễn lệ phí (Thông tư số 47/2019/TT-BTC);");
        assert!(f.free && k.is_empty());
    }

    #[test]
    fn prose_without_amount_is_flagged() {
        let p =
            parse_fee_text("Lệ phí: Theo mức thu lệ phí do Hội đồng nhân dân cấp tỉnh quy định.");
        let f = p.fee.unwrap();
        assert_eq!(f.items[0].amount_vnd, None);
        assert_eq!(p.findings[0].kind, IssueKind::FeeInProse);
    }

    #[test]
    fn amounts_per_unit_without_currency() {
        // Record 3.000340: "Miễn phí(Cho một loại hình sản phẩm hoặc dịch vụ: 8.000.000/lần; ...)".
        let (f, k) = fee(
            "Miễn phí",
            "Cho một loại hình sản phẩm hoặc dịch vụ: 8.000.000/lần; thêm một loại hình sản phẩm \
             hoặc dịch vụ: 2.000.000/lần.",
        );
        let got: Vec<_> = f.items.iter().map(|i| i.amount_vnd).collect();
        assert_eq!(got, vec![Some(8_000_000), Some(2_000_000)]);
        assert_eq!(k, vec![IssueKind::FeeNoteStatesAmount]);
        // Dates are not amounts.
        assert!(
            parse_fee_text("từ ngày 01/7/2025").fee.unwrap().items[0]
                .amount_vnd
                .is_none()
        );
    }

    #[test]
    fn millions_and_service_prices() {
        let f = parse_fee_text("Lệ phí cấp phép: 2,5 triệu đồng/giấy phép")
            .fee
            .unwrap();
        assert_eq!(f.items[0].amount_vnd, Some(2_500_000));
        let f = parse_fee_text("Giá dịch vụ in lại giấy chứng nhận: 23.000 đồng/01 Giấy")
            .fee
            .unwrap();
        assert_eq!(f.items[0].kind, FeeKind::ServicePrice);
    }

    #[test]
    fn numbers_that_are_not_amounts() {
        // Document numbers and percentages are not fees.
        let f = parse_fee_text("Thông tư số 47/2019/TT-BTC; bằng 50% mức thu")
            .fee
            .unwrap();
        assert!(f.items.iter().all(|i| i.amount_vnd.is_none()));
    }

    #[test]
    fn every_amount_of_a_cell_with_its_name_and_exemption() {
        // Record 1.003708, online channel.
        let (f, k) = fee(
            "4,500,000 VNĐ",
            "Giấy chứng nhận đối với loại tàu bay từ 5.700 kg trở lên, Lệ phí: 1,500,000 (Giấy \
             chứng nhận đối với loại tàu bay dưới 5.700 kg (Miễn phí từ ngày 07/4/2026 đến \
             30/6/2026 theo quy định tại Thông tư 40/2026/TT-BTC)",
        );
        let got: Vec<_> = f
            .items
            .iter()
            .map(|i| (i.kind, i.amount_vnd, i.exemption.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![
                (FeeKind::Unspecified, Some(4_500_000), None),
                (
                    FeeKind::Charge,
                    Some(1_500_000),
                    Some(
                        "Miễn phí từ ngày 07/4/2026 đến 30/6/2026 theo quy định tại Thông tư \
                         40/2026/TT-BTC"
                    )
                ),
            ]
        );
        assert!(k.is_empty(), "{k:?}");
        assert_eq!(f.items[0].text, "4,500,000 VNĐ");
    }

    #[test]
    fn a_reduction_stated_after_an_amount() {
        let f = parse_fee_text(
            "Lệ phí: 100.000 đồng/hồ sơ; giảm 50% đối với hộ nghèo. Phí: 20.000 đồng",
        )
        .fee
        .unwrap();
        let got: Vec<_> = f.items.iter().map(|i| i.exemption.as_deref()).collect();
        assert_eq!(got, vec![Some("giảm 50% đối với hộ nghèo. Phí:"), None]);
    }

    #[test]
    fn unread_amounts_flag_the_record() {
        // A grouped figure with neither a currency nor a label: the lines may be incomplete.
        let (f, k) = fee("Miễn phí", "Mức phí giảm còn 1.600.000 trong năm 2024");
        assert!(f.items.iter().all(|i| i.amount_vnd.is_none()));
        assert_eq!(k, vec![IssueKind::FeeInProse, IssueKind::FeeUnreadAmount]);
        assert!(IssueKind::FeeUnreadAmount.needs_review());
        // Weights, percentages and dates are not amounts.
        let (_, k) = fee(
            "1,500,000 VNĐ",
            "tàu bay từ 5.700 kg; giảm 50%; từ ngày 07/4/2026",
        );
        assert!(k.is_empty(), "{k:?}");
    }
}
