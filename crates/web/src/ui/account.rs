//! `/tai-khoan`: a person's own account (#20): who they are (the verified number, the profile
//! their identity provider filled), how they are reached and the channel notices go by, their
//! sessions and devices (sign out one, or every other), the second factor for staff, who read
//! the personal data of their dossiers (from the access log, Decree 13/2023/NĐ-CP), and for
//! citizens their data store (`/tai-khoan/kho-du-lieu`).

use askama::Template;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use motcua_app::profile::ContactInput;

use super::form::{OrPage, Posted, SignedIn, UiResult};
use super::kit::{Ctx, Page};

/// One read, as the page lists it.
struct ReadView {
    at: String,
    by: String,
    dossier: String,
    what: &'static str,
    reason: String,
}

#[derive(Template)]
#[template(path = "ui/account.html")]
struct AccountPage {
    p: Page,
    full_name: String,
    username: String,
    id_number: String,
    birth_date: String,
    address: String,
    staff: bool,
    reads: Vec<ReadView>,
    sessions: i64,
    contact: ContactInput,
    contact_error: Option<String>,
    devices: Vec<motcua_app::profile::DeviceView>,
    /// A partner's (a post office's) latest dossiers lodged for citizens; `None`: not a
    /// partner.
    lodged: Option<Vec<LodgedView>>,
}

/// A dossier a partner lodged, as its account page lists it.
struct LodgedView {
    code: String,
    applicant: String,
    submitted: String,
    status: &'static str,
}

/// How many of a partner's dossiers its account page lists.
const LODGED_SHOWN: i64 = 20;

pub(crate) async fn page(ctx: Ctx) -> UiResult {
    let caller = ctx.signed_in()?;
    let contact = ctx.state.my_contact(caller).await.or_page(&ctx)?;
    let contact = ContactInput::of(&contact);
    let page = account_page(&ctx, caller, contact, None).await;
    Ok(ctx.render(page.or_page(&ctx)?))
}

/// The page, with the contact form as given and its mistake, if any.
async fn account_page(
    ctx: &Ctx,
    caller: &motcua_app::auth::Caller,
    contact: ContactInput,
    contact_error: Option<String>,
) -> Result<AccountPage, motcua_app::AppError> {
    let me = ctx.state.my_account(caller).await?;
    let devices = ctx.state.my_devices(caller).await?;
    let reads = me
        .reads
        .iter()
        .map(|r| ReadView {
            at: motcua_domain::vn_time::local(r.at)
                .format("%d/%m/%Y %H:%M")
                .to_string(),
            by: r.username.clone(),
            dossier: r.dossier_code.clone(),
            what: motcua_app::access_log::Read::label_vi(&r.what),
            reason: r.reason.clone(),
        })
        .collect();
    let partner = caller
        .principal()
        .has_role(motcua_domain::auth::Role::Partner);
    let lodged = if partner {
        let page = ctx
            .state
            .dossiers_lodged_by_partner(caller, LODGED_SHOWN, 0)
            .await?;
        Some(
            page.items
                .into_iter()
                .map(|d| LodgedView {
                    code: d.code,
                    applicant: d.applicant_name,
                    submitted: motcua_domain::vn_time::local(d.submitted_at)
                        .format("%d/%m/%Y %H:%M")
                        .to_string(),
                    status: d.status.label_vi(),
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(AccountPage {
        lodged,
        p: ctx.page(),
        full_name: me.user.full_name,
        username: me.user.username,
        id_number: me.user.id_number.unwrap_or_default(),
        birth_date: me.profile.birth_date.unwrap_or_default(),
        address: me.profile.address.unwrap_or_default(),
        staff: me.staff,
        reads,
        sessions: me.sessions,
        contact,
        contact_error,
        devices,
    })
}

/// Saves the contact details: back to the page, or the form again (422) with its mistake.
pub(crate) async fn save_contact(
    Posted(ctx, caller, form, _): Posted<ContactForm, SignedIn>,
) -> UiResult {
    let input = ContactInput {
        phone: form.phone,
        email: form.email,
        address: form.address,
        notify_channel: form.notify_channel,
    };
    let error = match ctx.state.set_my_contact(&caller, &input).await {
        Ok(_) => return Ok(Redirect::to("/tai-khoan#account-contact").into_response()),
        Err(e @ motcua_app::AppError::Invalid { .. }) => e.message_vi(),
        Err(e) => return Err(ctx.error(&e).into()),
    };
    let page = account_page(&ctx, &caller, input, Some(error)).await;
    let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(ctx.render_status(status, page.or_page(&ctx)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ContactForm {
    phone: String,
    email: String,
    address: String,
    notify_channel: String,
}

/// Ends one other session of the account.
pub(crate) async fn end_session(
    axum::extract::Path(id): axum::extract::Path<String>,
    Posted(ctx, caller, _, _): Posted<NoFields, SignedIn>,
) -> UiResult {
    ctx.state.end_my_session(&caller, &id).await.or_page(&ctx)?;
    Ok(Redirect::to("/tai-khoan#account-sessions").into_response())
}

#[derive(Deserialize)]
pub(crate) struct NoFields {}

/// Signs the account out everywhere else (other browsers, API tokens).
pub(crate) async fn sign_out_elsewhere(
    Posted(ctx, caller, _, _): Posted<NoFields, SignedIn>,
) -> UiResult {
    ctx.state.sign_out_elsewhere(&caller).await.or_page(&ctx)?;
    Ok(Redirect::to("/tai-khoan").into_response())
}

#[derive(Template)]
#[template(path = "ui/data_store.html")]
struct DataStorePage {
    p: Page,
    /// The account is not tied to a person yet: nothing to show but how to get verified.
    unbound: bool,
    store: Option<motcua_app::data_store::DataStoreView>,
}

/// `/tai-khoan/kho-du-lieu`: the citizen's data store (Decree 45/2020/NĐ-CP) and every
/// re-use of it with its consent (Decree 13/2023/NĐ-CP).
pub(crate) async fn data_store(ctx: Ctx) -> UiResult {
    let caller = ctx.citizen()?;
    let (unbound, store) = match ctx.state.data_store(caller).await {
        Ok(v) => (false, Some(v)),
        Err(e) if e.code() == "account_not_bound" => (true, None),
        Err(e) => return Err(ctx.error(&e).into()),
    };
    Ok(ctx.render(DataStorePage {
        p: ctx.page(),
        unbound,
        store,
    }))
}
