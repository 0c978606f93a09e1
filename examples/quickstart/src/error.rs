//! What can stop a quickstart run, each with what to do about it.

use std::path::PathBuf;

use symphony_core::host::{CallError, HostError};

use crate::serve::Kind;

/// A run that could not finish; nothing half-written is left at the report's path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum QuickstartError {
    /// The CSV file cannot be found or opened.
    #[error("cannot open the CSV file `{}`: {source}", path.display())]
    OpenCsv {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A path that a grant cannot name (the permission globs are UTF-8).
    #[error("`{}` is not valid UTF-8; move the file to a path that is", path.display())]
    NotUtf8 { path: PathBuf },
    /// This program cannot find its own executable to start the extensions from.
    #[error("cannot find this program's executable to start the extensions: {0}")]
    CurrentExe(#[source] std::io::Error),
    /// An extension did not start or failed its handshake.
    #[error("the {kind} extension did not start: {source}")]
    Start {
        kind: Kind,
        #[source]
        source: HostError,
    },
    /// A request to an extension failed.
    #[error("the {kind} extension failed `{what}`: {source}")]
    Call {
        kind: Kind,
        what: String,
        #[source]
        source: CallError,
    },
    /// The operator refused the CSV (a missing column, a malformed line …).
    #[error("{}: {message}", path.display())]
    Csv { path: PathBuf, message: String },
    /// A value the model cannot take.
    #[error("{0}")]
    InvalidValue(Box<InvalidValue>),
    /// A CSV file with a header but no rows.
    #[error("{}: the file has no data rows", path.display())]
    NoRows { path: PathBuf },
    /// An extension answered, but not with what its protocol promises.
    #[error("the {kind} extension answered `{what}` unexpectedly: {detail}")]
    Unexpected {
        kind: Kind,
        what: &'static str,
        detail: String,
    },
    /// The report cannot be written.
    #[error("cannot write the report to `{}`: {source}", path.display())]
    WriteReport {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An extension did not shut down cleanly after its work was done.
    #[error("the {kind} extension did not shut down cleanly: {source}")]
    Shutdown {
        kind: Kind,
        #[source]
        source: HostError,
    },
}

/// A value in the CSV file that the model cannot take, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{}: row {row}{name}, column `{column}`: {problem}{value}{more}",
    path.display(),
    name = .name.as_ref().map(|name| format!(" ({name})")).unwrap_or_default(),
    value = if .value.is_empty() { String::new() } else { format!(": `{}`", .value) },
    more = match .others {
        0 => String::new(),
        1 => " (and 1 more problem)".to_owned(),
        n => format!(" (and {n} more problems)"),
    }
)]
pub(crate) struct InvalidValue {
    pub(crate) path: PathBuf,
    /// The data row, counting from 1 (the header is not a row).
    pub(crate) row: u64,
    /// The row's `name`, if it has one.
    pub(crate) name: Option<String>,
    pub(crate) column: String,
    pub(crate) value: String,
    /// What is wrong with the value.
    pub(crate) problem: String,
    /// How many more problems the file has.
    pub(crate) others: usize,
}

impl From<InvalidValue> for QuickstartError {
    fn from(invalid: InvalidValue) -> Self {
        QuickstartError::InvalidValue(Box::new(invalid))
    }
}
