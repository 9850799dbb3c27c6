//! motcua's webhook deliveries verified by an independent implementation: the npm library
//! `standardwebhooks` (pinned in tests/webhooks-interop/package-lock.json, installed with
//! `npm ci`): signed with one secret, with two during a rotation (either verifies), and
//! tampered (refused). Skipped, loudly, only when node or npm is missing.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use chrono::Utc;
use motcua_integrations::webhook::{
    CloudEvent, Delivery, DossierRef, dossier_event_id, new_secret, sign,
};
use serde_json::{Value, json};

fn have(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The library's verdict on each (secret, delivery); `None` when node or npm is missing.
fn verify(cases: &[(&str, &Delivery)]) -> Option<Vec<Value>> {
    if !have("node") || !have("npm") {
        eprintln!(
            "\n!!! SKIPPED: node/npm missing, webhooks NOT checked against `standardwebhooks`\n"
        );
        return None;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/webhooks-interop");
    if !dir.join("node_modules/standardwebhooks").exists() {
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("run npm ci");
        assert!(ok.success(), "npm ci in {} failed", dir.display());
    }
    let deliveries: Vec<Value> = cases
        .iter()
        .map(|(secret, d)| {
            let headers: serde_json::Map<String, Value> = d
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            json!({"secret": secret, "body": String::from_utf8(d.body.clone()).unwrap(), "headers": headers})
        })
        .collect();
    let mut child = Command::new("node")
        .arg("verify.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(json!({ "deliveries": deliveries }).to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("JSON from verify.mjs"))
}

fn event() -> CloudEvent {
    CloudEvent::dossier(
        dossier_event_id(uuid::Uuid::now_v7(), 3),
        "/motcua/tinh-38",
        "received",
        Utc::now(),
        DossierRef {
            code: "000.00.01.H38-261207-0001",
            agency: "000.00.01.H38",
            procedure: "1.001193",
        },
        json!({"status": "received", "status_label": "Đã tiếp nhận", "appointment": "2026-12-21T17:00:00+07:00"}),
    )
}

#[test]
fn the_standardwebhooks_library_verifies_our_deliveries() {
    let (old, new, other) = (new_secret(), new_secret(), new_secret());
    let e = event();
    let one = sign(&e, std::slice::from_ref(&new), Utc::now()).unwrap();
    let rotating = sign(&e, &[new.clone(), old.clone()], Utc::now()).unwrap();
    let mut tampered = one.clone();
    tampered.body = String::from_utf8(one.body.clone())
        .unwrap()
        .replace("Đã tiếp nhận", "Đã trả kết quả")
        .into_bytes();
    let stale = sign(
        &e,
        std::slice::from_ref(&new),
        Utc::now() - chrono::Duration::hours(1),
    )
    .unwrap();
    let Some(verdicts) = verify(&[
        (&new, &one),
        (&new, &rotating),
        (&old, &rotating),
        (&other, &one),
        (&new, &tampered),
        (&new, &stale),
    ]) else {
        return;
    };
    let ok: Vec<bool> = verdicts.iter().map(|v| v["ok"] == true).collect();
    assert_eq!(ok, [true, true, true, false, false, false], "{verdicts:?}");
    // What the receiver gets is the CloudEvent, Vietnamese intact.
    assert_eq!(verdicts[0]["data"]["type"], "vn.motcua.dossier.received");
    assert_eq!(verdicts[0]["data"]["data"]["status_label"], "Đã tiếp nhận");
    assert_eq!(verdicts[0]["data"]["id"], e.id.as_str());
}
