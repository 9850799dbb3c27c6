//! Writes workbooks and reads them back with an independent reader (calamine), plus the raw
//! worksheet XML for what calamine does not expose (frozen panes, autofilter, merges).

use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use motcua_domain::catalogue::{
    Channel, ChannelSpec, ComponentSpec, Fee, FeeItem, FeeKind, FeeSource, LegalDoc, Level,
    OnlineLevel, Procedure, ProcessingTime, ResultSpec, TimeUnit,
};
use motcua_sheets::{
    Cell, DocsError, PROCEDURE_HEADERS, PROCEDURES_SHEET, Table, procedures_xlsx, tables_xlsx,
};

// ---- reading back ----

fn open(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("a readable XLSX")
}

fn sheet(bytes: &[u8], name: &str) -> Range<Data> {
    open(bytes).worksheet_range(name).expect("the worksheet")
}

/// The cell as text: strings as is, numbers in Rust notation, empty as "".
fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn row(range: &Range<Data>, row: u32) -> Vec<String> {
    (0..PROCEDURE_HEADERS.len() as u32)
        .map(|c| text(range, row, c))
        .collect()
}

/// Rows from the first to the last one holding a value.
fn row_count(range: &Range<Data>) -> u32 {
    range.end().map_or(0, |(r, _)| r + 1)
}

/// A part of the XLSX package as text, e.g. "xl/worksheets/sheet1.xml".
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip package");
    let mut out = String::new();
    zip.by_name(name)
        .expect("the part")
        .read_to_string(&mut out)
        .expect("UTF-8 XML");
    out
}

// ---- hand-built procedures ----

fn blank(code: &str, name: &str) -> Procedure {
    Procedure {
        code: code.to_owned(),
        name: name.to_owned(),
        decision_number: String::new(),
        kind: String::new(),
        field: String::new(),
        levels: vec![],
        applicant_types: vec![],
        competent_body: String::new(),
        implementing_body: String::new(),
        delegated_body: String::new(),
        coordinating_body: String::new(),
        reception_address: String::new(),
        related_procedures: vec![],
        steps: vec![],
        channels: vec![],
        components: vec![],
        legal_basis: vec![],
        result: vec![],
        requirements: String::new(),
        online_level: OnlineLevel::None,
        online_level_stated: false,
        eligible_full_online: false,
        has_financial_obligation: false,
        source_url: String::new(),
        agency_folder: String::new(),
        formality_id: None,
    }
}

fn time(amount: f64, unit: TimeUnit) -> Option<ProcessingTime> {
    Some(ProcessingTime {
        amount,
        unit,
        min_amount: None,
        unit_assumed: false,
    })
}

fn channel(
    channel: Channel,
    time: Option<ProcessingTime>,
    time_text: &str,
    fee: Option<Fee>,
    fee_text: &str,
) -> ChannelSpec {
    ChannelSpec {
        channel,
        time,
        time_text: time_text.to_owned(),
        fee,
        fee_text: fee_text.to_owned(),
        description: String::new(),
    }
}

fn free() -> Option<Fee> {
    Some(Fee {
        items: vec![],
        free: true,
        note: String::new(),
    })
}

fn charge(vnd: i64, text: &str) -> Option<Fee> {
    Some(Fee {
        items: vec![FeeItem {
            kind: FeeKind::Charge,
            amount_vnd: Some(vnd),
            foreign: None,
            doubtful_amount: None,
            source: FeeSource::Cell,
            text: text.to_owned(),
            exemption: None,
        }],
        free: false,
        note: String::new(),
    })
}

fn component(name: &str) -> ComponentSpec {
    ComponentSpec {
        name: name.to_owned(),
        originals: Some(1),
        copies: None,
        templates: vec![],
        reusable_from_data: false,
        case: None,
        text: name.to_owned(),
    }
}

fn law(number: Option<&str>, title: &str) -> LegalDoc {
    LegalDoc {
        number: number.map(str::to_owned),
        title: title.to_owned(),
        year: None,
        issued: None,
        issuer: None,
        text: title.to_owned(),
    }
}

fn birth_registration() -> Procedure {
    Procedure {
        field: "Hộ tịch".to_owned(),
        levels: vec![Level::Commune],
        applicant_types: vec!["Công dân Việt Nam".to_owned(), "Người nước ngoài".to_owned()],
        competent_body: "Ủy ban nhân dân cấp xã".to_owned(),
        implementing_body: "Ủy ban Nhân dân xã, phường, đặc khu".to_owned(),
        channels: vec![
            channel(
                Channel::Counter,
                time(5.0, TimeUnit::WorkingDays),
                "05 ngày làm việc",
                free(),
                "Miễn phí",
            ),
            channel(
                Channel::Online,
                time(5.0, TimeUnit::WorkingDays),
                "05 ngày làm việc",
                charge(8_000, "Lệ phí : 8.000 Đồng"),
                "Lệ phí : 8.000 Đồng",
            ),
        ],
        components: vec![
            component("Tờ khai đăng ký khai sinh"),
            component("Giấy chứng sinh"),
        ],
        legal_basis: vec![
            law(Some("123/2015/NĐ-CP"), "Nghị định quy định chi tiết Luật Hộ tịch"),
            law(Some("04/2020/TT-BTP"), "Thông tư hướng dẫn Luật Hộ tịch"),
            law(Some("123/2015/NĐ-CP"), "Nghị định quy định chi tiết Luật Hộ tịch"),
        ],
        result: vec![ResultSpec {
            name: "Giấy khai sinh".to_owned(),
            result_code: Some("KQ.G12.000001".to_owned()),
        }],
        online_level: OnlineLevel::FullProcess,
        online_level_stated: true,
        source_url: "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193".to_owned(),
        ..blank("1.001193", "Đăng ký khai sinh")
    }
}

fn land_certificate() -> Procedure {
    Procedure {
        field: "Đất đai".to_owned(),
        levels: vec![Level::Province, Level::Unknown("Cấp trung ương".to_owned())],
        competent_body: "Sở Nông nghiệp và Môi trường".to_owned(),
        implementing_body: "Văn phòng đăng ký đất đai".to_owned(),
        channels: vec![
            channel(
                Channel::Counter,
                time(0.5, TimeUnit::Days),
                "0,5 ngày",
                None,
                "Không có thông tin",
            ),
            channel(
                Channel::Online,
                None,
                "Theo quy định của pháp luật",
                Some(Fee {
                    items: vec![FeeItem {
                        kind: FeeKind::Fee,
                        amount_vnd: None,
                        foreign: None,
                        doubtful_amount: None,
                        source: FeeSource::Cell,
                        text: "Mức thu do Hội đồng nhân dân tỉnh quyết định".to_owned(),
                        exemption: None,
                    }],
                    free: false,
                    note: String::new(),
                }),
                "Mức thu do Hội đồng nhân dân tỉnh quyết định",
            ),
        ],
        components: vec![component("Đơn đăng ký biến động đất đai")],
        legal_basis: vec![law(None, "Luật Đất đai 2024")],
        online_level: OnlineLevel::Partial,
        ..blank("2.000889", "Cấp đổi Giấy chứng nhận quyền sử dụng đất")
    }
}

/// Only the required text; every optional column empty.
fn bare() -> Procedure {
    blank("3.000123", "Thủ tục thử nghiệm không có thông tin")
}

// ---- tests ----

#[test]
fn procedures_read_back_with_diacritics_times_and_fees() {
    let bytes = procedures_xlsx(&[birth_registration(), land_certificate(), bare()]).unwrap();

    let mut workbook = open(&bytes);
    assert_eq!(workbook.sheet_names(), vec![PROCEDURES_SHEET.to_owned()]);
    assert_eq!(PROCEDURES_SHEET, "Thủ tục hành chính");

    let range = workbook.worksheet_range(PROCEDURES_SHEET).unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    assert_eq!(row_count(&range), 4, "header and three procedures");
    assert_eq!(
        row(&range, 0),
        [
            "Mã thủ tục",
            "Tên thủ tục",
            "Lĩnh vực",
            "Cấp thực hiện",
            "Cơ quan thực hiện",
            "Cơ quan có thẩm quyền",
            "Mức độ DVC trực tuyến",
            "Thời hạn giải quyết",
            "Phí, lệ phí",
            "Số thành phần hồ sơ",
            "Căn cứ pháp lý",
            "Kết quả",
            "Đối tượng thực hiện",
            "Nguồn",
        ]
    );

    assert_eq!(
        row(&range, 1),
        [
            "1.001193",
            "Đăng ký khai sinh",
            "Hộ tịch",
            "Cấp xã",
            "Ủy ban Nhân dân xã, phường, đặc khu",
            "Ủy ban nhân dân cấp xã",
            "Toàn trình",
            "Trực tiếp: 5 ngày làm việc; Trực tuyến: 5 ngày làm việc",
            "Trực tiếp: Miễn phí; Trực tuyến: Lệ phí 8.000 đồng",
            "2",
            "123/2015/NĐ-CP; 04/2020/TT-BTP",
            "Giấy khai sinh",
            "Công dân Việt Nam; Người nước ngoài",
            "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
        ]
    );
    // The component count is a number, not text, so it sums and filters as one.
    assert_eq!(range.get_value((1, 9)), Some(&Data::Float(2.0)));
    // The code stays text: "1.001193" must not turn into the number 1.001193.
    assert_eq!(
        range.get_value((1, 0)),
        Some(&Data::String("1.001193".to_owned()))
    );

    assert_eq!(
        row(&range, 2),
        [
            "2.000889",
            "Cấp đổi Giấy chứng nhận quyền sử dụng đất",
            "Đất đai",
            "Cấp tỉnh; Cấp trung ương",
            "Văn phòng đăng ký đất đai",
            "Sở Nông nghiệp và Môi trường",
            "Một phần",
            "Trực tiếp: 0,5 ngày; Trực tuyến: Theo quy định của pháp luật",
            "Trực tiếp: Không có thông tin; Trực tuyến: Mức thu do Hội đồng nhân dân tỉnh quyết định",
            "1",
            "Luật Đất đai 2024",
            "",
            "",
            "",
        ]
    );

    assert_eq!(
        row(&range, 3),
        [
            "3.000123",
            "Thủ tục thử nghiệm không có thông tin",
            "",
            "",
            "",
            "",
            "Không",
            "",
            "",
            "0",
            "",
            "",
            "",
            "",
        ]
    );

    // Header bold and wrapped, data wrapped.
    let styles = workbook.worksheet_style(PROCEDURES_SHEET).unwrap();
    for col in 0..PROCEDURE_HEADERS.len() as u32 {
        let header = styles.get((0, col)).expect("a header style");
        assert!(
            header.font.as_ref().is_some_and(|f| f.is_bold()),
            "col {col}"
        );
        assert!(header.alignment.as_ref().is_some_and(|a| a.wrap_text));
    }
    let name = styles.get((1, 1)).expect("a data style");
    assert!(name.alignment.as_ref().is_some_and(|a| a.wrap_text));
    assert!(!name.font.as_ref().is_some_and(|f| f.is_bold()));

    // Frozen header row, autofilter over the header and the data, widths set per column.
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"<autoFilter ref="A1:N4"/>"#), "{xml}");
    // Code column fitted to "Mã thủ tục" (10 characters + 2), the URL column capped at 50.
    assert!(xml.contains(r#"<col min="1" max="1" width="12."#), "{xml}");
    assert!(
        xml.contains(r#"<col min="14" max="14" width="50."#),
        "{xml}"
    );
}

#[test]
fn no_procedures_gives_the_header_alone() {
    let bytes = procedures_xlsx(&[]).unwrap();
    let range = sheet(&bytes, PROCEDURES_SHEET);
    assert_eq!(row_count(&range), 1);
    assert_eq!(row(&range, 0), PROCEDURE_HEADERS);
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"<autoFilter ref="A1:N1"/>"#), "{xml}");
    assert!(xml.contains(r#"state="frozen""#), "{xml}");
}

#[test]
fn tables_keep_numbers_percentages_and_titles() {
    let mut rates = Table::new(
        "Tỷ lệ đúng hạn",
        ["Đơn vị", "Hồ sơ", "Đúng hạn", "Tỷ lệ", "Ghi chú"],
    );
    rates.title = Some("Báo cáo tỷ lệ giải quyết hồ sơ đúng hạn quý III".to_owned());
    rates.rows = vec![
        vec![
            Cell::from("Phường Đống Đa"),
            Cell::Int(1_246),
            Cell::Int(910),
            Cell::Percent(0.7303),
            Cell::Empty,
        ],
        // A short row: the missing cells stay empty.
        vec![
            Cell::from("Xã Đạ Huoai"),
            Cell::Int(0),
            Cell::Int(0),
            Cell::Float(2.5),
        ],
    ];
    let other = Table::new("Khác", ["Ghi chú"]);

    let bytes = tables_xlsx(&[rates, other]).unwrap();
    let mut workbook = open(&bytes);
    assert_eq!(workbook.sheet_names(), ["Tỷ lệ đúng hạn", "Khác"]);

    let range = workbook.worksheet_range("Tỷ lệ đúng hạn").unwrap();
    assert_eq!(
        text(&range, 0, 0),
        "Báo cáo tỷ lệ giải quyết hồ sơ đúng hạn quý III"
    );
    assert_eq!(text(&range, 1, 0), "Đơn vị");
    assert_eq!(text(&range, 1, 4), "Ghi chú");
    assert_eq!(row_count(&range), 4, "title, header, two rows");
    assert_eq!(text(&range, 2, 0), "Phường Đống Đa");
    assert_eq!(range.get_value((2, 1)), Some(&Data::Float(1_246.0)));
    // The percentage is the fraction itself; only the format makes it "73,03%".
    assert_eq!(range.get_value((2, 3)), Some(&Data::Float(0.7303)));
    assert_eq!(range.get_value((3, 3)), Some(&Data::Float(2.5)));
    assert_eq!(text(&range, 2, 4), "");
    assert_eq!(text(&range, 3, 4), "");

    let styles = workbook.worksheet_style("Tỷ lệ đúng hạn").unwrap();
    let percent = styles.get((2, 3)).and_then(|s| s.number_format.as_ref());
    assert_eq!(percent.map(|f| f.format_code.as_str()), Some("0.00%"));
    let float = styles.get((3, 3)).and_then(|s| s.number_format.as_ref());
    assert_ne!(float.map(|f| f.format_code.as_str()), Some("0.00%"));
    let title = styles.get((0, 0)).expect("a title style");
    assert!(title.font.as_ref().is_some_and(|f| f.is_bold()));

    // With a title the header is row 2: that is the row frozen and filtered.
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"<mergeCell ref="A1:E1"/>"#), "{xml}");
    assert!(
        xml.contains(
            r#"<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"<autoFilter ref="A2:E4"/>"#), "{xml}");

    let other = workbook.worksheet_range("Khác").unwrap();
    assert_eq!(row_count(&other), 1);
    assert_eq!(text(&other, 0, 0), "Ghi chú");
}

#[test]
fn repeated_sheet_names_are_refused() {
    let a = Table::new("Trùng", ["A"]);
    let err = tables_xlsx(&[a.clone(), a]).unwrap_err();
    assert!(matches!(err, DocsError::Xlsx(_)), "{err:?}");
}
