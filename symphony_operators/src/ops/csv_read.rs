//! `csv.read`: a CSV file into record batches.

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use csv::ByteRecord;
use symphony_core::config::ConfigValues;
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use super::support::{BATCH_ROWS, byte, spec};
use crate::data::{BatchPool, Headers};
use crate::error::OperatorError;
use crate::io::Io;
use crate::operator::{Operator, OperatorSpec, Task, param, required};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

static SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "csv.read",
        "Reads a CSV file as records, in batches.",
        OperatorCategory::Parse,
        &[],
        &[("records", OperatorPortType::Records)],
        r#"
        [path]
        type = "path"
        required = true
        description = "The CSV file"
        [delimiter]
        type = "string"
        default = ","
        description = "Field delimiter: one ASCII character, or \\t"
        [quote]
        type = "string"
        default = '"'
        description = "Quote character"
        [has_headers]
        type = "boolean"
        default = true
        description = "Whether the first row names the columns (otherwise column_1, column_2 …)"
        [flexible]
        type = "boolean"
        default = false
        description = "Accept rows with another number of fields than the header (short rows are padded with empty fields)"
        [batch_rows]
        type = "integer"
        default = 1024
        min = 1
        max = 1048576
        description = "Records per batch"
        "#,
    )
});

/// `csv.read`: reads a CSV file into record batches, in bounded memory.
///
/// A UTF-8 byte order mark is dropped; fields are kept as bytes, so a file that is not
/// UTF-8 passes through unchanged. A row with the wrong number of fields fails with its line
/// number unless `flexible` is set.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvRead;

impl Operator for CsvRead {
    fn spec(&self) -> &OperatorSpec {
        &SPEC
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(ReadTask {
            path: required(params, "path")?,
            delimiter: byte(params, "delimiter", b',')?,
            quote: byte(params, "quote", b'"')?,
            has_headers: required(params, "has_headers")?,
            flexible: required(params, "flexible")?,
            batch_rows: param::<usize>(params, "batch_rows")?.unwrap_or(BATCH_ROWS),
        }))
    }
}

struct ReadTask {
    path: PathBuf,
    delimiter: u8,
    quote: u8,
    has_headers: bool,
    flexible: bool,
    batch_rows: usize,
}

impl Task for ReadTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let file = io.files().open(&self.path)?;
        let csv_error = |error: csv::Error| OperatorError::Csv {
            path: self.path.clone(),
            message: error.to_string(),
        };
        // Lengths are checked here, not by the csv crate, to name the line and both counts.
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .quote(self.quote)
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_reader(file);
        let mut first = ByteRecord::new();
        if !reader.read_byte_record(&mut first).map_err(csv_error)? {
            // An empty file: no columns, no records.
            io.send_records(
                "records",
                BatchPool::new(1).batch(Arc::new(Headers::numbered(0))),
            )?;
            return Ok(());
        }
        strip_bom(&mut first);
        let headers = Arc::new(if self.has_headers {
            Headers::from_byte_record(&first)?
        } else {
            Headers::numbered(first.len())
        });
        let width = headers.len();
        let pool = BatchPool::new(8);
        let mut batch = pool.batch(Arc::clone(&headers));
        if !self.has_headers {
            batch.push_record(&first);
        }
        loop {
            let record = batch.push_empty();
            if !reader.read_byte_record(record).map_err(csv_error)? {
                batch.pop();
                break;
            }
            if record.len() != width {
                if !self.flexible {
                    let line = record.position().map_or(0, csv::Position::line);
                    return Err(OperatorError::Csv {
                        path: self.path.clone(),
                        message: format!(
                            "line {line}: {} fields where the header has {width} (set `flexible` to accept ragged rows)",
                            record.len()
                        ),
                    });
                }
                while record.len() < width {
                    record.push_field(b"");
                }
            }
            if batch.len() >= self.batch_rows {
                let full = std::mem::replace(&mut batch, pool.batch(Arc::clone(&headers)));
                io.send_records("records", full)?;
            }
        }
        // The last batch goes out even when empty, so that the columns reach the writer.
        io.send_records("records", batch)
    }
}

fn strip_bom(record: &mut ByteRecord) {
    let Some(first) = record.get(0) else { return };
    if let Some(rest) = first.strip_prefix(UTF8_BOM) {
        let mut stripped = ByteRecord::with_capacity(record.as_slice().len(), record.len());
        stripped.push_field(rest);
        for field in record.iter().skip(1) {
            stripped.push_field(field);
        }
        stripped.set_position(record.position().cloned());
        *record = stripped;
    }
}
