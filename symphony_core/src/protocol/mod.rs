//! The Orchestra Kit protocol (v1): JSON-RPC 2.0 messages, the handshake, the notifications
//! every extension understands, and the table of Symphony error codes.
//!
//! This module only defines data; [`codec`](crate::codec) turns it into bytes and back, and
//! [`serve`](crate::serve) / `host` (feature `host`) drive the two ends of a connection.
//!
//! # Conversation
//!
//! ```text
//! host                                        extension
//!  │ ── initialize {protocolVersion, host,        │
//!  │      grants, config, workspaceRoots,         │
//!  │      theme?} ─────────────────────────────▶ │
//!  │ ◀── {protocolVersion, manifest, capabilities}│
//!  │ ── initialized ────────────────────────────▶ │
//!  │ ── instrument/… operator/… motif/… ────────▶ │   (requests, in any order, concurrently)
//!  │ ◀── $/progress {token, value}, $/log ─────── │
//!  │ ── $/cancelRequest {id} ───────────────────▶ │
//!  │ ── shutdown ───────────────────────────────▶ │
//!  │ ◀── null ─────────────────────────────────── │
//!  │ ── exit ───────────────────────────────────▶ │   (the extension exits with code 0)
//! ```
//!
//! Every message is one line of UTF-8 JSON; field names are camelCase on the wire.
//!
//! # Error codes
//!
//! Besides the JSON-RPC codes, Symphony uses codes from the JSON-RPC server-error range
//! (-32000 to -32099). Each has a default human-readable message ([`ErrorCode::message`]):
//!
//! | code | [`ErrorCode`] | meaning |
//! |---:|---|---|
//! | -32700 | `ParseError` | the message is not valid JSON |
//! | -32600 | `InvalidRequest` | valid JSON, but not a valid JSON-RPC 2.0 message |
//! | -32601 | `MethodNotFound` | the receiver does not implement the method |
//! | -32602 | `InvalidParams` | the params do not have the shape the method expects |
//! | -32603 | `InternalError` | an internal JSON-RPC error |
//! | -32001 | `PermissionDenied` | the host did not grant a permission the operation needs |
//! | -32002 | `Cancelled` | the request was cancelled with `$/cancelRequest` |
//! | -32003 | `TimedOut` | the request did not complete within its time limit |
//! | -32004 | `InvalidInput` | the params are well-formed, but their values are unusable |
//! | -32005 | `IncompatibleVersion` | host and extension speak different major protocol versions |
//! | -32006 | `ExtensionFailed` | the extension failed while handling the request (e.g. it panicked) |
//! | -32007 | `NotInitialized` | a request arrived before `initialize` |
//! | -32008 | `ShuttingDown` | a request arrived after `shutdown` |
//! | -32009 | `MessageTooLarge` | a message exceeded the negotiated size limit |
//! | -32010 | `InvalidConfig` | the configuration values sent in `initialize` were rejected |
//! | -32011 | `SandboxUnavailable` | the host asked for a sandbox the extension cannot apply |

mod error;
mod handshake;
mod id;
mod message;
pub mod method;
mod notification;
mod reply;
mod theme;
mod version;
pub(crate) mod wire;

pub use error::{ErrorCode, ErrorObject};
pub use handshake::{
    Capabilities, HostInfo, InitializeParams, InitializeResult, SandboxEnforcement,
};
pub use id::Id;
pub use message::{Message, Notification, Request, Response};
pub use notification::{CancelParams, LogLevel, LogParams, ProgressParams};
pub use reply::Reply;
pub use serde_json::value::RawValue;
pub use theme::{
    MAX_TOKEN_NAME_BYTES, MAX_TOKEN_VALUE_BYTES, MAX_TOKENS, REFUSED_TOKEN_TEXT, Theme, ThemeError,
    ThemeKind,
};
pub use version::{IncompatibleVersion, PROTOCOL_VERSION, ParseVersionError, ProtocolVersion};

/// The default maximum size of one message, in bytes (16 MiB), newline excluded.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

/// Serialises `value` into a [`RawValue`], the form params and results travel in.
///
/// ```
/// let raw = symphony_core::protocol::to_raw(&[1, 2, 3]).unwrap();
/// assert_eq!(raw.get(), "[1,2,3]");
/// ```
///
/// # Errors
///
/// Fails if `value`'s `Serialize` implementation fails, or if it produces a map with
/// non-string keys.
pub fn to_raw<T: serde::Serialize + ?Sized>(value: &T) -> Result<Box<RawValue>, serde_json::Error> {
    serde_json::value::to_raw_value(value)
}
