//! The embedded pack against legal-rules §3.2, every points rule on hand-computed figures,
//! pack validation and the registry of packs.

use chrono::NaiveDate;

use super::*;

use InputKey as K;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn index_embedded_pack_is_the_portal_table() {
    let pack = dvcqg_2025();
    assert_eq!(pack.version, "766-dvcqg-2025");
    assert_eq!(pack.effective_from, date(2022, 6, 23));
    let groups: Vec<(&str, f64)> = pack
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.max))
        .collect();
    assert_eq!(
        groups,
        [
            ("1", 18.0),
            ("2", 20.0),
            ("3", 12.0),
            ("TT", 10.0),
            ("4", 22.0),
            ("5", 18.0)
        ]
    );
    let names: Vec<&str> = pack.groups.iter().map(|g| g.name_vi.as_str()).collect();
    assert_eq!(
        names,
        [
            "Công khai, minh bạch",
            "Tiến độ, kết quả giải quyết",
            "Cung cấp dịch vụ công trực tuyến",
            "Thanh toán trực tuyến",
            "Số hóa hồ sơ",
            "Mức độ hài lòng",
        ]
    );
    let maxima: Vec<(&str, f64)> = pack
        .indicators()
        .map(|i| (i.code.as_str(), i.max))
        .collect();
    assert_eq!(
        maxima,
        [
            ("1.1", 6.0),
            ("1.2", 4.0),
            ("1.3", 2.0),
            ("1.4", 6.0),
            ("2.1", 20.0),
            ("2.2", 0.0),
            ("3.1", 2.0),
            ("3.2", 4.0),
            ("3.3", 6.0),
            ("3.3b", 0.0),
            ("3.5", 2.0),
            ("3.5b", 2.0),
            ("3.6", 6.0),
            ("4.1", 6.0),
            ("4.2", 4.0),
            ("4.2b", 2.0),
            ("4.3", 2.0),
            ("4.4", 4.0),
            ("4.5b", 2.0),
            ("4.5a", 2.0),
            ("5.1", 0.0),
            ("5.2", 6.0),
            ("5.3", 6.0),
            ("5.4", 6.0),
        ]
    );
    let rule = |code: &str| pack.indicator(code).unwrap().points.clone();
    assert_eq!(rule("3.1"), PointsRule::FullAt { threshold: 0.8 });
    assert_eq!(rule("3.3"), PointsRule::FullAt { threshold: 0.5 });
    assert_eq!(rule("4.3"), PointsRule::FullAt { threshold: 0.8 });
    assert_eq!(rule("4.1"), PointsRule::CappedLinear);
    assert_eq!(rule("2.1"), PointsRule::Linear);
    assert!(
        matches!(rule("5.4"), PointsRule::Satisfaction54 { threshold, .. } if threshold == 0.9)
    );
    let zero = |code: &str| pack.indicator(code).unwrap().when_zero_denominator;
    assert_eq!(zero("5.2"), ZeroDenominator::Full);
    assert_eq!(zero("5.3"), ZeroDenominator::Full);
    assert_eq!(zero("5.4"), ZeroDenominator::Zero);
    assert_eq!(zero("2.1"), ZeroDenominator::Zero);
    assert_eq!(
        pack.indicator("3.3").unwrap().rate_factor.as_deref(),
        Some("1.4")
    );
    // The pack serialises (for the API) with its keys as text.
    let json = serde_json::to_value(&pack).unwrap();
    assert_eq!(
        json["groups"][1]["indicators"][0]["numerator"],
        "dossiers_handled_on_time"
    );
}

/// Every input held, with figures chosen to exercise each rule (hand-computed below).
fn full_inputs() -> IndexInputs {
    [
        (K::ProceduresPublishedOnTime, 8.0),
        (K::ProceduresPublished, 10.0),
        (K::ProceduresUpdatedOnTime, 3.0),
        (K::ProceduresToUpdate, 4.0),
        (K::ProceduresFullyPublicised, 45.0),
        (K::ProceduresPublicised, 50.0),
        (K::DossiersSynced, 90.0),
        (K::DossiersToSync, 100.0),
        (K::DossiersHandledOnTime, 45.0),
        (K::DossiersToHandle, 50.0),
        (K::ProcessingDaysTotal, 140.0),
        (K::DossiersResolved, 8.0),
        (K::ProceduresWithOnlineService, 30.0),
        (K::ProceduresInCompetence, 50.0),
        (K::OnlineServicesWithDossiers, 9.0),
        (K::OnlineServices, 12.0),
        (K::DossiersReceivedOnline, 20.0),
        (K::DossiersReceived, 50.0),
        (K::DossiersFullyOnline, 5.0),
        (K::DossiersFullyOnlineEligible, 10.0),
        (K::ProceduresWithFeeDossiers, 7.0),
        (K::ProceduresWithFees, 10.0),
        (K::ProceduresWithOnlinePayment, 9.0),
        (K::DossiersPaidOnline, 7.0),
        (K::DossiersWithFees, 9.0),
        (K::DossiersWithElectronicResult, 3.0),
        (K::DossiersDigitised, 60.0),
        (K::CommunesWithCertifiedCopies, 1.0),
        (K::CommunesManaged, 4.0),
        (K::DossiersReusingData, 50.0 / 3.0),
        (K::DossiersFromPersonalStore, 0.0),
        (K::DossiersUsingPopulationData, 25.0),
        (K::ProceduresUsingPopulationData, 3.0),
        (K::ProceduresForCitizens, 4.0),
        (K::FeedbackAboutRegulations, 2.0),
        (K::FeedbackReceived, 0.0),
        (K::FeedbackHandledOnTime, 0.0),
        (K::FeedbackToHandle, 0.0),
        (K::FeedbackSatisfactory, 0.0),
        (K::DossiersOverdue, 5.0),
        (K::DossiersWithComplaint, 2.0),
    ]
    .into_iter()
    .fold(IndexInputs::new(), |i, (k, v)| i.with(k, v))
}

#[test]
fn index_every_indicator_by_hand() {
    let r = compute(&dvcqg_2025(), &full_inputs());
    let check = |code: &str, rate: Option<f64>, points: f64| {
        let i = r.indicator(code).unwrap();
        assert!(!i.no_data, "{code}");
        assert_eq!((i.rate, i.points), (rate, points), "{code}");
    };
    // 1: max × rate.
    check("1.1", Some(80.0), 4.8); // 6 × 8/10
    check("1.2", Some(75.0), 3.0); // 4 × 3/4
    check("1.3", Some(90.0), 1.8); // 2 × 45/50
    check("1.4", Some(90.0), 5.4); // 6 × 90/100
    // 2.1: 20 × 45/50; 2.2 is an average (140 days / 8 dossiers), not scored.
    check("2.1", Some(90.0), 18.0);
    check("2.2", Some(17.5), 0.0);
    assert_eq!(r.indicator("2.2").unwrap().rate_unit, RateUnit::Ratio);
    // 3.1: 30/50 = 60% < 80% → 2 × 0.6 / 0.8.
    check("3.1", Some(60.0), 1.5);
    check("3.2", Some(75.0), 3.0); // 4 × 9/12
    // 3.3: 20/50 × the sync rate 0.9 = 36% < 50% → 6 × 0.36 / 0.5.
    check("3.3", Some(36.0), 4.32);
    assert_eq!(r.indicator("3.3").unwrap().factor, Some(0.9));
    check("3.3b", Some(50.0), 0.0);
    // Payment: 7/10 → 2 × 0.7 / 0.8; 9/10 ≥ 80% → 2; 6 × 7/9 = 4.666….
    check("3.5", Some(70.0), 1.75);
    check("3.5b", Some(90.0), 2.0);
    check("3.6", Some(77.78), 4.67);
    // 4: capped (60/50 = 120% → 4, not 4.8) and 4.3's threshold: 1/3 → 2 × (1/3) / 0.8.
    check("4.1", Some(37.5), 2.25);
    check("4.2", Some(120.0), 4.0);
    check("4.2b", Some(25.0), 0.5);
    check("4.3", Some(33.33), 0.83);
    check("4.4", Some(0.0), 0.0);
    check("4.5b", Some(50.0), 1.0);
    check("4.5a", Some(75.0), 1.5);
    // 5: no feedback at all → 5.2 and 5.3 full; 5.4: (50 − 5 − 2)/50 = 86% < 90% →
    // 6 × 0.86 / 0.9 = 5.733….
    check("5.1", None, 0.0); // 2 about regulations of 0 received: no rate
    check("5.2", None, 6.0);
    check("5.3", None, 6.0);
    check("5.4", Some(86.0), 5.73);
    assert_eq!(r.indicator("5.4").unwrap().numerator, Some(43.0));

    let groups: Vec<(&str, f64)> = r
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.points))
        .collect();
    assert_eq!(
        groups,
        [
            ("1", 15.0),
            ("2", 18.0),
            ("3", 8.82),
            ("TT", 8.42),
            ("4", 10.08),
            ("5", 17.73)
        ]
    );
    assert_eq!(r.total, 78.05);
    assert_eq!(r.max_with_data, 100.0);
    assert_eq!(r.version, "766-dvcqg-2025");
}

#[test]
fn index_no_data_and_zero_denominators() {
    use K::*;
    // What motcua holds today, for a unit with no dossier at all.
    let inputs = [
        DossiersToHandle,
        DossiersHandledOnTime,
        DossiersOverdue,
        DossiersReceived,
        DossiersReceivedOnline,
        DossiersResolved,
        DossiersWithElectronicResult,
        DossiersWithFees,
        DossiersPaidOnline,
    ]
    .into_iter()
    .fold(IndexInputs::new(), |i, k| i.with(k, 0.0));
    let r = compute(&dvcqg_2025(), &inputs);
    for code in [
        "1.1", "1.2", "1.3", "1.4", "2.2", "3.1", "3.2", "3.3b", "3.5", "3.5b", "4.2", "4.2b",
        "4.3", "4.4", "4.5b", "4.5a", "5.1", "5.2", "5.3",
    ] {
        let i = r.indicator(code).unwrap();
        assert!(i.no_data && i.points == 0.0 && i.rate.is_none(), "{code}");
    }
    for code in ["2.1", "3.3", "3.6", "4.1", "5.4"] {
        let i = r.indicator(code).unwrap();
        assert!(!i.no_data && i.points == 0.0 && i.rate.is_none(), "{code}");
        assert_eq!(i.denominator, Some(0.0), "{code}");
    }
    // 3.3 without the sync rate: no factor; 5.4 without complaints: counted as 0, said so.
    assert_eq!(r.indicator("3.3").unwrap().factor, None);
    assert_eq!(
        r.indicator("5.4").unwrap().assumed_zero,
        [DossiersWithComplaint]
    );
    assert_eq!(r.total, 0.0);
    // 20 + 6 + 6 + 6 + 6: the points motcua's own data can earn.
    assert_eq!(r.max_with_data, 44.0);

    // A held figure is shown even when its partner is missing.
    let r = compute(
        &dvcqg_2025(),
        &IndexInputs::new().with(DossiersReceived, 12.0),
    );
    let i = r.indicator("3.3").unwrap();
    assert!(i.no_data);
    assert_eq!((i.numerator, i.denominator), (None, Some(12.0)));
    assert_eq!(r.max_with_data, 0.0);
}

#[test]
fn index_factor_penalties_and_uncapped_linear() {
    let pack = dvcqg_2025();
    // The sync indicator with a zero denominator: no factor for 3.3 (30/50 → full).
    let inputs = full_inputs()
        .with(K::DossiersToSync, 0.0)
        .with(K::DossiersReceivedOnline, 30.0);
    let r = compute(&pack, &inputs);
    let i = r.indicator("3.3").unwrap();
    assert_eq!((i.factor, i.rate, i.points), (None, Some(60.0), 6.0));
    assert_eq!(r.indicator("1.4").unwrap().points, 0.0);

    // 5.4 needs the overdue figure: without it, no data.
    let mut inputs = full_inputs();
    inputs.remove(K::DossiersOverdue);
    let i = compute(&pack, &inputs).indicator("5.4").cloned().unwrap();
    assert!(i.no_data);
    assert_eq!(i.points, 0.0);
    // 92% satisfied → full.
    let inputs = full_inputs()
        .with(K::DossiersOverdue, 2.0)
        .with(K::DossiersWithComplaint, 2.0);
    assert_eq!(
        compute(&pack, &inputs).indicator("5.4").unwrap().points,
        6.0
    );
    // Feedback present: 5.2 = 6 × 9/10, 5.3 = 6 × 3/4.
    let inputs = full_inputs()
        .with(K::FeedbackHandledOnTime, 9.0)
        .with(K::FeedbackToHandle, 10.0)
        .with(K::FeedbackSatisfactory, 3.0)
        .with(K::FeedbackReceived, 4.0);
    let r = compute(&pack, &inputs);
    assert_eq!(r.indicator("5.2").unwrap().points, 5.4);
    assert_eq!(r.indicator("5.3").unwrap().points, 4.5);

    // `linear` is the portal's literal max × rate: 12/10 gives 7.2 of 6 (inputs should not
    // exceed their denominators; `index_inputs` clamps the one case where they could).
    let r = compute(
        &pack,
        &full_inputs().with(K::ProceduresPublishedOnTime, 12.0),
    );
    assert_eq!(r.indicator("1.1").unwrap().points, 7.2);
}

/// A small valid pack: two groups, 60 + 40.
fn synthetic(version: &str, effective_from: &str) -> String {
    format!(
        r#"{{
  "version": "{version}", "name_vi": "Bộ chỉ số thử nghiệm", "effective_from": "{effective_from}",
  "groups": [
    {{ "code": "A", "name_vi": "Tiến độ", "max": 60, "indicators": [
      {{ "code": "A.1", "name_vi": "Đúng hạn", "max": 60, "numerator": "dossiers_handled_on_time",
         "denominator": "dossiers_to_handle",
         "points": {{ "rule": "full_at", "threshold": 0.95 }} }}
    ] }},
    {{ "code": "B", "name_vi": "Trực tuyến", "max": 40, "indicators": [
      {{ "code": "B.1", "name_vi": "Nộp trực tuyến", "max": 40,
         "numerator": "dossiers_received_online",
         "denominator": "dossiers_received", "points": {{ "rule": "linear" }} }}
    ] }}
  ]
}}"#
    )
}

#[test]
fn index_packs_by_version_and_date() {
    let mut packs = IndexPacks::embedded();
    let second = IndexPack::from_json(&synthetic("thu-nghiem-2026", "2026-01-01")).unwrap();
    packs.add(second).unwrap();
    assert_eq!(packs.iter().count(), 2);
    assert_eq!(
        packs
            .for_date(date(2022, 6, 22))
            .map(|p| p.version.as_str()),
        None
    );
    assert_eq!(
        packs.for_date(date(2024, 5, 1)).unwrap().version,
        "766-dvcqg-2025"
    );
    assert_eq!(
        packs.for_date(date(2025, 12, 31)).unwrap().version,
        "766-dvcqg-2025"
    );
    assert_eq!(
        packs.for_date(date(2026, 1, 1)).unwrap().version,
        "thu-nghiem-2026"
    );
    assert!(packs.get("766-dvcqg-2025").is_some());

    // Scored with the second pack: 60 × 0.9 / 0.95 = 56.84; 40 × 1/4 = 10.
    let inputs = IndexInputs::new()
        .with(K::DossiersHandledOnTime, 9.0)
        .with(K::DossiersToHandle, 10.0)
        .with(K::DossiersReceivedOnline, 1.0)
        .with(K::DossiersReceived, 4.0);
    let r = compute(packs.for_date(date(2026, 3, 1)).unwrap(), &inputs);
    assert_eq!(r.total, 66.84);

    let again = IndexPack::from_json(&synthetic("thu-nghiem-2026", "2027-01-01")).unwrap();
    assert_eq!(
        packs.add(again).unwrap_err().code(),
        "index_pack_duplicate_version"
    );
    let same_day = IndexPack::from_json(&synthetic("khac", "2026-01-01")).unwrap();
    let e = packs.add(same_day).unwrap_err();
    assert_eq!(e.code(), "index_pack_duplicate_date");
    assert!(e.message_vi().contains("01/01/2026"), "{}", e.message_vi());
}

#[test]
fn index_pack_validation_errors_are_clear() {
    let base = synthetic("v", "2026-01-01");
    #[track_caller]
    fn err(json: &str) -> PackError {
        IndexPack::from_json(json).unwrap_err()
    }
    let e = err(&base.replace("dossiers_received_online", "dossiers_online"));
    assert_eq!(
        e,
        PackError::UnknownKey {
            indicator: "B.1".into(),
            key: "dossiers_online".into()
        }
    );
    assert!(e.message_vi().contains("dossiers_online"));
    assert!(matches!(err("{"), PackError::Json { .. }));
    assert!(matches!(
        err(&base.replace("\"max\": 60, \"numerator\"", "\"max\": 50, \"numerator\"")),
        PackError::GroupMax { ref group, declared, sum }
            if group == "A" && declared == 60.0 && sum == 50.0
    ));
    let e = err(&base
        .replace("\"max\": 40, \"indicators\"", "\"max\": 30, \"indicators\"")
        .replace(
            "\"Nộp trực tuyến\", \"max\": 40",
            "\"Nộp trực tuyến\", \"max\": 30",
        ));
    assert_eq!(e, PackError::TotalNot100 { sum: 90.0 });
    assert!(e.message_vi().contains("100"));
    assert_eq!(
        err(&base.replace("\"B.1\"", "\"A.1\"")).code(),
        "index_pack_duplicate_code"
    );
    assert_eq!(err(&base.replace("\"v\"", "\" \"")), PackError::NoVersion);
    let problem = |json: String| match err(&json) {
        PackError::Indicator { problem, .. } => problem,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        problem(base.replace("0.95", "1.5")),
        IndicatorProblem::BadThreshold { threshold: 1.5 }
    );
    assert_eq!(
        problem(base.replace("\"rule\": \"linear\"", "\"rule\": \"not_scored\"")),
        IndicatorProblem::NotScoredWithMax
    );
    assert_eq!(
        problem(base.replace(
            "\"rule\": \"linear\" }",
            "\"rule\": \"linear\" }, \"rate_factor\": \"Z.9\""
        )),
        IndicatorProblem::UnknownFactor { code: "Z.9".into() }
    );
    assert_eq!(
        problem(base.replace(
            "\"rule\": \"linear\" }",
            "\"rule\": \"linear\" }, \"rate_factor\": \"B.1\""
        )),
        IndicatorProblem::FactorOfItself
    );
    assert_eq!(
        problem(base.replace(
            "\"rule\": \"linear\" }",
            "\"rule\": \"satisfaction_5_4\", \"threshold\": 0.9, \"penalties\": [] }"
        )),
        IndicatorProblem::NumeratorNotAllowed
    );
    let no_numerator = base.replace("\"numerator\": \"dossiers_received_online\",", "");
    assert_eq!(
        problem(no_numerator.clone()),
        IndicatorProblem::NumeratorRequired
    );
    assert_eq!(
        problem(no_numerator.replace(
            "\"rule\": \"linear\" }",
            "\"rule\": \"satisfaction_5_4\", \"threshold\": 0.9, \"penalties\": [] }"
        )),
        IndicatorProblem::NoPenalties
    );
    let e = err(&base.replace("\"rule\": \"linear\"", "\"rule\": \"linear\", \"cap\": 3"));
    assert!(matches!(e, PackError::Json { .. }));
    // Every error explains itself in Vietnamese.
    assert!(e.message_vi().starts_with("Không đọc được"));
}
