//! Step 1, the operator: read the CSV with `csv.read`, check it with `validate`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Map, Value, json};
use symphony_core::host::CallError;
use symphony_operators::methods::{self, RunParams, RunResult};

use crate::error::{InvalidValue, QuickstartError};
use crate::launch::Launched;

/// The columns the model reads, in the order of its input.
pub(crate) const FEATURES: [&str; 4] =
    ["sepal_length", "sepal_width", "petal_length", "petal_width"];

/// The optional column that names a row in the report.
const NAME: &str = "name";

/// One row, ready for the model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub(crate) name: Option<String>,
    pub(crate) features: [f32; 4],
}

/// What the operator step produced.
pub(crate) struct Read {
    pub(crate) rows: Vec<Row>,
    /// The two [`methods::Run`] calls, end to end.
    pub(crate) took: Duration,
}

type Record = Map<String, Value>;

#[derive(Deserialize)]
struct ReadOutputs {
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct ValidateOutputs {
    errors: Vec<Problem>,
}

/// One row of `validate`'s error report (every field is text).
#[derive(Deserialize)]
struct Problem {
    row: String,
    column: String,
    value: String,
    problem: String,
}

/// Reads and checks `csv` (canonical, granted to the operator); errors name `shown`, the
/// path as the user gave it.
pub(crate) fn read(operator: &Launched, csv: &Path, shown: &Path) -> Result<Read, QuickstartError> {
    let began = Instant::now();
    let call = |what: &str, params: RunParams| {
        operator
            .host
            .request::<methods::Run>(&params)
            .map_err(|source| match source {
                // The operator's own message names the line, the column or the permission.
                CallError::Remote { error, .. } => QuickstartError::Csv {
                    path: shown.to_path_buf(),
                    message: operator_message(&error.message, csv),
                },
                source => QuickstartError::Call {
                    kind: operator.kind,
                    what: what.to_owned(),
                    source,
                },
            })
    };
    let answer = call(
        "csv.read",
        RunParams::new("csv.read").param("path", csv.display().to_string()),
    )?;
    let records = decode::<ReadOutputs>(operator, "csv.read", answer)?.records;
    if records.is_empty() {
        return Err(QuickstartError::NoRows {
            path: shown.to_path_buf(),
        });
    }
    let types: Vec<Value> = FEATURES
        .iter()
        .map(|column| json!({ "column": column, "type": "float" }))
        .collect();
    let answer = call(
        "validate",
        RunParams::new("validate")
            .param("required", json!(FEATURES))
            .param("types", types)
            .input("records", records.clone()),
    )?;
    let problems = decode::<ValidateOutputs>(operator, "validate", answer)?.errors;
    if let Some(first) = problems.first() {
        let row = first.row.parse::<u64>().unwrap_or(0);
        return Err(InvalidValue {
            path: shown.to_path_buf(),
            name: usize::try_from(row)
                .ok()
                .and_then(|row| records.get(row.checked_sub(1)?))
                .and_then(name_of),
            row,
            column: first.column.clone(),
            value: first.value.clone(),
            problem: first.problem.clone(),
            others: problems.len() - 1,
        }
        .into());
    }
    let rows = records
        .iter()
        .enumerate()
        .map(|(index, record)| to_row(record, index as u64 + 1, shown))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Read {
        rows,
        took: began.elapsed(),
    })
}

fn decode<T: for<'de> Deserialize<'de>>(
    operator: &Launched,
    what: &'static str,
    answer: RunResult,
) -> Result<T, QuickstartError> {
    serde_json::from_value::<T>(Value::Object(answer.outputs.into_iter().collect())).map_err(
        |error| QuickstartError::Unexpected {
            kind: operator.kind,
            what,
            detail: error.to_string(),
        },
    )
}

/// The operator's message without what the error already says: [`methods::Run`] wraps the
/// failure as its node `operator`'s, and `csv.read` starts with the path.
fn operator_message(message: &str, csv: &Path) -> String {
    let message = message
        .strip_prefix("node `operator` failed: ")
        .unwrap_or(message);
    let path = format!("{}: ", csv.display());
    message.strip_prefix(&path).unwrap_or(message).to_owned()
}

fn name_of(record: &Record) -> Option<String> {
    record
        .get(NAME)
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

/// The features of a record `validate` passed. It checked that each parses as a number; the
/// model also needs it finite in 32 bits (`NaN`, `inf` and `1e39` parse, but cannot be scored).
fn to_row(record: &Record, row: u64, shown: &Path) -> Result<Row, QuickstartError> {
    let mut features = [0.0f32; 4];
    for (slot, column) in features.iter_mut().zip(FEATURES) {
        let text = record
            .get(column)
            .and_then(Value::as_str)
            .unwrap_or_default();
        match text.trim().parse::<f32>() {
            Ok(value) if value.is_finite() => *slot = value,
            _ => {
                return Err(InvalidValue {
                    path: shown.to_path_buf(),
                    row,
                    name: name_of(record),
                    column: column.to_owned(),
                    value: text.to_owned(),
                    problem: "not a finite 32-bit number".to_owned(),
                    others: 0,
                }
                .into());
            }
        }
    }
    Ok(Row {
        name: name_of(record),
        features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(pairs: &[(&str, &str)]) -> Record {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), Value::from(*value)))
            .collect()
    }

    #[test]
    fn a_record_becomes_the_models_features_in_order() {
        let record = record(&[
            ("petal_width", "0.2"),
            ("name", "a"),
            ("sepal_length", " 5.1"),
            ("sepal_width", "3.5"),
            ("petal_length", "1.4"),
        ]);
        let row = to_row(&record, 1, Path::new("x.csv")).expect("valid");
        assert_eq!(row.features, [5.1, 3.5, 1.4, 0.2]);
        assert_eq!(row.name.as_deref(), Some("a"));
    }

    #[test]
    fn operator_messages_lose_their_wrapping() {
        let csv = Path::new("/d/iris.csv");
        assert_eq!(
            operator_message("node `operator` failed: /d/iris.csv: line 2: 4 fields", csv),
            "line 2: 4 fields"
        );
        assert_eq!(
            operator_message("unknown column `x`", csv),
            "unknown column `x`"
        );
    }

    #[test]
    fn values_the_model_cannot_take_name_row_and_column() {
        let record = record(&[
            ("sepal_length", "5.1"),
            ("sepal_width", "NaN"),
            ("petal_length", "1.4"),
            ("petal_width", "0.2"),
        ]);
        let error = to_row(&record, 7, Path::new("x.csv")).expect_err("NaN");
        assert_eq!(
            error.to_string(),
            "x.csv: row 7, column `sepal_width`: not a finite 32-bit number: `NaN`"
        );
    }
}
