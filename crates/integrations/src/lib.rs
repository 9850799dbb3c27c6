//! The messages motcua exchanges with other systems, pure (no I/O): webhooks to the province's
//! operations centre and other subscribers ([`webhook`]). The workers that send them, from the
//! outbox written in the same transaction as the event, live in the application layer.

pub mod httpsig;
pub mod portal;
pub mod transfer;
pub mod webhook;
