//! The UI's two languages. Vietnamese is the source text and the key; the English texts are
//! JSON dictionaries (`crates/web/i18n/*.en.json`, one per UI area), merged at first use. A
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

const DICTIONARIES: &[&str] = &[
    include_str!("../../i18n/common.en.json"),
    include_str!("../../i18n/portal.en.json"),
    include_str!("../../i18n/counter.en.json"),
    include_str!("../../i18n/workspace.en.json"),
    include_str!("../../i18n/admin.en.json"),
    include_str!("../../i18n/stats.en.json"),
];

static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for d in DICTIONARIES {
        let part: HashMap<String, String> =
            serde_json::from_str(d).expect("an English UI dictionary is not valid JSON");
        map.extend(part);
    }
    map
});

/// `vi` in `lang`.
pub fn tr(lang: Lang, vi: &str) -> &str {
    match lang {
        Lang::Vi => vi,
        Lang::En => EN.get(vi).map(String::as_str).unwrap_or(vi),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries_parse_and_translate() {
        assert_eq!(tr(Lang::En, "Đăng nhập"), "Sign in");
        assert_eq!(tr(Lang::Vi, "Đăng nhập"), "Đăng nhập");
        assert_eq!(tr(Lang::En, "chưa có bản dịch"), "chưa có bản dịch");
    }
}
