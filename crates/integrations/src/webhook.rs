//! Webhooks for other systems (the province's operations centre, a document-management
//! system): each delivery is a CloudEvents 1.0 event in JSON, signed per the Standard Webhooks
//! specification (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 of
//! `id.timestamp.body` with a `whsec_` secret; during a rotation, one signature per active
//! secret), to the subscriptions whose filters match; retried on the specification's schedule.
//! Pure: the worker that sends them from the outbox lives in the application layer.

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most items in each list of a subscription's filter.
pub const MAX_FILTER_ITEMS: usize = 100;
/// Most secrets active at once (the current one and those being rotated out).
pub const MAX_SECRETS: usize = 3;

/// A CloudEvents 1.0 event in its JSON format (structured mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudEvent {
    pub specversion: String,
    /// Unique per event: deliveries of the same event (retries) carry the same id.
    pub id: String,
    /// The installation, e.g. `/motcua/tinh-38`.
    pub source: String,
    /// e.g. `vn.motcua.dossier.received`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The dossier's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub time: DateTime<Utc>,
    pub datacontenttype: String,
    /// Extension attribute: the code of the agency the event belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    /// Extension attribute: the procedure's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure: Option<String>,
    pub data: serde_json::Value,
}

/// The CloudEvents type of a dossier event kind (`received` → `vn.motcua.dossier.received`).
pub fn dossier_event_type(kind: &str) -> String {
    format!("vn.motcua.dossier.{kind}")
}

/// The dossier an event is about.
#[derive(Debug, Clone, Copy)]
pub struct DossierRef<'a> {
    pub code: &'a str,
    pub agency: &'a str,
    pub procedure: &'a str,
}

impl CloudEvent {
    /// A dossier event of `kind` from the installation `source`: `id` is stable for the event
    /// (see [`dossier_event_id`]), so a repeated delivery is recognised by the receiver.
    pub fn dossier(
        id: String,
        source: &str,
        kind: &str,
        time: DateTime<Utc>,
        dossier: DossierRef<'_>,
        data: serde_json::Value,
    ) -> CloudEvent {
        CloudEvent {
            specversion: "1.0".into(),
            id,
            source: source.into(),
            kind: dossier_event_type(kind),
            subject: Some(dossier.code.into()),
            time,
            datacontenttype: "application/json".into(),
            agency: Some(dossier.agency.into()),
            procedure: Some(dossier.procedure.into()),
            data,
        }
    }
}

/// What a subscription receives: each list empty means "all"; an event type may end in `*`
/// (`vn.motcua.dossier.*`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    #[serde(default)]
    pub event_types: Vec<String>,
    #[serde(default)]
    pub agencies: Vec<String>,
    #[serde(default)]
    pub procedures: Vec<String>,
}

/// Why a filter or secret is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("a filter list has more than {MAX_FILTER_ITEMS} items or an empty or over-long item")]
    InvalidFilter,
    #[error("a secret is `whsec_` and the base64 of 24 to 64 bytes")]
    InvalidSecret,
    #[error("between 1 and {MAX_SECRETS} secrets")]
    SecretCount,
}

impl Filter {
    /// Bounded: at most [`MAX_FILTER_ITEMS`] items a list, each 1–100 characters.
    pub fn check(&self) -> Result<(), WebhookError> {
        for list in [&self.event_types, &self.agencies, &self.procedures] {
            if list.len() > MAX_FILTER_ITEMS
                || list
                    .iter()
                    .any(|i| i.trim().is_empty() || i.chars().count() > 100)
            {
                return Err(WebhookError::InvalidFilter);
            }
        }
        Ok(())
    }

    /// Whether `event` is one this filter lets through.
    pub fn matches(&self, event: &CloudEvent) -> bool {
        let type_ok = self.event_types.is_empty()
            || self.event_types.iter().any(|t| match t.strip_suffix('*') {
                Some(prefix) => event.kind.starts_with(prefix),
                None => *t == event.kind,
            });
        let in_list = |list: &[String], value: &Option<String>| {
            list.is_empty() || value.as_ref().is_some_and(|v| list.contains(v))
        };
        type_ok
            && in_list(&self.agencies, &event.agency)
            && in_list(&self.procedures, &event.procedure)
    }
}

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn secret_key(secret: &str) -> Result<standardwebhooks::Webhook, WebhookError> {
    let b64 = secret
        .strip_prefix("whsec_")
        .ok_or(WebhookError::InvalidSecret)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| WebhookError::InvalidSecret)?;
    if !(24..=64).contains(&bytes.len()) {
        return Err(WebhookError::InvalidSecret);
    }
    standardwebhooks::Webhook::from_bytes(bytes).map_err(|_| WebhookError::InvalidSecret)
}

/// Checks a subscription's secrets: 1 to [`MAX_SECRETS`], each well formed.
pub fn check_secrets(secrets: &[String]) -> Result<(), WebhookError> {
    if secrets.is_empty() || secrets.len() > MAX_SECRETS {
        return Err(WebhookError::SecretCount);
    }
    secrets.iter().try_for_each(|s| secret_key(s).map(|_| ()))
}

/// One HTTP delivery: the body and the three Standard Webhooks headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

/// Signs `event` for sending at `now` with each of `secrets` (during a rotation the receiver
/// may know either). The `webhook-id` is the event's id: a retry is the same message.
pub fn sign(
    event: &CloudEvent,
    secrets: &[String],
    now: DateTime<Utc>,
) -> Result<Delivery, WebhookError> {
    check_secrets(secrets)?;
    let body = serde_json::to_vec(event).expect("a CloudEvent serialises");
    let timestamp = now.timestamp();
    let mut signatures = Vec::with_capacity(secrets.len());
    for s in secrets {
        let sig = secret_key(s)?
            .sign(&event.id, timestamp, &body)
            .map_err(|_| WebhookError::InvalidSecret)?;
        signatures.push(sig);
    }
    Ok(Delivery {
        body,
        headers: vec![
            ("content-type", "application/cloudevents+json".into()),
            ("webhook-id", event.id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signatures.join(" ")),
        ],
    })
}

/// The wait before retry number `attempt` (1 = the first retry) after a failed delivery, per
/// the Standard Webhooks recommendation: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; `None`:
/// give up (the delivery is marked failed, visible, and may be replayed by an administrator).
pub fn retry_after(attempt: u32) -> Option<chrono::Duration> {
    const SCHEDULE_SECS: [i64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
    let i = usize::try_from(attempt).ok()?.checked_sub(1)?;
    SCHEDULE_SECS.get(i).map(|s| chrono::Duration::seconds(*s))
}

/// A stable event id for the `seq`-th event of dossier `dossier_id`.
pub fn dossier_event_id(dossier_id: Uuid, seq: i64) -> String {
    format!("{dossier_id}:{seq}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> CloudEvent {
        CloudEvent::dossier(
            dossier_event_id(Uuid::from_u128(7), 2),
            "/motcua/tinh-38",
            "received",
            DateTime::from_timestamp(1_796_000_000, 0).unwrap(),
            DossierRef {
                code: "000.00.01.H38-261207-0001",
                agency: "000.00.01.H38",
                procedure: "1.001193",
            },
            serde_json::json!({"status": "received", "applicant": {"name": "Nguyễn Thị Hồng Nhung"}}),
        )
    }

    #[test]
    fn filters_match_by_type_agency_and_procedure() {
        let e = event();
        let f = |types: &[&str], agencies: &[&str], procedures: &[&str]| Filter {
            event_types: types.iter().map(|s| s.to_string()).collect(),
            agencies: agencies.iter().map(|s| s.to_string()).collect(),
            procedures: procedures.iter().map(|s| s.to_string()).collect(),
        };
        assert!(f(&[], &[], &[]).matches(&e));
        assert!(f(&["vn.motcua.dossier.*"], &[], &[]).matches(&e));
        assert!(
            f(
                &["vn.motcua.dossier.received"],
                &["000.00.01.H38"],
                &["1.001193"]
            )
            .matches(&e)
        );
        assert!(!f(&["vn.motcua.dossier.returned"], &[], &[]).matches(&e));
        assert!(!f(&["vn.motcua.feedback.*"], &[], &[]).matches(&e));
        assert!(!f(&[], &["000.00.02.H38"], &[]).matches(&e));
        assert!(!f(&[], &[], &["1.000001"]).matches(&e));
        let long = f(&[&"x".repeat(101)], &[], &[]);
        assert_eq!(long.check(), Err(WebhookError::InvalidFilter));
        let many = Filter {
            agencies: (0..=MAX_FILTER_ITEMS).map(|i| i.to_string()).collect(),
            ..Filter::default()
        };
        assert_eq!(many.check(), Err(WebhookError::InvalidFilter));
    }

    #[test]
    fn deliveries_carry_the_event_id_and_one_signature_per_secret() {
        let (old, new) = (new_secret(), new_secret());
        assert_ne!(old, new);
        let now = DateTime::from_timestamp(1_796_000_100, 0).unwrap();
        let d = sign(&event(), &[new.clone(), old.clone()], now).unwrap();
        let header = |name: &str| {
            d.headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(header("webhook-id"), event().id);
        assert_eq!(header("webhook-timestamp"), "1796000100");
        let sigs: Vec<String> = header("webhook-signature")
            .split(' ')
            .map(str::to_string)
            .collect();
        assert_eq!(sigs.len(), 2);
        assert!(sigs.iter().all(|s| s.starts_with("v1,")));
        // The signature is HMAC-SHA256 over "id.timestamp.body", in base64.
        let body: serde_json::Value = serde_json::from_slice(&d.body).unwrap();
        assert_eq!(body["specversion"], "1.0");
        assert_eq!(body["type"], "vn.motcua.dossier.received");
        assert_eq!(body["agency"], "000.00.01.H38");
        // The same event signed again later: same id, another timestamp and signature.
        let later = sign(&event(), &[new], now + chrono::Duration::seconds(5)).unwrap();
        assert_eq!(later.headers[1], d.headers[1]);
        assert_ne!(later.headers[3], d.headers[3]);
    }

    #[test]
    fn secrets_are_checked() {
        assert_eq!(check_secrets(&[]), Err(WebhookError::SecretCount));
        let four: Vec<String> = (0..4).map(|_| new_secret()).collect();
        assert_eq!(check_secrets(&four), Err(WebhookError::SecretCount));
        for bad in ["abc", "whsec_", "whsec_!!!!", "whsec_c2hvcnQ="] {
            assert_eq!(
                check_secrets(&[bad.to_string()]),
                Err(WebhookError::InvalidSecret),
                "{bad}"
            );
        }
    }

    #[test]
    fn retries_follow_the_recommended_schedule_then_stop() {
        assert_eq!(retry_after(0), None);
        assert_eq!(retry_after(1), Some(chrono::Duration::seconds(5)));
        assert_eq!(retry_after(2), Some(chrono::Duration::minutes(5)));
        assert_eq!(retry_after(7), Some(chrono::Duration::hours(10)));
        assert_eq!(retry_after(8), None);
    }
}
