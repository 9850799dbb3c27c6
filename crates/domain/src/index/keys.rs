//! The named figures an index rule pack may refer to ([`InputKey`]): every numerator and
//! denominator of the indicators, with where it comes from. A pack naming a key not listed
//! here is refused on load.

use serde::{Deserialize, Serialize};

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    /// motcua's dossier counters ([`crate::stats`]).
    Dossiers,
    /// motcua's procedure catalogue (per unit), possibly with the counters per procedure.
    Catalogue,
    /// Citizen feedback (phản ánh, kiến nghị): not in motcua yet.
    Feedback,
    /// Held elsewhere (the national TTHC database, the national portal, the population
    /// database): motcua has no data.
    External,
}

macro_rules! input_keys {
    ($($variant:ident => $key:literal, $source:ident, $label:literal;)*) => {
        /// A named input figure of the index.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum InputKey {
            $(#[doc = $label] $variant,)*
        }

        impl InputKey {
            /// Every key.
            pub const ALL: &'static [InputKey] = &[$(InputKey::$variant,)*];

            /// The stable key used in rule packs and the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(InputKey::$variant => $key,)*
                }
            }

            /// Where the figure comes from.
            pub fn source(self) -> InputSource {
                match self {
                    $(InputKey::$variant => InputSource::$source,)*
                }
            }

            /// What the figure counts, in Vietnamese.
            pub fn label_vi(self) -> &'static str {
                match self {
                    $(InputKey::$variant => $label,)*
                }
            }
        }
    };
}

input_keys! {
    ProceduresPublishedOnTime => "procedures_published_on_time", External,
        "Số TTHC công bố đúng hạn";
    ProceduresPublished => "procedures_published", External, "Số TTHC phải công bố trong kỳ";
    ProceduresUpdatedOnTime => "procedures_updated_on_time", External,
        "Số TTHC cập nhật, công khai đúng hạn";
    ProceduresToUpdate => "procedures_to_update", External,
        "Số TTHC phải cập nhật, công khai trong kỳ";
    ProceduresFullyPublicised => "procedures_fully_publicised", Catalogue,
        "Số TTHC công khai đầy đủ các bộ phận tạo thành";
    ProceduresPublicised => "procedures_publicised", Catalogue, "Số TTHC được công khai";
    DossiersSynced => "dossiers_synced", External,
        "Số hồ sơ đồng bộ theo thời gian thực với Cổng DVCQG";
    DossiersToSync => "dossiers_to_sync", External, "Số hồ sơ phải đồng bộ";
    DossiersHandledOnTime => "dossiers_handled_on_time", Dossiers,
        "Số hồ sơ xử lý trước hạn, đúng hạn và đang xử lý trong hạn";
    DossiersToHandle => "dossiers_to_handle", Dossiers, "Số hồ sơ tiếp nhận và xử lý trong kỳ";
    ProcessingDaysTotal => "processing_days_total", Dossiers, "Tổng thời gian giải quyết (ngày)";
    DossiersResolved => "dossiers_resolved", Dossiers, "Số hồ sơ đã giải quyết";
    ProceduresWithOnlineService => "procedures_with_online_service", Catalogue,
        "Số TTHC cung cấp dịch vụ công trực tuyến";
    ProceduresInCompetence => "procedures_in_competence", Catalogue, "Số TTHC thuộc thẩm quyền";
    OnlineServicesWithDossiers => "online_services_with_dossiers", Catalogue,
        "Số dịch vụ công trực tuyến phát sinh hồ sơ trực tuyến";
    OnlineServices => "online_services", Catalogue, "Số dịch vụ công trực tuyến";
    DossiersReceivedOnline => "dossiers_received_online", Dossiers, "Số hồ sơ tiếp nhận trực tuyến";
    DossiersReceived => "dossiers_received", Dossiers, "Số hồ sơ tiếp nhận";
    DossiersFullyOnline => "dossiers_fully_online", External, "Số hồ sơ trực tuyến toàn trình";
    DossiersFullyOnlineEligible => "dossiers_fully_online_eligible", External,
        "Số hồ sơ của TTHC đủ điều kiện trực tuyến toàn trình";
    ProceduresWithFeeDossiers => "procedures_with_fee_dossiers", Catalogue,
        "Số TTHC có hồ sơ phát sinh phí, lệ phí";
    ProceduresWithFees => "procedures_with_fees", Catalogue, "Số TTHC có phí, lệ phí";
    ProceduresWithOnlinePayment => "procedures_with_online_payment", Catalogue,
        "Số TTHC có giao dịch thanh toán trực tuyến";
    DossiersPaidOnline => "dossiers_paid_online", Dossiers, "Số hồ sơ thanh toán trực tuyến";
    DossiersWithFees => "dossiers_with_fees", Dossiers, "Số hồ sơ phải nộp phí, lệ phí";
    DossiersWithElectronicResult => "dossiers_with_electronic_result", Dossiers,
        "Số hồ sơ có kết quả giải quyết điện tử";
    DossiersDigitised => "dossiers_digitised", Dossiers, "Số hồ sơ được số hóa";
    CommunesWithCertifiedCopies => "communes_with_certified_copies", External,
        "Số xã cung cấp chứng thực bản sao điện tử từ bản chính";
    CommunesManaged => "communes_managed", External, "Số xã thuộc phạm vi quản lý";
    DossiersReusingData => "dossiers_reusing_data", Dossiers, "Số hồ sơ tái sử dụng dữ liệu số hóa";
    DossiersFromPersonalStore => "dossiers_from_personal_store", External,
        "Số hồ sơ kết nối kho dữ liệu cá nhân trên Cổng DVCQG";
    DossiersUsingPopulationData => "dossiers_using_population_data", External,
        "Số hồ sơ sử dụng dữ liệu dân cư";
    ProceduresUsingPopulationData => "procedures_using_population_data", External,
        "Số TTHC kết nối, chia sẻ dữ liệu dân cư";
    ProceduresForCitizens => "procedures_for_citizens", External,
        "Số TTHC có đối tượng là công dân";
    FeedbackAboutRegulations => "feedback_about_regulations", Feedback,
        "Số phản ánh, kiến nghị về quy định, TTHC";
    FeedbackReceived => "feedback_received", Feedback, "Số phản ánh, kiến nghị tiếp nhận";
    FeedbackHandledOnTime => "feedback_handled_on_time", Feedback,
        "Số phản ánh, kiến nghị xử lý đúng hạn và đang xử lý trong hạn";
    FeedbackToHandle => "feedback_to_handle", Feedback,
        "Số phản ánh, kiến nghị thuộc thẩm quyền xử lý";
    FeedbackSatisfactory => "feedback_satisfactory", Feedback,
        "Số phản ánh, kiến nghị được xử lý hài lòng";
    DossiersOverdue => "dossiers_overdue", Dossiers, "Số hồ sơ quá hạn (đã và đang xử lý)";
    DossiersWithComplaint => "dossiers_with_complaint", Dossiers,
        "Số hồ sơ bị đánh giá không hài lòng hoặc có phản ánh, kiến nghị";
}

impl InputKey {
    /// The key named `s`.
    pub fn parse(s: &str) -> Option<InputKey> {
        InputKey::ALL.iter().copied().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for InputKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_input_keys_round_trip_and_match_serde() {
        for &k in InputKey::ALL {
            assert_eq!(InputKey::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
            assert!(!k.label_vi().is_empty());
        }
        assert_eq!(InputKey::parse("dossiers"), None);
    }
}
