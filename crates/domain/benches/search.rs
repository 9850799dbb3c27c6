//! Catalogue search CPU: the 2,642 shipped procedures indexed in memory, every query of the
//! held-out set (`tests/data/search-eval.tsv`: partial names, typos, accents or none, keyword
//! subsets) searched in turn for the best 20. Criterion reports elements per second = queries
//! answered per second on one core.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use motcua_domain::catalogue::parse_dvc_lines;
use motcua_domain::catalogue::search::{Doc, SearchIndex, body_text};

#[path = "../tests/common/mod.rs"]
mod common;

fn bench(c: &mut Criterion) {
    let mut procs = Vec::new();
    for part in common::PARTS {
        for (_, p) in parse_dvc_lines(&common::crawl(part)) {
            procs.push(p.expect("the shipped crawl parses").procedure);
        }
    }
    let bodies: Vec<String> = procs.iter().map(body_text).collect();
    let docs = || {
        procs.iter().zip(&bodies).map(|(p, b)| Doc {
            code: &p.code,
            name: &p.name,
            body: b,
        })
    };
    let index = SearchIndex::build(docs());
    let queries: Vec<&str> = include_str!("../tests/data/search-eval.tsv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .collect();
    let mut g = c.benchmark_group("search");
    g.throughput(Throughput::Elements(queries.len() as u64));
    g.bench_function("eval_queries_top20", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(index.search(q, |_| true, |_| false, 20));
            }
        })
    });
    g.throughput(Throughput::Elements(1));
    g.sample_size(10);
    g.bench_function("build_index", |b| {
        b.iter(|| black_box(SearchIndex::build(docs())))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
