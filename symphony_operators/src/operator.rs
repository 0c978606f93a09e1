//! The `Operator` trait and what describes an operator.

use serde_json::Value;
use symphony_core::config::{ConfigSchema, ConfigValues};
use symphony_core::manifest::{OperatorCategory, OperatorPort, OperatorPortType};

use crate::error::OperatorError;
use crate::io::Io;
use crate::stage::Streaming;

/// A named, typed input or output of an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// Name, unique among the operator's inputs (or outputs).
    pub name: String,
    /// What flows through the port.
    pub port_type: OperatorPortType,
}

impl PortSpec {
    /// A port called `name` carrying `port_type`.
    pub fn new(name: impl Into<String>, port_type: OperatorPortType) -> Self {
        Self {
            name: name.into(),
            port_type,
        }
    }
}

impl From<&OperatorPort> for PortSpec {
    fn from(port: &OperatorPort) -> Self {
        Self::new(port.name.clone(), port.port_type)
    }
}

/// What an operator is: its name, category, ports and parameter schema.
#[derive(Debug, Clone)]
pub struct OperatorSpec {
    /// The name a host and a workflow refer to it by, such as `csv.read`.
    pub name: String,
    /// One line saying what it does.
    pub description: String,
    /// What kind of work it does.
    pub category: OperatorCategory,
    /// Its inputs.
    pub inputs: Vec<PortSpec>,
    /// Its outputs.
    pub outputs: Vec<PortSpec>,
    /// Its parameters.
    pub params: ConfigSchema,
}

/// A synchronous data operator.
///
/// An operator is configured once per use with [`configure`](Self::configure) (parameters
/// checked against its schema, then [`prepare`](Self::prepare) compiles them into a [`Task`]),
/// so a bad parameter is reported when a workflow is built, not halfway through a file. The
/// task then runs on its own thread, reading its inputs and writing its outputs through
/// [`Io`].
///
/// Operators are object-safe and `Send + Sync`: a host keeps `Box<dyn Operator>`s (or `Arc`s)
/// in a map and shares them between threads.
pub trait Operator: Send + Sync {
    /// The operator's description.
    fn spec(&self) -> &OperatorSpec;

    /// Compiles validated parameters into a runnable task.
    ///
    /// # Errors
    ///
    /// [`OperatorError::InvalidParam`] for a parameter that fits the schema but cannot be used.
    fn prepare(&self, params: &ConfigValues) -> Result<Box<dyn Task>, OperatorError>;

    /// Checks `params` (a JSON object) against the schema, then [`prepare`](Self::prepare)s.
    ///
    /// # Errors
    ///
    /// [`OperatorError::InvalidParams`] naming every offending parameter, or what `prepare`
    /// returns.
    fn configure(&self, params: &Value) -> Result<Box<dyn Task>, OperatorError> {
        let values = self
            .spec()
            .params
            .validate(params)
            .map_err(OperatorError::InvalidParams)?;
        self.prepare(&values)
    }
}

/// A configured operator, ready to run (any number of times).
pub trait Task: Send + Sync {
    /// Processes the inputs into the outputs. Returning `Ok` ends every output cleanly;
    /// returning an error (or panicking) tells the downstream nodes that their input failed,
    /// so they discard what they have instead of completing partial output.
    ///
    /// # Errors
    ///
    /// Whatever went wrong, naming the port, column, row or path.
    fn run(&self, io: &mut Io<'_>) -> Result<(), OperatorError>;

    /// The task's chunk-by-chunk form, if it has one input and handles it one chunk at a time;
    /// a workflow then runs it on the thread of the node feeding it, with no hand-off between
    /// threads per chunk. Such a task's [`run`](Self::run) is usually
    /// [`stage::drive`](crate::stage::drive).
    fn streaming(&self) -> Option<&dyn Streaming> {
        None
    }
}

/// Reads an optional parameter, mapping a conversion error to [`OperatorError::InvalidParam`].
pub(crate) fn param<T: serde::de::DeserializeOwned>(
    values: &ConfigValues,
    name: &str,
) -> Result<Option<T>, OperatorError> {
    values
        .get(name)
        .map_err(|error| OperatorError::InvalidParam {
            name: name.to_owned(),
            reason: error.to_string(),
        })
}

/// Reads a parameter that the schema makes required or gives a default.
pub(crate) fn required<T: serde::de::DeserializeOwned>(
    values: &ConfigValues,
    name: &str,
) -> Result<T, OperatorError> {
    param(values, name)?.ok_or_else(|| OperatorError::InvalidParam {
        name: name.to_owned(),
        reason: "missing".to_owned(),
    })
}
