//! Records ↔ JSON, and JSON files (arrays or JSON lines).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use serde_json::Value;
use symphony_core::config::ConfigValues;
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use super::support::{BATCH_ROWS, spec};
use crate::data::{Chunk, DataError, Headers, RecordBatch, record_to_json};
use crate::error::OperatorError;
use crate::io::Io;
use crate::operator::{Operator, OperatorSpec, Task, required};

static TO_JSON: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "records.to_json",
        "Turns records into JSON objects keyed by column.",
        OperatorCategory::Transform,
        &[("records", OperatorPortType::Records)],
        &[("json", OperatorPortType::Json)],
        "",
    )
});

/// `records.to_json`: each record becomes a JSON object of strings keyed by column. A field
/// that is not UTF-8 fails with its row and column (JSON strings must be text).
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordsToJson;

impl Operator for RecordsToJson {
    fn spec(&self) -> &OperatorSpec {
        &TO_JSON
    }

    fn task(&self, _: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(ToJsonTask))
    }
}

struct ToJsonTask;

impl Task for ToJsonTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut row = 0;
        while let Some(batch) = io.recv_records("records")? {
            let values = batch
                .records()
                .iter()
                .map(|record| {
                    row += 1;
                    record_to_json(batch.headers(), record, row)
                })
                .collect::<Result<Vec<_>, _>>()?;
            io.send("json", Chunk::Json(values))?;
        }
        Ok(())
    }
}

static TO_RECORDS: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "json.to_records",
        "Turns JSON objects into records; the first chunk's keys become the columns.",
        OperatorCategory::Transform,
        &[("json", OperatorPortType::Json)],
        &[("records", OperatorPortType::Records)],
        "",
    )
});

/// `json.to_records`: JSON objects become records. The keys of the first chunk fix the
/// columns (in order of first appearance); a later object with another key fails, naming it.
/// Strings are taken as they are, `null` and missing keys as empty, other values as JSON text.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonToRecords;

impl Operator for JsonToRecords {
    fn spec(&self) -> &OperatorSpec {
        &TO_RECORDS
    }

    fn task(&self, _: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(ToRecordsTask))
    }
}

struct ToRecordsTask;

impl Task for ToRecordsTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut headers: Option<Arc<Headers>> = None;
        let mut offset = 0;
        while let Some(chunk) = io.recv("json")? {
            let Chunk::Json(values) = chunk else {
                return Err(OperatorError::WrongChunk {
                    port: "json".to_owned(),
                    expected: "json".to_owned(),
                    found: chunk.kind(),
                });
            };
            let batch = match &headers {
                None => {
                    let batch = RecordBatch::from_json(&values)?;
                    headers = Some(Arc::clone(batch.headers()));
                    batch
                }
                Some(headers) => with_headers(headers, &values, offset)?,
            };
            offset += values.len();
            io.send_records("records", batch)?;
        }
        Ok(())
    }
}

fn with_headers(
    headers: &Arc<Headers>,
    values: &[Value],
    offset: usize,
) -> Result<RecordBatch, DataError> {
    let mut batch = RecordBatch::new(Arc::clone(headers));
    for (index, value) in values.iter().enumerate() {
        let object = value.as_object().ok_or(DataError::NotAnObject {
            index: offset + index,
            found: "not an object",
        })?;
        if let Some(key) = object.keys().find(|key| headers.index_of(key).is_err()) {
            return Err(DataError::UnknownColumn {
                column: key.clone(),
                available: headers.names().to_vec(),
            });
        }
        let record = batch.push_empty();
        for name in headers.names() {
            match object.get(name) {
                None | Some(Value::Null) => record.push_field(b""),
                Some(Value::String(text)) => record.push_field(text.as_bytes()),
                Some(other) => record.push_field(other.to_string().as_bytes()),
            }
        }
    }
    Ok(batch)
}

static READ: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "json.read",
        "Reads JSON values from a file: one JSON array, or JSON lines.",
        OperatorCategory::Parse,
        &[],
        &[("json", OperatorPortType::Json)],
        r#"
        [path]
        type = "path"
        required = true
        [format]
        type = "enum"
        values = ["array", "lines"]
        default = "lines"
        description = "`lines` streams one value per line; `array` reads the whole array first"
        "#,
    )
});

/// `json.read`: reads a JSON lines file as a stream (blank lines skipped), or a file holding
/// one JSON array (read whole: prefer `lines` for large data).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonRead;

impl Operator for JsonRead {
    fn spec(&self) -> &OperatorSpec {
        &READ
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(JsonReadTask {
            path: required(params, "path")?,
            lines: required::<String>(params, "format")? == "lines",
        }))
    }
}

struct JsonReadTask {
    path: PathBuf,
    lines: bool,
}

impl Task for JsonReadTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let file = io.files().open(&self.path)?;
        let bad = |message: String| OperatorError::Json {
            path: self.path.clone(),
            message,
        };
        if !self.lines {
            let values: Vec<Value> = serde_json::from_reader(BufReader::new(file))
                .map_err(|e| bad(format!("not a JSON array: {e}")))?;
            for chunk in values.chunks(BATCH_ROWS) {
                io.send("json", Chunk::Json(chunk.to_vec()))?;
            }
            return Ok(());
        }
        let mut chunk = Vec::with_capacity(BATCH_ROWS);
        for (number, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| bad(format!("line {}: {e}", number + 1)))?;
            if line.trim().is_empty() {
                continue;
            }
            let value = serde_json::from_str(&line)
                .map_err(|e| bad(format!("line {}: {e}", number + 1)))?;
            chunk.push(value);
            if chunk.len() == BATCH_ROWS {
                io.send("json", Chunk::Json(std::mem::take(&mut chunk)))?;
            }
        }
        if !chunk.is_empty() {
            io.send("json", Chunk::Json(chunk))?;
        }
        Ok(())
    }
}

static WRITE: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "json.write",
        "Writes JSON values to a file as one array or as JSON lines; the file appears only once complete.",
        OperatorCategory::Format,
        &[("json", OperatorPortType::Json)],
        &[("file", OperatorPortType::File)],
        r#"
        [path]
        type = "path"
        required = true
        [format]
        type = "enum"
        values = ["array", "lines"]
        default = "lines"
        "#,
    )
});

/// `json.write`: streams its input to a file as a JSON array or JSON lines, atomically.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonWrite;

impl Operator for JsonWrite {
    fn spec(&self) -> &OperatorSpec {
        &WRITE
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(JsonWriteTask {
            path: required(params, "path")?,
            lines: required::<String>(params, "format")? == "lines",
        }))
    }
}

struct JsonWriteTask {
    path: PathBuf,
    lines: bool,
}

impl Task for JsonWriteTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let mut file = io.files().create(&self.path)?;
        let bad = |e: std::io::Error| OperatorError::Json {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let mut first = true;
        if !self.lines {
            file.write_all(b"[").map_err(bad)?;
        }
        while let Some(chunk) = io.recv("json")? {
            let Chunk::Json(values) = chunk else {
                return Err(OperatorError::WrongChunk {
                    port: "json".to_owned(),
                    expected: "json".to_owned(),
                    found: chunk.kind(),
                });
            };
            for value in values {
                let separator: &[u8] = match (self.lines, first) {
                    (true, _) => b"",
                    (false, true) => b"\n",
                    (false, false) => b",\n",
                };
                file.write_all(separator).map_err(bad)?;
                serde_json::to_writer(&mut file, &value).map_err(|e| bad(e.into()))?;
                if self.lines {
                    file.write_all(b"\n").map_err(bad)?;
                }
                first = false;
            }
        }
        if !self.lines {
            file.write_all(if first { b"]" } else { b"\n]\n" })
                .map_err(bad)?;
        }
        let written = file.commit()?;
        if io.is_connected("file") {
            io.send("file", Chunk::File(written))?;
        }
        Ok(())
    }
}
