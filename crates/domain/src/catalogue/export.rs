//! Flat export of procedures: one CSV row per procedure ([`csv_header`], [`to_csv_record`]), for
//! spreadsheets and the XLSX export. Lists are joined with " | "; per-channel columns take the
//! channel's first row. Pure: the caller decides where the bytes go ([`to_csv`] builds them in
//! memory).

use super::model::{
    Channel, ChannelSpec, Fee, FeeKind, Level, Procedure, ProcessingTime, TimeUnit,
};

const SEP: &str = " | ";

const HEADER: [&str; 34] = [
    "code",
    "name",
    "decision_number",
    "kind",
    "field",
    "levels",
    "applicant_types",
    "competent_body",
    "implementing_body",
    "delegated_body",
    "coordinating_body",
    "reception_address",
    "channels",
    "counter_time",
    "online_time",
    "postal_time",
    "time_texts",
    "fees",
    "fee_max_vnd",
    "fee_texts",
    "has_financial_obligation",
    "online_level",
    "online_level_stated",
    "eligible_full_online",
    "component_count",
    "components",
    "templates",
    "legal_basis",
    "results",
    "result_codes",
    "steps_count",
    "related_procedures",
    "requirements",
    "source_url",
];

/// Column names of [`to_csv_record`], in order.
pub fn csv_header() -> &'static [&'static str] {
    &HEADER
}

/// One flat row; same length and order as [`csv_header`].
pub fn to_csv_record(p: &Procedure) -> Vec<String> {
    let join = |items: Vec<String>| dedup(items).join(SEP);
    let channel_time = |ch: Channel| {
        p.channels
            .iter()
            .find(|c| c.channel == ch)
            .map(channel_time_text)
            .unwrap_or_default()
    };
    vec![
        p.code.clone(),
        p.name.clone(),
        p.decision_number.clone(),
        p.kind.clone(),
        p.field.clone(),
        join(
            p.levels
                .iter()
                .map(|l| Level::label_vi(l).to_owned())
                .collect(),
        ),
        join(p.applicant_types.clone()),
        p.competent_body.clone(),
        p.implementing_body.clone(),
        p.delegated_body.clone(),
        p.coordinating_body.clone(),
        p.reception_address.clone(),
        join(
            p.channels
                .iter()
                .map(|c| c.channel.key().to_owned())
                .collect(),
        ),
        channel_time(Channel::Counter),
        channel_time(Channel::Online),
        channel_time(Channel::Postal),
        join(p.channels.iter().map(|c| c.time_text.clone()).collect()),
        join(
            p.channels
                .iter()
                .filter_map(|c| c.fee.as_ref().map(format_fee))
                .collect(),
        ),
        p.channels
            .iter()
            .filter_map(|c| c.fee.as_ref().map(Fee::total_vnd))
            .max()
            .map(|v| v.to_string())
            .unwrap_or_default(),
        join(
            p.channels
                .iter()
                .map(|c| c.fee_text.clone())
                .filter(|t| !t.is_empty())
                .collect(),
        ),
        p.has_financial_obligation.to_string(),
        p.online_level.key().to_owned(),
        p.online_level_stated.to_string(),
        p.eligible_full_online.to_string(),
        p.components.len().to_string(),
        join(p.components.iter().map(|c| c.name.clone()).collect()),
        join(
            p.components
                .iter()
                .flat_map(|c| c.templates.iter().cloned())
                .collect(),
        ),
        join(
            p.legal_basis
                .iter()
                .map(|d| d.number.clone().unwrap_or_else(|| d.title.clone()))
                .collect(),
        ),
        join(p.result.iter().map(|r| r.name.clone()).collect()),
        join(
            p.result
                .iter()
                .filter_map(|r| r.result_code.clone())
                .collect(),
        ),
        p.steps.len().to_string(),
        join(p.related_procedures.clone()),
        p.requirements.clone(),
        p.source_url.clone(),
    ]
}

/// A CSV document (header and one row per procedure), built in memory.
pub fn to_csv(procedures: &[Procedure]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(csv_header())?;
    for p in procedures {
        w.write_record(to_csv_record(p))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// "20 working_days", "5–7 days", "12 working_days (unit assumed)", "in_the_day".
pub fn format_time(t: &ProcessingTime) -> String {
    if t.unit == TimeUnit::InTheDay {
        return t.unit.key().to_owned();
    }
    let amount = match t.min_amount {
        Some(min) => format!("{min}–{}", t.amount),
        None => t.amount.to_string(),
    };
    let assumed = if t.unit_assumed {
        " (unit assumed)"
    } else {
        ""
    };
    format!("{amount} {}{assumed}", t.unit.key())
}

/// "free", or the items: "charge 8000 VND; fee 10 USD; fee (no amount)".
pub fn format_fee(f: &Fee) -> String {
    if f.free {
        return "free".to_owned();
    }
    let items: Vec<String> = f
        .items
        .iter()
        .map(|i| {
            let kind = match i.kind {
                FeeKind::Fee => "fee",
                FeeKind::Charge => "charge",
                FeeKind::ServicePrice => "service_price",
                FeeKind::Unspecified => "amount",
            };
            match (&i.amount_vnd, &i.foreign, &i.doubtful_amount) {
                (Some(v), _, _) => format!("{kind} {v} VND"),
                (None, Some(f), _) => format!("{kind} {} {}", f.amount, f.currency),
                (None, None, Some(d)) => format!("{kind} {d}? VND"),
                (None, None, None) => format!("{kind} (no amount)"),
            }
        })
        .collect();
    if items.is_empty() {
        "not stated".to_owned()
    } else {
        items.join("; ")
    }
}

fn channel_time_text(c: &ChannelSpec) -> String {
    c.time
        .as_ref()
        .map_or_else(|| c.time_text.clone(), format_time)
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        if !i.is_empty() && !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::dvc::parse_dvc_record;
    use super::*;

    #[test]
    fn one_row_per_procedure() {
        let line = r#"{"ma_thu_tuc": "1.000014", "ten_thu_tuc": "Thủ tục hải quan",
            "cap_thuc_hien": "Cấp bộ, Cấp tỉnh",
            "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến120 VNĐ(20.000 vnđ /tờ khai)Trực tiếp8 GiờMiễn phí"}"#;
        let p = parse_dvc_record(line).unwrap().procedure;
        let row = to_csv_record(&p);
        assert_eq!(row.len(), csv_header().len());
        let col = |name: &str| &row[csv_header().iter().position(|h| *h == name).unwrap()];
        assert_eq!(col("levels"), "Cấp bộ | Cấp tỉnh");
        assert_eq!(col("channels"), "online | counter");
        assert_eq!(col("online_time"), "1 working_days (unit assumed)");
        assert_eq!(col("counter_time"), "8 hours");
        assert_eq!(col("fees"), "amount 20000 VND | free");
        assert_eq!(col("fee_max_vnd"), "20000");
        assert_eq!(col("has_financial_obligation"), "true");
        assert_eq!(col("online_level"), "partial");
        let csv = to_csv(&[p]).unwrap();
        assert!(csv.starts_with("code,name,"));
        assert_eq!(csv.lines().count(), 2);
    }
}
