//! Why a build-time measurement could not be made.

use std::path::PathBuf;

/// Why `cargo xtask build-times` stopped; each message names the file, dependency or build.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum BuildTimesError {
    /// A file or directory could not be read, written or removed.
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A manifest is not TOML, or a dependency entry has a shape this task cannot copy.
    #[error("{}: {reason}", .path.display())]
    Manifest {
        /// The Cargo.toml.
        path: PathBuf,
        /// What is wrong, naming the table and key.
        reason: String,
    },
    /// Some configurations could not be measured; the others were reported.
    #[error(
        "{} configuration(s) could not be measured: {}; the errors are printed above",
        .labels.len(),
        .labels.join(", ")
    )]
    Incomplete {
        /// Kind and configuration of each failure, e.g. `operators/full`.
        labels: Vec<String>,
    },
    /// The build of one configuration failed; the tail of cargo's output says why.
    #[error("building {label} failed ({status}); cargo said:\n{tail}")]
    Build {
        /// Kind and configuration, e.g. `operators/full`.
        label: String,
        /// How cargo exited.
        status: std::process::ExitStatus,
        /// The last lines cargo printed on stderr.
        tail: String,
    },
}
