//! Small text-scanning helpers shared by the field parsers: Unicode clean-up, whitespace
//! collapsing, and safe look-ups at byte offsets. Offsets are byte offsets into `&str`; every
//! helper returns `None`/`false` rather than panicking on an offset that is out of range or not on
//! a character boundary.

use unicode_normalization::UnicodeNormalization;

/// NFC form with non-breaking and zero-width spaces and carriage returns removed or replaced, so
/// the parsers compare composed Vietnamese letters and plain spaces.
pub(crate) fn clean(s: &str) -> String {
    s.nfc()
        .filter_map(|c| match c {
            '\u{a0}' | '\u{2009}' | '\u{202f}' => Some(' '),
            '\u{200b}' | '\u{feff}' | '\r' => None,
            c => Some(c),
        })
        .collect()
}

/// Trims and collapses every run of whitespace to one space.
pub(crate) fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The character starting at byte `i`.
pub(crate) fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..)?.chars().next()
}

/// The character ending just before byte `i`.
pub(crate) fn char_before(s: &str, i: usize) -> Option<char> {
    s.get(..i)?.chars().next_back()
}

/// Whether `s[i..]` starts with `pat`.
pub(crate) fn starts_at(s: &str, i: usize, pat: &str) -> bool {
    s.get(i..).is_some_and(|t| t.starts_with(pat))
}

/// Byte length of the run of ASCII digits starting at `i`.
pub(crate) fn digit_run(s: &str, i: usize) -> usize {
    s.get(i..)
        .map_or(0, |t| t.bytes().take_while(u8::is_ascii_digit).count())
}

/// Byte offset where the run of ASCII digits ending at `i` starts (`i` itself if none).
pub(crate) fn digit_run_back(s: &str, i: usize) -> usize {
    match s.get(..i) {
        Some(t) => i - t.bytes().rev().take_while(u8::is_ascii_digit).count(),
        None => i,
    }
}

/// Case-insensitive match of the lowercase pattern `pat` at byte `i`; returns where it ends.
pub(crate) fn match_ci(s: &str, i: usize, pat: &str) -> Option<usize> {
    let rest = s.get(i..)?;
    let mut chars = rest.char_indices();
    for p in pat.chars() {
        let (_, c) = chars.next()?;
        if !c.to_lowercase().eq(std::iter::once(p)) {
            return None;
        }
    }
    Some(i + chars.next().map_or(rest.len(), |(k, _)| k))
}

/// `s[from..to]`, or "" when the range is not valid.
pub(crate) fn slice(s: &str, from: usize, to: usize) -> &str {
    s.get(from..to).unwrap_or("")
}

/// The first `n` characters of `s`, with "…" when shortened; for issue messages.
pub(crate) fn excerpt(s: &str, n: usize) -> String {
    let s = s.trim();
    let mut out: String = s.chars().take(n).collect();
    if s.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

/// Lowercase and with `đ` kept: for case-insensitive keyword search in Vietnamese text.
pub(crate) fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Whether the trimmed text is one of the portal's "nothing here" placeholders.
pub(crate) fn is_placeholder(s: &str) -> bool {
    let t = lower(s.trim().trim_end_matches(['.', ';']));
    matches!(
        t.as_str(),
        "" | "không có thông tin" | "không có" | "không" | "--" | "-"
    )
}

/// `s` with the portal's "Không có thông tin" placeholder turned into "", trimmed.
pub(crate) fn text_or_empty(s: &str) -> String {
    if is_placeholder(s) {
        String::new()
    } else {
        s.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_composes_and_replaces_spaces() {
        // "Hòa" written with a combining grave accent, and a non-breaking space.
        let s = "Ho\u{0300}a\u{a0}Bi\u{0300}nh\r";
        assert_eq!(clean(s), "Hòa Bình");
    }

    #[test]
    fn helpers_do_not_panic_off_boundaries() {
        let s = "Đồng";
        assert_eq!(char_at(s, 1), None);
        assert_eq!(char_before(s, 1), None);
        assert!(!starts_at(s, 1, "x"));
        assert_eq!(slice(s, 1, 2), "");
        assert_eq!(digit_run("12a", 0), 2);
        assert_eq!(digit_run_back("ab12", 4), 2);
        assert_eq!(digit_run_back("Đ", 1), 1);
        assert_eq!(match_ci("x ĐỒNG/lần", 2, "đồng"), Some(2 + "ĐỒNG".len()));
        assert_eq!(match_ci("x Đồ", 2, "đồng"), None);
        assert_eq!(match_ci("Đ", 1, "đ"), None);
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(" Không có thông tin "));
        assert!(!is_placeholder("Bộ Tài chính"));
        assert_eq!(text_or_empty("Không có thông tin"), "");
        assert_eq!(squash("  a \n\t b "), "a b");
        assert_eq!(excerpt("abcdef", 3), "abc…");
    }
}
