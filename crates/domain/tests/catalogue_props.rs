//! The catalogue parsers never panic, whatever text they are fed: arbitrary Unicode, and text
//! assembled from the tokens the crawl format is made of (so that the deeper paths run).

use motcua_domain::catalogue::dvc::{channels, components, fields, legal};
use motcua_domain::catalogue::parse::number::{parse_decimal, parse_grouped_integer};
use motcua_domain::catalogue::{
    parse_dvc_record, parse_fee, parse_fee_text, parse_time, to_csv_record,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Pieces of real crawl text, including multi-byte letters next to digits and separators.
const TOKENS: [&str; 58] = [
    "Hình thức nộpThời gianPhí, lệ phíMô tả",
    "Trực tiếp",
    "Trực tuyến",
    "Dịch vụ bưu chính",
    "Miễn phí",
    "Không có thông tin",
    "Không",
    "0",
    "1",
    "12",
    "120",
    ",000",
    ".5",
    "0,5",
    " VNĐ",
    "Việt Nam Đồng",
    " USD",
    " đồng",
    "đ/",
    " Ngày",
    " Ngày làm việc",
    " Giờ",
    " Tháng",
    " ngày làm việc",
    "từ ",
    " đến ",
    " - ",
    "Trong ngày",
    "Không quá ",
    "(",
    ")",
    "(1)",
    "Lệ phí: ",
    "Phí : ",
    "Xem chi tiết",
    "Tên giấy tờMẫu đơn, tờ khaiSố lượng",
    " bản chính",
    ",1 bản sao",
    "Mẫu số 01",
    ".docx",
    ".doc",
    "--",
    "* Trường hợp",
    "Tên văn bản pháp lýMã văn bản",
    "/2020/",
    "NĐ-CP",
    "QH14",
    "TTLT- B",
    "Mã: ",
    "KQ.G12.001213",
    "Từ khóa",
    "Bước 1",
    "#1Tên thủ tục",
    "ngày 11/6/2025",
    "\n",
    "ừ",
    "Đ",
    " ",
];

fn crawl_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..40).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), crawl_text()]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        // Failing cases are kept beside this file (the default looks for lib.rs).
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn catalogue_field_parsers_never_panic(a in any_text(), b in any_text()) {
        let _ = parse_time(&a);
        let _ = parse_fee(&a, &b);
        let _ = parse_fee_text(&a);
        let _ = parse_grouped_integer(&a);
        let _ = parse_decimal(&a);
        let _ = channels::parse_channel_table(&a);
        let _ = components::parse_component_table(&a);
        let _ = legal::parse_legal_table(&a);
        let _ = fields::parse_levels(&a);
        let _ = fields::parse_applicant_types(&a);
        let _ = fields::parse_steps(&a);
        let _ = fields::parse_related(&a);
        let _ = fields::parse_results(&a);
    }

    #[test]
    fn catalogue_records_never_panic_and_keep_their_code(
        table in any_text(),
        parts in any_text(),
        law in any_text(),
        result in any_text(),
    ) {
        let line = serde_json::json!({
            "ma_thu_tuc": "1.000001",
            "ten_thu_tuc": "Thủ tục thử",
            "cach_thuc_thuc_hien": table,
            "thanh_phan_ho_so": parts,
            "can_cu_phap_ly": law,
            "ket_qua_xu_ly": result,
            "trinh_tu_thuc_hien": parts,
            "cap_thuc_hien": result,
            "doi_tuong_thuc_hien": law,
        })
        .to_string();
        let parsed = parse_dvc_record(&line).expect("a record with code and name parses");
        prop_assert_eq!(&parsed.procedure.code, "1.000001");
        let row = to_csv_record(&parsed.procedure);
        prop_assert_eq!(row.len(), motcua_domain::catalogue::csv_header().len());
        // Parsed times are finite and not negative.
        for c in &parsed.procedure.channels {
            if let Some(t) = &c.time {
                prop_assert!(t.amount.is_finite() && t.amount >= 0.0);
            }
        }
    }

    #[test]
    fn catalogue_arbitrary_lines_never_panic(line in any_text()) {
        let _ = parse_dvc_record(&line);
    }
}
