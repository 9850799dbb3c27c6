//! Transfers between deployments (liên thông between systems): a province's motcua hands a
//! dossier to a ministry's and gets the result back, each side with its own database.
//!
//! - **Sending.** A transfer to an agency of a configured peer (`Transfer { peer: Some(..) }`)
//!   and the result recorded on a dossier that came from a peer write an `integration.transfer`
//!   message to the outbox in the event's transaction ([`outbox`]). The integration worker
//!   makes it a delivery of the peer's built-in subscription ([`subscription_id`]) and POSTs
//!   it signed per RFC 9421 (`motcua_integrations::httpsig`), retried with back-off until the
//!   peer answers 2xx: a message lost on the way is sent again, with the same id.
//! - **Receiving** ([`App::receive_transfer`]). The signature is checked against the peers'
//!   keys (a bad, expired or unknown-key signature is refused with its code); a dossier is
//!   created in the named agency's queue with its code kept, a result brings the dossier back
//!   to the agency that sent it. Each message acts once: a repeat of an id already applied
//!   (found in the dossier's event log) is answered 200 and changes nothing.

use chrono::Utc;
use motcua_domain::agency::AgencyCode;
use motcua_domain::auth::Role;
use motcua_domain::dossier::{
    Actor, Command, DossierAction, DossierCode, DossierState, Event, EventEnvelope, ProcedureRef,
    ResultForm, Submission, TransferOutcome, Verdict, execute,
};
use motcua_integrations::httpsig::{self, SignKey, VerifyKey};
use motcua_integrations::transfer::{
    DocumentLink, DossierTransfer, EventSummary, MAX_BYTES, MESSAGE_ID, MessageKind,
    TransferMessage, TransferResult,
};
use motcua_integrations::webhook::dossier_event_id;
use motcua_store::{Conflict, DbError, KIND_TRANSFER, OutboxMessage};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{App, AppError, InvalidKind, dossiers};

/// A deployment this one exchanges dossiers with.
#[derive(Debug, Clone)]
pub struct Peer {
    /// How this deployment names it (`bo-tu-phap`); the `peer` of a transfer.
    pub name: String,
    /// Its base address (`https://dichvucong.moj.gov.vn`).
    pub url: String,
    /// The key id it signs with.
    pub key_id: String,
    /// Its public key (Ed25519) or the key shared with it (HMAC-SHA256).
    pub key: VerifyKey,
}

/// This deployment's side of the transfers.
#[derive(Debug, Clone, Default)]
pub struct TransferConfig {
    /// The key id this deployment signs with (its peers know its key by it).
    pub key_id: String,
    /// Its signing key; `None`: it sends no transfers.
    pub key: Option<SignKey>,
    pub peers: Vec<Peer>,
}

impl TransferConfig {
    pub fn peer(&self, name: &str) -> Option<&Peer> {
        self.peers.iter().find(|p| p.name == name)
    }

    /// The peer whose built-in subscription `id` is.
    pub fn by_subscription(&self, id: Uuid) -> Option<&Peer> {
        self.peers.iter().find(|p| subscription_id(&p.name) == id)
    }
}

/// The built-in subscription of a peer's deliveries (stable for its name).
pub fn subscription_id(peer: &str) -> Uuid {
    let digest = Sha256::digest(format!("motcua-transfer-peer:{peer}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The transfer messages of a command's events: a transfer to a peer's agency, and the result
/// of a dossier that came from a peer. The payload is `{"peer", "dossier_id", "seq",
/// "message"}`; the worker adds the event summary and makes the file links absolute.
pub fn outbox(
    dossier_id: Uuid,
    envelopes: &[EventEnvelope],
    state: &DossierState,
) -> Vec<OutboxMessage> {
    let code = state
        .code
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_default();
    let mut out = Vec::new();
    for e in envelopes {
        let id = dossier_event_id(dossier_id, i64::from(e.seq));
        let (peer, message) = match &e.event {
            Event::Transferred {
                from,
                to,
                reason,
                peer: Some(peer),
            } => {
                let dossier = dossier_transfer(state, from, to, reason, &code);
                let message = TransferMessage {
                    id,
                    kind: MessageKind::Dossier,
                    code: code.clone(),
                    sent_at: e.at,
                    dossier: Some(dossier),
                    result: None,
                };
                (peer.clone(), message)
            }
            Event::ResultRecorded { result_code, form } => {
                let Some(origin) = &state.origin else {
                    continue;
                };
                let link = match form {
                    ResultForm::Electronic { file_ref } if file_ref.starts_with("http") => {
                        Some(file_ref.clone())
                    }
                    ResultForm::Electronic { file_ref } => {
                        Some(format!("/api/v1/dossiers/{code}/documents/{file_ref}"))
                    }
                    ResultForm::Paper => None,
                };
                let decision = state.decision.as_ref();
                let message = TransferMessage {
                    id,
                    kind: MessageKind::Result,
                    code: code.clone(),
                    sent_at: e.at,
                    dossier: None,
                    result: Some(TransferResult {
                        approved: decision.is_none_or(|d| d.verdict == Verdict::Approved),
                        note: decision.and_then(|d| d.reason.clone()),
                        result_code: result_code.clone(),
                        result_link: link,
                        agency: state
                            .agency
                            .as_ref()
                            .map(|a| a.to_string())
                            .unwrap_or_default(),
                    }),
                };
                (origin.peer.clone(), message)
            }
            _ => continue,
        };
        let payload = serde_json::json!({
            "peer": peer,
            "dossier_id": dossier_id,
            "seq": e.seq,
            "message": message,
        });
        out.push(OutboxMessage {
            id: Uuid::now_v7(),
            kind: KIND_TRANSFER.to_string(),
            payload: payload.to_string(),
        });
    }
    out
}

fn dossier_transfer(
    state: &DossierState,
    from: &AgencyCode,
    to: &AgencyCode,
    reason: &str,
    code: &str,
) -> DossierTransfer {
    let procedure = state.procedure.clone().unwrap_or(ProcedureRef {
        code: String::new(),
        version: 0,
    });
    DossierTransfer {
        procedure: procedure.code,
        procedure_version: procedure.version,
        from_agency: from.to_string(),
        to_agency: to.to_string(),
        reason: reason.to_string(),
        channel: state
            .channel
            .map(|c| c.key().to_string())
            .unwrap_or_else(|| "counter".into()),
        applicant: serde_json::to_value(&state.applicant).unwrap_or_default(),
        components: serde_json::to_value(&state.components).unwrap_or_default(),
        received_at: state.received_at,
        appointment: state.appointment.unwrap_or_else(Utc::now),
        documents: state
            .documents
            .iter()
            .map(|d| DocumentLink {
                component: d.component.clone(),
                sha256: d.sha256.clone(),
                media_type: d.media_type.as_str().to_string(),
                size: d.size,
                link: motcua_integrations::transfer::file_path(code, &d.sha256),
            })
            .collect(),
        events: Vec::new(),
    }
}

/// A request as the web layer received it.
#[derive(Debug, Clone)]
pub struct IncomingTransfer {
    /// The absolute URI the request was sent to (this deployment's public address and path).
    pub target_uri: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A peer's request for a file of a dossier sent to it, as the web layer received it.
#[derive(Debug, Clone)]
pub struct IncomingFetch {
    /// The absolute URI the request was sent to.
    pub target_uri: String,
    pub headers: Vec<(String, String)>,
    pub code: String,
    pub sha256: String,
}

/// A file of a dossier from a peer, fetched and checked, to attach.
struct Fetched {
    component: String,
    bytes: bytes::Bytes,
}

/// The answer to a transfer message.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferAck {
    /// The message's id.
    pub id: String,
    /// The dossier's code.
    pub code: String,
    /// `applied`, or `repeated` (the message was applied before; nothing changed).
    pub outcome: String,
}

/// The peer whose key signed `req` (RFC 9421); refused with the signature's error code.
fn verified_peer<'a>(
    config: &'a TransferConfig,
    req: &httpsig::Request<'_>,
    body: &[u8],
    what: &str,
) -> Result<&'a Peer, AppError> {
    let verified = httpsig::verify(
        req,
        body,
        |key_id| {
            config
                .peers
                .iter()
                .find(|p| p.key_id == key_id)
                .map(|p| p.key.clone())
        },
        Utc::now(),
    )
    .map_err(|e| {
        tracing::warn!(error = %e, what, "transfer refused: signature");
        refused(e.code(), format!("Chữ ký của {what} không hợp lệ: {e}."))
    })?;
    Ok(config
        .peers
        .iter()
        .find(|p| p.key_id == verified.key_id)
        .expect("the key was found"))
}

fn refused(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::refused(InvalidKind::Credentials, code, message)
}

fn unreadable(detail: impl Into<String>) -> AppError {
    AppError::Invalid {
        kind: InvalidKind::Malformed,
        code: "invalid_transfer",
        message: "Thông điệp liên thông không đọc được.".into(),
        field: None,
        detail: Some(detail.into()),
    }
}

/// The system actor: another deployment's message, recorded at the desk's role.
fn system() -> Actor {
    Actor {
        user: Uuid::nil(),
        role: Role::ReceivingOfficer,
    }
}

impl App {
    /// Receives a message from another deployment: checks its signature, then applies it once.
    pub async fn receive_transfer(&self, req: IncomingTransfer) -> Result<TransferAck, AppError> {
        let config = &self.config.transfers;
        if config.peers.is_empty() {
            return Err(AppError::NotFound("liên thông giữa các hệ thống"));
        }
        if req.body.len() > MAX_BYTES {
            return Err(AppError::refused(
                InvalidKind::TooLarge,
                "transfer_too_large",
                "Thông điệp liên thông quá lớn.",
            ));
        }
        let peer = verified_peer(
            config,
            &httpsig::Request {
                method: "POST",
                target_uri: &req.target_uri,
                headers: &req.headers,
            },
            &req.body,
            "thông điệp liên thông",
        )?;
        let message: TransferMessage =
            serde_json::from_slice(&req.body).map_err(|e| unreadable(e.to_string()))?;
        let header_id = req
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(MESSAGE_ID))
            .map(|(_, v)| v.trim());
        if header_id != Some(message.id.as_str()) {
            return Err(unreadable(
                "the motcua-message-id header is not the body's id",
            ));
        }
        let outcome = match message.kind {
            MessageKind::Dossier => self.transfer_in(&peer.name, &message).await?,
            MessageKind::Result => self.transfer_back(&peer.name, &message).await?,
        };
        tracing::info!(peer = %peer.name, id = %message.id, code = %message.code, outcome, "transfer message");
        Ok(TransferAck {
            id: message.id,
            code: message.code,
            outcome: outcome.to_string(),
        })
    }

    /// A dossier sent here: created in the named agency's queue, keeping its code.
    async fn transfer_in(
        &self,
        peer: &str,
        message: &TransferMessage,
    ) -> Result<&'static str, AppError> {
        let d = message
            .dossier
            .as_ref()
            .ok_or_else(|| unreadable("a dossier message without its dossier"))?;
        if let Some(done) = self.already_in(peer, message).await? {
            // A repeat also brings what a crash may have left unattached.
            self.attach_missing(peer, &message.code, &d.documents)
                .await?;
            return Ok(done);
        }
        // The files first: a peer that cannot serve them now makes the message fail (503),
        // and it is sent again; nothing is written before.
        let files = self.fetch_files(peer, &message.code, &d.documents).await?;
        let agency = self
            .store
            .get_agency_by_code(&d.to_agency)
            .await
            .map_err(|e| match e {
                DbError::NotFound => AppError::field(
                    "unknown_agency",
                    "dossier.to_agency",
                    format!("Hệ thống này không có cơ quan mã {}.", d.to_agency),
                ),
                e => e.into(),
            })?;
        let parse = |what: &str, e: String| unreadable(format!("{what}: {e}"));
        let code = DossierCode::parse(&message.code).map_err(|e| parse("code", e.to_string()))?;
        let command = Command {
            actor: system(),
            at: Utc::now(),
            action: DossierAction::ReceiveTransfer {
                submission: Submission {
                    code,
                    procedure: ProcedureRef {
                        code: d.procedure.clone(),
                        version: d.procedure_version,
                    },
                    agency: AgencyCode::parse(&agency.code)
                        .map_err(|e| parse("to_agency", e.to_string()))?,
                    channel: serde_json::from_value(serde_json::Value::String(d.channel.clone()))
                        .map_err(|e| parse("channel", e.to_string()))?,
                    applicant: serde_json::from_value(d.applicant.clone())
                        .map_err(|e| parse("applicant", e.to_string()))?,
                    components: serde_json::from_value(d.components.clone())
                        .map_err(|e| parse("components", e.to_string()))?,
                    // The sending side checked who lodged; its record stays in its own log.
                    authorisation: None,
                },
                from: AgencyCode::parse(&d.from_agency)
                    .map_err(|e| parse("from_agency", e.to_string()))?,
                appointment: d.appointment,
                peer: peer.to_string(),
                message_id: message.id.clone(),
                reason: d.reason.clone(),
            },
        };
        let mut state = DossierState::new();
        let envelopes = execute(&state, &command).map_err(dossiers::domain_error)?;
        for e in &envelopes {
            state.apply(e);
        }
        let id = Uuid::now_v7();
        let counters = crate::stats::counters(
            &DossierState::new(),
            &envelopes,
            &state,
            &crate::stats::AgencyBook::one(
                state
                    .agency
                    .as_ref()
                    .expect("a transferred dossier has an agency"),
                agency.id,
            ),
            &d.procedure,
            None,
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let due = state.appointment;
        let mut outbox = crate::webhooks::events::outbox(id, &envelopes, &state, due);
        outbox.extend(crate::webhooks::portal::outbox(id, &envelopes, &state, due));
        let write = motcua_store::DossierWrite {
            row: dossiers::row_of(
                id,
                &state,
                due,
                agency.id,
                agency.id,
                agency.province_code.clone(),
                &d.procedure,
            ),
            events: dossiers::new_events(&envelopes),
            outbox,
            counters,
            payment: None,
        };
        match self.store.import_dossiers(&[write]).await {
            Ok(()) => {
                self.attach_files(peer, &message.code, files).await?;
                Ok("applied")
            }
            // The same message, applied meanwhile by another request.
            Err(DbError::Conflict(Conflict::UniqueViolation { .. })) => self
                .already_in(peer, message)
                .await?
                .ok_or_else(|| code_taken(&message.code)),
            Err(e) => Err(e.into()),
        }
    }

    /// Fetches the files of a dossier `peer` sent, each signed as this deployment and checked
    /// against the hash and size the message gave.
    async fn fetch_files(
        &self,
        peer: &str,
        code: &str,
        documents: &[DocumentLink],
    ) -> Result<Vec<Fetched>, AppError> {
        if documents.is_empty() {
            return Ok(Vec::new());
        }
        let transfers = &self.config.transfers;
        let (Some(p), Some(key)) = (transfers.peer(peer), transfers.key.as_ref()) else {
            return Err(AppError::Unavailable(format!(
                "cannot fetch the files from {peer}: no signing key or peer configured"
            )));
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let limit = self.config.max_upload_bytes;
        let mut files = Vec::with_capacity(documents.len());
        for doc in documents {
            if !motcua_domain::dossier::is_sha256_hex(&doc.sha256) {
                return Err(unreadable("a document without its SHA-256"));
            }
            let away = |why: String| {
                AppError::Unavailable(format!("file {} from {peer}: {why}", doc.sha256))
            };
            let signed = motcua_integrations::transfer::signed_fetch(
                &p.url,
                code,
                &doc.sha256,
                &transfers.key_id,
                key,
                Utc::now(),
            )
            .map_err(|e| AppError::Internal(e.to_string()))?;
            let mut req = http.get(&signed.url);
            for (name, value) in signed.headers {
                req = req.header(name, value);
            }
            let res = req.send().await.map_err(|e| away(e.to_string()))?;
            if !res.status().is_success() {
                return Err(away(format!("answered {}", res.status())));
            }
            if res.content_length().is_some_and(|n| n > limit as u64) {
                return Err(away("larger than the upload limit".into()));
            }
            let bytes = res.bytes().await.map_err(|e| away(e.to_string()))?;
            if bytes.len() as u64 != doc.size || crate::blobs::sha256_hex(&bytes) != doc.sha256 {
                return Err(away("the bytes are not the file the message named".into()));
            }
            files.push(Fetched {
                component: doc.component.clone(),
                bytes,
            });
        }
        Ok(files)
    }

    /// Attaches fetched files to the dossier `code`, one event each, as the system actor.
    async fn attach_files(
        &self,
        peer: &str,
        code: &str,
        files: Vec<Fetched>,
    ) -> Result<(), AppError> {
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        for f in files {
            let row = self.store.dossier_by_code(code).await?;
            crate::documents::attach_transferred(
                self.store.as_ref(),
                &self.blobs,
                &calendar,
                &row,
                system(),
                &f.component,
                f.bytes,
                self.config.max_upload_bytes,
                peer,
            )
            .await?;
        }
        Ok(())
    }

    /// The files of the message the dossier `code` does not hold yet, fetched and attached.
    async fn attach_missing(
        &self,
        peer: &str,
        code: &str,
        documents: &[DocumentLink],
    ) -> Result<(), AppError> {
        let row = self.store.dossier_by_code(code).await?;
        let held = dossiers::state_of(&row)?.documents;
        let missing: Vec<DocumentLink> = documents
            .iter()
            .filter(|d| {
                !held
                    .iter()
                    .any(|h| h.sha256 == d.sha256 && h.component == d.component)
            })
            .cloned()
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let files = self.fetch_files(peer, code, &missing).await?;
        self.attach_files(peer, code, files).await
    }

    /// A file of a dossier this deployment sent to a peer, for that peer's signed GET while
    /// the dossier is there; 404 for any other file or dossier. Answers the media type and
    /// the bytes.
    pub async fn transferred_file(
        &self,
        req: IncomingFetch,
    ) -> Result<(String, bytes::Bytes), AppError> {
        let config = &self.config.transfers;
        if config.peers.is_empty() {
            return Err(AppError::NotFound("liên thông giữa các hệ thống"));
        }
        let peer = verified_peer(
            config,
            &httpsig::Request {
                method: "GET",
                target_uri: &req.target_uri,
                headers: &req.headers,
            },
            b"",
            "yêu cầu lấy tệp liên thông",
        )?;
        let gone = || AppError::NotFound("tệp");
        let row = self
            .store
            .dossier_by_code(&req.code)
            .await
            .map_err(|_| gone())?;
        let state = dossiers::state_of(&row)?;
        if state.away.as_ref().is_none_or(|a| a.peer != peer.name) {
            return Err(gone());
        }
        let (record, bytes) =
            crate::documents::open(self.store.as_ref(), &self.blobs, &row, &req.sha256).await?;
        Ok((record.media_type, bytes))
    }

    /// `Some("repeated")` when this message already created the dossier; a conflict when the
    /// code is taken otherwise; `None` when the code is free.
    async fn already_in(
        &self,
        peer: &str,
        message: &TransferMessage,
    ) -> Result<Option<&'static str>, AppError> {
        match self.store.dossier_by_code(&message.code).await {
            Ok(row) => {
                let events = self.store.dossier_events(row.id).await?;
                if applied(&events, peer, &message.id) {
                    Ok(Some("repeated"))
                } else {
                    Err(code_taken(&message.code))
                }
            }
            Err(DbError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A result sent back: the dossier returns to the agency that sent it, with the outcome.
    async fn transfer_back(
        &self,
        peer: &str,
        message: &TransferMessage,
    ) -> Result<&'static str, AppError> {
        let r = message
            .result
            .as_ref()
            .ok_or_else(|| unreadable("a result message without its result"))?;
        for _ in 0..3 {
            let row = self
                .store
                .dossier_by_code(&message.code)
                .await
                .map_err(|e| match e {
                    DbError::NotFound => AppError::NotFound("hồ sơ"),
                    e => e.into(),
                })?;
            let events = self.store.dossier_events(row.id).await?;
            if applied(&events, peer, &message.id) {
                return Ok("repeated");
            }
            let command = Command {
                actor: system(),
                at: Utc::now(),
                action: DossierAction::ReturnTransfer {
                    peer: peer.to_string(),
                    message_id: message.id.clone(),
                    outcome: TransferOutcome {
                        approved: r.approved,
                        note: r.note.clone(),
                        result_code: r.result_code.clone(),
                        result_link: r.result_link.clone(),
                    },
                },
            };
            let calendar = self.calendar.get(self.store.as_ref()).await?;
            match dossiers::act(self.store.as_ref(), &calendar, &row, row.seq, command).await {
                Ok(_) => return Ok("applied"),
                Err(AppError::Conflict {
                    kind: "stale_dossier",
                    ..
                }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(AppError::conflict(
            "stale_dossier",
            "Hồ sơ đang được cập nhật; thông điệp sẽ được gửi lại.",
        ))
    }
}

fn code_taken(code: &str) -> AppError {
    AppError::conflict(
        "dossier_code_exists",
        format!("Hệ thống này đã có hồ sơ mã {code} không do thông điệp liên thông này tạo."),
    )
}

/// Whether a message `id` from `peer` is in a dossier's log.
fn applied(events: &[motcua_store::StoredEvent], peer: &str, id: &str) -> bool {
    events.iter().any(|e| {
        matches!(
            serde_json::from_str::<Event>(&e.data),
            Ok(Event::TransferReceived { peer: p, message_id, .. }
                | Event::TransferReturned { peer: p, message_id, .. })
                if p == peer && message_id == id
        )
    })
}

/// The summary of a dossier's log up to `seq`, for the message that leaves with it.
pub fn summary(events: &[motcua_store::StoredEvent], seq: u32) -> Vec<EventSummary> {
    events
        .iter()
        .filter(|e| e.seq as u32 <= seq)
        .map(|e| EventSummary {
            seq: e.seq as u32,
            at: e.at,
            kind: e.kind.clone(),
            label: serde_json::from_str::<Event>(&e.data)
                .map(|ev| ev.label_vi().to_string())
                .unwrap_or_default(),
        })
        .collect()
}
