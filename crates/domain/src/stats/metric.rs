//! The counter names ([`Metric`]): what the statistics count, one row of `stat_daily` per
//! agency × procedure × day × metric. The snake_case keys are stored: never rename one.

use serde::{Deserialize, Serialize};

/// A statistics counter. Each counts events of one kind (or dossiers, counted at one event
/// each), on the Vietnam date of the event, for the agency that held the dossier then (see the
/// module docs of [`super`] for the attribution rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Dossiers lodged (nộp), any channel, at the lodging place.
    Submitted,
    /// Supplement requests at the check, before receipt (each request).
    IntakeSupplementRequested,
    /// Dossiers refused at the check (từ chối tiếp nhận); never received.
    Refused,
    /// Dossiers withdrawn before receipt; not counted by the index.
    WithdrawnBeforeReceipt,
    /// Dossiers received (tiếp nhận) that were lodged online.
    ReceivedOnline,
    /// Dossiers received that were lodged at the counter.
    ReceivedCounter,
    /// Dossiers received that came by public postal service.
    ReceivedPostal,
    /// Dossiers received with fees or charges due (more than 0 VND).
    FeeDue,
    /// Dossiers forwarded from the receiving place to another agency (chuyển xử lý): out.
    ForwardedOut,
    /// Dossiers forwarded from the receiving place to another agency: in.
    ForwardedIn,
    /// Dossiers transferred to another agency (chuyển liên thông): out.
    TransferredOut,
    /// Dossiers transferred to another agency: in.
    TransferredIn,
    /// Supplement requests during processing (each request; the clock pauses).
    SupplementRequested,
    /// Apologies with an extension (xin lỗi và gia hạn).
    Apologized,
    /// Received dossiers finished by a result (đã giải quyết): granted or not.
    Resolved,
    /// Resolved before the appointment's day (trước hạn), legally.
    ResolvedEarly,
    /// Resolved on the appointment's day, at or before the appointment (đúng hạn), legally.
    ResolvedOnTime,
    /// Resolved after the appointment (quá hạn), legally.
    ResolvedLate,
    /// Received dossiers stopped (dừng giải quyết).
    Stopped,
    /// Received dossiers withdrawn before a result: a finish, counted by the index.
    Withdrawn,
    /// Dossiers withdrawn after the result was issued, before it was returned: not a finish
    /// (the result was).
    WithdrawnAfterResult,
    /// Finished received dossiers (resolved, stopped or withdrawn) on time for Decision 766
    /// indicator 2.1.
    FinishedIndexOnTime,
    /// Finished received dossiers late for indicator 2.1 (after the effective appointment, or
    /// asked for a supplement during processing more than once).
    FinishedIndexLate,
    /// Of [`Metric::FinishedIndexLate`], those late only because of repeated supplement
    /// requests.
    FinishedLateBySupplements,
    /// Results issued as an electronic document (result code and file).
    ElectronicResult,
    /// Dossiers with at least one online payment (counted at the first one).
    PaidOnline,
    /// Results handed to the applicant (đã trả kết quả).
    Returned,
    /// Digitised dossiers (a file on a component and an electronic result), counted once, at
    /// the event that completes the pair.
    Digitised,
    /// Dossiers reusing digitised data (a component taken from the same person's earlier
    /// dossier), counted once, at the first re-used component.
    Reused,
    /// Rated by the applicant after the return (đánh giá mức độ hài lòng), at the agency that
    /// returned it.
    Rated,
    /// Rated "Không hài lòng": the dislikes of Decision 766 indicator 5.4.
    Dissatisfied,
    /// A level, not a count of events ([`super::open`]): summed up to a day, the received
    /// dossiers still open at its end and past their effective appointment (judged when the
    /// clock stopped for one waiting for a supplement).
    OpenOverdue,
    /// A level like [`Metric::OpenOverdue`]: open dossiers late for Decision 766 indicator 2.1
    /// at the day's end (overdue, or asked for a supplement more than once).
    OpenIndexLate,
}

impl Metric {
    /// Every metric, in report order.
    pub const ALL: [Metric; 33] = [
        Metric::Submitted,
        Metric::IntakeSupplementRequested,
        Metric::Refused,
        Metric::WithdrawnBeforeReceipt,
        Metric::ReceivedOnline,
        Metric::ReceivedCounter,
        Metric::ReceivedPostal,
        Metric::FeeDue,
        Metric::ForwardedOut,
        Metric::ForwardedIn,
        Metric::TransferredOut,
        Metric::TransferredIn,
        Metric::SupplementRequested,
        Metric::Apologized,
        Metric::Resolved,
        Metric::ResolvedEarly,
        Metric::ResolvedOnTime,
        Metric::ResolvedLate,
        Metric::Stopped,
        Metric::Withdrawn,
        Metric::WithdrawnAfterResult,
        Metric::FinishedIndexOnTime,
        Metric::FinishedIndexLate,
        Metric::FinishedLateBySupplements,
        Metric::ElectronicResult,
        Metric::PaidOnline,
        Metric::Returned,
        Metric::Digitised,
        Metric::Reused,
        Metric::Rated,
        Metric::Dissatisfied,
        Metric::OpenOverdue,
        Metric::OpenIndexLate,
    ];

    /// The stable key (same as the serde name), as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Submitted => "submitted",
            Metric::IntakeSupplementRequested => "intake_supplement_requested",
            Metric::Refused => "refused",
            Metric::WithdrawnBeforeReceipt => "withdrawn_before_receipt",
            Metric::ReceivedOnline => "received_online",
            Metric::ReceivedCounter => "received_counter",
            Metric::ReceivedPostal => "received_postal",
            Metric::FeeDue => "fee_due",
            Metric::ForwardedOut => "forwarded_out",
            Metric::ForwardedIn => "forwarded_in",
            Metric::TransferredOut => "transferred_out",
            Metric::TransferredIn => "transferred_in",
            Metric::SupplementRequested => "supplement_requested",
            Metric::Apologized => "apologized",
            Metric::Resolved => "resolved",
            Metric::ResolvedEarly => "resolved_early",
            Metric::ResolvedOnTime => "resolved_on_time",
            Metric::ResolvedLate => "resolved_late",
            Metric::Stopped => "stopped",
            Metric::Withdrawn => "withdrawn",
            Metric::WithdrawnAfterResult => "withdrawn_after_result",
            Metric::FinishedIndexOnTime => "finished_index_on_time",
            Metric::FinishedIndexLate => "finished_index_late",
            Metric::FinishedLateBySupplements => "finished_late_by_supplements",
            Metric::ElectronicResult => "electronic_result",
            Metric::PaidOnline => "paid_online",
            Metric::Returned => "returned",
            Metric::Digitised => "digitised",
            Metric::Reused => "reused",
            Metric::Rated => "rated",
            Metric::Dissatisfied => "dissatisfied",
            Metric::OpenOverdue => "open_overdue",
            Metric::OpenIndexLate => "open_index_late",
        }
    }

    /// The metric of a stored key.
    pub fn parse(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == key)
    }

    /// What people read.
    pub fn label_vi(self) -> &'static str {
        match self {
            Metric::Submitted => "Hồ sơ đã nộp",
            Metric::IntakeSupplementRequested => "Yêu cầu bổ sung, hoàn thiện trước khi tiếp nhận",
            Metric::Refused => "Từ chối tiếp nhận",
            Metric::WithdrawnBeforeReceipt => "Rút hồ sơ trước khi tiếp nhận",
            Metric::ReceivedOnline => "Tiếp nhận trực tuyến",
            Metric::ReceivedCounter => "Tiếp nhận trực tiếp",
            Metric::ReceivedPostal => "Tiếp nhận qua dịch vụ bưu chính công ích",
            Metric::FeeDue => "Hồ sơ phải nộp phí, lệ phí",
            Metric::ForwardedOut => "Chuyển đến cơ quan có thẩm quyền",
            Metric::ForwardedIn => "Nhận từ nơi tiếp nhận",
            Metric::TransferredOut => "Chuyển liên thông đi",
            Metric::TransferredIn => "Nhận liên thông",
            Metric::SupplementRequested => "Yêu cầu bổ sung trong quá trình giải quyết",
            Metric::Apologized => "Xin lỗi và gia hạn thời gian giải quyết",
            Metric::Resolved => "Đã giải quyết",
            Metric::ResolvedEarly => "Giải quyết trước hạn",
            Metric::ResolvedOnTime => "Giải quyết đúng hạn",
            Metric::ResolvedLate => "Giải quyết quá hạn",
            Metric::Stopped => "Dừng giải quyết",
            Metric::Withdrawn => "Rút hồ sơ sau khi tiếp nhận",
            Metric::WithdrawnAfterResult => "Rút hồ sơ sau khi có kết quả",
            Metric::FinishedIndexOnTime => "Kết thúc xử lý đúng hạn (Chỉ số 766)",
            Metric::FinishedIndexLate => "Kết thúc xử lý quá hạn (Chỉ số 766)",
            Metric::FinishedLateBySupplements => {
                "Quá hạn do yêu cầu bổ sung nhiều lần (Chỉ số 766)"
            }
            Metric::ElectronicResult => "Có kết quả giải quyết điện tử",
            Metric::PaidOnline => "Thanh toán trực tuyến",
            Metric::Returned => "Đã trả kết quả",
            Metric::Digitised => "Hồ sơ được số hóa",
            Metric::Reused => "Hồ sơ tái sử dụng dữ liệu số hóa",
            Metric::Rated => "Hồ sơ được đánh giá mức độ hài lòng",
            Metric::Dissatisfied => "Hồ sơ bị đánh giá không hài lòng",
            Metric::OpenOverdue => "Đang giải quyết quá hạn",
            Metric::OpenIndexLate => "Đang giải quyết quá hạn (Chỉ số 766)",
        }
    }
}

impl Metric {
    /// A level kept by [`super::open`] (summed up to a day), not a count of events.
    pub fn is_open_level(self) -> bool {
        matches!(self, Metric::OpenOverdue | Metric::OpenIndexLate)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_metric_keys_round_trip_and_match_serde() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.as_str()));
            assert!(!m.label_vi().is_empty());
        }
        let mut keys: Vec<_> = Metric::ALL.iter().map(|m| m.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Metric::ALL.len());
        assert_eq!(Metric::parse("nope"), None);
    }
}
