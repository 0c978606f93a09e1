//! The error an operator fails with.

use std::path::PathBuf;

use serde_json::json;
use symphony_core::config::ConfigErrors;
use symphony_core::protocol::{ErrorCode, ErrorObject};

use crate::data::DataError;
use crate::files::FilesError;
use crate::workflow::WorkflowError;

/// Why an operator could not be configured or failed while running.
///
/// Messages name what is wrong (parameter, port, column, row, path) so that the workflow,
/// which adds the node's name, can show them to a user as they are.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OperatorError {
    /// The parameters do not match the operator's schema.
    #[error("invalid parameters: {0}")]
    InvalidParams(ConfigErrors),
    /// A parameter matches the schema but cannot be used (e.g. a regex that does not compile).
    #[error("parameter `{name}`: {reason}")]
    InvalidParam {
        /// The parameter.
        name: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// An operator's description has mistakes (see [`OperatorSpec::check`](crate::OperatorSpec::check)).
    #[error("operator `{operator}` is described wrongly: {}", problems.join("; "))]
    InvalidSpec {
        /// The operator.
        operator: String,
        /// Every mistake.
        problems: Vec<String>,
    },
    /// The ports the manifest's `[operator]` section declares are not those of any served
    /// operator.
    #[error("the manifest's [operator] ports are not those of any served operator; closest, `{operator}`: {}", problems.join("; "))]
    ManifestPorts {
        /// The served operator closest to the manifest.
        operator: String,
        /// How its ports differ from the manifest's.
        problems: Vec<String>,
    },
    /// A workflow step's parameters could not be put into JSON.
    #[error("{}", problems.join("; "))]
    InvalidStep {
        /// What could not.
        problems: Vec<String>,
    },
    /// The operator has no port of this name.
    #[error("no {direction} port `{port}`; the {direction} ports are: {}", available.join(", "))]
    UnknownPort {
        /// `input` or `output`.
        direction: &'static str,
        /// The name asked for.
        port: String,
        /// The ports there are.
        available: Vec<String>,
    },
    /// A chunk of the wrong kind reached or left a port.
    #[error("port `{port}` carries {expected} but got {found}")]
    WrongChunk {
        /// The port.
        port: String,
        /// What the port carries.
        expected: String,
        /// What arrived.
        found: &'static str,
    },
    /// Data could not be addressed or converted (unknown column, text that is not UTF-8 …).
    #[error(transparent)]
    Data(#[from] DataError),
    /// A CSV file is malformed.
    #[error("{}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What is wrong and where (line, record, field).
        message: String,
    },
    /// A JSON value could not be read or written.
    #[error("{}: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What is wrong and where.
        message: String,
    },
    /// A file operation failed or was not permitted.
    #[error(transparent)]
    Files(#[from] FilesError),
    /// The node feeding an input failed or stopped before finishing its stream.
    #[error("input `{port}` ended early because the node feeding it failed")]
    UpstreamFailed {
        /// The input port.
        port: String,
    },
    /// Every node reading an output stopped (because one of them failed).
    #[error("output `{port}` is no longer read because a downstream node failed")]
    DownstreamClosed {
        /// The output port.
        port: String,
    },
    /// The run was cancelled.
    #[error("cancelled")]
    Cancelled,
    /// A workflow that this operator runs inside itself did not complete; its error, and so
    /// its [code](Self::code), is kept (write `workflow.run(&options)?`).
    #[error(transparent)]
    Workflow(Box<WorkflowError>),
    /// The operator's own error.
    #[error("{0}")]
    Failed(String),
}

impl OperatorError {
    /// An operator-specific failure with a message for the user.
    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }

    /// Whether this error only reports that another node failed (or the run was cancelled),
    /// so that the workflow can report the cause rather than its echoes.
    pub fn is_consequence(&self) -> bool {
        matches!(
            self,
            Self::UpstreamFailed { .. } | Self::DownstreamClosed { .. } | Self::Cancelled
        )
    }

    /// The protocol error code for this error: a refused permission is
    /// [`PermissionDenied`](ErrorCode::PermissionDenied) however deeply it is wrapped (a node
    /// of a workflow run inside an operator run by a workflow …).
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Cancelled => ErrorCode::Cancelled,
            Self::Files(error) if error.is_permission_denied() => ErrorCode::PermissionDenied,
            Self::Files(FilesError::Glob { .. }) => ErrorCode::InvalidParams,
            Self::InvalidParams(_)
            | Self::InvalidParam { .. }
            | Self::InvalidStep { .. }
            | Self::UnknownPort { .. } => ErrorCode::InvalidParams,
            Self::Data(_) | Self::Csv { .. } | Self::Json { .. } | Self::WrongChunk { .. } => {
                ErrorCode::InvalidInput
            }
            Self::Workflow(error) => error.code(),
            _ => ErrorCode::ExtensionFailed,
        }
    }

    /// The refused file access at the root of this error, taken out of the wrappers.
    fn into_denial(self) -> Option<FilesError> {
        match self {
            Self::Files(error) if error.is_permission_denied() => Some(error),
            Self::Workflow(error) => error.into_operator_error()?.into_denial(),
            _ => None,
        }
    }
}

impl From<WorkflowError> for OperatorError {
    fn from(error: WorkflowError) -> Self {
        Self::Workflow(Box::new(error))
    }
}

/// The error's [code](OperatorError::code) and its whole message (which names the node, and
/// for a refused permission the permission and the resource); for a refused permission,
/// `data` holds `permission` (the category), `access` and `resource`, as core's
/// `From<PermissionError>` does.
impl From<OperatorError> for ErrorObject {
    fn from(error: OperatorError) -> Self {
        let object = ErrorObject::new(error.code(), error.to_string());
        let data = match error.into_denial() {
            Some(FilesError::Permission(denied)) => ErrorObject::from(denied).data,
            Some(FilesError::NoAccess { access, path }) => Some(json!({
                "permission": "filesystem",
                "access": access,
                "resource": path.display().to_string(),
            })),
            _ => None,
        };
        match data {
            Some(data) => object.with_data(data),
            None => object,
        }
    }
}
