//! HTTP Message Signatures (RFC 9421) for the requests motcua deployments send each other
//! (transfers between deployments, see [`crate::transfer`]), with the body bound by its
//! `Content-Digest` (RFC 9530, `sha-256`).
//!
//! A request is signed over `@method`, `@target-uri`, `content-digest`, `content-type`, `date`
//! and `motcua-message-id`, with the parameters `created`, `expires`, `keyid` and `alg`,
//! by Ed25519 (a key pair: the receiver holds the public key) or HMAC-SHA256 (a shared key).
//! The receiver ([`verify`]) rebuilds the signature base from what it received, and refuses,
//! each with its own [`SigError`] code, a missing or malformed signature, one that does not
//! cover what must be covered, an unknown key, an expired or future signature, a body that
//! does not match its digest, and a signature that does not verify. The structured fields
//! (RFC 8941) are parsed by a small parser of the subset these headers use.
//! Pure: no I/O; the clock is an argument.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The signature's label in `Signature-Input` and `Signature`.
pub const LABEL: &str = "motcua";
/// The components every transfer request's signature covers, in order.
pub const COVERED: [&str; 6] = [
    "@method",
    "@target-uri",
    "content-digest",
    "content-type",
    "date",
    "motcua-message-id",
];
/// Components a signature must cover to be accepted (`date` or `created` binds the time).
pub const REQUIRED: [&str; 3] = ["@method", "@target-uri", "content-digest"];
/// How long a signature is valid after it is made, in seconds (`expires`).
pub const VALIDITY_SECS: i64 = 300;
/// Clock difference tolerated between deployments, in seconds.
pub const SKEW_SECS: i64 = 60;

/// A signature algorithm of RFC 9421 §3.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Ed25519,
    HmacSha256,
}

impl Alg {
    /// The `alg` parameter's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::Ed25519 => "ed25519",
            Alg::HmacSha256 => "hmac-sha256",
        }
    }

    pub fn parse(s: &str) -> Option<Alg> {
        match s {
            "ed25519" => Some(Alg::Ed25519),
            "hmac-sha256" => Some(Alg::HmacSha256),
            _ => None,
        }
    }
}

/// A key that signs: an Ed25519 private key or an HMAC shared key.
#[derive(Clone)]
pub enum SignKey {
    Ed25519(Box<SigningKey>),
    Hmac(Vec<u8>),
}

/// A key that verifies: an Ed25519 public key or an HMAC shared key.
#[derive(Clone)]
pub enum VerifyKey {
    Ed25519(VerifyingKey),
    Hmac(Vec<u8>),
}

impl std::fmt::Debug for SignKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignKey::Ed25519(_) => "SignKey::Ed25519(..)",
            SignKey::Hmac(_) => "SignKey::Hmac(..)",
        })
    }
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VerifyKey::Ed25519(_) => "VerifyKey::Ed25519(..)",
            VerifyKey::Hmac(_) => "VerifyKey::Hmac(..)",
        })
    }
}

/// Shortest HMAC shared key, in bytes.
pub const MIN_HMAC_KEY: usize = 32;

impl SignKey {
    /// From configuration: Ed25519 as the base64 of the 32-byte private seed; HMAC as the
    /// shared key's text (at least 32 bytes).
    pub fn parse(alg: Alg, text: &str) -> Result<SignKey, String> {
        match alg {
            Alg::Ed25519 => Ok(SignKey::Ed25519(Box::new(SigningKey::from_bytes(&key32(
                text,
            )?)))),
            Alg::HmacSha256 => hmac_key(text).map(SignKey::Hmac),
        }
    }

    pub fn alg(&self) -> Alg {
        match self {
            SignKey::Ed25519(_) => Alg::Ed25519,
            SignKey::Hmac(_) => Alg::HmacSha256,
        }
    }

    /// The key a receiver verifies with (the public key; the same shared key).
    pub fn verify_key(&self) -> VerifyKey {
        match self {
            SignKey::Ed25519(k) => VerifyKey::Ed25519(k.verifying_key()),
            SignKey::Hmac(k) => VerifyKey::Hmac(k.clone()),
        }
    }

    fn sign(&self, base: &[u8]) -> Vec<u8> {
        match self {
            SignKey::Ed25519(k) => k.sign(base).to_bytes().to_vec(),
            SignKey::Hmac(k) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(k).expect("HMAC takes any key");
                mac.update(base);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }
}

impl VerifyKey {
    /// From configuration: Ed25519 as the base64 of the 32-byte public key; HMAC as the
    /// shared key's text.
    pub fn parse(alg: Alg, text: &str) -> Result<VerifyKey, String> {
        match alg {
            Alg::Ed25519 => VerifyingKey::from_bytes(&key32(text)?)
                .map(VerifyKey::Ed25519)
                .map_err(|_| "not an Ed25519 public key".to_string()),
            Alg::HmacSha256 => hmac_key(text).map(VerifyKey::Hmac),
        }
    }

    pub fn alg(&self) -> Alg {
        match self {
            VerifyKey::Ed25519(_) => Alg::Ed25519,
            VerifyKey::Hmac(_) => Alg::HmacSha256,
        }
    }

    /// The base64 of an Ed25519 public key (what a peer configures); `None` for HMAC.
    pub fn public_base64(&self) -> Option<String> {
        match self {
            VerifyKey::Ed25519(k) => Some(B64.encode(k.as_bytes())),
            VerifyKey::Hmac(_) => None,
        }
    }

    fn verify(&self, base: &[u8], signature: &[u8]) -> bool {
        match self {
            VerifyKey::Ed25519(k) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|s| k.verify_strict(base, &s).is_ok()),
            VerifyKey::Hmac(k) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(k).expect("HMAC takes any key");
                mac.update(base);
                mac.verify_slice(signature).is_ok()
            }
        }
    }
}

fn key32(text: &str) -> Result<[u8; 32], String> {
    let bytes = B64
        .decode(text.trim())
        .map_err(|_| "the key is not base64".to_string())?;
    bytes
        .try_into()
        .map_err(|_| "an Ed25519 key is 32 bytes (base64)".to_string())
}

fn hmac_key(text: &str) -> Result<Vec<u8>, String> {
    if text.len() < MIN_HMAC_KEY {
        return Err(format!(
            "an HMAC shared key has at least {MIN_HMAC_KEY} bytes"
        ));
    }
    Ok(text.as_bytes().to_vec())
}

/// A new Ed25519 key pair: (private seed, public key), both base64.
pub fn new_ed25519_key() -> (String, String) {
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut seed);
    let k = SigningKey::from_bytes(&seed);
    (B64.encode(seed), B64.encode(k.verifying_key().as_bytes()))
}

/// The `Content-Digest` of a body (RFC 9530): `sha-256=:<base64>:`.
pub fn content_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", B64.encode(Sha256::digest(body)))
}

/// A request as the signature sees it: method, absolute target URI, and header fields (name
/// in any case; a repeated field's values are joined with `, ` per RFC 9421 §2.1).
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: &'a str,
    pub target_uri: &'a str,
    pub headers: &'a [(String, String)],
}

impl Request<'_> {
    fn field(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    fn component(&self, id: &str) -> Result<String, SigError> {
        match id {
            "@method" => Ok(self.method.to_ascii_uppercase()),
            "@target-uri" => Ok(self.target_uri.to_string()),
            "@authority" => authority(self.target_uri)
                .map(|a| a.to_ascii_lowercase())
                .ok_or(SigError::Malformed("@target-uri has no authority")),
            "@path" => Ok(path(self.target_uri)),
            id if id.starts_with('@') => Err(SigError::Malformed("unsupported derived component")),
            name => self
                .field(name)
                .ok_or(SigError::Malformed("a covered field is absent")),
        }
    }
}

fn after_scheme(uri: &str) -> &str {
    uri.split_once("://").map(|(_, r)| r).unwrap_or(uri)
}

fn authority(uri: &str) -> Option<&str> {
    let rest = after_scheme(uri);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

fn path(uri: &str) -> String {
    let rest = after_scheme(uri);
    let start = rest.find('/').unwrap_or(rest.len());
    let p = &rest[start..];
    let p = p.split(['?', '#']).next().unwrap_or("");
    if p.is_empty() { "/".into() } else { p.into() }
}

/// Signature parameters (RFC 9421 §2.3) in the order they are serialised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub components: Vec<String>,
    /// Each parameter with its value, serialised (`1618884473`, `"test-key"`).
    pub params: Vec<(String, Bare)>,
}

/// A bare item of a structured field (the kinds these headers use).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bare {
    Integer(i64),
    String(String),
    Token(String),
    Bytes(Vec<u8>),
    Boolean(bool),
}

impl Bare {
    fn serialise(&self) -> String {
        match self {
            Bare::Integer(i) => i.to_string(),
            Bare::String(s) => {
                format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
            }
            Bare::Token(t) => t.clone(),
            Bare::Bytes(b) => format!(":{}:", B64.encode(b)),
            Bare::Boolean(true) => "?1".into(),
            Bare::Boolean(false) => "?0".into(),
        }
    }
}

impl Params {
    /// The serialised inner list: the `@signature-params` value and the `Signature-Input`
    /// member.
    pub fn serialise(&self) -> String {
        let items: Vec<String> = self
            .components
            .iter()
            .map(|c| Bare::String(c.clone()).serialise())
            .collect();
        let mut out = format!("({})", items.join(" "));
        for (k, v) in &self.params {
            match v {
                Bare::Boolean(true) => out.push_str(&format!(";{k}")),
                v => out.push_str(&format!(";{k}={}", v.serialise())),
            }
        }
        out
    }

    fn integer(&self, name: &str) -> Option<i64> {
        self.params.iter().find_map(|(k, v)| match v {
            Bare::Integer(i) if k == name => Some(*i),
            _ => None,
        })
    }

    fn string(&self, name: &str) -> Option<&str> {
        self.params.iter().find_map(|(k, v)| match v {
            Bare::String(s) if k == name => Some(s.as_str()),
            _ => None,
        })
    }
}

/// The signature base (RFC 9421 §2.5) of `req` for `params`.
pub fn signature_base(req: &Request<'_>, params: &Params) -> Result<String, SigError> {
    let mut base = String::new();
    for c in &params.components {
        if base.contains(&format!("\"{c}\": ")) {
            return Err(SigError::Malformed("a component is covered twice"));
        }
        let value = req.component(c)?;
        if value.contains('\n') {
            return Err(SigError::Malformed("a component holds a line break"));
        }
        base.push_str(&format!("\"{c}\": {value}\n"));
    }
    base.push_str(&format!("\"@signature-params\": {}", params.serialise()));
    Ok(base)
}

/// The two header fields of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub signature_input: String,
    pub signature: String,
}

/// Signs `req` over `components` at `created` (valid [`VALIDITY_SECS`]).
pub fn sign_with(
    req: &Request<'_>,
    components: &[&str],
    key_id: &str,
    key: &SignKey,
    created: DateTime<Utc>,
) -> Result<Signed, SigError> {
    let created = created.timestamp();
    let params = Params {
        components: components.iter().map(|c| c.to_string()).collect(),
        params: vec![
            ("created".into(), Bare::Integer(created)),
            ("expires".into(), Bare::Integer(created + VALIDITY_SECS)),
            ("keyid".into(), Bare::String(key_id.into())),
            ("alg".into(), Bare::String(key.alg().as_str().into())),
        ],
    };
    let base = signature_base(req, &params)?;
    let sig = key.sign(base.as_bytes());
    Ok(Signed {
        signature_input: format!("{LABEL}={}", params.serialise()),
        signature: format!("{LABEL}=:{}:", B64.encode(sig)),
    })
}

/// Signs a transfer request over [`COVERED`].
pub fn sign(
    req: &Request<'_>,
    key_id: &str,
    key: &SignKey,
    created: DateTime<Utc>,
) -> Result<Signed, SigError> {
    sign_with(req, &COVERED, key_id, key, created)
}

/// Why a request's signature is refused; [`SigError::code`] is the API's error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error("the request carries no Signature-Input and Signature")]
    Missing,
    #[error("malformed signature: {0}")]
    Malformed(&'static str),
    #[error("the signature does not cover {0}")]
    Incomplete(String),
    #[error("unknown key id {0:?}")]
    UnknownKey(String),
    #[error("the signature's algorithm is not the key's")]
    WrongAlgorithm,
    #[error("the signature has expired or is not yet valid")]
    Expired,
    #[error("the body does not match its Content-Digest")]
    DigestMismatch,
    #[error("the signature does not verify")]
    Invalid,
}

impl SigError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            SigError::Missing => "signature_missing",
            SigError::Malformed(_) => "signature_malformed",
            SigError::Incomplete(_) => "signature_incomplete",
            SigError::UnknownKey(_) => "signature_unknown_key",
            SigError::WrongAlgorithm => "signature_wrong_algorithm",
            SigError::Expired => "signature_expired",
            SigError::DigestMismatch => "content_digest_mismatch",
            SigError::Invalid => "signature_invalid",
        }
    }
}

/// A signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub key_id: String,
    pub created: i64,
    pub components: Vec<String>,
}

/// Verifies `req` with `body`: one signature among those present must be made by a key
/// `keys` knows, cover [`REQUIRED`] and `date` or `created`, be within its validity at `now`,
/// and match; the body must match the covered `Content-Digest`.
pub fn verify(
    req: &Request<'_>,
    body: &[u8],
    keys: impl Fn(&str) -> Option<VerifyKey>,
    now: DateTime<Utc>,
) -> Result<Verified, SigError> {
    let input = req.field("signature-input").ok_or(SigError::Missing)?;
    let sigs = req.field("signature").ok_or(SigError::Missing)?;
    let inputs = parse_dictionary(&input)?;
    let sigs = parse_dictionary(&sigs)?;
    let mut last = SigError::Missing;
    for (label, member) in &inputs {
        let Member::Inner(params) = member else {
            return Err(SigError::Malformed(
                "a Signature-Input member is not a list",
            ));
        };
        let Some(Member::Item(Bare::Bytes(sig), _)) =
            sigs.iter().find(|(l, _)| l == label).map(|(_, m)| m)
        else {
            last = SigError::Malformed("no Signature for a Signature-Input label");
            continue;
        };
        match check(req, body, params, sig, &keys, now) {
            Ok(v) => return Ok(v),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn check(
    req: &Request<'_>,
    body: &[u8],
    params: &Params,
    sig: &[u8],
    keys: &impl Fn(&str) -> Option<VerifyKey>,
    now: DateTime<Utc>,
) -> Result<Verified, SigError> {
    for want in REQUIRED {
        if !params.components.iter().any(|c| c == want) {
            return Err(SigError::Incomplete(want.into()));
        }
    }
    let key_id = params
        .string("keyid")
        .ok_or(SigError::Malformed("no keyid"))?;
    let key = keys(key_id).ok_or_else(|| SigError::UnknownKey(key_id.into()))?;
    if let Some(alg) = params.string("alg")
        && Alg::parse(alg) != Some(key.alg())
    {
        return Err(SigError::WrongAlgorithm);
    }
    let created = params
        .integer("created")
        .ok_or(SigError::Incomplete("created".into()))?;
    let now = now.timestamp();
    let expires = params
        .integer("expires")
        .unwrap_or(created + VALIDITY_SECS)
        .min(created + VALIDITY_SECS);
    if created > now + SKEW_SECS || now > expires + SKEW_SECS {
        return Err(SigError::Expired);
    }
    let base = signature_base(req, params)?;
    if !key.verify(base.as_bytes(), sig) {
        return Err(SigError::Invalid);
    }
    let digest = req
        .field("content-digest")
        .ok_or(SigError::Malformed("no Content-Digest"))?;
    let members = parse_dictionary(&digest)?;
    let sha = members
        .iter()
        .find_map(|(k, m)| match m {
            Member::Item(Bare::Bytes(b), _) if k == "sha-256" => Some(b.clone()),
            _ => None,
        })
        .ok_or(SigError::Malformed("Content-Digest has no sha-256"))?;
    if sha != Sha256::digest(body).as_slice() {
        return Err(SigError::DigestMismatch);
    }
    Ok(Verified {
        key_id: key_id.into(),
        created,
        components: params.components.clone(),
    })
}

/// A member of a structured-field dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    Item(Bare, Vec<(String, Bare)>),
    Inner(Params),
}

/// Parses a dictionary (RFC 8941 §4.2.2) of the kinds these headers use.
pub fn parse_dictionary(text: &str) -> Result<Vec<(String, Member)>, SigError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let mut out: Vec<(String, Member)> = Vec::new();
    p.ows();
    while p.i < p.s.len() {
        let key = p.key()?;
        let member = if p.eat(b'=') {
            if p.peek() == Some(b'(') {
                Member::Inner(p.inner()?)
            } else {
                let item = p.bare()?;
                Member::Item(item, p.params()?)
            }
        } else {
            Member::Item(Bare::Boolean(true), p.params()?)
        };
        out.retain(|(k, _)| *k != key);
        out.push((key, member));
        p.ows();
        if p.i >= p.s.len() {
            break;
        }
        if !p.eat(b',') {
            return Err(SigError::Malformed("expected a comma between members"));
        }
        p.ows();
        if p.i >= p.s.len() {
            return Err(SigError::Malformed("a trailing comma"));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn key(&mut self) -> Result<String, SigError> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => self.i += 1,
            _ => return Err(SigError::Malformed("a key must start with a-z or *")),
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-.*".contains(&c))
        {
            self.i += 1;
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn params(&mut self) -> Result<Vec<(String, Bare)>, SigError> {
        let mut out: Vec<(String, Bare)> = Vec::new();
        while self.eat(b';') {
            self.sp();
            let key = self.key()?;
            let value = if self.eat(b'=') {
                self.bare()?
            } else {
                Bare::Boolean(true)
            };
            out.retain(|(k, _)| *k != key);
            out.push((key, value));
        }
        Ok(out)
    }

    fn inner(&mut self) -> Result<Params, SigError> {
        self.i += 1; // (
        let mut components = Vec::new();
        loop {
            self.sp();
            if self.eat(b')') {
                break;
            }
            match self.bare()? {
                Bare::String(s) => components.push(s),
                _ => return Err(SigError::Malformed("a component id must be a string")),
            }
            if !self.params()?.is_empty() {
                return Err(SigError::Malformed(
                    "component parameters are not supported",
                ));
            }
            if !matches!(self.peek(), Some(b' ' | b')')) {
                return Err(SigError::Malformed("an inner list is not closed"));
            }
        }
        Ok(Params {
            components,
            params: self.params()?,
        })
    }

    fn bare(&mut self) -> Result<Bare, SigError> {
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                let mut s = String::new();
                loop {
                    match self.peek() {
                        Some(b'\\') => {
                            self.i += 1;
                            match self.peek() {
                                Some(c @ (b'"' | b'\\')) => s.push(c as char),
                                _ => return Err(SigError::Malformed("a bad escape in a string")),
                            }
                        }
                        Some(b'"') => {
                            self.i += 1;
                            return Ok(Bare::String(s));
                        }
                        Some(c) if (0x20..0x7f).contains(&c) => s.push(c as char),
                        _ => return Err(SigError::Malformed("an unterminated string")),
                    }
                    self.i += 1;
                }
            }
            Some(b':') => {
                self.i += 1;
                let start = self.i;
                while matches!(self.peek(), Some(c) if c != b':') {
                    self.i += 1;
                }
                let text = &self.s[start..self.i];
                if !self.eat(b':') {
                    return Err(SigError::Malformed("an unterminated byte sequence"));
                }
                B64.decode(text)
                    .map(Bare::Bytes)
                    .map_err(|_| SigError::Malformed("a byte sequence is not base64"))
            }
            Some(b'?') => {
                self.i += 1;
                let v = match self.peek() {
                    Some(b'1') => true,
                    Some(b'0') => false,
                    _ => return Err(SigError::Malformed("a bad boolean")),
                };
                self.i += 1;
                Ok(Bare::Boolean(v))
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
                    self.i += 1;
                }
                if self.i - start > 16 {
                    return Err(SigError::Malformed("an integer too long"));
                }
                std::str::from_utf8(&self.s[start..self.i])
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .map(Bare::Integer)
                    .ok_or(SigError::Malformed("a bad integer"))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => {
                let start = self.i;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c))
                {
                    self.i += 1;
                }
                Ok(Bare::Token(
                    String::from_utf8_lossy(&self.s[start..self.i]).into_owned(),
                ))
            }
            _ => Err(SigError::Malformed("an unexpected character")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// RFC 9421 Appendix B.2.6: the test request signed with test-key-ed25519. Ed25519 is
    /// deterministic, so the signature is the RFC's, byte for byte.
    #[test]
    fn rfc_9421_b_2_6_ed25519() {
        let pkcs8 = B64
            .decode("MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF")
            .unwrap();
        let seed = B64.encode(&pkcs8[pkcs8.len() - 32..]);
        let key = SignKey::parse(Alg::Ed25519, &seed).unwrap();
        let spki = B64
            .decode("MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=")
            .unwrap();
        assert_eq!(
            key.verify_key().public_base64().unwrap(),
            B64.encode(&spki[spki.len() - 32..])
        );
        let h = headers(&[
            ("Host", "example.com"),
            ("Date", "Tue, 20 Apr 2021 02:07:55 GMT"),
            ("Content-Type", "application/json"),
            ("Content-Length", "18"),
        ]);
        let req = Request {
            method: "POST",
            target_uri: "https://example.com/foo?param=Value&Pet=dog",
            headers: &h,
        };
        let params = Params {
            components: [
                "date",
                "@method",
                "@path",
                "@authority",
                "content-type",
                "content-length",
            ]
            .map(String::from)
            .to_vec(),
            params: vec![
                ("created".into(), Bare::Integer(1618884473)),
                ("keyid".into(), Bare::String("test-key-ed25519".into())),
            ],
        };
        let base = signature_base(&req, &params).unwrap();
        assert_eq!(
            base,
            "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n\
             \"@authority\": example.com\n\"content-type\": application/json\n\
             \"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" \
             \"@authority\" \"content-type\" \"content-length\");created=1618884473\
             ;keyid=\"test-key-ed25519\""
        );
        assert_eq!(
            B64.encode(key.sign(base.as_bytes())),
            "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="
        );
    }

    fn transfer(body: &[u8], digest: &str) -> Vec<(String, String)> {
        headers(&[
            ("content-type", "application/json"),
            ("content-digest", digest),
            ("date", "Mon, 07 Dec 2026 07:20:57 GMT"),
            ("motcua-message-id", "0193a-1"),
        ])
        .into_iter()
        .chain(std::iter::once((
            "content-length".into(),
            body.len().to_string(),
        )))
        .collect()
    }

    fn signed(key: &SignKey, body: &[u8], at: DateTime<Utc>) -> Vec<(String, String)> {
        let mut h = transfer(body, &content_digest(body));
        let req = Request {
            method: "POST",
            target_uri: "https://bo.gov.vn/api/v1/transfers",
            headers: &h,
        };
        let s = sign(&req, "tinh-38", key, at).unwrap();
        h.push(("signature-input".into(), s.signature_input));
        h.push(("signature".into(), s.signature));
        h
    }

    #[test]
    fn a_signed_request_verifies_and_each_fault_has_its_code() {
        let now = Utc::now();
        let body = br#"{"code":"000.00.01.H38-261207-0001"}"#;
        for key in [
            SignKey::parse(Alg::Ed25519, &new_ed25519_key().0).unwrap(),
            SignKey::parse(Alg::HmacSha256, "a shared key of at least 32 bytes!!").unwrap(),
        ] {
            let vk = key.verify_key();
            let keys = |id: &str| (id == "tinh-38").then(|| vk.clone());
            let h = signed(&key, body, now);
            fn req(h: &[(String, String)]) -> Request<'_> {
                Request {
                    method: "POST",
                    target_uri: "https://bo.gov.vn/api/v1/transfers",
                    headers: h,
                }
            }
            let ok = verify(&req(&h), body, keys, now).unwrap();
            assert_eq!(ok.key_id, "tinh-38");
            assert_eq!(ok.components, COVERED.map(String::from).to_vec());
            // Another body under the same digest header: the signature still holds, the
            // digest does not.
            assert_eq!(
                verify(&req(&h), b"{}", keys, now),
                Err(SigError::DigestMismatch)
            );
            // Another target: the signature does not verify.
            let other = Request {
                method: "POST",
                target_uri: "https://bo.gov.vn/api/v1/transfers?x=1",
                headers: &h,
            };
            assert_eq!(verify(&other, body, keys, now), Err(SigError::Invalid));
            // Expired, and from the future.
            let late = now + chrono::Duration::seconds(VALIDITY_SECS + SKEW_SECS + 1);
            assert_eq!(verify(&req(&h), body, keys, late), Err(SigError::Expired));
            let early = now - chrono::Duration::seconds(SKEW_SECS + 1);
            assert_eq!(verify(&req(&h), body, keys, early), Err(SigError::Expired));
            // Unknown key.
            assert_eq!(
                verify(&req(&h), body, |_| None, now),
                Err(SigError::UnknownKey("tinh-38".into()))
            );
            // A changed covered header.
            let mut changed = h.clone();
            changed[3].1 = "0193a-2".into();
            assert_eq!(
                verify(&req(&changed), body, keys, now),
                Err(SigError::Invalid)
            );
            // No signature at all.
            assert_eq!(
                verify(&req(&h[..5]), body, keys, now),
                Err(SigError::Missing)
            );
        }
    }

    #[test]
    fn a_signature_must_cover_the_digest() {
        let now = Utc::now();
        let key = SignKey::parse(Alg::HmacSha256, "a shared key of at least 32 bytes!!").unwrap();
        let body = b"{}";
        let mut h = transfer(body, &content_digest(body));
        let req = Request {
            method: "POST",
            target_uri: "https://bo.gov.vn/api/v1/transfers",
            headers: &h,
        };
        let s = sign_with(&req, &["@method", "@target-uri"], "k", &key, now).unwrap();
        h.push(("signature-input".into(), s.signature_input));
        h.push(("signature".into(), s.signature));
        let vk = key.verify_key();
        let req = Request {
            method: "POST",
            target_uri: "https://bo.gov.vn/api/v1/transfers",
            headers: &h,
        };
        assert_eq!(
            verify(&req, body, |_| Some(vk.clone()), now),
            Err(SigError::Incomplete("content-digest".into()))
        );
    }

    #[test]
    fn dictionaries_parse_and_serialise_back() {
        let text = r#"sig1=("@method" "@target-uri" "content-digest");created=1618884473;keyid="a \"b\"";alg="ed25519", x=:AAE=:;q=?0, flag"#;
        let d = parse_dictionary(text).unwrap();
        assert_eq!(d.len(), 3);
        let Member::Inner(p) = &d[0].1 else {
            panic!("inner list")
        };
        assert_eq!(
            p.serialise(),
            r#"("@method" "@target-uri" "content-digest");created=1618884473;keyid="a \"b\"";alg="ed25519""#
        );
        assert_eq!(
            d[1].1,
            Member::Item(
                Bare::Bytes(vec![0, 1]),
                vec![("q".into(), Bare::Boolean(false))]
            )
        );
        assert!(parse_dictionary("a=(\"x\"").is_err());
        assert!(parse_dictionary("a=1,").is_err());
        assert!(parse_dictionary("A=1").is_err());
    }
}
