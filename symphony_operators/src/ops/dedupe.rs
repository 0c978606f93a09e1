//! `dedupe`: drops records seen before.

use std::collections::HashSet;
use std::sync::LazyLock;

use csv::ByteRecord;
use symphony_core::config::ConfigValues;
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use super::support::{Column, spec};
use crate::error::OperatorError;
use crate::io::Io;
use crate::operator::{Operator, OperatorSpec, Task, param};

static SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "dedupe",
        "Drops records whose key was seen before, keeping the first.",
        OperatorCategory::Filter,
        &[("records", OperatorPortType::Records)],
        &[("records", OperatorPortType::Records)],
        r#"
        [columns]
        type = "array"
        items = { type = "string" }
        min_items = 1
        description = "Key columns; without them, the whole record is the key"
        "#,
    )
});

/// `dedupe`: keeps the first record of each key (the `columns`, or the whole record).
///
/// Memory grows with the number of distinct keys: every key is kept whole, because comparing
/// hashes alone could drop a record that only collides.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dedupe;

impl Operator for Dedupe {
    fn spec(&self) -> &OperatorSpec {
        &SPEC
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let columns: Option<Vec<String>> = param(params, "columns")?;
        Ok(Box::new(DedupeTask {
            columns: columns.map(|names| names.into_iter().map(Column::new).collect()),
        }))
    }
}

struct DedupeTask {
    columns: Option<Vec<Column>>,
}

impl Task for DedupeTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut columns = self.columns.clone();
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        while let Some(mut batch) = io.recv_records("records")? {
            let indices: Option<Vec<usize>> = match &mut columns {
                Some(columns) => Some(
                    columns
                        .iter_mut()
                        .map(|column| column.index(batch.headers()))
                        .collect::<Result<_, _>>()?,
                ),
                None => None,
            };
            batch.retain(|record| seen.insert(key(record, indices.as_deref())));
            io.send_records("records", batch)?;
        }
        Ok(())
    }
}

/// The key's fields, each prefixed with its length so that `("ab", "c")` and `("a", "bc")`
/// differ.
fn key(record: &ByteRecord, indices: Option<&[usize]>) -> Vec<u8> {
    let mut key = Vec::new();
    let mut push = |field: &[u8]| {
        key.extend_from_slice(&(field.len() as u64).to_le_bytes());
        key.extend_from_slice(field);
    };
    match indices {
        Some(indices) => indices
            .iter()
            .for_each(|&index| push(record.get(index).unwrap_or_default())),
        None => record.iter().for_each(push),
    }
    key
}
