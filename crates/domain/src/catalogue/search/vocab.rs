//! The words of the catalogue, each with a number, and the three ways a query word reaches
//! them: whole, as a prefix (a word still being typed), or with one typo. Typo candidates come
//! from a deletion neighbourhood: every word of two letters or more is also filed under each
//! of its one-letter deletions, so the words within one edit (insertion, deletion,
//! substitution, swap of neighbours) of a query word are found by a few map look-ups and then
//! checked with [`edit_distance`].

use rustc_hash::FxHashMap as HashMap;

/// Folded words by number; see the module docs.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    terms: Vec<String>,
    ids: HashMap<String, u32>,
    /// Numbers in the order of their words, for prefix ranges.
    sorted: Vec<u32>,
    /// One-letter deletions of the words of two letters or more → those words.
    deletions: HashMap<String, Vec<u32>>,
}

/// At most this many words stand for one prefix (the first in alphabetical order).
pub const MAX_PREFIX_TERMS: usize = 64;

/// The word without its `i`-th letter (letters, not bytes).
fn without(word: &str, i: usize) -> String {
    let mut out = String::with_capacity(word.len());
    without_into(word, i, &mut out);
    out
}

/// [`without`] into a buffer.
fn without_into(word: &str, i: usize, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.push_str(&word[..i]);
        out.push_str(&word[i + 1..]);
    } else {
        out.extend(
            word.chars()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c),
        );
    }
}

impl Vocabulary {
    /// The number of `word`, adding it when new. Call [`Vocabulary::finish`] after the last.
    pub fn intern(&mut self, word: &str) -> u32 {
        if let Some(id) = self.ids.get(word) {
            return *id;
        }
        let id = self.terms.len() as u32;
        self.terms.push(word.to_string());
        self.ids.insert(word.to_string(), id);
        id
    }

    /// Builds the prefix order and the deletion neighbourhood.
    pub fn finish(&mut self) {
        self.sorted = (0..self.terms.len() as u32).collect();
        self.sorted
            .sort_unstable_by(|a, b| self.terms[*a as usize].cmp(&self.terms[*b as usize]));
        self.deletions.clear();
        for (id, t) in self.terms.iter().enumerate() {
            let n = t.chars().count();
            if n < 2 {
                continue;
            }
            for i in 0..n {
                let ids = self.deletions.entry(without(t, i)).or_default();
                if !ids.contains(&(id as u32)) {
                    ids.push(id as u32);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn id(&self, word: &str) -> Option<u32> {
        self.ids.get(word).copied()
    }

    pub fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    /// Words that start with `prefix` and are longer, at most [`MAX_PREFIX_TERMS`].
    pub fn longer_with_prefix(&self, prefix: &str) -> Vec<u32> {
        let start = self
            .sorted
            .partition_point(|id| self.terms[*id as usize].as_str() < prefix);
        self.sorted[start..]
            .iter()
            .copied()
            .take_while(|id| self.terms[*id as usize].starts_with(prefix))
            .filter(|id| self.terms[*id as usize].len() > prefix.len())
            .take(MAX_PREFIX_TERMS)
            .collect()
    }

    /// Words exactly one edit away from `word` (not `word` itself), in number order.
    pub fn one_edit_away(&self, word: &str) -> Vec<u32> {
        let n = word.chars().count();
        let mut found: Vec<u32> = Vec::new();
        let mut consider = |ids: &[u32]| {
            for id in ids {
                if !found.contains(id) && one_edit(word, self.term(*id)) {
                    found.push(*id);
                }
            }
        };
        // `word` is a word minus one letter (an insertion was left out by the user).
        if let Some(ids) = self.deletions.get(word) {
            consider(ids);
        }
        let mut del = String::with_capacity(word.len());
        for i in 0..n {
            without_into(word, i, &mut del);
            // A word is `word` minus one letter (the user typed one too many).
            if let Some(id) = self.ids.get(del.as_str()) {
                consider(&[*id]);
            }
            // Substitution or swap: both lose a letter and meet.
            if let Some(ids) = self.deletions.get(del.as_str()) {
                consider(ids);
            }
        }
        found.sort_unstable();
        found
    }
}

/// True when `a` and `b` are exactly one edit apart (insert, delete, substitute, swap
/// neighbours): [`edit_distance`]`(a, b, 1) == 1` without allocating.
pub fn one_edit(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return edit_distance(a, b, 1) == 1;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let i = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        if i == short.len() {
            return false;
        }
        // A substitution at i, or i and i + 1 swapped.
        short[i + 1..] == long[i + 1..]
            || (i + 1 < short.len()
                && short[i] == long[i + 1]
                && short[i + 1] == long[i]
                && short[i + 2..] == long[i + 2..])
    } else {
        // The longer one has one letter more at i.
        short[i..] == long[i + 1..]
    }
}

/// Optimal string alignment distance (insert, delete, substitute, swap neighbours) between two
/// words, stopping early past `max` (then `max + 1`).
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
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
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(max + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(words: &[&str]) -> Vocabulary {
        let mut v = Vocabulary::default();
        for w in words {
            v.intern(w);
        }
        v.finish();
        v
    }

    fn terms(v: &Vocabulary, ids: &[u32]) -> Vec<String> {
        ids.iter().map(|id| v.term(*id).to_string()).collect()
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("khia", "khai", 2), 1);
        assert_eq!(edit_distance("giay", "giay", 2), 0);
        assert_eq!(edit_distance("abc", "xyz", 1), 2);
        assert_eq!(edit_distance("truong", "trung", 1), 1);
        for (a, b) in [
            ("truong", "trung"),
            ("thaun", "thuan"),
            ("thuen", "thuan"),
            ("hi", "chi"),
            ("a", "an"),
            ("atm", "tam"),
            ("abc", "abc"),
            ("abc", "xyz"),
            ("ab", "ba"),
            ("abcd", "acbd"),
            ("abcd", "badc"),
            ("đa", "da"),
            ("", "a"),
        ] {
            assert_eq!(one_edit(a, b), edit_distance(a, b, 1) == 1, "{a} {b}");
            assert_eq!(one_edit(b, a), one_edit(a, b), "{a} {b}");
        }
    }

    #[test]
    fn every_kind_of_single_typo_is_found() {
        let v = vocab(&["truong", "thuan", "khoan", "trung", "moi"]);
        // Deletion (trung for truong) and, the other way, insertion.
        assert_eq!(terms(&v, &v.one_edit_away("trung")), vec!["truong"]);
        assert_eq!(terms(&v, &v.one_edit_away("truonng")), vec!["truong"]);
        // Substitution and swap of neighbours.
        assert_eq!(terms(&v, &v.one_edit_away("thuen")), vec!["thuan"]);
        assert_eq!(terms(&v, &v.one_edit_away("thaun")), vec!["thuan"]);
        assert!(v.one_edit_away("xyzzy").is_empty());
    }

    #[test]
    fn prefixes_list_longer_words_in_order() {
        let v = vocab(&["sinh", "si", "sieu", "so"]);
        assert_eq!(terms(&v, &v.longer_with_prefix("si")), vec!["sieu", "sinh"]);
        assert!(v.longer_with_prefix("sinh").is_empty());
    }
}
