//! Names of the methods every extension and host understand.
//!
//! Kind methods live under `instrument/…`, `operator/…`, `motif/…` and `editor/…`; names
//! starting with `$/` are protocol notifications that a receiver may ignore if it does not
//! know them.

/// Request, host → extension: opens the session (params [`InitializeParams`]).
///
/// [`InitializeParams`]: super::InitializeParams
pub const INITIALIZE: &str = "initialize";
/// Notification, host → extension: the host has accepted the `initialize` result.
pub const INITIALIZED: &str = "initialized";
/// Request, host → extension: finish the requests in flight and accept no new ones.
pub const SHUTDOWN: &str = "shutdown";
/// Notification, host → extension: exit now (code 0 after `shutdown`, 1 otherwise).
pub const EXIT: &str = "exit";
/// Notification, either way: cancel a request in flight (params [`CancelParams`]).
///
/// [`CancelParams`]: super::CancelParams
pub const CANCEL_REQUEST: &str = "$/cancelRequest";
/// Notification, either way: progress or a streamed partial result (params
/// [`ProgressParams`]).
///
/// [`ProgressParams`]: super::ProgressParams
pub const PROGRESS: &str = "$/progress";
/// Notification, extension → host: a log record (params [`LogParams`]).
///
/// [`LogParams`]: super::LogParams
pub const LOG: &str = "$/log";

/// Whether `method` is a protocol notification (`$/…`) that receivers may ignore.
pub fn is_protocol(method: &str) -> bool {
    method.starts_with("$/")
}
