//! Webhooks for other systems (the province's operations centre, a document-management
//! system): subscriptions by event type, agency and procedure, managed by system
//! administrators; the CloudEvents written to the outbox with each dossier event ([`events`]);
//! and the worker that fans them out to the matching subscriptions and delivers them signed per
//! Standard Webhooks, with back-off ([`worker`]).

pub mod events;
pub mod portal;
pub mod transfer;
pub mod worker;

use chrono::{DateTime, Utc};
use motcua_domain::auth::Action;
use motcua_integrations::webhook::{self as hook, Filter, MAX_SECRETS};
use motcua_store::{
    Conflict, DbError, DeliveryQuery, DeliveryStatus, WebhookDelivery, WebhookSubscription,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Caller, require};
use crate::{App, AppError};

/// Most subscriptions an installation keeps (the worker reads them all on each pass).
pub const MAX_SUBSCRIPTIONS: i64 = 200;
/// Longest subscriber address.
pub const MAX_URL_CHARS: usize = 500;

/// A subscription as created or changed by an administrator.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WebhookInput {
    /// What the subscriber is (e.g. "Trung tâm IOC tỉnh"), 1–200 characters.
    pub name: String,
    /// Where events are POSTed: `http://` or `https://`, at most 500 characters.
    pub url: String,
    /// CloudEvents types (`vn.motcua.dossier.received`, or a prefix ending in `*`); empty: all.
    #[serde(default)]
    pub event_types: Vec<String>,
    /// Agency codes; empty: all.
    #[serde(default)]
    pub agencies: Vec<String>,
    /// Procedure codes; empty: all.
    #[serde(default)]
    pub procedures: Vec<String>,
    /// Deliveries stop while false (default true).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A subscription as administrators see it (its secrets are shown only when made).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub agencies: Vec<String>,
    pub procedures: Vec<String>,
    pub active: bool,
    /// Secrets deliveries are signed with (more than one during a rotation).
    pub secrets: usize,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WebhookView {
    pub fn of(s: &WebhookSubscription) -> WebhookView {
        WebhookView {
            id: s.id,
            name: s.name.clone(),
            url: s.url.clone(),
            event_types: s.event_types.clone(),
            agencies: s.agencies.clone(),
            procedures: s.procedures.clone(),
            active: s.active,
            secrets: s.secrets.len(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A subscription with a secret just made: the only time it is shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WebhookWithSecret {
    pub webhook: WebhookView,
    /// `whsec_…`: give it to the subscriber, who verifies the `webhook-signature` with it.
    pub secret: String,
}

/// One delivery in a subscription's log.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    /// The `webhook-id` (the CloudEvent's id), the same on every attempt and replay.
    pub event_id: String,
    pub event_type: String,
    /// The dossier's code.
    pub subject: Option<String>,
    /// pending, delivered or failed.
    pub status: String,
    pub attempts: i32,
    /// The HTTP status of the last attempt (absent: no answer).
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When a pending delivery is attempted next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

impl DeliveryView {
    pub fn of(d: &WebhookDelivery) -> DeliveryView {
        DeliveryView {
            id: d.id,
            event_id: d.event_id.clone(),
            event_type: d.event_type.clone(),
            subject: d.subject.clone(),
            status: d.status.as_str().to_string(),
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error.clone(),
            created_at: d.created_at,
            next_attempt_at: (d.status == DeliveryStatus::Pending).then_some(d.next_attempt_at),
            delivered_at: d.delivered_at,
            failed_at: d.failed_at,
        }
    }
}

fn invalid(code: &'static str, message: &str, field: &str) -> AppError {
    AppError::Invalid {
        kind: crate::InvalidKind::Unprocessable,
        code,
        message: message.to_string(),
        field: Some(field.to_string()),
        detail: None,
    }
}

/// Checks an input: the name, the address and the filter's bounds.
fn check(input: &WebhookInput) -> Result<Filter, AppError> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > motcua_domain::input::MAX_NAME_CHARS {
        return Err(invalid(
            "invalid_name",
            "Tên bên nhận phải có từ 1 đến 200 ký tự.",
            "name",
        ));
    }
    motcua_domain::input::check("name", name)
        .map_err(|e| invalid(e.code(), &e.message_vi(), "name"))?;
    let url = input.url.trim();
    let parsed = reqwest::Url::parse(url).ok();
    let scheme_ok = parsed
        .as_ref()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !scheme_ok || url.chars().count() > MAX_URL_CHARS {
        return Err(invalid(
            "invalid_url",
            "Địa chỉ nhận phải là một URL http:// hoặc https:// hợp lệ, tối đa 500 ký tự.",
            "url",
        ));
    }
    let filter = Filter {
        event_types: trimmed(&input.event_types),
        agencies: trimmed(&input.agencies),
        procedures: trimmed(&input.procedures),
    };
    filter.check().map_err(|_| {
        invalid(
            "invalid_filter",
            "Mỗi danh sách lọc có tối đa 100 mục, mỗi mục từ 1 đến 100 ký tự.",
            "event_types",
        )
    })?;
    Ok(filter)
}

fn trimmed(list: &[String]) -> Vec<String> {
    list.iter().map(|s| s.trim().to_string()).collect()
}

fn not_found(e: DbError) -> AppError {
    match e {
        DbError::NotFound => AppError::NotFound("webhook"),
        e => e.into(),
    }
}

impl App {
    /// A new subscription with its first secret (shown once).
    pub async fn create_webhook(
        &self,
        caller: &Caller,
        input: &WebhookInput,
    ) -> Result<WebhookWithSecret, AppError> {
        require(caller, Action::ManageNotices)?;
        let filter = check(input)?;
        if self.store.list_webhooks(MAX_SUBSCRIPTIONS).await?.len() as i64 >= MAX_SUBSCRIPTIONS {
            return Err(AppError::conflict(
                "too_many_webhooks",
                "Đã có tối đa 200 đăng ký webhook; hãy tắt hoặc sửa một đăng ký cũ.",
            ));
        }
        let now = Utc::now();
        let secret = hook::new_secret();
        let s = WebhookSubscription {
            id: Uuid::now_v7(),
            name: input.name.trim().to_string(),
            url: input.url.trim().to_string(),
            event_types: filter.event_types,
            agencies: filter.agencies,
            procedures: filter.procedures,
            secrets: vec![secret.clone()],
            active: input.active,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_webhook(&s).await?;
        tracing::info!(id = %s.id, url = %s.url, "webhook subscription created");
        Ok(WebhookWithSecret {
            webhook: WebhookView::of(&s),
            secret,
        })
    }

    pub async fn list_webhooks(&self, caller: &Caller) -> Result<Vec<WebhookView>, AppError> {
        require(caller, Action::ManageNotices)?;
        let all = self.store.list_webhooks(MAX_SUBSCRIPTIONS).await?;
        Ok(all
            .iter()
            .filter(|s| {
                s.id != portal::PORTAL_ID && self.config.transfers.by_subscription(s.id).is_none()
            })
            .map(WebhookView::of)
            .collect())
    }

    pub async fn webhook(&self, caller: &Caller, id: Uuid) -> Result<WebhookView, AppError> {
        require(caller, Action::ManageNotices)?;
        let s = self.store.webhook(id).await.map_err(not_found)?;
        Ok(WebhookView::of(&s))
    }

    /// Changes a subscription's name, address, filters and state (its secrets stay).
    pub async fn update_webhook(
        &self,
        caller: &Caller,
        id: Uuid,
        input: &WebhookInput,
    ) -> Result<WebhookView, AppError> {
        require(caller, Action::ManageNotices)?;
        let filter = check(input)?;
        let mut s = self.store.webhook(id).await.map_err(not_found)?;
        s.name = input.name.trim().to_string();
        s.url = input.url.trim().to_string();
        s.event_types = filter.event_types;
        s.agencies = filter.agencies;
        s.procedures = filter.procedures;
        s.active = input.active;
        s.updated_at = Utc::now();
        self.store.update_webhook(&s).await.map_err(not_found)?;
        Ok(WebhookView::of(&s))
    }

    /// Starts a rotation: a new secret signs every delivery from now on, beside the old ones
    /// (at most [`MAX_SECRETS`] in all, the oldest dropped), until [`App::retire_webhook_secrets`].
    pub async fn rotate_webhook_secret(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<WebhookWithSecret, AppError> {
        require(caller, Action::ManageNotices)?;
        let mut s = self.store.webhook(id).await.map_err(not_found)?;
        let secret = hook::new_secret();
        s.secrets.insert(0, secret.clone());
        s.secrets.truncate(MAX_SECRETS);
        s.updated_at = Utc::now();
        self.store.update_webhook(&s).await.map_err(not_found)?;
        Ok(WebhookWithSecret {
            webhook: WebhookView::of(&s),
            secret,
        })
    }

    /// Ends a rotation: only the newest secret signs from now on.
    pub async fn retire_webhook_secrets(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<WebhookView, AppError> {
        require(caller, Action::ManageNotices)?;
        let mut s = self.store.webhook(id).await.map_err(not_found)?;
        s.secrets.truncate(1);
        s.updated_at = Utc::now();
        self.store.update_webhook(&s).await.map_err(not_found)?;
        Ok(WebhookView::of(&s))
    }

    /// A subscription's delivery log, newest first.
    pub async fn webhook_deliveries(
        &self,
        caller: &Caller,
        id: Uuid,
        status: Option<DeliveryStatus>,
        limit: i64,
        offset: i64,
    ) -> Result<motcua_store::Page<WebhookDelivery>, AppError> {
        require(caller, Action::ManageNotices)?;
        self.store.webhook(id).await.map_err(not_found)?;
        Ok(self
            .store
            .list_deliveries(&DeliveryQuery {
                subscription_id: Some(id),
                subject: None,
                status,
                limit: limit.clamp(1, 500),
                offset: offset.max(0),
            })
            .await?)
    }

    /// Sends a delivery again (failed, or delivered and lost on the subscriber's side): due
    /// now, with the same `webhook-id`; refused while a worker is sending it.
    pub async fn replay_delivery(
        &self,
        caller: &Caller,
        id: Uuid,
        delivery: Uuid,
    ) -> Result<WebhookDelivery, AppError> {
        require(caller, Action::ManageNotices)?;
        let d = self.store.delivery(delivery).await.map_err(|e| match e {
            DbError::NotFound => AppError::NotFound("lần gửi webhook"),
            e => e.into(),
        })?;
        if d.subscription_id != id {
            return Err(AppError::NotFound("lần gửi webhook"));
        }
        let d = self
            .store
            .replay_delivery(delivery, Utc::now())
            .await
            .map_err(|e| match e {
                DbError::Conflict(Conflict::OutboxInFlight) => AppError::conflict(
                    "delivery_in_flight",
                    "Lần gửi này đang được thực hiện. Vui lòng xem lại sau ít phút.",
                ),
                e => e.into(),
            })?;
        tracing::info!(delivery = %d.id, event = %d.event_id, "webhook delivery replayed");
        Ok(d)
    }
}
