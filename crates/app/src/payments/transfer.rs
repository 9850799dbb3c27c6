//! Bank transfer by VietQR (#23): each agency's account, the QR a payer scans (amount due and
//! the dossier code as the content), and the bank's statement (CSV or XLSX) matched against the
//! payments awaiting their money; each matched credit is recorded as a transfer by the officer
//! who imports it, so the payment's rules (exact amount, paid once, a numbered receipt) hold.

use chrono::Utc;
use motcua_domain::auth::{Action, Role};
use motcua_payments::statement::{self, ExpectedTransfer};
use motcua_payments::vietqr::VietQr;
use motcua_store::BankAccount;
use serde::{Deserialize, Serialize};

use super::{CounterPaymentInput, PaymentStatus};
use crate::auth::{Caller, ResolvedScope};
use crate::{App, AppError};

/// Most payments a statement is matched against.
const MAX_AWAITED: i64 = 10_000;

/// An agency's bank account, as an administrator sets it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountInput {
    /// The bank's NAPAS BIN (6 digits, e.g. 970436).
    pub bank_bin: String,
    pub account: String,
    pub account_name: String,
}

/// What a payer needs to transfer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VietQrView {
    pub bank_bin: String,
    pub account: String,
    pub account_name: String,
    pub amount_vnd: u64,
    /// The transfer content: the dossier code.
    pub content: String,
    /// The EMVCo payload.
    pub payload: String,
    /// The QR as SVG.
    pub svg: String,
}

/// A statement line that paid a dossier's fees.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatchedLine {
    pub line: usize,
    pub dossier_code: String,
    /// The receipt's number.
    pub receipt_number: Option<String>,
}

/// A statement line that paid nothing, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnmatchedLine {
    pub line: usize,
    pub reason: String,
}

/// What importing a statement did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatementReport {
    pub matched: Vec<MatchedLine>,
    pub unmatched: Vec<UnmatchedLine>,
    /// Dossiers still awaiting their money.
    pub still_awaited: Vec<String>,
    /// Debit or empty lines.
    pub skipped: usize,
}

fn digits(
    field: &'static str,
    s: &str,
    len: std::ops::RangeInclusive<usize>,
) -> Result<String, AppError> {
    let t = s.trim();
    if !len.contains(&t.len()) || !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::Invalid {
            kind: crate::InvalidKind::Unprocessable,
            code: "invalid_bank_account",
            message: format!(
                "Trường {field} phải gồm {}–{} chữ số.",
                len.start(),
                len.end()
            ),
            field: Some(field.to_owned()),
            detail: None,
        });
    }
    Ok(t.to_owned())
}

impl App {
    /// The agency (by code) if the caller keeps its bank account: an administrator who
    /// configures it, or its leader.
    async fn bank_account_keeper(
        &self,
        caller: &Caller,
        agency_code: &str,
    ) -> Result<motcua_store::Agency, AppError> {
        let agency = self.agency(agency_code).await?;
        let scope = ResolvedScope::of(self, agency.id).await?;
        let p = caller.principal();
        if p.has_role(Role::Admin)
            || p.may(&Action::ConfigureAgency(scope.scope()))
            || p.may(&Action::Approve(scope.scope()))
        {
            Ok(agency)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// An agency's bank account, if set (its administrators and leaders).
    pub async fn bank_account(
        &self,
        caller: &Caller,
        agency_code: &str,
    ) -> Result<Option<BankAccountInput>, AppError> {
        let agency = self.bank_account_keeper(caller, agency_code).await?;
        Ok(self
            .store
            .bank_account(agency.id)
            .await?
            .map(|a| BankAccountInput {
                bank_bin: a.bank_bin,
                account: a.account,
                account_name: a.account_name,
            }))
    }

    /// Sets an agency's bank account (its administrators and leaders).
    pub async fn put_bank_account(
        &self,
        caller: &Caller,
        agency_code: &str,
        input: BankAccountInput,
    ) -> Result<BankAccountInput, AppError> {
        let agency = self.bank_account_keeper(caller, agency_code).await?;
        let name = input.account_name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::invalid(
                "invalid_bank_account",
                "Tên chủ tài khoản không được trống và không dài quá 100 ký tự.",
            ));
        }
        let account = BankAccount {
            agency_id: agency.id,
            bank_bin: digits("bank_bin", &input.bank_bin, 6..=6)?,
            account: digits("account", &input.account, 6..=19)?,
            account_name: name.to_owned(),
            updated_at: Utc::now(),
        };
        self.store.put_bank_account(&account).await?;
        Ok(BankAccountInput {
            bank_bin: account.bank_bin,
            account: account.account,
            account_name: account.account_name,
        })
    }

    /// The VietQR to pay a dossier's fees by transfer (its owner and the staff who see it).
    pub async fn payment_vietqr(
        &self,
        caller: &Caller,
        code: &str,
    ) -> Result<VietQrView, AppError> {
        let row = self.dossier(code).await?;
        self.readable(caller, &row).await?;
        let loaded = self.load_payment(&row).await?;
        if !matches!(
            loaded.state.status(),
            PaymentStatus::Due | PaymentStatus::Failed | PaymentStatus::Expired
        ) {
            return Err(AppError::conflict(
                "nothing_to_transfer",
                "Hồ sơ không có khoản phí, lệ phí đang chờ nộp.",
            ));
        }
        let bank = self
            .store
            .bank_account(row.intake_agency_id)
            .await?
            .ok_or_else(|| {
                AppError::conflict(
                    "bank_account_not_configured",
                    "Cơ quan chưa công bố tài khoản nhận chuyển khoản. Vui lòng nộp tại quầy.",
                )
            })?;
        let qr = VietQr {
            bank_bin: bank.bank_bin.clone(),
            account: bank.account.clone(),
            amount_vnd: loaded.state.amount_due_vnd,
            purpose: row.code.clone(),
        };
        let failed =
            |e: motcua_payments::vietqr::VietQrError| AppError::Internal(format!("VietQR: {e}"));
        Ok(VietQrView {
            payload: qr.payload().map_err(failed)?,
            svg: qr.svg().map_err(failed)?,
            bank_bin: bank.bank_bin,
            account: bank.account,
            account_name: bank.account_name,
            amount_vnd: qr.amount_vnd,
            content: row.code,
        })
    }

    /// The agency (by code) if the caller imports its statements: a receiving officer of it.
    pub async fn statement_importer(
        &self,
        caller: &Caller,
        agency_code: &str,
    ) -> Result<motcua_store::Agency, AppError> {
        let agency = self.agency(agency_code).await?;
        let scope = ResolvedScope::of(self, agency.id).await?;
        if !caller.principal().may(&Action::Receive(scope.scope())) {
            return Err(AppError::Forbidden);
        }
        Ok(agency)
    }

    /// Imports a bank statement of the agency (`xlsx` or CSV text): each credit that names an
    /// awaited dossier for exactly its amount is recorded as a transfer by the caller (a
    /// receiving officer of the agency); the rest is reported with the reason.
    pub async fn import_statement(
        &self,
        caller: &Caller,
        agency_code: &str,
        bytes: &[u8],
        xlsx: bool,
    ) -> Result<StatementReport, AppError> {
        let agency = self.statement_importer(caller, agency_code).await?;
        let rows = if xlsx {
            statement::parse_xlsx(bytes)
        } else {
            let text = std::str::from_utf8(bytes).map_err(|_| {
                AppError::invalid("statement_not_utf8", "Sao kê CSV phải mã hóa UTF-8.")
            })?;
            statement::parse_csv(text)
        }
        .map_err(|e| AppError::invalid(e.code(), e.message_vi()))?;
        let expected: Vec<ExpectedTransfer> = self
            .store
            .awaited_payments(agency.id, MAX_AWAITED)
            .await?
            .into_iter()
            .map(|(code, amount)| ExpectedTransfer {
                code,
                amount_vnd: amount.max(0) as u64,
            })
            .collect();
        let report = statement::match_rows(&rows, &expected);
        let mut out = StatementReport {
            matched: Vec::new(),
            unmatched: report
                .unmatched
                .iter()
                .map(|(line, why)| UnmatchedLine {
                    line: *line,
                    reason: why.message_vi(),
                })
                .collect(),
            still_awaited: report.still_awaited.clone(),
            skipped: report.skipped,
        };
        for (line, code) in report.matched {
            let Some(row) = rows.iter().find(|r| r.line == line) else {
                continue;
            };
            let input = CounterPaymentInput {
                method: "transfer".into(),
                amount_vnd: row.credit_vnd.unwrap_or(0),
                receipt_no: Some(row.reference.chars().take(50).collect())
                    .filter(|r: &String| !r.trim().is_empty()),
            };
            match self.record_counter_payment(caller, &code, input).await {
                Ok(v) => out.matched.push(MatchedLine {
                    line,
                    dossier_code: code,
                    receipt_number: v.receipt.map(|r| r.number),
                }),
                Err(e) => out.unmatched.push(UnmatchedLine {
                    line,
                    reason: format!("Hồ sơ {code}: {}", e.message_vi()),
                }),
            }
        }
        out.unmatched.sort_by_key(|u| u.line);
        Ok(out)
    }
}
