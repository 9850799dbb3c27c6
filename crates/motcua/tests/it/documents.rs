//! Documents through the API: uploads checked by content (PDF, JPEG, PNG) with a size limit,
//! stored once per content in the data directory, never left behind by a refused or failed
//! upload; downloads only for those who may read the dossier; re-use of a person's digitised
//! components and electronic results, counted by the statistics; the sweep of files no dossier
//! holds (`motcua documents gc`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::dossiers::{body, setup_with};
use crate::support::{TempDir, TestApp, TestDb};

/// The upload limit of these tests.
const LIMIT: usize = 64 * 1024;

/// A 1×1 grey PNG (a real one: signature, IHDR, zlib-compressed IDAT, IEND, with CRCs).
pub(crate) fn png(grey: u8) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut typed = kind.to_vec();
        typed.extend(data);
        out.extend(&typed);
        out.extend(crc32(&typed).to_be_bytes());
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&[0, grey]).unwrap();
    let idat = z.finish().unwrap();
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// An 8×8 grey baseline JPEG: one quantisation table, one-code Huffman tables, one block.
fn jpeg() -> Vec<u8> {
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00];
    out.extend([1u8; 64]);
    out.extend([
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
    ]);
    for class in [0x00, 0x10] {
        out.extend([0xFF, 0xC4, 0x00, 0x14, class, 1]);
        out.extend([0u8; 15]);
        out.push(0x00);
    }
    out.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    out.extend([0x3F, 0xFF, 0xD9]);
    out
}

/// A one-page PDF with a correct cross-reference table.
pub(crate) fn pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{stream}\nendstream",
            stream.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir` (the document store's files).
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A server keeping its documents in a directory of its own (`<dir>/documents`), with a
/// 64 KB upload limit.
pub(crate) async fn docs_setup() -> (TestApp, [String; 5], Arc<TempDir>) {
    let dir = Arc::new(TempDir(
        std::env::temp_dir().join(format!("motcua-docs-{}", uuid::Uuid::new_v4().simple())),
    ));
    let config = motcua_app::Config {
        max_upload_bytes: LIMIT,
        documents: motcua_app::blobs::BlobConfig::Local(dir.0.join("documents")),
        ..motcua_app::Config::default()
    };
    let (app, tokens) = setup_with(config).await;
    (app, tokens, dir)
}

/// Posts raw bytes; returns status and JSON body.
pub(crate) async fn post_bytes(
    app: &TestApp,
    path: &str,
    token: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .header(
            "content-disposition",
            "attachment; filename=\"giay-to.pdf\"",
        )
        .body(bytes)
        .send()
        .await
        .expect("request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    code: &str,
    component: &str,
    version: i64,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let path = format!(
        "/api/v1/dossiers/{code}/documents?component={}&version={version}",
        urlencode(component)
    );
    post_bytes(app, &path, token, "application/octet-stream", bytes).await
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) async fn download(
    app: &TestApp,
    token: &str,
    code: &str,
    sha: &str,
) -> (StatusCode, String, Vec<u8>) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/dossiers/{code}/documents/{sha}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, ct, res.bytes().await.unwrap().to_vec())
}

pub(crate) async fn dossier(
    app: &TestApp,
    token: &str,
    channel: &str,
    id_number: &str,
) -> (String, i64) {
    let mut b = body(channel);
    b["applicant"]["id_number"] = json!(id_number);
    let (s, d) = app.post("/api/v1/dossiers", Some(token), b).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    (
        d["code"].as_str().unwrap().to_string(),
        d["version"].as_i64().unwrap(),
    )
}

pub(crate) async fn version(app: &TestApp, token: &str, code: &str) -> i64 {
    let (s, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["version"].as_i64().unwrap()
}

pub(crate) async fn act(
    app: &TestApp,
    token: &str,
    code: &str,
    action: &str,
    mut fields: Value,
) -> Value {
    fields["version"] = json!(version(app, token, code).await);
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/{action}"),
            Some(token),
            fields,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{action}: {d}");
    d
}

async fn listed(app: &TestApp, token: &str, code: &str) -> Vec<Value> {
    let (s, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}/documents"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["items"].as_array().unwrap().clone()
}

/// A counter the statistics hold, summed over every cell.
pub(crate) async fn counted(app: &TestApp, metric: &str) -> i64 {
    let (cells, _) = app.store.stat_dump().await.unwrap();
    cells
        .iter()
        .filter(|c| c.metric == metric)
        .map(|c| c.delta)
        .sum()
}

/// Sends a chunked upload (no Content-Length) over a raw connection; returns the status line.
/// Blocking: run it off the test's runtime, which also runs the server.
fn chunked_upload(addr: std::net::SocketAddr, path: &str, token: &str, size: usize) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/pdf\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        addr
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut body = b"%PDF-1.4\n".to_vec();
    body.resize(size, b'x');
    for part in body.chunks(4096) {
        if s.write_all(format!("{:x}\r\n", part.len()).as_bytes())
            .is_err()
            || s.write_all(part).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn uploads_are_checked_by_content_and_stored_once() {
    let (app, [officer, ..], dir) = docs_setup().await;
    let store_dir = dir.0.join("documents");
    let (code, v0) = dossier(&app, &officer, "counter", "038199012345").await;

    // A PNG, a JPEG and a PDF, whatever type the client declares.
    let (s, d) = upload(&app, &officer, &code, "Tờ khai", v0, png(0x80)).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["version"], v0 + 1);
    let doc = &d["document"];
    assert_eq!(doc["media_type"], "image/png");
    assert_eq!(doc["source"], "scanned");
    assert_eq!(doc["source_label"], "Số hóa tại Bộ phận Một cửa");
    assert_eq!(doc["component"], "Tờ khai");
    assert_eq!(doc["sha256"], sha256(&png(0x80)));
    assert_eq!(doc["size"], png(0x80).len());
    let (s, d) = upload(&app, &officer, &code, "Ảnh chân dung", v0 + 1, jpeg()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["document"]["media_type"], "image/jpeg");
    let path = format!(
        "/api/v1/dossiers/{code}/documents?component={}&version={}",
        urlencode("Bản sao giấy khai sinh"),
        v0 + 2
    );
    let (s, d) = post_bytes(&app, &path, &officer, "image/png", pdf("Giay khai sinh")).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["document"]["media_type"], "application/pdf");
    assert_eq!(files(&store_dir).len(), 3);
    let v = v0 + 3;

    // Anything else is refused, by content: a text file named .pdf and sent as a PDF.
    let path = format!("/api/v1/dossiers/{code}/documents?component=T&version={v}");
    let (s, e) = post_bytes(
        &app,
        &path,
        &officer,
        "application/pdf",
        b"Day la mot tep van ban, khong phai PDF".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{e}");
    assert_eq!(e["error"], "unsupported_file_type");
    assert_eq!(e["message"], "Chỉ nhận tệp PDF, JPEG hoặc PNG.");
    let (s, e) = upload(&app, &officer, &code, "T", v, Vec::new()).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("empty_file"))
    );
    // Over the limit: declared, or sent in chunks with no length.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(LIMIT + 1, b' ');
    let (s, e) = upload(&app, &officer, &code, "T", v, big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
    assert_eq!(e["error"], "file_too_large");
    assert!(e["message"].as_str().unwrap().contains("64 KB"), "{e}");
    let (addr, p, t) = (app.addr, path.clone(), officer.clone());
    let status = tokio::task::spawn_blocking(move || chunked_upload(addr, &p, &t, 3 * LIMIT))
        .await
        .unwrap();
    assert!(status.contains(" 413 "), "{status}");
    // A PDF padded with a comment to exactly the limit (its trailer and %%EOF at the end).
    let end = b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    let mut under = b"%PDF-1.4\n%".to_vec();
    under.resize(LIMIT - end.len(), b' ');
    under.extend(end);
    // Nothing of the refused uploads is recorded or stored.
    assert_eq!(version(&app, &officer, &code).await, v);
    assert_eq!(listed(&app, &officer, &code).await.len(), 3);
    assert_eq!(files(&store_dir).len(), 3);

    // The same file on the same component once.
    let (s, e) = upload(&app, &officer, &code, "Tờ khai", v, png(0x80)).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("document_already_attached"))
    );
    // The same bytes in another dossier: one file in the store.
    let (other, w) = dossier(&app, &officer, "counter", "001099012345").await;
    let (s, d) = upload(&app, &officer, &other, "Tờ khai", w, png(0x80)).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(files(&store_dir).len(), 3);
    // A file exactly at the limit is accepted.
    let (s, d) = upload(&app, &officer, &other, "Phụ lục", w + 1, under.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(files(&store_dir).len(), 4);

    // A failed transaction (someone acted first: the version is stale) keeps nothing, not
    // even the new file it had written.
    let (s, e) = upload(&app, &officer, &code, "Tờ khai", v - 1, png(0x10)).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("stale_dossier"))
    );
    assert_eq!(files(&store_dir).len(), 4);
    assert_eq!(listed(&app, &officer, &code).await.len(), 3);
    // A file already held is kept when another request with it fails.
    let (s, _) = upload(&app, &officer, &code, "Bản sao", v - 1, jpeg()).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(files(&store_dir).len(), 4);
    let (s, _, bytes) = download(&app, &officer, &code, &sha256(&jpeg())).await;
    assert_eq!((s, bytes), (StatusCode::OK, jpeg()));

    // The list, with the flags; each file downloads as itself, with its type.
    let items = listed(&app, &officer, &code).await;
    let kinds: Vec<_> = items
        .iter()
        .map(|i| {
            (
                i["component"].as_str().unwrap(),
                i["media_type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("Tờ khai", "image/png"),
            ("Ảnh chân dung", "image/jpeg"),
            ("Bản sao giấy khai sinh", "application/pdf")
        ]
    );
    for (i, bytes) in items.iter().zip([png(0x80), jpeg(), pdf("Giay khai sinh")]) {
        assert_eq!(i["source"], "scanned");
        assert_eq!(i["result"], false);
        let (s, ct, got) = download(&app, &officer, &code, i["sha256"].as_str().unwrap()).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(ct, i["media_type"].as_str().unwrap());
        assert_eq!(got, bytes);
        assert_eq!(
            i["download"],
            format!(
                "/api/v1/dossiers/{code}/documents/{}",
                i["sha256"].as_str().unwrap()
            )
        );
    }
    // The timeline says what happened.
    let (_, d) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}"),
            Some(&officer),
            None,
        )
        .await;
    let labels: Vec<_> = d["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "document_attached")
        .map(|t| t["label"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(labels, ["Số hóa thành phần hồ sơ"; 3]);
    // A file is attached with its bytes, never by naming a hash through the generic actions.
    let (s, e) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/attach_document"),
            Some(&officer),
            json!({"version": v, "component": "X", "sha256": "ab".repeat(32),
                   "media_type": "image/png", "size": 1, "source": {"kind": "scanned"}}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("use_documents_api"))
    );
}

#[tokio::test]
async fn documents_are_read_only_by_those_who_may_read_the_dossier() {
    let (app, [officer, specialist, leader, citizen, stranger], dir) = docs_setup().await;
    let other_citizen = app.user("congdan2", "citizen", None).await;
    let (code, v) = dossier(&app, &citizen, "online", "038199012345").await;
    let (s, d) = upload(&app, &citizen, &code, "Tờ khai", v, pdf("To khai")).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["document"]["source"], "uploaded");
    assert_eq!(d["document"]["source_label"], "Tải lên trực tuyến");
    let sha = sha256(&pdf("To khai"));

    // The citizen who lodged it, the counter's officer, the province's leader read it.
    for who in [&citizen, &officer, &leader] {
        let (s, ct, bytes) = download(&app, who, &code, &sha).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "application/pdf"));
        assert_eq!(bytes, pdf("To khai"));
    }
    // Another citizen, an officer of another province, a department not yet holding it: no.
    for who in [&other_citizen, &stranger, &specialist] {
        let (s, _, _) = download(&app, who, &code, &sha).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .send(
                Method::GET,
                &format!("/api/v1/dossiers/{code}/documents"),
                Some(who),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // Nor do they upload to it; a specialist does not attach components.
    for who in [&other_citizen, &stranger, &specialist] {
        let (s, _) = upload(&app, who, &code, "Tờ khai", v + 1, png(1)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    let (s, _) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{code}/documents"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // A file of another dossier is not served through this one.
    let (theirs, w) = dossier(
        &app,
        &other_citizen,
        "online",
        &crate::support::citizen_id("congdan2"),
    )
    .await;
    let (s, _) = upload(&app, &other_citizen, &theirs, "Tờ khai", w, png(7)).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _, _) = download(&app, &citizen, &code, &sha256(&png(7))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = download(&app, &citizen, &theirs, &sha256(&png(7))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Once the officer has received it, the citizen adds nothing; the officer still scans.
    act(&app, &officer, &code, "receive", json!({})).await;
    let v = version(&app, &officer, &code).await;
    let (s, e) = upload(&app, &citizen, &code, "Bản sao", v, png(2)).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("not_allowed_in_state"))
    );
    let (s, d) = upload(&app, &officer, &code, "Bản sao", v, png(2)).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(files(&dir.0.join("documents")).len(), 3);
}

#[tokio::test]
async fn digitised_documents_are_reused_for_the_same_person_only() {
    let (app, [officer, specialist, leader, citizen, stranger], _dir) = docs_setup().await;
    let id = "038199012345";
    // An earlier dossier: its birth certificate scanned at the counter, its result electronic.
    let (first, v) = dossier(&app, &officer, "counter", id).await;
    let birth = pdf("Giay khai sinh");
    let (s, d) = upload(&app, &officer, &first, "Giấy khai sinh", v, birth.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    act(
        &app,
        &officer,
        &first,
        "forward",
        json!({"to": "000.00.02.H38"}),
    )
    .await;
    act(&app, &leader, &first, "approve", json!({})).await;
    let v = version(&app, &officer, &first).await;
    let result = png(0x42);
    let path = format!("/api/v1/dossiers/{first}/result-file?result_code=15%2FGCN-STP&version={v}");
    let (s, _) = post_bytes(&app, &path, &stranger, "image/png", result.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, d) = post_bytes(&app, &path, &specialist, "image/png", result.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["document"]["result"], true);
    assert_eq!(d["document"]["result_code"], "15/GCN-STP");
    let (_, view) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{first}"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(view["status"], "done");
    assert_eq!(
        view["state"]["result"]["form"]["file_ref"],
        format!("sha256:{}", sha256(&result))
    );
    // A file on a component and an electronic result: digitised, counted once.
    assert_eq!(counted(&app, "digitised").await, 1);
    assert_eq!(counted(&app, "electronic_result").await, 1);
    assert_eq!(counted(&app, "reused").await, 0);

    // At the counter, by ID number: what is held for this person (officers only).
    let (s, held) = app
        .send(
            Method::GET,
            &format!("/api/v1/documents/reusable?id_number={id}&reason=co-mat"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{held}");
    let held = held["items"].as_array().unwrap().clone();
    let mut shas: Vec<_> = held.iter().map(|h| h["sha256"].as_str().unwrap()).collect();
    shas.sort_unstable();
    let mut want = vec![sha256(&birth), sha256(&result)];
    want.sort_unstable();
    assert_eq!(shas, want);
    assert!(
        held.iter()
            .all(|h| h["dossier"] == first.as_str() && h["download"].is_null())
    );
    for who in [&citizen, &specialist] {
        let (s, _) = app
            .send(
                Method::GET,
                &format!("/api/v1/documents/reusable?id_number={id}&reason=co-mat"),
                Some(who),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // The officer says why; an officer of another province sees nothing of this person; each
    // dossier shown is in the personal data access log with the reason.
    let (s, e) = app
        .send(
            Method::GET,
            &format!("/api/v1/documents/reusable?id_number={id}"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reason_required"),
            Some("reason")
        ),
        "{e}"
    );
    let (s, far) = app
        .send(
            Method::GET,
            &format!("/api/v1/documents/reusable?id_number={id}&reason=co-mat"),
            Some(&stranger),
            None,
        )
        .await;
    assert_eq!(
        (s, far["items"].as_array().unwrap().len()),
        (StatusCode::OK, 0),
        "{far}"
    );
    let admin = app.user("quantri", "admin", None).await;
    let (_, log) = app
        .send(
            Method::GET,
            &format!("/api/v1/admin/personal-data-reads?id_number={id}"),
            Some(&admin),
            None,
        )
        .await;
    let lookups: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["what"] == "reuse_lookup")
        .collect();
    assert!(!lookups.is_empty(), "{log}");
    assert!(
        lookups.iter().all(|i| i["reason"] == "co-mat"
            && i["username"] == "tiepnhan"
            && i["dossier"] == first.as_str()),
        "{log}"
    );
    let (s, e) = app
        .send(
            Method::GET,
            "/api/v1/documents/reusable?id_number=12ab&reason=co-mat",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, none) = app
        .send(
            Method::GET,
            "/api/v1/documents/reusable?id_number=001099012345&reason=co-mat",
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(
        (s, none["items"].as_array().unwrap().len()),
        (StatusCode::OK, 0)
    );

    // A second dossier of the same person re-uses the birth certificate: no upload.
    let (second, v) = dossier(&app, &officer, "counter", id).await;
    // The officer re-uses for the person present and says why (finding 4 of the security review).
    let (s, e) = app
        .post(
            &format!("/api/v1/dossiers/{second}/documents/reuse"),
            Some(&officer),
            json!({"component": "Giấy khai sinh", "sha256": sha256(&birth), "version": v}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("reason_required"),
            Some("reason")
        ),
        "{e}"
    );
    assert!(listed(&app, &officer, &second).await.is_empty());
    // With a reason but without the person's consent (present at the counter): refused too.
    let (s, e) = app
        .post(
            &format!("/api/v1/dossiers/{second}/documents/reuse"),
            Some(&officer),
            json!({"component": "Giấy khai sinh", "sha256": sha256(&birth), "version": v,
                   "reason": "Người nộp có mặt"}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("consent_required"),
            Some("consent")
        ),
        "{e}"
    );
    assert!(listed(&app, &officer, &second).await.is_empty());
    let reuse = |sha: String, version: i64| json!({"component": "Giấy khai sinh", "sha256": sha, "version": version, "reason": "Người nộp có mặt, xuất trình căn cước", "consent": true});
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{second}/documents/reuse"),
            Some(&officer),
            reuse(sha256(&birth), v),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["document"]["source"], "reused");
    assert_eq!(
        d["document"]["source_label"],
        "Sử dụng lại dữ liệu đã số hóa"
    );
    assert_eq!(d["document"]["reused_from"], first.as_str());
    let items = listed(&app, &officer, &second).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["reused_from"], first.as_str());
    let (s, _, bytes) = download(&app, &officer, &second, &sha256(&birth)).await;
    assert_eq!((s, bytes), (StatusCode::OK, birth.clone()));
    // The result too; counted once per dossier.
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{second}/documents/reuse"),
            Some(&officer),
            reuse(sha256(&result), v + 1),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(counted(&app, "reused").await, 1);
    let (_, view) = app
        .send(
            Method::GET,
            &format!("/api/v1/dossiers/{second}"),
            Some(&officer),
            None,
        )
        .await;
    let labels: Vec<_> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].clone())
        .collect();
    assert!(
        labels.contains(&json!("Sử dụng lại dữ liệu đã số hóa")),
        "{labels:?}"
    );

    // Another person's dossier cannot take them, nor a dossier its own files, nor an unknown hash.
    let (third, w) = dossier(&app, &officer, "counter", "001099012345").await;
    for (target, sha, version) in [
        (&third, sha256(&birth), w),
        (
            &first,
            sha256(&birth),
            version(&app, &officer, &first).await,
        ),
        (&second, "ab".repeat(32), v + 2),
        (&second, "not-a-hash".into(), v + 2),
    ] {
        let (s, e) = app
            .post(
                &format!("/api/v1/dossiers/{target}/documents/reuse"),
                Some(&officer),
                reuse(sha, version),
            )
            .await;
        assert_eq!(
            (s, e["error"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("document_not_reusable")
            ),
            "{target}"
        );
    }
    assert!(listed(&app, &officer, &third).await.is_empty());
    // An officer of another province cannot attach to this counter's dossier.
    let (s, _) = app
        .post(
            &format!("/api/v1/dossiers/{second}/documents/reuse"),
            Some(&stranger),
            reuse(sha256(&birth), v + 2),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Nor re-use this person's Thanh Hóa files for a dossier of their own province.
    let mut far = body("counter");
    far["agency"] = json!("000.00.01.H01");
    let (s, d) = app.post("/api/v1/dossiers", Some(&stranger), far).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, e) = app
        .post(
            &format!(
                "/api/v1/dossiers/{}/documents/reuse",
                d["code"].as_str().unwrap()
            ),
            Some(&stranger),
            reuse(sha256(&birth), d["version"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_not_reusable")
        ),
        "{e}"
    );
    assert_eq!(counted(&app, "reused").await, 1);
    // Each re-use is in the personal data access log: the officer, the reason, the dossier the
    // file comes from.
    let (_, log) = app
        .send(
            Method::GET,
            &format!("/api/v1/admin/personal-data-reads?id_number={id}"),
            Some(&admin),
            None,
        )
        .await;
    let uses: Vec<&Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["what"] == "reuse")
        .collect();
    assert_eq!(uses.len(), 2, "{log}");
    assert!(
        uses.iter()
            .all(|i| i["reason"] == "Người nộp có mặt, xuất trình căn cước"
                && i["username"] == "tiepnhan"
                && i["dossier"] == first.as_str()),
        "{log}"
    );
}

#[tokio::test]
async fn citizens_reuse_their_own_documents_only() {
    let (app, [officer, .., citizen, _], _dir) = docs_setup().await;
    let other_citizen = app.user("congdan2", "citizen", None).await;
    let id = "038199012345";
    let (first, v) = dossier(&app, &citizen, "online", id).await;
    let (s, _) = upload(&app, &citizen, &first, "Tờ khai", v, pdf("To khai cu")).await;
    assert_eq!(s, StatusCode::CREATED);
    let sha = sha256(&pdf("To khai cu"));
    // Not checked by an officer yet: not offered.
    let (_, mine) = app
        .send(Method::GET, "/api/v1/me/documents", Some(&citizen), None)
        .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0, "{mine}");
    act(&app, &officer, &first, "receive", json!({})).await;
    let (s, mine) = app
        .send(Method::GET, "/api/v1/me/documents", Some(&citizen), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let mine = mine["items"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["sha256"], sha.as_str());
    assert_eq!(mine[0]["download"], format!("/api/v1/me/data-store/{sha}"));
    let (_, theirs) = app
        .send(
            Method::GET,
            "/api/v1/me/documents",
            Some(&other_citizen),
            None,
        )
        .await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
    let (s, _) = app
        .send(Method::GET, "/api/v1/me/documents", Some(&officer), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Their next online dossier takes it again.
    let (second, w) = dossier(&app, &citizen, "online", id).await;
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{second}/documents/reuse"),
            Some(&citizen),
            json!({"component": "Tờ khai", "sha256": sha, "version": w}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["document"]["reused_from"], first.as_str());
    assert_eq!(counted(&app, "reused").await, 1);

    // Another account cannot lodge under this citizen's ID number (each account is bound to
    // its own person), nor take what this citizen holds for its own dossier.
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&other_citizen), body("online"))
        .await;
    assert_eq!(
        (s, e["error"].as_str(), e["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("id_number_not_yours"),
            Some("applicant.id_number")
        ),
        "{e}"
    );
    let mut own = body("online");
    own["applicant"]["id_number"] = json!("");
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&other_citizen), own)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let copycat = d["code"].as_str().unwrap().to_string();
    let x = d["version"].as_i64().unwrap();
    let (s, e) = app
        .post(
            &format!("/api/v1/dossiers/{copycat}/documents/reuse"),
            Some(&other_citizen),
            json!({"component": "Tờ khai", "sha256": sha, "version": x}),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("document_not_reusable")
        )
    );
    let (s, _, _) = download(&app, &other_citizen, &first, &sha).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn files_no_dossier_holds_are_swept() {
    let (app, [officer, ..], dir) = docs_setup().await;
    let store_dir = dir.0.join("documents");
    let (code, v) = dossier(&app, &officer, "counter", "038199012345").await;
    let (s, _) = upload(&app, &officer, &code, "Tờ khai", v, png(3)).await;
    assert_eq!(s, StatusCode::CREATED);
    // What a process killed between writing a file and committing leaves behind.
    let blobs =
        motcua_app::blobs::Blobs::open(&motcua_app::blobs::BlobConfig::Local(store_dir.clone()))
            .unwrap();
    let orphan = pdf("mo coi");
    blobs
        .put(&sha256(&orphan), orphan.clone().into())
        .await
        .unwrap();
    assert_eq!(files(&store_dir).len(), 2);

    // The operator's command, on the same database and data directory.
    let gc = |min_age: &str| {
        let mut args = match &app.db {
            TestDb::Sqlite(d) => vec![
                "--database-url".to_string(),
                format!("sqlite://{}", d.0.join("motcua.sqlite3").display()),
            ],
            TestDb::Postgres(_) => app.db.cli_args(),
        };
        args.extend(["--data-dir".into(), dir.0.display().to_string()]);
        args.extend(["documents", "gc", "--json", "--min-age-minutes", min_age].map(String::from));
        let out = crate::processes::motcua().args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    // Young files are left alone (an upload may be in flight).
    let report = gc("60");
    assert_eq!(
        report,
        json!({"files": 2, "held": 1, "young": 1, "removed": 0})
    );
    assert_eq!(files(&store_dir).len(), 2);
    let report = gc("0");
    assert_eq!(
        report,
        json!({"files": 2, "held": 1, "young": 0, "removed": 1})
    );
    assert_eq!(files(&store_dir).len(), 1);
    let (s, _, bytes) = download(&app, &officer, &code, &sha256(&png(3))).await;
    assert_eq!((s, bytes), (StatusCode::OK, png(3)));

    // The service's removal never takes a file a dossier holds.
    let removed = motcua_app::documents::remove_unreferenced(
        app.store.as_ref(),
        &blobs,
        &sha256(&png(3)),
        None,
    )
    .await
    .unwrap();
    assert!(!removed);
    assert_eq!(files(&store_dir).len(), 1);
}

#[tokio::test]
async fn the_documents_api_is_described() {
    let app = TestApp::new().await;
    let (s, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let paths = &doc["paths"];
    for (path, method) in [
        ("/dossiers/{code}/documents", "post"),
        ("/dossiers/{code}/documents", "get"),
        ("/dossiers/{code}/documents/reuse", "post"),
        ("/dossiers/{code}/documents/{sha256}", "get"),
        ("/dossiers/{code}/result-file", "post"),
        ("/documents/reusable", "get"),
        ("/me/documents", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    let upload = &paths["/dossiers/{code}/documents"]["post"];
    let types: Vec<&String> = upload["requestBody"]["content"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(types, ["application/pdf", "image/jpeg", "image/png"]);
    for status in ["201", "413", "415", "422"] {
        assert!(upload["responses"][status].is_object(), "{status}");
    }
    assert!(doc["components"]["schemas"]["DocumentView"].is_object());
}

#[tokio::test]
async fn uploads_must_be_what_their_signature_says_and_downloads_run_nothing() {
    let (app, [officer, ..], dir) = docs_setup().await;
    let (code, v) = dossier(&app, &officer, "counter", "038199012345").await;
    let mut huge_png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    huge_png.extend(b"IHDR");
    huge_png.extend(100_000u32.to_be_bytes());
    huge_png.extend(100_000u32.to_be_bytes());
    huge_png.extend([8, 0, 0, 0, 0, 0, 0, 0, 0]);
    let cases: [(Vec<u8>, &str); 4] = [
        (vec![0xFF, 0xD8, 0xFF], "invalid_image"),
        (huge_png, "image_too_large"),
        (
            b"%PDF-1.4\n<html><script>alert(1)</script></html>".to_vec(),
            "invalid_pdf",
        ),
        (b"%PDF-1.7\n%%EOF".to_vec(), "invalid_pdf"),
    ];
    for (bytes, code_expected) in cases {
        let (s, e) = upload(&app, &officer, &code, "Tờ khai", v, bytes).await;
        assert_eq!(
            (s, e["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code_expected)),
            "{e}"
        );
    }
    assert_eq!(version(&app, &officer, &code).await, v, "nothing recorded");
    assert!(files(&dir.0.join("documents")).is_empty(), "nothing stored");
    // Downloads: a PDF is saved, not shown; nothing downloaded may run script.
    let file = pdf("Tờ khai");
    let (s, d) = upload(&app, &officer, &code, "Tờ khai", v, file.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, d) = upload(&app, &officer, &code, "Ảnh", v + 1, png(1)).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    for (sha, disposition) in [(sha256(&file), "attachment;"), (sha256(&png(1)), "inline;")] {
        let res = app
            .client
            .get(app.url(&format!("/api/v1/dossiers/{code}/documents/{sha}")))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let h = |n: &str| res.headers().get(n).unwrap().to_str().unwrap().to_string();
        assert_eq!(h("content-security-policy"), "default-src 'none'; sandbox");
        assert_eq!(h("x-content-type-options"), "nosniff");
        assert!(
            h("content-disposition").starts_with(disposition),
            "{}",
            h("content-disposition")
        );
    }
}
