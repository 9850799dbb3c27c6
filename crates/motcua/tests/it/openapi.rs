//! The OpenAPI description is committed (`docs/openapi.json`), so that every change of the API
//! shows in review: this test fails when the served description differs from it.

use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::TestApp;

/// The value with every object's keys in order (a stable text whatever the map type).
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn the_committed_openapi_description_is_the_served_one() {
    let app = TestApp::new().await;
    let (s, served) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let text = serde_json::to_string_pretty(&sorted(&served)).unwrap() + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("MOTCUA_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != text {
        let line = committed
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(text.lines().count()));
        panic!(
            "docs/openapi.json differs from the served /api/v1/openapi.json (first at line {}: \
             committed {:?}, served {:?}). If the API change is intended, regenerate the file \
             with `MOTCUA_BLESS=1 cargo test -p motcua --test it openapi` and commit it.",
            line + 1,
            committed.lines().nth(line).unwrap_or("<end>"),
            text.lines().nth(line).unwrap_or("<end>"),
        );
    }
}
