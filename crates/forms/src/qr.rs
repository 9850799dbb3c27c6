//! The QR code of a dossier's public look-up URL: one module matrix ([`QrMatrix`]), drawn as
//! inline SVG in the HTML and as vector rectangles in the PDF, so both print sharp at any
//! size and carry exactly the same code.

use qrcode::{Color, EcLevel, QrCode};

use crate::error::FormError;

/// Light modules around the code, as the QR standard asks.
pub const QUIET_ZONE: usize = 4;

/// A QR code as a square of dark and light modules (without the quiet zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    /// Encodes `text` with error correction level M (15%: survives a stamp or a crease).
    pub fn encode(text: &str) -> Result<QrMatrix, FormError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
            .map_err(|e| FormError::Qr(e.to_string()))?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(QrMatrix { width, dark })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether the module at column `x`, row `y` is dark (false outside the code).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.width && self.dark.get(y * self.width + x) == Some(&true)
    }

    /// The dark modules as horizontal runs `(x, y, length)`, row by row: what both renderers
    /// draw, one rectangle a run.
    pub fn runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let mut x = 0;
            while x < self.width {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.width && self.is_dark(x, y) {
                        x += 1;
                    }
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    /// An inline SVG of the code with its quiet zone, `size` being a CSS length ("28mm"). The
    /// `viewBox` is in modules; `aria-label` carries the encoded text.
    pub fn svg(&self, size: &str, label: &str) -> String {
        let side = self.width + 2 * QUIET_ZONE;
        let mut d = String::with_capacity(self.dark.len() * 4);
        for (x, y, len) in self.runs() {
            d.push_str(&format!(
                "M{} {}h{len}v1h-{len}z",
                x + QUIET_ZONE,
                y + QUIET_ZONE
            ));
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" width=\"{size}\" height=\"{size}\" \
             viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"{}\">\
             <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{d}\"/></svg>",
            escape_attr(label)
        )
    }
}

/// Escapes text for an HTML attribute value.
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let qr = QrMatrix::encode("https://motcua.example.vn/tra-cuu?ma=X").unwrap();
        let mut count = 0;
        for (x, y, len) in qr.runs() {
            for i in 0..len {
                assert!(qr.is_dark(x + i, y));
            }
            assert!(!qr.is_dark(x + len, y));
            count += len;
        }
        let dark = (0..qr.width())
            .flat_map(|y| (0..qr.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| qr.is_dark(x, y))
            .count();
        assert_eq!(count, dark);
        // Finder pattern: the top-left corner is dark.
        assert!(qr.is_dark(0, 0));
    }

    #[test]
    fn svg_escapes_the_label() {
        let qr = QrMatrix::encode("a\"b&c").unwrap();
        let svg = qr.svg("20mm", "a\"b&c");
        assert!(svg.contains("aria-label=\"a&quot;b&amp;c\""));
        assert!(svg.starts_with("<svg"));
    }

    #[test]
    fn too_long_for_a_qr_code() {
        let long = "x".repeat(5_000);
        assert_eq!(QrMatrix::encode(&long).unwrap_err().code(), "form_qr");
    }
}
