//! Single sign-on by OpenID Connect (issue #20): motcua as a relying party of the providers
//! configured (the national identity for citizens, a province's sign-on for staff).
//!
//! The flow is the authorization code flow with PKCE (S256) and a nonce. Starting a sign-in
//! keeps its PKCE verifier and nonce in the database under the hash of the `state` sent along
//! (so any process may receive the callback), for ten minutes, and the callback takes it once.
//! The provider is found by discovery; the ID token's signature (keys from the provider's
//! JWKS), issuer, audience, expiry and nonce are checked by `openidconnect` before any claim
//! is read.
//!
//! - A citizen provider's ID token carries the personal identification number in a configured
//!   claim: the first sign-in creates an account bound to it, or links the local account that
//!   holds it already (never a second account); the name, birth date and address claims fill
//!   the profile, which fills the online forms.
//! - A staff provider's configured claim names an existing motcua account (its username): the
//!   provider proves who the person is, motcua's grants say what they may do. No account, no
//!   sign-in.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{Duration as ChronoDuration, Utc};
use motcua_domain::auth::Role;
use motcua_store::{Conflict, DbError, IdentityKey, NewUser, OidcFlow, Profile, SessionKind, User};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, LogoutRequest, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::{hash_secret, new_secret, open_session};
use crate::error::{AppError, InvalidKind};
use crate::state::App;

/// How long a sign-in may stay at the provider before its callback.
pub const FLOW_TTL_MINUTES: i64 = 10;
/// How long a provider's discovery document is trusted before it is fetched again.
const METADATA_TTL: Duration = Duration::from_secs(600);
/// The longest claim value read (an address; a name is cut to the names' limit).
const MAX_CLAIM_CHARS: usize = motcua_domain::input::MAX_ADDRESS_CHARS;

/// Who signs in through a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Citizens: the account is bound to the verified personal identification number.
    Citizen,
    /// Staff: matched to an existing motcua account.
    Staff,
}

/// One OpenID Connect provider, as configured (`[[oidc]]` in `motcua.toml`).
#[derive(Clone, Deserialize, Serialize)]
pub struct OidcProvider {
    /// The provider's key in motcua's addresses (`/dang-nhap/sso/{id}`): letters, digits, `-`.
    pub id: String,
    /// The name on the sign-in button ("VNeID", "SSO tỉnh Thanh Hóa").
    pub name: String,
    /// The issuer: discovery reads `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    #[serde(default)]
    pub client_secret: Option<String>,
    pub audience: Audience,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim with the personal identification number (citizen providers).
    #[serde(default = "default_id_number_claim")]
    pub id_number_claim: String,
    /// The claim whose value is the motcua username of a staff account (staff providers).
    #[serde(default = "default_staff_claim")]
    pub staff_claim: String,
    #[serde(default = "default_name_claim")]
    pub name_claim: String,
    #[serde(default = "default_birth_date_claim")]
    pub birth_date_claim: String,
    #[serde(default = "default_address_claim")]
    pub address_claim: String,
}

fn default_scopes() -> Vec<String> {
    vec!["profile".into()]
}
fn default_id_number_claim() -> String {
    "id_number".into()
}
fn default_staff_claim() -> String {
    "preferred_username".into()
}
fn default_name_claim() -> String {
    "name".into()
}
fn default_birth_date_claim() -> String {
    "birthdate".into()
}
fn default_address_claim() -> String {
    "address".into()
}

impl std::fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcProvider")
            .field("id", &self.id)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

impl OidcProvider {
    /// Checks a provider's settings (at start-up): its key and its issuer's address.
    pub fn check(&self) -> Result<(), String> {
        let ok_id = !self.id.is_empty()
            && self.id.len() <= 40
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !ok_id {
            return Err(format!(
                "oidc provider id {:?}: use 1 to 40 letters, digits or '-'",
                self.id
            ));
        }
        IssuerUrl::new(self.issuer.clone())
            .map_err(|e| format!("oidc provider {}: issuer: {e}", self.id))?;
        Ok(())
    }
}

/// The providers' discovery documents and the HTTP client that fetches them.
pub struct Sso {
    http: reqwest::Client,
    metadata: Mutex<HashMap<String, (Instant, ProviderMetadataWithLogout)>>,
}

impl Default for Sso {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            // Following redirects would open the token request to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("the HTTP client builds");
        Sso {
            http,
            metadata: Mutex::new(HashMap::new()),
        }
    }
}

/// A signed-in person: the session opened for them and where they go next.
pub struct SsoSignedIn {
    pub user: User,
    pub secret: String,
    pub expires_at: chrono::DateTime<Utc>,
    pub next: String,
}

/// A sign-in started: the address at the provider, and the `state` the browser must carry
/// back (the web layer binds it to the browser with a cookie).
pub struct SsoStart {
    pub url: String,
    pub state: String,
}

fn refused(code: &'static str, message: &str, detail: impl std::fmt::Display) -> AppError {
    let detail = detail.to_string();
    tracing::warn!(code, detail = %detail, "single sign-on refused");
    AppError::Invalid {
        kind: InvalidKind::Credentials,
        code,
        message: message.to_string(),
        field: None,
        detail: Some(detail),
    }
}

fn token_refused(detail: impl std::fmt::Display) -> AppError {
    refused(
        "sso_token_invalid",
        "Không xác minh được danh tính do nhà cung cấp đăng nhập gửi về (mã thông báo không hợp lệ, hết hạn hoặc không dành cho hệ thống này). Vui lòng đăng nhập lại.",
        detail,
    )
}

fn unavailable(provider: &OidcProvider, e: impl std::fmt::Display) -> AppError {
    tracing::warn!(provider = %provider.id, error = %e, "identity provider unreachable");
    AppError::Unavailable(format!(
        "Không kết nối được với {} để đăng nhập; vui lòng thử lại sau hoặc đăng nhập bằng tài khoản của hệ thống.",
        provider.name
    ))
}

impl App {
    /// The configured providers.
    pub fn sso_providers(&self) -> &[OidcProvider] {
        &self.config.oidc_providers
    }

    fn sso_provider(&self, id: &str) -> Result<&OidcProvider, AppError> {
        self.config
            .oidc_providers
            .iter()
            .find(|p| p.id == id)
            .ok_or(AppError::NotFound("nhà cung cấp đăng nhập"))
    }

    fn redirect_url(&self, provider: &OidcProvider) -> String {
        format!(
            "{}/dang-nhap/sso/{}/callback",
            self.config.public_url.trim_end_matches('/'),
            provider.id
        )
    }

    async fn provider_metadata(
        &self,
        provider: &OidcProvider,
    ) -> Result<ProviderMetadataWithLogout, AppError> {
        if let Some((at, m)) = self
            .sso
            .metadata
            .lock()
            .expect("sso metadata")
            .get(&provider.id)
            && at.elapsed() < METADATA_TTL
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(provider.issuer.clone())
            .map_err(|e| AppError::Internal(format!("issuer of {}: {e}", provider.id)))?;
        let m = ProviderMetadataWithLogout::discover_async(issuer, &self.sso.http)
            .await
            .map_err(|e| unavailable(provider, e))?;
        self.sso
            .metadata
            .lock()
            .expect("sso metadata")
            .insert(provider.id.clone(), (Instant::now(), m.clone()));
        Ok(m)
    }

    /// Starts a sign-in at `provider_id`: keeps the flow's secrets and answers the address to
    /// send the browser to. `next` is the local path to land on after.
    pub async fn sso_start(&self, provider_id: &str, next: &str) -> Result<SsoStart, AppError> {
        let provider = self.sso_provider(provider_id)?;
        let metadata = self.provider_metadata(provider).await?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            provider.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(
            RedirectUrl::new(self.redirect_url(provider))
                .map_err(|e| AppError::Internal(format!("redirect url: {e}")))?,
        );
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for s in &provider.scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let now = Utc::now();
        self.store
            .create_oidc_flow(&OidcFlow {
                state_hash: hash_secret(state.secret()),
                provider: provider.id.clone(),
                pkce_verifier: verifier.secret().clone(),
                nonce: nonce.secret().clone(),
                next_path: next.to_string(),
                created_at: now,
                expires_at: now + ChronoDuration::minutes(FLOW_TTL_MINUTES),
            })
            .await?;
        Ok(SsoStart {
            url: url.to_string(),
            state: state.secret().clone(),
        })
    }

    /// The provider's callback: takes the flow of `state` (once), exchanges the code, checks
    /// the ID token, finds or makes the account, and opens a browser session.
    pub async fn sso_callback(
        &self,
        provider_id: &str,
        code: &str,
        state: &str,
        iss: Option<&str>,
    ) -> Result<SsoSignedIn, AppError> {
        let provider = self.sso_provider(provider_id)?;
        let flow = self
            .store
            .take_oidc_flow(&hash_secret(state), Utc::now())
            .await?
            .filter(|f| f.provider == provider.id)
            .ok_or_else(|| {
                refused(
                    "sso_state_invalid",
                    "Lượt đăng nhập này đã hết hạn hoặc đã được dùng. Vui lòng đăng nhập lại.",
                    "unknown, used or expired state",
                )
            })?;
        // RFC 9207: where the provider names itself in the response, it must be this one.
        if let Some(iss) = iss
            && iss != provider.issuer
        {
            return Err(token_refused(format!("authorization response from {iss}")));
        }
        let claims = self.verified_claims(provider, code, &flow).await?;
        let user = match provider.audience {
            Audience::Citizen => self.citizen_account(provider, &claims).await?,
            Audience::Staff => self.staff_account(provider, &claims).await?,
        };
        let (secret, expires_at) = open_session(self, &user, SessionKind::Browser).await?;
        self.store
            .set_session_provider(&hash_secret(&secret), &provider.id)
            .await?;
        Ok(SsoSignedIn {
            user,
            secret,
            expires_at,
            next: flow.next_path,
        })
    }

    /// Exchanges the code (with the PKCE verifier) and answers the ID token's claims once its
    /// signature, issuer, audience, expiry and nonce are checked.
    async fn verified_claims(
        &self,
        provider: &OidcProvider,
        code: &str,
        flow: &OidcFlow,
    ) -> Result<Claims, AppError> {
        let metadata = self.provider_metadata(provider).await?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(provider.client_id.clone()),
            provider.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(
            RedirectUrl::new(self.redirect_url(provider))
                .map_err(|e| AppError::Internal(format!("redirect url: {e}")))?,
        );
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| unavailable(provider, e))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier.clone()))
            .request_async(&self.sso.http)
            .await
            .map_err(|e| token_refused(format!("token request: {e}")))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| token_refused("no ID token in the token response"))?;
        let verifier = client.id_token_verifier();
        let verified = id_token
            .claims(&verifier, &Nonce::new(flow.nonce.clone()))
            .map_err(|e| token_refused(format!("ID token: {e}")))?;
        let subject = verified.subject().as_str().to_string();
        // The token is verified: its payload, as signed, is read for the configured claims.
        let raw = id_token.to_string();
        let payload = raw
            .split('.')
            .nth(1)
            .and_then(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .and_then(|b| {
                serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&b).ok()
            })
            .ok_or_else(|| token_refused("ID token payload unreadable"))?;
        Ok(Claims {
            key: IdentityKey {
                provider: provider.id.clone(),
                subject,
            },
            all: payload,
        })
    }

    /// The citizen account of a verified identity: linked already, or the account bound to
    /// the same number (linked now), or a new one bound to it.
    async fn citizen_account(
        &self,
        provider: &OidcProvider,
        claims: &Claims,
    ) -> Result<User, AppError> {
        let raw = claims.text(&provider.id_number_claim).ok_or_else(|| {
            refused(
                "sso_no_id_number",
                "Nhà cung cấp đăng nhập không gửi số định danh cá nhân; không thể gắn tài khoản.",
                format!("claim {} missing", provider.id_number_claim),
            )
        })?;
        let id_number = motcua_domain::dossier::CitizenId::parse(&raw)
            .map_err(|e| refused("sso_bad_id_number", &e.message_vi(), &raw))?
            .as_str()
            .to_string();
        let profile = claims.profile(provider);
        let store = self.store.as_ref();
        let now = Utc::now();
        for _attempt in 0..2 {
            if let Some(user) = store.user_by_identity(&claims.key).await? {
                if user.id_number.as_deref() != Some(id_number.as_str()) {
                    return Err(refused(
                        "sso_id_number_mismatch",
                        "Số định danh do nhà cung cấp đăng nhập gửi khác số đã gắn với tài khoản này; vui lòng liên hệ bộ phận một cửa.",
                        format!("subject {} bound to another number", claims.key.subject),
                    ));
                }
                usable(&user)?;
                store.set_profile(user.id, &profile, now).await?;
                return Ok(user);
            }
            if let Some(user) = store.user_by_id_number(&id_number).await? {
                usable(&user)?;
                match store
                    .link_identity(user.id, &claims.key, Some(&profile), now)
                    .await
                {
                    Ok(()) => {
                        self.changed(crate::changes::Changed::Accounts).await;
                        return Ok(user);
                    }
                    // Another sign-in of the same person linked it meanwhile: look again.
                    Err(DbError::Conflict(_)) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            let name: String = claims
                .text(&provider.name_claim)
                .unwrap_or_else(|| id_number.clone())
                .chars()
                .take(motcua_domain::input::MAX_NAME_CHARS)
                .collect();
            let (_, unusable_password) = new_secret("sso:");
            let new = NewUser {
                id: Uuid::now_v7(),
                username: format!("cd{id_number}"),
                full_name: name,
                // Not a password hash: a password sign-in to this account never succeeds.
                password_hash: format!("!{unusable_password}"),
                grants: vec![motcua_domain::auth::Grant {
                    role: Role::Citizen,
                    agency: None,
                }],
                created_at: now,
                id_number: Some(id_number.clone()),
            };
            match store.create_linked_user(&new, &claims.key, &profile).await {
                Ok(user) => {
                    self.changed(crate::changes::Changed::Accounts).await;
                    return Ok(user);
                }
                Err(DbError::Conflict(Conflict::IdNumberTaken))
                | Err(DbError::Conflict(Conflict::UniqueViolation { .. })) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::conflict(
            "sso_account_busy",
            "Tài khoản đang được tạo bởi một lượt đăng nhập khác; vui lòng thử lại.",
        ))
    }

    /// The staff account a verified identity names: linked already, or the account whose
    /// username is the configured claim's value (linked now). Never created here.
    async fn staff_account(
        &self,
        provider: &OidcProvider,
        claims: &Claims,
    ) -> Result<User, AppError> {
        let store = self.store.as_ref();
        if let Some(user) = store.user_by_identity(&claims.key).await? {
            usable(&user)?;
            return Ok(user);
        }
        let no_account = |detail: String| {
            refused(
                "sso_no_staff_account",
                "Danh tính của bạn đã được xác minh nhưng chưa có tài khoản cán bộ tương ứng trong hệ thống một cửa. Vui lòng liên hệ quản trị viên để được cấp tài khoản và vai trò.",
                detail,
            )
        };
        let username = claims
            .text(&provider.staff_claim)
            .ok_or_else(|| no_account(format!("claim {} missing", provider.staff_claim)))?;
        let user = match store.user_by_username(&username).await {
            Ok((u, _)) => u,
            Err(DbError::NotFound) => return Err(no_account(format!("no account {username}"))),
            Err(e) => return Err(e.into()),
        };
        if user.grants.iter().all(|g| g.role == Role::Citizen) {
            return Err(no_account(format!("{username} is not a staff account")));
        }
        usable(&user)?;
        store
            .link_identity(user.id, &claims.key, None, Utc::now())
            .await?;
        Ok(user)
    }

    /// Where to send the browser to end the session at its provider too (RP-initiated
    /// logout), for a session opened through one; `None` otherwise.
    pub async fn sso_sign_out_url(&self, token_hash: &str) -> Result<Option<String>, AppError> {
        let Some(id) = self.store.session_provider(token_hash).await? else {
            return Ok(None);
        };
        let Ok(provider) = self.sso_provider(&id) else {
            return Ok(None);
        };
        let metadata = match self.provider_metadata(provider).await {
            Ok(m) => m,
            // The provider is away: the session here ends all the same.
            Err(_) => return Ok(None),
        };
        let Some(end) = metadata.additional_metadata().end_session_endpoint.clone() else {
            return Ok(None);
        };
        let back = PostLogoutRedirectUrl::new(format!(
            "{}/",
            self.config.public_url.trim_end_matches('/')
        ))
        .map_err(|e| AppError::Internal(format!("post logout url: {e}")))?;
        Ok(Some(
            LogoutRequest::from(end)
                .set_client_id(ClientId::new(provider.client_id.clone()))
                .set_post_logout_redirect_uri(back)
                .http_get_url()
                .to_string(),
        ))
    }

    /// An account's profile (birth date, address), as its provider last said.
    pub async fn profile_of(&self, user: Uuid) -> Result<Profile, AppError> {
        Ok(self.store.profile(user).await?)
    }
}

fn usable(user: &User) -> Result<(), AppError> {
    if user.disabled {
        return Err(refused(
            "account_disabled",
            "Tài khoản này đang bị khóa; vui lòng liên hệ quản trị viên.",
            format!("{} disabled", user.username),
        ));
    }
    Ok(())
}

/// A verified ID token's subject and claims.
struct Claims {
    key: IdentityKey,
    all: serde_json::Map<String, serde_json::Value>,
}

impl Claims {
    /// A claim as text (a string or a number), trimmed and bounded; `None` when absent or
    /// empty.
    fn text(&self, name: &str) -> Option<String> {
        let v = match self.all.get(name)? {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            // An OpenID Connect address claim: its formatted form, or its parts.
            serde_json::Value::Object(o) => match o.get("formatted").and_then(|f| f.as_str()) {
                Some(f) => f.to_string(),
                None => ["street_address", "locality", "region", "country"]
                    .iter()
                    .filter_map(|k| o.get(*k).and_then(|v| v.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            _ => return None,
        };
        let v: String = v
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_CLAIM_CHARS)
            .collect();
        (!v.is_empty()).then_some(v)
    }

    fn profile(&self, provider: &OidcProvider) -> Profile {
        Profile {
            birth_date: self
                .text(&provider.birth_date_claim)
                .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()),
            address: self.text(&provider.address_claim),
        }
    }
}

/// A person's own account as the profile page shows it (#20).
pub struct MyAccount {
    pub user: User,
    pub profile: Profile,
    /// Whether the account uses the staff's second factor (staff only).
    pub staff: bool,
    /// Who read the personal data of the person's dossiers, newest first (citizens bound to a
    /// number; at most [`MY_READS_SHOWN`]).
    pub reads: Vec<motcua_store::PersonalDataRead>,
    /// The account's live sessions (this one included).
    pub sessions: i64,
}

/// The reads a profile page lists at most.
pub const MY_READS_SHOWN: usize = 500;

impl App {
    /// The caller's own account, profile and the reads of their dossiers' personal data.
    pub async fn my_account(&self, caller: &crate::auth::Caller) -> Result<MyAccount, AppError> {
        let user = caller.user.clone();
        let profile = self.store.profile(user.id).await?;
        let staff = user.grants.iter().any(|g| g.role != Role::Citizen);
        let mut reads = match user.id_number.as_deref() {
            Some(id) => crate::access_log::reads_of(self, id).await?,
            None => Vec::new(),
        };
        reads.truncate(MY_READS_SHOWN);
        let sessions = self.store.live_sessions(user.id, Utc::now()).await?;
        Ok(MyAccount {
            user,
            profile,
            staff,
            reads,
            sessions,
        })
    }

    /// Ends every other session of the caller's account (browsers elsewhere, API tokens);
    /// answers how many.
    pub async fn sign_out_elsewhere(
        &self,
        caller: &crate::auth::Caller,
    ) -> Result<usize, AppError> {
        let ended = self
            .store
            .end_other_sessions(caller.user.id, &caller.token_hash)
            .await?;
        for h in &ended {
            self.changed(crate::changes::Changed::SignedOut(h.clone()))
                .await;
        }
        Ok(ended.len())
    }
}
