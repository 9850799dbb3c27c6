//! The official one-stop forms (biểu mẫu một cửa) of motcua, as A4 print-ready HTML and as
//! PDF.
//!
//! ```no_run
//! use motcua_forms::{FormContext, FormData, FormKind, render_html, render_pdf};
//! # fn demo(state: &motcua_domain::dossier::DossierState, ctx: &FormContext) -> Result<(), motcua_forms::FormError> {
//! let data = FormData::from_state(state, ctx);
//! let html: String = render_html(&data, FormKind::Receipt)?;
//! let pdf: Vec<u8> = render_pdf(&data, FormKind::Receipt)?;
//! # Ok(()) }
//! ```
//!
//! - [`model`](FormData): the form data, plain values built from a
//!   [`DossierState`](motcua_domain::dossier::DossierState) and a [`FormContext`] (what the
//!   dossier does not hold: agency and people names, the procedure's name, the components
//!   received, the look-up URL).
//! - [`sets`](FormSet): the form sets of Circular 01/2018/TT-VPCP and Circular
//!   03/2025/TT-VPCP as a rule pack (`src/form-sets.json`); [`form_set_for`] picks by the
//!   dossier's receipt date.
//! - HTML: one askama template (`templates/form.html`), `@page { size: A4; margin: 20mm 15mm
//!   20mm 30mm }` (A4 landscape for the register), serif 13 pt, the national motto, the QR code
//!   as inline SVG. Serve [`FONT_FILES`] and name their URL in [`HtmlOptions`] so browsers
//!   print with the same face as the PDF.
//! - PDF: [krilla] with Liberation Serif (SIL Open Font License 1.1, `fonts/`) embedded as a
//!   subset, extractable text with diacritics, the QR code as vector rectangles.
//! - [`vi`]: Vietnamese notation (dates `24/11/2026`, "ngày 24 tháng 11 năm 2026", `08g05`,
//!   `08 giờ 05 phút`, `1.816`).
//!
//! # Design
//!
//! Each form is written once, as a short list of blocks (header, title, paragraphs, tables,
//! signatures; `src/content.rs`), and drawn by both renderers, so the HTML and the PDF never
//! say different things. The PDF is drawn by this crate's own small layout engine over
//! krilla (krilla places glyphs, it does not break lines), which keeps the dependency tree
//! to krilla's font reader and PDF writer: no HTML engine, no system fonts, no network.
//!
//! # Which form set, and what is not confirmed
//!
//! | form | 01/2018 (received before 15/09/2025) | 03/2025 (received from 15/09/2025) |
//! |---|---|---|
//! | Giấy tiếp nhận hồ sơ và hẹn trả kết quả | Mẫu số 01 | Mẫu số 01 |
//! | Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ | Mẫu số 02 | Mẫu số 02 |
//! | Phiếu từ chối tiếp nhận giải quyết hồ sơ | Mẫu số 03 (number unconfirmed) | Mẫu số 03 |
//! | Phiếu xin lỗi và hẹn lại ngày trả kết quả / Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết | Mẫu số 04 (number unconfirmed) | Mẫu số 04 |
//! | Thông báo dừng giải quyết hồ sơ | — (only in the 2025 set) | Mẫu số 05 |
//! | Phiếu kiểm soát quá trình giải quyết hồ sơ | Mẫu số 05 (number unconfirmed) | Mẫu số 06 |
//! | Sổ theo dõi hồ sơ | Mẫu số 06 (number unconfirmed) | Mẫu số 07 |
//!
//! Unconfirmed (see `shared/domain/legal-rules.md` §1.2 and §9):
//! - the numbers of forms 03–06 of Circular 01/2018 (the titles are from secondary sources);
//! - the effective date of Circular 03/2025: 15/09/2025 is the date the research gives for the
//!   circular and its form set; whether it took effect that day or later is not confirmed;
//!   and which forms dossiers received between Decree 118/2025 (01/07/2025) and then must use
//!   (here: the 01/2018 set);
//! - the official wording of the forms' bodies: the fields follow the official titles and the
//!   fields seen in production-style templates, the sentences are motcua's own;
//! - the zero padding of the date line (a day below 10 and a month below 3 get a leading zero,
//!   "ngày 05 tháng 02 năm 2026") is the rule of Decree 30/2020/NĐ-CP on administrative
//!   documents as the author knows it, not checked against the text here.
//!
//! Personal data: the forms handed to the applicant show the identification number masked
//! (`0381******23`, as public views do); the control sheet and the register, which stay with
//! the agencies, show it in full ([`FormKind::is_for_applicant`]).

mod content;
mod doc;
mod error;
mod html;
pub mod model;
mod pdf;
pub mod qr;
pub mod receipt;
pub mod sample;
pub mod sets;
pub mod vi;

pub use error::FormError;
pub use html::HtmlOptions;
pub use model::{
    ApologyInfo, ApplicantInfo, ClosureInfo, ComponentLine, FormContext, FormData, Issuer, Outcome,
    RegisterRow, SupplementInfo, TimelineRow,
};
pub use qr::QrMatrix;
pub use sets::{Certainty, FormEntry, FormKind, FormSet, form_set, form_set_for, form_sets};

/// The name of the font embedded in the PDFs.
pub const PDF_FONT: &str = "Liberation Serif";

/// The embedded font files, by file name: serve them (e.g. under `/static/fonts/`) and pass
/// that URL as [`HtmlOptions::font_base_url`], so the printed HTML uses the same face as the
/// PDF whatever fonts the browser's machine has (Debian's Chromium, for one, maps "Times New
/// Roman" to Liberation Serif 1.07, which lacks most Vietnamese letters).
pub const FONT_FILES: [(&str, &[u8]); 3] = [
    (
        "LiberationSerif-Regular.ttf",
        include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    ),
    (
        "LiberationSerif-Bold.ttf",
        include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    ),
    (
        "LiberationSerif-Italic.ttf",
        include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    ),
];

/// The form `kind` for `data`, as A4 print-ready HTML, in the form set of the dossier's
/// receipt date ([`FormData::form_set`]).
pub fn render_html(data: &FormData, kind: FormKind) -> Result<String, FormError> {
    render_html_with(data, kind, data.form_set())
}

/// The form `kind` for `data`, as PDF, in the form set of the dossier's receipt date.
pub fn render_pdf(data: &FormData, kind: FormKind) -> Result<Vec<u8>, FormError> {
    render_pdf_with(data, kind, data.form_set())
}

/// [`render_html`] in a given form set.
pub fn render_html_with(
    data: &FormData,
    kind: FormKind,
    set: &FormSet,
) -> Result<String, FormError> {
    render_html_with_options(data, kind, set, &HtmlOptions::default())
}

/// [`render_html_with`], with options (where the embedded fonts are served).
pub fn render_html_with_options(
    data: &FormData,
    kind: FormKind,
    set: &FormSet,
    options: &HtmlOptions,
) -> Result<String, FormError> {
    html::render(&content::build(data, kind, set)?, options)
}

/// [`render_pdf`] in a given form set.
pub fn render_pdf_with(
    data: &FormData,
    kind: FormKind,
    set: &FormSet,
) -> Result<Vec<u8>, FormError> {
    pdf::render(&content::build(data, kind, set)?)
}
