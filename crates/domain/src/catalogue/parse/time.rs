//! Time limits (thời hạn giải quyết) in the forms the portal and older crawls use:
//! "20 Ngày", "1 Ngày làm việc", "8 Giờ", "4 Tháng", "1.5 Ngày làm việc", "0,5 ngày",
//! "Không quá 05 ngày làm việc (kể từ ...)", "Ngay trong ngày tiếp nhận ...",
//! "Từ 05 đến 07 ngày", a bare "12", and placeholders ("Không có thông tin", "Không quy định").
//!
//! Readings, and the rules chosen:
//! - a placeholder, or "0", states no time limit;
//! - "trong ngày" / "ngay trong ngày" at the start is [`TimeUnit::InTheDay`];
//! - a bare number takes working days (the unit of statutory limits) and is flagged;
//! - a range takes its upper bound, keeps the lower one, and is flagged;
//! - when a second limit follows the first ("03 ngày làm việc, trường hợp phải xác minh thì không
//!   quá 08 ngày làm việc"), the first is taken and the text is flagged for review;
//! - anything else is unparsed and flagged.

use super::super::issue::{Finding, IssueKind};
use super::super::model::{ProcessingTime, TimeUnit};
use super::super::scan::{char_at, excerpt, lower, squash};
use super::number::{number_at, parse_decimal};

/// What a time text says.
#[derive(Debug, Clone, PartialEq)]
pub enum TimeReading {
    /// No time limit is stated (placeholder, empty, "0").
    NotStated,
    /// A limit was read.
    Parsed(ProcessingTime),
    /// Something is stated but could not be read.
    Unparsed,
}

/// The reading of a time text, with what is uncertain about it.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeParse {
    pub reading: TimeReading,
    pub findings: Vec<Finding>,
}

impl TimeParse {
    fn plain(reading: TimeReading) -> Self {
        TimeParse {
            reading,
            findings: Vec::new(),
        }
    }

    /// The parsed time, if any.
    pub fn time(&self) -> Option<&ProcessingTime> {
        match &self.reading {
            TimeReading::Parsed(t) => Some(t),
            _ => None,
        }
    }

    /// Whether the text states a time limit at all (parsed or not).
    pub fn states_time(&self) -> bool {
        !matches!(self.reading, TimeReading::NotStated)
    }
}

/// Placeholders meaning "no time limit given".
const NOT_STATED: [&str; 11] = [
    "",
    "không có thông tin",
    "không",
    "không có",
    "không quy định",
    "không quy định cụ thể",
    "chưa quy định",
    "chưa quy định cụ thể",
    "không xác định",
    "khác",
    "--",
];

/// Same-day wordings, at the start of the text.
const SAME_DAY: [&str; 4] = [
    "ngay trong ngày",
    "trong ngày",
    "giải quyết trong ngày",
    "trả kết quả trong ngày",
];

/// Words that may precede the limit and carry no meaning for it.
const LEAD_INS: [&str; 11] = [
    "thời hạn giải quyết:",
    "thời gian giải quyết:",
    "thời hạn:",
    "không quá",
    "tối đa",
    "trong thời hạn",
    "trong thời gian",
    "trong vòng",
    "trong",
    "là",
    "khoảng",
];

/// Units, longest first so "ngày làm việc" wins over "ngày".
const UNITS: [(&str, TimeUnit); 7] = [
    ("ngày làm việc", TimeUnit::WorkingDays),
    ("giờ làm việc", TimeUnit::WorkingHours),
    ("ngày", TimeUnit::Days),
    ("giờ", TimeUnit::Hours),
    ("tuần", TimeUnit::Weeks),
    ("tháng", TimeUnit::Months),
    ("năm", TimeUnit::Years),
];

/// Reads a time-limit text. Never panics; see the module docs for the rules.
pub fn parse_time(text: &str) -> TimeParse {
    let squashed = squash(text);
    let t = lower(&squashed);
    let t = t.trim_end_matches(['.', ';', ',', ' ']);
    let t = t.trim_start_matches(['-', '+', '*', ' ']);
    if NOT_STATED.contains(&t) {
        return TimeParse::plain(TimeReading::NotStated);
    }
    if !t.is_empty() && t.bytes().all(|b| b == b'0') {
        return TimeParse {
            reading: TimeReading::NotStated,
            findings: vec![Finding::new(
                IssueKind::TimeZero,
                "time limit \"0\" read as not stated",
            )],
        };
    }
    if SAME_DAY.iter().any(|p| t.starts_with(p)) {
        return TimeParse::plain(TimeReading::Parsed(ProcessingTime {
            amount: 0.0,
            unit: TimeUnit::InTheDay,
            min_amount: None,
            unit_assumed: false,
        }));
    }
    let body = strip_lead_ins(t);
    match read_limit(body) {
        Some(limit) => finish(limit, body, &squashed),
        None => TimeParse {
            reading: TimeReading::Unparsed,
            findings: vec![Finding::new(
                IssueKind::TimeUnparsed,
                format!("time limit not understood: \"{}\"", excerpt(&squashed, 120)),
            )],
        },
    }
}

fn strip_lead_ins(mut t: &str) -> &str {
    loop {
        let before = t;
        for lead in LEAD_INS {
            if let Some(rest) = t.strip_prefix(lead)
                && (rest.starts_with(' ') || lead.ends_with(':'))
            {
                t = rest.trim_start();
            }
        }
        if t == before {
            return t;
        }
    }
}

/// A limit read at the start of a text.
struct Limit {
    amount: f64,
    min: Option<f64>,
    unit: Option<TimeUnit>,
    /// Byte offset just after the limit.
    end: usize,
}

fn read_limit(t: &str) -> Option<Limit> {
    let (ranged_by_word, mut i) = match t.strip_prefix("từ ") {
        Some(_) => (true, "từ ".len()),
        None => (false, 0),
    };
    let first = number_at(t, i)?;
    let a = parse_decimal(first.text)?;
    i = skip_spelled_out(t, first.end);
    let unit_a = unit_at(t, i);
    if let Some((_, end)) = unit_a {
        i = end;
    }
    // A range: "05 - 07 ngày", "05 đến 07 ngày", "từ 05 ngày đến 07 ngày".
    if let Some(after) = range_connector(t, i)
        && let Some(second) = number_at(t, after)
        && let Some(b) = parse_decimal(second.text)
    {
        let unit_b = unit_at(t, skip_spelled_out(t, second.end));
        let end = unit_b.map_or(second.end, |(_, e)| e);
        let unit = unit_b.or(unit_a).map(|(u, _)| u);
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        return Some(Limit {
            amount: hi,
            min: Some(lo),
            unit,
            end,
        });
    }
    if ranged_by_word {
        // "từ 05 ngày" without an end is not a range we understand.
        return None;
    }
    Some(Limit {
        amount: a,
        min: None,
        unit: unit_a.map(|(u, _)| u),
        end: i,
    })
}

/// After a number, skips the number spelled out in words: "15 (mười lăm) ngày".
fn skip_spelled_out(t: &str, i: usize) -> usize {
    let rest = t.get(i..).unwrap_or("");
    let trimmed = rest.trim_start_matches(' ');
    if let Some(inner) = trimmed.strip_prefix('(')
        && let Some(close) = inner.find(')')
        && inner[..close]
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ')
    {
        return i + (rest.len() - trimmed.len()) + 1 + close + 1;
    }
    i
}

/// After a number: the connector of a range, returning where the second number starts.
fn range_connector(t: &str, i: usize) -> Option<usize> {
    let rest = t.get(i..)?;
    for conn in [" đến ", " tới ", " - ", " – ", "-", "–", " đến", " -"] {
        if let Some(after) = rest.strip_prefix(conn) {
            let skip = after.len() - after.trim_start().len();
            return Some(i + conn.len() + skip);
        }
    }
    None
}

/// A unit right after a number (one optional space), as a whole word.
fn unit_at(t: &str, i: usize) -> Option<(TimeUnit, usize)> {
    let start = if char_at(t, i) == Some(' ') { i + 1 } else { i };
    let rest = t.get(start..)?;
    for (word, unit) in UNITS {
        if rest.starts_with(word) {
            let end = start + word.len();
            if char_at(t, end).is_some_and(char::is_alphanumeric) {
                return None;
            }
            return Some((unit, end));
        }
    }
    None
}

fn finish(limit: Limit, body: &str, original: &str) -> TimeParse {
    let rest = body.get(limit.end..).unwrap_or("").trim();
    let mut findings = Vec::new();
    let (unit, unit_assumed) = match limit.unit {
        Some(u) => (u, false),
        None if rest.is_empty() => {
            findings.push(Finding::new(
                IssueKind::TimeUnitAssumed,
                format!(
                    "bare number \"{}\": working days assumed",
                    excerpt(original, 40)
                ),
            ));
            (TimeUnit::WorkingDays, true)
        }
        None => {
            return TimeParse {
                reading: TimeReading::Unparsed,
                findings: vec![Finding::new(
                    IssueKind::TimeUnparsed,
                    format!("number without a unit: \"{}\"", excerpt(original, 120)),
                )],
            };
        }
    };
    if limit.amount <= 0.0 {
        return TimeParse {
            reading: TimeReading::NotStated,
            findings: vec![Finding::new(
                IssueKind::TimeZero,
                format!(
                    "time limit of zero read as not stated: \"{}\"",
                    excerpt(original, 60)
                ),
            )],
        };
    }
    if let Some(min) = limit.min {
        findings.push(Finding::new(
            IssueKind::TimeRange,
            format!(
                "range {min}–{} in \"{}\": upper bound taken",
                limit.amount,
                excerpt(original, 80)
            ),
        ));
    }
    if states_another_limit(rest) {
        findings.push(Finding::new(
            IssueKind::TimeSeveralLimits,
            format!(
                "several time limits, the first taken: \"{}\"",
                excerpt(original, 160)
            ),
        ));
    }
    TimeParse {
        reading: TimeReading::Parsed(ProcessingTime {
            amount: limit.amount,
            unit,
            min_amount: limit.min,
            unit_assumed,
        }),
        findings,
    }
}

/// Whether a lowercase text contains "<number> <unit>" somewhere.
fn states_another_limit(rest: &str) -> bool {
    rest.char_indices().any(|(i, c)| {
        c.is_ascii_digit()
            && !rest
                .get(..i)
                .and_then(|s| s.chars().next_back())
                .is_some_and(|p| p.is_ascii_digit() || matches!(p, '.' | ',' | '/'))
            && number_at(rest, i).is_some_and(|n| unit_at(rest, n.end).is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> (ProcessingTime, Vec<IssueKind>) {
        let p = parse_time(text);
        let kinds = p.findings.iter().map(|f| f.kind).collect();
        match p.reading {
            TimeReading::Parsed(t) => (t, kinds),
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    #[test]
    fn portal_cells() {
        // Real cells from procedures-dvc-part*.jsonl.
        let (t, k) = parsed("20 Ngày");
        assert_eq!((t.amount, t.unit, k.len()), (20.0, TimeUnit::Days, 0));
        let (t, _) = parsed("1 Ngày làm việc");
        assert_eq!((t.amount, t.unit), (1.0, TimeUnit::WorkingDays));
        let (t, _) = parsed("8 Giờ");
        assert_eq!((t.amount, t.unit), (8.0, TimeUnit::Hours));
        let (t, _) = parsed("4 Tháng");
        assert_eq!((t.amount, t.unit), (4.0, TimeUnit::Months));
        let (t, _) = parsed("1.5 Ngày làm việc");
        assert_eq!((t.amount, t.unit), (1.5, TimeUnit::WorkingDays));
    }

    #[test]
    fn bare_number_assumes_working_days() {
        let (t, k) = parsed("12");
        assert_eq!(
            (t.amount, t.unit, t.unit_assumed),
            (12.0, TimeUnit::WorkingDays, true)
        );
        assert_eq!(k, vec![IssueKind::TimeUnitAssumed]);
    }

    #[test]
    fn placeholders_and_zero() {
        for s in [
            "Không có thông tin",
            "Không",
            "Không quy định",
            "",
            "Chưa quy định cụ thể.",
        ] {
            assert_eq!(parse_time(s).reading, TimeReading::NotStated, "{s}");
        }
        let p = parse_time("0");
        assert_eq!(p.reading, TimeReading::NotStated);
        assert_eq!(p.findings[0].kind, IssueKind::TimeZero);
    }

    #[test]
    fn same_day() {
        // From procedures-citizen-2021.jsonl.
        let (t, k) = parsed(
            "Ngay trong ngày tiếp nhận hồ sơ; trường hợp nhận hồ sơ sau 15 giờ mà không giải \
             quyết được ngay thì trả kết quả trong ngày làm việc tiếp theo.",
        );
        assert_eq!((t.unit, k.len()), (TimeUnit::InTheDay, 0));
        assert_eq!(parsed("Trong ngày").0.unit, TimeUnit::InTheDay);
    }

    #[test]
    fn fractional_with_decimal_comma() {
        // "trong thời hạn 1,5 ngày làm việc kể từ thời điểm nhận" (record 1.013097).
        let (t, _) = parsed("trong thời hạn 1,5 ngày làm việc kể từ thời điểm nhận");
        assert_eq!((t.amount, t.unit), (1.5, TimeUnit::WorkingDays));
        assert_eq!(parsed("0,5 ngày").0.amount, 0.5);
    }

    #[test]
    fn ranges_take_the_upper_bound() {
        let (t, k) = parsed("Từ 05 đến 07 ngày");
        assert_eq!(
            (t.amount, t.min_amount, t.unit),
            (7.0, Some(5.0), TimeUnit::Days)
        );
        assert_eq!(k, vec![IssueKind::TimeRange]);
        let (t, _) = parsed("05 - 07 ngày làm việc");
        assert_eq!((t.amount, t.unit), (7.0, TimeUnit::WorkingDays));
        let (t, _) = parsed("từ 05 ngày làm việc đến 10 ngày làm việc");
        assert_eq!((t.amount, t.min_amount), (10.0, Some(5.0)));
    }

    #[test]
    fn lead_ins_and_qualifiers() {
        let (t, k) =
            parsed("Không quá 05 ngày làm việc (kể từ khi nhận được hồ sơ đầy đủ, hợp lệ).");
        assert_eq!((t.amount, t.unit, k.len()), (5.0, TimeUnit::WorkingDays, 0));
        let (t, _) =
            parsed("Tối đa 6 ngày làm việc kể từ ngày cơ quan BHXH nhận đủ hồ sơ theo quy định.");
        assert_eq!(t.amount, 6.0);
        let (t, _) = parsed("Trong thời hạn 15 (mười lăm) ngày làm việc");
        assert_eq!((t.amount, t.unit), (15.0, TimeUnit::WorkingDays));
        let (t, _) = parsed("Trong vòng 24 giờ");
        assert_eq!((t.amount, t.unit), (24.0, TimeUnit::Hours));
    }

    #[test]
    fn several_limits_take_the_first() {
        let (t, k) =
            parsed("03 ngày làm việc, trường hợp phải xác minh thì không quá 08 ngày làm việc.");
        assert_eq!(t.amount, 3.0);
        assert_eq!(k, vec![IssueKind::TimeSeveralLimits]);
    }

    #[test]
    fn free_text_is_unparsed() {
        for s in [
            "Không phải trả kết quả cho người nộp thuế",
            "Hệ thống giải quyết thủ tục hành chính ngành Thuế thực hiện phản hồi tự động thông \
             qua phương thức điện tử.",
            "Tùy theo đợt",
            "Theo hướng dẫn tổ chức kỳ thi tốt nghiệp THPT hằng năm của Bộ Giáo dục và Đào tạo",
            "Từ 05",
        ] {
            let p = parse_time(s);
            assert_eq!(p.reading, TimeReading::Unparsed, "{s}");
            assert_eq!(p.findings[0].kind, IssueKind::TimeUnparsed);
        }
    }
}
