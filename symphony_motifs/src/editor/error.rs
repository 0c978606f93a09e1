//! Errors of documents and their models.

use std::path::PathBuf;

/// A model refused bytes to load or an edit to apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ModelError(pub String);

impl ModelError {
    /// An error with message `message` (say what is wrong and where).
    pub fn new(message: impl Into<String>) -> Self {
        ModelError(message.into())
    }
}

/// Why a document operation failed. The document is unchanged by a failed operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// Reading or writing a file failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done (`read`, `save`, …).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file's content is not a valid document of this type.
    #[error("cannot open {} as this document type: {source}", path.display())]
    Load {
        /// The file.
        path: PathBuf,
        /// What the model said.
        source: ModelError,
    },
    /// The model refused an edit.
    #[error("edit refused: {0}")]
    Edit(ModelError),
    /// The file changed on disk since it was loaded or saved; saving would overwrite
    /// someone else's changes.
    #[error("{} changed on disk since it was opened; revert to load it, or save with overwrite to replace it", path.display())]
    ChangedOnDisk {
        /// The file.
        path: PathBuf,
    },
    /// A backup file that is not a backup this SDK wrote.
    #[error("{} is not a valid document backup: {reason}", path.display())]
    InvalidBackup {
        /// The backup file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}
