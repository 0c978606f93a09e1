//! `columns.select` and `columns.rename`.

use std::sync::{Arc, LazyLock};

use csv::ByteRecord;
use serde::Deserialize;
use symphony_core::config::ConfigValues;
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use super::support::spec;
use crate::data::{DataError, Headers};
use crate::error::OperatorError;
use crate::io::Io;
use crate::operator::{Operator, OperatorSpec, Task, required};

static SELECT: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "columns.select",
        "Keeps the named columns, in the order given.",
        OperatorCategory::Transform,
        &[("records", OperatorPortType::Records)],
        &[("records", OperatorPortType::Records)],
        r#"
        [columns]
        type = "array"
        items = { type = "string" }
        min_items = 1
        required = true
        description = "The columns to keep, in output order"
        "#,
    )
});

/// `columns.select`: keeps `columns`, in that order.
#[derive(Debug, Clone, Copy, Default)]
pub struct SelectColumns;

impl Operator for SelectColumns {
    fn spec(&self) -> &OperatorSpec {
        &SELECT
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let columns: Vec<String> = required(params, "columns")?;
        // Checked now so that a duplicate fails when the workflow is built.
        let headers = Arc::new(Headers::new(columns.iter().cloned())?);
        Ok(Box::new(SelectTask { columns, headers }))
    }
}

struct SelectTask {
    columns: Vec<String>,
    headers: Arc<Headers>,
}

impl Task for SelectTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut resolved: Option<(Arc<Headers>, Vec<usize>)> = None;
        let mut scratch = ByteRecord::new();
        while let Some(mut batch) = io.recv_records("records")? {
            let indices = match &resolved {
                Some((input, indices)) if Arc::ptr_eq(input, batch.headers()) => indices.clone(),
                _ => {
                    let indices = self
                        .columns
                        .iter()
                        .map(|name| batch.headers().index_of(name))
                        .collect::<Result<Vec<_>, DataError>>()?;
                    resolved = Some((Arc::clone(batch.headers()), indices.clone()));
                    indices
                }
            };
            for record in batch.records_mut() {
                scratch.clear();
                for &index in &indices {
                    scratch.push_field(record.get(index).unwrap_or_default());
                }
                std::mem::swap(record, &mut scratch);
            }
            batch.set_headers(Arc::clone(&self.headers));
            io.send_records("records", batch)?;
        }
        Ok(())
    }
}

static RENAME: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "columns.rename",
        "Renames columns.",
        OperatorCategory::Transform,
        &[("records", OperatorPortType::Records)],
        &[("records", OperatorPortType::Records)],
        r#"
        [renames]
        type = "array"
        min_items = 1
        required = true
        description = "Pairs of old and new names"
        [renames.items]
        type = "object"
        [renames.items.properties.from]
        type = "string"
        required = true
        [renames.items.properties.to]
        type = "string"
        required = true
        "#,
    )
});

/// `columns.rename`: renames columns (`renames = [{ from = "a", to = "b" }]`); the records
/// themselves are untouched.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenameColumns;

#[derive(Deserialize)]
struct Rename {
    from: String,
    to: String,
}

impl Operator for RenameColumns {
    fn spec(&self) -> &OperatorSpec {
        &RENAME
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let renames: Vec<Rename> = required(params, "renames")?;
        Ok(Box::new(RenameTask {
            renames: renames.into_iter().map(|r| (r.from, r.to)).collect(),
        }))
    }
}

struct RenameTask {
    renames: Vec<(String, String)>,
}

impl Task for RenameTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut resolved: Option<(Arc<Headers>, Arc<Headers>)> = None;
        while let Some(mut batch) = io.recv_records("records")? {
            let renamed = match &resolved {
                Some((input, output)) if Arc::ptr_eq(input, batch.headers()) => Arc::clone(output),
                _ => {
                    let mut names = batch.headers().names().to_vec();
                    for (from, to) in &self.renames {
                        let index = batch.headers().index_of(from)?;
                        if let Some(name) = names.get_mut(index) {
                            to.clone_into(name);
                        }
                    }
                    let output = Arc::new(Headers::new(names)?);
                    resolved = Some((Arc::clone(batch.headers()), Arc::clone(&output)));
                    output
                }
            };
            batch.set_headers(renamed);
            io.send_records("records", batch)?;
        }
        Ok(())
    }
}
