//! The electronic fee receipt (biên lai thu phí, lệ phí điện tử) of Decree 123/2020/NĐ-CP and
//! Circular 78/2021/TT-BTC as A4 HTML: the collecting agency, the receipt template symbol
//! (ký hiệu mẫu biên lai), its serial (ký hiệu biên lai) and number, the payer, the fee lines,
//! the total in figures and in Vietnamese words, the method and the date. Plain values in, a
//! page out; the wording around the fields is motcua's own.

use chrono::{DateTime, Utc};

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

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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

/// The receipt as a self-contained A4 HTML page.
pub fn fee_receipt_html(r: &FeeReceipt) -> String {
    let at = vi::vietnam_time(r.issued_at);
    let rows: String = r
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "<tr><td>{}</td><td>{}{}</td><td class=\"n\">{}</td></tr>",
                i + 1,
                esc(&l.name),
                l.legal_basis
                    .as_deref()
                    .map(|b| format!("<br><small>({})</small>", esc(b)))
                    .unwrap_or_default(),
                money(l.amount_vnd)
            )
        })
        .collect();
    let refunded = if r.refunded {
        "<p class=\"refunded\" id=\"refunded\">ĐÃ HOÀN TRẢ</p>"
    } else {
        ""
    };
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>Biên lai thu phí, lệ phí số {number}</title><style>\
@page {{ size: A4; margin: 20mm 15mm 20mm 20mm }}\
body {{ font-family: 'Times New Roman', 'Liberation Serif', serif; font-size: 13pt; max-width: 180mm; margin: 0 auto; padding: 8px; }}\
.head {{ display: flex; justify-content: space-between; gap: 12px; flex-wrap: wrap }}\
h1 {{ text-align: center; font-size: 16pt; margin: 18px 0 4px }} .c {{ text-align: center }}\
table {{ width: 100%; border-collapse: collapse; margin: 10px 0 }} td, th {{ border: 1px solid #000; padding: 4px 6px; vertical-align: top }}\
.n {{ text-align: right; white-space: nowrap }} .refunded {{ color: #b00; font-weight: bold; text-align: center }}\
.sign {{ display: flex; justify-content: space-between; margin-top: 24px; text-align: center }}\
</style></head><body>\
<div class=\"head\"><div><b>{agency}</b></div>\
<div>Ký hiệu mẫu biên lai: <b id=\"template\">{template}</b><br>Ký hiệu biên lai: <b id=\"serial\">{serial}</b><br>Số: <b id=\"number\">{number}</b></div></div>\
<h1>BIÊN LAI THU PHÍ, LỆ PHÍ</h1><p class=\"c\"><i>(Biên lai điện tử)</i></p>{refunded}\
<p>Tên người nộp: <b id=\"payer\">{payer}</b></p>\
<p>Địa chỉ: {address}</p>\
<p>Hồ sơ: <b id=\"dossier\">{dossier}</b> — {procedure}</p>\
<table><thead><tr><th>STT</th><th>Tên loại phí, lệ phí</th><th>Số tiền (đồng)</th></tr></thead><tbody>{rows}\
<tr><td></td><td><b>Tổng cộng</b></td><td class=\"n\" id=\"total\"><b>{total}</b></td></tr></tbody></table>\
<p>Số tiền bằng chữ: <i id=\"words\">{words}</i></p>\
<p>Hình thức thanh toán: <span id=\"method\">{method}</span>{txn}</p>\
<p>Ngày thu: {date}</p>\
<div class=\"sign\"><div><b>Người nộp tiền</b></div><div><b>Người thu tiền</b><br><i>(Ký điện tử)</i></div></div>\
</body></html>",
        agency = esc(&r.agency_name),
        template = esc(&r.template),
        serial = esc(&r.serial),
        number = esc(&r.number),
        payer = esc(&r.payer_name),
        address = esc(r.payer_address.as_deref().unwrap_or("")),
        dossier = esc(&r.dossier_code),
        procedure = esc(&r.procedure_name),
        total = money(r.amount_vnd),
        words = esc(&r.amount_in_words),
        method = esc(&r.method),
        txn = r
            .transaction_no
            .as_deref()
            .map(|t| format!(" (mã giao dịch {})", esc(t)))
            .unwrap_or_default(),
        date = format!("{} {}", vi::time_short(at), vi::date(at.date())),
    )
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
        let html = fee_receipt_html(&r);
        for s in [
            "Trung tâm &lt;PVHCC&gt;",
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
        assert!(!html.contains("ĐÃ HOÀN TRẢ"));
    }
}
