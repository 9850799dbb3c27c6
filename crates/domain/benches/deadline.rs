//! Due-date throughput: effective receipt + appointment for random receipt instants in
//! 2024–2030 (Vietnam time), random cut-offs, and WorkingDays(1..=60) or WorkingHours(1..=60).
//! Criterion reports elements per second = appointments computed per second on one core.

use std::hint::black_box;

use chrono::{DateTime, NaiveTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use motcua_domain::calendar::{Calendar, Duration, OfficeHours, RulePack, parse_schedule_csv};

/// xorshift64*: deterministic inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

type Input = (DateTime<Utc>, Option<NaiveTime>, u32);

fn inputs(count: usize) -> Vec<Input> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // 2024-01-01 00:00 to 2031-01-01 00:00, UTC+7.
    let start = 1_704_042_000_u64;
    let end = 1_924_966_800_u64;
    (0..count)
        .map(|_| {
            let t = DateTime::from_timestamp((start + rng.below(end - start)) as i64, 0)
                .expect("in range");
            let cutoff = match rng.below(3) {
                0 => None,
                1 => NaiveTime::from_hms_opt(15, 0, 0),
                _ => NaiveTime::from_hms_opt(16, 30, 0),
            };
            (t, cutoff, 1 + rng.below(60) as u32)
        })
        .collect()
}

fn calendar() -> Calendar {
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/holiday-schedules.csv"
    ))
    .unwrap_or_default();
    let schedules = parse_schedule_csv(&csv).unwrap_or_default();
    Calendar::new(RulePack::vietnam(), schedules).expect("valid calendar")
}

fn bench(c: &mut Criterion) {
    let calendar = calendar();
    let hours = OfficeHours::default();
    let clock = calendar.clock(&hours);
    let inputs = inputs(4096);

    let mut group = c.benchmark_group("deadline");
    group.throughput(Throughput::Elements(inputs.len() as u64));
    group.bench_function("working_days", |b| {
        b.iter(|| {
            for &(t, cutoff, n) in &inputs {
                black_box(
                    clock
                        .appointment(black_box(t), cutoff, Duration::WorkingDays(n))
                        .ok(),
                );
            }
        })
    });
    group.bench_function("working_hours", |b| {
        b.iter(|| {
            for &(t, cutoff, n) in &inputs {
                black_box(
                    clock
                        .appointment(black_box(t), cutoff, Duration::WorkingHours(n))
                        .ok(),
                );
            }
        })
    });
    group.bench_function("classify", |b| {
        b.iter(|| {
            for w in inputs.windows(2) {
                black_box(clock.classify(black_box(w[0].0), black_box(w[1].0)).ok());
            }
        })
    });
    group.finish();

    // Building the calendar itself (201 years of schedules and the day table).
    c.bench_function("calendar_build", |b| {
        b.iter(|| black_box(Calendar::new(RulePack::vietnam(), Vec::new()).ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
