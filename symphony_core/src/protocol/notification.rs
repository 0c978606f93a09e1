//! Params of the protocol notifications.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Id;

/// Params of `$/cancelRequest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelParams {
    /// The id of the request to cancel.
    pub id: Id,
}

/// Params of `$/progress`: a progress report or a streamed partial result.
///
/// The token is chosen by whoever asked for progress (typically passed in a request's params),
/// so the receiver can tell streams apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgressParams {
    /// Identifies the stream this value belongs to.
    pub token: Id,
    /// The progress value or partial result.
    pub value: Value,
}

/// Params of `$/log`: a log record forwarded from the extension to the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogParams {
    /// The record's severity.
    pub level: LogLevel,
    /// The formatted message.
    pub message: String,
    /// Where the record comes from (a module path), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// Severity of a log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warn,
    /// Normal operation.
    Info,
    /// Details for debugging.
    Debug,
    /// Very fine details.
    Trace,
}
