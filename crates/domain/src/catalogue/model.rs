//! The procedure record (thủ tục hành chính, TTHC) as the national TTHC database describes it
//! (Decree 63/2010 art. 8 §2): name, steps, submission channels with their time limit and fee,
//! dossier components, applicants, bodies, result, legal basis, requirements.
//!
//! Every value that was parsed out of free text keeps that text beside it (`*_text`, `text`),
//! so a reviewer can always see what the portal actually said.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One administrative procedure as published by the national portal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    /// Portal code (mã thủ tục), e.g. "1.001193". Stored as text; no meaning is read into it.
    pub code: String,
    /// Tên thủ tục.
    pub name: String,
    /// The decision that published the procedure (số quyết định công bố), e.g. "4472/QĐ-BTC".
    pub decision_number: String,
    /// Loại thủ tục, as written (e.g. "TTHC được giao luật quy định chi tiết"); empty if none.
    pub kind: String,
    /// Lĩnh vực (field of administration), as written.
    pub field: String,
    /// Cấp thực hiện: the levels of government that carry the procedure out.
    pub levels: Vec<Level>,
    /// Đối tượng thực hiện, one entry per applicant type.
    pub applicant_types: Vec<String>,
    /// Cơ quan có thẩm quyền.
    pub competent_body: String,
    /// Cơ quan thực hiện.
    pub implementing_body: String,
    /// Cơ quan được ủy quyền.
    pub delegated_body: String,
    /// Cơ quan phối hợp.
    pub coordinating_body: String,
    /// Địa chỉ tiếp nhận hồ sơ.
    pub reception_address: String,
    /// Thủ tục liên quan, by name.
    pub related_procedures: Vec<String>,
    /// Trình tự thực hiện, one entry per step ("Bước 1", "Bước 2", ...); a text without step
    /// markers is kept as a single entry.
    pub steps: Vec<String>,
    /// Cách thức thực hiện: one entry per row of the portal's channel table. A channel may
    /// appear more than once when the portal lists one row per case.
    pub channels: Vec<ChannelSpec>,
    /// Thành phần hồ sơ.
    pub components: Vec<ComponentSpec>,
    /// Căn cứ pháp lý.
    pub legal_basis: Vec<LegalDoc>,
    /// Kết quả thực hiện.
    pub result: Vec<ResultSpec>,
    /// Yêu cầu, điều kiện, as written; empty if none.
    pub requirements: String,
    /// Online service level (Decree 42/2022). See [`OnlineLevel`] for how it is derived.
    pub online_level: OnlineLevel,
    /// True when the name states the level ("toàn trình", "trực tuyến một phần"); false when it
    /// was inferred from the channels.
    pub online_level_stated: bool,
    /// Inferred: the procedure could be carried out fully online (see the importer docs).
    pub eligible_full_online: bool,
    /// Inferred: some channel states a positive fee or charge amount (in its fee cell or note),
    /// or describes a payment without an amount (e.g. a charge set by each province).
    pub has_financial_obligation: bool,
    /// Page the record was crawled from.
    pub source_url: String,
    /// Crawl folder of the publishing ministry (e.g. "bo-tai-chinh").
    pub agency_folder: String,
    /// Portal id of the procedure's online form, when the crawl has one.
    pub formality_id: Option<String>,
}

/// Cấp thực hiện. The district level was abolished on 1/7/2025, but older records still name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Cấp bộ (ministry / central body).
    Ministry,
    /// Cấp tỉnh.
    Province,
    /// Cấp huyện (before 1/7/2025 only).
    District,
    /// Cấp xã.
    Commune,
    /// "Cơ quan khác": another body outside the government levels.
    OtherBody,
    /// A level the importer does not know, as written.
    Unknown(String),
}

impl Level {
    /// The portal's wording.
    pub fn label_vi(&self) -> &str {
        match self {
            Level::Ministry => "Cấp bộ",
            Level::Province => "Cấp tỉnh",
            Level::District => "Cấp huyện",
            Level::Commune => "Cấp xã",
            Level::OtherBody => "Cơ quan khác",
            Level::Unknown(s) => s,
        }
    }
}

/// A submission channel (hình thức nộp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Trực tiếp: at the counter.
    Counter,
    /// Trực tuyến: online.
    Online,
    /// Dịch vụ bưu chính: by public postal service.
    Postal,
}

impl Channel {
    /// All channels, in the order the CSV export lists them.
    pub const ALL: [Channel; 3] = [Channel::Counter, Channel::Online, Channel::Postal];

    /// The portal's wording.
    pub fn label_vi(self) -> &'static str {
        match self {
            Channel::Counter => "Trực tiếp",
            Channel::Online => "Trực tuyến",
            Channel::Postal => "Dịch vụ bưu chính",
        }
    }

    /// Stable snake_case key (same as the serde name).
    pub fn key(self) -> &'static str {
        match self {
            Channel::Counter => "counter",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.key() == s)
    }
}

impl TryFrom<String> for Channel {
    type Error = crate::UnknownKey;

    fn try_from(value: String) -> Result<Self, crate::UnknownKey> {
        Channel::parse(&value).ok_or(crate::UnknownKey {
            what: "channel",
            value,
        })
    }
}

/// One row of the channel table: channel, time limit, fee and description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelSpec {
    pub channel: Channel,
    /// The parsed time limit; `None` when the text states none or could not be read (the record's
    /// issues say which).
    pub time: Option<ProcessingTime>,
    /// The time cell as written.
    pub time_text: String,
    /// The parsed fee; `None` when the fee cell states nothing ("Không có thông tin").
    pub fee: Option<Fee>,
    /// The fee cell as written, with its note in parentheses when there is one.
    pub fee_text: String,
    /// Mô tả.
    pub description: String,
}

/// A processing time limit (thời hạn giải quyết).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessingTime {
    /// The limit, in `unit`. Fractions occur ("0,5 ngày", "1.5 Ngày làm việc"). For a range
    /// ("từ 05 đến 07 ngày") this is the upper bound. For [`TimeUnit::InTheDay`] it is 0.
    pub amount: f64,
    pub unit: TimeUnit,
    /// Lower bound when the text gave a range.
    pub min_amount: Option<f64>,
    /// True when the text gave a bare number and the unit was assumed (working days, the unit of
    /// statutory time limits).
    pub unit_assumed: bool,
}

/// Unit of a time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Ngày làm việc.
    WorkingDays,
    /// Ngày (calendar days).
    Days,
    /// Giờ làm việc.
    WorkingHours,
    /// Giờ.
    Hours,
    /// Tuần.
    Weeks,
    /// Tháng.
    Months,
    /// Năm.
    Years,
    /// Trong ngày / ngay trong ngày: returned on the day of receipt.
    InTheDay,
}

impl TimeUnit {
    /// The unit in Vietnamese, after a number ("15 ngày làm việc"); "in the day" counts in
    /// working days.
    pub fn label_vi(self) -> &'static str {
        match self {
            TimeUnit::WorkingDays | TimeUnit::InTheDay => "ngày làm việc",
            TimeUnit::Days => "ngày",
            TimeUnit::WorkingHours => "giờ làm việc",
            TimeUnit::Hours => "giờ",
            TimeUnit::Weeks => "tuần",
            TimeUnit::Months => "tháng",
            TimeUnit::Years => "năm",
        }
    }

    /// Stable snake_case key (same as the serde name).
    pub fn key(self) -> &'static str {
        match self {
            TimeUnit::WorkingDays => "working_days",
            TimeUnit::Days => "days",
            TimeUnit::WorkingHours => "working_hours",
            TimeUnit::Hours => "hours",
            TimeUnit::Weeks => "weeks",
            TimeUnit::Months => "months",
            TimeUnit::Years => "years",
            TimeUnit::InTheDay => "in_the_day",
        }
    }
}

/// Fees and charges (phí, lệ phí) of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fee {
    /// One item per amount the text states (the cell's amount, then any amounts in the note).
    pub items: Vec<FeeItem>,
    /// The text says free of charge ("Miễn phí") and states no positive amount anywhere.
    pub free: bool,
    /// The note the portal prints in parentheses after the fee cell, without the parentheses.
    pub note: String,
}

impl Fee {
    /// True when some item carries a positive amount (in đồng or in a foreign currency), or an
    /// amount whose scale could not be trusted.
    pub fn states_positive_amount(&self) -> bool {
        self.items.iter().any(FeeItem::is_positive)
    }

    /// True when the text says something is to be paid: a positive amount, or a payment
    /// described without an amount ("Mức lệ phí do Hội đồng nhân dân tỉnh quyết định").
    pub fn states_payment(&self) -> bool {
        self.items.iter().any(|i| {
            i.is_positive()
                || (i.amount_vnd.is_none() && i.foreign.is_none() && i.doubtful_amount.is_none())
        })
    }

    /// Sum of the amounts in đồng (items without one are skipped).
    pub fn total_vnd(&self) -> i64 {
        self.items
            .iter()
            .filter_map(|i| i.amount_vnd)
            .fold(0i64, i64::saturating_add)
    }
}

/// One fee or charge amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeeItem {
    pub kind: FeeKind,
    /// Amount in đồng, when the text states one that can be trusted.
    pub amount_vnd: Option<i64>,
    /// Amount in a foreign currency (the portal states visa fees in USD).
    pub foreign: Option<ForeignAmount>,
    /// The amount as the portal's cell stated it when its scale is doubtful (a few hundred đồng,
    /// where the note does not confirm the unit). `amount_vnd` is then `None`.
    pub doubtful_amount: Option<i64>,
    /// Where the item came from.
    pub source: FeeSource,
    /// The original text of this item.
    pub text: String,
    /// An exemption or reduction the text states for this amount ("Miễn phí từ ngày 07/4/2026
    /// đến 30/6/2026 theo quy định tại Thông tư 40/2026/TT-BTC"), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<String>,
}

impl FeeItem {
    fn is_positive(&self) -> bool {
        self.amount_vnd.is_some_and(|a| a > 0)
            || self.foreign.as_ref().is_some_and(|f| f.amount > 0.0)
            || self.doubtful_amount.is_some_and(|a| a > 0)
    }
}

/// Kind of a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeKind {
    /// Phí: a fee for a service.
    Fee,
    /// Lệ phí: a state charge.
    Charge,
    /// Giá dịch vụ: a service price.
    ServicePrice,
    /// The text does not say.
    Unspecified,
}

/// Where a fee item was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeeSource {
    /// The portal's structured fee cell.
    Cell,
    /// The note in parentheses after the cell, or fee prose.
    Note,
}

/// An amount in a currency other than the đồng.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForeignAmount {
    /// ISO code, e.g. "USD".
    pub currency: String,
    pub amount: f64,
}

/// One dossier component (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentSpec {
    /// Tên giấy tờ.
    pub name: String,
    /// Number of originals (bản chính), when the row states a quantity.
    pub originals: Option<u32>,
    /// Number of copies (bản sao), when stated.
    pub copies: Option<u32>,
    /// Template files (mẫu đơn, tờ khai) attached to the row, by file name. Usually one; some
    /// rows attach several.
    pub templates: Vec<String>,
    /// Inferred from the text: the component may be replaced by data the administration already
    /// holds (national databases, the electronic identity account, digitised results).
    pub reusable_from_data: bool,
    /// The "Trường hợp ..." heading when the portal groups components by case.
    pub case: Option<String>,
    /// The row as written (name, template file names and quantity run together).
    pub text: String,
}

impl ComponentSpec {
    /// A paper to bring: a row stating a quantity of zero is a note of the catalogue.
    pub fn is_paper(&self) -> bool {
        let stated = self.originals.is_some() || self.copies.is_some();
        !stated || self.originals.unwrap_or(0) + self.copies.unwrap_or(0) > 0
    }

    /// Whether the component must be given. The catalogue has no such flag; read from the
    /// row: a note is not a paper; a row under a case heading ("Trường hợp …") is needed only in
    /// that case (a heading such as "* Giấy tờ phải nộp:" names no case);
    /// so is a row whose paper is named under a condition ("… (nếu có)", "… đối với người …",
    /// "… (đối với tổ chức)", "Trường hợp …, …") and an authorisation (needed only when someone acts for the
    /// applicant). A condition after the paper's own sentence ("Giấy chứng sinh; trường hợp không
    /// có giấy chứng sinh thì …") says what may replace it: the row is still required.
    pub fn is_required(&self) -> bool {
        let fold = |s: &str| format!(" {} ", crate::text::fold_ascii(s));
        let in_a_case = self.case.as_deref().is_some_and(|heading| {
            let h = fold(heading);
            [" truong hop ", " neu ", " doi voi "]
                .iter()
                .any(|w| h.contains(w))
        });
        if !self.is_paper() || in_a_case {
            return false;
        }
        let whole = fold(&self.text);
        if whole.contains(" neu co ") {
            return false;
        }
        let name = strip_list_marker(&self.name);
        let end = [";", ". "]
            .iter()
            .filter_map(|m| name.find(m))
            .min()
            .unwrap_or(name.len());
        let head = fold(&name[..end]);
        let conditional = [" truong hop ", " neu ", " doi voi nguoi "]
            .iter()
            .any(|w| head.contains(w))
            || ["(đối với", "(áp dụng đối với"]
                .iter()
                .any(|w| name[..end].to_lowercase().contains(w));
        let authorisation = ["van ban uy quyen", "giay uy quyen", "hop dong uy quyen"]
            .iter()
            .any(|w| {
                head.trim_start()
                    .trim_start_matches("ban sao ")
                    .starts_with(w)
            });
        !conditional && !authorisation
    }
}

/// A row without its list marker: "- ", "+ ", "* ", "5. ", "a) ", "IV. ".
fn strip_list_marker(row: &str) -> &str {
    let mut s = row.trim_start();
    loop {
        let before = s;
        s = s.trim_start_matches(['-', '+', '*', '•', '–']).trim_start();
        if let Some(i) = s.find(['.', ')'])
            && i <= 4
            && s[..i].chars().all(|c| c.is_ascii_alphanumeric())
            && s[i + 1..].starts_with(' ')
        {
            s = s[i + 1..].trim_start();
        }
        if s == before {
            return s;
        }
    }
}

/// One legal document of the legal basis (căn cứ pháp lý).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalDoc {
    /// Document number (số ký hiệu), e.g. "106/2024/NĐ-CP".
    pub number: Option<String>,
    /// Title as written (trích yếu); the number when the portal gives no title.
    pub title: String,
    /// Year from the number.
    pub year: Option<i32>,
    /// Issue date, when the title states one for this document.
    pub issued: Option<NaiveDate>,
    /// Issuing body, read from the number's suffix (e.g. "NĐ-CP" → "Chính phủ").
    pub issuer: Option<String>,
    /// The row as written.
    pub text: String,
}

/// One result of the procedure (kết quả thực hiện).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultSpec {
    pub name: String,
    /// The portal's result code (e.g. "KQ.G12.001213"), when given.
    pub result_code: Option<String>,
}

/// Online public-service level under Decree 42/2022.
///
/// The crawl has no explicit field for it. The importer takes it from the name when the name
/// says "toàn trình" (full) or "trực tuyến một phần" (partial); otherwise a "Trực tuyến" channel
/// makes it [`OnlineLevel::Partial`] (the conservative reading: full online needs online
/// payment and electronic or postal return, which the crawl cannot show), and no online channel
/// makes it [`OnlineLevel::None`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// DVC trực tuyến toàn trình.
    FullProcess,
    /// DVC trực tuyến một phần.
    Partial,
    /// Not offered online.
    None,
}

impl OnlineLevel {
    /// Stable snake_case key (same as the serde name).
    pub fn key(self) -> &'static str {
        match self {
            OnlineLevel::FullProcess => "full_process",
            OnlineLevel::Partial => "partial",
            OnlineLevel::None => "none",
        }
    }
}

#[cfg(test)]
impl ComponentSpec {
    /// A row of one original named `name`, under the case heading `case`.
    pub(crate) fn sample(name: &str, case: Option<&str>) -> ComponentSpec {
        ComponentSpec {
            name: name.to_owned(),
            originals: Some(1),
            copies: None,
            templates: Vec::new(),
            reusable_from_data: false,
            case: case.map(str::to_owned),
            text: name.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> ComponentSpec {
        ComponentSpec::sample(name, None)
    }

    #[test]
    fn a_paper_is_required_unless_named_under_a_condition() {
        // Rows of the shipped catalogue.
        for required in [
            "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
            "Giấy chứng sinh; trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng xác nhận về việc sinh",
            "- Đơn đề nghị cấp lại thẻ giám định viên tư pháp. Trường hợp thẻ bị mất hoặc có thay đổi nội dung ghi trên thẻ thì đơn đề nghị phải nêu rõ lý do",
            "02 ảnh 4x6cm mới chụp, mặt nhìn thẳng, đầu để trần, phông nền trắng (trong đó 01 ảnh dán vào Tờ khai); trường hợp người chưa đủ 16 tuổi đề nghị cấp chung thì nộp thêm 02 ảnh",
            "a) Tờ khai hàng hóa xuất khẩu theo Phụ lục II. Trường hợp tờ khai đã có trên hệ thống thì không phải nộp",
            "Tờ khai đăng ký kiểm tra nghiệp vụ đại diện quyền đối với giống cây trồng theo Mẫu số 35",
        ] {
            assert!(row(required).is_required(), "{required}");
        }
        for optional in [
            "5. Các văn bằng, chứng chỉ do cơ sở giáo dục nước ngoài cấp được công nhận (nếu có).",
            "Các giấy tờ chứng nhận con thương binh, liệt sĩ; con Anh hùng lực lượng vũ trang nhân dân (nếu có).",
            "* Đối với trường hợp điều chỉnh Giấy chứng nhận: + Đơn đề nghị điều chỉnh Giấy chứng nhận",
            "+ Giấy thông hành đã được cấp nếu còn giá trị sử dụng.",
            "Hộ chiếu phổ thông cấp lần gần nhất đối với người đã được cấp hộ chiếu; trường hợp bị mất hộ chiếu, phải có đơn trình báo",
            "Văn bản ủy quyền yêu cầu cấp Phiếu Lý lịch tư pháp số 1 (người được ủy quyền phải xuất trình Thẻ Căn cước)",
            "Trường hợp người yêu cầu là người nước ngoài: bản sao hộ chiếu",
            "+ Danh sách hành khách (đối với phương tiện chở hành khách);",
        ] {
            assert!(!row(optional).is_required(), "{optional}");
        }
        let mut note = row("Lưu ý: hồ sơ nộp qua bưu chính");
        note.originals = Some(0);
        assert!(!note.is_paper() && !note.is_required());
        let in_case = ComponentSpec::sample(
            "Tờ khai đăng ký khai sinh",
            Some("Trường hợp đăng ký khai sinh có yếu tố nước ngoài"),
        );
        assert!(!in_case.is_required());
        // The portal's heading of the papers to hand in names no case.
        let to_hand_in = ComponentSpec::sample(
            "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng",
            Some("* Giấy tờ phải nộp:"),
        );
        assert!(to_hand_in.is_required());
    }
}
