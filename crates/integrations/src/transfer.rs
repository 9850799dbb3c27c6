//! Transfers between deployments (liên thông between a commune's or province's motcua and a
//! ministry's): the message one deployment POSTs to another's [`PATH`], and the headers that
//! sign it per RFC 9421 ([`crate::httpsig`]). A message is either a dossier sent to be
//! processed there ([`MessageKind::Dossier`], keeping its code, with its components, the links
//! to its files and a summary of its events) or the result sent back
//! ([`MessageKind::Result`]). Its `id` is stable across re-sends: the receiver acts on an id
//! once. Pure: the worker sends it, the application layer receives it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::httpsig::{self, SigError, SignKey};

/// Where a deployment receives transfers.
pub const PATH: &str = "/api/v1/transfers";
/// The header carrying the message id (covered by the signature).
pub const MESSAGE_ID: &str = "motcua-message-id";
/// Largest message accepted, in bytes.
pub const MAX_BYTES: usize = 1024 * 1024;

/// What a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A dossier to process there.
    Dossier,
    /// The result of a dossier processed there, back to where it came from.
    Result,
}

/// One message between deployments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferMessage {
    /// Unique per message, the same on every re-send (`<dossier id>:<event seq>`).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: MessageKind,
    /// The dossier's code, kept across deployments.
    pub code: String,
    pub sent_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier: Option<DossierTransfer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<TransferResult>,
}

/// A dossier sent to another deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierTransfer {
    /// The procedure's code in the national catalogue.
    pub procedure: String,
    pub procedure_version: u32,
    /// The agency that sends it (here).
    pub from_agency: String,
    /// The agency that is to process it (there).
    pub to_agency: String,
    pub reason: String,
    /// `counter`, `online` or `postal`: how it was lodged.
    pub channel: String,
    /// The applicant as motcua records them (name, ID number, address, contact).
    pub applicant: serde_json::Value,
    /// The components received (name, originals, copies, electronic).
    pub components: serde_json::Value,
    pub received_at: Option<DateTime<Utc>>,
    /// The appointment given to the applicant.
    pub appointment: DateTime<Utc>,
    /// The components' files.
    pub documents: Vec<DocumentLink>,
    /// What happened to it so far.
    pub events: Vec<EventSummary>,
}

/// A component's file, fetched from the sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLink {
    pub component: String,
    pub sha256: String,
    pub media_type: String,
    pub size: u64,
    pub link: String,
}

/// One event of the dossier's log, summarised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub seq: u32,
    pub at: DateTime<Utc>,
    pub kind: String,
    /// The timeline's heading (Vietnamese).
    pub label: String,
}

/// The outcome sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferResult {
    pub approved: bool,
    #[serde(default)]
    pub note: Option<String>,
    pub result_code: String,
    #[serde(default)]
    pub result_link: Option<String>,
    /// The agency that processed it there.
    pub agency: String,
}

/// A request ready to send: its URL, headers and body.
#[derive(Debug, Clone)]
pub struct SignedRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Signs `body` (a [`TransferMessage`] in JSON, id `message_id`) for the deployment at
/// `base_url` with this deployment's `key_id` and `key`, at `now`.
pub fn signed_request(
    base_url: &str,
    message_id: &str,
    body: Vec<u8>,
    key_id: &str,
    key: &SignKey,
    now: DateTime<Utc>,
) -> Result<SignedRequest, SigError> {
    let url = format!("{}{PATH}", base_url.trim_end_matches('/'));
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("content-digest".to_string(), httpsig::content_digest(&body)),
        ("date".to_string(), http_date(now)),
        (MESSAGE_ID.to_string(), message_id.to_string()),
    ];
    signed(
        "POST",
        url,
        headers,
        body,
        &httpsig::COVERED,
        key_id,
        key,
        now,
    )
}

/// An HTTP date (RFC 9110 IMF-fixdate).
fn http_date(now: DateTime<Utc>) -> String {
    now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The request with its signature over `components` added to its headers.
#[allow(clippy::too_many_arguments)]
fn signed(
    method: &str,
    url: String,
    mut headers: Vec<(String, String)>,
    body: Vec<u8>,
    components: &[&str],
    key_id: &str,
    key: &SignKey,
    now: DateTime<Utc>,
) -> Result<SignedRequest, SigError> {
    let signed = httpsig::sign_with(
        &httpsig::Request {
            method,
            target_uri: &url,
            headers: &headers,
        },
        components,
        key_id,
        key,
        now,
    )?;
    headers.push(("signature-input".into(), signed.signature_input));
    headers.push(("signature".into(), signed.signature));
    Ok(SignedRequest { url, headers, body })
}

/// Where the deployment that sent a dossier serves one of its files to the peer it sent it to
/// (a GET signed by that peer: [`signed_fetch`]).
pub fn file_path(code: &str, sha256: &str) -> String {
    format!("{PATH}/{code}/documents/{sha256}")
}

/// The components a file fetch's signature covers: a GET, bound to its (empty) body's digest
/// and its time.
pub const FETCH_COVERED: [&str; 4] = ["@method", "@target-uri", "content-digest", "date"];

/// A signed GET of the file `sha256` of dossier `code` at the deployment `base_url` that sent
/// it.
pub fn signed_fetch(
    base_url: &str,
    code: &str,
    sha256: &str,
    key_id: &str,
    key: &SignKey,
    now: DateTime<Utc>,
) -> Result<SignedRequest, SigError> {
    let url = format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        file_path(code, sha256)
    );
    let headers = vec![
        ("content-digest".to_string(), httpsig::content_digest(b"")),
        ("date".to_string(), http_date(now)),
    ];
    signed(
        "GET",
        url,
        headers,
        Vec::new(),
        &FETCH_COVERED,
        key_id,
        key,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::httpsig::{Alg, VerifyKey, verify};

    #[test]
    fn a_signed_transfer_verifies_at_the_receiver() {
        let (private, public) = httpsig::new_ed25519_key();
        let key = SignKey::parse(Alg::Ed25519, &private).unwrap();
        let msg = TransferMessage {
            id: "0193a:7".into(),
            kind: MessageKind::Result,
            code: "000.00.01.H38-261207-0001".into(),
            sent_at: Utc::now(),
            dossier: None,
            result: Some(TransferResult {
                approved: true,
                note: None,
                result_code: "123/QĐ-BTP".into(),
                result_link: None,
                agency: "000.00.00.G12".into(),
            }),
        };
        let body = serde_json::to_vec(&msg).unwrap();
        let now = Utc::now();
        let req = signed_request(
            "http://bo.example/",
            &msg.id,
            body.clone(),
            "tinh-38",
            &key,
            now,
        )
        .unwrap();
        assert_eq!(req.url, "http://bo.example/api/v1/transfers");
        let public = VerifyKey::parse(Alg::Ed25519, &public).unwrap();
        let ok = verify(
            &httpsig::Request {
                method: "POST",
                target_uri: &req.url,
                headers: &req.headers,
            },
            &req.body,
            |id| (id == "tinh-38").then(|| public.clone()),
            now,
        )
        .unwrap();
        assert_eq!(ok.key_id, "tinh-38");
        let back: TransferMessage = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(back, msg);
    }

    #[test]
    fn a_signed_fetch_verifies_for_its_file_only() {
        let key = SignKey::parse(Alg::HmacSha256, "khoa-chung-giua-hai-he-thong-32b").unwrap();
        let now = Utc::now();
        let sha = "ab".repeat(32);
        let req = signed_fetch(
            "http://tinh.example",
            "000.00.01.H38-261207-0001",
            &sha,
            "bo",
            &key,
            now,
        )
        .unwrap();
        assert_eq!(
            req.url,
            format!(
                "http://tinh.example/api/v1/transfers/000.00.01.H38-261207-0001/documents/{sha}"
            )
        );
        let keys = |id: &str| (id == "bo").then(|| key.verify_key());
        let check = |method: &str, uri: &str| {
            verify(
                &httpsig::Request {
                    method,
                    target_uri: uri,
                    headers: &req.headers,
                },
                b"",
                keys,
                now,
            )
        };
        assert_eq!(check("GET", &req.url).unwrap().key_id, "bo");
        // Another file, or another method, with the same headers: refused.
        let other = req.url.replace(&sha, &"cd".repeat(32));
        assert_eq!(check("GET", &other).unwrap_err(), SigError::Invalid);
        assert_eq!(check("DELETE", &req.url).unwrap_err(), SigError::Invalid);
    }
}
