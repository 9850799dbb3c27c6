//! SMS through an HTTP gateway (an operator's or a provincial SMS brandname service, behind a
//! small adapter where its own protocol differs). The protocol motcua speaks:
//!
//! ```text
//! POST <sms_url>
//! Authorization: Bearer <sms_key>          (when a key is configured)
//! Idempotency-Key: <message id>
//! Content-Type: application/json
//!
//! {"id": "<message id, a UUID>", "to": "0912345678", "text": "Hồ sơ … đã được tiếp nhận. …"}
//! ```
//!
//! `to` is the number as digits from its leading 0; `text` is UTF-8 Vietnamese with
//! diacritics. Any 2xx answer means accepted (its body is ignored). A gateway should treat a
//! repeated `id` as the same message and not send it twice: that is how a message sent again
//! after a crash (see [`super`]) reaches the phone once. A 4xx answer other than 408 and 429 is
//! a refusal for good (bad number, bad key): the message fails without further attempts and an
//! administrator can retry it once the cause is fixed. 408, 429, 5xx and no answer are tried
//! again later.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use uuid::Uuid;

use super::SendError;

/// The gateway's address and key.
#[derive(Clone)]
pub struct SmsConfig {
    pub url: String,
    pub key: Option<String>,
}

impl fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &self.url)
            .field("key", &self.key.as_ref().map(|_| "***"))
            .finish()
    }
}

/// The JSON body of a request to the gateway.
#[derive(Debug, Serialize)]
pub struct SmsRequest<'a> {
    pub id: Uuid,
    pub to: &'a str,
    pub text: &'a str,
}

/// Sends the notices' SMS.
pub struct SmsSender {
    client: reqwest::Client,
    config: SmsConfig,
}

impl SmsSender {
    pub fn new(config: &SmsConfig, timeout: Duration) -> Result<SmsSender, String> {
        reqwest::Url::parse(&config.url)
            .map_err(|e| format!("invalid SMS gateway URL {:?}: {e}", config.url))?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("motcua/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(SmsSender {
            client,
            config: config.clone(),
        })
    }

    pub async fn send(&self, id: Uuid, to: &str, text: &str) -> Result<(), SendError> {
        let mut req = self
            .client
            .post(&self.config.url)
            .header("idempotency-key", id.to_string())
            .json(&SmsRequest { id, to, text });
        if let Some(key) = &self.config.key {
            req = req.bearer_auth(key);
        }
        let res = req
            .send()
            .await
            .map_err(|e| SendError::transient(format!("SMS gateway unreachable: {e}")))?;
        let status = res.status();
        if status.is_success() {
            return Ok(());
        }
        let body: String = res
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        let error = format!("SMS gateway answered {status}: {}", body.trim());
        // 408 Request Timeout and 429 Too Many Requests pass with time, as 5xx do.
        let transient = status.is_server_error() || matches!(status.as_u16(), 408 | 429);
        Err(if transient {
            SendError::transient(error)
        } else {
            SendError::permanent(error)
        })
    }
}
