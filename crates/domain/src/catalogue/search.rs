//! Search over the catalogue as Vietnamese people type: without accents, with i/y spelling
//! variants, partial words and small typos. The database's full-text index finds candidates;
//! this module decides which words to look for ([`plan`]) and in what order the candidates
//! come ([`score`]), so both database backends give the same ranking.

use std::collections::BTreeSet;

use crate::text::{fold_ascii, search_word};

/// One query word and the index terms that may stand for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The folded word as typed.
    pub word: String,
    /// Index words that stand for it: the word itself, or its typo corrections.
    pub alternatives: Vec<String>,
    /// Match the alternatives as word prefixes (the word being typed, or a partial word), not
    /// as whole words.
    pub prefix: bool,
    /// True when the word itself is not in the index and only corrections are searched.
    pub corrected: bool,
}

impl Term {
    /// The alternatives as the store's term strings: a trailing `*` marks a prefix.
    pub fn store_terms(&self) -> Vec<String> {
        self.alternatives
            .iter()
            .map(|a| {
                if self.prefix {
                    format!("{a}*")
                } else {
                    a.clone()
                }
            })
            .collect()
    }
}

/// What to search for: the terms, and the words dropped because nothing in the index is like
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub terms: Vec<Term>,
    pub ignored: Vec<String>,
}

/// Folds a query into words (ASCII, i/y unified).
pub fn query_words(q: &str) -> Vec<String> {
    fold_ascii(q)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(search_word)
        .collect()
}

/// The words of the index (folded), for typo correction.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    words: BTreeSet<String>,
}

impl Vocabulary {
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vocabulary {
        let mut words = BTreeSet::new();
        for t in texts {
            for w in t.split(' ').filter(|w| !w.is_empty()) {
                if !words.contains(w) {
                    words.insert(w.to_string());
                }
            }
        }
        Vocabulary { words }
    }

    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether some index word starts with `prefix`.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.words
            .range(prefix.to_string()..)
            .next()
            .is_some_and(|w| w.starts_with(prefix))
    }

    /// Index words within one edit (two for long words) of `word`.
    pub fn corrections(&self, word: &str) -> Vec<String> {
        let max = if word.chars().count() >= 8 { 2 } else { 1 };
        let mut found: Vec<(usize, &String)> = self
            .words
            .iter()
            .filter(|w| w.len().abs_diff(word.len()) <= max)
            .filter_map(|w| {
                let d = edit_distance(word, w, max);
                (d <= max).then_some((d, w))
            })
            .collect();
        found.sort();
        found.into_iter().take(8).map(|(_, w)| w.clone()).collect()
    }
}

/// Optimal string alignment distance (insert, delete, substitute, swap neighbours), stopping
/// early past `max`.
fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<u8> = a.bytes().collect();
    let b: Vec<u8> = b.bytes().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

/// Decides what to search for `q`. A word the index has whole is matched whole, except the
/// last word, which may still be being typed and is matched as a prefix; a word the index has
/// only as a prefix is matched as one; any other word of 4 letters or more is replaced by its
/// corrections; what is left is ignored.
pub fn plan(q: &str, vocab: &Vocabulary) -> Plan {
    let mut plan = Plan::default();
    let words = query_words(q);
    let last = words.len().saturating_sub(1);
    for (i, word) in words.into_iter().enumerate() {
        if vocab.has_prefix(&word) {
            let prefix = i == last || !vocab.contains(&word);
            plan.terms.push(Term {
                alternatives: vec![word.clone()],
                word,
                prefix,
                corrected: false,
            });
            continue;
        }
        let fixes = if word.len() >= 4 {
            vocab.corrections(&word)
        } else {
            Vec::new()
        };
        if fixes.is_empty() {
            plan.ignored.push(word);
        } else {
            plan.terms.push(Term {
                word,
                alternatives: fixes,
                prefix: false,
                corrected: true,
            });
        }
    }
    plan
}

/// The relevance of a candidate whose folded code and name is `name` (higher is better).
/// Rules, in order of weight: the query as a phrase in the name (at its start best); every
/// word in the name; each word found in the name, whole or as a prefix; corrected words count
/// less; shorter names first.
pub fn score(plan: &Plan, name: &str) -> i64 {
    let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
    let mut s = 0i64;
    let mut in_name = 0;
    for t in &plan.terms {
        let exact = t.alternatives.iter().any(|a| words.contains(&a.as_str()));
        let prefix = exact
            || t.alternatives
                .iter()
                .any(|a| words.iter().any(|w| w.starts_with(a.as_str())));
        if prefix {
            in_name += 1;
            s += if exact { 40 } else { 30 };
        } else {
            s += 5;
        }
        if t.corrected {
            s -= 10;
        }
    }
    if !plan.terms.is_empty() && in_name == plan.terms.len() {
        s += 50;
    }
    let phrase: Vec<&str> = plan
        .terms
        .iter()
        .map(|t| t.alternatives[0].as_str())
        .collect();
    let phrase = phrase.join(" ");
    if plan.terms.len() > 1 && !phrase.is_empty() {
        let padded = format!(" {name} ");
        if padded.contains(&format!(" {phrase} ")) || padded.contains(&format!(" {phrase}")) {
            s += 100;
            // The name after the code starts with the phrase.
            let title: Vec<&str> = words
                .iter()
                .copied()
                .skip_while(|w| w.chars().all(|c| c.is_ascii_digit()))
                .collect();
            if title.join(" ").starts_with(&phrase) {
                s += 30;
            }
        }
    }
    s - words.len() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::from_texts([
            "dang ki khai sinh",
            "dang ki ket hon",
            "cap lai giay phep lai xe",
            "khai tu",
        ])
    }

    #[test]
    fn words_are_folded_and_variants_unified() {
        assert_eq!(
            query_words("Đăng KÝ kết hôn"),
            vec!["dang", "ki", "ket", "hon"]
        );
    }

    #[test]
    fn typos_are_corrected_from_the_index() {
        let p = plan("dang ky khia sinh", &vocab());
        assert_eq!(p.terms[2].alternatives, vec!["khai"]);
        assert!(p.terms[2].corrected);
        let p = plan("giay phep lai xe zzz", &vocab());
        assert_eq!(p.ignored, vec!["zzz"]);
        // The last word, being typed, is a prefix; whole words are matched whole.
        let p = plan("khai si", &vocab());
        assert_eq!(p.terms[1].store_terms(), vec!["si*"]);
        assert_eq!(p.terms[0].store_terms(), vec!["khai"]);
        // A partial word inside the query stays a prefix too.
        assert_eq!(
            plan("giay ph lai", &vocab()).terms[1].store_terms(),
            vec!["ph*"]
        );
    }

    #[test]
    fn the_phrase_in_the_name_ranks_first() {
        let p = plan("dang ki khai sinh", &vocab());
        let birth = score(&p, "1 001193 dang ki khai sinh");
        let late = score(&p, "2 000528 dang ki khai sinh co yeu to nuoc ngoai");
        let scattered = score(&p, "1 000001 dang ki lai viec sinh khai");
        assert!(
            birth > late && late > scattered,
            "{birth} {late} {scattered}"
        );
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("khia", "khai", 2), 1);
        assert_eq!(edit_distance("giay", "giay", 2), 0);
        assert_eq!(edit_distance("abc", "xyz", 1), 2);
    }
}
