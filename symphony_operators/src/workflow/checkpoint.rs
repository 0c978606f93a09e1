//! Checkpoints: each completed node's outputs, recorded as they streamed.
//!
//! Layout of a checkpoint directory:
//!
//! - `workflow.json`: the workflow's description; a different workflow refuses the directory;
//! - `<node>.<port>.out`: what the port sent (CSV with a header row for records, JSON lines
//!   for everything else), written atomically when the node completes;
//! - `<node>.done`: written (atomically) after all of the node's port files.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use symphony_core::manifest::OperatorPortType;

use super::WorkflowError;
use crate::data::{BatchPool, Chunk, Headers};
use crate::error::OperatorError;
use crate::files::AtomicFile;
use crate::io::{Io, Tap};
use crate::operator::PortSpec;

/// Records replayed per batch.
const REPLAY_BATCH: usize = crate::ops::REPLAY_ROWS;

pub(crate) struct Checkpoint {
    dir: PathBuf,
    done: HashSet<String>,
}

impl Checkpoint {
    /// Opens (creating if needed) the checkpoint of the workflow `description`.
    pub(crate) fn open(dir: &Path, description: &Value) -> Result<Self, WorkflowError> {
        let error = |path: &Path, reason: String| WorkflowError::Checkpoint {
            path: path.to_path_buf(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| error(dir, format!("cannot create it: {e}")))?;
        let dir = std::fs::canonicalize(dir).map_err(|e| error(dir, e.to_string()))?;
        let described = dir.join("workflow.json");
        match std::fs::read(&described) {
            Ok(bytes) => {
                let recorded: Value = serde_json::from_slice(&bytes).map_err(|e| {
                    error(
                        &described,
                        format!("unreadable ({e}); delete the directory to start over"),
                    )
                })?;
                if &recorded != description {
                    return Err(error(
                        &described,
                        "it belongs to a different workflow (nodes, operators, parameters or \
                         connections differ); use another directory or delete this one"
                            .to_owned(),
                    ));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut file = AtomicFile::create(described.clone())
                    .map_err(|e| error(&described, e.to_string()))?;
                file.write_all(description.to_string().as_bytes())
                    .map_err(|e| error(&described, e.to_string()))?;
                file.commit()
                    .map_err(|e| error(&described, e.to_string()))?;
            }
            Err(e) => return Err(error(&described, e.to_string())),
        }
        let entries = std::fs::read_dir(&dir).map_err(|e| error(&dir, e.to_string()))?;
        let done = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                name.strip_suffix(".done").map(str::to_owned)
            })
            .collect();
        Ok(Self { dir, done })
    }

    pub(crate) fn is_done(&self, node: &str) -> bool {
        self.done.contains(node)
    }

    fn port_file(&self, node: &str, port: &str) -> PathBuf {
        self.dir.join(format!("{node}.{port}.out"))
    }

    pub(crate) fn recorder(&self, node: &str, port: &PortSpec) -> Result<Recorder, WorkflowError> {
        let path = self.port_file(node, &port.name);
        let file = AtomicFile::create(path.clone()).map_err(|e| WorkflowError::Checkpoint {
            path,
            reason: e.to_string(),
        })?;
        let sink = if is_records(port.port_type) {
            Sink::Records {
                writer: Box::new(csv::WriterBuilder::new().flexible(true).from_writer(file)),
                headers: None,
            }
        } else {
            Sink::Lines(file)
        };
        Ok(Recorder {
            port: port.name.clone(),
            sink,
        })
    }

    pub(crate) fn mark_done(&self, node: &str) -> Result<(), WorkflowError> {
        let path = self.dir.join(format!("{node}.done"));
        let fail = |e: &dyn std::fmt::Display| WorkflowError::Checkpoint {
            path: path.clone(),
            reason: e.to_string(),
        };
        let mut file = AtomicFile::create(path.clone()).map_err(|e| fail(&e))?;
        file.write_all(b"done\n").map_err(|e| fail(&e))?;
        file.commit().map_err(|e| fail(&e))?;
        Ok(())
    }

    /// Sends what node `node` recorded on each of its outputs again.
    pub(crate) fn replay(
        &self,
        node: &str,
        outputs: &[PortSpec],
        io: &mut Io<'_>,
    ) -> Result<(), OperatorError> {
        for port in outputs {
            if !io.is_connected(&port.name) {
                continue;
            }
            let path = self.port_file(node, &port.name);
            let file = File::open(&path).map_err(|e| {
                OperatorError::failed(format!(
                    "cannot replay checkpoint `{}`: {e}",
                    path.display()
                ))
            })?;
            if is_records(port.port_type) {
                replay_records(&path, file, &port.name, io)?;
            } else {
                replay_lines(&path, file, &port.name, io)?;
            }
        }
        Ok(())
    }
}

fn is_records(port_type: OperatorPortType) -> bool {
    matches!(
        port_type,
        OperatorPortType::Records | OperatorPortType::Table
    )
}

fn replay_records(
    path: &Path,
    file: File,
    port: &str,
    io: &mut Io<'_>,
) -> Result<(), OperatorError> {
    let csv_error = |e: csv::Error| OperatorError::Csv {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file);
    let mut header_row = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut header_row)
        .map_err(csv_error)?
    {
        return Ok(());
    }
    let headers = Arc::new(Headers::from_byte_record(&header_row)?);
    let pool = BatchPool::new(8);
    loop {
        let mut batch = pool.batch(Arc::clone(&headers));
        while batch.len() < REPLAY_BATCH {
            if !reader
                .read_byte_record(batch.push_empty())
                .map_err(csv_error)?
            {
                batch.pop();
                break;
            }
        }
        let last = batch.len() < REPLAY_BATCH;
        io.send_records(port, batch)?;
        if last {
            return Ok(());
        }
    }
}

fn replay_lines(path: &Path, file: File, port: &str, io: &mut Io<'_>) -> Result<(), OperatorError> {
    for (number, line) in BufReader::new(file).lines().enumerate() {
        let bad = |reason: String| OperatorError::Json {
            path: path.to_path_buf(),
            message: format!("line {}: {reason}", number + 1),
        };
        let line = line.map_err(|e| bad(e.to_string()))?;
        let value: Value = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        let chunk = match value {
            Value::Object(mut object) => {
                if let Some(Value::Array(values)) = object.remove("json") {
                    Chunk::Json(values)
                } else if let Some(Value::String(text)) = object.remove("text") {
                    Chunk::Text(text)
                } else if let Some(bytes) = object.remove("bytes") {
                    Chunk::Bytes(serde_json::from_value(bytes).map_err(|e| bad(e.to_string()))?)
                } else if let Some(Value::String(file)) = object.remove("file") {
                    Chunk::File(file.into())
                } else {
                    return Err(bad("not a recorded chunk".to_owned()));
                }
            }
            _ => return Err(bad("not a recorded chunk".to_owned())),
        };
        io.send(port, chunk)?;
    }
    Ok(())
}

enum Sink {
    Records {
        writer: Box<csv::Writer<AtomicFile>>,
        headers: Option<Arc<Headers>>,
    },
    Lines(AtomicFile),
}

pub(crate) struct Recorder {
    port: String,
    sink: Sink,
}

impl Recorder {
    fn fail(&self, reason: impl std::fmt::Display) -> OperatorError {
        OperatorError::failed(format!(
            "cannot record output `{}` in the checkpoint: {reason}",
            self.port
        ))
    }
}

impl Tap for Recorder {
    fn chunk(&mut self, chunk: &Chunk) -> Result<(), OperatorError> {
        let line = match (&mut self.sink, chunk) {
            (Sink::Records { writer, headers }, Chunk::Records(batch)) => {
                match headers {
                    None => {
                        let row = batch.headers().as_byte_record();
                        if let Err(error) = writer.write_byte_record(row) {
                            return Err(self.fail(error));
                        }
                        *headers = Some(Arc::clone(batch.headers()));
                    }
                    Some(seen)
                        if !Arc::ptr_eq(seen, batch.headers()) && **seen != **batch.headers() =>
                    {
                        return Err(self.fail("its columns changed in the middle of the stream"));
                    }
                    Some(_) => {}
                }
                let Sink::Records { writer, .. } = &mut self.sink else {
                    return Ok(());
                };
                for record in batch.records() {
                    if let Err(error) = writer.write_byte_record(record) {
                        return Err(self.fail(error));
                    }
                }
                return Ok(());
            }
            (Sink::Lines(_), Chunk::Json(values)) => json!({ "json": values }),
            (Sink::Lines(_), Chunk::Text(text)) => json!({ "text": text }),
            (Sink::Lines(_), Chunk::Bytes(bytes)) => json!({ "bytes": bytes }),
            (Sink::Lines(_), Chunk::File(path)) => match path.to_str() {
                Some(path) => json!({ "file": path }),
                None => return Err(self.fail(format!("the path {path:?} is not UTF-8"))),
            },
            (_, other) => return Err(self.fail(format!("unexpected {} chunk", other.kind()))),
        };
        let Sink::Lines(file) = &mut self.sink else {
            return Ok(());
        };
        let mut text = line.to_string();
        text.push('\n');
        file.write_all(text.as_bytes()).map_err(|e| self.fail(e))
    }

    fn commit(self: Box<Self>) -> Result<(), OperatorError> {
        let port = self.port.clone();
        let fail = |reason: String| {
            OperatorError::failed(format!(
                "cannot record output `{port}` in the checkpoint: {reason}"
            ))
        };
        let file = match self.sink {
            Sink::Records { writer, .. } => writer
                .into_inner()
                .map_err(|e| fail(e.error().to_string()))?,
            Sink::Lines(file) => file,
        };
        file.commit().map_err(|e| fail(e.to_string()))?;
        Ok(())
    }
}
