//! Every form of both form sets, as HTML and as PDF: the Vietnamese field values are there
//! with their diacritics (the PDF's text is extracted back with lopdf), the receipt's QR code
//! decodes to the look-up URL (from the PDF's vector drawing and from the HTML's SVG), and the
//! form set is chosen by the receipt date.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use lopdf::Object;
use motcua_forms::{
    FONT_FILES, FormData, FormError, FormKind, FormSet, HtmlOptions, form_set, render_html,
    render_html_with_options, render_pdf, sample, vi,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A receipt day inside each set: a Friday under Circular 01/2018 (the last before the
/// change), a Tuesday under Circular 03/2025.
fn day_for(set: &FormSet) -> NaiveDate {
    match set.id.as_str() {
        "tt-01-2018" => d(2025, 9, 12),
        _ => d(2026, 11, 24),
    }
}

fn sets() -> [&'static FormSet; 2] {
    [
        form_set("tt-01-2018").unwrap(),
        form_set("tt-03-2025").unwrap(),
    ]
}

fn words(t: DateTime<Utc>) -> String {
    vi::datetime_words(vi::vietnam_time(t))
}

/// `hh:mm` Vietnam time, `days` after `day`, as the sample builds its instants.
fn local(day: NaiveDate, days: i64, hh: u32, mm: u32) -> DateTime<Utc> {
    (day + TimeDelta::days(days))
        .and_hms_opt(hh, mm, 0)
        .unwrap()
        .and_utc()
        - TimeDelta::hours(7)
}

fn code(day: NaiveDate) -> String {
    sample::code(day).to_string()
}

/// What form `kind` of `set` must show for the sample dossier of `day`.
fn expected(kind: FormKind, set: &FormSet, day: NaiveDate) -> Vec<String> {
    let name = sample::APPLICANT_NAME.to_owned();
    let entry = set.form(kind).unwrap();
    let mut e = vec![
        entry.label(),
        set.circular.clone(),
        vi::upper(&entry.title),
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM".to_owned(),
        "Độc lập - Tự do - Hạnh phúc".to_owned(),
        "ỦY BAN NHÂN DÂN TỈNH THANH HÓA".to_owned(),
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH THANH HÓA".to_owned(),
        vi::date_line("Thanh Hóa", day),
        name,
    ];
    let more: Vec<String> = match kind {
        FormKind::Receipt => vec![
            code(day),
            "0381******45".to_owned(),
            sample::PROCEDURE_NAME.to_owned(),
            format!("Thời gian nhận hồ sơ: {}", words(local(day, 0, 8, 15))),
            words(local(day, 7, 17, 0)),
            "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp".to_owned(),
            "Bản chụp Căn cước của người yêu cầu cấp Phiếu".to_owned(),
            "10 ngày làm việc".to_owned(),
            "Số 12 đường Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa".to_owned(),
            "0912345678".to_owned(),
            "nhung.nguyen@example.vn".to_owned(),
            "Quầy số 5, Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa".to_owned(),
            "NGƯỜI TIẾP NHẬN HỒ SƠ".to_owned(),
            sample::OFFICER_NAME.to_owned(),
        ],
        FormKind::SupplementRequest => vec![
            code(day),
            "Bản chụp Căn cước của người yêu cầu cấp Phiếu".to_owned(),
            "Văn bản ủy quyền có chứng thực (trường hợp ủy quyền làm thủ tục)".to_owned(),
            "Lý do: Hồ sơ chưa đủ thành phần theo quy định.".to_owned(),
            "0237 3720 123".to_owned(),
            "NGƯỜI HƯỚNG DẪN".to_owned(),
        ],
        FormKind::Refusal => vec![
            code(day),
            "Thủ tục không thuộc thẩm quyền tiếp nhận, giải quyết của cơ quan.".to_owned(),
            sample::PROCEDURE_NAME.to_owned(),
        ],
        FormKind::Apology => {
            let mut v = vec![
                code(day),
                "Kính gửi: Ông/Bà".to_owned(),
                "Phải xác minh thông tin lý lịch tại cơ quan công an nơi cư trú trước đây"
                    .to_owned(),
                words(local(day, 7, 17, 0)),
                words(local(day, 13, 17, 0)),
                "Sở Tư pháp tỉnh Thanh Hóa".to_owned(),
                "GIÁM ĐỐC".to_owned(),
                sample::LEADER_NAME.to_owned(),
            ];
            v.push(if set.id == "tt-03-2025" {
                "đề nghị gia hạn thời gian giải quyết hồ sơ đến".to_owned()
            } else {
                "hẹn lại thời gian trả kết quả giải quyết hồ sơ vào".to_owned()
            });
            v
        }
        FormKind::StopNotice => vec![
            code(day),
            "Người yêu cầu có văn bản đề nghị dừng giải quyết hồ sơ.".to_owned(),
            format!("Thời gian dừng giải quyết: {}", words(local(day, 2, 14, 0))),
            sample::LEADER_NAME.to_owned(),
        ],
        FormKind::ControlSheet => vec![
            code(day),
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả".to_owned(),
            sample::APPLICANT_ID.to_owned(),
            "Tiếp nhận hồ sơ".to_owned(),
            "Chuyển hồ sơ đến cơ quan giải quyết".to_owned(),
            "Thẩm định hồ sơ".to_owned(),
            "Phê duyệt, ký Phiếu".to_owned(),
            "Nhận: Sở Tư pháp tỉnh Thanh Hóa".to_owned(),
            format!("Nhận: {}", sample::SPECIALIST_NAME),
            "Trước hạn".to_owned(),
            "Quá hạn".to_owned(),
            "1816/STP-LLTP".to_owned(),
            "Trả kết quả".to_owned(),
        ],
        FormKind::Register => vec![
            code(day),
            code(day + TimeDelta::days(1)),
            code(day + TimeDelta::days(2)),
            format!(
                "Từ ngày {} đến ngày {}",
                vi::date(day),
                vi::date(day + TimeDelta::days(2))
            ),
            "Sở Tư pháp tỉnh Thanh Hóa".to_owned(),
            "Đã trả kết quả".to_owned(),
            "Số 12 đường Lê Lợi, phường Hạc Thành, tỉnh Thanh Hóa; 0912345678".to_owned(),
        ],
    };
    e.extend(more);
    e
}

/// Whitespace runs as one space (lines and text objects are separated by newlines in the
/// extracted text).
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an HTML page: tags removed, the entities askama writes decoded, whitespace
/// squashed.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                // Block boundaries separate words.
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    squash(&text)
}

fn pdf_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("a readable PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    squash(&doc.extract_text(&pages).expect("extractable text"))
}

fn sample_data(kind: FormKind, set: &FormSet) -> FormData {
    let data = sample::data(kind, day_for(set));
    assert_eq!(
        data.form_set().id,
        set.id,
        "{kind}: the sample day is in the set"
    );
    data
}

#[test]
fn every_form_of_both_sets_renders_html_with_its_fields() {
    let mut rendered = 0;
    for set in sets() {
        for entry in &set.forms {
            let kind = entry.kind;
            let data = sample_data(kind, set);
            let html = render_html(&data, kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
            let page = if kind == FormKind::Register {
                "@page { size: A4 landscape; margin: 20mm 15mm 20mm 30mm }"
            } else {
                "@page { size: A4; margin: 20mm 15mm 20mm 30mm }"
            };
            assert!(html.contains(page), "{} {kind}: {page}", set.id);
            assert!(html.starts_with("<!DOCTYPE html>"));
            assert!(html.contains("<html lang=\"vi\">"));
            assert!(html.contains(&format!("<title>{}</title>", entry.title)));
            assert!(html.contains("\"Times New Roman\""));
            let text = html_text(&html);
            for want in expected(kind, set, day_for(set)) {
                assert!(
                    text.contains(&squash(&want)),
                    "{} {kind}: HTML lacks {want:?}\n{text}",
                    set.id
                );
            }
            rendered += 1;
        }
    }
    assert_eq!(rendered, 13);
}

#[test]
fn every_form_of_both_sets_renders_a_pdf_with_its_fields() {
    for set in sets() {
        for entry in &set.forms {
            let kind = entry.kind;
            let data = sample_data(kind, set);
            let pdf = render_pdf(&data, kind).unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert!(pdf.starts_with(b"%PDF-"));
            let text = pdf_text(&pdf);
            for want in expected(kind, set, day_for(set)) {
                assert!(
                    text.contains(&squash(&want)),
                    "{} {kind}: PDF text lacks {want:?}\n{text}",
                    set.id
                );
            }
            // The title in the document's metadata, as written in the circular.
            assert_eq!(pdf_title(&pdf), entry.title, "{} {kind}", set.id);
            // A4, landscape for the register.
            let (w, h) = page_size(&pdf);
            let (w, h) = (w.round(), h.round());
            if kind == FormKind::Register {
                assert_eq!((w, h), (842.0, 595.0));
            } else {
                assert_eq!((w, h), (595.0, 842.0));
            }
        }
    }
}

#[test]
fn receipt_pdf_has_the_named_values_with_diacritics() {
    let data = sample::data(FormKind::Receipt, d(2026, 11, 24));
    let text = pdf_text(&render_pdf(&data, FormKind::Receipt).unwrap());
    for want in [
        "Nguyễn Thị Hồng Nhung",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "000.00.01.H38-261124-0001",
        "Thanh Hóa, ngày 24 tháng 11 năm 2026",
        "08 giờ 15 phút, ngày 24/11/2026",
        "17 giờ 00 phút, ngày 01/12/2026",
        "Mẫu số 01",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
    // The applicant's copy masks the identification number.
    assert!(text.contains("0381******45"));
    assert!(!text.contains(sample::APPLICANT_ID));
    assert_eq!(
        pdf_title(&render_pdf(&data, FormKind::Receipt).unwrap()),
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    );
}

#[test]
fn the_html_can_declare_the_embedded_fonts() {
    let data = sample::data(FormKind::Receipt, d(2026, 11, 24));
    let plain = render_html(&data, FormKind::Receipt).unwrap();
    assert!(!plain.contains("@font-face"));
    let options = HtmlOptions {
        font_base_url: Some("/static/fonts/".to_owned()),
    };
    let html =
        render_html_with_options(&data, FormKind::Receipt, data.form_set(), &options).unwrap();
    for (name, bytes) in FONT_FILES {
        assert!(
            html.contains(&format!("url(\"/static/fonts/{name}\")")),
            "{name}"
        );
        assert!(bytes.len() > 300_000);
    }
    assert!(html.contains("font-family: \"Motcua Serif\", \"Times New Roman\""));
    assert_eq!(
        html_text(&html).matches(sample::APPLICANT_NAME).count(),
        html_text(&plain).matches(sample::APPLICANT_NAME).count()
    );
}

#[test]
fn the_identification_number_is_masked_for_the_applicant_only() {
    let day = d(2026, 11, 24);
    for kind in FormKind::ALL {
        if kind == FormKind::Register {
            continue;
        }
        let html = render_html(&sample::data(kind, day), kind).unwrap();
        assert_eq!(
            html.contains(sample::APPLICANT_ID),
            kind == FormKind::ControlSheet,
            "{kind}"
        );
    }
}

#[test]
fn the_pdf_embeds_a_subset_of_liberation_serif_with_a_unicode_map() {
    let data = sample::data(FormKind::Receipt, d(2026, 11, 24));
    let pdf = render_pdf(&data, FormKind::Receipt).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let mut base_fonts = Vec::new();
    let mut font_files = 0;
    let mut to_unicode = 0;
    for object in doc.objects.values() {
        let dict = match object {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if let Ok(name) = dict.get(b"BaseFont").and_then(Object::as_name) {
            base_fonts.push(String::from_utf8_lossy(name).into_owned());
        }
        if dict.get(b"FontFile2").is_ok() {
            font_files += 1;
        }
        if dict.get(b"ToUnicode").is_ok() {
            to_unicode += 1;
        }
    }
    assert!(
        font_files >= 3,
        "regular, bold and italic embedded: {font_files}"
    );
    assert!(to_unicode >= 3);
    // Subset fonts are named with a six-letter tag: ABCDEF+LiberationSerif...
    assert!(
        base_fonts
            .iter()
            .any(|n| n.len() > 7 && n.as_bytes()[6] == b'+' && n.contains("LiberationSerif")),
        "{base_fonts:?}"
    );
    // Subset: far smaller than the three font files (1.1 MB).
    assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
}

#[test]
fn the_receipt_qr_decodes_to_the_lookup_url() {
    let data = sample::data(FormKind::Receipt, d(2026, 11, 24));
    let url = data.lookup_url.clone().unwrap();
    assert_eq!(
        url,
        "https://motcua.thanhhoa.example/tra-cuu/000.00.01.H38-261124-0001"
    );
    // From the PDF: the filled rectangles of page 1, read back from the content stream.
    let pdf = render_pdf(&data, FormKind::Receipt).unwrap();
    let modules = modules_from_rects(&filled_rects(&pdf));
    assert_eq!(decode(&modules), url);
    // From the HTML: the SVG path.
    let html = render_html(&data, FormKind::Receipt).unwrap();
    assert_eq!(decode(&modules_from_svg(&html)), url);
    // Only the receipt carries it.
    let html = render_html(&data, FormKind::ControlSheet).unwrap();
    assert!(!html.contains("<svg"));
}

#[test]
fn the_form_set_is_chosen_by_the_receipt_date() {
    // 14/09/2025: Circular 01/2018; 15/09/2025: Circular 03/2025.
    let before = d(2025, 9, 14);
    let on = d(2025, 9, 15);

    let data = sample::data(FormKind::Receipt, before);
    assert_eq!(data.receipt_date, Some(before));
    assert_eq!(data.form_set().id, "tt-01-2018");
    let html = render_html(&data, FormKind::Receipt).unwrap();
    assert!(html.contains("(Thông tư số 01/2018/TT-VPCP)"));
    let apology = render_html(&sample::data(FormKind::Apology, before), FormKind::Apology).unwrap();
    assert!(apology.contains("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"));
    assert!(apology.contains("Mẫu số 04"));
    let sheet = render_html(
        &sample::data(FormKind::ControlSheet, before),
        FormKind::ControlSheet,
    )
    .unwrap();
    assert!(sheet.contains("Mẫu số 05"));
    let stop = render_pdf(
        &sample::data(FormKind::StopNotice, before),
        FormKind::StopNotice,
    );
    assert!(
        matches!(&stop, Err(FormError::NotInSet { kind: FormKind::StopNotice, circular }) if circular == "Thông tư số 01/2018/TT-VPCP"),
        "{stop:?}"
    );
    assert_eq!(stop.unwrap_err().code(), "form_not_in_set");

    let data = sample::data(FormKind::Receipt, on);
    assert_eq!(data.form_set().id, "tt-03-2025");
    let html = render_html(&data, FormKind::Receipt).unwrap();
    assert!(html.contains("(Phụ lục I, Thông tư số 03/2025/TT-VPCP)"));
    let apology = render_html(&sample::data(FormKind::Apology, on), FormKind::Apology).unwrap();
    assert!(apology.contains("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"));
    let sheet = render_html(
        &sample::data(FormKind::ControlSheet, on),
        FormKind::ControlSheet,
    )
    .unwrap();
    assert!(sheet.contains("Mẫu số 06"));
    let stop = render_pdf(
        &sample::data(FormKind::StopNotice, on),
        FormKind::StopNotice,
    )
    .unwrap();
    let text = pdf_text(&stop);
    assert!(text.contains("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"));
    assert!(text.contains("Mẫu số 05"));
}

#[test]
fn the_receipt_date_is_the_vietnam_date() {
    // Received at 23:59 and at 00:30 Vietnam time around the change: the UTC dates differ.
    let mut state = sample::state(FormKind::Receipt, d(2025, 9, 14));
    let ctx = sample::context(d(2025, 9, 14), d(2025, 9, 15));
    state.received_at = Some("2025-09-14T16:59:00Z".parse().unwrap());
    let data = FormData::from_state(&state, &ctx);
    assert_eq!(data.receipt_date, Some(d(2025, 9, 14)));
    assert_eq!(data.form_set().id, "tt-01-2018");
    state.received_at = Some("2025-09-14T17:30:00Z".parse().unwrap());
    let data = FormData::from_state(&state, &ctx);
    assert_eq!(data.receipt_date, Some(d(2025, 9, 15)));
    assert_eq!(data.form_set().id, "tt-03-2025");
    let html = render_html(&data, FormKind::Receipt).unwrap();
    assert!(html.contains("00 giờ 30 phút, ngày 15/09/2025"));
}

#[test]
fn from_state_reads_the_dossier() {
    let day = d(2026, 11, 24);
    let data = sample::data(FormKind::ControlSheet, day);
    assert_eq!(data.code, "000.00.01.H38-261124-0001");
    assert_eq!(data.applicant.name, "Nguyễn Thị Hồng Nhung");
    assert_eq!(data.applicant.id_number.as_deref(), Some("038190012345"));
    assert_eq!(
        data.applicant.id_number_masked.as_deref(),
        Some("0381******45")
    );
    assert_eq!(data.channel.as_deref(), Some("Trực tiếp"));
    assert_eq!(
        vi::datetime_short(data.received_at.unwrap()),
        "08g15 24/11/2026"
    );
    assert_eq!(
        vi::datetime_short(data.appointment.unwrap()),
        "17g00 01/12/2026"
    );
    assert_eq!(
        data.handling_agency.as_deref(),
        Some("Sở Tư pháp tỉnh Thanh Hóa")
    );
    assert_eq!(data.status, "Đã trả kết quả");
    let actions: Vec<&str> = data.timeline.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "Tiếp nhận hồ sơ",
            "Chuyển hồ sơ đến cơ quan giải quyết",
            "Thẩm định hồ sơ",
            "Phê duyệt, ký Phiếu",
            "Có kết quả giải quyết",
            "Trả kết quả",
        ]
    );
    let outcomes: Vec<Option<&str>> = data
        .timeline
        .iter()
        .map(|r| r.outcome.map(|o| o.label_vi()))
        .collect();
    assert_eq!(
        outcomes,
        [
            None,
            None,
            Some("Trước hạn"),
            Some("Quá hạn"),
            Some("Trước hạn"),
            None
        ]
    );
    assert_eq!(
        data.timeline[1].giver,
        "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa (Lê Thị Thu Hà)"
    );
    assert_eq!(data.timeline[2].receiver, "Phạm Quốc Bảo");

    let data = sample::data(FormKind::SupplementRequest, day);
    let s = data.supplement.unwrap();
    assert!(s.at_intake);
    assert_eq!(s.missing.len(), 2);
    let data = sample::data(FormKind::Apology, day);
    let a = data.apology.unwrap();
    assert_eq!(
        vi::datetime_short(a.new_appointment.unwrap()),
        "17g00 07/12/2026"
    );
    assert_eq!(a.at_fault.as_deref(), Some("Sở Tư pháp tỉnh Thanh Hóa"));
}

#[test]
fn a_form_without_its_data_is_a_clear_error() {
    let day = d(2026, 11, 24);
    // A refused dossier was never received: no receipt.
    let refused = sample::data(FormKind::Refusal, day);
    let err = render_html(&refused, FormKind::Receipt).unwrap_err();
    assert_eq!(
        err,
        FormError::Missing {
            kind: FormKind::Receipt,
            field: "thời gian tiếp nhận"
        }
    );
    assert_eq!(err.code(), "form_data_missing");
    assert!(
        err.message_vi()
            .contains("giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    );
    // No supplement was asked of a dossier just received.
    let received = sample::data(FormKind::Receipt, day);
    for kind in [
        FormKind::SupplementRequest,
        FormKind::Refusal,
        FormKind::Apology,
        FormKind::StopNotice,
    ] {
        assert!(
            matches!(render_pdf(&received, kind), Err(FormError::Missing { .. })),
            "{kind}"
        );
    }
    // Without a code, no per-dossier form.
    let mut blank = received.clone();
    blank.code.clear();
    assert!(matches!(
        render_html(&blank, FormKind::Receipt),
        Err(FormError::Missing {
            field: "mã hồ sơ",
            ..
        })
    ));
    // A receipt without a look-up URL has no QR code and does not mention one.
    let mut no_url = received;
    no_url.lookup_url = None;
    let html = render_html(&no_url, FormKind::Receipt).unwrap();
    assert!(!html.contains("<svg"));
    assert!(!html.contains("mã QR"));
    assert!(render_pdf(&no_url, FormKind::Receipt).is_ok());
}

#[test]
fn an_empty_register_and_a_long_one_render() {
    let day = d(2026, 11, 24);
    let empty = FormData::register(&sample::context(day, day), Vec::new(), None);
    let html = render_html(&empty, FormKind::Register).unwrap();
    assert!(html.contains("SỔ THEO DÕI HỒ SƠ"));
    assert!(
        pdf_text(&render_pdf(&empty, FormKind::Register).unwrap()).contains("Số hồ sơ trong sổ: 0")
    );

    // 60 dossiers: several landscape pages, the header row on each, numbered pages.
    let mut long = sample::data(FormKind::Register, day);
    let row = long.register[0].clone();
    long.register = (0..60).map(|_| row.clone()).collect();
    let pdf = render_pdf(&long, FormKind::Register).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let pages = doc.get_pages().len();
    assert!(pages >= 3, "{pages} pages");
    let text = pdf_text(&pdf);
    assert_eq!(text.matches("Tên thủ tục hành chính").count(), pages);
    assert!(text.contains(&format!("Trang {pages}/{pages}")));
    assert!(pdf_text(&pdf).contains("Số hồ sơ trong sổ: 60"));
}

// ---- PDF and SVG reading helpers ----

fn pdf_title(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_dictionary(id))
        .expect("an Info dictionary");
    let bytes = info
        .get(b"Title")
        .and_then(Object::as_str)
        .expect("a title");
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).unwrap()
        }
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn page_size(pdf: &[u8]) -> (f32, f32) {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let id = doc.get_pages()[&1];
    let page = doc.get_dictionary(id).unwrap();
    let mb = page.get(b"MediaBox").and_then(Object::as_array).unwrap();
    let n: Vec<f32> = mb.iter().map(|o| o.as_float().unwrap()).collect();
    (n[2] - n[0], n[3] - n[1])
}

type Matrix = [f32; 6];

fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    // m then n (PDF: cm pre-multiplies the current matrix).
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn apply(m: &Matrix, x: f32, y: f32) -> (f32, f32) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

/// Every filled sub-path of page 1 as its bounding box `(x0, y0, x1, y1)` in page space
/// (y up), following `q`/`Q`/`cm`.
fn filled_rects(pdf: &[u8]) -> Vec<(f32, f32, f32, f32)> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let id = doc.get_pages()[&1];
    let content = lopdf::content::Content::decode(&doc.get_page_content(id)).unwrap();
    let mut ctm: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
    let mut stack: Vec<Matrix> = Vec::new();
    let mut subpaths: Vec<Vec<(f32, f32)>> = Vec::new();
    let mut rects = Vec::new();
    for op in &content.operations {
        let n: Vec<f32> = op
            .operands
            .iter()
            .filter_map(|o| o.as_float().ok())
            .collect();
        match op.operator.as_str() {
            "q" => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(ctm),
            "cm" if n.len() == 6 => ctm = mul(&[n[0], n[1], n[2], n[3], n[4], n[5]], &ctm),
            "m" if n.len() == 2 => subpaths.push(vec![apply(&ctm, n[0], n[1])]),
            "l" if n.len() == 2 => {
                if let Some(p) = subpaths.last_mut() {
                    p.push(apply(&ctm, n[0], n[1]));
                }
            }
            "re" if n.len() == 4 => subpaths.push(vec![
                apply(&ctm, n[0], n[1]),
                apply(&ctm, n[0] + n[2], n[1] + n[3]),
            ]),
            "f" | "f*" | "F" => {
                for p in subpaths.drain(..) {
                    let xs = p.iter().map(|q| q.0);
                    let ys = p.iter().map(|q| q.1);
                    rects.push((
                        xs.clone().fold(f32::MAX, f32::min),
                        ys.clone().fold(f32::MAX, f32::min),
                        xs.fold(f32::MIN, f32::max),
                        ys.fold(f32::MIN, f32::max),
                    ));
                }
            }
            "S" | "s" | "n" | "B" | "B*" | "b" | "b*" => subpaths.clear(),
            _ => {}
        }
    }
    rects
}

/// The module grid covered by rectangles (x up to the right, y up): row 0 at the top.
fn modules_from_rects(rects: &[(f32, f32, f32, f32)]) -> Vec<Vec<bool>> {
    assert!(!rects.is_empty(), "no filled shapes on the page");
    let module = rects.iter().map(|r| r.3 - r.1).fold(f32::MAX, f32::min);
    let x0 = rects.iter().map(|r| r.0).fold(f32::MAX, f32::min);
    let x1 = rects.iter().map(|r| r.2).fold(f32::MIN, f32::max);
    let y1 = rects.iter().map(|r| r.3).fold(f32::MIN, f32::max);
    let n = ((x1 - x0) / module).round() as usize;
    let mut grid = vec![vec![false; n]; n];
    for &(rx0, ry0, rx1, ry1) in rects {
        let c0 = ((rx0 - x0) / module).round() as usize;
        let c1 = ((rx1 - x0) / module).round() as usize;
        let r0 = ((y1 - ry1) / module).round() as usize;
        let r1 = ((y1 - ry0) / module).round() as usize;
        for row in grid.iter_mut().take(r1.min(n)).skip(r0) {
            for cell in row.iter_mut().take(c1.min(n)).skip(c0) {
                *cell = true;
            }
        }
    }
    grid
}

/// The module grid of the receipt's inline SVG (`M x y h len v1 h -len z` per run, in
/// modules, quiet zone included).
fn modules_from_svg(html: &str) -> Vec<Vec<bool>> {
    let svg = &html[html.find("<svg").expect("an inline SVG")..];
    let view = &svg[svg.find("viewBox=\"0 0 ").unwrap() + 13..];
    let side: usize = view[..view.find(' ').unwrap()].parse().unwrap();
    let d = &svg[svg.find(" d=\"").unwrap() + 4..];
    let d = &d[..d.find('"').unwrap()];
    let mut grid = vec![vec![false; side]; side];
    for seg in d.split('M').filter(|s| !s.is_empty()) {
        let (x, rest) = seg.split_once(' ').unwrap();
        let (y, rest) = rest.split_once('h').unwrap();
        let len = &rest[..rest.find('v').unwrap()];
        let (x, y, len): (usize, usize, usize) =
            (x.parse().unwrap(), y.parse().unwrap(), len.parse().unwrap());
        for cell in &mut grid[y][x..x + len] {
            *cell = true;
        }
    }
    grid
}

/// Draws the grid as a greyscale picture (8 pixels a module, a white margin) and reads it
/// with rqrr.
fn decode(grid: &[Vec<bool>]) -> String {
    let scale = 8;
    let margin = 4 * scale;
    let n = grid.len();
    let side = n * scale + 2 * margin;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let (Some(cx), Some(cy)) = (x.checked_sub(margin), y.checked_sub(margin)) else {
            return 255;
        };
        let (c, r) = (cx / scale, cy / scale);
        if r < n && c < n && grid[r][c] { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (_, content) = grids[0].decode().expect("a readable QR code");
    content
}
