//! The reconciliation worker: a lost, late or refused IPN never leaves a payment stale. Every
//! pass asks the gateway (`querydr`) about each online attempt pending longer than
//! `Config::payment_reconcile_after` or past its expiry, applies the verified answer as the
//! domain decides (paid, failed; a wrong amount is refused), and expires the attempts past
//! their expiry that the gateway did not settle. [`App::reconcile_payments`] is one pass (the
//! worker's, and the administrators' on demand); [`spawn`] runs passes beside the server.

use chrono::{DateTime, Utc};
use motcua_domain::payment::{
    GatewayOutcome, PaymentAction, PaymentActor, PaymentCommand, PaymentError, ReportSource,
};
use motcua_payments::{Gateway, QueryOutcome, QueryRequest};
use motcua_store::AttemptRow;
use serde::Serialize;
use uuid::Uuid;

use super::{Loaded, fold_record, gateway_of, is_stale};
use crate::{App, AppError};

/// Attempts looked at per pass.
const PASS_LIMIT: i64 = 500;

/// What one pass did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReconcileReport {
    /// Attempts looked at.
    pub examined: u32,
    /// Found paid by the query.
    pub paid: u32,
    /// Found failed by the query.
    pub failed: u32,
    /// Expired without an outcome.
    pub expired: u32,
    /// Still pending at the gateway, within their validity.
    pub pending: u32,
    /// The gateway states another amount than the attempt's: not paid, reported.
    pub mismatched: u32,
    /// The gateway could not be asked (the attempt is tried again next pass).
    pub errors: u32,
}

/// What became of one attempt.
enum Verdict {
    Paid,
    Failed,
    Expired,
    Pending,
    Mismatch,
    Unchanged,
}

impl App {
    /// One reconciliation pass at `now`.
    pub async fn reconcile_payments(
        &self,
        now: DateTime<Utc>,
    ) -> Result<ReconcileReport, AppError> {
        let after = chrono::TimeDelta::from_std(self.config.payment_reconcile_after)
            .unwrap_or(chrono::TimeDelta::minutes(5));
        let attempts = self
            .store
            .pending_attempts(now - after, now, PASS_LIMIT)
            .await?;
        let mut report = ReconcileReport::default();
        for a in attempts {
            report.examined += 1;
            match self.reconcile_attempt(&a, now).await {
                Ok(Verdict::Paid) => report.paid += 1,
                Ok(Verdict::Failed) => report.failed += 1,
                Ok(Verdict::Expired) => report.expired += 1,
                Ok(Verdict::Pending) => report.pending += 1,
                Ok(Verdict::Mismatch) => report.mismatched += 1,
                Ok(Verdict::Unchanged) => {}
                Err(e) => {
                    tracing::warn!(reference = %a.reference, error = %e, "reconciliation failed");
                    report.errors += 1;
                }
            }
        }
        Ok(report)
    }

    async fn reconcile_attempt(
        &self,
        a: &AttemptRow,
        now: DateTime<Utc>,
    ) -> Result<Verdict, AppError> {
        let Some(record) = self.store.payment_of_attempt(&a.reference).await? else {
            return Ok(Verdict::Unchanged);
        };
        let account = self
            .store
            .gateway_account(record.agency_id)
            .await?
            .ok_or_else(|| AppError::Unavailable("no gateway account".into()))?;
        let gateway = gateway_of(&account)?;
        let answer = gateway
            .query(&QueryRequest {
                request_id: Uuid::now_v7().simple().to_string(),
                reference: a.reference.clone(),
                order_info: format!("Truy van giao dich {}", a.reference),
                attempt_created_at: a.started_at,
                at: now,
                server_ip: "127.0.0.1".into(),
            })
            .await
            .map_err(|e| AppError::Unavailable(format!("querydr: {e}")))?;
        let mut mismatch = false;
        let action = match answer {
            QueryOutcome::Final(report) => {
                let paid = matches!(report.outcome, GatewayOutcome::Paid { .. });
                Some((
                    PaymentAction::Report {
                        reference: a.reference.clone(),
                        source: ReportSource::Query,
                        outcome: report.outcome,
                    },
                    if paid { Verdict::Paid } else { Verdict::Failed },
                ))
            }
            QueryOutcome::Pending | QueryOutcome::NotFound | QueryOutcome::Other { .. } => None,
        };
        if let Some((action, verdict)) = action {
            match self
                .apply_system(&record.dossier_code, &a.reference, action)
                .await
            {
                Ok(true) => return Ok(verdict),
                Ok(false) => return Ok(Verdict::Unchanged),
                Err(AppError::Conflict { kind, .. })
                    if kind == PaymentError::WrongAmount { amount: 0, due: 0 }.code() =>
                {
                    tracing::warn!(reference = %a.reference, "the gateway states another amount: not paid");
                    mismatch = true;
                }
                Err(e) => return Err(e),
            }
        }
        if now >= a.expires_at {
            let expired = self
                .apply_system(
                    &record.dossier_code,
                    &a.reference,
                    PaymentAction::Expire {
                        reference: a.reference.clone(),
                    },
                )
                .await?;
            if expired && !mismatch {
                return Ok(Verdict::Expired);
            }
        }
        Ok(if mismatch {
            Verdict::Mismatch
        } else {
            Verdict::Pending
        })
    }

    /// Applies a system action to the payment holding `reference`, on its latest state.
    async fn apply_system(
        &self,
        dossier_code: &str,
        reference: &str,
        action: PaymentAction,
    ) -> Result<bool, AppError> {
        for _ in 0..super::RETRIES {
            let row = self.dossier(dossier_code).await?;
            let Some(record) = self.store.payment_of_attempt(reference).await? else {
                return Ok(false);
            };
            let state = fold_record(&record)?;
            let command = PaymentCommand {
                at: Utc::now().max(state.last_at.unwrap_or_default()),
                actor: PaymentActor::System,
                action: action.clone(),
            };
            let loaded = Loaded {
                record: Some(record),
                state,
            };
            match self.write_command(&row, &loaded, command, None).await {
                Err(e) if is_stale(&e) => continue,
                other => return other,
            }
        }
        Err(super::stale())
    }
}

/// Runs a reconciliation pass every `Config::payment_reconcile_every` until `stop` turns true.
pub fn spawn(
    app: App,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(app.config.payment_reconcile_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            match app.reconcile_payments(Utc::now()).await {
                Ok(r) if r.examined > 0 => tracing::info!(?r, "payments reconciled"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "payment reconciliation pass failed"),
            }
        }
    })
}

impl App {
    /// One pass now, on an administrator's demand.
    pub async fn reconcile_payments_now(
        &self,
        caller: &crate::auth::Caller,
    ) -> Result<ReconcileReport, AppError> {
        if !caller
            .principal()
            .has_role(motcua_domain::auth::Role::Admin)
        {
            return Err(AppError::Forbidden);
        }
        self.reconcile_payments(Utc::now()).await
    }
}
