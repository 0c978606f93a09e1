//! Inline data for [`methods::Run`](crate::methods::Run): JSON in, chunks to an operator's inputs; its outputs
//! collected, chunks back to JSON.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use symphony_core::config::ConfigValues;
use symphony_core::manifest::{OperatorCategory, OperatorPortType};

use crate::data::{Chunk, DataError, RecordBatch};
use crate::error::OperatorError;
use crate::io::Io;
use crate::operator::{Operator, OperatorSpec, PortSpec, Task};

/// The chunk that JSON `value` stands for on a port of type `port_type`.
pub(crate) fn chunk_from_json(
    port: &str,
    port_type: OperatorPortType,
    value: Value,
) -> Result<Chunk, String> {
    let wrong = |expected: &str| format!("input `{port}` ({port_type}) takes {expected}");
    match (port_type, value) {
        (OperatorPortType::Records | OperatorPortType::Table, Value::Array(values)) => {
            RecordBatch::from_json(&values)
                .map(Chunk::Records)
                .map_err(|error| format!("input `{port}`: {error}"))
        }
        (OperatorPortType::Records | OperatorPortType::Table, _) => {
            Err(wrong("an array of objects"))
        }
        (OperatorPortType::Json, Value::Array(values)) => Ok(Chunk::Json(values)),
        (OperatorPortType::Json, _) => Err(wrong("an array of JSON values")),
        (OperatorPortType::Text, Value::String(text)) => Ok(Chunk::Text(text)),
        (OperatorPortType::File, Value::String(path)) => Ok(Chunk::File(PathBuf::from(path))),
        (OperatorPortType::Bytes, value) => serde_json::from_value::<Vec<u8>>(value)
            .map(Chunk::Bytes)
            .map_err(|_| wrong("an array of byte values")),
        _ => Err(wrong("a string")),
    }
}

/// Collected output chunks as one JSON value.
pub(crate) fn chunks_to_json(
    port_type: OperatorPortType,
    chunks: Vec<Chunk>,
) -> Result<Value, DataError> {
    let mut items = Vec::new();
    let mut text = String::new();
    let mut bytes = Vec::new();
    for chunk in chunks {
        match chunk {
            Chunk::Records(batch) => items.extend(batch.to_json()?),
            Chunk::Json(values) => items.extend(values),
            Chunk::Text(piece) => text.push_str(&piece),
            Chunk::Bytes(piece) => bytes.extend(piece),
            Chunk::File(path) => items.push(Value::String(path.to_string_lossy().into_owned())),
        }
    }
    Ok(match port_type {
        OperatorPortType::Text => Value::String(text),
        OperatorPortType::Bytes => Value::from(bytes),
        _ => Value::Array(items),
    })
}

fn spec(name: &str, input: Option<PortSpec>, output: Option<PortSpec>) -> OperatorSpec {
    let mut spec = OperatorSpec::new(name, OperatorCategory::Custom);
    spec.inputs.extend(input);
    spec.outputs.extend(output);
    spec
}

/// Sends one given chunk on its `out` port.
pub(crate) struct Source {
    spec: OperatorSpec,
    chunk: Chunk,
}

impl Source {
    pub(crate) fn new(port_type: OperatorPortType, chunk: Chunk) -> Self {
        Self {
            spec: spec("inline.source", None, Some(PortSpec::new("out", port_type))),
            chunk,
        }
    }
}

impl Operator for Source {
    fn spec(&self) -> &OperatorSpec {
        &self.spec
    }
    fn task(&self, _: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(SourceTask(self.chunk.clone())))
    }
}

struct SourceTask(Chunk);

impl Task for SourceTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        io.send("out", self.0.clone())
    }
}

/// Keeps every chunk that reaches its `in` port.
pub(crate) struct Sink {
    spec: OperatorSpec,
    pub(crate) collected: Arc<Mutex<Vec<Chunk>>>,
}

impl Sink {
    pub(crate) fn new(port_type: OperatorPortType) -> Self {
        Self {
            spec: spec("inline.sink", Some(PortSpec::new("in", port_type)), None),
            collected: Arc::default(),
        }
    }

    pub(crate) fn take(&self) -> Vec<Chunk> {
        std::mem::take(
            &mut *self
                .collected
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }
}

impl Operator for Sink {
    fn spec(&self) -> &OperatorSpec {
        &self.spec
    }
    fn task(&self, _: &ConfigValues) -> Result<Box<dyn Task>, OperatorError> {
        Ok(Box::new(SinkTask(Arc::clone(&self.collected))))
    }
}

struct SinkTask(Arc<Mutex<Vec<Chunk>>>);

impl Task for SinkTask {
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError> {
        while let Some(chunk) = io.recv("in")? {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(chunk);
        }
        Ok(())
    }
}
