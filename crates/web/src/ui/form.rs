//! The forms the pages post, read and checked in one place: [`Posted`] lets the request
//! through its gate (who may post: a redirect to sign in, or the 403 page), checks the CSRF
//! token (the form's `csrf` field, or htmx's `x-csrf-token` header when the field is empty),
//! and reads the urlencoded body once into the handler's type. A handler that takes a
//! `Posted` cannot forget any of it. Handlers answer `Result<Response, UiError>` and use `?`
//! ([`OrPage::or_page`] turns an application error into its Vietnamese page).

use std::marker::PhantomData;

use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::kit::{Ctx, error_page};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// A page handler's failure: the page to answer with (an application error's page, the
/// sign-in redirect, the "form expired" page).
pub struct UiError(Response);

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        self.0
    }
}

impl From<Response> for UiError {
    fn from(r: Response) -> Self {
        UiError(r)
    }
}

/// What a page handler returns.
pub type UiResult = Result<Response, UiError>;

/// `?` on a service's answer: an error becomes its Vietnamese page (in the caller's language,
/// with the CSRF cookie when new).
pub trait OrPage<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, UiError>;
}

impl<T, E: Clone + Into<ApiError>> OrPage<T> for Result<T, E> {
    fn or_page(self, ctx: &Ctx) -> Result<T, UiError> {
        self.map_err(|e| UiError(ctx.error(&e)))
    }
}

/// Who may post a form: lets the request through or answers it.
pub trait Gate {
    /// What the gate knows of the caller once through.
    type Who: Send;
    fn admit(ctx: &Ctx) -> Result<Self::Who, Response>;
}

/// Anyone, signed in or not (sign-in, language, the public look-up).
pub struct Anyone;
/// Administrators.
pub struct Admin;
/// Receiving officers of the one-stop desk.
pub struct Counter;
/// Officers of the processing workspace (specialists, leaders, receiving officers).
pub struct Officer;
/// Citizens.
pub struct Citizen;
/// Anyone signed in (a redirect to sign in otherwise).
pub struct SignedIn;

impl Gate for Anyone {
    type Who = Option<Caller>;
    fn admit(ctx: &Ctx) -> Result<Self::Who, Response> {
        Ok(ctx.caller.clone())
    }
}

macro_rules! role_gate {
    ($gate:ty, $method:ident) => {
        impl Gate for $gate {
            type Who = Caller;
            fn admit(ctx: &Ctx) -> Result<Caller, Response> {
                ctx.$method().cloned()
            }
        }
    };
}
role_gate!(Admin, admin);
role_gate!(Counter, counter);
role_gate!(Officer, officer);
role_gate!(Citizen, citizen);
role_gate!(SignedIn, signed_in);

/// A form posted by a page: through gate `G`, its CSRF token checked, its body read as `T`:
/// `Posted(ctx, caller, form, _)`.
pub struct Posted<T, G: Gate = Anyone>(pub Ctx, pub G::Who, pub T, pub PhantomData<G>);

/// A page's request let through gate `G` (else the sign-in redirect or the 403 page):
/// `Gated(ctx, caller, _)`. Placed after a handler's other extractors, it admits the request
/// once they have read it.
pub struct Gated<G: Gate>(pub Ctx, pub G::Who, pub PhantomData<G>);

impl<G: Gate> FromRequestParts<AppState> for Gated<G> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let who = G::admit(&ctx)?;
        Ok(Gated(ctx, who, PhantomData))
    }
}

/// A posted request let through gate `G`: its page context, the caller as the gate knows
/// them, and the request again, its body unread.
async fn admitted<G: Gate>(
    req: Request,
    state: &AppState,
) -> Result<(Ctx, G::Who, Request), Response> {
    let (mut parts, body) = req.into_parts();
    let ctx = Ctx::from_request_parts(&mut parts, state).await?;
    let caller = G::admit(&ctx)?;
    Ok((ctx, caller, Request::from_parts(parts, body)))
}

/// The token field every form carries.
fn csrf_field(body: &[u8]) -> String {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

impl<T, G> FromRequest<AppState> for Posted<T, G>
where
    T: DeserializeOwned + Send,
    G: Gate,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (ctx, caller, req) = admitted::<G>(req, state).await?;
        let bytes = match Bytes::from_request(req, state).await {
            Ok(b) => b,
            Err(e) => return Err(ctx.finish(e.into_response())),
        };
        ctx.check_csrf(&csrf_field(&bytes))?;
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|_| {
            ctx.finish(error_page(
                StatusCode::BAD_REQUEST,
                ctx.t("Dữ liệu chưa hợp lệ"),
                ctx.t("Biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại."),
            ))
        })?;
        Ok(Posted(ctx, caller, form, PhantomData))
    }
}

/// The first value of the field `key` of a form read as pairs (one that repeats a field),
/// trimmed; empty when absent.
pub fn field(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == key)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// A multipart form posted by a page, through gate `G`: `Upload(ctx, caller, body, _)`. The
/// body is read once, within bounds the handler knows (they may depend on what the gate let
/// through), by [`UploadBody::read`], which checks the CSRF token before giving the form.
pub struct Upload<G: Gate = Anyone>(pub Ctx, pub G::Who, pub UploadBody, pub PhantomData<G>);

/// The unread body of an [`Upload`].
pub struct UploadBody(Result<Multipart, MultipartRejection>);

impl<G: Gate> FromRequest<AppState> for Upload<G> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (ctx, caller, req) = admitted::<G>(req, state).await?;
        let body = UploadBody(Multipart::from_request(req, state).await);
        Ok(Upload(ctx, caller, body, PhantomData))
    }
}

/// A body the handler required to be multipart (a 400 from axum otherwise, before any gate).
impl From<Multipart> for UploadBody {
    fn from(mp: Multipart) -> Self {
        UploadBody(Ok(mp))
    }
}

impl UploadBody {
    /// Reads the form ([`read_multipart`]: files are the fields `is_file` names, each up to
    /// `limit` bytes, the whole up to `total`) and checks its CSRF token. A body that cannot
    /// be read is refused as a whole, since the token is in it.
    pub async fn read(
        self,
        ctx: &Ctx,
        is_file: impl Fn(&str) -> bool,
        limit: usize,
        total: usize,
    ) -> Result<MultipartForm, UiError> {
        let form = match self.0 {
            Ok(mp) => read_multipart(mp, is_file, limit, total).await,
            Err(_) => Err(ApiError::bad_request(
                "invalid_form",
                "Biểu mẫu không hợp lệ.",
            )),
        };
        let form = form.or_page(ctx)?;
        ctx.check_csrf(form.text("csrf"))?;
        Ok(form)
    }
}

/// A multipart form read once, bounded: its text fields and its files, in order.
#[derive(Default)]
pub struct MultipartForm {
    pub texts: Vec<(String, String)>,
    /// Files by field name (an empty file field with no file chosen is left out).
    pub files: Vec<(String, Bytes)>,
    /// File fields over the per-file limit (their bytes dropped).
    pub too_large: Vec<String>,
    /// The file name the browser gave, by field name.
    pub file_names: std::collections::HashMap<String, String>,
}

impl MultipartForm {
    /// The first value of the text field `key` (empty when absent).
    pub fn text(&self, key: &str) -> &str {
        self.texts
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Reads a multipart body: each file (a field `is_file` names) up to `limit` bytes, the
/// whole body up to `total` (413 beyond); an interrupted body is a 400.
pub async fn read_multipart(
    mut mp: Multipart,
    is_file: impl Fn(&str) -> bool,
    limit: usize,
    total: usize,
) -> Result<MultipartForm, ApiError> {
    let interrupted = || {
        ApiError::bad_request(
            "upload_interrupted",
            "Biểu mẫu gửi lên bị gián đoạn. Vui lòng gửi lại.",
        )
    };
    let too_large = || ApiError::from(motcua_app::documents::too_large(total));
    let mut form = MultipartForm::default();
    let mut read = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(|_| interrupted())? {
        let name = field.name().unwrap_or_default().to_string();
        if !is_file(&name) {
            let text = field.text().await.map_err(|_| interrupted())?;
            read += text.len();
            if read > total {
                return Err(too_large());
            }
            form.texts.push((name, text));
            continue;
        }
        let (mut buf, mut over) = (Vec::new(), false);
        while let Some(chunk) = field.chunk().await.map_err(|_| interrupted())? {
            read += chunk.len();
            if read > total {
                return Err(too_large());
            }
            if buf.len() + chunk.len() > limit {
                over = true;
                buf.clear();
            } else if !over {
                buf.extend_from_slice(&chunk);
            }
        }
        if over {
            form.too_large.push(name);
        } else if !buf.is_empty() || field.file_name().is_some_and(|f| !f.is_empty()) {
            if let Some(f) = field.file_name() {
                form.file_names.insert(name.clone(), f.to_string());
            }
            form.files.push((name, Bytes::from(buf)));
        }
    }
    Ok(form)
}

/// Files kept from a form sent back (`kept_{i}` tokens), read again for the fields not given
/// a new file (`replaced`): the files read `(index, name, bytes)`, and the fields whose kept
/// file is gone (expired, another session's) with the message to show.
pub async fn take_kept(
    ctx: &Ctx,
    kept: impl IntoIterator<Item = (usize, String)>,
    replaced: impl Fn(usize) -> bool,
) -> (Vec<(usize, String, Bytes)>, Vec<(usize, String)>) {
    let (mut taken, mut lost) = (Vec::new(), Vec::new());
    let now = chrono::Utc::now();
    for (i, token) in kept {
        if replaced(i) || token.trim().is_empty() {
            continue;
        }
        match ctx
            .state
            .take_held(&ctx.csrf.token, token.trim(), now)
            .await
        {
            Ok((f, bytes)) => taken.push((i, f.name, bytes)),
            Err(e) => lost.push((i, e.message_vi())),
        }
    }
    (taken, lost)
}

/// Keeps files that passed their checks for the form going back, so the person does not
/// choose them again: the kept files by field, and whether some could not be kept.
pub async fn keep_files(
    ctx: &Ctx,
    files: Vec<(usize, String, Bytes)>,
) -> (
    std::collections::BTreeMap<usize, motcua_app::held::HeldFile>,
    bool,
) {
    let limit = ctx.state.config.max_upload_bytes;
    let now = chrono::Utc::now();
    let (mut kept, mut lost) = (std::collections::BTreeMap::new(), false);
    for (i, name, bytes) in files {
        let held = ctx
            .state
            .hold_file(&ctx.csrf.token, &name, bytes, limit, now)
            .await;
        match held {
            Ok(f) => {
                kept.insert(i, f);
            }
            Err(e) => {
                tracing::warn!(error = %e, "a file could not be kept for the corrected form");
                lost = true;
            }
        }
    }
    (kept, lost)
}
