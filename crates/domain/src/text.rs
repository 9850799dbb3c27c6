//! Vietnamese text folding for search. One function folds for both indexing and querying, so
//! SQLite and PostgreSQL see the same keys and return the same results.
//!
//! Two keys per text:
//! - [`fold_ascii`]: no diacritics at all ("Hòa Hiệp" → "hoa hiep"), with đ → d; used for words a
//!   user typed without any accent.
//! - [`tone_key`]: keeps the letter shapes (â, ă, ê, ô, ơ, ư, đ) and moves the tone mark to a digit
//!   in front of the syllable ("Hòa"/"Hoà" → "2hoa", "Hiệp" → "5hiêp"), so the two tone-placement
//!   conventions of Vietnamese spelling compare equal while a typed accent still discriminates
//!   ("Hòa" ≠ "Hóa").

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Tone marks as combining characters, with the digit [`tone_key`] writes for them.
const TONES: [(char, char); 5] = [
    ('\u{0300}', '2'), // huyền
    ('\u{0301}', '1'), // sắc
    ('\u{0309}', '3'), // hỏi
    ('\u{0303}', '4'), // ngã
    ('\u{0323}', '5'), // nặng
];

fn tone_digit(c: char) -> Option<char> {
    TONES.iter().find(|(m, _)| *m == c).map(|(_, d)| *d)
}

/// Lowercase words of `s`: letters and digits only, everything else separates words.
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| {
        if c.is_ascii() {
            !c.is_ascii_alphanumeric()
        } else {
            !c.is_alphanumeric()
        }
    })
    .filter(|w| !w.is_empty())
}

/// The longest search text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words a search text may hold (each word is one SQL condition).
pub const MAX_QUERY_WORDS: usize = 12;

/// Whether a search text is within [`MAX_QUERY_CHARS`] and [`MAX_QUERY_WORDS`].
pub fn query_within_bounds(q: &str) -> bool {
    q.chars().count() <= MAX_QUERY_CHARS && words(q).count() <= MAX_QUERY_WORDS
}

/// A search text cut to its first [`MAX_QUERY_WORDS`] words and [`MAX_QUERY_CHARS`]
/// characters (the UI searches for this and says it shortened the text).
pub fn shorten_query(q: &str) -> String {
    let mut out = String::new();
    for w in words(q).take(MAX_QUERY_WORDS) {
        if out.chars().count() + w.chars().count() + 1 > MAX_QUERY_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Folds to lowercase ASCII words separated by single spaces: no diacritics, đ → d.
pub fn fold_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in words(s) {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
            continue;
        }
        for c in word.nfd() {
            match c {
                'đ' | 'Đ' => out.push('d'),
                c if is_combining_mark(c) => {}
                c => out.extend(c.to_lowercase()),
            }
        }
    }
    out
}

/// Folds for full-text search: [`fold_ascii`], then the i/y spelling variants unified
/// ("đăng kí" = "đăng ký": a word-final y after a consonant becomes i). Used for both the index
/// and the query.
pub fn search_fold(s: &str) -> String {
    let folded = fold_ascii(s);
    let mut out = String::with_capacity(folded.len());
    for (i, w) in folded.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&search_word(w));
    }
    out
}

/// One already ASCII-folded word, with the i/y variants unified.
pub fn search_word(w: &str) -> String {
    let b = w.as_bytes();
    if b.len() >= 2 && b[b.len() - 1] == b'y' && !b"aeiouy".contains(&b[b.len() - 2]) {
        let mut s = w[..w.len() - 1].to_string();
        s.push('i');
        s
    } else {
        w.to_string()
    }
}

/// The tone-placement-independent key of one word (see the module docs).
fn word_tone_key(word: &str, out: &mut String) {
    if word.is_ascii() {
        out.push('0');
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    let mut tone = '0';
    let mut rest = String::with_capacity(word.len());
    for c in word.nfd() {
        match tone_digit(c) {
            Some(d) => tone = d,
            None => rest.extend(c.to_lowercase()),
        }
    }
    out.push(tone);
    out.extend(rest.nfc());
}

/// Folds to lowercase words, each prefixed with its tone digit, letter shapes kept.
pub fn tone_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for word in words(s) {
        if !out.is_empty() {
            out.push(' ');
        }
        word_tone_key(word, &mut out);
    }
    out
}

/// True when the word carries any Vietnamese diacritic (tone, letter shape or đ).
pub fn has_diacritics(word: &str) -> bool {
    !word.is_ascii()
        && word
            .nfd()
            .any(|c| is_combining_mark(c) || c == 'đ' || c == 'Đ')
}

/// One word of a search query, already folded to the key it must be matched against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryWord {
    /// Typed without accents: match against [`fold_ascii`] of the text.
    Ascii(String),
    /// Typed with accents: match against [`tone_key`] of the text.
    Toned(String),
}

impl QueryWord {
    /// The folded word.
    pub fn as_str(&self) -> &str {
        match self {
            QueryWord::Ascii(s) | QueryWord::Toned(s) => s,
        }
    }
}

/// Splits a user query into words, each folded for the key it should match. Words a user typed
/// with accents must match those accents (in either tone placement); words typed without accents
/// match any accents.
pub fn query_words(q: &str) -> Vec<QueryWord> {
    words(q)
        .map(|w| {
            if has_diacritics(w) {
                let mut k = String::new();
                word_tone_key(w, &mut k);
                QueryWord::Toned(k)
            } else {
                QueryWord::Ascii(fold_ascii(w))
            }
        })
        .collect()
}

/// Digits grouped by thousands with "." as Vietnamese writes them: "1816" → "1.816",
/// "1500000" → "1.500.000".
pub fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Text as the national portal's crawl keeps it, spaced for reading: a space before an opening
/// parenthesis and after a closing one or a semicolon when a letter touches it
/// ("Miễn phí(Thực hiện…" → "Miễn phí (Thực hiện…"). Numbers ("20.000", "(1)") are left alone.
pub fn spaced(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        if c == '(' && prev.is_some_and(char::is_alphabetic) {
            out.push(' ');
        }
        out.push(c);
        if matches!(c, ')' | ';') && next.is_some_and(char::is_alphabetic) {
            out.push(' ');
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_fold_removes_every_mark_and_d_stroke() {
        assert_eq!(fold_ascii("Phường Hòa Hiệp"), "phuong hoa hiep");
        assert_eq!(fold_ascii("Đắk Lắk"), "dak lak");
        assert_eq!(fold_ascii("  Xã  Nghệ-An "), "xa nghe an");
        assert_eq!(fold_ascii("ĐƯỜNG"), "duong");
    }

    #[test]
    fn tone_key_ignores_tone_placement_but_keeps_tones() {
        assert_eq!(tone_key("Hòa"), tone_key("Hoà"));
        assert_eq!(tone_key("Khánh Hòa"), tone_key("Khánh Hoà"));
        assert_eq!(tone_key("Thủy"), tone_key("Thuỷ"));
        assert_ne!(tone_key("Hòa"), tone_key("Hóa"));
        assert_eq!(tone_key("Hiệp"), "5hiêp");
        assert_eq!(tone_key("Đà"), "2đa");
    }

    #[test]
    fn search_fold_unifies_i_and_y_spellings() {
        assert_eq!(
            search_fold("Đăng kí kết hôn"),
            search_fold("đăng ký kết hôn")
        );
        assert_eq!(search_fold("Lý lịch tư pháp"), "li lich tu phap");
        // "giấy" (paper) is not "giải": only a y after a consonant changes.
        assert_eq!(search_fold("giấy phép"), "giay phep");
        assert_eq!(search_fold("Quy định"), "quy dinh");
    }

    #[test]
    fn query_words_pick_the_key_by_what_was_typed() {
        assert_eq!(
            query_words("hoa Hiệp"),
            vec![
                QueryWord::Ascii("hoa".into()),
                QueryWord::Toned("5hiêp".into())
            ]
        );
        assert!(query_words(" ,, ").is_empty());
    }

    #[test]
    fn vietnamese_letter_table_folds_to_its_ascii() {
        // Every Vietnamese letter from the shipped fold table (char, ascii) pairs.
        let table = "àa áa ảa ãa ạa ăa ằa ắa ẳa ẵa ặa âa ầa ấa ẩa ẫa ậa èe ée ẻe ẽe ẹe êe ềe ếe ểe ễe ệe \
                     ìi íi ỉi ĩi ịi òo óo ỏo õo ọo ôo ồo ốo ổo ỗo ộo ơo ờo ớo ởo ỡo ợo ùu úu ủu ũu ụu \
                     ưu ừu ứu ửu ữu ựu ỳy ýy ỷy ỹy ỵy đd";
        for pair in table.split_whitespace() {
            let mut cs = pair.chars();
            let (c, a) = (cs.next().unwrap(), cs.next().unwrap());
            assert_eq!(fold_ascii(&c.to_string()), a.to_string(), "{c}");
            let upper: String = c.to_uppercase().collect();
            assert_eq!(fold_ascii(&upper), a.to_string(), "{upper}");
        }
    }

    #[test]
    fn brackets_get_their_spaces() {
        assert_eq!(
            spaced("Miễn phí(Thực hiện theo Thông tư)Lệ phí;Phí"),
            "Miễn phí (Thực hiện theo Thông tư) Lệ phí; Phí"
        );
        assert_eq!(spaced("20.000 đồng (1), (2)"), "20.000 đồng (1), (2)");
        assert_eq!(spaced("Tờ khai (bản chính)"), "Tờ khai (bản chính)");
    }

    #[test]
    fn thousands_are_grouped_with_dots() {
        assert_eq!(group_thousands("7"), "7");
        assert_eq!(group_thousands("1816"), "1.816");
        assert_eq!(group_thousands("1500000"), "1.500.000");
        assert_eq!(group_thousands("100000"), "100.000");
    }

    #[test]
    fn queries_are_bounded_in_characters_and_words() {
        assert!(query_within_bounds("đăng ký kết hôn"));
        assert!(query_within_bounds(&"a ".repeat(MAX_QUERY_WORDS)));
        assert!(!query_within_bounds(&"a ".repeat(MAX_QUERY_WORDS + 1)));
        assert!(!query_within_bounds(&"ê".repeat(MAX_QUERY_CHARS + 1)));
        assert!(query_within_bounds(&"ê".repeat(MAX_QUERY_CHARS)));
        let long = "kết hôn ".repeat(500);
        let short = shorten_query(&long);
        assert!(query_within_bounds(&short));
        assert_eq!(words(&short).count(), MAX_QUERY_WORDS);
        assert!(short.starts_with("kết hôn kết"));
        assert!(shorten_query(&"x".repeat(300)).is_empty());
    }
}
