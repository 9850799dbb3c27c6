//! Documents of a dossier (thành phần hồ sơ as files): which file types are accepted and how
//! they are recognised ([`MediaType::sniff`], by content, never by name), where a file came
//! from ([`DocumentSource`]: scanned at the counter, uploaded online, taken from data the
//! state already holds, or sent with a dossier by another deployment), and the record the dossier keeps of it ([`AttachedDocument`]).
//!
//! Digitisation and re-use follow Decree 45/2020/NĐ-CP, Decree 42/2022/NĐ-CP and Circular
//! 01/2023/TT-VPCP, as the national portal counts them (legal-rules §2, Decision 766
//! indicators 4.2 and 4.3): a dossier is digitised when a file is attached to a component
//! **and** to the result (an electronic result); it re-uses digitised data when a component is
//! taken from a result or a digitised component of the same person's earlier dossier.
//!
//! A file is identified by the hex SHA-256 of its bytes (content-addressed): the same bytes
//! attached twice, to two components or two dossiers, are one file.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::code::DossierCode;
use super::command::Actor;

/// The longest component name kept (the catalogue's names are well under this).
pub const MAX_COMPONENT_CHARS: usize = 500;

/// A catalogue component's name as dossiers record it: without the catalogue's list marks
/// ("- ", "+ ", "* "), at most [`MAX_COMPONENT_CHARS`] characters.
pub fn component_key(name: &str) -> String {
    name.trim()
        .trim_start_matches(['-', '+', '*', ' '])
        .trim()
        .chars()
        .take(MAX_COMPONENT_CHARS)
        .collect()
}

/// The widest or tallest image accepted, in pixels (an A3 page at 600 dpi is 7,016 × 9,921).
pub const MAX_IMAGE_SIDE: usize = 12_000;
/// The most pixels an image may have (what decoding it for a thumbnail or a PDF costs).
pub const MAX_IMAGE_PIXELS: u64 = 80_000_000;
/// How far from its end a PDF's `%%EOF` marker may be (trailing whitespace or garbage).
const PDF_EOF_WINDOW: usize = 1_024;

/// Why a file whose signature names an accepted type is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("the image header cannot be read")]
    ImageHeader,
    #[error("the image is {width}×{height} pixels")]
    ImageTooLarge { width: usize, height: usize },
    #[error("the file does not have a PDF's structure")]
    PdfStructure,
}

impl ContentError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::ImageHeader => "invalid_image",
            Self::ImageTooLarge { .. } => "image_too_large",
            Self::PdfStructure => "invalid_pdf",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            Self::ImageHeader => "Tệp ảnh bị hỏng hoặc không đúng định dạng JPEG/PNG.".into(),
            Self::ImageTooLarge { width, height } => format!(
                "Ảnh có kích thước {width} × {height} điểm ảnh, vượt quá giới hạn \
                 {MAX_IMAGE_SIDE} × {MAX_IMAGE_SIDE} (tối đa {} triệu điểm ảnh).",
                MAX_IMAGE_PIXELS / 1_000_000
            ),
            Self::PdfStructure => {
                "Tệp không phải tệp PDF hợp lệ (thiếu phần kết thúc hoặc bảng tham chiếu).".into()
            }
        }
    }
}

/// A file type motcua accepts for a dossier component or a result: PDF, JPEG or PNG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MediaType {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
}

impl MediaType {
    pub const ALL: [MediaType; 3] = [MediaType::Pdf, MediaType::Jpeg, MediaType::Png];

    /// The type of a file from its first bytes (its signature), whatever its name or declared
    /// type: `%PDF-` (ISO 32000), JPEG's start-of-image marker `FF D8 FF`, PNG's eight-byte
    /// signature. `None` for anything else, an empty file included.
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        if bytes.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if bytes.starts_with(&PNG) {
            Some(MediaType::Png)
        } else {
            None
        }
    }

    /// Checks that a file of this type (by [`MediaType::sniff`]) is one beyond its signature:
    /// an image's header decodes to dimensions within [`MAX_IMAGE_SIDE`] and
    /// [`MAX_IMAGE_PIXELS`] (and names the same format); a PDF has a version after `%PDF-`,
    /// `%%EOF` near its end, a `startxref` or `trailer` before it, and no HTML markup in its
    /// first kilobyte.
    pub fn check_content(self, bytes: &[u8]) -> Result<(), ContentError> {
        match self {
            MediaType::Jpeg | MediaType::Png => {
                let want = if self == MediaType::Jpeg {
                    imagesize::ImageType::Jpeg
                } else {
                    imagesize::ImageType::Png
                };
                if imagesize::image_type(bytes).ok() != Some(want) {
                    return Err(ContentError::ImageHeader);
                }
                let size = imagesize::blob_size(bytes).map_err(|_| ContentError::ImageHeader)?;
                let (width, height) = (size.width, size.height);
                if width == 0 || height == 0 {
                    return Err(ContentError::ImageHeader);
                }
                if width > MAX_IMAGE_SIDE
                    || height > MAX_IMAGE_SIDE
                    || (width as u64) * (height as u64) > MAX_IMAGE_PIXELS
                {
                    return Err(ContentError::ImageTooLarge { width, height });
                }
                // A JPEG ends with its end-of-image marker (trailing padding allowed).
                if self == MediaType::Jpeg
                    && !bytes
                        .windows(2)
                        .rev()
                        .take(PDF_EOF_WINDOW)
                        .any(|w| w == [0xFF, 0xD9])
                {
                    return Err(ContentError::ImageHeader);
                }
                Ok(())
            }
            MediaType::Pdf => {
                let version = bytes.get(5..8).unwrap_or_default();
                let versioned = version.len() == 3
                    && version[0].is_ascii_digit()
                    && version[1] == b'.'
                    && version[2].is_ascii_digit();
                let tail = &bytes[bytes.len().saturating_sub(PDF_EOF_WINDOW)..];
                let eof = find(tail, b"%%EOF");
                let xref = find(bytes, b"startxref").is_some() || find(bytes, b"trailer").is_some();
                let head = bytes[..bytes.len().min(1_024)].to_ascii_lowercase();
                let markup = [&b"<html"[..], b"<!doctype", b"<script", b"<body", b"<svg"]
                    .iter()
                    .any(|m| find(&head, m).is_some());
                if versioned && eof.is_some() && xref && !markup {
                    Ok(())
                } else {
                    Err(ContentError::PdfStructure)
                }
            }
        }
    }

    /// The MIME type (the serde name), as stored and sent in `Content-Type`.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    pub fn parse(s: &str) -> Option<MediaType> {
        MediaType::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The usual file name extension, for downloads.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
        }
    }
}

/// Where an attached file came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentSource {
    /// Scanned from paper at the counter by a receiving officer (số hóa tại Bộ phận Một cửa).
    Scanned,
    /// Uploaded online by the citizen who lodged the dossier.
    Uploaded,
    /// Taken from data already held (khai thác, sử dụng lại dữ liệu đã số hóa): a result or a
    /// digitised component of the same person's dossier `from_dossier`.
    Reused { from_dossier: DossierCode },
    /// Sent with the dossier by another deployment (liên thông): fetched from `peer`, whose
    /// officers scanned or received it, and recorded here by the system on arrival.
    Transferred { peer: String },
}

impl DocumentSource {
    /// A stable snake_case key (the serde tag).
    pub fn key(&self) -> &'static str {
        match self {
            DocumentSource::Scanned => "scanned",
            DocumentSource::Uploaded => "uploaded",
            DocumentSource::Reused { .. } => "reused",
            DocumentSource::Transferred { .. } => "transferred",
        }
    }

    pub fn label_vi(&self) -> &'static str {
        match self {
            DocumentSource::Scanned => "Số hóa tại Bộ phận Một cửa",
            DocumentSource::Uploaded => "Tải lên trực tuyến",
            DocumentSource::Reused { .. } => "Sử dụng lại dữ liệu đã số hóa",
            DocumentSource::Transferred { .. } => "Nhận kèm hồ sơ liên thông",
        }
    }

    pub fn is_reused(&self) -> bool {
        matches!(self, DocumentSource::Reused { .. })
    }
}

/// A file attached to one of the dossier's components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedDocument {
    /// The component (thành phần hồ sơ) it stands for, as the procedure names it.
    pub component: String,
    /// Hex SHA-256 of the bytes (lower case).
    pub sha256: String,
    pub media_type: MediaType,
    /// Bytes.
    pub size: u64,
    pub source: DocumentSource,
    pub at: DateTime<Utc>,
    pub by: Actor,
}

/// Whether `s` is a hex SHA-256 as motcua writes it: 64 lower-case hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        b.extend(b"IHDR");
        b.extend(width.to_be_bytes());
        b.extend(height.to_be_bytes());
        b.extend([8, 0, 0, 0, 0, 0, 0, 0, 0]);
        b
    }

    #[test]
    fn content_is_checked_beyond_the_signature() {
        let jpeg_soi = [0xFF, 0xD8, 0xFF];
        assert_eq!(
            MediaType::Jpeg.check_content(&jpeg_soi),
            Err(ContentError::ImageHeader)
        );
        assert_eq!(MediaType::Png.check_content(&png_header(800, 600)), Ok(()));
        assert_eq!(
            MediaType::Png.check_content(&png_header(100_000, 100_000)),
            Err(ContentError::ImageTooLarge {
                width: 100_000,
                height: 100_000
            })
        );
        assert!(
            MediaType::Png
                .check_content(&png_header(10_000, 10_000))
                .is_err()
        );
        assert_eq!(
            MediaType::Pdf.check_content(b"%PDF-1.4\n<html><script>alert(1)</script></html>"),
            Err(ContentError::PdfStructure)
        );
        assert_eq!(
            MediaType::Pdf.check_content(
                b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
            ),
            Ok(())
        );
        let mut html = b"%PDF-1.4\n<!DOCTYPE html><body>x</body>\ntrailer\n%%EOF".to_vec();
        assert!(MediaType::Pdf.check_content(&html).is_err());
        html.truncate(8);
        assert!(MediaType::Pdf.check_content(&html).is_err());
    }

    #[test]
    fn files_are_recognised_by_their_signature_only() {
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n..."), Some(MediaType::Pdf));
        assert_eq!(
            MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(
            MediaType::sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some(MediaType::Png)
        );
        for other in [
            &b""[..],
            b"%PDF",
            b"hello.pdf",
            b" %PDF-1.4",
            b"GIF89a",
            b"PK\x03\x04",
            &[0xFF, 0xD8],
            &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A],
        ] {
            assert_eq!(MediaType::sniff(other), None, "{other:?}");
        }
        for m in MediaType::ALL {
            assert_eq!(MediaType::parse(m.as_str()), Some(m));
            assert_eq!(
                serde_json::to_value(m).unwrap(),
                serde_json::Value::String(m.as_str().into())
            );
        }
    }

    #[test]
    fn hashes_are_lower_case_hex_of_64_digits() {
        assert!(is_sha256_hex(&"ab".repeat(32)));
        assert!(!is_sha256_hex(&"AB".repeat(32)));
        assert!(!is_sha256_hex(&"ab".repeat(31)));
        assert!(!is_sha256_hex(&"zz".repeat(32)));
    }
}
