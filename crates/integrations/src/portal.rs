//! The dossier-sync record motcua sends to the national public service portal (Cổng Dịch vụ
//! công quốc gia) for every received dossier and every status change: the fields Decision 766's
//! indicators read (legal-rules.md §1.4, §3.2: 1.4 sync, 2.1 on time, 3.3 channel, 3.6 online
//! payment, 4.2–4.4 digitisation), under the portal's field names. Dates are Vietnam time,
//! `yyyyMMddHHmmss` (made by the application layer). Pure: the worker sends it.

use serde::{Deserialize, Serialize};

/// Every field of a record, in order (the fake portal and the tests check against it).
pub const FIELDS: [&str; 18] = [
    "MaHoSo",
    "MaTTHC",
    "MaCoQuan",
    "KenhThucHien",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "TrangThaiHoSo",
    "MaTrangThai",
    "NgayKetThucXuLy",
    "DuocThanhToanTrucTuyen",
    "MaKetQua",
    "DuongDanTepTinKetQua",
    "HoSoCoThanhPhanSoHoa",
    "TaiLieuNop",
    "SoHieuBuuGui",
    "PhiDichVuBuuChinh",
    "SuKien",
];

/// One digitised component (thành phần hồ sơ số hóa).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    #[serde(rename = "TenThanhPhan")]
    pub name: String,
    /// 1: the component is a digitised file.
    #[serde(rename = "DuocSoHoa")]
    pub digitised: u8,
    /// 1: taken from the citizen's data store or data already held (re-use).
    #[serde(rename = "DuocLayTuKhoDMQG")]
    pub reused: u8,
}

/// The dossier-sync record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRecord {
    /// The dossier's code (kept across bodies).
    #[serde(rename = "MaHoSo")]
    pub code: String,
    /// The procedure's code in the national database of procedures.
    #[serde(rename = "MaTTHC")]
    pub procedure: String,
    /// The agency that holds the dossier.
    #[serde(rename = "MaCoQuan")]
    pub agency: String,
    /// 1 in person, 2 online, 3 public postal service.
    #[serde(rename = "KenhThucHien")]
    pub channel: u8,
    #[serde(rename = "NgayNopHoSo")]
    pub submitted: Option<String>,
    /// Date of receipt.
    #[serde(rename = "NgayTiepNhan")]
    pub received: Option<String>,
    /// Appointment (date the result is due).
    #[serde(rename = "NgayHenTra")]
    pub appointment: Option<String>,
    /// The portal's status name (Đã tiếp nhận, Đang xử lý, Yêu cầu bổ sung hồ sơ, Từ chối,
    /// Dừng xử lý, Đã xử lý xong, Đã trả kết quả, Công dân yêu cầu rút hồ sơ, ...).
    #[serde(rename = "TrangThaiHoSo")]
    pub status: String,
    /// motcua's status key (received, processing, ...).
    #[serde(rename = "MaTrangThai")]
    pub status_key: String,
    /// End of processing (kết thúc xử lý): result recorded, stopped, refused or withdrawn.
    #[serde(rename = "NgayKetThucXuLy")]
    pub finished: Option<String>,
    /// 0 not paid online, 1 on the national portal, 2 through the province's payment gateway.
    #[serde(rename = "DuocThanhToanTrucTuyen")]
    pub paid_online: u8,
    #[serde(rename = "MaKetQua")]
    pub result_code: Option<String>,
    /// The electronic result's file.
    #[serde(rename = "DuongDanTepTinKetQua")]
    pub result_link: Option<String>,
    /// 1 when at least one component is digitised.
    #[serde(rename = "HoSoCoThanhPhanSoHoa")]
    pub has_digitised: u8,
    #[serde(rename = "TaiLieuNop")]
    pub components: Vec<Component>,
    /// The postal tracking number of a result sent by public postal service.
    #[serde(rename = "SoHieuBuuGui")]
    pub postal_tracking: Option<String>,
    /// The postal service's fee for it, VND.
    #[serde(rename = "PhiDichVuBuuChinh")]
    pub postal_fee_vnd: Option<u64>,
    /// The event this record follows (received, forwarded, result_recorded, ...).
    #[serde(rename = "SuKien")]
    pub event: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_carries_every_field_under_the_portals_names() {
        let r = SyncRecord {
            code: "000.00.01.H38-261207-0001".into(),
            procedure: "1.001193".into(),
            agency: "000.00.01.H38".into(),
            channel: 3,
            submitted: None,
            received: Some("20261130075320".into()),
            appointment: None,
            status: "Đã tiếp nhận".into(),
            status_key: "received".into(),
            finished: None,
            paid_online: 0,
            result_code: None,
            result_link: None,
            has_digitised: 0,
            components: vec![],
            postal_tracking: None,
            postal_fee_vnd: None,
            event: "received".into(),
        };
        let v = serde_json::to_value(&r).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = FIELDS.to_vec();
        want.sort();
        let mut got = keys.clone();
        got.sort();
        assert_eq!(got, want);
        assert_eq!(v["NgayTiepNhan"], "20261130075320");
        assert_eq!(v["KenhThucHien"], 3);
    }
}
