//! Static files of the UI, compiled in: the style sheet, htmx, the small script of our own,
//! and the forms' fonts. Each is served with a long cache lifetime under a name that changes
//! with its content (`?v=` of the build).

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::routes;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    routes::table([
        (
            "/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", CSS.as_bytes()) }),
        ),
        (
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS.as_bytes()) }),
        ),
        (
            "/static/hall.css",
            get(|| async { asset("text/css; charset=utf-8", HALL_CSS.as_bytes()) }),
        ),
        (
            "/static/hall.js",
            get(|| async { asset("text/javascript; charset=utf-8", HALL_JS.as_bytes()) }),
        ),
        (
            "/static/htmx.min.js",
            get(|| async { asset("text/javascript; charset=utf-8", servable::HTMX_2_0_8.bytes) }),
        ),
        (
            "/static/feedback-map.js",
            get(|| async { asset("text/javascript; charset=utf-8", MAP_JS.as_bytes()) }),
        ),
        (
            "/static/vendor/leaflet/leaflet.js",
            get(|| async { asset("text/javascript; charset=utf-8", LEAFLET_JS.as_bytes()) }),
        ),
        (
            "/static/vendor/leaflet/leaflet.css",
            get(|| async { asset("text/css; charset=utf-8", LEAFLET_CSS.as_bytes()) }),
        ),
        ("/static/vendor/leaflet/{file}", get(leaflet_image)),
        ("/static/fonts/{file}", get(font)),
    ])
}

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
const HALL_CSS: &str = include_str!("../../static/hall.css");
const HALL_JS: &str = include_str!("../../static/hall.js");
/// The public feedback page's map (ours) and Leaflet 1.9.4 (BSD-2-Clause, vendored under
/// `static/vendor/leaflet` with its licence).
const MAP_JS: &str = include_str!("../../static/feedback-map.js");
const LEAFLET_JS: &str = include_str!("../../static/vendor/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../static/vendor/leaflet/leaflet.css");
const LEAFLET_IMAGES: [(&str, &[u8]); 3] = [
    (
        "marker-icon.png",
        include_bytes!("../../static/vendor/leaflet/marker-icon.png"),
    ),
    (
        "marker-icon-2x.png",
        include_bytes!("../../static/vendor/leaflet/marker-icon-2x.png"),
    ),
    (
        "marker-shadow.png",
        include_bytes!("../../static/vendor/leaflet/marker-shadow.png"),
    ),
];

/// The version suffix of asset URLs (the crate version: assets change only with a build).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn asset(content_type: &'static str, bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        bytes,
    )
        .into_response()
}

/// Leaflet's marker images.
async fn leaflet_image(crate::error::ApiPath(file): crate::error::ApiPath<String>) -> Response {
    match LEAFLET_IMAGES.iter().find(|(name, _)| *name == file) {
        Some((_, bytes)) => asset("image/png", bytes),
        None => crate::error::ApiError::NotFound("tệp").into_response(),
    }
}

/// The fonts the HTML forms print with (Liberation Serif, SIL Open Font License 1.1).
pub async fn font(crate::error::ApiPath(file): crate::error::ApiPath<String>) -> Response {
    match motcua_forms::FONT_FILES
        .iter()
        .find(|(name, _)| *name == file)
    {
        Some((_, bytes)) => (
            [
                (axum::http::header::CONTENT_TYPE, "font/ttf"),
                (
                    axum::http::header::CACHE_CONTROL,
                    "public, max-age=31536000, immutable",
                ),
            ],
            *bytes,
        )
            .into_response(),
        None => crate::error::ApiError::NotFound("phông chữ").into_response(),
    }
}
