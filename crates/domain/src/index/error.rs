//! What can be wrong with an index rule pack. Each error has a stable machine code
//! ([`PackError::code`]) and a Vietnamese message ([`PackError::message_vi`]) for the
//! administrator; `Display` is English, for logs.

/// A rule pack refused on load.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PackError {
    #[error("unreadable rule pack: {detail}")]
    Json { detail: String },
    #[error("the rule pack has no version")]
    NoVersion,
    #[error("the rule pack has no group")]
    NoGroups,
    #[error("code {code:?} is used twice")]
    DuplicateCode { code: String },
    #[error("indicator {indicator}: unknown input key {key:?}")]
    UnknownKey { indicator: String, key: String },
    #[error("indicator {indicator}: {problem}")]
    Indicator {
        indicator: String,
        problem: IndicatorProblem,
    },
    #[error("group {group}: maximum {declared} but its indicators add up to {sum}")]
    GroupMax {
        group: String,
        declared: f64,
        sum: f64,
    },
    #[error("the group maxima add up to {sum}, not 100")]
    TotalNot100 { sum: f64 },
    #[error("a pack with version {version:?} is already loaded")]
    DuplicateVersion { version: String },
    #[error("packs {first:?} and {second:?} take effect on the same day {date}")]
    DuplicateEffectiveDate {
        first: String,
        second: String,
        date: chrono::NaiveDate,
    },
}

impl PackError {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            PackError::Json { .. } => "index_pack_json",
            PackError::NoVersion => "index_pack_no_version",
            PackError::NoGroups => "index_pack_no_groups",
            PackError::DuplicateCode { .. } => "index_pack_duplicate_code",
            PackError::UnknownKey { .. } => "index_pack_unknown_key",
            PackError::Indicator { .. } => "index_pack_indicator",
            PackError::GroupMax { .. } => "index_pack_group_max",
            PackError::TotalNot100 { .. } => "index_pack_total",
            PackError::DuplicateVersion { .. } => "index_pack_duplicate_version",
            PackError::DuplicateEffectiveDate { .. } => "index_pack_duplicate_date",
        }
    }

    /// The message for the administrator, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            PackError::Json { detail } => format!("Không đọc được bộ quy tắc chỉ số: {detail}"),
            PackError::NoVersion => "Bộ quy tắc chỉ số chưa có phiên bản.".to_owned(),
            PackError::NoGroups => "Bộ quy tắc chỉ số không có nhóm chỉ số nào.".to_owned(),
            PackError::DuplicateCode { code } => format!("Mã {code} bị dùng hai lần."),
            PackError::UnknownKey { indicator, key } => {
                format!("Chỉ số {indicator}: không có số liệu đầu vào tên \"{key}\".")
            }
            PackError::Indicator { indicator, problem } => {
                format!("Chỉ số {indicator} không hợp lệ: {}.", problem.message_vi())
            }
            PackError::GroupMax {
                group,
                declared,
                sum,
            } => {
                format!("Nhóm {group}: điểm tối đa {declared} nhưng tổng điểm các chỉ số là {sum}.")
            }
            PackError::TotalNot100 { sum } => {
                format!("Tổng điểm tối đa các nhóm là {sum}, không phải 100.")
            }
            PackError::DuplicateVersion { version } => {
                format!("Đã có bộ quy tắc phiên bản {version}.")
            }
            PackError::DuplicateEffectiveDate {
                first,
                second,
                date,
            } => format!(
                "Hai bộ quy tắc {first} và {second} cùng có hiệu lực từ ngày {}.",
                date.format("%d/%m/%Y")
            ),
        }
    }
}

/// What is wrong with one indicator of a pack.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IndicatorProblem {
    #[error("the maximum must be a finite number ≥ 0")]
    BadMax,
    #[error("a scored indicator needs a maximum above 0")]
    ScoredWithoutMax,
    #[error("an indicator that is not scored has maximum 0")]
    NotScoredWithMax,
    #[error("the rule needs a numerator")]
    NumeratorRequired,
    #[error("the satisfaction rule derives the numerator: name penalties instead")]
    NumeratorNotAllowed,
    #[error("the satisfaction rule needs at least one penalty")]
    NoPenalties,
    #[error("threshold {threshold} is not in (0, 1]")]
    BadThreshold { threshold: f64 },
    #[error("rate_factor names {code:?}, which is not an indicator of the pack")]
    UnknownFactor { code: String },
    #[error("rate_factor names the indicator itself")]
    FactorOfItself,
    #[error("rate_factor names {code:?}, which has a rate_factor itself")]
    FactorChain { code: String },
}

impl IndicatorProblem {
    /// The problem in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            IndicatorProblem::BadMax => "điểm tối đa phải là số không âm".to_owned(),
            IndicatorProblem::ScoredWithoutMax => {
                "chỉ số được tính điểm phải có điểm tối đa lớn hơn 0".to_owned()
            }
            IndicatorProblem::NotScoredWithMax => {
                "chỉ số chỉ theo dõi phải có điểm tối đa bằng 0".to_owned()
            }
            IndicatorProblem::NumeratorRequired => "thiếu tử số".to_owned(),
            IndicatorProblem::NumeratorNotAllowed => {
                "quy tắc hài lòng tự tính tử số, chỉ khai báo các khoản trừ".to_owned()
            }
            IndicatorProblem::NoPenalties => {
                "quy tắc hài lòng cần ít nhất một khoản trừ".to_owned()
            }
            IndicatorProblem::BadThreshold { threshold } => {
                format!("ngưỡng {threshold} phải lớn hơn 0 và không quá 1")
            }
            IndicatorProblem::UnknownFactor { code } => {
                format!("hệ số nhân tham chiếu chỉ số {code} không có trong bộ quy tắc")
            }
            IndicatorProblem::FactorOfItself => "hệ số nhân tham chiếu chính chỉ số này".to_owned(),
            IndicatorProblem::FactorChain { code } => {
                format!("chỉ số {code} được tham chiếu lại có hệ số nhân riêng")
            }
        }
    }
}
