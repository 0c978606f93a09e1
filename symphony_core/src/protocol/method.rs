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

/// A request method, defined once: its name, the type of its params and the type of its result.
///
/// The extension's dispatch and a host's client both go through this definition, so neither
/// spells the method name as a string and both agree on the JSON shapes; those shapes are
/// published as JSON Schema ([`params_schema`](Method::params_schema),
/// [`result_schema`](Method::result_schema)), generated from the types.
///
/// ```
/// use schemars::JsonSchema;
/// use serde::{Deserialize, Serialize};
/// # use symphony_core::protocol::method::Method;
///
/// /// `acme/greet`: greets someone.
/// enum Greet {}
///
/// #[derive(Serialize, Deserialize, JsonSchema)]
/// struct GreetParams {
///     /// Who to greet.
///     name: String,
/// }
///
/// impl Method for Greet {
///     const NAME: &'static str = "acme/greet";
///     type Params = GreetParams;
///     type Result = String;
/// }
///
/// let schema = Greet::params_schema();
/// assert_eq!(schema["properties"]["name"]["type"], "string");
/// assert_eq!(Greet::result_schema()["type"], "string");
/// ```
pub trait Method {
    /// The method's name on the wire, such as `operator/run`.
    const NAME: &'static str;
    /// What the request carries (`()` for none).
    type Params: serde::Serialize + serde::de::DeserializeOwned + schemars::JsonSchema;
    /// What a successful answer carries.
    type Result: serde::Serialize + serde::de::DeserializeOwned + schemars::JsonSchema;

    /// The JSON Schema of [`Params`](Method::Params).
    fn params_schema() -> serde_json::Value {
        schemars::schema_for!(Self::Params).to_value()
    }

    /// The JSON Schema of [`Result`](Method::Result).
    fn result_schema() -> serde_json::Value {
        schemars::schema_for!(Self::Result).to_value()
    }
}

/// A notification method, defined once: its name and the type of its params.
pub trait NotificationMethod {
    /// The notification's name on the wire, such as `motif/render`.
    const NAME: &'static str;
    /// What the notification carries.
    type Params: serde::Serialize + serde::de::DeserializeOwned + schemars::JsonSchema;

    /// The JSON Schema of [`Params`](NotificationMethod::Params).
    fn params_schema() -> serde_json::Value {
        schemars::schema_for!(Self::Params).to_value()
    }
}
