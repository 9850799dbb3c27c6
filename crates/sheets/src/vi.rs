//! Vietnamese wording of catalogue values for documents: numbers ("8.000", "0,5"), time limits
//! ("5 ngày làm việc"), fees ("Lệ phí 8.000 đồng", "Miễn phí") and online levels.
//!
//! Parsed values are preferred; where the parser found nothing usable, the portal's original
//! text is shown instead, so no information is lost.

use motcua_domain::catalogue::{
    ChannelSpec, Fee, FeeItem, FeeKind, FeeSource, OnlineLevel, ProcessingTime, TimeUnit,
};

/// Separator between the entries of a list in one cell.
pub const LIST_SEP: &str = "; ";

/// A whole number with "." between thousands: 8000 → "8.000", -1500000 → "-1.500.000".
pub fn integer(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_thousands(&digits))
}

/// A number in Vietnamese notation: "." between thousands, "," before decimals, no trailing
/// zeros: 0.5 → "0,5", 1234.25 → "1.234,25", 20.0 → "20".
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    // `Display` for f64 gives the shortest exact form, never an exponent.
    let s = x.abs().to_string();
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let sign = if x < 0.0 { "-" } else { "" };
    let int = group_thousands(int);
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int},{frac}")
    }
}

use motcua_domain::text::group_thousands;

/// The unit word: "ngày làm việc", "giờ", "tháng", ...; "Trong ngày" for [`TimeUnit::InTheDay`].
pub fn time_unit(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::WorkingDays => "ngày làm việc",
        TimeUnit::Days => "ngày",
        TimeUnit::WorkingHours => "giờ làm việc",
        TimeUnit::Hours => "giờ",
        TimeUnit::Weeks => "tuần",
        TimeUnit::Months => "tháng",
        TimeUnit::Years => "năm",
        TimeUnit::InTheDay => "Trong ngày",
    }
}

/// "5 ngày làm việc", "0,5 ngày", "từ 5 đến 7 ngày", "Trong ngày".
pub fn time(t: &ProcessingTime) -> String {
    let unit = time_unit(t.unit);
    if t.unit == TimeUnit::InTheDay {
        return unit.to_owned();
    }
    match t.min_amount {
        Some(min) => format!("từ {} đến {} {unit}", number(min), number(t.amount)),
        None => format!("{} {unit}", number(t.amount)),
    }
}

/// The channel's time limit: the parsed one, else the text as written; `None` when both are
/// empty.
pub fn channel_time(c: &ChannelSpec) -> Option<String> {
    c.time
        .as_ref()
        .map(time)
        .or_else(|| non_empty(&c.time_text))
}

/// "Phí 10.000 đồng", "Lệ phí 25 USD", "8.000 đồng" (kind not stated); an item without a
/// trusted amount (none stated, or of doubtful scale) is shown as written.
pub fn fee_item(item: &FeeItem) -> String {
    let kind = match item.kind {
        FeeKind::Fee => Some("Phí"),
        FeeKind::Charge => Some("Lệ phí"),
        FeeKind::ServicePrice => Some("Giá dịch vụ"),
        FeeKind::Unspecified => None,
    };
    let amount = match (&item.amount_vnd, &item.foreign) {
        (Some(v), _) => format!("{} đồng", integer(*v)),
        (None, Some(f)) => format!("{} {}", number(f.amount), f.currency),
        (None, None) => return item.text.trim().to_owned(),
    };
    match kind {
        Some(kind) => format!("{kind} {amount}"),
        None => amount,
    }
}

/// The fee: "Miễn phí", or the amounts of the portal's fee cell ("Lệ phí 8.000 đồng, Phí 2.000
/// đồng"), each followed by the note in parentheses when there is one (the note keeps the
/// context: per page, per case, the legal basis). `None` when the fee cell gave no item to
/// show, so that the caller falls back to the text as written.
pub fn fee(f: &Fee) -> Option<String> {
    let body = if f.free {
        "Miễn phí".to_owned()
    } else {
        let cell: Vec<String> = f
            .items
            .iter()
            .filter(|i| i.source == FeeSource::Cell)
            .map(fee_item)
            .filter(|s| !s.is_empty())
            .collect();
        if cell.is_empty() {
            return None;
        }
        cell.join(", ")
    };
    let note = f.note.trim();
    Some(if note.is_empty() {
        body
    } else {
        format!("{body} ({note})")
    })
}

/// The channel's fee: [`fee`] when it gives something, else the text as written; `None` when
/// both are empty.
pub fn channel_fee(c: &ChannelSpec) -> Option<String> {
    c.fee
        .as_ref()
        .and_then(fee)
        .or_else(|| non_empty(&c.fee_text))
}

/// "Trực tiếp: 5 ngày làm việc; Trực tuyến: 5 ngày làm việc": one entry per channel row, in the
/// portal's order, without repeating an identical entry; empty when no row says anything.
pub fn per_channel(
    channels: &[ChannelSpec],
    value: impl Fn(&ChannelSpec) -> Option<String>,
) -> String {
    let mut entries: Vec<String> = Vec::with_capacity(channels.len());
    for c in channels {
        if let Some(v) = value(c) {
            let entry = format!("{}: {v}", c.channel.label_vi());
            if !entries.contains(&entry) {
                entries.push(entry);
            }
        }
    }
    entries.join(LIST_SEP)
}

/// "Toàn trình", "Một phần", "Không".
pub fn online_level(level: OnlineLevel) -> &'static str {
    match level {
        OnlineLevel::FullProcess => "Toàn trình",
        OnlineLevel::Partial => "Một phần",
        OnlineLevel::None => "Không",
    }
}

/// A file's type for people: "PDF", "Ảnh JPEG" (not `application/pdf`).
pub fn media_label(media_type: &str) -> String {
    match media_type {
        "application/pdf" => "PDF".into(),
        "image/jpeg" => "Ảnh JPEG".into(),
        "image/png" => "Ảnh PNG".into(),
        "image/webp" => "Ảnh WebP".into(),
        "image/tiff" => "Ảnh TIFF".into(),
        t => t.rsplit('/').next().unwrap_or(t).to_uppercase(),
    }
}

/// `2026-12-07T18:40` (Vietnam time, as the API gives it) as `18:40 07/12/2026`; other text
/// unchanged.
pub fn datetime(iso: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(iso, "%Y-%m-%dT%H:%M")
        .map(|d| d.format("%H:%M %d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// The non-empty entries, trimmed, each once, joined with [`LIST_SEP`].
pub fn join_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<S> = items.into_iter().collect();
    let mut out: Vec<&str> = Vec::with_capacity(items.len());
    for item in &items {
        let item = item.as_ref().trim();
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out.join(LIST_SEP)
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

#[cfg(test)]
mod tests {
    use motcua_domain::catalogue::{Channel, ForeignAmount};

    use super::*;

    fn item(kind: FeeKind, vnd: Option<i64>, source: FeeSource, text: &str) -> FeeItem {
        FeeItem {
            kind,
            amount_vnd: vnd,
            foreign: None,
            doubtful_amount: None,
            source,
            text: text.to_owned(),
            exemption: None,
        }
    }

    fn channel(channel: Channel, time: Option<ProcessingTime>, time_text: &str) -> ChannelSpec {
        ChannelSpec {
            channel,
            time,
            time_text: time_text.to_owned(),
            fee: None,
            fee_text: String::new(),
            description: String::new(),
        }
    }

    fn t(amount: f64, unit: TimeUnit) -> ProcessingTime {
        ProcessingTime {
            amount,
            unit,
            min_amount: None,
            unit_assumed: false,
        }
    }

    #[test]
    fn files_and_times_read_as_people_write_them() {
        assert_eq!(media_label("application/pdf"), "PDF");
        assert_eq!(media_label("image/jpeg"), "Ảnh JPEG");
        assert_eq!(datetime("2026-12-07T18:40"), "18:40 07/12/2026");
        assert_eq!(datetime("hôm qua"), "hôm qua");
    }

    #[test]
    fn numbers_in_vietnamese_notation() {
        assert_eq!(integer(0), "0");
        assert_eq!(integer(999), "999");
        assert_eq!(integer(8_000), "8.000");
        assert_eq!(integer(1_500_000), "1.500.000");
        assert_eq!(integer(-25_000), "-25.000");
        assert_eq!(integer(i64::MIN), "-9.223.372.036.854.775.808");
        assert_eq!(number(0.5), "0,5");
        assert_eq!(number(20.0), "20");
        assert_eq!(number(1_234.25), "1.234,25");
        assert_eq!(number(-1.5), "-1,5");
        assert_eq!(number(f64::NAN), "NaN");
    }

    #[test]
    fn times_in_words() {
        assert_eq!(time(&t(5.0, TimeUnit::WorkingDays)), "5 ngày làm việc");
        assert_eq!(time(&t(0.5, TimeUnit::Days)), "0,5 ngày");
        assert_eq!(time(&t(8.0, TimeUnit::WorkingHours)), "8 giờ làm việc");
        assert_eq!(time(&t(0.0, TimeUnit::InTheDay)), "Trong ngày");
        let range = ProcessingTime {
            min_amount: Some(5.0),
            ..t(7.0, TimeUnit::Days)
        };
        assert_eq!(time(&range), "từ 5 đến 7 ngày");
        assert_eq!(time_unit(TimeUnit::Weeks), "tuần");
        assert_eq!(time_unit(TimeUnit::Months), "tháng");
        assert_eq!(time_unit(TimeUnit::Years), "năm");
        assert_eq!(time_unit(TimeUnit::Hours), "giờ");
    }

    #[test]
    fn channel_times_fall_back_to_the_text_and_skip_repeats() {
        let channels = [
            channel(
                Channel::Counter,
                Some(t(5.0, TimeUnit::WorkingDays)),
                "05 ngày",
            ),
            channel(Channel::Online, None, " Theo quy định "),
            channel(Channel::Postal, None, ""),
            channel(
                Channel::Counter,
                Some(t(5.0, TimeUnit::WorkingDays)),
                "5 ngày",
            ),
        ];
        assert_eq!(
            per_channel(&channels, channel_time),
            "Trực tiếp: 5 ngày làm việc; Trực tuyến: Theo quy định"
        );
        assert_eq!(per_channel(&[], channel_time), "");
    }

    #[test]
    fn fees_in_words() {
        let free = Fee {
            items: vec![],
            free: true,
            note: String::new(),
        };
        assert_eq!(fee(&free).as_deref(), Some("Miễn phí"));

        let charge = Fee {
            items: vec![
                item(
                    FeeKind::Charge,
                    Some(8_000),
                    FeeSource::Cell,
                    "Lệ phí : 8.000 Đồng",
                ),
                item(
                    FeeKind::Unspecified,
                    Some(2_000),
                    FeeSource::Note,
                    "2.000 đồng",
                ),
            ],
            free: false,
            note: "2.000 đồng/bản sao".to_owned(),
        };
        assert_eq!(
            fee(&charge).as_deref(),
            Some("Lệ phí 8.000 đồng (2.000 đồng/bản sao)")
        );

        let mixed = FeeItem {
            foreign: Some(ForeignAmount {
                currency: "USD".to_owned(),
                amount: 25.0,
            }),
            ..item(FeeKind::Fee, None, FeeSource::Cell, "25 USD")
        };
        let doubtful = FeeItem {
            doubtful_amount: Some(120),
            ..item(FeeKind::Unspecified, None, FeeSource::Cell, " 120 VNĐ ")
        };
        let f = Fee {
            items: vec![mixed, doubtful],
            free: false,
            note: String::new(),
        };
        assert_eq!(fee(&f).as_deref(), Some("Phí 25 USD, 120 VNĐ"));

        // Only note items: nothing to show from the cell, so the caller uses the text.
        let only_note = Fee {
            items: vec![item(FeeKind::Fee, Some(5_000), FeeSource::Note, "5.000")],
            free: false,
            note: "5.000 đồng/trang".to_owned(),
        };
        assert_eq!(fee(&only_note), None);
        let mut c = channel(Channel::Online, None, "");
        c.fee = Some(only_note);
        c.fee_text = "Phí (5.000 đồng/trang)".to_owned();
        assert_eq!(channel_fee(&c).as_deref(), Some("Phí (5.000 đồng/trang)"));
    }

    #[test]
    fn online_levels_and_lists() {
        assert_eq!(online_level(OnlineLevel::FullProcess), "Toàn trình");
        assert_eq!(online_level(OnlineLevel::Partial), "Một phần");
        assert_eq!(online_level(OnlineLevel::None), "Không");
        assert_eq!(join_list(["a", " b ", "", "a"]), "a; b");
    }
}
