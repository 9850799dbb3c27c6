//! The Vietnamese texts of the notices: an e-mail (subject and body) and a short SMS per kind
//! of event, written from the facts a message stores ([`Notice`]).

use crate::notices::Notice;

/// What the texts need beyond the message itself, looked up when it is sent.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub procedure_name: Option<String>,
    pub agency_name: Option<String>,
    /// The public look-up page of the dossier, when the public address is configured.
    pub lookup_url: Option<String>,
}

/// An e-mail's subject and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailText {
    pub subject: String,
    pub body: String,
}

/// The look-up page of a dossier under the public address (`https://…/tra-cuu/<code>`).
pub fn lookup_url(public_url: &str, code: &str) -> String {
    format!("{}/tra-cuu/{code}", public_url.trim_end_matches('/'))
}

fn headline(kind: &str) -> &'static str {
    match kind {
        "received" => "Tiếp nhận hồ sơ",
        "intake_supplement_requested" => "Yêu cầu bổ sung, hoàn thiện hồ sơ",
        "supplement_requested" => "Yêu cầu bổ sung hồ sơ",
        "supplement_provided" => "Đã nhận hồ sơ bổ sung",
        "refused" => "Từ chối tiếp nhận hồ sơ",
        "apologized" => "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ",
        "stopped" => "Dừng giải quyết hồ sơ",
        "result_recorded" => "Đã có kết quả giải quyết hồ sơ",
        _ => "Thông báo về hồ sơ",
    }
}

fn opening(kind: &str) -> &'static str {
    match kind {
        "received" => {
            "Hồ sơ của Ông/Bà đã được tiếp nhận. Ông/Bà vui lòng nhận kết quả theo ngày hẹn dưới đây."
        }
        "intake_supplement_requested" => {
            "Hồ sơ của Ông/Bà chưa đủ điều kiện để tiếp nhận. Ông/Bà vui lòng bổ sung, hoàn thiện hồ sơ theo hướng dẫn dưới đây."
        }
        "supplement_requested" => {
            "Trong quá trình giải quyết, cơ quan có thẩm quyền đề nghị Ông/Bà bổ sung hồ sơ theo hướng dẫn dưới đây. Thời gian giải quyết được tạm dừng cho đến khi nhận đủ hồ sơ bổ sung."
        }
        "supplement_provided" => {
            "Cơ quan có thẩm quyền đã nhận hồ sơ bổ sung của Ông/Bà và tiếp tục giải quyết. Thời gian tạm dừng không tính vào thời gian giải quyết, nên ngày hẹn trả kết quả được lùi tương ứng như dưới đây."
        }
        "refused" => "Hồ sơ của Ông/Bà không được tiếp nhận vì lý do dưới đây.",
        "apologized" => {
            "Chúng tôi thành thật xin lỗi Ông/Bà vì hồ sơ chưa được giải quyết đúng hẹn và xin hẹn lại ngày trả kết quả như dưới đây."
        }
        "stopped" => "Việc giải quyết hồ sơ của Ông/Bà đã dừng vì lý do dưới đây.",
        "result_recorded" => {
            "Hồ sơ của Ông/Bà đã có kết quả giải quyết. Ông/Bà vui lòng nhận kết quả theo hình thức đã đăng ký."
        }
        _ => "Hồ sơ của Ông/Bà có thông tin mới.",
    }
}

/// Cuts a text to at most `max` characters, without its final full stop (SMS are short).
fn short(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.trim_end_matches('.').to_string();
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// The e-mail of a notice.
pub fn email(kind: &str, n: &Notice, ctx: &Context) -> EmailText {
    if kind.starts_with("feedback_") {
        return crate::feedback::notices::email(kind, n, ctx);
    }
    let code = n.code.as_deref().unwrap_or("");
    let subject = format!("{} {code}", headline(kind)).trim().to_string();
    let mut body = String::new();
    let name = if n.name.trim().is_empty() {
        "Ông/Bà"
    } else {
        n.name.trim()
    };
    body.push_str(&format!("Kính gửi Ông/Bà {name},\n\n"));
    body.push_str(opening(kind));
    body.push_str("\n\n");
    body.push_str(&format!("Mã hồ sơ: {code}\n"));
    if let Some(p) = &ctx.procedure_name {
        body.push_str(&format!("Thủ tục: {p}\n"));
    }
    if let Some(a) = &ctx.agency_name {
        body.push_str(&format!("Cơ quan: {a}\n"));
    }
    if matches!(kind, "received" | "apologized" | "supplement_provided")
        && let Some(when) = n.appointment_vi()
    {
        let label = if kind != "received" {
            "Ngày hẹn trả kết quả mới"
        } else {
            "Ngày hẹn trả kết quả"
        };
        body.push_str(&format!("{label}: {when}\n"));
    }
    if let Some(reason) = n.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        body.push_str(&format!("Lý do: {}\n", reason.trim()));
    }
    if !n.missing.is_empty() {
        body.push_str("Giấy tờ cần bổ sung:\n");
        for m in &n.missing {
            body.push_str(&format!("  - {}\n", m.trim()));
        }
    }
    if let Some(r) = &n.result_code {
        body.push_str(&format!("Số kết quả: {r}\n"));
    }
    body.push('\n');
    match &ctx.lookup_url {
        Some(url) => body.push_str(&format!("Tra cứu tình trạng hồ sơ: {url}\n")),
        None => body.push_str(
            "Ông/Bà có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ trên Cổng dịch vụ công.\n",
        ),
    }
    body.push_str("\nTrân trọng.\n\n--\nThư này được gửi tự động từ Hệ thống thông tin giải quyết thủ tục hành chính; vui lòng không trả lời thư này.\n");
    EmailText { subject, body }
}

/// The SMS of a notice (short: the code, what happened, the date or reason, the link).
pub fn sms(kind: &str, n: &Notice, ctx: &Context) -> String {
    if kind.starts_with("feedback_") {
        return crate::feedback::notices::sms(kind, n, ctx);
    }
    let code = n.code.as_deref().unwrap_or("");
    let reason = n
        .reason
        .as_deref()
        .map(|r| short(r, 100))
        .unwrap_or_default();
    let when = n.appointment_vi().unwrap_or_default();
    let mut text = match kind {
        "received" => format!("Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: {when}."),
        "intake_supplement_requested" => {
            format!("Hồ sơ {code} cần bổ sung, hoàn thiện: {reason}.")
        }
        "supplement_requested" => format!("Hồ sơ {code} cần bổ sung: {reason}."),
        "supplement_provided" => {
            format!("Hồ sơ {code} đã được nhận bổ sung, tiếp tục giải quyết. Hẹn trả mới: {when}.")
        }
        "refused" => format!("Hồ sơ {code} không được tiếp nhận. Lý do: {reason}."),
        "apologized" => {
            format!("Xin lỗi Ông/Bà: hồ sơ {code} chưa có kết quả đúng hẹn. Hẹn trả mới: {when}.")
        }
        "stopped" => format!("Hồ sơ {code} đã dừng giải quyết. Lý do: {reason}."),
        "result_recorded" => {
            format!(
                "Hồ sơ {code} đã có kết quả. Mời Ông/Bà nhận kết quả theo hình thức đã đăng ký."
            )
        }
        _ => format!("Hồ sơ {code} có thông tin mới."),
    };
    if let Some(url) = &ctx.lookup_url {
        text.push_str(&format!(" Tra cứu: {url}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            name: "Nguyễn Thị Hồng Nhung".into(),
            code: Some("000.00.01.H38-261124-0001".into()),
            appointment: Some("2026-11-26T17:00".into()),
            ..Notice::default()
        }
    }

    #[test]
    fn the_receipt_tells_the_code_and_the_appointment() {
        let ctx = Context {
            procedure_name: Some("Đăng ký khai sinh".into()),
            agency_name: Some("Trung tâm Phục vụ hành chính công Thanh Hóa".into()),
            lookup_url: Some(lookup_url(
                "https://motcua.example/",
                "000.00.01.H38-261124-0001",
            )),
        };
        let e = email("received", &notice(), &ctx);
        assert_eq!(e.subject, "Tiếp nhận hồ sơ 000.00.01.H38-261124-0001");
        assert!(e.body.contains("Kính gửi Ông/Bà Nguyễn Thị Hồng Nhung,"));
        assert!(
            e.body
                .contains("Ngày hẹn trả kết quả: 17 giờ 00, ngày 26/11/2026")
        );
        assert!(e.body.contains("Thủ tục: Đăng ký khai sinh"));
        assert!(e.body.contains(
            "Tra cứu tình trạng hồ sơ: https://motcua.example/tra-cuu/000.00.01.H38-261124-0001"
        ));
        let s = sms("received", &notice(), &ctx);
        assert!(s.starts_with(
            "Hồ sơ 000.00.01.H38-261124-0001 đã được tiếp nhận. Hẹn trả kết quả: 17 giờ 00, ngày 26/11/2026."
        ));
    }

    #[test]
    fn a_supplement_request_lists_what_is_missing() {
        let mut n = notice();
        n.reason = Some("Thiếu giấy tờ".into());
        n.missing = vec!["Giấy chứng sinh".into(), "Bản sao CCCD của cha".into()];
        let e = email("intake_supplement_requested", &n, &Context::default());
        assert!(e.body.contains("Lý do: Thiếu giấy tờ"));
        assert!(
            e.body
                .contains("  - Giấy chứng sinh\n  - Bản sao CCCD của cha")
        );
        assert!(!e.body.contains("Ngày hẹn"));
        let s = sms("intake_supplement_requested", &n, &Context::default());
        assert_eq!(
            s,
            "Hồ sơ 000.00.01.H38-261124-0001 cần bổ sung, hoàn thiện: Thiếu giấy tờ."
        );
    }
}
