//! A fake of the national public service portal's (Cổng Dịch vụ công quốc gia) dossier-sync
//! endpoint, for motcua's demo and tests. `POST /dongbo/hoso` takes one dossier-sync record
//! (JSON) with the installation's bearer key and an `Idempotency-Key`; it checks the record
//! against the portal's field list (its own transcription, not motcua's code), keeps the latest
//! record per dossier and counts every request per key, so a repeat is seen and changes nothing
//! twice. A control API (`/_control/...`) makes it fail (500), answer late, or store a record
//! and lose the acknowledgement (500 after storing: the sender repeats it).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The fields of a record and what each holds.
const DATES: [&str; 4] = [
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
];
const TEXTS: [&str; 6] = [
    "MaHoSo",
    "MaTTHC",
    "MaCoQuan",
    "TrangThaiHoSo",
    "MaTrangThai",
    "SuKien",
];
const OPTIONAL_TEXTS: [&str; 3] = ["MaKetQua", "DuongDanTepTinKetQua", "SoHieuBuuGui"];
/// The statuses the portal knows.
pub const STATUSES: [&str; 9] = [
    "Chờ tiếp nhận",
    "Đã tiếp nhận",
    "Đang xử lý",
    "Yêu cầu bổ sung hồ sơ",
    "Từ chối",
    "Dừng xử lý",
    "Đã xử lý xong",
    "Đã trả kết quả",
    "Công dân yêu cầu rút hồ sơ",
];

/// How the fake answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Ok,
    /// 500 without storing.
    Fail,
    /// Answers after `delay_ms`.
    Slow,
    /// Stores the record, then answers 500: the acknowledgement is lost.
    LoseAck,
}

#[derive(Debug, Default)]
struct Inner {
    mode: Mode,
    delay_ms: u64,
    /// Every request: (idempotency key, dossier code, accepted).
    requests: Vec<(String, String, bool)>,
    /// One stored record per idempotency key, in arrival order.
    stored: Vec<(String, Value)>,
}

#[derive(Clone, Default)]
pub struct Portal {
    inner: Arc<Mutex<Inner>>,
    key: Option<String>,
}

/// Checks a record against the field list: every field present, dates `yyyyMMddHHmmss` or
/// null, the channel 1–3, a known status, flags 0/1 (payment 0–2), the components a list.
pub fn check(r: &Value) -> Result<(), String> {
    let o = r.as_object().ok_or("the record is not an object")?;
    for f in TEXTS {
        match o.get(f) {
            Some(Value::String(s)) if !s.is_empty() || f == "MaCoQuan" => {}
            _ => return Err(format!("{f}: a text is required")),
        }
    }
    for f in OPTIONAL_TEXTS {
        match o.get(f) {
            Some(Value::String(_)) | Some(Value::Null) => {}
            _ => return Err(format!("{f}: a text or null is required")),
        }
    }
    for f in DATES {
        match o.get(f) {
            Some(Value::Null) => {}
            Some(Value::String(s)) if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) => {}
            _ => return Err(format!("{f}: yyyyMMddHHmmss or null is required")),
        }
    }
    let int = |f: &str, max: u64| match o.get(f).and_then(Value::as_u64) {
        Some(n) if n <= max => Ok(n),
        _ => Err(format!("{f}: 0..={max} is required")),
    };
    if int("KenhThucHien", 3)? == 0 {
        return Err("KenhThucHien: 1, 2 or 3".into());
    }
    int("DuocThanhToanTrucTuyen", 2)?;
    int("HoSoCoThanhPhanSoHoa", 1)?;
    // The postal service's fee of a result sent by post (VND), null otherwise.
    if !o
        .get("PhiDichVuBuuChinh")
        .is_some_and(|v| v.is_null() || v.is_u64())
    {
        return Err("PhiDichVuBuuChinh: a whole number of VND or null".into());
    }
    let status = o["TrangThaiHoSo"].as_str().unwrap_or_default();
    if !STATUSES.contains(&status) {
        return Err(format!("TrangThaiHoSo: unknown status {status}"));
    }
    let parts = o
        .get("TaiLieuNop")
        .and_then(Value::as_array)
        .ok_or("TaiLieuNop: a list is required")?;
    for p in parts {
        let named = p.get("TenThanhPhan").and_then(Value::as_str).is_some();
        let flags = ["DuocSoHoa", "DuocLayTuKhoDMQG"]
            .iter()
            .all(|f| p.get(*f).and_then(Value::as_u64).is_some_and(|n| n <= 1));
        if !named || !flags {
            return Err("TaiLieuNop: TenThanhPhan, DuocSoHoa, DuocLayTuKhoDMQG".into());
        }
    }
    // An electronic result is a result code and a file link together.
    if o["MaKetQua"].is_null() && !o["DuongDanTepTinKetQua"].is_null() {
        return Err("DuongDanTepTinKetQua without MaKetQua".into());
    }
    Ok(())
}

async fn sync(
    State(p): State<Portal>,
    headers: HeaderMap,
    Json(record): Json<Value>,
) -> (StatusCode, Json<Value>) {
    if let Some(key) = &p.key {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if auth != format!("Bearer {key}") {
            return (StatusCode::UNAUTHORIZED, Json(json!({"error": "bad key"})));
        }
    }
    let Some(idem) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "Idempotency-Key is required"})),
        );
    };
    if let Err(e) = check(&record) {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": e})));
    }
    let code = record["MaHoSo"].as_str().unwrap_or_default().to_string();
    let (mode, delay) = {
        let i = p.inner.lock().unwrap();
        (i.mode.clone(), i.delay_ms)
    };
    if mode == Mode::Slow {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let mut i = p.inner.lock().unwrap();
    let accepted = mode != Mode::Fail;
    i.requests.push((idem.clone(), code, accepted));
    if accepted && !i.stored.iter().any(|(k, _)| *k == idem) {
        i.stored.push((idem.clone(), record));
    }
    match mode {
        Mode::Fail | Mode::LoseAck => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "unavailable"})),
        ),
        _ => (StatusCode::OK, Json(json!({"ok": true, "id": idem}))),
    }
}

#[derive(Deserialize)]
struct SetMode {
    mode: Mode,
    #[serde(default)]
    delay_ms: u64,
}

async fn set_mode(State(p): State<Portal>, Json(m): Json<SetMode>) -> StatusCode {
    let mut i = p.inner.lock().unwrap();
    i.mode = m.mode;
    i.delay_ms = m.delay_ms;
    StatusCode::NO_CONTENT
}

async fn records(State(p): State<Portal>) -> Json<Value> {
    let i = p.inner.lock().unwrap();
    Json(json!({
        "stored": i.stored.iter().map(|(k, r)| json!({"id": k, "record": r})).collect::<Vec<_>>(),
        "requests": i.requests.iter().map(|(k, c, a)| json!({"id": k, "code": c, "accepted": a})).collect::<Vec<_>>(),
    }))
}

/// The fake's routes; `key`: the bearer key it requires (none: any caller).
pub fn router(key: Option<String>) -> Router {
    let portal = Portal {
        inner: Arc::default(),
        key,
    };
    Router::new()
        .route("/dongbo/hoso", post(sync))
        .route("/_control/mode", post(set_mode))
        .route("/_control/records", get(records))
        .with_state(portal)
}
