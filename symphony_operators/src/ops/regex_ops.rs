//! `regex.filter`, `regex.extract`, `regex.replace`: regular expressions on a column.
//!
//! Patterns run on bytes (the `regex` crate's `bytes` API), so fields that are not UTF-8 are
//! matched too, and no field is converted to a `String`.

use std::sync::{Arc, LazyLock};

use csv::ByteRecord;
use regex::bytes::Regex;
use symphony_core::config::ConfigValues;
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use super::support::{Column, regex, spec};
use crate::data::Chunk;
use crate::data::Headers;
use crate::error::OperatorError;
use crate::io::{Io, records};
use crate::operator::{Operator, OperatorSpec, Task, param, required};
use crate::stage::{Stage, Streaming, drive};

static FILTER: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "regex.filter",
        "Keeps the records whose column matches a regular expression; the others go to `rejected`.",
        OperatorCategory::Filter,
        &[("records", OperatorPortType::Records)],
        &[
            ("records", OperatorPortType::Records),
            ("rejected", OperatorPortType::Records),
        ],
        r#"
        [pattern]
        type = "string"
        required = true
        description = "Regular expression (unanchored: use ^…$ to match a whole field)"
        [column]
        type = "string"
        description = "Column to match; without it, a record matches if any field does"
        [invert]
        type = "boolean"
        default = false
        description = "Keep the records that do not match"
        "#,
    )
});

/// `regex.filter`: keeps records whose `column` matches `pattern` (or that do not, with
/// `invert`); the others are sent on `rejected` when something reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegexFilter;

impl Operator for RegexFilter {
    fn spec(&self) -> &OperatorSpec {
        &FILTER
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(FilterTask {
            regex: regex(params, "pattern")?,
            column: param::<String>(params, "column")?.map(Column::new),
            invert: required(params, "invert")?,
        }))
    }
}

struct FilterTask {
    regex: Regex,
    column: Option<Column>,
    invert: bool,
}

impl Task for FilterTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        drive(self, io)
    }

    fn streaming(&self) -> Option<&dyn Streaming> {
        Some(self)
    }
}

impl Streaming for FilterTask {
    fn open(&self, io: &mut Io<'_>) -> Result<Box<dyn Stage + '_>, OperatorError> {
        Ok(Box::new(FilterStage {
            task: self,
            column: self.column.clone(),
            // A fresh clone per run: the regex's scratch pool is fastest on the thread that
            // first used it, and a run may be on another thread than the last.
            regex: self.regex.clone(),
            split: io.is_connected("rejected"),
        }))
    }
}

struct FilterStage<'t> {
    task: &'t FilterTask,
    column: Option<Column>,
    regex: Regex,
    split: bool,
}

impl Stage for FilterStage<'_> {
    fn chunk(&mut self, chunk: Chunk, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut batch = records("records", chunk)?;
        let index = match &mut self.column {
            Some(column) => Some(column.index(batch.headers())?),
            None => None,
        };
        let (regex, invert) = (&self.regex, self.task.invert);
        let keep = |record: &ByteRecord| {
            let matched = match index {
                Some(index) => record.get(index).is_some_and(|field| regex.is_match(field)),
                None => record.iter().any(|field| regex.is_match(field)),
            };
            matched != invert
        };
        if self.split {
            let mut rejected = batch.sibling();
            for record in batch.records() {
                if !keep(record) {
                    rejected.push_record(record);
                }
            }
            batch.retain(keep);
            io.send_records("records", batch)?;
            io.send_records("rejected", rejected)
        } else {
            batch.retain(keep);
            io.send_records("records", batch)
        }
    }
}

static EXTRACT: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "regex.extract",
        "Adds a column per named capture group of a regular expression matched on a column.",
        OperatorCategory::Transform,
        &[("records", OperatorPortType::Records)],
        &[("records", OperatorPortType::Records)],
        r#"
        [pattern]
        type = "string"
        required = true
        description = "Regular expression with named groups, e.g. (?P<year>\\d{4})-(?P<month>\\d{2})"
        [column]
        type = "string"
        required = true
        description = "Column to match"
        [keep_unmatched]
        type = "boolean"
        default = true
        description = "Keep records that do not match (with empty new columns) instead of dropping them"
        "#,
    )
});

/// `regex.extract`: matches `pattern` on `column` and appends one column per named capture
/// group (empty where the group did not take part in the match).
#[derive(Debug, Clone, Copy, Default)]
pub struct RegexExtract;

impl Operator for RegexExtract {
    fn spec(&self) -> &OperatorSpec {
        &EXTRACT
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let regex = regex(params, "pattern")?;
        let groups: Vec<(usize, String)> = regex
            .capture_names()
            .enumerate()
            .filter_map(|(index, name)| name.map(|name| (index, name.to_owned())))
            .collect();
        if groups.is_empty() {
            return Err(OperatorError::InvalidParam {
                name: "pattern".to_owned(),
                reason: "has no named capture group such as (?P<name>…) to make a column of"
                    .to_owned(),
            });
        }
        Ok(Box::new(ExtractTask {
            regex,
            groups,
            column: Column::new(required(params, "column")?),
            keep_unmatched: required(params, "keep_unmatched")?,
        }))
    }
}

struct ExtractTask {
    regex: Regex,
    groups: Vec<(usize, String)>,
    column: Column,
    keep_unmatched: bool,
}

impl Task for ExtractTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut column = self.column.clone();
        let regex = self.regex.clone();
        let mut locations = regex.capture_locations();
        let mut headers_for: Option<(Arc<Headers>, Arc<Headers>)> = None;
        // Captured bytes are copied out before the record they came from is extended.
        let mut scratch: Vec<u8> = Vec::new();
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(self.groups.len());
        while let Some(mut batch) = io.recv_records("records")? {
            let index = column.index(batch.headers())?;
            let output_headers = match &headers_for {
                Some((input, output)) if Arc::ptr_eq(input, batch.headers()) => Arc::clone(output),
                _ => {
                    let names = batch
                        .headers()
                        .names()
                        .iter()
                        .cloned()
                        .chain(self.groups.iter().map(|(_, name)| name.clone()));
                    let output = Arc::new(Headers::new(names)?);
                    headers_for = Some((Arc::clone(batch.headers()), Arc::clone(&output)));
                    output
                }
            };
            let mut matched_rows = Vec::with_capacity(batch.len());
            for record in batch.records_mut() {
                scratch.clear();
                spans.clear();
                let field = record.get(index).unwrap_or_default();
                let matched = regex.captures_read(&mut locations, field).is_some();
                for (group, _) in &self.groups {
                    let start = scratch.len();
                    if matched && let Some((from, to)) = locations.get(*group) {
                        scratch.extend_from_slice(&field[from..to]);
                    }
                    spans.push((start, scratch.len()));
                }
                for &(from, to) in &spans {
                    record.push_field(&scratch[from..to]);
                }
                matched_rows.push(matched);
            }
            if !self.keep_unmatched {
                let mut row = 0;
                batch.retain(|_| {
                    row += 1;
                    matched_rows.get(row - 1).copied().unwrap_or(false)
                });
            }
            batch.set_headers(output_headers);
            io.send_records("records", batch)?;
        }
        Ok(())
    }
}

static REPLACE: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "regex.replace",
        "Replaces matches of a regular expression in a column.",
        OperatorCategory::Transform,
        &[("records", OperatorPortType::Records)],
        &[("records", OperatorPortType::Records)],
        r#"
        [pattern]
        type = "string"
        required = true
        description = "Regular expression"
        [column]
        type = "string"
        required = true
        description = "Column to change"
        [replacement]
        type = "string"
        required = true
        description = "Replacement; $1 or ${name} insert capture groups, $$ a dollar sign"
        [all]
        type = "boolean"
        default = true
        description = "Replace every match (otherwise only the first)"
        "#,
    )
});

/// `regex.replace`: replaces matches of `pattern` in `column` with `replacement`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegexReplace;

impl Operator for RegexReplace {
    fn spec(&self) -> &OperatorSpec {
        &REPLACE
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(ReplaceTask {
            regex: regex(params, "pattern")?,
            column: Column::new(required(params, "column")?),
            replacement: required::<String>(params, "replacement")?.into_bytes(),
            all: required(params, "all")?,
        }))
    }
}

struct ReplaceTask {
    regex: Regex,
    column: Column,
    replacement: Vec<u8>,
    all: bool,
}

impl Task for ReplaceTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut column = self.column.clone();
        let regex = self.regex.clone();
        let mut scratch = ByteRecord::new();
        while let Some(mut batch) = io.recv_records("records")? {
            let index = column.index(batch.headers())?;
            for record in batch.records_mut() {
                let Some(field) = record.get(index) else {
                    continue;
                };
                let limit = if self.all { 0 } else { 1 };
                let replaced = regex.replacen(field, limit, self.replacement.as_slice());
                if let std::borrow::Cow::Owned(new_field) = replaced {
                    scratch.clear();
                    for (position, old) in record.iter().enumerate() {
                        scratch.push_field(if position == index { &new_field } else { old });
                    }
                    std::mem::swap(record, &mut scratch);
                }
            }
            io.send_records("records", batch)?;
        }
        Ok(())
    }
}
