//! The register (sổ theo dõi hồ sơ) at the desk: the dossiers the desk's agency received
//! between two days (today by default), with the official register as HTML and PDF.

use askama::Template;
use axum::extract::Query;
use chrono::NaiveDate;
use motcua_domain::dossier::vietnam_date;
use motcua_store::Agency;
use serde::Deserialize;

use super::{Errors, Line, Names, desk, lines};
use crate::ui::form::{OrPage, UiResult};
use crate::ui::kit::{Ctx, Page};

#[derive(Template)]
#[template(path = "ui/counter/register.html")]
struct Register {
    p: Page,
    agencies: Vec<Agency>,
    agency: String,
    from: String,
    to: String,
    /// The period's dates as the API reads them (YYYY-MM-DD), when valid.
    from_iso: String,
    to_iso: String,
    period: String,
    rows: Vec<Line>,
    count: String,
    errors: Errors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterQuery {
    tu: String,
    den: String,
    co_quan: String,
}

/// `GET /mot-cua/so-theo-doi?tu=&den=&co_quan=`.
pub async fn page(ctx: Ctx, Query(q): Query<RegisterQuery>) -> UiResult {
    let (_, agencies) = desk(&ctx).await?;
    let state = &ctx.state;
    let today = vietnam_date(chrono::Utc::now());
    let mut errors = Errors::default();
    let day = |s: &str, field: &str, errors: &mut Errors| {
        if s.trim().is_empty() {
            return Some(today);
        }
        let d = motcua_domain::vn_time::parse_day(s);
        if d.is_none() {
            errors.set(field, "Ngày không hợp lệ (dd/mm/yyyy).");
        }
        d
    };
    let from = day(&q.tu, "tu", &mut errors);
    let to = day(&q.den, "den", &mut errors);
    if let (Some(f), Some(t)) = (from, to)
        && (t < f || (t - f).num_days() > 366)
    {
        errors.set(
            "den",
            "Khoảng thời gian không hợp lệ (đến ngày không trước từ ngày, tối đa một năm).",
        );
    }
    let agency = agencies
        .iter()
        .find(|a| a.code == q.co_quan.trim())
        .or(agencies.first())
        .cloned();
    let p = ctx.page();
    let mut rows = Vec::new();
    let (mut from_iso, mut to_iso, mut period) = (String::new(), String::new(), String::new());
    if let (true, Some(f), Some(t), Some(a)) = (errors.is_empty(), from, to, agency.as_ref()) {
        let found = state.dossiers_received(a.id, f, t).await.or_page(&ctx)?;
        let mut names = Names::default();
        rows = lines(state, &p, &found, &mut names).await;
        from_iso = f.to_string();
        to_iso = t.to_string();
        period = if f == t {
            p.date(&f)
        } else {
            format!("{} – {}", p.date(&f), p.date(&t))
        };
    }
    let shown = |d: Option<NaiveDate>, raw: &str| {
        d.map(motcua_domain::vn_time::day_text)
            .unwrap_or(raw.to_string())
    };
    let status = errors.status();
    let page = Register {
        agency: agency.map(|a| a.code).unwrap_or_default(),
        agencies,
        from: shown(from, &q.tu),
        to: shown(to, &q.den),
        from_iso,
        to_iso,
        period,
        count: p.int(rows.len() as i64),
        rows,
        errors,
        p,
    };
    Ok(ctx.render_status(status, page))
}
