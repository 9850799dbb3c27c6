//! The integration worker: takes the `integration.*` messages of the outbox (written in each
//! dossier's transaction, see [`super::events`]), fans each out into one delivery per matching
//! subscription, and delivers them signed per Standard Webhooks.
//!
//! Guarantees, and their limits:
//! - **Never lost.** The message is written with the event; it is marked sent in the same
//!   transaction that creates its deliveries, and a delivery stays `pending` until its outcome
//!   is recorded, across restarts.
//! - **At most one extra copy, with the same `webhook-id`.** A worker claims a delivery with a
//!   lease (no other worker, here or in another process, takes it meanwhile) and records the
//!   outcome as soon as the subscriber answers 2xx. If the process dies between that answer and
//!   the record, the delivery is sent again when the lease ends, with the same `webhook-id`
//!   (the event's id), so the subscriber can tell it is a repeat.
//! - **Back-off.** A failed attempt (no answer within the timeout, or not 2xx) is retried on
//!   the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), or, when
//!   `retry_base` is set, after `retry_base × 2^(n-1)`; after the last it is `failed`.
//! - **Visible.** Each subscription's delivery log shows attempts, the last HTTP status and
//!   error; an administrator may replay a delivery.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use motcua_integrations::transfer as transfer_msg;
use motcua_integrations::webhook::{self as hook, CloudEvent, Filter};
use motcua_store::{
    DbResult, DeliveryOutcome, DynStore, KIND_PORTAL, KIND_TRANSFER, KIND_WEBHOOK, NewDelivery,
    OutboxOutcome, OutboxRow, Settled, WebhookDelivery, WebhookSubscription,
};

use super::portal::PORTAL_ID;
use super::transfer::{self, TransferConfig};
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

/// Integration messages claimed and fanned out at once: fanning out sends nothing, so a large
/// batch costs one transaction for many dossiers' events.
pub const FAN_OUT_BATCH: usize = 256;

/// Settings of the integration worker.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// The CloudEvents `source` of this installation (e.g. `/motcua/motcua.thanhhoa.gov.vn`).
    pub source: String,
    /// How often the queue is looked at when it was found empty.
    pub interval: Duration,
    /// The longest one delivery (connection and answer) may take.
    pub timeout: Duration,
    /// Deliveries claimed and sent at once.
    pub batch: usize,
    /// `None`: the Standard Webhooks schedule; `Some(base)`: `base × 2^(n-1)` between attempts
    /// (capped at 10 hours), `max_attempts` in all.
    pub retry_base: Option<Duration>,
    /// Attempts before a delivery is given up, with `retry_base`.
    pub max_attempts: u32,
    /// The national portal's dossier-sync endpoint; `None`: the records are skipped.
    pub portal_url: Option<String>,
    /// The bearer key the portal gave this installation.
    pub portal_key: Option<String>,
    /// Transfers between deployments: the signing key and the peers.
    pub transfers: Arc<TransferConfig>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            source: "/motcua".into(),
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(15),
            batch: 32,
            retry_base: None,
            max_attempts: 8,
            portal_url: None,
            portal_key: None,
            transfers: Arc::default(),
        }
    }
}

impl WebhookConfig {
    /// How long a claim holds a delivery: longer than any attempt can take.
    pub fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.timeout * 2 + Duration::from_secs(60))
            .unwrap_or_else(|_| chrono::Duration::minutes(2))
    }

    /// The wait after the `attempts`-th failed attempt; `None`: give up.
    pub fn retry_after(&self, attempts: u32) -> Option<chrono::Duration> {
        match self.retry_base {
            None => hook::retry_after(attempts),
            Some(_) if attempts >= self.max_attempts => None,
            Some(base) => {
                let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(30));
                let wait = base
                    .saturating_mul(factor)
                    .min(Duration::from_secs(10 * 3600));
                chrono::Duration::from_std(wait).ok()
            }
        }
    }
}

/// The worker: the store, an HTTP client and the settings.
pub struct Dispatcher {
    store: DynStore,
    config: WebhookConfig,
    http: reqwest::Client,
    /// Whether the portal's built-in subscription matches the configuration yet.
    portal_ready: std::sync::atomic::AtomicBool,
    /// Whether the peers' built-in subscriptions match the configuration yet.
    peers_ready: std::sync::atomic::AtomicBool,
}

impl Dispatcher {
    pub fn new(store: DynStore, config: WebhookConfig) -> Result<Dispatcher, String> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("motcua-webhooks/1")
            .build()
            .map_err(|e| format!("webhook HTTP client: {e}"))?;
        Ok(Dispatcher {
            store,
            config,
            http,
            portal_ready: std::sync::atomic::AtomicBool::new(false),
            peers_ready: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Makes (or updates) each peer's built-in subscription from the configuration.
    async fn prepare_peers(&self) -> DbResult<()> {
        use std::sync::atomic::Ordering;
        if self.peers_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        for peer in &self.config.transfers.peers {
            let now = Utc::now();
            let id = transfer::subscription_id(&peer.name);
            let s = WebhookSubscription {
                id,
                name: format!("Liên thông: {}", peer.name),
                url: peer.url.clone(),
                event_types: vec![],
                agencies: vec![],
                procedures: vec![],
                secrets: vec![],
                active: true,
                created_at: now,
                updated_at: now,
            };
            match self.store.webhook(id).await {
                Ok(_) => self.store.update_webhook(&s).await?,
                Err(motcua_store::DbError::NotFound) => self.store.insert_webhook(&s).await?,
                Err(e) => return Err(e),
            }
        }
        self.peers_ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Makes (or updates) the portal's built-in subscription from the configuration.
    async fn prepare_portal(&self) -> DbResult<()> {
        use std::sync::atomic::Ordering;
        if self.portal_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        if let Some(url) = &self.config.portal_url {
            let now = Utc::now();
            let s = WebhookSubscription {
                id: PORTAL_ID,
                name: "Cổng Dịch vụ công quốc gia".into(),
                url: url.clone(),
                event_types: vec![],
                agencies: vec![],
                procedures: vec![],
                secrets: self.config.portal_key.iter().cloned().collect(),
                active: true,
                created_at: now,
                updated_at: now,
            };
            match self.store.webhook(PORTAL_ID).await {
                Ok(_) => self.store.update_webhook(&s).await?,
                Err(motcua_store::DbError::NotFound) => self.store.insert_webhook(&s).await?,
                Err(e) => return Err(e),
            }
        }
        self.portal_ready.store(true, Ordering::Release);
        Ok(())
    }

    /// One pass: fans out the waiting events, then delivers what is due. Returns how many
    /// messages and deliveries were claimed.
    pub async fn run_once(self: &Arc<Self>) -> DbResult<(usize, usize)> {
        let fanned = self.fan_out_due().await?;
        let delivered = self.deliver_due().await?;
        Ok((fanned, delivered))
    }

    /// Claims waiting `integration.*` messages (at most [`FAN_OUT_BATCH`]) and, in ONE
    /// transaction for the batch, creates each one's deliveries (one per matching active
    /// subscription, the portal's, a peer's) and marks it sent, or records why it is not.
    pub async fn fan_out_due(&self) -> DbResult<usize> {
        let now = Utc::now();
        let claimed = self
            .store
            .claim_integration(now, self.config.lease(), FAN_OUT_BATCH as i64)
            .await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        self.prepare_portal().await?;
        let subscriptions: Vec<WebhookSubscription> = self
            .store
            .list_webhooks(super::MAX_SUBSCRIPTIONS)
            .await?
            .into_iter()
            .filter(|s| {
                s.active
                    && s.id != PORTAL_ID
                    && self.config.transfers.by_subscription(s.id).is_none()
            })
            .collect();
        let mut batch = Vec::with_capacity(claimed.len());
        for row in &claimed {
            batch.push((
                row.id,
                row.attempts,
                self.fan_out(row, &subscriptions).await?,
            ));
        }
        let held = self.store.settle_integration(Utc::now(), &batch).await?;
        if held < batch.len() {
            tracing::warn!(
                lost = batch.len() - held,
                "claims on integration messages were lost before their fan-out"
            );
        }
        Ok(claimed.len())
    }

    /// What becomes of one claimed message: its deliveries, or its outcome.
    async fn fan_out(
        &self,
        row: &OutboxRow,
        subscriptions: &[WebhookSubscription],
    ) -> DbResult<Settled> {
        if row.kind == KIND_PORTAL {
            return self.fan_out_portal(row).await;
        }
        if row.kind == KIND_TRANSFER {
            return self.fan_out_transfer(row).await;
        }
        if row.kind != KIND_WEBHOOK {
            let error = format!("unknown integration message kind {}", row.kind);
            return Ok(Settled::Finish(OutboxOutcome::Failed { error }));
        }
        let mut event: CloudEvent = match serde_json::from_str(&row.payload) {
            Ok(e) => e,
            Err(e) => {
                let error = format!("unreadable event: {e}");
                return Ok(Settled::Finish(OutboxOutcome::Failed { error }));
            }
        };
        event.source = self.config.source.clone();
        let body = serde_json::to_string(&event).expect("a CloudEvent serialises");
        let deliveries: Vec<NewDelivery> = subscriptions
            .iter()
            .filter(|s| {
                Filter {
                    event_types: s.event_types.clone(),
                    agencies: s.agencies.clone(),
                    procedures: s.procedures.clone(),
                }
                .matches(&event)
            })
            .map(|s| NewDelivery {
                id: Uuid::now_v7(),
                subscription_id: s.id,
                event_id: event.id.clone(),
                event_type: event.kind.clone(),
                subject: event.subject.clone(),
                body: body.clone(),
            })
            .collect();
        Ok(Settled::Deliver(deliveries))
    }

    /// A portal record becomes one delivery of the portal's subscription, or is skipped (with
    /// the reason, in the outbox table) when no portal endpoint is configured.
    async fn fan_out_portal(&self, row: &OutboxRow) -> DbResult<Settled> {
        if self.config.portal_url.is_none() {
            let reason = "the national portal sync is not configured (portal_sync_url)".into();
            return Ok(Settled::Finish(OutboxOutcome::Skipped { reason }));
        }
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&row.payload);
        let (id, mut record) = match parsed {
            Ok(v) if v["id"].is_string() && v["record"].is_object() => (
                v["id"].as_str().unwrap_or_default().to_string(),
                v["record"].clone(),
            ),
            _ => {
                let error = "unreadable portal record".to_string();
                return Ok(Settled::Finish(OutboxOutcome::Failed { error }));
            }
        };
        // A result file motcua serves is linked by its public address.
        if let Some(link) = record["DuongDanTepTinKetQua"]
            .as_str()
            .filter(|l| l.starts_with('/'))
        {
            let base = self.config.source.trim_end_matches('/');
            record["DuongDanTepTinKetQua"] = serde_json::Value::String(format!("{base}{link}"));
        }
        let delivery = NewDelivery {
            id: Uuid::now_v7(),
            subscription_id: PORTAL_ID,
            event_id: id,
            event_type: format!("portal.{}", record["SuKien"].as_str().unwrap_or("sync")),
            subject: record["MaHoSo"].as_str().map(str::to_string),
            body: record.to_string(),
        };
        Ok(Settled::Deliver(vec![delivery]))
    }

    /// A transfer message becomes one delivery of its peer's subscription, with the summary of
    /// the dossier's log and its files' links made absolute; failed when the peer is unknown.
    async fn fan_out_transfer(&self, row: &OutboxRow) -> DbResult<Settled> {
        let fail = |error: String| OutboxOutcome::Failed { error };
        let v: serde_json::Value = serde_json::from_str(&row.payload).unwrap_or_default();
        let peer = v["peer"].as_str().unwrap_or_default();
        let parsed = transfer_payload(&v);
        let outcome = match (&parsed, self.config.transfers.peer(peer)) {
            (None, _) => Some(fail("unreadable transfer message".into())),
            (_, None) => Some(fail(format!("no peer named {peer:?} is configured"))),
            (Some(_), Some(_)) if self.config.transfers.key.is_none() => Some(fail(
                "no transfer signing key is configured (transfer_key)".into(),
            )),
            _ => None,
        };
        if let Some(outcome) = outcome {
            return Ok(Settled::Finish(outcome));
        }
        let Some((dossier_id, seq, mut message)) = parsed else {
            unreachable!("an unreadable transfer message is failed above");
        };
        let base = self.config.source.trim_end_matches('/');
        if let Some(d) = message.dossier.as_mut() {
            let events = self.store.dossier_events(dossier_id).await?;
            d.events = transfer::summary(&events, seq);
            for doc in &mut d.documents {
                if doc.link.starts_with('/') {
                    doc.link = format!("{base}{}", doc.link);
                }
            }
        }
        if let Some(r) = message.result.as_mut()
            && let Some(link) = r.result_link.as_mut()
            && link.starts_with('/')
        {
            *link = format!("{base}{link}");
        }
        self.prepare_peers().await?;
        let delivery = NewDelivery {
            id: Uuid::now_v7(),
            subscription_id: transfer::subscription_id(peer),
            event_id: message.id.clone(),
            event_type: match message.kind {
                transfer_msg::MessageKind::Dossier => "transfer.dossier".into(),
                transfer_msg::MessageKind::Result => "transfer.result".into(),
            },
            subject: Some(message.code.clone()),
            body: serde_json::to_string(&message).expect("a transfer message serialises"),
        };
        Ok(Settled::Deliver(vec![delivery]))
    }

    /// Claims due deliveries (at most a batch), sends them concurrently and records each
    /// outcome as soon as it is known. Returns how many were claimed.
    pub async fn deliver_due(self: &Arc<Self>) -> DbResult<usize> {
        let claimed = self
            .store
            .claim_deliveries(Utc::now(), self.config.lease(), self.config.batch as i64)
            .await?;
        let n = claimed.len();
        let mut subscriptions: HashMap<Uuid, Option<Arc<WebhookSubscription>>> = HashMap::new();
        let mut tasks = JoinSet::new();
        for d in claimed {
            let sub = match subscriptions.get(&d.subscription_id) {
                Some(s) => s.clone(),
                None => {
                    let s = self
                        .store
                        .webhook(d.subscription_id)
                        .await
                        .ok()
                        .map(Arc::new);
                    subscriptions.insert(d.subscription_id, s.clone());
                    s
                }
            };
            let me = self.clone();
            tasks.spawn(async move { me.deliver(d, sub).await });
        }
        while let Some(done) = tasks.join_next().await {
            if let Err(e) = done {
                tracing::error!(error = %e, "webhook delivery task failed");
            }
        }
        Ok(n)
    }

    async fn deliver(&self, d: WebhookDelivery, sub: Option<Arc<WebhookSubscription>>) {
        let outcome = match sub.as_deref() {
            Some(s) if s.active && s.id == PORTAL_ID => self.attempt_portal(&d, s).await,
            Some(s) if s.active && self.config.transfers.by_subscription(s.id).is_some() => {
                self.attempt_transfer(&d, s).await
            }
            Some(s) if s.active => self.attempt(&d, s).await,
            _ => DeliveryOutcome::Failed {
                status: None,
                error: "the subscription is disabled".into(),
            },
        };
        let label = match &outcome {
            DeliveryOutcome::Delivered { .. } => "delivered",
            DeliveryOutcome::Retry { .. } => "retry",
            DeliveryOutcome::Failed { .. } => "failed",
        };
        metrics::counter!("motcua_webhook_deliveries_total", "outcome" => label).increment(1);
        match &outcome {
            DeliveryOutcome::Delivered { .. } => {
                tracing::info!(id = %d.id, event = %d.event_id, attempt = d.attempts, "webhook delivered")
            }
            DeliveryOutcome::Retry { error, at, .. } => {
                tracing::warn!(id = %d.id, event = %d.event_id, attempt = d.attempts, %error, next = %at, "webhook not delivered, will retry")
            }
            DeliveryOutcome::Failed { error, .. } => {
                tracing::error!(id = %d.id, event = %d.event_id, attempt = d.attempts, %error, "webhook delivery failed")
            }
        }
        let mut tries = 0;
        loop {
            match self
                .store
                .finish_delivery(d.id, d.attempts, Utc::now(), &outcome)
                .await
            {
                Ok(true) => break,
                Ok(false) => {
                    tracing::warn!(id = %d.id, "a claim on a webhook delivery was lost before its outcome was recorded");
                    break;
                }
                Err(e) if tries < 5 => {
                    tries += 1;
                    tracing::warn!(error = %e, "cannot record a webhook delivery yet");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot record a webhook delivery: it is attempted again when its lease ends");
                    break;
                }
            }
        }
    }

    /// One HTTP attempt: its outcome.
    async fn attempt(&self, d: &WebhookDelivery, s: &WebhookSubscription) -> DeliveryOutcome {
        let event: CloudEvent = match serde_json::from_str(&d.body) {
            Ok(e) => e,
            Err(e) => {
                return DeliveryOutcome::Failed {
                    status: None,
                    error: format!("unreadable event: {e}"),
                };
            }
        };
        let signed = match hook::sign(&event, &s.secrets, Utc::now()) {
            Ok(x) => x,
            Err(e) => {
                return DeliveryOutcome::Failed {
                    status: None,
                    error: e.to_string(),
                };
            }
        };
        let mut req = self.http.post(&s.url).body(signed.body);
        for (name, value) in signed.headers {
            req = req.header(name, value);
        }
        self.send(d, req).await
    }

    /// One attempt at a portal record: JSON, the installation's key, the record's id as the
    /// idempotency key (a repeat is recognised by the portal).
    async fn attempt_portal(
        &self,
        d: &WebhookDelivery,
        s: &WebhookSubscription,
    ) -> DeliveryOutcome {
        let mut req = self
            .http
            .post(&s.url)
            .header("content-type", "application/json")
            .header("idempotency-key", &d.event_id)
            .body(d.body.clone());
        if let Some(key) = s.secrets.first() {
            req = req.bearer_auth(key);
        }
        self.send(d, req).await
    }

    /// One attempt at a transfer: the message signed per RFC 9421 now, POSTed to the peer.
    async fn attempt_transfer(
        &self,
        d: &WebhookDelivery,
        s: &WebhookSubscription,
    ) -> DeliveryOutcome {
        let transfers = &self.config.transfers;
        let (Some(peer), Some(key)) = (transfers.by_subscription(s.id), transfers.key.as_ref())
        else {
            return DeliveryOutcome::Failed {
                status: None,
                error: "the peer or the signing key is no longer configured".into(),
            };
        };
        let signed = match transfer_msg::signed_request(
            &peer.url,
            &d.event_id,
            d.body.clone().into_bytes(),
            &transfers.key_id,
            key,
            Utc::now(),
        ) {
            Ok(r) => r,
            Err(e) => {
                return DeliveryOutcome::Failed {
                    status: None,
                    error: e.to_string(),
                };
            }
        };
        let mut req = self.http.post(&signed.url).body(signed.body);
        for (name, value) in signed.headers {
            req = req.header(name, value);
        }
        self.send(d, req).await
    }

    /// Sends a request and turns the answer into the delivery's outcome.
    async fn send(&self, d: &WebhookDelivery, req: reqwest::RequestBuilder) -> DeliveryOutcome {
        let (status, error) = match req.send().await {
            Ok(resp) if resp.status().is_success() => {
                return DeliveryOutcome::Delivered {
                    status: i32::from(resp.status().as_u16()),
                };
            }
            Ok(resp) => {
                let status = resp.status();
                let text: String = resp
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(200)
                    .collect();
                (
                    Some(i32::from(status.as_u16())),
                    format!("HTTP {status}: {text}"),
                )
            }
            Err(e) if e.is_timeout() => {
                (None, format!("no answer within {:?}", self.config.timeout))
            }
            Err(e) => (None, format!("cannot reach the subscriber: {e}")),
        };
        match self.config.retry_after(d.attempts.max(1) as u32) {
            Some(wait) => DeliveryOutcome::Retry {
                status,
                error,
                at: Utc::now() + wait,
            },
            None => DeliveryOutcome::Failed {
                status,
                error: format!("{error} (after {} attempts)", d.attempts),
            },
        }
    }
}

/// The dossier, the event and the message of a transfer outbox payload.
fn transfer_payload(v: &serde_json::Value) -> Option<(Uuid, u32, transfer_msg::TransferMessage)> {
    let id = v["dossier_id"].as_str()?.parse().ok()?;
    let seq = u32::try_from(v["seq"].as_u64()?).ok()?;
    Some((id, seq, serde_json::from_value(v["message"].clone()).ok()?))
}

/// Runs the worker until `shutdown` turns true (or its sender is dropped).
pub async fn run(dispatcher: Arc<Dispatcher>, mut shutdown: watch::Receiver<bool>) {
    let interval = dispatcher.config.interval;
    let batch = dispatcher.config.batch;
    tracing::info!(source = %dispatcher.config.source, "webhook delivery started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        let busy = match dispatcher.run_once().await {
            Ok((a, b)) => a >= FAN_OUT_BATCH || b >= batch,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the webhook queue");
                false
            }
        };
        if busy {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
    }
    tracing::info!("webhook delivery stopped");
}

/// Starts the worker on its own task.
pub fn spawn(
    store: DynStore,
    config: WebhookConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let dispatcher = Arc::new(Dispatcher::new(store, config)?);
    Ok(tokio::spawn(run(dispatcher, shutdown)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_schedule_is_the_standard_one_unless_configured() {
        let standard = WebhookConfig::default();
        assert_eq!(standard.retry_after(1), Some(chrono::Duration::seconds(5)));
        assert_eq!(standard.retry_after(8), None);
        let quick = WebhookConfig {
            retry_base: Some(Duration::from_millis(100)),
            max_attempts: 3,
            ..WebhookConfig::default()
        };
        assert_eq!(
            quick.retry_after(1),
            Some(chrono::Duration::milliseconds(100))
        );
        assert_eq!(
            quick.retry_after(2),
            Some(chrono::Duration::milliseconds(200))
        );
        assert_eq!(quick.retry_after(3), None);
    }
}
