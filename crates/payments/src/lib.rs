//! Payment gateways of motcua, behind one [`Gateway`] trait, and the pure pieces around them:
//!
//! - [`vnpay`]: VNPAY merchant integration 2.1.0 (payment URL, return and IPN verification with
//!   VNPAY's `RspCode` answers, `querydr`, `refund`).
//! - [`vietqr`]: bank transfer by VietQR (NAPAS's EMVCo merchant-presented QR), as payload, PNG
//!   and SVG.
//! - [`statement`]: a bank statement (CSV) matched to dossier codes and amounts, with a report.
//!
//! Gateways only speak their protocol and verify what they receive; whether a payment may
//! change is decided by [`motcua_domain::payment`]. Each agency has its own merchant account,
//! so a gateway value is built per agency from its configuration. Protocol notes:
//! `docs/PAYMENTS.md`.

pub mod gateway;
pub mod statement;
pub mod vietqr;
pub mod vnpay;

pub use gateway::{
    AttemptRequest, Checkout, Gateway, GatewayError, QueryOutcome, QueryRequest, RefundRequest,
    RefundResult, ReturnView, VerifiedReport,
};
