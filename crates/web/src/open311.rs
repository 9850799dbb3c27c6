//! Open311 GeoReport v2 at `/open311/v2/` (`services`, `services/{code}`, `requests` GET and
//! POST, `requests/{id}`, `tokens/{token}`) and FixMyStreet's `servicerequestupdates`, each
//! in JSON (`.json`) or XML (`.xml`), with the spec's field names and its errors
//! (`[{"code": 404, "description": "…"}]`, `<errors><error>…</error></errors>`). Handlers
//! parse, call `motcua_app::feedback::open311`, and render.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use motcua_app::feedback::open311::{Open311Error, PostForm, RequestFilter};
use serde::{Deserialize, Serialize};

use crate::routes;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    routes::table([
        ("/open311/v2/{file}", get(top)),
        ("/open311/v2/{file}", post(post_requests)),
        ("/open311/v2/services/{file}", get(service)),
        ("/open311/v2/requests/{file}", get(request)),
        ("/open311/v2/tokens/{file}", get(token)),
    ])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `name.json` / `name.xml` → (name, format).
fn split(file: &str) -> Result<(&str, Format), Response> {
    match file.rsplit_once('.') {
        Some((name, "json")) => Ok((name, Format::Json)),
        Some((name, "xml")) => Ok((name, Format::Xml)),
        _ => Err(error(
            Format::Json,
            Open311Error {
                code: 404,
                description: "unknown resource: use .json or .xml".into(),
            },
        )),
    }
}

fn escape(s: &str) -> String {
    crate::security::escape_markup(s, "&apos;")
}

/// The element of one item of an array field.
fn item_name(field: &str) -> &str {
    match field {
        "attributes" => "attribute",
        "values" => "value",
        _ => "item",
    }
}

/// A JSON value that keeps the order of object fields (the spec's XML lists fields in the
/// order of its tables, as our types declare them).
enum Ordered {
    Null,
    Text(String),
    List(Vec<Ordered>),
    Fields(Vec<(String, Ordered)>),
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_none<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Ordered, E> {
                Ok(Ordered::Text(b.to_string()))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Ordered, E> {
                Ok(Ordered::Text(n.to_string()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Ordered, E> {
                Ok(Ordered::Text(n.to_string()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Ordered, E> {
                Ok(Ordered::Text(n.to_string()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Ordered, E> {
                Ok(Ordered::Text(s.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = a.next_element()? {
                    out.push(x);
                }
                Ok(Ordered::List(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry()? {
                    out.push((k, v));
                }
                Ok(Ordered::Fields(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A value as the children of an XML element.
fn xml_body(v: &Ordered, out: &mut String) {
    match v {
        Ordered::Null => {}
        Ordered::Text(s) => out.push_str(&escape(s)),
        Ordered::List(items) => {
            for i in items {
                xml_body(i, out);
            }
        }
        Ordered::Fields(fields) => {
            for (k, v) in fields {
                match v {
                    Ordered::List(items) => {
                        out.push_str(&format!("<{k}>"));
                        let name = item_name(k);
                        for i in items {
                            out.push_str(&format!("<{name}>"));
                            xml_body(i, out);
                            out.push_str(&format!("</{name}>"));
                        }
                        out.push_str(&format!("</{k}>"));
                    }
                    Ordered::Null => out.push_str(&format!("<{k}/>")),
                    v => {
                        out.push_str(&format!("<{k}>"));
                        xml_body(v, out);
                        out.push_str(&format!("</{k}>"));
                    }
                }
            }
        }
    }
}

/// `items` as the spec's document: a JSON array, or `<root><item>…</item>…</root>`; a single
/// object (`item` empty) as `<root>…</root>`.
fn render<T: Serialize>(
    format: Format,
    status: StatusCode,
    root: &str,
    item: &str,
    data: &T,
) -> Response {
    let json = serde_json::to_string(data).unwrap_or_else(|_| "null".into());
    let (content_type, body) = match format {
        Format::Json => ("application/json; charset=utf-8", json),
        Format::Xml => {
            let value: Ordered = serde_json::from_str(&json).unwrap_or(Ordered::Null);
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            out.push_str(&format!("<{root}>"));
            match &value {
                Ordered::List(items) => {
                    for i in items {
                        out.push_str(&format!("<{item}>"));
                        xml_body(i, &mut out);
                        out.push_str(&format!("</{item}>"));
                    }
                }
                v => xml_body(v, &mut out),
            }
            out.push_str(&format!("</{root}>"));
            ("text/xml; charset=utf-8", out)
        }
    };
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

#[derive(Serialize)]
struct ErrorItem {
    code: u16,
    description: String,
}

fn error(format: Format, e: Open311Error) -> Response {
    let status = StatusCode::from_u16(e.code).unwrap_or(StatusCode::BAD_REQUEST);
    render(
        format,
        status,
        "errors",
        "error",
        &[ErrorItem {
            code: e.code,
            description: e.description,
        }],
    )
}

fn answer<T: Serialize>(
    format: Format,
    root: &str,
    item: &str,
    r: Result<T, Open311Error>,
) -> Response {
    match r {
        Ok(data) => render(format, StatusCode::OK, root, item, &data),
        Err(e) => error(format, e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    jurisdiction_id: Option<String>,
    service_request_id: Option<String>,
    service_code: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<String>,
}

/// What a GET asks for: the document named by the path's last segment (`name.json` or
/// `name.xml`; another ending is the 404 error) and the query's parameters (none when they
/// are malformed).
pub struct Asked {
    name: String,
    format: Format,
    params: Option<Params>,
}

impl Asked {
    /// The `jurisdiction_id` asked for, if any (none with a malformed query).
    fn jurisdiction(&self) -> Option<String> {
        self.params.as_ref().and_then(|p| p.jurisdiction_id.clone())
    }
}

impl FromRequestParts<AppState> for Asked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(file) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let (name, format) = split(&file)?;
        let params: Result<Query<Params>, QueryRejection> =
            Query::from_request_parts(parts, state).await;
        Ok(Asked {
            name: name.to_string(),
            format,
            params: params.ok().map(|Query(p)| p),
        })
    }
}

/// `services.{fmt}`, `requests.{fmt}` (GET) and `servicerequestupdates.{fmt}`.
pub async fn top(State(state): State<AppState>, asked: Asked) -> Response {
    let (name, format) = (asked.name.as_str(), asked.format);
    let Some(p) = asked.params else {
        return error(
            format,
            Open311Error {
                code: 400,
                description: "malformed query".into(),
            },
        );
    };
    match name {
        "services" => answer(
            format,
            "services",
            "service",
            state.open311_services(&p.jurisdiction_id),
        ),
        "requests" => {
            let f = RequestFilter {
                service_request_id: p.service_request_id,
                service_code: p.service_code,
                start_date: p.start_date,
                end_date: p.end_date,
                status: p.status,
                jurisdiction_id: p.jurisdiction_id,
            };
            answer(
                format,
                "service_requests",
                "request",
                state.open311_requests(&f).await,
            )
        }
        "servicerequestupdates" => answer(
            format,
            "service_request_updates",
            "request_update",
            state
                .open311_updates(&p.start_date, &p.end_date, &p.jurisdiction_id)
                .await,
        ),
        _ => error(
            format,
            Open311Error {
                code: 404,
                description: format!("unknown resource {name}"),
            },
        ),
    }
}

/// `services/{service_code}.{fmt}`: the service definition.
pub async fn service(State(state): State<AppState>, asked: Asked) -> Response {
    let found = state.open311_service(&asked.name, &asked.jurisdiction());
    answer(asked.format, "service_definition", "", found)
}

/// `requests/{service_request_id}.{fmt}`: one request, as a list of one.
pub async fn request(State(state): State<AppState>, asked: Asked) -> Response {
    let found = state
        .open311_request(&asked.name, &asked.jurisdiction())
        .await;
    answer(
        asked.format,
        "service_requests",
        "request",
        found.map(|r| vec![r]),
    )
}

/// `tokens/{token}.{fmt}`: the request a token stands for, as a list of one.
pub async fn token(State(state): State<AppState>, asked: Asked) -> Response {
    let found = state
        .open311_token(&asked.name, &asked.jurisdiction())
        .await;
    answer(
        asked.format,
        "service_requests",
        "request",
        found.map(|t| vec![t]),
    )
}

/// `POST requests.{fmt}` (application/x-www-form-urlencoded, the spec's fields; attributes
/// as `attribute[code]`).
pub async fn post_requests(
    State(state): State<AppState>,
    Path(file): Path<String>,
    body: Bytes,
) -> Response {
    let (name, format) = match split(&file) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if name != "requests" {
        return error(
            format,
            Open311Error {
                code: 404,
                description: format!("unknown resource {name}"),
            },
        );
    }
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(p) => p,
        Err(_) => {
            return error(
                format,
                Open311Error {
                    code: 400,
                    description: "the body must be application/x-www-form-urlencoded".into(),
                },
            );
        }
    };
    let mut f = PostForm::default();
    for (k, v) in pairs {
        let slot = match k.as_str() {
            "api_key" => &mut f.api_key,
            "jurisdiction_id" => &mut f.jurisdiction_id,
            "service_code" => &mut f.service_code,
            "lat" => &mut f.lat,
            "long" => &mut f.long,
            "address_string" => &mut f.address_string,
            "address_id" => &mut f.address_id,
            "email" => &mut f.email,
            "first_name" => &mut f.first_name,
            "last_name" => &mut f.last_name,
            "phone" => &mut f.phone,
            "description" => &mut f.description,
            other => {
                if let Some(a) = other
                    .strip_prefix("attribute[")
                    .and_then(|a| a.strip_suffix(']'))
                    && f.attributes.len() < 20
                {
                    f.attributes.push((a.to_string(), v));
                }
                continue;
            }
        };
        *slot = Some(v);
    }
    match state.open311_post(f).await {
        Ok(posted) => render(
            format,
            StatusCode::CREATED,
            "service_requests",
            "request",
            &[posted],
        ),
        Err(e) => error(format, e),
    }
}
