//! The periodic report on handling dossiers (báo cáo tình hình, kết quả giải quyết thủ tục hành
//! chính) as a worksheet or CSV, in the layout of the official report table: the dossiers to
//! handle (carried over, newly received online or at the counter and by post), those resolved
//! (early, on time, late) and those in progress (within time, overdue), one row per unit or
//! procedure and a total row; then the columns motcua adds (moves, withdrawals, stops,
//! refusals, rates).

use motcua_domain::stats::PeriodReport;

use crate::{Cell, Table};

/// The column headers after the row label (the label's header is the caller's).
pub const REPORT_HEADERS: [&str; 19] = [
    "Tổng số hồ sơ nhận giải quyết",
    "Số kỳ trước chuyển qua",
    "Số mới tiếp nhận trực tuyến",
    "Số mới tiếp nhận trực tiếp, qua dịch vụ bưu chính công ích",
    "Nhận chuyển đến, liên thông",
    "Chuyển đi, liên thông",
    "Đã giải quyết: tổng số",
    "Đã giải quyết: trả trước hạn",
    "Đã giải quyết: trả đúng hạn",
    "Đã giải quyết: trả quá hạn",
    "Đang giải quyết: tổng số",
    "Đang giải quyết: chưa đến hạn",
    "Đang giải quyết: quá hạn",
    "Rút hồ sơ",
    "Dừng giải quyết",
    "Từ chối tiếp nhận",
    "Tỷ lệ giải quyết trước hạn, đúng hạn (%)",
    "Tỷ lệ tiếp nhận trực tuyến (%)",
    "Đã trả kết quả",
];

/// The label of the total row.
pub const TOTAL_LABEL: &str = "Tổng cộng";

/// The figures of one row, in the order of [`REPORT_HEADERS`]; a rate is a percentage
/// (73.03) or `None` when its denominator is 0, as are the in-progress splits when unknown.
pub fn report_values(r: &PeriodReport) -> Vec<Value> {
    let split = r.in_progress_split;
    vec![
        Value::Int(r.total),
        Value::Int(r.carried_over),
        Value::Int(r.new_online),
        Value::Int(r.new_counter + r.new_postal),
        Value::Int(r.moved_in),
        Value::Int(r.moved_out),
        Value::Int(r.resolved),
        Value::Int(r.resolved_early),
        Value::Int(r.resolved_on_time),
        Value::Int(r.resolved_late),
        Value::Int(r.in_progress),
        split.map_or(Value::None, |s| Value::Int(s.within_time)),
        split.map_or(Value::None, |s| Value::Int(s.overdue)),
        Value::Int(r.withdrawn),
        Value::Int(r.stopped),
        Value::Int(r.refused),
        r.rates.on_time.map_or(Value::None, Value::Percent),
        r.rates.online.map_or(Value::None, Value::Percent),
        Value::Int(r.returned),
    ]
}

/// One figure of a report row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(i64),
    /// A percentage, 73.03 for 73,03 %.
    Percent(f64),
    None,
}

/// A worksheet of the report: a title line, the headers (`STT`, `label_header`, then
/// [`REPORT_HEADERS`]), one row per `(label, report)` numbered from 1, and the total row.
pub fn report_table(
    sheet: &str,
    title: &str,
    label_header: &str,
    rows: &[(String, &PeriodReport)],
    total: &PeriodReport,
) -> Table {
    let mut table = Table::new(
        sheet,
        ["STT", label_header]
            .into_iter()
            .chain(REPORT_HEADERS)
            .map(str::to_string),
    );
    table.title = Some(title.to_string());
    let cells = |r: &PeriodReport| {
        report_values(r).into_iter().map(|v| match v {
            Value::Int(n) => Cell::Int(n),
            Value::Percent(p) => Cell::Percent(p / 100.0),
            Value::None => Cell::Empty,
        })
    };
    for (i, (label, r)) in rows.iter().enumerate() {
        let mut row = vec![Cell::Int(i as i64 + 1), Cell::Text(label.clone())];
        row.extend(cells(r));
        table.rows.push(row);
    }
    let mut row = vec![Cell::Empty, Cell::Text(TOTAL_LABEL.to_string())];
    row.extend(cells(total));
    table.rows.push(row);
    table
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The same rows as [`report_table`] as CSV (UTF-8 with a byte-order mark so spreadsheet
/// programs read the Vietnamese; percentages with a decimal comma, as Vietnamese write them).
pub fn report_csv(
    label_header: &str,
    rows: &[(String, &PeriodReport)],
    total: &PeriodReport,
) -> String {
    let mut out = String::from("\u{feff}");
    let header: Vec<String> = ["STT", label_header]
        .into_iter()
        .chain(REPORT_HEADERS)
        .map(csv_field)
        .collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    let mut line = |n: String, label: &str, r: &PeriodReport| {
        let mut fields = vec![n, csv_field(label)];
        fields.extend(report_values(r).into_iter().map(|v| match v {
            Value::Int(n) => n.to_string(),
            Value::Percent(p) => csv_field(&format!("{p:.2}").replace('.', ",")),
            Value::None => String::new(),
        }));
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    for (i, (label, r)) in rows.iter().enumerate() {
        line((i + 1).to_string(), label, r);
    }
    line(String::new(), TOTAL_LABEL, total);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::stats::{Counters, InProgressSplit, Metric};

    fn sample() -> PeriodReport {
        let within = Counters::new()
            .with(Metric::ReceivedOnline, 3)
            .with(Metric::ReceivedCounter, 1)
            .with(Metric::Resolved, 2)
            .with(Metric::ResolvedEarly, 1)
            .with(Metric::ResolvedLate, 1);
        PeriodReport::from_counters(
            &Counters::new(),
            &within,
            Some(InProgressSplit {
                within_time: 1,
                overdue: 1,
            }),
        )
    }

    #[test]
    fn stats_report_rows_follow_the_official_columns() {
        let r = sample();
        let v = report_values(&r);
        assert_eq!(v.len(), REPORT_HEADERS.len());
        assert_eq!(v[0], Value::Int(4));
        assert_eq!(v[2], Value::Int(3));
        assert_eq!(v[12], Value::Int(1));
        assert_eq!(v[16], Value::Percent(50.0));
        let t = report_table(
            "Theo đơn vị",
            "Báo cáo",
            "Đơn vị",
            &[("Xã A".into(), &r)],
            &r,
        );
        assert_eq!(t.headers.len(), 2 + REPORT_HEADERS.len());
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1][1], Cell::Text(TOTAL_LABEL.into()));
        assert_eq!(t.rows[0][18], Cell::Percent(0.5));
        assert!(crate::tables_xlsx(&[t]).is_ok());
        let csv = report_csv("Đơn vị", &[("Xã A, B".into(), &r)], &r);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[1].starts_with("1,\"Xã A, B\",4,0,3,1,"),
            "{}",
            lines[1]
        );
        assert!(lines[1].contains(",\"50,00\","), "{}", lines[1]);
        assert!(lines[2].starts_with(",Tổng cộng,4,"));
    }
}
