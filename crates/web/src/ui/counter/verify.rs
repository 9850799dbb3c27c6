//! `/mot-cua/xac-thuc-tai-khoan`: the receiving officer who saw a person's card verifies their
//! local citizen account (#20): the account is bound to the card's number, recorded with the
//! officer, the instant and the document (`App::verify_account`, as the API).

use askama::Template;
use axum::response::Response;
use serde::Deserialize;

use crate::ui::form::{Counter, Posted};
use crate::ui::kit::{Ctx, Page};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyForm {
    username: String,
    id_number: String,
    document: String,
}

#[derive(Template)]
#[template(path = "ui/counter/verify.html")]
struct VerifyPage {
    p: Page,
    v: VerifyForm,
    error: Option<String>,
    done: Option<motcua_app::data_store::VerificationView>,
}

pub async fn page(ctx: Ctx) -> Response {
    if let Err(r) = ctx.counter() {
        return r;
    }
    ctx.render(VerifyPage {
        p: ctx.page(),
        v: VerifyForm::default(),
        error: None,
        done: None,
    })
}

pub async fn submit(Posted(ctx, caller, v, _): Posted<VerifyForm, Counter>) -> Response {
    let input = motcua_app::data_store::VerifyInput {
        id_number: v.id_number.clone(),
        document: v.document.clone(),
    };
    let (error, done) = match ctx.state.verify_account(&caller, &v.username, &input).await {
        Ok(done) => (None, Some(done)),
        Err(motcua_app::AppError::NotFound(_)) => (
            Some("Không có tài khoản với tên đăng nhập này.".to_string()),
            None,
        ),
        Err(motcua_app::AppError::Forbidden) => return ctx.error(&motcua_app::AppError::Forbidden),
        Err(e @ (motcua_app::AppError::Invalid { .. } | motcua_app::AppError::Conflict { .. })) => {
            (Some(e.message_vi()), None)
        }
        Err(e) => return ctx.error(&e),
    };
    let v = if done.is_some() {
        VerifyForm::default()
    } else {
        v
    };
    ctx.render(VerifyPage {
        p: ctx.page(),
        v,
        error,
        done,
    })
}
