//! `/quan-tri/webhook`: webhook subscriptions of other systems (the IOC, a document-management
//! system) — list and create; each subscription's delivery log with a replay button, its
//! secret rotation and its on/off switch. The same services (and authorisation) as
//! `/api/v1/webhooks`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use motcua_app::calendar::format_vn_instant;
use motcua_app::webhooks::{DeliveryView, WebhookInput, WebhookView};
use motcua_store::DeliveryStatus;
use serde::Deserialize;
use uuid::Uuid;

use super::{CsrfOnly, Errors, form_error, see_other};
use crate::state::AppState;
use crate::ui::form::{Admin, OrPage, Posted, UiResult};
use crate::ui::kit::{Ctx, Page};

/// The subscription form as typed (lists one item per line or comma).
#[derive(Default, Deserialize)]
#[serde(default)]
pub(crate) struct HookForm {
    name: String,
    url: String,
    event_types: String,
    agencies: String,
    procedures: String,
}

fn items(s: &str) -> Vec<String> {
    s.split([',', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

impl HookForm {
    fn input(&self, active: bool) -> WebhookInput {
        WebhookInput {
            name: self.name.clone(),
            url: self.url.clone(),
            event_types: items(&self.event_types),
            agencies: items(&self.agencies),
            procedures: items(&self.procedures),
            active,
        }
    }
}

#[derive(Template)]
#[template(path = "ui/admin/webhooks.html")]
struct List {
    p: Page,
    hooks: Vec<WebhookView>,
    form: HookForm,
    errors: Errors,
}

pub(crate) async fn list(ctx: Ctx) -> UiResult {
    let caller = ctx.admin()?.clone();
    let hooks = ctx.state.list_webhooks(&caller).await.or_page(&ctx)?;
    let p = ctx.page();
    Ok(ctx.render(List {
        p,
        hooks,
        form: HookForm::default(),
        errors: Errors::default(),
    }))
}

fn hook_field(code: &str) -> Option<&'static str> {
    match code {
        "invalid_name" => Some("name"),
        "invalid_url" => Some("url"),
        "invalid_filter" => Some("event_types"),
        _ => None,
    }
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Posted(ctx, caller, f, _): Posted<HookForm, Admin>,
) -> UiResult {
    match state.create_webhook(&caller, &f.input(true)).await {
        Ok(made) => detail_page(&ctx, made.webhook.id, Some(made.secret), None).await,
        Err(e) => {
            let errors = form_error(&ctx, &e, hook_field)?;
            let hooks = state.list_webhooks(&caller).await.or_page(&ctx)?;
            let p = ctx.page();
            Ok(ctx.render_status(
                errors.status(),
                List {
                    p,
                    hooks,
                    form: f,
                    errors,
                },
            ))
        }
    }
}

/// One delivery, as shown.
struct DeliveryRow {
    d: DeliveryView,
    created: String,
    status_vi: &'static str,
}

#[derive(Template)]
#[template(path = "ui/admin/webhook.html")]
struct Detail {
    p: Page,
    hook: WebhookView,
    secret: Option<String>,
    status: String,
    rows: Vec<DeliveryRow>,
    total: i64,
    choices: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub(crate) struct DetailQuery {
    trang_thai: Option<String>,
}

fn status_vi(s: &str) -> &'static str {
    match s {
        "pending" => "Đang chờ gửi",
        "delivered" => "Đã gửi",
        _ => "Thất bại",
    }
}

async fn detail_page(
    ctx: &Ctx,
    id: Uuid,
    secret: Option<String>,
    status: Option<DeliveryStatus>,
) -> UiResult {
    let caller = ctx.admin()?.clone();
    let hook = ctx.state.webhook(&caller, id).await.or_page(ctx)?;
    let page = ctx
        .state
        .webhook_deliveries(&caller, id, status, 100, 0)
        .await
        .or_page(ctx)?;
    let rows = page
        .items
        .iter()
        .map(|d| {
            let d = DeliveryView::of(d);
            DeliveryRow {
                created: format_vn_instant(d.created_at),
                status_vi: status_vi(&d.status),
                d,
            }
        })
        .collect();
    let p = ctx.page();
    Ok(ctx.render(Detail {
        p,
        hook,
        secret,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        rows,
        total: page.total,
        choices: DeliveryStatus::ALL
            .iter()
            .map(|s| (s.as_str(), status_vi(s.as_str())))
            .collect(),
    }))
}

fn hook_id(ctx: &Ctx, id: &str) -> Result<Uuid, Response> {
    Uuid::parse_str(id.trim()).map_err(|_| ctx.error(&crate::error::ApiError::NotFound("webhook")))
}

pub(crate) async fn detail(
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> UiResult {
    let id = hook_id(&ctx, &id)?;
    let status = q.trang_thai.as_deref().and_then(DeliveryStatus::parse);
    detail_page(&ctx, id, None, status).await
}

pub(crate) async fn rotate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(ctx, caller, _, _): Posted<CsrfOnly, Admin>,
) -> UiResult {
    let id = hook_id(&ctx, &id)?;
    let made = state
        .rotate_webhook_secret(&caller, id)
        .await
        .or_page(&ctx)?;
    detail_page(&ctx, id, Some(made.secret), None).await
}

pub(crate) async fn toggle(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(ctx, caller, _, _): Posted<CsrfOnly, Admin>,
) -> UiResult {
    let id = hook_id(&ctx, &id)?;
    let hook = state.webhook(&caller, id).await.or_page(&ctx)?;
    let input = WebhookInput {
        name: hook.name,
        url: hook.url,
        event_types: hook.event_types,
        agencies: hook.agencies,
        procedures: hook.procedures,
        active: !hook.active,
    };
    state
        .update_webhook(&caller, id, &input)
        .await
        .or_page(&ctx)?;
    Ok(see_other(&ctx, &format!("/quan-tri/webhook/{id}")))
}

pub(crate) async fn replay(
    State(state): State<AppState>,
    Path((id, delivery)): Path<(String, String)>,
    Posted(ctx, caller, _, _): Posted<CsrfOnly, Admin>,
) -> UiResult {
    let id = hook_id(&ctx, &id)?;
    let delivery = hook_id(&ctx, &delivery)?;
    state
        .replay_delivery(&caller, id, delivery)
        .await
        .or_page(&ctx)?;
    Ok(see_other(&ctx, &format!("/quan-tri/webhook/{id}")))
}
