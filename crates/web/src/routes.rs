//! Routes: a router built from a table of rows, and the routes a router registers, as
//! (method, path template) pairs: what the role × endpoint test walks, so that a route added
//! without an expected status per role fails it.
//!
//! axum has no public route listing; its `Debug` output names every route's path and the
//! methods it answers (the `Allow` header it builds). [`list`] reads that and panics when the
//! output no longer has the expected shape (an axum upgrade changed it), rather than listing
//! nothing.

use axum::Router;
use axum::routing::MethodRouter;

use crate::state::AppState;

/// The router of a table of `(path, methods)` rows, registered in order; rows with the same
/// path answer their methods together (`get(list)` and `post(create)` on one path).
pub fn table<const N: usize>(
    rows: [(&'static str, MethodRouter<AppState>); N],
) -> Router<AppState> {
    rows.into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(path, methods)
        })
}

/// One registered route: `GET`, `POST`... (or `ANY` for a service that takes every method)
/// and the path template (`/api/v1/dossiers/{code}`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteEntry {
    pub method: String,
    pub path: String,
}

/// Every (method, path) `router` answers, sorted; `HEAD` is left out where `GET` is there.
pub fn list<S>(router: &Router<S>) -> Vec<RouteEntry> {
    let text = format!("{router:?}");
    let start = text
        .find("path_router: PathRouter { routes: {")
        .expect("axum's Router Debug names its path router");
    let end = text[start..]
        .find("fallback_router:")
        .map(|e| start + e)
        .expect("axum's Router Debug names its fallback router");
    let part = &text[start..end];
    let node = part
        .find("node: Node { paths: {")
        .expect("axum's path node");
    let (routes, paths) = part.split_at(node);
    let mut out = Vec::new();
    for (id, rest) in ids(paths) {
        let path = rest
            .strip_prefix('"')
            .and_then(|r| r.split_once('"'))
            .map(|(p, _)| p.to_string())
            .expect("a quoted path");
        let endpoint = routes
            .find(&format!("RouteId({id}): "))
            .map(|i| &routes[i..])
            .expect("every path has an endpoint");
        let endpoint = &endpoint[endpoint.find(": ").expect("id: endpoint") + 2..];
        let methods: Vec<String> = if endpoint.starts_with("MethodRouter(") {
            let allow = endpoint
                .find("allow_header: Bytes(b\"")
                .map(|i| &endpoint[i + 22..])
                .expect("a method router lists the methods it allows");
            let allow = &allow[..allow.find('"').expect("closing quote")];
            let all: Vec<&str> = allow.split(',').collect();
            all.iter()
                .filter(|m| !(**m == "HEAD" && all.contains(&"GET")))
                .map(|m| m.to_string())
                .collect()
        } else {
            vec!["ANY".to_string()]
        };
        for method in methods {
            out.push(RouteEntry {
                method,
                path: path.clone(),
            });
        }
    }
    out.sort();
    out.dedup();
    assert!(!out.is_empty(), "no routes read from axum's Debug output");
    out
}

/// The `RouteId(n): <rest>` entries of a Debug map, with the text after each.
fn ids(text: &str) -> impl Iterator<Item = (u32, &str)> {
    text.match_indices("RouteId(").filter_map(move |(i, _)| {
        let rest = &text[i + 8..];
        let close = rest.find(')')?;
        let id = rest[..close].parse().ok()?;
        let after = rest[close + 1..].strip_prefix(": ")?;
        Some((id, after))
    })
}

#[cfg(test)]
mod tests {
    use axum::routing::{get, post};

    use super::*;

    #[test]
    fn routes_are_read_with_their_methods() {
        let api = Router::<()>::new()
            .route("/a/{id}", get(|| async {}).post(|| async {}))
            .route("/b", post(|| async {}));
        let r = Router::<()>::new()
            .route("/", get(|| async {}))
            .nest("/api", api)
            .layer(axum::middleware::from_fn(
                |req: axum::extract::Request, next: axum::middleware::Next| async move {
                    next.run(req).await
                },
            ))
            .fallback(|| async {});
        let list: Vec<(String, String)> =
            list(&r).into_iter().map(|e| (e.method, e.path)).collect();
        let want = [
            ("GET", "/"),
            ("GET", "/api/a/{id}"),
            ("POST", "/api/a/{id}"),
            ("POST", "/api/b"),
        ];
        assert_eq!(
            list,
            want.map(|(m, p)| (m.to_string(), p.to_string())).to_vec()
        );
    }
}
