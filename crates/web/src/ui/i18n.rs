//! The UI's two languages. Vietnamese is the source text and the key; the English texts are
//! JSON dictionaries (`crates/web/i18n/*.en.json`), one per UI area, since one Vietnamese word
//! can need two English ones ("Phê duyệt": "Approve" on a button, "Approved" in a timeline).
//! A text is looked up in its page's area, then in the common dictionary, then in any area; a
//! text without an English entry is shown in Vietnamese.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// The UI areas, each with its dictionary; `common` serves every page.
const DICTIONARIES: &[(&str, &str)] = &[
    ("common", include_str!("../../i18n/common.en.json")),
    ("portal", include_str!("../../i18n/portal.en.json")),
    ("counter", include_str!("../../i18n/counter.en.json")),
    ("workspace", include_str!("../../i18n/workspace.en.json")),
    ("admin", include_str!("../../i18n/admin.en.json")),
    ("stats", include_str!("../../i18n/stats.en.json")),
    ("payments", include_str!("../../i18n/payments.en.json")),
];

type Dictionary = HashMap<String, String>;

static EN: LazyLock<Vec<(&'static str, Dictionary)>> = LazyLock::new(|| {
    DICTIONARIES
        .iter()
        .map(|(area, d)| {
            let dict: Dictionary =
                serde_json::from_str(d).expect("an English UI dictionary is not valid JSON");
            (*area, dict)
        })
        .collect()
});

/// The UI area of a path (whose dictionary is searched first).
pub fn area_of(path: &str) -> &'static str {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match first {
        "thu-tuc" | "tra-cuu" | "cong-dan" => "portal",
        "mot-cua" => "counter",
        "xu-ly" | "ho-so" => "workspace",
        "quan-tri" => "admin",
        "dieu-hanh" | "thong-ke" => "stats",
        "thanh-toan" => "payments",
        _ => "common",
    }
}

/// `vi` in `lang`, for a page of `area`.
pub fn tr<'a>(lang: Lang, area: &str, vi: &'a str) -> &'a str {
    if lang == Lang::Vi {
        return vi;
    }
    let find = |a: &str| {
        EN.iter()
            .find(|(name, _)| *name == a)
            .and_then(|(_, d)| d.get(vi))
    };
    find(area)
        .or_else(|| find("common"))
        .or_else(|| EN.iter().find_map(|(_, d)| d.get(vi)))
        .map(|s| {
            // The dictionaries live for the whole process.
            let s: &'static str = s.as_str();
            s
        })
        .unwrap_or(vi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries_parse_and_translate() {
        assert_eq!(tr(Lang::En, "common", "Đăng nhập"), "Sign in");
        assert_eq!(tr(Lang::Vi, "common", "Đăng nhập"), "Đăng nhập");
        assert_eq!(
            tr(Lang::En, "common", "chưa có bản dịch"),
            "chưa có bản dịch"
        );
        // One word, two meanings: the page's area decides.
        assert_eq!(tr(Lang::En, "workspace", "Phê duyệt"), "Approve");
        assert_eq!(tr(Lang::En, "portal", "Phê duyệt"), "Approved");
        assert_eq!(area_of("/ho-so/000.00.01.H38-261124-0001"), "workspace");
    }

    /// Every text of the payment pages, and every payment status they show, has its English.
    #[test]
    fn payment_pages_are_translated() {
        let templates = [
            include_str!("../../templates/ui/payments/payment.html"),
            include_str!("../../templates/ui/payments/returned.html"),
            include_str!("../../templates/ui/payments/to_gateway.html"),
            include_str!("../../templates/ui/payments/bank_account.html"),
            include_str!("../../templates/ui/payments/statement.html"),
        ];
        let mut texts: Vec<&str> = templates
            .iter()
            .flat_map(|t| t.split("p.t(\"").skip(1))
            .map(|rest| rest.split("\")").next().unwrap_or(rest))
            .collect();
        use motcua_domain::payment::PaymentStatus as S;
        let statuses = [
            S::Empty,
            S::Due,
            S::Pending,
            S::Paid,
            S::Failed,
            S::Expired,
            S::Refunded,
            S::Waived,
        ];
        texts.extend(statuses.iter().map(|s| s.label_vi()));
        texts.push("Không thu phí, lệ phí");
        assert!(texts.len() > 60, "{texts:?}");
        let missing: Vec<&&str> = texts
            .iter()
            .filter(|vi| tr(Lang::En, "payments", vi) == **vi)
            .collect();
        assert!(missing.is_empty(), "no English for {missing:?}");
    }
}
