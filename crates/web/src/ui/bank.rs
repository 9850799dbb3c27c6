//! Bank transfer pages (#23): an agency's bank account for VietQR transfers
//! (`/thanh-toan/co-quan/{agency}/tai-khoan`, its administrators and leaders) and the import
//! of the bank's statement (`/thanh-toan/co-quan/{agency}/sao-ke`, its receiving officers):
//! upload a CSV or XLSX, see which lines paid which dossier and why the others did not. The
//! same `motcua_app::payments::transfer` service as the API.

use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect};
use motcua_app::payments::transfer::{BankAccountInput, StatementReport};
use serde::Deserialize;

use crate::error::ApiError;
use crate::ui::form::{Anyone, Counter, OrPage, Posted, UiResult, Upload};
use crate::ui::kit::{Ctx, Page};

/// Largest statement accepted, in bytes.
const MAX_STATEMENT_BYTES: usize = 5 * 1024 * 1024;

#[derive(Template)]
#[template(path = "ui/payments/bank_account.html")]
struct AccountPage {
    p: Page,
    agency: String,
    a: BankAccountInput,
    /// Whether an account is set.
    set: bool,
    saved: bool,
}

pub(crate) async fn account(ctx: Ctx, Path(agency): Path<String>) -> UiResult {
    let caller = ctx.signed_in()?;
    let agency = agency.trim().to_owned();
    let a = ctx
        .state
        .bank_account(caller, &agency)
        .await
        .or_page(&ctx)?;
    Ok(ctx.render(AccountPage {
        p: ctx.page(),
        set: a.is_some(),
        a: a.unwrap_or(BankAccountInput {
            bank_bin: String::new(),
            account: String::new(),
            account_name: String::new(),
        }),
        agency,
        saved: false,
    }))
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub(crate) struct AccountForm {
    bank_bin: String,
    account: String,
    account_name: String,
}

pub(crate) async fn save_account(
    Path(agency): Path<String>,
    Posted(ctx, caller, f, _): Posted<AccountForm, Anyone>,
) -> UiResult {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/dang-nhap").into_response());
    };
    let agency = agency.trim().to_owned();
    let input = BankAccountInput {
        bank_bin: f.bank_bin,
        account: f.account,
        account_name: f.account_name,
    };
    let a = ctx
        .state
        .put_bank_account(&caller, &agency, input)
        .await
        .or_page(&ctx)?;
    Ok(ctx.render(AccountPage {
        p: ctx.page(),
        a,
        agency,
        set: true,
        saved: true,
    }))
}

#[derive(Template)]
#[template(path = "ui/payments/statement.html")]
struct StatementPage {
    p: Page,
    agency: String,
    report: Option<StatementReport>,
}

pub(crate) async fn statement_form(ctx: Ctx, Path(agency): Path<String>) -> UiResult {
    let caller = ctx.counter()?;
    ctx.state
        .statement_importer(caller, agency.trim())
        .await
        .or_page(&ctx)?;
    Ok(ctx.render(StatementPage {
        p: ctx.page(),
        agency: agency.trim().to_owned(),
        report: None,
    }))
}

/// The statement uploaded (field `file`), matched and recorded; the report shown.
pub(crate) async fn import(
    Path(agency): Path<String>,
    Upload(ctx, caller, body, _): Upload<Counter>,
) -> UiResult {
    // Who may import is known before the upload is read.
    ctx.state
        .statement_importer(&caller, agency.trim())
        .await
        .or_page(&ctx)?;
    let limit = MAX_STATEMENT_BYTES;
    let form = body
        .read(&ctx, |n| n == "file", limit, limit + 64 * 1024)
        .await?;
    let Some((_, bytes)) = form.files.into_iter().next() else {
        let e = ApiError::bad_request(
            "statement_required",
            "Chưa chọn tệp sao kê (CSV hoặc XLSX).",
        );
        return Err(ctx.error(&e).into());
    };
    // An XLSX is a ZIP archive.
    let xlsx = bytes.starts_with(b"PK");
    let agency = agency.trim().to_owned();
    let report = ctx
        .state
        .import_statement(&caller, &agency, &bytes, xlsx)
        .await
        .or_page(&ctx)?;
    Ok(ctx.render(StatementPage {
        p: ctx.page(),
        agency,
        report: Some(report),
    }))
}
