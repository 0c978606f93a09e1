//! Errors of scoped file access.

use std::io;
use std::path::PathBuf;

/// Why a file operation was refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FilesError {
    /// The path is outside every root granted for this access.
    #[error("filesystem {access} permission denied for `{}`: it is outside the granted roots", path.display())]
    PermissionDenied {
        /// `read` or `write`.
        access: &'static str,
        /// The path as resolved (what would have been opened).
        path: PathBuf,
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
}
