//! The applicant (người nộp hồ sơ) and their personal identification number (số định danh cá
//! nhân, printed on the citizen identity card, CCCD).
//!
//! The identification number has 12 digits (Decree 137/2015/NĐ-CP, Circular 07/2016/TT-BCA,
//! kept by the 2023 Law on Identity):
//! - digits 1–3: the province code of the birth registration, 001–096: the codes of the 63
//!   provinces as they were before the 2025 merger (the 34 provinces after 1/7/2025 kept codes
//!   from that list, so old and new cards both validate). The list is [`PROVINCE_CODES`], taken
//!   from `data/units-legacy.csv`;
//! - digit 4: gender and century of birth: 0/1 = male/female born 1900–1999, 2/3 = 2000–2099,
//!   4/5 = 2100–2199, 6/7 = 2200–2299, 8/9 = 2300–2399;
//! - digits 5–6: the last two digits of the birth year; digits 7–12: a random number.
//!
//! [`CitizenId::parse`] checks the structure only (so stored histories always stay readable);
//! [`CitizenId::parse_on`] and [`Applicant::validate`] also refuse a birth year after the year
//! of the given "today". The state machine passes the Vietnam date of the command's instant.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Province codes of the citizen identity scheme (the 63 provinces before 1/7/2025), with
/// their names, sorted by code. Source: `province_code` of `data/units-legacy.csv`, padded to 3
/// digits.
pub const PROVINCE_CODES: [(u16, &str); 63] = [
    (1, "Thành phố Hà Nội"),
    (2, "Tỉnh Hà Giang"),
    (4, "Tỉnh Cao Bằng"),
    (6, "Tỉnh Bắc Kạn"),
    (8, "Tỉnh Tuyên Quang"),
    (10, "Tỉnh Lào Cai"),
    (11, "Tỉnh Điện Biên"),
    (12, "Tỉnh Lai Châu"),
    (14, "Tỉnh Sơn La"),
    (15, "Tỉnh Yên Bái"),
    (17, "Tỉnh Hòa Bình"),
    (19, "Tỉnh Thái Nguyên"),
    (20, "Tỉnh Lạng Sơn"),
    (22, "Tỉnh Quảng Ninh"),
    (24, "Tỉnh Bắc Giang"),
    (25, "Tỉnh Phú Thọ"),
    (26, "Tỉnh Vĩnh Phúc"),
    (27, "Tỉnh Bắc Ninh"),
    (30, "Tỉnh Hải Dương"),
    (31, "Thành phố Hải Phòng"),
    (33, "Tỉnh Hưng Yên"),
    (34, "Tỉnh Thái Bình"),
    (35, "Tỉnh Hà Nam"),
    (36, "Tỉnh Nam Định"),
    (37, "Tỉnh Ninh Bình"),
    (38, "Tỉnh Thanh Hóa"),
    (40, "Tỉnh Nghệ An"),
    (42, "Tỉnh Hà Tĩnh"),
    (44, "Tỉnh Quảng Bình"),
    (45, "Tỉnh Quảng Trị"),
    (46, "Thành phố Huế"),
    (48, "Thành phố Đà Nẵng"),
    (49, "Tỉnh Quảng Nam"),
    (51, "Tỉnh Quảng Ngãi"),
    (52, "Tỉnh Bình Định"),
    (54, "Tỉnh Phú Yên"),
    (56, "Tỉnh Khánh Hòa"),
    (58, "Tỉnh Ninh Thuận"),
    (60, "Tỉnh Bình Thuận"),
    (62, "Tỉnh Kon Tum"),
    (64, "Tỉnh Gia Lai"),
    (66, "Tỉnh Đắk Lắk"),
    (67, "Tỉnh Đắk Nông"),
    (68, "Tỉnh Lâm Đồng"),
    (70, "Tỉnh Bình Phước"),
    (72, "Tỉnh Tây Ninh"),
    (74, "Tỉnh Bình Dương"),
    (75, "Tỉnh Đồng Nai"),
    (77, "Tỉnh Bà Rịa - Vũng Tàu"),
    (79, "Thành phố Hồ Chí Minh"),
    (80, "Tỉnh Long An"),
    (82, "Tỉnh Tiền Giang"),
    (83, "Tỉnh Bến Tre"),
    (84, "Tỉnh Trà Vinh"),
    (86, "Tỉnh Vĩnh Long"),
    (87, "Tỉnh Đồng Tháp"),
    (89, "Tỉnh An Giang"),
    (91, "Tỉnh Kiên Giang"),
    (92, "Thành phố Cần Thơ"),
    (93, "Tỉnh Hậu Giang"),
    (94, "Tỉnh Sóc Trăng"),
    (95, "Tỉnh Bạc Liêu"),
    (96, "Tỉnh Cà Mau"),
];

/// The name of the province with identity code `code` (1 for 001 …), if it is one.
pub fn province_name(code: u16) -> Option<&'static str> {
    PROVINCE_CODES
        .binary_search_by_key(&code, |&(c, _)| c)
        .ok()
        .and_then(|i| PROVINCE_CODES.get(i))
        .map(|&(_, name)| name)
}

/// Which applicant field a problem is about (the API's `detail.field`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantField {
    Name,
    IdNumber,
    Phone,
    Email,
}

impl ApplicantField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::IdNumber => "id_number",
            Self::Phone => "phone",
            Self::Email => "email",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Name => "Họ và tên",
            Self::IdNumber => "Số định danh cá nhân",
            Self::Phone => "Số điện thoại",
            Self::Email => "Thư điện tử",
        }
    }
}

/// What is wrong with an applicant's data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicantError {
    #[error("the applicant's name is empty")]
    NameRequired,
    #[error("a personal identification number has 12 digits, this one has {len} characters")]
    IdLength { len: usize },
    #[error("a personal identification number has digits only")]
    IdNotDigits,
    #[error("{code:03} is not a province code of the identity scheme")]
    IdProvince { code: u16 },
    #[error("the birth year {year} encoded in the identification number is in the future")]
    IdBirthYearInFuture { year: i32 },
    #[error("invalid Vietnamese phone number {value:?}")]
    Phone { value: String },
    #[error("invalid e-mail address {value:?}")]
    Email { value: String },
}

impl ApplicantError {
    /// The field the problem is about.
    pub fn field(&self) -> ApplicantField {
        match self {
            Self::NameRequired => ApplicantField::Name,
            Self::IdLength { .. }
            | Self::IdNotDigits
            | Self::IdProvince { .. }
            | Self::IdBirthYearInFuture { .. } => ApplicantField::IdNumber,
            Self::Phone { .. } => ApplicantField::Phone,
            Self::Email { .. } => ApplicantField::Email,
        }
    }

    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NameRequired => "applicant_name_required",
            Self::IdLength { .. } => "citizen_id_length",
            Self::IdNotDigits => "citizen_id_not_digits",
            Self::IdProvince { .. } => "citizen_id_province",
            Self::IdBirthYearInFuture { .. } => "citizen_id_birth_year_in_future",
            Self::Phone { .. } => "phone_invalid",
            Self::Email { .. } => "email_invalid",
        }
    }

    /// The message shown to people, in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::NameRequired => "Chưa nhập họ và tên người nộp hồ sơ.".to_owned(),
            Self::IdLength { len } => format!(
                "Số định danh cá nhân (số CCCD) phải gồm đúng 12 chữ số (số đã nhập có {len} ký tự)."
            ),
            Self::IdNotDigits => {
                "Số định danh cá nhân (số CCCD) chỉ gồm các chữ số từ 0 đến 9.".to_owned()
            }
            Self::IdProvince { code } => format!(
                "Ba chữ số đầu của số định danh cá nhân ({code:03}) không phải mã tỉnh, thành phố hợp lệ."
            ),
            Self::IdBirthYearInFuture { year } => format!(
                "Số định danh cá nhân mang năm sinh {year}, là năm chưa đến; vui lòng kiểm tra lại."
            ),
            Self::Phone { value } => format!(
                "Số điện thoại «{value}» không hợp lệ (số di động 10 chữ số, số cố định 11 chữ số bắt đầu bằng 02, hoặc dạng +84)."
            ),
            Self::Email { value } => format!("Địa chỉ thư điện tử «{value}» không hợp lệ."),
        }
    }
}

/// A personal identification number (số định danh cá nhân / số CCCD), 12 digits, structurally
/// valid. Serialises as its digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CitizenId(String);

impl CitizenId {
    /// Checks length, digits, province code and the gender/century digit (any of 0–9). Spaces
    /// around the number are ignored.
    pub fn parse(s: &str) -> Result<CitizenId, ApplicantError> {
        let s = s.trim();
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApplicantError::IdNotDigits);
        }
        if s.len() != 12 {
            return Err(ApplicantError::IdLength {
                len: s.chars().count(),
            });
        }
        let id = CitizenId(s.to_owned());
        let province = id.province_code();
        if province_name(province).is_none() {
            return Err(ApplicantError::IdProvince { code: province });
        }
        Ok(id)
    }

    /// [`CitizenId::parse`], and the birth year must not be after `today`'s year.
    pub fn parse_on(s: &str, today: NaiveDate) -> Result<CitizenId, ApplicantError> {
        let id = CitizenId::parse(s)?;
        id.check_birth_year(today)?;
        Ok(id)
    }

    fn check_birth_year(&self, today: NaiveDate) -> Result<(), ApplicantError> {
        let year = self.birth_year();
        if year > today.year() {
            return Err(ApplicantError::IdBirthYearInFuture { year });
        }
        Ok(())
    }

    fn digit(&self, i: usize) -> u16 {
        self.0
            .as_bytes()
            .get(i)
            .map_or(0, |b| u16::from(b.saturating_sub(b'0')))
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province code of the birth registration (1 for "001").
    pub fn province_code(&self) -> u16 {
        self.digit(0) * 100 + self.digit(1) * 10 + self.digit(2)
    }

    /// The province's name (pre-2025 name).
    pub fn province_name(&self) -> Option<&'static str> {
        province_name(self.province_code())
    }

    /// The birth year encoded by digits 4–6.
    pub fn birth_year(&self) -> i32 {
        let century = 1900 + 100 * i32::from(self.digit(3) / 2);
        century + i32::from(self.digit(4) * 10 + self.digit(5))
    }

    /// Whether digit 4 says female (odd) rather than male (even).
    pub fn is_female(&self) -> bool {
        self.digit(3) % 2 == 1
    }

    /// The number for public views: the first 4 and last 2 digits, e.g. `0012******89`.
    pub fn masked(&self) -> String {
        let head = self.0.get(..4).unwrap_or_default();
        let tail = self.0.get(10..).unwrap_or_default();
        format!("{head}******{tail}")
    }
}

impl fmt::Debug for CitizenId {
    /// Masked, so personal data does not leak into logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId({})", self.masked())
    }
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CitizenId {
    type Error = ApplicantError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CitizenId::parse(&s)
    }
}

impl From<CitizenId> for String {
    fn from(id: CitizenId) -> String {
        id.0
    }
}

/// The person who lodges the dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Họ và tên.
    pub name: String,
    /// Số định danh cá nhân (CCCD).
    pub id_number: CitizenId,
    /// Số điện thoại, stored as digits starting with 0 once normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Thư điện tử.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Địa chỉ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl Applicant {
    /// Builds a normalised, validated applicant (see [`Applicant::normalized`] and
    /// [`Applicant::validate`]); `today` is the date the birth year is checked against.
    pub fn new(
        name: &str,
        id_number: &str,
        phone: Option<&str>,
        email: Option<&str>,
        address: Option<&str>,
        today: NaiveDate,
    ) -> Result<Applicant, ApplicantError> {
        let applicant = Applicant {
            name: name.to_owned(),
            id_number: CitizenId::parse(id_number)?,
            phone: phone.map(str::to_owned),
            email: email.map(str::to_owned),
            address: address.map(str::to_owned),
        }
        .normalized();
        applicant.validate(today)?;
        Ok(applicant)
    }

    /// Puts every text in Unicode NFC, trims it, collapses inner runs of spaces in the name,
    /// drops blank optional fields, writes a valid phone number as digits from its leading 0
    /// (`+84 912 345 678` → `0912345678`). Idempotent.
    pub fn normalized(&self) -> Applicant {
        let blank_to_none = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(crate::input::nfc)
        };
        let phone = blank_to_none(&self.phone).map(|p| normalize_phone(&p).unwrap_or(p));
        Applicant {
            name: crate::input::nfc(&self.name.split_whitespace().collect::<Vec<_>>().join(" ")),
            id_number: self.id_number.clone(),
            phone,
            email: blank_to_none(&self.email),
            address: blank_to_none(&self.address),
        }
    }

    /// Checks the name, the identification number's birth year against `today`, the phone
    /// number and the e-mail address.
    pub fn validate(&self, today: NaiveDate) -> Result<(), ApplicantError> {
        if self.name.trim().is_empty() {
            return Err(ApplicantError::NameRequired);
        }
        self.id_number.check_birth_year(today)?;
        if let Some(phone) = &self.phone
            && normalize_phone(phone).is_none()
        {
            return Err(ApplicantError::Phone {
                value: phone.clone(),
            });
        }
        if let Some(email) = &self.email
            && !is_plausible_email(email)
        {
            return Err(ApplicantError::Email {
                value: email.clone(),
            });
        }
        Ok(())
    }

    /// A copy for public views: the identification number masked, the phone number reduced to
    /// its last 3 digits, e-mail and address removed.
    pub fn public_view(&self) -> PublicApplicant {
        PublicApplicant {
            name: self.name.clone(),
            id_number: self.id_number.masked(),
            phone: self.phone.as_deref().map(|p| {
                let tail: String = p
                    .chars()
                    .rev()
                    .take(3)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                format!("*******{tail}")
            }),
        }
    }
}

/// What a public look-up page may show of an applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicApplicant {
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
}

/// A Vietnamese phone number as digits from its leading 0, or `None` if it is not one.
/// Accepted: mobile numbers of 10 digits (03x, 05x, 07x, 08x, 09x), landline numbers of 11
/// digits (02x area codes, since the 2017 renumbering), each also written `+84…` without the
/// leading 0; spaces, dots, dashes and parentheses are ignored.
pub fn normalize_phone(s: &str) -> Option<String> {
    let compact: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let digits = match compact.strip_prefix("+84") {
        Some(rest) if !rest.starts_with('0') => format!("0{rest}"),
        Some(_) => return None,
        None => compact,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let b = digits.as_bytes();
    let ok = b.first() == Some(&b'0')
        && matches!(
            (b.len(), b.get(1)),
            (10, Some(b'3' | b'5' | b'7' | b'8' | b'9')) | (11, Some(b'2'))
        );
    ok.then_some(digits)
}

/// A sanity check, not RFC 5322: one `@`, a non-empty local part without spaces, a domain of
/// at least two non-empty labels of letters, digits and hyphens.
fn is_plausible_email(s: &str) -> bool {
    let s = s.trim();
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && !local.chars().any(char::is_whitespace)
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_list_is_sorted_and_complete() {
        assert!(PROVINCE_CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(province_name(1), Some("Thành phố Hà Nội"));
        assert_eq!(province_name(79), Some("Thành phố Hồ Chí Minh"));
        assert_eq!(province_name(3), None);
        assert_eq!(province_name(0), None);
    }

    #[test]
    fn phones() {
        assert_eq!(
            normalize_phone("+84 912 345 678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            normalize_phone("0912.345.678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            normalize_phone("(024) 3825 1234").as_deref(),
            Some("02438251234")
        );
        for bad in [
            "",
            "091234567",
            "09123456789",
            "0112345678",
            "+840912345678",
            "09a2345678",
        ] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in ["a@b.vn", "nguyen.van.a@hanoi.gov.vn", "x+y@mail.com"] {
            assert!(is_plausible_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.vn", "a@@b.vn", "a b@c.vn", "a@b..vn", "a@.vn",
        ] {
            assert!(!is_plausible_email(bad), "{bad}");
        }
    }
}
