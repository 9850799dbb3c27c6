//! The spreadsheet exports of motcua: the procedure catalogue and statistics reports as XLSX
//! and CSV. (Printable forms, PDF and QR codes are in `motcua-forms`.)
//!
//! The XLSX writer lives in this crate alone, so that the domain, the store and the web server
//! do not build it unless they export. Everything here is pure: values in, bytes out, no I/O;
//! the caller decides where the bytes go (an HTTP download, a file).
//!
//! - [`tables_xlsx`]: any list of [`Table`]s as an XLSX workbook, one worksheet per table, with
//!   a bold frozen header row, an autofilter, wrapped text, fitted column widths and A4
//!   landscape printing. Reports build on it.
//! - [`procedures_xlsx`]: the procedure catalogue ([`Procedure`]) as a spreadsheet with
//!   Vietnamese headers and values worded for people.
//! - [`vi`]: the Vietnamese wording of catalogue values ("8.000 đồng", "0,5 ngày",
//!   "Toàn trình"), shared by every document.
//!
//! [`Procedure`]: motcua_domain::catalogue::Procedure

mod error;
mod procedures;
mod stats;
mod table;
pub mod vi;

pub use error::DocsError;
pub use procedures::{
    PROCEDURE_HEADERS, PROCEDURES_SHEET, procedure_row, procedures_table, procedures_xlsx,
};
pub use stats::{REPORT_HEADERS, TOTAL_LABEL, Value, report_csv, report_table, report_values};
pub use table::{Cell, Table, tables_xlsx};
