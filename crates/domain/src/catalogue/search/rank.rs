//! Answering one query over a [`SearchIndex`] with the matching and ranking rules of the
//! module docs, touching as little as possible: the postings say which documents have which
//! query words; a word missing from a document but one edit away from a word of its name
//! counts when a neighbour vouches for it, which the positions of the near misses tell
//! without reading the name; the first rules of the ranking need no walk through a name, and
//! of the documents tied on them only those whose bound can still beat the best found so far
//! are walked.

use std::cell::RefCell;
use std::cmp::Reverse;

use super::{Answer, Closeness, Found, MAX_QUERY_WORDS, QueryWord, Score, SearchIndex};

/// The first rules of [`Score`]: words found, how informative, preferred, words in the name.
type Key = (u8, u32, bool, u8);

/// Bits set in `m`. Queries have a few words, so a table answers (x86-64's baseline has no
/// popcount instruction and this runs for every document of every query).
fn ones(m: u32) -> u32 {
    const TABLE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = (i as u32).count_ones() as u8;
            i += 1;
        }
        t
    };
    if m < 256 {
        TABLE[m as usize] as u32
    } else {
        m.count_ones()
    }
}

/// What one index word means to the current query: the query words it is (in place), those
/// it is one edit from (near misses, see [`Plan::realize`]), and how closely it matches each.
#[derive(Clone, Copy)]
struct Group {
    place: u32,
    near: u32,
    close: [u8; MAX_QUERY_WORDS],
}

thread_local! {
    /// By index word: (generation, group number), valid when the generation is the current
    /// query's. Kept between queries so that no query clears a table the size of the vocabulary.
    static SLOTS: RefCell<(u32, Vec<(u32, u32)>)> = const { RefCell::new((0, Vec::new())) };
}

/// The current query's view of [`SLOTS`].
struct Slots<'a> {
    generation: u32,
    cells: &'a mut [(u32, u32)],
}

impl Slots<'_> {
    fn get(&self, term: u32) -> Option<u32> {
        let (g, s) = self.cells[term as usize];
        (g == self.generation).then_some(s)
    }
}

/// Runs `f` with a slot table for a vocabulary of `len` words, all empty.
fn with_slots<R>(len: usize, f: impl FnOnce(Slots) -> R) -> R {
    SLOTS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut table) => {
            let (generation, cells) = &mut *table;
            *generation = generation.wrapping_add(1);
            if *generation == 0 {
                cells.iter_mut().for_each(|c| *c = (0, 0));
                *generation = 1;
            }
            if cells.len() < len {
                cells.resize(len, (0, 0));
            }
            f(Slots {
                generation: *generation,
                cells,
            })
        }
        // A search from inside a filter of another search: a table of its own.
        Err(_) => f(Slots {
            generation: 1,
            cells: &mut vec![(0, 0); len],
        }),
    })
}

/// Which query words (bits) each document has.
struct Marks {
    in_name: Vec<u32>,
    anywhere: Vec<u32>,
    /// Missing words one edit from a word of the name next to a neighbour found in place.
    vouched: Vec<u32>,
    /// Near misses whose neighbour is itself a near miss: for [`Plan::realize`] to decide.
    chained: Vec<u32>,
}

/// A query made ready for the index: its words, what each index word it reaches means to it,
/// and how informative each word is.
struct Plan<'a> {
    ix: &'a SearchIndex,
    words: &'a [QueryWord],
    slots: Slots<'a>,
    groups: Vec<Group>,
    idf: Vec<u32>,
    /// By query word: the closest it can be to a word of a name (a `Closeness` number).
    closest: Vec<u8>,
}

impl<'a> Plan<'a> {
    fn new(ix: &'a SearchIndex, words: &'a [QueryWord], slots: Slots<'a>) -> Plan<'a> {
        let mut groups: Vec<Group> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let nearby = w.nearby.iter().map(|t| (*t, None));
            for (t, c) in w.reaches.iter().map(|(t, c)| (*t, Some(*c))).chain(nearby) {
                let g = match slots.get(t) {
                    Some(g) => g as usize,
                    None => {
                        slots.cells[t as usize] = (slots.generation, groups.len() as u32);
                        groups.push(Group {
                            place: 0,
                            near: 0,
                            close: [0; MAX_QUERY_WORDS],
                        });
                        groups.len() - 1
                    }
                };
                match c {
                    Some(c) => {
                        groups[g].place |= 1 << i;
                        groups[g].close[i] = c as u8;
                    }
                    None => groups[g].near |= 1 << i,
                }
            }
        }
        let closest = words
            .iter()
            .map(|w| {
                w.reaches
                    .iter()
                    .map(|(_, c)| match c {
                        Closeness::Folded if w.tone.is_some() => Closeness::Exact,
                        c => *c,
                    } as u8)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        Plan {
            ix,
            words,
            slots,
            groups,
            idf: Vec::new(),
            closest,
        }
    }

    fn group(&self, term: u32) -> Option<&Group> {
        self.slots.get(term).map(|g| &self.groups[g as usize])
    }

    /// The query words in place at word `p` of document `d`'s name.
    fn place(&self, d: usize, p: usize) -> u32 {
        self.group(self.ix.docs[d].terms[p]).map_or(0, |g| g.place)
    }

    /// Walks the postings of the query's words.
    fn mark(&self) -> Marks {
        let n = self.ix.docs.len();
        let mut m = Marks {
            in_name: vec![0; n],
            anywhere: vec![0; n],
            vouched: vec![0; n],
            chained: vec![0; n],
        };
        let count = self.words.len();
        for (i, w) in self.words.iter().enumerate() {
            let bit = 1u32 << i;
            for (t, _) in &w.reaches {
                for d in &self.ix.name_postings[*t as usize] {
                    m.in_name[*d as usize] |= bit;
                    m.anywhere[*d as usize] |= bit;
                }
                for d in &self.ix.body_postings[*t as usize] {
                    m.anywhere[*d as usize] |= bit;
                }
            }
            for t in &w.nearby {
                for (d, p) in &self.ix.name_positions[*t as usize] {
                    let (d, p) = (*d as usize, *p as usize);
                    let len = self.ix.docs[d].terms.len();
                    let after = i > 0 && p > 0 && self.place(d, p - 1) & (bit >> 1) != 0;
                    let before =
                        i + 1 < count && p + 1 < len && self.place(d, p + 1) & (bit << 1) != 0;
                    if after || before {
                        m.vouched[d] |= bit;
                    } else if i > 0 && p > 0 {
                        let prev = self.ix.docs[d].terms[p - 1];
                        if self.group(prev).is_some_and(|g| g.near & (bit >> 1) != 0) {
                            m.chained[d] |= bit;
                        }
                    }
                }
            }
        }
        m
    }

    /// Inverse document frequency of each query word (over the whole catalogue).
    fn weigh(&mut self, anywhere: &[u32]) {
        let mut df = vec![0u32; self.words.len()];
        for m in anywhere {
            let mut m = *m;
            while m != 0 {
                df[m.trailing_zeros() as usize] += 1;
                m &= m - 1;
            }
        }
        let n = anywhere.len() as f64;
        self.idf = df
            .iter()
            .map(|d| match d {
                0 => 0,
                d => (((n + 1.0) / (*d as f64)).ln() * 1000.0) as u32,
            })
            .collect();
    }

    fn informative(&self, anywhere: u32) -> u32 {
        let mut m = anywhere;
        let mut sum = 0;
        while m != 0 {
            sum += self.idf[m.trailing_zeros() as usize];
            m &= m - 1;
        }
        sum
    }

    /// The first rules of a document's score, known without walking its name.
    fn key(&self, anywhere: u32, in_name: u32, preferred: bool) -> Key {
        (
            ones(anywhere) as u8,
            self.informative(anywhere),
            preferred,
            ones(in_name) as u8,
        )
    }

    /// Which of the `missing` query words (bits) document `d` has with a typo next to a
    /// neighbour, exactly as [`Plan::score`] decides: needed only when a near miss stands
    /// next to another near miss (the first may vouch for the second once found).
    fn realize(&self, d: usize, missing: u32) -> u32 {
        let terms = &self.ix.docs[d].terms;
        let at = |p: usize| self.group(terms[p]).map_or((0, 0), |g| (g.place, g.near));
        let n = self.words.len();
        let mut found = 0u32;
        // Where each found word stands (it vouches for the next one, as in the walk).
        let mut placed = [usize::MAX; MAX_QUERY_WORDS];
        for i in (0..n).filter(|i| missing & (1 << i) != 0) {
            for p in (0..terms.len()).filter(|p| at(*p).1 & (1 << i) != 0) {
                let after =
                    i > 0 && p > 0 && (at(p - 1).0 & (1 << (i - 1)) != 0 || placed[i - 1] == p - 1);
                let before = i + 1 < n && p + 1 < terms.len() && at(p + 1).0 & (1 << (i + 1)) != 0;
                if after || before {
                    found |= 1 << i;
                    placed[i] = p;
                    break;
                }
            }
        }
        found
    }

    /// The best score document `d` could get, without walking its name, given the query
    /// words it has (typos next to a neighbour included): each word of the name at its
    /// closest, all next to each other, the first one first; the length of its title is known.
    fn bound(&self, d: usize, anywhere: u32, in_name: u32, preferred: bool) -> Score {
        let closeness = (0..self.words.len())
            .filter(|i| in_name & (1 << i) != 0)
            .map(|i| self.closest[i].max(Closeness::Typo as u8) as u16)
            .sum();
        let doc = &self.ix.docs[d];
        let title_len = doc.terms.len().saturating_sub(doc.title as usize);
        Score {
            matched: ones(anywhere) as u8,
            informative: self.informative(anywhere),
            preferred,
            in_name: ones(in_name) as u8,
            closeness,
            adjacent: ones(in_name & (in_name << 1)) as u8,
            early: Reverse(0),
            short: Reverse(title_len.min(u16::MAX as usize) as u16),
        }
    }

    /// Scores document `d` by walking its name. A query word the document lacks counts as
    /// found, with a typo, when a word of the name one edit away stands right after the
    /// previous query word or right before the next: short words too ("hi nhánh" for "chi
    /// nhánh"), because their neighbour vouches for them.
    fn score(
        &self,
        d: usize,
        mut anywhere: u32,
        mut in_name: u32,
        preferred: bool,
        (masks, near): &mut (Vec<u32>, Vec<u32>),
    ) -> Found {
        let doc = &self.ix.docs[d];
        let mut best = [0u8; MAX_QUERY_WORDS];
        masks.clear();
        near.clear();
        for (p, t) in doc.terms.iter().enumerate() {
            let Some(g) = self.group(*t) else {
                masks.push(0);
                near.push(0);
                continue;
            };
            let mut m = g.place;
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                m &= m - 1;
                let mut c = g.close[i];
                if c == Closeness::Folded as u8 && self.words[i].tone == Some(doc.tones[p]) {
                    c = Closeness::Exact as u8;
                }
                best[i] = best[i].max(c);
            }
            masks.push(g.place);
            near.push(g.near);
        }
        let n = self.words.len();
        let missing = !anywhere & ((1u64 << n) - 1) as u32;
        for i in (0..n).filter(|i| missing & (1 << i) != 0) {
            for p in (0..masks.len()).filter(|p| near[*p] & (1 << i) != 0) {
                let after = i > 0 && p > 0 && masks[p - 1] & (1 << (i - 1)) != 0;
                let before = i + 1 < n && p + 1 < masks.len() && masks[p + 1] & (1 << (i + 1)) != 0;
                if after || before {
                    masks[p] |= 1 << i;
                    anywhere |= 1 << i;
                    in_name |= 1 << i;
                    best[i] = Closeness::Typo as u8;
                    break;
                }
            }
        }
        let mut adjacent = 0u32;
        let mut first: Option<usize> = None;
        for p in 0..masks.len() {
            if p > 0 {
                adjacent |= (masks[p - 1] << 1) & masks[p];
            }
            if masks[p] != 0 && p >= doc.title as usize && first.is_none() {
                first = Some(p - doc.title as usize);
            }
        }
        let title_len = doc.terms.len().saturating_sub(doc.title as usize);
        let score = Score {
            matched: ones(anywhere) as u8,
            informative: self.informative(anywhere),
            preferred,
            in_name: ones(in_name) as u8,
            closeness: best.iter().map(|c| *c as u16).sum(),
            adjacent: ones(adjacent) as u8,
            early: Reverse(first.unwrap_or(title_len).min(u16::MAX as usize) as u16),
            short: Reverse(title_len.min(u16::MAX as usize) as u16),
        };
        Found {
            doc: d,
            score,
            words: anywhere,
        }
    }
}

impl SearchIndex {
    /// Searches for `q` among the documents `keep` accepts, `prefer`red ones first among
    /// equals, and returns the best `want` answers (see the module docs).
    pub fn search(
        &self,
        q: &str,
        keep: impl Fn(usize) -> bool,
        prefer: impl Fn(usize) -> bool,
        want: usize,
    ) -> Answer {
        let words = self.query(q);
        // Words that reach no index word (and that the best answer has not with a typo).
        let ignored = |top: Option<&Found>| -> Vec<String> {
            let has = top.map(|f| f.words).unwrap_or(0);
            (0..words.len())
                .filter(|i| words[*i].reaches.is_empty() && has & (1 << i) == 0)
                .map(|i| words[i].folded.clone())
                .collect()
        };
        let (top, total) = with_slots(self.vocab.len(), |slots| {
            let mut plan = Plan::new(self, &words, slots);
            let marks = plan.mark();
            plan.weigh(&marks.anywhere);
            plan.answer(&marks, keep, prefer, want)
        });
        Answer {
            ignored: ignored(top.first()),
            top,
            total,
        }
    }
}

impl Plan<'_> {
    /// The best `want` answers, best first, and how many there are.
    fn answer(
        &self,
        m: &Marks,
        keep: impl Fn(usize) -> bool,
        prefer: impl Fn(usize) -> bool,
        want: usize,
    ) -> (Vec<Found>, usize) {
        let all = ((1u64 << self.words.len()) - 1) as u32;
        let n = self.ix.docs.len();
        // The words each document has, typos next to a neighbour included.
        let has = |d: usize| {
            let missing = all & !m.anywhere[d];
            if m.chained[d] & missing != 0 {
                self.realize(d, (m.vouched[d] | m.chained[d]) & missing)
            } else {
                m.vouched[d] & missing
            }
        };
        let most = (0..n)
            .filter(|d| (m.anywhere[*d] | m.vouched[*d] | m.chained[*d]) != 0)
            .map(|d| ones(m.anywhere[d] | m.vouched[d] | m.chained[d]))
            .max()
            .unwrap_or(0);
        // (first rules, document, words found with a typo): the answers have as many words
        // as the best one.
        let mut rest: Vec<(Key, usize, u32)> = Vec::new();
        let mut best = 0;
        for words in (1..=most).rev() {
            for d in 0..n {
                if ones(m.anywhere[d] | m.vouched[d] | m.chained[d]) < words {
                    continue;
                }
                let typos = has(d);
                if ones(m.anywhere[d] | typos) != words || !keep(d) {
                    continue;
                }
                let key = self.key(m.anywhere[d] | typos, m.in_name[d] | typos, prefer(d));
                rest.push((key, d, typos));
            }
            if !rest.is_empty() {
                best = words;
                break;
            }
        }
        let total = rest.len();
        if best == 0 || want == 0 {
            return (Vec::new(), total);
        }
        if want < rest.len() {
            // The best `want` by their first rules, and every one tied with the last of them.
            let by_key = |a: &(Key, usize, u32), b: &(Key, usize, u32)| b.0.cmp(&a.0);
            rest.select_nth_unstable_by(want - 1, by_key);
            let kth = rest[want - 1].0;
            let mut i = want;
            for j in want..rest.len() {
                if rest[j].0 == kth {
                    rest.swap(i, j);
                    i += 1;
                }
            }
            rest.truncate(i);
        }
        // Walk the names best bound first, and stop once no bound can reach the `want`-th
        // best score walked so far.
        let mut rest: Vec<(Score, usize)> = rest
            .into_iter()
            .map(|(_, d, typos)| {
                let a = m.anywhere[d] | typos;
                (self.bound(d, a, m.in_name[d] | typos, prefer(d)), d)
            })
            .collect();
        rest.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut masks = (Vec::new(), Vec::new());
        let mut found: Vec<Found> = Vec::new();
        let mut scores: Vec<Score> = Vec::new();
        for (bound, d) in rest {
            if scores.len() >= want {
                scores.select_nth_unstable_by(want - 1, |a, b| b.cmp(a));
                scores.truncate(want);
                if bound < scores[want - 1] {
                    break;
                }
            }
            let f = self.score(d, m.anywhere[d], m.in_name[d], prefer(d), &mut masks);
            scores.push(f.score);
            found.push(f);
        }
        let order = |a: &Found, b: &Found| b.score.cmp(&a.score).then(a.doc.cmp(&b.doc));
        if want < found.len() {
            found.select_nth_unstable_by(want - 1, order);
            found.truncate(want);
        }
        found.sort_unstable_by(order);
        (found, total)
    }
}

impl SearchIndex {
    /// [`SearchIndex::search`] without its shortcuts: every document is walked and scored.
    /// The reference the shortcuts are tested against; too slow for use.
    #[doc(hidden)]
    pub fn search_exhaustive(
        &self,
        q: &str,
        keep: impl Fn(usize) -> bool,
        prefer: impl Fn(usize) -> bool,
        want: usize,
    ) -> Answer {
        let words = self.query(q);
        let mut found = with_slots(self.vocab.len(), |slots| {
            let mut plan = Plan::new(self, &words, slots);
            let marks = plan.mark();
            plan.weigh(&marks.anywhere);
            let mut masks = (Vec::new(), Vec::new());
            (0..self.docs.len())
                .filter(|d| keep(*d))
                .map(|d| {
                    plan.score(
                        d,
                        marks.anywhere[d],
                        marks.in_name[d],
                        prefer(d),
                        &mut masks,
                    )
                })
                .filter(|f| f.score.matched > 0)
                .collect::<Vec<_>>()
        });
        let most = found.iter().map(|f| f.score.matched).max().unwrap_or(0);
        found.retain(|f| f.score.matched == most);
        found.sort_by(|a, b| b.score.cmp(&a.score).then(a.doc.cmp(&b.doc)));
        let total = found.len();
        found.truncate(want);
        let has = found.first().map(|f| f.words).unwrap_or(0);
        Answer {
            ignored: (0..words.len())
                .filter(|i| words[*i].reaches.is_empty() && has & (1 << i) == 0)
                .map(|i| words[i].folded.clone())
                .collect(),
            top: found,
            total,
        }
    }
}
