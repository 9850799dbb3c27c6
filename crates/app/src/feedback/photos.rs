//! Photos of feedback reports: checked as every upload is (by content, JPEG or PNG only, size
//! and dimensions), then stripped of their metadata before they are stored, so that no photo
//! published with an answer carries where or when it was taken, or with which device.
//!
//! Stripping keeps the image data untouched (no re-encoding, so no loss): in a JPEG every APPn
//! segment goes (EXIF, XMP, IPTC, MPF and the thumbnails and extra images they bring, maker
//! notes) except the JFIF header, the ICC colour profile and Adobe's colour transform, which
//! decoders need; comments go, and anything after the end-of-image marker. In a PNG the text
//! chunks (`tEXt`, `zTXt`, `iTXt`), `eXIf` and `tIME` go, and anything after `IEND`.
//!
//! A person who chooses to share the place may let it come from the photo: its GPS position is
//! read before stripping ([`gps_of`]) and becomes the report's place, never part of the file.

use bytes::Bytes;
use motcua_domain::dossier::MediaType;

use crate::error::AppError;

/// JPEG APPn segments kept: the JFIF header (APP0), the ICC profile (APP2 `ICC_PROFILE`) and
/// Adobe's colour transform (APP14 `Adobe`).
fn keep_jpeg_segment(marker: u8, data: &[u8]) -> bool {
    match marker {
        0xE0 => data.starts_with(b"JFIF\0") || data.starts_with(b"JFXX\0"),
        0xE2 => data.starts_with(b"ICC_PROFILE\0"),
        0xEE => data.starts_with(b"Adobe"),
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
        _ => true,
    }
}

/// A JPEG without its metadata; `None` if its structure cannot be followed.
pub fn strip_jpeg(b: &[u8]) -> Option<Vec<u8>> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend([0xFF, 0xD8]);
    let mut i = 2;
    loop {
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i)? == 0xFF {
            i += 1;
        }
        let marker = b[i];
        i += 1;
        match marker {
            // End of image: whatever follows (an MPF's other images) is dropped.
            0xD9 => {
                out.extend([0xFF, 0xD9]);
                return Some(out);
            }
            0x01 | 0xD0..=0xD7 => out.extend([0xFF, marker]),
            _ => {
                let len = u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]) as usize;
                if len < 2 {
                    return None;
                }
                let segment = b.get(i..i + len)?;
                i += len;
                if keep_jpeg_segment(marker, &segment[2..]) {
                    out.extend([0xFF, marker]);
                    out.extend(segment);
                }
                if marker == 0xDA {
                    // Entropy-coded data, up to the next marker that is not a restart or a
                    // stuffed zero.
                    let start = i;
                    while i + 1 < b.len() {
                        let next = b[i + 1];
                        if b[i] == 0xFF
                            && next != 0
                            && next != 0xFF
                            && !(0xD0..=0xD7).contains(&next)
                        {
                            break;
                        }
                        i += 1;
                    }
                    if i + 1 >= b.len() {
                        return None;
                    }
                    out.extend(&b[start..i]);
                }
            }
        }
    }
}

/// PNG chunks that carry metadata.
const PNG_METADATA: [&[u8; 4]; 5] = [b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"];

/// A PNG without its metadata chunks; `None` if its structure cannot be followed.
pub fn strip_png(b: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if !b.starts_with(&SIGNATURE) {
        return None;
    }
    let mut out = SIGNATURE.to_vec();
    let mut i = 8;
    loop {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind: [u8; 4] = b.get(i + 4..i + 8)?.try_into().ok()?;
        let end = i.checked_add(12)?.checked_add(len)?;
        let chunk = b.get(i..end)?;
        if !PNG_METADATA.contains(&&kind) {
            out.extend(chunk);
        }
        i = end;
        if &kind == b"IEND" {
            return Some(out);
        }
    }
}

/// The photo's bytes without metadata.
pub fn strip(media_type: MediaType, bytes: &[u8]) -> Result<Vec<u8>, AppError> {
    let stripped = match media_type {
        MediaType::Jpeg => strip_jpeg(bytes),
        MediaType::Png => strip_png(bytes),
        MediaType::Pdf => None,
    };
    stripped.ok_or_else(|| {
        AppError::invalid(
            "invalid_image",
            "Ảnh bị hỏng hoặc không đúng định dạng JPEG, PNG.",
        )
    })
}

/// The GPS position a photo's EXIF records, as (latitude, longitude), if any.
pub fn gps_of(bytes: &Bytes) -> Option<(f64, f64)> {
    use exif::{In, Tag, Value};
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes.as_ref()))
        .ok()?;
    let degrees = |tag: Tag| -> Option<f64> {
        match &exif.get_field(tag, In::PRIMARY)?.value {
            Value::Rational(v) if v.len() == 3 => {
                Some(v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0)
            }
            _ => None,
        }
    };
    let sign = |tag: Tag, negative: u8| -> f64 {
        match exif.get_field(tag, In::PRIMARY).map(|f| &f.value) {
            Some(Value::Ascii(v)) if v.first().and_then(|s| s.first()) == Some(&negative) => -1.0,
            _ => 1.0,
        }
    };
    let lat = degrees(Tag::GPSLatitude)? * sign(Tag::GPSLatitudeRef, b'S');
    let lon = degrees(Tag::GPSLongitude)? * sign(Tag::GPSLongitudeRef, b'W');
    (lat.is_finite() && lon.is_finite()).then_some((lat, lon))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_with(extra: &[(u8, &[u8])], trailer: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        for (marker, data) in extra {
            out.extend([0xFF, *marker]);
            out.extend(((data.len() + 2) as u16).to_be_bytes());
            out.extend(*data);
        }
        out.extend([0xFF, 0xDB, 0x00, 0x43, 0x00]);
        out.extend([1u8; 64]);
        out.extend([
            0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00,
        ]);
        out.extend([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        out.extend([0x3F, 0xFF, 0x00, 0x12, 0xFF, 0xD0, 0x34, 0xFF, 0xD9]);
        out.extend(trailer);
        out
    }

    #[test]
    fn jpeg_metadata_goes_and_the_image_stays() {
        let plain = jpeg_with(&[(0xE0, b"JFIF\0\x01\x02")], b"");
        assert_eq!(strip_jpeg(&plain).unwrap(), plain);
        let tagged = jpeg_with(
            &[
                (0xE0, b"JFIF\0\x01\x02"),
                (0xE1, b"Exif\0\0GPS here"),
                (0xE1, b"http://ns.adobe.com/xap/1.0/\0<gps/>"),
                (0xE2, b"MPF\0offsets"),
                (0xED, b"Photoshop 3.0\0iptc"),
                (0xFE, b"a comment"),
            ],
            b"\xFF\xD8\xFF\xE1\0\x08Exif\0\0second image",
        );
        assert_eq!(strip_jpeg(&tagged).unwrap(), plain);
        let icc = jpeg_with(&[(0xE2, b"ICC_PROFILE\0\x01\x01prof")], b"");
        assert_eq!(strip_jpeg(&icc).unwrap(), icc);
        assert!(strip_jpeg(&plain[..plain.len() - 3]).is_none());
    }

    #[test]
    fn png_text_chunks_go() {
        fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend(kind);
            c.extend(data);
            c.extend([0, 0, 0, 0]);
            c
        }
        let sig = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        let ihdr = chunk(b"IHDR", &[0; 13]);
        let idat = chunk(b"IDAT", b"pixels");
        let iend = chunk(b"IEND", b"");
        let plain = [&sig[..], &ihdr, &idat, &iend].concat();
        let tagged = [
            &sig[..],
            &ihdr,
            &chunk(b"eXIf", b"MM\0*gps"),
            &chunk(b"tEXt", b"Comment\0hi"),
            &chunk(b"iTXt", b"XML:com.adobe.xmp\0"),
            &idat,
            &chunk(b"tIME", &[0; 7]),
            &iend,
            b"trailing",
        ]
        .concat();
        assert_eq!(strip_png(&tagged).unwrap(), plain);
        assert!(strip_png(&plain[..plain.len() - 2]).is_none());
    }
}
