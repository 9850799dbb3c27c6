//! The counter's screen for its receiving officer (`/mot-cua/boc-so?quay=N`): which areas the
//! counter serves, the ticket it serves now with "call again", "done" (linked to the dossier
//! just received) and "not here", the next call, the queues; the hall's statistics
//! (`/thong-ke`) and the kiosk's service areas (`/khu-vuc`).

use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use motcua_app::hall::{self, CallWhat, Desk, HallStats};
use motcua_domain::hall::{Area, TicketStatus};
use motcua_store::Agency;
use serde::Deserialize;
use uuid::Uuid;

use super::{Row, row};
use crate::ui::form::{Posted, UiResult};
use crate::ui::kit::{Ctx, Page, append_cookie, urlencode};

/// The cookie that remembers the officer's counter number on this browser.
const COUNTER_COOKIE: &str = "motcua_quay";

#[derive(Template)]
#[template(path = "ui/hall/counter.html")]
struct CounterPage {
    p: Page,
    d: Desk,
    /// Each area with whether this counter serves it.
    checks: Vec<(String, String, bool)>,
    agencies: Vec<Agency>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/hall/stats.html")]
struct StatsPage {
    p: Page,
    agency: Agency,
    from: String,
    to: String,
    total: Row,
    areas: Vec<Row>,
    counters: Vec<Row>,
}

#[derive(Template)]
#[template(path = "ui/hall/areas.html")]
struct AreasPage {
    p: Page,
    agency: Agency,
    text: String,
    error: Option<String>,
    saved: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeskQuery {
    quay: Option<i32>,
    #[serde(rename = "co-quan")]
    co_quan: Option<String>,
    tb: Option<String>,
    loi: Option<String>,
}

/// A counter form as read from its fields ([`FormFields::into_form`]).
#[derive(Default)]
pub struct DeskForm {
    quay: i32,
    co_quan: String,
    khu: Vec<String>,
    what: String,
    so: String,
    ho_so: String,
}

/// The centre the page is about: the one named (if the officer staffs it) or their first.
async fn agencies(ctx: &Ctx, named: Option<&str>) -> Result<(Vec<Agency>, Agency), Response> {
    let caller = ctx.counter()?;
    let all = motcua_app::auth::desk_agencies(&ctx.state, caller)
        .await
        .map_err(|e| ctx.error(&e))?;
    let chosen = match named {
        Some(code) => all.iter().find(|a| a.code == code).cloned(),
        None => all.first().cloned(),
    };
    match chosen {
        Some(a) => Ok((all, a)),
        None => Err(ctx.forbidden()),
    }
}

/// The counter asked for, else the one this browser used last, else 1.
fn counter_of(headers: &axum::http::HeaderMap, q: Option<i32>) -> i32 {
    q.or_else(|| crate::auth::cookie_in(headers, COUNTER_COOKIE).and_then(|v| v.parse().ok()))
        .filter(|n| (1..=motcua_domain::hall::MAX_COUNTER).contains(n))
        .unwrap_or(1)
}

pub async fn page(
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Query(q): Query<DeskQuery>,
) -> Response {
    let (all, agency) = match agencies(&ctx, q.co_quan.as_deref()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let caller = ctx.caller.as_ref().expect("checked by agencies");
    let counter = counter_of(&headers, q.quay);
    match hall::desk(&ctx.state, caller, agency.id, counter, Utc::now()).await {
        Ok(d) => ctx.render(CounterPage {
            p: ctx.page(),
            checks: d
                .areas
                .iter()
                .map(|a| (a.code.clone(), a.name.clone(), d.serves.contains(&a.code)))
                .collect(),
            d,
            agencies: all,
            notice: q.tb.filter(|s| s.chars().count() <= 200),
            error: q.loi.filter(|s| s.chars().count() <= 300),
        }),
        Err(e) => ctx.error(&e),
    }
}

/// Back to the counter's screen with a notice or an error line.
fn back(f: &DeskForm, key: &str, text: &str) -> Response {
    let mut to = format!("/mot-cua/boc-so?quay={}", f.quay);
    if !f.co_quan.is_empty() {
        to.push_str(&format!("&co-quan={}", urlencode(&f.co_quan)));
    }
    if !text.is_empty() {
        to.push_str(&format!("&{key}={}", urlencode(text)));
    }
    Redirect::to(&to).into_response()
}

/// Back to the counter's screen with the refusal of the application layer.
fn refused(f: &DeskForm, e: motcua_app::AppError) -> Response {
    back(f, "loi", &crate::error::ApiError::from(e).message_vi())
}

/// A counter form (its token checked by [`Posted`]) and its centre, checked like the page's.
async fn desk_form(ctx: &Ctx, f: FormFields) -> Result<(DeskForm, Uuid), Response> {
    let f = f.into_form();
    let named = (!f.co_quan.is_empty()).then_some(f.co_quan.as_str());
    let agency = agencies(ctx, named).await?.1.id;
    Ok((f, agency))
}

pub async fn set_desk(Posted(ctx, _, f, _): Posted<FormFields>) -> UiResult {
    let (f, agency) = desk_form(&ctx, f).await?;
    let caller = ctx.caller.as_ref().expect("checked");
    Ok(
        match hall::set_desk(&ctx.state, caller, agency, f.quay, f.khu.clone()).await {
            Ok(()) => {
                let mut res = back(&f, "tb", &format!("Đã lưu quầy số {}.", f.quay));
                append_cookie(
                    &mut res,
                    &format!(
                        "{COUNTER_COOKIE}={}; Path=/mot-cua; SameSite=Strict; HttpOnly; Max-Age=31536000",
                        f.quay
                    ),
                );
                ctx.finish(res)
            }
            Err(e) => refused(&f, e),
        },
    )
}

pub async fn call(Posted(ctx, _, f, _): Posted<FormFields>) -> UiResult {
    let (f, agency) = desk_form(&ctx, f).await?;
    let caller = ctx.caller.as_ref().expect("checked");
    let what = match f.what.as_str() {
        "again" => CallWhat::Again,
        "number" => CallWhat::Number(f.so.chars().take(10).collect()),
        _ => CallWhat::Next,
    };
    Ok(
        match hall::call(&ctx.state, caller, agency, f.quay, what, Utc::now()).await {
            Ok(Some(t)) => back(
                &f,
                "tb",
                &format!("Đã gọi số {} đến quầy {}.", t.label(), f.quay),
            ),
            Ok(None) => back(&f, "tb", "Không còn ai chờ ở các khu vực của quầy."),
            Err(e) => refused(&f, e),
        },
    )
}

pub async fn finish(Posted(ctx, _, f, _): Posted<FormFields>) -> UiResult {
    let (f, agency) = desk_form(&ctx, f).await?;
    let caller = ctx.caller.as_ref().expect("checked");
    let outcome = if f.what == "no_show" {
        TicketStatus::NoShow
    } else {
        TicketStatus::Done
    };
    let dossier = (outcome == TicketStatus::Done && !f.ho_so.trim().is_empty())
        .then(|| f.ho_so.chars().take(100).collect());
    Ok(
        match hall::finish(
            &ctx.state,
            caller,
            agency,
            f.quay,
            outcome,
            dossier,
            Utc::now(),
        )
        .await
        {
            Ok(t) => {
                let text = match (&t.status, &t.dossier_code) {
                    (TicketStatus::NoShow, _) => format!("Số {}: vắng mặt.", t.label()),
                    (_, Some(code)) => format!("Số {}: đã phục vụ, hồ sơ {code}.", t.label()),
                    _ => format!("Số {}: đã phục vụ.", t.label()),
                };
                back(&f, "tb", &text)
            }
            Err(e) => refused(&f, e),
        },
    )
}

/// The counter forms' fields as sent (`khu` may repeat: a checkbox per area).
#[derive(Deserialize)]
#[serde(transparent)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    fn into_form(self) -> DeskForm {
        let mut f = DeskForm::default();
        for (k, v) in self.0.into_iter().take(64) {
            match k.as_str() {
                "quay" => f.quay = v.trim().parse().unwrap_or(0),
                "co-quan" => f.co_quan = v.chars().take(100).collect(),
                "khu" => f.khu.push(v.chars().take(1).collect()),
                "what" => f.what = v,
                "so" => f.so = v,
                "ho_so" => f.ho_so = v,
                _ => {}
            }
        }
        f
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatsQuery {
    tu: Option<String>,
    den: Option<String>,
    #[serde(rename = "co-quan")]
    co_quan: Option<String>,
}

fn parse_day(s: Option<&str>) -> Option<NaiveDate> {
    motcua_domain::vn_time::parse_day(s?)
}

pub async fn stats(ctx: Ctx, Query(q): Query<StatsQuery>) -> Response {
    let (_, agency) = match agencies(&ctx, q.co_quan.as_deref()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let caller = ctx.caller.as_ref().expect("checked");
    let today = motcua_app::vn_today();
    let from = parse_day(q.tu.as_deref()).unwrap_or(today);
    let to = parse_day(q.den.as_deref()).unwrap_or(today);
    let s: HallStats = match hall::stats(&ctx.state, caller, agency.id, from, to).await {
        Ok(s) => s,
        Err(e) => return ctx.error(&e),
    };
    ctx.render(StatsPage {
        p: ctx.page(),
        from: from.format("%d/%m/%Y").to_string(),
        to: to.format("%d/%m/%Y").to_string(),
        total: row("Cả trung tâm".into(), s.total),
        areas: s
            .areas
            .into_iter()
            .map(|a| row(format!("{} — {}", a.code, a.name), a.times))
            .collect(),
        counters: s
            .counters
            .into_iter()
            .map(|c| row(format!("Quầy {}", c.counter), c.times))
            .collect(),
        agency,
    })
}

#[derive(Deserialize, Default)]
pub struct AreasQuery {
    #[serde(rename = "co-quan", default)]
    co_quan: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Deserialize)]
pub struct AreasForm {
    #[serde(rename = "co-quan", default)]
    co_quan: String,
    #[serde(default)]
    text: String,
}

fn areas_text(areas: &[Area]) -> String {
    areas
        .iter()
        .map(|a| format!("{} - {}", a.code, a.name))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One area a line: `A - Tư pháp, hộ tịch`. `Err` names the first line that is not.
fn parse_areas(text: &str) -> Result<Vec<Area>, String> {
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let line = line.trim();
        let parsed = line
            .split_once(['-', '–', ':', '.'])
            .and_then(|(code, name)| {
                let code = code.trim().to_uppercase();
                (code.chars().count() == 1).then(|| Area {
                    code,
                    name: name.trim().to_string(),
                })
            });
        match parsed {
            Some(a) => out.push(a),
            None => {
                return Err(format!(
                    "Dòng {} chưa đúng dạng “A - Tên khu vực”: {}",
                    i + 1,
                    line.chars().take(60).collect::<String>()
                ));
            }
        }
    }
    Ok(out)
}

pub async fn areas_page(ctx: Ctx, Query(q): Query<AreasQuery>) -> Response {
    let (_, agency) = match agencies(&ctx, q.co_quan.as_deref()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match hall::areas(&ctx.state, agency.id).await {
        Ok(areas) => ctx.render(AreasPage {
            p: ctx.page(),
            text: areas_text(&areas),
            agency,
            error: None,
            saved: q.saved.is_some(),
        }),
        Err(e) => ctx.error(&e),
    }
}

pub async fn set_areas(Posted(ctx, _, f, _): Posted<AreasForm>) -> Response {
    let named = (!f.co_quan.is_empty()).then_some(f.co_quan.as_str());
    let (_, agency) = match agencies(&ctx, named).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let caller = ctx.caller.as_ref().expect("checked");
    let text: String = f.text.chars().take(5_000).collect();
    let result = match parse_areas(&text) {
        Ok(areas) => hall::set_areas(&ctx.state, caller, agency.id, areas)
            .await
            .map_err(|e| crate::error::ApiError::from(e).message_vi()),
        Err(msg) => Err(msg),
    };
    match result {
        Ok(_) => ctx.finish(
            Redirect::to(&format!(
                "/mot-cua/boc-so/khu-vuc?co-quan={}&saved=1",
                urlencode(&agency.code)
            ))
            .into_response(),
        ),
        Err(error) => ctx.render_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            AreasPage {
                p: ctx.page(),
                agency,
                text,
                error: Some(error),
                saved: false,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_read_one_a_line() {
        let a = parse_areas("A - Tư pháp, hộ tịch\n\nb: Đất đai\n").unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!((a[1].code.as_str(), a[1].name.as_str()), ("B", "Đất đai"));
        assert!(parse_areas("Tư pháp").unwrap_err().starts_with("Dòng 1"));
        assert!(parse_areas("AB - x").is_err());
    }
}
