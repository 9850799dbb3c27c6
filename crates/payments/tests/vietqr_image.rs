//! The VietQR PNG scans: decoded with rqrr (an independent QR decoder), it gives back the
//! payload, whose CRC checks.

use motcua_payments::vietqr::{VietQr, crc16_ccitt};

#[test]
fn the_png_decodes_to_the_payload() {
    let qr = VietQr {
        bank_bin: "970415".into(),
        account: "113366668888".into(),
        amount_vnd: 4_500_000,
        purpose: "000.00.06.H56-260407-0361".into(),
    };
    let png_bytes = qr.png(6).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, qr.payload().unwrap());
    let (body, crc) = content.split_at(content.len() - 4);
    assert_eq!(crc, format!("{:04X}", crc16_ccitt(body.as_bytes())));
    assert!(content.contains("0825000.00.06.H56-260407-0361"));
    assert!(content.contains("5407"));
}
