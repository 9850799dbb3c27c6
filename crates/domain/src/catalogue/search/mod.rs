//! Catalogue search as Vietnamese people type: with or without accents, either tone placement
//! (hoà = hòa), either i/y spelling (kí = ký), a word still being typed, one typo, and words
//! that match nothing. The whole published catalogue (a few thousand procedures) is indexed in
//! memory ([`SearchIndex`]), so every backend gives the same answers in the same order.
//!
//! **Matching.** Text is folded to ASCII words ([`search_fold`](crate::text::search_fold)'s
//! rules: no diacritics, đ → d, a final y after a consonant → i). A query word reaches an index
//! word when it is
//! - the same word with the same diacritics (tone placement ignored): *exact*;
//! - the same folded word: *folded*;
//! - a longer word it begins, when it is the query's last word (being typed) or not a word of
//!   the index at all: *prefix*;
//! - one edit away (a letter left out, added, changed, or two neighbours swapped), when it has
//!   five letters or more, or four and is no word of the index: *typo*. A real word can be a
//!   typo too ("trưng" for "trường"), so typos are looked for even when the word exists;
//! - one edit away, for a shorter word, when the name has that word right after the query's
//!   previous word or right before its next: the neighbour vouches for it ("hi nhánh" for
//!   "chi nhánh"; *typo*).
//!
//! Words are looked for in the name (with the code) and in the body (field, competent bodies,
//! results).
//!
//! **Never nothing.** A procedure is an answer when it has as many of the query's words as
//! the best procedure has: all of them when some procedure has all, else one fewer, and so on.
//! This is relaxing the query word by word; which word is given up first is decided by the
//! ranking's second rule (keep the most informative words), all in one pass.
//!
//! **Ranking**, each rule only breaking the ties of the ones before:
//! 1. words found (name or body);
//! 2. how informative they are: the sum of their inverse document frequencies, so a procedure
//!    that lost a common word beats one that lost a rare one;
//! 3. preferred procedures first (the counter's: those its centre receives), when the caller
//!    says which;
//! 4. words found in the name;
//! 5. closeness of the words in the name: exact 4, folded 3, prefix 2, typo 1 each;
//! 6. query words next to each other in the name as in the query (a phrase);
//! 7. the first word found early in the title (after the code and a leading "Thủ tục");
//! 8. a shorter title; then the order the documents were given in (by code).
//!
//! Words that reach no index word at all are reported as ignored.

mod rank;
mod vocab;

use rustc_hash::FxHashMap as HashMap;
use std::cmp::Reverse;

pub use vocab::{MAX_PREFIX_TERMS, Vocabulary, edit_distance};

use crate::catalogue::Procedure;
use crate::text::{fold_ascii, has_diacritics, search_word, tone_key, words};

/// At most this many query words are used; the rest is ignored.
pub const MAX_QUERY_WORDS: usize = 24;

/// A document to index: a procedure's code, name and body text (any folding).
#[derive(Debug, Clone, Copy)]
pub struct Doc<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub body: &'a str,
}

/// The text of a procedure searched besides its name: field, competent and implementing
/// bodies, results.
pub fn body_text(p: &Procedure) -> String {
    let mut out = format!("{} {} {}", p.field, p.competent_body, p.implementing_body);
    for r in &p.result {
        out.push(' ');
        out.push_str(&r.name);
    }
    out
}

/// How closely a query word matches an index word (higher is closer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Closeness {
    Typo = 1,
    Prefix = 2,
    Folded = 3,
    Exact = 4,
}

/// A document's place in the ranking (compare: greater is better; see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Score {
    pub matched: u8,
    pub informative: u32,
    pub preferred: bool,
    pub in_name: u8,
    pub closeness: u16,
    pub adjacent: u8,
    pub early: Reverse<u16>,
    pub short: Reverse<u16>,
}

/// One answer: the document's number (its place in the input) and its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub doc: usize,
    pub score: Score,
    /// The query words it has (bit i: word i).
    pub words: u32,
}

/// What a search returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// The best answers, best first (at most the number asked for).
    pub top: Vec<Found>,
    /// How many documents are answers.
    pub total: usize,
    /// Query words (folded) that reach no word of the index.
    pub ignored: Vec<String>,
}

struct DocIndex {
    /// Folded words of the code and name, in order.
    terms: Vec<u32>,
    /// The tone key of each of those words (a number in `SearchIndex::tones`).
    tones: Vec<u32>,
    /// Where the title starts: after the code and a leading "thu tuc".
    title: u16,
}

/// The in-memory index of a catalogue (see the module docs).
pub struct SearchIndex {
    vocab: Vocabulary,
    tones: HashMap<String, u32>,
    docs: Vec<DocIndex>,
    /// By word number: the documents with that word in the name, ascending.
    name_postings: Vec<Vec<u32>>,
    /// By word number: (document, place in its name) of every occurrence in a name.
    name_positions: Vec<Vec<(u32, u16)>>,
    /// By word number: the documents with that word in the body (and not the name).
    body_postings: Vec<Vec<u32>>,
}

/// The folded form of one word of text: ASCII, i/y unified.
fn fold_word(w: &str) -> String {
    search_word(&fold_ascii(w))
}

/// The tone key of one word, i/y unified (kí = ký, hoà = hòa).
fn tone_word(w: &str) -> String {
    search_word(&tone_key(w))
}

/// One query word: its folding, its tone key when typed with accents, and the index words it
/// reaches.
struct QueryWord {
    folded: String,
    tone: Option<u32>,
    reaches: Vec<(u32, Closeness)>,
    /// For a shorter word: the index words one edit away, which count only next to a
    /// neighbour found in place (see `Walk::score`).
    nearby: Vec<u32>,
}

impl SearchIndex {
    pub fn build<'a>(docs: impl IntoIterator<Item = Doc<'a>>) -> SearchIndex {
        let mut vocab = Vocabulary::default();
        let mut tones: HashMap<String, u32> = HashMap::default();
        let mut indexed = Vec::new();
        let mut bodies: Vec<Vec<u32>> = Vec::new();
        for d in docs {
            let mut terms = Vec::new();
            let mut tone_ids = Vec::new();
            let mut push = |w: &str, terms: &mut Vec<u32>, tone_ids: &mut Vec<u32>| {
                let f = fold_word(w);
                if f.is_empty() {
                    return;
                }
                terms.push(vocab.intern(&f));
                let n = tones.len() as u32;
                tone_ids.push(*tones.entry(tone_word(w)).or_insert(n));
            };
            for w in words(d.code) {
                push(w, &mut terms, &mut tone_ids);
            }
            let mut title = terms.len();
            for w in words(d.name) {
                push(w, &mut terms, &mut tone_ids);
            }
            let thu = vocab.id("thu");
            let tuc = vocab.id("tuc");
            if terms.len() > title + 2 && Some(terms[title]) == thu && Some(terms[title + 1]) == tuc
            {
                title += 2;
            }
            let mut body: Vec<u32> = words(d.body)
                .map(fold_word)
                .filter(|f| !f.is_empty())
                .map(|f| vocab.intern(&f))
                .filter(|id| !terms.contains(id))
                .collect();
            body.sort_unstable();
            body.dedup();
            bodies.push(body);
            indexed.push(DocIndex {
                terms,
                tones: tone_ids,
                title: title.min(u16::MAX as usize) as u16,
            });
        }
        vocab.finish();
        let mut name_postings = vec![Vec::new(); vocab.len()];
        let mut body_postings = vec![Vec::new(); vocab.len()];
        let mut name_positions = vec![Vec::new(); vocab.len()];
        for (i, d) in indexed.iter().enumerate() {
            for (p, t) in d.terms.iter().enumerate().take(u16::MAX as usize) {
                name_positions[*t as usize].push((i as u32, p as u16));
            }
            let mut seen: Vec<u32> = d.terms.clone();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                name_postings[t as usize].push(i as u32);
            }
            for t in &bodies[i] {
                body_postings[*t as usize].push(i as u32);
            }
        }
        SearchIndex {
            vocab,
            tones,
            docs: indexed,
            name_postings,
            name_positions,
            body_postings,
        }
    }

    /// How many documents are indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// One query word: the index words it reaches, with how closely, and the ones one edit
    /// away that count only next to a neighbour (see the module docs).
    fn query_word(&self, word: &str, last: bool) -> QueryWord {
        let folded = fold_word(word);
        let mut reaches = Vec::new();
        let whole = self.vocab.id(&folded);
        if let Some(id) = whole {
            reaches.push((id, Closeness::Folded));
        }
        if !folded.is_empty() && (last || whole.is_none()) {
            reaches.extend(
                self.vocab
                    .longer_with_prefix(&folded)
                    .into_iter()
                    .map(|id| (id, Closeness::Prefix)),
            );
        }
        let letters = folded.chars().count();
        let typos = if letters == 0 {
            Vec::new()
        } else {
            self.vocab.one_edit_away(&folded)
        };
        let mut nearby = Vec::new();
        let anywhere = letters >= 5 || (letters == 4 && whole.is_none());
        for id in typos {
            if reaches.iter().any(|(o, _)| *o == id) {
                continue;
            }
            if anywhere {
                reaches.push((id, Closeness::Typo));
            } else {
                nearby.push(id);
            }
        }
        QueryWord {
            // A tone key no index word has matches none (u32::MAX is no number).
            tone: has_diacritics(word).then(|| {
                self.tones
                    .get(&tone_word(word))
                    .copied()
                    .unwrap_or(u32::MAX)
            }),
            folded,
            reaches,
            nearby,
        }
    }

    fn query(&self, q: &str) -> Vec<QueryWord> {
        let typed: Vec<&str> = words(q).take(MAX_QUERY_WORDS).collect();
        let last = typed.len().saturating_sub(1);
        typed
            .iter()
            .enumerate()
            .map(|(i, w)| self.query_word(w, i == last))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[(&str, &str)]) -> SearchIndex {
        SearchIndex::build(names.iter().map(|(code, name)| Doc {
            code,
            name,
            body: "",
        }))
    }

    fn codes(ix: &SearchIndex, names: &[(&str, &str)], q: &str) -> Vec<String> {
        ix.search(q, |_| true, |_| false, 10)
            .top
            .iter()
            .map(|f| names[f.doc].0.to_string())
            .collect()
    }

    const NAMES: [(&str, &str); 6] = [
        ("1.001193", "Thủ tục đăng ký khai sinh"),
        ("2.000528", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài"),
        ("1.000894", "Thủ tục đăng ký kết hôn"),
        ("1.008323", "Khai thuế bảo vệ môi trường"),
        (
            "1.000001",
            "Cấp giấy phép khai thác nước dưới đất cho sinh hoạt",
        ),
        ("1.000002", "Hòa giải tranh chấp đất đai"),
    ];

    #[test]
    fn accents_spellings_and_tone_placement_do_not_matter() {
        let ix = index(&NAMES);
        for q in [
            "dang ky khai sinh",
            "Đăng kí khai sinh",
            "ĐĂNG KÝ KHAI SINH",
            "khai sinh",
        ] {
            assert_eq!(codes(&ix, &NAMES, q)[0], "1.001193", "{q}");
        }
        assert_eq!(codes(&ix, &NAMES, "hoà giải")[0], "1.000002");
    }

    #[test]
    fn one_typo_in_a_long_word_is_forgiven_even_when_it_is_a_real_word() {
        let ix = index(&NAMES);
        assert_eq!(
            codes(&ix, &NAMES, "khai thuế bảo vệ môi trưng")[0],
            "1.008323"
        );
        assert_eq!(codes(&ix, &NAMES, "dang ky khai sinhh")[0], "1.001193");
    }

    #[test]
    fn a_word_matching_nowhere_is_given_up_and_reported() {
        let ix = index(&NAMES);
        let a = ix.search("khai sinh qqqq", |_| true, |_| false, 10);
        assert_eq!(a.ignored, vec!["qqqq"]);
        assert_eq!(NAMES[a.top[0].doc].0, "1.001193");
        // A real word in the wrong place: the others still find the procedure.
        assert_eq!(codes(&ix, &NAMES, "đăng ký hôn kết hôn")[0], "1.000894");
        assert!(ix.search("zzzz", |_| true, |_| false, 10).top.is_empty());
    }

    #[test]
    fn the_phrase_beats_scattered_words_and_the_shorter_title_wins() {
        let ix = index(&NAMES);
        // "khai ... sinh" scattered in the water licence; the phrase in birth registration.
        let found = codes(&ix, &NAMES, "khai sinh");
        assert_eq!(&found[..2], ["1.001193", "2.000528"]);
        assert_eq!(found.last().map(String::as_str), Some("1.000001"));
    }

    #[test]
    fn the_last_word_is_a_prefix_and_filters_and_preferences_apply() {
        let ix = index(&NAMES);
        assert_eq!(codes(&ix, &NAMES, "dang ky ket h")[0], "1.000894");
        let a = ix.search("khai sinh", |d| d != 0, |_| false, 10);
        assert_eq!(NAMES[a.top[0].doc].0, "2.000528");
        let a = ix.search("dang ky", |_| true, |d| d == 2, 10);
        assert_eq!(NAMES[a.top[0].doc].0, "1.000894");
        assert_eq!(a.total, 3);
    }
}
