//! The electronic fee receipt (biên lai thu phí, lệ phí điện tử) of Decree 123/2020/NĐ-CP and
//! Circular 78/2021/TT-BTC as A4 HTML: the collecting agency, the receipt template symbol
//! (ký hiệu mẫu biên lai), its serial (ký hiệu biên lai) and number, the payer, the fee lines,
//! the total in figures and in Vietnamese words, the method and the date. Plain values in, a
//! page out; the wording around the fields is motcua's own.

use chrono::{DateTime, Utc};

use crate::FormError;
use crate::doc::{Block, Column, Doc, Header, Para, Run, Signature, Table};
use crate::vi;

/// One line of the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    pub name: String,
    pub legal_basis: Option<String>,
    pub amount_vnd: u64,
}

/// What a fee receipt says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeReceipt {
    /// The collecting agency's parent (the governing body), if any.
    pub parent_agency_name: String,
    pub agency_name: String,
    pub template: String,
    pub serial: String,
    /// As printed (seven digits).
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub dossier_code: String,
    pub procedure_name: String,
    pub payer_name: String,
    pub payer_address: Option<String>,
    pub lines: Vec<ReceiptLine>,
    pub amount_vnd: u64,
    pub amount_in_words: String,
    /// "Tiền mặt", "Chuyển khoản", "Thanh toán trực tuyến".
    pub method: String,
    /// The gateway's transaction number of an online payment.
    pub transaction_no: Option<String>,
    /// The fee was given back since.
    pub refunded: bool,
}

/// `1.500.000`.
pub fn money(vnd: u64) -> String {
    let digits = vnd.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// The receipt's blocks, drawn by both renderers.
fn doc(r: &FeeReceipt) -> Doc {
    let at = vi::vietnam_time(r.issued_at);
    let mut blocks = vec![
        Block::Header(Header {
            parent: vi::upper(r.parent_agency_name.trim()),
            agency: vi::upper(r.agency_name.trim()),
            number: format!("Số: {}", r.number),
            date_line: {
                let d = vi::date_words(at.date());
                let mut c = d.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            },
        }),
        Block::Title(
            "BIÊN LAI THU PHÍ, LỆ PHÍ".to_owned(),
            Some("(Biên lai điện tử)".to_owned()),
        ),
        Block::Para(Para::plain(vec![
            dr("Ký hiệu mẫu biên lai: "),
            db(&r.template),
            dr("   Ký hiệu biên lai: "),
            db(&r.serial),
            dr("   Số: "),
            db(&r.number),
        ])),
    ];
    if r.refunded {
        blocks.push(Block::Para(Para::center(vec![db("ĐÃ HOÀN TRẢ")])));
    }
    blocks.push(Block::Para(Para::plain(vec![
        dr("Tên người nộp: "),
        db(&r.payer_name),
    ])));
    blocks.push(Block::Para(Para::plain(vec![dr(format!(
        "Địa chỉ: {}",
        r.payer_address.as_deref().unwrap_or("")
    ))])));
    blocks.push(Block::Para(Para::plain(vec![
        dr("Hồ sơ: "),
        db(&r.dossier_code),
        dr(format!(" — {}", r.procedure_name)),
    ])));
    let mut rows: Vec<Vec<Vec<String>>> = r
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut name = vec![l.name.clone()];
            if let Some(b) = &l.legal_basis {
                name.push(format!("({b})"));
            }
            vec![vec![(i + 1).to_string()], name, vec![money(l.amount_vnd)]]
        })
        .collect();
    rows.push(vec![
        vec![String::new()],
        vec!["Tổng cộng".to_owned()],
        vec![money(r.amount_vnd)],
    ]);
    blocks.push(Block::Table(Table {
        columns: vec![
            Column {
                title: "STT".into(),
                width: 10.0,
                center: true,
            },
            Column {
                title: "Tên loại phí, lệ phí".into(),
                width: 60.0,
                center: false,
            },
            Column {
                title: "Số tiền (đồng)".into(),
                width: 30.0,
                center: true,
            },
        ],
        rows,
        size: 12.0,
    }));
    blocks.push(Block::Para(Para::plain(vec![
        dr("Số tiền bằng chữ: "),
        di(&r.amount_in_words),
    ])));
    let txn = r
        .transaction_no
        .as_deref()
        .map(|t| format!(" (mã giao dịch {t})"))
        .unwrap_or_default();
    blocks.push(Block::Para(Para::plain(vec![dr(format!(
        "Hình thức thanh toán: {}{txn}",
        r.method
    ))])));
    blocks.push(Block::Para(Para::plain(vec![dr(format!(
        "Thời điểm thu: {} {}",
        vi::time_short(at),
        vi::date(at.date())
    ))])));
    blocks.push(Block::Signatures(vec![
        Signature {
            title: "NGƯỜI NỘP TIỀN".into(),
            hint: "(Ký, ghi rõ họ tên)".into(),
            name: r.payer_name.clone(),
        },
        Signature {
            title: "NGƯỜI THU TIỀN".into(),
            hint: "(Ký điện tử)".into(),
            name: String::new(),
        },
    ]));
    Doc {
        title: format!("Biên lai thu phí, lệ phí số {}", r.number),
        label: String::new(),
        reference: "Nghị định 123/2020/NĐ-CP; Thông tư 78/2021/TT-BTC".into(),
        landscape: false,
        blocks,
    }
}

fn dr(s: impl Into<String>) -> Run {
    crate::doc::r(s)
}
fn db(s: &str) -> Run {
    crate::doc::b(s)
}
fn di(s: &str) -> Run {
    crate::doc::i(s)
}

/// The receipt as an A4 HTML page (the forms' template).
pub fn fee_receipt_html(r: &FeeReceipt) -> Result<String, FormError> {
    crate::html::render(&doc(r), &crate::HtmlOptions::default())
}

/// The receipt as PDF (the forms' PDF writer, fonts embedded).
pub fn fee_receipt_pdf(r: &FeeReceipt) -> Result<Vec<u8>, FormError> {
    crate::pdf::render(&doc(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(0), "0");
        assert_eq!(money(999), "999");
        assert_eq!(money(1_000), "1.000");
        assert_eq!(money(6_000_000), "6.000.000");
    }

    #[test]
    fn the_receipt_states_every_field() {
        let r = FeeReceipt {
            parent_agency_name: "UBND tỉnh Thanh Hóa".into(),
            agency_name: "Trung tâm <PVHCC>".into(),
            template: "01BLP0-001".into(),
            serial: "AA-26E".into(),
            number: "0000007".into(),
            issued_at: DateTime::parse_from_rfc3339("2026-04-07T02:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            dossier_code: "000.00.01.H38-260407-0001".into(),
            procedure_name: "Cấp lại giấy chứng nhận".into(),
            payer_name: "Nguyễn Thị Hồng Nhung".into(),
            payer_address: None,
            lines: vec![ReceiptLine {
                name: "Lệ phí".into(),
                legal_basis: Some("Thông tư 40/2026/TT-BTC".into()),
                amount_vnd: 6_000_000,
            }],
            amount_vnd: 6_000_000,
            amount_in_words: "Sáu triệu đồng".into(),
            method: "Tiền mặt".into(),
            transaction_no: None,
            refunded: false,
        };
        let html = fee_receipt_html(&r).unwrap();
        for s in [
            "TRUNG TÂM",
            "PVHCC",
            "01BLP0-001",
            "AA-26E",
            "0000007",
            "6.000.000",
            "Sáu triệu đồng",
            "Tiền mặt",
            "09g00 07/04/2026",
        ] {
            assert!(html.contains(s), "{s} in the receipt");
        }
        assert!(!html.contains("<PVHCC>"), "text is escaped");
        assert!(!html.contains("ĐÃ HOÀN TRẢ"));
        let pdf = fee_receipt_pdf(&FeeReceipt {
            refunded: true,
            ..r
        })
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1000);
    }
}
