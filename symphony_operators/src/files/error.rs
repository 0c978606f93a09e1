//! Errors of scoped file access.

use std::io;
use std::path::PathBuf;

use symphony_core::permission::PermissionError;

/// Why a file operation was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FilesError {
    /// The session's permission policy refuses the access; the message names the permission
    /// and the normalised path.
    #[error(transparent)]
    Permission(#[from] PermissionError),
    /// No file access was granted at all.
    #[error("filesystem {access} permission denied for `{}`: no file access was granted", path.display())]
    NoAccess {
        /// `read` or `write`.
        access: &'static str,
        /// The path as given.
        path: PathBuf,
    },
    /// A glob pattern is invalid.
    #[error("invalid glob `{pattern}`: {reason}")]
    Glob {
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The operating system refused or failed the operation.
    #[error("cannot {operation} `{}`: {source}", path.display())]
    Io {
        /// What was being done (`open`, `create`, `rename` …).
        operation: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

impl FilesError {
    pub(crate) fn io(
        operation: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            operation,
            path,
            source,
        }
    }

    /// Whether the access was refused (rather than failed).
    pub fn is_permission_denied(&self) -> bool {
        matches!(self, Self::Permission(_) | Self::NoAccess { .. })
    }
}
