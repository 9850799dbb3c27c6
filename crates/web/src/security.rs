//! The perimeter rules every request and response passes: the security headers (a
//! Content-Security-Policy without inline script, no framing, a same-origin referrer, no MIME
//! sniffing, no powerful browser features), the bounds of search texts ([`bound_queries`]),
//! and [`local_path`], the only way a `next` address becomes a redirect.

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use motcua_domain::text::{query_within_bounds, shorten_query};

use crate::auth;
use crate::error::ApiError;

/// The query parameters whose words become search conditions, everywhere (API and UI).
pub const SEARCH_PARAMS: [&str; 2] = ["q", "procedure"];

/// Marks a UI request whose search text was shortened (the page says so).
#[derive(Debug, Clone, Copy)]
pub struct QueryShortened;

/// Bounds every search text (`motcua_domain::text::query_within_bounds`). The API answers
/// 400 `query_too_long`; a UI page searches for the shortened text and says so
/// ([`QueryShortened`]), instead of showing an error page.
pub async fn bound_queries(mut req: Request, next: Next) -> Response {
    let Some(query) = req.uri().query() else {
        return next.run(req).await;
    };
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(query) else {
        return next.run(req).await; // the handler's own extractor says what is wrong
    };
    let is_search = |k: &str| SEARCH_PARAMS.contains(&k);
    if pairs
        .iter()
        .all(|(k, v)| !is_search(k) || query_within_bounds(v))
    {
        return next.run(req).await;
    }
    if req.uri().path().starts_with("/api/") {
        return ApiError::query_too_long().into_response();
    }
    let shortened: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| {
            let v = if is_search(&k) { shorten_query(&v) } else { v };
            (k, v)
        })
        .collect();
    let encoded = serde_urlencoded::to_string(&shortened).unwrap_or_default();
    let uri = format!("{}?{encoded}", req.uri().path());
    match uri.parse() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => return ApiError::query_too_long().into_response(),
    }
    req.extensions_mut().insert(QueryShortened);
    next.run(req).await
}

/// The Content-Security-Policy of every response. Scripts come only from `/static` (no inline
/// `<script>`, no `on*=` handlers, no `javascript:` links); inline `style=` attributes stay
/// allowed, as they cannot run code.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Browser features motcua never uses, switched off.
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

/// Sets the security headers on every response that has not set its own (a download may
/// carry a stricter policy).
pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::HeaderName::from_static("permissions-policy"),
            PERMISSIONS_POLICY,
        ),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    res
}

/// The JSON API refuses a state-changing request that the browser's session cookie
/// authenticates unless it carries the session's CSRF token in `x-csrf-token` (another site
/// can make a browser send the cookie, never the header). Bearer tokens are not ambient and
/// pass.
pub async fn api_csrf(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let headers = req.headers();
    let cookie = auth::cookie_in(headers, auth::SESSION_COOKIE);
    if let Some(secret) = cookie.filter(|_| !safe && auth::bearer(headers).is_none()) {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        if !sent.is_some_and(|t| auth::same_secret(t, &auth::csrf_token(secret))) {
            return ApiError::Invalid {
                status: StatusCode::FORBIDDEN,
                code: "csrf_token_invalid",
                message: "Yêu cầu dùng phiên đăng nhập của trình duyệt phải kèm mã chống \
                    giả mạo (X-CSRF-Token) của phiên."
                    .into(),
            }
            .into_response();
        }
    }
    next.run(req).await
}

/// Escapes text for XML, SVG or HTML content and attributes; `apostrophe` is how `'` is
/// written (`&apos;` in XML, `&#39;` where HTML reads it too).
pub fn escape_markup(s: &str, apostrophe: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apostrophe),
            c => out.push(c),
        }
    }
    out
}

/// A return address inside this site, or `/`: it must start with a single `/` and hold only
/// visible ASCII with no backslash (so no `//host`, `/\host`, scheme, TAB, CR or LF, which
/// browsers would read as another site or which cannot go in a header).
pub fn local_path(next: &str) -> &str {
    let bytes = next.as_bytes();
    let ok = bytes.first() == Some(&b'/')
        && bytes.get(1) != Some(&b'/')
        && bytes.len() <= 2000
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
    if ok { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_same_site_paths_are_return_addresses() {
        for good in [
            "/",
            "/xu-ly?trang=2",
            "/tra-cuu/H01.01-261206-0001",
            "/a/%2F/b",
        ] {
            assert_eq!(local_path(good), good);
        }
        for bad in [
            "",
            "//evil.com",
            "/\\evil.com",
            "/\t/evil.com",
            "/%09/evil.com\t",
            "/\r\nSet-Cookie: x=1",
            "/ngon\nngu",
            "https://evil.com",
            "javascript:alert(1)",
            "evil.com",
            "/kết-hôn",
            "/ x",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }

    /// The CSP forbids inline script: no template may hold any.
    #[test]
    fn templates_hold_no_inline_script() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).expect("templates dir") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            &mut files,
        );
        assert!(files.len() > 10);
        for f in files {
            let text = std::fs::read_to_string(&f)
                .expect("template")
                .to_lowercase();
            for (i, _) in text.match_indices("<script") {
                let tag = &text[i..i + text[i..].find('>').expect("tag end")];
                assert!(tag.contains(" src="), "{}: inline script", f.display());
            }
            assert!(!text.contains("javascript:"), "{}", f.display());
            let handler = text.split(|c: char| c.is_whitespace()).any(|w| {
                w.starts_with("on")
                    && w.contains('=')
                    && w[2..w.find('=').unwrap_or(2)]
                        .chars()
                        .all(|c| c.is_ascii_lowercase())
                    && w.find('=').unwrap_or(0) > 2
            });
            assert!(!handler, "{}: an on*= handler", f.display());
        }
    }
}
