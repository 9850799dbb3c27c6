//! A4 print-ready HTML: one askama template (`templates/form.html`) draws the blocks of any
//! form. `@page` sets A4 (landscape for the register) with the margins of administrative
//! documents (top 20 mm, right 15 mm, bottom 20 mm, left 30 mm); on screen the page is shown
//! as a sheet. The QR code is inline SVG.

use askama::Template;

#[cfg(doc)]
use crate::FONT_FILES;
use crate::doc::{Block, Doc, MOTTO_1, MOTTO_2};
use crate::error::FormError;

/// How the HTML is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Where [`FONT_FILES`] are served ("/static/fonts", "fonts"): the page then declares
    /// them with `@font-face` as its first choice. Without it the page relies on the fonts
    /// installed ("Times New Roman", then other serifs with Vietnamese letters).
    pub font_base_url: Option<String>,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage<'a> {
    doc: &'a Doc,
    motto_1: &'a str,
    motto_2: &'a str,
    /// The font base URL without a trailing slash.
    fonts: Option<&'a str>,
}

pub(crate) fn render(doc: &Doc, options: &HtmlOptions) -> Result<String, FormError> {
    FormPage {
        doc,
        motto_1: MOTTO_1,
        motto_2: MOTTO_2,
        fonts: options
            .font_base_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/'))
            .filter(|u| !u.is_empty()),
    }
    .render()
    .map_err(|e| FormError::Template(e.to_string()))
}
