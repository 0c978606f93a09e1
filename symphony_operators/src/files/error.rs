//! Errors of scoped file access.

use std::io;
use std::path::PathBuf;

use symphony_core::permission::{FsAccess, PermissionError};

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
    /// The operating system refused the operation: under a kernel sandbox (Landlock), the
    /// grant lacks the named right on the path or its directory.
    #[error("cannot {operation} `{}`: {source}; this needs the filesystem `{right}` right on {}", path.display(), needed_on(*right))]
    Refused {
        /// What was being done (`open`, `create`, `replace` …).
        operation: &'static str,
        /// The path.
        path: PathBuf,
        /// The right the operation needs.
        right: FsAccess,
        /// The OS error (`EACCES` or `EPERM`).
        #[source]
        source: io::Error,
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

    /// As [`io`](Self::io), but a refusal by the system names the right `operation` needs
    /// (on the file for reading; on its directory for creating and replacing).
    pub(crate) fn io_needing(
        operation: &'static str,
        path: impl Into<PathBuf>,
        right: FsAccess,
    ) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| {
            if source.kind() != io::ErrorKind::PermissionDenied {
                return Self::Io {
                    operation,
                    path,
                    source,
                };
            }
            Self::Refused {
                operation,
                path,
                right,
                source,
            }
        }
    }

    /// Whether the access was refused (rather than failed).
    pub fn is_permission_denied(&self) -> bool {
        matches!(
            self,
            Self::Permission(_) | Self::NoAccess { .. } | Self::Refused { .. }
        )
    }
}

/// Where `right` is needed: on the file to read it; on its directory to create or replace it.
fn needed_on(right: FsAccess) -> &'static str {
    if right == FsAccess::Read {
        "it"
    } else {
        "its directory (an atomic write creates a temporary file there and renames it over the file)"
    }
}
