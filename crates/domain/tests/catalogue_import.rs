//! Imports the whole national-portal crawl shipped in `data/procedures-dvc-part{1,2}.jsonl.gz`
//! (2,642 procedures) and measures how much of it the parser reads.
//!
//! Run with `cargo test -p motcua-domain --test catalogue_import -- --nocapture` to see the
//! figures.

use std::collections::BTreeMap;

use motcua_domain::catalogue::{
    ParsedProcedure, TimeReading, csv_header, parse_dvc_record, parse_time, to_csv_record,
};

mod common;

use common::{PARTS, crawl};

const CHANNEL_NAMES: [&str; 3] = ["Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"];

#[derive(Default)]
struct Figures {
    records: usize,
    needs_review: usize,
    channels: usize,
    time_stated: usize,
    time_parsed: usize,
    time_unit_assumed: usize,
    fee_stated: usize,
    fee_parsed: usize,
    fee_with_amount: usize,
    fee_free: usize,
    fee_prose: usize,
    records_with_fee_amount: usize,
    fee_lines: usize,
    records_with_several_fee_lines: usize,
    fee_lines_with_exemption: usize,
    records_fee_review: usize,
    components: usize,
    records_with_components: usize,
    components_with_template: usize,
    legal_docs: usize,
    legal_with_number: usize,
    results: usize,
    results_with_code: usize,
    obligations: usize,
    online: BTreeMap<&'static str, usize>,
    online_stated: usize,
    eligible_full_online: usize,
    issues: BTreeMap<&'static str, usize>,
    unparsed_times: BTreeMap<String, usize>,
}

#[test]
fn catalogue_imports_the_whole_crawl() {
    let mut f = Figures::default();
    for part in PARTS {
        let text = crawl(part);
        for (n, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let parsed = parse_dvc_record(line)
                .unwrap_or_else(|e| panic!("{part}:{}: {e} ({})", n + 1, e.code()));
            count(&mut f, &parsed);
            // Every record exports to a full CSV row.
            assert_eq!(to_csv_record(&parsed.procedure).len(), csv_header().len());
            // A record whose channel table names a channel yields a channel row.
            let raw: serde_json::Value = serde_json::from_str(line).expect("JSON");
            let table = raw["cach_thuc_thuc_hien"].as_str().unwrap_or("");
            if CHANNEL_NAMES.iter().any(|c| table.contains(c)) {
                assert!(
                    !parsed.procedure.channels.is_empty(),
                    "{} has channel text but no channel",
                    parsed.procedure.code
                );
            }
        }
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    println!("catalogue import of the national-portal crawl");
    println!("  records parsed:                {}", f.records);
    println!("  records needing review:        {}", f.needs_review);
    println!("  channels (rows):               {}", f.channels);
    println!("  channels stating a time:       {}", f.time_stated);
    println!(
        "  ... whose time parsed:         {} ({:.2}%), of which unit assumed (bare number): {}",
        f.time_parsed,
        pct(f.time_parsed, f.time_stated),
        f.time_unit_assumed
    );
    println!("  channels stating a fee:        {}", f.fee_stated);
    println!(
        "  ... parsed (free or amount):   {} ({:.2}%): free {}, with amount {}, prose only {}",
        f.fee_parsed,
        pct(f.fee_parsed, f.fee_stated),
        f.fee_free,
        f.fee_with_amount,
        f.fee_prose
    );
    println!(
        "  fee lines (amounts in đồng):   {} in {} records ({} records with several lines in one channel, {} lines with an exemption)",
        f.fee_lines,
        f.records_with_fee_amount,
        f.records_with_several_fee_lines,
        f.fee_lines_with_exemption
    );
    println!("  records flagged for fee review: {}", f.records_fee_review);
    println!("  records with a financial obligation: {}", f.obligations);
    println!(
        "  online level: {:?} ({} stated in the name); eligible for full online: {}",
        f.online, f.online_stated, f.eligible_full_online
    );
    println!(
        "  components parsed:             {} in {} records ({} with a template file)",
        f.components, f.records_with_components, f.components_with_template
    );
    println!(
        "  legal documents:               {} ({} with a number)",
        f.legal_docs, f.legal_with_number
    );
    println!(
        "  results:                       {} ({} with a code)",
        f.results, f.results_with_code
    );
    println!("  issues by kind:");
    for (k, n) in &f.issues {
        println!("    {k:<28} {n}");
    }
    println!("  unparsed time texts:");
    for (t, n) in &f.unparsed_times {
        println!("    {n:>4} × {t}");
    }

    assert_eq!(f.records, 2_642, "every record parses to a procedure");
    let rate = pct(f.time_parsed, f.time_stated);
    assert!(
        rate >= 98.0,
        "time limits parsed for {rate:.2}% of the channels that state one"
    );
}

fn count(f: &mut Figures, p: &ParsedProcedure) {
    let r = &p.procedure;
    f.records += 1;
    f.needs_review += usize::from(p.needs_review());
    f.obligations += usize::from(r.has_financial_obligation);
    *f.online.entry(r.online_level.key()).or_default() += 1;
    f.online_stated += usize::from(r.online_level_stated);
    f.eligible_full_online += usize::from(r.eligible_full_online);
    for issue in &p.issues {
        *f.issues.entry(issue.kind.code()).or_default() += 1;
    }
    for c in &r.channels {
        f.channels += 1;
        let reading = parse_time(&c.time_text);
        if reading.states_time() {
            f.time_stated += 1;
            if c.time.is_some() {
                f.time_parsed += 1;
                f.time_unit_assumed += usize::from(c.time.as_ref().is_some_and(|t| t.unit_assumed));
            } else {
                let short: String = c.time_text.chars().take(110).collect();
                *f.unparsed_times.entry(short).or_default() += 1;
            }
        }
        debug_assert!(
            matches!(reading.reading, TimeReading::Parsed(_)) == c.time.is_some(),
            "time reading and channel agree"
        );
        if let Some(fee) = &c.fee {
            f.fee_stated += 1;
            let amount = fee.states_positive_amount()
                || fee
                    .items
                    .iter()
                    .any(|i| i.amount_vnd.is_some() || i.foreign.is_some());
            if fee.free {
                f.fee_free += 1;
            } else if amount {
                f.fee_with_amount += 1;
            } else {
                f.fee_prose += 1;
            }
            f.fee_parsed += usize::from(fee.free || amount);
        }
    }
    let amounts = |c: &motcua_domain::catalogue::ChannelSpec| {
        c.fee.as_ref().map_or(0, |fee| {
            fee.items
                .iter()
                .filter(|i| i.amount_vnd.is_some_and(|v| v > 0))
                .count()
        })
    };
    f.fee_lines += r.channels.iter().map(amounts).sum::<usize>();
    f.fee_lines_with_exemption += r
        .channels
        .iter()
        .filter_map(|c| c.fee.as_ref())
        .flat_map(|fee| &fee.items)
        .filter(|i| i.amount_vnd.is_some() && i.exemption.is_some())
        .count();
    f.records_with_fee_amount += usize::from(r.channels.iter().any(|c| amounts(c) > 0));
    f.records_with_several_fee_lines += usize::from(r.channels.iter().any(|c| amounts(c) > 1));
    f.records_fee_review += usize::from(
        p.issues
            .iter()
            .any(|i| i.kind.code().starts_with("fee_") && i.kind.needs_review()),
    );
    f.components += r.components.len();
    f.records_with_components += usize::from(!r.components.is_empty());
    f.components_with_template += r
        .components
        .iter()
        .filter(|c| !c.templates.is_empty())
        .count();
    f.legal_docs += r.legal_basis.len();
    f.legal_with_number += r.legal_basis.iter().filter(|d| d.number.is_some()).count();
    f.results += r.result.len();
    f.results_with_code += r.result.iter().filter(|x| x.result_code.is_some()).count();
}
