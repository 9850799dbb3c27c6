//! Notices to the person who sent a report: its receipt with the code, a refusal, a transfer
//! to another unit, a request for more, and the published answer. Written to the outbox in the
//! command's own transaction, one message per address the person left (as dossiers' notices);
//! their texts are written here when the worker sends them.

use motcua_domain::feedback::{FeedbackEnvelope, FeedbackEvent, FeedbackState};
use motcua_store::OutboxMessage;
use uuid::Uuid;

use crate::notices::{Channel, Notice};
use crate::notify::templates::{Context, EmailText};

/// The outbox kinds of feedback notices.
pub const KINDS: [&str; 5] = [
    "feedback_submitted",
    "feedback_refused",
    "feedback_transferred",
    "feedback_more_asked",
    "feedback_published",
];

/// The public page that follows a report (`https://…/phan-anh/<code>`).
pub fn follow_url(public_url: &str, code: &str) -> String {
    format!("{}/phan-anh/{code}", public_url.trim_end_matches('/'))
}

/// The messages that follow from a command's events.
pub fn outbox(
    code: &str,
    envelopes: &[FeedbackEnvelope],
    state: &FeedbackState,
) -> Vec<OutboxMessage> {
    let Some(report) = &state.report else {
        return Vec::new();
    };
    let contact = &report.contact;
    let mut out = Vec::new();
    for e in envelopes {
        let (kind, reason) = match &e.event {
            FeedbackEvent::Submitted { .. } => ("feedback_submitted", None),
            FeedbackEvent::Refused { reason, .. } => ("feedback_refused", Some(reason.clone())),
            FeedbackEvent::Transferred { reason, .. } => {
                ("feedback_transferred", Some(reason.clone()))
            }
            FeedbackEvent::MoreAsked { what, .. } => ("feedback_more_asked", Some(what.clone())),
            FeedbackEvent::Published { .. } => ("feedback_published", None),
            _ => continue,
        };
        let notice = Notice {
            name: contact.name.clone().unwrap_or_default(),
            code: Some(code.to_string()),
            at: Some(e.at),
            reason,
            ..Notice::default()
        };
        for (channel, address) in [
            (Channel::Email, contact.email.as_ref()),
            (Channel::Sms, contact.phone.as_ref()),
        ] {
            let Some(address) = address else { continue };
            let mut n = notice.clone();
            n.channel = Some(channel);
            match channel {
                Channel::Email => n.to_email = Some(address.clone()),
                Channel::Sms => n.to_phone = Some(address.clone()),
            }
            out.push(OutboxMessage {
                id: Uuid::now_v7(),
                kind: kind.to_string(),
                payload: serde_json::to_string(&n).expect("a notice serialises"),
            });
        }
    }
    out
}

fn headline(kind: &str) -> &'static str {
    match kind {
        "feedback_submitted" => "Đã nhận phản ánh, kiến nghị",
        "feedback_refused" => "Từ chối tiếp nhận phản ánh, kiến nghị",
        "feedback_transferred" => "Chuyển phản ánh, kiến nghị đến cơ quan có thẩm quyền",
        "feedback_more_asked" => "Đề nghị bổ sung thông tin phản ánh, kiến nghị",
        "feedback_published" => "Đã có kết quả xử lý phản ánh, kiến nghị",
        _ => "Thông báo về phản ánh, kiến nghị",
    }
}

fn opening(kind: &str) -> &'static str {
    match kind {
        "feedback_submitted" => {
            "Hệ thống đã nhận phản ánh, kiến nghị của Ông/Bà. Cơ quan có thẩm quyền sẽ xem xét, xử lý trong thời hạn 15 ngày làm việc."
        }
        "feedback_refused" => {
            "Phản ánh, kiến nghị của Ông/Bà không được tiếp nhận xử lý vì lý do dưới đây."
        }
        "feedback_transferred" => {
            "Phản ánh, kiến nghị của Ông/Bà đã được chuyển đến cơ quan có thẩm quyền xử lý."
        }
        "feedback_more_asked" => {
            "Để xử lý phản ánh, kiến nghị, cơ quan có thẩm quyền đề nghị Ông/Bà bổ sung thông tin dưới đây."
        }
        "feedback_published" => {
            "Phản ánh, kiến nghị của Ông/Bà đã được xử lý và kết quả đã được công khai."
        }
        _ => "Phản ánh, kiến nghị của Ông/Bà có thông tin mới.",
    }
}

/// The e-mail of a feedback notice.
pub fn email(kind: &str, n: &Notice, ctx: &Context) -> EmailText {
    let code = n.code.as_deref().unwrap_or("");
    let name = Some(n.name.trim())
        .filter(|s| !s.is_empty())
        .unwrap_or("Ông/Bà");
    let mut body = format!("Kính gửi Ông/Bà {name},\n\n{}\n\n", opening(kind));
    body.push_str(&format!("Mã phản ánh, kiến nghị: {code}\n"));
    if let Some(reason) = n.reason.as_deref().filter(|r| !r.trim().is_empty()) {
        let label = if kind == "feedback_more_asked" {
            "Thông tin cần bổ sung"
        } else {
            "Lý do"
        };
        body.push_str(&format!("{label}: {}\n", reason.trim()));
    }
    body.push('\n');
    match &ctx.lookup_url {
        Some(url) => body.push_str(&format!("Theo dõi phản ánh, kiến nghị: {url}\n")),
        None => body.push_str(
            "Ông/Bà có thể theo dõi phản ánh, kiến nghị bằng mã trên Cổng dịch vụ công.\n",
        ),
    }
    body.push_str(
        "\nTrân trọng.\n\n--\nThư này được gửi tự động; vui lòng không trả lời thư này.\n",
    );
    EmailText {
        subject: format!("{} {code}", headline(kind)).trim().to_string(),
        body,
    }
}

/// The SMS of a feedback notice.
pub fn sms(kind: &str, n: &Notice, ctx: &Context) -> String {
    let code = n.code.as_deref().unwrap_or("");
    let reason: String = n
        .reason
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect();
    let mut text = match kind {
        "feedback_submitted" => format!("Đã nhận phản ánh, kiến nghị {code}."),
        "feedback_refused" => format!("Phản ánh {code} không được tiếp nhận. Lý do: {reason}"),
        "feedback_transferred" => format!("Phản ánh {code} đã được chuyển cơ quan có thẩm quyền."),
        "feedback_more_asked" => format!("Phản ánh {code} cần bổ sung: {reason}"),
        "feedback_published" => format!("Phản ánh {code} đã có kết quả xử lý."),
        _ => format!("Phản ánh {code} có thông tin mới."),
    };
    if let Some(url) = &ctx.lookup_url {
        text.push_str(&format!(" Theo dõi: {url}"));
    }
    text
}
