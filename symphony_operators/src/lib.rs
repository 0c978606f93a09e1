//! The Symphony extension SDK for Operators: synchronous data operators for data engineers.
//!
//! - [`Operator`] / [`Task`]: an operator's description (category, typed ports, parameter
//!   schema) and its configured, runnable form;
//! - [`data`]: record batches that stream in bounded memory, convertible to and from JSON;
//! - [`workflow`]: chains and DAGs with type-checked connections, parallel branches and
//!   checkpoint/resume;
//! - [`ops`]: built-in operators on CSV and regular expressions;
//! - [`files`]: file access limited to granted roots, with atomic writes;
//! - [`serve`](mod@serve): an extension binary serving a set of operators to a host.
//!
//! It also re-exports the shared foundation (manifest, permissions, configuration)
//! so that an operator extension depends on this crate alone.

pub use symphony_core::{config, embed_manifest, manifest, permission, sandbox, version};

pub mod data;
mod error;
pub mod files;
mod io;
mod operator;
pub mod ops;
pub mod serve;
pub mod workflow;

pub use error::OperatorError;
pub use io::{Io, Progress, ProgressFn};
pub use operator::{Operator, OperatorSpec, PortSpec, Task};

/// What an operator author needs, in one import.
pub mod prelude {
    pub use crate::data::{Chunk, Headers, RecordBatch};
    pub use crate::files::Files;
    pub use crate::manifest::{OperatorCategory, OperatorPortType};
    pub use crate::serve::serve_operators;
    pub use crate::workflow::{RunOptions, Workflow};
    pub use crate::{Io, Operator, OperatorError, OperatorSpec, PortSpec, Task};
}
