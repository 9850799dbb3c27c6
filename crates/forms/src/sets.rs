//! The official form sets as a small rule pack (`form-sets.json`, embedded): which circular
//! issues the one-stop forms, from which date, and the legal number and title of each form in
//! that set. A dossier uses the set in force on its receipt date ([`form_set_for`]).
//!
//! | kind | Circular 01/2018/TT-VPCP | Circular 03/2025/TT-VPCP, Phụ lục I |
//! |---|---|---|
//! | [`FormKind::Receipt`] | Mẫu số 01 | Mẫu số 01 |
//! | [`FormKind::SupplementRequest`] | Mẫu số 02 | Mẫu số 02 |
//! | [`FormKind::Refusal`] | Mẫu số 03 (number unconfirmed) | Mẫu số 03 |
//! | [`FormKind::Apology`] | Mẫu số 04 "Phiếu xin lỗi và hẹn lại ngày trả kết quả" (number unconfirmed) | Mẫu số 04 "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết" |
//! | [`FormKind::StopNotice`] | — (not in this set) | Mẫu số 05 |
//! | [`FormKind::ControlSheet`] | Mẫu số 05 (number unconfirmed) | Mẫu số 06 |
//! | [`FormKind::Register`] | Mẫu số 06 (number unconfirmed) | Mẫu số 07 |

use std::fmt;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The one-stop forms motcua prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    Receipt,
    /// Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    SupplementRequest,
    /// Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    Refusal,
    /// Phiếu xin lỗi và hẹn lại ngày trả kết quả (01/2018); văn bản xin lỗi và đề nghị gia hạn
    /// thời gian giải quyết (03/2025).
    Apology,
    /// Thông báo dừng giải quyết hồ sơ (03/2025 only).
    StopNotice,
    /// Phiếu kiểm soát quá trình giải quyết hồ sơ.
    ControlSheet,
    /// Sổ theo dõi hồ sơ: many dossiers, landscape.
    Register,
}

impl FormKind {
    pub const ALL: [FormKind; 7] = [
        FormKind::Receipt,
        FormKind::SupplementRequest,
        FormKind::Refusal,
        FormKind::Apology,
        FormKind::StopNotice,
        FormKind::ControlSheet,
        FormKind::Register,
    ];

    /// Stable snake_case key (same as the serde name), for URLs and file names.
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Receipt => "receipt",
            FormKind::SupplementRequest => "supplement_request",
            FormKind::Refusal => "refusal",
            FormKind::Apology => "apology",
            FormKind::StopNotice => "stop_notice",
            FormKind::ControlSheet => "control_sheet",
            FormKind::Register => "register",
        }
    }

    pub fn parse(s: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the form goes to the applicant (and so shows the identification number
    /// masked, like public views) rather than staying in the one-stop unit's records (the
    /// control sheet travels with the dossier between agencies; the register is the unit's
    /// book), which show it in full.
    pub fn is_for_applicant(self) -> bool {
        !matches!(self, FormKind::ControlSheet | FormKind::Register)
    }

    /// Printed on A4 landscape (the register's many columns).
    pub fn is_landscape(self) -> bool {
        self == FormKind::Register
    }
}

impl fmt::Display for FormKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How well a legal fact is established (the markers of `legal-rules.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// \[C\]: confirmed from a source that quotes the legal text.
    Confirmed,
    /// \[S\]: stated by a secondary source.
    Secondary,
    /// \[U\]: not supported by any source reached.
    Unconfirmed,
}

/// One form of a set: its legal number and title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormEntry {
    pub kind: FormKind,
    /// "01".
    pub number: String,
    /// "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".
    pub title: String,
    /// How certain the number and title are.
    pub status: Certainty,
    /// Whether the printed form carries the QR code of the public look-up page.
    pub qr: bool,
    /// The wording of a form whose body changed between sets: for the apology, `new_date`
    /// (01/2018: the apology announces the new return date) or `extension` (03/2025: it asks
    /// for an extension of the processing time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl FormEntry {
    /// "Mẫu số 01".
    pub fn label(&self) -> String {
        format!("Mẫu số {}", self.number)
    }
}

/// The forms issued by one circular, in force from `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSet {
    /// "tt-03-2025".
    pub id: String,
    /// "Thông tư số 03/2025/TT-VPCP".
    pub circular: String,
    /// "03/2025/TT-VPCP".
    pub circular_short: String,
    pub issued_on: NaiveDate,
    /// First receipt date the set applies to.
    pub effective_from: NaiveDate,
    pub effective_from_status: Certainty,
    /// The decree the circular guides.
    pub decree: String,
    /// The appendix holding the forms, where known ("Phụ lục I").
    pub appendix: Option<String>,
    /// What is unconfirmed about the set, in English, for the documentation.
    pub notes: Vec<String>,
    pub forms: Vec<FormEntry>,
}

impl FormSet {
    /// The form of that kind in this set; `None` for a form the circular does not issue (the
    /// stop notice before Circular 03/2025).
    pub fn form(&self, kind: FormKind) -> Option<&FormEntry> {
        self.forms.iter().find(|f| f.kind == kind)
    }

    /// "(Phụ lục I, Thông tư số 03/2025/TT-VPCP)": where the form comes from, printed under
    /// its number at the top of the form.
    pub fn source(&self) -> String {
        match &self.appendix {
            Some(appendix) => format!("({appendix}, {})", self.circular),
            None => format!("({})", self.circular),
        }
    }
}

#[derive(Deserialize)]
struct Pack {
    sets: Vec<FormSet>,
}

static SETS: LazyLock<Vec<FormSet>> = LazyLock::new(|| {
    let mut pack: Pack = serde_json::from_str(include_str!("form-sets.json"))
        .expect("the embedded form-sets.json is valid (checked by the tests)");
    pack.sets.sort_by_key(|s| s.effective_from);
    pack.sets
});

/// Every form set, oldest first.
pub fn form_sets() -> &'static [FormSet] {
    &SETS
}

/// The set in force on `receipt_date` (the Vietnam date the dossier was received): the latest
/// set that took effect on or before it. A date before the oldest set gets the oldest set.
pub fn form_set_for(receipt_date: NaiveDate) -> &'static FormSet {
    let sets = form_sets();
    sets.iter()
        .rev()
        .find(|s| s.effective_from <= receipt_date)
        .or_else(|| sets.first())
        .expect("the embedded form-sets.json holds at least one set (checked by the tests)")
}

/// The set with that id ("tt-01-2018", "tt-03-2025").
pub fn form_set(id: &str) -> Option<&'static FormSet> {
    form_sets().iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_pack_parses_and_is_consistent() {
        let sets = form_sets();
        assert_eq!(sets.len(), 2);
        for set in sets {
            let mut numbers: Vec<&str> = set.forms.iter().map(|f| f.number.as_str()).collect();
            numbers.sort_unstable();
            let expected: Vec<String> = (1..=set.forms.len()).map(|n| format!("{n:02}")).collect();
            assert_eq!(numbers, expected, "{}: forms numbered 01..", set.id);
            for kind in FormKind::ALL {
                assert!(
                    set.forms.iter().filter(|f| f.kind == kind).count() <= 1,
                    "{}: {kind} twice",
                    set.id
                );
            }
            assert!(set.form(FormKind::Receipt).is_some_and(|f| f.qr));
        }
    }

    #[test]
    fn the_two_sets() {
        let old = form_set("tt-01-2018").unwrap();
        assert_eq!(old.forms.len(), 6);
        assert!(old.form(FormKind::StopNotice).is_none());
        assert_eq!(old.form(FormKind::Register).unwrap().label(), "Mẫu số 06");
        assert_eq!(
            old.form(FormKind::Apology).unwrap().title,
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
        );
        let new = form_set("tt-03-2025").unwrap();
        assert_eq!(new.forms.len(), 7);
        assert_eq!(new.form(FormKind::StopNotice).unwrap().number, "05");
        assert_eq!(new.form(FormKind::ControlSheet).unwrap().number, "06");
        assert_eq!(new.form(FormKind::Register).unwrap().number, "07");
        assert_eq!(
            new.form(FormKind::Apology).unwrap().title,
            "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
        );
        assert_eq!(new.source(), "(Phụ lục I, Thông tư số 03/2025/TT-VPCP)");
        assert_eq!(old.source(), "(Thông tư số 01/2018/TT-VPCP)");
    }

    #[test]
    fn the_set_is_chosen_by_receipt_date_at_the_boundary() {
        assert_eq!(form_set_for(d(2025, 9, 14)).id, "tt-01-2018");
        assert_eq!(form_set_for(d(2025, 9, 15)).id, "tt-03-2025");
        assert_eq!(form_set_for(d(2025, 9, 16)).id, "tt-03-2025");
        assert_eq!(form_set_for(d(2025, 7, 1)).id, "tt-01-2018");
        assert_eq!(form_set_for(d(2019, 1, 6)).id, "tt-01-2018");
        assert_eq!(form_set_for(d(2026, 11, 24)).id, "tt-03-2025");
        // Before the oldest set: the oldest.
        assert_eq!(form_set_for(d(2018, 1, 1)).id, "tt-01-2018");
    }

    #[test]
    fn kinds_round_trip() {
        for kind in FormKind::ALL {
            assert_eq!(FormKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_string(&kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
        assert_eq!(FormKind::parse("bogus"), None);
    }
}
