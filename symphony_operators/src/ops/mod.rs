//! Built-in operators on CSV, JSON and regular expressions.
//!
//! | name | category | ports | does |
//! |---|---|---|---|
//! | `csv.read` | parse | → `records` | reads a CSV file (headers, delimiter, quoting, flexible rows) |
//! | `csv.write` | format | `records` → `file` | writes a CSV file atomically |
//! | `regex.filter` | filter | `records` → `records`, `rejected` | keeps rows whose column matches |
//! | `regex.extract` | transform | `records` → `records` | named captures become columns |
//! | `regex.replace` | transform | `records` → `records` | replaces matches in a column |
//! | `columns.select` | transform | `records` → `records` | keeps and orders columns |
//! | `columns.rename` | transform | `records` → `records` | renames columns |
//! | `dedupe` | filter | `records` → `records` | drops repeated rows (by key columns) |
//! | `validate` | validate | `records` → `valid`, `errors` | required columns, types, patterns; a row-level error report |
//! | `records.to_json` | transform | `records` → `json` | records as JSON objects |
//! | `json.to_records` | transform | `json` → `records` | JSON objects as records |
//! | `json.read` | parse | → `json` | reads a JSON array or JSON lines file |
//! | `json.write` | format | `json` → `file` | writes a JSON array or JSON lines file atomically |
//!
//! Columns are named by header; an unknown name fails with the list of columns there are.
//!
//! In a [workflow](crate::workflow), configure them with their typed constructors
//! (`CsvRead::path(p)`, `RegexFilter::pattern(p).column("email")`, `RegexExtract::on(column,
//! pattern)` …): a missing or misspelt parameter does not compile.
//!
//! ```
//! use symphony_operators::ops;
//! use symphony_operators::workflow::Workflow;
//!
//! let mut builder = Workflow::builder();
//! builder
//!     .then("read", ops::CsvRead::path("in.csv").delimiter(';'))?
//!     .then("keep", ops::RegexFilter::pattern("@example\\.com$").column("email"))?
//!     .then("user", ops::RegexExtract::on("email", "^(?P<user>[^@]+)@"))?
//!     .then("write", ops::CsvWrite::path("out.csv"))?;
//! // A value the operator cannot use fails here, naming the node and the parameter.
//! let error = builder.then("bad", ops::RegexFilter::pattern("(unclosed")).unwrap_err();
//! assert!(error.to_string().starts_with("node `bad` (regex.filter): parameter `pattern`"));
//! # Ok::<(), symphony_operators::workflow::WorkflowError>(())
//! ```

mod columns;
mod csv_read;
mod csv_write;
mod dedupe;
mod json;
mod regex_ops;
mod steps;
mod support;
mod validate;

use std::sync::Arc;

pub use columns::{RenameColumns, SelectColumns};
pub use csv_read::CsvRead;
pub use csv_write::CsvWrite;
pub use dedupe::Dedupe;
pub use json::{JsonRead, JsonToRecords, JsonWrite, RecordsToJson};
pub use regex_ops::{RegexExtract, RegexFilter, RegexReplace};
pub use steps::{
    CsvReadStep, CsvWriteStep, JsonReadStep, JsonWriteStep, RegexExtractStep, RegexFilterStep,
    RegexReplaceStep,
};
pub use validate::Validate;

pub(crate) const REPLAY_ROWS: usize = support::BATCH_ROWS;

use crate::Operator;

/// Every built-in operator, for a host's registry.
pub fn all() -> Vec<Arc<dyn Operator>> {
    vec![
        Arc::new(CsvRead),
        Arc::new(CsvWrite),
        Arc::new(RegexFilter),
        Arc::new(RegexExtract),
        Arc::new(RegexReplace),
        Arc::new(SelectColumns),
        Arc::new(RenameColumns),
        Arc::new(Dedupe),
        Arc::new(Validate),
        Arc::new(RecordsToJson),
        Arc::new(JsonToRecords),
        Arc::new(JsonRead),
        Arc::new(JsonWrite),
    ]
}
