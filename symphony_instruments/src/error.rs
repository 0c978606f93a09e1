//! The one error type of instruments and the pipeline, and how it maps onto protocol errors.

use std::time::Duration;

use symphony_core::protocol::{ErrorCode, ErrorObject};

use crate::model::ModelConfigError;

/// Why an inference (or another instrument operation) failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum InstrumentError {
    /// The input cannot be used by this model (wrong kind, shape, dtype, size …).
    #[error("invalid input: {reason}")]
    InvalidInput {
        /// What is wrong, naming the input.
        reason: String,
    },
    /// The instrument does not offer this operation (e.g. streaming on a model that cannot).
    #[error("`{operation}` is not supported by model `{model}`")]
    Unsupported {
        /// The model's id.
        model: String,
        /// The operation asked for.
        operation: &'static str,
    },
    /// The model configuration is invalid.
    #[error(transparent)]
    Config(#[from] ModelConfigError),
    /// Loading or running the model failed.
    #[error("model `{model}` failed: {message}")]
    Backend {
        /// The model's id.
        model: String,
        /// What failed.
        message: String,
        /// Whether trying again later may succeed (HTTP 429 / 5xx, connection errors).
        retryable: bool,
        /// How long the backend asked us to wait before retrying.
        retry_after: Option<Duration>,
    },
    /// The request did not finish within its time limit.
    #[error("the request did not complete within {limit:?}")]
    TimedOut {
        /// The limit that was exceeded.
        limit: Duration,
    },
    /// The request was cancelled before it finished.
    #[error("the request was cancelled")]
    Cancelled,
    /// The pipeline's queue is full; try again later or raise `queue_capacity`.
    #[error("the request queue is full ({capacity} waiting); try again later")]
    Overloaded {
        /// The queue's capacity.
        capacity: usize,
    },
    /// The host did not grant a permission the operation needs.
    #[error("{reason}")]
    PermissionDenied {
        /// The permission category (`network`, `filesystem` …).
        permission: String,
        /// The resource (host:port, path …).
        resource: String,
        /// The permission check's explanation, naming both.
        reason: String,
    },
    /// The instrument or pipeline has shut down.
    #[error("the instrument has shut down")]
    ShutDown,
}

impl InstrumentError {
    /// A [`Backend`](Self::Backend) error that retrying will not fix.
    pub fn backend(model: impl Into<String>, message: impl Into<String>) -> Self {
        InstrumentError::Backend {
            model: model.into(),
            message: message.into(),
            retryable: false,
            retry_after: None,
        }
    }

    /// An [`InvalidInput`](Self::InvalidInput) error.
    pub fn invalid_input(reason: impl Into<String>) -> Self {
        InstrumentError::InvalidInput {
            reason: reason.into(),
        }
    }

    /// Whether the pipeline may retry the call that failed with this error.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            InstrumentError::Backend {
                retryable: true,
                ..
            }
        )
    }

    /// The protocol error code for this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            InstrumentError::InvalidInput { .. } => ErrorCode::InvalidInput,
            InstrumentError::Unsupported { .. } => ErrorCode::MethodNotFound,
            InstrumentError::Config(_) => ErrorCode::InvalidConfig,
            InstrumentError::Backend { .. }
            | InstrumentError::Overloaded { .. }
            | InstrumentError::ShutDown => ErrorCode::ExtensionFailed,
            InstrumentError::TimedOut { .. } => ErrorCode::TimedOut,
            InstrumentError::Cancelled => ErrorCode::Cancelled,
            InstrumentError::PermissionDenied { .. } => ErrorCode::PermissionDenied,
        }
    }

    /// This error as a protocol error object (the message is this error's text); a refused
    /// permission carries `data` with `permission` and `resource`.
    pub fn to_error_object(&self) -> ErrorObject {
        let object = ErrorObject::new(self.code(), self.to_string());
        match self {
            InstrumentError::PermissionDenied {
                permission,
                resource,
                ..
            } => object.with_data(serde_json::json!({
                "permission": permission,
                "resource": resource,
            })),
            _ => object,
        }
    }
}

impl From<crate::tensor::TensorError> for InstrumentError {
    fn from(error: crate::tensor::TensorError) -> Self {
        InstrumentError::invalid_input(error.to_string())
    }
}
