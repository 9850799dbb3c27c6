//! The held-out evaluation of catalogue search: the 324 queries of `data/search-eval.tsv`
//! (made once from real procedure names by `scripts/gen-search-eval`; see `data/SOURCES.md`)
//! against the whole shipped catalogue. A query succeeds when its procedure is among the first
//! three answers (five for a subset of the name's words). Also times the searches (one core).
//!
//! Run with `cargo test -p motcua-domain --test search_eval -- --nocapture` to see the figures.

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use common::{PARTS, crawl};
use motcua_domain::catalogue::parse_dvc_lines;
use motcua_domain::catalogue::search::{Doc, SearchIndex, body_text};
use motcua_domain::text::fold_ascii;

#[test]
fn at_least_98_percent_of_held_out_queries_find_their_procedure() {
    let mut procs = Vec::new();
    for part in PARTS {
        for (_, p) in parse_dvc_lines(&crawl(part)) {
            procs.push(p.expect("the shipped crawl parses").procedure);
        }
    }
    procs.sort_by(|a, b| a.code.cmp(&b.code));
    let bodies: Vec<String> = procs.iter().map(body_text).collect();
    let started = Instant::now();
    let index = SearchIndex::build(procs.iter().zip(&bodies).map(|(p, b)| Doc {
        code: &p.code,
        name: &p.name,
        body: b,
    }));
    let built = started.elapsed();
    let set = include_str!("data/search-eval.tsv");
    let cases: Vec<(&str, &str, &str)> = set
        .lines()
        .skip(1)
        .map(|l| {
            let mut f = l.split('\t');
            (f.next().unwrap(), f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    assert!(cases.len() >= 300);
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for (q, code, kind) in &cases {
        let within = if *kind == "subset" { 5 } else { 3 };
        let answer = index.search(q, |_| true, |_| false, within);
        let found: Vec<&str> = answer
            .top
            .iter()
            .map(|f| procs[f.doc].code.as_str())
            .collect();
        let e = by_kind.entry(kind).or_default();
        e.1 += 1;
        if found.contains(code) {
            e.0 += 1;
        } else {
            failures.push(format!("{kind}\t{q}\t{code}\t{found:?}"));
        }
    }
    let ok: usize = by_kind.values().map(|(ok, _)| ok).sum();
    let rate = ok as f64 / cases.len() as f64;
    for (kind, (ok, n)) in &by_kind {
        println!("{kind:>10}: {ok}/{n}");
    }
    for f in &failures {
        println!("missed: {f}");
    }
    println!(
        "search evaluation: {ok}/{} = {:.1}% with the intended procedure in the top 3 (top 5 for subsets)",
        cases.len(),
        rate * 100.0
    );
    // CPU per query: every query of the set, 20 rounds, on this thread.
    let rounds = 20;
    let started = Instant::now();
    for _ in 0..rounds {
        for (q, _, _) in &cases {
            std::hint::black_box(index.search(q, |_| true, |_| false, 20));
        }
    }
    let per = started.elapsed() / (rounds * cases.len()) as u32;
    println!(
        "index of {} procedures built in {built:?}; {per:?} CPU per query (debug builds are slower)",
        procs.len()
    );
    assert!(rate >= 0.98, "{:.1}%", rate * 100.0);
}

/// The search's shortcuts (postings, typo positions, bounds on the ranking) change no answer:
/// for thousands of queries cut from real names (with and without accents, with swapped
/// letters), with a filter and preferences, it answers exactly as scoring every document does.
#[test]
fn the_shortcuts_answer_exactly_as_scoring_every_document() {
    let mut procs = Vec::new();
    for part in PARTS {
        for (_, p) in parse_dvc_lines(&crawl(part)) {
            procs.push(p.expect("the shipped crawl parses").procedure);
        }
    }
    procs.sort_by(|a, b| a.code.cmp(&b.code));
    let bodies: Vec<String> = procs.iter().map(body_text).collect();
    let index = SearchIndex::build(procs.iter().zip(&bodies).map(|(p, b)| Doc {
        code: &p.code,
        name: &p.name,
        body: b,
    }));
    let mut queries: Vec<String> = include_str!("data/search-eval.tsv")
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    // A small linear congruential generator: the same queries on every run.
    let mut seed = 7u64;
    let mut pick = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    while queries.len() < 1000 {
        let words: Vec<&str> = procs[pick(procs.len())].name.split_whitespace().collect();
        let n = 2 + pick(4);
        if words.len() < n {
            continue;
        }
        let start = pick(words.len() - n + 1);
        let mut q: Vec<String> = words[start..start + n]
            .iter()
            .map(|w| w.to_string())
            .collect();
        match pick(3) {
            0 => {}
            1 => q = q.iter().map(|w| fold_ascii(w)).collect(),
            _ => {
                let j = pick(q.len());
                let mut letters: Vec<char> = fold_ascii(&q[j]).chars().collect();
                if letters.len() >= 3 {
                    let k = pick(letters.len() - 1);
                    letters.swap(k, k + 1);
                    q[j] = letters.into_iter().collect();
                }
            }
        }
        queries.push(q.join(" "));
    }
    let keep = |d: usize| d % 7 != 3;
    let prefer = |d: usize| d.is_multiple_of(11);
    for q in &queries {
        for want in [3, 20] {
            assert_eq!(
                index.search(q, keep, prefer, want),
                index.search_exhaustive(q, keep, prefer, want),
                "{q} (best {want})"
            );
        }
    }
}
