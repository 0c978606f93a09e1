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

mod columns;
mod csv_read;
mod csv_write;
mod dedupe;
mod json;
mod regex_ops;
mod support;
mod validate;

use std::sync::Arc;

pub use columns::{RenameColumns, SelectColumns};
pub use csv_read::CsvRead;
pub use csv_write::CsvWrite;
pub use dedupe::Dedupe;
pub use json::{JsonRead, JsonToRecords, JsonWrite, RecordsToJson};
pub use regex_ops::{RegexExtract, RegexFilter, RegexReplace};
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
