//! `/thu-tuc`: search the catalogue as you type (htmx swaps the results; without JavaScript
//! the form submits and the whole page comes back), and `/thu-tuc/{ma}`: one procedure in
//! plain Vietnamese.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::Response;
use motcua_domain::catalogue::{Channel, ComponentSpec, Procedure, TimeUnit};
use motcua_domain::text::spaced;
use motcua_store::ProcedureHit;
use serde::Deserialize;

use super::{levels_label, online_label};
use crate::ui::form::{OrPage, UiResult};
use crate::ui::kit::{Ctx, Page, is_htmx, urlencode};
use motcua_app::catalogue::{self as cat, SearchParams};

const PER_PAGE: i64 = 20;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    level: String,
    page: Option<i64>,
}

/// One procedure of a result list, ready to show.
pub struct Row {
    pub code: String,
    pub name: String,
    pub field: String,
    pub levels: String,
    pub online: &'static str,
    pub body: String,
}

impl From<&ProcedureHit> for Row {
    fn from(h: &ProcedureHit) -> Row {
        Row {
            code: h.code.clone(),
            name: h.name.clone(),
            field: h.field.clone(),
            levels: levels_label(&h.levels),
            online: online_label(&h.online_level),
            body: h.body.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "ui/portal/procedures.html")]
struct SearchPage {
    p: Page,
    q: String,
    level: String,
    /// The results (what htmx asks for alone).
    results: SearchResults,
}

#[derive(Template)]
#[template(path = "ui/portal/procedure_results.html")]
struct SearchResults {
    p: Page,
    q: String,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    ignored: String,
}

const LEVELS: [&str; 4] = ["ministry", "province", "commune", "other_body"];

pub async fn search(ctx: Ctx, headers: HeaderMap, Query(sq): Query<SearchQuery>) -> Response {
    let q = sq.q.trim().to_string();
    let level = if LEVELS.contains(&sq.level.as_str()) {
        sq.level.clone()
    } else {
        String::new()
    };
    let page = sq.page.unwrap_or(1).clamp(1, 10_000);
    let state = &ctx.state;
    // A full procedure code goes straight to its procedure (as the API does).
    let result = match state
        .search_procedures(
            SearchParams {
                q: (!q.is_empty()).then(|| q.clone()),
                level: (!level.is_empty()).then(|| level.clone()),
                limit: PER_PAGE,
                offset: (page - 1) * PER_PAGE,
                ..SearchParams::default()
            },
            false,
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return ctx.error(&e),
    };
    let pages = ((result.total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |n: i64| {
        format!(
            "/thu-tuc?q={}&level={}&page={n}",
            urlencode(&q),
            urlencode(&level)
        )
    };
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    let rows: Vec<Row> = result.items.iter().map(Row::from).collect();
    let ignored = result.ignored_words.join(", ");
    let results = SearchResults {
        p: ctx.page(),
        q: q.clone(),
        rows,
        total: result.total,
        page,
        pages,
        prev,
        next,
        ignored,
    };
    if is_htmx(&headers) {
        return ctx.render(results);
    }
    ctx.render(SearchPage {
        p: ctx.page(),
        q,
        level,
        results,
    })
}

/// A component as the page shows it.
pub struct Component {
    pub name: String,
    pub quantity: String,
    pub required: bool,
    pub case: Option<String>,
    pub templates: Vec<String>,
}

/// A component's name without the list marks the crawl keeps ("- ", "+ ").
pub(crate) fn component_label(c: &ComponentSpec) -> String {
    c.name
        .trim()
        .trim_start_matches(['-', '+', '*', ' '])
        .trim()
        .to_string()
}

/// "1 bản chính, 2 bản sao" (nothing for a zero).
pub(crate) fn quantity(c: &ComponentSpec) -> String {
    let mut q = Vec::new();
    if let Some(n) = c.originals.filter(|n| *n > 0) {
        q.push(format!("{n} bản chính"));
    }
    if let Some(n) = c.copies.filter(|n| *n > 0) {
        q.push(format!("{n} bản sao"));
    }
    q.join(", ")
}

pub(crate) fn components(p: &Procedure) -> Vec<Component> {
    p.components
        .iter()
        .map(|c| Component {
            name: component_label(c),
            quantity: quantity(c),
            required: c.is_required(),
            case: c.case.clone(),
            templates: c.templates.clone(),
        })
        .collect()
}

/// One channel row: how to submit, the time limit and the fee.
pub struct ChannelRow {
    pub channel: &'static str,
    pub time: String,
    pub fee: String,
    pub description: String,
}

fn time_text(c: &motcua_domain::catalogue::ChannelSpec) -> String {
    match &c.time {
        Some(t) if t.unit == TimeUnit::InTheDay => "Trong ngày".into(),
        Some(t) => {
            let unit = t.unit.label_vi();
            let n = |x: f64| {
                if x.fract() == 0.0 {
                    format!("{}", x as i64)
                } else {
                    format!("{x}").replace('.', ",")
                }
            };
            match t.min_amount {
                Some(m) => format!("Từ {} đến {} {unit}", n(m), n(t.amount)),
                None => format!("{} {unit}", n(t.amount)),
            }
        }
        None if c.time_text.trim().is_empty() => "Không có thông tin".into(),
        None => spaced(&c.time_text),
    }
}

fn fee_text(c: &motcua_domain::catalogue::ChannelSpec) -> String {
    match &c.fee {
        Some(f) if f.free && c.fee_text.trim().len() > "Miễn phí".len() => spaced(&c.fee_text),
        Some(f) if f.free => "Miễn phí".into(),
        Some(f) if f.total_vnd() > 0 && !c.fee_text.is_empty() => spaced(&c.fee_text),
        Some(f) if f.total_vnd() > 0 => {
            format!("{} đồng", motcua_sheets::vi::integer(f.total_vnd()))
        }
        _ if c.fee_text.trim().is_empty() => "Không có thông tin".into(),
        _ => spaced(&c.fee_text),
    }
}

/// Online submission is offered: the procedure lists an online channel or an online level.
pub(crate) fn online_allowed(p: &Procedure) -> bool {
    p.channels.iter().any(|c| c.channel == Channel::Online)
        || !matches!(p.online_level, motcua_domain::catalogue::OnlineLevel::None)
}

#[derive(Template)]
#[template(path = "ui/portal/procedure.html")]
struct ProcedurePage {
    p: Page,
    pr: Procedure,
    levels: String,
    online: &'static str,
    online_allowed: bool,
    components: Vec<Component>,
    channels: Vec<ChannelRow>,
    agencies: Vec<motcua_store::Agency>,
    body: String,
}

pub async fn procedure(ctx: Ctx, Path(code): Path<String>) -> UiResult {
    let state = &ctx.state;
    let in_force = match state
        .in_force(code.trim(), motcua_domain::vn_time::today())
        .await
    {
        Ok(p) if p.status == motcua_domain::catalogue::ProcedureStatus::Published => p,
        Ok(_) => {
            return Ok(ctx.error(&crate::error::ApiError::NotFound("thủ tục hành chính")));
        }
        Err(e) => return Ok(ctx.error(&e)),
    };
    let pr = in_force.procedure.clone();
    let agencies = state.agencies_applying(&pr.code, 50).await.or_page(&ctx)?;
    let channels = pr
        .channels
        .iter()
        .map(|c| ChannelRow {
            channel: c.channel.label_vi(),
            time: time_text(c),
            fee: fee_text(c),
            description: c.description.clone(),
        })
        .collect();
    let levels = pr
        .levels
        .iter()
        .map(|l| l.label_vi().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let online = online_label(match pr.online_level {
        motcua_domain::catalogue::OnlineLevel::FullProcess => "full_process",
        motcua_domain::catalogue::OnlineLevel::Partial => "partial",
        _ => "none",
    });
    Ok(ctx.render(ProcedurePage {
        p: ctx.page(),
        levels,
        online,
        online_allowed: online_allowed(&pr),
        components: components(&pr),
        channels,
        agencies,
        body: cat::issuing_body(&pr),
        pr,
    }))
}
