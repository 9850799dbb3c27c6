//! The workspace of specialists and leaders: the work queues (`/xu-ly`), the officers' dossier
//! page with the actions the caller may take now (`/ho-so/{ma}`), and bulk assignment.
//!
//! Handlers stay thin: the queue runs the same store query as `GET /api/v1/dossiers` (with the
//! agencies the caller may oversee, checked with [`Principal::may`]); every action goes through
//! the API's own handler `POST /api/v1/dossiers/{code}/actions/{action}` (so the calendar
//! inputs, the acting role and the optimistic concurrency are exactly the API's); which actions
//! are offered is asked of the state machine ([`motcua_domain::dossier::decide`]) and of
//! [`Principal::may`], never decided per role here.
//!
//! [`Principal::may`]: motcua_domain::auth::Principal::may

mod dossier;
mod queue;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/xu-ly", get(queue::page))
        .route("/xu-ly/phan-cong", post(queue::bulk_assign))
        .route("/ho-so/{ma}", get(dossier::page))
        .route("/ho-so/{ma}/thao-tac/{action}", post(dossier::act))
}

/// Decodes an `application/x-www-form-urlencoded` body into its pairs, repeated keys kept
/// (the checkboxes of a bulk form).
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = |c: u8| (c as char).to_digit(16);
                    match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                        (Some(h), Some(l)) => {
                            out.push((h * 16 + l) as u8);
                            i += 2;
                        }
                        _ => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_pairs_keep_repeated_keys_and_decode() {
        let p = super::form_pairs(b"codes=a%2Eb&codes=c&q=Nguy%E1%BB%85n+V%C4%83n&x=%");
        assert_eq!(p[0], ("codes".into(), "a.b".into()));
        assert_eq!(p[1], ("codes".into(), "c".into()));
        assert_eq!(p[2], ("q".into(), "Nguyễn Văn".into()));
        assert_eq!(p[3], ("x".into(), "%".into()));
    }
}
