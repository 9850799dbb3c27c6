//! Delivery of the notices to citizens: a worker that takes due messages from the outbox
//! (written in each dossier's own transaction, see [`crate::notices`]) and sends them
//! by e-mail ([`email`]) or SMS ([`sms`]), with the Vietnamese texts of [`templates`].
//!
//! Guarantees, and their limits:
//! - **Never lost.** A message is a row written with the dossier's change, in the same
//!   transaction; it stays `pending` until an outcome is recorded, across restarts.
//! - **Never taken twice.** A worker claims a message with a lease (one statement: attempts + 1
//!   and the next attempt moved to the lease's end), so no other worker, in this process or in
//!   another `motcua serve` on the same database, takes it while the lease runs. The lease is
//!   twice the send timeout plus a minute, so it outlives any attempt. On shutdown the worker
//!   finishes the messages it holds before it stops.
//! - **Sent once, as far as SMTP and HTTP allow.** The outcome is recorded right after the
//!   server accepted the message. If the process dies (kill -9, power loss) between that
//!   acceptance and the record, the message is sent again when its lease ends: at most one
//!   extra copy, carrying the same e-mail Message-ID or SMS `id` so the receiving side can tell.
//! - **Retried with back-off.** A failed attempt is tried again after `retry_base × 2^(n-1)`
//!   (capped at 6 hours); after `max_attempts`, or at once for a refusal for good (SMTP 5xx, an
//!   invalid address, an HTTP 4xx), it is `failed` with its error.
//! - **Visible.** Administrators list messages by status with their attempts and last error,
//!   and put failed ones back in the queue (`/api/v1/admin/outbox`).
//! - **A channel not configured** (no SMTP host, no SMS gateway): its messages are recorded as
//!   `skipped` with the reason, not kept pending forever; an administrator can retry them once
//!   the channel is configured.

pub mod email;
pub mod sms;
pub mod templates;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use motcua_store::{DbResult, DynStore, OutboxOutcome, OutboxRow, Store};
use tokio::sync::watch;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::notices::{Channel, Notice};
pub use email::{EmailSender, SmtpConfig, SmtpTls};
pub use sms::{SmsConfig, SmsSender};

/// The longest back-off between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// Settings of the delivery worker.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    /// E-mail; `None`: e-mails are skipped.
    pub smtp: Option<SmtpConfig>,
    /// SMS; `None`: SMS are skipped.
    pub sms: Option<SmsConfig>,
    /// The public address of the service (`https://…`), for the look-up links in the notices.
    pub public_url: Option<String>,
    /// How often the outbox is looked at when it was found empty.
    pub interval: Duration,
    /// Attempts before a message is given up.
    pub max_attempts: u32,
    /// The wait after the first failed attempt; it doubles after each further one.
    pub retry_base: Duration,
    /// The longest a single attempt (connection and dialogue) may take.
    pub timeout: Duration,
    /// Messages claimed and sent at once.
    pub batch: usize,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            smtp: None,
            sms: None,
            public_url: None,
            interval: Duration::from_secs(5),
            max_attempts: 10,
            retry_base: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            batch: 32,
        }
    }
}

impl NotifyConfig {
    /// How long a claim holds a message: longer than any attempt can take.
    pub fn lease(&self) -> Duration {
        self.timeout * 2 + Duration::from_secs(60)
    }

    /// The wait after the `attempts`-th failed attempt.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(30));
        self.retry_base.saturating_mul(factor).min(MAX_BACKOFF)
    }
}

/// Why a message was not delivered, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl SendError {
    pub fn transient(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> SendError {
        SendError {
            message: message.into(),
            permanent: true,
        }
    }
}

/// The delivery worker: the store, the senders and the settings.
pub struct Notifier {
    store: DynStore,
    config: NotifyConfig,
    email: Option<EmailSender>,
    sms: Option<SmsSender>,
}

impl Notifier {
    /// Builds the senders; a channel configured wrongly (a sender address or a gateway URL
    /// that does not parse) is an error here, at start-up.
    pub fn new(store: DynStore, config: NotifyConfig) -> Result<Notifier, String> {
        let email = config
            .smtp
            .as_ref()
            .map(|c| EmailSender::new(c, config.timeout))
            .transpose()?;
        let sms = config
            .sms
            .as_ref()
            .map(|c| SmsSender::new(c, config.timeout))
            .transpose()?;
        Ok(Notifier {
            store,
            config,
            email,
            sms,
        })
    }

    /// Claims the due messages (at most a batch), sends them concurrently and records each
    /// outcome: a sent message at once (so a crash can repeat at most that one message), the
    /// others — which sent nothing — together in one transaction at the end of the batch.
    /// Returns how many were claimed.
    pub async fn deliver_due(self: &Arc<Self>) -> DbResult<usize> {
        let lease = chrono::Duration::from_std(self.config.lease())
            .unwrap_or_else(|_| chrono::Duration::minutes(2));
        let claimed = self
            .store
            .claim_outbox(Utc::now(), lease, self.config.batch as i64)
            .await?;
        let n = claimed.len();
        let mut tasks = JoinSet::new();
        for row in claimed {
            let me = self.clone();
            tasks.spawn(async move { me.deliver(row).await });
        }
        let mut unsent = Vec::new();
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Some(outcome)) => unsent.push(outcome),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "notice delivery task failed"),
            }
        }
        if !unsent.is_empty() {
            self.record(|store| {
                let unsent = &unsent;
                async move {
                    store
                        .finish_outbox_many(Utc::now(), unsent)
                        .await
                        .map(|held| held == unsent.len())
                }
            })
            .await;
        }
        Ok(n)
    }

    /// Sends one claimed message; records it at once if it was sent, else returns its outcome
    /// for the batch's record.
    async fn deliver(&self, row: OutboxRow) -> Option<(Uuid, i32, OutboxOutcome)> {
        let outcome = self.attempt(&row).await;
        let label = match &outcome {
            OutboxOutcome::Sent => "sent",
            OutboxOutcome::Retry { .. } => "retry",
            OutboxOutcome::Failed { .. } => "failed",
            OutboxOutcome::Skipped { .. } => "skipped",
        };
        metrics::counter!("motcua_notices_total", "kind" => row.kind.clone(), "outcome" => label)
            .increment(1);
        match &outcome {
            OutboxOutcome::Sent => {
                tracing::info!(id = %row.id, kind = %row.kind, attempt = row.attempts, "notice sent")
            }
            OutboxOutcome::Retry { error, at } => {
                tracing::warn!(id = %row.id, kind = %row.kind, attempt = row.attempts, %error, next = %at, "notice not sent, will retry")
            }
            OutboxOutcome::Failed { error } => {
                tracing::error!(id = %row.id, kind = %row.kind, attempt = row.attempts, %error, "notice failed")
            }
            OutboxOutcome::Skipped { reason } => {
                tracing::debug!(id = %row.id, kind = %row.kind, %reason, "notice skipped")
            }
        }
        if !matches!(outcome, OutboxOutcome::Sent) {
            return Some((row.id, row.attempts, outcome));
        }
        let (id, attempt) = (row.id, row.attempts);
        self.record(|store| {
            let outcome = &outcome;
            async move { store.finish_outbox(id, attempt, Utc::now(), outcome).await }
        })
        .await;
        None
    }

    /// Runs a write of outcomes, retrying a few times when the database is busy. `Ok(false)`
    /// (a claim no longer held) is logged: another worker took the message after the lease.
    async fn record<'a, F, Fut>(&'a self, write: F)
    where
        F: Fn(&'a dyn Store) -> Fut,
        Fut: std::future::Future<Output = DbResult<bool>> + 'a,
    {
        let mut tries = 0;
        loop {
            match write(self.store.as_ref()).await {
                Ok(true) => break,
                Ok(false) => {
                    tracing::warn!("a claim on a notice was lost before its outcome was recorded");
                    break;
                }
                Err(e) if tries < 5 => {
                    tries += 1;
                    tracing::warn!(error = %e, "cannot record a notice's outcome yet");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot record a notice's outcome: it will be attempted again when its lease ends");
                    break;
                }
            }
        }
    }

    /// One attempt at a message: its outcome.
    async fn attempt(&self, row: &OutboxRow) -> OutboxOutcome {
        let notice = match Notice::parse(&row.payload) {
            Ok(n) => n,
            Err(error) => return OutboxOutcome::Failed { error },
        };
        let mut recipients = notice.recipients();
        if recipients.is_empty() {
            return OutboxOutcome::Skipped {
                reason: "no e-mail address or phone number".into(),
            };
        }
        // The channel the applicant's account chose on its own page (#20).
        if let Some(dossier) = row.dossier_id {
            match crate::profile::notify_preference(self.store.as_ref(), dossier).await {
                Ok(Some(pref)) => {
                    recipients.retain(|(c, _)| c.as_str() == pref);
                    if recipients.is_empty() {
                        return OutboxOutcome::Skipped {
                            reason: format!("the applicant chose notices by: {pref}"),
                        };
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the applicant's notice channel"),
            }
        }
        // The names the texts need are read only when a message can go out.
        let sendable = recipients.iter().any(|(channel, _)| match channel {
            Channel::Email => self.email.is_some(),
            Channel::Sms => self.sms.is_some(),
        });
        let ctx = if sendable {
            self.context(&row.kind, &notice).await
        } else {
            templates::Context::default()
        };
        let mut sent = 0;
        let mut skipped = Vec::new();
        let mut error: Option<SendError> = None;
        for (channel, address) in recipients {
            let result = match channel {
                Channel::Email => match &self.email {
                    None => {
                        skipped.push("e-mail is not configured (smtp_host)");
                        continue;
                    }
                    Some(sender) => {
                        let text = templates::email(&row.kind, &notice, &ctx);
                        sender.send(row.id, &address, &notice.name, &text).await
                    }
                },
                Channel::Sms => match &self.sms {
                    None => {
                        skipped.push("SMS is not configured (sms_url)");
                        continue;
                    }
                    Some(sender) => {
                        let text = templates::sms(&row.kind, &notice, &ctx);
                        sender.send(row.id, &address, &text).await
                    }
                },
            };
            match result {
                Ok(()) => sent += 1,
                Err(e) => error = Some(e),
            }
        }
        match error {
            None if sent > 0 => OutboxOutcome::Sent,
            None => OutboxOutcome::Skipped {
                reason: skipped.join("; "),
            },
            Some(e) if e.permanent => OutboxOutcome::Failed { error: e.message },
            Some(e) if row.attempts.max(0) as u32 >= self.config.max_attempts => {
                OutboxOutcome::Failed {
                    error: format!("{} (after {} attempts)", e.message, row.attempts),
                }
            }
            Some(e) => {
                let wait = self.config.backoff(row.attempts.max(1) as u32);
                OutboxOutcome::Retry {
                    error: e.message,
                    at: Utc::now()
                        + chrono::Duration::from_std(wait)
                            .unwrap_or_else(|_| chrono::Duration::hours(6)),
                }
            }
        }
    }

    /// The names and the link the texts need, looked up now (a missing one is left out).
    async fn context(&self, kind: &str, n: &Notice) -> templates::Context {
        let procedure_name = match &n.procedure {
            Some(code) => self.store.procedure(code).await.ok().map(|p| p.name),
            None => None,
        };
        let agency_name = match &n.agency {
            Some(code) => self
                .store
                .get_agency_by_code(code)
                .await
                .ok()
                .map(|a| a.name),
            None => None,
        };
        let lookup_url = match (&self.config.public_url, &n.code) {
            (Some(base), Some(code)) if kind.starts_with("feedback_") => {
                Some(crate::feedback::notices::follow_url(base, code))
            }
            (Some(base), Some(code)) => Some(templates::lookup_url(base, code)),
            _ => None,
        };
        templates::Context {
            procedure_name,
            agency_name,
            lookup_url,
        }
    }
}

/// Runs the worker until `shutdown` turns true (or its sender is dropped): delivers what is
/// due, then waits `interval` when the outbox had nothing more. Messages it holds when the
/// signal comes are finished first.
pub async fn run(notifier: Arc<Notifier>, mut shutdown: watch::Receiver<bool>) {
    let interval = notifier.config.interval;
    let batch = notifier.config.batch;
    tracing::info!(
        email = notifier.email.is_some(),
        sms = notifier.sms.is_some(),
        "notice delivery started"
    );
    loop {
        if *shutdown.borrow() {
            break;
        }
        let claimed = match notifier.deliver_due().await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the outbox");
                0
            }
        };
        if claimed >= batch {
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
    tracing::info!("notice delivery stopped");
}

/// Starts the worker on its own task.
pub fn spawn(
    store: DynStore,
    config: NotifyConfig,
    shutdown: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let notifier = Arc::new(Notifier::new(store, config)?);
    Ok(tokio::spawn(run(notifier, shutdown)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_is_capped() {
        let c = NotifyConfig::default();
        assert_eq!(c.backoff(1), Duration::from_secs(60));
        assert_eq!(c.backoff(2), Duration::from_secs(120));
        assert_eq!(c.backoff(4), Duration::from_secs(480));
        assert_eq!(c.backoff(40), MAX_BACKOFF);
        assert!(c.lease() > c.timeout);
    }

    #[test]
    fn tls_settings_build_and_bad_addresses_are_refused_at_start() {
        for tls in [SmtpTls::None, SmtpTls::StartTls, SmtpTls::Tls] {
            let c = SmtpConfig {
                host: "smtp.example.vn".into(),
                port: tls.default_port(),
                tls,
                from: "Bộ phận Một cửa <no-reply@example.vn>".into(),
                username: Some("motcua".into()),
                password: Some("bi-mat".into()),
            };
            assert!(
                EmailSender::new(&c, Duration::from_secs(5)).is_ok(),
                "{tls:?}"
            );
            assert!(!format!("{c:?}").contains("bi-mat"));
        }
        let bad = SmtpConfig {
            host: "smtp.example.vn".into(),
            port: 25,
            tls: SmtpTls::None,
            from: "not an address".into(),
            username: None,
            password: None,
        };
        assert!(EmailSender::new(&bad, Duration::from_secs(5)).is_err());
        let sms = SmsConfig {
            url: "not a url".into(),
            key: Some("k".into()),
        };
        assert!(SmsSender::new(&sms, Duration::from_secs(5)).is_err());
    }
}
