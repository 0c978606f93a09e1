//! Records to and from JSON objects.

use std::sync::Arc;

use csv::ByteRecord;
use serde_json::{Map, Value};

use super::{DataError, Headers, RecordBatch};

impl RecordBatch {
    /// The records as JSON objects, one key per column (fields as strings).
    ///
    /// # Errors
    ///
    /// [`DataError::FieldNotUtf8`] naming the row and column of a field that is not text.
    pub fn to_json(&self) -> Result<Vec<Value>, DataError> {
        self.records()
            .iter()
            .enumerate()
            .map(|(row, record)| record_to_json(self.headers(), record, row + 1))
            .collect()
    }

    /// A batch from JSON objects. Columns are the keys in order of first appearance; a record
    /// without a key gets an empty field. Strings are taken as they are, `null` as empty,
    /// other values as their JSON text.
    ///
    /// # Errors
    ///
    /// [`DataError::NotAnObject`] naming the first value that is not an object.
    pub fn from_json(values: &[Value]) -> Result<Self, DataError> {
        records_from_json(values)
    }
}

/// One record as a JSON object; `row` (from 1) is for the error message. Fields past the
/// headers (a ragged row read with `flexible`) are keyed by their position from 1.
///
/// # Errors
///
/// [`DataError::FieldNotUtf8`] if a field is not text.
pub fn record_to_json(
    headers: &Headers,
    record: &ByteRecord,
    row: usize,
) -> Result<Value, DataError> {
    let mut object = Map::with_capacity(record.len());
    for (index, field) in record.iter().enumerate() {
        let text = std::str::from_utf8(field).map_err(|_| DataError::FieldNotUtf8 {
            row,
            column: headers.name_at(index),
        })?;
        object.insert(headers.name_at(index), Value::String(text.to_owned()));
    }
    Ok(Value::Object(object))
}

/// A record batch from JSON objects; see [`RecordBatch::from_json`].
///
/// # Errors
///
/// [`DataError::NotAnObject`] naming the first value that is not an object.
pub fn records_from_json(values: &[Value]) -> Result<RecordBatch, DataError> {
    let mut names: Vec<&str> = Vec::new();
    for (index, value) in values.iter().enumerate() {
        let object = value.as_object().ok_or(DataError::NotAnObject {
            index,
            found: json_kind(value),
        })?;
        for key in object.keys() {
            if !names.contains(&key.as_str()) {
                names.push(key);
            }
        }
    }
    let headers = Arc::new(Headers::new(names.iter().copied())?);
    let mut batch = RecordBatch::new(Arc::clone(&headers));
    for value in values {
        let record = batch.push_empty();
        for name in &names {
            match value.get(*name) {
                None | Some(Value::Null) => record.push_field(b""),
                Some(Value::String(text)) => record.push_field(text.as_bytes()),
                Some(other) => record.push_field(other.to_string().as_bytes()),
            }
        }
    }
    Ok(batch)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
