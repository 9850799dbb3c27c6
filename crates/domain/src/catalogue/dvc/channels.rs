//! The channel table of the crawl (`cach_thuc_thuc_hien`): the portal's table flattened with
//! its cells run together:
//!
//! `Hình thức nộpThời gianPhí, lệ phíMô tả` + rows of
//! `<channel><time><fee cell>[(<fee note>)]<description>`,
//!
//! e.g. `Trực tiếp7 Ngày làm việcMiễn phíTrực tiếp tại Bộ phận Một cửa: ...Trực tuyến7 Ngày...`.
//!
//! A row starts at a channel name ("Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính") followed by
//! a time cell and a fee cell. The fee cell is "Miễn phí", "Không có thông tin" or an amount with
//! a currency, which is what ends the time cell; a channel name that is not followed by such
//! cells is part of a description. The time cell is a number with a unit, a bare number,
//! "Không có thông tin", or (rarely) free text.
//!
//! When a bare time and a fee amount run together ("Trực tuyến120 VNĐ"), the time is taken as
//! the shortest leading digits that leave a well-formed amount ("1" and "20 VNĐ"): every such
//! row in the crawl whose note states the amount confirms that reading. The row is flagged.

use super::super::issue::{Finding, IssueKind};
use super::super::model::{Channel, ChannelSpec};
use super::super::parse::fee::parse_fee;
use super::super::parse::number::parse_grouped_integer;
use super::super::parse::time::parse_time;
use super::super::scan::{char_at, digit_run, excerpt, is_placeholder, slice, squash, starts_at};

/// The table's column headers, run together.
pub const CHANNEL_TABLE_HEADER: &str = "Hình thức nộpThời gianPhí, lệ phíMô tả";

const CHANNEL_NAMES: [(&str, Channel); 3] = [
    ("Trực tiếp", Channel::Counter),
    ("Trực tuyến", Channel::Online),
    ("Dịch vụ bưu chính", Channel::Postal),
];

/// Units as the portal writes them in the time cell, longest first.
const CELL_UNITS: [&str; 7] = [
    "Ngày làm việc",
    "Giờ làm việc",
    "Ngày",
    "Giờ",
    "Tuần",
    "Tháng",
    "Năm",
];

/// Currencies in the fee cell.
const CELL_CURRENCIES: [&str; 5] = ["Việt Nam Đồng", "VNĐ", "USD", "Đồng", "đồng"];

const NO_INFO: &str = "Không có thông tin";
const FREE: &str = "Miễn phí";

/// Longest free-text time cell accepted, in characters.
const MAX_FREE_TIME_CHARS: usize = 200;

/// Byte ranges of one row's cells.
#[derive(Debug, Clone, Copy)]
struct RowHead {
    channel: Channel,
    start: usize,
    time: (usize, usize),
    fee: (usize, usize),
    note: Option<(usize, usize)>,
    end: usize,
    run_together: bool,
}

/// Time cell, fee cell (byte ranges), and whether they ran together.
type Cells = ((usize, usize), (usize, usize), bool);

/// Parses the channel table. Returns one [`ChannelSpec`] per row, in the order of the table.
pub fn parse_channel_table(text: &str) -> (Vec<ChannelSpec>, Vec<Finding>) {
    let mut findings = Vec::new();
    let body = match text.find(CHANNEL_TABLE_HEADER) {
        Some(i) => slice(text, i + CHANNEL_TABLE_HEADER.len(), text.len()),
        None => text,
    };
    let heads = row_heads(body);
    if heads.is_empty() {
        if !is_placeholder(body) {
            findings.push(Finding::new(
                IssueKind::NoChannels,
                format!("no channel row found in \"{}\"", excerpt(body, 120)),
            ));
        }
        return (Vec::new(), findings);
    }
    let before = slice(body, 0, heads[0].start);
    if !before.trim().is_empty() {
        findings.push(Finding::new(
            IssueKind::UnknownChannel,
            format!(
                "text before the first known channel: \"{}\"",
                excerpt(before, 120)
            ),
        ));
    }
    let mut specs = Vec::with_capacity(heads.len());
    for (n, head) in heads.iter().enumerate() {
        let next = heads.get(n + 1).map_or(body.len(), |h| h.start);
        specs.push(build_spec(body, head, next, &mut findings));
    }
    (specs, findings)
}

fn build_spec(body: &str, head: &RowHead, next: usize, findings: &mut Vec<Finding>) -> ChannelSpec {
    let label = head.channel.label_vi();
    let time_text = squash(slice(body, head.time.0, head.time.1));
    let fee_cell = slice(body, head.fee.0, head.fee.1);
    let note = head.note.map_or("", |(a, b)| slice(body, a, b));
    let fee_text = match head.note {
        Some(_) => format!("{fee_cell}({note})"),
        None => fee_cell.to_owned(),
    };
    if head.run_together {
        findings.push(Finding::new(
            IssueKind::TimeFeeRunTogether,
            format!(
                "{label}: \"{}\" read as time \"{time_text}\" and fee \"{fee_cell}\"",
                slice(body, head.time.0, head.fee.1)
            ),
        ));
    }
    let time = parse_time(&time_text);
    findings.extend(time.findings.iter().cloned().map(|f| prefixed(label, f)));
    let fee = parse_fee(fee_cell, note);
    findings.extend(fee.findings.into_iter().map(|f| prefixed(label, f)));
    ChannelSpec {
        channel: head.channel,
        time: time.time().cloned(),
        time_text,
        fee: fee.fee,
        fee_text: squash(&fee_text),
        description: slice(body, head.end, next).trim().to_owned(),
    }
}

fn prefixed(label: &str, f: Finding) -> Finding {
    Finding {
        kind: f.kind,
        message: format!("{label}: {}", f.message),
    }
}

/// Every row start in `body`, in order.
fn row_heads(body: &str) -> Vec<RowHead> {
    let mut names: Vec<(usize, usize, Channel)> = CHANNEL_NAMES
        .iter()
        .flat_map(|(name, ch)| {
            body.match_indices(name)
                .map(move |(i, _)| (i, name.len(), *ch))
        })
        .collect();
    names.sort_unstable_by_key(|(i, _, _)| *i);
    let mut heads: Vec<RowHead> = Vec::new();
    let mut cursor = 0;
    for (k, &(start, len, channel)) in names.iter().enumerate() {
        if start < cursor {
            continue;
        }
        let after = start + len;
        let limit = names[k + 1..]
            .iter()
            .map(|(i, _, _)| *i)
            .find(|i| *i >= after)
            .unwrap_or(body.len());
        if let Some(head) = row_head(body, channel, start, after, limit) {
            cursor = head.end;
            heads.push(head);
        }
    }
    heads
}

fn row_head(body: &str, channel: Channel, start: usize, i: usize, limit: usize) -> Option<RowHead> {
    let (time, fee, run_together) =
        structured_cells(body, i).or_else(|| free_time_cells(body, i, limit))?;
    let (note, end) = note_after(body, fee.1, limit);
    Some(RowHead {
        channel,
        start,
        time,
        fee,
        note,
        end,
        run_together,
    })
}

/// Time and fee cells in the portal's usual forms.
fn structured_cells(body: &str, i: usize) -> Option<Cells> {
    if starts_at(body, i, NO_INFO) {
        let j = i + NO_INFO.len();
        return fee_cell_at(body, j).map(|end| ((i, j), (j, end), false));
    }
    let digits = digit_run(body, i);
    if digits == 0 {
        return None;
    }
    // "<number>[.,<digits>] <unit>": the unit ends the time cell.
    let mut num_end = i + digits;
    if matches!(char_at(body, num_end), Some('.' | ',')) && digit_run(body, num_end + 1) > 0 {
        num_end += 1 + digit_run(body, num_end + 1);
    }
    let unit_start = if char_at(body, num_end) == Some(' ') {
        num_end + 1
    } else {
        num_end
    };
    if let Some(unit) = CELL_UNITS.iter().find(|u| starts_at(body, unit_start, u)) {
        let j = unit_start + unit.len();
        return fee_cell_at(body, j).map(|end| ((i, j), (j, end), false));
    }
    // A bare number followed by a fee cell in words.
    let bare_end = i + digits;
    if starts_at(body, bare_end, FREE) || starts_at(body, bare_end, NO_INFO) {
        return fee_cell_at(body, bare_end).map(|end| ((i, bare_end), (bare_end, end), false));
    }
    // A bare number run together with an amount: "120 VNĐ", "1100,000 VNĐ".
    let run_end = amount_digits_end(body, i);
    let cur_end = currency_after(body, run_end)?;
    let run = slice(body, i, run_end);
    (1..run.len())
        .filter(|&k| run.is_char_boundary(k) && run[..k].bytes().all(|b| b.is_ascii_digit()))
        .find(|&k| well_formed_amount(&run[k..]))
        .map(|k| ((i, i + k), (i + k, cur_end), true))
}

/// A time cell in words, ended by the first fee cell before the next channel name.
fn free_time_cells(body: &str, i: usize, limit: usize) -> Option<Cells> {
    let region = slice(body, i, limit);
    for (chars, (k, c)) in region.char_indices().enumerate() {
        if chars > MAX_FREE_TIME_CHARS || c == '\n' {
            return None;
        }
        if k == 0 && !(c.is_uppercase() || c.is_ascii_digit()) && fee_cell_at(body, i).is_none() {
            return None;
        }
        let at = i + k;
        if let Some(end) = fee_cell_at(body, at) {
            return Some(((i, at), (at, end), false));
        }
    }
    None
}

/// The end of a fee cell starting at `i`.
fn fee_cell_at(body: &str, i: usize) -> Option<usize> {
    for word in [FREE, NO_INFO] {
        if starts_at(body, i, word) {
            return Some(i + word.len());
        }
    }
    if digit_run(body, i) == 0 {
        return None;
    }
    let run_end = amount_digits_end(body, i);
    if !well_formed_amount(slice(body, i, run_end)) {
        return None;
    }
    currency_after(body, run_end)
}

/// End of the run of digits, commas and dots starting at `i`.
fn amount_digits_end(body: &str, i: usize) -> usize {
    i + body.get(i..).map_or(0, |t| {
        t.bytes()
            .take_while(|b| b.is_ascii_digit() || matches!(b, b',' | b'.'))
            .count()
    })
}

/// A plain or grouped amount without a superfluous leading zero.
fn well_formed_amount(s: &str) -> bool {
    (s == "0" || !s.starts_with('0')) && parse_grouped_integer(s).is_some()
}

/// The end of a currency word after an amount ending at `i` (one optional space).
fn currency_after(body: &str, i: usize) -> Option<usize> {
    let at = if char_at(body, i) == Some(' ') {
        i + 1
    } else {
        i
    };
    CELL_CURRENCIES
        .iter()
        .find(|c| starts_at(body, at, c))
        .map(|c| at + c.len())
}

/// The fee note: a balanced parenthesis right after the fee cell. An unclosed one runs to the
/// next channel name.
fn note_after(body: &str, i: usize, limit: usize) -> (Option<(usize, usize)>, usize) {
    if char_at(body, i) != Some('(') {
        return (None, i);
    }
    let mut depth = 0usize;
    for (k, c) in slice(body, i, body.len()).char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let inside = slice(body, i + 1, i + k);
                    if is_list_marker(inside) {
                        // "(1) Trường hợp ..." starts the description, it is not a fee note.
                        return (None, i);
                    }
                    return (Some((i + 1, i + k)), i + k + 1);
                }
            }
            _ => {}
        }
    }
    let end = limit.max(i + 1);
    (Some((i + 1, end)), end)
}

/// "1", "12", "a", "iv": the numbering of a list item.
fn is_list_marker(s: &str) -> bool {
    let n = s.chars().count();
    ((1..=2).contains(&n) && s.chars().all(|c| c.is_ascii_digit()))
        || (n == 1 && s.chars().all(|c| c.is_ascii_lowercase() || c == 'đ'))
        || ((1..=4).contains(&n) && s.chars().all(|c| matches!(c, 'i' | 'v' | 'x')))
}

#[cfg(test)]
mod tests {
    use super::super::super::model::TimeUnit;
    use super::*;

    fn table(rows: &str) -> (Vec<ChannelSpec>, Vec<IssueKind>) {
        let (specs, findings) = parse_channel_table(&format!("{CHANNEL_TABLE_HEADER}{rows}"));
        (specs, findings.into_iter().map(|f| f.kind).collect())
    }

    #[test]
    fn three_channels_with_units() {
        // Record 1.008581.
        let (s, k) = table(
            "Trực tuyến30 NgàyMiễn phíDịch vụ bưu chính30 NgàyMiễn phíTrực tiếp40 NgàyMiễn phí",
        );
        assert!(k.is_empty(), "{k:?}");
        let got: Vec<_> = s
            .iter()
            .map(|c| (c.channel, c.time.as_ref().map(|t| t.amount)))
            .collect();
        assert_eq!(
            got,
            vec![
                (Channel::Online, Some(30.0)),
                (Channel::Postal, Some(30.0)),
                (Channel::Counter, Some(40.0))
            ]
        );
        assert!(s.iter().all(|c| c.fee.as_ref().is_some_and(|f| f.free)));
    }

    #[test]
    fn descriptions_that_name_a_channel_stay_descriptions() {
        // Record 3.000578.
        let (s, _) = table(
            "Trực tiếp7 Ngày làm việcMiễn phíTrực tiếp tại Bộ phận Một cửa: 07 ngày làm việc kể từ \
             ngày nhận được hồ sơ đầy đủ và hợp lệ.Trực tuyến7 Ngày làm việcMiễn phíTrực tuyến tại \
             Cổng Dịch vụ công quốc gia.: 07 ngày làm việc",
        );
        assert_eq!(s.len(), 2);
        assert!(
            s[0].description
                .starts_with("Trực tiếp tại Bộ phận Một cửa")
        );
        assert_eq!(
            s[1].time.as_ref().map(|t| t.unit),
            Some(TimeUnit::WorkingDays)
        );
    }

    #[test]
    fn no_information_cells() {
        // Record 1.000232.
        let (s, _) = table(
            "Trực tiếpKhông có thông tinKhông có thông tinnộp hồ sơ trực tiếp tại trụ sở Cục Quản lý \
             xuất nhập cảnh.Trực tuyếnKhông có thông tinKhông có thông tinTrực tuyến: nộp hồ sơ",
        );
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].time.as_ref(), s[0].fee.as_ref()), (None, None));
        assert_eq!(s[0].time_text, "Không có thông tin");
        assert_eq!(s[1].description, "Trực tuyến: nộp hồ sơ");
    }

    #[test]
    fn bare_time_run_together_with_the_amount() {
        // Record 1.000014: "Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)".
        let (s, k) =
            table("Trực tuyến120 VNĐ(20.000 vnđ /tờ khai)Trực tiếp120 VNĐ(20.000 vnđ /tờ khai)");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].time_text, "1");
        assert_eq!(s[0].fee.as_ref().unwrap().items[0].amount_vnd, Some(20_000));
        assert_eq!(s[0].fee_text, "20 VNĐ(20.000 vnđ /tờ khai)");
        assert!(k.contains(&IssueKind::TimeFeeRunTogether));
        // Record 1.000005: "Trực tuyến120,000 VNĐ(...)".
        let (s, _) =
            table("Trực tuyến120,000 VNĐ(Theo khoản 1 Điều 3 Thông tư số 172/2010/TT-BTC)");
        assert_eq!(s[0].time_text, "1");
        assert_eq!(s[0].fee.as_ref().unwrap().items[0].amount_vnd, Some(20_000));
    }

    #[test]
    fn free_text_time_cells() {
        // Record 1.007689.
        let (s, k) = table(
            "Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phíBằng phương thức điện tử.",
        );
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].time_text, "Không phải trả kết quả cho người nộp thuế");
        assert_eq!(s[0].time, None);
        assert_eq!(k, vec![IssueKind::TimeUnparsed]);
        // Record 1.009825: "Không" is a placeholder.
        let (s, k) = table("Trực tiếpKhôngKhông có thông tinTại Trung tâm phục vụ hành chính công");
        assert_eq!((s.len(), k.len()), (1, 0));
    }

    #[test]
    fn fractional_time_and_amount() {
        // Record 1.013097.
        let (s, _) = table("Trực tuyến1.5 Ngày làm việc40,000 Việt Nam Đồng(Lệ phí)");
        assert_eq!(s[0].time.as_ref().map(|t| t.amount), Some(1.5));
        assert_eq!(s[0].fee.as_ref().unwrap().items[0].amount_vnd, Some(40_000));
    }

    #[test]
    fn unclosed_note_stops_at_the_next_channel() {
        let (s, _) = table("Trực tiếp1Miễn phí(chưa đóngDịch vụ bưu chính2 GiờMiễn phí");
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].time.as_ref().map(|t| t.unit), Some(TimeUnit::Hours));
    }

    #[test]
    fn numbered_description_is_not_a_fee_note() {
        // Record 1.014232.
        let (s, _) = table(
            "Trực tiếpKhông có thông tin4,000,000 Việt Nam Đồng(theo Thông tư số 10/2024/TT-BTC)(1) \
             Trường hợp cấp giấy phépDịch vụ bưu chínhKhông có thông tinKhông có thông tin(2) Trường hợp khác",
        );
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0].fee_text,
            "4,000,000 Việt Nam Đồng(theo Thông tư số 10/2024/TT-BTC)"
        );
        assert_eq!(s[0].description, "(1) Trường hợp cấp giấy phép");
        assert_eq!(
            (s[1].fee.as_ref(), s[1].description.as_str()),
            (None, "(2) Trường hợp khác")
        );
    }

    #[test]
    fn garbage_has_no_rows() {
        let (s, k) = parse_channel_table("Bước 1: nộp hồ sơ");
        assert!(s.is_empty());
        assert_eq!(k[0].kind, IssueKind::NoChannels);
    }
}
