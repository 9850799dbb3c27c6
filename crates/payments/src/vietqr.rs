//! VietQR: the NAPAS 247 transfer QR, an EMVCo merchant-presented QR code (EMV QRCPS) with
//! NAPAS's merchant account template, as published in NAPAS's "VietQR" specification and the
//! EMVCo QR Code Specification for Payment Systems v1.1.
//!
//! Payload: TLV fields `ID(2) LEN(2) VALUE`:
//! `00` format "01"; `01` "12" (dynamic: one amount, one payment); `38` the consumer account
//! (`00` GUID "A000000727", `01` beneficiary organisation: `00` the bank's BIN (6 digits), `01`
//! the account or card number; `02` service "QRIBFTTA" to an account); `53` currency "704"
//! (VND); `54` amount (integer đồng); `58` country "VN"; `62` additional data (`08` the purpose:
//! the dossier code, which the bank statement brings back); `63` CRC-16/CCITT-FALSE (poly
//! 0x1021, init 0xFFFF) over the whole payload up to and including "6304", 4 uppercase hex
//! digits.

use qrcode::render::svg;
use qrcode::{Color, EcLevel, QrCode};

/// Longest transfer content (VietQR's purpose of transaction field allows 25 characters in
/// many banking apps; the EMVCo limit is 99).
pub const MAX_PURPOSE_CHARS: usize = 25;

/// A transfer to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VietQr {
    /// The bank's 6-digit NAPAS BIN (e.g. 970436 Vietcombank).
    pub bank_bin: String,
    /// The beneficiary account number.
    pub account: String,
    /// Integer đồng.
    pub amount_vnd: u64,
    /// The transfer content: the dossier code.
    pub purpose: String,
}

/// Why a VietQR cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VietQrError {
    #[error("the bank BIN must be 6 digits")]
    Bin,
    #[error("the account must be 1 to 19 letters or digits")]
    Account,
    #[error("the amount must be positive and at most 13 digits")]
    Amount,
    #[error(
        "the transfer content must be 1 to {MAX_PURPOSE_CHARS} ASCII letters, digits, '.', '-' or spaces"
    )]
    Purpose,
    #[error("QR: {0}")]
    Qr(String),
}

fn tlv(id: &str, value: &str) -> String {
    format!("{id}{:02}{value}", value.len())
}

/// CRC-16/CCITT-FALSE.
pub fn crc16_ccitt(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for b in data {
        crc ^= u16::from(*b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

impl VietQr {
    /// The EMVCo payload, with its CRC.
    pub fn payload(&self) -> Result<String, VietQrError> {
        if self.bank_bin.len() != 6 || !self.bank_bin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VietQrError::Bin);
        }
        if self.account.is_empty()
            || self.account.len() > 19
            || !self.account.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(VietQrError::Account);
        }
        if self.amount_vnd == 0 || self.amount_vnd > 9_999_999_999_999 {
            return Err(VietQrError::Amount);
        }
        let purpose = self.purpose.trim();
        if purpose.is_empty()
            || purpose.len() > MAX_PURPOSE_CHARS
            || !purpose
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b' '))
        {
            return Err(VietQrError::Purpose);
        }
        let beneficiary = tlv("00", &self.bank_bin) + &tlv("01", &self.account);
        let account = tlv("00", "A000000727") + &tlv("01", &beneficiary) + &tlv("02", "QRIBFTTA");
        let mut p = String::new();
        p += &tlv("00", "01");
        p += &tlv("01", "12");
        p += &tlv("38", &account);
        p += &tlv("53", "704");
        p += &tlv("54", &self.amount_vnd.to_string());
        p += &tlv("58", "VN");
        p += &tlv("62", &tlv("08", purpose));
        p += "6304";
        let crc = crc16_ccitt(p.as_bytes());
        Ok(format!("{p}{crc:04X}"))
    }

    fn code(&self) -> Result<QrCode, VietQrError> {
        QrCode::with_error_correction_level(self.payload()?.as_bytes(), EcLevel::M)
            .map_err(|e| VietQrError::Qr(e.to_string()))
    }

    /// The QR code as an SVG image.
    pub fn svg(&self) -> Result<String, VietQrError> {
        Ok(self
            .code()?
            .render::<svg::Color<'_>>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build())
    }

    /// The QR code as an 8-bit greyscale PNG, `scale` pixels per module, with the quiet zone.
    pub fn png(&self, scale: u32) -> Result<Vec<u8>, VietQrError> {
        let code = self.code()?;
        let (pixels, side) = raster(&code, scale.clamp(1, 32));
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc
            .write_header()
            .map_err(|e| VietQrError::Qr(e.to_string()))?;
        w.write_image_data(&pixels)
            .map_err(|e| VietQrError::Qr(e.to_string()))?;
        w.finish().map_err(|e| VietQrError::Qr(e.to_string()))?;
        Ok(out)
    }
}

/// Light modules around the code.
const QUIET_ZONE: u32 = 4;

/// Greyscale pixels (0 dark, 255 light) of the code with its quiet zone, and the side.
fn raster(code: &QrCode, scale: u32) -> (Vec<u8>, u32) {
    let width = code.width() as u32;
    let side = (width + 2 * QUIET_ZONE) * scale;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; (side * side) as usize];
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = (x / scale, y / scale);
            if (QUIET_ZONE..QUIET_ZONE + width).contains(&mx)
                && (QUIET_ZONE..QUIET_ZONE + width).contains(&my)
                && colors[((my - QUIET_ZONE) * width + (mx - QUIET_ZONE)) as usize] == Color::Dark
            {
                pixels[(y * side + x) as usize] = 0;
            }
        }
    }
    (pixels, side)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qr() -> VietQr {
        VietQr {
            bank_bin: "970436".into(),
            account: "0011001234567".into(),
            amount_vnd: 1_500_000,
            purpose: "000.00.06.H56-260407-0001".into(),
        }
    }

    #[test]
    fn crc_check_value() {
        // The CRC-16/CCITT-FALSE check value.
        assert_eq!(crc16_ccitt(b"123456789"), 0x29B1);
    }

    #[test]
    fn payload_fields() {
        let p = qr().payload().unwrap();
        assert!(p.starts_with("000201010212"));
        assert!(p.contains("38570010A00000072701270006970436011300110012345670208QRIBFTTA"));
        assert!(p.contains("5303704"));
        assert!(p.contains("54071500000"));
        assert!(p.contains("5802VN"));
        assert!(p.contains("62290825000.00.06.H56-260407-0001"));
        let (body, crc) = p.split_at(p.len() - 4);
        assert!(body.ends_with("6304"));
        assert_eq!(crc, format!("{:04X}", crc16_ccitt(body.as_bytes())));
    }

    #[test]
    fn bad_input_is_refused() {
        let bad = |f: fn(&mut VietQr)| {
            let mut q = qr();
            f(&mut q);
            q.payload().unwrap_err()
        };
        assert_eq!(bad(|q| q.bank_bin = "97043".into()), VietQrError::Bin);
        assert_eq!(bad(|q| q.account = "12 34".into()), VietQrError::Account);
        assert_eq!(bad(|q| q.amount_vnd = 0), VietQrError::Amount);
        assert_eq!(bad(|q| q.purpose = "Lệ phí".into()), VietQrError::Purpose);
        assert_eq!(bad(|q| q.purpose = "x".repeat(26)), VietQrError::Purpose);
    }

    #[test]
    fn svg_is_an_image() {
        let s = qr().svg().unwrap();
        assert!(s.contains("<svg") && s.contains("</svg>"));
    }
}
