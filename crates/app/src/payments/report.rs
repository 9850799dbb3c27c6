//! The daily reconciliation report of an agency's payments (XLSX): every payment event of a
//! Vietnam day (paid, by which method and which confirmation; failed; expired; refunded; paid
//! twice, to give back; fee lines changed by staff), the online attempts still waiting for
//! the gateway ("Đang chờ"), and the totals, for the agency's accountant to match against the
//! gateway's and the bank's statements.

use chrono::{NaiveDate, TimeDelta};
use motcua_domain::auth::Action;
use motcua_domain::dossier::PaymentMethod;
use motcua_domain::payment::{PaymentEnvelope, PaymentEvent, ReportSource};
use motcua_sheets::{Cell, Table, tables_xlsx};

use crate::auth::{Caller, ResolvedScope};
use crate::{App, AppError};

/// The pending attempts' rows and total.
pub const PENDING_LABEL: &str = "Đang chờ cổng thanh toán xác nhận";

/// Most events one report lists.
const MAX_EVENTS: i64 = 50_000;

/// What the day's events add up to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DayTotals {
    pub paid: i64,
    pub paid_vnd: i64,
    pub paid_online: i64,
    pub paid_online_vnd: i64,
    pub refunded: i64,
    pub refunded_vnd: i64,
    /// Paid a second time: to give back.
    pub extra: i64,
    pub extra_vnd: i64,
    pub failed: i64,
    pub expired: i64,
    /// Online attempts started by the day's end still waiting for the gateway (now).
    pub pending: i64,
    pub pending_vnd: i64,
    /// Fee lines changed by staff.
    pub adjusted: i64,
}

fn method_label(m: PaymentMethod) -> &'static str {
    m.label_vi()
}

fn source_label(s: Option<ReportSource>) -> &'static str {
    match s {
        Some(ReportSource::Notification) => "Thông báo IPN (đã kiểm chữ ký)",
        Some(ReportSource::Query) => "Truy vấn giao dịch (querydr)",
        None => "Cán bộ ghi nhận tại quầy",
    }
}

impl App {
    /// The report of `day` for the agency `agency_code` (staff overseeing it), as XLSX bytes.
    pub async fn daily_payment_report(
        &self,
        caller: &Caller,
        agency_code: &str,
        day: NaiveDate,
    ) -> Result<Vec<u8>, AppError> {
        let agency = self.agency(agency_code).await?;
        let scope = ResolvedScope::of(self, agency.id).await?;
        if !caller.principal().may(&Action::Oversee(scope.scope())) {
            return Err(AppError::Forbidden);
        }
        let from = motcua_domain::vn_time::to_utc(day.and_hms_opt(0, 0, 0).unwrap_or_default());
        let events = self
            .store
            .payment_events_between(agency.id, from, from + TimeDelta::days(1), MAX_EVENTS)
            .await?;
        let mut t = Table::new(
            "Giao dịch",
            [
                "Thời điểm",
                "Mã hồ sơ",
                "Sự kiện",
                "Hình thức",
                "Xác nhận",
                "Mã tham chiếu",
                "Mã giao dịch cổng",
                "Số tiền (đồng)",
                "Ghi chú",
            ],
        );
        t.title = Some(format!(
            "Đối soát thanh toán phí, lệ phí ngày {} — {}",
            day.format("%d/%m/%Y"),
            agency.name
        ));
        let mut totals = DayTotals::default();
        for (code, data) in &events {
            let e: PaymentEnvelope = serde_json::from_str(data)
                .map_err(|e| AppError::Internal(format!("stored payment event: {e}")))?;
            let at = motcua_domain::vn_time::local(e.at)
                .format("%d/%m/%Y %H:%M:%S")
                .to_string();
            let text = |s: &str| Cell::Text(s.to_owned());
            let opt = |s: &Option<String>| s.clone().map_or(Cell::Empty, Cell::Text);
            let row: Option<Vec<Cell>> = match &e.event {
                PaymentEvent::Paid {
                    method,
                    amount_vnd,
                    reference,
                    transaction_no,
                    source,
                    receipt_no,
                } => {
                    totals.paid += 1;
                    totals.paid_vnd += *amount_vnd as i64;
                    if *method == PaymentMethod::Online {
                        totals.paid_online += 1;
                        totals.paid_online_vnd += *amount_vnd as i64;
                    }
                    Some(vec![
                        text("Đã thu"),
                        text(method_label(*method)),
                        text(source_label(*source)),
                        opt(reference),
                        opt(transaction_no),
                        Cell::Int(*amount_vnd as i64),
                        opt(receipt_no),
                    ])
                }
                PaymentEvent::Refunded { amount_vnd, reason } => {
                    totals.refunded += 1;
                    totals.refunded_vnd += *amount_vnd as i64;
                    Some(vec![
                        text("Hoàn trả"),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Int(-(*amount_vnd as i64)),
                        text(reason),
                    ])
                }
                PaymentEvent::ExtraPaymentReceived {
                    reference,
                    amount_vnd,
                    transaction_no,
                } => {
                    totals.extra += 1;
                    totals.extra_vnd += *amount_vnd as i64;
                    Some(vec![
                        text("Thu thừa (phải trả lại)"),
                        text(method_label(PaymentMethod::Online)),
                        Cell::Empty,
                        text(reference),
                        text(transaction_no),
                        Cell::Int(*amount_vnd as i64),
                        text("Chênh lệch cần xử lý"),
                    ])
                }
                PaymentEvent::AttemptFailed { reference, code } => {
                    totals.failed += 1;
                    Some(vec![
                        text("Giao dịch không thành công"),
                        text(method_label(PaymentMethod::Online)),
                        Cell::Empty,
                        text(reference),
                        Cell::Empty,
                        Cell::Empty,
                        text(&format!("Mã {code}")),
                    ])
                }
                PaymentEvent::AttemptExpired { reference } => {
                    totals.expired += 1;
                    Some(vec![
                        text("Giao dịch hết hạn"),
                        text(method_label(PaymentMethod::Online)),
                        Cell::Empty,
                        text(reference),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Empty,
                    ])
                }
                PaymentEvent::Adjusted {
                    previous_amount_vnd,
                    amount_vnd,
                    reason,
                    ..
                } => {
                    totals.adjusted += 1;
                    Some(vec![
                        text("Điều chỉnh phí, lệ phí"),
                        Cell::Empty,
                        text("Cán bộ điều chỉnh"),
                        Cell::Empty,
                        Cell::Empty,
                        Cell::Int(*amount_vnd as i64),
                        text(&format!(
                            "Từ {} đồng: {reason}",
                            motcua_domain::text::group_thousands(&previous_amount_vnd.to_string())
                        )),
                    ])
                }
                PaymentEvent::Due { .. } | PaymentEvent::AttemptStarted { .. } => None,
            };
            if let Some(rest) = row {
                let mut cells = vec![Cell::Text(at), Cell::Text(code.clone())];
                cells.extend(rest);
                t.rows.push(cells);
            }
        }
        // Attempts started by the day's end that the gateway has not settled yet.
        let pending = self
            .store
            .pending_attempts_of_agency(agency.id, from + TimeDelta::days(1), MAX_EVENTS)
            .await?;
        for (code, a) in &pending {
            totals.pending += 1;
            totals.pending_vnd += a.amount_vnd;
            let local = |t| {
                motcua_domain::vn_time::local(t)
                    .format("%d/%m/%Y %H:%M:%S")
                    .to_string()
            };
            t.rows.push(vec![
                Cell::Text(local(a.started_at)),
                Cell::Text(code.clone()),
                Cell::Text(PENDING_LABEL.into()),
                Cell::Text(method_label(PaymentMethod::Online).into()),
                Cell::Text(a.gateway.clone()),
                Cell::Text(a.reference.clone()),
                Cell::Empty,
                Cell::Int(a.amount_vnd),
                Cell::Text(format!("Hết hạn lúc {}", local(a.expires_at))),
            ]);
        }
        let mut sum = Table::new("Tổng hợp", ["Chỉ tiêu", "Số giao dịch", "Số tiền (đồng)"]);
        sum.title = t.title.clone();
        for (label, n, vnd) in [
            ("Đã thu", totals.paid, totals.paid_vnd),
            (
                "Trong đó thanh toán trực tuyến",
                totals.paid_online,
                totals.paid_online_vnd,
            ),
            ("Hoàn trả", totals.refunded, totals.refunded_vnd),
            (
                "Thu thừa, phải trả lại (chênh lệch)",
                totals.extra,
                totals.extra_vnd,
            ),
            ("Giao dịch không thành công", totals.failed, 0),
            ("Giao dịch hết hạn", totals.expired, 0),
            (PENDING_LABEL, totals.pending, totals.pending_vnd),
            ("Điều chỉnh phí, lệ phí", totals.adjusted, 0),
        ] {
            sum.rows
                .push(vec![Cell::Text(label.into()), Cell::Int(n), Cell::Int(vnd)]);
        }
        tables_xlsx(&[sum, t]).map_err(|e| AppError::Internal(format!("report: {e}")))
    }
}
