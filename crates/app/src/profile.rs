//! What a person keeps on their own page (#20): how they are reached (phone, e-mail, address,
//! each length-limited and checked), the channel notices go by, and their sessions with the
//! devices they were used from (sign out one, or every other).

use std::sync::LazyLock;
use std::time::Duration;

use chrono::Utc;
use motcua_store::Contact;
use serde::{Deserialize, Serialize};

use crate::auth::Caller;
use crate::calendar::format_vn_instant;
use crate::error::AppError;
use crate::state::App;

/// The longest contact address, e-mail address and user agent kept, in characters.
pub const MAX_ADDRESS_CHARS: usize = 300;
pub const MAX_EMAIL_CHARS: usize = 254;
const MAX_USER_AGENT_CHARS: usize = 300;
/// How often a session's device is written, at most, by one process.
const TOUCH_EVERY: Duration = Duration::from_secs(300);

/// Sessions whose device this process wrote lately.
static TOUCHED: LazyLock<moka::future::Cache<String, ()>> = LazyLock::new(|| {
    moka::future::Cache::builder()
        .max_capacity(100_000)
        .time_to_live(TOUCH_EVERY)
        .build()
});

/// Contact details as the person sends them (empty: not kept).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// A Vietnamese phone number (0… or +84…).
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: String,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub address: String,
    /// How notices of their dossiers reach them: `email`, `sms`, `none`, or empty for every
    /// address a dossier carries.
    #[serde(default)]
    pub notify_channel: String,
}

impl ContactInput {
    pub fn of(c: &Contact) -> Self {
        Self {
            phone: c.phone.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
            address: c.contact_address.clone().unwrap_or_default(),
            notify_channel: c.notify_channel.clone().unwrap_or_default(),
        }
    }
}

/// A live session of the person's account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeviceView {
    /// The session's id on this page (the first 16 hex digits of its token's hash).
    pub id: String,
    /// The session this request comes from.
    pub current: bool,
    /// `browser` or `api`.
    pub kind: String,
    /// The browser's (or client's) user agent, when seen.
    pub user_agent: Option<String>,
    /// Opened, and last seen (within five minutes), Vietnam time (YYYY-MM-DDTHH:MM).
    pub created_at: String,
    pub last_seen: Option<String>,
    pub expires_at: String,
}

fn blank(s: &str) -> Option<String> {
    let t = motcua_domain::input::nfc(s.trim());
    (!t.is_empty()).then_some(t)
}

fn plausible_email(s: &str) -> bool {
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// Contact details checked: the phone normalised, the e-mail plausible, the lengths within
/// their limits, the channel one of those known and with its address given.
pub fn checked_contact(input: &ContactInput) -> Result<Contact, AppError> {
    let phone = match blank(&input.phone) {
        None => None,
        Some(p) => Some(motcua_domain::dossier::normalize_phone(&p).ok_or_else(|| {
            AppError::field(
                "phone_invalid",
                "phone",
                "Số điện thoại không hợp lệ (10 chữ số, bắt đầu bằng 0 hoặc +84).",
            )
        })?),
    };
    let email = blank(&input.email);
    if let Some(e) = &email
        && (e.chars().count() > MAX_EMAIL_CHARS || !plausible_email(e))
    {
        return Err(AppError::field(
            "email_invalid",
            "email",
            format!(
                "Thư điện tử không hợp lệ (dạng ten@mien.vn, không quá {MAX_EMAIL_CHARS} ký tự)."
            ),
        ));
    }
    let address = blank(&input.address);
    if let Some(a) = &address {
        if a.chars().count() > MAX_ADDRESS_CHARS {
            return Err(AppError::field(
                "address_too_long",
                "address",
                format!("Địa chỉ không quá {MAX_ADDRESS_CHARS} ký tự."),
            ));
        }
        motcua_domain::input::check("address", a).map_err(|e| AppError::text(&e))?;
    }
    let channel = blank(&input.notify_channel);
    match channel.as_deref() {
        None | Some("none") => {}
        Some("email") if email.is_none() => {
            return Err(AppError::field(
                "notify_channel_unreachable",
                "notify_channel",
                "Chọn nhận thông báo qua thư điện tử thì cần ghi thư điện tử.",
            ));
        }
        Some("sms") if phone.is_none() => {
            return Err(AppError::field(
                "notify_channel_unreachable",
                "notify_channel",
                "Chọn nhận thông báo qua tin nhắn thì cần ghi số điện thoại.",
            ));
        }
        Some("email" | "sms") => {}
        Some(_) => {
            return Err(AppError::field(
                "notify_channel_invalid",
                "notify_channel",
                "Cách nhận thông báo là thư điện tử, tin nhắn SMS hoặc không nhận.",
            ));
        }
    }
    Ok(Contact {
        phone,
        email,
        contact_address: address,
        notify_channel: channel,
    })
}

fn device_view(d: &motcua_store::SessionDevice, current: &str) -> DeviceView {
    let fmt = format_vn_instant;
    DeviceView {
        id: d.token_hash.chars().take(16).collect(),
        current: d.token_hash == current,
        kind: d.kind.clone(),
        user_agent: d.user_agent.clone(),
        created_at: fmt(d.created_at),
        last_seen: d.last_seen_at.map(fmt),
        expires_at: fmt(d.expires_at),
    }
}

impl App {
    /// The signed-in person's contact details.
    pub async fn my_contact(&self, caller: &Caller) -> Result<Contact, AppError> {
        Ok(self.store.contact(caller.user.id).await?)
    }

    /// Replaces the signed-in person's contact details (422 with the field at fault).
    pub async fn set_my_contact(
        &self,
        caller: &Caller,
        input: &ContactInput,
    ) -> Result<Contact, AppError> {
        let c = checked_contact(input)?;
        self.store
            .set_contact(caller.user.id, &c, Utc::now())
            .await?;
        Ok(c)
    }

    /// The signed-in person's live sessions and their devices.
    pub async fn my_devices(&self, caller: &Caller) -> Result<Vec<DeviceView>, AppError> {
        let all = self
            .store
            .session_devices(caller.user.id, Utc::now())
            .await?;
        Ok(all
            .iter()
            .map(|d| device_view(d, &caller.token_hash))
            .collect())
    }

    /// Ends one of the signed-in person's sessions by its id on their page (404 when they
    /// have none such; the current one is ended by signing out).
    pub async fn end_my_session(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        let id = id.trim();
        let found = self
            .store
            .session_devices(caller.user.id, Utc::now())
            .await?
            .into_iter()
            .find(|d| id.len() == 16 && d.token_hash.starts_with(id))
            .ok_or(AppError::NotFound("phiên đăng nhập"))?;
        if self
            .store
            .end_session_of(caller.user.id, &found.token_hash)
            .await?
        {
            self.changed(crate::changes::Changed::SignedOut(found.token_hash))
                .await;
        }
        Ok(())
    }

    /// Remembers the device a session is used from: written at most every five minutes per
    /// session and process; a failure is logged, never the request's.
    pub async fn touch_session(&self, token_hash: &str, user_agent: &str) {
        if TOUCHED.get(token_hash).await.is_some() {
            return;
        }
        TOUCHED.insert(token_hash.to_string(), ()).await;
        let ua: String = user_agent
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_USER_AGENT_CHARS)
            .collect();
        if let Err(e) = self.store.touch_session(token_hash, &ua, Utc::now()).await {
            tracing::warn!(error = %e, "cannot record a session's device");
        }
    }

    /// The channel the owner of a dossier chose for notices (`None`: every address).
    pub async fn notify_preference(&self, dossier: uuid::Uuid) -> Result<Option<String>, AppError> {
        notify_preference(self.store.as_ref(), dossier).await
    }
}

/// The channel the account that lodged a dossier chose for notices (`None`: no account, or
/// every address).
pub async fn notify_preference(
    store: &dyn motcua_store::Store,
    dossier: uuid::Uuid,
) -> Result<Option<String>, AppError> {
    let row = store.dossier_head(dossier).await?;
    let Some(owner) = crate::dossiers::owner_of(&row)? else {
        return Ok(None);
    };
    Ok(store.contact(owner).await?.notify_channel)
}
