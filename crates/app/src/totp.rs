//! The staff's second factor (#20): time-based one-time passwords (TOTP, RFC 6238: HMAC-SHA1,
//! 6 digits, 30-second steps, one step of clock drift either way), computed by `totp-rs`.
//!
//! A staff member turns it on (a new secret, confirmed with a code), or an administrator
//! requires it. A password sign-in of such an account does not open a session at once: it
//! leaves a challenge (five minutes, five wrong codes at most) that a code completes; an account
//! required to use it but not set up is given its secret there first. Bearer tokens ask for the
//! code in the same request. Each code is accepted once: the last step accepted is kept.
//! Sign-ins through an identity provider leave the second factor to the provider.

use chrono::{Duration as ChronoDuration, Utc};
use motcua_domain::auth::Role;
use motcua_store::{LoginChallenge, SessionKind, TotpState, User};
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};
use uuid::Uuid;

use crate::auth::{hash_secret, new_secret, open_session, same_secret};
use crate::error::{AppError, InvalidKind};
use crate::state::App;

/// Seconds per time step.
pub const STEP_SECS: u64 = 30;
/// Minutes a password sign-in waits for its code.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Wrong codes a challenge takes before it is dropped.
pub const MAX_ATTEMPTS: i32 = 5;

/// What a password sign-in needs besides the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondStep {
    /// Nothing: the session opens.
    None,
    /// A code from the authenticator set up already.
    Code,
    /// Setting up the authenticator (required by an administrator), then its code.
    Setup,
}

/// A secret to put into an authenticator app: as text and as an `otpauth://` address.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    pub secret: String,
    pub uri: String,
}

/// A challenge as its page shows it.
pub struct Challenge {
    pub user: User,
    pub step: SecondStep,
    /// The secret to set up (for [`SecondStep::Setup`]).
    pub setup: Option<TotpSetup>,
}

/// A sign-in completed by its code.
pub struct Completed {
    pub user: User,
    pub secret: String,
    pub next: String,
}

fn is_staff(user: &User) -> bool {
    user.grants.iter().any(|g| g.role != Role::Citizen)
}

fn totp_of(secret_b32: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|e| AppError::Internal(format!("totp secret: {e:?}")))?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, bytes)
        .map_err(|e| AppError::Internal(format!("totp: {e}")))
}

/// The step whose code `code` is (the current one or one either side), if any.
fn matching_step(secret_b32: &str, code: &str, now: u64) -> Result<Option<i64>, AppError> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp_of(secret_b32)?;
    let current = now / STEP_SECS;
    for step in [current.saturating_sub(1), current, current + 1] {
        if same_secret(&totp.generate(step * STEP_SECS), code) {
            return Ok(Some(step as i64));
        }
    }
    Ok(None)
}

fn now_secs() -> u64 {
    Utc::now().timestamp().max(0) as u64
}

fn wrong_code() -> AppError {
    AppError::refused(
        InvalidKind::Credentials,
        "totp_invalid",
        "Mã xác thực không đúng hoặc đã được dùng. Hãy nhập mã đang hiển thị trong ứng dụng xác thực.",
    )
}

fn setup_of(user: &User, secret: &str) -> TotpSetup {
    TotpSetup {
        secret: secret.to_string(),
        uri: format!(
            "otpauth://totp/motcua:{}?secret={secret}&issuer=motcua&algorithm=SHA1&digits=6&period={STEP_SECS}",
            user.username
        ),
    }
}

fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => unreachable!("to_encoded answers the encoded form"),
    }
}

impl App {
    /// What a password sign-in of `user` needs besides the password.
    pub async fn second_step(&self, user: &User) -> Result<SecondStep, AppError> {
        if !is_staff(user) {
            return Ok(SecondStep::None);
        }
        let t = self.store.totp_state(user.id).await?;
        Ok(if t.enabled && t.secret.is_some() {
            SecondStep::Code
        } else if t.required {
            SecondStep::Setup
        } else {
            SecondStep::None
        })
    }

    /// Leaves a challenge for a password sign-in; answers the secret its cookie holds.
    pub async fn start_challenge(&self, user: &User, next: &str) -> Result<String, AppError> {
        let (secret, token_hash) = new_secret("");
        let now = Utc::now();
        self.store
            .create_login_challenge(
                &LoginChallenge {
                    token_hash,
                    user_id: user.id,
                    next_path: next.to_string(),
                    attempts: 0,
                    expires_at: now + ChronoDuration::minutes(CHALLENGE_MINUTES),
                },
                now,
            )
            .await?;
        Ok(secret)
    }

    async fn live_challenge(&self, secret: &str) -> Result<(LoginChallenge, User), AppError> {
        let expired = || {
            AppError::refused(
                InvalidKind::Credentials,
                "totp_challenge_expired",
                "Phiên đăng nhập đã hết hạn; vui lòng nhập lại tên đăng nhập và mật khẩu.",
            )
        };
        let c = self
            .store
            .login_challenge(&hash_secret(secret), Utc::now())
            .await?
            .ok_or_else(expired)?;
        let user = self.store.get_user(c.user_id).await?;
        if user.disabled {
            return Err(expired());
        }
        Ok((c, user))
    }

    /// The challenge of a cookie's secret, for its page (with a secret to set up when the
    /// account must set one up; the same one until it is confirmed).
    pub async fn challenge(&self, secret: &str) -> Result<Challenge, AppError> {
        let (_, user) = self.live_challenge(secret).await?;
        let step = self.second_step(&user).await?;
        let setup = if step == SecondStep::Setup {
            Some(self.pending_setup(&user).await?)
        } else {
            None
        };
        Ok(Challenge { user, step, setup })
    }

    /// The secret being set up (made now if there is none).
    async fn pending_setup(&self, user: &User) -> Result<TotpSetup, AppError> {
        let t = self.store.totp_state(user.id).await?;
        let secret = match t.secret {
            Some(s) => self.open_secret(user.id, &s)?,
            None => {
                let s = new_totp_secret();
                self.store_secret(user.id, &s).await?;
                s
            }
        };
        Ok(setup_of(user, &secret))
    }

    /// Completes a challenge with a code: the session opens (and a secret being set up is
    /// confirmed). Wrong codes count; the fifth drops the challenge.
    pub async fn complete_challenge(
        &self,
        secret: &str,
        code: &str,
    ) -> Result<Completed, AppError> {
        let (c, user) = self.live_challenge(secret).await?;
        if c.attempts >= MAX_ATTEMPTS {
            self.store.delete_login_challenge(&c.token_hash).await?;
            return Err(AppError::TooManyRequests {
                retry_after_secs: 1,
            });
        }
        if let Err(e) = self.check_code(&user, code).await {
            if self.store.fail_login_challenge(&c.token_hash).await? >= MAX_ATTEMPTS {
                self.store.delete_login_challenge(&c.token_hash).await?;
            }
            return Err(e);
        }
        self.store.delete_login_challenge(&c.token_hash).await?;
        let (session, _) = open_session(self, &user, SessionKind::Browser).await?;
        Ok(Completed {
            user,
            secret: session,
            next: c.next_path,
        })
    }

    /// Checks a code of `user`: against the confirmed secret (once per step), or, while one is
    /// being set up, confirms it.
    async fn check_code(&self, user: &User, code: &str) -> Result<(), AppError> {
        let t: TotpState = self.store.totp_state(user.id).await?;
        let Some(sealed) = t.secret.as_deref() else {
            return Err(wrong_code());
        };
        let secret = self.open_secret(user.id, sealed)?;
        let Some(step) = matching_step(&secret, code, now_secs())? else {
            return Err(wrong_code());
        };
        if t.enabled {
            if !self.store.accept_totp_step(user.id, step).await? {
                return Err(wrong_code());
            }
        } else {
            self.store.enable_totp(user.id, step, Utc::now()).await?;
        }
        Ok(())
    }

    /// A bearer token's second factor: the code in the request, when the account needs one.
    pub async fn check_token_second_factor(
        &self,
        user: &User,
        code: Option<&str>,
    ) -> Result<(), AppError> {
        match self.second_step(user).await? {
            SecondStep::None => Ok(()),
            SecondStep::Setup => Err(AppError::refused(
                InvalidKind::NotPermitted,
                "totp_setup_required",
                "Tài khoản phải bật xác thực hai lớp trước: hãy đăng nhập trên trang web để thiết lập.",
            )),
            SecondStep::Code => match code {
                None => Err(AppError::refused(
                    InvalidKind::Credentials,
                    "totp_required",
                    "Tài khoản dùng xác thực hai lớp: hãy gửi kèm mã xác thực (totp).",
                )),
                Some(code) => self.check_code(user, code).await,
            },
        }
    }

    /// The second factor of the caller's own account.
    pub async fn own_totp(&self, caller: &crate::auth::Caller) -> Result<TotpState, AppError> {
        if !is_staff(&caller.user) {
            return Err(staff_only());
        }
        Ok(self.store.totp_state(caller.user.id).await?)
    }

    /// Starts turning the second factor on: a new secret, to confirm with a code.
    pub async fn begin_totp(&self, caller: &crate::auth::Caller) -> Result<TotpSetup, AppError> {
        let t = self.own_totp(caller).await?;
        if t.enabled {
            return Err(AppError::conflict(
                "totp_already_on",
                "Xác thực hai lớp đã được bật cho tài khoản này.",
            ));
        }
        let s = new_totp_secret();
        self.store_secret(caller.user.id, &s).await?;
        Ok(setup_of(&caller.user, &s))
    }

    /// Confirms the secret being set up with its code.
    pub async fn confirm_totp(
        &self,
        caller: &crate::auth::Caller,
        code: &str,
    ) -> Result<(), AppError> {
        let t = self.own_totp(caller).await?;
        if t.enabled {
            return Ok(());
        }
        self.check_code(&caller.user, code).await
    }

    /// Turns the second factor off (with a current code), unless an administrator requires it.
    pub async fn turn_off_totp(
        &self,
        caller: &crate::auth::Caller,
        code: &str,
    ) -> Result<(), AppError> {
        let t = self.own_totp(caller).await?;
        if t.required {
            return Err(AppError::conflict(
                "totp_required_by_admin",
                "Quản trị viên yêu cầu tài khoản này dùng xác thực hai lớp; không thể tắt.",
            ));
        }
        if t.enabled {
            self.check_code(&caller.user, code).await?;
        }
        self.store.disable_totp(caller.user.id, Utc::now()).await?;
        Ok(())
    }

    /// Keeps the shared secret of account `user`, sealed with the server's key.
    async fn store_secret(&self, user: Uuid, secret: &str) -> Result<(), AppError> {
        let sealed = self.config.secrets_key.seal(user.as_bytes(), secret);
        self.store
            .set_totp_secret(user, &sealed, Utc::now())
            .await?;
        Ok(())
    }

    /// The shared secret of account `user` as stored (sealed, or from before sealing).
    fn open_secret(&self, user: Uuid, stored: &str) -> Result<String, AppError> {
        self.config.secrets_key.open(user.as_bytes(), stored)
    }

    /// Whether an administrator requires the second factor of account `user`.
    pub async fn totp_required(&self, user: Uuid) -> Result<bool, AppError> {
        Ok(self.store.totp_state(user).await?.required)
    }
}

fn staff_only() -> AppError {
    AppError::refused(
        InvalidKind::NotPermitted,
        "totp_staff_only",
        "Xác thực hai lớp bằng mã TOTP dành cho tài khoản cán bộ.",
    )
}

/// Sets whether the second factor is required of a staff account (an account change).
pub(crate) async fn set_required(
    store: &dyn motcua_store::Store,
    user: &User,
    required: bool,
) -> Result<(), AppError> {
    if !is_staff(user) {
        return Err(staff_only());
    }
    store
        .set_totp_required(user.id, required, Utc::now())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 (the secret "12345678901234567890"), the last six digits.
    #[test]
    fn codes_are_those_of_rfc_6238() {
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        for (t, code) in [
            (59u64, "287082"),
            (1111111109, "081804"),
            (1234567890, "005924"),
            (2000000000, "279037"),
        ] {
            assert_eq!(totp_of(&secret).unwrap().generate(t), code, "at {t}");
            assert_eq!(
                matching_step(&secret, code, t).unwrap(),
                Some((t / STEP_SECS) as i64)
            );
        }
        assert_eq!(matching_step(&secret, "287082", 59 + 90).unwrap(), None);
        assert_eq!(matching_step(&secret, "28708", 59).unwrap(), None);
    }
}
