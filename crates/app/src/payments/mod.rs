//! Fees and online payment of a dossier (#23): the fees due, online attempts at the agency's
//! gateway (VNPAY), its notification (IPN) and return, the counter's cash and transfer, refunds,
//! the fee receipt, and the reconciliation worker ([`reconcile`]).
//!
//! The payment is its own event-sourced aggregate ([`motcua_domain::payment`]): every "may this
//! happen" is the domain's. Its fees are the dossier's, fixed when the dossier was received
//! (`fee_due_vnd` of the receipt event, from the catalogue's parsed fee): the payment opens
//! with them, dated at the receipt, right after the receipt (or, should that fail, the first
//! time anyone asks for it). When it becomes paid,
//! the same transaction numbers its receipt from the agency's book and records the fee as
//! collected on the dossier, so the result cannot be returned while a fee is unpaid and is
//! once it is paid.

pub mod reconcile;
pub mod report;
pub mod transfer;

use chrono::{DateTime, Utc};
use motcua_domain::auth::{Action, Role};
use motcua_domain::catalogue::{Channel, FeeKind};
use motcua_domain::dossier::{Actor, Command, DossierAction, DossierState, PaymentMethod};
use motcua_domain::payment::{
    self, FeeLine, PaymentAction, PaymentActor, PaymentCommand, PaymentEnvelope, PaymentError,
    PaymentState, PaymentStatus, amount_in_words, lines_from_fee, total_vnd,
};
use motcua_payments::vnpay::{Vnpay, VnpayConfig};
use motcua_payments::{AttemptRequest, Checkout, Gateway, ReturnView};
use motcua_store::{
    AttemptRow, Conflict, DbError, DossierRow, DossierWrite, FeeReceiptRow, GatewayAccount,
    NewPaymentEvent, PaymentRecord, PaymentWrite,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{Caller, ResolvedScope};
use crate::dossiers;
use crate::{App, AppError};

/// The receipt book an agency uses until it sets its own (ký hiệu mẫu, ký hiệu).
pub const DEFAULT_RECEIPT_TEMPLATE: &str = "01BLP0-001";
pub const DEFAULT_RECEIPT_SERIAL: &str = "AA-26E";
/// Longest URL or secret of a gateway account, in characters.
const MAX_ACCOUNT_CHARS: usize = 500;
/// Writes retried when another writer moved the payment on first.
const RETRIES: usize = 5;

/// A dossier's payment as the API and the pages show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub dossier_code: String,
    /// none (no fee due) | due | pending | paid | failed | expired | refunded | waived
    pub status: String,
    pub status_label: String,
    pub amount_due_vnd: u64,
    pub amount_in_words: String,
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<FeeLine>,
    #[schema(value_type = Vec<Object>)]
    pub attempts: Vec<payment::Attempt>,
    #[schema(value_type = Option<Object>)]
    pub settlement: Option<payment::Settlement>,
    #[schema(value_type = Option<Object>)]
    pub refund: Option<payment::RefundRecord>,
    /// Extra payments to give back (a second attempt paid after the settlement).
    #[schema(value_type = Vec<Object>)]
    pub extra_payments: Vec<payment::ExtraPayment>,
    pub receipt: Option<ReceiptNumber>,
    /// Whether an online attempt may be started now.
    pub payable_online: bool,
    /// Changes of the fee lines by staff, oldest first (who, when, before, after, why).
    pub adjustments: Vec<AdjustmentView>,
    /// Whether staff may still change the fee lines (nothing paid, no attempt that may still
    /// succeed).
    pub adjustable: bool,
    /// The payment's event number.
    pub version: i32,
}

/// A change of the fee lines, as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AdjustmentView {
    pub at: DateTime<Utc>,
    /// Who changed them (the account's id; `by_name` as people read it).
    pub by: Option<Uuid>,
    pub by_name: String,
    pub previous_amount_vnd: u64,
    pub amount_vnd: u64,
    #[schema(value_type = Vec<Object>)]
    pub previous_lines: Vec<FeeLine>,
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<FeeLine>,
    pub reason: String,
}

/// One fee line as staff set it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeLineInput {
    /// "Lệ phí", "Phí thẩm định", …
    pub name: String,
    /// fee | charge | service_price | unspecified (default)
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub kind: Option<FeeKind>,
    #[serde(default)]
    pub legal_basis: Option<String>,
    pub amount_vnd: u64,
    /// The exemption or reduction applied, with its legal basis.
    #[serde(default)]
    pub exemption: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

impl From<FeeLineInput> for FeeLine {
    fn from(l: FeeLineInput) -> Self {
        let opt = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        FeeLine {
            name: l.name.trim().to_owned(),
            kind: l.kind.unwrap_or(FeeKind::Unspecified),
            legal_basis: opt(l.legal_basis),
            amount_vnd: l.amount_vnd,
            exemption: opt(l.exemption),
            description: l.description.unwrap_or_default().trim().to_owned(),
        }
    }
}

/// New fee lines due, with the reason (staff, while nothing is paid).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjustFeeInput {
    /// At most 20 lines; an empty list (or lines adding up to 0) waives the fees.
    pub lines: Vec<FeeLineInput>,
    /// Why (at most 500 characters).
    pub reason: String,
    /// The payment's version the caller saw (optional): 409 `stale_payment` if it moved.
    #[serde(default)]
    pub version: Option<i32>,
}

/// A receipt's place in its book.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceiptNumber {
    pub template: String,
    pub serial: String,
    /// Seven digits, as printed.
    pub number: String,
    pub issued_at: DateTime<Utc>,
}

impl From<&FeeReceiptRow> for ReceiptNumber {
    fn from(r: &FeeReceiptRow) -> Self {
        ReceiptNumber {
            template: r.template.clone(),
            serial: r.serial.clone(),
            number: format!("{:07}", r.number),
            issued_at: r.issued_at,
        }
    }
}

/// Where the payer goes for an online attempt.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OnlineCheckout {
    pub reference: String,
    pub redirect_url: String,
    pub expires_at: DateTime<Utc>,
}

/// Cash or transfer at the counter.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterPaymentInput {
    /// cash | transfer
    pub method: String,
    pub amount_vnd: u64,
    #[serde(default)]
    pub receipt_no: Option<String>,
}

/// A refund, with its reason.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    pub reason: String,
}

/// An agency's gateway account, as an administrator sets it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewayAccountInput {
    /// vnpay
    pub gateway: String,
    pub merchant_code: String,
    pub hash_secret: String,
    pub pay_url: String,
    pub api_url: String,
    pub return_url: String,
    #[serde(default)]
    pub receipt_template: Option<String>,
    #[serde(default)]
    pub receipt_serial: Option<String>,
}

/// An agency's gateway account as shown (never its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GatewayAccountView {
    pub agency: String,
    pub gateway: String,
    pub merchant_code: String,
    pub pay_url: String,
    pub api_url: String,
    pub return_url: String,
    pub receipt_template: String,
    pub receipt_serial: String,
}

/// What the payer's return from the gateway shows (it changes nothing).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReturnOutcome {
    pub dossier_code: String,
    pub reference: String,
    pub amount_vnd: u64,
    /// What the gateway's signed return says.
    pub gateway_success: bool,
    pub gateway_code: String,
    pub gateway_message: String,
    /// The payment's status as motcua knows it (only the IPN or a query changes it).
    pub status: String,
    pub status_label: String,
}

pub use motcua_forms::receipt::FeeReceipt;

/// A payment as read: its record (if opened) and its fold.
struct Loaded {
    record: Option<PaymentRecord>,
    state: PaymentState,
}

impl Loaded {
    fn seq(&self) -> i32 {
        self.record.as_ref().map_or(0, |r| r.seq)
    }
}

fn payment_error(e: PaymentError) -> AppError {
    match e {
        PaymentError::ActorNotAllowed { .. } => AppError::Forbidden,
        PaymentError::InvalidText { .. }
        | PaymentError::InvalidLine { .. }
        | PaymentError::TooManyLines { .. }
        | PaymentError::AmountTooLarge { .. }
        | PaymentError::OnlineAtCounter
        | PaymentError::FeeUnchanged => AppError::invalid(e.code(), e.message_vi()),
        e => AppError::Conflict {
            kind: e.code(),
            message: e.message_vi(),
        },
    }
}

fn stale() -> AppError {
    AppError::conflict(
        "stale_payment",
        "Khoản thanh toán vừa được cập nhật. Vui lòng tải lại và thực hiện lại.",
    )
}

fn is_stale(e: &AppError) -> bool {
    matches!(e, AppError::Conflict { kind, .. } if *kind == "stale_payment" || *kind == "stale_dossier")
}

fn status_key(s: PaymentStatus) -> &'static str {
    match s {
        PaymentStatus::Empty => "none",
        PaymentStatus::Due => "due",
        PaymentStatus::Pending => "pending",
        PaymentStatus::Paid => "paid",
        PaymentStatus::Failed => "failed",
        PaymentStatus::Expired => "expired",
        PaymentStatus::Refunded => "refunded",
        PaymentStatus::Waived => "waived",
    }
}

fn outcome_key(o: &payment::AttemptOutcome) -> &'static str {
    match o {
        payment::AttemptOutcome::Pending => "pending",
        payment::AttemptOutcome::Paid => "paid",
        payment::AttemptOutcome::Failed { .. } => "failed",
        payment::AttemptOutcome::Expired => "expired",
    }
}

fn fold_record(r: &PaymentRecord) -> Result<PaymentState, AppError> {
    let envelopes: Vec<PaymentEnvelope> = r
        .events
        .iter()
        .map(|d| serde_json::from_str(d))
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::Internal(format!("stored payment event: {e}")))?;
    Ok(payment::fold(&envelopes))
}

/// The gateway of an agency's account.
pub fn gateway_of(account: &GatewayAccount) -> Result<Vnpay, AppError> {
    if account.gateway != "vnpay" {
        return Err(AppError::Unavailable(format!(
            "unsupported gateway {}",
            account.gateway
        )));
    }
    Vnpay::new(VnpayConfig {
        tmn_code: account.merchant_code.clone(),
        hash_secret: account.hash_secret.clone(),
        pay_url: account.pay_url.clone(),
        api_url: account.api_url.clone(),
        return_url: account.return_url.clone(),
    })
    .map_err(|e| AppError::Unavailable(e.to_string()))
}

fn view_of(code: &str, loaded: &Loaded, now: DateTime<Utc>) -> PaymentView {
    let s = &loaded.state;
    let status = s.status();
    let payable_online = match status {
        PaymentStatus::Due | PaymentStatus::Failed | PaymentStatus::Expired => true,
        PaymentStatus::Pending => s.pending_attempt().is_some_and(|a| now >= a.expires_at),
        _ => false,
    };
    PaymentView {
        dossier_code: code.to_owned(),
        status: status_key(status).to_owned(),
        status_label: if status == PaymentStatus::Empty {
            "Không thu phí, lệ phí".to_owned()
        } else {
            status.label_vi().to_owned()
        },
        amount_due_vnd: s.amount_due_vnd,
        amount_in_words: amount_in_words(s.amount_due_vnd),
        lines: s.lines.clone(),
        attempts: s.attempts.clone(),
        settlement: s.settlement.clone(),
        refund: s.refund.clone(),
        extra_payments: s.extra_payments.clone(),
        receipt: loaded
            .record
            .as_ref()
            .and_then(|r| r.receipt.as_ref())
            .map(ReceiptNumber::from),
        payable_online,
        adjustments: Vec::new(),
        adjustable: match status {
            PaymentStatus::Paid | PaymentStatus::Refunded => false,
            PaymentStatus::Pending => s.pending_attempt().is_some_and(|a| now >= a.expires_at),
            _ => true,
        },
        version: loaded.seq(),
    }
}

/// Who changed the fee lines and when, from the payment's stored events.
fn adjustments_of(loaded: &Loaded) -> Vec<(Option<Uuid>, payment::Adjustment)> {
    let Some(record) = &loaded.record else {
        return Vec::new();
    };
    let by: Vec<Option<Uuid>> = record
        .events
        .iter()
        .filter_map(|d| serde_json::from_str::<PaymentEnvelope>(d).ok())
        .filter(|e| matches!(e.event, payment::PaymentEvent::Adjusted { .. }))
        .map(|e| match e.actor {
            PaymentActor::Staff { user, .. } => Some(user),
            _ => None,
        })
        .collect();
    by.into_iter()
        .zip(loaded.state.adjustments.iter().cloned())
        .collect()
}

fn procedure_basis(procedure: &motcua_domain::catalogue::Procedure) -> Option<String> {
    procedure
        .legal_basis
        .first()
        .and_then(|d| d.number.clone())
        .filter(|s| !s.trim().is_empty())
}

/// The catalogue's fee lines for the dossier's channel.
fn catalogue_lines(
    procedure: &motcua_domain::catalogue::Procedure,
    channel: Option<Channel>,
) -> Vec<FeeLine> {
    let basis = procedure_basis(procedure);
    procedure
        .channels
        .iter()
        .find(|c| Some(c.channel) == channel)
        .and_then(|c| c.fee.as_ref())
        .map(|f| lines_from_fee(f, basis.as_deref()))
        .unwrap_or_default()
}

/// The fee lines of a dossier whose receipt fixed `due` đồng: the catalogue's lines for its
/// channel when they add up to it, else one line of that amount.
fn lines_for(
    procedure: &motcua_domain::catalogue::Procedure,
    channel: Option<Channel>,
    due: u64,
) -> Vec<FeeLine> {
    let lines = catalogue_lines(procedure, channel);
    let basis = procedure_basis(procedure);
    if !lines.is_empty() && total_vnd(&lines) == Some(due) {
        return lines;
    }
    vec![FeeLine {
        name: "Phí, lệ phí".to_owned(),
        kind: FeeKind::Unspecified,
        legal_basis: basis,
        amount_vnd: due,
        exemption: None,
        description: "Số tiền phí, lệ phí ghi khi tiếp nhận hồ sơ".to_owned(),
    }]
}

/// What a payment command writes: its events, the projection of `state` and its attempts.
fn payment_write(
    id: Uuid,
    (dossier_id, dossier_code, agency_id): (Uuid, &str, Uuid),
    state: &PaymentState,
    envelopes: &[PaymentEnvelope],
    issue_receipt: Option<(String, String)>,
    at: DateTime<Utc>,
) -> Result<PaymentWrite, AppError> {
    let events = envelopes
        .iter()
        .map(|e| {
            Ok(NewPaymentEvent {
                seq: e.seq as i32,
                at: e.at,
                kind: e.event.kind().to_owned(),
                data: serde_json::to_string(e)
                    .map_err(|e| AppError::Internal(format!("payment event: {e}")))?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(PaymentWrite {
        id,
        dossier_id,
        dossier_code: dossier_code.to_owned(),
        agency_id,
        status: status_key(state.status()).to_owned(),
        amount_vnd: state.amount_due_vnd as i64,
        events,
        attempts: state
            .attempts
            .iter()
            .map(|a| AttemptRow {
                reference: a.reference.clone(),
                payment_id: Uuid::nil(),
                gateway: a.gateway.clone(),
                outcome: outcome_key(&a.outcome).to_owned(),
                amount_vnd: a.amount_vnd as i64,
                started_at: a.started_at,
                expires_at: a.expires_at,
            })
            .collect(),
        issue_receipt,
        at,
    })
}

/// The payment a receipt opens when it fixes fees: the catalogue's lines for the channel (or
/// one line of the amount), awaited from the receiving officer's instant, written in the
/// receipt's own transaction. `None` without fees.
pub(crate) fn opening(
    procedure: &motcua_domain::catalogue::Procedure,
    channel: Option<Channel>,
    fee_due_vnd: u64,
    dossier: (Uuid, &str, Uuid),
    officer: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<PaymentWrite>, AppError> {
    if fee_due_vnd == 0 {
        return Ok(None);
    }
    let command = PaymentCommand {
        at,
        actor: PaymentActor::Staff {
            user: officer,
            role: Role::ReceivingOfficer,
        },
        action: PaymentAction::Open {
            lines: lines_for(procedure, channel, fee_due_vnd),
        },
    };
    let before = PaymentState::default();
    let envelopes = payment::execute(&before, &command).map_err(payment_error)?;
    let mut state = before;
    for e in &envelopes {
        state.apply(e.at, &e.event);
    }
    payment_write(Uuid::now_v7(), dossier, &state, &envelopes, None, at).map(Some)
}

impl App {
    /// The payment of a dossier, opened from the fees its receipt fixed if it was not yet (a
    /// dossier received before payments were kept, or imported).
    async fn load_payment(&self, row: &DossierRow) -> Result<Loaded, AppError> {
        for _ in 0..RETRIES {
            if let Some(r) = self.store.payment_of_dossier(row.id).await? {
                let state = fold_record(&r)?;
                return Ok(Loaded {
                    record: Some(r),
                    state,
                });
            }
            let st = dossiers::state_of(row)?;
            if st.fee_due_vnd == 0 || st.received_at.is_none() {
                return Ok(Loaded {
                    record: None,
                    state: PaymentState::default(),
                });
            }
            match self.open_payment(row, &st).await {
                Ok(()) => continue,
                Err(e) if is_stale(&e) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(stale())
    }

    /// Opens the payment with the fees of the dossier's receipt, as its receiving officer.
    async fn open_payment(&self, row: &DossierRow, st: &DossierState) -> Result<(), AppError> {
        let events = self.store.dossier_events(row.id).await?;
        let received = events
            .iter()
            .find(|e| e.kind == "received")
            .ok_or_else(|| AppError::Internal("a received dossier without its receipt".into()))?;
        let procedure = crate::catalogue::record_version(
            self.store.as_ref(),
            &row.procedure_code,
            row.procedure_version,
        )
        .await?;
        let Some(write) = opening(
            &procedure,
            st.channel,
            st.fee_due_vnd,
            (row.id, &row.code, row.intake_agency_id),
            received.actor_id.unwrap_or(Uuid::nil()),
            received.at,
        )?
        else {
            return Ok(());
        };
        self.store
            .write_payment(0, &write, None)
            .await
            .map_err(|e| match e {
                DbError::Conflict(Conflict::StaleVersion) => stale(),
                e => e.into(),
            })?;
        Ok(())
    }

    /// Decides `command` and stores what it changes; `dossier_actor` records a payment as the
    /// dossier's collected fee. Returns whether anything changed.
    async fn write_command(
        &self,
        row: &DossierRow,
        loaded: &Loaded,
        command: PaymentCommand,
        dossier_actor: Option<Actor>,
    ) -> Result<bool, AppError> {
        let envelopes = payment::execute(&loaded.state, &command).map_err(payment_error)?;
        if envelopes.is_empty() {
            return Ok(false);
        }
        let mut state = loaded.state.clone();
        for e in &envelopes {
            state.apply(e.at, &e.event);
        }
        let became_paid = loaded.state.settlement.is_none() && state.settlement.is_some();
        let agency_id = row.intake_agency_id;
        let book = if became_paid {
            let account = self.store.gateway_account(agency_id).await?;
            Some(account.map_or_else(
                || {
                    (
                        DEFAULT_RECEIPT_TEMPLATE.to_owned(),
                        DEFAULT_RECEIPT_SERIAL.to_owned(),
                    )
                },
                |a| (a.receipt_template, a.receipt_serial),
            ))
        } else {
            None
        };
        let write = payment_write(
            loaded.record.as_ref().map_or_else(Uuid::now_v7, |r| r.id),
            (row.id, &row.code, agency_id),
            &state,
            &envelopes,
            book,
            command.at,
        )?;
        let dossier_write = match (&state.settlement, became_paid) {
            (Some(s), true) => self.fee_collected(row, s, dossier_actor).await?,
            _ => self.dossier_side(row, &envelopes, command.actor).await?,
        };
        self.store
            .write_payment(
                loaded.seq(),
                &write,
                dossier_write.as_ref().map(|w| (row.seq, w)),
            )
            .await
            .map_err(|e| match e {
                DbError::Conflict(Conflict::StaleVersion) => stale(),
                e => e.into(),
            })?;
        Ok(true)
    }

    /// The dossier's "fee collected" for a settlement, if the dossier still owes it and its
    /// state machine accepts it.
    async fn fee_collected(
        &self,
        row: &DossierRow,
        s: &payment::Settlement,
        actor: Option<Actor>,
    ) -> Result<Option<DossierWrite>, AppError> {
        let st = dossiers::state_of(row)?;
        let outstanding = st.fee_outstanding_vnd();
        if outstanding == 0 {
            return Ok(None);
        }
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let command = Command {
            // A verified gateway report: the payment system (the nil user) records it for the
            // desk, the only role that records fees on a dossier.
            actor: actor.unwrap_or(Actor {
                user: Uuid::nil(),
                role: Role::ReceivingOfficer,
            }),
            at: Utc::now().max(s.at),
            action: DossierAction::CollectFee {
                amount_vnd: s.amount_vnd.min(outstanding),
                method: s.method,
                receipt_no: s.transaction_no.clone().or(s.receipt_no.clone()),
            },
        };
        match dossiers::prepare(self.store.as_ref(), &calendar, row, command).await {
            Ok((write, _)) => Ok(Some(write)),
            Err(AppError::Internal(e)) => Err(AppError::Internal(e)),
            Err(e) => {
                tracing::warn!(dossier = %row.code, error = %e, "payment settled, fee not recorded on the dossier");
                Ok(None)
            }
        }
    }

    /// The dossier's side of a fee adjustment or a refund: its `fee_adjusted` or
    /// `fee_refunded` event, by the same staff member, in the payment's transaction.
    async fn dossier_side(
        &self,
        row: &DossierRow,
        envelopes: &[PaymentEnvelope],
        actor: PaymentActor,
    ) -> Result<Option<DossierWrite>, AppError> {
        use motcua_domain::payment::PaymentEvent as E;
        let PaymentActor::Staff { user, role } = actor else {
            return Ok(None);
        };
        let st = dossiers::state_of(row)?;
        let action = envelopes.iter().find_map(|e| match &e.event {
            E::Adjusted {
                amount_vnd, reason, ..
            } => Some(DossierAction::AdjustFee {
                fee_due_vnd: *amount_vnd,
                reason: reason.clone(),
            }),
            E::Refunded { amount_vnd, reason } => {
                let refundable = st.fee_collected_vnd.saturating_sub(st.fee_refunded_vnd);
                // A payment settled before its fee reached the dossier gives back what it has.
                (refundable > 0).then(|| DossierAction::RefundFee {
                    amount_vnd: (*amount_vnd).min(refundable),
                    reason: reason.clone(),
                })
            }
            _ => None,
        });
        let Some(action) = action else {
            return Ok(None);
        };
        let calendar = self.calendar.get(self.store.as_ref()).await?;
        let at = envelopes.last().map_or_else(Utc::now, |e| e.at);
        let command = Command {
            actor: Actor { user, role },
            at: Utc::now().max(at),
            action,
        };
        let (write, _) = dossiers::prepare(self.store.as_ref(), &calendar, row, command).await?;
        Ok(Some(write))
    }

    /// Whether the caller may see the dossier's payment: its owner, or staff overseeing it.
    pub async fn payment(&self, caller: &Caller, code: &str) -> Result<PaymentView, AppError> {
        let row = self.dossier(code).await?;
        self.readable(caller, &row).await?;
        let loaded = self.load_payment(&row).await?;
        let mut view = view_of(code, &loaded, Utc::now());
        for (by, a) in adjustments_of(&loaded) {
            let by_name = match by {
                Some(id) => self
                    .store
                    .get_user(id)
                    .await
                    .map(|u| u.full_name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            view.adjustments.push(AdjustmentView {
                at: a.at,
                by,
                by_name,
                previous_amount_vnd: a.previous_amount_vnd,
                amount_vnd: a.amount_vnd,
                previous_lines: a.previous_lines,
                lines: a.lines,
                reason: a.reason,
            });
        }
        Ok(view)
    }

    /// Changes the fee lines due of a dossier: a receiving officer or a leader of its agency,
    /// with a reason, while nothing is paid and no online attempt may still succeed. The
    /// payment's `adjusted` event and the dossier's `fee_adjusted` (its fees due, shown on
    /// the receipt) are written in one transaction.
    pub async fn adjust_fee(
        &self,
        caller: &Caller,
        code: &str,
        input: AdjustFeeInput,
    ) -> Result<PaymentView, AppError> {
        let row = self.dossier(code).await?;
        let actor = self
            .staff_actor(caller, &row, &[Role::ReceivingOfficer, Role::Leader])
            .await?;
        if input.lines.len() > payment::fee_line::MAX_FEE_LINES {
            return Err(payment_error(PaymentError::TooManyLines {
                max: payment::fee_line::MAX_FEE_LINES,
            }));
        }
        if let Some(v) = input.version
            && v != self.load_payment(&row).await?.seq()
        {
            return Err(stale());
        }
        let lines: Vec<FeeLine> = input
            .lines
            .iter()
            .cloned()
            .map(FeeLine::from)
            .filter(|l| !(l.name.is_empty() && l.amount_vnd == 0))
            .collect();
        self.run(&row, actor, None, |_| {
            Ok(PaymentAction::Adjust {
                lines: lines.clone(),
                reason: input.reason.clone(),
            })
        })
        .await?;
        self.payment(caller, code).await
    }

    /// The catalogue's fee lines of the dossier's channel (the alternatives staff choose
    /// from); the caller may read the dossier.
    pub async fn catalogue_fee_lines(
        &self,
        caller: &Caller,
        code: &str,
    ) -> Result<Vec<FeeLine>, AppError> {
        let row = self.dossier(code).await?;
        self.readable(caller, &row).await?;
        let st = dossiers::state_of(&row)?;
        let procedure = crate::catalogue::record_version(
            self.store.as_ref(),
            &row.procedure_code,
            row.procedure_version,
        )
        .await?;
        Ok(catalogue_lines(&procedure, st.channel))
    }

    /// The payment actor of a caller on a dossier: its owner as citizen, else a receiving
    /// officer of the intake agency.
    async fn payer_actor(
        &self,
        caller: &Caller,
        row: &DossierRow,
    ) -> Result<PaymentActor, AppError> {
        if dossiers::owner_of(row)? == Some(caller.user.id) {
            return Ok(PaymentActor::Citizen {
                user: caller.user.id,
            });
        }
        self.staff_actor(caller, row, &[Role::ReceivingOfficer])
            .await
    }

    async fn staff_actor(
        &self,
        caller: &Caller,
        row: &DossierRow,
        roles: &[Role],
    ) -> Result<PaymentActor, AppError> {
        let p = caller.principal();
        for agency in [row.intake_agency_id, row.agency_id] {
            let scope = ResolvedScope::of(self, agency).await?;
            for role in roles {
                let may = match role {
                    Role::ReceivingOfficer => p.may(&Action::Receive(scope.scope())),
                    Role::Leader => p.may(&Action::Approve(scope.scope())),
                    _ => false,
                };
                if may {
                    return Ok(PaymentActor::Staff {
                        user: caller.user.id,
                        role: *role,
                    });
                }
            }
        }
        Err(AppError::Forbidden)
    }

    /// Starts an online attempt at the intake agency's gateway: where the payer goes.
    pub async fn start_online_payment(
        &self,
        caller: &Caller,
        code: &str,
        client_ip: &str,
    ) -> Result<OnlineCheckout, AppError> {
        let row = self.dossier(code).await?;
        let actor = self.payer_actor(caller, &row).await?;
        let account = self
            .store
            .gateway_account(row.intake_agency_id)
            .await?
            .ok_or_else(|| {
                AppError::conflict(
                    "payment_gateway_not_configured",
                    "Cơ quan chưa cấu hình cổng thanh toán trực tuyến. Vui lòng nộp phí tại quầy.",
                )
            })?;
        let gateway = gateway_of(&account)?;
        for _ in 0..RETRIES {
            let loaded = self.load_payment(&row).await?;
            if loaded.record.is_none() {
                return Err(AppError::conflict(
                    "no_fee_due",
                    "Hồ sơ không có phí, lệ phí phải nộp.",
                ));
            }
            let now = Utc::now().max(loaded.state.last_at.unwrap_or_default());
            let reference = format!("{}-{}", row.code, loaded.state.attempts.len() + 1);
            let expires_at = now
                + chrono::TimeDelta::from_std(self.config.payment_attempt_ttl)
                    .unwrap_or(chrono::TimeDelta::minutes(15));
            let command = PaymentCommand {
                at: now,
                actor,
                action: PaymentAction::StartAttempt {
                    gateway: gateway.name().to_owned(),
                    reference: reference.clone(),
                    expires_at,
                },
            };
            match self.write_command(&row, &loaded, command, None).await {
                Err(e) if is_stale(&e) => continue,
                Err(e) => return Err(e),
                Ok(_) => {}
            }
            let checkout = gateway
                .checkout(&AttemptRequest {
                    reference: reference.clone(),
                    amount_vnd: loaded.state.amount_due_vnd,
                    order_info: format!("Thanh toán phí, lệ phí hồ sơ {}", row.code),
                    created_at: now,
                    expires_at,
                    client_ip: client_ip.to_owned(),
                })
                .map_err(|e| AppError::Unavailable(e.to_string()))?;
            let Checkout::Redirect { url } = checkout else {
                return Err(AppError::Internal("VNPAY answers with a redirect".into()));
            };
            return Ok(OnlineCheckout {
                reference,
                redirect_url: url,
                expires_at,
            });
        }
        Err(stale())
    }

    /// VNPAY's IPN: verified, decided and applied once; the answer VNPAY expects.
    pub async fn vnpay_ipn(&self, params: &[(String, String)]) -> motcua_payments::vnpay::RspCode {
        use motcua_payments::vnpay::{RspCode, ipn};
        let Some(reference) = params
            .iter()
            .find(|(k, _)| k == "vnp_TxnRef")
            .map(|(_, v)| v.clone())
        else {
            return RspCode::Other;
        };
        for _ in 0..RETRIES {
            let record = match self.store.payment_of_attempt(&reference).await {
                Ok(Some(r)) => r,
                Ok(None) => return RspCode::OrderNotFound,
                Err(_) => return RspCode::Other,
            };
            let Ok(Some(account)) = self.store.gateway_account(record.agency_id).await else {
                return RspCode::Other;
            };
            let (Ok(gateway), Ok(state), Ok(row)) = (
                gateway_of(&account),
                fold_record(&record),
                self.store.dossier_by_code(&record.dossier_code).await,
            ) else {
                return RspCode::Other;
            };
            let decision = ipn::answer(
                gateway.verify_notification(params),
                Some(&state),
                Utc::now(),
            );
            let Some(command) = decision.command else {
                return decision.rsp;
            };
            let loaded = Loaded {
                record: Some(record),
                state,
            };
            match self.write_command(&row, &loaded, command, None).await {
                Ok(_) => return decision.rsp,
                Err(e) if is_stale(&e) => continue,
                Err(e) => {
                    tracing::warn!(reference, error = %e, "IPN not applied");
                    return RspCode::Other;
                }
            }
        }
        RspCode::Other
    }

    /// The payer's return from VNPAY: the signed outcome and the payment as it stands. It
    /// changes nothing.
    pub async fn vnpay_return(
        &self,
        params: &[(String, String)],
    ) -> Result<ReturnOutcome, AppError> {
        let reference = params
            .iter()
            .find(|(k, _)| k == "vnp_TxnRef")
            .map(|(_, v)| v.as_str())
            .ok_or(AppError::NotFound("giao dịch"))?;
        let record = self
            .store
            .payment_of_attempt(reference)
            .await?
            .ok_or(AppError::NotFound("giao dịch"))?;
        let account = self
            .store
            .gateway_account(record.agency_id)
            .await?
            .ok_or(AppError::NotFound("giao dịch"))?;
        let view: ReturnView = gateway_of(&account)?.verify_return(params).map_err(|_| {
            AppError::invalid(
                "invalid_signature",
                "Kết quả thanh toán không hợp lệ (sai chữ ký).",
            )
        })?;
        let status = fold_record(&record)?.status();
        Ok(ReturnOutcome {
            dossier_code: record.dossier_code,
            reference: view.reference,
            amount_vnd: view.amount_vnd,
            gateway_success: view.success,
            gateway_code: view.code,
            gateway_message: view.message_vi.to_owned(),
            status: status_key(status).to_owned(),
            status_label: status.label_vi().to_owned(),
        })
    }

    /// Cash or bank transfer received at the counter, by a receiving officer.
    pub async fn record_counter_payment(
        &self,
        caller: &Caller,
        code: &str,
        input: CounterPaymentInput,
    ) -> Result<PaymentView, AppError> {
        let row = self.dossier(code).await?;
        let actor = self
            .staff_actor(caller, &row, &[Role::ReceivingOfficer])
            .await?;
        let method = match input.method.as_str() {
            "cash" => PaymentMethod::Cash,
            "transfer" => PaymentMethod::Transfer,
            _ => {
                return Err(AppError::invalid(
                    "invalid_method",
                    "Hình thức nộp tại quầy là tiền mặt (cash) hoặc chuyển khoản (transfer).",
                ));
            }
        };
        let PaymentActor::Staff { user, role } = actor else {
            return Err(AppError::Forbidden);
        };
        self.run(&row, actor, Some(Actor { user, role }), |_| {
            Ok(PaymentAction::RecordCounter {
                method,
                amount_vnd: input.amount_vnd,
                receipt_no: input.receipt_no.clone().filter(|r| !r.trim().is_empty()),
            })
        })
        .await?;
        self.payment(caller, code).await
    }

    /// Gives a paid fee back: a receiving officer or a leader, with a reason; an online payment
    /// is refunded at the gateway first.
    pub async fn refund_payment(
        &self,
        caller: &Caller,
        code: &str,
        input: RefundInput,
    ) -> Result<PaymentView, AppError> {
        let row = self.dossier(code).await?;
        let actor = self
            .staff_actor(caller, &row, &[Role::ReceivingOfficer, Role::Leader])
            .await?;
        let loaded = self.load_payment(&row).await?;
        // The domain's checks first: nothing is asked of the gateway for a refused refund.
        let probe = PaymentCommand {
            at: Utc::now().max(loaded.state.last_at.unwrap_or_default()),
            actor,
            action: PaymentAction::Refund {
                reason: input.reason.clone(),
            },
        };
        payment::decide(&loaded.state, &probe).map_err(payment_error)?;
        if let Some(s) = &loaded.state.settlement
            && s.method == PaymentMethod::Online
        {
            self.refund_at_gateway(&row, &loaded.state, s, caller)
                .await?;
        }
        self.run(&row, actor, None, |_| {
            Ok(PaymentAction::Refund {
                reason: input.reason.clone(),
            })
        })
        .await?;
        self.payment(caller, code).await
    }

    async fn refund_at_gateway(
        &self,
        row: &DossierRow,
        state: &PaymentState,
        s: &payment::Settlement,
        caller: &Caller,
    ) -> Result<(), AppError> {
        let account = self
            .store
            .gateway_account(row.intake_agency_id)
            .await?
            .ok_or_else(|| AppError::Unavailable("no gateway account".into()))?;
        let reference = s.reference.clone().unwrap_or_default();
        let started = state.attempt(&reference).map_or(s.at, |a| a.started_at);
        let now = Utc::now();
        let result = gateway_of(&account)?
            .refund(&motcua_payments::RefundRequest {
                request_id: Uuid::now_v7().simple().to_string(),
                reference: reference.clone(),
                amount_vnd: s.amount_vnd,
                transaction_no: s.transaction_no.clone().unwrap_or_default(),
                attempt_created_at: started,
                created_by: caller.user.username.clone(),
                order_info: format!("Hoàn phí, lệ phí hồ sơ {}", row.code),
                at: now,
                server_ip: "127.0.0.1".into(),
            })
            .await
            .map_err(|e| AppError::Unavailable(format!("gateway refund: {e}")))?;
        if !result.accepted {
            return Err(AppError::conflict(
                "refund_refused",
                format!(
                    "Cổng thanh toán từ chối hoàn tiền (mã {}): {}",
                    result.code, result.message
                ),
            ));
        }
        Ok(())
    }

    /// Runs the action `make` builds on the latest payment, retrying when someone wrote first.
    async fn run(
        &self,
        row: &DossierRow,
        actor: PaymentActor,
        dossier_actor: Option<Actor>,
        make: impl Fn(&PaymentState) -> Result<PaymentAction, AppError>,
    ) -> Result<bool, AppError> {
        let mut row = row.clone();
        for _ in 0..RETRIES {
            let loaded = self.load_payment(&row).await?;
            let action = make(&loaded.state)?;
            // Staff may set fees on a dossier received without any; nothing else without one.
            if loaded.record.is_none() && !matches!(action, PaymentAction::Adjust { .. }) {
                return Err(AppError::conflict(
                    "no_fee_due",
                    "Hồ sơ không có phí, lệ phí phải nộp.",
                ));
            }
            let command = PaymentCommand {
                at: Utc::now().max(loaded.state.last_at.unwrap_or_default()),
                actor,
                action,
            };
            match self
                .write_command(&row, &loaded, command, dossier_actor)
                .await
            {
                Err(e) if is_stale(&e) => {
                    row = self.dossier(&row.code).await?;
                    continue;
                }
                other => return other,
            }
        }
        Err(stale())
    }

    /// The electronic fee receipt of a paid dossier as HTML or PDF; the caller may
    /// read `row` (checked and logged by the caller).
    pub async fn fee_receipt_file(
        &self,
        row: &DossierRow,
        format: crate::forms::Format,
    ) -> Result<crate::forms::Rendered, AppError> {
        let r = self.fee_receipt(row).await?;
        let failed = |e: motcua_forms::FormError| AppError::Internal(format!("receipt: {e}"));
        let name = format!("bien-lai-{}", row.code);
        Ok(if format == crate::forms::Format::Pdf {
            crate::forms::Rendered {
                content_type: "application/pdf",
                file_name: format!("{name}.pdf"),
                body: motcua_forms::receipt::fee_receipt_pdf(&r).map_err(failed)?,
            }
        } else {
            crate::forms::Rendered {
                content_type: "text/html; charset=utf-8",
                file_name: format!("{name}.html"),
                body: motcua_forms::receipt::fee_receipt_html(&r)
                    .map_err(failed)?
                    .into_bytes(),
            }
        })
    }

    /// The electronic fee receipt of a paid dossier (the caller may read `row`: checked and
    /// logged by the caller).
    pub async fn fee_receipt(&self, row: &DossierRow) -> Result<FeeReceipt, AppError> {
        let row = row.clone();
        let loaded = self.load_payment(&row).await?;
        let (Some(record), Some(s)) = (&loaded.record, &loaded.state.settlement) else {
            return Err(AppError::NotFound("biên lai"));
        };
        let number = record
            .receipt
            .as_ref()
            .ok_or(AppError::NotFound("biên lai"))?;
        let agency = self.store.get_agency(row.intake_agency_id).await?;
        let parent_agency_name = match agency.parent_id {
            Some(id) => self
                .store
                .get_agency(id)
                .await
                .map(|a| a.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let st = dossiers::state_of(&row)?;
        let applicant = st.applicant.clone();
        let procedure_name = crate::catalogue::record_version(
            self.store.as_ref(),
            &row.procedure_code,
            row.procedure_version,
        )
        .await
        .map(|p| p.name)
        .unwrap_or_else(|_| row.procedure_code.clone());
        Ok(FeeReceipt {
            parent_agency_name,
            agency_name: agency.name,
            template: number.template.clone(),
            serial: number.serial.clone(),
            number: format!("{:07}", number.number),
            issued_at: number.issued_at,
            dossier_code: row.code.clone(),
            procedure_name,
            payer_name: applicant
                .as_ref()
                .map_or_else(|| row.applicant_name.clone(), |a| a.name.clone()),
            payer_address: applicant.and_then(|a| a.address),
            lines: loaded
                .state
                .lines
                .iter()
                .map(|l| motcua_forms::receipt::ReceiptLine {
                    name: l.name.clone(),
                    legal_basis: l.legal_basis.clone(),
                    amount_vnd: l.amount_vnd,
                })
                .collect(),
            amount_vnd: s.amount_vnd,
            amount_in_words: amount_in_words(s.amount_vnd),
            method: s.method.label_vi().to_owned(),
            transaction_no: s.transaction_no.clone(),
            refunded: loaded.state.refund.is_some(),
        })
    }

    /// Sets an agency's gateway account (administrators).
    pub async fn put_gateway_account(
        &self,
        caller: &Caller,
        agency_code: &str,
        input: GatewayAccountInput,
    ) -> Result<GatewayAccountView, AppError> {
        if !caller.principal().has_role(Role::Admin) {
            return Err(AppError::Forbidden);
        }
        let agency = self.agency(agency_code).await?;
        let text = |field: &'static str, v: &str| -> Result<String, AppError> {
            let t = v.trim();
            if t.is_empty() || t.chars().count() > MAX_ACCOUNT_CHARS {
                return Err(AppError::Invalid {
                    kind: crate::InvalidKind::Unprocessable,
                    code: "invalid_gateway_account",
                    message: format!(
                        "Trường {field} trống hoặc dài quá {MAX_ACCOUNT_CHARS} ký tự."
                    ),
                    field: Some(field.to_owned()),
                    detail: None,
                });
            }
            Ok(t.to_owned())
        };
        if input.gateway != "vnpay" {
            return Err(AppError::invalid(
                "unsupported_gateway",
                "Cổng thanh toán được hỗ trợ: vnpay.",
            ));
        }
        let account = GatewayAccount {
            agency_id: agency.id,
            gateway: input.gateway.clone(),
            merchant_code: text("merchant_code", &input.merchant_code)?,
            hash_secret: text("hash_secret", &input.hash_secret)?,
            pay_url: text("pay_url", &input.pay_url)?,
            api_url: text("api_url", &input.api_url)?,
            return_url: text("return_url", &input.return_url)?,
            receipt_template: text(
                "receipt_template",
                input
                    .receipt_template
                    .as_deref()
                    .unwrap_or(DEFAULT_RECEIPT_TEMPLATE),
            )?,
            receipt_serial: text(
                "receipt_serial",
                input
                    .receipt_serial
                    .as_deref()
                    .unwrap_or(DEFAULT_RECEIPT_SERIAL),
            )?,
            updated_at: Utc::now(),
        };
        gateway_of(&account).map_err(|_| {
            AppError::invalid(
                "invalid_gateway_account",
                "Tài khoản cổng thanh toán không hợp lệ.",
            )
        })?;
        self.store.put_gateway_account(&account).await?;
        Ok(account_view(agency_code, &account))
    }
}

fn account_view(agency: &str, a: &GatewayAccount) -> GatewayAccountView {
    GatewayAccountView {
        agency: agency.to_owned(),
        gateway: a.gateway.clone(),
        merchant_code: a.merchant_code.clone(),
        pay_url: a.pay_url.clone(),
        api_url: a.api_url.clone(),
        return_url: a.return_url.clone(),
        receipt_template: a.receipt_template.clone(),
        receipt_serial: a.receipt_serial.clone(),
    }
}
