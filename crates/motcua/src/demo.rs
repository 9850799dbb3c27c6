//! Demo data for `serve --demo`: a realistic agency tree for every province and commune in
//! force since 1/7/2025, and one account per role.
//!
//! The electronic identifier codes are generated in the QCVN shape, not the real register:
//! province People's Committee `000.00.00.H<province code>`, its service centre and
//! departments `000.00.NN.H<pp>`, each commune People's Committee `000.ZZ.3Y.H<pp>` and commune
//! service centre `000.ZZ.4Y.H<pp>` (YZZ = the commune's rank in its province), ministries
//! `000.00.00.G<nn>`. Real deployments create their agencies with their real codes.

use chrono::Utc;
use motcua_app::accounts::{self as service, CreateUser};
use motcua_domain::agency::AgencyKind;
use motcua_store::{DbError, NewAgency, Store, UnitQuery};
use uuid::Uuid;

/// The demo province: Thanh Hóa (statistics code 38).
pub const DEMO_PROVINCE: &str = "38";
pub const DEMO_PASSWORD: &str = "motcua-demo";
/// The demo citizen's personal identification number (Thanh Hóa, born 1990), bound to `congdan`.
pub const DEMO_CITIZEN_ID: &str = "038190004321";

const MINISTRIES: [&str; 7] = [
    "Bộ Tài chính",
    "Bộ Công an",
    "Bộ Nông nghiệp và Môi trường",
    "Bộ Xây dựng",
    "Bộ Tư pháp",
    "Ngân hàng Nhà nước Việt Nam",
    "Tòa án nhân dân tối cao",
];

/// Provincial bodies after the 2025 reorganisation: (level-2 number, name, kind).
const PROVINCE_BODIES: [(u32, &str, AgencyKind); 14] = [
    (
        1,
        "Trung tâm Phục vụ hành chính công",
        AgencyKind::ServiceCentre,
    ),
    (2, "Sở Tư pháp", AgencyKind::Department),
    (3, "Sở Xây dựng", AgencyKind::Department),
    (4, "Sở Nông nghiệp và Môi trường", AgencyKind::Department),
    (5, "Sở Tài chính", AgencyKind::Department),
    (6, "Sở Y tế", AgencyKind::Department),
    (7, "Sở Nội vụ", AgencyKind::Department),
    (8, "Sở Giáo dục và Đào tạo", AgencyKind::Department),
    (9, "Sở Công Thương", AgencyKind::Department),
    (
        10,
        "Sở Văn hóa, Thể thao và Du lịch",
        AgencyKind::Department,
    ),
    (11, "Sở Khoa học và Công nghệ", AgencyKind::Department),
    (20, "Công an", AgencyKind::VerticalBranch),
    (21, "Thuế", AgencyKind::VerticalBranch),
    (22, "Bảo hiểm xã hội", AgencyKind::VerticalBranch),
];

fn agency(
    code: String,
    name: String,
    kind: AgencyKind,
    parent: Option<Uuid>,
    unit: &str,
    province: &str,
) -> NewAgency {
    NewAgency {
        id: Uuid::now_v7(),
        code,
        name,
        kind,
        parent_id: parent,
        unit_id: Some(unit.to_string()),
        province_code: Some(province.to_string()),
        created_at: Utc::now(),
    }
}

/// Strips the type word: "Tỉnh Thanh Hóa" → "Thanh Hóa", "Thành phố Hà Nội" → "Hà Nội".
fn bare(name: &str) -> &str {
    for p in ["Thành phố ", "Tỉnh "] {
        if let Some(rest) = name.strip_prefix(p) {
            return rest;
        }
    }
    name
}

/// Builds the demo agency tree (idempotent: existing codes are kept). Returns agencies added.
pub async fn seed_agencies(store: &dyn Store) -> anyhow::Result<u64> {
    let communes = store
        .list_agencies(&motcua_store::AgencyQuery {
            kind: Some(AgencyKind::CommuneCommittee),
            limit: 1,
            ..Default::default()
        })
        .await?;
    if communes.total >= 3321 {
        return Ok(0); // seeded before
    }
    let mut batch = Vec::new();
    for (i, name) in MINISTRIES.iter().enumerate() {
        batch.push(NewAgency {
            id: Uuid::now_v7(),
            code: format!("000.00.00.G{:02}", i + 1),
            name: name.to_string(),
            kind: AgencyKind::Ministry,
            parent_id: None,
            unit_id: None,
            province_code: None,
            created_at: Utc::now(),
        });
    }
    let at = motcua_domain::vn_time::today().max(motcua_domain::units::two_tier_start());
    let units = |level, parent: Option<String>| UnitQuery {
        q: None,
        parent,
        level: Some(level),
        at,
        limit: 10_000,
    };
    let provinces = store
        .search_units(&units(motcua_domain::units::Level::Province, None))
        .await?
        .items;
    for p in &provinces {
        let pp = &p.code;
        let committee = agency(
            format!("000.00.00.H{pp}"),
            format!(
                "Ủy ban nhân dân {}",
                p.name
                    .replace("Tỉnh", "tỉnh")
                    .replace("Thành phố", "thành phố")
            ),
            AgencyKind::ProvinceCommittee,
            None,
            &p.id,
            pp,
        );
        let committee_id = committee.id;
        batch.push(committee);
        for (n, body, kind) in PROVINCE_BODIES {
            let name = match kind {
                AgencyKind::VerticalBranch => format!("{body} {}", bare(&p.name)),
                _ => format!("{body} {}", bare(&p.name)),
            };
            batch.push(agency(
                format!("000.00.{n:02}.H{pp}"),
                name,
                kind,
                Some(committee_id),
                &p.id,
                pp,
            ));
        }
        let communes = store
            .search_units(&units(
                motcua_domain::units::Level::Commune,
                Some(pp.clone()),
            ))
            .await?
            .items;
        for (k, c) in communes.iter().enumerate() {
            let k = k + 1;
            let (y, zz) = (k / 100, k % 100);
            let committee = agency(
                format!("000.{zz:02}.{:02}.H{pp}", 30 + y),
                format!("Ủy ban nhân dân {}", lower_type(&c.name)),
                AgencyKind::CommuneCommittee,
                Some(committee_id),
                &c.id,
                pp,
            );
            let commune_id = committee.id;
            batch.push(committee);
            batch.push(agency(
                format!("000.{zz:02}.{:02}.H{pp}", 40 + y),
                format!("Trung tâm Phục vụ hành chính công {}", lower_type(&c.name)),
                AgencyKind::ServiceCentre,
                Some(commune_id),
                &c.id,
                pp,
            ));
        }
    }
    Ok(store.insert_agencies(&batch).await?)
}

/// "Phường Ba Đình" → "phường Ba Đình" (the type word is lower-case inside a name).
fn lower_type(name: &str) -> String {
    for t in ["Phường", "Xã", "Đặc khu"] {
        if let Some(rest) = name.strip_prefix(t) {
            return format!("{}{rest}", t.to_lowercase());
        }
    }
    name.to_string()
}

/// One account per role, in the demo province, and its post office as a partner (password [`DEMO_PASSWORD`]).
pub async fn seed_users(store: &dyn Store) -> anyhow::Result<u32> {
    let pp = DEMO_PROVINCE;
    let accounts = [
        ("quantri", "Quản trị hệ thống", "admin", None),
        (
            "tiepnhan",
            "Nguyễn Thị Hồng Nhung",
            "receiving_officer",
            Some(format!("000.00.01.H{pp}")),
        ),
        (
            "chuyenvien",
            "Trần Văn Đức",
            "specialist",
            Some(format!("000.00.02.H{pp}")),
        ),
        (
            "lanhdao",
            "Lê Minh Hoàng",
            "leader",
            Some(format!("000.00.00.H{pp}")),
        ),
        ("congdan", "Phạm Thị Thu Hà", "citizen", None),
        // The province's post office, lodging postal dossiers for citizens (#21).
        (
            "buudien",
            "Bưu điện tỉnh Thanh Hóa",
            "partner",
            Some(format!("000.00.00.H{pp}")),
        ),
    ];
    // The demo citizen's account is bound to her ID number (checked at the counter).
    let id_number = |username: &str| (username == "congdan").then(|| DEMO_CITIZEN_ID.to_string());
    let mut created = 0;
    for (username, name, role, agency) in accounts {
        match store.user_by_username(username).await {
            Ok(_) => continue,
            Err(DbError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
        let input = CreateUser {
            username: username.into(),
            full_name: Some(name.into()),
            password: DEMO_PASSWORD.into(),
            role: role.into(),
            agency_code: agency,
            id_number: id_number(username),
        };
        match service::create_user(store, input).await {
            Ok(_) => created += 1,
            // Another process seeded it at the same moment.
            Err(motcua_app::AppError::Conflict { .. }) => {}
            Err(e) => anyhow::bail!("demo account {username}: {e}"),
        }
    }
    Ok(created)
}

/// The kiosk areas of the demo province's service centre (kept when set up already): the
/// groups of counters a provincial centre commonly has.
pub async fn seed_hall(store: &dyn Store) -> anyhow::Result<usize> {
    let centre = store
        .get_agency_by_code(&format!("000.00.01.H{DEMO_PROVINCE}"))
        .await?;
    if !store.hall_areas(centre.id).await?.is_empty() {
        return Ok(0);
    }
    let areas: Vec<motcua_domain::hall::Area> = [
        ("A", "Tư pháp, hộ tịch, chứng thực"),
        ("B", "Đất đai, xây dựng, tài nguyên"),
        ("C", "Đầu tư, doanh nghiệp"),
        ("D", "Lao động, xã hội, y tế, giáo dục"),
    ]
    .into_iter()
    .map(|(code, name)| motcua_domain::hall::Area {
        code: code.into(),
        name: name.into(),
    })
    .collect();
    store.set_hall_areas(centre.id, &areas).await?;
    Ok(areas.len())
}

const CATALOGUE: [&[u8]; 2] = [
    include_bytes!("../../../data/procedures-dvc-part1.jsonl.gz"),
    include_bytes!("../../../data/procedures-dvc-part2.jsonl.gz"),
];

/// Imports the shipped catalogue (2,642 real procedures) when the database has none, and lets
/// the demo province's service centre and first commune take dossiers at once: each applies
/// the procedures of its level with the default workflow.
pub async fn seed_catalogue(store: &dyn Store) -> anyhow::Result<(usize, usize)> {
    if store.catalogue_version().await?.starts_with("0:") {
        for part in CATALOGUE {
            let text = crate::procedures_cmd::gunzip_if_needed(part, "demo catalogue")?;
            motcua_app::catalogue::import_dvc(
                store,
                &text,
                motcua_domain::vn_time::today(),
                "demo",
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message_vi()))?;
        }
    }
    let centre = store
        .get_agency_by_code(&format!("000.00.01.H{DEMO_PROVINCE}"))
        .await?;
    let commune = store
        .get_agency_by_code(&format!("000.01.30.H{DEMO_PROVINCE}"))
        .await?;
    let mut applied = 0;
    for (agency, level) in [(centre.id, "province"), (commune.id, "commune")] {
        if !store.agency_procedures(agency).await?.is_empty() {
            continue;
        }
        let page = store
            .list_procedures(&motcua_store::ProcedureSearch {
                level: Some(level.into()),
                limit: 10_000,
                ..Default::default()
            })
            .await?;
        for hit in page.items {
            // Procedures without a structured time limit cannot get a workflow; skip them.
            if motcua_app::catalogue::apply(store, &hit.code, agency, None)
                .await
                .is_ok()
            {
                applied += 1;
            }
        }
    }
    let total = store.procedure_hits().await?.len();
    Ok((total, applied))
}

/// Online payment for the demo (#23): the fake VNPAY (`crates/fake-vnpay`) on a loopback port,
/// calling this server's IPN at `listen_url`, and the demo centre's and commune's gateway
/// accounts pointing at it, the payer coming back to `public_url`. A fresh secret each start.
pub async fn start_payments(
    store: &dyn Store,
    public_url: &str,
    listen_url: &str,
) -> anyhow::Result<String> {
    let secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let tmn_code = "MOTCUADEMO".to_string();
    let router = fake_vnpay::router(fake_vnpay::FakeConfig {
        tmn_code: tmn_code.clone(),
        hash_secret: secret.clone(),
        ipn_url: Some(format!("{listen_url}/api/v1/payments/vnpay/ipn")),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let fake = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::warn!(error = %e, "the demo's fake VNPAY stopped");
        }
    });
    for code in [
        format!("000.00.01.H{DEMO_PROVINCE}"),
        format!("000.01.30.H{DEMO_PROVINCE}"),
    ] {
        let agency = store.get_agency_by_code(&code).await?;
        store
            .put_gateway_account(&motcua_store::GatewayAccount {
                agency_id: agency.id,
                gateway: "vnpay".into(),
                merchant_code: tmn_code.clone(),
                hash_secret: secret.clone(),
                pay_url: format!("{fake}/paymentv2/vpcpay.html"),
                api_url: format!("{fake}/merchant_webapi/api/transaction"),
                return_url: format!("{}/thanh-toan/ket-qua", public_url.trim_end_matches('/')),
                receipt_template: motcua_app::payments::DEFAULT_RECEIPT_TEMPLATE.into(),
                receipt_serial: motcua_app::payments::DEFAULT_RECEIPT_SERIAL.into(),
                updated_at: Utc::now(),
            })
            .await?;
        if store.bank_account(agency.id).await?.is_none() {
            store
                .put_bank_account(&motcua_store::BankAccount {
                    agency_id: agency.id,
                    bank_bin: "970405".into(),
                    account: "1234567890".into(),
                    account_name: agency.name.clone(),
                    updated_at: Utc::now(),
                })
                .await?;
        }
    }
    Ok(fake)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_read_naturally() {
        assert_eq!(super::bare("Tỉnh Thanh Hóa"), "Thanh Hóa");
        assert_eq!(super::bare("Thành phố Hà Nội"), "Hà Nội");
        assert_eq!(super::lower_type("Phường Ba Đình"), "phường Ba Đình");
        assert_eq!(super::lower_type("Đặc khu Côn Đảo"), "đặc khu Côn Đảo");
    }
}
