//! The Symphony extension SDK for Operators: synchronous data operators for data engineers.
//!
//! - [`Operator`] / [`Task`]: an operator's description (category, typed ports, parameter
//!   schema) and its configured, runnable form;
//! - [`data`]: record batches that stream in bounded memory, convertible to and from JSON;
//! - [`workflow`]: chains and DAGs with type-checked connections, parallel branches and
//!   checkpoint/resume;
//! - [`ops`]: built-in operators on CSV and regular expressions;
//! - [`files`]: file access limited to granted roots, with atomic writes;
//! - [`serve`](mod@serve): an extension binary serving a set of operators to a host;
//! - [`main!`] / [`run`]: an extension's `main`, with [`Operators`] registered by the author's
//!   `setup`; [`methods`]: the `operator/…` methods, typed; `testing` (feature `testing`): a
//!   test host, in-process or spawning the extension's binary.
//!
//! It also re-exports the shared foundation (manifest, permissions, configuration) so that an
//! operator extension depends on this crate alone; the guide `docs/guides/operator.md` goes
//! from `cargo new` to a tested extension.
//!
//! # Features
#![cfg_attr(feature = "document-features", doc = document_features::document_features!())]

#[doc(inline)]
pub use symphony_core::serve::CancelToken;
#[doc(inline)]
pub use symphony_core::{config, embed_manifest, manifest, permission, sandbox, version};

pub mod data;
mod entry;
mod error;
pub mod files;
mod io;
pub mod methods;
mod operator;
pub mod ops;
pub mod serve;
pub mod stage;
#[cfg(feature = "testing")]
pub mod testing;
pub mod workflow;

pub use entry::{Operators, run};
pub use error::OperatorError;
pub use io::{Io, Progress, ProgressFn};
pub use operator::{Operator, OperatorSpec, Param, ParamValues, PortSpec, Task};
pub use stage::{Stage, Streaming};

/// What an operator author needs, in one import.
pub mod prelude {
    pub use crate::config::ConfigValues;
    pub use crate::data::{Chunk, Headers, RecordBatch};
    pub use crate::files::Files;
    pub use crate::manifest::{OperatorCategory, OperatorPortType};
    pub use crate::serve::serve_operators;
    pub use crate::workflow::{RunOptions, Step, Workflow};
    pub use crate::{
        Io, Operator, OperatorError, OperatorSpec, Operators, Param, ParamValues, PortSpec, Stage,
        Streaming, Task,
    };
}
