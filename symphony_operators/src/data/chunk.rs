//! What one message on a port carries.

use std::path::PathBuf;

use serde_json::Value;
use symphony_core::manifest::OperatorPortType;

use super::RecordBatch;

/// One message on a connection between ports.
///
/// Ports of type `records` and `table` carry [`Records`](Chunk::Records); `json` carries
/// [`Json`](Chunk::Json) values; `text` and `bytes` carry pieces of a stream; `file` carries
/// paths.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Chunk {
    /// A batch of records.
    Records(RecordBatch),
    /// JSON values.
    Json(Vec<Value>),
    /// A piece of text.
    Text(String),
    /// A piece of a byte stream.
    Bytes(Vec<u8>),
    /// A file path.
    File(PathBuf),
}

impl Chunk {
    /// The name of what this chunk is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Chunk::Records(_) => "records",
            Chunk::Json(_) => "json",
            Chunk::Text(_) => "text",
            Chunk::Bytes(_) => "bytes",
            Chunk::File(_) => "file",
        }
    }

    /// Whether a port of type `port_type` carries this chunk.
    pub fn fits(&self, port_type: OperatorPortType) -> bool {
        matches!(
            (self, port_type),
            (
                Chunk::Records(_),
                OperatorPortType::Records | OperatorPortType::Table
            ) | (Chunk::Json(_), OperatorPortType::Json)
                | (Chunk::Text(_), OperatorPortType::Text)
                | (Chunk::Bytes(_), OperatorPortType::Bytes)
                | (Chunk::File(_), OperatorPortType::File)
        )
    }

    /// How many items the chunk holds (records, values, bytes or 1 path), for progress.
    pub fn items(&self) -> usize {
        match self {
            Chunk::Records(batch) => batch.len(),
            Chunk::Json(values) => values.len(),
            Chunk::Text(text) => text.len(),
            Chunk::Bytes(bytes) => bytes.len(),
            Chunk::File(_) => 1,
        }
    }
}
