//! `csv.write`: record batches into a CSV file, atomically.

use std::path::PathBuf;
use std::sync::LazyLock;

use symphony_core::config::ConfigValues;
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use super::support::{byte, spec};
use crate::data::Chunk;
use crate::error::OperatorError;
use crate::files::AtomicFile;
use crate::io::{Io, records};
use crate::operator::{Operator, OperatorSpec, Task, required};
use crate::stage::{Stage, Streaming, drive};

static SPEC: LazyLock<OperatorSpec> = LazyLock::new(|| {
    spec(
        "csv.write",
        "Writes records to a CSV file; the file appears only once complete.",
        OperatorCategory::Format,
        &[("records", OperatorPortType::Records)],
        &[("file", OperatorPortType::File)],
        r#"
        [path]
        type = "path"
        required = true
        description = "The CSV file to write (replaced if it exists)"
        [delimiter]
        type = "string"
        default = ","
        description = "Field delimiter: one ASCII character, or \\t"
        [quote_style]
        type = "enum"
        values = ["necessary", "always", "never", "non_numeric"]
        default = "necessary"
        description = "When fields are quoted"
        [write_headers]
        type = "boolean"
        default = true
        description = "Whether to write the header row"
        "#,
    )
});

/// `csv.write`: writes its input to a CSV file through a temporary file that replaces the
/// target only when the input ended cleanly; then sends the file's path on `file`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvWrite;

impl Operator for CsvWrite {
    fn spec(&self) -> &OperatorSpec {
        &SPEC
    }

    fn task(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        let quote_style = match required::<String>(params, "quote_style")?.as_str() {
            "always" => csv::QuoteStyle::Always,
            "never" => csv::QuoteStyle::Never,
            "non_numeric" => csv::QuoteStyle::NonNumeric,
            _ => csv::QuoteStyle::Necessary,
        };
        Ok(Box::new(WriteTask {
            path: required(params, "path")?,
            delimiter: byte(params, "delimiter", b',')?,
            quote_style,
            write_headers: required(params, "write_headers")?,
        }))
    }
}

struct WriteTask {
    path: PathBuf,
    delimiter: u8,
    quote_style: csv::QuoteStyle,
    write_headers: bool,
}

impl Task for WriteTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        drive(self, io)
    }

    fn streaming(&self) -> Option<&dyn Streaming> {
        Some(self)
    }
}

impl Streaming for WriteTask {
    fn open(&self, io: &mut Io<'_>) -> Result<Box<dyn Stage + '_>, OperatorError> {
        let file = io.files().create(&self.path)?;
        let writer = csv::WriterBuilder::new()
            .delimiter(self.delimiter)
            .quote_style(self.quote_style)
            .flexible(true)
            .buffer_capacity(256 * 1024)
            .from_writer(file);
        Ok(Box::new(WriteStage {
            task: self,
            writer,
            headers_written: !self.write_headers,
        }))
    }
}

struct WriteStage<'t> {
    task: &'t WriteTask,
    writer: csv::Writer<AtomicFile>,
    headers_written: bool,
}

impl WriteStage<'_> {
    fn csv_error(&self, error: csv::Error) -> OperatorError {
        OperatorError::Csv {
            path: self.task.path.clone(),
            message: error.to_string(),
        }
    }
}

impl Stage for WriteStage<'_> {
    fn chunk(&mut self, chunk: Chunk, _io: &mut Io<'_>) -> Result<(), OperatorError> {
        let batch = records("records", chunk)?;
        if !self.headers_written && !batch.headers().is_empty() {
            if let Err(error) = self
                .writer
                .write_byte_record(batch.headers().as_byte_record())
            {
                return Err(self.csv_error(error));
            }
            self.headers_written = true;
        }
        for record in batch.records() {
            if let Err(error) = self.writer.write_byte_record(record) {
                return Err(self.csv_error(error));
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>, io: &mut Io<'_>) -> Result<(), OperatorError> {
        let path = &self.task.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|error| OperatorError::Csv {
                path: path.clone(),
                message: error.error().to_string(),
            })?;
        let written = file.commit()?;
        if io.is_connected("file") {
            io.send("file", Chunk::File(written))?;
        }
        Ok(())
    }
}
