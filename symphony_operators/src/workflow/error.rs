//! Errors building or running a workflow.

use std::path::PathBuf;

use symphony_core::protocol::{ErrorCode, ErrorObject};

use crate::error::OperatorError;

/// Why a workflow could not be built or did not complete. Every variant names the node (and
/// port) where the problem is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// A node name is empty or has characters other than letters, digits, `_` and `-`.
    #[error("invalid node name `{node}`: use letters, digits, `_` and `-`")]
    InvalidNodeName {
        /// The name.
        node: String,
    },
    /// Two nodes have the same name.
    #[error("duplicate node `{node}`")]
    DuplicateNode {
        /// The name.
        node: String,
    },
    /// A connection names a node that does not exist.
    #[error("unknown node `{node}` in connection `{endpoint}`")]
    UnknownNode {
        /// The node name.
        node: String,
        /// The endpoint as written.
        endpoint: String,
    },
    /// A connection names a port the node's operator does not have, or leaves the port out
    /// although the node has several.
    #[error("node `{node}` ({operator}) has no {direction} port `{port}`; its {direction} ports are: {}", available.join(", "))]
    UnknownPort {
        /// The node.
        node: String,
        /// Its operator.
        operator: String,
        /// `input` or `output`.
        direction: &'static str,
        /// The port as written (empty if left out).
        port: String,
        /// The ports there are.
        available: Vec<String>,
    },
    /// Connected ports carry different types.
    #[error("cannot connect `{from}` ({from_type}) to `{to}` ({to_type}): the port types differ")]
    TypeMismatch {
        /// The output, `node.port`.
        from: String,
        /// Its type.
        from_type: String,
        /// The input, `node.port`.
        to: String,
        /// Its type.
        to_type: String,
    },
    /// An input is fed by two connections.
    #[error("input `{to}` is already fed by `{existing}`; an input takes one connection")]
    InputConnectedTwice {
        /// The input, `node.port`.
        to: String,
        /// The connection it already has.
        existing: String,
    },
    /// An input is not connected.
    #[error("input `{node}.{port}` is not connected")]
    UnconnectedInput {
        /// The node.
        node: String,
        /// The port.
        port: String,
    },
    /// The connections form a cycle.
    #[error("the connections form a cycle: {}", cycle.join(" -> "))]
    Cycle {
        /// The nodes on the cycle, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// `then` was used on a node with no single output, or onto an operator without a single
    /// input.
    #[error(
        "cannot chain `{from}` to `{to}`: chaining needs exactly one output on `{from}` and one input on `{to}`"
    )]
    Unchainable {
        /// The previous node.
        from: String,
        /// The new node.
        to: String,
    },
    /// A node's parameters are invalid.
    #[error("node `{node}` ({operator}): {source}")]
    Configure {
        /// The node.
        node: String,
        /// Its operator.
        operator: String,
        /// What is wrong.
        #[source]
        source: OperatorError,
    },
    /// A node failed while running.
    #[error("node `{node}` failed: {source}")]
    Node {
        /// The node.
        node: String,
        /// What went wrong.
        #[source]
        source: OperatorError,
    },
    /// A node panicked.
    #[error("node `{node}` panicked: {message}")]
    Panicked {
        /// The node.
        node: String,
        /// The panic message.
        message: String,
    },
    /// The checkpoint directory cannot be used.
    #[error("checkpoint `{}`: {reason}", path.display())]
    Checkpoint {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl WorkflowError {
    /// The protocol error code: a node's error keeps its own code (a refused permission stays
    /// [`PermissionDenied`](ErrorCode::PermissionDenied), a cancelled run
    /// [`Cancelled`](ErrorCode::Cancelled)); a workflow that cannot be built from what was
    /// asked is [`InvalidParams`](ErrorCode::InvalidParams).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Node { source, .. } | Self::Configure { source, .. } => source.code(),
            Self::Panicked { .. } | Self::Checkpoint { .. } => ErrorCode::ExtensionFailed,
            _ => ErrorCode::InvalidParams,
        }
    }

    /// The node's error this error reports, if it reports one.
    pub(crate) fn into_operator_error(self) -> Option<OperatorError> {
        match self {
            Self::Node { source, .. } | Self::Configure { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// As the [`OperatorError`] that wraps this error: the [code](WorkflowError::code), the whole
/// message, and for a refused permission, `data` naming it.
impl From<WorkflowError> for ErrorObject {
    fn from(error: WorkflowError) -> Self {
        ErrorObject::from(OperatorError::from(error))
    }
}
