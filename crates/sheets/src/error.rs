//! The one error type of the crate.

use thiserror::Error;

/// Why a document could not be produced.
///
/// Every variant except [`DocsError::Xlsx`] is a caller mistake caught before any bytes are
/// written; [`DocsError::Xlsx`] carries what the XLSX writer itself refused (an invalid or
/// repeated sheet name, for instance).
#[derive(Debug, Error)]
pub enum DocsError {
    /// A workbook needs at least one sheet.
    #[error("a workbook needs at least one table")]
    NoTables,
    /// A table without headers has no shape to filter or freeze.
    #[error("table {sheet:?} has no headers")]
    NoHeaders { sheet: String },
    /// A row has more cells than the table has headers.
    #[error("table {sheet:?}: row {row} has {cells} cells but there are {headers} headers")]
    RowTooWide {
        sheet: String,
        /// Zero-based index into [`crate::Table::rows`].
        row: usize,
        cells: usize,
        headers: usize,
    },
    /// The table does not fit in a worksheet (Excel: 1,048,576 rows, 16,384 columns).
    #[error("table {sheet:?} does not fit in a worksheet: {rows} rows, {columns} columns")]
    TooLarge {
        sheet: String,
        rows: usize,
        columns: usize,
    },
    /// The XLSX writer refused the workbook.
    #[error("XLSX writer: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
