//! VNPAY's codes, as published with the 2.1.0 integration: `vnp_ResponseCode` of a payment,
//! `vnp_TransactionStatus`, and the merchant's IPN answers (`RspCode`).

/// The meaning of a payment's `vnp_ResponseCode`, in Vietnamese.
pub fn response_message_vi(code: &str) -> &'static str {
    match code {
        "00" => "Giao dịch thành công",
        "07" => "Trừ tiền thành công, giao dịch bị nghi ngờ",
        "09" => "Thẻ/Tài khoản chưa đăng ký dịch vụ Internet Banking",
        "10" => "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần",
        "11" => "Đã hết hạn chờ thanh toán",
        "12" => "Thẻ/Tài khoản bị khóa",
        "13" => "Nhập sai mật khẩu xác thực giao dịch (OTP)",
        "24" => "Khách hàng hủy giao dịch",
        "51" => "Tài khoản không đủ số dư",
        "65" => "Tài khoản đã vượt quá hạn mức giao dịch trong ngày",
        "75" => "Ngân hàng thanh toán đang bảo trì",
        "79" => "Nhập sai mật khẩu thanh toán quá số lần quy định",
        _ => "Giao dịch không thành công",
    }
}

/// `vnp_TransactionStatus`: paid.
pub const STATUS_SUCCESS: &str = "00";
/// `vnp_TransactionStatus`: not finished yet.
pub const STATUS_PENDING: &str = "01";
/// `vnp_TransactionStatus`: failed.
pub const STATUS_FAILED: &str = "02";

/// `vnp_ResponseCode` of `querydr`: the transaction is not found.
pub const QUERY_NOT_FOUND: &str = "91";

/// The merchant's answer to an IPN: `{"RspCode": "..", "Message": ".."}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RspCode {
    /// 00: confirmed (the payment was updated, or its failure recorded).
    Confirmed,
    /// 01: order not found.
    OrderNotFound,
    /// 02: order already confirmed (nothing changed).
    AlreadyConfirmed,
    /// 04: invalid amount.
    InvalidAmount,
    /// 97: invalid signature.
    InvalidSignature,
    /// 99: anything else (malformed input, an internal error; VNPAY retries).
    Other,
}

impl RspCode {
    pub fn code(self) -> &'static str {
        match self {
            RspCode::Confirmed => "00",
            RspCode::OrderNotFound => "01",
            RspCode::AlreadyConfirmed => "02",
            RspCode::InvalidAmount => "04",
            RspCode::InvalidSignature => "97",
            RspCode::Other => "99",
        }
    }

    /// The message VNPAY's sample code answers with.
    pub fn message(self) -> &'static str {
        match self {
            RspCode::Confirmed => "Confirm Success",
            RspCode::OrderNotFound => "Order not found",
            RspCode::AlreadyConfirmed => "Order already confirmed",
            RspCode::InvalidAmount => "Invalid amount",
            RspCode::InvalidSignature => "Invalid signature",
            RspCode::Other => "Unknow error",
        }
    }

    /// The JSON body of the answer.
    pub fn body(self) -> serde_json::Value {
        serde_json::json!({ "RspCode": self.code(), "Message": self.message() })
    }
}
