//! Files kept across a corrected form. When a form with files goes back to the person for a
//! correction, each file that passed its checks is written to the document store (content
//! addressed, so nothing is stored twice) and the form carries a token for it, so the person
//! does not have to choose the file again.
//!
//! A token names the file's hash, type, size and name, expires after [`HOLD_FOR`] (the document
//! sweep leaves files younger than an hour, and writing refreshes a file's age), and is bound by
//! HMAC-SHA256 to the browser session's CSRF secret: it is useless in another session, and
//! cannot be made to point at another file.

use base64::Engine;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::AppError;
use crate::state::App;
use motcua_domain::dossier::MediaType;

/// How long a kept file can be sent again.
pub const HOLD_FOR: chrono::Duration = chrono::Duration::minutes(30);
/// The longest file name kept (longer names are cut).
const NAME_MAX: usize = 200;

/// A file kept for a corrected form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldFile {
    /// What the form sends back (`kept_…` fields).
    pub token: String,
    pub name: String,
    pub sha256: String,
    pub media_type: MediaType,
    pub size: usize,
}

impl HeldFile {
    /// "hồ sơ.pdf (12 KB)".
    pub fn label(&self) -> String {
        format!(
            "{} ({})",
            self.name,
            crate::documents::human_size(self.size)
        )
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
}

fn mac(binding: &str, payload: &str) -> String {
    let mut m =
        Hmac::<Sha256>::new_from_slice(binding.as_bytes()).expect("HMAC takes keys of any length");
    m.update(b"motcua held v1|");
    m.update(payload.as_bytes());
    b64().encode(m.finalize().into_bytes())
}

fn media_key(m: MediaType) -> &'static str {
    match m {
        MediaType::Pdf => "pdf",
        MediaType::Jpeg => "jpeg",
        MediaType::Png => "png",
    }
}

fn media_of(key: &str) -> Option<MediaType> {
    Some(match key {
        "pdf" => MediaType::Pdf,
        "jpeg" => MediaType::Jpeg,
        "png" => MediaType::Png,
        _ => return None,
    })
}

/// A file name as kept: its last path segment, without control characters, at most
/// [`NAME_MAX`] characters; "tệp" when nothing is left.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX)
        .collect();
    if clean.trim().is_empty() {
        "tệp".to_string()
    } else {
        clean.trim().to_string()
    }
}

fn expired() -> AppError {
    AppError::invalid(
        "held_file_expired",
        "Tệp đã chọn trước đó không còn được giữ. Vui lòng chọn lại tệp.",
    )
}

/// The token of a kept file: `sha256.type.size.expiry.name.mac`.
fn token_of(binding: &str, f: &HeldFile, until: DateTime<Utc>) -> String {
    let payload = format!(
        "{}.{}.{}.{}.{}",
        f.sha256,
        media_key(f.media_type),
        f.size,
        until.timestamp(),
        b64().encode(f.name.as_bytes())
    );
    let m = mac(binding, &payload);
    format!("{payload}.{m}")
}

/// Reads a token: `None` when it is malformed, forged, of another session or expired.
fn read_token(binding: &str, token: &str, now: DateTime<Utc>) -> Option<HeldFile> {
    if token.len() > 1024 {
        return None;
    }
    let (payload, m) = token.rsplit_once('.')?;
    if !crate::auth::same_secret(m, &mac(binding, payload)) {
        return None;
    }
    let mut parts = payload.split('.');
    let sha256 = parts.next()?.to_string();
    let media_type = media_of(parts.next()?)?;
    let size = parts.next()?.parse().ok()?;
    let until = parts.next()?.parse::<i64>().ok()?;
    let name = String::from_utf8(b64().decode(parts.next()?).ok()?).ok()?;
    if parts.next().is_some() || now.timestamp() > until {
        return None;
    }
    Some(HeldFile {
        token: token.to_string(),
        name,
        sha256,
        media_type,
        size,
    })
}

impl App {
    /// Keeps a file for the corrected form of the session bound by `binding`. The file is
    /// checked as an upload is (`limit` bytes at most); a refused file is not kept.
    pub async fn hold_file(
        &self,
        binding: &str,
        name: &str,
        bytes: Bytes,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<HeldFile, AppError> {
        let (media_type, sha256) = crate::documents::inspect(&bytes, limit).await?;
        let size = bytes.len();
        // `put`, not `put_if_absent`: writing again makes an old unreferenced copy young, so
        // the sweep leaves it for the token's life.
        self.blobs.put(&sha256, bytes).await?;
        let mut f = HeldFile {
            token: String::new(),
            name: clean_name(name),
            sha256,
            media_type,
            size,
        };
        f.token = token_of(binding, &f, now + HOLD_FOR);
        Ok(f)
    }

    /// What a kept file's token names, without reading the file: 422 `held_file_expired`
    /// when the token is not this session's or has expired.
    pub fn kept_file(
        &self,
        binding: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<HeldFile, AppError> {
        read_token(binding, token, now).ok_or_else(expired)
    }

    /// A kept file with its bytes: 422 `held_file_expired` when the token is not this
    /// session's, has expired, or the file is no longer stored.
    pub async fn take_held(
        &self,
        binding: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(HeldFile, Bytes), AppError> {
        let f = self.kept_file(binding, token, now)?;
        let bytes = self.blobs.get(&f.sha256).await?.ok_or_else(expired)?;
        if crate::blobs::sha256_hex(&bytes) != f.sha256 {
            return Err(expired());
        }
        Ok((f, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> HeldFile {
        HeldFile {
            token: String::new(),
            name: "đơn đề nghị.pdf".into(),
            sha256: "ab".repeat(32),
            media_type: MediaType::Pdf,
            size: 1234,
        }
    }

    #[test]
    fn a_token_reads_back_in_its_session_until_it_expires() {
        let now = Utc::now();
        let t = token_of("session-a", &sample(), now + HOLD_FOR);
        let back = read_token("session-a", &t, now).expect("reads back");
        assert_eq!(back.name, "đơn đề nghị.pdf");
        assert_eq!(back.size, 1234);
        assert_eq!(back.media_type, MediaType::Pdf);
        assert!(
            read_token("session-b", &t, now).is_none(),
            "another session"
        );
        assert!(
            read_token(
                "session-a",
                &t,
                now + HOLD_FOR + chrono::Duration::seconds(1)
            )
            .is_none(),
            "expired"
        );
    }

    #[test]
    fn a_changed_token_is_refused() {
        let now = Utc::now();
        let t = token_of("s", &sample(), now + HOLD_FOR);
        let other = t.replacen(&"ab".repeat(32), &"cd".repeat(32), 1);
        assert_ne!(t, other);
        assert!(read_token("s", &other, now).is_none());
        let longer = t.replacen(".1234.", ".99999.", 1);
        assert!(read_token("s", &longer, now).is_none());
        assert!(read_token("s", "garbage", now).is_none());
    }

    #[test]
    fn names_are_cut_to_their_last_segment_without_control_characters() {
        assert_eq!(clean_name("C:\\Users\\a\\scan 1.pdf"), "scan 1.pdf");
        assert_eq!(clean_name("../../etc/x\n.png"), "x.png");
        assert_eq!(clean_name(""), "tệp");
        assert_eq!(clean_name(&"a".repeat(500)).chars().count(), NAME_MAX);
    }
}
