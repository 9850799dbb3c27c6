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
