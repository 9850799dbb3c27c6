//! The procedure record (TTHC) and the importer of the national portal crawl format.
//!
//! - [`lifecycle`]: a procedure's status in the catalogue and its one table of moves
//!   ([`ProcedureStatus`]).
//! - [`model`]: the record ([`Procedure`]) with its channels, time limits, fees, components,
//!   legal basis and results, as Decree 63/2010 art. 8 describes a procedure.
//! - [`parse`]: format-independent readers of Vietnamese field text: time limits
//!   ([`parse::time`]), fees ([`parse::fee`]) and numbers ([`parse::number`]).
//! - [`dvc`]: the crawl format of the national public-service portal (JSON lines with the
//!   crawler's field names, tables flattened to run-together text), entry point
//!   [`parse_dvc_record`].
//! - [`infer`]: flags the crawl does not state (online level, full-online eligibility, financial
//!   obligation), with their rules.
//! - [`issue`]: what the importer reports ([`ImportError`], [`ParseIssue`]).
//! - [`export`]: a flat CSV row per procedure.
//! - [`search`]: the in-memory search index: matching (accents, i/y, typos, relaxation) and
//!   ranking.
//!
//! Everything here is pure: it takes text and returns values, with no I/O and no async.

pub mod dvc;
pub mod export;
pub mod infer;
pub mod issue;
pub mod lifecycle;
pub mod model;
pub mod parse;
mod scan;
pub mod search;

pub use dvc::{parse_dvc_lines, parse_dvc_object, parse_dvc_record};
pub use export::{csv_header, to_csv, to_csv_record};
pub use issue::{Finding, ImportError, IssueKind, ParseIssue, ParsedProcedure};
pub use lifecycle::ProcedureStatus;
pub use model::{
    Channel, ChannelSpec, ComponentSpec, Fee, FeeItem, FeeKind, FeeSource, ForeignAmount, LegalDoc,
    Level, OnlineLevel, Procedure, ProcessingTime, ResultSpec, TimeUnit,
};
pub use parse::fee::{FeeParse, parse_fee, parse_fee_text};
pub use parse::time::{TimeParse, TimeReading, parse_time};
