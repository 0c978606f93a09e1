//! Error objects and the table of error codes.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The error codes of the Orchestra Kit protocol: the JSON-RPC 2.0 codes, plus Symphony's own
/// codes in the JSON-RPC server-error range (-32000 to -32099).
///
/// The [module documentation](crate::protocol#error-codes) has the full table.
///
/// ```
/// # use symphony_core::protocol::ErrorCode;
/// assert_eq!(ErrorCode::PermissionDenied.code(), -32001);
/// assert_eq!(ErrorCode::from_code(-32002), Some(ErrorCode::Cancelled));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// -32700: the message is not valid JSON.
    ParseError,
    /// -32600: valid JSON, but not a valid JSON-RPC 2.0 message.
    InvalidRequest,
    /// -32601: the receiver does not implement the method.
    MethodNotFound,
    /// -32602: the params do not have the shape the method expects.
    InvalidParams,
    /// -32603: an internal JSON-RPC error.
    InternalError,
    /// -32001: the host did not grant a permission the operation needs.
    PermissionDenied,
    /// -32002: the request was cancelled with `$/cancelRequest`.
    Cancelled,
    /// -32003: the request did not complete within its time limit.
    TimedOut,
    /// -32004: the params are well-formed, but their values are unusable.
    InvalidInput,
    /// -32005: host and extension speak different major protocol versions.
    IncompatibleVersion,
    /// -32006: the extension failed while handling the request (for example, it panicked).
    ExtensionFailed,
    /// -32007: a request arrived before `initialize`.
    NotInitialized,
    /// -32008: a request arrived after `shutdown`.
    ShuttingDown,
    /// -32009: a message exceeded the negotiated size limit.
    MessageTooLarge,
    /// -32010: the configuration values sent in `initialize` were rejected.
    InvalidConfig,
    /// -32011: the host asked for a sandbox the extension cannot apply.
    SandboxUnavailable,
}

impl ErrorCode {
    /// Every code, in table order.
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::ParseError,
        ErrorCode::InvalidRequest,
        ErrorCode::MethodNotFound,
        ErrorCode::InvalidParams,
        ErrorCode::InternalError,
        ErrorCode::PermissionDenied,
        ErrorCode::Cancelled,
        ErrorCode::TimedOut,
        ErrorCode::InvalidInput,
        ErrorCode::IncompatibleVersion,
        ErrorCode::ExtensionFailed,
        ErrorCode::NotInitialized,
        ErrorCode::ShuttingDown,
        ErrorCode::MessageTooLarge,
        ErrorCode::InvalidConfig,
        ErrorCode::SandboxUnavailable,
    ];

    /// The numeric code sent on the wire.
    pub const fn code(self) -> i64 {
        match self {
            ErrorCode::ParseError => -32700,
            ErrorCode::InvalidRequest => -32600,
            ErrorCode::MethodNotFound => -32601,
            ErrorCode::InvalidParams => -32602,
            ErrorCode::InternalError => -32603,
            ErrorCode::PermissionDenied => -32001,
            ErrorCode::Cancelled => -32002,
            ErrorCode::TimedOut => -32003,
            ErrorCode::InvalidInput => -32004,
            ErrorCode::IncompatibleVersion => -32005,
            ErrorCode::ExtensionFailed => -32006,
            ErrorCode::NotInitialized => -32007,
            ErrorCode::ShuttingDown => -32008,
            ErrorCode::MessageTooLarge => -32009,
            ErrorCode::InvalidConfig => -32010,
            ErrorCode::SandboxUnavailable => -32011,
        }
    }

    /// The default human-readable message for this code.
    pub const fn message(self) -> &'static str {
        match self {
            ErrorCode::ParseError => "parse error: the message is not valid JSON",
            ErrorCode::InvalidRequest => {
                "invalid request: the message is not a valid JSON-RPC 2.0 message"
            }
            ErrorCode::MethodNotFound => "method not found",
            ErrorCode::InvalidParams => "invalid params",
            ErrorCode::InternalError => "internal error",
            ErrorCode::PermissionDenied => {
                "permission denied: the host did not grant the permission this operation needs"
            }
            ErrorCode::Cancelled => "request cancelled",
            ErrorCode::TimedOut => "request timed out",
            ErrorCode::InvalidInput => "invalid input",
            ErrorCode::IncompatibleVersion => "incompatible protocol version",
            ErrorCode::ExtensionFailed => "the extension failed while handling the request",
            ErrorCode::NotInitialized => "not initialized: send `initialize` first",
            ErrorCode::ShuttingDown => {
                "shutting down: no new requests are accepted after `shutdown`"
            }
            ErrorCode::MessageTooLarge => "message too large",
            ErrorCode::InvalidConfig => "invalid configuration",
            ErrorCode::SandboxUnavailable => "the requested sandbox cannot be applied",
        }
    }

    /// The code with this numeric value, if it is one of the table's.
    pub fn from_code(code: i64) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|known| known.code() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message(), self.code())
    }
}

/// A JSON-RPC error object: what a failed request answers with.
///
/// `code` is kept as a number so that codes outside [`ErrorCode`]'s table survive a round
/// trip; [`kind`](Self::kind) maps it back.
///
/// ```
/// # use symphony_core::protocol::{ErrorCode, ErrorObject};
/// let error = ErrorObject::new(ErrorCode::InvalidInput, "`count` must be positive, got -1");
/// assert_eq!(error.kind(), Some(ErrorCode::InvalidInput));
/// assert_eq!(
///     serde_json::to_string(&error).unwrap(),
///     r#"{"code":-32004,"message":"`count` must be positive, got -1"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The numeric error code.
    pub code: i64,
    /// A human-readable description of this occurrence.
    pub message: String,
    /// Structured details, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error with `code` and a message describing this occurrence.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorObject {
            code: code.code(),
            message: message.into(),
            data: None,
        }
    }

    /// An error with `code` and its default message.
    pub fn from_code(code: ErrorCode) -> Self {
        ErrorObject::new(code, code.message())
    }

    /// This error with structured `data` attached.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// The table entry for this error's code, if it has one.
    pub fn kind(&self) -> Option<ErrorCode> {
        ErrorCode::from_code(self.code)
    }

    /// `-32601`, naming the method.
    pub fn method_not_found(method: &str) -> Self {
        ErrorObject::new(
            ErrorCode::MethodNotFound,
            format!("method not found: `{method}` is not implemented by this extension"),
        )
    }

    /// `-32602`, with a description of what is wrong with the params.
    pub fn invalid_params(detail: impl fmt::Display) -> Self {
        ErrorObject::new(
            ErrorCode::InvalidParams,
            format!("invalid params: {detail}"),
        )
    }

    /// A permission error naming the permission that is missing and the resource it guards.
    ///
    /// ```
    /// # use symphony_core::protocol::ErrorObject;
    /// let error = ErrorObject::permission_denied("env", "HOME");
    /// assert_eq!(
    ///     error.message,
    ///     "permission denied: `env` access to `HOME` was not granted by the host"
    /// );
    /// ```
    pub fn permission_denied(permission: &str, resource: &str) -> Self {
        ErrorObject::new(
            ErrorCode::PermissionDenied,
            format!(
                "permission denied: `{permission}` access to `{resource}` was not granted by the host"
            ),
        )
        .with_data(serde_json::json!({ "permission": permission, "resource": resource }))
    }

    /// `Cancelled`, with the default message.
    pub fn cancelled() -> Self {
        ErrorObject::from_code(ErrorCode::Cancelled)
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}

impl std::error::Error for ErrorObject {}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_are_unique_and_in_their_ranges() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.code()), "{code:?} reuses {}", code.code());
            assert_eq!(ErrorCode::from_code(code.code()), Some(code));
            assert!(!code.message().is_empty());
            let standard = (-32768..=-32600).contains(&code.code());
            let server = (-32099..=-32000).contains(&code.code());
            assert!(
                standard || server,
                "{code:?} = {} is outside both ranges",
                code.code()
            );
        }
    }

    #[test]
    fn unknown_codes_survive_a_round_trip() {
        let text = r#"{"code":-31000,"message":"custom","data":{"x":1}}"#;
        let error: ErrorObject = serde_json::from_str(text).expect("parse");
        assert_eq!(error.kind(), None);
        assert_eq!(serde_json::to_string(&error).expect("serialise"), text);
    }
}
