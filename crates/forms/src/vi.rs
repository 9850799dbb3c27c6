//! Vietnamese notation as administrative documents write it: dates `24/11/2026`, the date line
//! "Thanh Hóa, ngày 24 tháng 11 năm 2026", times `08 giờ 05 phút` or `08g05`, whole numbers
//! `1.816`.
//!
//! Every instant is shown in Vietnam time (UTC+7, no daylight saving time); the conversion is
//! done once, in [`vietnam_time`], when the form data is built.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

/// The Vietnam wall-clock time of an instant (the instant itself past the end of chrono's
/// range, which no dossier reaches).
pub fn vietnam_time(at: DateTime<Utc>) -> NaiveDateTime {
    motcua_domain::vn_time::local(at)
}

/// `24/11/2026`.
pub fn date(d: NaiveDate) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// The place and date line under the national motto: "Thanh Hóa, ngày 05 tháng 02 năm 2026",
/// "Thanh Hóa, ngày 24 tháng 11 năm 2026". Following the rule for administrative documents
/// (Decree 30/2020/NĐ-CP, Appendix I; see the crate docs for its status), a day below 10 and a
/// month below 3 get a leading zero; other months do not ("tháng 3").
pub fn date_line(place: &str, d: NaiveDate) -> String {
    let place = place.trim();
    let words = date_words(d);
    if place.is_empty() {
        // "ngày ..." starts the line: capitalised.
        format!("N{}", words.strip_prefix('n').unwrap_or(&words))
    } else {
        format!("{place}, {words}")
    }
}

/// "ngày 05 tháng 02 năm 2026" (see [`date_line`] for the zero padding).
pub fn date_words(d: NaiveDate) -> String {
    let month = if d.month() < 3 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
}

/// `08g05`: the compact time of tables and registers.
pub fn time_short(t: NaiveDateTime) -> String {
    format!("{:02}g{:02}", t.hour(), t.minute())
}

/// `08 giờ 05 phút`.
pub fn time_words(t: NaiveDateTime) -> String {
    format!("{:02} giờ {:02} phút", t.hour(), t.minute())
}

/// `08 giờ 05 phút, ngày 24/11/2026`: a time as the receipt writes it.
pub fn datetime_words(t: NaiveDateTime) -> String {
    format!("{}, ngày {}", time_words(t), date(t.date()))
}

/// `08g05 24/11/2026`: a time in a table cell.
pub fn datetime_short(t: NaiveDateTime) -> String {
    format!("{} {}", time_short(t), date(t.date()))
}

/// A whole number with "." between thousands: 1816 → "1.816", 1500000 → "1.500.000".
pub fn integer(n: u64) -> String {
    motcua_domain::text::group_thousands(&n.to_string())
}

/// A count written with two digits as forms do ("01 bộ", "05 ngày làm việc"): 1 → "01",
/// 12 → "12", 1816 → "1.816".
pub fn count(n: u64) -> String {
    if n < 10 {
        format!("{n:02}")
    } else {
        integer(n)
    }
}

/// Vietnamese upper case ("Ủy ban nhân dân" → "ỦY BAN NHÂN DÂN"); precomposed letters keep
/// their marks.
pub fn upper(s: &str) -> String {
    s.chars().flat_map(char::to_uppercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_and_date_lines() {
        assert_eq!(date(d(2026, 11, 24)), "24/11/2026");
        assert_eq!(date(d(2026, 1, 5)), "05/01/2026");
        assert_eq!(
            date_line("Thanh Hóa", d(2026, 11, 24)),
            "Thanh Hóa, ngày 24 tháng 11 năm 2026"
        );
        assert_eq!(
            date_line("Thanh Hóa", d(2026, 2, 5)),
            "Thanh Hóa, ngày 05 tháng 02 năm 2026"
        );
        assert_eq!(
            date_line("Hà Nội", d(2025, 3, 9)),
            "Hà Nội, ngày 09 tháng 3 năm 2025"
        );
        assert_eq!(date_line(" ", d(2025, 9, 15)), "Ngày 15 tháng 9 năm 2025");
    }

    #[test]
    fn times_in_vietnam() {
        // 01:05 UTC is 08:05 in Vietnam; 20:30 UTC is 03:30 the next day.
        let t = vietnam_time("2026-11-24T01:05:00Z".parse().unwrap());
        assert_eq!(time_short(t), "08g05");
        assert_eq!(time_words(t), "08 giờ 05 phút");
        assert_eq!(datetime_words(t), "08 giờ 05 phút, ngày 24/11/2026");
        let t = vietnam_time("2026-11-24T20:30:00Z".parse().unwrap());
        assert_eq!(datetime_short(t), "03g30 25/11/2026");
    }

    #[test]
    fn numbers() {
        assert_eq!(integer(0), "0");
        assert_eq!(integer(999), "999");
        assert_eq!(integer(1_816), "1.816");
        assert_eq!(integer(1_500_000), "1.500.000");
        assert_eq!(count(1), "01");
        assert_eq!(count(12), "12");
        assert_eq!(count(1_816), "1.816");
    }

    #[test]
    fn upper_case_keeps_marks() {
        assert_eq!(
            upper("Ủy ban nhân dân tỉnh Thanh Hóa"),
            "ỦY BAN NHÂN DÂN TỈNH THANH HÓA"
        );
        assert_eq!(upper("đề nghị gia hạn"), "ĐỀ NGHỊ GIA HẠN");
    }
}
