//! Free text as people send it: the limits their paper forms imply, and the characters no form
//! holds. Every text of a dossier command is checked here (see [`check_json`], called by the
//! state machine's precheck), so the API, the web pages and imports share one rule:
//!
//! - lengths, in characters: names 200, addresses 500, reasons and notes 2,000, e-mail 254,
//!   phone numbers, receipt and result numbers 100, list items 500; a list holds at most 100
//!   items (any other text: 2,000);
//! - refused anywhere: NUL and every other control character but tab, line feed and carriage
//!   return; the bidirectional embeddings, overrides and isolates (U+202A–U+202E,
//!   U+2066–U+2069); text made only of invisible characters (zero-width spaces and joiners,
//!   soft hyphen, word joiner, byte-order mark).
//!
//! Text is stored in Unicode NFC ([`nfc`], [`nfc_json`]: the service normalises every input
//! before the checks) so that text typed in decomposed form is found by search.

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_ADDRESS_CHARS: usize = 500;
pub const MAX_REASON_CHARS: usize = 2_000;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_SHORT_CHARS: usize = 100;
pub const MAX_ITEM_CHARS: usize = 500;
pub const MAX_LIST_ITEMS: usize = 100;

/// The limit of a text field, by its name in the command (the last key of its JSON path).
pub fn limit_of(field: &str) -> usize {
    match field {
        "name" | "applicant_name" | "full_name" => MAX_NAME_CHARS,
        "address" => MAX_ADDRESS_CHARS,
        "email" => MAX_EMAIL_CHARS,
        "phone" | "receipt_no" | "result_code" | "id_number" | "procedure" | "agency" | "to"
        | "from" | "code" | "sha256" | "reused_from" => MAX_SHORT_CHARS,
        "missing" | "documents" => MAX_ITEM_CHARS,
        _ => MAX_REASON_CHARS,
    }
}

/// Why a text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{field} is longer than {max} characters")]
    TooLong { field: String, max: usize },
    #[error("{field} has more than {max} items")]
    TooManyItems { field: String, max: usize },
    #[error("{field} holds a control or bidirectional override character")]
    ForbiddenCharacter { field: String },
    #[error("{field} is made only of invisible characters")]
    Invisible { field: String },
}

impl TextError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLong { .. } => "text_too_long",
            Self::TooManyItems { .. } => "too_many_items",
            Self::ForbiddenCharacter { .. } => "text_forbidden_character",
            Self::Invisible { .. } => "text_invisible",
        }
    }

    /// The field at fault (its JSON path, e.g. `applicant.name`).
    pub fn field(&self) -> &str {
        match self {
            Self::TooLong { field, .. }
            | Self::TooManyItems { field, .. }
            | Self::ForbiddenCharacter { field }
            | Self::Invisible { field } => field,
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            Self::TooLong { field, max } => {
                format!("Trường \"{field}\" dài quá {max} ký tự cho phép.")
            }
            Self::TooManyItems { field, max } => {
                format!("Trường \"{field}\" có quá {max} mục cho phép.")
            }
            Self::ForbiddenCharacter { field } => format!(
                "Trường \"{field}\" có ký tự điều khiển hoặc ký tự đảo chiều văn bản không được phép."
            ),
            Self::Invisible { field } => {
                format!("Trường \"{field}\" chỉ gồm các ký tự không nhìn thấy được.")
            }
        }
    }
}

/// The text in Unicode NFC.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Puts every string of a JSON value in NFC, in place.
pub fn nfc_json(value: &mut Value) {
    match value {
        Value::String(s) if !unicode_normalization::is_nfc(s) => *s = nfc(s),
        Value::Array(items) => items.iter_mut().for_each(nfc_json),
        Value::Object(map) => map.values_mut().for_each(nfc_json),
        _ => {}
    }
}

/// A character no form field holds: controls but tab, LF and CR; bidi embeddings, overrides
/// and isolates.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that shows nothing: zero-width space, (non-)joiner, marks, word joiner and
/// invisible operators, byte-order mark, soft hyphen, combining grapheme joiner.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}'
    )
}

/// Checks one text of the field `field` (its JSON path) against its limit and characters.
pub fn check(field: &str, s: &str) -> Result<(), TextError> {
    if s.chars().any(is_forbidden) {
        return Err(TextError::ForbiddenCharacter {
            field: field.into(),
        });
    }
    if s.chars().any(is_invisible) && s.chars().all(|c| is_invisible(c) || c.is_whitespace()) {
        return Err(TextError::Invisible {
            field: field.into(),
        });
    }
    let key = field.rsplit('.').next().unwrap_or(field);
    let max = limit_of(key.split('[').next().unwrap_or(key));
    if s.chars().count() > max {
        return Err(TextError::TooLong {
            field: field.into(),
            max,
        });
    }
    Ok(())
}

/// Checks every string and list of a JSON value; `path` names the value (empty at the top).
pub fn check_json(path: &str, value: &Value) -> Result<(), TextError> {
    match value {
        Value::String(s) => check(path, s),
        Value::Array(items) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(TextError::TooManyItems {
                    field: path.into(),
                    max: MAX_LIST_ITEMS,
                });
            }
            items
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| check_json(&format!("{path}[{i}]"), v))
        }
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            check_json(&p, v)
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn limits_follow_the_field() {
        assert!(check("applicant.name", &"a".repeat(200)).is_ok());
        let e = check("applicant.name", &"a".repeat(201)).unwrap_err();
        assert_eq!(e.code(), "text_too_long");
        assert_eq!(e.field(), "applicant.name");
        assert!(check("reason", &"ă".repeat(2_000)).is_ok());
        assert!(check("reason", &"ă".repeat(2_001)).is_err());
        assert!(check("missing[3]", &"x".repeat(501)).is_err());
        assert!(check("address", &"x".repeat(500)).is_ok());
    }

    #[test]
    fn controls_bidi_and_invisible_only_are_refused() {
        for bad in [
            "a\0b",
            "Nguyễn\u{202E}Văn",
            "x\u{2066}y",
            "a\u{7}",
            "\u{85}",
        ] {
            assert_eq!(
                check("name", bad).unwrap_err().code(),
                "text_forbidden_character",
                "{bad:?}"
            );
        }
        for bad in ["\u{200B}\u{200B}", "\u{FEFF}", " \u{200D} "] {
            assert_eq!(check("name", bad).unwrap_err().code(), "text_invisible");
        }
        assert!(check("reason", "Dòng 1\nDòng 2\tx\r\n").is_ok());
        assert!(check("name", "Nguyễn\u{200D}Văn").is_ok());
        assert!(check("name", "").is_ok());
    }

    #[test]
    fn json_paths_and_lists() {
        let v = json!({"applicant": {"name": "A\u{202E}"}});
        assert_eq!(check_json("", &v).unwrap_err().field(), "applicant.name");
        let v = json!({"missing": vec!["x"; 101]});
        assert_eq!(check_json("", &v).unwrap_err().code(), "too_many_items");
        let v = json!({"missing": ["a", "b".repeat(501)]});
        assert_eq!(check_json("", &v).unwrap_err().field(), "missing[1]");
    }

    #[test]
    fn nfc_composes() {
        let nfd = "Nguye\u{302}\u{303}n";
        assert_eq!(nfc(nfd), "Nguyễn");
        let mut v = json!({"a": [nfd], "b": {"c": nfd}});
        nfc_json(&mut v);
        assert_eq!(v, json!({"a": ["Nguyễn"], "b": {"c": "Nguyễn"}}));
    }
}
