//! The citizen's data store (#20, Decree 45/2020/NĐ-CP): what a person holds across dossiers
//! and agencies, re-used only by that person (or by an officer with the person present and
//! agreeing), every re-use and consent recorded and shown to them (Decree 13/2023/NĐ-CP);
//! verification of a local account at the counter; lodging for someone else under an
//! authorisation; the person's contact details and sessions.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::documents::{
    act, counted, docs_setup, dossier, pdf, png, post_bytes, sha256, upload, version,
};
use crate::dossiers::{body, setup};
use crate::support::{PASSWORD, TestApp};

async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    app.send(Method::GET, path, Some(token), None).await
}

async fn held_file(app: &TestApp, token: &str, sha: &str) -> (StatusCode, Vec<u8>) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/me/data-store/{sha}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    (res.status(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_data_store_holds_the_persons_papers_and_records_every_reuse() {
    let (app, [officer, specialist, leader, citizen, _], _dir) = docs_setup().await;
    let other = app.user("congdan2", "citizen", None).await;
    let id = "038199012345"; // `congdan`'s own number
    // Lodged for this person at the counter (no account involved): a scanned birth
    // certificate, then an electronic result of the department.
    let (first, v) = dossier(&app, &officer, "counter", id).await;
    let birth = pdf("Giay khai sinh cua Nhung");
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
    let result = png(0x37);
    let path = format!("/api/v1/dossiers/{first}/result-file?result_code=15%2FGCN-STP&version={v}");
    let (s, d) = post_bytes(&app, &path, &specialist, "image/png", result.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");

    // The person's store lists both, with kind, number, issuer and validity; nobody else's does.
    let (s, store) = get(&app, "/api/v1/me/data-store", &citizen).await;
    assert_eq!(s, StatusCode::OK, "{store}");
    assert_eq!(store["id_number"], id);
    let docs = store["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2, "{store}");
    let res = docs.iter().find(|d| d["result"] == true).unwrap();
    assert_eq!(res["result_code"], "15/GCN-STP");
    assert_eq!(res["issuer"], "Sở Tư pháp Thanh Hóa");
    assert_eq!(res["component"], "Kết quả giải quyết");
    assert!(res["valid_until"].is_null());
    let scan = docs.iter().find(|d| d["sha256"] == sha256(&birth)).unwrap();
    assert_eq!(
        (scan["component"].as_str(), scan["source"].as_str()),
        (Some("Giấy khai sinh"), Some("scanned"))
    );
    assert!(scan["issuer"].is_null(), "a paper's issuer is not recorded");
    assert_eq!(store["reuses"].as_array().unwrap().len(), 0);
    let (s, theirs) = get(&app, "/api/v1/me/data-store", &other).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(theirs["documents"].as_array().unwrap().len(), 0, "{theirs}");
    let (s, _) = get(&app, "/api/v1/me/data-store", &officer).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Its files are the person's to download, nobody else's (404: not in their store).
    assert_eq!(
        held_file(&app, &citizen, &sha256(&birth)).await,
        (StatusCode::OK, birth.clone())
    );
    for (who, sha) in [(&other, sha256(&birth)), (&citizen, "ab".repeat(32))] {
        assert_eq!(held_file(&app, who, &sha).await.0, StatusCode::NOT_FOUND);
    }

    // The person re-uses the birth certificate of a counter dossier in an online one.
    let (online, w) = dossier(&app, &citizen, "online", id).await;
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{online}/documents/reuse"),
            Some(&citizen),
            json!({"component": "Giấy khai sinh", "sha256": sha256(&birth), "version": w}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["document"]["reused_from"], first.as_str());
    // Another account takes nothing of it, for its own dossier or this one.
    let mut own = body("online");
    own["applicant"]["id_number"] = json!("");
    let (s, d) = app.post("/api/v1/dossiers", Some(&other), own).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let theirs = d["code"].as_str().unwrap().to_string();
    let x = d["version"].as_i64().unwrap();
    let take =
        |sha: String, v: i64| json!({"component": "Giấy khai sinh", "sha256": sha, "version": v});
    let (s, e) = app
        .post(
            &format!("/api/v1/dossiers/{theirs}/documents/reuse"),
            Some(&other),
            take(sha256(&birth), x),
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
    let (s, _) = app
        .post(
            &format!("/api/v1/dossiers/{online}/documents/reuse"),
            Some(&other),
            take(sha256(&result), w + 1),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // At the counter the officer re-uses the result with the person present and agreeing.
    let (counter, c) = dossier(&app, &officer, "counter", id).await;
    let (s, d) = app
        .post(
            &format!("/api/v1/dossiers/{counter}/documents/reuse"),
            Some(&officer),
            json!({"component": "Kết quả lần trước", "sha256": sha256(&result), "version": c,
                   "reason": "Bà Nhung có mặt, xuất trình căn cước", "consent": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");

    // Both re-uses are recorded and shown to the person: who, what, for which dossier, when,
    // why, under which consent; the Decision 766 counter counts the same dossiers.
    let (_, store) = get(&app, "/api/v1/me/data-store", &citizen).await;
    let reuses = store["reuses"].as_array().unwrap();
    assert_eq!(reuses.len(), 2, "{store}");
    let at_counter = &reuses[0];
    assert_eq!(at_counter["dossier"], counter.as_str());
    assert_eq!(at_counter["from_dossier"], first.as_str());
    assert_eq!(at_counter["sha256"], sha256(&result));
    assert_eq!(at_counter["by"], "Người dùng tiepnhan");
    assert_eq!(at_counter["role"], "receiving_officer");
    assert_eq!(
        at_counter["purpose"],
        "Bà Nhung có mặt, xuất trình căn cước"
    );
    assert_eq!(at_counter["consent"], "in_person");
    let mine = &reuses[1];
    assert_eq!(
        (mine["dossier"].as_str(), mine["component"].as_str()),
        (Some(online.as_str()), Some("Giấy khai sinh"))
    );
    assert_eq!(
        (mine["role"].as_str(), mine["consent"].as_str()),
        (Some("citizen"), Some("online"))
    );
    assert!(mine["at"].as_str().unwrap().len() == 16, "{mine}");
    let mut dossiers: Vec<&str> = reuses
        .iter()
        .map(|r| r["dossier"].as_str().unwrap())
        .collect();
    dossiers.dedup();
    assert_eq!(counted(&app, "reused").await, dossiers.len() as i64);
    let (_, theirs) = get(&app, "/api/v1/me/data-store", &other).await;
    assert_eq!(theirs["reuses"].as_array().unwrap().len(), 0);

    // The page shows the store and its history, in Vietnamese.
    let (b, _) = crate::support::browser(&app, "congdan").await;
    let (s, html) = crate::support::get_page(&b, &app, "/tai-khoan/kho-du-lieu").await;
    assert_eq!(s, StatusCode::OK);
    for text in [
        "Kho dữ liệu của tôi",
        "15/GCN-STP",
        "Sở Tư pháp Thanh Hóa",
        "Bà Nhung có mặt",
        "Người dân có mặt tại Bộ phận Một cửa và đồng ý",
        counter.as_str(),
    ] {
        assert!(html.contains(text), "{text} missing");
    }
}

#[tokio::test]
async fn an_officer_who_saw_the_card_verifies_a_local_account() {
    let (app, [officer, specialist, _, _, _]) = setup().await;
    let admin = app.user("quantri", "admin", None).await;
    let (s, _) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "chuaxacthuc", "password": PASSWORD, "role": "citizen"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let unbound = app.token("chuaxacthuc", PASSWORD).await;
    // Not verified: it cannot lodge for itself, and has no data store yet.
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&unbound), body("online"))
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("account_not_bound")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("Bộ phận Một cửa"));
    let (s, e) = get(&app, "/api/v1/me/data-store", &unbound).await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("account_not_bound"))
    );

    let verify = |id: &str, doc: &str| json!({"id_number": id, "document": doc});
    let path = "/api/v1/users/chuaxacthuc/verification";
    let (s, _) = app
        .post(path, Some(&specialist), verify("038090001234", "Căn cước"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(path, Some(&unbound), verify("038090001234", "Căn cước"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nobody verifies themselves");
    let cases = [
        (
            verify("038090001234", " "),
            StatusCode::UNPROCESSABLE_ENTITY,
            "document_required",
        ),
        (
            verify("038090001234", &"x".repeat(201)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "document_required",
        ),
        (
            verify("03809000123", "Căn cước"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "citizen_id_length",
        ),
        (
            verify("038199012345", "Căn cước"),
            StatusCode::CONFLICT,
            "id_number_taken",
        ),
    ];
    for (input, status, code) in cases {
        let (s, e) = app.post(path, Some(&officer), input).await;
        assert_eq!((s, e["error"].as_str()), (status, Some(code)), "{e}");
    }
    let (s, e) = app
        .post(
            "/api/v1/users/chuyenvien/verification",
            Some(&officer),
            verify("038090001234", "Căn cước"),
        )
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("not_a_citizen_account")
        )
    );
    let (s, _) = app
        .post(
            "/api/v1/users/khongco/verification",
            Some(&officer),
            verify("038090001234", "Căn cước"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Still unbound after every refusal.
    let (_, me) = get(&app, "/api/v1/me", &unbound).await;
    assert!(me["id_number"].is_null(), "{me}");

    let (s, v) = app
        .post(
            path,
            Some(&officer),
            verify("038090001234", "Căn cước số 038090001234"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["officer"].as_str(), v["id_number"].as_str()),
        (Some("tiepnhan"), Some("038090001234"))
    );
    let (s, e) = app
        .post(path, Some(&officer), verify("038090001235", "Căn cước"))
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (StatusCode::CONFLICT, Some("account_already_bound"))
    );
    // Verified: it lodges under its own number now, and has its store.
    let (_, me) = get(&app, "/api/v1/me", &unbound).await;
    assert_eq!(me["id_number"], "038090001234");
    let mut own = body("online");
    own["applicant"]["id_number"] = json!("");
    let (s, d) = app.post("/api/v1/dossiers", Some(&unbound), own).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, _) = get(&app, "/api/v1/me/data-store", &unbound).await;
    assert_eq!(s, StatusCode::OK);

    // The desk's page does the same, with a Vietnamese answer.
    let (s, _) = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "chuaxacthuc2", "password": PASSWORD, "role": "citizen"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (b, csrf) = crate::support::browser(&app, "tiepnhan").await;
    let form = [
        ("csrf", csrf.as_str()),
        ("username", "chuaxacthuc2"),
        ("id_number", "038090001234"),
        ("document", "Căn cước"),
    ];
    let res = b
        .post(app.url("/mot-cua/xac-thuc-tai-khoan"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Số định danh cá nhân này đã gắn với một tài khoản khác."),
        "{html}"
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("username", "chuaxacthuc2"),
        ("id_number", "038090004321"),
        ("document", "Căn cước số 038090004321"),
    ];
    let res = b
        .post(app.url("/mot-cua/xac-thuc-tai-khoan"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"verify-done\""), "{html}");
}

#[tokio::test]
async fn lodging_for_someone_else_is_an_authorisation_recorded_with_the_dossier() {
    let (app, [officer, .., citizen, _]) = setup().await;
    let other_person = "001099012345";
    let mut for_other = body("online");
    for_other["applicant"]["id_number"] = json!(other_person);
    for_other["applicant"]["name"] = json!("Trần Văn Ủy");
    // Without an authorisation: refused as before.
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&citizen), for_other.clone())
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("id_number_not_yours")
        ),
        "{e}"
    );
    let auth = json!({"scope": "Nộp hồ sơ và nhận kết quả", "document_number": "12/2026/UQ"});
    // For oneself an authorisation is refused; an incomplete one too; and off the portal.
    let mut own = body("online");
    own["authorisation"] = auth.clone();
    let mut blank_scope = for_other.clone();
    blank_scope["authorisation"] = json!({"scope": " ", "document_number": "12/2026/UQ"});
    let mut long_number = for_other.clone();
    long_number["authorisation"] =
        json!({"scope": "Nộp hồ sơ", "document_number": "9".repeat(101)});
    for (input, token, code) in [
        (own, &citizen, "authorisation_not_needed"),
        (blank_scope, &citizen, "authorisation_invalid"),
        (long_number, &citizen, "authorisation_invalid"),
    ] {
        let (s, e) = app.post("/api/v1/dossiers", Some(token), input).await;
        assert_eq!(
            (s, e["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
            "{e}"
        );
    }
    let mut at_counter = body("counter");
    at_counter["authorisation"] = auth.clone();
    let (s, e) = app
        .post("/api/v1/dossiers", Some(&officer), at_counter)
        .await;
    assert_eq!(
        (s, e["error"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("authorisation_online_only")
        ),
        "{e}"
    );

    let mut authorised = for_other.clone();
    authorised["authorisation"] = auth.clone();
    let (s, d) = app
        .post("/api/v1/dossiers", Some(&citizen), authorised)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let code = d["code"].as_str().unwrap().to_string();
    let (_, view) = get(&app, &format!("/api/v1/dossiers/{code}"), &officer).await;
    assert_eq!(view["state"]["applicant"]["id_number"], other_person);
    let a = &view["state"]["authorisation"];
    assert_eq!(a["representative_id"], "038199012345", "{view}");
    assert_eq!(a["representative_name"], "Người dùng congdan");
    assert_eq!(a["scope"], "Nộp hồ sơ và nhận kết quả");
    assert_eq!(a["document_number"], "12/2026/UQ");
    // The representative's own store is not the authoriser's: nothing of it goes in.
    let (s, _) = app
        .post(
            &format!("/api/v1/dossiers/{code}/documents/reuse"),
            Some(&citizen),
            json!({"component": "Tờ khai", "sha256": "ab".repeat(32), "version": view["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Received: the receipt names the representative and the authorisation.
    let (s, r) = app
        .post(
            &format!("/api/v1/dossiers/{code}/actions/receive"),
            Some(&officer),
            json!({"version": view["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let res = app
        .client
        .get(app.url(&format!("/api/v1/dossiers/{code}/forms/receipt")))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Người được ủy quyền nộp hồ sơ"), "{html}");
    assert!(
        html.contains("12/2026/UQ") && html.contains("0381******45"),
        "{html}"
    );
}

#[tokio::test]
async fn the_profile_keeps_contact_details_and_lists_sessions() {
    let (app, [officer, .., citizen, _]) = setup().await;
    let (app, citizen) = (&app, citizen.as_str());
    let put = |v: Value| async move {
        app.send(Method::PUT, "/api/v1/me/contact", Some(citizen), Some(v))
            .await
    };
    let cases = [
        (json!({"phone": "12345"}), "phone_invalid"),
        (json!({"email": "khong-hop-le"}), "email_invalid"),
        (
            json!({"email": format!("{}@example.vn", "a".repeat(250))}),
            "email_invalid",
        ),
        (json!({"address": "x".repeat(301)}), "address_too_long"),
        (
            json!({"notify_channel": "sms"}),
            "notify_channel_unreachable",
        ),
        (json!({"notify_channel": "fax"}), "notify_channel_invalid"),
    ];
    for (input, code) in cases {
        let (s, e) = put(input.clone()).await;
        assert_eq!(
            (s, e["error"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
            "{input}"
        );
    }
    let (s, c) = put(
        json!({"phone": "+84 912 345 678", "email": "nhung@example.vn",
                            "address": "Phường Hạc Thành, Thanh Hóa", "notify_channel": "sms"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["phone"], "0912345678");
    let (_, c) = get(app, "/api/v1/me/contact", citizen).await;
    assert_eq!(
        (c["notify_channel"].as_str(), c["address"].as_str()),
        (Some("sms"), Some("Phường Hạc Thành, Thanh Hóa"))
    );
    let (_, theirs) = get(app, "/api/v1/me/contact", &officer).await;
    assert_eq!(theirs["phone"], "", "each person their own");

    // Sessions with their devices; one other ended, not another account's.
    let second = app.token("congdan", PASSWORD).await;
    let seen = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&second)
        .header("user-agent", "Ứng dụng thử/1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), StatusCode::OK);
    let (s, list) = get(app, "/api/v1/me/sessions", citizen).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    let current: Vec<&Value> = list.iter().filter(|d| d["current"] == true).collect();
    assert_eq!(current.len(), 1);
    let other = list.iter().find(|d| d["current"] == false).unwrap();
    assert_eq!(other["user_agent"], "Ứng dụng thử/1.0", "{other}");
    assert!(other["last_seen"].is_string());
    let id = other["id"].as_str().unwrap();
    let (s, _) = app
        .send(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{id}"),
            Some(&officer),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not the officer's session");
    let (s, _) = app
        .send(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{id}"),
            Some(citizen),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = get(app, "/api/v1/me", &second).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, list) = get(app, "/api/v1/me/sessions", citizen).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // The page: contact form, devices, and the header's link to it.
    let (b, csrf) = crate::support::browser(app, "congdan").await;
    let (s, html) = crate::support::get_page(&b, app, "/tai-khoan").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("href=\"/tai-khoan\" id=\"account-link\""));
    assert!(html.contains("value=\"0912345678\"") && html.contains("account-device"));
    let form = [
        ("csrf", csrf.as_str()),
        ("phone", "0912"),
        ("email", ""),
        ("address", ""),
        ("notify_channel", ""),
    ];
    let res = b
        .post(app.url("/tai-khoan/lien-he"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Số điện thoại không hợp lệ")
    );
}
